"""Monte Carlo speed against two baselines measured in the same run on the same machine.

Prints:

- ``mc_100k_s``: the reference model (exports 750 growing N(0.12, 0.05), imports 18 203 growing
  N(0.04, 0.03), rival 4 000 growing 3 %, 2024-2034 = 11 years, 100 000 paths) through
  ``montecarlo.simulate`` including all summaries (percentiles of exports, imports, deficit and
  gap per year, probabilities with standard errors, first-year distribution, horizon deficit);
- ``mc_vs_rng_ratio``: that time over the time to draw the same number of standard normals with
  ``Generator.standard_normal`` from the engine's bit generator (``sampling.BIT_GENERATOR``,
  SFC64) (target <= 1.5; 1.0 is the limit: the normals themselves);
- ``mc_vs_rng_cpu_ratio``: the same with CPU time (all threads) instead of wall time: the work
  done, which is what the wall ratio becomes when no core is free for the engine's helper thread
  (information, not a target);
- ``two_core_draw_speed``: normals drawn per second by two threads at once (each its own
  generator, the engine's block size) over one thread's: 2.0 when the two cores do not slow each
  other, 1.0 when a second thread gains nothing (two virtual CPUs on one physical core). The
  engine's helper threads are worth what this is (information, not a target);
- ``percentile_counting``: 1 when the percentiles are found by counting on this machine, 0 by
  partition (``_order_stats._counting_pays``; the numbers are the same);
- ``mc_vs_spreadsheet_speedup``: LibreOffice's full recalculation (``calculateAll()``, median of
  several, start-up and loading excluded) of the same model as spreadsheet formulas, 10 000 rows,
  over the engine's time for 10 000 paths (the median of 8 rounds of 15 calls, 4 rounds before the
  spreadsheet timing and 4 after; target >= 100). Skipped with a message when LibreOffice
  or its Python-UNO bridge (Debian's python3-uno, run with /usr/bin/python3) is missing.

Run: ``python benchmarks/montecarlo.py`` (``--quick`` skips the spreadsheet).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metaltrade_xl.engine import _order_stats, sampling  # noqa: E402
from metaltrade_xl.engine import montecarlo as mc  # noqa: E402
from metaltrade_xl.engine.projection import ProjectionInputs  # noqa: E402
from metaltrade_xl.scenarios import scenario_from_dict  # noqa: E402

BASE, HORIZON = 2024, 2034
X0, M0, R0 = 750.0, 18203.0, 4000.0
GX, SX, GM, SM, GR = 0.12, 0.05, 0.04, 0.03, 0.03
LEVELS = (5, 10, 50, 90, 95)
SPREADSHEET_ROWS = 10_000
ROUNDS_10K = 8  # rounds of the engine's 10 000-path timing, half before LibreOffice, half after

SCENARIO = scenario_from_dict(
    {
        "name": "benchmark",
        "base_year": BASE,
        "horizon": HORIZON,
        "exports": {"growth": GX},
        "imports": {"growth": GM},
        "rival": {"name": "Chile", "growth": GR},
    }
)
INPUTS = ProjectionInputs(X0, M0, R0)
SPEC = mc.UncertaintySpec(
    {
        "exports.growth": mc.distribution("normal", mean=GX, sd=SX),
        "imports.growth": mc.distribution("normal", mean=GM, sd=SM),
    },
    paths=100_000,
    seed=20260126,
)


def median_time(fn, repeat: int, cpu: list | None = None) -> float:
    """Median wall seconds of ``repeat`` calls after a warm-up; CPU seconds appended to ``cpu``."""
    fn()  # warm-up
    times, cpus = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    if cpu is not None:
        cpu.append(statistics.median(cpus))
    return statistics.median(times)


def engine_time(paths: int, repeat: int, cpu: list | None = None) -> float:
    return median_time(lambda: mc.simulate(SCENARIO, INPUTS, SPEC, paths=paths), repeat, cpu)


def two_core_draw_speed(rounds: int = 7, calls: int = 40) -> float:
    """Median over interleaved rounds of (two threads' normals per second) / (one thread's)."""
    size = 2 * (HORIZON - BASE) * sampling.BLOCK  # one block's draws
    gens = [sampling._block_rng(s) for s in (1, 2)]
    bufs = [np.empty(size), np.empty(size)]

    def draw(g, buf, n):
        for _ in range(n):
            g.standard_normal(out=buf)

    speeds = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        draw(gens[0], bufs[0], calls)
        one = time.perf_counter() - t0
        helper = threading.Thread(target=draw, args=(gens[1], bufs[1], calls))
        t0 = time.perf_counter()
        helper.start()
        draw(gens[0], bufs[0], calls)
        helper.join()
        speeds.append(2 * one / (time.perf_counter() - t0))
    return statistics.median(speeds)


def rng_time(paths: int, repeat: int, cpu: list | None = None) -> float:
    rng = sampling._block_rng(0)  # the engine's bit generator
    count = 2 * (HORIZON - BASE) * paths  # two uncertain growths, one draw per path and year
    return median_time(lambda: rng.standard_normal(count), repeat, cpu)


# --- the spreadsheet alternative ---------------------------------------------------------


def _col(i: int) -> str:
    """Column letter of the 0-based column ``i`` (0 -> A)."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(i + 1)


