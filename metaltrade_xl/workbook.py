"""openpyxl writer: report layouts -> .xlsx files with native charts, saved atomically."""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import numpy as np
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from metaltrade_xl.report import SheetLayout, Table

#: Text starting with one of these would be read as a formula by Excel.
FORMULA_PREFIXES = ("=", "+", "-", "@")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13)


def cell_value(value):
    """A Python/numpy/pandas value as something openpyxl writes faithfully (NaN -> empty)."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, (datetime, date)):
        return value
    try:
        if value != value:  # pandas NA / NaT
            return None
    except (TypeError, ValueError):
        pass
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def put(ws, row: int, col: int, value, number_format: str | None = None):
    """Write one cell; text that looks like a formula is kept as text, never evaluated."""
    v = cell_value(value)
    cell = ws.cell(row=row, column=col)
    cell.value = v
    if isinstance(v, str) and v.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"
    if number_format and isinstance(v, (int, float)) and not isinstance(v, bool):
        cell.number_format = number_format
    return cell


def write_table(ws, table: Table) -> None:
    if table.title:
        put(ws, table.row, table.col, table.title).font = _BOLD
    for j, name in enumerate(table.frame.columns):
        put(ws, table.header_row, table.col + j, name).font = _BOLD
    formats = [table.format_of(c) for c in table.frame.columns]
    for i, row in enumerate(table.frame.itertuples(index=False)):
        for j, value in enumerate(row):
            put(ws, table.first_row + i, table.col + j, value, formats[j])
    for j, name in enumerate(table.frame.columns):
        letter = get_column_letter(table.col + j)
        width = max(10, min(45, len(str(name)) + 2))
        ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, width)


def add_chart(ws, layout: SheetLayout, spec) -> None:
    table = layout.table(spec.table)
    chart = LineChart() if spec.kind == "line" else BarChart()
    chart.title = spec.title
    chart.y_axis.title = spec.y_title
    chart.x_axis.title = spec.x_title or spec.x
    chart.width, chart.height = spec.width_cm, spec.height_cm
    # openpyxl 3.1 marks axes as deleted by default; Excel then draws no axis labels
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.number_format = "#,##0"
    if spec.kind == "bar":
        chart.type = "bar"  # horizontal bars: long scenario names stay readable
    if len(spec.series) == 1:
        chart.legend = None
    else:
        chart.legend.position = "b"
    for name in spec.series:
        col = table.column(name)
        ref = Reference(ws, min_col=col, min_row=table.header_row, max_row=table.last_row)
        chart.add_data(ref, titles_from_data=True)
    x = table.column(spec.x)
    chart.set_categories(Reference(ws, min_col=x, min_row=table.first_row, max_row=table.last_row))
    ws.add_chart(chart, spec.anchor)


def render(wb, sheets: Iterable[SheetLayout]) -> None:
    """Write each layout into ``wb``, replacing a sheet of the same name in place (same position)
    and leaving every other sheet untouched."""
    for layout in sheets:
        index = None
        if layout.name in wb.sheetnames:
            index = wb.sheetnames.index(layout.name)
            wb.remove(wb[layout.name])
        ws = wb.create_sheet(layout.name, index)
        for row, col, text in layout.texts:
            put(ws, row, col, text).font = _TITLE if row == 1 else Font(italic=True)
        for table in layout.tables:
            write_table(ws, table)
        for spec in layout.charts:
            add_chart(ws, layout, spec)
        # print (and PDF export) one page wide, landscape: tables and charts stay together
        ws.page_setup.orientation = "landscape"
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0


def new_workbook(sheets: Iterable[SheetLayout]):
    """A new openpyxl Workbook holding just ``sheets``."""
    wb = Workbook()
    default = wb.active
    render(wb, sheets)
    wb.remove(default)
    return wb


@contextmanager
def atomic_path(path: str | Path, *, force: bool = False):
    """Yield a temporary path beside ``path``; on success rename it to ``path``, else delete it.

    A reader never sees half a file, and an existing file is replaced only with ``force``.
    """
    path = Path(path)
    if path.exists() and not force:
        raise FileExistsError(f"{path} exists; use --force to replace it or choose another path")
    folder = path.resolve().parent
    if not folder.is_dir():
        raise FileNotFoundError(f"{path}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=folder)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_atomic(wb, path: str | Path, *, force: bool = False) -> Path:
    """Save an openpyxl workbook through :func:`atomic_path`."""
    with atomic_path(path, force=force) as tmp:
        wb.save(tmp)
    return Path(path)


def write_text_atomic(text: str, path: str | Path, *, force: bool = False) -> Path:
    """Write a UTF-8 text file through :func:`atomic_path`."""
    with atomic_path(path, force=force) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)
