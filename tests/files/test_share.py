"""`metaltrade share` without Excel: MT_ formulas computed here, everything else kept byte for byte.

Expected numbers are worked out by hand from the inputs written in each test.
"""

import re
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.chart import LineChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula

from metaltrade_xl.cli import mt_functions
from metaltrade_xl.files import package as xp
from metaltrade_xl.files.sharing import share
from metaltrade_xl.files.template import FUNCTION_EXAMPLES
from metaltrade_xl.report.layout import header_lines
from tests.files.excel_cache import with_cached_values
from tests.files.libreoffice import pdf_page_sizes, pdf_text, to_pdf


def assert_table(block):
    """The table MT_PROJECT(750, 0.057, 10, 2024) spills: a header, then 750 x 1.057^k."""
    assert block[0] == ["year", "value"]
    assert [r[0] for r in block[1:]] == list(range(2024, 2035))
    assert [r[1] for r in block[1:]] == pytest.approx([750 * 1.057**k for k in range(11)])


def members(path):
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def formulas_in(path):
    """Every formula text of every sheet, read from the XML (what any program would see)."""
    return [f for data in members(path).values() for f in re.findall(rb"<f\b[^>]*>(.*?)</f>", data)]


def without_cells(xml: bytes, coords) -> bytes:
    """A sheet's XML with the given cells cut out (to compare what is around them)."""
    text = xml.decode()
    for coord in coords:
        text = re.sub(rf'<c r="{coord}"(?:[^>]*?/>|[^>]*?>.*?</c>)', "", text, flags=re.S)
    return text.encode()


@pytest.fixture(scope="module")
def analyst(tmp_path_factory):
    from metaltrade_xl.cli import main

    path = tmp_path_factory.mktemp("share") / "A.xlsm"
    assert main(["workbook", "new", str(path)]) == 0
    return path


def test_new_workbook_shares_on_linux_and_libreoffice_shows_it(analyst, cli, tmp_path):
    code, out, err = cli("share", analyst, "S.xlsx")
    assert code == 0, err
    assert "froze 33 MT_ formula cell(s) (computed here)" in out
    assert "all 33 stored value(s) agree" in out  # `workbook new` stored them
    shared = tmp_path / "S.xlsx"
    assert not [f for f in formulas_in(shared) if b"MT_" in f]
    ws = openpyxl.load_workbook(shared)["Functions"]
    for i, (_, _, expected, _) in enumerate(FUNCTION_EXAMPLES, start=2):
        assert ws.cell(row=i, column=2).value == pytest.approx(expected, rel=1e-12)
    assert_table([[c.value for c in row] for row in ws["B13:C24"]])

    text = pdf_text(to_pdf(shared, tmp_path))
    assert "#NAME?" not in text and "Err:" not in text
    assert re.search(r"Deficit Jan-Nov 2025\s+18,821\.00", text)
    assert re.search(r"2034\s+1,305.6\b", text)  # 750 x 1.057^10, the table's last row


def test_only_what_must_change_changes(analyst, tmp_path):
    src = tmp_path / "A.xlsm"
    src.write_bytes(analyst.read_bytes())
    out = share(src, tmp_path / "S.xlsx", functions=mt_functions())
    before, after = members(src), members(out.out)
    # the sheet parts as the workbook lists them: README 1, Data 2, Scenarios 3, Functions 4,
    # xlwings.conf 5; the shared copy reuses the free name sheet5.xml for Provenance
    removed = set(before) - set(after)
    assert removed == {"xl/vbaProject.bin"}
    assert set(after) == set(before) - removed
    changed = {n for n in after if before.get(n) != after[n]}
    assert changed == {
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "[Content_Types].xml",
        "xl/worksheets/sheet4.xml",  # Functions: the frozen cells
        "xl/worksheets/sheet5.xml",  # was xlwings.conf, now Provenance
    }
    frozen = [f"B{i}" for i in range(2, 11)] + [c for r in xp.block_coords("B13:C24") for c in r]
    sheet = "xl/worksheets/sheet4.xml"
    assert without_cells(before[sheet], frozen) == without_cells(after[sheet], frozen)
    types = after["[Content_Types].xml"].decode()
    assert "macroEnabled" not in types and "vbaProject" not in types
    assert "spreadsheetml.sheet.main+xml" in types
    wb = openpyxl.load_workbook(out.out)
    assert wb.sheetnames == ["README", "Data", "Scenarios", "Functions", "Provenance"]
    assert wb["Data"].tables["Figures"].ref == "A1:N36"
    assert src.read_bytes() == analyst.read_bytes()  # the input is never modified


