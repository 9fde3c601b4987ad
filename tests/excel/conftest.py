"""Run the MT_ functions through xlwings' Office.js call path, the one Excel on the web uses.

``XLWINGS_ON_SERVER`` must be set before xlwings is first imported for ``xw.func`` & co. to be
xlwings Server's decorators. Another test directory may already have imported xlwings in plain
mode, so the ``udfs`` fixture does not rely on import order: if the decorators in effect are not
the server's, it loads a private copy of ``metaltrade_xl/udfs.py`` with the server's decorators.
"""

import os

os.environ.setdefault("XLWINGS_ON_SERVER", "true")
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # PolyForm Noncommercial

import asyncio  # noqa: E402
import importlib.util  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
import xlwings  # noqa: E402
import xlwings.server  # noqa: E402

import metaltrade_xl.udfs  # noqa: E402

UDFS_PATH = Path(metaltrade_xl.udfs.__file__)
EXCEL = UDFS_PATH.parent / "excel"
#: udfs.py re-exports the functions of these modules, which must be decorated afresh as well.
REEXPORTED = {
    "metaltrade_xl.excel.analysis": EXCEL / "analysis.py",
    "metaltrade_xl.excel.functions": EXCEL / "functions.py",
}


def _exec_copy(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_udfs_with(func, arg, ret, name: str):
    """A fresh copy of the udfs module decorated by the given ``func``, ``arg`` and ``ret``.

    The modules udfs.py re-exports from are copied too and stand in for the originals in
    ``sys.modules`` while the copy of udfs.py imports them.
    """
    saved = xlwings.func, xlwings.arg, xlwings.ret
    saved_modules = {key: sys.modules.get(key) for key in REEXPORTED}
    xlwings.func, xlwings.arg, xlwings.ret = func, arg, ret
    try:
        for key, path in REEXPORTED.items():
            sys.modules[key] = _exec_copy(path, f"{name}_{path.stem}")
        module = _exec_copy(UDFS_PATH, name)
    finally:
        xlwings.func, xlwings.arg, xlwings.ret = saved
        for key, original in saved_modules.items():
            if original is None:
                sys.modules.pop(key, None)
            else:
                sys.modules[key] = original
    return module


@pytest.fixture(scope="session")
def udfs():
    """``metaltrade_xl.udfs`` as xlwings Server sees it (metadata attached by its decorators)."""
    if xlwings.func is xlwings.server.func:
        return metaltrade_xl.udfs
    # xlwings was imported before the variables above were set: register the Office.js engine
    # as xlwings' own start-up does when it finds a licence key.
    if "officejs" not in [engine.name for engine in xlwings.engines]:
        from xlwings.pro import _xlofficejs

        xlwings.engines.add(xlwings.Engine(impl=_xlofficejs.engine))
    server = xlwings.server
    return load_udfs_with(server.func, server.arg, server.ret, "_metaltrade_udfs_server")


def as_arg(value):
    """One argument as the Excel client sends it: a 2-D list (a single value as ``[[x]]``).

    ``None`` stands for an omitted optional argument (xlwings then uses the Python default).
    """
    if isinstance(value, (list, tuple)):
        return value if value and isinstance(value[0], (list, tuple)) else [list(value)]
    return [[value]]


def payload(func_name: str, *args) -> dict:
    return {
        "client": "Office.js",
        "func_name": func_name,
        "args": [as_arg(a) for a in args],
        "caller_address": "[Book1]Sheet1!B2",
        "culture_info_name": "en-US",
        "date_format": "M/d/yyyy",
        "version": xlwings.__version__,
        "runtime": "1.4",
    }


@pytest.fixture(scope="session")
def call(udfs):
    """``call("MT_DEFICIT", 727, 19548)`` -> what Excel receives, through custom_functions_call."""

    def _call(func_name, *args):
        return asyncio.run(xlwings.server.custom_functions_call(payload(func_name, *args), udfs))

    return _call
