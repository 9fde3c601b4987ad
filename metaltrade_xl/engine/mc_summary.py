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


@dataclass(frozen=True)
class MonteCarloResult:
    """Summaries of a Monte Carlo run, as tables an Excel or JSON writer can lay out.

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

    percentiles: pd.DataFrame
    reach: pd.DataFrame
    first_year: pd.DataFrame
    horizon_deficit: pd.DataFrame
    n_paths: int
    percentile_levels: tuple[float, ...]
    paths: Paths | None = None

    def fan(self, outcome: str = "deficit") -> pd.DataFrame:
        """The percentile table of one outcome: ``year, P5, …`` (for a fan chart)."""
        present = tuple(dict.fromkeys(self.percentiles["outcome"]))
        if outcome not in present:
            raise InputError(
                f"outcome: expected one of {', '.join(present)} (the outcomes simulated; pass "
                f"outcomes=[...] to simulate for others), got {outcome!r}"
            )
        t = self.percentiles[self.percentiles["outcome"] == outcome]
        return t.drop(columns="outcome").reset_index(drop=True)

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


def tables(pct: dict, n_ahead, n_reached, dh_stats, *, levels, base, horizon, n_paths):
    """The four result tables from per-outcome percentile arrays ``(years, levels)`` and counts.

    ``pct`` is ordered as the percentile table's rows; ``dh_stats`` is ``(mean, sd)`` of the
    horizon deficit over paths.
    """
    all_years = np.arange(base, horizon + 1)
    k = all_years.size
    # One constructor per table: building frames column by column costs more than the maths.
    labels = [_label(q) for q in levels]
    names = tuple(pct)
    stacked = np.concatenate([pct[o] for o in names], axis=0)
    cols = {
        "outcome": np.repeat(np.array(names, dtype=object), k),
        "year": np.tile(all_years, len(names)),
    }
    cols.update({lab: stacked[:, j] for j, lab in enumerate(labels)})
    percentile_table = pd.DataFrame(cols)

    p_ahead = n_ahead / n_paths
    p_by = n_reached / n_paths
    reach = pd.DataFrame(
        {
            "year": all_years,
            "p_ahead": p_ahead,
            "se_ahead": np.sqrt(p_ahead * (1 - p_ahead) / n_paths),
            "p_reached_by": p_by,
            "se_reached_by": np.sqrt(p_by * (1 - p_by) / n_paths),
        }
    )
    counts = np.concatenate((np.diff(n_reached, prepend=0), [n_paths - n_reached[-1]]))
    first = pd.DataFrame(
        {
            "first_year": np.array(
                [int(y) for y in all_years] + [f"not by {horizon}"], dtype=object
            ),
            "paths": counts.astype(np.int64),
            "probability": counts / n_paths,
        }
    )
    mean_dh, sd_dh = dh_stats
    horizon_deficit = pd.DataFrame(
        {
            "statistic": ["year", "mean", "se_mean", "sd"] + labels,
            "value": [float(horizon), mean_dh, sd_dh / math.sqrt(n_paths), sd_dh]
            + [float(v) for v in pct["deficit"][-1]],
        }
    )
    return percentile_table, reach, first, horizon_deficit
