"""xlwings Lite's call path under Pyodide's constraints, emulated in CPython.

``lite/main.py`` is executed as the module ``main``, as xlwings Lite does, and every function and
the scenario script are called through ``xlwings.server`` (``custom_functions_meta``,
``custom_functions_call``, ``custom_scripts_call``) with payloads shaped as the Office.js client
sends them, while what Pyodide lacks is taken away: ``os.cpu_count()`` is 1, starting a thread
(``threading.Thread.start``, a ``concurrent.futures`` worker) raises ``RuntimeError("can't start
new thread")``, subprocesses and ``fork`` raise ``OSError`` (measured in real Pyodide 0.27-0.29).

Empty cells come as ``None`` (xlwings Server, Pyodide before 0.28), as a stand-in ``JsNull``
(Pyodide 0.28 on: JavaScript ``null`` inside a range argument, and an omitted optional argument)
and as a stand-in installed as ``pyodide.ffi.JsNull`` the way xlwings' own tests do it
(``tests/test_jsnull.py`` in the xlwings repository), so that xlwings normalises scalars itself.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import importlib.util
import math
import multiprocessing.process
import os
import subprocess
import sys
import threading
from pathlib import Path
from types import ModuleType

import pytest
import xlwings
import xlwings.server

import metaltrade_xl
from metaltrade_xl.files.writer import open_workbook, sheet_grid
from metaltrade_xl.scenarios import default_scenario_files
from tests.excel.conftest import payload

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(metaltrade_xl.__file__).parent
MAIN = ROOT / "lite" / "main.py"
#: The modules lite/main.py reaches, in import order, decorated afresh when needed (see `main`).
DECORATED = (
    ("metaltrade_xl.excel.functions", PACKAGE / "excel" / "functions.py"),
    ("metaltrade_xl.excel.analysis", PACKAGE / "excel" / "analysis.py"),
    ("metaltrade_xl.udfs", PACKAGE / "udfs.py"),
    ("metaltrade_xl.excel.macros", PACKAGE / "excel" / "macros.py"),
    ("metaltrade_xl.macros", PACKAGE / "macros.py"),
)
NO_THREAD = "can't start new thread"


class JsNull:
    """Stand-in for ``pyodide.ffi.JsNull``: a falsy singleton that is not ``None``."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = object.__new__(cls)
        return cls._instance

    def __bool__(self):
        return False

    def __repr__(self):
        return "jsnull"


class _FakeJsNull(JsNull):
    """The same, under the name xlwings' tests give it, installed as ``pyodide.ffi.JsNull``."""

    _instance = None


