"""`metaltrade run`: the main job end to end, as a new user would try it."""

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import openpyxl
import pytest

import metaltrade_xl
from metaltrade_xl.scenarios import default_scenario_files

ROOT = Path(__file__).resolve().parents[1]


def scenario_file(tmp_path, body, name="mine.toml"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(body), encoding="utf-8")
    return p


ISSUE_CASE = """
    name = "Issue check"
    base_year = 2024
    horizon = 2034
    [exports]
    growth = "to_close"
    start = 750
    [imports]
    growth = 0.04
    [rival]
    name = "Chile"
    growth = 0.03
    start = 4000
    [substitution]
    share = 0.10
    origins = ["China"]
    import_content = 0.35
    start_year = 2026
    phase_in_years = 5
"""


def test_default_run_writes_workbook_and_json(cli, tmp_path):
    code, out, err = cli("run", "--out", "X.xlsx", "--json", "X.json")
    assert code == 0, err
    assert "Close the gap with Chile by 2034" in out and "wrote X.xlsx" in out

    wb = openpyxl.load_workbook(tmp_path / "X.xlsx")
    data = json.loads((tmp_path / "X.json").read_text())
    scenario_names = [d["name"] for d in data]
    assert len(scenario_names) == len(default_scenario_files())
    assert wb.sheetnames[0] == "Summary"
    assert wb.sheetnames[-3:] == ["Sources", "Provenance", "Chart data"]
    assert len(wb.sheetnames) == len(scenario_names) + 4
    assert wb["Chart data"].sheet_state == "hidden"  # chart data: off the printed pages
    for ws in wb.worksheets[:-2]:  # Provenance: tables only
        assert len(ws._charts) >= 1, f"no chart on {ws.title}"

    sources = [[c for c in row] for row in wb["Sources"].iter_rows(values_only=True)]
    flat = {v for row in sources for v in row}
    assert 727 in flat and 19548 in flat
    header = sources[3]
    row19548 = next(r for r in sources if r[header.index("Value")] == 19548)
    assert row19548[header.index("Lower bound")] == "yes"
    assert "SNI-IEES" in sources[1][0]  # the source every row shares, said once

    for d in data:
        for y in d["years"]:
            assert y["balance"] == pytest.approx(y["exports"] - y["imports"])
            assert y["deficit"] == -y["balance"]
            assert {"year", "rival_exports", "substitution_effect"} <= y.keys()


def test_issue_case_solved_rate_and_landing(cli, tmp_path):
    path = scenario_file(tmp_path, ISSUE_CASE)
    code, _, err = cli("run", path, "--out", "o.xlsx", "--json", "o.json")
    assert code == 0, err
    (result,) = json.loads((tmp_path / "o.json").read_text())
    expected = (4000 * 1.03**10 / 750) ** (1 / 10) - 1
    assert result["parameters"]["exports"]["growth"] == pytest.approx(expected, abs=1e-12)
    assert abs(result["parameters"]["exports"]["growth"] - 0.21769) < 1e-5
    last = result["years"][-1]
    assert last["year"] == 2034
    assert abs(last["exports"] - last["rival_exports"]) / last["rival_exports"] < 1e-9

    # the workbook's parameter table (a defined name) shows the solved rate as a percentage
    ws = openpyxl.load_workbook(tmp_path / "o.xlsx")["S1 Issue check"]
    ref = ws.defined_names["Parameters"].attr_text.split("!")[1].replace("$", "")
    rows = [[c for c in r if c.value is not None] for r in ws[ref]]
    params = {r[0].value: r[1] for r in rows[1:]}
    solved = params["Export growth a year (solved: reaches Chile in 2034)"]
    assert solved.value == pytest.approx(expected) and solved.number_format == "0.0%"


@pytest.mark.parametrize(
    "old, new, key",
    [
        ("growth = 0.04", "growht = 0.04", "imports.growht"),
        ("share = 0.10", "share = -0.10", "substitution.share"),
        ("horizon = 2034", "horizon = 2020", "horizon"),
        ("growth = 0.04", 'growth = "0.04"', "imports.growth"),
    ],
)
def test_bad_scenario_is_one_line_and_nonzero(cli, tmp_path, old, new, key):
    path = scenario_file(tmp_path, ISSUE_CASE.replace(old, new, 1), "bad.toml")
    code, out, err = cli("run", path, "--out", "o.xlsx")
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "bad.toml" in lines[0] and key in lines[0], err
    assert "Traceback" not in err
    assert not (tmp_path / "o.xlsx").exists()


def test_never_overwrites_without_force(cli, tmp_path):
    (tmp_path / "o.xlsx").write_bytes(b"precious")
    code, _, err = cli("run", "--out", "o.xlsx")
    assert code == 2 and "exists" in err and "--force" in err
    assert (tmp_path / "o.xlsx").read_bytes() == b"precious"
    code, _, err = cli("run", "--out", "o.xlsx", "--force")
    assert code == 0, err
    assert openpyxl.load_workbook(tmp_path / "o.xlsx").sheetnames[0] == "Summary"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp left


