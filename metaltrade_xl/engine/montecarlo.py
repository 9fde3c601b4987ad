"""Monte Carlo: sample uncertain inputs -> evaluate the projection on every path -> summarise.

The model is :func:`metaltrade_xl.engine.model.evaluate` (the one the deterministic projection
runs on one path), evaluated for many paths at once on arrays of shape ``(years, paths)`` (the
public :class:`Paths` exposes ``(paths, years)`` views). Randomness comes only from the ``numpy.random.Generator`` passed in (or a ``seed``; 0 is a
seed): same generator state, same inputs -> bit-identical results on any number of cores, because
paths are drawn in fixed blocks of :data:`BLOCK` paths, each from its own child generator seeded
from the parent in block order.

Uncertain inputs (:data:`YEARLY` are drawn for every projected year, :data:`ONCE` once per path):

- ``exports.growth``, ``imports.growth``, ``rival.growth``: a distribution of the yearly rate,
  drawn independently each year, or persistent: AR(1) with coefficient ``rho`` in the normal
  scores, so every year keeps the given distribution and ``rho = 1`` means one rate per path.
- ``exports.start``, ``imports.start``, ``rival.start``, ``substitution.share``,
  ``substitution.import_content``, ``substitution.origin_share``.

Correlation between inputs of the same kind uses a Gaussian copula: the normal scores are
correlated with the given matrix (``kind="rank"`` converts Spearman rank correlations with
``2 sin(pi r / 6)``) and mapped through each input's quantile function.

Where things live: the distributions in :mod:`metaltrade_xl.engine.distributions`, the
specification in :mod:`metaltrade_xl.engine.uncertainty_spec`, the exact percentiles in
:mod:`metaltrade_xl.engine._order_stats`; their public names are importable from here too.
This module samples, evaluates the model on every path and summarises (:func:`simulate`).
"""

from __future__ import annotations

import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

# Private helpers tests reach as ``montecarlo._order_statistics``: re-exported by redundant alias.
from metaltrade_xl.engine._order_stats import _order_statistics as _order_statistics
from metaltrade_xl.engine._order_stats import _percentiles
from metaltrade_xl.engine._order_stats import _ranks as _ranks
from metaltrade_xl.engine._validate import InputError
from metaltrade_xl.engine.distributions import DISTRIBUTIONS, Distribution, distribution
from metaltrade_xl.engine.model import _base_rates, evaluate
from metaltrade_xl.engine.sampling import (
    BLOCK,
    _child_generators,
    _draw_block,
    _factors,
    _rng,
    sample,
)
from metaltrade_xl.engine.scenario import ProjectionInputs
from metaltrade_xl.engine.uncertainty_spec import (
    DEFAULT_PERCENTILES,
    INPUT_NAMES,
    ONCE,
    YEARLY,
    UncertaintySpec,
    check_percentiles,
)

__all__ = [
    "BLOCK",
    "DEFAULT_PERCENTILES",
    "DISTRIBUTIONS",
    "INPUT_NAMES",
    "ONCE",
    "OUTCOMES",
    "REACH_TOL",
    "THREADS",
    "YEARLY",
    "Distribution",
    "MonteCarloResult",
    "Paths",
    "UncertaintySpec",
    "distribution",
    "evaluate",
    "sample",
    "simulate",
]

#: Threads for drawing and evaluating blocks (results do not depend on it).
THREADS = min(4, os.cpu_count() or 1)
#: Relative tolerance for "exports reach the rival", as in ``projection.first_year_reaching``.
REACH_TOL = 1e-12
OUTCOMES = ("exports", "imports", "deficit", "gap_to_rival")


# --- paths and summaries -------------------------------------------------------------------------


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
        Long table ``outcome, year, P5, P10, …`` for the outcomes :data:`OUTCOMES` (USD millions).
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
        if outcome not in OUTCOMES:
            raise InputError(f"outcome: expected one of {', '.join(OUTCOMES)}, got {outcome!r}")
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


