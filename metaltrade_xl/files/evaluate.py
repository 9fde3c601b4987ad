"""Evaluate a workbook's formulas without Excel: the ``formulas`` package is the formula engine
(references, ranges, defined names, other sheets, native functions), and each ``MT_`` function is
the very Python function the cell runs in Excel, handed in by the caller.

The caller passes the functions (``{"MT_DEFICIT": MT_DEFICIT, ...}``, from
``metaltrade_xl.udfs``): this package never imports xlwings nor the Excel adapter. The functions
receive their arguments as xlwings hands them over ``"raw"``: a scalar for one cell, rows of cells
for a range, ``None`` for an empty cell, the error text (``"#N/A"``) for an error value.

A formula whose result is a block (an ``MT_`` table) fills its array range when it has one;
a single-cell formula spills its whole result, as Excel 365 does.
"""

from __future__ import annotations

import contextlib
import functools
import re
import shutil
import tempfile
import types
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

#: A call of one of our functions, however Excel stored it: MT_X(, XLWINGS.MT_X(, _xludf.MT_X(
MT_CALL = re.compile(
    r"(?<![A-Za-z0-9_.])((?:[A-Za-z_][A-Za-z0-9_]*\.)?MT_[A-Za-z0-9_]+)\s*\(", re.I
)


class EvaluationError(ValueError):
    """The formula engine could not read the workbook's formulas."""


@dataclass(frozen=True)
class Result:
    """What one formula cell evaluates to: a block of values (1 x 1 for one value), or an error."""

    block: tuple[tuple, ...]
    error: str | None = None


@dataclass
class Evaluation:
    """Results keyed by (sheet name, cell): ``cells`` for the cells asked for, ``downstream`` for
    the other formula cells that depend on them (one value each; cells in error are left out)."""

    cells: dict[tuple[str, str], Result] = field(default_factory=dict)
    downstream: dict[tuple[str, str], object] = field(default_factory=dict)
    #: formulas the engine cannot read ("Sheet!A1" -> text): they evaluate to #NAME? here
    unreadable: dict[str, str] = field(default_factory=dict)


def uses_mt(text: str) -> bool:
    """Whether a formula calls one of our functions.

    >>> uses_mt("=MT_DEFICIT(A1, B1) * 2"), uses_mt("=_xludf.MT_SHARE(1, 2)"), uses_mt("=SUM(A1)")
    (True, True, False)
    """
    return MT_CALL.search(text) is not None


_memo: dict | None = None  # raw results of the current evaluation, by call


def _engine():
    try:
        import formulas
        import formulas.excel
        import schedula
        from formulas.functions import Array
        from formulas.tokens.operand import XlError
    except ImportError:  # pragma: no cover - formulas is a dependency
        raise EvaluationError(
            "evaluating MT_ formulas without Excel needs the 'formulas' package: "
            "pip install formulas"
        ) from None
    return formulas, schedula, Array, XlError


def _plain(value, sh, XlError):
    """One argument as xlwings passes it "raw"."""
    value = getattr(value, "value", value) if not hasattr(value, "ndim") else value
    if hasattr(value, "ndim"):
        if value.ndim == 0 or value.size == 1:
            return _plain_cell(value.ravel()[0] if value.ndim else value.item(), sh, XlError)
        rows = value if value.ndim == 2 else value.reshape(1, -1)
        return [[_plain_cell(v, sh, XlError) for v in row] for row in rows.tolist()]
    return _plain_cell(value, sh, XlError)


def _plain_cell(v, sh, XlError):
    if v is sh.EMPTY or v is None:
        return None
    if isinstance(v, XlError):
        return str(v)
    return v.item() if hasattr(v, "item") else v


