"""Exact percentiles of every row of a large array by partial selection (no full sort).

Used by :func:`metaltrade_xl.engine.montecarlo.simulate` on ``(years, paths)`` buffers: the results
equal ``np.percentile(buf, levels, axis=1).T`` (linear method) bit for bit, NaN policy included (a
row with a NaN is NaN at every level), but each row is only partitioned around the few ranks the
levels need. The functions reorder ``buf`` in place.
"""

from __future__ import annotations

import numpy as np


def _ranks(n: int, levels):
    q = np.asarray(levels, dtype=float) / 100.0
    h = (n - 1) * q
    lo = np.floor(h)
    t = h - lo
    lo = lo.astype(np.intp)
    return lo, np.minimum(lo + 1, n - 1), t


def _percentiles(buf: np.ndarray, levels, first_fixed: bool = False) -> np.ndarray:
    """``np.percentile(buf, levels, axis=1).T`` (linear method, numpy's arithmetic), reordering
    each row of ``buf`` in place; shape (rows, levels). ``first_fixed``: row 0 is known not to
    vary (the observed base year), so it is not selected.

    Examples
    --------
    >>> buf = np.array([[3.0, 1.0, 2.0, 4.0], [-1.0, -5.0, np.nan, -3.0]])
    >>> _percentiles(buf.copy(), [0, 50, 100]).tolist()
    [[1.0, 2.5, 4.0], [nan, nan, nan]]
    """
    n = buf.shape[1]
    lo, hi, t = _ranks(n, levels)
    ranks = sorted(set(lo.tolist()) | set(hi.tolist()))
    col = {r: c for c, r in enumerate(ranks)}
    stats = np.repeat(buf[:, :1], len(ranks), axis=1)  # the order statistics of every row
    skip = 1 if first_fixed else 0
    if buf.shape[0] > skip:
        sub = buf[skip:]
        found = _order_statistics(sub, ranks)
        stats[skip:] = np.stack([found[r] for r in ranks], axis=1)
        # numpy's partition puts NaNs last, so after the selection any NaN of a row is in one of
        # the found values or above the highest rank: a scan of that tail, not of the row.
        top = ranks[-1] + 1
        nan = np.isnan(stats[skip:]).any(axis=1)
        if top < n:
            nan |= np.isnan(sub[:, top:].max(axis=1))
        stats[skip:][nan] = np.nan
    a, b = stats[:, [col[r] for r in lo.tolist()]], stats[:, [col[r] for r in hi.tolist()]]
    d = b - a
    out = a + d * t
    np.subtract(b, d * (1 - t), out=out, where=t >= 0.5)
    return out


def _order_statistics(buf: np.ndarray, ranks) -> dict:
    """Values of the given ranks (0-based) in every row of ``buf``, reordering rows in place.

    Equal to ``np.sort(buf, axis=1)[:, ranks]`` at a fraction of the cost: a recursion of
    single-rank partitions (numpy's selection) over ever smaller segments, all rows at once.
    """
    found = {}
    todo = [(0, buf.shape[1], sorted(set(int(r) for r in ranks)))]
    while todo:
        a, b, rs = todo.pop()
        # A rank at either end of the segment is its min / max: one cheap SIMD pass instead of a
        # partition (after each partition the neighbours of the pivot rank land here).
        if rs and rs[0] == a:
            found[a] = buf[:, a:b].min(axis=1)
            rs = rs[1:]
        if rs and rs[-1] == b - 1:
            found[b - 1] = buf[:, a:b].max(axis=1)
            rs = rs[:-1]
        if not rs:
            continue
        # Pivot on the rank nearest the segment's middle: both halves shrink fastest, which for
        # the usual symmetric levels (P5 .. P95) partitions ~25 % fewer elements than pivoting
        # on the middle rank of the list.
        mid = min(rs, key=lambda r: abs(2 * r - (a + b)))
        buf[:, a:b].partition(mid - a, axis=1)
        found[mid] = buf[:, mid].copy()
        todo.append((a, mid, [r for r in rs if r < mid]))
        todo.append((mid + 1, b, [r for r in rs if r > mid]))
    return found