def _exec(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def main(udfs):
    """``lite/main.py`` executed as the module ``main`` with xlwings.server's decorators.

    If xlwings was imported before ``XLWINGS_ON_SERVER`` was set (another test folder first),
    the modules main.py imports are decorated afresh and stand in for the originals while it runs.
    """
    server = xlwings.server
    saved_names = {name: sys.modules.get(name) for name, _ in DECORATED}
    saved_main = sys.modules.get("main")
    saved = xlwings.func, xlwings.arg, xlwings.ret, xlwings.script
    fresh = xlwings.func is not server.func
    try:
        if fresh:
            xlwings.func, xlwings.arg, xlwings.ret = server.func, server.arg, server.ret
            xlwings.script = server.script
            for name, path in DECORATED:
                sys.modules[name] = _exec(path, name)
        module = _exec(MAIN, "main")
    finally:
        xlwings.func, xlwings.arg, xlwings.ret, xlwings.script = saved
        for name, original in [*saved_names.items(), ("main", saved_main)]:
            if original is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = original
    return module


@contextlib.contextmanager
def pyodide(empty):
    """What Pyodide lacks, taken away for the duration of a call."""

    def no_thread(*args, **kwargs):
        raise RuntimeError(NO_THREAD)

    def no_process(*args, **kwargs):
        raise OSError(138, "Not supported")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(os, "cpu_count", lambda: 1)
        mp.setattr(threading.Thread, "start", no_thread)
        # Pyodide: the executor is built, its first submit (and so map) fails
        mp.setattr(concurrent.futures.ThreadPoolExecutor, "submit", no_thread)
        mp.setattr(concurrent.futures.ProcessPoolExecutor, "__init__", no_process)
        mp.setattr(subprocess.Popen, "__init__", no_process)
        mp.setattr(multiprocessing.process.BaseProcess, "start", no_process)
        for name in ("fork", "forkpty", "posix_spawn", "posix_spawnp"):
            if hasattr(os, name):
                mp.setattr(os, name, no_process)
        if empty is _FakeJsNull:
            ffi = ModuleType("pyodide.ffi")
            ffi.JsNull, ffi.jsnull = _FakeJsNull, _FakeJsNull()
            package = ModuleType("pyodide")
            package.ffi = ffi
            mp.setitem(sys.modules, "pyodide", package)
            mp.setitem(sys.modules, "pyodide.ffi", ffi)
        yield


def test_the_constraints_hold():
    with pyodide(JsNull):
        assert os.cpu_count() == 1
        with pytest.raises(RuntimeError, match=NO_THREAD):
            threading.Thread(target=print).start()
        with concurrent.futures.ThreadPoolExecutor(2) as pool, pytest.raises(RuntimeError):
            list(pool.map(abs, [1, 2]))
        with pytest.raises(OSError):
            subprocess.run(["true"], check=False)
        with pytest.raises(OSError):
            os.fork()


# --- calling like the Office.js client ------------------------------------------------------------

E = object()  # an empty cell in the arguments below; sent as None or as a JsNull


def _send(value, empty):
    if value is E:
        return None if empty is None else empty()
    if isinstance(value, list):
        return [_send(v, empty) for v in value]
    return value


def lite_call(main, empty, name, *args):
    """One call as Excel sends it to Lite, under Pyodide's constraints."""
    data = payload(name, *args)
    data["args"] = _send(data["args"], empty)
    with pyodide(empty):
        return asyncio.run(xlwings.server.custom_functions_call(data, main))


def native_call(main, name, *args):
    """The same call with empty cells as None, threads and processes allowed."""
    data = payload(name, *args)
    data["args"] = _send(data["args"], None)
    return asyncio.run(xlwings.server.custom_functions_call(data, main))


def col(*values):
    return [[v] for v in values]


# Peru 2024 (USD millions): exports 750, imports 18 203; Chile's exports 4 000; a spacer row.
SCENARIO = [
    ["base_year", 2024],
    ["horizon", 2026],
    [E, E],
    ["exports.growth", 0.1],
    ["exports.start", 750],
    ["imports.growth", 0],
    ["imports.start", 18203],
    ["rival.name", "Chile"],
    ["rival.growth", 0],
    ["rival.start", 4000],
]
CLOSE_CHILE = [
    ["base_year", 2024],
    ["horizon", 2034],
    [E, E],
    ["exports.growth", 0.1],
    ["exports.start", 750],
    ["imports.growth", 0.04],
    ["imports.start", 18203],
    ["rival.name", "Chile"],
    ["rival.growth", 0.03],
    ["rival.start", 4000],
]
UNCERTAIN = [
    *CLOSE_CHILE,
    ["uncertainty.exports.growth", "normal(mean=0.2, sd=0.06)"],
    [E, E],
    ["uncertainty.imports.growth", "triangular(low=0, mode=0.04, high=0.08)"],
]
GRID = [
    ["base_year", 2024],
    ["horizon", 2025],
    ["exports.growth", 0],
    ["exports.start", 100],
    [E, E],
    ["imports.growth", 0],
    ["imports.start", 300],
    ["rival.name", "Chile"],
    ["rival.growth", 0],
    ["rival.start", 400],
]
approx = pytest.approx
TO_CLOSE = (4000 * 1.03**10 / 750) ** 0.1 - 1  # 0.21769: Chile growing 3 %, ten years
# The bundled scenario starts in 2025: exports 727 x 12/11 (January-November annualised), Chile's
# 4 000 of 2024 carried a year at its 3 %, nine years to 2034.
TO_CLOSE_2025 = (4000 * 1.03**10 / (727 * 12 / 11)) ** (1 / 9) - 1

#: (function, arguments with an empty cell E in a range or as an omitted optional argument,
#: the result worked by hand). Randomised functions are checked against the native run instead.
BY_HAND = [
    ("MT_BALANCE", (col(750, E, 727), col(18203, E, 19548)), [[-17453], [""], [-18821]]),
    ("MT_DEFICIT", (col(750, E, 727), col(18203, E, 19548)), [[17453], [""], [18821]]),
    ("MT_COVERAGE", (col(727, E), col(19548, E)), [[727 / 19548], [""]]),
    ("MT_SHARE", (col(1, 3, E), E), [[0.25], [0.75], [""]]),
    ("MT_GROWTH", (col(100, 110, 99, E, E),), [[approx(0.1)], [approx(-0.1)]]),
    ("MT_CAGR", (col(2.5, E), col(9, E), 23), [[approx((9 / 2.5) ** (1 / 23) - 1)], [""]]),
    ("MT_ANNUALIZE", (col(727, E), 11, E), [[approx(727 * 12 / 11)], [""]]),
    (
        "MT_GROWTH_TO_CLOSE",
        (col(750, E), col(4000, E), 10, E),
        [[approx((4000 / 750) ** 0.1 - 1)], [""]],
    ),
    ("MT_YEARS_TO_CLOSE", (col(750, E), col(4000, E), TO_CLOSE, 0.03), [[approx(10)], [""]]),
    (
        "MT_GROWTH_FOR_DEFICIT",
        # a rate column with empty cells at its end: the first ten rates are read
        (727, 19548, col(*[0.04] * 10, E, E), 9410.5, 10),
        [[approx(0.3897, abs=1e-4)]],
    ),
    (
        "MT_PROJECT",
        (750, col(0.1, 0.1, E), 2, E),
        [["year", "value"], [0, 750], [1, approx(825)], [2, approx(907.5)]],
    ),
    (
        "MT_SUBSTITUTION",
        (col(1000, 2000, E), 0.1, 0.35, E, E, E, 2026),
        [
            ["year", "imports", "substituted", "deficit_effect"],
            [2026, 1000, approx(100), approx(65)],
            [2027, 2000, approx(200), approx(130)],
        ],
    ),
    ("MT_DATA", ("imports", E, 2024, E), [[18203]]),
    ("MT_HHI", (col(50, 50, E), E, E), [[0.5]]),
    ("MT_HHI", (col(50, 50, E), 10000, 200), [[approx(1250)]]),  # 2 x 0.25^2 x 10 000
    ("MT_RCA", (col(750, E), col(75000, E), 9e6, 2.4e7), [[approx(0.01 / 0.375)], [""]]),
    ("MT_MARKET_SHARE", (col(750, E), col(9e6, E)), [[approx(750 / 9e6)], [""]]),
    (
        "MT_GRID",
        (GRID, "exports.growth", [[0, 0.5, E]], "imports.growth", col(0, 0.5, E), E, E),
        [
            ["imports.growth ↓ exports.growth →", 0, 0.5],
            [0, approx(200), approx(150)],
            [0.5, approx(350), approx(300)],
        ],
    ),
    (
        "MT_TOP_PARTNERS",
        (col("Chile", "United States", E), col(130.6, 115.9, E), col(100, 100, E), E, E),
        [
            ["rank", "partner", "value", "share", "growth"],
            [1, "Chile", 130.6, approx(130.6 / 246.5), approx(0.306)],
            [2, "United States", 115.9, approx(115.9 / 246.5), approx(0.159)],
        ],
    ),
    (
        "MT_GOALSEEK",
        (CLOSE_CHILE, "exports.growth", 0, "gap_to_rival", E, E, E),
        [[approx(TO_CLOSE)]],
    ),
]
#: Functions whose result is compared with the same call run natively (threads, None cells).
SAME_AS_NATIVE = [
    ("MT_MONTECARLO", (UNCERTAIN, E, 3000, 7)),
    ("MT_MONTECARLO", (UNCERTAIN, "exports", 2500, E)),  # no seed: afresh, see below
    ("MT_PROB_CLOSE", (UNCERTAIN, E, 3000, 7)),
    ("MT_TORNADO", (UNCERTAIN, E, E)),
    ("MT_SCENARIO", (SCENARIO, E)),
    ("MT_SOURCES", ()),
    ("MT_VERSION", ()),
]
EMPTIES = pytest.mark.parametrize(
    "empty", [None, JsNull, _FakeJsNull], ids=["None", "JsNull", "pyodide.ffi.JsNull"]
)


def test_main_registers_every_function_and_the_script(main, udfs):
    meta = xlwings.server.custom_functions_meta(main)
    names = {f["name"] for f in meta["functions"]}
    assert names == set(metaltrade_xl.udfs.__all__) and len(names) == 25
    scripts = xlwings.server.custom_scripts_meta(main)
    assert "run_scenarios_script" in {s["function_name"] for s in scripts}
    covered = {name for name, *_ in BY_HAND + SAME_AS_NATIVE}
    assert covered == names  # every function is called below


@EMPTIES
@pytest.mark.parametrize("name, args, expected", BY_HAND, ids=[c[0] for c in BY_HAND])
def test_functions_read_empty_cells_as_empty(main, empty, name, args, expected):
    assert lite_call(main, empty, name, *args) == expected


@EMPTIES
@pytest.mark.parametrize("name, args", SAME_AS_NATIVE, ids=[c[0] for c in SAME_AS_NATIVE])
def test_without_threads_the_numbers_are_bit_identical(main, empty, name, args):
    got = lite_call(main, empty, name, *args)
    if name == "MT_MONTECARLO" and args[-1] is E:  # no seed anywhere: each run draws afresh
        assert got[0] == ["year", "P5", "P10", "P50", "P90", "P95"] and len(got) == 12
        assert all(r[1] <= r[3] <= r[5] for r in got[1:])
        return
    assert got == native_call(main, name, *args)
    if name == "MT_SCENARIO":  # 750 growing 10 % a year; imports flat
        assert got[-1][:2] == [2026, approx(907.5)] and got[-1][5] == 18203


@EMPTIES
def test_an_empty_cell_where_a_number_is_needed_names_it(main, empty):
    with pytest.raises(xlwings.XlwingsError) as info:
        lite_call(main, empty, "MT_DEFICIT", col(750, 727), col(E, 19548))
    assert str(info.value) == (
        "MT_DEFICIT: imports (row 1, column 1 of the range): expected a number, got an empty cell"
    )
    with pytest.raises(xlwings.XlwingsError, match="a gap in the series"):
        lite_call(main, empty, "MT_GROWTH", col(100, E, 110))


def test_a_cell_runs_fewer_paths_in_the_browser(main, monkeypatch):
    monkeypatch.setattr(sys, "platform", "emscripten")
    with pytest.raises(xlwings.XlwingsError) as info:
        lite_call(main, JsNull, "MT_MONTECARLO", UNCERTAIN, E, 300_000, 1)
    message = str(info.value)
    assert "expected at most 250,000 paths" in message and "xlwings Lite" in message


# --- the scenario script on the analyst workbook -----------------------------------------------


def book_payload(path: Path) -> dict:
    """The analyst workbook as the Office.js client sends it (empty cells as "")."""
    sheets = [
        {
            "name": ws.title,
            "values": [["" if v is None else v for v in row] for row in sheet_grid(ws)],
            "pictures": [],
            "tables": [],
        }
        for ws in open_workbook(path).worksheets
    ]
    return {
        "client": "Office.js",
        "version": xlwings.__version__,
        "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"},
        "names": [],
        "sheets": sheets,
    }


