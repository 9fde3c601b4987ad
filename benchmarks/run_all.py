"""Every benchmark in one command: each figure beside its target, as ratios to baselines timed in
the same run (medians of interleaved rounds, with the range of the per-round ratios).

    python benchmarks/run_all.py            # ~3-5 minutes on 2 cores (--budget bounds it)
    python benchmarks/run_all.py --quick    # fewer rounds, no LibreOffice, 200 000 BACI rows

Whole processes (start-up is what a user waits for) are timed round by round in turn, so a change
of load on a shared machine falls on a target and its baseline alike:

1. ``metaltrade run`` on the bundled data vs ``python -c "import numpy, pandas, openpyxl"``;
2. ``python -c "import metaltrade_xl.udfs"`` vs ``python -c "import numpy, pandas, xlwings"``;
3. ``metaltrade run --data`` a 50 000-row tidy ``.xlsx`` (made here) vs the bundled run of (1).

Before timing, the package is compiled to bytecode as ``pip install .`` compiles it (see
``bytecode.py``; ``--source`` times the checkout as it is).

Then the in-process benchmarks, each in its own interpreter: ``trade_import.py`` (4:
``import_vs_read_csv_ratio``), ``montecarlo.py`` (5: ``mc_vs_rng_ratio``,
``mc_vs_spreadsheet_speedup``) and ``udf_overhead.py``. Every command gets a time limit.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bytecode import compile_package  # noqa: E402
from data_file import make_tidy_xlsx  # noqa: E402

PY = sys.executable
LIMIT_S = 600  # per command: a hung benchmark must not hang the run


def _load() -> str:
    """The 1, 5 and 15 minute load averages (other work on the machine skews every ratio)."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def timed(cmd: list[str], cwd: Path = ROOT) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=LIMIT_S)
    took = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr.strip()[-600:]}")
    return took


def process_rounds(
    commands: dict[str, list[str]], rounds: int, budget_s: float = float("inf")
) -> dict[str, list[float]]:
    """Seconds per command, one of each per round (after one untimed warm-up round). Rounds stop
    early, after at least three, once ``budget_s`` seconds have gone, so that slow commands on a
    busy machine do not make the whole run take a quarter of an hour."""
    began = time.perf_counter()
    for cmd in commands.values():
        timed(cmd)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for done in range(rounds):
        if done >= 3 and time.perf_counter() - began > budget_s:
            break
        for name, cmd in commands.items():
            times[name].append(timed(cmd))
    return times


def ratio_line(label, times, num, den, target, *, at_most=True) -> tuple[str, bool]:
    a, b = statistics.median(times[num]), statistics.median(times[den])
    per_round = [x / y for x, y in zip(times[num], times[den], strict=True)]
    r = a / b
    ok = r <= target if at_most else r >= target
    text = (
        f"{label:<34} {r:6.2f}   target {'<=' if at_most else '>='} {target:<5} "
        f"{'ok' if ok else 'MISSED':<6}  ({a:.2f} s over {b:.2f} s; rounds "
        f"{min(per_round):.2f}-{max(per_round):.2f})"
    )
    return text, ok


