"""Exact percentiles of every row of a large array without a full sort.

Used by :func:`metaltrade_xl.engine.montecarlo.simulate` on ``(years, paths)`` buffers: the results
equal ``np.percentile(buf, levels, axis=1).T`` (linear method) bit for bit, NaN policy included (a
row with a NaN is NaN at every level), except the sign of a zero, which follows the order in
which equal values are selected (``simulate`` makes every zero +0.0). Each row is partitioned
around the few ranks the levels need (reordered in place), or, where that is faster on the
machine, long rows are counted (:func:`_counted`): only the few values near each needed rank
are sorted.

What depends only on the row length and the levels (the ranks, the interpolation weights, the
sequence of partitions) is worked out once and kept: an ``MT_MONTECARLO`` cell asks for the same
levels on every recalculation, and at 10 000 paths that bookkeeping cost as much as a partition.
"""

from __future__ import annotations

import functools
import math
import threading

import numpy as np


def _ranks(n: int, levels):
    q = np.asarray(levels, dtype=float) / 100.0
    h = (n - 1) * q
    lo = np.floor(h)
    t = h - lo
    lo = lo.astype(np.intp)
    return lo, np.minimum(lo + 1, n - 1), t


@functools.lru_cache(maxsize=64)
def _layout(n: int, levels: tuple[float, ...]):
    """For rows of ``n`` values and these levels: the sorted ranks needed, the column of each
    level's lower and upper rank among them, the weights ``t`` and where ``t >= 0.5``, and the
    plan of :func:`_plan` (read-only arrays, shared by every run)."""
    lo, hi, t = _ranks(n, levels)
    ranks = tuple(sorted(set(lo.tolist()) | set(hi.tolist())))
    col = {r: c for c, r in enumerate(ranks)}
    a = np.array([col[r] for r in lo.tolist()], dtype=np.intp)
    b = np.array([col[r] for r in hi.tolist()], dtype=np.intp)
    arrays = (a, b, t, 1 - t, t >= 0.5)
    for v in arrays:
        v.flags.writeable = False
    return (ranks, *arrays, _plan(n, ranks))


@functools.lru_cache(maxsize=64)
def _plan(n: int, ranks: tuple[int, ...]) -> tuple:
    """The steps that find ``ranks`` (sorted) in a row of ``n``: ``(kind, a, b, rank)`` with kind
    ``"min"``/``"max"`` (that rank is the least/greatest of the segment ``a:b``) or ``"part"``
    (partition the segment around that rank), in the order they must run.

    A rank at either end of a segment is its min / max: one cheap SIMD pass instead of a
    partition (after each partition the neighbours of the pivot rank land there). Otherwise the
    segment is partitioned on the rank nearest its middle: both halves shrink fastest, which for
    the usual symmetric levels (P5 .. P95) partitions ~25 % fewer elements than pivoting on the
    middle rank of the list.
    """
    steps = []
    todo = [(0, n, list(ranks))]
    while todo:
        a, b, rs = todo.pop()
        if rs and rs[0] == a:
            steps.append(("min", a, b, a))
            rs = rs[1:]
        if rs and rs[-1] == b - 1:
            steps.append(("max", a, b, b - 1))
            rs = rs[:-1]
        if not rs:
            continue
        mid = min(rs, key=lambda r: abs(2 * r - (a + b)))
        steps.append(("part", a, b, mid))
        todo.append((a, mid, [r for r in rs if r < mid]))
        todo.append((mid + 1, b, [r for r in rs if r > mid]))
    return tuple(steps)


def _percentiles(buf: np.ndarray, levels, first_fixed: bool = False) -> np.ndarray:
    """``np.percentile(buf, levels, axis=1).T`` (linear method, numpy's arithmetic), reordering
    each row of ``buf`` in place; shape (rows, levels). ``first_fixed``: row 0 is known not to
    vary (the observed base year), so it is not selected.

    Examples
    --------
    >>> buf = np.array([[3.0, 1.0, 2.0, 4.0], [-1.0, -5.0, np.nan, -3.0]])
    >>> _percentiles(buf.copy(), [0, 50, 100]).tolist()
    [[1.0, 2.5, 4.0], [nan, nan, nan]]
    >>> rows = np.vstack([np.arange(1.0, 5001.0), -np.arange(5000.0) ** 3, np.full(5000, 2.5)])
    >>> _percentiles(rows.copy(), [0, 50, 100]).tolist()  # counted (or partitioned), flat
    [[1.0, 2500.5, 5000.0], [-124925014999.0, -15615628749.5, -0.0], [2.5, 2.5, 2.5]]
    """
    layout = _layout(buf.shape[1], tuple(float(q) for q in levels))
    ranks = layout[0]
    if first_fixed:
        stats = np.empty((buf.shape[0], len(ranks)))
        stats[0] = buf[0, 0]  # the order statistics of a row that does not vary
        if buf.shape[0] > 1:
            _order_stats_rows(buf[1:], layout, out=stats[1:])
    else:
        stats = _order_stats_rows(buf, layout)
    return _interpolate(stats, layout)