def simulate(
    scenario,
    inputs: ProjectionInputs,
    spec: UncertaintySpec,
    *,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
    paths: int | None = None,
    percentiles=None,
    keep_paths: bool = False,
) -> MonteCarloResult:
    """Run the Monte Carlo: sample, evaluate every path, summarise.

    Parameters
    ----------
    scenario : Scenario
        The deterministic scenario; inputs in ``spec.inputs`` replace its values.
    inputs : ProjectionInputs
    spec : UncertaintySpec
    rng : numpy.random.Generator, optional
        Wins over ``seed``; otherwise ``seed``, then ``spec.seed``, is used (0 is a seed).
    paths : int, optional
        Overrides ``spec.paths``.
    percentiles : sequence of float in [0, 100], optional; overrides ``spec.percentiles``
    keep_paths : bool
        Keep every path in ``result.paths`` (memory: ~40 bytes per path and year).

    Returns
    -------
    MonteCarloResult

    Examples
    --------
    >>> from metaltrade_xl.scenarios import scenario_from_dict
    >>> s = scenario_from_dict({"name": "d", "base_year": 2024, "horizon": 2034,
    ...     "exports": {"growth": 0.12}, "imports": {"growth": 0.04},
    ...     "rival": {"name": "Chile", "growth": 0.03}})
    >>> spec = UncertaintySpec({"exports.growth": distribution("normal", mean=0.12, sd=0.05)},
    ...                        paths=20000, seed=1)
    >>> r = simulate(s, ProjectionInputs(750, 18203, 4000), spec)
    >>> r.fan("exports").iloc[-1][["year", "P50"]].round(0).tolist()  # closed form ~2306
    [2034.0, 2309.0]
    >>> float(r.reach.p_reached_by.iloc[-1])
    0.0
    """
    n_paths = spec.paths if paths is None else paths
    if isinstance(n_paths, bool) or not isinstance(n_paths, (int, np.integer)) or n_paths < 1:
        raise InputError(f"paths: expected a whole number >= 1, got {n_paths!r}")
    levels = tuple(float(q) for q in (spec.percentiles if percentiles is None else percentiles))
    check_percentiles(levels)
    gen = _rng(rng, seed, spec)
    base, horizon = int(scenario.base_year), int(scenario.horizon)
    n = horizon - base
    evaluate(scenario, inputs)  # validate the scenario once, with clear messages
    rates = _base_rates(scenario, np.arange(base + 1, horizon + 1))
    rival_varies = any(k in spec.inputs for k in ("rival.growth", "rival.start"))

    k = n + 1
    shape = (k, n_paths)
    # One buffer, one block of rows per outcome, sorted in place at the end. With a fixed rival
    # the gap is not stored: its percentiles mirror those of exports.
    buf = np.empty(((4 if rival_varies else 3) * k, n_paths))
    x, m, d = buf[:k], buf[k : 2 * k], buf[2 * k : 3 * k]
    gap = buf[3 * k :] if rival_varies else (np.empty(shape) if keep_paths else None)
    r = np.empty(shape) if rival_varies else None
    blocks, gens = _child_generators(gen, n_paths)
    factors = _factors(spec)
    local = threading.local()  # one scratch buffer for the draws per worker thread

    def run_block(i):
        a, b = blocks[i]
        scratch = getattr(local, "scratch", None)
        if scratch is None:
            scratch = local.scratch = np.empty(max(1, len(spec.yearly)) * n * BLOCK)
        draws = _draw_block(spec, n, b - a, gens[i], factors, scratch)
        # The model writes straight into this block's columns of the result buffers.
        cols = {"exports": x[:, a:b], "imports": m[:, a:b], "deficit": d[:, a:b]}
        if gap is not None:
            cols["gap_to_rival"] = gap[:, a:b]
        if r is not None:
            cols["rival_exports"] = r[:, a:b]
        out = evaluate(scenario, inputs, draws, b - a, _rates=rates, _out=cols, _checked=True)
        # Reach counts while the block is still in cache; integer counts summed over blocks are
        # the same in any order.
        rival = out["rival_exports"]
        ahead = cols["exports"] >= rival * (1 - REACH_TOL)
        # Row by row: count_nonzero without an axis is a SIMD popcount; with one, a slow sum.
        n_ahead = [np.count_nonzero(row) for row in ahead]
        for t in range(1, k):  # reached by year t; row by row beats accumulate(axis=0)
            np.logical_or(ahead[t], ahead[t - 1], out=ahead[t])
        n_by = [np.count_nonzero(row) for row in ahead]
        return rival[:, 0].copy(), np.array(n_ahead), np.array(n_by)

    # Blocks write disjoint columns and each has its own generator, so running them on threads
    # (numpy's generators and ufuncs release the GIL) gives the same numbers as running in order.
    workers = min(THREADS, len(blocks))
    if workers > 1:
        with ThreadPoolExecutor(workers) as pool:
            done_blocks = list(pool.map(run_block, range(len(blocks))))
    else:
        done_blocks = [run_block(i) for i in range(len(blocks))]
    rival_col = done_blocks[0][0]
    n_ahead = sum(blk[1] for blk in done_blocks)
    n_reached = sum(blk[2] for blk in done_blocks)
    # Joint (path-wise) statistics before the percentile step, which reorders each row.
    dh = d[-1]
    mean_dh = float(dh.mean())
    sd_dh = float(dh.std(ddof=1)) if n_paths > 1 else 0.0
    kept = None
    if keep_paths:
        rv = r if r is not None else np.broadcast_to(rival_col[:, None], shape)
        kept = Paths(
            np.arange(base, horizon + 1),
            x.T.copy(),
            m.T.copy(),
            d.T.copy(),
            np.array(rv.T),
            gap.T.copy(),
        )
    nq = len(levels)
    # The base year is observed: it varies across paths only through uncertain start values.
    fixed = not any(name.endswith(".start") for name in spec.inputs)
    # Each outcome's rows are selected independently (numpy's partition releases the GIL).
    if r is not None:
        jobs = {o: (buf[i * k : (i + 1) * k], levels) for i, o in enumerate(OUTCOMES)}
    else:
        # gap = rival - exports with a fixed rival: its percentiles mirror those of exports.
        both = levels + tuple(100.0 - q for q in levels)
        jobs = {"exports": (x, both), "imports": (m, levels), "deficit": (d, levels)}
    with ThreadPoolExecutor(min(THREADS, len(jobs))) as pool:
        found = pool.map(lambda j: _percentiles(j[0], j[1], fixed), jobs.values())
        done = dict(zip(jobs, found, strict=True))
    if r is not None:
        pct = done
    else:
        pct = {
            "exports": done["exports"][:, :nq],
            "imports": done["imports"],
            "deficit": done["deficit"],
            "gap_to_rival": rival_col[:, None] - done["exports"][:, nq:],
        }
    all_years = np.arange(base, horizon + 1)
    # One constructor per table: building frames column by column costs more than the maths.
    labels = [_label(q) for q in levels]
    stacked = np.concatenate([pct[o] for o in OUTCOMES], axis=0)
    cols = {
        "outcome": np.repeat(np.array(OUTCOMES, dtype=object), k),
        "year": np.tile(all_years, len(OUTCOMES)),
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
    horizon_deficit = pd.DataFrame(
        {
            "statistic": ["year", "mean", "se_mean", "sd"] + labels,
            "value": [float(horizon), mean_dh, sd_dh / math.sqrt(n_paths), sd_dh]
            + [float(v) for v in pct["deficit"][-1]],
        }
    )
    return MonteCarloResult(
        percentile_table, reach, first, horizon_deficit, int(n_paths), levels, kept
    )
