"""The direct writer (files/fastbook) shows exactly what the openpyxl writer shows: the bundled
run's workbooks in both languages and on both papers, and layouts made to hit its corners."""

import zipfile
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from metaltrade_xl.data.origin import bundled_origin
from metaltrade_xl.files.writer import new_workbook, openpyxl_workbook
from metaltrade_xl.report import content
from metaltrade_xl.report.layout import SheetLayout, Table, chart
from metaltrade_xl.scenarios import default_scenario_files, load_scenario, run_full
from tests.files.xlsx_compare import differences


@pytest.fixture(scope="module")
def results(figures):
    return [run_full(load_scenario(f), figures) for f in default_scenario_files()]


def both(tmp_path, sheets, paper=None):
    sheets = list(sheets)
    fast, slow = tmp_path / "fast.xlsx", tmp_path / "openpyxl.xlsx"
    new_workbook(sheets, paper=paper).save(fast)
    openpyxl_workbook(sheets, paper=paper).save(slow)
    return fast, slow


@pytest.mark.parametrize(("lang", "paper"), [("en", None), ("es", None), ("en", "letter")])
def test_bundled_run_shows_the_same_as_through_openpyxl(tmp_path, results, figures, lang, paper):
    sheets = content.build_report(results, figures, lang=lang, provenance=[bundled_origin(figures)])
    fast, slow = both(tmp_path, sheets, paper)
    assert differences(slow, fast) == []
    with zipfile.ZipFile(fast) as z:  # the comparison saw the charts (21 of them) and the paper
        charts = [n for n in z.namelist() if n.startswith("xl/charts/")]
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert len(charts) == 21
    assert f'paperSize="{1 if paper == "letter" else 9}"' in sheet


def corner_layouts():
    """Values of every kind, merges under styled headers, notes, per-row formats, data rows, and
    charts of every kind and size, anchored both ways."""
    frame = pd.DataFrame(
        {
            "name": ["=1+1", "#N/A", " padded ", "", "a\x01b", "x" * 40000],
            "value": [1, 2.5, np.nan, True, 1e300, -3],
            "when": [date(2024, 1, 2), datetime(2024, 5, 6, 7, 8), None, "text", 4, 5.5],
            "share": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
        }
    )
    table = Table(
        "t", frame, row=4, title="Corners & <escapes>", name="Corners",
        formats={"share": ("0.0%", '"≥ "0.0%', "General", "0.0%", "0.00", "0")},
        labels={"value": "Value (USD million)"}, spans={"name": 3}, data_rows=(0, 2),
    )  # fmt: skip
    years = pd.DataFrame(
        {"year": [2024, 2025, 2026], **{f"s{i}": [i, i + 1, i + 2] for i in range(6)}}
    )
    one = years.iloc[:1]
    specs = []
    for kind, n in (("line", 1), ("line", 3), ("bar", 1), ("bar", 2), ("fan", 3), ("fan", 5), ("fan", 6)):  # fmt: skip
        cols = [f"s{i}" for i in range(n)]
        at = (1 + 6 * len(specs), 1)
        specs.append(
            chart(
                kind, f"{kind} {n}\nsecond line" if n == 3 else f"{kind} & <{n}>",
                one if n == 2 else years, "year", cols, anchor=f"A{20 + 15 * len(specs)}",
                data_at=at, key=f"c{len(specs)}", data_sheet="Data 'x' y",
                to="" if n == 1 else f"F{33 + 15 * len(specs)}", x_title="" if n == 5 else "Year",
                data_series=("s0",), y_format='"≥ "#,##0',
            )
        )  # fmt: skip
    data = SheetLayout(
        "Data 'x' y", tables=tuple(s.data for s in specs), hidden=True, widths={1: 30}
    )
    visible = SheetLayout(
        "Corners",
        tables=(table,),
        charts=tuple(specs),
        texts=((1, 1, "Title"), (2, 1, "A note across"), (3, 2, "a plain text"), (3, 5, "note")),
        notes=frozenset({(3, 5)}),
        freeze="B5",
        title_rows=(1, 4),
        breaks=(12, 40),
        widths={1: 22, 2: 9.5, 5: 12},
        heights={3: 27.5, 200: 30},
        last_col=8,
        last_row=210,
    )
    plain = SheetLayout("Plain", texts=((1, 1, "only a title"),), last_col=1, last_row=3)
    return [visible, plain, data]


def test_corner_cases_show_the_same_as_through_openpyxl(tmp_path):
    fast, slow = both(tmp_path, corner_layouts(), "letter")
    assert differences(slow, fast) == []


def test_a_bad_paper_fails_before_anything_is_written():
    with pytest.raises(ValueError, match="paper: expected one of a4, letter, got 'legal'"):
        new_workbook(corner_layouts(), paper="legal")
