"""Start values from the latest partial year, the rival carried to the base year, warnings when a
projection falls below a recorded figure, and lower bounds named: on the bundled data (the values
worked out by hand from the press release) and on a user's own data file."""

import json
import re
import textwrap

import pytest

from metaltrade_xl.data import DataError, load_figures
from metaltrade_xl.data.nowcast import (
    ANNUALISED,
    CARRIED,
    GIVEN,
    RECORDED,
    SEASONAL,
    record_warnings,
    start_value,
)
from metaltrade_xl.engine import montecarlo
from metaltrade_xl.engine.projection import project
from metaltrade_xl.report.content import results_json
from metaltrade_xl.report.provenance import lower_bound_lines
from metaltrade_xl.scenarios import (
    ScenarioError,
    default_scenario_files,
    load_scenario,
    run,
    scenario_from_dict,
)
from metaltrade_xl.scenarios.cells import scenario_from_pairs, scenario_to_pairs

# January-November 2025 (SNI-IEES): exports 727, imports 19 548 (a floor), deficit 18 821.
EXPORTS_2025 = 727 * 12 / 11  # 793.0909...
IMPORTS_2025 = 19548 * 12 / 11  # 21 325.0909...
CHILE_2025 = 4000 * 1.03  # 4 120: Chile's 2024 floor grown one year at its own 3 %


def scenario(**changes):
    base = {
        "name": "t",
        "base_year": 2025,
        "horizon": 2034,
        "exports": {"growth": 0.057},
        "imports": {"growth": 0.057},
        "rival": {"name": "Chile", "growth": 0.03},
    }
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return scenario_from_dict(base, "t.toml")


# --- the data module -----------------------------------------------------------------------------


def test_partial_year_annualised_by_twelve_over_months(figures):
    s = start_value(figures, "imports", "Peru", 2025, key="imports.start")
    assert s.value == pytest.approx(21325.090909090908, rel=1e-12) == IMPORTS_2025
    assert (s.basis, s.estimate, s.lower_bound) == (ANNUALISED, True, True)
    assert (s.recorded, s.recorded_months, s.factor) == (19548.0, 11, pytest.approx(12 / 11))
    assert s.figure_ids == ("peru_imports_2025_jan_nov",)
    assert "12/11" in s.note and "lower bound" in s.note and "21,325.09" in s.note
    e = start_value(figures, "exports", "Peru", 2025, key="exports.start")
    assert e.value == pytest.approx(793.0909090909091) and not e.lower_bound


def test_full_year_figure_wins_and_is_not_an_estimate(figures):
    s = start_value(figures, "imports", "Peru", 2024, key="imports.start")
    assert (s.value, s.basis, s.estimate) == (18203.0, RECORDED, False)


def test_rival_carried_at_its_own_rate_or_the_first_rate_of_a_table(figures):
    s = start_value(figures, "exports", "Chile", 2025, key="rival.start", carry_rate=0.03)
    assert (s.value, s.basis, s.lower_bound) == (pytest.approx(CHILE_2025), CARRIED, True)
    two = start_value(figures, "exports", "Chile", 2026, key="rival.start", carry_rate=0.05)
    assert two.value == pytest.approx(4000 * 1.05**2)
    r = run(scenario(rival={"growth": {y: 0.02 + 0.001 * (y - 2026) for y in range(2026, 2035)}}),
            figures)  # fmt: skip
    assert r.inputs.rival_start == pytest.approx(4000 * 1.02)  # the 2026 rate, 2 %
    # reporter flows are never carried: a missing base year is an error naming the key
    with pytest.raises(DataError, match="no figure for exports of Peru .* in 2026"):
        start_value(figures, "exports", "Peru", 2026, key="exports.start")


def test_rival_path_does_not_depend_on_the_base_year(figures):
    a = run(scenario(base_year=2024), figures).table.set_index("year").rival_exports
    b = run(scenario(), figures).table.set_index("year").rival_exports
    assert b[2034] == pytest.approx(a[2034]) == pytest.approx(4000 * 1.03**10)


