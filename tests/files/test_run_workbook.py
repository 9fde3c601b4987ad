"""`metaltrade run --workbook` keeps the input's parts byte for byte and grafts its sheets in."""

import re
import zipfile

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from metaltrade_xl.files.template import build
from metaltrade_xl.files.writer import sheet_grid
from tests.files.libreoffice import pdf_text, to_pdf

#: The parts a run must change: the sheet list and names, relationships, content types,
#: appended cell formats and the document's list of sheet titles.
MUST_CHANGE = {
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "[Content_Types].xml",
    "xl/styles.xml",
    "docProps/app.xml",
}
STYLE_LISTS = {"numFmts": "numFmt", "fonts": "font", "fills": "fill", "borders": "border",
               "cellStyleXfs": "xf", "cellXfs": "xf", "dxfs": "dxf"}  # fmt: skip


def members(path):
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def style_items(styles: bytes) -> dict[str, list[str]]:
    text = styles.decode()
    out = {}
    for name, tag in STYLE_LISTS.items():
        m = re.search(rf"<{name}\b[^>]*?(?:/>|>(.*?)</{name}>)", text, re.S)
        inner = (m.group(1) or "") if m else ""
        out[name] = re.findall(rf"<{tag}\b(?:[^>]*?/>|[^>]*>.*?</{tag}>)", inner, re.S)
    return out


def user_content(wb):
    """A user's own sheet (chart with axis titles, comment, conditional format, validation,
    print area, a name) and a hidden sheet, added to ``wb``."""
    ws = wb.create_sheet("My analysis")
    ws.append(["year", "orders"])
    for i in range(1, 6):
        ws.append([2020 + i, i * 10])
    ws["C1"] = "=SUM(B2:B6)"
    ws["A1"].font = Font(bold=True, color="C00000", name="Georgia")
    ws["B2"].number_format = '0.000" t"'
    ws["A1"].comment = Comment("checked by hand", "analyst")
    ws.conditional_formatting.add(
        "B2:B6",
        CellIsRule(
            operator="greaterThan", formula=["30"], fill=PatternFill("solid", fgColor="FFC7CE")
        ),
    )
    check = DataValidation(type="whole", operator="between", formula1="0", formula2="100")
    check.add("B2:B6")
    ws.add_data_validation(check)
    ws.column_dimensions["A"].width = 17
    ws.print_area = "A1:C6"
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=6), titles_from_data=True)
    chart.x_axis.title, chart.y_axis.title = "Year", "Orders (units)"
    chart.y_axis.number_format, chart.y_axis.delete = "#,##0", False
    ws.add_chart(chart, "E2")
    hidden = wb.create_sheet("Notes")
    hidden["A1"] = "my hidden note"
    hidden.sheet_state = "hidden"
    wb.defined_names["MyTotal"] = DefinedName("MyTotal", attr_text="'My analysis'!$C$1")


@pytest.fixture(scope="module")
def analyst(tmp_path_factory):
    return build(tmp_path_factory.mktemp("run") / "metaltrade.xlsm")


@pytest.fixture(scope="module")
def user_book(analyst, tmp_path_factory):
    """An .xlsx made with openpyxl: the analyst workbook's Data, its first two scenarios (the
    baseline first), and user content."""
    source = openpyxl.load_workbook(analyst)
    wb = openpyxl.Workbook()
    wb.active.title = "Cover"
    wb.active["A1"] = "Our own projection book"
    for name in ("Data", "Scenarios"):
        ws = wb.create_sheet(name)
        for row in sheet_grid(source[name]):
            ws.append(row if name == "Data" else row[:3])  # two scenarios: a quicker run
    user_content(wb)
    path = tmp_path_factory.mktemp("user") / "mine.xlsx"
    wb.save(path)
    return path


def assert_kept(before: dict, after: dict, allowed=MUST_CHANGE):
    assert set(before) <= set(after)
    changed = {n for n in before if before[n] != after[n]}
    assert changed <= allowed, changed - allowed
    old, new = style_items(before["xl/styles.xml"]), style_items(after["xl/styles.xml"])
    for name, items in old.items():  # appended only: every entry keeps its index
        assert new[name][: len(items)] == items, name


