"""The package's bytecode, as an installed copy has it, before start-up is timed.

``pip install .`` (the README's Quick start) compiles every module to ``__pycache__`` at install,
as it did numpy's, pandas' and openpyxl's, whose imports are the baselines. A checkout installed
with ``pip install -e .`` has no bytecode until Python writes it on first import, and where
``PYTHONDONTWRITEBYTECODE`` is set (it is on the machine these benchmarks were written on) it never
does: every start then compiles our ~80 modules again, about 0.3 s that no installed copy pays.
So the start-up benchmarks compile the package first (files Python itself would write; they are
ignored by git), unless ``--source`` asks to time the checkout as it is.
"""

from __future__ import annotations

import compileall
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "metaltrade_xl"


def compile_package() -> str:
    """Compile ``metaltrade_xl`` to bytecode (up-to-date files are skipped); a line saying so."""
    if not compileall.compile_dir(str(PACKAGE), quiet=1):
        raise SystemExit(f"could not compile {PACKAGE.name} to bytecode")
    count = sum(1 for _ in PACKAGE.rglob("*.py"))
    return f"bytecode: {count} modules of {PACKAGE.name} compiled, as `pip install .` does"
