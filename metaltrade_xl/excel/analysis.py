"""Excel functions for uncertainty, sensitivity and trade indicators (``MT_…``).

Re-exported by :mod:`metaltrade_xl.udfs`, the module xlwings points at; conventions as there:
values USD millions, rates fractions, range arguments taken ``"raw"`` and checked by
:mod:`metaltrade_xl.excel.args`, tables spilled with a header row.

The scenario functions take ``scenario`` exactly as ``MT_SCENARIO`` does (a bundled scenario's
name, a TOML path, or ``key | value`` cells); start values the scenario does not give come from
the bundled figures. Monte Carlo results are reproducible: the same seed and inputs give
bit-identical numbers. Without a ``seed`` argument the scenario's ``uncertainty.seed`` is used,
and without either every recalculation draws afresh.
"""

from __future__ import annotations

import sys
from itertools import chain

import numpy as np
import pandas as pd
import xlwings as xw

from metaltrade_xl.engine import ProjectionInputs, indicators, montecarlo, sensitivity
from metaltrade_xl.engine.inputs import INPUT_NAMES, INPUTS, OUTCOME_NAMES, expected
from metaltrade_xl.excel.args import (
    CATEGORY,
    MAX_CELLS,
    ExcelInputError,
    Numbers,
    aligned,
    bundled_figures,
    cells,
    check,
    elementwise,
    excel_errors,
    fail,
    frame_table,
    grid,
    is_blank,
    numbers,
    python_value,
    scalar,
    scenario_arg,
    series,
    summary_as_description,
    table,
    text,
    text_cells,
    whole,
)
from metaltrade_xl.scenarios import Scenario, resolve_inputs

#: Most Monte Carlo paths one cell may run (2024-2034: about 4 s and 0.7 GB); larger runs belong in
#: ``metaltrade run``.
MAX_PATHS = 1_000_000
#: Most paths x projected rows (base year to horizon): time and memory grow with both, so a long
#: horizon lowers the cap on paths (2024-2034, 11 rows: 1 000 000 paths; 2024-2040: 705 882).
MAX_PATH_YEARS = 12_000_000
#: The same caps in xlwings Lite (Python in the browser, ``sys.platform == "emscripten"``): one
#: thread, WebAssembly a few times slower than native code, 2 GB of memory for the whole workbook.
#: 100 000 paths take 0.4-0.5 s natively on one thread, so 250 000 answer in a few seconds there.
LITE_MAX_PATHS = 250_000
LITE_MAX_PATH_YEARS = 3_000_000
#: Most cells of an ``MT_GRID`` table (one projection per cell, evaluated at once).
MAX_GRID_CELLS = 100_000
#: Largest seed: Excel numbers are doubles, exact as whole numbers up to 2^53.
MAX_SEED = 2**53
_OUTCOME_DOC = "Optional. deficit (default), exports, imports, balance, gap_to_rival, …"

__all__ = [
    "MT_MONTECARLO",
    "MT_PROB_CLOSE",
    "MT_TORNADO",
    "MT_GRID",
    "MT_GOALSEEK",
    "MT_HHI",
    "MT_RCA",
    "MT_MARKET_SHARE",
    "MT_TOP_PARTNERS",
]


# --- arguments shared by the scenario functions --------------------------------------------------


def _scenario(value) -> tuple[Scenario, ProjectionInputs]:
    """The scenario and its resolved start values (from the bundled figures where not given)."""
    chosen = scenario_arg(value)
    inputs, _ = resolve_inputs(chosen, bundled_figures())
    return chosen, inputs


def _uncertainty(chosen: Scenario) -> montecarlo.UncertaintySpec:
    if chosen.uncertainty is None:
        raise fail(
            "scenario",
            f"'{chosen.name}' has no [uncertainty] section: add one to the TOML file, or rows "
            "such as uncertainty.exports.growth | normal(mean=0.2, sd=0.06) to the cells",
        )
    return chosen.uncertainty