def script_figures(script: str, args: list[str]) -> tuple[dict[str, float], str]:
    """Run ``benchmarks/script`` and read its ``name: number`` lines."""
    done = subprocess.run(
        [PY, str(HERE / script), *args], capture_output=True, text=True, timeout=LIMIT_S * 2
    )
    if done.returncode:
        return {}, f"{script} failed: {done.stderr.strip()[-400:]}"
    figures = {}
    for line in done.stdout.splitlines():
        m = re.match(r"^(\w+):\s*(-?[\d.]+)", line)
        if m:
            figures[m.group(1)] = float(m.group(2))
    return figures, done.stdout


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds, no LibreOffice")
    parser.add_argument("--rounds", type=int, help="rounds of the process timings (default 5)")
    parser.add_argument("--rows", type=int, default=50_000, help="rows of the .xlsx data file")
    parser.add_argument(
        "--budget", type=float, default=90.0, help="seconds for the process rounds (at least 3)"
    )
    parser.add_argument(
        "--source", action="store_true", help="time the checkout without compiling its bytecode"
    )
    args = parser.parse_args(argv)
    rounds = args.rounds or (3 if args.quick else 5)
    began = time.perf_counter()
    lines, missed = [], 0
    print(
        f"python {sys.version.split()[0]} on {os.cpu_count()} cores; up to {rounds} rounds; "
        f"load average {_load()}",
        flush=True,
    )
    print("bytecode: not compiled (--source)" if args.source else compile_package(), flush=True)

    with tempfile.TemporaryDirectory(prefix="mtbench_") as tmp:
        folder = Path(tmp)
        book = make_tidy_xlsx(folder / "tidy.xlsx", args.rows)
        run = [PY, "-m", "metaltrade_xl.cli", "run", "--force"]
        commands = {
            "bare_openpyxl": [PY, "-c", "import numpy, pandas, openpyxl"],
            "run_bundled": [*run, "--out", str(folder / "bundled.xlsx")],
            "bare_xlwings": [PY, "-c", "import numpy, pandas, xlwings"],
            "import_udfs": [PY, "-c", "import metaltrade_xl.udfs"],
            "run_data": [*run, "--data", str(book), "--out", str(folder / "data.xlsx")],
        }
        times = process_rounds(commands, rounds, args.budget)
    for label, num, den, target in (
        ("1 run bundled / bare imports", "run_bundled", "bare_openpyxl", 1.5),
        ("2 import udfs / bare imports", "import_udfs", "bare_xlwings", 1.25),
        (f"3 run --data {args.rows:,} rows / bundled", "run_data", "run_bundled", 1.5),
    ):
        text, ok = ratio_line(label, times, num, den, target)
        lines.append(text)
        missed += not ok
        print(text, flush=True)

    trade_args = ["--rows", "200000"] if args.quick else []
    trade, out = script_figures("trade_import.py", trade_args)
    r = trade.get("import_vs_read_csv_ratio")
    ok = r is not None and r <= 1.2
    missed += not ok
    text = (
        f"{'4 BACI import / read_csv':<34} {r if r is not None else float('nan'):6.2f}   target "
        f"<= 1.2   {'ok' if ok else 'MISSED':<6}  ({trade.get('import_1m_rows_s', float('nan')):.2f}"
        f" s over {trade.get('read_csv_s', float('nan')):.2f} s; {trade.get('rows', 0):,.0f} rows;"
        f" rounds' quartiles {trade.get('import_vs_read_csv_q1', float('nan')):.2f}-"
        f"{trade.get('import_vs_read_csv_q3', float('nan')):.2f};"
        f" CPU ratio {trade.get('import_vs_read_csv_cpu_ratio', float('nan')):.2f})"
    )
    print(text if trade else out, flush=True)

    mc, out = script_figures("montecarlo.py", ["--quick"] if args.quick else [])
    r = mc.get("mc_vs_rng_ratio")
    ok = r is not None and r <= 1.5
    missed += not ok
    print(
        f"{'5 Monte Carlo 100k / the normals':<34} {r if r is not None else float('nan'):6.2f}   "
        f"target <= 1.5   {'ok' if ok else 'MISSED':<6}  (engine {mc.get('mc_100k_s', 0) * 1e3:.0f}"
        f" ms; rounds {mc.get('mc_vs_rng_min', 0):.2f}-{mc.get('mc_vs_rng_max', 0):.2f}; CPU ratio"
        f" {mc.get('mc_vs_rng_cpu_ratio', float('nan')):.2f}; percentiles by"
        f" {'counting' if mc.get('percentile_counting') else 'partition'})",
        flush=True,
    )
    s = mc.get("mc_vs_spreadsheet_speedup")
    if s is None:
        print(f"{'5 Monte Carlo vs LibreOffice 10k':<34}  skipped (--quick or no LibreOffice)")
    else:
        ok = s >= 100
        missed += not ok
        print(
            f"{'5 Monte Carlo vs LibreOffice 10k':<34} {s:6.1f}   target >= 100   "
            f"{'ok' if ok else 'MISSED':<6}  (LibreOffice {mc.get('spreadsheet_ms', 0):.0f} ms, "
            f"engine {mc.get('mc_10k_ms', 0):.1f} ms; two cores draw"
            f" {mc.get('two_core_draw_speed', float('nan')):.2f}x one's)",
            flush=True,
        )

    udf, out = script_figures("udf_overhead.py", [])
    s = udf.get("udf_speedup_vs_default_conversion")
    ok = s is not None and s >= 20
    missed += not ok
    print(
        f"{'MT_ call vs xlwings conversion':<34} {s if s is not None else float('nan'):6.1f}   "
        f"target >= 20    {'ok' if ok else 'MISSED':<6}  ({udf.get('udf_us_per_call_1000', 0):.0f}"
        f" us per call on 1 000 rows)",
        flush=True,
    )
    print(
        f"({time.perf_counter() - began:.0f} s in all; {missed} target(s) missed; load average "
        f"{_load()})"
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