def _wrap(function: Callable, engine) -> Callable:
    import numpy as np

    _, sh, Array, XlError = engine

    class CellError(XlError):
        """#VALUE! carrying the function's message."""

    def cell(*args):
        plain = [_plain(a, sh, XlError) for a in args]
        key = (function.__name__, repr(plain))
        if _memo is not None and key in _memo:
            return _memo[key]
        try:
            result = function(*plain)
        except Exception as exc:  # the message goes in the report, as Excel shows it on hover
            err = CellError("#VALUE!")
            err.message = str(exc)
            result = err
        if not isinstance(result, XlError):
            rows = result if isinstance(result, (list, tuple)) else [[result]]
            rows = [r if isinstance(r, (list, tuple)) else [r] for r in rows]
            result = np.asarray(rows, dtype=object).view(Array)
        if _memo is not None:
            _memo[key] = result
        return result

    cell.__name__ = function.__name__
    return cell


def register(functions: Mapping[str, Callable], texts: Iterable[str], engine) -> None:
    """Give the formula engine our functions, under every spelling the formulas use."""
    table = engine[0].get_functions()
    wrapped = {name.upper(): _wrap(f, engine) for name, f in functions.items()}
    table.update(wrapped)
    for text in texts:
        for m in MT_CALL.finditer(text):
            name = m.group(1).upper()
            base = name.rsplit(".", 1)[-1]
            if base in wrapped:
                table[name] = wrapped[base]


@contextlib.contextmanager
def _quiet(formulas):
    """formulas draws a progress bar on stderr while it loads; the CLI prints its own lines."""

    module = formulas.excel
    saved = module.tqdm
    module.tqdm = types.SimpleNamespace(tqdm=functools.partial(saved.tqdm, disable=True))
    try:
        yield
    finally:
        module.tqdm = saved


def _key(key: str) -> tuple[str, str] | None:
    """``'[book.xlsx]SHEET'!A1`` -> ("SHEET", "A1"); None for names and other nodes."""
    if not isinstance(key, str) or "!" not in key:
        return None
    sheet, ref = key.rsplit("!", 1)
    sheet = re.sub(r"^'?\[[^\]]*\]", "", sheet).rstrip("'").replace("''", "'")
    return (sheet.upper(), ref) if sheet else None


def _model_class(formulas):
    class Model(formulas.ExcelModel):
        """An engine model where a formula it cannot parse (a structured table reference, a
        function it lacks the syntax of) evaluates to #NAME? instead of stopping everything."""

        def __init__(self):
            super().__init__()
            self.unreadable = {}

        def compile_cell(self, cell, context, references, formula_references):
            try:
                return super().compile_cell(cell, context, references, formula_references)
            except Exception:  # the engine's parse errors have no common base class
                where = f"{cell.parent.title}!{cell.coordinate}"
                text = (
                    cell.value if isinstance(cell.value, str) else getattr(cell.value, "text", "")
                )
                self.unreadable[where] = text
                crd = formula_references.get(cell.coordinate, cell.coordinate)
                return self._compile_cell(crd, "=#NAME?", context, True, references)

    return Model


def _node(sheet: str, coord: str) -> str:
    return "'[book]{}'!{}".format(sheet.upper().replace("'", "''"), coord)


