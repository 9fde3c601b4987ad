"""How long a Monte Carlo cell takes without threads, as in xlwings Lite (native CPython).

    taskset -c 0 python benchmarks/lite_paths.py

Runs ``MT_MONTECARLO("uncertain_export_push", "deficit", N, 1)`` (2024-2034) for N = 100 000 and
250 000 (the per-cell cap in the browser) with what Pyodide lacks taken away: ``os.cpu_count()``
is 1 and starting a thread raises ``RuntimeError("can't start new thread")``, so the blocks run in
order. Prints the median of three runs and the peak memory. WebAssembly is typically 1.5-3 times
slower than this native single-thread time; docs/excel.md gives the expected browser times.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def no_thread(*args, **kwargs):
    raise RuntimeError("can't start new thread")


def main() -> None:
    from metaltrade_xl.udfs import MT_MONTECARLO

    os.cpu_count = lambda: 1
    threading.Thread.start = no_thread
    MT_MONTECARLO("uncertain_export_push", "deficit", 2000, 1)  # imports and caches
    for paths in (100_000, 250_000):
        times = []
        for _ in range(3):
            t = time.perf_counter()
            MT_MONTECARLO("uncertain_export_push", "deficit", paths, 1)
            times.append(time.perf_counter() - t)
        print(
            f"MT_MONTECARLO {paths:>7,} paths, no threads: median {statistics.median(times):.2f} s "
            f"(runs {', '.join(f'{x:.2f}' for x in times)})"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MB")


if __name__ == "__main__":
    main()
