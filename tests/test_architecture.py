"""Imports point inward: the engine imports with every adapter (and xlwings, openpyxl) blocked."""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BLOCKER = textwrap.dedent(
    """
    import importlib.abc, pkgutil, sys

    BLOCKED = ("xlwings", "openpyxl", "metaltrade_xl.udfs", "metaltrade_xl.macros",
               "metaltrade_xl.workbook", "metaltrade_xl.cli", "metaltrade_xl.report",
               "metaltrade_xl.scenarios", "metaltrade_xl.data")

    class Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if any(name == b or name.startswith(b + ".") for b in BLOCKED):
                raise ImportError(f"engine must not import {name}")

    sys.meta_path.insert(0, Block())
    import metaltrade_xl.engine as engine
    names = [m.name for m in pkgutil.iter_modules(engine.__path__, "metaltrade_xl.engine.")]
    for name in names:
        __import__(name)
    print(len(names))
    """
)


def test_engine_is_pure():
    done = subprocess.run(
        [sys.executable, "-c", BLOCKER], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) >= 5  # _validate, balance, catchup, projection, substitution


def test_engine_neither_prints_nor_opens_files():
    for path in (ROOT / "metaltrade_xl" / "engine").glob("*.py"):
        code = path.read_text(encoding="utf-8")
        for forbidden in ("print(", "open(", "read_csv", "to_excel", "read_excel"):
            assert forbidden not in code, f"{path.name} uses {forbidden}"
