"""Catching up: the growth needed to reach a rival by a year, and the years needed at a given growth.

The rival is itself growing: a rival at ``target`` today growing at ``target_growth`` stands at
``target × (1 + target_growth)^n`` after ``n`` years.
"""

from __future__ import annotations

import numpy as np

from metaltrade_xl.engine._validate import (
    InputError,
    as_float,
    as_positive,
    as_rate,
    as_year_count,
    scalar_or_array,
)
from metaltrade_xl.engine.balance import compound


class NeverClosesError(InputError):
    """The gap never closes: exports grow no faster than the rival while starting below it."""


def growth_to_close(start, target, years, target_growth=0.0):
    """Constant annual growth that takes ``start`` to a rival's value after ``years`` years.

    ``g = (target × (1 + target_growth)^years / start)^(1 / years) − 1``, computed as
    ``(target / start)^(1 / years) × (1 + target_growth) − 1`` (no overflow for long horizons).
    This is the one place the ``"to_close"`` rate of a scenario is solved: the model
    (:func:`metaltrade_xl.engine.model.evaluate`) calls it with the rival's horizon value as
    ``target`` and ``target_growth = 0``.

    Parameters
    ----------
    start : float or array_like, USD millions, > 0
        Exports today.
    target : float or array_like, USD millions, > 0
        The rival's exports today.
    years : float or array_like, > 0
    target_growth : float or array_like, fraction per year, > -1
        The rival's own growth (0 = a rival standing still).

    Returns
    -------
    float or array_like, fraction per year (negative when the rival is already behind)

    Examples
    --------
    >>> round(growth_to_close(750, 4000, 10), 5)        # Peru to Chile, rival standing still
    0.18222
    >>> round(growth_to_close(750, 4000, 10, 0.03), 5)  # Chile growing 3 % a year
    0.21769
    """
    s = as_positive(start, "start")
    t = as_positive(target, "target")
    n = as_year_count(years, "years")
    tg = as_rate(target_growth, "target_growth")
    return scalar_or_array((t / s) ** (1.0 / n) * (1.0 + tg) - 1.0)


def years_to_close(start, target, growth, target_growth=0.0, *, never="raise"):
    """Years until ``start`` growing at ``growth`` reaches a rival growing at ``target_growth``.

    ``n = ln(target / start) / ln((1 + growth) / (1 + target_growth))``; 0 when already there.

    Parameters
    ----------
    start, target : float or array_like, USD millions, > 0
    growth, target_growth : float or array_like, fraction per year, > -1
    never : {"raise", "inf"}
        What to do where the gap never closes (growth ≤ target_growth and start < target):
        raise :class:`NeverClosesError`, or answer ``inf``.

    Returns
    -------
    float or array_like, years (fractional)

    Examples
    --------
    >>> round(years_to_close(750, 4000, 0.18222), 3)
    10.0
    >>> years_to_close(750, 4000, 0.03, 0.03)
    Traceback (most recent call last):
    ...
    metaltrade_xl.engine.catchup.NeverClosesError: never closes: growth 0.03 is not above the rival's 0.03 and exports 750 start below 4000
    """
    if never not in ("raise", "inf"):
        raise InputError(f"never: expected 'raise' or 'inf', got {never!r}")
    s = as_positive(start, "start")
    t = as_positive(target, "target")
    g = as_rate(growth, "growth")
    tg = as_rate(target_growth, "target_growth")
    s, t, g, tg = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (s, t, g, tg)))
    behind = s < t
    stuck = behind & (g <= tg)
    if never == "raise" and stuck.any():
        i = tuple(np.argwhere(stuck)[0])
        raise NeverClosesError(
            f"never closes: growth {g[i]:g} is not above the rival's {tg[i]:g} "
            f"and exports {s[i]:g} start below {t[i]:g}"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        n = np.log(t / s) / (np.log1p(g) - np.log1p(tg))
    out = np.where(behind, np.where(stuck, np.inf, n), 0.0)
    return float(out) if out.ndim == 0 else out


def _import_path(imports, import_growth, years: int) -> np.ndarray:
    """Imports in years 1..years from a start value and a rate or one rate per year."""
    g = np.atleast_1d(as_rate(import_growth, "import_growth"))
    if g.size == 1:
        g = np.repeat(g, years)
    if g.shape != (years,):
        raise InputError(f"import_growth: expected one rate or {years} yearly rates, got {g.size}")
    return compound(imports, g)[1:]


def growth_for_deficit(
    exports, imports, import_growth, target_deficit, years, *, measure="horizon"
):
    """Constant export growth that brings the deficit to ``target_deficit`` after ``years`` years.

    Parameters
    ----------
    exports : float, USD millions, > 0
        Exports in the base year.
    imports : float, USD millions, > 0
        Imports in the base year.
    import_growth : float or array_like of shape (years,), fraction per year
        One rate for every year, or one rate per year (the import path).
    target_deficit : float, USD millions
        With ``measure="horizon"``, the deficit wanted in the last year (closed form); with
        ``measure="cumulative"``, the sum of the deficits of years 1..``years`` (root finding).
    years : int, > 0

    Returns
    -------
    float, fraction per year

    Examples
    --------
    Halve the January-November 2025 deficit in 10 years with imports growing 4 % a year:

    >>> g = growth_for_deficit(727, 19548, 0.04, 18821 / 2, 10)
    >>> round(g, 4)
    0.3897
    >>> round(19548 * 1.04**10 - 727 * (1 + g)**10, 6)
    9410.5
    """
    if measure not in ("horizon", "cumulative"):
        raise InputError(f"measure: expected 'horizon' or 'cumulative', got {measure!r}")
    x0 = as_positive(exports, "exports")
    m0 = as_positive(imports, "imports")
    target = as_float(target_deficit, "target_deficit")
    n = as_year_count(years, "years")
    if any(np.ndim(v) for v in (x0, m0, target, n)):
        raise InputError("growth_for_deficit: expected single values for exports, imports, target")
    if n != int(n):
        raise InputError(f"years: expected a whole number of years, got {n:g}")
    n = int(n)
    m = _import_path(m0, import_growth, n)
    if measure == "horizon":
        needed = m[-1] - target
        if needed <= 0:
            raise InputError(
                f"target_deficit {target:g} is not below the horizon imports {m[-1]:.6g}: "
                "no positive level of exports gives it"
            )
        return float((needed / x0) ** (1 / n) - 1)
    t = np.arange(1, n + 1)

    def excess(g: float) -> float:
        return float(np.sum(m - x0 * (1 + g) ** t) - target)

    lo, hi = -0.99, 10.0
    if excess(lo) < 0:
        raise InputError(
            f"target_deficit {target:g} is above the cumulative deficit even with exports "
            "falling 99 % a year"
        )
    if excess(hi) > 0:
        raise InputError(
            f"target_deficit {target:g} needs export growth above 1000 % a year: out of reach"
        )
    from scipy.optimize import brentq  # on first use: scipy.optimize costs ~0.5 s to import

    return float(brentq(excess, lo, hi, xtol=1e-12, rtol=1e-12))
