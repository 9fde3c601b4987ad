"""Text XML 1.0 cannot hold never reaches a workbook's XML, in either writer (cells, headers,
chart titles, sheet and defined names), missing dates are empty date cells, and layouts the direct
writer cannot write as Excel reads them fail with one line naming the sheet and cell."""

import csv
import re
import zipfile
from datetime import date, datetime
from xml.etree import ElementTree

import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from metaltrade_xl.data import bundled_path
from metaltrade_xl.files.looks import clean
from metaltrade_xl.files.writer import new_workbook, openpyxl_workbook
from metaltrade_xl.report.layout import SheetLayout, Table, chart
from metaltrade_xl.scenarios import default_scenario_files
from tests.files.xlsx_compare import differences

WRITERS = {"direct": new_workbook, "openpyxl": openpyxl_workbook}
#: XML 1.0's characters (§2.2): tab, newline, CR, U+0020-U+D7FF, U+E000-U+FFFD and beyond.
ALLOWED = re.compile("[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def parts(path) -> dict[str, ElementTree.Element]:
    """Every XML part of the package, parsed (a part that is not well-formed fails here)."""
    with zipfile.ZipFile(path) as z:
        return {
            n: ElementTree.fromstring(z.read(n))
            for n in z.namelist()
            if n.endswith((".xml", ".rels"))
        }


def readable(path) -> dict[str, list[list]]:
    """The sheets as openpyxl and python-calamine read them (the same values in both)."""
    parts(path)
    wb = openpyxl.load_workbook(path)  # charts too: openpyxl parses them as it loads
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == wb.sheetnames
    grids = {}
    for ws in wb.worksheets:
        grid = [list(row) for row in ws.iter_rows(values_only=True)]
        shown = book.get_sheet_by_name(ws.title).to_python()
        assert sorted(texts(shown)) == sorted(texts(grid)), ws.title
        grids[ws.title] = grid
    return grids


def texts(grid) -> list[str]:
    return [v for row in grid for v in row if isinstance(v, str) and v]


# ---------------------------------------------------------------- the cleaning itself


def test_clean_keeps_every_xml_character_and_nothing_else():
    for code in range(0x10000):
        c = chr(code)
        got = clean(f"a{c}b")
        if 0xD800 <= code <= 0xDFFF:
            assert got == "a\ufffdb", hex(code)  # a lone surrogate: the replacement character
        elif ALLOWED.fullmatch(c):
            assert got == f"a{c}b", hex(code)
        else:
            assert got == "ab", hex(code)  # C0 controls but tab/newline/CR, U+FFFE, U+FFFF
    assert clean("\ud83d\ude00 x") == "\U0001f600 x"  # a surrogate pair: the one character
    assert clean("\ude00\ud83d") == "\ufffd\ufffd"  # the wrong way round: two lone halves
    assert clean("\ud83d\x01\ude00") == "\ufffd\ufffd"  # halves apart are no pair
    for s in ("plain", "", "tab\tnew\nline\r", "ü 😀 \ufffd"):
        assert clean(s) is s  # nothing to clean: the same string back


@pytest.mark.parametrize("writer", WRITERS)
def test_long_text_is_cut_as_excel_counts_in_both_writers(tmp_path, writer):
    # Excel holds 32 767 UTF-16 units in a cell: 16 383 emoji (2 units each) and no half of the
    # next one; 32 767 euro signs (1 unit each)
    long = {"emoji": "\U0001f600" * 20_000, "euro": "€" * 40_000}
    layout = SheetLayout(
        "Long", texts=((1, 1, long["emoji"]), (2, 1, long["euro"])), last_col=1, last_row=2
    )
    path = tmp_path / "long.xlsx"
    WRITERS[writer]([layout]).save(path)
    grid = readable(path)["Long"]
    assert grid[0][0] == "\U0001f600" * 16_383 and grid[1][0] == "€" * 32_767


# ---------------------------------------------------------------- 1: text in cells

BAD = ["a\ufffeb", "c\uffffd", "e\ud800f", "\ud83d\ude00!", "g\x01h\x1f", "\uffff"]
SHOWN = ["ab", "cd", "e\ufffdf", "\U0001f600!", "gh", None]


def text_layouts():
    frame = pd.DataFrame({"name\uffff": pd.Series(BAD, dtype=object), "v": range(len(BAD))})
    table = Table("t", frame, row=3, title="T\ufffe&<", name="Tbl", labels={"v": "V\x02"})
    return [
        SheetLayout(
            "Texts\uffff",
            tables=(table,),
            texts=((1, 1, "Ti\ufffftle\x00"), (2, 1, "note\ud800")),
            title_rows=(1, 4),
            last_col=3,
            last_row=12,
        )
    ]


@pytest.mark.parametrize("writer", WRITERS)
def test_text_xml_cannot_hold_is_left_out_of_cells(tmp_path, writer):
    path = tmp_path / "t.xlsx"
    WRITERS[writer](text_layouts()).save(path)
    grids = readable(path)
    assert list(grids) == ["Texts"]
    grid = grids["Texts"]
    assert grid[0][0] == "Title" and grid[1][0] == "note\ufffd"
    assert grid[2][0] == "T&<" and grid[3][:2] == ["name", "V"]
    assert [row[0] or None for row in grid[4:]] == SHOWN
    wb = openpyxl.load_workbook(path)
    assert wb["Texts"].defined_names["Tbl"].attr_text == "'Texts'!$A$4:$B$10"
    assert wb["Texts"].print_title_rows == "$1:$4"


def bad_figures(figures_csv, out):
    """The bundled figures with U+FFFF / U+FFFE in one quote and every publisher."""
    with open(figures_csv, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row["source_publisher"] = row["source_publisher"].replace("-", "\uffff-")
    rows[0]["quote"] = "super\ufffeando" + rows[0]["quote"][len("superando") :]
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return rows[0]["quote"].replace("\ufffe", "")


def test_run_with_data_holding_text_xml_cannot_hold(cli, tmp_path):
    quote = bad_figures(bundled_path(), tmp_path / "figs.csv")
    baseline = next(p for p in default_scenario_files() if p.stem == "baseline")
    code, _, err = cli("run", "--data", "figs.csv", baseline, "--out", "p.xlsx")
    assert code == 0, err
    grids = readable(tmp_path / "p.xlsx")
    shown = [t for g in grids.values() for t in texts(g)]
    assert not any(c in t for t in shown for c in "\ufffe\uffff")
    assert any("SNI-IEES" in t for t in shown)
    assert any(quote in t for t in shown)


# ---------------------------------------------------------------- 2: text in charts


def chart_layouts():
    years = pd.DataFrame({"year": [2024, 2025], "a": [1.0, 2.0], "b\x03": [2.0, 1.0]})
    specs = tuple(
        chart(
            kind, "Chi\x01le & <Perú>\uffff\nline\ufffe two", years, "year", ["a", "b\x03"],
            anchor=f"A{1 + 20 * i}", data_at=(1 + 5 * i, 1), key=f"c{i}", data_sheet="Data\x01",
            x_title="Ye\x02ar", y_title="USD\ud800", y_format='"\x04≥ "#,##0',
        )
        for i, kind in enumerate(("line", "bar", "fan"))
    )  # fmt: skip
    data = SheetLayout("Data\x01", tables=tuple(s.data for s in specs), hidden=True)
    return [SheetLayout("Charts\x1f", charts=specs, last_col=8, last_row=60), data]


def chart_texts(path) -> list[list[str]]:
    """Each chart's texts (titles), and its formats and references, in part order."""
    found = []
    for name, root in parts(path).items():
        if name.startswith("xl/charts/"):
            words = ["".join(t.text or "" for t in p.iter(f"{A}t")) for p in root.iter(f"{A}p")]
            refs = [f.text for f in root.iter() if f.tag.endswith("}f")]
            fmts = [e.get("formatCode") for e in root.iter() if e.tag.endswith("}numFmt")]
            found.append([*words, *fmts, refs[0]])
    return found


@pytest.mark.parametrize("writer", WRITERS)
def test_text_xml_cannot_hold_is_left_out_of_charts(tmp_path, writer):
    path = tmp_path / "c.xlsx"
    WRITERS[writer](chart_layouts()).save(path)
    grids = readable(path)
    assert list(grids) == ["Charts", "Data"]
    assert grids["Data"][1] == [None, "a", "b"]  # the series' names, from their header cells
    title = ["Chile & <Perú>", "line two", "Year", "USD\ufffd"]
    assert chart_texts(path) == [[*title, '"≥ "#,##0', f"'Data'!B{2 + 5 * i}"] for i in range(3)]


@pytest.mark.parametrize("layouts", [text_layouts, chart_layouts], ids=["text", "charts"])
def test_both_writers_show_the_same_cleaned_text_and_charts(tmp_path, layouts):
    fast, slow = tmp_path / "fast.xlsx", tmp_path / "slow.xlsx"
    new_workbook(layouts()).save(fast)
    openpyxl_workbook(layouts()).save(slow)
    assert differences(slow, fast) == []


def test_run_with_a_rival_named_with_a_control_character(cli, tmp_path):
    (tmp_path / "s.toml").write_text(
        'name = "Push \\u0001 & <b>"\nbase_year = 2025\nhorizon = 2034\n[exports]\n'
        'growth = 0.2\n[imports]\ngrowth = 0.04\n[rival]\nname = "Chi\\u0001le & <Perú>"\n'
        "start = 1000\ngrowth = 0.03\n",
        encoding="utf-8",
    )
    code, _, err = cli("run", "s.toml", "--out", "p.xlsx")
    assert code == 0, err
    grids = readable(tmp_path / "p.xlsx")
    shown = [t for g in grids.values() for t in texts(g)]
    assert not any(c in t for t in shown for c in "\x01")
    assert any("Chile & <Perú>" in t for t in shown)
    titles = [t for c in chart_texts(tmp_path / "p.xlsx") for t in c]
    assert any("Chile & <Perú>" in t for t in titles)
    assert not any("\x01" in t for t in titles)


# ---------------------------------------------------------------- 3: missing dates


def date_layouts():
    frame = pd.DataFrame(
        {
            "when": pd.to_datetime(["2024-01-02 00:00", None, "2025-03-04 05:06"]),
            "day": pd.Series([pd.NaT, date(2024, 2, 29), None], dtype=object),
        }
    )
    return [SheetLayout("Dates", tables=(Table("t", frame, row=1),), last_col=2, last_row=4)]


@pytest.mark.parametrize("writer", WRITERS)
def test_a_missing_date_is_an_empty_date_cell(tmp_path, writer):
    path = tmp_path / "d.xlsx"
    WRITERS[writer](date_layouts()).save(path)
    grid = readable(path)["Dates"]
    assert grid[1:] == [
        [datetime(2024, 1, 2), None],
        [None, datetime(2024, 2, 29)],
        [datetime(2025, 3, 4, 5, 6), None],
    ]
    ws = openpyxl.load_workbook(path)["Dates"]
    assert ws["A3"].number_format == "yyyy-mm-dd h:mm:ss"  # a date cell, empty


def test_both_writers_write_the_same_missing_dates(tmp_path):
    fast, slow = tmp_path / "fast.xlsx", tmp_path / "slow.xlsx"
    new_workbook(date_layouts()).save(fast)
    openpyxl_workbook(date_layouts()).save(slow)
    assert differences(slow, fast) == []


# ---------------------------------------------------------------- 4: what Excel cannot read

X = pd.DataFrame({"a": [1, 2]})
GUARDED = {
    "a/b": [SheetLayout("a/b", texts=((1, 1, "x"),))],
    "Hist[1]": [SheetLayout("Hist[1]", texts=((1, 1, "x"),))],
    "long": [SheetLayout("x" * 32, texts=((1, 1, "x"),))],
    "empty": [SheetLayout("\x01", texts=((1, 1, "x"),))],
    "quote": [SheetLayout("Data '24'", texts=((1, 1, "x"),))],
    "history": [SheetLayout("HISTORY", texts=((1, 1, "x"),))],
    "case": [SheetLayout("Sheet"), SheetLayout("SHEET")],
    "cleaned": [SheetLayout("S"), SheetLayout("S\uffff")],
    "row": [SheetLayout("S", texts=((1048577, 1, "x"),))],
    "col": [SheetLayout("S", texts=((1, 16385, "x"),))],
    "table": [SheetLayout("S", tables=(Table("t", X, row=1048576),))],
    "span": [SheetLayout("S", tables=(Table("t", X, row=1, col=16383, spans={"a": 3}),))],
    "under": [SheetLayout("S", texts=((2, 1, "note"), (2, 3, "x")), last_col=4)],
    "overlap": [
        SheetLayout(
            "S", texts=((2, 3, "note"),), tables=(Table("t", X, row=1, spans={"a": 4}),), last_col=4
        )
    ],  # fmt: skip
    "width": [SheetLayout("S", widths={16385: 9.0})],
    "height": [SheetLayout("S", heights={1048577: 20.0})],
}
MESSAGES = {
    "a/b": "sheet name 'a/b': Excel does not allow '/' in sheet names (none of / \\ ? * [ ] :)",
    "Hist[1]": "sheet name 'Hist[1]': Excel does not allow '[' in sheet names",
    "long": f"sheet name '{'x' * 32}': Excel allows at most 31 characters, got 32",
    "empty": "sheet name '\\x01': nothing is left once what XML cannot hold is left out",
    "quote": "sheet name \"Data '24'\": Excel does not allow an apostrophe at the start or end",
    "history": "sheet name 'HISTORY': Excel keeps the name History for itself",
    "case": "sheet names 'Sheet' and 'SHEET': Excel takes them for one sheet (it ignores case)",
    "cleaned": "sheet names 'S' and 'S': Excel takes them for one sheet",
    "row": "sheet 'S': row 1048577, column 1 is outside Excel's grid (rows 1 to 1048576, "
    "columns A to XFD)",
    "col": "sheet 'S': row 1, column 16385 is outside Excel's grid",
    "table": "sheet 'S': row 1048577, column 1 is outside Excel's grid",
    "span": "sheet 'S': row 1, column 16385 is outside Excel's grid",
    "under": "sheet 'S': cell C2 lies under the merged cells A2:D2 (only A2 holds a value)",
    "overlap": "sheet 'S': merging A2:D2 overlaps the merged cells C2:D2",
    "width": "sheet 'S': row 1, column 16385 is outside Excel's grid",
    "height": "sheet 'S': row 1048577, column 1 is outside Excel's grid",
}


#: The guards the openpyxl writer shares (openpyxl itself renames "SHEET" to "SHEET1", and
#: raises AttributeError for a cell under a merge).
SHARED = ("a/b", "Hist[1]", "long", "empty", "quote", "history", "row", "col", "table", "span")


@pytest.mark.parametrize(
    ("case", "writer"),
    [(c, "direct") for c in GUARDED] + [(c, "openpyxl") for c in SHARED],
)
def test_what_excel_cannot_read_fails_with_one_line(case, writer):
    with pytest.raises(ValueError) as got:
        WRITERS[writer](GUARDED[case])
    message = str(got.value)
    assert message.startswith(MESSAGES[case]) and "\n" not in message


def test_a_sheet_of_zero_widths_has_no_empty_cols(tmp_path):
    layouts = [SheetLayout("S", tables=(Table("t", X, row=1),), widths={1: 0})]
    fast, slow = tmp_path / "fast.xlsx", tmp_path / "slow.xlsx"
    new_workbook(layouts).save(fast)
    openpyxl_workbook(layouts).save(slow)
    sheet = zipfile.ZipFile(fast).read("xl/worksheets/sheet1.xml").decode()
    assert "<cols" not in sheet and "<sheetData>" in sheet
    assert differences(slow, fast) == []
    assert readable(fast)["S"] == [["a"], [1], [2]]


def test_what_excel_reads_is_still_written(tmp_path):
    """The edges of the guards: 31 characters, the grid's last row and column, a name given
    twice (one sheet), the same name in another case on no other sheet."""
    layouts = [
        SheetLayout("x" * 31, texts=((1048576, 16384, "corner"),)),
        SheetLayout("Ünïcode 'quoted' name", texts=((1, 1, "a"),)),
        SheetLayout("Ünïcode 'quoted' name", texts=((2, 1, "b"),)),
    ]
    path = tmp_path / "e.xlsx"
    new_workbook(layouts).save(path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["x" * 31, "Ünïcode 'quoted' name"]
    assert wb["x" * 31]["XFD1048576"].value == "corner"
    assert [r[0].value for r in wb["Ünïcode 'quoted' name"]["A1:A2"]] == ["a", "b"]


@pytest.mark.parametrize("writer", WRITERS)
def test_a_form_column_puts_numbers_at_the_left_in_both_writers(tmp_path, writer):
    frame = pd.DataFrame({"item": ["rows", "year"], "value": [35, 2025], "n": [1.5, 2.5]})
    table = Table("t", frame, row=1, left=("value",))
    path = tmp_path / "form.xlsx"
    WRITERS[writer]([SheetLayout("Form", tables=(table,))]).save(path)
    ws = openpyxl.load_workbook(path)["Form"]
    # header row 1, values in rows 2-3; "n" is a numeric column as any other
    assert [ws.cell(r, 2).alignment.horizontal for r in (1, 2, 3)] == ["left"] * 3
    assert [ws.cell(r, 2).alignment.indent for r in (1, 2, 3)] == [1] * 3  # apart from the item
    assert [ws.cell(r, 3).alignment.horizontal for r in (1, 2, 3)] == ["right"] * 3
    assert ws["B2"].value == 35 and ws["B3"].value == 2025


@pytest.mark.parametrize("writer", WRITERS)
def test_words_after_a_number_start_one_step_in_in_both_writers(tmp_path, writer):
    """A right-aligned number's last digit would touch the next column's first letter ("727
    SNI-IEES", headers "Value Source"): words right after numbers start one step in, header
    too; words after words, and numbers, do not move."""
    frame = pd.DataFrame(
        {
            "figure": ["Peru exports", "Chile exports"],
            "value": [727.0, 4000.0],
            "source": ["SNI-IEES", "SNI-IEES"],
            "note": ["a", "b"],
            "year": [2025, 2024],
        }
    )
    table = Table("t", frame, row=1)
    path = tmp_path / "step.xlsx"
    WRITERS[writer]([SheetLayout("Step", tables=(table,))]).save(path)
    ws = openpyxl.load_workbook(path)["Step"]
    looks = {
        c: [(ws.cell(r, c).alignment.horizontal, ws.cell(r, c).alignment.indent) for r in (1, 2, 3)]
        for c in range(1, 6)
    }
    assert looks[3] == [("left", 1)] * 3  # source, after value
    assert looks[2] == looks[5] == [("right", 0)] * 3  # the numbers
    for c in (1, 4):  # figure (first), note (after words): where they were
        assert [h for h, _ in looks[c][1:]] == [None, None] and looks[c][0] == ("left", 0)
    assert ws["C2"].value == "SNI-IEES" and ws["B3"].value == 4000
