"""Shareable copies: MT_ formulas frozen to values, VBA and xlwings.conf dropped, a Provenance
sheet added. For people who open the workbook without Python, in any program.

The values are computed here, on any OS, by evaluating the workbook (:mod:`.evaluate`: a real
formula engine with our functions plugged in), so a workbook no Excel ever calculated can be
shared. Where Excel saved values, they are compared with the recomputed ones and the differences
reported; ``use_stored=True`` keeps Excel's values instead.

What is frozen and what stays live:

- a formula that calls an ``MT_`` function becomes its value (a table fills its block);
- every other formula stays a live formula; when it depends on an ``MT_`` cell, its stored result
  is refreshed too, so a viewer that does not recalculate shows the right number.

The copy is made at the package level (:mod:`.package`): only the frozen cells, the dropped
sheet and VBA, the workbook's sheet list and content types change; charts, drawings, styles,
conditional formats, validation, comments, names and print settings are copied byte for byte.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl.utils.cell import get_column_letter, range_boundaries

from metaltrade_xl import DATA_VINTAGE, __version__
from metaltrade_xl.files import package as xp
from metaltrade_xl.files import structure
from metaltrade_xl.files.evaluate import evaluate, uses_mt
from metaltrade_xl.files.looks import paper_size
from metaltrade_xl.files.writer import check_distinct, open_workbook, sheet_grid
from metaltrade_xl.report.layout import SHEETS, header_width
from metaltrade_xl.report.provenance import PROVENANCE_SHEETS, data_rows_for_share
from metaltrade_xl.report.provenance import PROVENANCE_TITLES as TITLES

CONFIG_SHEETS = (SHEETS["config"], "_" + SHEETS["config"])
#: Shown at most in an error message listing cells.
MAX_LISTED = 12
#: Differences with the stored values shown at most.
MAX_DIFFERENCES = 5


class ShareError(ValueError):
    """The copy cannot be made faithfully; the message lists the cells concerned."""


@dataclass(frozen=True)
class ShareReport:
    out: Path
    frozen: int
    dropped_sheets: tuple[str, ...]
    had_vba: bool
    recomputed: bool = False
    stored: int = 0  # frozen cells that had a stored value
    differences: tuple[str, ...] = ()  # "Sheet!A1: stored x, computed y", the first few
    differing: int = 0
    refreshed: int = 0  # live formulas whose stored result was refreshed

    def summary_lines(self) -> list[str]:
        """What ``metaltrade share`` says it did, line by line."""
        how = "computed here" if self.recomputed else "Excel's stored values"
        vba = " and the VBA" if self.had_vba else ""
        lines = [
            f"froze {self.frozen} MT_ formula cell(s) ({how}); dropped "
            f"{', '.join(self.dropped_sheets) or 'no sheet'}{vba}"
        ]
        if self.recomputed and self.stored and self.differing:
            more = "; …" if self.differing > len(self.differences) else ""
            lines.append(
                f"{self.differing} of {self.stored} cell(s) with a stored value differ from the "
                "recomputed value (kept the recomputed ones; --use-stored keeps Excel's): "
                + "; ".join(self.differences)
                + more
            )
        elif self.recomputed and self.stored:
            lines.append(f"all {self.stored} stored value(s) agree with the recomputed ones")
        elif self.recomputed:
            lines.append("the workbook held no stored values to compare with")
        if self.refreshed:
            lines.append(
                f"refreshed the stored result of {self.refreshed} live formula(s) that use MT_ cells"
            )
        return lines


@dataclass
class _Formula:
    sheet: str
    part: str
    cell: xp.FormulaCell

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.cell.coord}"


def _listing(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_LISTED])
    return shown + (f" and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else "")


def mt_formulas(pkg: xp.Package, skip=CONFIG_SHEETS):
    """The formula cells calling MT_ functions (array anchors and single cells; shared-formula
    followers included), every formula text of the workbook, and the other formula cells."""
    found, texts, others = [], [], []
    for sheet in pkg.sheets():
        if sheet["name"] in skip or sheet["part"] not in pkg.parts:
            continue
        for cell in xp.formula_cells(pkg, sheet["part"]):
            texts.append(cell.text)
            if uses_mt(cell.text):
                found.append(_Formula(sheet["name"], sheet["part"], cell))
            else:
                others.append((sheet["name"], cell.coord))
    return found, texts, others


def _stored_block(pkg, f: _Formula) -> list[list]:
    if f.cell.kind == "array" and f.cell.ref:
        coords = xp.block_coords(f.cell.ref)
        stored = xp.stored_values(pkg, f.part, [c for row in coords for c in row])
        return [[stored[c] for c in row] for row in coords]
    return [[f.cell.cached]]


def _is_error(value) -> bool:
    return isinstance(value, xp.ErrorValue)


def _plan_stored(pkg, mt: list[_Formula]) -> dict[_Formula, list[list]]:
    plan, problems = {}, []
    for f in mt:
        block = _stored_block(pkg, f)
        first = block[0][0]
        if first is None:
            problems.append(f"{f.where} (no stored value)")
        elif any(_is_error(v) for row in block for v in row):
            problems.append(
                f"{f.where} (stored {next(v for r in block for v in r if _is_error(v))})"
            )
        else:
            plan[id(f)] = block
    if problems:
        raise ShareError(
            f"{len(problems)} cell(s) with MT_ formulas have no usable stored value: "
            f"{_listing(problems)}. Share without --use-stored to compute them here, or open the "
            "workbook in Excel with metaltrade_xl, let it calculate, save, and share again."
        )
    return plan


def _target(pkg, f: _Formula, block, occupied: set[str]) -> tuple[list[list[str]], str | None]:
    """Cells a result fills: its array range, else (a spill) the block from the formula cell."""
    if f.cell.kind == "array" and f.cell.ref:
        return xp.block_coords(f.cell.ref), None
    if len(block) == 1 and len(block[0]) == 1:
        return [[f.cell.coord]], None
    col, row = range_boundaries(f.cell.coord)[:2]
    ref = f"{f.cell.coord}:{get_column_letter(col + len(block[0]) - 1)}{row + len(block) - 1}"
    coords = xp.block_coords(ref)
    blocked = [c for r in coords for c in r if c != f.cell.coord and c in occupied]
    if blocked:
        return (
            coords,
            f"{f.where} (#SPILL!: its {len(block)} x {len(block[0])} result would cover {blocked[0]}, which is not empty)",
        )
    return coords, None


def _occupied(pkg, part: str) -> set[str]:
    text = pkg.text(part)
    return {
        xp.attrs(m.group(1))["r"] for m in xp._CELL.finditer(text) if (m.group(2) or "").strip()
    }


def _same(a, b) -> bool:
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def _show(v) -> str:
    if isinstance(v, float):
        return f"{v:.10g}"
    return "empty" if v in (None, "") else repr(v)


def freeze(
    pkg: xp.Package, functions: Mapping[str, Callable] | None, *, use_stored: bool, src: Path
) -> dict:
    """Work out every cell to write; raise ShareError listing bad cells before changing anything."""
    mt, texts, others = mt_formulas(pkg)
    stored = {id(f): _stored_block(pkg, f) for f in mt}
    if use_stored or functions is None or not mt:
        blocks, downstream = _plan_stored(pkg, mt), {}
    else:
        wanted = [(f.sheet, f.cell.coord) for f in mt]
        names = [s["name"] for s in pkg.sheets()]
        done = evaluate(src, functions, wanted, others=others, texts=texts, sheet_names=names)
        problems = [
            f"{f.where}: {r.error}" for f in mt if (r := done.cells[(f.sheet, f.cell.coord)]).error
        ]
        if problems:
            unread = [f"{k} ({v})" for k, v in done.unreadable.items()]
            note = (
                f"; the formula engine cannot read {_listing(unread)}, so it counts as #NAME?"
                if unread
                else ""
            )
            raise ShareError(
                f"{len(problems)} cell(s) with MT_ formulas cannot be computed: "
                f"{_listing(problems)}{note}"
            )
        blocks = {id(f): [list(r) for r in done.cells[(f.sheet, f.cell.coord)].block] for f in mt}
        downstream = done.downstream
    writes: dict[str, dict[str, object]] = {}
    problems, n_stored, differing, differences = [], 0, 0, []
    occupied = {}
    for f in mt:
        block = blocks[id(f)]
        if f.part not in occupied:
            occupied[f.part] = _occupied(pkg, f.part)
        coords, problem = _target(pkg, f, block, occupied[f.part])
        if problem:
            problems.append(problem)
            continue
        old = stored[id(f)]
        for i, row in enumerate(coords):
            for j, coord in enumerate(row):
                value = block[i][j] if i < len(block) and j < len(block[i]) else None
                writes.setdefault(f.part, {})[coord] = value
                before = old[i][j] if i < len(old) and j < len(old[i]) else None
                if old[0][0] is not None:
                    n_stored += 1
                    if not _same(before, value):
                        differing += 1
                        if len(differences) < MAX_DIFFERENCES:
                            differences.append(
                                f"{f.sheet}!{coord}: stored {_show(before)}, computed {_show(value)}"
                            )
    if problems:
        raise ShareError(f"{len(problems)} MT_ result(s) cannot be placed: {_listing(problems)}")
    return {
        "writes": writes,
        "downstream": downstream,
        "frozen": sum(len(c) for c in writes.values()),
        "stored": n_stored,
        "differing": differing,
        "differences": tuple(differences),
    }


def _refresh_downstream(pkg, downstream: dict, writes: dict) -> int:
    """Give live formulas that depend on MT_ cells their recomputed stored results."""
    parts = {s["name"]: s["part"] for s in pkg.sheets() if s["name"] not in CONFIG_SHEETS}
    by_part: dict[str, dict] = {}
    for (sheet, coord), value in downstream.items():
        part = parts.get(sheet)
        if part is None or coord in writes.get(part, {}):
            continue
        by_part.setdefault(part, {})[coord] = value
    n = 0
    for part, values in by_part.items():
        live = {c.coord: c for c in xp.formula_cells(pkg, part) if c.kind != "array"}
        values = {k: v for k, v in values.items() if k in live}
        xp.set_cells(pkg, part, values, keep_formula=values)
        n += len(values)
    return n


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
        ["MT_ formula cells frozen to values", frozen],
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
            # one per row: a list in one cell ran off the printed page
            label = "figures given as lower bounds ('more than')"
            rows += [[label if k == 0 else "", v] for k, v in enumerate(lower or ["none"])]
    elif previous:
        rows += [list(r) for r in previous]
    else:
        rows.append(["bundled figures", DATA_VINTAGE])
    rows += [[], ["Scenario parameters (Scenarios sheet)"]]
    if SHEETS["scenarios"] in wb.sheetnames:
        rows += [list(r) for r in sheet_grid(wb[SHEETS["scenarios"]])]
    else:
        rows.append(["no Scenarios sheet"])
    return rows


def share(
    src: str | Path,
    out: str | Path,
    *,
    force: bool = False,
    functions: Mapping[str, Callable] | None = None,
    use_stored: bool = False,
) -> ShareReport:
    """Write a copy of ``src`` for people without Python (see the module docstring).

    ``functions`` are the MT_ functions by name (``metaltrade_xl.udfs``); with them every MT_
    formula is computed here, without them (or with ``use_stored``) Excel's stored values are
    used and a cell without one is an error. ``src`` is only read; ``out`` (.xlsx) is saved
    atomically.
    """
    src, out = Path(src), Path(out)
    check_distinct(src, out)
    if out.suffix.lower() != ".xlsx":
        raise ValueError(
            f"expected a .xlsx output (a shared copy carries no VBA), got '{out.name}'"
        )
    pkg = xp.Package(src)
    plan = freeze(pkg, functions, use_stored=use_stored, src=src)
    for part, values in plan["writes"].items():
        xp.set_cells(pkg, part, values)
    refreshed = _refresh_downstream(pkg, plan["downstream"], plan["writes"])
    dropped = [s["name"] for s in pkg.sheets() if s["name"] in CONFIG_SHEETS]
    for name in dropped:
        structure.remove_sheet(pkg, name)
    had_vba = structure.remove_vba(pkg) or src.suffix.lower() == ".xlsm"
    structure.remove_parts_of_type(pkg, xp.REL_CALC_CHAIN)
    name = SHEETS["provenance"]
    values = open_workbook(src, data_only=True, read_only=True)  # only read: Data, Scenarios
    try:
        # what the Provenance sheet of `metaltrade run` (in any language) says about the data
        # it read, if any; that sheet gives way to the shared copy's own
        grids = {n: sheet_grid(values[n]) for n in PROVENANCE_SHEETS if n in values.sheetnames}
        previous = data_rows_for_share(grids) if grids else None
        ours = [n for n, g in grids.items() if n == name or (g and g[0] and g[0][0] in TITLES)]
        rows = provenance_rows(values, src, plan["frozen"], dropped, previous)
    finally:
        values.close()
    present = [s["name"] for s in pkg.sheets()]
    for n in ours:
        if n in present:
            structure.remove_sheet(pkg, n)
    how = "as Excel stored them" if use_stored or functions is None else "computed by this program"
    rows.insert(5, ["MT_ values", how])
    heads = {1} | {i for i, r in enumerate(rows, start=1) if len(r) == 1 and i > 1}
    n_cols = max(len(r) for r in rows)
    # a heading has only the first column to run in on the pages after the first (the one
    # printed on every page): that column is as wide as the widest heading needs
    first = max([44.0] + [header_width(rows[i - 1][0]) for i in heads])
    widths = {1: first} | {j: 26 for j in range(2, n_cols + 1)}
    # printed on the workbook's own paper (A4 if no sheet sets one), its first column on every
    # page: the scenario table is wider than the paper
    paper = structure.paper_of(pkg) or paper_size(None)
    bold, wrap = structure.bold_style(pkg), structure.wrap_style(pkg)
    xml = structure.sheet_xml(rows, widths, heads, bold, paper, wrap, structure.left_style(pkg))
    structure.add_sheet(pkg, name, xml)
    area = f"$A$1:${get_column_letter(n_cols)}${len(rows)}"
    structure.print_names(pkg, name, area, "$A:$A")
    pkg.save(out, force=force)
    return ShareReport(
        out,
        plan["frozen"],
        tuple(dropped),
        had_vba,
        recomputed=not (use_stored or functions is None),
        stored=plan["stored"],
        differences=plan["differences"],
        differing=plan["differing"],
        refreshed=refreshed,
    )


def _digits15(value):
    """A float to the 15 significant digits Excel shows: the file then does not change with the
    last bit of a computation (the committed workbook is compared byte for byte).

    >>> _digits15(0.18222427548378417), _digits15(18821.0), _digits15("year")
    (0.182224275483784, 18821.0, 'year')
    """
    return float(f"{value:.15g}") if isinstance(value, float) else value


def store_values(path: str | Path, functions: Mapping[str, Callable]) -> int:
    """Store the computed value of every MT_ formula of the workbook at ``path`` beside the
    formula (rewriting the file in place, atomically), so that a program that does not run Python
    shows numbers. Formulas stay live. Returns the number of cells given a value.
    """
    path = Path(path)
    pkg = xp.Package(path)
    mt, texts, _ = mt_formulas(pkg, skip=())
    if not mt:
        return 0
    names = [s["name"] for s in pkg.sheets()]
    wanted = [(f.sheet, f.cell.coord) for f in mt]
    done = evaluate(path, functions, wanted, texts=texts, sheet_names=names)
    errors = [(f, done.cells[(f.sheet, f.cell.coord)].error) for f in mt]
    bad = [f"{f.where}: {e}" for f, e in errors if e]
    if bad:
        raise ShareError(f"MT_ formulas that cannot be computed: {_listing(bad)}")
    n = 0
    for f in mt:
        block = done.cells[(f.sheet, f.cell.coord)].block
        if f.cell.kind == "array" and f.cell.ref:
            coords = xp.block_coords(f.cell.ref)
        else:
            coords, block = [[f.cell.coord]], [[block[0][0]]]
        values = {
            c: _digits15(block[i][j]) if i < len(block) and j < len(block[i]) else None
            for i, row in enumerate(coords)
            for j, c in enumerate(row)
        }
        xp.set_cells(pkg, f.part, values, keep_formula={f.cell.coord})
        n += len(values)
    pkg.save(path, force=True)
    return n