def test_user_data_file_and_its_errors(cli, tmp_path):
    rows = [
        "indicator,reporter,partner,year,months,value,lower_bound",
        "exports,Peru,World,2024,12,800,false",
        "imports,Peru,World,2024,12,18000,false",
        "exports,Chile,World,2024,12,4200,true",
    ]
    (tmp_path / "d.csv").write_text("\n".join(rows) + "\n")
    no_overrides = ISSUE_CASE.split("[substitution]")[0].replace("start = 750\n", "")
    path = scenario_file(tmp_path, no_overrides.replace("start = 4000\n", ""))
    code, _, err = cli("run", path, "--data", "d.csv", "--out", "o.xlsx", "--json", "o.json")
    assert code == 0, err
    (r,) = json.loads((tmp_path / "o.json").read_text())
    assert r["years"][0]["exports"] == 800 and r["years"][0]["imports"] == 18000

    (tmp_path / "bad.csv").write_text(
        "\n".join(rows[:2] + ["imports,Peru,World,2024,12,lots,false"])
    )
    code, _, err = cli("run", path, "--data", "bad.csv", "--out", "p.xlsx")
    assert code == 2
    assert (
        err.strip()
        == "metaltrade: error: bad.csv: row 3, column value: expected a number, got 'lots'"
    )


def test_formula_like_text_is_written_as_text(cli, tmp_path):
    body = ISSUE_CASE.replace(
        'name = "Issue check"', 'name = "=HYPERLINK(1)"\ndescription = "+cmd|x"'
    )
    path = scenario_file(tmp_path, body)
    code, _, err = cli("run", path, "--out", "o.xlsx")
    assert code == 0, err
    wb = openpyxl.load_workbook(tmp_path / "o.xlsx")
    ws = wb.worksheets[1]
    assert ws["A1"].value == "=HYPERLINK(1)" and ws["A1"].data_type == "s"
    assert ws["A2"].value == "+cmd|x" and ws["A2"].data_type == "s"


