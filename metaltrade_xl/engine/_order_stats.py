"""Exact percentiles of every row of a large array by partial selection (no full sort).

Used by :func:`metaltrade_xl.engine.montecarlo.simulate` on ``(years, paths)`` buffers: the results
equal ``np.percentile(buf, levels, axis=1).T`` (linear method) bit for bit, NaN policy included (a
row with a NaN is NaN at every level), but each row is only partitioned around the few ranks the
levels need. The functions reorder ``buf`` in place.

What depends only on the row length and the levels (the ranks, the interpolation weights, the
sequence of partitions) is worked out once and kept: an ``MT_MONTECARLO`` cell asks for the same
levels on every recalculation, and at 10 000 paths that bookkeeping cost as much as a partition.
"""

from __future__ import annotations

import functools

import numpy as np


def _ranks(n: int, levels):
    q = np.asarray(levels, dtype=float) / 100.0
    h = (n - 1) * q
    lo = np.floor(h)
    t = h - lo
    lo = lo.astype(np.intp)
    return lo, np.minimum(lo + 1, n - 1), t


#: Bits of +inf read as an int64: every NaN with the sign bit clear reads above it.
_INF_BITS = 0x7FF0000000000000


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


def _percentiles(buf: np.ndarray, levels, first_fixed: bool = False, nonneg=False) -> np.ndarray:
    """``np.percentile(buf, levels, axis=1).T`` (linear method, numpy's arithmetic), reordering
    each row of ``buf`` in place; shape (rows, levels). ``first_fixed``: row 0 is known not to
    vary (the observed base year), so it is not selected. ``nonneg`` (one flag, or one per row):
    the rows are expected to hold no negative number (exports, imports), so they are selected on
    their bits read as integers: for doubles >= 0 the integer order is the numeric order, and
    numpy selects integers ~20 % faster (no NaN pass per partition). Rows that turn out to hold a
    NaN or a sign bit are selected again as floats, so the result is the same either way.

    Examples
    --------
    >>> buf = np.array([[3.0, 1.0, 2.0, 4.0], [-1.0, -5.0, np.nan, -3.0]])
    >>> _percentiles(buf.copy(), [0, 50, 100]).tolist()
    [[1.0, 2.5, 4.0], [nan, nan, nan]]
    >>> _percentiles(buf.copy(), [0, 50, 100], nonneg=True).tolist()
    [[1.0, 2.5, 4.0], [nan, nan, nan]]
    >>> _percentiles(buf.copy(), [0, 50, 100], nonneg=[False, True]).tolist()
    [[1.0, 2.5, 4.0], [nan, nan, nan]]
    """
    layout = _layout(buf.shape[1], tuple(float(q) for q in levels))
    ranks = layout[0]
    if first_fixed:
        stats = np.empty((buf.shape[0], len(ranks)))
        stats[0] = buf[0, 0]  # the order statistics of a row that does not vary
        if buf.shape[0] > 1:
            flags = nonneg if np.ndim(nonneg) == 0 else np.asarray(nonneg, dtype=bool)[1:]
            _order_stats_rows(buf[1:], layout, flags, out=stats[1:])
    else:
        stats = _order_stats_rows(buf, layout, nonneg)
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


def _order_stats_rows(sub: np.ndarray, layout, nonneg=False, out=None) -> np.ndarray:
    """Order statistics at the ranks of ``layout`` (a :func:`_layout`) of every row of ``sub``,
    shape (rows, ranks), reordering the rows in place; a row with a NaN is NaN throughout.
    ``nonneg``: one flag, or one per row, for the rows to try as integers first (see
    :func:`_percentiles`)."""
    ranks, plan = layout[0], layout[-1]
    n, rows = sub.shape[1], sub.shape[0]
    stats = np.empty((rows, len(ranks))) if out is None else out
    contiguous = sub.strides[1] == sub.itemsize
    if np.ndim(nonneg) == 0:
        if not nonneg or not contiguous:
            stats[...] = _select_floats(sub, ranks, plan)
            return stats
        flags = idx = None  # every row
        part = sub
    else:
        flags = np.asarray(nonneg, dtype=bool)
        idx = np.flatnonzero(flags) if contiguous else np.empty(0, dtype=np.intp)
        if idx.size == 0:
            stats[...] = _select_floats(sub, ranks, plan)
            return stats
        if idx.size == rows:
            idx, part = None, sub
        elif idx[-1] - idx[0] + 1 == idx.size:  # a run of rows: a view, no copy
            part = sub[idx[0] : idx[-1] + 1]
        else:
            part = np.ascontiguousarray(sub[idx])
    keys = part.view(np.int64)
    got = np.empty((part.shape[0], len(ranks)), dtype=np.int64)
    _run_plan(keys, ranks, plan, got)
    # A sign bit (a negative, -0.0, the NaN of inf - inf) reads as a negative integer, so it
    # lies at or below the lowest rank; a NaN without one at or above the highest.
    ok = (got[:, 0] >= 0) & (got[:, -1] <= _INF_BITS)
    if ranks[0] > 0:
        ok &= np.minimum.reduce(keys[:, : ranks[0]], axis=1) >= 0
    if ranks[-1] + 1 < n:
        ok &= np.maximum.reduce(keys[:, ranks[-1] + 1 :], axis=1) <= _INF_BITS
    values = got.view(np.float64)
    if idx is None and ok.all():
        stats[...] = values
        return stats
    where = np.arange(rows) if idx is None else idx
    stats[where[ok]] = values[ok]
    floats = ~flags if flags is not None else np.zeros(rows, dtype=bool)
    floats[where[~ok]] = True
    redo = np.flatnonzero(floats)
    part = sub if redo.size == rows else np.ascontiguousarray(sub[redo])
    stats[redo] = _select_floats(part, ranks, plan)
    return stats


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
