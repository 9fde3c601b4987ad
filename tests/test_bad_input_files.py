"""Bad input through the command line (issue "bad input, round two"): files saved in other
encodings and locales read right, every other case one line naming the file and key, no formula
from data in any output, no temp file left behind."""

import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import openpyxl
import pytest

from metaltrade_xl import _io
from metaltrade_xl.data import DataError, bundled_path, find_figure, load_figures
from metaltrade_xl.data._text import guard_text, unguard_text

ROOT = Path(__file__).resolve().parents[1]
TRADE = ROOT / "tests" / "files" / "trade_data"
SCENARIOS = ROOT / "scenarios"
EVIL = [
    '=HYPERLINK("http://evil.example","click me")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(1)",
    "'=already quoted",
]


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "internal error" not in err and "Traceback" not in err
    assert ".~metaltrade-" not in err  # never a temp file's name
    return lines[0]


def spanish_excel_csv(path: Path, encoding="cp1252", sep=";") -> None:
    """The bundled figures as Excel in es-PE saves them: ';', decimal commas, Windows-1252."""
    rows = list(csv.reader(io.StringIO(bundled_path().read_text(encoding="utf-8"))))
    out = io.StringIO()
    w = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    value = rows[0].index("value")
    for i, r in enumerate(rows):
        if i:
            r[value] = r[value].replace(".", ",")
        w.writerow(r)
    path.write_bytes(out.getvalue().encode(encoding, errors="replace"))


@pytest.mark.parametrize(
    ("encoding", "sep"),
    [("cp1252", ";"), ("latin-1", ";"), ("utf-8-sig", ";"), ("utf-16", "\t"), ("utf-8", ";")],
)
def test_data_saved_by_a_spanish_excel_reads_the_same_numbers(tmp_path, encoding, sep):
    path = tmp_path / "datos.csv"
    spanish_excel_csv(path, encoding, sep)
    theirs, ours = load_figures(path), load_figures()
    assert theirs["value"].tolist() == ours["value"].tolist()  # 2,5 read as 2.5, not 25 or text
    assert theirs["id"].tolist() == ours["id"].tolist()
    # "Perú" survives every encoding that can hold it
    assert theirs["source_title"].tolist() == ours["source_title"].tolist()


def test_spanish_csv_through_run(cli, tmp_path):
    spanish_excel_csv(tmp_path / "datos.csv")
    code, out, err = cli("run", SCENARIOS / "baseline.toml", "--data", "datos.csv")
    assert code == 0, err
    code2, out2, _ = cli("run", SCENARIOS / "baseline.toml", "--out", "b.xlsx")
    assert out.splitlines()[2] == out2.splitlines()[2]  # the same summary row


def test_a_file_that_cannot_be_parsed_says_how_it_was_read(cli, tmp_path):
    (tmp_path / "pipes.csv").write_text("indicator|reporter|value\nexports|Peru|1\n", "utf-8")
    code, _, err = cli("run", "--data", "pipes.csv")
    line = one_error_line(err)
    assert code == 2
    assert "missing column(s)" in line and "read as UTF-8, comma-separated" in line
    assert "CSV UTF-8" in line  # how to save it


def test_utf16_cut_in_half_is_one_line(cli, tmp_path):
    data = "indicator\tvalue\n".encode("utf-16")
    (tmp_path / "u.csv").write_bytes(data[:-1])
    code, _, err = cli("run", "--data", "u.csv")
    assert code == 2 and "u.csv" in one_error_line(err)


def test_toml_with_a_bom_reads_as_toml(cli, tmp_path):
    text = (SCENARIOS / "baseline.toml").read_text(encoding="utf-8")
    (tmp_path / "bom.toml").write_text(text, encoding="utf-8-sig")
    code, out, err = cli("run", "bom.toml")
    assert code == 0, err


