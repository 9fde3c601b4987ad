"""Indicators analysts quote: partner shares and growth, concentration, RCA, market shares.

Pure functions on numbers, arrays and pandas objects (no files); values in USD millions, shares and
rates as fractions. Partner-level inputs are Series indexed by partner name; the data layer's
:func:`metaltrade_xl.data.trade.partner_values` makes them from tidy figures.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from metaltrade_xl.engine._validate import InputError, as_float, require, scalar_or_array
from metaltrade_xl.engine.balance import shares


def _by_partner(values, name: str) -> pd.Series:
    """A Series of values >= 0 indexed by partner (a mapping or a Series)."""
    if isinstance(values, Mapping):
        values = pd.Series(dict(values), dtype=object)
    if not isinstance(values, pd.Series):
        raise InputError(
            f"{name}: expected values by partner (a Series or a mapping), "
            f"got {type(values).__name__}"
        )
    if values.index.has_duplicates:
        dup = values.index[values.index.duplicated()][0]
        raise InputError(f"{name}: partner '{dup}' appears twice")
    out = as_float(values, name)
    require(out.to_numpy() >= 0, f"{name}: expected values >= 0, got a negative value")
    return out


def partner_shares(values, total=None) -> pd.Series:
    """Each partner's share of the total, largest first.

    Parameters
    ----------
    values : Series or mapping, USD millions, >= 0
        Values by partner.
    total : float, USD millions, > 0, optional
        The World total (it may include trade not allocated to a partner); default the sum.

    Returns
    -------
    Series, fractions, indexed by partner

    Examples
    --------
    >>> partner_shares({"China": 8325, "United States": 2267}, total=19548).round(3).to_dict()
    {'China': 0.426, 'United States': 0.116}
    """
    v = _by_partner(values, "values")
    if total is not None:
        t = as_float(total, "total")
        require(
            t >= v.sum() * (1 - 1e-9),
            f"total: expected at least the sum of partners ({v.sum():g}), got {t:g}",
        )
    out = shares(v, total)
    return out.sort_values(ascending=False, kind="stable").rename("share")


def top_partners(current, previous=None, *, n: int = 5, total=None) -> pd.DataFrame:
    """The ``n`` largest partners with their share and growth over the previous period.

    Parameters
    ----------
    current : Series or mapping, USD millions, >= 0
        Values by partner for the period of interest (e.g. January-November 2025).
    previous : Series or mapping, USD millions, >= 0, optional
        The same partners in the comparison period (the same months a year earlier).
    n : int, >= 1
    total : float, USD millions, optional
        World total for the shares; default the sum of ``current``.

    Returns
    -------
    DataFrame
        Columns ``rank, partner, value, share, previous, growth``; growth is a fraction, NaN when
        the partner is missing or zero in the previous period (a new market has no growth rate).

    Examples
    --------
    >>> t = top_partners({"Chile": 130.6, "United States": 115.9, "Bolivia": 50},
    ...                  {"Chile": 100, "United States": 100}, n=2)
    >>> t[["rank", "partner", "growth"]].round(3).values.tolist()
    [[1, 'Chile', 0.306], [2, 'United States', 0.159]]
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise InputError(f"n: expected a whole number >= 1, got {n!r}")
    cur = _by_partner(current, "current")
    share = partner_shares(cur, total)
    top = share.index[: int(n)]
    out = pd.DataFrame(
        {
            "rank": np.arange(1, len(top) + 1),
            "partner": list(top),
            "value": cur[top].to_numpy(),
            "share": share[top].to_numpy(),
        }
    )
    if previous is None:
        out["previous"] = np.nan
    else:
        prev = _by_partner(previous, "previous")
        out["previous"] = prev.reindex(top).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        g = out["value"] / out["previous"] - 1
    out["growth"] = g.where(out["previous"] > 0)
    return out


def hhi(values, *, scale: float = 1.0) -> float:
    """Herfindahl–Hirschman index of concentration: the sum of squared shares.

    Parameters
    ----------
    values : array_like, Series or mapping, USD millions, >= 0, not all zero
        Values by origin (or destination).
    scale : float, > 0
        1 gives a fraction between 1/n and 1; 10 000 gives the "points" of competition
        authorities (above 2 500: highly concentrated).

    Returns
    -------
    float
        ``1 / hhi`` is the equivalent number of equal-sized partners.

    Examples
    --------
    >>> hhi([50, 50])
    0.5
    >>> # Peru's import origins Jan-Nov 2025 (%), the rest lumped as one: an upper bound
    >>> round(hhi({"China": 42.6, "United States": 11.6, "Brazil": 6.8, "Mexico": 4.1,
    ...            "rest": 34.9}, scale=10_000))
    3230
    """
    if isinstance(values, (Mapping, pd.Series)):
        v = _by_partner(values, "values").to_numpy()
    else:
        v = np.asarray(as_float(values, "values"), dtype=float)
        require(np.ndim(v) == 1, f"values: expected one row or column, got shape {np.shape(v)}")
        require(v >= 0, "values: expected values >= 0, got a negative value")
    require(np.sum(v) > 0, "values: expected at least one value > 0, got all zero")
    s = as_float(scale, "scale")
    require(s > 0, f"scale: expected a value > 0, got {s:g}")
    return float(np.sum((v / v.sum()) ** 2) * s)


