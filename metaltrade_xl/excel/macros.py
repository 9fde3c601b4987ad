"""Scenario macros on an xlwings Book: desktop Excel (RunPython) and xlwings' Office.js runtime.

The button reads the **Data** and **Scenarios** sheets, runs every scenario and writes Summary and
one sheet per scenario, the same layout :mod:`metaltrade_xl.files.writer` writes into files. Re-running
replaces the sheets a previous run listed in its Summary and nothing else.

Desktop::

    RunPython "import metaltrade_xl.macros as m; m.run_scenarios_caller()"

Office.js (xlwings Server / Lite): the ``run_scenarios_script`` script below.
"""

from __future__ import annotations

from pathlib import Path

import xlwings as xw

from metaltrade_xl.files.sharing import share
from metaltrade_xl.report import book as flow
from metaltrade_xl.report.layout import FORMULA_PREFIXES, SheetLayout, Table, plain_value

#: xlwings chart types for the layout's chart kinds.
CHART_TYPES = {"line": "line", "bar": "bar_clustered", "fan": "line"}
#: Points per centimetre, for chart sizes.
PT_PER_CM = 72 / 2.54


def sheet_grid(sheet) -> list[list]:
    """A sheet's values from A1 to the end of its used range, as a 2-D list."""
    last = sheet.used_range.last_cell
    return sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value


def _sheet(book, name: str):
    for sheet in book.sheets:
        if sheet.name == name:
            return sheet
    return None


class LiveBook:
    """A live xlwings Book as the :class:`metaltrade_xl.report.book.Book` the flow runs on."""

    def __init__(self, book):
        self.book = book

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.book.sheets]

    def grid(self, name: str) -> list[list]:
        return sheet_grid(_sheet(self.book, name))

    def delete_sheet(self, name: str) -> None:
        _sheet(self.book, name).delete()

    def write_sheets(self, layouts) -> None:
        write_layouts(self.book, layouts)


def read_inputs(book):
    """(figures, scenarios) from the book's Data and Scenarios sheets; ValueError if invalid."""
    return flow.read_inputs(LiveBook(book))


def run_scenarios(book) -> list:
    """Read Data and Scenarios, run every scenario, write Summary and one sheet per scenario.

    Returns the results. Invalid input raises ValueError (naming the sheet column and key)
    before anything is written. The flow is :func:`metaltrade_xl.report.book.run_book`, the same
    one ``metaltrade run --workbook`` runs on a file.
    """
    return flow.run_book(LiveBook(book))


def write_layouts(book, layouts: list[SheetLayout], *, stale=()) -> None:
    """Write layouts into a live book: a sheet of the same name is cleared (its charts deleted)
    and rewritten in place; the ``stale`` sheets are deleted."""
    for name in stale:
        sheet = _sheet(book, name)
        if sheet is not None:
            sheet.delete()
    sheets = []
    for layout in layouts:
        sheet = _sheet(book, layout.name)
        if sheet is None:
            sheet = book.sheets.add(name=layout.name, after=book.sheets[len(book.sheets) - 1])
        else:
            for chart in reversed(list(sheet.charts)):  # by index: last first
                chart.delete()
            sheet.clear()
        sheets.append(sheet)
    # the chart data first: the charts of the other sheets are drawn from it
    for sheet, layout in sorted(zip(sheets, layouts, strict=True), key=lambda x: not x[1].hidden):
        _write_sheet(sheet, layout, book)
        if layout.hidden:
            sheet.visible = False  # the chart data: out of sight


def cell(value):
    """A value as xlwings should write it (see :func:`layout.plain_value`); formula-like text
    is kept as text with Excel's leading apostrophe."""
    v = plain_value(value)
    return "'" + v if isinstance(v, str) and v.startswith(FORMULA_PREFIXES) else v


def _write_table(sheet, table: Table) -> None:
    if table.title:
        sheet.range((table.row, table.col)).value = cell(table.title)
    columns = list(table.frame.columns)
    width = table.last_col - table.col + 1

    def spread(values):
        row = [None] * width
        for name, value in zip(columns, values, strict=True):
            row[table.column(name) - table.col] = cell(value)
        return row

    rows = [spread([table.header(c) for c in columns])]
    rows += [spread(row) for row in table.frame.itertuples(index=False)]
    sheet.range(
        (table.header_row, table.col), (table.header_row + len(rows) - 1, table.last_col)
    ).value = rows
    for name in columns if len(table.frame) else ():
        col = table.column(name)
        formats = [table.format_of(name, i) for i in range(len(table.frame))]
        start = 0
        for i in range(1, len(formats) + 1):  # one action per run of equal formats
            if i == len(formats) or formats[i] != formats[start]:
                if formats[start] != "General":
                    sheet.range(
                        (table.first_row + start, col), (table.first_row + i - 1, col)
                    ).number_format = formats[start]
                start = i


