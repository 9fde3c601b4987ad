"""Report layouts -> .xlsx files with native charts, saved atomically: :func:`new_workbook` writes
the XML directly (:mod:`.fastrender`); :func:`render` writes the same layouts into an openpyxl
Workbook (a workbook in memory, and the reference the direct writer is tested against)."""

from __future__ import annotations

from collections.abc import Iterable
from copy import copy
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import AreaChart, BarChart, LineChart, Reference
from openpyxl.chart.axis import ChartLines
from openpyxl.chart.legend import LegendEntry
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor
from openpyxl.styles import Border
from openpyxl.utils import absolute_coordinate, get_column_letter, quote_sheetname
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break

from metaltrade_xl.files import looks
from metaltrade_xl.files.looks import PAPER_SIZES, cell_value, paper_size
from metaltrade_xl.files.output import new_workbook as new_workbook
from metaltrade_xl.files.output import save_atomic as save_atomic
from metaltrade_xl.files.output import write_text_atomic as write_text_atomic

__all__ = ["PAPER_SIZES", "cell_value", "paper_size"]  # also this module's: files use them here
from metaltrade_xl.report.layout import (
    FORMULA_PREFIXES,
    ROW_PT,
    SheetLayout,
    Table,
    anchor,
)


def put(ws, row: int, col: int, value, number_format: str | None = None):
    """Write one cell; text that looks like a formula is kept as text, never evaluated."""
    v = cell_value(value)
    looks.check_cell(ws.title, row, col)
    cell = ws.cell(row=row, column=col)
    cell.value = v
    if isinstance(v, str) and v.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"
    if number_format and looks.is_number(v):
        cell.number_format = number_format
    return cell


def _numeric(table: Table, name) -> bool:
    """A column of numbers (a few words among them, "not by 2034", still align right), unless
    the table has it read as a form (``Table.left``)."""
    return name not in table.left and looks.numeric(table.frame[name])


def write_table(ws, table: Table, *, styled: bool = True) -> None:
    """Title, header (words, wrapped, aligned with the numbers below) and rows of ``table``;
    a sheet-scoped defined name over header and rows when the table has a ``name``."""
    if table.title:
        put(ws, table.row, table.col, table.title).font = looks.BOLD
    columns = list(table.frame.columns)
    numeric = [_numeric(table, name) for name in columns]
    step = looks.stepped(numeric, [name in table.left for name in columns])
    for j, name in enumerate(columns):
        col = table.column(name)
        cell = put(ws, table.header_row, col, table.header(name))
        cell.font = looks.HEADER if styled else looks.BOLD
        if styled:
            cell.fill = looks.HEADER_FILL
            cell.border = Border(bottom=looks.THIN)
        cell.alignment = looks.header_alignment(table.wrap, numeric[j], step[j])
        _merge(ws, table.header_row, col, table.span(name))
    data_rows = set(table.data_rows)
    align = {
        name: looks.data_alignment(styled, n, f)
        for name, n, f in zip(columns, numeric, step, strict=True)
    }
    where = {name: (table.column(name), table.span(name)) for name in columns}
    # Cells of the same look share one style: openpyxl hashes every style object it is given
    # (a third of the time of writing a workbook), so each look is built once and its style
    # indices copied, as openpyxl's own copy_worksheet does.
    seen: dict[tuple, object] = {}
    for i, row in enumerate(table.frame.itertuples(index=False)):
        r = table.first_row + i
        data = i in data_rows
        for name, value in zip(columns, row, strict=True):
            col, span = where[name]
            cell = put(ws, r, col, value)
            fmt = table.format_of(name, i) if looks.is_number(cell.value) else None
            key = (name, data, fmt)
            look = seen.get(key)
            if look is None:
                cell.alignment = align[name]
                if data:
                    cell.font, cell.fill = looks.DATA, looks.DATA_FILL
                if fmt:
                    cell.number_format = fmt
                seen[key] = copy(cell._style)
            else:
                cell._style = copy(look)
            _merge(ws, r, col, span)
    if table.name and len(table.frame):
        ref = f"{quote_sheetname(ws.title)}!{absolute_coordinate(f'{anchor(table.col, table.header_row)}:{anchor(table.last_col, table.last_row)}')}"
        name = looks.clean(table.name)
        ws.defined_names[name] = DefinedName(name, attr_text=ref)


def _merge(ws, row: int, col: int, span: int) -> None:
    if span > 1:
        looks.check_cell(ws.title, row, col + span - 1)
        ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + span - 1)


def _axes(chart, spec) -> None:
    chart.title = looks.clean(spec.title)  # openpyxl writes chart text as it is given
    chart.y_axis.title = looks.clean(spec.y_title)
    chart.x_axis.title = looks.clean(spec.x_title)
    chart.width, chart.height = spec.width_cm, spec.height_cm
    # openpyxl 3.1 marks axes as deleted by default; Excel then draws no axis labels
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.number_format = looks.clean(spec.y_format)
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


def fit_page(ws, paper: str | None = None) -> None:
    """Print (and PDF export) landscape on ``paper`` (A4 or Letter), one page wide, 0.5 in
    margins, the sheet's name and page number at the foot of every page. The layouts are
    counted on the smaller of the two papers, so either prints whole."""
    ws.page_setup.paperSize = paper_size(paper)
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.page_margins = PageMargins(**looks.MARGINS)
    ws.oddFooter.center.text = looks.FOOTER
    ws.oddFooter.center.size = looks.FOOTER_SIZE


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


def _texts(ws, layout: SheetLayout) -> None:
    for row, col, text in layout.texts:
        cell = put(ws, row, col, text)
        if row == 1:
            cell.font = looks.TITLE
        elif (row, col) in layout.notes or row == 2:
            cell.font = looks.NOTE
            # notes wrap across the printed width (their row heights were counted)
            if layout.last_col > col:
                ws.merge_cells(
                    start_row=row, start_column=col, end_row=row, end_column=layout.last_col
                )
            cell.alignment = looks.note_alignment()


def render(wb, sheets: Iterable[SheetLayout], *, paper: str | None = None) -> None:
    """Write each layout into ``wb``, replacing a sheet of the same name in place (same position)
    and leaving every other sheet untouched. Chart data goes on the (hidden) helper sheet;
    visible sheets print on ``paper`` (``a4``, the default, or ``letter``)."""
    paper_size(paper)  # a bad name fails before anything is written
    sheets = list(sheets)
    made = {}
    for layout in sheets:
        index, name = None, looks.sheet_name(layout.name)
        if name in wb.sheetnames:
            index = wb.sheetnames.index(name)
            wb.remove(wb[name])
        made[layout.name] = wb.create_sheet(name, index)
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


def openpyxl_workbook(sheets: Iterable[SheetLayout], *, paper: str | None = None):
    """:func:`new_workbook` as an openpyxl Workbook (the layouts written by :func:`render`)."""
    wb = Workbook()
    default = wb.active
    render(wb, sheets, paper=paper)
    wb.remove(default)
    return wb