def test_toml_saved_as_ansi_is_one_line_naming_it(cli, tmp_path):
    text = (SCENARIOS / "baseline.toml").read_text(encoding="utf-8")
    text = text.replace('name = "', 'name = "Perú ', 1)
    (tmp_path / "ansi.toml").write_bytes(text.encode("cp1252", errors="replace"))
    code, _, err = cli("run", "ansi.toml")
    line = one_error_line(err)
    assert code == 2
    assert line.startswith("metaltrade: error: ansi.toml: not UTF-8 text (byte 0xfa on line")
    assert "save it as UTF-8" in line


def test_toml_path_that_is_a_folder(cli, tmp_path):
    (tmp_path / "folder.toml").mkdir()
    code, _, err = cli("run", "folder.toml")
    assert code == 2
    assert one_error_line(err).endswith("folder.toml: is a folder, expected a TOML file")


@pytest.mark.parametrize("value", ["inf", "nan", "-inf", "1e400"])
def test_base_year_not_finite_names_file_and_key(cli, tmp_path, value):
    text = (SCENARIOS / "baseline.toml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^base_year = \d+", f"base_year = {value}", text)
    (tmp_path / "y.toml").write_text(text)
    code, _, err = cli("run", "y.toml")
    line = one_error_line(err)
    assert code == 2
    assert "y.toml: base_year: expected a year" in line


@pytest.mark.parametrize("year", ["99999999999999999999", "-5", "0", "2024.5e3"])
def test_data_years_outside_the_scenario_range(cli, tmp_path, year):
    text = bundled_path().read_text(encoding="utf-8").replace(",2024,12,750,", f",{year},12,750,")
    (tmp_path / "d.csv").write_text(text, encoding="utf-8")
    code, _, err = cli("run", "--data", "d.csv")
    line = one_error_line(err)
    assert code == 2
    assert "d.csv: row " in line and "column year: expected a year from 1900 to 2200" in line


@pytest.mark.parametrize("year", ["99999999999999999999", "-5", "0"])
def test_trade_file_years_outside_the_range(cli, tmp_path, year):
    baci = tmp_path / "BACI_HS17_Y2023_V202401.csv"
    lines = (TRADE / baci.name).read_text().splitlines()
    lines[1] = lines[1].replace("2023,", f"{year},", 1)
    baci.write_text("\n".join(lines) + "\n")
    shutil.copy(TRADE / "country_codes_V202401.csv", tmp_path)
    code, _, err = cli("data", "import", baci.name, "--out", "o.csv")
    assert code == 2
    assert f"row 2, column t: expected a year from 1900 to 2200, got {year}" in one_error_line(err)
    com = (TRADE / "comtrade_peru.csv").read_text().splitlines()
    com[1] = com[1].replace(",2023,", f",{year},", 1)
    (tmp_path / "c.csv").write_text("\n".join(com) + "\n")
    code, _, err = cli("data", "import", "c.csv", "--out", "o.csv")
    assert code == 2 and "c.csv: row 2, column refYear" in one_error_line(err)


@pytest.mark.parametrize("rate", ["1", "5", "1.5"])
def test_rate_of_one_or_more_in_a_file_is_a_likely_percentage(cli, tmp_path, rate):
    text = (SCENARIOS / "baseline.toml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^growth = [0-9.]+", f"growth = {rate}", text, count=1)
    (tmp_path / "pct.toml").write_text(text, encoding="utf-8")
    code, _, err = cli("run", "pct.toml")
    line = one_error_line(err)
    assert code == 2 and "pct.toml: exports.growth: expected a rate as a fraction" in line


def test_negative_exports_in_a_data_file(cli, tmp_path):
    text = bundled_path().read_text(encoding="utf-8").replace(",2024,12,750,", ",2024,12,-750,")
    (tmp_path / "d.csv").write_text(text, encoding="utf-8")
    code, _, err = cli("run", "--data", "d.csv")
    assert code == 2
    assert "column value: expected exports >= 0 (USD millions), got -750" in one_error_line(err)


