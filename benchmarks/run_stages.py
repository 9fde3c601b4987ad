"""Where the bundled ``metaltrade run`` spends its time, stage by stage, in one process.

    python benchmarks/run_stages.py [--rounds N] [-- extra run arguments]

Each round is a fresh interpreter (start-up is what a user waits for) that times the bare imports
of numpy, pandas and openpyxl, then our own imports, then wraps the run's stages with timers and
runs ``metaltrade run`` on the bundled data. Prints the median seconds of each stage over the
rounds, and the run's total over the bare imports (target 1 of ``run_all.py`` is <= 1.5). The
package is compiled to bytecode first, as in ``run_all.py`` (``--source``: not). The
stages nest: ``floor_marks`` is inside ``report``, ``montecarlo`` and ``tornado`` inside
``run_full``. With ``-- --data X.xlsx``, ``load_figures`` includes the whole parse of the file:
the child imports pandas before the run starts, so the CLI's read-ahead (which overlaps the parse
with those imports in a real ``metaltrade`` process) has nothing to overlap here. Nor does the
child set the garbage collector as the ``metaltrade`` process does (``cli.entry``: numpy and
pandas imported with the collector off and frozen, everything frozen at exit): its bare imports
are the baseline's, and the total here stops before the interpreter's exit, so this ratio is not
item 1's, which ``run_all.py`` times on whole processes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from bytecode import compile_package  # noqa: E402

_CHILD = r"""
import contextlib, io, json, sys, time
t0 = time.perf_counter()
import numpy, pandas, openpyxl
t1 = time.perf_counter()
from metaltrade_xl import cli
from metaltrade_xl import data, scenarios
import importlib
srun = importlib.import_module("metaltrade_xl.scenarios.run")
from metaltrade_xl.report import content, scenario_sheet, summary
from metaltrade_xl.files import output
t2 = time.perf_counter()
acc = {}
def wrap(mod, name, label):
    f = getattr(mod, name)
    def timed(*a, **k):
        s = time.perf_counter()
        try:
            return f(*a, **k)
        finally:
            acc[label] = acc.get(label, 0.0) + time.perf_counter() - s
    setattr(mod, name, timed)
for mod, name, label in (
    (data, "load_figures", "load_figures"),
    (scenarios, "run_full", "run_full"),
    (srun, "simulate", "montecarlo"),
    (srun, "simulated_tornado", "tornado"),
    (content, "build_report", "report"),
    (scenario_sheet, "floor_marks", "floor_marks"),
    (summary, "summary_sheet", "summary_sheet"),
    (output, "new_workbook", "new_workbook"),
    (output, "save_atomic", "save"),
    (cli, "_print_summary", "print_summary"),
):
    wrap(mod, name, label)
with contextlib.redirect_stdout(io.StringIO()):
    cli.main(sys.argv[1:])
t3 = time.perf_counter()
print(json.dumps({"bare_imports": t1 - t0, "our_imports": t2 - t1, "work": t3 - t2,
                  "total": t3 - t0, **acc}))
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("extra", nargs="*", help="more arguments for metaltrade run")
    parser.add_argument(
        "--source", action="store_true", help="time the checkout without compiling its bytecode"
    )
    args = parser.parse_args(argv)
    print("bytecode: not compiled (--source)" if args.source else compile_package())
    rows = []
    with tempfile.TemporaryDirectory(prefix="mtstages_") as tmp:
        out = str(Path(tmp) / "bundled.xlsx")
        cmd = [sys.executable, "-c", _CHILD, "run", "--force", "--out", out, *args.extra]
        for _ in range(args.rounds + 1):  # the first round warms the file cache, untimed
            done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
            if done.returncode:
                raise SystemExit(f"run failed:\n{done.stderr.strip()[-600:]}")
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    rows = rows[1:]
    for key in rows[0]:
        values = [r.get(key, 0.0) for r in rows]
        print(
            f"{key + ':':<16} {statistics.median(values):6.3f} s   "
            f"({min(values):.3f}-{max(values):.3f})"
        )
    ratios = [r["total"] / r["bare_imports"] for r in rows]
    print(
        f"{'total / bare:':<16} {statistics.median(ratios):6.2f}     "
        f"({min(ratios):.2f}-{max(ratios):.2f}; target <= 1.5)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