def user_workbook(path: Path) -> Path:
    """What an analyst might build in a workbook of their own (openpyxl: no stored values)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "My inputs"
    ws["A1"], ws["A2"], ws["A3"], ws["A4"] = 727, 19548, "=A1*2", "=SUM(A1:A2)"
    ws["B1"], ws["B2"], ws["B3"], ws["B4"] = 18000, 20000, "=B1+0", "=A2"
    ws["C1"] = 4000
    wb.defined_names["imports"] = DefinedName("imports", attr_text="'My inputs'!$A$2")
    calc = wb.create_sheet("Calc")
    calc["A1"] = "=MT_DEFICIT('My inputs'!A1, imports)"  # 19548 - 727
    calc["A2"] = "=MT_DEFICIT('My inputs'!A3, 'My inputs'!A4)"  # 20275 - 1454
    calc["A3"] = "=A1*2"  # a native formula on top of an MT_ cell, stays live
    calc["A4"] = "=_xludf.MT_SHARE(8325, B20)"  # as Excel stores a web add-in's function
    calc["B20"] = "=imports+0"
    calc["A5"] = "=MT_GROWTH_TO_CLOSE(750, 'My inputs'!C1, 10)"
    calc["B1"] = ArrayFormula("B1:C12", "=MT_PROJECT(750, 0.057, 10, 2024)")
    calc["D1"] = "=SUM(C2:C12)"
    calc["E1"] = "=MT_DEFICIT('My inputs'!A1:A3, 'My inputs'!B1:B3)"  # spills E1:E3
    chart = LineChart()
    chart.title = "Exports"
    chart.x_axis.title, chart.y_axis.title = "year", "USD million"
    chart.y_axis.number_format = "#,##0"
    chart.add_data(Reference(calc, min_col=3, min_row=1, max_row=12), titles_from_data=True)
    calc.add_chart(chart, "G2")
    calc["A7"].comment = Comment("checked by hand", "me")
    calc.conditional_formatting.add(
        "A1:A5",
        CellIsRule(operator="greaterThan", formula=["0"], fill=PatternFill("solid", "FFFF00")),
    )
    dv = DataValidation(type="whole", operator="between", formula1="0", formula2="100")
    calc.add_data_validation(dv)
    dv.add("H30")
    calc.column_dimensions["A"].width = 31
    calc.print_area = "A1:E12"
    hidden = wb.create_sheet("Scratch")
    hidden.sheet_state = "hidden"
    hidden["A1"] = "kept"
    wb.save(path)
    return path


def test_user_workbook_values_chart_and_the_rest(tmp_path, cli):
    src = user_workbook(tmp_path / "mine.xlsx")
    code, out, err = cli("share", src, "shared.xlsx")
    assert code == 0, err
    assert "no stored values to compare" in out
    wb = openpyxl.load_workbook(tmp_path / "shared.xlsx")
    calc = wb["Calc"]
    assert calc["A1"].value == 18821
    assert calc["A2"].value == 20275 - 1454
    assert calc["A3"].value == "=A1*2"  # live
    assert calc["A4"].value == pytest.approx(8325 / 19548)
    assert calc["A5"].value == pytest.approx((4000 / 750) ** 0.1 - 1)
    assert_table([[c.value for c in r] for r in calc["B1:C12"]])
    assert calc["D1"].value == "=SUM(C2:C12)"
    assert [calc[f"E{i}"].value for i in (1, 2, 3)] == [18000 - 727, 20000 - 19548, 18000 - 1454]
    # the live formulas on top of MT_ cells carry refreshed results for viewers that do not
    # recalculate
    values = openpyxl.load_workbook(tmp_path / "shared.xlsx", data_only=True)["Calc"]
    assert values["A3"].value == 2 * 18821
    assert values["D1"].value == pytest.approx(sum(750 * 1.057**k for k in range(11)))
    assert "refreshed the stored result of 2 live formula(s)" in out

    before, after = members(src), members(tmp_path / "shared.xlsx")
    for name in ("xl/charts/chart1.xml", "xl/drawings/drawing1.xml", "xl/styles.xml"):
        assert after[name] == before[name], name
    assert b"USD million" in after["xl/charts/chart1.xml"]
    changed = {n for n in after if before.get(n) != after[n]}
    assert changed == {
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "[Content_Types].xml",
        "xl/worksheets/sheet2.xml",  # Calc
        "xl/worksheets/sheet4.xml",  # Provenance (new)
    }
    assert calc.conditional_formatting and calc.data_validations.dataValidation
    assert calc["A7"].comment.text == "checked by hand"
    assert calc.column_dimensions["A"].width == 31
    assert calc.print_area == "'Calc'!$A$1:$E$12"
    assert wb["Scratch"].sheet_state == "hidden"
    assert wb.defined_names["imports"].attr_text == "'My inputs'!$A$2"
    assert_consistent(tmp_path / "shared.xlsx")


def test_print_area_of_a_sheet_after_xlwings_conf_follows_it(analyst, tmp_path):
    wb = openpyxl.load_workbook(analyst, keep_vba=True)
    ws = wb.create_sheet("Mine")  # after xlwings.conf, which the copy drops
    ws["A1"] = 1
    ws.print_area = "A1:B2"
    wb.save(tmp_path / "m.xlsm")
    out = share(tmp_path / "m.xlsm", tmp_path / "s.xlsx", functions=mt_functions()).out
    shared = openpyxl.load_workbook(out)
    assert shared.sheetnames[-2:] == ["Mine", "Provenance"]
    assert shared["Mine"].print_area == "'Mine'!$A$1:$B$2"
    assert not shared["Functions"].print_area


def test_bad_argument_names_the_cell_and_the_message(tmp_path, cli):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Calc"
    ws["A1"] = "=MT_DEFICIT(1, 2)"
    ws["B3"] = "=MT_GROWTH_TO_CLOSE(-5, 4000, 10)"
    wb.save(tmp_path / "bad.xlsx")
    code, _, err = cli("share", "bad.xlsx", "s.xlsx")
    assert code == 2
    assert err.strip() == (
        "metaltrade: error: 1 cell(s) with MT_ formulas cannot be computed: "
        "Calc!B3: MT_GROWTH_TO_CLOSE: start: expected a value > 0, got -5"
    )
    assert not (tmp_path / "s.xlsx").exists()


def test_stored_values_are_compared_and_kept_on_request(analyst, tmp_path, cli):
    # as if Excel had saved an older result in B2 and in one cell of the table
    with_cached_values(analyst, tmp_path / "old.xlsm", {"Functions": {"B2": 18000, "C24": 1300}})
    code, out, err = cli("share", "old.xlsm", "new.xlsx")
    assert code == 0, err
    assert "2 of 33 cell(s) with a stored value differ" in out
    assert "Functions!B2: stored 18000, computed 18821" in out
    assert "Functions!C24: stored 1300, computed 1305.602991" in out
    assert openpyxl.load_workbook(tmp_path / "new.xlsx")["Functions"]["B2"].value == 18821

    code, out, err = cli("share", "old.xlsm", "kept.xlsx", "--use-stored")
    assert code == 0, err
    assert "(Excel's stored values)" in out
    kept = openpyxl.load_workbook(tmp_path / "kept.xlsx")["Functions"]
    assert kept["B2"].value == 18000 and kept["C24"].value == 1300


def test_use_stored_refuses_cells_without_a_stored_value(tmp_path, cli):
    src = user_workbook(tmp_path / "mine.xlsx")
    code, _, err = cli("share", src, "s.xlsx", "--use-stored")
    assert code == 2
    assert "Calc!A1 (no stored value)" in err and "without --use-stored" in err


def test_text_results_are_never_written_as_formulas(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "=MT_ECHO(1)"
    wb.save(tmp_path / "t.xlsx")
    # a function whose result is text from data that looks like a formula
    functions = {"MT_ECHO": lambda x: [['=HYPERLINK("http://x","y")'], ["@SUM(1)"]]}
    out = share(tmp_path / "t.xlsx", tmp_path / "s.xlsx", functions=functions).out
    ws = openpyxl.load_workbook(out).active
    assert ws["A1"].data_type == "s" and ws["A1"].value == '=HYPERLINK("http://x","y")'
    assert ws["A2"].value == "@SUM(1)"
    assert not formulas_in(out)


def test_spill_over_a_filled_cell_is_refused(tmp_path, cli):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "=MT_PROJECT(750, 0.057, 2, 2024)"  # 4 x 2
    ws["B3"] = "mine"
    wb.save(tmp_path / "spill.xlsx")
    code, _, err = cli("share", "spill.xlsx", "s.xlsx")
    assert code == 2 and "Sheet!A1 (#SPILL!" in err and "B3" in err


def test_shared_formulas_filled_down_are_all_frozen(tmp_path):
    """Excel stores a formula filled down as one shared formula: the first cell holds the text."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for i, (x, m) in enumerate([(727, 19548), (750, 18203), (100, 50)], start=1):
        ws[f"A{i}"], ws[f"B{i}"], ws[f"C{i}"] = f"=MT_DEFICIT(B{i}, C{i})", x, m
    ws["D1"] = "=SUM(A1:A3)"
    wb.save(tmp_path / "filled.xlsx")
    parts = members(tmp_path / "filled.xlsx")
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    xml = re.sub(
        r"<f>MT_DEFICIT\(B1, C1\)</f>",
        '<f t="shared" ref="A1:A3" si="0">MT_DEFICIT(B1, C1)</f>',
        xml,
    )
    xml = re.sub(r"<f>MT_DEFICIT\(B[23], C[23]\)</f>", '<f t="shared" si="0"/>', xml)
    assert xml.count('si="0"') == 3
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(tmp_path / "shared_f.xlsx", "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    report = share(tmp_path / "shared_f.xlsx", tmp_path / "s.xlsx", functions=mt_functions())
    assert report.frozen == 3 and report.refreshed == 1
    ws = openpyxl.load_workbook(report.out)["Sheet"]
    assert [ws[f"A{i}"].value for i in (1, 2, 3)] == [18821, 17453, -50]
    assert ws["D1"].value == "=SUM(A1:A3)"
    values = openpyxl.load_workbook(report.out, data_only=True)["Sheet"]
    assert values["D1"].value == 18821 + 17453 - 50


def test_a_formula_the_engine_cannot_read_only_matters_where_it_is_used(tmp_path, cli):
    from openpyxl.worksheet.table import Table

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    for row in (["a", "b"], [1, 2], [3, 4]):
        ws.append(row)
    ws.add_table(Table(displayName="T", ref="A1:B3"))
    ws["D1"] = "=SUM(T[a])"  # a structured reference: the engine has no syntax for it
    ws["D3"] = "=MT_DEFICIT(A2, B2)"
    ws["D4"] = '=D3+INDIRECT("A3")'
    wb.save(tmp_path / "t.xlsx")
    code, out, err = cli("share", "t.xlsx", "s.xlsx")
    assert code == 0, err
    shared = openpyxl.load_workbook(tmp_path / "s.xlsx")["S"]
    assert shared["D3"].value == 1 and shared["D1"].value == "=SUM(T[a])"
    assert openpyxl.load_workbook(tmp_path / "s.xlsx", data_only=True)["S"]["D4"].value == 1 + 3

    ws["D5"] = "=MT_DEFICIT(D1, 1)"
    wb.save(tmp_path / "t2.xlsx")
    code, _, err = cli("share", "t2.xlsx", "s2.xlsx")
    assert code == 2
    assert "S!D5: MT_DEFICIT: exports: expected a number, got the Excel error #NAME?" in err
    assert "cannot read S!D1 (=SUM(T[a]))" in err


def test_projection_workbook_charts_come_through_byte_for_byte(analyst, tmp_path, cli):
    code, _, err = cli("run", "--workbook", analyst, "--out", "proj.xlsm")
    assert code == 0, err
    code, out, err = cli("share", "proj.xlsm", "shared.xlsx")
    assert code == 0, err
    before, after = members(tmp_path / "proj.xlsm"), members(tmp_path / "shared.xlsx")
    drawn = [n for n in before if n.startswith(("xl/charts/", "xl/drawings/"))]
    assert len([n for n in drawn if n.endswith(".xml") and "charts/" in n]) >= 2
    assert all(after[n] == before[n] for n in drawn)
    changed = {n for n in after if before.get(n) != after[n]}
    sheets = {n for n in changed if n.startswith("xl/worksheets/")}
    # Functions (frozen cells) and the part that now holds Provenance; nothing else
    assert len(sheets) == 2
    assert changed - sheets == {
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "[Content_Types].xml",
    }


def assert_consistent(path):
    """Every content-type override and every relationship points at a part that exists."""
    pkg = xp.Package(path)
    types = pkg.text("[Content_Types].xml")
    for part in re.findall(r'PartName="/([^"]+)"', types):
        assert part in pkg.parts, f"override for missing {part}"
    assert pkg.referenced() <= set(pkg.parts)
    for sheet in pkg.sheets():
        assert sheet["part"] in pkg.parts


def test_calc_chain_goes_and_the_package_stays_consistent(analyst, tmp_path):
    parts = members(analyst)
    # as Excel saves it: a calculation chain listing the formula cells (openpyxl writes none)
    parts["xl/calcChain.xml"] = (
        b'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<c r="B2" i="4"/><c r="B13" i="4" a="1"/></calcChain>'
    )
    rels = (
        parts["xl/_rels/workbook.xml.rels"]
        .decode()
        .replace(
            "</Relationships>",
            f'<Relationship Type="{xp.REL_CALC_CHAIN}" Target="calcChain.xml" Id="rId99"/></Relationships>',
        )
    )
    parts["xl/_rels/workbook.xml.rels"] = rels.encode()
    types = (
        parts["[Content_Types].xml"]
        .decode()
        .replace(
            "</Types>",
            '<Override PartName="/xl/calcChain.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>',
        )
    )
    parts["[Content_Types].xml"] = types.encode()
    with zipfile.ZipFile(tmp_path / "c.xlsm", "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert_consistent(tmp_path / "c.xlsm")
    out = share(tmp_path / "c.xlsm", tmp_path / "s.xlsx", functions=mt_functions()).out
    after = members(out)
    assert "xl/calcChain.xml" not in after and b"calcChain" not in after["[Content_Types].xml"]
    assert_consistent(out)


def test_a_workbook_without_mt_formulas_is_copied_with_provenance(tmp_path, cli):
    wb = openpyxl.Workbook()
    wb.active["A1"], wb.active["A2"] = 2, "=A1*3"
    wb.save(tmp_path / "plain.xlsx")
    code, out, err = cli("share", "plain.xlsx", "s.xlsx")
    assert code == 0, err
    assert "froze 0 MT_ formula cell(s)" in out and "dropped no sheet" in out
    shared = openpyxl.load_workbook(tmp_path / "s.xlsx")
    assert shared.sheetnames == ["Sheet", "Provenance"] and shared["Sheet"]["A2"].value == "=A1*3"


def test_libreoffice_shows_the_analyst_workbooks_spilled_table(analyst, tmp_path):
    """LibreOffice drops the stored results of array formulas and recalculates them: the
    example falls back to its array constant where MT_PROJECT is missing, never #NAME?."""
    cell = openpyxl.load_workbook(analyst)["Functions"]["B13"].value
    assert cell.ref == "B13:C24" and cell.text.count("MT_PROJECT(750, 0.057, 10, 2024)") == 2
    stored = openpyxl.load_workbook(analyst, data_only=True)["Functions"]
    assert_table([[c.value for c in row] for row in stored["B13:C24"]])  # every cell stored
    text = pdf_text(to_pdf(analyst, tmp_path))
    assert "#NAME?" not in text and "Err:" not in text
    assert re.search(r"Deficit Jan-Nov 2025\s+18,821\.00", text)
    rows = re.findall(r"^\s*(20[23]\d)\s+([\d,]+\.\d)\s*$", text, re.M)
    assert [int(y) for y, _ in rows] == list(range(2024, 2035))
    assert [float(v.replace(",", "")) for _, v in rows] == pytest.approx(
        [750 * 1.057**k for k in range(11)], abs=0.05
    )


def test_the_fallback_never_hides_a_bad_argument(tmp_path, cli):
    """Only #NAME? (the function missing) falls back to the constant; a bad rate is an error."""
    from metaltrade_xl.files.template import spill_formula

    wb = openpyxl.Workbook()
    text = spill_formula().replace("0.057", "5")  # 500 % a year: MT_PROJECT refuses it
    wb.active["B2"] = ArrayFormula("B2:C13", text)
    wb.save(tmp_path / "bad.xlsx")
    code, _, err = cli("share", "bad.xlsx", "s.xlsx")
    assert code == 2 and "Sheet!B2" in err and "growth" in err


def provenance_print(path):
    """The Provenance sheet's <pageSetup> and the print names local to it, from the XML."""
    pkg = xp.Package(path)
    sheets = pkg.sheets()
    index = [s["name"] for s in sheets].index("Provenance")
    setup = re.search(r"<pageSetup\b[^>]*>", pkg.text(sheets[index]["part"])).group(0)
    names = re.findall(
        rf'<definedName name="(_xlnm\.\w+)" localSheetId="{index}">([^<]*)<',
        pkg.text("xl/workbook.xml"),
    )
    return setup, dict(names)


def test_provenance_prints_on_the_workbooks_paper_with_its_labels_on_every_page(analyst, tmp_path):
    """The template prints on A4; the Provenance sheet too (it printed on the printer's default
    paper, Letter here). Its scenario table (a column of parameters, one column per scenario) is
    wider than the paper: the parameters' column prints on every page, and nothing beyond the
    table prints (a long description used to make pages of its own)."""
    out = share(analyst, tmp_path / "S.xlsx", functions=mt_functions()).out
    setup, names = provenance_print(out)
    assert 'paperSize="9"' in setup and 'orientation="landscape"' in setup
    ws = openpyxl.load_workbook(out)["Provenance"]
    assert ws.max_column == 7  # parameter, then the template's 6 scenarios
    assert names == {
        "_xlnm.Print_Area": f"'Provenance'!$A$1:$G${ws.max_row}",
        "_xlnm.Print_Titles": "'Provenance'!$A:$A",
    }
    assert ws.print_title_cols == "$A:$A"  # as openpyxl reads it back
    assert openpyxl.load_workbook(out)["README"].defined_names["Language"].value == "README!$A$4"

    pdf = to_pdf(out, tmp_path)
    assert all(abs(w - 841.89) < 1 and abs(h - 595.3) < 1 for w, h in pdf_page_sizes(pdf))
    pages = pdf_text(pdf).split("\f")
    first = next(i for i, p in enumerate(pages) if "Provenance of this shared copy" in p)
    ours = [p for p in pages[first:] if p.strip()]
    assert len(ours) >= 2 and "scenario 6" in "".join(ours)  # wider than a page, all printed
    # every page shows the parameters' column: some line of it starts with one of its labels
    labels = {r[0] for r in ws.iter_rows(values_only=True) if r[0]}
    assert {"description_es", "uncertainty.seed"} <= labels
    for page in ours:
        starts = {line.strip().split("  ")[0] for line in page.splitlines() if line.strip()}
        assert starts & labels, page[:200]
    # a heading (a row of one cell, bold) fits in the parameters' column: on the pages after
    # the first it has only that column to run in ("... the Scenarios shee" was cut there;
    # pdftotext reads a cut text whole, so the check is on the width the layout counts)
    headings = [r[0].value for r in ws.iter_rows() if r[0].value and r[0].font.b]
    assert headings[:2] == ["Provenance of this shared copy", "Data sources"]
    assert len(headings) == 3 and headings[2].startswith("Scenario parameters")
    first = ws.column_dimensions["A"].width
    assert all(header_lines(h, first) == 1 for h in headings), (first, headings)


def test_provenance_paper_follows_most_of_the_sheets(tmp_path):
    """Letter where the workbook's sheets print on Letter, the first of equals, A4 where no
    sheet sets a page; print names go beside the workbook's own."""
    for papers, expected in (((1, 1), 1), ((9, 1, 1), 1), ((1, 9), 1), ((9, 1), 9), ((), 9)):
        wb = openpyxl.Workbook()
        wb.active["A1"] = 1
        for i, code in enumerate(papers):
            ws = wb.active if i == 0 else wb.create_sheet(f"S{i}")
            ws.page_setup.paperSize = code
        hidden = wb.create_sheet("Hidden")
        hidden.sheet_state = "hidden"
        wb.active.print_area = "A1:B2"
        wb.defined_names["rate"] = DefinedName("rate", attr_text="Sheet!$A$1")
        wb.save(tmp_path / "p.xlsx")
        out = share(tmp_path / "p.xlsx", tmp_path / "s.xlsx", force=True).out
        setup, names = provenance_print(out)
        assert f'paperSize="{expected}"' in setup, papers
        shared = openpyxl.load_workbook(out)
        assert shared.sheetnames[-2:] == ["Hidden", "Provenance"]
        assert names["_xlnm.Print_Titles"] == "'Provenance'!$A:$A"
        assert shared["Sheet"].print_area == "'Sheet'!$A$1:$B$2"
        assert shared.defined_names["rate"].value == "Sheet!$A$1"


def test_provenance_wraps_the_texts_its_columns_would_cut(analyst, tmp_path):
    """A scenario's description ran into the next scenario's cell and was cut there (the last
    one at the page's edge). Such rows now wrap in the workbook's own wrapped-text format (the
    analyst workbook has one; styles.xml stays byte for byte) and are as tall as they need;
    a short text with room beside it still runs on."""
    out = share(analyst, tmp_path / "S.xlsx", functions=mt_functions()).out
    ws = openpyxl.load_workbook(out)["Provenance"]
    rows = {r[0].value: r for r in ws.iter_rows() if r[0].value}
    description = rows["description"]
    assert all(c.alignment.wrap_text and c.alignment.vertical == "top" for c in description)
    assert ws.row_dimensions[description[0].row].height >= 4 * 15  # 4 lines or more
    made_by = rows["made by"]
    assert not made_by[1].alignment.wrap_text and not ws.row_dimensions[made_by[0].row].height
    pages = pdf_text(to_pdf(out, tmp_path)).split("\f")
    first = next(i for i, p in enumerate(pages) if "Provenance of this shared copy" in p)
    printed = "".join(pages[first:])
    # scenarios 4 (cut by scenario 5's cell) and 6 (cut at the page's edge) end so: printed now
    ends = [c.value for c in description[1:] if c.value.endswith("imports substituted.")]
    assert len(ends) == 2 and ends[-1] == description[-1].value
    assert printed.count("substituted.") == 2
    # its pages carry the footer the other sheets print (it had none)
    n = len([p for p in pages if p.strip()])
    for k, page in enumerate(pages[first:n], start=first + 1):
        assert f"Provenance — {k} / {n}" in page, (k, page[-200:])


def test_provenance_numbers_stand_at_the_left_as_its_texts_do(analyst, tmp_path):
    """A scenario's number stood at its column's right edge, against the next scenario's text
    ("0.057to_close"). Where the workbook has a plain left-aligned cell format (the analyst
    workbook's Scenarios numbers), the Provenance's numbers take it and print where the texts
    of their column start; a workbook without one keeps its styles as they are."""
    out = share(analyst, tmp_path / "S.xlsx", functions=mt_functions()).out
    ws = openpyxl.load_workbook(out)["Provenance"]
    rows = {r[0].value: r for r in ws.iter_rows() if r[0].value}
    assert [c.value for c in rows["base_year"][1:4]] == [2025, 2025, 2025]
    assert all(c.alignment.horizontal == "left" for c in rows["base_year"][1:] if c.value)
    assert rows["reporter"][1].alignment.horizontal is None  # texts keep the default
    bbox = subprocess.run(
        ["pdftotext", "-bbox", str(to_pdf(out, tmp_path)), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    page = next(p for p in bbox.split("<page ")[1:] if ">reporter<" in p and ">to_close<" in p)
    words = re.findall(r'<word xMin="([\d.]+)"[^>]*>([^<]*)<', page)
    text, left = [w for _, w in words], [float(x) for x, _ in words]
    start = text.index("reporter")
    at = {w: left[text.index(w, start)] for w in ("Peru", "2025", "0.057", "0.03")}
    assert max(at.values()) - min(at.values()) < 0.5, at
    assert left[text.index("to_close")] - at["0.057"] > 100  # the next scenario's column

    plain = openpyxl.Workbook()
    plain.active["A1"] = 2.5
    plain.save(tmp_path / "plain.xlsx")
    before = zipfile.ZipFile(tmp_path / "plain.xlsx").read("xl/styles.xml")
    copy = share(tmp_path / "plain.xlsx", tmp_path / "plain_shared.xlsx").out
    assert zipfile.ZipFile(copy).read("xl/styles.xml") == before
