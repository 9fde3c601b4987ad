"""The tornado of a Monte Carlo run, on the simulation's own model and draws.

Each uncertain input varies alone, drawn exactly as :func:`metaltrade_xl.engine.montecarlo.simulate`
draws it (afresh every year, persistent, or once per path), with every other input at its
median (an input correlated with it at its median given it, as the copula has it); its swing is
the P10–P90 range of the outcome over those paths. A swing is therefore
comparable with the simulation's fan: an input drawn every year cannot swing the outcome by more
than the whole simulation spreads it. (:func:`metaltrade_xl.engine.sensitivity.tornado` is the
other, exact tornado: each input held at one percentile in every year.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metaltrade_xl.engine._validate import InputError
from metaltrade_xl.engine.inputs import INPUTS
from metaltrade_xl.engine.montecarlo import _run_all
from metaltrade_xl.engine.sampling import _block_rng, persist
from metaltrade_xl.engine.scenario import ProjectionInputs
from metaltrade_xl.engine.sensitivity import _row, outcome_values
from metaltrade_xl.engine.uncertainty_spec import UncertaintySpec

#: How the swings are computed, in one sentence a sheet can show under the chart.
TORNADO_METHOD = (
    "Each input's swing is the P10–P90 range of the outcome when that input alone varies as the "
    "Monte Carlo draws it (every year, persistent or once per path) and every other input stays "
    "at its median (given that input, where the two are correlated), so a swing is comparable "
    "with the fan."
)
#: Paths per input (fewer when the scenario asks for fewer): P10 and P90 to about 1 %.
TORNADO_PATHS = 50_000


def simulated_tornado(
    scenario,
    inputs: ProjectionInputs,
    spec: UncertaintySpec,
    *,
    outcome: str = "deficit",
    year: int | None = None,
    low: float = 10.0,
    high: float = 90.0,
    paths: int | None = None,
    seed: int | None = None,
) -> pd.DataFrame:
    """Each uncertain input alone, drawn as the simulation draws it, the others at their medians.

    Parameters
    ----------
    scenario : Scenario
    inputs : ProjectionInputs
    spec : UncertaintySpec
    outcome : str, a declared outcome; year : int, default the horizon
    low, high : float, the percentiles of the outcome whose distance is the swing
    paths : int, optional; default ``min(spec.paths, TORNADO_PATHS)``
    seed : int, optional; default ``spec.seed`` (fresh randomness when both are None)

    Returns
    -------
    DataFrame, one row per uncertain input, largest swing first
        ``input, drawn`` (``yearly`` or ``once``), ``low_value, high_value`` (the input's own
        ``low`` and ``high`` percentiles), ``outcome_low, outcome_high`` (the outcome's),
        ``base`` (the outcome with every input at its median) and
        ``swing = outcome_high − outcome_low``.

    Examples
    --------
    >>> from metaltrade_xl.scenarios import scenario_from_dict
    >>> from metaltrade_xl.engine.distributions import distribution
    >>> s = scenario_from_dict({"name": "d", "base_year": 2024, "horizon": 2034,
    ...     "exports": {"growth": 0.12}, "imports": {"growth": 0.04},
    ...     "rival": {"name": "Chile", "growth": 0.03}})
    >>> spec = UncertaintySpec({"exports.growth": distribution("normal", mean=0.12, sd=0.05),
    ...     "imports.growth": distribution("normal", mean=0.04, sd=0.03)}, seed=1)
    >>> t = simulated_tornado(s, ProjectionInputs(750, 18203, 4000), spec)
    >>> t.input.tolist(), t.drawn.tolist()
    (['imports.growth', 'exports.growth'], ['yearly', 'yearly'])

    Drawn afresh every year, import growth swings the 2034 deficit by about
    18 203 × 1.04¹⁰ × 2 sinh(1.2816 × 0.03 × √10 / 1.04) ≈ 6 300 (lognormal approximation), a
    third of what holding it at its P10 or P90 in every year does (20 250,
    :func:`metaltrade_xl.engine.sensitivity.tornado`):

    >>> 6000 < float(t.swing.iloc[0]) < 7500
    True
    """
    if not 0 < low < high < 100:
        raise InputError(f"low, high: expected percentiles 0 < low < high < 100, got {low}, {high}")
    _row(scenario, year)  # the year is checked before any draw
    n = min(spec.paths, TORNADO_PATHS) if paths is None else int(paths)
    if n < 2:
        raise InputError(f"paths: expected at least 2 paths for a tornado, got {n}")
    names = list(spec.inputs)
    medians = {k: spec.inputs[k].median() for k in names}
    base = float(outcome_values(scenario, inputs, medians, 1, outcome, year)[0])
    n_years = int(scenario.horizon) - int(scenario.base_year)
    seeds = np.random.SeedSequence(spec.seed if seed is None else seed).spawn(len(names))

    def swing(job):
        # Each input draws from its own child generator into its own arrays: the inputs run on
        # threads where the runtime has them, with the same numbers as in order.
        name, child = job
        dist = spec.inputs[name]
        values = dict(medians)
        values.update(_alone(spec, name, n_years, n, _block_rng(child)))
        y = outcome_values(scenario, inputs, values, n, outcome, year)
        lo, hi = np.percentile(y, [low, high])
        return (name, INPUTS[name].drawn, float(dist.ppf(low / 100)), float(dist.ppf(high / 100)),
                float(lo), float(hi), base, float(hi - lo))  # fmt: skip

    rows = _run_all(swing, list(zip(names, seeds, strict=True)))
    table = pd.DataFrame(
        rows,
        columns=["input", "drawn", "low_value", "high_value", "outcome_low", "outcome_high",
                 "base", "swing"],
    )  # fmt: skip
    return table.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def _alone(spec: UncertaintySpec, name: str, n_years: int, n: int, rng) -> dict:
    """Draws of ``name`` as the simulation draws it, and of the inputs correlated with it at
    their medians given it.

    A partner ``j`` with (Gaussian) correlation ``r`` has normal score ``r z`` where ``z`` is
    ``name``'s: the median of ``z_j`` given ``z``. Each yearly score then persists with its own
    ``rho``, as in :func:`metaltrade_xl.engine.sampling._draw_block`.
    """
    yearly = INPUTS[name].drawn == "yearly"
    group = spec.yearly if yearly else spec.once
    c = spec.correlation_matrix(group)
    i = group.index(name)
    z = rng.standard_normal((n_years, n) if yearly else n)
    out = {}
    # The partners first, from z; then the input itself in z's own memory (no copy of z).
    order = [j for j, other in enumerate(group) if other != name] + [i]
    for j in order:
        other = group[j]
        if c[i, j] == 0.0:
            continue
        zj = z if other == name else c[i, j] * z
        if yearly:
            persist(zj, float(spec.persistence.get(other, 0.0)))
        out[other] = spec.inputs[other].from_normal(zj, out=zj)
    return out