def rca(sector_exports, total_exports, world_sector_exports, world_total_exports):
    """Balassa revealed comparative advantage: (x_cs / x_c) / (x_ws / x_w).

    Above 1, the country exports relatively more of the sector than the world does.

    Parameters
    ----------
    sector_exports, total_exports : float or array_like, USD millions
        The country's exports of the sector (>= 0) and of all goods (> 0).
    world_sector_exports, world_total_exports : float or array_like, USD millions, > 0

    Returns
    -------
    float or array_like, a ratio

    Examples
    --------
    >>> round(rca(750, 75_000, 9_000_000, 24_000_000), 4)   # 1 % of Peru's exports vs 37.5 %
    0.0267
    """
    xs = as_float(sector_exports, "sector_exports")
    xt = as_float(total_exports, "total_exports")
    ws = as_float(world_sector_exports, "world_sector_exports")
    wt = as_float(world_total_exports, "world_total_exports")
    require(np.asarray(xs) >= 0, "sector_exports: expected values >= 0, got a negative value")
    for val, name in (
        (xt, "total_exports"),
        (ws, "world_sector_exports"),
        (wt, "world_total_exports"),
    ):
        require(np.asarray(val) > 0, f"{name}: expected values > 0, got {val}")
    require(
        np.asarray(xs) <= np.asarray(xt) * (1 + 1e-9),
        "sector_exports: expected at most total_exports",
    )
    require(
        np.asarray(ws) <= np.asarray(wt) * (1 + 1e-9),
        "world_sector_exports: expected at most world_total_exports",
    )
    return scalar_or_array((xs / xt) / (ws / wt))


def rca_table(exports: pd.DataFrame) -> pd.DataFrame:
    """Balassa RCA for every country (rows) and sector (columns) of an export table.

    The world is the column sums and each country's total its row sum, so the columns should
    cover all goods (add an "other" column for the rest).

    Examples
    --------
    >>> x = pd.DataFrame({"metal": [10, 30], "other": [90, 70]}, index=["Peru", "Chile"])
    >>> rca_table(x).round(3).to_dict()
    {'metal': {'Peru': 0.5, 'Chile': 1.5}, 'other': {'Peru': 1.125, 'Chile': 0.875}}
    """
    if not isinstance(exports, pd.DataFrame):
        raise InputError(
            f"exports: expected a table (countries x sectors), got {type(exports).__name__}"
        )
    x = exports.apply(lambda c: as_float(c, f"exports[{c.name}]"))
    require(x.to_numpy() >= 0, "exports: expected values >= 0, got a negative value")
    rows, cols, world = x.sum(axis=1), x.sum(axis=0), float(x.to_numpy().sum())
    require(rows.to_numpy() > 0, "exports: a country has no exports at all")
    require(cols.to_numpy() > 0, "exports: a sector has no exports at all")
    return x.div(rows, axis=0).div(cols / world, axis=1)


def market_share(exports, world_exports):
    """World market share, exports / world exports of the same goods and period.

    Parameters
    ----------
    exports : float or array_like, USD millions, >= 0
    world_exports : float or array_like, USD millions, > 0

    Returns
    -------
    float or array_like, fraction

    Examples
    --------
    >>> round(market_share(750, 9_000_000) * 100, 4)   # Peru's share of the sector, in %
    0.0083
    """
    x = as_float(exports, "exports")
    w = as_float(world_exports, "world_exports")
    require(np.asarray(x) >= 0, "exports: expected values >= 0, got a negative value")
    require(np.asarray(w) > 0, f"world_exports: expected values > 0, got {w}")
    require(np.asarray(x) <= np.asarray(w) * (1 + 1e-9), "exports: expected at most world_exports")
    return scalar_or_array(x / w)


def regional_shares(
    values: pd.DataFrame, regions: Mapping, *, world=None, other: str | None = "Other"
) -> pd.DataFrame:
    """Shares of world trade by region over time (the seed's Asia 32 % in 2001 -> 51 % in 2024).

    Parameters
    ----------
    values : DataFrame, USD millions, >= 0
        One row per year, one column per country (or any reporter).
    regions : mapping
        Country -> region.
    world : Series or float, USD millions, optional
        World totals by year; default the row sums.
    other : str or None
        Region for countries missing from ``regions``; None makes a missing country an error.

    Returns
    -------
    DataFrame, fractions: one row per year, one column per region (sorted)

    Examples
    --------
    >>> v = pd.DataFrame({"China": [20, 60], "Germany": [50, 40], "USA": [30, 20]},
    ...                  index=[2001, 2024])
    >>> regional_shares(v, {"China": "Asia", "Germany": "Europe", "USA": "America"}).round(2)
          America  Asia  Europe
    2001     0.30  0.20   0.50
    2024     0.17  0.50   0.33
    """
    if not isinstance(values, pd.DataFrame):
        raise InputError(
            f"values: expected a table (years x countries), got {type(values).__name__}"
        )
    x = values.apply(lambda c: as_float(c, f"values[{c.name}]"))
    require(x.to_numpy() >= 0, "values: expected values >= 0, got a negative value")
    missing = [c for c in x.columns if c not in regions]
    if missing and other is None:
        raise InputError(f"regions: no region for '{missing[0]}'")
    labels = [regions.get(c, other) for c in x.columns]
    by_region = x.T.groupby(labels).sum().T
    total = x.sum(axis=1) if world is None else world
    if np.ndim(total) == 0:
        total = pd.Series(float(as_float(total, "world")), index=x.index)
    total = as_float(pd.Series(total).reindex(x.index), "world")
    require(total.to_numpy() > 0, "world: expected totals > 0")
    require(
        total.to_numpy() >= x.sum(axis=1).to_numpy() * (1 - 1e-9),
        "world: expected at least the sum of the countries",
    )
    return by_region.div(total, axis=0)