@pytest.fixture(scope="module")
def ran(user_book):
    from metaltrade_xl.cli import main

    out = user_book.with_name("out.xlsx")
    assert main(["run", "--workbook", str(user_book), "--out", str(out)]) == 0
    return out


def test_the_inputs_parts_come_through_byte_for_byte(user_book, ran, tmp_path):
    out = ran
    before, after = members(user_book), members(out)
    assert_kept(before, after)
    assert any(n.startswith("xl/comments") for n in before)  # the parts compared include them
    assert sum(n.startswith("xl/charts/") for n in after) > sum(
        n.startswith("xl/charts/") for n in before
    )

    wb = openpyxl.load_workbook(out)
    ours = ["Summary", "Provenance", "Chart data"]
    assert wb.sheetnames[:5] == ["Cover", "Data", "Scenarios", "My analysis", "Notes"]
    assert wb.sheetnames[5] == "Summary" and wb.sheetnames[-2:] == ours[1:]
    assert wb["Notes"].sheet_state == "hidden" and wb["Chart data"].sheet_state == "hidden"
    assert not any(ws.views.sheetView[0].tabSelected for ws in wb.worksheets[5:])  # no grouping
    mine = wb["My analysis"]
    assert mine["C1"].value == "=SUM(B2:B6)" and mine["A1"].comment.text == "checked by hand"
    assert mine["A1"].font.name == "Georgia" and mine["B2"].number_format == '0.000" t"'
    assert len(mine.conditional_formatting) == 1 and len(mine.data_validations.dataValidation) == 1
    assert wb.defined_names["MyTotal"].attr_text == "'My analysis'!$C$1"
    assert mine.print_area == "'My analysis'!$A$1:$C$6"
    # the grafted sheets' formats, print areas and table names, each on its own sheet
    summary = wb["Summary"]
    assert summary["A1"].font.b and summary["A1"].font.sz == 14
    assert summary.print_area.startswith("'Summary'!$A$1:")
    s1 = next(n for n in wb.sheetnames if n.startswith("S1 "))
    assert wb[s1].defined_names["Projection"].attr_text.startswith(f"'{s1}'!")
    assert wb[s1].print_title_rows == "$1:$2"
    formats = {c.number_format for row in wb[s1].iter_rows() for c in row if c.value is not None}
    assert {"#,##0", "0.0%"} <= formats

    text = pdf_text(to_pdf(out, tmp_path))
    assert "Deficit by scenario" in text and "Our own projection book" in text
    # the baseline's 2034 exports and imports: Jan-Nov 2025 annualised, then 5.7 % a year
    assert (
        f"{727 * 12 / 11 * 1.057**9:,.0f}" in text and f"{19548 * 12 / 11 * 1.057**9:,.0f}" in text
    )
    assert "#NAME?" not in text and "Err:" not in text


def test_running_again_replaces_only_our_sheets(user_book, ran, cli, tmp_path):
    code, _, err = cli("run", "--workbook", ran, "--out", "two.xlsx")
    assert code == 0, err
    first, second = members(ran), members(tmp_path / "two.xlsx")
    assert set(first) == set(second)  # nothing piles up
    assert second["xl/styles.xml"] == first["xl/styles.xml"]  # identical formats are reused
    assert second["xl/workbook.xml"] == first["xl/workbook.xml"]
    user = members(user_book)
    assert all(second[n] == user[n] for n in user if n not in MUST_CHANGE)
    # the Provenance sheet hashes its input, which differs; every other sheet is the same
    changed = {n for n in first if first[n] != second[n]}
    assert len(changed) == 1 and changed <= {
        n for n in first if n.startswith("xl/worksheets/sheet")
    }
    again = openpyxl.load_workbook(tmp_path / "two.xlsx")
    assert again.sheetnames == openpyxl.load_workbook(ran).sheetnames
