"""What an import costs: ``import metaltrade_xl.udfs`` (every workbook open, in xlwings Lite also a
download) brings in no heavy module beyond numpy, pandas and xlwings themselves; the light MT_
functions never load scipy, and the ones that need it load it on their first call.

Each check runs in a fresh interpreter, since ``sys.modules`` of the test process has everything.
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest

#: Modules that take a noticeable time to import (or, in the browser, to download).
HEAVY = ("scipy", "openpyxl", "pyarrow", "python_calamine", "SALib", "matplotlib", "PIL", "lxml")

_PRELUDE = f"""
import json, os, sys
os.environ["XLWINGS_ON_SERVER"] = "true"  # the Office.js/Lite call path, as the Excel tests use
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
HEAVY = {HEAVY!r}

def heavy():
    return sorted(m for m in sys.modules if m.split(".")[0] in HEAVY and m.count(".") <= 1)
"""


def run_child(code: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XLWINGS")}
    done = subprocess.run(
        [sys.executable, "-c", _PRELUDE + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


LIGHT_CALLS = [
    ("MT_DEFICIT", 727, 19548),
    ("MT_BALANCE", 727, 19548),
    ("MT_COVERAGE", 727, 19548),
    ("MT_SHARE", 8330, 19548),
    ("MT_GROWTH", [[750], [793.09]]),
    ("MT_CAGR", 2.5, 9.0, 23),
    ("MT_ANNUALIZE", 727, 11),
    ("MT_GROWTH_TO_CLOSE", 750, 4000, 10, 0.03),
    ("MT_YEARS_TO_CLOSE", 750, 4000, 0.2, 0.03),
    ("MT_GROWTH_FOR_DEFICIT", 727, 19548, 0.04, 15000, 10),
    ("MT_PROJECT", 750, 0.1, 2, 2024),
    ("MT_DATA", "imports", "Peru", 2024),
    ("MT_SOURCES",),
    ("MT_SCENARIO", "close_chile_2034"),
    ("MT_HHI", [[42.6], [11.6], [6.8], [4.1], [34.9]]),
    ("MT_RCA", 750, 75000, 9e6, 24e6),
    ("MT_MARKET_SHARE", 750, 9e6),
    ("MT_VERSION",),
]

_CALLS = """
import asyncio
import xlwings, xlwings.server
import metaltrade_xl.udfs as udfs

def call(name, *args):
    data = {
        "client": "Office.js", "func_name": name,
        "args": [a if isinstance(a, list) else [[a]] for a in args],
        "caller_address": "[Book1]Sheet1!B2", "culture_info_name": "en-US",
        "date_format": "M/d/yyyy", "version": xlwings.__version__, "runtime": "1.4",
    }
    return asyncio.run(xlwings.server.custom_functions_call(data, udfs))
"""


@pytest.fixture(scope="module")
def stages():
    """Heavy modules loaded after each stage, in one fresh interpreter: the import, every light
    function, then the first goal seek, then the first Monte Carlo of a non-normal scenario."""
    return run_child(
        "import metaltrade_xl.udfs\n"
        + "seen = {'import': heavy()}\n"
        + _CALLS
        + f"results = {{c[0]: call(*c) for c in {LIGHT_CALLS!r}}}\n"
        + "seen['light'] = heavy()\n"
        + "seen['goalseek'] = call('MT_GOALSEEK', 'close_chile_2034', 'exports.growth', 0,"
        + " 'gap_to_rival')\n"
        + "seen['after_goalseek'] = heavy()\n"
        + "seen['montecarlo'] = call('MT_MONTECARLO', 'uncertain_export_push', 'deficit', 2000, 7)\n"
        + "seen['after_montecarlo'] = heavy()\n"
        + "seen['results'] = results\n"
        + "print(json.dumps(seen))"
    )


def scipy_in(modules):
    return [m for m in modules if m.startswith("scipy")]


def test_udfs_import_adds_no_heavy_module_to_numpy_pandas_xlwings(stages):
    bare = run_child("import numpy, pandas, xlwings\nprint(json.dumps(heavy()))")
    assert scipy_in(stages["import"]) == []
    assert stages["import"] == bare  # whatever xlwings itself brings (matplotlib), no more


def test_light_functions_never_load_scipy(stages):
    results = stages["results"]
    assert results["MT_DEFICIT"] == [[19548 - 727]] and results["MT_DATA"] == [[18203.0]]
    assert all(isinstance(r, list) and r and r[0] for r in results.values())  # all answered
    assert scipy_in(stages["light"]) == []


def test_functions_that_need_scipy_load_it_on_first_call(stages):
    assert stages["goalseek"][0] and "scipy.optimize" in stages["after_goalseek"]
    assert "scipy.stats" not in stages["after_goalseek"]
    assert stages["montecarlo"][0]  # answered (it needs no scipy: see the test below)


def test_the_bundled_run_never_loads_scipy():
    # every bundled scenario, the PERT and triangular draws of the uncertain one included, and
    # the report's sheets: scipy's ~0.3 s import is no part of `metaltrade run`
    seen = run_child(
        "from metaltrade_xl.data import load_figures\n"
        "from metaltrade_xl.report.content import build_report\n"
        "from metaltrade_xl.scenarios import default_scenario_files, load_scenario, run_full\n"
        "f = load_figures()\n"
        "results = [run_full(load_scenario(p), f) for p in default_scenario_files()]\n"
        "build_report(results, f)\n"
        "print(json.dumps([results[-1].montecarlo is not None, heavy()]))"
    )
    assert seen[0] and scipy_in(seen[1]) == []


def test_metaltrade_run_writes_its_workbook_without_openpyxl(tmp_path):
    """The whole `metaltrade run` (the CLI, the bundled scenarios, the workbook written and
    saved) never imports openpyxl (~0.15 s of start-up): the direct writer has the XML it needs
    (files/xmlparts.py). The file it writes is a workbook openpyxl then reads."""
    out = tmp_path / "p.xlsx"
    seen = run_child(
        "import contextlib, io\n"
        "from metaltrade_xl import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    code = cli.main(['run', '--out', {str(out)!r}])\n"
        "print(json.dumps([code, heavy()]))"
    )
    assert seen[0] == 0
    assert [m for m in seen[1] if m.startswith("openpyxl")] == []
    import openpyxl

    book = openpyxl.load_workbook(out)
    assert book.sheetnames[0] == "Summary" and len(book.sheetnames) >= 8