def run_script(main, data, empty=None):
    book = xlwings.Book(json=data)
    context = pyodide(empty) if empty else contextlib.nullcontext()
    with context:
        done = asyncio.run(
            xlwings.server.custom_scripts_call(
                main, "run_scenarios_script", typehint_to_value={xlwings.Book: book}
            )
        )
    return done.json()["actions"]


def test_the_scenario_script_runs_the_analyst_workbook(main):
    data = book_payload(ROOT / "workbooks" / "metaltrade.xlsm")
    actions = run_script(main, data, JsNull)
    added = [a["args"][1] for a in actions if a["func"] == "addSheet"]
    # Summary, one sheet per scenario and the (hidden) chart data
    assert added[0] == "Summary" and added[-1] == "Chart data"
    assert len(added) == 2 + len(default_scenario_files())
    # the bundled set holds an uncertain scenario: its fan is drawn from Monte Carlo numbers
    # that must be those of a run with threads
    assert actions == run_script(main, book_payload(ROOT / "workbooks" / "metaltrade.xlsm"))
    solved = [
        v
        for a in actions
        if a["func"] == "setValues"
        for row in a["values"]
        for v in row
        if isinstance(v, float) and math.isclose(v, TO_CLOSE_2025, rel_tol=1e-12)
    ]
    assert solved  # "Close the gap with Chile by 2034": the solved rate is written


def test_the_script_reports_bad_input_in_one_line(main):
    data = book_payload(ROOT / "workbooks" / "metaltrade.xlsm")
    data["sheets"] = [s for s in data["sheets"] if s["name"] != "Scenarios"]
    with pytest.raises(xlwings.XlwingsError) as info:
        run_script(main, data, JsNull)
    assert (
        str(info.value)
        == "metaltrade: nothing was changed: the workbook has no sheet named Scenarios"
    )