def build_workbook(path: Path, rows: int = SPREADSHEET_ROWS) -> None:
    """The model as an analyst would build it: one row per path, draws compounded across the year
    columns, deficit and gap per path, percentiles and a COUNTIF probability on a summary sheet."""
    from openpyxl import Workbook

    years = list(range(BASE, HORIZON + 1))
    n = len(years)
    ex = [_col(1 + j) for j in range(n)]  # exports B..L
    im = [_col(1 + n + j) for j in range(n)]  # imports
    de = [_col(1 + 2 * n + j) for j in range(n)]  # deficit
    ga = [_col(1 + 3 * n + j) for j in range(n)]  # gap to rival
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("paths")
    ws.append(
        ["path"]
        + [f"exports {y}" for y in years]
        + [f"imports {y}" for y in years]
        + [f"deficit {y}" for y in years]
        + [f"gap {y}" for y in years]
    )
    for r in range(2, rows + 2):
        row = [r - 1, X0]
        row += [f"={ex[j - 1]}{r}*(1+_xlfn.NORM.INV(RAND(),{GX},{SX}))" for j in range(1, n)]
        row += [M0] + [f"={im[j - 1]}{r}*(1+_xlfn.NORM.INV(RAND(),{GM},{SM}))" for j in range(1, n)]
        row += [f"={im[j]}{r}-{ex[j]}{r}" for j in range(n)]
        row += [f"=summary!{_col(1 + j)}$2-{ex[j]}{r}" for j in range(n)]
        ws.append(row)
    last = rows + 1
    ss = wb.create_sheet("summary")
    ss.append(["year"] + years)
    ss.append(["rival"] + [R0 * (1 + GR) ** j for j in range(n)])
    for name, cols in (("exports", ex), ("imports", im), ("deficit", de), ("gap", ga)):
        for q in LEVELS:
            ss.append(
                [f"{name} P{q}"]
                + [f"=_xlfn.PERCENTILE.INC(paths!{c}2:{c}{last},{q / 100})" for c in cols]
            )
    ss.append(
        ["P(exports >= rival)"]
        + [f'=COUNTIF(paths!{c}2:{c}{last},">="&{_col(1 + j)}2)/{rows}' for j, c in enumerate(ex)]
    )
    wb.save(path)


_UNO_SCRIPT = r"""
import json, os, statistics, subprocess, sys, time
import uno
from com.sun.star.beans import PropertyValue

path, repeat = sys.argv[1], int(sys.argv[2])
pipe = "mtbench_%d" % os.getpid()
profile = "file://" + sys.argv[3]
office = subprocess.Popen(["soffice", "--headless", "--invisible", "--norestore", "--nologo",
                           "--nodefault", "-env:UserInstallation=" + profile,
                           "--accept=pipe,name=%s;urp;" % pipe],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(240):
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except Exception:
            time.sleep(0.25)
    else:
        raise SystemExit("could not connect to LibreOffice")
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    hidden = PropertyValue(); hidden.Name = "Hidden"; hidden.Value = True
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0, (hidden,))
    doc.calculateAll()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        doc.calculateAll()
        times.append(time.perf_counter() - t0)
    sheet = doc.Sheets.getByName("summary")
    p50 = sheet.getCellRangeByName("L15").getValue()  # deficit P50 in the horizon year
    doc.close(True)
    try:
        desktop.terminate()
    except Exception:
        pass
    print(json.dumps({"median_s": statistics.median(times), "times": times, "deficit_p50": p50}))
finally:
    try:
        office.wait(timeout=20)
    except subprocess.TimeoutExpired:
        office.kill()
"""


