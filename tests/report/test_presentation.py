"""Words, sheet names, lower-bound marks and history rows, worked out by hand."""

import pandas as pd
import pytest
import tomllib

from metaltrade_xl.report.floors import floor_marks, history
from metaltrade_xl.report.layout import (
    MAX_SHEET_NAME,
    RESERVED_SHEET_NAMES,
    Stack,
    excel_length,
    safe_sheet_names,
)
from metaltrade_xl.report.summary import summary_lines
from metaltrade_xl.report.words import COLUMNS, TEXT, Words, check_complete
from metaltrade_xl.scenarios.run import run
from metaltrade_xl.scenarios.toml import scenario_from_dict


def test_every_text_is_in_both_languages_with_the_same_placeholders():
    assert check_complete() == []
    assert Words("es")("sheet.summary") == "Resumen" and Words("en")("sheet.summary") == "Summary"
    assert Words("es")("sheet.sources") == "Fuentes"
    assert Words("es")("sheet.provenance") == "Procedencia"


def test_unknown_language_is_one_line():
    with pytest.raises(ValueError, match="language: expected one of en, es, got 'fr'"):
        Words("fr")


def test_identifiers_never_reach_a_header():
    w = Words("en")
    for name in [*COLUMNS, "exports_growth_avg", "some_new_column"]:
        text = w.column(name, rival="Chile")
        assert "_" not in text and "{" not in text
    assert w.input("rival.growth", rival="Chile") == "Chile export growth"
    assert w.input("substitution.phase_in_years") == "Substitution phase in years"


@pytest.mark.parametrize(
    "names",
    [
        ["Close the gap with Chile by 2034", "Close the gap with Chile by 2040"],
        ["x" * 74, "x" * 74, "x" * 74],
        ["History", "history", "Tab\there", "'quoted'", "a/b:c*d?[e]", ""],
        ["\U0001f600" * 20, "Perú " * 10],
    ],
)
def test_sheet_names_are_valid_unique_and_numbered(names):
    out = safe_sheet_names(names, ["Summary"], prefix="S{n}")
    assert len({n.lower() for n in out}) == len(out)
    for i, name in enumerate(out, start=1):
        assert excel_length(name) <= MAX_SHEET_NAME
        assert name.startswith(f"S{i} ")
        assert not set(name) & set("[]:*?/\\") and name.isprintable()
        assert name.lower() not in (*RESERVED_SHEET_NAMES, "summary")
        assert not name.startswith("'") and not name.endswith("'")
    plain = safe_sheet_names(names)
    assert all(n.lower() != "history" for n in plain)


def test_recognisable_names_keep_the_year():
    assert safe_sheet_names(["Close the gap with Chile by 2034"], prefix="S{n}") == [
        "S1 Close gap Chile 2034"
    ]


def test_stack_never_lets_a_block_cross_a_page():
    s = Stack(top=1, page_pt=300)
    rows = [s.place(n) for n in (10, 10, 5, 18)]
    # 10 rows of 15 pt + gap = 165; a second block would end at 330 > 300: new page
    assert rows == [1, 12, 23, 29] and s.breaks == [11, 28]


FIGURES = pd.DataFrame(
    {
        "id": ["pe_x_22", "pe_m_22", "pe_x_23", "pe_m_23", "pe_x", "pe_m", "cl_x"],
        "indicator": ["exports", "imports"] * 3 + ["exports"],
        "reporter": ["Peru"] * 6 + ["Chile"],
        "partner": ["World"] * 7,
        "year": [2022, 2022, 2023, 2023, 2024, 2024, 2024],
        "months": [12] * 7,
        "value": [600.0, 16000.0, 700.0, 17000.0, 750.0, 18203.0, 4000.0],
        "unit": ["USD million"] * 7,
        # exports 2023 and 2024 and Chile's 2024 are floors ("more than")
        "lower_bound": [False, False, True, False, True, False, True],
        "source_publisher": ["P"] * 7,
        "source_title": ["T"] * 7,
        "source_date": ["2026-01-26"] * 7,
        "quote": ["q"] * 7,
        "note": [""] * 7,
        "file": ["f.csv"] * 7,
        "row": list(range(2, 9)),
    }
)

SCENARIO = """
name = "Floors"
base_year = 2024
horizon = 2026
[exports]
growth = 0.05
[imports]
growth = 0.05
[rival]
name = "Chile"
growth = 0.03
"""


def scenario():
    return run(scenario_from_dict(tomllib.loads(SCENARIO), "floors.toml"), FIGURES)


