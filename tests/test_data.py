"""Bundled figures: every seed figure, with its source and lower-bound flag; bad files."""

import pandas as pd
import pytest

from metaltrade_xl.data import DataError, find_figure, import_share, load_figures


@pytest.fixture(scope="module")
def figures():
    return load_figures()


@pytest.mark.parametrize(
    "fid, value, months, lower",
    [
        ("peru_exports_2024", 750, 12, True),  # "superar los USD 750 millones"
        ("peru_exports_2025_jan_nov", 727, 11, False),
        ("peru_imports_2024", 18203, 12, False),
        ("peru_imports_2025_jan_nov", 19548, 11, True),  # "superaron"
        ("peru_deficit_2025_jan_nov", 18821, 11, False),
        ("chile_exports_2024", 4000, 12, True),  # "superan"
        ("colombia_exports_2024", 3000, 12, True),  # "más de"
        ("peru_imports_china_2025_jan_nov", 8325, 11, False),
        ("world_exports_2024", 9_000_000, 12, False),
    ],
)
def test_seed_figures(figures, fid, value, months, lower):
    row = figures.set_index("id").loc[fid]
    assert row.value == value and row.months == months and bool(row.lower_bound) is lower
    assert row.source_publisher == "SNI-IEES" and row.source_date == "2026-01-26"
    assert row.quote


def test_every_figure_has_a_source_and_quote(figures):
    assert (figures.source_publisher != "").all()
    assert (figures.quote != "").all()
    assert figures.id.is_unique


def test_seed_is_internally_consistent(figures):
    f = figures.set_index("id").value
    assert (
        f["peru_imports_2025_jan_nov"] - f["peru_exports_2025_jan_nov"]
        == f["peru_deficit_2025_jan_nov"]
    )
    assert (
        round(f["peru_imports_china_2025_jan_nov"] / f["peru_imports_2025_jan_nov"], 3)
        == f["peru_import_share_china_2025_jan_nov"]
    )
    shares = figures[(figures.indicator == "world_export_share") & (figures.year == 2024)]
    assert shares.value.sum() == pytest.approx(0.99)  # 51 + 34 + 14: the release's rounding


def test_import_share_from_values_when_no_share_given(figures):
    no_shares = figures[figures.indicator != "import_share"]
    share, ids = import_share(no_shares, "Peru", ["China"])
    assert share == pytest.approx(8325 / 19548)
    assert ids == ["peru_imports_china_2025_jan_nov", "peru_imports_2025_jan_nov"]


def test_find_figure_missing(figures):
    with pytest.raises(DataError, match="no figure for exports of Chile"):
        find_figure(figures, "exports", "Chile", year=2019)


def write_csv(tmp_path, rows, name="mine.csv"):
    p = tmp_path / name
    pd.DataFrame(rows).to_csv(p, index=False)
    return p


GOOD = {
    "indicator": "exports",
    "reporter": "Peru",
    "partner": "World",
    "year": 2024,
    "months": 12,
    "value": 800,
}


def test_user_csv_and_xlsx(tmp_path):
    f = load_figures(write_csv(tmp_path, [GOOD]))
    assert f.value.tolist() == [800.0] and f.lower_bound.tolist() == [False]
    x = tmp_path / "mine.xlsx"
    pd.DataFrame([GOOD, {**GOOD, "reporter": "Chile", "value": 4100}]).to_excel(x, index=False)
    assert load_figures(x).value.tolist() == [800.0, 4100.0]


@pytest.mark.parametrize(
    "rows, message",
    [
        ([{k: v for k, v in GOOD.items() if k != "value"}], "mine.csv: missing column(s) value"),
        (
            [GOOD, {**GOOD, "value": "n/a"}],
            "mine.csv: row 3, column value: expected a number, got 'n/a'",
        ),
        (
            [{**GOOD, "value": ""}],
            "mine.csv: row 2, column value: expected a number, got an empty cell",
        ),
        ([{**GOOD, "value": "2,5"}], "row 2, column value: expected a number, got '2,5'"),
        ([{**GOOD, "year": 2024.5}], "row 2, column year: expected a whole number"),
        ([{**GOOD, "months": 13}], "row 2, column months: expected 1 to 12"),
        ([{**GOOD, "reporter": ""}], "row 2, column reporter: empty"),
        ([{**GOOD, "lower_bound": "maybe"}], "row 2, column lower_bound"),
    ],
)
def test_bad_user_data(tmp_path, rows, message):
    with pytest.raises(DataError) as info:
        load_figures(write_csv(tmp_path, rows))
    assert message in str(info.value)


def test_unreadable_files(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        load_figures(tmp_path / "none.csv")
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(DataError, match="expected a .csv or .xlsx"):
        load_figures(tmp_path / "x.json")
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    with pytest.raises(DataError, match="broken.xlsx: could not be read"):
        load_figures(tmp_path / "broken.xlsx")


def test_integer_years_checked_by_their_range_name_the_first_bad_row():
    import numpy as np

    from metaltrade_xl.data import check_years

    years = np.full(1000, 2023, dtype=np.int32)
    years[[0, -1]] = 1900, 2200  # both ends of the range are years
    check_years(years, "f.csv", "t", range(2, 1002))
    years[[400, 700]] = 2201, 1899
    with pytest.raises(DataError, match=r"^f.csv: row 402, column t: expected a year .* got 2201$"):
        check_years(years, "f.csv", "t", range(2, 1002))


def test_a_frame_keeps_one_view_for_every_run_and_a_new_frame_gets_its_own():
    """The columns of a (large) figures table are read once for all the scenarios of a run:
    FigureView.of gives the same view for the same live frame, a fresh one for an equal copy,
    and keeps only the last few frames."""
    from metaltrade_xl.data import _view

    f = load_figures()
    view = _view.FigureView.of(f)
    assert _view.FigureView.of(f) is view
    assert view.narrow(["Peru", "Chile"]) is view.narrow(["peru", "CHILE"])
    copy = f.copy()
    assert _view.FigureView.of(copy) is not view
    others = [f.copy() for _ in range(_view._KEEP)]
    for o in others:
        _view.FigureView.of(o)
    assert _view.FigureView.of(f) is not view  # dropped after _KEEP newer frames
    assert len(_view._VIEWS) <= _view._KEEP
    rows = _view.FigureView.of(f).rows("imports", "Peru", "World")
    assert [r.value for r in rows if r.id == "peru_imports_2025_jan_nov"] == [19548.0]
