"""Trend growth: ``growth = "trend"`` with ``trend_years = N`` is the CAGR of the data's last N
full years up to the base year, resolved to a number and shown with the years it used."""

import textwrap

import pandas as pd
import pytest

from metaltrade_xl.data import DataError, tidy_figures
from metaltrade_xl.data.trend import trend_growth
from metaltrade_xl.scenarios import ScenarioError, load_scenario, run, scenario_from_dict

# Peru's exports grow exactly 10 % a year 2019-2024: 1000 * 1.1**5 = 1610.51
ROWS = [
    ("exports", "Peru", 2019, 12, 1000.0),
    ("exports", "Peru", 2020, 12, 1100.0),
    ("exports", "Peru", 2021, 12, 1210.0),
    ("exports", "Peru", 2022, 12, 1331.0),
    ("exports", "Peru", 2023, 12, 1464.1),
    ("exports", "Peru", 2024, 12, 1610.51),
    ("exports", "Peru", 2025, 11, 1500.0),  # a partial year: never a trend's end
    ("imports", "Peru", 2022, 12, 16000.0),
    ("imports", "Peru", 2024, 12, 19360.0),  # 16000 * 1.1**2
    ("exports", "Chile", 2021, 12, 4000.0),
    ("exports", "Chile", 2024, 12, 4000.0 * 1.03**3),
    ("exports", "Chile", 2026, 12, 9999.0),  # after the base year: not used
]


@pytest.fixture
def figures():
    raw = pd.DataFrame(ROWS, columns=["indicator", "reporter", "year", "months", "value"])
    return tidy_figures(raw.assign(partner="World"), "t.csv")


def scenario(**sections):
    data = {
        "name": "trend",
        "base_year": 2024,
        "horizon": 2030,
        "exports": {"growth": 0.05},
        "imports": {"growth": 0.04},
        "rival": {"name": "Chile", "growth": 0.03},
    }
    for key, value in sections.items():
        data[key] = {**data[key], **value}
    return scenario_from_dict(data, "t.toml")


def test_cagr_by_hand(figures):
    t = trend_growth(figures, "exports", "Peru", 5)
    assert (t.first_year, t.last_year) == (2019, 2024)  # the Jan-Nov 2025 row is not a full year
    assert t.rate == pytest.approx(0.10, abs=1e-12)
    assert trend_growth(figures, "exports", "Peru", 1).rate == pytest.approx(1610.51 / 1464.1 - 1)
    assert trend_growth(figures, "imports", "Peru", 2).rate == pytest.approx(0.10, abs=1e-12)
    chile = trend_growth(figures, "exports", "Chile", 3, until=2024)
    assert (chile.last_year, chile.rate) == (2024, pytest.approx(0.03, abs=1e-12))


def test_scenario_rates_resolve_to_numbers_with_their_years(figures):
    s = scenario(
        exports={"growth": "trend", "trend_years": 5},
        imports={"growth": "trend", "trend_years": 2},
        rival={"growth": "trend", "trend_years": 3},
    )
    assert (s.exports.growth, s.exports.trend_years) == ("trend", 5)
    r = run(s, figures)
    assert r.projection.rates["exports"] == pytest.approx(0.10, abs=1e-12)
    row = r.table.iloc[1]
    assert row.exports == pytest.approx(1610.51 * 1.1)
    assert row.imports == pytest.approx(19360 * 1.1)
    assert row.rival_exports == pytest.approx(4000 * 1.03**4)
    p = r.parameters()
    assert p["exports"]["growth"] == pytest.approx(0.10) and p["exports"]["growth_given"] == "trend"
    assert p["exports"]["trend"] == "CAGR 2019-2024 (5 years): 1,000 -> 1,610.51"
    assert p["rival"]["trend"].startswith("CAGR 2021-2024 (3 years)")
    assert {"t.csv:row2", "t.csv:row7"} <= set(r.figure_ids)  # both ends are sources


def test_too_few_years_is_one_clear_error(figures):
    with pytest.raises(ScenarioError) as exc:
        run(scenario(imports={"growth": "trend", "trend_years": 5}), figures)
    assert str(exc.value) == (
        "t.toml: imports.growth: trend_years = 5 needs full-year imports of Peru (partner World) "
        "for 2019 and 2024; the data has 2022, 2024"
    )
    with pytest.raises(ScenarioError, match="the data has no full-year exports of Colombia"):
        run(scenario(rival={"name": "Colombia", "growth": "trend", "trend_years": 2}), figures)


@pytest.mark.parametrize(
    "section, message",
    [
        ({"growth": "trend"}, 'exports.trend_years: missing: growth = "trend" needs'),
        ({"growth": "trend", "trend_years": 0}, "expected a whole number of years from 1 to 50"),
        ({"growth": "trend", "trend_years": 2.5}, "expected a whole number of years"),
        ({"growth": 0.05, "trend_years": 3}, 'only goes with exports.growth = "trend"'),
        ({"growth": {2025: "trend"}}, "exports.growth.2025: expected a rate as a number"),
        ({"growth": "trends"}, '"to_close" or "trend", got text \'trends\''),
    ],
)
def test_bad_trend_keys(section, message):
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(")):
        scenario(exports=section)


def test_trend_from_a_toml_file(tmp_path, figures):
    (tmp_path / "s.toml").write_text(
        textwrap.dedent(
            """
            name = "Trends continue"
            base_year = 2024
            horizon = 2034
            [exports]
            growth = "trend"
            trend_years = 5
            [imports]
            growth = 0.04
            [rival]
            name = "Chile"
            growth = 0.03
            """
        )
    )
    r = run(load_scenario(tmp_path / "s.toml"), figures)
    assert r.parameters()["exports"]["growth"] == pytest.approx(0.10)


def peru_exports_2023_2024(v2023: float, v2024: float) -> pd.DataFrame:
    """Two full years of Peru's exports, the least a one-year trend needs."""
    raw = {"indicator": "exports", "reporter": "Peru", "partner": "World",
           "year": [2023, 2024], "months": 12, "value": [v2023, v2024]}  # fmt: skip
    return tidy_figures(pd.DataFrame(raw))


def test_a_trend_needs_positive_values():
    f = peru_exports_2023_2024(0.0, 5.0)
    with pytest.raises(DataError, match="a trend needs positive values, got 0 in 2023"):
        trend_growth(f, "exports", "Peru", 1)


def test_trend_scenarios_round_trip_through_sheet_cells():
    from metaltrade_xl.scenarios.cells import scenario_from_pairs, scenario_to_pairs

    s = scenario(imports={"growth": "trend", "trend_years": 4})
    pairs = scenario_to_pairs(s)
    assert ("imports.trend_years", 4) in pairs
    assert scenario_from_pairs(pairs, s.source) == s


def test_a_trend_beyond_the_accepted_rates_is_one_line():
    f = peru_exports_2023_2024(100.0, 1000.0)
    with pytest.raises(ScenarioError) as exc:
        run(scenario(exports={"growth": "trend", "trend_years": 1}), f)
    assert str(exc.value) == (  # 1000 / 100 - 1 = 900 % a year
        "t.toml: exports.growth: the data's trend is 900.0% a year (CAGR 2023-2024 (1 year): "
        "100 -> 1,000), outside the rates a scenario accepts (at most 100%); give a rate instead"
    )