def _write_sheet(sheet, layout: SheetLayout, book=None) -> None:
    for row, col, text in layout.texts:
        sheet.range((row, col)).value = cell(text)
    for table in layout.tables:
        _write_table(sheet, table)
    if layout.freeze and hasattr(sheet, "freeze_panes"):
        try:
            sheet.freeze_panes.freeze_at(layout.freeze)
        except Exception:  # not every runtime can freeze panes; the sheet is still right
            pass
    for spec in layout.charts:
        data = spec.data
        host = sheet
        if spec.data_sheet and book is not None:
            host = _sheet(book, spec.data_sheet) or sheet
        if host is sheet:
            _write_table(sheet, data)
        # a live workbook gets the fan as lines: every column but the band width (the last)
        width = len(data.frame.columns) - (1 if spec.kind == "fan" else 0)
        source = host.range((data.header_row, data.col), (data.last_row, data.col + width - 1))
        chart = sheet.charts.add(
            chart_type=CHART_TYPES[spec.kind],
            source=source,
            anchor=sheet.range(spec.anchor),
            width=spec.width_cm * PT_PER_CM,
            height=spec.height_cm * PT_PER_CM,
            name=f"{data.key}",
        )
        chart.title = spec.title


#: Why a book of xlwings Lite or Server cannot be shared from the macro, in one line.
REMOTE_SHARE = (
    "{name}: the shareable copy is made from the saved file, and xlwings Lite and Server "
    "(Excel on the web, Office.js) give Python no file path: save the workbook, then run "
    "`metaltrade share {name} COPY.xlsx` (or use the macro in desktop Excel)"
)


def _mt_functions() -> dict:
    """The MT_ functions by name, as the cells run them (what ``metaltrade share`` uses)."""
    from metaltrade_xl.excel import analysis, functions

    return {n: getattr(m, n) for m in (functions, analysis) for n in m.__all__}


def share_copy(book, out=None, *, use_stored: bool = False):
    """Write a shareable copy of ``book`` as last saved (see :mod:`metaltrade_xl.files.sharing`):
    the same path as ``metaltrade share``.

    Every MT_ cell is computed by this program from the saved file and compared with the values
    Excel stored (the report lists the differences); ``use_stored=True`` keeps Excel's values.
    The copy goes next to the workbook as ``<name> (shared).xlsx`` (numbered if taken); the
    workbook itself is only read. Desktop Excel only: a book of xlwings Lite or Server has no
    file path, which is one ValueError saying so. Returns the
    :class:`~metaltrade_xl.files.sharing.ShareReport`.
    """
    if "_xlremote" in type(getattr(book, "impl", None)).__module__:
        raise ValueError(REMOTE_SHARE.format(name=book.name))
    src = Path(book.fullname)
    if not src.is_absolute() or not src.is_file():
        raise ValueError(
            f"{book.name} has not been saved to a file: save it first (the copy is made from "
            "the saved file)"
        )
    if out is None:
        out, k = src.with_name(f"{src.stem} (shared).xlsx"), 2
        while out.exists():
            out, k = src.with_name(f"{src.stem} (shared {k}).xlsx"), k + 1
    return share(src, out, functions=_mt_functions(), use_stored=use_stored)


def share_copy_caller(use_stored: bool = False) -> None:
    """Desktop entry point: ``RunPython "import metaltrade_xl.macros as m; m.share_copy_caller()"``
    (``m.share_copy_caller(True)`` keeps the values Excel stored instead of computing them)."""
    book = xw.Book.caller()
    try:
        done = share_copy(book, use_stored=use_stored)
    except ValueError as exc:
        report_error(book, exc)
        return
    book.app.alert(share_message(done), title="metaltrade: shared copy")


def share_message(done) -> str:
    """What the macro tells the user: the file written, then ``metaltrade share``'s lines."""
    return "\n".join(
        [f"Wrote {done.out} (from the workbook as last saved).", *done.summary_lines()]
    )


def report_error(book, exc: Exception) -> None:
    """Tell the user what is wrong in one message box, instead of a traceback."""
    book.app.alert(str(exc), title="metaltrade: nothing was changed")


def run_scenarios_caller() -> None:
    """Desktop entry point for RunPython and the xlwings ribbon's "Run main"."""
    book = xw.Book.caller()
    try:
        run_scenarios(book)
    except ValueError as exc:
        report_error(book, exc)


def main() -> None:
    """The workbook's macro SampleCall calls this (``m.main()``), as does the xlwings add-in's
    ribbon button "Run main" through the module named after the workbook."""
    run_scenarios_caller()


@xw.script
def run_scenarios_script(book: xw.Book):
    """Office.js entry point (xlwings Server / Lite): the same workflow on the calling book.

    Bad input is raised as one line in an ``XlwingsError``, which both runtimes show to the user
    (xlwings Lite has no ``book.app.alert``; xlwings Server shows only that kind of error).
    """
    try:
        run_scenarios(book)
    except ValueError as exc:
        text = " ".join(str(exc).split())
        raise xw.XlwingsError(f"metaltrade: nothing was changed: {text}") from None
