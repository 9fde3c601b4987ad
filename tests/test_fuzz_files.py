"""Fuzz of the command line with mutated scenario and data files (a seeded mutator).

Each case takes a bundled scenario file or a data file, applies one to three mutations (a number
replaced by a bad one, a key misspelt, a line dropped or doubled, the file re-encoded, its
separator changed, a byte-order mark added, the file cut short, a formula put in a text field, …)
and runs ``metaltrade`` on it in-process. The outcome must be one of two classes:

- exit 2 with exactly one line on stderr, ``metaltrade: error: …``, naming no temp file;
- exit 0 with the outputs written, every number in them finite, no CSV field starting like a
  formula, no temp file left behind.

Either way the input file is unchanged. ``--fuzz-long`` runs 20 times as many cases.
"""

import csv
import io
import json
import random
import re
import shutil
from pathlib import Path

import pytest

from metaltrade_xl import _io
from metaltrade_xl.data import bundled_path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
TRADE = ROOT / "tests" / "files" / "trade_data"
#: Cases per corpus in a normal run (``--fuzz-long``: x 20); each run that succeeds costs a
#: workbook save, so the mutations lean towards bad values.
CASES = 60

BAD_NUMBERS = [
    "inf", "-inf", "nan", "1e300", "-1e300", "1e-300", "0", "-0", "-5", "5", "100", "2024.5",
    "99999999999999999999", "9999", "1e400", "-1", "2200", "1899", '"x"', "true", "[]", "{}",
]  # fmt: skip
TEXTS = ['=HYPERLINK("http://evil.example","click me")', "=cmd|' /C calc'!A0", "Z" * 3000,
         "+1", "@SUM(1)", "\t", "Perú", ""]  # fmt: skip
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e-?\d+)?(?![\w.])")


def _mutate_text(text: str, rng: random.Random, kind: str) -> str:
    lines = text.splitlines(keepends=True)
    op = rng.choice(["number", "number", "number", "text", "drop", "double", "typo", "case"])
    if op == "number":
        hits = list(NUMBER.finditer(text))
        if hits:
            m = rng.choice(hits)
            return text[: m.start()] + rng.choice(BAD_NUMBERS) + text[m.end() :]
    if op == "text" and kind == "csv":
        rows = list(csv.reader(io.StringIO(text)))
        if len(rows) > 1:
            r = rng.randrange(1, len(rows))
            c = rng.randrange(len(rows[r])) if rows[r] else 0
            if rows[r]:
                rows[r][c] = rng.choice(TEXTS)
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerows(rows)
            return out.getvalue()
    if op == "text" and kind == "toml":
        return re.sub(r'"[^"\n]*"', lambda m: json.dumps(rng.choice(TEXTS)), text, count=1)
    if op == "drop" and len(lines) > 1:
        del lines[rng.randrange(len(lines))]
        return "".join(lines)
    if op == "double" and lines:
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
        return "".join(lines)
    if op == "typo":
        words = list(re.finditer(r"[a-z_]{4,}", text))
        if words:
            m = rng.choice(words)
            w = m.group()
            i = rng.randrange(len(w))
            return text[: m.start()] + w[:i] + w[i + 1 :] + text[m.end() :]
    if op == "case" and lines:
        return lines[0].upper() + "".join(lines[1:])
    return text


def _encode(text: str, rng: random.Random, kind: str) -> bytes:
    how = rng.choice(["utf-8"] * 6 + ["bom", "cp1252", "utf-16", "cut", "nul", "semicolon"])
    if how == "bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    if how == "cp1252":
        return text.encode("cp1252", errors="replace")
    if how == "utf-16":
        return text.replace(",", "\t").encode("utf-16") if kind == "csv" else text.encode("utf-16")
    if how == "cut":
        data = text.encode("utf-8")
        return data[: rng.randrange(len(data) + 1)]
    if how == "nul":
        data = bytearray(text.encode("utf-8"))
        data.insert(rng.randrange(len(data) + 1), 0)
        return bytes(data)
    if how == "semicolon" and kind == "csv":
        rows = list(csv.reader(io.StringIO(text)))
        out = io.StringIO()
        w = csv.writer(out, delimiter=";", lineterminator="\r\n")
        for row in rows:
            w.writerow([re.sub(r"^(-?\d+)\.(\d+)$", r"\1,\2", c) for c in row])
        return out.getvalue().encode("cp1252", errors="replace")
    return text.encode("utf-8")


