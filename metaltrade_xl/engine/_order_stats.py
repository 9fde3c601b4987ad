"""Exact percentiles of every row of a large array by partial selection (no full sort).

Used by :func:`metaltrade_xl.engine.montecarlo.simulate` on ``(years, paths)`` buffers: the results
equal ``np.percentile(buf, levels, axis=1).T`` (linear method) bit for bit, but each row is only
partitioned around the few ranks the levels need. The functions reorder ``buf`` in place.
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
    each row of ``buf`` in place; shape (rows, levels)."""
    lo, hi, t = _ranks(buf.shape[1], levels)
    ranks = np.concatenate((lo, hi))
    # Rows that do not vary (the observed base year) need no selection.
    if first_fixed:
        varies = np.arange(1, buf.shape[0])
    else:
        varies = np.flatnonzero(buf.min(axis=1) != buf.max(axis=1))
    a = np.repeat(buf[:, :1], lo.size, axis=1)
    b = a.copy()
    if varies.size:
        contiguous = varies[-1] - varies[0] + 1 == varies.size
        # A slice is a view (no copy); scattered rows are cheaper to select in place than to copy.
        sub = buf[varies[0] : varies[-1] + 1] if contiguous else buf
        varies = varies if contiguous else np.arange(buf.shape[0])
        found = _order_statistics(sub, ranks)
        a[varies] = np.stack([found[int(i)] for i in lo], axis=1)
        b[varies] = np.stack([found[int(i)] for i in hi], axis=1)
    d = b - a
    out = a + d * t
    np.subtract(b, d * (1 - t), out=out, where=t >= 0.5)
    return out


def _order_statistics(buf: np.ndarray, ranks) -> dict:
    """Values of the given ranks (0-based) in every row of ``buf``, reordering rows in place.

    Equal to ``np.sort(buf, axis=1)[:, ranks]`` at a fraction of the cost: a recursion of
    single-rank partitions (numpy's SIMD selection) over ever smaller segments, all rows at once.
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
