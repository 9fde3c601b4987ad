"""``metaltrade run --data`` on a 50 000-row tidy ``.xlsx``, against the run on the bundled data.

The file is made here: the bundled figures (so every scenario finds its start values) followed by
exports and imports of 250 made-up reporters with 20 partners over 10 years, every column of the
tidy layout filled as a statistics office would (ids, units, sources, a note). Both runs are whole
``metaltrade run`` processes, timed in interleaved rounds so that a change of load on a shared
machine falls on both.

Prints ``data_xlsx_run_s``, ``bundled_run_s`` and ``data_xlsx_vs_bundled_ratio`` (target <= 1.5).

Run: ``python benchmarks/data_file.py [--rows N] [--rounds R]``.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "metaltrade_xl" / "data" / "figures.csv"
TARGET = 1.5


def tidy_rows(rows: int = 50_000) -> tuple[list[str], list[list]]:
    """Header and ``rows`` rows of the tidy layout: the bundled figures, then made-up trade."""
    with BUNDLED.open(encoding="utf-8", newline="") as fh:
        bundled = list(csv.reader(fh))
    header, body = bundled[0], bundled[1:]
    numeric = {header.index(c) for c in ("year", "months", "value")}
    out = [[float(v) if j in numeric else v for j, v in enumerate(row)] for row in body]
    reporter = partner = 0
    year = 2015
    while len(out) < rows:
        for flow in ("exports", "imports"):
            n = len(out)
            out.append(
                [
                    f"c{reporter:03d}_{flow}_p{partner:02d}_{year}",
                    flow,
                    f"Country {reporter:03d}",
                    f"Partner {partner:02d}",
                    year,
                    12,
                    round(10 + (n * 7919 % 100_003) / 7.0, 3),
                    "USD million",
                    "false",
                    "Statistics office",
                    "Metal-mechanical trade by partner",
                    "2025-06-30",
                    "",
                    "made-up benchmark figure",
                ]
            )
        year += 1
        if year == 2025:
            year, partner = 2015, partner + 1
            if partner == 20:
                partner, reporter = 0, reporter + 1
    return header, out[:rows]


def _col(j: int) -> str:
    """Column letter of the 0-based column ``j`` (0 -> A)."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(j + 1)


_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
    ),
}


def make_tidy_xlsx(path: Path, rows: int = 50_000) -> Path:
    """Write a tidy-layout workbook of ``rows`` data rows (bundled figures first) to ``path``.

    Written as Excel writes a sheet (text in the shared-strings table, numbers in the cells), in
    about a second; openpyxl would take ~20 s for the same 700 000 cells.
    """
    import zipfile
    from xml.sax.saxutils import escape

    header, body = tidy_rows(rows)
    strings: dict[str, int] = {}
    lines = []
    for i, row in enumerate([header, *body], start=1):
        cells = []
        for j, v in enumerate(row):
            ref = f"{_col(j)}{i}"
            if isinstance(v, (int, float)):
                cells.append(f'<c r="{ref}"><v>{v!r}</v></c>')
            elif v != "":
                k = strings.setdefault(v, len(strings))
                cells.append(f'<c r="{ref}" t="s"><v>{k}</v></c>')
        lines.append(f'<row r="{i}">{"".join(cells)}</row>')
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(lines)}</sheetData></worksheet>"
    )
    shared = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(strings)}" uniqueCount="{len(strings)}">'
        + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
        + "</sst>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in _PARTS.items():
            z.writestr(name, text)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        z.writestr("xl/sharedStrings.xml", shared)
    return path


def run_cli(args: list[str], cwd: Path) -> float:
    """Seconds for one ``metaltrade run`` process (fails loudly if the run fails)."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "metaltrade_xl.cli", "run", "--force", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    took = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"metaltrade run {' '.join(args)} failed: {done.stderr.strip()[-400:]}")
    return took


def measure(rows: int = 50_000, rounds: int = 5) -> dict:
    """Interleaved medians (and ranges) of the bundled run and the ``--data`` run."""
    with tempfile.TemporaryDirectory(prefix="mtbench_") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        book = make_tidy_xlsx(folder / "tidy_50k.xlsx", rows)
        made = time.perf_counter() - t0
        # from the repository root, so both runs use the reference scenarios/ folder
        bundled = ["--out", str(folder / "bundled.xlsx")]
        data = ["--data", str(book), "--out", str(folder / "data.xlsx")]
        run_cli(bundled, ROOT), run_cli(data, ROOT)  # warm the file cache
        times = {"bundled": [], "data": []}
        for _ in range(rounds):
            times["bundled"].append(run_cli(bundled, ROOT))
            times["data"].append(run_cli(data, ROOT))
    med = {k: statistics.median(v) for k, v in times.items()}
    return {"rows": rows, "made_s": made, "times": times, "median": med}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bytecode import compile_package

    print(compile_package())  # both runs start as an installed copy starts
    m = measure(args.rows, args.rounds)
    t_data, t_bundled = m["median"]["data"], m["median"]["bundled"]
    lo, hi = min(m["times"]["data"]), max(m["times"]["data"])
    print(f"data_xlsx_rows: {m['rows']} (file made in {m['made_s']:.1f} s)")
    print(f"data_xlsx_run_s: {t_data:.3f}  (range {lo:.3f}-{hi:.3f})")
    print(f"bundled_run_s: {t_bundled:.3f}")
    print(f"data_xlsx_vs_bundled_ratio: {t_data / t_bundled:.2f}  (target <= {TARGET})")


if __name__ == "__main__":
    main()
