"""openpyxl writer: report layouts -> .xlsx files with native charts, saved atomically."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import AreaChart, BarChart, LineChart, Reference
from openpyxl.chart.legend import LegendEntry
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from metaltrade_xl._io import atomic_path
from metaltrade_xl.report.layout import FORMULA_PREFIXES, SheetLayout, Table, plain_value

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13)


def cell_value(value):
    """A table value as openpyxl writes it faithfully (see :func:`layout.plain_value`), without
    the control characters XML cannot hold."""
    v = plain_value(value)
    return ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v


def put(ws, row: int, col: int, value, number_format: str | None = None):
    """Write one cell; text that looks like a formula is kept as text, never evaluated."""
    v = cell_value(value)
    cell = ws.cell(row=row, column=col)
    cell.value = v
    if isinstance(v, str) and v.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"
    if number_format and isinstance(v, (int, float)) and not isinstance(v, bool):
        cell.number_format = number_format
    return cell


def write_table(ws, table: Table) -> None:
    if table.title:
        put(ws, table.row, table.col, table.title).font = _BOLD
    for j, name in enumerate(table.frame.columns):
        put(ws, table.header_row, table.col + j, name).font = _BOLD
    formats = [table.format_of(c) for c in table.frame.columns]
    for i, row in enumerate(table.frame.itertuples(index=False)):
        for j, value in enumerate(row):
            put(ws, table.first_row + i, table.col + j, value, formats[j])
    for j, name in enumerate(table.frame.columns):
        letter = get_column_letter(table.col + j)
        width = max(10, min(45, len(str(name)) + 2))
        ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, width)


def _axes(chart, spec) -> None:
    chart.title = spec.title
    chart.y_axis.title = spec.y_title
    chart.x_axis.title = spec.x_title
    chart.width, chart.height = spec.width_cm, spec.height_cm
    # openpyxl 3.1 marks axes as deleted by default; Excel then draws no axis labels
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.number_format = "#,##0"


def _refs(ws, data, first: int, last: int):
    """Reference to data columns ``first..last`` (1 = the first series) with their headers."""
    return Reference(
        ws,
        min_col=data.col + first,
        max_col=data.col + last,
        min_row=data.header_row,
        max_row=data.last_row,
    )


def add_chart(ws, spec) -> None:
    data = spec.data
    n = len(spec.series)
    categories = Reference(ws, min_col=data.col, min_row=data.first_row, max_row=data.last_row)
    if spec.kind == "fan":
        # a filled band: the lower edge stacked invisibly under the band width, lines on top
        chart = AreaChart()
        chart.grouping = "stacked"
        chart.add_data(_refs(ws, data, 1, 1), titles_from_data=True)
        chart.add_data(_refs(ws, data, n, n), titles_from_data=True)
        chart.series[0].graphicalProperties.noFill = True
        chart.series[0].graphicalProperties.line.noFill = True
        chart.series[1].graphicalProperties.solidFill = "BDD7EE"
        chart.series[1].graphicalProperties.line.noFill = True
        lines = LineChart()
        lines.add_data(_refs(ws, data, 2, 2), titles_from_data=True)
        if n > 4:
            lines.add_data(_refs(ws, data, 4, n - 1), titles_from_data=True)
        lines.set_categories(categories)
        chart.set_categories(categories)
        _axes(chart, spec)
        chart += lines
        chart.legend.position = "b"
        chart.legend.legendEntry = [LegendEntry(idx=0, delete=True)]  # the invisible lower edge
        ws.add_chart(chart, spec.anchor)
        return
    chart = LineChart() if spec.kind == "line" else BarChart()
    _axes(chart, spec)
    if spec.kind == "bar":
        chart.type = "bar"  # horizontal bars: long names stay readable
        chart.overlap = 100  # a tornado's two bars per input share one row
        chart.x_axis.tickLblPos = "low"  # names at the left edge, clear of bars going negative
    if n == 1:
        chart.legend = None
    else:
        chart.legend.position = "b"
    chart.add_data(_refs(ws, data, 1, n), titles_from_data=True)
    chart.set_categories(categories)
    ws.add_chart(chart, spec.anchor)


def fit_page(ws) -> None:
    """Print (and PDF export) one page wide, landscape: tables and charts stay together."""
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0


def render(wb, sheets: Iterable[SheetLayout]) -> None:
    """Write each layout into ``wb``, replacing a sheet of the same name in place (same position)
    and leaving every other sheet untouched."""
    for layout in sheets:
        index = None
        if layout.name in wb.sheetnames:
            index = wb.sheetnames.index(layout.name)
            wb.remove(wb[layout.name])
        ws = wb.create_sheet(layout.name, index)
        for row, col, text in layout.texts:
            put(ws, row, col, text).font = _TITLE if row == 1 else Font(italic=True)
        for table in layout.tables:
            write_table(ws, table)
        for spec in layout.charts:
            write_table(ws, spec.data)
            add_chart(ws, spec)
        fit_page(ws)


def sheet_grid(ws) -> list[list]:
    """An openpyxl sheet's values from A1 to its last used cell, as a 2-D list."""
    return [
        list(r)
        for r in ws.iter_rows(
            min_row=1, min_col=1, max_row=ws.max_row, max_col=ws.max_column, values_only=True
        )
    ]