def test_scenario_seasonal_profile(figures, tmp_path):
    # December weighs 2, other months 1: January-November hold 11/13 of the year
    profile = [1] * 11 + [2]
    r = run(scenario(seasonal_profile=profile), figures)
    assert r.inputs.imports_start == pytest.approx(19548 * 13 / 11)
    assert r.starts["imports.start"].basis == SEASONAL
    assert "seasonal_profile" in r.starts["imports.start"].note
    path = tmp_path / "bad.toml"
    path.write_text(
        'name = "x"\nbase_year = 2025\nhorizon = 2030\nseasonal_profile = [1, 2]\n'
        '[exports]\ngrowth = 0.1\n[imports]\ngrowth = 0.1\n[rival]\nname = "Chile"\ngrowth = 0.03\n'
    )
    with pytest.raises(ScenarioError, match=r"^bad.toml: seasonal_profile: expected 12 monthly"):
        load_scenario(path)
    s = scenario(seasonal_profile=profile)
    assert scenario_from_pairs(scenario_to_pairs(s), s.source) == s


# --- the bundled scenarios -----------------------------------------------------------------------


def test_bundled_scenarios_start_from_the_latest_data_and_stay_above_the_record(figures):
    for path in default_scenario_files():
        r = run(load_scenario(path), figures)
        t = r.table.set_index("year")
        assert r.scenario.base_year == 2025, path.name
        assert r.warnings == (), path.name
        # 2025 full year >= January-November 2025 as recorded (by hand: x 12/11)
        assert t.imports[2025] == pytest.approx(IMPORTS_2025) and t.imports[2025] >= 19548
        assert t.exports[2025] == pytest.approx(EXPORTS_2025) and t.exports[2025] >= 727
        assert t.deficit[2025] == pytest.approx(18821 * 12 / 11) and t.deficit[2025] >= 18821
        assert t.rival_exports[2025] == pytest.approx(CHILE_2025)
        params = r.parameters()
        for key in ("exports", "imports", "rival"):
            assert params[key]["start_estimate"] is True
            assert params[key]["start_note"].startswith("estimate: ")


def test_counterfactual_from_2024_runs_but_warns(figures):
    r = run(scenario(base_year=2024), figures)
    # by hand: 2025 imports 18 203 x 1.057 = 19 240.57 < 19 548; exports 750 x 1.057 = 792.75,
    # deficit 19 240.57 - 792.75 = 18 447.82 < 18 821; exports 792.75 > 727: no warning
    assert r.table.imports.iloc[1] == pytest.approx(19240.571)
    assert r.warnings == (
        "imports of Peru in 2025: projected 19,241 for the full year, below the 19,548 "
        "(a lower bound) already recorded for January–November 2025",
        "deficit of Peru in 2025: projected 18,448 for the full year, below the 18,821 already "
        "recorded for January–November 2025",
    )
    entry = results_json([r])[0]
    assert entry["warnings"] == list(r.warnings)


def test_explicit_start_below_the_record_warns(figures):
    r = run(scenario(exports={"start": 700.0}), figures)
    assert r.starts["exports.start"].basis == GIVEN
    assert r.warnings[0].startswith("exports of Peru in 2025: projected 700 for the full year")
    assert "727" in r.warnings[0]


def test_record_warnings_of_the_rival():
    import pandas as pd

    # Peru above its 2024 figures (750, 18 203), Chile just under its floor of 4 000
    t = pd.DataFrame({"year": [2024], "exports": [800.0], "imports": [19000.0],
                      "deficit": [18200.0], "rival_exports": [3999.0]})  # fmt: skip
    (w,) = record_warnings(t, load_figures(), reporter="Peru", rival="Chile")
    assert w.startswith("exports of Chile in 2024: projected 3,999") and "(a lower bound)" in w


def test_figures_used_are_records_with_their_flags(figures):
    r = run(load_scenario(default_scenario_files()[0]), figures)
    used = {f["id"]: f for f in results_json([r])[0]["figures_used"]}
    needed = {"id", "indicator", "reporter", "partner", "year", "months", "value", "lower_bound",
              "source"}  # fmt: skip
    assert all(needed <= f.keys() for f in used.values())
    assert used["peru_imports_2025_jan_nov"]["lower_bound"] is True
    assert used["peru_imports_2025_jan_nov"]["months"] == 11
    assert used["chile_exports_2024"]["used_for"] == ["rival.start"]
    assert used["peru_exports_2025_jan_nov"]["lower_bound"] is False
    assert lower_bound_lines([r]) == [
        "lower bound: imports of Peru, January–November 2025: more than 19,548 "
        "(used for imports.start; 1 scenario)",
        "lower bound: exports of Chile, full year 2024: more than 4,000 (used for rival.start; "
        "1 scenario)",
    ]


