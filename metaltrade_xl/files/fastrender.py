"""Report layouts into :class:`~metaltrade_xl.files.fastbook.Sheet` objects: the same steps, in
the same order, as :func:`metaltrade_xl.files.writer.render` takes on openpyxl worksheets (so the
two give the same cells and looks; a test holds them together)."""

from __future__ import annotations

from collections.abc import Iterable

from metaltrade_xl.files import fastbook as fb
from metaltrade_xl.files import looks
from metaltrade_xl.files.xmlparts import absolute_coordinate, quote_sheetname
from metaltrade_xl.report.layout import SheetLayout, Table, anchor


def write_table(sheet: fb.Sheet, table: Table, *, styled: bool = True) -> None:
    """:func:`metaltrade_xl.files.writer.write_table` on a :class:`fastbook.Sheet`."""
    if table.title:
        sheet.put(table.row, table.col, table.title)[fb.FONT] = fb.BOLD
    columns = list(table.frame.columns)
    # one conversion of the whole frame: a column or a row at a time costs more than the rest
    rows = table.frame.to_numpy(dtype=object).tolist() if len(columns) else []
    numeric = [
        name not in table.left and looks.numeric([row[j] for row in rows])
        for j, name in enumerate(columns)
    ]
    step = looks.stepped(numeric, [name in table.left for name in columns])
    where = []
    for j, name in enumerate(columns):
        col, span = table.column(name), table.span(name)
        where.append((name, col, span))
        cell = sheet.put(table.header_row, col, table.header(name))
        cell[fb.FONT] = fb.HEADER if styled else fb.BOLD
        if styled:
            cell[fb.FILL], cell[fb.BORDER] = fb.HEADER_FILL, fb.HEADER_BORDER
        cell[fb.ALIGNMENT] = fb.alignment("header", table.wrap, numeric[j], step[j])
        if span > 1:
            sheet.merge(table.header_row, col, col + span - 1)
    data_rows = set(table.data_rows)
    align = [fb.alignment("data", styled, n, left=f) for n, f in zip(numeric, step, strict=True)]
    seen: dict[tuple, tuple] = {}
    # a column's format, found once (per row where the layout gives one per row)
    per_row = {name for name in columns if isinstance(table.formats.get(name), tuple)}
    fixed: dict[str, str] = {}
    for i, row in enumerate(rows):
        r = table.first_row + i
        data = i in data_rows
        for j, value in enumerate(row):
            name, col, span = where[j]
            cell = sheet.put(r, col, value)
            fmt = None
            if looks.is_number(cell[fb.VALUE]):
                if name in per_row:
                    fmt = table.format_of(name, i)
                else:
                    fmt = fixed.get(name) or fixed.setdefault(name, table.format_of(name))
            key = (name, data, fmt)
            look = seen.get(key)
            if look is None:
                cell[fb.ALIGNMENT] = align[j]
                if data:
                    cell[fb.FONT], cell[fb.FILL] = fb.DATA, fb.DATA_FILL
                if fmt:
                    cell[fb.FORMAT] = None if fmt == "General" else fmt
                seen[key] = tuple(cell[1:])
            else:
                cell[1:] = look
            if span > 1:
                sheet.merge(r, col, col + span - 1)
    if table.name and len(table.frame):
        area = f"{anchor(table.col, table.header_row)}:{anchor(table.last_col, table.last_row)}"
        sheet.names[looks.clean(table.name)] = (
            f"{quote_sheetname(sheet.name)}!{absolute_coordinate(area)}"
        )


def _texts(sheet: fb.Sheet, layout: SheetLayout) -> None:
    for row, col, words in layout.texts:
        cell = sheet.put(row, col, words)
        if row == 1:
            cell[fb.FONT] = fb.TITLE
        elif (row, col) in layout.notes or row == 2:
            cell[fb.FONT] = fb.NOTE
            if layout.last_col > col:  # notes wrap across the printed width
                sheet.merge(row, col, layout.last_col)
            cell[fb.ALIGNMENT] = fb.alignment("note")


def render(layouts: Iterable[SheetLayout], *, paper: str | None = None) -> fb.FastBook:
    """The workbook of ``layouts`` (a sheet per name; chart data on the hidden helper sheet;
    visible sheets printed on ``paper``, ``a4`` by default, or ``letter``)."""
    code = looks.paper_size(paper)  # a bad name fails before anything is written
    layouts = list(layouts)
    made: dict[str, fb.Sheet] = {}
    for layout in layouts:
        made[layout.name] = fb.Sheet(layout.name)  # a name given twice: one sheet, in place
    for layout in layouts:
        sheet = made[layout.name]
        _texts(sheet, layout)
        for table in layout.tables:
            write_table(sheet, table, styled=not layout.hidden)
        for spec in layout.charts:
            if not spec.data_sheet:
                write_table(sheet, spec.data, styled=False)
            elif spec.data_sheet not in made:
                raise KeyError(f"Worksheet {spec.data_sheet} does not exist.")
            sheet.charts.append((spec, made[spec.data_sheet or layout.name].name))
        sheet.widths.update(layout.widths)
        if layout.hidden:
            sheet.hidden = True  # helper data: never printed, out of sight
        else:
            sheet.heights.update(layout.heights)
            sheet.printed = (layout, code)
    return fb.FastBook(list(made.values()))