def _interpolate(stats: np.ndarray, layout) -> np.ndarray:
    """numpy's linear interpolation between the order statistics ``stats`` (rows x the ranks of
    ``layout``, a :func:`_layout`), one column per level."""
    _, ia, ib, t, one_t, upper = layout[:6]
    a, b = stats[..., ia], stats[..., ib]
    d = b - a
    out = a + d * t
    np.subtract(b, d * one_t, out=out, where=upper)
    return out


#: Rows shorter than this are selected by partition alone (counting has a fixed cost).
COUNTED_FROM = 1024
#: A row whose needed buckets hold more than ``max(CROWDED_MIN, n // CROWDED)`` values is
#: selected by partition (~100 in 10 000 normal values at 5 levels; a few values repeated or a
#: far outlier put thousands there).
CROWDED, CROWDED_MIN = 16, 256
#: About this many values are keyed at a time (6 rows at 10 000 paths, 1 at 100 000).
GROUP_VALUES = 65_536
#: The sign bit cleared: a negative double's bits XOR-ed with it order as integers.
_LOW_63 = np.int64(0x7FFFFFFFFFFFFFFF)


def _order_stats_rows(sub: np.ndarray, layout, out=None) -> np.ndarray:
    """Order statistics at the ranks of ``layout`` (a :func:`_layout`) of every row of ``sub``,
    shape (rows, ranks); a row with a NaN is NaN throughout. Long rows are counted
    (:func:`_counted`) where that pays on this machine (:func:`_counting_pays`); the others,
    and the rows counting leaves, are partitioned (reordered in place)."""
    ranks, plan = layout[0], layout[-1]
    rows, n = sub.shape
    stats = np.empty((rows, len(ranks))) if out is None else out
    if n >= COUNTED_FROM and sub.flags.c_contiguous and _counting_pays():
        redo = _counted(sub, ranks, stats)
    else:
        redo = np.arange(rows)
    if redo.size:
        part = sub if redo.size == rows else np.ascontiguousarray(sub[redo])
        stats[redo] = _partitioned(part, ranks, plan)
    return stats


#: Whether long rows are counted (:func:`_counted`) or partitioned: ``None`` measures both once
#: per process (:func:`_counting_pays`); the numbers are the same either way.
COUNTING: bool | None = None


def _counting_pays() -> bool:
    """:data:`COUNTING`, or, when it is ``None``, whether counting beat partition on this
    machine: measured once per process (~1-3 ms), best of three, on 2 rows of 8 192 values at
    the default levels. Call it before starting threads that select (a thread working beside
    the measurement would skew it).

    Which is faster depends on the processor, not on the data: numpy's partition is fastest
    on its AVX2 path (~30 % faster than counting there), while its AVX-512 path is several
    times slower than counting on AMD Zen 4, which stores compressed vectors through microcode.
    """
    if COUNTING is not None:
        return COUNTING
    with _MEASURING:  # once, and not while another thread measures too
        return _measured_counting_pays()


_MEASURING = threading.Lock()


@functools.cache
def _measured_counting_pays() -> bool:
    import time

    rows = np.exp(np.random.default_rng(0).standard_normal((2, 8192)))
    layout = _layout(8192, (5.0, 10.0, 50.0, 90.0, 95.0))  # the default levels
    best = {}
    for name, run in (
        ("partition", lambda: _partitioned(rows.copy(), layout[0], layout[-1])),
        ("counting", lambda: _counted(rows.copy(), layout[0], np.empty((2, len(layout[0]))))),
    ):
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            run()
            times.append(time.perf_counter() - t0)
        best[name] = min(times)
    return best["counting"] < best["partition"]