def test_a_floor_drawn_as_uncertain_never_goes_below_it(figures):
    # README, "A floor as an uncertain input": Chile's 2025 start from a PERT whose low end is the
    # floor 4 120; with every other input fixed, each path's 2034 gap is at least the floor's
    readme = (default_scenario_files()[0].parents[1] / "README.md").read_text(encoding="utf-8")
    table = re.search(r"rival\.start = (\{[^}]*\})", readme).group(1)
    assert table == '{ dist = "pert", low = 4120, mode = 4326, high = 5150 }'
    s = scenario(uncertainty={"paths": 4000, "seed": 1,
                              "rival.start": {"dist": "pert", "low": 4120, "mode": 4326,
                                              "high": 5150}})  # fmt: skip
    r = run(s, figures)
    assert r.inputs.rival_start == pytest.approx(CHILE_2025)  # the floor, as the data has it
    floor_gap = project(s, r.inputs).table.gap_to_rival.iloc[-1]
    sim = montecarlo.simulate(s, r.inputs, s.uncertainty)
    gap = sim.fan("gap_to_rival")
    assert (gap.iloc[-1][["P5", "P50", "P95"]] >= floor_gap - 1e-9).all()
    assert gap.iloc[-1]["P95"] > floor_gap + 100  # and the draws do rise above it


# --- a user's own data file: seasonality from the data, Sources, Provenance, warnings -----------

# Year-to-date rows as a monthly download gives them. Peru's exports: January-November over the
# full year was 0.5 in 2021, 0.90 in 2022 (90/100), 0.90 in 2023 (180/200), 0.92 in 2024
# (276/300); the latest three average (0.90 + 0.90 + 0.92) / 3 = 0.90667, so 2025's Jan-Nov 340
# annualises to 340 / 0.90667 = 375 (2021 is left out). Imports: 0.95 each year, 950 -> 1 000.
MONTHLY = """\
indicator,reporter,partner,year,months,value,lower_bound,source_publisher,source_title
exports,Peru,World,2021,11,50,false,INEI,Boletín mensual
exports,Peru,World,2021,12,100,false,INEI,Boletín mensual
exports,Peru,World,2022,11,90,false,INEI,Boletín mensual
exports,Peru,World,2022,12,100,false,INEI,Boletín mensual
exports,Peru,World,2023,11,180,false,INEI,Boletín mensual
exports,Peru,World,2023,12,200,false,INEI,Boletín mensual
exports,Peru,World,2024,11,276,false,INEI,Boletín mensual
exports,Peru,World,2024,12,300,false,INEI,Boletín mensual
exports,Peru,World,2025,11,340,false,INEI,Boletín mensual
imports,Peru,World,2022,11,950,false,INEI,Boletín mensual
imports,Peru,World,2022,12,1000,false,INEI,Boletín mensual
imports,Peru,World,2023,11,950,false,INEI,Boletín mensual
imports,Peru,World,2023,12,1000,false,INEI,Boletín mensual
imports,Peru,World,2024,11,950,false,INEI,Boletín mensual
imports,Peru,World,2024,12,1000,false,INEI,Boletín mensual
imports,Peru,World,2025,11,950,false,INEI,Boletín mensual
exports,Chile,World,2024,12,500,true,,
"""

MINE = """
    name = "Mine"
    base_year = {base}
    horizon = 2030
    [exports]
    growth = {growth}
    [imports]
    growth = 0.0
    [rival]
    name = "Chile"
    growth = 0.02
"""


