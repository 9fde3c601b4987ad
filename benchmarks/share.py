"""Cost of `metaltrade share` computing the MT_ formulas itself, on a projection workbook
(`metaltrade run --workbook` output: about 14 000 cells, 33 MT_ cells), against the same formula
engine reading every cell of the workbook, measured in the same run.

    python benchmarks/share.py [ROUNDS]

Prints ``share_s`` (median seconds of ``share()`` computing the values), ``share_stored_s`` (the
same with ``use_stored=True``: no evaluation, the package work alone), ``evaluate_s`` (the
evaluation alone: only formula cells and what they refer to) and
``evaluate_speedup_vs_whole_workbook`` (the median time of the ``formulas`` engine loading and
calculating every cell, ``ExcelModel().loads(path)``, over that of ``evaluate``).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metaltrade_xl.cli import main, mt_functions  # noqa: E402
from metaltrade_xl.files import evaluate as ev  # noqa: E402
from metaltrade_xl.files import package as xp  # noqa: E402
from metaltrade_xl.files.sharing import mt_formulas, share  # noqa: E402


def median_time(f, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def run(rounds: int = 3) -> dict[str, float]:
    functions = mt_functions()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        analyst, proj = tmp / "A.xlsm", tmp / "P.xlsm"
        assert main(["workbook", "new", str(analyst)]) == 0
        assert main(["run", "--workbook", str(analyst), "--out", str(proj)]) == 0
        pkg = xp.Package(proj)
        mt, texts, others = mt_formulas(pkg)
        wanted = [(f.sheet, f.cell.coord) for f in mt]

        def evaluate():
            ev.evaluate(proj, functions, wanted, others=others, texts=texts)

        def whole():
            import formulas

            with ev._quiet(formulas):
                formulas.ExcelModel().loads(str(proj)).finish().calculate()

        evaluate()  # imports and the engine's own start-up, outside the timings
        out = tmp / "S.xlsx"
        result = {
            "share_s": median_time(
                lambda: share(proj, out, force=True, functions=functions), rounds
            ),
            "share_stored_s": 0.0,
            "evaluate_s": median_time(evaluate, rounds),
        }
        # the projection workbook holds no stored values: give it some first
        stored = tmp / "stored.xlsm"
        stored.write_bytes(proj.read_bytes())
        from metaltrade_xl.files.sharing import store_values

        store_values(stored, functions)
        result["share_stored_s"] = median_time(
            lambda: share(stored, out, force=True, use_stored=True), rounds
        )
        result["evaluate_speedup_vs_whole_workbook"] = (
            median_time(whole, rounds) / result["evaluate_s"]
        )
    return result


if __name__ == "__main__":
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    for key, value in run(rounds).items():
        print(f"{key}: {value:.3f}")
