"""The tornado on the Monte Carlo's own model: comparable with the fan it sits beside."""

import json

import numpy as np
import pytest

from metaltrade_xl.engine import montecarlo as mc
from metaltrade_xl.engine.projection import project
from metaltrade_xl.engine.tornado import TORNADO_METHOD, simulated_tornado
from metaltrade_xl.report.content import results_json
from metaltrade_xl.scenarios import find_scenario, run_full
from tests.engine.shared_scenario import INPUTS, SUB, scenario  # noqa: E402, F401


def yearly_spec(**kw):
    d = mc.distribution
    return mc.UncertaintySpec(
        {
            "exports.growth": d("normal", mean=0.12, sd=0.05),
            "imports.growth": d("triangular", low=0.0, mode=0.04, high=0.08),
            "rival.growth": d("uniform", low=0.01, high=0.05),
        },
        paths=20_000,
        seed=11,
        **kw,
    )


@pytest.mark.parametrize(
    "correlation",
    [
        (),
        (("exports.growth", "imports.growth", 0.5),),
        (("exports.growth", "imports.growth", 0.9),),
    ],
)
def test_no_yearly_input_swings_more_than_the_simulation_spreads(correlation):
    s, spec = scenario(), yearly_spec(correlation=correlation)
    fan = mc.simulate(s, INPUTS, spec).fan("deficit").iloc[-1]
    t = simulated_tornado(s, INPUTS, spec)
    assert set(t.drawn) == {"yearly"}
    assert (t.swing <= fan.P95 - fan.P5).all()
    assert t.swing.iloc[0] > 0.5 * (fan.P90 - fan.P10)  # import growth carries most of the spread


def test_a_once_drawn_linear_input_swings_by_its_slope_times_its_p10_p90_range():
    s = scenario()
    spec = mc.UncertaintySpec(
        {"substitution.share": mc.distribution("uniform", low=0.05, high=0.25)}, seed=3
    )
    t = simulated_tornado(s, INPUTS, spec, paths=40_000)
    # deficit in 2034 is linear in the share: minus phase x origin share x imports x (1 - content)
    imports_2034 = project(s, INPUTS).table.imports_before_substitution.iloc[-1]
    slope = 0.426 * imports_2034 * (1 - 0.35)
    assert t.drawn.iloc[0] == "once"
    assert t.swing.iloc[0] == pytest.approx(slope * 0.8 * 0.20, rel=0.01)
    # the median share is the scenario's 0.15: the base case is the projection
    assert t.base.iloc[0] == pytest.approx(project(s, INPUTS).table.deficit.iloc[-1], rel=1e-12)


def test_a_fully_persistent_growth_swings_as_the_percentile_tornado():
    from metaltrade_xl.engine.sensitivity import tornado

    spec = mc.UncertaintySpec(
        {"imports.growth": mc.distribution("normal", mean=0.04, sd=0.03)},
        persistence={"imports.growth": 1.0},
        seed=5,
    )
    s = scenario()
    one_rate = tornado(s, INPUTS, spec).swing.iloc[0]  # one rate for every year, exact
    assert simulated_tornado(s, INPUTS, spec).swing.iloc[0] == pytest.approx(one_rate, rel=0.02)


def test_seeded_tornado_is_reproducible_and_the_json_keeps_its_keys(figures):
    result = run_full(find_scenario("uncertain_export_push"), figures)
    u = json.loads(json.dumps(results_json([result])))[0]["uncertainty"]
    fan = u["horizon_deficit"]
    assert [k for k in ("P5", "P10", "P50", "P90", "P95") if k in fan] == [
        "P5", "P10", "P50", "P90", "P95",
    ]  # fmt: skip
    swings = {row["input"]: row["swing"] for row in u["tornado"]}
    yearly = [r["input"] for r in u["tornado"] if r["drawn"] == "yearly"]
    assert yearly and all(swings[n] <= fan["P95"] - fan["P5"] for n in yearly)
    again = run_full(find_scenario("uncertain_export_push"), figures).tornado
    np.testing.assert_array_equal(again.swing, result.tornado.swing)
    assert TORNADO_METHOD.count(".") == 1 and "P10–P90" in TORNADO_METHOD
