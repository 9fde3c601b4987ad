"""A new projection workbook, written straight to its XML, and atomic saves: what ``metaltrade
run`` needs of :mod:`metaltrade_xl.files`, without openpyxl (:mod:`.writer` holds the openpyxl
path, for workbooks in memory and the template, and re-exports these)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from metaltrade_xl._io import atomic_path
from metaltrade_xl.report.layout import SheetLayout


def new_workbook(sheets: Iterable[SheetLayout], *, paper: str | None = None):
    """A new workbook holding just ``sheets`` (printed on ``paper``: a4 or letter), written
    straight to its XML (:mod:`.fastrender`); ``.save(path)`` or :func:`save_atomic` writes it.
    It shows what :func:`.writer.openpyxl_workbook` makes, in a fifth of the time."""
    from metaltrade_xl.files.fastrender import render as render_fast

    return render_fast(sheets, paper=paper)


def save_atomic(wb, path: str | Path, *, force: bool = False) -> Path:
    """Save a workbook (openpyxl's, or :func:`new_workbook`'s) through :func:`atomic_path`."""
    with atomic_path(path, force=force) as tmp:
        wb.save(tmp)
    return Path(path)


def write_text_atomic(text: str, path: str | Path, *, force: bool = False) -> Path:
    """Write a UTF-8 text file through :func:`atomic_path`."""
    with atomic_path(path, force=force) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)
