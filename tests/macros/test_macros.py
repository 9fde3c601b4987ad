"""The scenario macro on xlwings' remote Book: the object model of xlwings' Office.js runtime.

A macro writes to ``xw.Book(json=payload)`` exactly as to a desktop workbook; ``book.json()``
then lists the actions Excel would apply. The payload is built from the analyst workbook.
"""

from collections import Counter

import pytest
import xlwings as xw

from metaltrade_xl import macros
from metaltrade_xl.files.runbook import run_workbook
from metaltrade_xl.files.template import build
from metaltrade_xl.files.writer import open_workbook, sheet_grid
from metaltrade_xl.report.content import SUMMARY_TITLE
from metaltrade_xl.scenarios import default_scenario_files, load_scenario

N = len(default_scenario_files())
UNCERTAIN = sum(load_scenario(f).uncertainty is not None for f in default_scenario_files())
SUBSTITUTING = sum(load_scenario(f).substitution is not None for f in default_scenario_files())
#: Summary's two charts, two per scenario (exports, deficit) and the before/after imports where
#: something is substituted (else its two lines would be identical), and two fans and a tornado
#: per uncertain scenario
CHARTS = 2 + 2 * N + SUBSTITUTING + 3 * UNCERTAIN


@pytest.fixture(scope="module")
def analyst(tmp_path_factory):
    return build(tmp_path_factory.mktemp("wb") / "metaltrade.xlsm")


def sheet_payload(ws, charts=()):
    values = [["" if v is None else v for v in row] for row in sheet_grid(ws)]
    return {
        "name": ws.title,
        "values": values,
        "pictures": [],
        "tables": [],
        "charts": [
            {"name": c, "chart_type": "Line", "left": 0, "top": 0, "width": 300, "height": 200}
            for c in charts
        ],
    }


def book(sheets):
    return xw.Book(
        json={
            "client": "Office.js",
            "version": xw.__version__,
            "book": {"name": "metaltrade.xlsm", "active_sheet_index": 0, "selection": "A1"},
            "names": [],
            "sheets": sheets,
        }
    )


def payload_of(path, charts=None):
    wb = open_workbook(path)
    charts = charts or {}
    return [sheet_payload(ws, charts.get(ws.title, ())) for ws in wb.worksheets]


def actions(b, func):
    return [a for a in b.json()["actions"] if a["func"] == func]


def test_first_run_adds_summary_and_one_sheet_per_scenario(analyst):
    b = book(payload_of(analyst))
    results = macros.run_scenarios(b)
    assert len(results) == N
    added = [a["args"][1] for a in actions(b, "addSheet")]
    assert added[0] == "Summary" and added[-1] == "Chart data" and len(added) == N + 2
    assert len(actions(b, "addChart")) == CHARTS
    assert len(actions(b, "sheetDelete")) == 0
    # the solved rate of "Close the gap with Chile by 2034" is written as a number
    # from 2025 (727 x 12/11) to Chile's 4 000 x 1.03^10 in 2034: nine years
    expected = (4000 * 1.03**10 / (727 * 12 / 11)) ** (1 / 9) - 1
    written = [v for a in actions(b, "setValues") for row in a["values"] for v in row]
    assert any(isinstance(v, float) and abs(v - expected) < 1e-12 for v in written)
    assert SUMMARY_TITLE in written
    # a chart is drawn from a contiguous block whose first column holds the years
    first = actions(b, "addChart")[2]
    assert first["args"][1] == "Line" and first["args"][3].count(":") == 1


def test_same_inputs_same_actions(analyst):
    b1, b2 = book(payload_of(analyst)), book(payload_of(analyst))
    macros.run_scenarios(b1)
    macros.run_scenarios(b2)
    assert b1.json()["actions"] == b2.json()["actions"]


def test_rerun_replaces_only_what_it_wrote(analyst, tmp_path):
    # the state after a first run: our sheets exist, with their charts
    done = run_workbook(analyst, tmp_path / "after.xlsm")
    assert len(done) == N
    wb = open_workbook(tmp_path / "after.xlsm")
    ours = wb.sheetnames[5:]
    charts = {name: [f"chart{i + 1}" for i in range(len(wb[name]._charts))] for name in ours}
    b = book(payload_of(tmp_path / "after.xlsm", charts))
    macros.run_scenarios(b)
    assert actions(b, "addSheet") == []  # nothing piles up
    cleared = {a["sheet_position"] for a in actions(b, "sheetClear")}
    # Summary, the scenario sheets and the hidden chart data, nothing else
    assert cleared == set(range(5, 5 + N + 2))
    assert len(actions(b, "deleteChart")) == len(actions(b, "addChart")) == CHARTS
    touched = {a["sheet_position"] for a in b.json()["actions"] if a["sheet_position"] is not None}
    assert touched == cleared


def test_removed_scenario_sheet_is_deleted_and_user_sheets_kept(analyst, tmp_path):
    run_workbook(analyst, tmp_path / "after.xlsm")
    sheets = payload_of(tmp_path / "after.xlsm")
    scen = next(s for s in sheets if s["name"] == "Scenarios")
    for row in scen["values"]:
        del row[-1]  # drop the last scenario column
    sheets.append(
        {"name": "My notes", "values": [["keep me"]], "pictures": [], "tables": [], "charts": []}
    )
    b = book(sheets)
    macros.run_scenarios(b)
    # the dropped scenario's sheet, and the file run's Provenance (a live run writes none)
    assert len(actions(b, "sheetDelete")) == 2
    assert "My notes" in [s.name for s in b.sheets]