def libreoffice_time(repeat: int = 5) -> dict | str:
    """Median ``calculateAll()`` seconds, or a reason it could not be measured."""
    python = "/usr/bin/python3"
    if not shutil.which("soffice"):
        return "LibreOffice (soffice) is not installed"
    if (
        not os.path.exists(python)
        or subprocess.run([python, "-c", "import uno"], capture_output=True).returncode
    ):
        return "the Python-UNO bridge (python3-uno) is not importable by /usr/bin/python3"
    with tempfile.TemporaryDirectory(prefix="mtbench_") as tmp:
        book = Path(tmp) / "montecarlo_10k.xlsx"
        build_workbook(book)
        script = Path(tmp) / "uno_time.py"
        script.write_text(_UNO_SCRIPT)
        done = subprocess.run(
            [python, str(script), str(book), str(repeat), str(Path(tmp) / "profile")],
            capture_output=True,
            text=True,
            timeout=900,
        )
        if done.returncode:
            return f"LibreOffice timing failed: {done.stderr.strip()[-300:]}"
        return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    # Interleaved, so that a change in machine load hits both timings alike.
    t_mc_runs, t_rng_runs, c_mc, c_rng = [], [], [], []
    for _ in range(7):
        t_mc_runs.append(engine_time(100_000, repeat=1, cpu=c_mc))
        t_rng_runs.append(rng_time(100_000, repeat=1, cpu=c_rng))
    t_mc, t_rng = statistics.median(t_mc_runs), statistics.median(t_rng_runs)
    per_round = [a / b for a, b in zip(t_mc_runs, t_rng_runs, strict=True)]
    print(f"mc_100k_s: {t_mc:.4f}")
    print(
        f"mc_vs_rng_ratio: {t_mc / t_rng:.2f}  (rng {t_rng * 1e3:.1f} ms for "
        f"{2 * (HORIZON - BASE) * 100_000:,} normals; target <= 1.5)"
    )
    print(f"mc_vs_rng_min: {min(per_round):.2f}")
    print(f"mc_vs_rng_max: {max(per_round):.2f}")
    print(
        f"mc_vs_rng_cpu_ratio: {statistics.median(c_mc) / statistics.median(c_rng):.2f}  "
        "(CPU time of all threads: the work, and the wall ratio when no core is free)"
    )
    print(
        f"two_core_draw_speed: {two_core_draw_speed():.2f}  (two threads' normals per second over "
        "one thread's; 2.0 = the cores do not slow each other)"
    )
    counting = _order_stats._counting_pays()
    print(
        f"percentile_counting: {int(counting)}  (the percentiles by "
        f"{'counting' if counting else 'partition'}, the faster on this machine)"
    )
    if "--quick" in argv:
        print("mc_vs_spreadsheet_speedup: skipped (--quick)")
        return
    # The engine's 10 000-path time: the median of several rounds of 15 calls, half before and
    # half after the LibreOffice timing, so that a burst of load on the shared machine during
    # one round (or right after LibreOffice) does not decide the figure.
    rounds = [engine_time(SPREADSHEET_ROWS, repeat=15) for _ in range(ROUNDS_10K // 2)]
    lo = libreoffice_time()
    if isinstance(lo, str):
        print(f"mc_vs_spreadsheet_speedup: skipped ({lo})")
        return
    rounds += [engine_time(SPREADSHEET_ROWS, repeat=15) for _ in range(ROUNDS_10K - len(rounds))]
    t_10k = statistics.median(rounds)
    print(f"spreadsheet_ms: {lo['median_s'] * 1e3:.1f}")
    print(
        f"mc_10k_ms: {t_10k * 1e3:.2f}  (median of {len(rounds)} rounds of 15 calls; rounds "
        f"{min(rounds) * 1e3:.2f}-{max(rounds) * 1e3:.2f} ms)"
    )
    print(
        f"mc_vs_spreadsheet_speedup: {lo['median_s'] / t_10k:.1f}  (LibreOffice calculateAll "
        f"{lo['median_s'] * 1e3:.0f} ms, engine {t_10k * 1e3:.1f} ms for {SPREADSHEET_ROWS:,} "
        "paths; target >= 100)"
    )


if __name__ == "__main__":
    main()
