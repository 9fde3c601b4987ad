"""Tornado, grid, goal seek and Sobol against the deterministic projection and closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from metaltrade_xl.engine import montecarlo as mc
from metaltrade_xl.engine import sensitivity as sens
from metaltrade_xl.engine._validate import InputError
from metaltrade_xl.engine.projection import ProjectionInputs, project
from metaltrade_xl.scenarios import scenario_from_dict

INPUTS = ProjectionInputs(750, 18203, 4000, 0.426)
SUB = {"share": 0.10, "import_content": 0.35, "start_year": 2026, "phase_in_years": 5}


def scenario(exports=0.12, imports=0.04, rival=0.03, substitution=SUB):
    data = {
        "name": "t",
        "base_year": 2024,
        "horizon": 2034,
        "exports": {"growth": exports},
        "imports": {"growth": imports},
        "rival": {"name": "Chile", "growth": rival},
    }
    if substitution:
        data["substitution"] = substitution
    return scenario_from_dict(data)


SPEC = mc.UncertaintySpec(
    {
        "exports.growth": mc.distribution("normal", mean=0.12, sd=0.05),
        "imports.growth": mc.distribution("triangular", low=0.0, mode=0.04, high=0.08),
        "rival.growth": mc.distribution("uniform", low=0.01, high=0.05),
        "substitution.import_content": mc.distribution("pert", low=0.2, mode=0.35, high=0.6),
    }
)


def deficit_with(**growth):
    s = scenario(**growth)
    return float(project(s, INPUTS).table.deficit.iloc[-1])


def test_tornado_values_ranking_and_base():
    t = sens.tornado(scenario(), INPUTS, SPEC)
    # imports are 24x exports, so their growth dominates; the rival does not enter the deficit
    assert t.input.tolist()[:2] == ["imports.growth", "exports.growth"]
    assert t.input.iloc[-1] == "rival.growth" and t.swing.iloc[-1] == 0
    assert (np.diff(t.swing) <= 0).all()
    row = t.set_index("input").loc["exports.growth"]
    np.testing.assert_allclose(row.low_value, 0.12 + 0.05 * stats.norm.ppf(0.1))
    tri = stats.triang(0.5, loc=0, scale=0.08)
    np.testing.assert_allclose(t.set_index("input").loc["imports.growth"].high_value, tri.ppf(0.9))
    # the case with exports at P90 and the others at their medians equals project() of it
    content = SPEC.inputs["substitution.import_content"].median()
    sub = dict(SUB, import_content=content)
    expected = float(
        project(
            scenario(exports=row.high_value, imports=0.04, rival=0.03, substitution=sub), INPUTS
        ).table.deficit.iloc[-1]
    )
    np.testing.assert_allclose(row.outcome_high, expected, rtol=1e-12)
    np.testing.assert_allclose(
        t.base.iloc[0],
        float(project(scenario(substitution=sub), INPUTS).table.deficit.iloc[-1]),
        rtol=1e-12,
    )


def test_tornado_on_another_outcome_and_year():
    t = sens.tornado(scenario(), INPUTS, SPEC, outcome="gap_to_rival", year=2030)
    assert t.input.iloc[0] in ("exports.growth", "rival.growth")
    assert set(t.input.iloc[-2:]) == {"imports.growth", "substitution.import_content"}
    with pytest.raises(InputError, match="year: expected a year 2024-2034"):
        sens.tornado(scenario(), INPUTS, SPEC, year=2040)
    with pytest.raises(InputError, match="outcome: expected one of"):
        sens.tornado(scenario(), INPUTS, SPEC, outcome="surplus")


def test_grid_matches_project():
    g = sens.grid(
        scenario(),
        INPUTS,
        "exports.growth",
        [0.05, 0.1, 0.2],
        "substitution.share",
        [0.0, 0.1, 0.3],
    )
    assert g.shape == (3, 3) and g.index.name == "substitution.share"
    for share in g.index:
        for x in g.columns:
            s = scenario(exports=float(x), substitution=dict(SUB, share=float(share)))
            np.testing.assert_allclose(
                g.loc[share, x], project(s, INPUTS).table.deficit.iloc[-1], rtol=1e-12
            )
    # more exports and more substitution both cut the deficit
    assert (np.diff(g.to_numpy(), axis=0) < 0).all() and (np.diff(g.to_numpy(), axis=1) < 0).all()
    with pytest.raises(InputError, match="lever_x: expected one of"):
        sens.grid(scenario(), INPUTS, "exports.speed", [0.1], "imports.growth", [0.1])


@pytest.mark.parametrize(
    "lever, target, outcome",
    [
        ("exports.growth", 0.0, "gap_to_rival"),
        ("imports.growth", 15_000.0, "deficit"),
        ("substitution.share", 22_000.0, "deficit"),
        ("exports.start", 20_000.0, "deficit"),
    ],
)
def test_goal_seek_lands_on_target(lever, target, outcome):
    g = sens.goal_seek(scenario(), INPUTS, lever, target, outcome=outcome)
    assert abs(g.achieved - target) <= 1e-6 * max(1.0, abs(target))
    check = sens.outcome_values(scenario(), INPUTS, {lever: [g.value]}, 1, outcome)[0]
    np.testing.assert_allclose(check, target, rtol=1e-9, atol=1e-6)
    assert g.year == 2034


def test_goal_seek_closed_form_growth_to_close():
    g = sens.goal_seek(
        scenario(substitution=None), INPUTS, "exports.growth", 0.0, outcome="gap_to_rival"
    )
    np.testing.assert_allclose(g.value, (4000 * 1.03**10 / 750) ** 0.1 - 1, rtol=1e-10)


def test_goal_seek_out_of_reach_says_so():
    with pytest.raises(
        InputError,
        match=r"cannot reach -5,000 by moving substitution.share within \[0, 1\]: "
        r"it ranges from",
    ):
        sens.goal_seek(scenario(), INPUTS, "substitution.share", -5000.0)
    with pytest.raises(InputError, match="bounds: expected low < high"):
        sens.goal_seek(scenario(), INPUTS, "exports.growth", 0, bounds=(0.5, 0.1))


def test_sobol_ranks_imports_first():
    t = sens.sobol(scenario(), INPUTS, SPEC, n=256, seed=1)
    assert t.input.iloc[0] == "imports.growth"
    assert t.ST.iloc[0] > 0.8
    rival = t.set_index("input").loc["rival.growth"]
    assert abs(rival.ST) < 0.05


@pytest.mark.parametrize("seed", [0, 1])
def test_sobol_with_a_seed_is_reproducible_confidence_intervals_included(seed):
    a = sens.sobol(scenario(), INPUTS, SPEC, n=64, seed=seed)
    np.random.seed(12345)  # noqa: NPY002 (the global state must not matter)
    b = sens.sobol(scenario(), INPUTS, SPEC, n=64, seed=seed)
    assert a.equals(b)


def test_levers_at_or_below_minus_100_percent_are_refused():
    # a fall of 100 % or more a year has no compound meaning: goal seek must not land there
    with pytest.raises(InputError, match=r"exports.growth: expected rates above -1 \(-100 %\)"):
        sens.goal_seek(scenario(), INPUTS, "exports.growth", 18203, bounds=(-3, 0))
