"""The analyst workbook, `metaltrade run --workbook` and `metaltrade share`, on real files."""

import hashlib
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference

from metaltrade_xl import __version__
from metaltrade_xl.data import load_figures
from metaltrade_xl.files.template import (
    FUNCTION_EXAMPLES,
    MACRO_MODULE,
    MACROS,
    QUICKSTART,
    build,
)
from metaltrade_xl.files.vba import replace_module
from metaltrade_xl.files.writer import sheet_grid
from metaltrade_xl.scenarios import default_scenario_files, load_scenario
from metaltrade_xl.scenarios.cells import scenarios_from_grid
from tests.files.excel_cache import with_cached_values
from tests.files.libreoffice import pdf_text, to_pdf
from tests.files.test_run_workbook import assert_kept, members

ROOT = Path(__file__).resolve().parents[2]
N = len(default_scenario_files())


def digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def vba(path):
    with zipfile.ZipFile(path) as z:
        return z.read("xl/vbaProject.bin") if "xl/vbaProject.bin" in z.namelist() else None


@pytest.fixture(scope="module")
def analyst(tmp_path_factory):
    return build(tmp_path_factory.mktemp("analyst") / "metaltrade.xlsm")


def test_analyst_workbook_sheets_config_and_vba(analyst):
    wb = openpyxl.load_workbook(analyst, keep_vba=True)
    assert wb.sheetnames == ["README", "Data", "Scenarios", "Functions", "xlwings.conf"]
    conf = {r[0]: r[1] for r in wb["xlwings.conf"].iter_rows(values_only=True) if r[0]}
    assert conf["UDF Modules"] == "metaltrade_xl.udfs"  # the key the VBA looks up
    # xlwings' VBA, with our macros in place of the quickstart's (tests/files/test_vba_project.py)
    assert vba(analyst) == replace_module(vba(QUICKSTART), MACRO_MODULE, MACROS)
    assert wb["README"].sheet_properties.codeName == "Sheet1"  # VBA document module kept
    table = wb["Data"].tables["Figures"]
    assert table.ref == "A1:N36"
    readme = " ".join(str(r[0]) for r in wb["README"].iter_rows(values_only=True) if r[0])
    assert "ESPAÑOL" in readme and "ENGLISH" in readme and "SampleCall" in readme


def test_scenarios_sheet_round_trips_to_the_bundled_files(analyst):
    wb = openpyxl.load_workbook(analyst)
    from_sheet = scenarios_from_grid(sheet_grid(wb["Scenarios"]))
    from_files = [load_scenario(f) for f in default_scenario_files()]
    assert from_sheet == from_files


def test_functions_sheet_has_live_formulas_and_hand_values(analyst):
    ws = openpyxl.load_workbook(analyst)["Functions"]
    for i, (_, formula, expected, _) in enumerate(FUNCTION_EXAMPLES, start=2):
        assert ws.cell(row=i, column=2).value == formula
        assert ws.cell(row=i, column=3).value == pytest.approx(expected)
    assert ws.cell(row=2, column=3).value == 18821


def test_committed_workbook_is_what_the_command_writes(cli, tmp_path):
    code, _, err = cli("workbook", "new", "fresh.xlsm")
    assert code == 0, err
    committed = zipfile.ZipFile(ROOT / "workbooks" / "metaltrade.xlsm")
    fresh = zipfile.ZipFile(tmp_path / "fresh.xlsm")
    assert sorted(committed.namelist()) == sorted(fresh.namelist())
    for name in fresh.namelist():
        # openpyxl stamps the save time into dcterms:modified; everything else must match
        a, b = (
            re.sub(rb"<dcterms:modified[^<]*</dcterms:modified>", b"", z.read(name))
            for z in (committed, fresh)
        )
        assert a == b, (
            f"{name} differs: run `metaltrade workbook new workbooks/metaltrade.xlsm --force`"
        )