def _choice(value, name: str, options: tuple[str, ...], default: str | None = None) -> str:
    """One of ``options`` (case-insensitive) from a text cell; an empty cell gives ``default``
    (an error when there is none)."""
    got = text(value, name, default=default)
    if got.lower() not in options:
        raise fail(name, f"expected one of {', '.join(options)}, got text '{got}'")
    return got.lower()


def _year(value, chosen: Scenario) -> int | None:
    base, horizon = int(chosen.base_year), int(chosen.horizon)
    return whole(value, "year", low=base, high=horizon, required=False)


def _path_cap(rows: int) -> tuple[int, str]:
    """Most paths a cell may run for ``rows`` projected rows, and where (for messages)."""
    if sys.platform == "emscripten":
        return min(LITE_MAX_PATHS, LITE_MAX_PATH_YEARS // rows), "in a cell in xlwings Lite"
    return min(MAX_PATHS, MAX_PATH_YEARS // rows), "in a cell"


def _paths(value, chosen: Scenario, spec: montecarlo.UncertaintySpec) -> int:
    base, horizon = int(chosen.base_year), int(chosen.horizon)
    cap, where = _path_cap(max(horizon - base + 1, 1))
    if is_blank(value):
        if spec.paths > cap:
            raise fail(
                "paths",
                f"the scenario asks for {spec.paths:,} paths, more than the {cap:,} allowed "
                f"{where} for {base}-{horizon}; give paths (e.g. 100000) or use `metaltrade run`",
            )
        return int(spec.paths)
    n = scalar(value, "paths")
    if n != round(n) or n < 1:
        raise fail("paths", f"expected a whole number >= 1, got {n:g}")
    if n > cap:
        raise fail(
            "paths",
            f"expected at most {cap:,} paths for {base}-{horizon} {where} (a larger run would "
            f"freeze the workbook), got {n:,.0f}; use `metaltrade run` for more",
        )
    return int(n)


def _seed(value) -> int | None:
    return whole(value, "seed", low=0, high=MAX_SEED, required=False)


def _simulate(scenario, paths, seed, outcomes=()):
    chosen, inputs = _scenario(scenario)
    spec = _uncertainty(chosen)
    n = _paths(paths, chosen, spec)
    result = montecarlo.simulate(chosen, inputs, spec, seed=_seed(seed), paths=n, outcomes=outcomes)
    return chosen, result


def _lever(value, name: str) -> str:
    return _choice(value, name, INPUT_NAMES)


def _lever_domain(arg: Numbers, lever: str) -> None:
    """Values a lever can take: its declared domain (rate, start value, share)."""
    domain = INPUTS[lever].domain
    ok = domain.contains(arg.values)
    if arg.blank is not None:
        ok = ok | arg.blank
    bad = arg.values.ravel()[int(np.argmin(np.ravel(ok)))] if not np.all(ok) else 0.0
    check(arg, ok, expected(domain, bad))


def _lever_values(value, name: str, lever: str) -> np.ndarray:
    arg = numbers(value, name)
    _lever_domain(arg, lever)
    return series(arg)


def _bound(value, name: str, lever: str) -> float | None:
    if is_blank(value):
        return None
    v = scalar(value, name)
    _lever_domain(numbers(v, name), lever)
    return v


# --- uncertainty and sensitivity -----------------------------------------------------------------


@summary_as_description
@xw.func(category=CATEGORY)
@xw.arg("scenario", "raw", doc="A bundled scenario's name, a .toml path, or key/value cells")
@xw.arg("outcome", "raw", doc=_OUTCOME_DOC)
@xw.arg("paths", "raw", doc="Optional. Paths to simulate, 1-1000000; default the scenario's")
@xw.arg("seed", "raw", doc="Optional. Random seed, a whole number >= 0; default the scenario's")
@xw.ret("raw")
def MT_MONTECARLO(scenario, outcome=None, paths=None, seed=None):
    """Spills a Monte Carlo fan: percentiles of an outcome per year (USD millions), with a header.

    The scenario's ``[uncertainty]`` section says which inputs are uncertain and how; they are
    sampled on every path and the projection is evaluated for each. Columns: ``year`` then one
    per percentile (default P5, P10, P50, P90, P95). The base year is observed data, so its
    percentiles coincide unless a start value is uncertain.

    Parameters
    ----------
    scenario : text or a two-column range
        As in ``MT_SCENARIO``; it must have an ``[uncertainty]`` section (in cells: rows such as
        ``uncertainty.exports.growth | normal(mean=0.2, sd=0.06)``).
    outcome : text, optional
        ``deficit`` (default), ``exports``, ``imports``, ``gap_to_rival`` (rival − exports),
        ``balance``, ``rival_exports``, ``imports_before_substitution`` or
        ``substitution_effect``: every outcome the other functions accept.
    paths : whole number, 1..1 000 000, optional
        Default: the scenario's ``uncertainty.paths``. A cell runs at most 1 000 000 paths
        (fewer beyond an 11-year horizon: paths × years is capped at 12 million), so that it
        answers in seconds.
    seed : whole number >= 0, optional
        Default: the scenario's ``uncertainty.seed``; without either, each recalculation draws
        afresh. The same seed and inputs give bit-identical results.

    Examples
    --------
    >>> t = MT_MONTECARLO("uncertain_export_push", "deficit", 2000, 1)
    >>> t[0]
    ['year', 'P5', 'P10', 'P50', 'P90', 'P95']
    >>> t[1][0], round(t[1][3], 6)  # 2025 starts from the data: (19548 - 727) x 12/11
    (2025, 20532.0)
    >>> all(r[1] <= r[3] <= r[5] for r in t[1:])
    True
    """
    with excel_errors("MT_MONTECARLO"):
        what = _choice(outcome, "outcome", OUTCOME_NAMES, default="deficit")
        _, result = _simulate(scenario, paths, seed, outcomes=(what,))
        fan = result.fan(what)
        return frame_table(fan)


@summary_as_description
@xw.func(category=CATEGORY)
@xw.arg("scenario", "raw", doc="A bundled scenario's name, a .toml path, or key/value cells")
@xw.arg("year", "raw", doc="Optional. Reach the rival by this year; default the horizon")
@xw.arg("paths", "raw", doc="Optional. Paths to simulate, 1-1000000; default the scenario's")
@xw.arg("seed", "raw", doc="Optional. Random seed, a whole number >= 0; default the scenario's")
@xw.ret("raw")
def MT_PROB_CLOSE(scenario, year=None, paths=None, seed=None):
    """Spills the probability that exports reach the rival by a year, and its standard error.

    The share of simulated paths on which exports equal or pass the rival's in some year up to
    ``year``; its Monte Carlo standard error is √(p (1 − p) / paths). One header row
    (``year, probability, standard_error``) and one row of values (fractions).

    Parameters
    ----------
    scenario : text or a two-column range
        As in ``MT_SCENARIO``, with an ``[uncertainty]`` section.
    year : whole number, base year..horizon, optional (default the horizon)
    paths : whole number, 1..1 000 000, optional (default the scenario's)
    seed : whole number >= 0, optional (default the scenario's)

    Examples
    --------
    >>> MT_PROB_CLOSE("uncertain_export_push", 2030, 2000, 1)
    [['year', 'probability', 'standard_error'], [2030, 0.0, 0.0]]
    """
    with excel_errors("MT_PROB_CLOSE"):
        chosen, inputs = _scenario(scenario)
        spec = _uncertainty(chosen)
        by = _year(year, chosen)
        by = int(chosen.horizon) if by is None else by
        n = _paths(paths, chosen, spec)
        result = montecarlo.simulate(chosen, inputs, spec, seed=_seed(seed), paths=n)
        row = result.reach[result.reach["year"] == by].iloc[0]
        return table(
            ("year", "probability", "standard_error"),
            ([by], [row["p_reached_by"]], [row["se_reached_by"]]),
        )


@summary_as_description
@xw.func(category=CATEGORY)
@xw.arg("scenario", "raw", doc="A bundled scenario's name, a .toml path, or key/value cells")
@xw.arg("outcome", "raw", doc=_OUTCOME_DOC)
@xw.arg("year", "raw", doc="Optional. Year of the outcome; default the horizon")
@xw.ret("raw")
def MT_TORNADO(scenario, outcome=None, year=None):
    """Spills a tornado: each uncertain input at its P10 and P90, the others at their medians.

    One row per uncertain input of the scenario's ``[uncertainty]`` section, largest swing
    first: ``input, low_value, high_value, outcome_low, outcome_high, base, swing``. ``base`` is
    the outcome with every input at its median, ``swing`` = |outcome_high − outcome_low| (USD
    millions). A growth holds for every projected year. No random draws: the result is exact.
    The scenario sheets and the JSON show the other tornado, on the simulation's own draws
    (each input drawn as ``MT_MONTECARLO`` draws it), whose swings compare with the fan.

    Parameters
    ----------
    scenario : text or a two-column range
        As in ``MT_SCENARIO``, with an ``[uncertainty]`` section.
    outcome : text, optional
        ``deficit`` (default), ``exports``, ``imports``, ``balance``, ``gap_to_rival``,
        ``rival_exports``, ``imports_before_substitution`` or ``substitution_effect``.
    year : whole number, base year..horizon, optional (default the horizon)

    Examples
    --------
    >>> t = MT_TORNADO("uncertain_export_push")
    >>> t[0][:3], [r[0] for r in t[1:3]]
    (['input', 'low_value', 'high_value'], ['imports.growth', 'exports.growth'])
    """
    with excel_errors("MT_TORNADO"):
        what = _choice(outcome, "outcome", OUTCOME_NAMES, default="deficit")
        chosen, inputs = _scenario(scenario)
        spec = _uncertainty(chosen)
        t = sensitivity.tornado(chosen, inputs, spec, outcome=what, year=_year(year, chosen))
        return frame_table(t)


@summary_as_description
@xw.func(category=CATEGORY)
@xw.arg("scenario", "raw", doc="A bundled scenario's name, a .toml path, or key/value cells")
@xw.arg("lever_x", "raw", doc="Input across the columns, e.g. exports.growth")
@xw.arg("values_x", "raw", doc="Its values: a row or a column of numbers")
@xw.arg("lever_y", "raw", doc="Input down the rows, e.g. substitution.share")
@xw.arg("values_y", "raw", doc="Its values: a row or a column of numbers")
@xw.arg("outcome", "raw", doc=_OUTCOME_DOC)
@xw.arg("year", "raw", doc="Optional. Year of the outcome; default the horizon")
@xw.ret("raw")
def MT_GRID(scenario, lever_x, values_x, lever_y, values_y, outcome=None, year=None):
    """Spills a two-way table of an outcome for every pair of values of two inputs (Data Table).

    The top-left cell names the levers (``lever_y ↓ lever_x →``), the first row holds
    ``values_x``, the first column ``values_y``, and each cell the outcome (USD millions) of the
    scenario with those two inputs set. A growth set here holds for every projected year and
    replaces the scenario's (a rate table or ``to_close`` included).

    Parameters
    ----------
    scenario : text or a two-column range
        As in ``MT_SCENARIO``.
    lever_x, lever_y : text
        Two different model inputs: ``exports.growth``, ``imports.growth``, ``rival.growth``,
        ``exports.start``, ``imports.start``, ``rival.start``, ``substitution.share``,
        ``substitution.import_content``, ``substitution.origin_share`` (the last three need a
        ``[substitution]`` section).
    values_x, values_y : row or column of numbers
        Growth rates > -1, start values > 0 (USD millions), shares 0..1. At most 100 000 cells in
        all (rows × columns).
    outcome : text, optional
        As in ``MT_TORNADO``; default ``deficit``.
    year : whole number, base year..horizon, optional (default the horizon)

    Examples
    --------
    >>> cells = [["base_year", 2024], ["horizon", 2025], ["exports.growth", 0],
    ...     ["exports.start", 100], ["imports.growth", 0], ["imports.start", 300],
    ...     ["rival.name", "Chile"], ["rival.growth", 0], ["rival.start", 400]]
    >>> MT_GRID(cells, "exports.growth", [[0, 1]], "imports.growth", [[0], [0.5]])
    [['imports.growth ↓ exports.growth →', 0.0, 1.0], [0.0, 200.0, 100.0], [0.5, 350.0, 250.0]]
    """
    with excel_errors("MT_GRID"):
        lx, ly = _lever(lever_x, "lever_x"), _lever(lever_y, "lever_y")
        if lx == ly:
            raise fail("lever_y", f"expected a lever other than lever_x ({lx}), got the same")
        vx = _lever_values(values_x, "values_x", lx)
        vy = _lever_values(values_y, "values_y", ly)
        if vx.size * vy.size > MAX_GRID_CELLS:
            raise fail(
                "values_x, values_y",
                f"too large: {vy.size:,} x {vx.size:,} = {vx.size * vy.size:,} cells, expected "
                f"at most {MAX_GRID_CELLS:,}",
            )
        what = _choice(outcome, "outcome", OUTCOME_NAMES, default="deficit")
        chosen, inputs = _scenario(scenario)
        at = _year(year, chosen)
        g = sensitivity.grid(chosen, inputs, lx, vx, ly, vy, outcome=what, year=at)
        body = cells(g.to_numpy(), g.shape)
        header = [f"{ly} ↓ {lx} →"] + [python_value(v) for v in vx]
        return [header] + [[python_value(y)] + row for y, row in zip(vy, body, strict=True)]


@summary_as_description
@xw.func(category=CATEGORY)
@xw.arg("scenario", "raw", doc="A bundled scenario's name, a .toml path, or key/value cells")
@xw.arg("lever", "raw", doc="The input to solve for, e.g. exports.growth or substitution.share")
@xw.arg("target", "raw", doc="The value the outcome must reach (USD millions)")
@xw.arg("outcome", "raw", doc=_OUTCOME_DOC)
@xw.arg("year", "raw", doc="Optional. Year of the outcome; default the horizon")
@xw.arg("low", "raw", doc="Optional. Lowest value of the lever to search; give with high")
@xw.arg("high", "raw", doc="Optional. Highest value of the lever to search; give with low")
@xw.ret("raw")
def MT_GOALSEEK(scenario, lever, target, outcome=None, year=None, low=None, high=None):
    """The value of one input that makes an outcome in a year equal a target (Goal Seek).

    The lever's range is scanned for a sign change, then refined with Brent's method; a target
    out of reach is an error giving the range the outcome spans. A growth found holds for every
    projected year (replacing the scenario's).

    Parameters
    ----------
    scenario : text or a two-column range
        As in ``MT_SCENARIO``.
    lever : text
        One model input, as in ``MT_GRID`` (``exports.growth``, ``substitution.share``, …).
    target : number, USD millions
    outcome : text, optional
        As in ``MT_TORNADO``; default ``deficit``.
    year : whole number, base year..horizon, optional (default the horizon)
    low, high : number, optional
        The range searched; give both or neither. Default: growth rates -0.5..1, shares 0..1,
        start values 1/100 to 100 times the scenario's.

    Examples
    --------
    The export growth that closes the gap with Chile (growing 3 %) in 2034, from 2025's
    727 x 12/11 and Chile's 4 000 x 1.03, as ``MT_GROWTH_TO_CLOSE(727*12/11, 4120, 9, 0.03)``:
    (4 000 x 1.03^10 / 793.09)^(1/9) - 1 = 0.23693

    >>> round(MT_GOALSEEK("close_chile_2034", "exports.growth", 0, "gap_to_rival")[0][0], 5)
    0.23693
    """
    with excel_errors("MT_GOALSEEK"):
        name = _lever(lever, "lever")
        goal = scalar(target, "target")
        what = _choice(outcome, "outcome", OUTCOME_NAMES, default="deficit")
        lo, hi = _bound(low, "low", name), _bound(high, "high", name)
        if (lo is None) != (hi is None):
            missing = "high" if hi is None else "low"
            raise fail(
                missing, "expected a number when the other bound is given, got an empty cell"
            )
        bounds = None
        if lo is not None:
            if not lo < hi:
                raise fail("high", f"expected a value above low ({lo:g}), got {hi:g}")
            bounds = (lo, hi)
        chosen, inputs = _scenario(scenario)
        found = sensitivity.goal_seek(
            chosen, inputs, name, goal, outcome=what, year=_year(year, chosen), bounds=bounds
        )
        return [[found.value]]


# --- indicators ----------------------------------------------------------------------------------


def _at_most(a: Numbers, b: Numbers, shape, blank_rows) -> None:
    """``a <= b`` cell by cell (a relative tolerance of 1e-9 for rounding), naming the cell."""
    ok = np.broadcast_to(a.values <= b.values * (1 + 1e-9), shape) | blank_rows[:, None]
    if ok.all():
        return
    r, c = divmod(int(np.argmin(ok.ravel())), shape[1])
    av, bv = np.broadcast_to(a.values, shape)[r, c], np.broadcast_to(b.values, shape)[r, c]
    where = None if shape == (1, 1) else (r + 1, c + 1)
    raise fail(a.name, f"expected at most {b.name} ({bv:g}), got {av:g}", where)


@summary_as_description
@xw.func(category=CATEGORY)
@xw.arg("values", "raw", doc="Values (or shares) by partner, >= 0: a row or a column")
@xw.arg("multiplier", "raw", doc="Optional. 1 (default) gives 0-1; 10000 gives HHI points")
@xw.arg("total", "raw", doc="Optional. Total the values are part of; default their sum")
@xw.ret("raw")
def MT_HHI(values, multiplier=None, total=None):
    """Herfindahl–Hirschman index of concentration: the sum of squared shares.

    Shares are each value over ``total`` (default the sum of ``values``). With the default,
    ``1 / HHI`` is the equivalent number of equal-sized partners; with ``multiplier`` 10 000 the
    index is in the points competition authorities use (above 2 500: highly concentrated).
    Given a ``total`` (e.g. all imports) larger than the partners listed, the rest counts as
    many small partners: a lower bound. Lump the rest as one value for the upper bound.

    Parameters
    ----------
    values : row or column of numbers >= 0, USD millions or shares (not all zero)
        Empty cells at the end are ignored.
    multiplier : number > 0, optional (default 1)
        (Not named "scale", a reserved word in VBA, the language of the desktop wrapper.)
    total : number, optional
        At least the sum of ``values``, in the same unit (1 or 100 for shares).

    Examples
    --------
    Peru's four largest import origins, January-November 2025 (China 42.6 %, United States
    11.6 %, Brazil 6.8 %, Mexico 4.1 %, of all imports): 0.426² + 0.116² + 0.068² + 0.041²

    >>> round(MT_HHI([[0.426], [0.116], [0.068], [0.041]], 1, 1)[0][0], 6)
    0.201237
    >>> MT_HHI([[50], [50]])
    [[0.5]]
    """
    with excel_errors("MT_HHI"):
        v = numbers(values, "values")
        check(v, v.values >= 0, "a value >= 0")
        arr = series(v)
        if not arr.sum() > 0:
            raise fail("values", "expected at least one value > 0, got all zero")
        s = scalar(multiplier, "multiplier", default=1.0, required=False)
        if s <= 0:
            raise fail("multiplier", f"expected a value > 0, got {s:g}")
        index = indicators.hhi(arr, scale=s)
        if not is_blank(total):
            t = scalar(total, "total")
            if t < arr.sum() * (1 - 1e-9):
                raise fail(
                    "total", f"expected at least the sum of values ({arr.sum():g}), got {t:g}"
                )
            index *= (arr.sum() / t) ** 2  # sum((v / t)^2) = hhi(v) * (sum(v) / t)^2
        return [[float(index)]]


@summary_as_description
@xw.func(category=CATEGORY)
@xw.arg("sector_exports", "raw", doc="The country's exports of the sector, USD mn, >= 0")
@xw.arg("total_exports", "raw", doc="The country's exports of all goods, USD mn, > 0")
@xw.arg("world_sector_exports", "raw", doc="World exports of the sector, USD mn, > 0")
@xw.arg("world_total_exports", "raw", doc="World exports of all goods, USD mn, > 0")
@xw.ret("raw")
def MT_RCA(sector_exports, total_exports, world_sector_exports, world_total_exports):
    """Balassa revealed comparative advantage, (x_cs / x_c) / (x_ws / x_w), cell by cell.

    Above 1 the country exports relatively more of the sector than the world does. Each argument
    is a number or a range; ranges must share one shape (a single number pairs with every cell).

    Parameters
    ----------
    sector_exports : number or range, USD millions, >= 0 and at most total_exports
    total_exports : number or range, USD millions, > 0
    world_sector_exports : number or range, USD millions, > 0 and at most world_total_exports
    world_total_exports : number or range, USD millions, > 0

    Examples
    --------
    Sector exports 1 % of a country's exports, against 37.5 % for the world:

    >>> round(MT_RCA(750, 75000, 9000000, 24000000)[0][0], 4)
    0.0267
    """
    with excel_errors("MT_RCA"):
        xs, xt = numbers(sector_exports, "sector_exports"), numbers(total_exports, "total_exports")
        ws = numbers(world_sector_exports, "world_sector_exports")
        wt = numbers(world_total_exports, "world_total_exports")
        check(xs, xs.values >= 0, "a value >= 0")
        for a in (xt, ws, wt):
            check(a, a.values > 0, "a value > 0")
        shape, blank = aligned(xs, xt, ws, wt)
        _at_most(xs, xt, shape, blank)
        _at_most(ws, wt, shape, blank)
        return cells(*elementwise(indicators.rca, xs, xt, ws, wt))


@summary_as_description
@xw.func(category=CATEGORY)
@xw.arg("exports", "raw", doc="Exports, USD millions, >= 0: a number or a range")
@xw.arg("world_exports", "raw", doc="World exports of the same goods and period, USD mn, > 0")
@xw.ret("raw")
def MT_MARKET_SHARE(exports, world_exports):
    """World market share, exports / world exports of the same goods, cell by cell (a fraction).

    Parameters
    ----------
    exports : number or range, USD millions, >= 0 and at most world_exports
    world_exports : number or range of the same shape, USD millions, > 0

    Examples
    --------
    Peru's share of world metal-mechanical exports in 2024 (750 of USD 9 trillion):

    >>> MT_MARKET_SHARE(750, 9000000)[0][0] == 750 / 9000000
    True
    """
    with excel_errors("MT_MARKET_SHARE"):
        x, w = numbers(exports, "exports"), numbers(world_exports, "world_exports")
        check(x, x.values >= 0, "a value >= 0")
        check(w, w.values > 0, "a value > 0")
        shape, blank = aligned(x, w)
        _at_most(x, w, shape, blank)
        return cells(*elementwise(indicators.market_share, x, w))


def _partner_names(value, size: int) -> tuple[list, np.ndarray]:
    """Partner names (text, or numbers such as country codes, as text); None where empty."""
    flat, shape, _ = grid(value, "partners")
    if min(shape) != 1 or len(flat) != size:
        raise ExcelInputError(
            f"partners and current: expected ranges of the same shape, got {shape[0]} x "
            f"{shape[1]} and {size} cells"
        )
    names = []
    for i, cell in enumerate(chain.from_iterable(text_cells(value, "partners"))):
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            names.append(None)
        elif isinstance(cell, bool):
            raise fail(
                "partners", f"expected a partner name, got a boolean ({cell})", _cell(i, shape)
            )
        else:
            names.append(cell.strip() if isinstance(cell, str) else f"{cell:g}")
    return names, np.array([v is None for v in names])


def _empty(arg: Numbers) -> np.ndarray:
    return np.zeros(arg.values.size, dtype=bool) if arg.blank is None else arg.blank.ravel()


def _cell(i: int, shape) -> tuple[int, int] | None:
    """The 1-based (row, column) of the ``i``-th cell of a one-row or one-column range."""
    if shape == (1, 1):
        return None
    return (1, i + 1) if shape[0] == 1 else (i + 1, 1)


@summary_as_description
@xw.func(category=CATEGORY)
@xw.arg("partners", "raw", doc="Partner names: a column (or row)")
@xw.arg("current", "raw", doc="Their values in the period of interest, USD millions, >= 0")
@xw.arg("previous", "raw", doc="Optional. Their values a period earlier (0 = absent then)")
@xw.arg("n", "raw", doc="Optional. How many partners to list; default 5")
@xw.arg("total", "raw", doc="Optional. Total for the shares (e.g. World); default the sum")
@xw.ret("raw")
def MT_TOP_PARTNERS(partners, current, previous=None, n=None, total=None):
    """Spills the largest partners: ``rank, partner, value, share, growth``, with a header row.

    Partners are ranked by ``current``; ``share`` is value / total and ``growth`` value /
    previous − 1 (fractions). Growth is left empty for a partner whose previous value is 0 (a new
    market has no growth rate) and when ``previous`` is not given.

    Parameters
    ----------
    partners : column or row of text (numbers such as country codes are read as text)
    current : column or row of numbers >= 0, the same shape, USD millions
    previous : column or row of numbers >= 0, the same shape, USD millions, optional
        Type 0 for a partner absent in the previous period.
    n : whole number >= 1, optional (default 5)
    total : number, USD millions, optional
        The World total, when the partners listed do not cover all trade; default their sum.

    Returns
    -------
    A header row and ``min(n, partners)`` rows. Rows empty in every range are left out.

    Examples
    --------
    Peru's first export destinations, January-November 2025 (Chile +30.6 %, United States
    +15.9 %), from values a year apart:

    >>> t = MT_TOP_PARTNERS([["Chile"], ["United States"]], [[130.6], [115.9]], [[100], [100]])
    >>> t[0]
    ['rank', 'partner', 'value', 'share', 'growth']
    >>> [[r[0], r[1], round(r[4], 3)] for r in t[1:]]
    [[1, 'Chile', 0.306], [2, 'United States', 0.159]]
    """
    with excel_errors("MT_TOP_PARTNERS"):
        cur = numbers(current, "current")
        check(cur, cur.values >= 0, "a value >= 0")
        shape = cur.shape
        if min(shape) != 1:
            raise fail("current", f"expected a single column or row, got {shape[0]} x {shape[1]}")
        names, no_name = _partner_names(partners, cur.values.size)
        given = [("partners", no_name, None), ("current", _empty(cur), cur.values.ravel())]
        if not is_blank(previous):
            prev = numbers(previous, "previous")
            check(prev, prev.values >= 0, "a value >= 0")
            if prev.shape != shape:
                raise ExcelInputError(
                    f"current and previous: expected ranges of the same shape, got "
                    f"{shape[0]} x {shape[1]} and {prev.shape[0]} x {prev.shape[1]}"
                )
            given.append(("previous", _empty(prev), prev.values.ravel()))
        # A position empty in every range (rows selected below the data) is left out; any other
        # empty cell is an error naming it.
        empty = np.logical_and.reduce([mask for _, mask, _ in given])
        for name, mask, _ in given:
            stray = np.flatnonzero(mask & ~empty)
            if stray.size:
                what = "a partner name" if name == "partners" else "a number"
                raise fail(name, f"expected {what}, got an empty cell", _cell(stray[0], shape))
        keep = np.flatnonzero(~empty)
        if not keep.size:
            raise fail("current", "expected at least one partner, got only empty cells")
        index = [names[i] for i in keep]
        seen: dict = {}
        for i, name in zip(keep, index, strict=True):
            if name in seen:
                lines = "columns" if shape[0] == 1 else "rows"
                raise fail(
                    "partners",
                    f"'{name}' appears twice, in {lines} {seen[name] + 1} and {i + 1} of the range",
                )
            seen[name] = int(i)
        cur_s = pd.Series(given[1][2][keep], index=index)
        prev_s = pd.Series(given[2][2][keep], index=index) if len(given) == 3 else None
        top = whole(n, "n", low=1, high=MAX_CELLS, default=5, required=False)
        t = scalar(total, "total", required=False)
        if t is not None and t <= 0:
            raise fail("total", f"expected a value > 0, got {t:g}")
        out = indicators.top_partners(cur_s, prev_s, n=top, total=t)
        cols = ("rank", "partner", "value", "share", "growth")
        return frame_table(out, cols)
