"""Monte Carlo: sample uncertain inputs -> evaluate the model on every path -> summarise.

The model is :func:`metaltrade_xl.engine.model.evaluate` (the one the deterministic projection
runs on one path), evaluated for many paths at once on arrays of shape ``(years, paths)`` (the
public :class:`Paths` exposes ``(paths, years)`` views). Randomness comes only from the
``numpy.random.Generator`` passed in (or a ``seed``; 0 is a seed): same generator state, same
inputs -> bit-identical results on any number of cores, because paths are drawn in fixed blocks of
:data:`BLOCK` paths, each from its own child generator seeded from the parent in block order.
Blocks run on a few threads when the runtime has them, in order otherwise (xlwings Lite's Pyodide
has no threads and one CPU): the numbers are the same either way.

Uncertain inputs (:data:`YEARLY` are drawn for every projected year, :data:`ONCE` once per path;
both declared in :mod:`metaltrade_xl.engine.inputs`):

- ``exports.growth``, ``imports.growth``, ``rival.growth``: a distribution of the yearly rate,
  drawn independently each year, or persistent: AR(1) with coefficient ``rho`` in the normal
  scores, so every year keeps the given distribution and ``rho = 1`` means one rate per path.
- ``exports.start``, ``imports.start``, ``rival.start``, ``substitution.share``,
  ``substitution.import_content``, ``substitution.origin_share``.

Correlation between inputs of the same kind uses a Gaussian copula: the normal scores are
correlated with the given matrix (``kind="rank"`` converts Spearman rank correlations with
``2 sin(pi r / 6)``) and mapped through each input's quantile function.

Where things live: drawing in :mod:`metaltrade_xl.engine.sampling`, the distributions in
:mod:`metaltrade_xl.engine.distributions`, the specification in
:mod:`metaltrade_xl.engine.uncertainty_spec`, the result tables in
:mod:`metaltrade_xl.engine.mc_summary`, the exact percentiles in
:mod:`metaltrade_xl.engine._order_stats`; their public names are importable from here too.
"""

from __future__ import annotations

