"""Grafting sheets between packages: formats appended, strings inlined, names and titles kept."""

import re

import openpyxl
from openpyxl.styles import Font
from openpyxl.workbook.defined_name import DefinedName

from metaltrade_xl.files import graft, structure
from metaltrade_xl.files.package import Package
from tests.files.test_run_workbook import style_items

#: docProps/app.xml as Excel writes it: worksheets first, then the named ranges.
EXCEL_APP = (
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Application>Microsoft Excel</Application><HeadingPairs>"
    '<vt:vector size="4" baseType="variant"><vt:variant><vt:lpstr>Hojas de cálculo</vt:lpstr>'
    "</vt:variant><vt:variant><vt:i4>2</vt:i4></vt:variant><vt:variant><vt:lpstr>Rangos con "
    "nombre</vt:lpstr></vt:variant><vt:variant><vt:i4>1</vt:i4></vt:variant></vt:vector>"
    '</HeadingPairs><TitlesOfParts><vt:vector size="3" baseType="lpstr"><vt:lpstr>Mine</vt:lpstr>'
    "<vt:lpstr>Later</vt:lpstr><vt:lpstr>Later!Print_Area</vt:lpstr></vt:vector></TitlesOfParts>"
    "</Properties>"
)


def target_book(path):
    wb = openpyxl.Workbook()
    wb.active.title = "Mine"
    wb.active["A1"] = "mine"
    wb.active["A1"].font = Font(italic=True, name="Georgia")
    later = wb.create_sheet("Later")
    later["B2"] = 1.5
    later.print_area = "A1:B2"
    wb.save(path)
    pkg = Package(path)
    pkg.put("docProps/app.xml", EXCEL_APP)
    return pkg


def source_book(path):
    """Two sheets of ours, the first with a string stored in a shared-string table (as Excel
    and older openpyxl versions write them)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Ours"
    ws["A1"] = "Title"
    ws["A1"].font = Font(bold=True, size=14)
    ws["B2"] = 1234.5
    ws["B2"].number_format = '#,##0.0" mn"'
    ws.defined_names["Block"] = DefinedName("Block", attr_text="'Ours'!$A$1:$B$2")
    ws.print_area = "A1:B2"
    wb.create_sheet("Ours too")["A1"] = "second"
    wb.save(path)
    pkg = Package(path)
    sheet = pkg.sheets()[0]["part"]
    xml = pkg.text(sheet)
    cell = re.search(r'<c r="A1"[^>]*>.*?</c>', xml, re.S).group(0)
    style = re.search(r's="\d+"', cell).group(0)
    pkg.put(sheet, xml.replace(cell, f'<c r="A1" {style} t="s"><v>0</v></c>'))
    pkg.put(
        "xl/sharedStrings.xml",
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>Title</t></si></sst>',
    )
    pkg.add_rel(
        "xl/workbook.xml",
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings",
        "/xl/sharedStrings.xml",
    )
    return pkg


def test_sheets_land_where_asked_with_their_formats_names_and_strings(tmp_path):
    target = target_book(tmp_path / "t.xlsx")
    source = source_book(tmp_path / "s.xlsx")
    before = style_items(target.parts["xl/styles.xml"])
    graft.graft_sheets(target, source, {"Ours": 1})  # between Mine and Later
    target.save(tmp_path / "out.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert wb.sheetnames == ["Mine", "Ours", "Later", "Ours too"]
    ours = wb["Ours"]
    assert ours["A1"].value == "Title" and ours["A1"].font.b and ours["A1"].font.sz == 14
    assert ours["B2"].number_format == '#,##0.0" mn"'
    assert ours.defined_names["Block"].attr_text == "'Ours'!$A$1:$B$2"
    assert ours.print_area == "'Ours'!$A$1:$B$2"
    assert wb["Later"].print_area == "'Later'!$A$1:$B$2"  # its name moved with it
    assert wb["Mine"]["A1"].font.name == "Georgia" and wb["Mine"]["A1"].font.i
    after = style_items(target.parts["xl/styles.xml"])
    for name, items in before.items():
        assert after[name][: len(items)] == items
    assert "xl/sharedStrings.xml" not in target.parts  # the target's strings stay as they were
    app = target.text("docProps/app.xml")
    titles = re.findall(r"<vt:lpstr>(.*?)</vt:lpstr>", app.split("<TitlesOfParts>")[1])
    assert titles == ["Mine", "Ours", "Later", "Ours too", "Later!Print_Area"]
    assert "<vt:i4>4</vt:i4>" in app and 'size="5"' in app


def test_grafting_again_reuses_the_formats(tmp_path):
    target = target_book(tmp_path / "t.xlsx")
    graft.graft_sheets(target, source_book(tmp_path / "s.xlsx"), {})
    styles = target.parts["xl/styles.xml"]
    for name in ("Ours", "Ours too"):
        structure.remove_sheet(target, name)
    graft.graft_sheets(target, source_book(tmp_path / "s2.xlsx"), {})
    assert target.parts["xl/styles.xml"] == styles
    assert [s["name"] for s in target.sheets()] == ["Mine", "Later", "Ours", "Ours too"]


def test_a_workbook_without_styles_gets_the_grafted_ones(tmp_path):
    target = target_book(tmp_path / "t.xlsx")
    target.drop_rels("xl/workbook.xml", lambda r: not r["Type"].endswith("/styles"))
    target.remove("xl/styles.xml")
    target.set_override("xl/styles.xml", None)
    graft.graft_sheets(target, source_book(tmp_path / "s.xlsx"), {})
    target.save(tmp_path / "out.xlsx")
    ours = openpyxl.load_workbook(tmp_path / "out.xlsx")["Ours"]
    assert ours["A1"].font.b and ours["B2"].number_format == '#,##0.0" mn"'


def test_a_workbook_written_with_prefixed_elements(tmp_path):
    """Some tools write ``<x:workbook>`` with the main namespace under a prefix."""
    target = target_book(tmp_path / "t.xlsx")
    xml = target.text("xl/workbook.xml")
    xml = re.sub(r"<(/?)(?!\w+:)(\w+)", r"<\1x:\2", xml.split("?>", 1)[-1])
    xml = xml.replace(' xmlns="', ' xmlns:x="', 1)
    target.put("xl/workbook.xml", xml)
    graft.graft_sheets(target, source_book(tmp_path / "s.xlsx"), {"Ours": 1})
    target.save(tmp_path / "out.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert wb.sheetnames == ["Mine", "Ours", "Later", "Ours too"]
    assert wb["Later"].print_area == "'Later'!$A$1:$B$2"
    assert wb["Ours"].defined_names["Block"].attr_text == "'Ours'!$A$1:$B$2"