def test_console_script_outside_the_repo(tmp_path):
    """The installed `metaltrade` (or `python -m`) runs from any folder with the bundled scenarios."""
    exe = shutil.which("metaltrade", path=os.path.dirname(sys.executable))
    cmd = [exe] if exe else [sys.executable, "-m", "metaltrade_xl.cli"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        cmd + ["run", "--json", "r.json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "projections.xlsx").exists()
    assert len(json.loads((tmp_path / "r.json").read_text())) == len(default_scenario_files())
    bad = subprocess.run(
        cmd + ["run", "missing.toml", "--out", "other.xlsx"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (
        bad.returncode == 2
        and bad.stderr.strip() == "metaltrade: error: missing.toml: no such file"
    )


def test_process_entry_freezes_the_imports_and_still_collects_during_the_work(tmp_path):
    """`metaltrade` as a process (cli.entry) imports numpy and pandas with the cyclic collector
    off and freezes what they made; the command's work runs with the collector on, and its files
    are the same as from main() in-process, which leaves the collector alone."""
    code = textwrap.dedent(
        """
        import contextlib, gc, io, json, sys
        import metaltrade_xl.scenarios as s
        from metaltrade_xl import cli
        seen, real = [], s.run_full
        def run_full(*a):
            seen.append([gc.isenabled(), gc.get_freeze_count()])
            return real(*a)
        s.run_full = run_full
        with contextlib.redirect_stdout(io.StringIO()):
            main = cli.main(["run", "--out", "a.xlsx", "--json", "a.json"])
            after_main = [gc.isenabled(), gc.get_freeze_count()]
            sys.argv = ["metaltrade", "run", "--out", "b.xlsx", "--json", "b.json"]
            entry = cli.entry()
        print(json.dumps([main, entry, after_main, seen, gc.get_freeze_count()]))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    main, entry, after_main, seen, at_exit = json.loads(done.stdout)
    n = len(default_scenario_files())
    assert main == entry == 0 and len(seen) == 2 * n
    assert after_main == [True, 0]  # main() in-process: nothing frozen, collector on
    assert all(s == [True, 0] for s in seen[:n])
    # collecting, with numpy's and pandas' objects frozen (a frozen object that is freed
    # leaves the count)
    assert all(on and frozen > 50_000 for on, frozen in seen[n:])
    assert at_exit > seen[-1][1]  # entry froze what was left at its end
    a, b = (json.loads((tmp_path / f"{x}.json").read_text()) for x in "ab")
    assert a == b


def test_version_help_and_usage_errors_answer_without_numpy_or_pandas(tmp_path):
    """`metaltrade --version`, `--help` and a mistyped option answer before the heavy imports
    (~0.4 s of numpy and pandas before this was so)."""
    code = textwrap.dedent(
        """
        import contextlib, io, json, sys
        from metaltrade_xl import cli
        out, err, seen = io.StringIO(), io.StringIO(), []
        for argv in (["--version"], ["--help"], ["run", "--help"], ["run", "--paper", "a5"]):
            sys.argv = ["metaltrade", *argv]
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    cli.entry()
                except SystemExit as exc:
                    seen.append(exc.code)
        heavy = sorted(m for m in ("numpy", "pandas", "openpyxl") if m in sys.modules)
        print(json.dumps([seen, heavy, out.getvalue(), err.getvalue()]))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    seen, heavy, out, err = json.loads(done.stdout)
    assert seen == [0, 0, 0, 2] and heavy == []
    assert out.startswith(f"metaltrade {metaltrade_xl.__version__}\n")
    assert "--paper {a4,letter}" in out  # run --help lists the papers
    assert "argument --paper: invalid choice: 'a5' (choose from 'a4', 'letter')" in err


def test_uncertain_scenario_adds_fan_tornado_and_json(cli, tmp_path):
    uncertain = ROOT / "scenarios" / "uncertain_export_push.toml"
    code, _, err = cli("run", uncertain, "--out", "u.xlsx", "--json", "u.json")
    assert code == 0, err
    ws = openpyxl.load_workbook(tmp_path / "u.xlsx")["S1 Uncertain export push"]
    assert len(ws._charts) == 6  # 3 projection charts, 2 fans, 1 tornado
    (r,) = json.loads((tmp_path / "u.json").read_text())
    u = r["uncertainty"]
    assert u["n_paths"] == 100_000
    for row in u["percentiles"]:
        assert row["P5"] <= row["P10"] <= row["P50"] <= row["P90"] <= row["P95"]
    for row in u["reach"]:
        p, se = row["p_ahead"], row["se_ahead"]
        assert 0 <= p <= 1 and se == pytest.approx((p * (1 - p) / u["n_paths"]) ** 0.5)
    assert u["tornado"][0]["swing"] >= u["tornado"][-1]["swing"]
    # seeded: a second run gives the same numbers
    code, _, err = cli("run", uncertain, "--out", "v.xlsx", "--json", "v.json")
    assert json.loads((tmp_path / "v.json").read_text())[0]["uncertainty"] == u


def test_data_import_then_run(cli, tmp_path):
    data = ROOT / "tests" / "files" / "trade_data"
    code, out, err = cli("data", "import", data / "comtrade_peru.csv", "--out", "peru.xlsx")
    assert code == 0, err
    assert "rejected" in out and "wrote peru.xlsx" in out
    # by hand (see tests/files/test_trade_import.py): 2024 exports 188, imports 800
    body = ISSUE_CASE.split("[substitution]")[0].replace("start = 750\n", "")
    code, _, err = cli(
        "run",
        scenario_file(tmp_path, body),
        "--data",
        "peru.xlsx",
        "--out",
        "p.xlsx",
        "--json",
        "p.json",
    )
    assert code == 0, err
    first = json.loads((tmp_path / "p.json").read_text())[0]["years"][0]
    assert (first["exports"], first["imports"], first["balance"]) == (188, 800, -612)

    code, _, err = cli("data", "import", data / "comtrade_peru.csv", "--out", "peru.xlsx")
    assert code == 2 and "exists" in err
    (tmp_path / "junk.csv").write_text("a,b\n1,2\n")
    code, _, err = cli("data", "import", "junk.csv", "--out", "j.csv")
    assert code == 2 and err.startswith("metaltrade: error: junk.csv: cannot tell the format")


class FakeTerminal:
    def __init__(self):
        self.text = ""

    def isatty(self):
        return True

    def write(self, s):
        self.text += s

    def flush(self):
        pass


def test_progress_bar_only_after_a_second_and_on_a_terminal():
    from metaltrade_xl._io import Progress

    now = [0.0]
    term = FakeTerminal()
    p = Progress(4, stream=term, clock=lambda: now[0])
    p.step("fast")
    assert term.text == ""  # under a second: nothing drawn
    now[0] = 1.5
    p.step("slow one")
    assert "[" in term.text and "1/4 slow one" in term.text
    p.done()
    assert term.text.endswith("4/4 done" + " " * 36 + "\n")

    quiet = FakeTerminal()
    quiet.isatty = lambda: False
    q = Progress(2, stream=quiet, clock=lambda: 99.0)
    q.step("x")
    q.done()
    assert quiet.text == ""


def test_outputs_get_the_usual_file_mode(cli, tmp_path):
    import stat

    code, _, err = cli("run", "--out", "o.xlsx", "--json", "o.json")
    assert code == 0, err
    mask = os.umask(0)
    os.umask(mask)
    for name in ("o.xlsx", "o.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o666 & ~mask