def _counted(sub: np.ndarray, ranks, stats: np.ndarray) -> np.ndarray:
    """The order statistics ``ranks`` of the rows of ``sub`` (C-contiguous) found by counting,
    written to ``stats``; returns the rows left for partition.

    Each row is cut into buckets (n/16 to n/8 of them) from its least value to its greatest:
    equal ranges of the doubles' bits read as integers, which order as the values (sign-folded
    in a row of negatives; equal ranges of value in a row whose range holds zero, where the
    bits would crowd the values near zero). One count per bucket tells which bucket holds each
    rank and how many values lie below it; only the values of those few buckets (~100 of
    10 000 in a smooth distribution) are sorted. Exact: the buckets follow the values' order,
    and a double other than zero or NaN has one bit pattern. Left for partition: rows with a NaN
    or an infinity, and rows whose needed buckets hold too many values (:data:`CROWDED`). A row
    of one value is that value.

    Used where it is faster than partition (:func:`_counting_pays`).
    """
    rows, n = sub.shape
    lo = np.minimum.reduce(sub, axis=1)
    hi = np.maximum.reduce(sub, axis=1)
    finite = np.isfinite(lo) & np.isfinite(hi)  # a NaN anywhere makes both NaN
    flat = finite & (lo == hi)
    stats[flat] = lo[flat, None]
    left = ~finite
    todo = np.flatnonzero(finite & (lo != hi))
    if todo.size == 0:
        return np.flatnonzero(left)
    width = (n // 16).bit_length()  # 2**width buckets: n/16 < 2**width <= n/8
    nb = 1 << width
    r = np.asarray(ranks, dtype=np.intp)
    limit = max(CROWDED_MIN, n // CROWDED)
    # A few rows at a time through one buffer of keys. Keys for all rows at once (2.4 MB at
    # 10 000 paths), made and dropped on every run, were given back to the system by the
    # allocator and faulted in again on the next run: ~1 300 page faults, ~1 ms, per run.
    group = max(1, GROUP_VALUES // n)
    tmp = np.empty(min(group, todo.size) * n, dtype=np.int64)
    got = []
    for g in range(0, todo.size, group):
        ids = todo[g : g + group]
        m = ids.size
        keys = tmp[: m * n].reshape(m, n)
        block, bad = _bucket_keys(sub, ids, lo[ids], hi[ids], width, keys)
        if m > 1:
            keys += (np.arange(m, dtype=np.int64) * nb)[:, None]
        flat_keys = keys.reshape(-1)
        if flat_keys.dtype != np.intp:  # 32-bit builds (Pyodide)
            flat_keys = flat_keys.astype(np.intp)
        counts = np.bincount(flat_keys, minlength=m * nb)
        cum = np.cumsum(counts)  # every row holds n values: row i's counts start after i * n
        offsets = np.arange(m) * n
        at = np.searchsorted(cum, r + offsets[:, None], side="right")  # each rank's bucket
        in_bucket = counts[at]
        below = cum[at] - in_bucket - offsets[:, None]  # the row's values below that bucket
        new = np.ones(at.shape, dtype=bool)
        new[:, 1:] = at[:, 1:] != at[:, :-1]
        taken = np.where(new, in_bucket, 0)
        per_row = taken.sum(axis=1)
        ok = (per_row <= limit) & ~bad
        per_row[~ok] = 0
        want = np.zeros(m * nb, dtype=bool)
        want[at[ok]] = True
        # the candidates row by row, each row's in place order (np.take: ~30 % faster than [])
        values = block.reshape(-1)[np.take(want, flat_keys)]
        # a rank's place among its row's candidates: those of lower buckets, then its rank
        # within its bucket
        place = np.cumsum(taken, axis=1) - in_bucket + (r - below)
        got.append((ids, ok, per_row, values, place))
    ids, ok, per_row, values, place = (np.concatenate(v) for v in zip(*got, strict=True))
    left[ids[~ok]] = True
    if not ok.any():
        return np.flatnonzero(left)
    starts = np.cumsum(per_row) - per_row
    row_of = np.repeat(np.arange(ids.size), per_row)
    pad = np.full((ids.size, int(per_row.max())), np.inf)
    pad[row_of, np.arange(values.size) - starts[row_of]] = values
    pad.sort(axis=1)  # each row's candidates in order, the padding (inf) after them
    place[~ok] = 0
    found = np.take_along_axis(pad, place, axis=1)
    stats[ids[ok]] = found[ok]
    return np.flatnonzero(left)


def _bucket_keys(sub, ids, lo, hi, width, keys) -> tuple[np.ndarray, np.ndarray]:
    """Each row ``ids`` of ``sub`` as bucket numbers ``0 .. 2**width - 1`` that follow its
    values' order, written to ``keys``; returns those rows (a view where they are a run) and
    which of them cannot be keyed (their keys are 0). ``lo``, ``hi``: the rows' least and
    greatest values (finite, unequal)."""
    nb = 1 << width
    m = ids.size
    run = ids[-1] - ids[0] + 1 == m
    block = sub[ids[0] : ids[-1] + 1] if run else sub[ids]  # a copy only for scattered rows
    bits = block.view(np.int64)
    lo_b = lo.view(np.int64)
    np.subtract(bits, lo_b[:, None], out=keys)  # rows of values > 0: bits order as values
    spans = (hi.view(np.int64) - lo_b).tolist()
    bad = np.zeros(m, dtype=bool)
    for i in np.flatnonzero(lo <= 0).tolist():
        if hi[i] >= 0:  # zero in the range: equal ranges of value (the bits of the values near
            # zero span more integers than all the others; -0.0 and +0.0 are not in bit order)
            span = hi[i] - lo[i]
            scale = (nb - 0.5) / span
            if not (math.isfinite(span) and math.isfinite(scale)):
                bad[i], keys[i] = True, 0
                continue
            t = np.subtract(block[i], lo[i])  # >= 0, and <= span: rounding keeps the order
            t *= scale
            keys[i] = t  # truncated: < nb
            spans[i] = nb - 1
        else:  # no positive value: the bits with the sign folded order as values
            folded = bits[i] ^ ((bits[i] >> 63) & _LOW_63)
            least = folded.min()
            np.subtract(folded, least, out=keys[i])  # may pass 2**63: read as unsigned below
            spans[i] = (int(folded.max()) - int(least)) % 2**64
    shifts = np.array([max(0, s.bit_length() - width) for s in spans], dtype=np.uint64)
    ukeys = keys.view(np.uint64)
    np.right_shift(ukeys, shifts[:, None], out=ukeys)  # every key < nb now
    return block, bad


def _partitioned(sub: np.ndarray, ranks, plan) -> np.ndarray:
    """Order statistics ``ranks`` of every row of ``sub`` by partition (rows reordered in place),
    NaN rows all NaN. Rows of positive finite values are partitioned on their bits read as
    integers, which order as the values: ~20 % faster than as floats (no NaN handling)."""
    if not sub.flags.c_contiguous:
        return _select_floats(sub, ranks, plan)
    lo = np.minimum.reduce(sub, axis=1)
    hi = np.maximum.reduce(sub, axis=1)
    ints = (lo > 0) & (hi < np.inf)  # False for a row with a NaN
    if not ints.any():
        return _select_floats(sub, ranks, plan)
    got = np.empty((sub.shape[0], len(ranks)))
    if ints.all():
        _run_plan(sub.view(np.int64), ranks, plan, got.view(np.int64))
        return got
    i, f = np.flatnonzero(ints), np.flatnonzero(~ints)
    found = np.empty((i.size, len(ranks)))
    _run_plan(np.ascontiguousarray(sub[i]).view(np.int64), ranks, plan, found.view(np.int64))
    got[i] = found
    got[f] = _select_floats(np.ascontiguousarray(sub[f]), ranks, plan)
    return got


def _select_floats(sub: np.ndarray, ranks, plan) -> np.ndarray:
    """Order statistics ``ranks`` of every row of ``sub`` (floats), NaN rows all NaN."""
    got = np.empty((sub.shape[0], len(ranks)))
    _run_plan(sub, ranks, plan, got)
    # numpy's partition puts NaNs last, so after the selection any NaN of a row is in one of the
    # found values or above the highest rank: a scan of that tail, not of the row.
    nan = np.isnan(got).any(axis=1)
    if ranks[-1] + 1 < sub.shape[1]:
        nan |= np.isnan(sub[:, ranks[-1] + 1 :].max(axis=1))
    got[nan] = np.nan
    return got


def _run_plan(buf: np.ndarray, ranks, plan, out: np.ndarray) -> None:
    """Carry out a :func:`_plan` on every row of ``buf`` (in place), writing rank ``ranks[j]``
    of each row to ``out[:, j]``."""
    col = {r: c for c, r in enumerate(ranks)}
    for kind, a, b, r in plan:
        seg = buf[:, a:b]
        if kind == "part":
            seg.partition(r - a, axis=1)
            out[:, col[r]] = buf[:, r]
        elif kind == "min":
            np.minimum.reduce(seg, axis=1, out=out[:, col[r]])
        else:
            np.maximum.reduce(seg, axis=1, out=out[:, col[r]])
