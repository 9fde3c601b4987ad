"""Shareable copies: MT_ formulas frozen to their last computed values, VBA and xlwings.conf
dropped, a Provenance sheet added. For people who open the workbook without Python."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl.styles import Font
from openpyxl.worksheet.formula import ArrayFormula

from metaltrade_xl import DATA_VINTAGE, __version__
from metaltrade_xl.files.writer import check_distinct, open_workbook, put, save_atomic, sheet_grid
from metaltrade_xl.report.layout import SHEETS
from metaltrade_xl.report.provenance import data_rows_for_share

#: A call of one of our functions, however Excel stored it: MT_X(, XLWINGS.MT_X(, _xludf.MT_X(
MT_CALL = re.compile(r"(?<![A-Za-z0-9_])(?:[A-Za-z_][A-Za-z0-9_]*\.)?MT_[A-Za-z0-9_]+\s*\(", re.I)
CONFIG_SHEETS = (SHEETS["config"], "_" + SHEETS["config"])
#: Shown at most in an error message listing cells.
MAX_LISTED = 12


class ShareError(ValueError):
    """The copy cannot be made faithfully; the message lists the cells concerned."""


@dataclass(frozen=True)
class ShareReport:
    out: Path
    frozen: int
    dropped_sheets: tuple[str, ...]
    had_vba: bool


def formula_text(value) -> str | None:
    """The formula text of a cell value (plain or array formula), or None for a constant."""
    if isinstance(value, ArrayFormula):
        return value.text
    if isinstance(value, str) and value.startswith("="):
        return value
    return None


def _cells_of(value, cell) -> list[str]:
    """Coordinates a formula fills: its array range, or the cell itself."""
    if isinstance(value, ArrayFormula) and value.ref:
        ws = cell.parent
        return [
            c.coordinate
            for row in ws[value.ref]
            for c in (row if isinstance(row, tuple) else (row,))
        ]
    return [cell.coordinate]


def freeze_mt_formulas(formulas_wb, values_wb) -> int:
    """Replace every formula calling an MT_ function by its stored value; return how many cells.

    Raises ShareError listing the cells that have no stored value (or an error value), before
    anything is changed.
    """
    plan, problems = [], []
    for ws in formulas_wb.worksheets:
        if ws.title in CONFIG_SHEETS:
            continue
        cached = values_wb[ws.title]
        for row in ws.iter_rows():
            for cell in row:
                text = formula_text(cell.value)
                if text is None or not MT_CALL.search(text):
                    continue
                for coord in _cells_of(cell.value, cell):
                    stored = cached[coord]
                    if stored.value is None:
                        problems.append(f"{ws.title}!{coord} (no stored value)")
                    elif stored.data_type == "e":
                        problems.append(f"{ws.title}!{coord} (stored {stored.value})")
                    else:
                        plan.append((ws[coord], stored.value))
    if problems:
        shown = ", ".join(problems[:MAX_LISTED])
        more = f" and {len(problems) - MAX_LISTED} more" if len(problems) > MAX_LISTED else ""
        raise ShareError(
            f"{len(problems)} cell(s) with MT_ formulas have no usable stored value: {shown}{more}. "
            "Open the workbook in Excel with metaltrade_xl, let it calculate, save, and share again."
        )
    for cell, value in plan:
        put(cell.parent, cell.row, cell.column, value)
    return len(plan)


def provenance_rows(wb, src: Path, frozen: int, dropped, previous=None) -> list[list]:
    """What the Provenance sheet says: version, date, source file, data sources, scenarios.

    ``previous``: the data rows of the Provenance sheet ``metaltrade run`` wrote into ``src``
    (:func:`metaltrade_xl.report.provenance.data_rows_for_share`), which say what data it read.
    """
    rows: list[list] = [
        ["Provenance of this shared copy"],
        ["made by", f"metaltrade_xl {__version__}"],
        ["date", date.today().isoformat()],
        ["from", src.name],
        ["MT_ formula cells frozen to their last computed values", frozen],
        ["sheets dropped", ", ".join(dropped) or "none"],
        [],
        ["Data sources"],
    ]
    if SHEETS["data"] in wb.sheetnames:
        grid = sheet_grid(wb[SHEETS["data"]])
        header = [str(h) if h is not None else "" for h in grid[0]] if grid else []
        cols = [c for c in ("source_publisher", "source_title", "source_date") if c in header]
        seen = []
        for r in grid[1:]:
            key = tuple(r[header.index(c)] for c in cols)
            if any(v not in (None, "") for v in key) and key not in seen:
                seen.append(key)
        rows += [["source", *cols]] + [["", *k] for k in seen]
        if "lower_bound" in header and "id" in header:
            i, j = header.index("lower_bound"), header.index("id")
            lower = [str(r[j]) for r in grid[1:] if r[i] in (True, "TRUE", "true", 1)]
            rows.append(["figures given as lower bounds ('more than')", ", ".join(lower) or "none"])
    elif previous:
        rows += [list(r) for r in previous]
    else:
        rows.append(["bundled figures", DATA_VINTAGE])
    rows += [[], ["Scenario parameters (as in the Scenarios sheet)"]]
    if SHEETS["scenarios"] in wb.sheetnames:
        rows += [list(r) for r in sheet_grid(wb[SHEETS["scenarios"]])]
    else:
        rows.append(["no Scenarios sheet"])
    return rows


def share(src: str | Path, out: str | Path, *, force: bool = False) -> ShareReport:
    """Write a copy of ``src`` for people without Python (see module docstring). ``src`` is only
    read; ``out`` (.xlsx) is saved atomically."""
    src, out = Path(src), Path(out)
    check_distinct(src, out)
    if out.suffix.lower() != ".xlsx":
        raise ValueError(
            f"expected a .xlsx output (a shared copy carries no VBA), got '{out.name}'"
        )
    formulas = open_workbook(src)  # without keep_vba: the VBA is not carried over
    values = open_workbook(src, data_only=True)
    had_vba = formulas.vba_archive is not None or src.suffix.lower() == ".xlsm"
    frozen = freeze_mt_formulas(formulas, values)
    dropped = [n for n in formulas.sheetnames if n in CONFIG_SHEETS]
    for name in dropped:
        formulas.remove(formulas[name])
    name = SHEETS["provenance"]
    index = formulas.sheetnames.index(name) if name in formulas.sheetnames else None
    previous = None
    if index is not None:
        previous = data_rows_for_share({name: sheet_grid(formulas[name])})
        formulas.remove(formulas[name])
    ws = formulas.create_sheet(name, index)
    for i, row in enumerate(provenance_rows(formulas, src, frozen, dropped, previous), start=1):
        for j, value in enumerate(row, start=1):
            put(ws, i, j, value)
    ws["A1"].font = Font(bold=True, size=13)
    ws.column_dimensions["A"].width = 48
    formulas.active = 0
    save_atomic(formulas, out, force=force)
    return ShareReport(out, frozen, tuple(dropped), had_vba)