@pytest.mark.parametrize("header", ["T,i,j,k,v,q", "t,i,j,k, v ,q", ' "t" ,I,J,K,V,Q'])
def test_baci_header_spelled_otherwise(cli, tmp_path, header):
    name = "BACI_HS17_Y2023_V202401.csv"
    lines = (TRADE / name).read_text().splitlines()
    (tmp_path / name).write_text("\n".join([header, *lines[1:]]) + "\n")
    shutil.copy(TRADE / "country_codes_V202401.csv", tmp_path)
    code, out, err = cli("data", "import", name, "--out", "o.csv")
    assert code == 0, err
    plain = tmp_path / "plain"
    plain.mkdir()
    shutil.copy(TRADE / name, plain)
    shutil.copy(TRADE / "country_codes_V202401.csv", plain)
    cli("data", "import", f"plain/{name}", "--out", "p.csv")
    mine, ref = load_figures(tmp_path / "o.csv"), load_figures(tmp_path / "p.csv")
    assert mine["value"].tolist() == ref["value"].tolist()


def test_header_only_country_codes(cli, tmp_path):
    name = "BACI_HS17_Y2023_V202401.csv"
    shutil.copy(TRADE / name, tmp_path)
    (tmp_path / "country_codes_V202401.csv").write_text(
        "country_code,country_name,country_iso2,country_iso3\n"
    )
    code, _, err = cli("data", "import", name, "--out", "o.csv")
    assert code == 2
    assert "country_codes_V202401.csv: no countries, only a header row" in one_error_line(err)


def test_mixed_files_message_names_no_column_the_file_lacks(cli):
    code, _, err = cli(
        "data", "import", TRADE / "comtrade_peru.csv", TRADE / "tidy_peru.csv", "--out", "o.csv"
    )
    line = one_error_line(err)
    assert code == 2 and "classificationCode" not in line
    assert "tidy_peru.csv: row 2: Peru exports 2024 also come from comtrade_peru.csv" in line


# --- no formula from data ------------------------------------------------------------------------


def evil_comtrade(tmp_path) -> Path:
    rows = list(csv.reader(io.StringIO((TRADE / "comtrade_peru.csv").read_text())))
    partner = rows[0].index("partnerDesc")
    names = iter(EVIL)
    for r in rows[1:]:
        if r[partner] == "Chile" and r[rows[0].index("flowCode")] == "X":
            r[partner] = next(names, r[partner])
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path = tmp_path / "evil.csv"
    path.write_text(out.getvalue())
    return path