def test_invalid_parameter_names_column_and_key(analyst):
    sheets = payload_of(analyst)
    scen = next(s for s in sheets if s["name"] == "Scenarios")
    row = next(r for r in scen["values"] if r[0] == "horizon")
    row[3] = 2020
    b = book(sheets)
    with pytest.raises(ValueError, match=r"^Scenarios!D: horizon: expected a year after"):
        macros.run_scenarios(b)
    assert b.json()["actions"] == []  # nothing written
    macros.report_error(b, ValueError("Scenarios!D: horizon: bad"))
    (alert,) = actions(b, "alert")
    assert alert["args"][0] == "Scenarios!D: horizon: bad"


def test_formula_like_text_is_written_as_text(analyst):
    sheets = payload_of(analyst)
    scen = next(s for s in sheets if s["name"] == "Scenarios")
    next(r for r in scen["values"] if r[0] == "name")[1] = "=1+1 scenario"
    b = book(sheets)
    macros.run_scenarios(b)
    written = [v for a in actions(b, "setValues") for row in a["values"] for v in row]
    assert "'=1+1 scenario" in written and "=1+1 scenario" not in written


def test_summary_of_somebody_else_is_not_overwritten(analyst):
    sheets = payload_of(analyst) + [
        {
            "name": "Summary",
            "values": [["my own summary"]],
            "pictures": [],
            "tables": [],
            "charts": [],
        }
    ]
    with pytest.raises(ValueError, match="sheet named Summary that metaltrade did not write"):
        macros.run_scenarios(book(sheets))


def test_counts_by_action_kind_are_stable(analyst):
    b = book(payload_of(analyst))
    macros.run_scenarios(b)
    kinds = Counter(a["func"] for a in b.json()["actions"])
    assert kinds["addSheet"] == N + 2 and kinds["setChartTitle"] == kinds["addChart"]
    assert kinds["setSheetVisibility"] == 1  # the chart data sheet is hidden


def test_workbook_macro_entry_point_is_installed():
    """The xlwings add-in ribbon's "Run main" runs `import metaltrade; metaltrade.main()` for a
    workbook named metaltrade.xlsm (the workbook's own macros name metaltrade_xl.macros)."""
    import metaltrade

    assert metaltrade.main is macros.main


class SavedBook:
    """What share_copy needs of a desktop Book: its name and where it is saved."""

    def __init__(self, path):
        self.fullname, self.name = str(path), path.name


def test_share_copy_writes_beside_the_saved_workbook(analyst, tmp_path):
    from tests.files.test_workbooks import cached_functions

    saved = cached_functions(analyst, tmp_path / "metaltrade.xlsm")
    before = saved.read_bytes()
    first = macros.share_copy(SavedBook(saved))
    second = macros.share_copy(SavedBook(saved))
    assert first.out.name == "metaltrade (shared).xlsx"
    assert second.out.name == "metaltrade (shared 2).xlsx"
    assert saved.read_bytes() == before
    assert openpyxl_value(first.out, "Functions", "B2") == 18821
    assert first.recomputed and first.stored == first.frozen and not first.differing
    with pytest.raises(ValueError, match="has not been saved"):
        macros.share_copy(SavedBook(tmp_path / "never saved.xlsm"))


def test_share_copy_computes_what_excel_never_calculated(analyst, tmp_path):
    """The analyst workbook as `build` writes it has no stored values: the macro computes them,
    as `metaltrade share` does; keeping Excel's values is the option, and then it refuses."""
    saved = tmp_path / "fresh.xlsm"
    saved.write_bytes(analyst.read_bytes())
    done = macros.share_copy(SavedBook(saved))
    assert openpyxl_value(done.out, "Functions", "B3") == -18821  # 727 - 19548
    assert openpyxl_value(done.out, "Functions", "C24") == pytest.approx(750 * 1.057**10)
    assert "the workbook held no stored values to compare with" in macros.share_message(done)
    with pytest.raises(ValueError, match=r"Functions!B2 \(no stored value\)"):
        macros.share_copy(SavedBook(saved), tmp_path / "kept.xlsx", use_stored=True)


def test_share_copy_reports_stored_values_that_differ(analyst, tmp_path, monkeypatch):
    from tests.files.excel_cache import with_cached_values
    from tests.files.test_workbooks import cached_functions

    saved = cached_functions(analyst, tmp_path / "cached.xlsm")
    stale = with_cached_values(saved, tmp_path / "stale.xlsm", {"Functions": {"B2": 18000}})
    alerts = []

    class App:
        def alert(self, text, title=None):
            alerts.append((title, text))

    book = SavedBook(stale)
    book.app = App()
    monkeypatch.setattr(xw.Book, "caller", staticmethod(lambda: book))
    macros.share_copy_caller()
    title, text = alerts[-1]
    assert title == "metaltrade: shared copy" and "stale (shared).xlsx" in text
    assert "1 of 33 cell(s) with a stored value differ" in text
    assert "Functions!B2: stored 18000, computed 18821" in text
    assert openpyxl_value(tmp_path / "stale (shared).xlsx", "Functions", "B2") == 18821
    macros.share_copy_caller(use_stored=True)  # Excel's values, as stored
    assert "Excel's stored values" in alerts[-1][1]
    assert openpyxl_value(tmp_path / "stale (shared 2).xlsx", "Functions", "B2") == 18000


def test_share_copy_on_a_remote_book_says_why_in_one_line(analyst):
    """xlwings Lite and Server books (Office.js) have no file path to copy."""
    b = book(payload_of(analyst))
    with pytest.raises(ValueError) as err:
        macros.share_copy(b)
    message = str(err.value)
    assert "\n" not in message and "xlwings Lite and Server" in message
    assert "metaltrade share metaltrade.xlsm COPY.xlsx" in message


def openpyxl_value(path, sheet, cell):
    import openpyxl

    return openpyxl.load_workbook(path)[sheet][cell].value
