"""Sensitivity: which input matters (tornado, Sobol), what two levers do together (grid), and
what a lever must be to reach a target (goal seek).

Inputs and levers are the model inputs of :mod:`metaltrade_xl.engine.montecarlo`
(``exports.growth``, ``substitution.share``, …). A growth set here holds for every projected year
and replaces the scenario's (a rate table or ``"to_close"`` included). Outcomes are the columns of
the projection (``deficit``, ``exports``, ``imports``, ``gap_to_rival``, ``rival_exports``,
``imports_before_substitution``, ``substitution_effect``) in one year, the horizon by default.
Every function evaluates all its cases in one vectorised call of
:func:`metaltrade_xl.engine.montecarlo.evaluate`, so results equal ``project`` exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metaltrade_xl.engine._validate import InputError, as_float
from metaltrade_xl.engine.inputs import INPUT_NAMES, INPUTS, OUTCOME_NAMES
from metaltrade_xl.engine.model import evaluate
from metaltrade_xl.engine.scenario import ProjectionInputs
from metaltrade_xl.engine.uncertainty_spec import UncertaintySpec

#: Outcomes every function here accepts (declared in :mod:`metaltrade_xl.engine.inputs`).
OUTCOMES = OUTCOME_NAMES


def _row(scenario, year) -> int:
    base, horizon = int(scenario.base_year), int(scenario.horizon)
    if year is None:
        return horizon - base
    if (
        isinstance(year, bool)
        or not isinstance(year, (int, np.integer, float))
        or year != int(year)
    ):
        raise InputError(f"year: expected a whole year, got {year!r}")
    if not base <= int(year) <= horizon:
        raise InputError(f"year: expected a year {base}-{horizon}, got {int(year)}")
    return int(year) - base


def outcome_values(
    scenario,
    inputs: ProjectionInputs,
    values: Mapping,
    width: int,
    outcome: str = "deficit",
    year: int | None = None,
) -> np.ndarray:
    """``outcome`` in ``year`` (default horizon) for ``width`` cases; shape (width,).

    Examples
    --------
    >>> from metaltrade_xl.scenarios import scenario_from_dict
    >>> s = scenario_from_dict({"name": "d", "base_year": 2024, "horizon": 2025,
    ...     "exports": {"growth": 0.0}, "imports": {"growth": 0.0},
    ...     "rival": {"name": "Chile", "growth": 0.0}})
    >>> outcome_values(s, ProjectionInputs(100, 300, 400), {"exports.growth": [0, 1]}, 2).tolist()
    [200.0, 100.0]
    """
    if outcome not in OUTCOMES:
        raise InputError(f"outcome: expected one of {', '.join(OUTCOMES)}, got {outcome!r}")
    # Only the year asked for is computed (the same numbers as that row of the whole table).
    out = evaluate(scenario, inputs, values, width, _row=_row(scenario, year))
    if outcome == "balance":
        return -np.array(out["deficit"][0])
    return np.array(out[outcome][0])


def _check_lever(name: str, label: str = "lever") -> None:
    if name not in INPUT_NAMES:
        raise InputError(f"{label}: expected one of {', '.join(INPUT_NAMES)}, got {name!r}")


def tornado(
    scenario,
    inputs: ProjectionInputs,
    spec: UncertaintySpec,
    *,
    outcome: str = "deficit",
    year: int | None = None,
    low: float = 10.0,
    high: float = 90.0,
) -> pd.DataFrame:
    """Each uncertain input at its ``low`` and ``high`` percentiles, the others at their medians.

    Returns
    -------
    DataFrame, one row per uncertain input, largest swing first
        ``input, low_value, high_value, outcome_low, outcome_high, base, swing`` where ``base`` is
        the outcome with every input at its median and ``swing = |outcome_high − outcome_low|``.

    Examples
    --------
    >>> from metaltrade_xl.scenarios import scenario_from_dict
    >>> from metaltrade_xl.engine.montecarlo import distribution
    >>> s = scenario_from_dict({"name": "d", "base_year": 2024, "horizon": 2034,
    ...     "exports": {"growth": 0.12}, "imports": {"growth": 0.04},
    ...     "rival": {"name": "Chile", "growth": 0.03}})
    >>> spec = UncertaintySpec({"exports.growth": distribution("normal", mean=0.12, sd=0.05),
    ...     "imports.growth": distribution("normal", mean=0.04, sd=0.03)})
    >>> t = tornado(s, ProjectionInputs(750, 18203, 4000), spec)
    >>> t.input.tolist(), t.swing.round(0).tolist()
    (['imports.growth', 'exports.growth'], [20250.0, 2771.0])
    """
    if not 0 < low < high < 100:
        raise InputError(f"low, high: expected percentiles 0 < low < high < 100, got {low}, {high}")
    names = list(spec.inputs)
    medians = {k: spec.inputs[k].median() for k in names}
    k = len(names)
    width = 2 * k + 1
    values = {name: np.full(width, medians[name]) for name in names}
    lows, highs = {}, {}
    for i, name in enumerate(names):
        d = spec.inputs[name]
        lows[name], highs[name] = float(d.ppf(low / 100)), float(d.ppf(high / 100))
        values[name][1 + 2 * i] = lows[name]
        values[name][2 + 2 * i] = highs[name]
    out = outcome_values(scenario, inputs, values, width, outcome, year)
    table = pd.DataFrame(
        {
            "input": names,
            "low_value": [lows[n] for n in names],
            "high_value": [highs[n] for n in names],
            "outcome_low": out[1::2],
            "outcome_high": out[2::2],
            "base": out[0],
        }
    )
    table["swing"] = (table.outcome_high - table.outcome_low).abs()
    return table.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def grid(
    scenario,
    inputs: ProjectionInputs,
    lever_x: str,
    values_x: Sequence[float],
    lever_y: str,
    values_y: Sequence[float],
    *,
    outcome: str = "deficit",
    year: int | None = None,
) -> pd.DataFrame:
    """A two-way table: ``outcome`` for every pair of values of two levers (Excel's Data Table).

    Returns
    -------
    DataFrame, index ``values_y`` (named ``lever_y``), columns ``values_x`` (named ``lever_x``)

    Examples
    --------
    >>> from metaltrade_xl.scenarios import scenario_from_dict
    >>> s = scenario_from_dict({"name": "d", "base_year": 2024, "horizon": 2025,
    ...     "exports": {"growth": 0.0}, "imports": {"growth": 0.0},
    ...     "rival": {"name": "Chile", "growth": 0.0}})
    >>> grid(s, ProjectionInputs(100, 300, 400), "exports.growth", [0, 1],
    ...      "imports.growth", [0, 0.5]).values.tolist()
    [[200.0, 100.0], [350.0, 250.0]]
    """
    _check_lever(lever_x, "lever_x")
    _check_lever(lever_y, "lever_y")
    if lever_x == lever_y:
        raise InputError(f"lever_y: expected a lever other than lever_x ({lever_x})")
    vx = np.atleast_1d(as_float(np.asarray(values_x, dtype=object), lever_x))
    vy = np.atleast_1d(as_float(np.asarray(values_y, dtype=object), lever_y))
    if vx.ndim != 1 or vy.ndim != 1 or not vx.size or not vy.size:
        raise InputError("values_x, values_y: expected non-empty lists of numbers")
    gx, gy = np.meshgrid(vx, vy)
    out = outcome_values(
        scenario, inputs, {lever_x: gx.ravel(), lever_y: gy.ravel()}, gx.size, outcome, year
    )
    return pd.DataFrame(
        out.reshape(gx.shape),
        index=pd.Index(vy, name=lever_y),
        columns=pd.Index(vx, name=lever_x),
    )


#: Default search range of each lever for goal seek (start values: relative to the start).
DEFAULT_BOUNDS = {n: INPUTS[n].search for n in INPUT_NAMES if INPUTS[n].search is not None}


@dataclass(frozen=True)
class GoalSeekResult:
    """The lever value found, the outcome it gives, and the target asked for."""

    lever: str
    value: float
    outcome: str
    year: int
    achieved: float
    target: float
    iterations: int


def goal_seek(
    scenario,
    inputs: ProjectionInputs,
    lever: str,
    target: float,
    *,
    outcome: str = "deficit",
    year: int | None = None,
    bounds: tuple[float, float] | None = None,
    xtol: float = 1e-12,
) -> GoalSeekResult:
    """The value of ``lever`` within ``bounds`` that makes ``outcome`` in ``year`` equal ``target``.

    The bounds are scanned on a grid (one vectorised call) for a sign change, then Brent's method
    (``scipy.optimize.brentq``) refines it; a target out of reach raises InputError with the range
    the lever can reach.

    Examples
    --------
    >>> from metaltrade_xl.scenarios import scenario_from_dict
    >>> s = scenario_from_dict({"name": "d", "base_year": 2024, "horizon": 2034,
    ...     "exports": {"growth": 0.05}, "imports": {"growth": 0.04},
    ...     "rival": {"name": "Chile", "growth": 0.03}})
    >>> g = goal_seek(s, ProjectionInputs(750, 18203, 4000), "exports.growth", 0,
    ...               outcome="gap_to_rival")
    >>> round(g.value, 5)
    0.21769
    >>> goal_seek(s, ProjectionInputs(750, 18203, 4000), "substitution.share", 0)
    Traceback (most recent call last):
    ...
    metaltrade_xl.engine._validate.InputError: substitution: the scenario has no [substitution] to vary
    """
    _check_lever(lever)
    target = float(as_float(target, "target"))
    if bounds is None:
        declared = INPUTS[lever]
        if declared.search is None:  # a start value: search around it
            key = declared.section
            given = getattr(scenario, key).start
            start = given if given is not None else getattr(inputs, f"{key}_start")
            bounds = (start / 100, start * 100)
        else:
            bounds = declared.search
    lo, hi = (float(b) for b in bounds)
    if not lo < hi:
        raise InputError(f"bounds: expected low < high, got {lo}, {hi}")
    row_year = int(scenario.base_year) + _row(scenario, year)

    scan = np.linspace(lo, hi, 201)
    with np.errstate(all="ignore"):  # overflow is reported below, by the lever value
        f = outcome_values(scenario, inputs, {lever: scan}, scan.size, outcome, year) - target
    if not np.isfinite(f).all():
        bad = float(scan[np.argmax(~np.isfinite(f))])
        raise InputError(
            f"goal seek: {outcome} in {row_year} is too large to represent (overflow) at "
            f"{lever} = {bad:g}, within [{lo:g}, {hi:g}]: narrow the bounds"
        )
    reach = f + target
    # "does not vary" relative to the size of the flows the outcome is made of: at huge start
    # values rounding alone moves a difference of two flows by thousands
    with np.errstate(all="ignore"):
        flows = [
            np.abs(outcome_values(scenario, inputs, {lever: scan}, scan.size, o, when))
            for o in ("exports", "imports", "rival_exports")
            for when in (year, int(scenario.base_year))
        ]
    scale = float(np.nanmax(np.concatenate([*flows, np.abs(reach), [1.0]])))
    if np.ptp(reach) <= 1e-9 * scale:
        raise InputError(
            f"goal seek: {outcome} in {row_year} does not depend on {lever}: it is "
            f"{0.0 if abs(reach[0]) <= 1e-9 * scale else reach[0]:,.6g} for every value within [{lo:g}, {hi:g}] (is it fixed by another "
            'input, e.g. a growth "to_close"?); choose another lever'
        )
    exact = np.flatnonzero(f == 0)
    if exact.size:
        v = float(scan[exact[0]])
        return GoalSeekResult(lever, v, outcome, row_year, target, target, 0)
    change = np.flatnonzero(np.sign(f[:-1]) != np.sign(f[1:]))
    if not change.size:
        reach = f + target
        raise InputError(
            f"goal seek: {outcome} in {row_year} cannot reach {target:,.6g} by moving {lever} "
            f"within [{lo:g}, {hi:g}]: it ranges from {reach.min():,.6g} to {reach.max():,.6g}; "
            "widen the bounds or choose another lever"
        )
    i = int(change[0])

    def g(v):
        return float(outcome_values(scenario, inputs, {lever: [v]}, 1, outcome, year)[0]) - target

    from scipy import optimize  # on first use (a heavy import)

    try:
        value, info = optimize.brentq(g, scan[i], scan[i + 1], xtol=xtol, full_output=True)
    except (RuntimeError, ValueError) as exc:  # "failed to converge" on a huge interval
        raise InputError(
            f"goal seek: no solution found for {lever} between {scan[i]:g} and {scan[i + 1]:g} "
            f"({exc}); narrow the bounds"
        ) from None
    achieved = g(value) + target
    return GoalSeekResult(lever, float(value), outcome, row_year, achieved, target, info.iterations)


def sobol(
    scenario,
    inputs: ProjectionInputs,
    spec: UncertaintySpec,
    *,
    n: int = 1024,
    outcome: str = "deficit",
    year: int | None = None,
    seed: int | None = None,
) -> pd.DataFrame:
    """First-order and total Sobol indices of ``outcome`` (needs the optional package SALib).

    Each uncertain input is one factor (a growth holds for every year), sampled through its
    quantile function from SALib's Sobol sequence; ``n`` base samples give ``n (k + 2)`` cases.

    Parameters
    ----------
    scenario : Scenario
    inputs : ProjectionInputs
    spec : UncertaintySpec
    n : int, base samples (a power of 2)
    outcome : str, a declared outcome
    year : int, optional; default the horizon
    seed : int, optional
        Seeds both the Sobol sequence and the bootstrap of the confidence intervals, so the same
        seed (0 included) gives the same table; None draws afresh.

    Returns
    -------
    DataFrame ``input, S1, S1_conf, ST, ST_conf``, largest ``ST`` first.
    """
    try:
        from SALib.analyze import sobol as sobol_analyze
        from SALib.sample import sobol as sobol_sample
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(
            "Sobol indices need the optional package SALib: pip install SALib"
        ) from None
    names = list(spec.inputs)
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    u = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    u = np.clip(u, 1e-12, 1 - 1e-12)  # the Sobol sequence starts at 0; quantiles need (0, 1)
    values = {name: spec.inputs[name].ppf(u[:, i]) for i, name in enumerate(names)}
    y = outcome_values(scenario, inputs, values, u.shape[0], outcome, year)
    # SALib's analyze tests ``if seed:``, so seed 0 would fall back to numpy's global state: a
    # Generator is always truthy, and SALib's default_rng(Generator) draws the stream of ``seed``.
    resample = None if seed is None else np.random.default_rng(seed)
    res = sobol_analyze.analyze(
        problem, y, calc_second_order=False, print_to_console=False, seed=resample
    )
    table = pd.DataFrame(
        {
            "input": names,
            "S1": res["S1"],
            "S1_conf": res["S1_conf"],
            "ST": res["ST"],
            "ST_conf": res["ST_conf"],
        }
    )
    return table.sort_values("ST", ascending=False, kind="stable").reset_index(drop=True)