def test_imported_names_are_never_formulas_in_xlsx(cli, tmp_path):
    evil_comtrade(tmp_path)
    code, _, err = cli("data", "import", "evil.csv", "--out", "o.xlsx")
    assert code == 0, err
    wb = openpyxl.load_workbook(tmp_path / "o.xlsx")
    cells = [c for ws in wb for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert '=HYPERLINK("http://evil.example","click me")' in texts  # kept as the exact text
    assert set(load_figures(tmp_path / "o.xlsx")["partner"]) >= {EVIL[0]}


def test_imported_names_are_guarded_in_csv_and_read_back_the_same(cli, tmp_path):
    evil_comtrade(tmp_path)
    code, _, err = cli("data", "import", "evil.csv", "--out", "o.csv")
    assert code == 0, err
    for name in ("o.csv", "o_summary.csv"):
        for row in csv.reader(io.StringIO((tmp_path / name).read_text(encoding="utf-8"))):
            for field in row:  # OWASP: no field may start like a formula
                assert not field.startswith(("=", "+", "-", "@", "\t", "\r")), field
    partners = set(load_figures(tmp_path / "o.csv")["partner"])
    assert cli("data", "import", "evil.csv", "--out", "o.xlsx")[0] == 0
    assert partners == set(load_figures(tmp_path / "o.xlsx")["partner"])  # the same text
    assert EVIL[0] in partners


@pytest.mark.parametrize("text", [*EVIL, "''=x", "plain", "-", "'", "'plain", "\t=x"])
def test_guard_is_undone_by_the_reader(text):
    assert unguard_text(guard_text(text)) == text
    assert not guard_text(text).startswith(("=", "+", "-", "@", "\t", "\r"))


# --- messages ------------------------------------------------------------------------------------


def test_long_names_and_many_ids_are_cut(cli, tmp_path):
    text = (SCENARIOS / "baseline.toml").read_text(encoding="utf-8")
    text = text.replace('name = "Chile"', 'name = "' + "Z" * 20_000 + '"')
    (tmp_path / "long.toml").write_text(text, encoding="utf-8")
    code, _, err = cli("run", "long.toml")
    assert code == 2 and len(one_error_line(err)) <= _io.MAX_MESSAGE + 40
    fig = bundled_path().read_text(encoding="utf-8").splitlines()
    row = next(r for r in fig if r.startswith("peru_imports_2024,"))
    dup = [row.replace("peru_imports_2024,", f"dup{i},", 1) for i in range(1400)]
    (tmp_path / "d.csv").write_text("\n".join(fig + dup) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as info:  # 1 401 figures for one key: five ids shown
        find_figure(load_figures(tmp_path / "d.csv"), "imports", "Peru", year=2024)
    assert str(info.value).endswith("dup3 and 1,396 more)") and len(str(info.value)) < 200


# --- outputs, memory, overflow -------------------------------------------------------------------

HUGE = """
    name = "Huge"
    base_year = 2024
    horizon = 2200
    [exports]
    start = 1e300
    growth = 0.9
    [imports]
    growth = 0.05
    [rival]
    name = "Chile"
    growth = 0.03
"""


def test_overflow_exits_non_zero_and_writes_nothing(cli, tmp_path):
    (tmp_path / "huge.toml").write_text(textwrap.dedent(HUGE))
    code, out, err = cli("run", "huge.toml", "--out", "h.xlsx", "--json", "h.json")
    line = one_error_line(err)
    assert code == 2 and "huge.toml: exports in " in line and "not a finite number" in line
    assert "inf" not in out and not (tmp_path / "h.xlsx").exists()
    assert not (tmp_path / "h.json").exists()


def test_monte_carlo_overflow_exits_non_zero(cli, tmp_path):
    text = (SCENARIOS / "uncertain_export_push.toml").read_text(encoding="utf-8")
    text = text.replace("[exports]\n", "[exports]\nstart = 1e300\n", 1)
    text = text.replace("paths = 100000", "paths = 2000")
    (tmp_path / "u.toml").write_text(text)
    code, _, err = cli("run", "u.toml", "--out", "u.xlsx")
    assert code == 2 and "not a finite number" in one_error_line(err)


def test_monte_carlo_over_the_memory_budget_is_refused_up_front(cli, tmp_path):
    text = (SCENARIOS / "uncertain_export_push.toml").read_text(encoding="utf-8")
    text = text.replace("horizon = 2034", "horizon = 2200").replace(
        "paths = 100000", "paths = 2000000"
    )
    (tmp_path / "mc.toml").write_text(text)
    code, _, err = cli("run", SCENARIOS / "baseline.toml", "mc.toml", "--out", "m.xlsx")
    line = one_error_line(err)
    assert code == 2
    rows = 2200 - int(re.search(r"(?m)^base_year = (\d+)", text).group(1)) + 1
    need = 6 * rows * 2_000_000 * 8  # 6 blocks of 8-byte floats per path and row
    assert f"mc.toml: uncertainty: paths: 2,000,000 paths x {rows} years need about " in line
    assert f"{need / 1024**3:.1f} GiB of memory, more than the 4.0 GiB budget" in line
    assert f"use at most {4 * 1024**3 // (6 * rows * 8):,} paths" in line


def test_missing_output_folder_is_reported_before_computing(cli, tmp_path, monkeypatch):
    import metaltrade_xl.scenarios as scen

    def no_run(*a, **k):
        raise AssertionError("computed before checking the output folder")

    monkeypatch.setattr(scen, "run_full", no_run)
    code, _, err = cli("run", SCENARIOS / "baseline.toml", "--out", "nowhere/p.xlsx")
    assert code == 2 and "--out: nowhere/p.xlsx: folder" in one_error_line(err)
    code, _, err = cli("run", SCENARIOS / "baseline.toml", "--json", "nowhere/p.json")
    assert code == 2 and "--json: nowhere/p.json: folder" in one_error_line(err)
    code, _, err = cli("data", "import", TRADE / "tidy_peru.csv", "--out", "nowhere/t.csv")
    assert code == 2 and "does not exist" in one_error_line(err)


def test_unwritable_folder_is_reported_before_computing(cli, tmp_path, monkeypatch):
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, m: False if Path(p) == tmp_path else real(p, m))
    code, _, err = cli("run", SCENARIOS / "baseline.toml", "--out", "p.xlsx")
    assert code == 2 and "is not writable" in one_error_line(err)


def test_permission_error_names_the_output_not_the_temp_file(tmp_path, monkeypatch):
    def denied(*a, dir=None, prefix="", suffix="", **k):
        raise PermissionError(13, "Permission denied", str(Path(dir) / f"{prefix}x{suffix}"))

    monkeypatch.setattr(_io.tempfile, "mkstemp", denied)
    with pytest.raises(PermissionError) as info:
        with _io.atomic_path(tmp_path / "out.xlsx"):
            pass
    assert "out.xlsx: permission denied" in str(info.value)
    assert ".~metaltrade-" not in str(info.value)


# --- temp files ----------------------------------------------------------------------------------


def test_orphans_of_killed_runs_are_swept_by_the_next_save(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    orphan = tmp_path / f".out.xlsx{_io.TEMP_MARK}{dead.stdout.strip()}-abc.xlsx"
    orphan.write_bytes(b"half a workbook")
    mine = tmp_path / f".x.xlsx{_io.TEMP_MARK}{os.getpid()}-abc.xlsx"  # a save under way
    mine.write_bytes(b"")
    with _io.atomic_path(tmp_path / "other.json") as tmp:
        tmp.write_text("{}")
    assert not orphan.exists() and mine.exists()
    assert (tmp_path / "other.json").read_text() == "{}"


SAVE_AND_WAIT = """
import sys, time
from pathlib import Path
from metaltrade_xl._io import atomic_path
with atomic_path(Path(sys.argv[1])) as tmp:
    tmp.write_text("partial")
    print("saving", flush=True)
    time.sleep(60)
"""


def test_temp_file_removed_when_the_process_is_terminated(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-c", SAVE_AND_WAIT, str(tmp_path / "out.json")],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "saving"
    assert list(tmp_path.glob(f".*{_io.TEMP_MARK}*"))  # the temp file exists while saving
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGTERM
    assert list(tmp_path.iterdir()) == []


def test_workbook_and_json_are_replaced_together(cli, tmp_path, monkeypatch):
    code, _, err = cli("run", SCENARIOS / "baseline.toml", "--out", "p.xlsx", "--json", "p.json")
    assert code == 0, err
    old_xlsx, old_json = (tmp_path / "p.xlsx").read_bytes(), (tmp_path / "p.json").read_bytes()
    real = os.replace

    def fail_on_json(src, dst):
        if str(dst).endswith("p.json"):
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(_io.os, "replace", fail_on_json)
    code, _, err = cli(
        "run", SCENARIOS / "close_chile_2034.toml", "--out", "p.xlsx", "--json", "p.json", "--force"
    )
    assert code == 2 and "No space left on device" in one_error_line(err)
    # neither changed: the new workbook was put back when the JSON could not be written
    assert (tmp_path / "p.xlsx").read_bytes() == old_xlsx
    assert (tmp_path / "p.json").read_bytes() == old_json
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.json", "p.xlsx"]
    monkeypatch.setattr(_io.os, "replace", real)
    code, _, err = cli(
        "run", SCENARIOS / "close_chile_2034.toml", "--out", "p.xlsx", "--json", "p.json", "--force"
    )
    assert code == 0, err
    assert json.loads((tmp_path / "p.json").read_text())[0]["name"].startswith("Close the gap")