def run_workbook(src: str | Path, out: str | Path, *, force: bool = False) -> list:
    """The scenario macro on files: read Data and Scenarios from ``src``, write ``out`` with the
    Summary and scenario sheets; every other sheet, formula and the VBA of ``src`` kept.

    ``src`` is never modified; ``out`` must be another path and keep ``src``'s macro-ness.
    """

    from metaltrade_xl.data.origin import file_origin
    from metaltrade_xl.report.book import run_book
    from metaltrade_xl.report.layout import SHEETS

    src, out = Path(src), Path(out)
    check_distinct(src, out)
    macro = src.suffix.lower() == ".xlsm"
    if macro != (out.suffix.lower() == ".xlsm"):
        want = ".xlsm (to keep the VBA)" if macro else ".xlsx"
        raise ValueError(f"--out: expected a {want} file like the input, got '{out.name}'")
    wb = open_workbook(src, keep_vba=macro)
    # the data are the input workbook's Data sheet: its name and hash are the workbook's
    label = f"{SHEETS['data']} sheet of the workbook"
    results = run_book(  # the flow the scenario button runs
        FileBook(wb), src.name, origins=lambda figures: [file_origin(src, figures, label=label)]
    )
    save_atomic(wb, out, force=force)
    return results


class FileBook:
    """An openpyxl Workbook as the :class:`metaltrade_xl.report.book.Book` the flow runs on."""

    def __init__(self, wb):
        self.wb = wb

    def sheet_names(self) -> list[str]:
        return list(self.wb.sheetnames)

    def grid(self, name: str) -> list[list]:
        return sheet_grid(self.wb[name])

    def delete_sheet(self, name: str) -> None:
        self.wb.remove(self.wb[name])

    def write_sheets(self, layouts) -> None:
        render(self.wb, layouts)


def check_distinct(src: Path, out: Path) -> None:
    """Refuse to write over the input workbook: the user's file is never changed in place."""
    if not src.exists():
        raise FileNotFoundError(f"{src}: no such file")
    if out.exists() and out.resolve() == src.resolve():
        raise ValueError(f"{out.name}: the output must be a new file, not the input workbook")


def open_workbook(path: Path, **options):
    """openpyxl.load_workbook with a one-line error for files that are not workbooks."""
    from openpyxl import load_workbook

    try:
        return load_workbook(path, **options)
    except Exception as exc:  # zipfile, XML and openpyxl errors alike
        raise ValueError(f"{path.name}: could not be read as a workbook ({exc})") from None


def new_workbook(sheets: Iterable[SheetLayout]):
    """A new openpyxl Workbook holding just ``sheets``."""
    wb = Workbook()
    default = wb.active
    render(wb, sheets)
    wb.remove(default)
    return wb


def save_atomic(wb, path: str | Path, *, force: bool = False) -> Path:
    """Save an openpyxl workbook through :func:`atomic_path`."""
    with atomic_path(path, force=force) as tmp:
        wb.save(tmp)
    return Path(path)


def write_text_atomic(text: str, path: str | Path, *, force: bool = False) -> Path:
    """Write a UTF-8 text file through :func:`atomic_path`."""
    with atomic_path(path, force=force) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)