def add_foreign_content(src, dst):
    """A user's own sheet with a formula and a chart, and a note on README."""
    wb = openpyxl.load_workbook(src, keep_vba=True)
    ws = wb.create_sheet("My analysis")
    for i in range(1, 6):
        ws.append([2020 + i, i * 10])
    ws["C1"] = "=SUM(B1:B5)"
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=5))
    ws.add_chart(chart, "E2")
    wb["README"]["C30"] = "my note"
    wb.save(dst)
    return dst


def test_run_workbook_round_trip_keeps_what_is_not_ours(analyst, cli, tmp_path):
    src = add_foreign_content(analyst, tmp_path / "mine.xlsm")
    before = digest(src)
    code, out, err = cli("run", "--workbook", src, "--out", "out.xlsm")
    assert code == 0, err
    assert digest(src) == before  # the input is never modified
    wb = openpyxl.load_workbook(tmp_path / "out.xlsm", keep_vba=True)
    assert wb.sheetnames[:6] == [
        "README",
        "Data",
        "Scenarios",
        "Functions",
        "xlwings.conf",
        "My analysis",
    ]
    assert wb.sheetnames[6] == "Summary" and len(wb.sheetnames) == 9 + N
    assert wb.sheetnames[-1] == "Chart data" and wb["Chart data"].sheet_state == "hidden"
    assert wb.sheetnames[-2] == "Provenance"  # the Data sheet of mine.xlsm, hashed
    prov = [v for row in wb["Provenance"].iter_rows(values_only=True) for v in row]
    assert digest(src) in prov and "Data sheet of the workbook" in prov and "mine.xlsm" in prov
    assert wb["My analysis"]["C1"].value == "=SUM(B1:B5)"
    assert len(wb["My analysis"]._charts) == 1
    assert wb["README"]["C30"].value == "my note"
    assert wb["Functions"]["B2"].value == "=MT_DEFICIT(727, 19548)"
    assert vba(tmp_path / "out.xlsm") == vba(src)
    assert_kept(members(src), members(tmp_path / "out.xlsm"))  # every part of mine.xlsm
    assert (
        "sheet.macroEnabled.main+xml"
        in members(tmp_path / "out.xlsm")["[Content_Types].xml"].decode()
    )
    assert wb["README"].sheet_properties.codeName == "Sheet1"  # VBA document module kept

    # running again on the output rewrites our sheets and piles nothing up
    code, _, err = cli("run", "--workbook", "out.xlsm", "--out", "again.xlsm")
    assert code == 0, err
    again = openpyxl.load_workbook(tmp_path / "again.xlsm")
    assert again.sheetnames == wb.sheetnames
    assert [len(again[n]._charts) for n in again.sheetnames] == [
        len(wb[n]._charts) for n in wb.sheetnames
    ]


def test_run_workbook_refuses_to_overwrite_or_lose_vba(analyst, cli, tmp_path):
    code, _, err = cli("run", "--workbook", analyst, "--out", analyst, "--force")
    assert code == 2 and "must be a new file" in err
    code, _, err = cli("run", "--workbook", analyst, "--out", "x.xlsx")
    assert code == 2 and "keep the VBA" in err


def test_run_workbook_bad_parameter_names_column_and_key(analyst, cli, tmp_path):
    wb = openpyxl.load_workbook(analyst, keep_vba=True)
    ws = wb["Scenarios"]
    row = next(r for r in ws.iter_rows() if r[0].value == "substitution.share")
    row[5].value = -0.2
    wb.save(tmp_path / "bad.xlsm")
    code, _, err = cli("run", "--workbook", "bad.xlsm", "--out", "o.xlsm")
    assert code == 2
    assert err.strip() == (
        "metaltrade: error: Scenarios!F: substitution.share: expected a number >= 0, got -0.2"
    )


