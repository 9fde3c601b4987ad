"""The Provenance sheet's layout (target-neutral) and the helper that carries it into shared copies."""

import hashlib
from datetime import date

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
    first = pairs(params[0].frame, "parameter")
    assert (
        first["base_year"] == 2025 and first["imports.start_estimate"] == "yes"
    )  # a flag reads as a word, not 1
    assert "× 12/11" in first["imports.start_note"]

    # the helper a shared copy uses reads the data lines back from the sheet's values
    back = data_rows_for_share({"Provenance": grid_of(layout)})
    assert dict((k, v) for k, v in back) == data


def test_columns_resting_on_a_floor(figures):
    r = run(load_scenario(default_scenario_files()[0]), figures)
    cols = floor_columns(r)
    # imports 19 548 (Jan-Nov 2025) and Chile's 4 000 are floors; exports 727 is not
    assert cols["imports"] == ["imports.start"] and cols["gap_to_rival"] == ["rival.start"]
    assert "exports" not in cols