def test_own_monthly_data_seasonality_sources_provenance(cli, tmp_path):
    (tmp_path / "mine.csv").write_text(MONTHLY, encoding="utf-8")
    (tmp_path / "now.toml").write_text(textwrap.dedent(MINE.format(base=2025, growth=0.1)))
    # a counterfactual from 2024 with flat exports: 2025 = 300 < 340 already recorded
    (tmp_path / "then.toml").write_text(textwrap.dedent(MINE.format(base=2024, growth=0.0)))
    code, out, err = cli(
        "run", "now.toml", "then.toml", "--data", "mine.csv", "--out", "o.xlsx", "--json", "o.json"
    )
    assert code == 0, err
    now, then = json.loads((tmp_path / "o.json").read_text())
    assert now["parameters"]["exports"]["start"] == pytest.approx(375.0)
    assert now["parameters"]["imports"]["start"] == pytest.approx(1000.0)
    assert now["parameters"]["rival"]["start"] == pytest.approx(510.0)  # 500 x 1.02
    note = now["parameters"]["exports"]["start_note"]
    assert "2022–2024" in note and "seasonal profile" in note and "375" in note
    used = {f["id"]: f for f in now["figures_used"]}
    assert len([u for u in used.values() if u["used_for"] == ["exports.start"]]) == 7
    assert all(u["source"] == "INEI, Boletín mensual" for u in used.values()
               if u["reporter"] == "Peru")  # fmt: skip
    assert used["mine.csv:row18"]["source"] == "mine.csv"  # a row naming no publisher
    assert now["warnings"] == []
    assert then["warnings"] == [
        "exports of Peru in 2025: projected 300 for the full year, below the 340 already "
        "recorded for January–November 2025"
    ]
    assert "metaltrade: warning: Mine: exports of Peru in 2025: projected 300" in err
    assert len([line for line in err.splitlines() if "warning:" in line]) == 1
    assert "lower bound: exports of Chile, full year 2024: more than 500" in out

    import openpyxl

    wb = openpyxl.load_workbook(tmp_path / "o.xlsx")
    title = wb["Sources"]["A1"].value
    assert "INEI" in title and "SNI" not in title and "mine.csv" in title
    cells = [v for row in wb["Provenance"].iter_rows(values_only=True) for v in row if v]
    import hashlib

    sha = hashlib.sha256((tmp_path / "mine.csv").read_bytes()).hexdigest()
    assert sha in cells and "mine.csv" in cells and 17 in cells
    assert not any("SNI" in str(v) for v in cells)
    assert any(str(v).startswith("Mine: exports of Peru in 2025") for v in cells)
    sheet = [v for row in wb[wb.sheetnames[2]].iter_rows(values_only=True, max_row=8) for v in row]
    assert any(str(v).startswith("Warning: exports of Peru in 2025") for v in sheet if v)

    # a shared copy of that workbook carries the same data lines, not the bundled source
    code, _, err = cli("share", "o.xlsx", "shared.xlsx")
    assert code == 0, err
    shared = openpyxl.load_workbook(tmp_path / "shared.xlsx")["Provenance"]
    lines = [v for row in shared.iter_rows(values_only=True) for v in row if v]
    assert sha in lines and "mine.csv" in lines
    assert not any("bundled figures" in str(v) or "SNI" in str(v) for v in lines)


def test_a_shared_copy_of_a_spanish_run_carries_its_data_lines(cli, tmp_path):
    """share finds the Procedencia sheet of a --lang es run: the copy names the user's file and
    its SHA-256, not the bundled source, and has one provenance sheet (the copy's own)."""
    (tmp_path / "mine.csv").write_text(MONTHLY, encoding="utf-8")
    (tmp_path / "now.toml").write_text(textwrap.dedent(MINE.format(base=2025, growth=0.1)))
    code, _, err = cli("run", "now.toml", "--data", "mine.csv", "--lang", "es", "--out", "o.xlsx")
    assert code == 0, err
    code, _, err = cli("share", "o.xlsx", "shared.xlsx")
    assert code == 0, err
    import hashlib

    import openpyxl

    wb = openpyxl.load_workbook(tmp_path / "shared.xlsx")
    assert "Procedencia" not in wb.sheetnames and wb.sheetnames[-1] == "Provenance"
    lines = [v for row in wb["Provenance"].iter_rows(values_only=True) for v in row if v]
    sha = hashlib.sha256((tmp_path / "mine.csv").read_bytes()).hexdigest()
    assert sha in lines and "mine.csv" in lines
    assert not any("bundled figures" in str(v) or "SNI" in str(v) for v in lines)