import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from metaltrade_xl.engine._order_stats import (
    COUNTED_FROM,
    _counting_pays,
    _interpolate,
    _layout,
    _percentiles,
)
from metaltrade_xl.engine._validate import InputError
from metaltrade_xl.engine.distributions import DISTRIBUTIONS, Distribution, distribution
from metaltrade_xl.engine.inputs import INPUTS, START, outcome_spec
from metaltrade_xl.engine.mc_summary import OUTCOMES, MonteCarloResult, Paths, Summary
from metaltrade_xl.engine.mc_summary import _label as _label
from metaltrade_xl.engine.model import _checked_rates, evaluate
from metaltrade_xl.engine.sampling import (
    BLOCK,
    _block_rng,
    _child_seeds,
    _draw_block,
    _factors,
    _fixed_seed,
    _rng,
    _seeded_child_seeds,
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

#: Most threads used for drawing and evaluating blocks (results do not depend on it).
THREADS = 4
#: Runs with fewer paths use no threads (handing small jobs to threads costs more than it saves).
THREAD_PATHS = 6 * BLOCK
#: Runs on one thread with at least this many paths (and two blocks) draw one block ahead on a
#: free core when there is one (:func:`_ahead_block`).
AHEAD_PATHS = 2 * BLOCK
#: Relative tolerance for "exports reach the rival", as in ``projection.first_year_reaching``.
REACH_TOL = 1e-12


def _workers(jobs: int) -> int:
    """Threads worth starting for ``jobs`` jobs: 1 on a single CPU (as in Pyodide)."""
    return max(1, min(THREADS, os.cpu_count() or 1, jobs))


_POOL: tuple[ThreadPoolExecutor, int] | None = None  # the pool and its number of workers
_POOL_LOCK = threading.Lock()


def _pool(workers: int) -> ThreadPoolExecutor:
    """One pool for every run (starting threads per run was a fixed cost of each MT_MONTECARLO
    recalculation); replaced only when a run wants more workers than it has."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None or _POOL[1] < workers:
            if _POOL is not None:
                _POOL[0].shutdown(wait=False)  # its queued jobs still finish
            _POOL = (ThreadPoolExecutor(workers, thread_name_prefix="metaltrade-mc"), workers)
        return _POOL[0]


def _run_all(fn, items, workers: int | None = None) -> list:
    """``[fn(i) for i in items]``, on threads when the runtime can start them.

    Each job writes its own columns and draws from its own generator, so the order in which they
    run does not change any number. This thread takes jobs too (``workers - 1`` helpers from the
    pool): on a busy machine waiting for a helper to be scheduled costs more than a small job.
    Where a thread cannot start (Pyodide: ``RuntimeError("can't start new thread")``) this thread
    runs every job, in order. If jobs fail, the error of the first failing job (in job order) is
    raised, as a serial run would, once no job is running any more.
    """
    global _POOL
    items = list(items)
    workers = _workers(len(items)) if workers is None else max(1, min(workers, len(items)))
    if workers == 1:
        return [fn(i) for i in items]
    out, errors = [None] * len(items), {}
    order = iter(range(len(items)))
    lock = threading.Lock()

    def drain():
        while True:
            with lock:
                j = next(order, None)
            if j is None:
                return
            try:
                out[j] = fn(items[j])
            except Exception as exc:  # raised below, in job order
                errors[j] = exc

    helpers = []
    pool = _pool(workers - 1)
    try:
        for _ in range(workers - 1):
            helpers.append(pool.submit(drain))
    except RuntimeError:  # no threads in this runtime: drop the pool
        with _POOL_LOCK:
            _POOL = None if _POOL is not None and _POOL[0] is pool else _POOL
    drain()
    for h in helpers:
        if not h.cancel():  # a helper still queued (behind another run's) is not waited for
            h.result()
    if errors:
        raise errors[min(errors)]
    return out


class _Ahead:
    """One block's draws made on a pool thread while this thread draws the others, when a core
    is free; never waited for. :meth:`take` returns them only if they are complete; otherwise
    this thread draws the block itself, from the block's own seed (the same numbers), and the
    helper's work is dropped. On a busy machine (no free core) this costs one job hand-off; in
    Pyodide (no threads) nothing starts."""

    #: Tests set this to wait for the helper, so that its draws are the ones used.
    wait = False

    def __init__(self, job):
        self._job, self._lock, self._state, self._done = job, threading.Lock(), "queued", None
        self._finished = threading.Event()
        try:
            _pool(1).submit(self._run)
        except RuntimeError:  # no threads in this runtime
            self._state = "dropped"

    def _run(self):
        with self._lock:
            if self._state != "queued":
                return
            self._state = "running"
        try:
            done = self._job()
        except Exception:  # this thread draws the block again and raises the error itself
            done = None
        with self._lock:
            if self._state == "running":
                self._state, self._done = "done", done
        self._finished.set()

    def take(self):
        """The helper's draws if it has finished them (else None, and they are dropped)."""
        if _Ahead.wait and self._state != "dropped":
            self._finished.wait()
        with self._lock:
            done = self._done if self._state == "done" else None
            self._state = "dropped"
        return done


def _ahead_block(sizes: list[int]) -> int:
    """Which block a helper draws ahead while this thread draws the others: the largest that is
    no larger than all the others together (so that it is usually done when this thread comes
    to it), the first of equals; else the last.

    Examples
    --------
    >>> _ahead_block([4096, 4096, 1808]), _ahead_block([4096, 1808]), _ahead_block([4096, 4096])
    (1, 1, 1)
    >>> _ahead_block([4096, 4096, 4096, 4096, 10]), _ahead_block([4096, 9000])
    (1, 1)
    """
    total = sum(sizes)
    fits = [i for i, size in enumerate(sizes) if i and size <= total - size]
    return max(fits, key=lambda i: (sizes[i], -i)) if fits else len(sizes) - 1


#: Blocks evaluated together on one thread: the model and the counts run once per chunk of
#: blocks. Results do not depend on it; nor, here, does the time (4, 8 or all 25 blocks of
#: 100 000 paths on one thread: within 2 %).
CHUNK_BLOCKS = 4


def _chunks(n_blocks: int, workers: int) -> list[tuple[int, int]]:
    """Runs of consecutive blocks ``(first, end)``: one per worker on threads, of equal size
    (to a block), so that they finish together; on one thread, :data:`CHUNK_BLOCKS` each.

    Fewer, larger chunks pay on threads: paired against chunks of at most four blocks, three
    or more per worker, a run of 30 000 paths took 0.78x the time, 100 000 paths 0.94x and
    250 000 paths 0.95x (2 cores). A helper that starts late leaves this thread its own chunk
    to run meanwhile; one that never starts leaves it both.

    >>> _chunks(25, 2), _chunks(3, 1)
    ([(0, 13), (13, 25)], [(0, 3)])
    """
    per = -(-n_blocks // workers) if workers > 1 else CHUNK_BLOCKS
    return [(i, min(i + per, n_blocks)) for i in range(0, n_blocks, per)]


# Outcomes summarised on request, beyond OUTCOMES: copied out of each block's model output.
_COPIED = ("imports_before_substitution", "substitution_effect")


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
    outcomes=(),
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
    outcomes : sequence of outcome names, optional
        Declared outcomes (:data:`metaltrade_xl.engine.inputs.OUTCOMES`) to summarise besides
        :data:`OUTCOMES`, e.g. ``["balance"]``; their rows follow in the percentile table.

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
    [2034.0, 2308.0]
    >>> float(r.reach.p_reached_by.iloc[-1])
    0.0
    """
    n_paths = spec.paths if paths is None else paths
    if isinstance(n_paths, bool) or not isinstance(n_paths, (int, np.integer)) or n_paths < 1:
        raise InputError(f"paths: expected a whole number >= 1, got {n_paths!r}")
    levels = tuple(float(q) for q in (spec.percentiles if percentiles is None else percentiles))
    check_percentiles(levels)
    if isinstance(outcomes, str):
        outcomes = (outcomes,)
    extra = tuple(o for o in dict.fromkeys(outcomes) if outcome_spec(o).name not in OUTCOMES)
    fixed_seed = _fixed_seed(rng, seed, spec)
    gen = _rng(rng, seed, spec) if fixed_seed is None else None
    base, horizon = scenario.years
    n = horizon - base
    rates = _checked_rates(scenario, inputs)  # rate tables and start values, clear messages
    rival_varies = any(k in spec.inputs for k in ("rival.growth", "rival.start"))

    k = n + 1
    shape = (k, n_paths)
    # One buffer ``(years, outcomes, paths)``, selected in place at the end: every year's row
    # of every outcome is contiguous, and the rows after the base year are one run of rows, so
    # one selection covers them all. With a fixed rival the gap is not stored: its percentiles
    # mirror those of exports.
    buf = np.empty((k, 4 if rival_varies else 3, n_paths))
    x, m, d = buf[:, 0], buf[:, 1], buf[:, 2]
    gap = buf[:, 3] if rival_varies else (np.empty(shape) if keep_paths else None)
    r = np.empty(shape) if rival_varies else None
    copied = {o: np.empty(shape) for o in extra if o in _COPIED}
    if gen is None:  # the same seeds as _child_seeds(default_rng(fixed_seed), n_paths)
        blocks, seeds = _seeded_child_seeds(fixed_seed, int(n_paths))
    else:
        blocks, seeds = _child_seeds(gen, n_paths)
    factors = _factors(spec)
    # Independent-normal yearly draws go straight into the rows their outcome is compounded in.
    drawn_into = {"exports.growth": x, "imports.growth": m}
    if r is not None:
        drawn_into["rival.growth"] = r
    # Threads pay off from a few blocks on; a small run (an MT_MONTECARLO cell) stays on this one.
    workers = _workers(len(blocks)) if n_paths >= THREAD_PATHS else 1
    chunks = _chunks(len(blocks), workers)

    once_names = [name for name in spec.once]
    yearly_names = [name for name in spec.yearly]
    # On one thread, one block's draws may be made ahead on a free core (never waited for): it
    # is drawn into its columns last, so this thread has the others to draw meanwhile.
    early, ahead_at = None, None
    if workers == 1 and len(blocks) > 1 and n_paths >= AHEAD_PATHS and _workers(2) > 1:
        ahead_at = _ahead_block([hi - lo for lo, hi in blocks])
        (lo_h, hi_h), seed_h = blocks[ahead_at], seeds[ahead_at]
        early = _Ahead(lambda: _draw_block(spec, n, hi_h - lo_h, _block_rng(seed_h), factors))

    def run_chunk(c):
        first, end = chunks[c]
        a, b = blocks[first][0], blocks[end - 1][1]
        # Every block writes its draws into the chunk's columns: growths straight into the rows
        # their outcome is compounded in where there are such rows, others into chunk arrays.
        own = {name: np.empty((n, b - a)) for name in yearly_names if name not in drawn_into}
        own.update({name: np.empty(b - a) for name in once_names})
        scratch = np.empty(len(yearly_names) * n * BLOCK) if yearly_names else None
        # each block draws from its own seed into its own columns: the order changes no number
        order = [i for i in range(first, end) if i != ahead_at]
        if ahead_at is not None and first <= ahead_at < end:
            order.append(ahead_at)
        for i in order:
            lo, hi = blocks[i]
            targets = {name: rows[1:, lo:hi] for name, rows in drawn_into.items()}
            targets.update({name: arr[..., lo - a : hi - a] for name, arr in own.items()})
            # Each block's generator is made here, on the worker (seeding costs ~30 us a block).
            got = early.take() if early is not None and i == ahead_at else None
            if got is not None:  # drawn ahead, from this block's seed: the same numbers
                for name, v in got.items():
                    targets[name][...] = v
                continue
            rng_i = _block_rng(seeds[i])
            _draw_block(spec, n, hi - lo, rng_i, factors, targets, scratch)
        draws = {name: drawn_into[name][1:, a:b] for name in yearly_names if name in drawn_into}
        draws.update(own)
        # The model writes straight into this chunk's columns of the result buffers.
        cols = {"exports": x[:, a:b], "imports": m[:, a:b], "deficit": d[:, a:b]}
        if gap is not None:
            cols["gap_to_rival"] = gap[:, a:b]
        if r is not None:
            cols["rival_exports"] = r[:, a:b]
        out = evaluate(scenario, inputs, draws, b - a, _rates=rates, _out=cols, _checked=True)
        for o, target in copied.items():
            target[:, a:b] = out[o]
        # Reach counts while the chunk is still in cache; integer counts summed over chunks are
        # the same in any order. A fixed rival is one column (the same numbers, not per path).
        rival = out["rival_exports"] if r is not None else out["rival_exports"][:, :1]
        ahead = cols["exports"] >= rival * (1 - REACH_TOL)
        # Row by row: count_nonzero without an axis is a SIMD popcount; with one, a slow sum.
        n_ahead = [np.count_nonzero(row) for row in ahead]
        for t in range(1, k):  # reached by year t; row by row beats accumulate(axis=0)
            np.logical_or(ahead[t], ahead[t - 1], out=ahead[t])
        n_by = [np.count_nonzero(row) for row in ahead]
        return rival[:, 0].copy(), np.array(n_ahead), np.array(n_by)

    done_blocks = _run_all(run_chunk, range(len(chunks)), workers)
    rival_col = done_blocks[0][0]
    n_ahead = sum(blk[1] for blk in done_blocks)
    n_reached = sum(blk[2] for blk in done_blocks)
    # Joint (path-wise) statistics before the percentile step, which reorders each row.
    mean_dh, sd_dh = _mean_sd(d[-1])
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
    # A run on one thread (an MT_MONTECARLO cell of 10 000 paths) selects on two threads when
    # a second core is there: the selection is then its largest step left. A helper that does
    # not start in time leaves both parts to this thread.
    select = workers if workers > 1 or n_paths < AHEAD_PATHS else _workers(2)
    pct = _summarise(buf, k, levels, r, rival_col, copied, extra, spec, select)
    summary = Summary(
        pct, n_ahead, n_reached, (mean_dh, sd_dh), levels, base, horizon, int(n_paths)
    )
    return MonteCarloResult(summary, kept)


def _mean_sd(v: np.ndarray) -> tuple[float, float]:
    """``(v.mean(), v.std(ddof=1))`` of a contiguous row, by numpy's own steps (a pairwise sum,
    the deviations squared and summed the same way), without its per-call bookkeeping; the sd is
    0.0 for one value.

    Examples
    --------
    >>> v = np.random.default_rng(1).standard_normal(1001)
    >>> _mean_sd(v) == (float(v.mean()), float(v.std(ddof=1)))
    True
    """
    n = v.size
    mean = float(np.add.reduce(v)) / n
    if n < 2:
        return mean, 0.0
    dev = v - mean
    np.multiply(dev, dev, out=dev)
    return mean, math.sqrt(float(np.add.reduce(dev)) / (n - 1))


def _summarise(buf, k, levels, r, rival_col, copied, extra, spec, workers) -> dict:
    """Percentiles ``(years, levels)`` of every outcome, in the percentile table's order.

    ``buf`` is simulate's ``(years, outcomes, paths)`` buffer; its rows are reordered (selection
    in place). Every row of it is selected at the levels any of its outcomes needs, in one call
    (or a few, on threads): a percentile depends only on its row and its level, so which other
    levels are found alongside changes no number.
    """
    nq, n_paths = len(levels), buf.shape[-1]
    # The base year is observed: it varies across paths only through uncertain start values.
    fixed = not any(INPUTS[name].domain is START for name in spec.inputs)
    mirrored = levels + tuple(100.0 - q for q in levels)
    # balance = -deficit: its percentiles mirror those of the deficit; gap = rival - exports with
    # a fixed rival: its percentiles mirror those of exports.
    need = set(levels)
    if "balance" in extra or r is None:
        need.update(mirrored)
    union = tuple(sorted(need))
    col = {q: j for j, q in enumerate(union)}
    nout = buf.shape[1]
    first = 1 if fixed else 0
    rows = buf[first:].reshape(-1, n_paths)
    # Contiguous runs of rows, a few per worker so that threads finish together, or one per
    # worker below THREAD_PATHS paths, where a part's bookkeeping (~0.1 ms) costs more than the
    # imbalance it saves; rows are independent, so the split changes no number.
    parts_per = 1 if workers == 1 else workers if n_paths < THREAD_PATHS else 3 * workers
    step = max(1, -(-rows.shape[0] // parts_per))
    parts = [(rows[i : i + step], union) for i in range(0, rows.shape[0], step)]
    others = dict(copied)
    if r is not None and "rival_exports" in extra:
        others["rival_exports"] = r
    parts += [(a, levels, fixed) for a in others.values()]
    if n_paths >= COUNTED_FROM:
        _counting_pays()  # measured here, if at all, before the threads select
    found = _run_all(lambda j: _percentiles(*j), parts, workers)
    n_rows = len(parts) - len(others)
    table = np.concatenate(found[:n_rows]) if n_rows > 1 else found[0]
    table = table.reshape(k - first, nout, len(union))
    if first:
        # The base year's row does not vary: each level is its value, through the same
        # interpolation (a + 0 * t) as the selected rows.
        layout = _layout(n_paths, union)
        stats = np.repeat(buf[0, :, :1], len(layout[0]), axis=1)
        table = np.concatenate((_interpolate(stats, layout)[None], table))
    own = [col[q] for q in levels]
    rev = [col[100.0 - q] for q in levels]
    pct = {
        "exports": table[:, 0, own],
        "imports": table[:, 1, own],
        "deficit": table[:, 2, own],
        "gap_to_rival": table[:, 3, own]
        if r is not None
        else rival_col[:, None] - table[:, 0, rev],
    }
    done = dict(zip(others, found[n_rows:], strict=True))
    for o in extra:
        if o == "balance":
            pct[o] = -table[:, 2, rev]
        elif o == "rival_exports" and r is None:
            pct[o] = np.repeat(rival_col[:, None], nq, axis=1)
        else:
            pct[o] = done[o]
    for v in pct.values():  # a zero is +0.0 (its sign would follow the order of selection)
        v += 0.0
    return pct