def evaluate(
    path: str | Path,
    functions: Mapping[str, Callable],
    wanted: Iterable[tuple[str, str]],
    *,
    others: Iterable[tuple[str, str]] = (),
    texts: Iterable[str] = (),
    sheet_names: Iterable[str] = (),
) -> Evaluation:
    """Evaluate the ``wanted`` cells of the workbook at ``path`` (and what they depend on).

    Parameters
    ----------
    path : the workbook (.xlsx or .xlsm); only read.
    functions : our functions by name, ``{"MT_DEFICIT": MT_DEFICIT, ...}``.
    wanted : (sheet, cell) pairs; a cell is an array formula's first cell or a single cell.
    others : the workbook's other formula cells: those that depend on a wanted cell are
        returned in ``downstream``.
    texts : the workbook's formula texts, to find prefixed spellings (``_xludf.MT_X``).
    sheet_names : the workbook's sheet names, so that results carry them as spelt (the engine
        upper-cases them).

    Only the formula cells and the cells they refer to are read into the engine, not every
    constant of every sheet (``benchmarks/share.py``: several times faster on a projection
    workbook).
    """
    global _memo
    engine = _engine()
    formulas, sh, _, XlError = engine
    register(functions, texts, engine)
    wanted, others = list(wanted), list(others)
    path = Path(path)
    _memo = {}
    try:
        with tempfile.TemporaryDirectory() as tmp, _quiet(formulas):
            # under a plain name: the engine spells the file name inside every reference
            book = Path(tmp) / ("book" + path.suffix.lower())
            shutil.copyfile(path, book)
            model = _model_class(formulas)()
            model.basedir = tmp
            nodes = [_node(s, c) for s, c in wanted + others]
            nodes = [n.replace("[book]", f"[{book.name}]") for n in nodes]
            model.from_ranges(*nodes).finish()
            solution = model.calculate()
        by_cell = {}
        for key, cell in model.cells.items():
            k = _key(key)
            if k is not None:
                by_cell[(k[0], k[1].split(":")[0])] = (key, cell)
        out = Evaluation(unreadable=model.unreadable)
        for sheet, coord in wanted:
            found = by_cell.get((sheet.upper(), coord))
            if found is None:
                out.cells[(sheet, coord)] = Result(((None,),), "the formula engine did not read it")
                continue
            out.cells[(sheet, coord)] = _result(found, solution, sh, XlError)
        names = {s.upper(): s for s in [*sheet_names, *(s for s, _ in wanted)]}
        out.downstream = _downstream(model, solution, by_cell, wanted, names, sh, XlError)
    except EvaluationError:
        raise
    except Exception as exc:  # the engine's own errors: say which file, keep it one line
        text = " ".join(str(exc).split())[:300]
        raise EvaluationError(
            f"{path.name}: the formula engine could not evaluate the workbook "
            f"({type(exc).__name__}: {text})"
        ) from None
    finally:
        _memo = None
    return out


def _result(found, solution, sh, XlError) -> Result:
    key, cell = found
    try:
        raw = cell.func(*[solution[k] for k in cell.inputs]) if cell.inputs else cell.func()
    except KeyError:
        raw = solution.get(key)
    raw = getattr(raw, "value", raw) if not hasattr(raw, "ndim") else raw
    if isinstance(raw, XlError) or not hasattr(raw, "ndim"):
        raw = [[raw]]
    rows = raw.tolist() if hasattr(raw, "tolist") else raw
    if not isinstance(rows, list):
        rows = [[rows]]
    rows = [r if isinstance(r, list) else [r] for r in rows]
    for v in (v for r in rows for v in r):
        if isinstance(v, XlError):
            return Result(((str(v),),), getattr(v, "message", None) or f"evaluates to {v}")
    return Result(tuple(tuple(_plain_cell(v, sh, XlError) for v in r) for r in rows))


def _downstream(model, solution, by_cell, wanted, names, sh, XlError) -> dict:
    """Values of the single-cell formulas that depend on the wanted cells (not those cells)."""
    succ = model.dsp.dmap.succ
    start = [by_cell[(s.upper(), c)][0] for s, c in wanted if (s.upper(), c) in by_cell]
    seen, stack = set(start), list(start)
    while stack:
        for nxt in succ.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    skip = set(start)
    out = {}
    for key in seen - skip:
        cell = model.cells.get(key)
        k = _key(key)
        if cell is None or k is None or ":" in k[1] or not getattr(cell, "func", None):
            continue
        value = getattr(solution.get(key), "value", None)
        if value is None or getattr(value, "size", 0) != 1:
            continue
        v = _plain_cell(value.ravel()[0], sh, XlError)
        if v is not None and not (isinstance(v, str) and v.startswith("#")):
            out[(names.get(k[0], k[0]), k[1])] = v
    return out
