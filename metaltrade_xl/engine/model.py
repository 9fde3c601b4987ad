"""The scenario model, written once: a scenario and start values -> yearly outcomes on paths.

:func:`evaluate` compounds exports, imports and the rival for ``width`` paths at once on arrays of
shape ``(years, paths)`` and applies the import substitution. The deterministic projection
(:func:`metaltrade_xl.engine.projection.project`) is this model on one path; the Monte Carlo
(:func:`metaltrade_xl.engine.montecarlo.simulate`), the tornado, the grid and goal seek
(:mod:`metaltrade_xl.engine.sensitivity`) evaluate it on many. The ``"to_close"`` export growth is
solved by :func:`metaltrade_xl.engine.catchup.growth_to_close`.

A growth is a rate (one for every year), a mapping ``{year: rate}`` covering every projected year
(the rate of year ``t`` takes year ``t − 1`` to ``t``), or, for exports, ``"to_close"``: the
constant rate that makes exports equal the rival's in the horizon year.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping

import numpy as np

from metaltrade_xl.engine._validate import InputError, as_fraction, as_positive, as_rate
from metaltrade_xl.engine.catchup import growth_to_close
from metaltrade_xl.engine.inputs import INPUT_NAMES, INPUTS
from metaltrade_xl.engine.scenario import TO_CLOSE, ProjectionInputs
from metaltrade_xl.engine.substitution import phase_in


def yearly_rates(growth, years: np.ndarray, name: str) -> np.ndarray:
    """One growth rate per projected year from a rate or a ``{year: rate}`` mapping.

    Examples
    --------
    >>> yearly_rates({2025: 0.1, 2026: 0.2}, np.array([2025, 2026]), "exports.growth").tolist()
    [0.1, 0.2]
    """
    if isinstance(growth, Mapping):
        missing = [int(y) for y in years if int(y) not in growth]
        if missing:
            raise InputError(
                f"{name}: the table of rates has no rate for {_years_text(missing)}; "
                f"give one for every year {years[0]}-{years[-1]}"
            )
        rates = np.array([growth[int(y)] for y in years], dtype=float)
        as_rate(rates, name)
        return rates
    if isinstance(growth, str):
        raise InputError(f"{name}: expected a rate or a table of yearly rates, got {growth!r}")
    return np.full(years.shape, as_rate(growth, name), dtype=float)


def _years_text(years: list[int]) -> str:
    return ", ".join(map(str, years[:5])) + (" …" if len(years) > 5 else "")


def _base_rates(scenario, years) -> dict:
    out = {}
    for key in ("exports", "imports", "rival"):
        g = getattr(scenario, key).growth
        if key == "exports" and isinstance(g, str) and g == TO_CLOSE:
            out[key] = TO_CLOSE
        else:
            out[key] = yearly_rates(g, years, f"{key}.growth")[:, None]
    return out


#: The last scenario and start values :func:`_checked_rates` accepted (copies) and their rates.
_LAST_CHECKED: tuple | None = None


def _checked_rates(scenario, inputs) -> dict:
    """:func:`_base_rates` of the scenario's projected years, after checking the scenario and the
    start values on one path (:func:`evaluate`, whose errors name the input); a run with the same
    scenario and start values as the last one (equal, not only the same objects: an
    ``MT_MONTECARLO`` cell rebuilds them on every recalculation) reuses that check."""
    global _LAST_CHECKED
    last = _LAST_CHECKED
    try:
        same = last is not None and bool(last[0] == scenario) and bool(last[1] == inputs)
    except Exception:  # a field that does not compare as one truth value: check again
        same = False
    if same:
        return last[2]
    base, horizon = int(scenario.base_year), int(scenario.horizon)
    rates = _base_rates(scenario, np.arange(base + 1, horizon + 1))
    evaluate(scenario, inputs, _rates=rates)
    for v in rates.values():
        if isinstance(v, np.ndarray):
            v.flags.writeable = False  # shared by later runs
    try:
        _LAST_CHECKED = (copy.deepcopy(scenario), copy.deepcopy(inputs), rates)
    except Exception:  # a field that cannot be copied: no reuse, every run checks again
        _LAST_CHECKED = None
    return rates


#: Paths from which :func:`_compound` goes row by row (below, fewer calls win over the cache).
_ROWWISE = 2048


def _compound(start, rates: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``start * [1, cumprod(1 + rates)]`` along axis 0, as in ``projection._compound``.

    ``out`` (shape ``(years, paths)``, may be a strided view) receives the result, so
    :func:`simulate` compounds straight into its result buffer instead of copying a temporary.
    """
    rates = np.atleast_2d(rates.T).T if rates.ndim == 1 else rates
    f = np.empty((rates.shape[0] + 1, rates.shape[1])) if out is None else out
    f[0] = 1.0
    if f.shape[1] >= _ROWWISE and (np.ndim(start) == 0 or np.shape(start) == f.shape[1:]):
        # Row by row, each step while its rows are still in cache (one pass over the table
        # instead of three): the same operations on every element, in the same order.
        for t in range(1, f.shape[0]):
            np.add(1.0, rates[t - 1], out=f[t])
            if t >= 2:
                np.multiply(f[t], f[t - 1], out=f[t])
            np.multiply(start, f[t - 1], out=f[t - 1])
        np.multiply(start, f[-1], out=f[-1])
        return f
    np.add(1.0, rates, out=f[1:])
    # The running product row by row is np.cumprod(axis=0) bit for bit, and ~4x faster on
    # (years, paths) blocks: each step is one vectorised multiply over all paths.
    for t in range(2, f.shape[0]):
        np.multiply(f[t], f[t - 1], out=f[t])
    if out is None and np.ndim(start) != 0:
        return start * f  # per-path starts may widen a shared (years, 1) factor
    return np.multiply(start, f, out=f)  # the same elementwise product as ``start * f``


