"""Balance, deficit, coverage, shares, growth, CAGR, compounding and annualising a partial year.

Element-wise on scalars, numpy arrays and pandas Series (a Series keeps its index).
"""

from __future__ import annotations

import numpy as np

from metaltrade_xl.engine._validate import (
    InputError,
    as_float,
    as_positive,
    as_year_count,
    require,
)


def _same_shape(a, b, names: str) -> None:
    sa, sb = np.shape(a), np.shape(b)
    if sa and sb and sa != sb:
        raise InputError(f"{names}: expected the same shape, got {sa} and {sb}")


def balance(exports, imports):
    """Trade balance, exports − imports.

    Parameters
    ----------
    exports, imports : float or array_like, USD millions
        Scalars or arrays of the same shape (a scalar pairs with every element).

    Returns
    -------
    float or array_like, USD millions
        Negative means a deficit.

    Examples
    --------
    >>> balance(727, 19548)
    -18821.0
    """
    x, m = as_float(exports, "exports"), as_float(imports, "imports")
    _same_shape(x, m, "exports and imports")
    return x - m


def deficit(exports, imports):
    """Trade deficit, imports − exports (positive means a deficit).

    Parameters
    ----------
    exports, imports : float or array_like, USD millions

    Returns
    -------
    float or array_like, USD millions

    Examples
    --------
    >>> deficit(727, 19548)
    18821.0
    """
    x, m = as_float(exports, "exports"), as_float(imports, "imports")
    _same_shape(x, m, "exports and imports")
    return m - x


def coverage(exports, imports):
    """Export coverage of imports, exports / imports.

    Parameters
    ----------
    exports : float or array_like, USD millions
    imports : float or array_like, USD millions, > 0

    Returns
    -------
    float or array_like, fraction (0.04 = exports pay for 4 % of imports)

    Examples
    --------
    >>> round(coverage(727, 19548), 5)
    0.03719
    """
    x = as_float(exports, "exports")
    m = as_positive(imports, "imports")
    _same_shape(x, m, "exports and imports")
    return x / m


def shares(parts, total=None):
    """Shares of a total, parts / total.

    Parameters
    ----------
    parts : float or array_like, USD millions, >= 0
    total : float, USD millions, > 0, optional
        Defaults to the sum of ``parts``.

    Returns
    -------
    float or array_like, fractions

    Examples
    --------
    >>> round(shares(8325, 19548), 4)
    0.4259
    >>> shares([1.0, 3.0]).tolist()
    [0.25, 0.75]
    """
    p = as_float(parts, "parts")
    require(np.asarray(p) >= 0, "parts: expected values >= 0, got a negative value")
    t = np.sum(p) if total is None else as_float(total, "total")
    require(np.asarray(t) > 0, f"total: expected a value > 0, got {t}")
    return p / t


def growth(values):
    """Period-on-period growth down a series: values[t] / values[t−1] − 1 (one fewer value).

    Parameters
    ----------
    values : array_like, shape (n,), n >= 2, each > 0

    Returns
    -------
    ndarray or Series, shape (n − 1,), fractions

    Examples
    --------
    >>> growth([100, 110, 99]).round(4).tolist()
    [0.1, -0.1]
    """
    v = as_positive(values, "values")
    require(np.ndim(v) == 1, f"values: expected a single column or row, got shape {np.shape(v)}")
    require(np.size(v) >= 2, "values: expected at least 2 values to compute a growth")
    arr = np.asarray(v)
    out = arr[1:] / arr[:-1] - 1
    if hasattr(v, "index"):
        import pandas as pd

        return pd.Series(out, index=v.index[1:], name=v.name)
    return out


def compound(start, rates) -> np.ndarray:
    """A path from ``start`` grown by one rate per step: ``start × [1, cumprod(1 + rates)]``.

    Parameters
    ----------
    start : float, the value in the first year
    rates : array_like, shape (n,), fractions, each > -1

    Returns
    -------
    ndarray, shape (n + 1,): the first year's value, then one per rate

    Examples
    --------
    >>> compound(100, [0.1, -0.5]).round(6).tolist()
    [100.0, 110.0, 55.0]
    """
    rates = np.asarray(rates, dtype=float)
    return start * np.concatenate(([1.0], np.cumprod(1.0 + rates)))


def cagr(start_value, end_value, years):
    """Compound annual growth rate, (end / start)^(1 / years) − 1.

    Parameters
    ----------
    start_value, end_value : float or array_like, > 0
    years : float or array_like, > 0

    Returns
    -------
    float or array_like, fraction per year

    Examples
    --------
    >>> round(cagr(2.5, 9.0, 2024 - 2001), 5)   # world metal-mechanical exports, USD trillion
    0.05727
    """
    s = as_positive(start_value, "start_value")
    e = as_positive(end_value, "end_value")
    n = as_year_count(years, "years")
    return (e / s) ** (1 / n) - 1


def annualize(value, months, profile=None):
    """Full-year estimate from the first ``months`` months of a year.

    Without a profile, ``value × 12 / months``. With a 12-month seasonal ``profile`` (weights, any
    scale), ``value × sum(profile) / sum(profile[:months])``: the year-to-date share of a normal year.

    Parameters
    ----------
    value : float or array_like, USD millions, year to date
    months : int, 1..12, months covered (January to month ``months``)
    profile : array_like, shape (12,), >= 0, optional

    Returns
    -------
    float or array_like, USD millions, full-year estimate

    Examples
    --------
    >>> round(annualize(727, 11), 2)     # Peru's exports, January-November 2025
    793.09
    >>> round(annualize(727, 11, profile=[1] * 11 + [2]), 2)   # a December twice as heavy
    859.18
    """
    v = as_float(value, "value")
    m = as_float(months, "months")
    if np.ndim(m) or m != int(m) or not 1 <= m <= 12:
        raise InputError(f"months: expected a whole number of months from 1 to 12, got {months!r}")
    m = int(m)
    if profile is None:
        return v * 12 / m
    w = as_float(profile, "profile")
    require(np.shape(w) == (12,), f"profile: expected 12 monthly weights, got shape {np.shape(w)}")
    require(np.asarray(w) >= 0, "profile: expected weights >= 0, got a negative weight")
    covered = float(np.sum(np.asarray(w)[:m]))
    require(covered > 0, f"profile: the first {m} months have zero weight, nothing to scale from")
    return v * float(np.sum(w)) / covered
