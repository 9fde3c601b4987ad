"""What a Monte Carlo run reports: the result tables, built from the simulated buffers.

:func:`metaltrade_xl.engine.montecarlo.simulate` fills the buffers; this module turns them into
the tables of :class:`MonteCarloResult` (percentiles per outcome and year, the probability of
reaching the rival, the first year it happens, the horizon deficit).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metaltrade_xl.engine._validate import InputError

#: Outcomes every run summarises; any other declared outcome is summarised when asked for.
OUTCOMES = ("exports", "imports", "deficit", "gap_to_rival")


@dataclass(frozen=True)
class Paths:
    """Every simulated path; arrays have shape ``(paths, years)`` (views on year-major storage)."""

    years: np.ndarray
    exports: np.ndarray
    imports: np.ndarray
    deficit: np.ndarray
    rival_exports: np.ndarray
    gap_to_rival: np.ndarray


class MonteCarloResult:
    """Summaries of a Monte Carlo run, as tables an Excel or JSON writer can lay out.

    The tables are built on first use from the run's summary arrays: an ``MT_MONTECARLO`` cell
    that shows one table, or a caller that reads one number, does not pay for the others (four
    pandas constructors cost about as much as the 10 000-path simulation itself).

    Attributes
    ----------
    percentiles : DataFrame
        Long table ``outcome, year, P5, P10, …`` for the outcomes :data:`OUTCOMES` and any other
        asked for (USD millions).
    reach : DataFrame
        ``year, p_ahead, se_ahead, p_reached_by, se_reached_by``: probability that exports are at
        least the rival's in that year, and that they have been in some year up to it; ``se`` are
        Monte Carlo standard errors ``sqrt(p (1 - p) / n)``.
    first_year : DataFrame
        ``first_year`` (a year, or ``"not by <horizon>"``), ``paths``, ``probability``.
    horizon_deficit : DataFrame
        ``statistic, value``: mean, its standard error, sd and the percentiles of the deficit in
        the horizon year.
    n_paths, percentile_levels, paths (None unless ``keep_paths``)
    """

    __slots__ = ("_summary", "_tables", "n_paths", "paths", "percentile_levels")

    def __init__(self, summary: Summary, paths: Paths | None = None):
        set_ = object.__setattr__  # read-only like the frozen dataclass it was
        set_(self, "_summary", summary)
        set_(self, "_tables", {})
        set_(self, "n_paths", int(summary.n_paths))
        set_(self, "percentile_levels", tuple(summary.levels))
        set_(self, "paths", paths)

    def __setattr__(self, name, value):
        raise AttributeError(f"MonteCarloResult is read-only: cannot set {name!r}")

    def __reduce__(self):  # pickles (a server process) with its summary, not its tables
        return (MonteCarloResult, (self._summary, self.paths))

    def __repr__(self) -> str:
        return (
            f"MonteCarloResult(n_paths={self.n_paths}, percentile_levels={self.percentile_levels})"
        )

    def _table(self, name: str) -> pd.DataFrame:
        t = self._tables.get(name)
        if t is None:
            t = self._tables[name] = _BUILDERS[name](self._summary)
        return t

    @property
    def percentiles(self) -> pd.DataFrame:
        return self._table("percentiles")

    @property
    def reach(self) -> pd.DataFrame:
        return self._table("reach")

    @property
    def first_year(self) -> pd.DataFrame:
        return self._table("first_year")

    @property
    def horizon_deficit(self) -> pd.DataFrame:
        return self._table("horizon_deficit")

    def fan(self, outcome: str = "deficit") -> pd.DataFrame:
        """The percentile table of one outcome: ``year, P5, …`` (for a fan chart): the rows of
        :attr:`percentiles` for that outcome, built from the run's arrays alone (an
        ``MT_MONTECARLO`` cell shows one fan; filtering the long table cost ~10 ms)."""
        s = self._summary
        if outcome not in s.pct:
            raise InputError(
                f"outcome: expected one of {', '.join(s.pct)} (the outcomes simulated; pass "
                f"outcomes=[...] to simulate for others), got {outcome!r}"
            )
        values = s.pct[outcome]
        cols = {"year": np.arange(s.base, s.horizon + 1)}
        cols.update({_label(q): values[:, j] for j, q in enumerate(s.levels)})
        return pd.DataFrame(cols)

    def to_dict(self) -> dict:
        """Plain lists and numbers for JSON."""
        return {
            "n_paths": self.n_paths,
            "percentiles": self.percentiles.to_dict(orient="records"),
            "reach": self.reach.to_dict(orient="records"),
            "first_year": self.first_year.to_dict(orient="records"),
            "horizon_deficit": dict(
                zip(self.horizon_deficit.statistic, self.horizon_deficit.value, strict=True)
            ),
        }


def _label(q: float) -> str:
    return f"P{q:g}"


@dataclass(frozen=True)
class Summary:
    """What a run leaves for its tables: per-outcome percentile arrays ``(years, levels)`` in the
    percentile table's row order, the reach counts per year, and ``(mean, sd)`` of the horizon
    deficit over paths."""

    pct: dict
    n_ahead: np.ndarray
    n_reached: np.ndarray
    dh_stats: tuple[float, float]
    levels: tuple[float, ...]
    base: int
    horizon: int
    n_paths: int


def _percentile_table(s: Summary) -> pd.DataFrame:
    all_years = np.arange(s.base, s.horizon + 1)
    k = all_years.size
    # One constructor per table: building frames column by column costs more than the maths.
    labels = [_label(q) for q in s.levels]
    names = tuple(s.pct)
    stacked = np.concatenate([s.pct[o] for o in names], axis=0)
    cols = {
        "outcome": np.repeat(np.array(names, dtype=object), k),
        "year": np.tile(all_years, len(names)),
    }
    cols.update({lab: stacked[:, j] for j, lab in enumerate(labels)})
    return pd.DataFrame(cols)


def _reach_table(s: Summary) -> pd.DataFrame:
    n = s.n_paths
    p_ahead = s.n_ahead / n
    p_by = s.n_reached / n
    return pd.DataFrame(
        {
            "year": np.arange(s.base, s.horizon + 1),
            "p_ahead": p_ahead,
            "se_ahead": np.sqrt(p_ahead * (1 - p_ahead) / n),
            "p_reached_by": p_by,
            "se_reached_by": np.sqrt(p_by * (1 - p_by) / n),
        }
    )


def _first_year_table(s: Summary) -> pd.DataFrame:
    n, n_reached = s.n_paths, s.n_reached
    counts = np.concatenate((np.diff(n_reached, prepend=0), [n - n_reached[-1]]))
    years = [int(y) for y in range(s.base, s.horizon + 1)]
    return pd.DataFrame(
        {
            "first_year": np.array(years + [f"not by {s.horizon}"], dtype=object),
            "paths": counts.astype(np.int64),
            "probability": counts / n,
        }
    )


def _horizon_deficit_table(s: Summary) -> pd.DataFrame:
    mean_dh, sd_dh = s.dh_stats
    return pd.DataFrame(
        {
            "statistic": ["year", "mean", "se_mean", "sd"] + [_label(q) for q in s.levels],
            "value": [float(s.horizon), mean_dh, sd_dh / math.sqrt(s.n_paths), sd_dh]
            + [float(v) for v in s.pct["deficit"][-1]],
        }
    )


_BUILDERS = {
    "percentiles": _percentile_table,
    "reach": _reach_table,
    "first_year": _first_year_table,
    "horizon_deficit": _horizon_deficit_table,
}


def tables(pct: dict, n_ahead, n_reached, dh_stats, *, levels, base, horizon, n_paths):
    """The four result tables (percentiles, reach, first year, horizon deficit), built at once.

    ``pct`` is ordered as the percentile table's rows; ``dh_stats`` is ``(mean, sd)`` of the
    horizon deficit over paths. :class:`MonteCarloResult` builds the same tables one by one, on
    first use.
    """
    s = Summary(pct, n_ahead, n_reached, dh_stats, tuple(levels), base, horizon, n_paths)
    return tuple(build(s) for build in _BUILDERS.values())
