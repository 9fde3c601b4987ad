"""openpyxl writer: report layouts -> .xlsx files with native charts, saved atomically."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import AreaChart, BarChart, LineChart, Reference
from openpyxl.chart.axis import ChartLines
from openpyxl.chart.legend import LegendEntry
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import absolute_coordinate, get_column_letter, quote_sheetname
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break

from metaltrade_xl._io import atomic_path
from metaltrade_xl.report.layout import (
    DEFAULT_PAPER,
    FORMULA_PREFIXES,
    PAPERS,
    ROW_PT,
    SheetLayout,
    Table,
    anchor,
    plain_value,
)

_BOLD = Font(bold=True)
_HEADER = Font(bold=True, size=9)
_TITLE = Font(bold=True, size=14)
_NOTE = Font(italic=True, size=10)
_DATA = Font(italic=True, color="595959")
_DATA_FILL = PatternFill("solid", fgColor="F2F2F2")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="9BC2E6")


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


def _numeric(frame, name) -> bool:
    """A column of numbers (a few words among them, "not by 2034", still align right)."""
    values = [v for v in frame[name] if v is not None and v == v]
    numbers = sum(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    return bool(values) and numbers * 2 >= len(values)


def write_table(ws, table: Table, *, styled: bool = True) -> None:
    """Title, header (words, wrapped, aligned with the numbers below) and rows of ``table``;
    a sheet-scoped defined name over header and rows when the table has a ``name``."""
    if table.title:
        put(ws, table.row, table.col, table.title).font = _BOLD
    columns = list(table.frame.columns)
    for name in columns:
        col = table.column(name)
        cell = put(ws, table.header_row, col, table.header(name))
        cell.font = _HEADER if styled else _BOLD
        if styled:
            cell.fill = _HEADER_FILL
            cell.border = Border(bottom=_THIN)
        cell.alignment = Alignment(
            wrap_text=table.wrap,
            vertical="bottom",
            horizontal="right" if _numeric(table.frame, name) else "left",
        )
        _merge(ws, table.header_row, col, table.span(name))
    data_rows = set(table.data_rows)
    align = {
        name: Alignment(
            wrap_text=styled,
            vertical="top",
            horizontal="right" if _numeric(table.frame, name) else None,
            indent=0 if _numeric(table.frame, name) else 1,
        )
        for name in columns
    }
    for i, row in enumerate(table.frame.itertuples(index=False)):
        r = table.first_row + i
        for name, value in zip(columns, row, strict=True):
            col = table.column(name)
            cell = put(ws, r, col, value, table.format_of(name, i))
            cell.alignment = align[name]
            if i in data_rows:
                cell.font, cell.fill = _DATA, _DATA_FILL
            _merge(ws, r, col, table.span(name))
    if table.name and len(table.frame):
        ref = f"{quote_sheetname(ws.title)}!{absolute_coordinate(f'{anchor(table.col, table.header_row)}:{anchor(table.last_col, table.last_row)}')}"
        ws.defined_names[table.name] = DefinedName(table.name, attr_text=ref)


def _merge(ws, row: int, col: int, span: int) -> None:
    if span > 1:
        ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + span - 1)


def _axes(chart, spec) -> None:
    chart.title = spec.title
    chart.y_axis.title = spec.y_title
    chart.x_axis.title = spec.x_title
    chart.width, chart.height = spec.width_cm, spec.height_cm
    # openpyxl 3.1 marks axes as deleted by default; Excel then draws no axis labels
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.number_format = spec.y_format
    chart.y_axis.majorGridlines = ChartLines()


def _refs(ws, data, first: int, last: int):
    """Reference to data columns ``first..last`` (1 = the first series) with their headers."""
    return Reference(
        ws,
        min_col=data.col + first,
        max_col=data.col + last,
        min_row=data.header_row,
        max_row=data.last_row,
    )


def _place(ws, chart, spec) -> None:
    """Anchor ``chart`` from cell to cell, so it covers exactly the rows the layout kept for it."""
    if not spec.to:
        ws.add_chart(chart, spec.anchor)
        return
    (c1, r1), (c2, r2) = (coordinate_to_tuple(a)[::-1] for a in (spec.anchor, spec.to))
    chart.anchor = TwoCellAnchor(
        _from=AnchorMarker(col=c1 - 1, row=r1 - 1), to=AnchorMarker(col=c2 - 1, row=r2 - 1)
    )
    ws.add_chart(chart)


def _dash(chart, spec) -> None:
    for series, name in zip(chart.series, spec.series, strict=False):
        if name in spec.data_series:
            series.graphicalProperties.line.dashStyle = "dash"
            series.graphicalProperties.line.solidFill = "7F7F7F"
        series.smooth = False


def add_chart(ws, spec, data_ws=None) -> None:
    data_ws = data_ws or ws
    data = spec.data
    n = len(spec.series)
    categories = Reference(data_ws, min_col=data.col, min_row=data.first_row, max_row=data.last_row)
    if spec.kind == "fan":
        # a filled band: the lower edge stacked invisibly under the band width, lines on top
        chart = AreaChart()
        chart.grouping = "stacked"
        chart.add_data(_refs(data_ws, data, 1, 1), titles_from_data=True)
        chart.add_data(_refs(data_ws, data, n, n), titles_from_data=True)
        chart.series[0].graphicalProperties.noFill = True
        chart.series[0].graphicalProperties.line.noFill = True
        chart.series[1].graphicalProperties.solidFill = "BDD7EE"
        chart.series[1].graphicalProperties.line.noFill = True
        lines = LineChart()
        lines.add_data(_refs(data_ws, data, 2, 2), titles_from_data=True)
        if n > 4:
            lines.add_data(_refs(data_ws, data, 4, n - 1), titles_from_data=True)
        lines.set_categories(categories)
        chart.set_categories(categories)
        _axes(chart, spec)
        chart += lines
        chart.legend.position = "b"
        chart.legend.legendEntry = [LegendEntry(idx=0, delete=True)]  # the invisible lower edge
        _place(ws, chart, spec)
        return
    chart = LineChart() if spec.kind == "line" else BarChart()
    _axes(chart, spec)
    if spec.kind == "bar":
        chart.type = "bar"  # horizontal bars: long names stay readable
        chart.overlap = 100  # a tornado's two bars per input share one row
        chart.gapWidth = 60
        chart.x_axis.tickLblPos = "low"  # names at the left edge, clear of bars going negative
    if n == 1:
        chart.legend = None
    else:
        chart.legend.position = "b"
    chart.add_data(_refs(data_ws, data, 1, n), titles_from_data=True)
    chart.set_categories(categories)
    if spec.kind == "line":
        _dash(chart, spec)
    _place(ws, chart, spec)


#: Excel's paperSize codes (ECMA-376 §18.3.1.63) of the papers :data:`PAPERS` names.
PAPER_SIZES = {"a4": 9, "letter": 1}


def paper_size(paper: str | None) -> int:
    """Excel's code of a paper name (``a4`` or ``letter``; None is the default, A4).

    Examples
    --------
    >>> paper_size("A4"), paper_size("letter"), paper_size(None)
    (9, 1, 9)
    >>> paper_size("legal")
    Traceback (most recent call last):
    ...
    ValueError: paper: expected one of a4, letter, got 'legal'
    """
    name = DEFAULT_PAPER if paper is None else str(paper).strip().lower()
    if name not in PAPER_SIZES:
        raise ValueError(f"paper: expected one of {', '.join(PAPERS)}, got {paper!r}")
    return PAPER_SIZES[name]


def fit_page(ws, paper: str | None = None) -> None:
    """Print (and PDF export) landscape on ``paper`` (A4 or Letter), one page wide, 0.5 in
    margins. The layouts are counted on the smaller of the two, so either prints whole."""
    ws.page_setup.paperSize = paper_size(paper)
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.5, bottom=0.5, header=0.3, footer=0.3)


def print_setup(ws, layout: SheetLayout, paper: str | None = None) -> None:
    """What the layout counted on: row and column sizes, frozen header, repeated title rows,
    print area and the page breaks that keep every chart and table whole."""
    ws.sheet_format.defaultRowHeight = ROW_PT
    ws.sheet_format.customHeight = True
    for col, width in layout.widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    for row, height in layout.heights.items():
        ws.row_dimensions[row].height = height
    if layout.freeze:
        ws.freeze_panes = layout.freeze
    if layout.title_rows:
        ws.print_title_rows = f"{layout.title_rows[0]}:{layout.title_rows[1]}"
    ws.print_area = layout.print_area
    for row in layout.breaks:
        ws.row_breaks.append(Break(id=row))
    fit_page(ws, paper)
    ws.oddFooter.center.text = "&A — &P / &N"
    ws.oddFooter.center.size = 9


def _texts(ws, layout: SheetLayout) -> None:
    for row, col, text in layout.texts:
        cell = put(ws, row, col, text)
        if row == 1:
            cell.font = _TITLE
        elif (row, col) in layout.notes or row == 2:
            cell.font = _NOTE
            # notes wrap across the printed width (their row heights were counted)
            if layout.last_col > col:
                ws.merge_cells(
                    start_row=row, start_column=col, end_row=row, end_column=layout.last_col
                )
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def render(wb, sheets: Iterable[SheetLayout], *, paper: str | None = None) -> None:
    """Write each layout into ``wb``, replacing a sheet of the same name in place (same position)
    and leaving every other sheet untouched. Chart data goes on the (hidden) helper sheet;
    visible sheets print on ``paper`` (``a4``, the default, or ``letter``)."""
    paper_size(paper)  # a bad name fails before anything is written
    sheets = list(sheets)
    made = {}
    for layout in sheets:
        index = None
        if layout.name in wb.sheetnames:
            index = wb.sheetnames.index(layout.name)
            wb.remove(wb[layout.name])
        made[layout.name] = wb.create_sheet(layout.name, index)
    for layout in sheets:
        ws = made[layout.name]
        _texts(ws, layout)
        for table in layout.tables:
            write_table(ws, table, styled=not layout.hidden)
        for spec in layout.charts:
            data_ws = made.get(spec.data_sheet) or (wb[spec.data_sheet] if spec.data_sheet else ws)
            if not spec.data_sheet:
                write_table(ws, spec.data, styled=False)
            add_chart(ws, spec, data_ws)
        if layout.hidden:
            ws.sheet_state = "hidden"  # helper data: never printed, out of sight
            for col, width in layout.widths.items():
                ws.column_dimensions[get_column_letter(col)].width = width
        else:
            print_setup(ws, layout, paper)


def sheet_grid(ws) -> list[list]:
    """An openpyxl sheet's values from A1 to its last used cell, as a 2-D list."""
    return [
        list(r)
        for r in ws.iter_rows(
            min_row=1, min_col=1, max_row=ws.max_row, max_col=ws.max_column, values_only=True
        )
    ]


class FileBook:
    """An openpyxl Workbook as the :class:`metaltrade_xl.report.book.Book` the flow runs on (in
    memory; ``run --workbook`` edits the package instead: :mod:`metaltrade_xl.files.runbook`)."""

    def __init__(self, wb, paper: str | None = None):
        self.wb, self.paper = wb, paper

    def sheet_names(self) -> list[str]:
        return list(self.wb.sheetnames)

    def grid(self, name: str) -> list[list]:
        return sheet_grid(self.wb[name])

    def delete_sheet(self, name: str) -> None:
        self.wb.remove(self.wb[name])

    def write_sheets(self, layouts) -> None:
        render(self.wb, layouts, paper=self.paper)


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


def new_workbook(sheets: Iterable[SheetLayout], *, paper: str | None = None):
    """A new openpyxl Workbook holding just ``sheets`` (printed on ``paper``: a4 or letter)."""
    wb = Workbook()
    default = wb.active
    render(wb, sheets, paper=paper)
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
