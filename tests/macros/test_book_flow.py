"""One flow for "run this workbook's scenarios", behind a small book interface."""

import pytest

from metaltrade_xl.excel.macros import LiveBook
from metaltrade_xl.files.runbook import PackageBook, run_workbook
from metaltrade_xl.files.template import build
from metaltrade_xl.files.writer import FileBook, open_workbook, sheet_grid
from metaltrade_xl.report.book import run_book
from metaltrade_xl.report.layout import SHEETS


class DictBook:
    """A book held in memory: sheet name -> grid; what the flow writes is kept as layouts."""

    def __init__(self, grids):
        self.grids = dict(grids)
        self.written = {}

    def sheet_names(self):
        return list(self.grids)

    def grid(self, name):
        return self.grids[name]

    def delete_sheet(self, name):
        del self.grids[name]
        self.written.pop(name, None)

    def write_sheets(self, layouts):
        for layout in layouts:
            self.written[layout.name] = layout
            rows = max([row for row, _, _ in layout.texts], default=1)
            grid = [[None] * 12 for _ in range(max(40, rows))]
            for row, col, text in layout.texts:
                grid[row - 1][col - 1] = text
            self.grids[layout.name] = grid


@pytest.fixture(scope="module")
def analyst(tmp_path_factory):
    return build(tmp_path_factory.mktemp("wb") / "metaltrade.xlsm")


def test_the_file_and_the_live_book_adapters_are_books():
    for adapter in (FileBook, PackageBook, LiveBook):
        for method in ("sheet_names", "grid", "delete_sheet", "write_sheets"):
            assert callable(getattr(adapter, method)), (adapter, method)


def test_an_in_memory_book_gets_the_sheets_the_file_gets(analyst, tmp_path):
    wb = open_workbook(analyst)
    grids = {ws.title: sheet_grid(ws) for ws in wb.worksheets}
    memory = DictBook(grids)
    results = run_book(memory)
    out = tmp_path / "out.xlsm"
    run_workbook(analyst, out)
    written = open_workbook(out).sheetnames
    assert SHEETS["summary"] in memory.written
    assert set(memory.written) <= set(written)
    # Summary, one sheet per scenario and the hidden chart data
    assert len(memory.written) == 2 + len(results)
    assert set(grids) - set(memory.written) <= set(written)  # the user's sheets are kept


def test_a_book_without_its_input_sheets_is_refused_before_anything_is_written():
    memory = DictBook({"Notes": [["x"]]})
    with pytest.raises(ValueError, match="^book.xlsx has no sheet named Data, Scenarios$"):
        run_book(memory, "book.xlsx")
    assert memory.written == {} and list(memory.grids) == ["Notes"]