def _compound_row(start, rates: np.ndarray, row: int) -> np.ndarray:
    """Row ``row`` of :func:`_compound` alone, shape ``(1, paths)``: the same products, in the
    same order, without the rows before it (the tornado and goal seek need one year)."""
    rates = np.atleast_2d(rates.T).T if rates.ndim == 1 else rates
    f = np.ones((1, rates.shape[1]))
    if row >= 1:
        np.add(1.0, rates[0:1], out=f)
        for t in range(1, row):
            np.multiply(np.add(1.0, rates[t : t + 1]), f, out=f)
    if np.ndim(start) != 0:
        return start * f
    return np.multiply(start, f, out=f)


def evaluate(
    scenario,
    inputs: ProjectionInputs,
    values: Mapping | None = None,
    width: int = 1,
    *,
    _rates=None,
    _out: Mapping | None = None,
    _checked: bool = False,
    _used: dict | None = None,
    _row: int | None = None,
) -> dict:
    """The projection for ``width`` paths at once, each input taken from ``values`` or the scenario.

    Parameters
    ----------
    scenario : Scenario
    inputs : ProjectionInputs
    values : mapping of input name -> value
        A yearly growth is a scalar, shape ``(width,)`` (the same rate every year) or
        ``(years - 1, width)``; any other input a scalar or shape ``(width,)``. A growth given here
        replaces the scenario's (a rate table or ``"to_close"`` included).
    width : int, number of paths
    _out : internal; mapping of output name -> array of shape (years, width) written in place
        (``exports``, ``imports``, ``deficit``, ``gap_to_rival``, ``rival_exports``), so
        :func:`simulate` fills its buffers without temporaries. ``gap_to_rival`` is then only
        computed when it is in ``_out``, and outputs that do not vary by path are returned as
        computed (e.g. shape ``(years, 1)``), not as broadcast views.
    _checked : internal; the growths in ``values`` are known to be above -1 (simulate's draws,
        already checked by ``sampling._check_growth``), so the per-block scan is skipped.
    _row : internal; only this row (0 = the base year) of every output, shape ``(1, width)``:
        the numbers of that row of the full table, bit for bit, for a fraction of the work.
    _used : internal; when a dict, receives the yearly rates used, shape ``(years - 1, width)``
        or broadcastable to it, under ``exports.growth``, ``imports.growth``, ``rival.growth``
        (a solved ``"to_close"`` rate included).

    Returns
    -------
    dict of ndarray, shape (years, width)
        ``exports, imports_before_substitution, substituted`` (gross imports replaced),
        ``substitution_effect`` (the deficit cut, net of the substitute's import content),
        ``imports, deficit, rival_exports, gap_to_rival``; ``project(...).table`` is these
        columns for one path.

    Examples
    --------
    >>> from metaltrade_xl.scenarios import scenario_from_dict
    >>> s = scenario_from_dict({"name": "d", "base_year": 2024, "horizon": 2026,
    ...     "exports": {"growth": 0.1}, "imports": {"growth": 0.0},
    ...     "rival": {"name": "Chile", "growth": 0.0}})
    >>> out = evaluate(s, ProjectionInputs(100, 200, 400), {"exports.growth": [0.1, 1.0]}, 2)
    >>> out["exports"][-1].round(6).tolist(), out["deficit"][-1].round(6).tolist()
    ([121.0, 400.0], [79.0, -200.0])
    """
    values = dict(values or {})
    for k in values:
        if k not in INPUT_NAMES:
            raise InputError(f"{k}: not a model input; expected one of {', '.join(INPUT_NAMES)}")
    base, horizon = int(scenario.base_year), int(scenario.horizon)
    years = np.arange(base + 1, horizon + 1)
    n = years.size
    rates = _base_rates(scenario, years) if _rates is None else _rates

    def start(key, default):
        v = values.get(f"{key}.start", default)
        if isinstance(v, (int, float)) and v > 0 and math.isfinite(v):
            return float(v)  # the common case, checked without building an array
        return as_positive(v if np.ndim(v) == 0 else np.asarray(v, dtype=float), f"{key}.start")

    def growth(key):
        if f"{key}.growth" not in values:
            return rates[key]
        g = np.asarray(values[f"{key}.growth"], dtype=float)
        if not _checked and g.size and not g.min() > -1:  # also catches NaN
            raise InputError(f"{key}.growth: expected rates above -1 (-100 %), got {g.min():g}")
        g = g.reshape(1, -1) if g.ndim <= 1 else g
        if g.shape[0] not in (1, n):
            raise InputError(f"{key}.growth: expected {n} yearly rows, got {g.shape[0]}")
        return g if g.shape[0] == n else np.broadcast_to(g, (n, g.shape[1]))

    x0 = start("exports", inputs.exports_start)
    m0 = start("imports", inputs.imports_start)
    r0 = start("rival", inputs.rival_start)
    outs = _out or {}
    sub = scenario.substitution

    def compound(start, rates, out=None):
        return _compound(start, rates, out) if _row is None else _compound_row(start, rates, _row)

    rival = compound(r0, growth("rival"), outs.get("rival_exports"))
    # Without substitution imports are imports_before (x - 0.0 is x bit for bit): compound them
    # straight into the caller's buffer.
    imports_before = compound(m0, growth("imports"), outs.get("imports") if sub is None else None)
    g = growth("exports")
    if isinstance(g, str):  # to_close: the constant rate reaching this path's rival at the horizon
        at_horizon = rival if _row is None else _compound_row(r0, growth("rival"), n)
        solved = growth_to_close(x0, at_horizon[-1], n)
        g = np.broadcast_to(solved, (n, np.size(solved)))
    exports = compound(x0, g, outs.get("exports"))
    if _used is not None:
        _used.update({"exports.growth": g, "imports.growth": growth("imports"),
                      "rival.growth": growth("rival")})  # fmt: skip

    if sub is None:
        if any(INPUTS[k].section == "substitution" for k in values):
            raise InputError("substitution: the scenario has no [substitution] to vary")
        effect = gross = np.zeros((1, 1))
        imports = imports_before
    else:
        share = as_fraction(values.get("substitution.share", sub.share), "substitution.share")
        content = as_fraction(
            values.get("substitution.import_content", sub.import_content),
            "substitution.import_content",
        )
        origin = as_fraction(
            values.get("substitution.origin_share", inputs.origin_share),
            "substitution.origin_share",
        )
        phase = phase_in(np.arange(base, horizon + 1), sub.start_year, sub.phase_in_years)[:, None]
        phase = phase if _row is None else phase[_row : _row + 1]
        # Same operations, in the same order, as substitution.substitution_path (in place where
        # the shapes allow: on Monte Carlo chunks each temporary is a megabyte of fresh pages).
        ps = phase * share
        gross = origin * imports_before
        same = np.broadcast_shapes(np.shape(ps), gross.shape) == gross.shape
        gross = np.multiply(ps, gross, out=gross if same else None)
        effect = gross * content
        same = effect.shape == gross.shape
        effect = np.subtract(gross, effect, out=effect if same else None)
        imports = np.subtract(imports_before, effect, out=outs.get("imports"))
    shape = (n + 1 if _row is None else 1, width)
    full = {
        "exports": exports,
        "imports_before_substitution": imports_before,
        "substituted": gross,
        "substitution_effect": effect,
        "imports": imports,
        "deficit": np.subtract(imports, exports, out=outs.get("deficit")),
        "rival_exports": rival,
    }
    if _out is None or "gap_to_rival" in _out:
        full["gap_to_rival"] = np.subtract(rival, exports, out=outs.get("gap_to_rival"))
    if _out is not None:
        return full  # simulate's blocks: arrays as computed, broadcastable to (years, width)
    try:
        # Full-size arrays as they are: broadcast_to costs ~10 us a call, per block and outcome.
        return {k: v if v.shape == shape else np.broadcast_to(v, shape) for k, v in full.items()}
    except ValueError:
        raise InputError(f"values: expected arrays with {width} paths") from None