def mutant(text: str, rng: random.Random, kind: str) -> bytes:
    for _ in range(rng.randint(1, 3)):
        text = _mutate_text(text, rng, kind)
    return _encode(text, rng, kind)


def check_outcome(code: int, err: str, folder: Path) -> None:
    assert code in (0, 2), err
    assert not list(folder.glob(f".*{_io.TEMP_MARK}*")), "a temp file was left behind"
    if code == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert lines[0].startswith("metaltrade: error: ") and "internal error" not in err, err
        assert _io.TEMP_MARK not in err and len(lines[0]) <= _io.MAX_MESSAGE + 40, err


def check_csv_outputs(folder: Path) -> None:
    for path in folder.glob("out*.csv"):
        for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8"))):
            for field in row:
                assert not field.startswith(("=", "+", "-", "@", "\t", "\r")), (path, field)


def check_json(path: Path) -> None:
    def finite(v):
        if isinstance(v, dict):
            return all(finite(x) for x in v.values())
        if isinstance(v, list):
            return all(finite(x) for x in v)
        return not (isinstance(v, float) and v != v)

    results = json.loads(path.read_text(encoding="utf-8"), parse_constant=pytest.fail)
    for r in results:
        assert all(v is not None for year in r["years"] for v in year.values()), r["name"]
        assert finite(r)


@pytest.fixture(scope="module")
def fuzz_cases(request):
    return CASES * (20 if request.config.getoption("--fuzz-long") else 1)


def _scenario_text(path: Path) -> str:
    # keep Monte Carlo runs small: the fuzz is about input handling, not speed
    return re.sub(r"(?m)^paths = \d+", "paths = 500", path.read_text(encoding="utf-8"))


def test_fuzz_scenario_files(cli, tmp_path, fuzz_cases):
    rng = random.Random(20260126)
    for n in range(fuzz_cases):
        source = rng.choice(SCENARIOS)
        folder = tmp_path / f"case{n}"
        folder.mkdir()
        path = folder / source.name
        data = mutant(_scenario_text(source), rng, "toml")
        path.write_bytes(data)
        code, _, err = cli("run", path, "--out", folder / "out.xlsx", "--json", folder / "out.json")
        check_outcome(code, err, folder)
        assert path.read_bytes() == data  # the input is never modified
        if code == 0:
            assert (folder / "out.xlsx").stat().st_size > 0
            check_json(folder / "out.json")
        shutil.rmtree(folder)


DATA_SOURCES = [
    ("figures", bundled_path()),
    ("trade", TRADE / "comtrade_peru.csv"),
    ("trade", TRADE / "tidy_peru.csv"),
    ("baci", TRADE / "BACI_HS17_Y2023_V202401.csv"),
    ("codes", TRADE / "country_codes_V202401.csv"),
]


def test_fuzz_data_files(cli, tmp_path, fuzz_cases):
    rng = random.Random(20251201)
    baseline = ROOT / "scenarios" / "baseline.toml"
    for n in range(fuzz_cases):
        kind, source = rng.choice(DATA_SOURCES)
        folder = tmp_path / f"case{n}"
        folder.mkdir()
        for f in ("BACI_HS17_Y2023_V202401.csv", "country_codes_V202401.csv"):
            shutil.copy(TRADE / f, folder)
        path = folder / source.name
        data = mutant(source.read_text(encoding="utf-8"), rng, "csv")
        path.write_bytes(data)
        if kind == "figures":
            args = ("run", baseline, "--data", path, "--out", folder / "out.xlsx", "--json",
                    folder / "out.json")  # fmt: skip
        elif kind == "codes":
            args = ("data", "import", folder / "BACI_HS17_Y2023_V202401.csv", "--out",
                    folder / "out.csv")  # fmt: skip
        else:
            args = ("data", "import", path, "--out", folder / "out.csv")
        code, _, err = cli(*args)
        check_outcome(code, err, folder)
        assert path.read_bytes() == data
        if code == 0 and kind == "figures":
            check_json(folder / "out.json")
        if code == 0 and kind != "figures":
            check_csv_outputs(folder)
        shutil.rmtree(folder)
