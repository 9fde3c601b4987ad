"""Cost of an MT_ function call through xlwings' Office.js call path, against xlwings' own
argument conversion measured in the same run.

    python benchmarks/udf_overhead.py

Prints ``udf_us_per_call_12`` (µs per ``MT_DEFICIT`` call on two 12-row columns),
``udf_speedup_vs_default_conversion`` (median time per call of an identity function declared the
plain xlwings way, ``@xw.arg(..., np.array, ndim=2)`` on two 1 000-row columns, over that of
``MT_DEFICIT`` on the same columns; target >= 20) and the time of ``MT_DEFICIT`` on two columns of
1 000 000 cells (target < 5 s). Every call goes through ``xlwings.server.custom_functions_call``.
"""

from __future__ import annotations

import os

# Only here, before xlwings is imported: the benchmark needs xlwings Server's decorators.
os.environ["XLWINGS_ON_SERVER"] = "true"
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # PolyForm Noncommercial

import asyncio  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import types  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import xlwings as xw  # noqa: E402
import xlwings.server  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metaltrade_xl import udfs  # noqa: E402


@xw.func
@xw.arg("exports", np.array, ndim=2, doc="exports")
@xw.arg("imports", np.array, ndim=2, doc="imports")
def identity(exports, imports):
    """The first argument unchanged: xlwings' default conversion in and out, nothing else."""
    return exports


baseline = types.ModuleType("baseline")
baseline.identity = identity


def payload(func_name: str, *args) -> dict:
    return {
        "client": "Office.js",
        "func_name": func_name,
        "args": list(args),
        "caller_address": "[Book1]Sheet1!C1",
        "culture_info_name": "en-US",
        "date_format": "M/d/yyyy",
        "version": xw.__version__,
        "runtime": "1.4",
    }


def columns(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    exports = rng.uniform(500, 1000, n).round(1)
    imports = rng.uniform(15000, 20000, n).round(1)
    return [[v] for v in exports.tolist()], [[v] for v in imports.tolist()]


async def per_call(module, func_name, args, *, repeat: int, number: int) -> float:
    """Median over ``repeat`` batches of the time per call (seconds) in a batch of ``number``."""
    data = payload(func_name, *args)
    await xlwings.server.custom_functions_call(data, module)  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            await xlwings.server.custom_functions_call(data, module)
        times.append((time.perf_counter() - start) / number)
    return statistics.median(times)


async def main() -> None:
    x12, m12 = columns(12)
    t12 = await per_call(udfs, "MT_DEFICIT", (x12, m12), repeat=7, number=300)
    x1k, m1k = columns(1000)
    fast = await per_call(udfs, "MT_DEFICIT", (x1k, m1k), repeat=7, number=50)
    slow = await per_call(baseline, "identity", (x1k, m1k), repeat=5, number=3)

    xm, mm = columns(1_000_000)
    start = time.perf_counter()
    out = await xlwings.server.custom_functions_call(payload("MT_DEFICIT", xm, mm), udfs)
    big = time.perf_counter() - start
    assert len(out) == 1_000_000 and out[0][0] == mm[0][0] - xm[0][0]

    print(f"udf_us_per_call_12: {t12 * 1e6:.1f}")
    print(f"udf_us_per_call_1000: {fast * 1e6:.1f}")
    print(f"default_conversion_us_per_call_1000: {slow * 1e6:.1f}")
    print(f"udf_speedup_vs_default_conversion: {slow / fast:.1f}")
    print(f"udf_seconds_1000000_cells: {big:.2f} ({'ok' if big < 5 else 'OVER'} target < 5 s)")


if __name__ == "__main__":
    asyncio.run(main())
