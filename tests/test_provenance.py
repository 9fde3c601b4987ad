"""The Provenance sheet's layout (target-neutral) and the helper that carries it into shared copies."""

import hashlib
from datetime import date

import pytest

from metaltrade_xl import DATA_VINTAGE, __version__
from metaltrade_xl.data import bundled_path
from metaltrade_xl.data.origin import bundled_origin
from metaltrade_xl.report.layout import plain_value
from metaltrade_xl.report.provenance import (
    PROVENANCE_TITLE,
    data_rows_for_share,
    floor_columns,
    provenance_sheet,
)
from metaltrade_xl.scenarios import default_scenario_files, load_scenario, run


def grid_of(layout):
    """The layout as the sheet's values (what a writer puts in the cells)."""
    cells = {(r, c): t for r, c, t in layout.texts}
    for t in layout.tables:
        if t.title:
            cells[(t.row, t.col)] = t.title
        for j, name in enumerate(t.frame.columns):
            cells[(t.header_row, t.col + j)] = name
        for i, row in enumerate(t.frame.itertuples(index=False)):
            for j, v in enumerate(row):
                cells[(t.first_row + i, t.col + j)] = plain_value(v)
    rows = max(r for r, _ in cells)
    cols = max(c for _, c in cells)
    return [[cells.get((r, c)) for c in range(1, cols + 1)] for r in range(1, rows + 1)]


IMPORTS_2025 = 19548 * 12 / 11


def pairs(frame, key):
    return dict(zip(frame[key], frame["value"], strict=True))


def test_provenance_of_the_bundled_run(figures):
    results = [run(load_scenario(f), figures) for f in default_scenario_files()]
    layout = provenance_sheet(results, [bundled_origin(figures)], made=date(2026, 2, 1))
    tables = {t.key: t.frame for t in layout.tables}
    assert layout.name == "Provenance" and layout.texts[0][2] == PROVENANCE_TITLE
    made = pairs(tables["provenance_program"], "item")
    assert made == {"program": "metaltrade_xl", "version": __version__, "date": "2026-02-01"}
    data = pairs(tables["provenance_data"], "item")
    sha = hashlib.sha256(bundled_path().read_bytes()).hexdigest()
    assert data == {
        "data": "bundled figures",
        "file": "figures.csv",
        "SHA-256": sha,
        "rows": 35,
        "source": DATA_VINTAGE,
    }
    floors = tables["provenance_lower_bounds"]
    assert sorted(floors["more than"]) == [4000.0, 19548.0]  # Chile 2024, imports Jan-Nov 2025
    assert all(f"in all {len(results)} scenarios" in text for text in floors["figure"])
    assert len(tables["provenance_warnings"]) == 0
    # one table of resolved parameters per scenario, the start values' notes among them
    params = [t for t in layout.tables if t.key.startswith("provenance_parameters_")]
    assert len(params) == len(results)
    frame = params[0].frame
    first = pairs(frame, "parameter")
    how = dict(zip(frame["parameter"], frame["how"], strict=True))
    assert first["Base year"] == 2025 and first["Imports in the base year"] == pytest.approx(
        IMPORTS_2025
    )
    # 19 548 (Jan-Nov 2025, a floor) x 12/11 = 21 325.09; Chile's 4 000 (2024) x 1.03 = 4 120
    assert how["Imports in the base year"] == (
        "estimate: 19,548 recorded for January–November 2025 (a lower bound, so the estimate "
        "is one too) × 12/11 = 21,325.09"
    )
    assert how["Chile exports in the base year"].endswith("at the rival's own rate 3.00% = 4,120")
    # the starts resting on those floors are marked as on the scenario sheets; exports (727
    # recorded, no floor) are not
    fmt = dict(zip(frame["parameter"], params[0].formats["value"], strict=True))
    assert (
        fmt["Imports in the base year"] == fmt["Chile exports in the base year"] == ('"≥ "#,##0.0')
    )
    assert fmt["Exports in the base year"] == "#,##0.0"
    # item/value tables read as forms: their values, numbers too, at the left
    assert {t.key: t.left for t in layout.tables if t.left} == {
        "provenance_program": ("value",),
        "provenance_data": ("value",),
        **{t.key: ("value",) for t in params},
    }

    # the helper a shared copy uses reads the data lines back from the sheet's values
    back = data_rows_for_share({"Provenance": grid_of(layout)})
    assert dict((k, v) for k, v in back) == data


def test_columns_resting_on_a_floor(figures):
    r = run(load_scenario(default_scenario_files()[0]), figures)
    cols = floor_columns(r)
    # imports 19 548 (Jan-Nov 2025) and Chile's 4 000 are floors; exports 727 is not
    assert cols["imports"] == ["imports.start"] and cols["gap_to_rival"] == ["rival.start"]
    assert "exports" not in cols