def cached_functions(path, out):
    """The Functions sheet as Excel would save it after calculating: values beside formulas."""
    values = {f"B{i}": expected for i, (_, _, expected, _) in enumerate(FUNCTION_EXAMPLES, start=2)}
    start = len(FUNCTION_EXAMPLES) + 4
    values.update({f"B{start}": "year", f"C{start}": "value"})
    for k in range(11):
        values[f"B{start + 1 + k}"] = 2024 + k
        values[f"C{start + 1 + k}"] = 750 * 1.057**k
    return with_cached_values(path, out, {"Functions": values})


def test_share_freezes_mt_formulas_and_keeps_the_rest(analyst, cli, tmp_path):
    src = add_foreign_content(analyst, tmp_path / "mine.xlsm")
    code, _, err = cli("run", "--workbook", src, "--out", "proj.xlsm")
    assert code == 0, err
    saved = cached_functions(tmp_path / "proj.xlsm", tmp_path / "saved.xlsm")
    before = digest(saved)
    code, out, err = cli("share", "saved.xlsm", "shared.xlsx")
    assert code == 0, err
    assert digest(saved) == before
    assert f"froze {len(FUNCTION_EXAMPLES) + 24} MT_ formula cell(s)" in out

    wb = openpyxl.load_workbook(tmp_path / "shared.xlsx")
    assert "xlwings.conf" not in wb.sheetnames and "Provenance" in wb.sheetnames
    assert vba(tmp_path / "shared.xlsx") is None
    assert wb["Functions"]["B2"].value == 18821
    assert wb["Functions"]["B9"].value == pytest.approx((4000 * 1.03**10 / 750) ** 0.1 - 1)
    formulas = [
        c.value
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    ]
    assert "=SUM(B1:B5)" in formulas
    assert not any("MT_" in f for f in formulas)
    assert len(wb["My analysis"]._charts) == 1 and len(wb["Summary"]._charts) == 2

    prov = {r[0]: r[1] for r in wb["Provenance"].iter_rows(values_only=True) if r and r[0]}
    assert prov["made by"] == f"metaltrade_xl {__version__}"
    assert prov["from"] == "saved.xlsm"
    # the floors one per row, the label on the first (a list in one cell ran off the page)
    rows = [r[:2] for r in wb["Provenance"].iter_rows(values_only=True)]
    at = next(
        i for i, r in enumerate(rows) if r[0] == "figures given as lower bounds ('more than')"
    )
    floors = [rows[at][1]]
    for label, value in rows[at + 1 :]:
        if label or not value:
            break
        floors.append(value)
    assert floors == list(load_figures().query("lower_bound").id)  # the four floors
    text = " ".join(str(v) for r in wb["Provenance"].iter_rows(values_only=True) for v in r if v)
    assert "SNI-IEES" in text and "Close the gap with Chile by 2034" in text

    pdf = to_pdf(tmp_path / "shared.xlsx", tmp_path)
    rendered = pdf_text(pdf)
    assert "#NAME?" not in rendered and "18,821" in rendered


def test_share_lists_cells_without_a_stored_value(analyst, cli, tmp_path):
    code, _, err = cli("share", analyst, "shared.xlsx", "--use-stored")
    assert code == 2
    assert "Functions!B2 (no stored value)" in err and "let it calculate" in err
    assert not (tmp_path / "shared.xlsx").exists()
    with_cached_values(analyst, tmp_path / "err.xlsm", {"Functions": {"B2": "#NAME?"}})
    code, _, err = cli("share", "err.xlsm", "shared.xlsx", "--use-stored")
    assert "Functions!B2 (stored #NAME?)" in err


def test_libreoffice_opens_template_and_projection_workbook(analyst, cli, tmp_path):
    code, _, err = cli("run", "--workbook", analyst, "--out", "proj.xlsm")
    assert code == 0, err
    text = pdf_text(to_pdf(analyst, tmp_path))
    assert "SampleCall" in text and "peru_imports_2024" in text
    text = pdf_text(to_pdf(tmp_path / "proj.xlsm", tmp_path))
    assert "Deficit by scenario" in text and "Exports vs Chile" in text