def test_marks_follow_the_floors_by_hand():
    r = scenario()
    marks = floor_marks(r, FIGURES, lambda x: x.table, run)
    by_col = {c: set(marks[c]) for c in marks.columns}
    # exports rest on a floor: at least; imports exact; deficit = imports - exports: at most;
    # coverage = exports / imports: at least; Chile a floor: at least; gap = Chile - exports:
    # up with Chile, down with exports: either way
    assert by_col["exports"] == {"≥"} and by_col["rival_exports"] == {"≥"}
    assert by_col["imports"] == {None} and by_col["deficit"] == {"≤"}
    assert by_col["coverage"] == {"≥"} and by_col["gap_to_rival"] == {"≈"}


def test_history_rows_are_the_recorded_years_before_the_base():
    past, marks = history(scenario(), FIGURES)
    assert past["year"].tolist() == [2022, 2023]
    assert past["deficit"].tolist() == [16000 - 600, 17000 - 700]
    assert past["coverage"].tolist() == pytest.approx([600 / 16000, 700 / 17000])
    assert past["rival_exports"].isna().all()  # no Chilean figure before 2024
    assert marks.loc[0, "exports"] is None and marks.loc[1, "exports"] == "≥"
    assert marks.loc[1, "deficit"] == "≤"


def test_cli_summary_marks_floors_in_both_languages():
    r = scenario()
    en = summary_lines([r], FIGURES, "en")
    es = summary_lines([r], FIGURES, "es")
    deficit = 18203 * 1.05**2 - 750 * 1.05**2
    assert f"≤ {deficit:,.0f}" in en[2]
    assert f"≤ {deficit:,.0f}".replace(",", " ") in es[2]
    assert en[-1].startswith("≥/≤/≈") and "Chile exports 2024 ≥ 4,000" in en[-1]
    assert "Exportaciones de Chile 2024 ≥ 4 000" in es[-1]
    assert es[0].startswith(TEXT["cli.scenario"][1])


def test_what_is_kept_of_a_result_belongs_to_its_figures_table():
    # one result asked about two figures tables in turn: the marks and history kept for the
    # first must not answer for the second (the same numbers, no floor flagged; then doubled)
    r = scenario()
    deficit = 18203 * 1.05**2 - 750 * 1.05**2
    no_floors = FIGURES.assign(lower_bound=False)
    for figures, marked in ((FIGURES, True), (no_floors, False), (FIGURES, True)):
        line = summary_lines([r], figures, "en")[2]
        assert (f"≤ {deficit:,.0f}" in line) is marked
        assert f"{deficit:,.0f}" in line
    doubled = FIGURES.assign(value=FIGURES["value"] * 2)
    past, marks = history(r, doubled)
    assert past["deficit"].tolist() == [2 * (16000 - 600), 2 * (17000 - 700)]
    assert history(r, FIGURES)[0]["deficit"].tolist() == [16000 - 600, 17000 - 700]


def test_building_the_sheets_never_changes_the_figures():
    from metaltrade_xl.report.content import build_report

    before = FIGURES.copy(deep=True)
    build_report([scenario()], FIGURES)
    pd.testing.assert_frame_equal(FIGURES, before)


def test_summary_rows_are_as_tall_as_their_own_longest_text():
    """Each scenario row of the Summary's comparison is as tall as its own text wraps to, not
    as its tallest neighbour's (Spanish names wrap to 2 or 3 lines in the 22-character column:
    "Impulso exportador incierto" 2, "Sustituir el 10 % de las / importaciones desde / China"
    3; "Uncertain export push" and "not by 2034" fit on one line)."""
    from metaltrade_xl.data import load_figures
    from metaltrade_xl.report.content import build_report
    from metaltrade_xl.report.layout import ROW_PT
    from metaltrade_xl.scenarios import default_scenario_files, load_scenario

    figures = load_figures()
    results = [run(load_scenario(p), figures) for p in default_scenario_files()]
    for lang, lines in (
        ("es", {"Impulso exportador incierto": 2, "Sustituir el 10 % de las importaciones "
                "desde China": 3}),
        ("en", {"Uncertain export push": 1, "Substitute 10 % of imports from China": 2}),
    ):  # fmt: skip
        summary = build_report(results, figures, lang=lang, sources=False)[0]
        table = next(t for t in summary.tables if t.name == "Scenarios")
        names = list(table.frame["scenario"])
        for name, n in lines.items():
            row = table.first_row + names.index(name)
            assert summary.heights.get(row, ROW_PT) == ROW_PT * n, (lang, name)
