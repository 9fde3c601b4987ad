"""Memory a Monte Carlo run needs, estimated before anything is allocated.

A run keeps every outcome for every path and projected row (base year to horizon) as 8-byte
floats until the percentiles are taken: exports, imports, deficit, and, when the rival is
uncertain, its exports and the gap (a fixed rival's gap is mirrored from exports). One more such
block covers the percentile selection's working copy. :func:`check_memory` refuses a run whose
estimate is above the budget, saying how much it would need and how many paths would fit.
"""

from __future__ import annotations

from metaltrade_xl.engine._validate import InputError

#: Bytes a run may use: 4 GiB, what a laptop spares beside Excel (xlwings Lite's browser limit is
#: 2 GB, and its cells are capped more tightly already).
MEMORY_BUDGET = 4 * 1024**3
_FLOAT = 8


def run_bytes(paths: int, rows: int, *, rival_varies: bool = True, keep_paths: bool = False) -> int:
    """Estimated peak bytes of a run of ``paths`` paths over ``rows`` projected rows.

    Examples
    --------
    >>> run_bytes(1_000_000, 11) / 1e6   # 2024-2034, rival uncertain: 6 blocks of 88 MB
    528.0
    >>> run_bytes(1_000_000, 11, rival_varies=False) / 1e6
    352.0
    """
    blocks = (5 if rival_varies else 3) + 1 + (5 if keep_paths else 0)
    return blocks * int(rows) * int(paths) * _FLOAT


def check_memory(
    paths: int,
    rows: int,
    *,
    rival_varies: bool = True,
    keep_paths: bool = False,
    budget: int = MEMORY_BUDGET,
) -> int:
    """The estimate of :func:`run_bytes` if it fits ``budget``, else an InputError with it.

    Examples
    --------
    >>> check_memory(100_000, 11) < MEMORY_BUDGET
    True
    >>> check_memory(2_000_000, 177)
    Traceback (most recent call last):
    ...
    metaltrade_xl.engine._validate.InputError: paths: 2,000,000 paths x 177 years need about 15.8 GiB of memory, more than the 4.0 GiB budget; use at most 505,528 paths for this horizon (or a nearer horizon)
    """
    need = run_bytes(paths, rows, rival_varies=rival_varies, keep_paths=keep_paths)
    if need <= budget:
        return need
    per_path = max(run_bytes(1, rows, rival_varies=rival_varies, keep_paths=keep_paths), 1)
    fit = budget // per_path
    raise InputError(
        f"paths: {int(paths):,} paths x {int(rows)} years need about {need / 1024**3:.1f} GiB of "
        f"memory, more than the {budget / 1024**3:.1f} GiB budget; use at most {fit:,} paths for "
        "this horizon (or a nearer horizon)"
    )
