"""Turn raw Excel arguments into checked numpy arrays, and results into cells; say what is wrong.

The MT_ functions take their range arguments ``"raw"``: xlwings' default conversion costs tens of
microseconds per cell, which a sheet of hundreds of formulas cannot afford. The checks that
conversion would have done are done here, vectorised, with messages that name the argument, the
cell and what was expected.

What a raw argument looks like
------------------------------
- One cell: a scalar. A single row from Office.js: a flat list. Anything else: rows of cells
  (lists from Office.js, tuples from desktop COM).
- An empty cell: ``None`` (desktop, xlwings Server), ``""`` (Office.js book data) or, in xlwings
  Lite from Pyodide 0.28 on, ``pyodide.ffi.JsNull`` (JavaScript ``null``, which xlwings leaves
  as it is for a ``"raw"`` argument). An omitted optional argument is any of these too.
- An Excel error value: a string such as ``"#N/A"`` (Office.js) or an integer error code such as
  -2146826246 (desktop COM; numbers themselves arrive as floats there).
- A date: a ``datetime`` (desktop COM); Office.js sends the serial number.

Empty rows
----------
A row that is empty in every range argument of an element-by-element function (a spacer between
blocks of years, or rows selected below the data) gives an empty row in the result: never a zero.
An empty cell anywhere else is an error naming the cell. Series arguments (a column of values or of
yearly rates) ignore empty rows at the end and refuse a gap in the middle, which would misalign
the years.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from numbers import Integral, Real

import numpy as np
import xlwings as xw

from metaltrade_xl.data import DataError, load_figures, tidy_figures
from metaltrade_xl.engine import InputError
from metaltrade_xl.scenarios import Scenario, ScenarioError, find_scenario
from metaltrade_xl.scenarios.cells import scenario_from_pairs

#: The function wizard's category of every MT_ function.
CATEGORY = "MetalTrade"

#: Most cells one range argument may hold: a whole Excel column (2^20 rows). More is refused at
#: once, before any cell is read, so a whole-sheet reference cannot hang the workbook.
MAX_CELLS = 1_048_576

#: Longest horizon, in years, a function will project (a typo such as 2034 for 10 would otherwise
#: build a table of thousands of rows).
MAX_YEARS = 500

#: Excel error values as desktop COM hands them to Python (VT_ERROR codes) and as text.
ERROR_CODES = {
    -2146826281: "#DIV/0!",
    -2146826246: "#N/A",
    -2146826259: "#NAME?",
    -2146826288: "#NULL!",
    -2146826252: "#NUM!",
    -2146826265: "#REF!",
    -2146826273: "#VALUE!",
}
_ERROR_CODE_ARRAY = np.array(sorted(ERROR_CODES), dtype=float)
ERROR_TEXTS = frozenset(
    {
        "#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!", "#CALC!",
        "#GETTING_DATA", "#FIELD!", "#BUSY!", "#CONNECT!", "#BLOCKED!", "#UNKNOWN!", "#PYTHON!",
    }
)  # fmt: skip
_NUMBER_TYPES = frozenset({float, int})


class ExcelInputError(xw.XlwingsError):
    """Bad input to an MT_ function. xlwings Server shows this kind of error's message to users."""


def summary_as_description(f):
    """Show only the docstring's first line in Excel (the rest is for docs/functions.md).

    xlwings describes a function by its whole docstring, which the classic add-in also cuts at
    255 characters; there is no public option for a separate description.
    """
    if hasattr(f, "__xlfunc__"):
        f.__xlfunc__["ret"]["doc"] = f.__doc__.strip().splitlines()[0].replace("``", "")
    return f


@contextlib.contextmanager
def excel_errors(function: str):
    """Re-raise input, data and scenario errors as one-line :class:`ExcelInputError` messages."""
    try:
        yield
    except ExcelInputError as exc:
        raise ExcelInputError(_one_line(f"{function}: {exc}")) from None
    except (InputError, DataError, ScenarioError) as exc:
        raise ExcelInputError(_one_line(f"{function}: {exc}")) from None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def fail(name: str, message: str, where: tuple[int, int] | None = None) -> ExcelInputError:
    """An error naming the argument and, for a range, the cell (1-based row and column)."""
    at = f" (row {where[0]}, column {where[1]} of the range)" if where else ""
    return ExcelInputError(f"{name}{at}: {message}")


def describe(cell) -> str:
    """How a cell's content is named in messages: 'an empty cell', "text 'abc'", …"""
    if is_blank(cell):
        return "an empty cell"
    if isinstance(cell, bool):
        return f"a boolean ({str(cell).upper()})"
    if isinstance(cell, int) and cell in ERROR_CODES:
        return f"the Excel error {ERROR_CODES[cell]}"
    if isinstance(cell, str):
        if cell.strip().upper() in ERROR_TEXTS:
            return f"the Excel error {cell.strip().upper()}"
        text = cell if len(cell) <= 30 else cell[:27] + "..."
        return f"text '{text}'"
    if isinstance(cell, (dt.datetime, dt.date)):
        return f"a date ({cell:%Y-%m-%d})"
    if isinstance(cell, dict):
        if cell.get("type") == "Error":
            return f"the Excel error {cell.get('errorType', '')}".rstrip()
        return f"a rich value ({cell.get('type', 'unknown type')})"
    if isinstance(cell, Real):
        return f"{float(cell):g}"
    return f"a {type(cell).__name__}"


# --- ranges -------------------------------------------------------------------------------------


def is_null_type(kind: type) -> bool:
    """Whether cells of this type are empty: ``None``'s type or Pyodide's ``JsNull``.

    ``JsNull`` is recognised as ``pyodide.ffi.JsNull`` when Pyodide is loaded, and by its class
    name otherwise (stand-ins in tests), without importing anything.

    Examples
    --------
    >>> class JsNull:
    ...     def __bool__(self):
    ...         return False
    >>> is_null_type(type(None)), is_null_type(JsNull), is_null_type(float)
    (True, True, False)
    """
    if kind is type(None):
        return True
    if kind in _KNOWN_TYPES:
        return False
    if "jsnull" in kind.__name__.lower():
        return True
    real = getattr(sys.modules.get("pyodide.ffi"), "JsNull", None)
    return isinstance(real, type) and issubclass(kind, real)


_KNOWN_TYPES = frozenset({float, int, str, bool, list, tuple, dict, dt.datetime, dt.date})


def is_blank(cell) -> bool:
    """An empty cell: ``None``, ``""`` or ``JsNull`` (see :func:`is_null_type`).

    Examples
    --------
    >>> is_blank(None), is_blank(""), is_blank(0), is_blank(" ")
    (True, True, False, False)
    """
    kind = type(cell)
    if kind is str:
        return cell == ""
    return is_null_type(kind)


def grid(value, name: str) -> tuple[list, tuple[int, int], bool]:
    """Flatten a raw argument: (cells in row-major order, (rows, columns), was it one cell)."""
    if not isinstance(value, (list, tuple)):
        return [value], (1, 1), True
    if not value:
        raise fail(name, "expected a value or a range, got an empty list")
    if not isinstance(value[0], (list, tuple)):  # one row, as Office.js sends it
        if len(value) > MAX_CELLS:
            raise _too_large(name, 1, len(value))
        if any(isinstance(v, (list, tuple)) for v in value):
            raise fail(name, "expected a rectangular range, got rows of different lengths")
        return list(value), (1, len(value)), False
    rows = len(value)
    widths = set(map(len, value))
    if len(widths) != 1:
        raise fail(name, "expected a rectangular range, got rows of different lengths")
    cols = widths.pop()
    if rows * cols > MAX_CELLS:
        raise _too_large(name, rows, cols)
    if cols == 0:
        raise fail(name, "expected a value or a range, got an empty row")
    return list(chain.from_iterable(value)), (rows, cols), False


def _too_large(name: str, rows: int, cols: int) -> ExcelInputError:
    return fail(
        name,
        f"too large: {rows:,} x {cols:,} = {rows * cols:,} cells, expected at most {MAX_CELLS:,} "
        "(one full column); select only the rows that hold data",
    )


@dataclass(frozen=True)
class Numbers:
    """A numeric argument: ``values`` (rows x columns, NaN where empty), ``blank`` mask or None."""

    name: str
    values: np.ndarray
    blank: np.ndarray | None
    single: bool

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape

    def where(self, flat_index: int) -> tuple[int, int] | None:
        if self.single:
            return None
        r, c = divmod(int(flat_index), self.shape[1])
        return r + 1, c + 1


def numbers(value, name: str) -> Numbers:
    """Read a raw argument as numbers; empty cells are kept (NaN, flagged in ``blank``).

    Refuses, naming the first offending cell: text, Excel error values, booleans, dates, NaN and
    infinities, rich values other than a number.
    """
    flat, shape, single = grid(value, name)
    types = set(map(type, flat))
    if types <= _NUMBER_TYPES:  # the usual case: every cell a number
        arr = np.array(flat, dtype=float)
        blank = None
        if int in types:  # desktop COM sends error values as int codes, numbers as floats
            suspects = np.flatnonzero(np.isin(arr, _ERROR_CODE_ARRAY))
            bad = [i for i in suspects if type(flat[i]) is int]
            if bad:
                _raise_cell(name, flat, bad[0], shape, single, "expected a number")
    else:
        arr, blank = _mixed_numbers(flat, types, name, shape, single)
    finite = np.isfinite(arr)
    if blank is not None:
        finite |= blank
    if not finite.all():
        i = int(np.argmin(finite))
        got = "NaN" if np.isnan(arr[i]) else f"{arr[i]}"
        _raise_cell(name, flat, i, shape, single, f"expected a finite number, got {got}", got=False)
    return Numbers(
        name, arr.reshape(shape), None if blank is None else blank.reshape(shape), single
    )


def _mixed_numbers(flat: list, types: set, name: str, shape, single: bool):
    kinds = np.fromiter(map(type, flat), dtype=object, count=len(flat))
    arr = np.full(len(flat), np.nan)
    blank = np.zeros(len(flat), dtype=bool)
    bad = np.zeros(len(flat), dtype=bool)
    for t in types:
        mask = kinds == t
        idx = np.flatnonzero(mask)
        if is_null_type(t):
            blank |= mask
        elif t is bool or issubclass(t, (dt.date, bool, np.bool_)):
            bad |= mask
        elif t is int:
            arr[idx] = [flat[i] for i in idx]
            bad[idx] = [flat[i] in ERROR_CODES for i in idx]
        elif issubclass(t, Real):
            arr[idx] = [float(flat[i]) for i in idx]
        elif issubclass(t, str):
            empty = np.array([flat[i] == "" for i in idx], dtype=bool)
            blank[idx[empty]] = True
            bad[idx[~empty]] = True
        elif issubclass(t, dict):  # Office.js rich values: a formatted number is still a number
            for i in idx:
                v = _rich_number(flat[i])
                if v is None:
                    bad[i] = True
                else:
                    arr[i] = v
        else:
            bad |= mask
    if bad.any():
        _raise_cell(name, flat, int(np.argmax(bad)), shape, single, "expected a number")
    return arr, (blank if blank.any() else None)


def _rich_number(cell: dict) -> float | None:
    if cell.get("type") in ("Double", "FormattedNumber"):
        v = cell.get("basicValue")
        if isinstance(v, Real) and not isinstance(v, bool):
            return float(v)
    return None


def _raise_cell(name, flat, i, shape, single, expected, *, got=True):
    where = None if single else (i // shape[1] + 1, i % shape[1] + 1)
    message = f"{expected}, got {describe(flat[i])}" if got else expected
    raise fail(name, message, where)


# --- policies for empty cells -------------------------------------------------------------------


def aligned(*args: Numbers) -> tuple[tuple[int, int], np.ndarray]:
    """Check element-by-element arguments: one shape (single cells pair with every cell).

    Returns the common shape and the mask of rows empty in every range argument; an empty cell
    outside those rows raises an error naming it.
    """
    ranges = [a for a in args if not a.single]
    shape = ranges[0].shape if ranges else (1, 1)
    for a in ranges[1:]:
        if a.shape != shape:
            first = ranges[0]
            raise ExcelInputError(
                f"{first.name} and {a.name}: expected ranges of the same shape, got "
                f"{_dims(first.shape)} and {_dims(a.shape)}"
            )
    blank_rows = np.ones(shape[0], dtype=bool) if ranges else np.zeros(1, dtype=bool)
    for a in ranges:
        blank_rows &= a.blank.all(axis=1) if a.blank is not None else False
    for a in args:
        if a.blank is None:
            continue
        stray = a.blank & ~blank_rows[:, None] if not a.single else a.blank
        if stray.any():
            i = int(np.argmax(stray.ravel()))
            raise fail(a.name, "expected a number, got an empty cell", a.where(i))
    return shape, blank_rows


def elementwise(fn, *args: Numbers):
    """Apply ``fn`` to the filled rows of same-shaped arguments; empty rows stay empty.

    Returns ``(result, shape, blank_rows)``, what :func:`cells` takes.
    """
    shape, blank = aligned(*args)
    out = np.full(shape, np.nan)
    keep = ~blank
    if keep.any():
        parts = [a.values[0, 0] if a.single else a.values[keep] for a in args]
        out[keep] = fn(*parts)
    return out, shape, blank


def _dims(shape: tuple[int, int]) -> str:
    return f"{shape[0]} x {shape[1]}"


def series(arg: Numbers, *, min_length: int = 1) -> np.ndarray:
    """A single row or column as a 1-D array; empty cells at the end are dropped, gaps refused."""
    if min(arg.shape) != 1:
        raise fail(arg.name, f"expected a single column or row, got {_dims(arg.shape)} cells")
    values = arg.values.ravel()
    if arg.blank is not None:
        blank = arg.blank.ravel()
        filled = np.flatnonzero(~blank)
        end = int(filled[-1]) + 1 if filled.size else 0
        if blank[:end].any():
            i = int(np.argmax(blank[:end]))
            raise fail(
                arg.name, "expected a number, got an empty cell (a gap in the series)", arg.where(i)
            )
        values = values[:end]
    if values.size < min_length:
        raise fail(arg.name, f"expected at least {min_length} value(s), got {values.size}")
    return values


def check(arg: Numbers, ok: np.ndarray, expected: str) -> None:
    """Raise naming the first cell where ``ok`` (same shape as the values) is False."""
    if arg.blank is not None:
        ok = ok | arg.blank
    if not np.all(ok):
        i = int(np.argmin(np.ravel(ok)))
        got = arg.values.ravel()[i]
        raise fail(arg.name, f"expected {expected}, got {got:g}", arg.where(i))


# --- single values ------------------------------------------------------------------------------


def scalar(value, name: str, *, default=None, required: bool = True) -> float | None:
    """One number from one cell; an empty cell gives ``default`` unless the value is required."""
    if isinstance(value, (list, tuple)):
        _, shape, _ = grid(value, name)
        raise fail(name, f"expected a single cell, got a range of {_dims(shape)} cells")
    if is_blank(value):
        if required and default is None:
            raise fail(name, "expected a number, got an empty cell")
        return default
    return float(numbers(value, name).values[0, 0])


def whole(value, name: str, *, low: int, high: int, default=None, required=True) -> int | None:
    """A whole number from ``low`` to ``high`` (years, months, a count of years)."""
    v = scalar(value, name, default=default, required=required)
    if v is None:
        return None
    if v != round(v) or not low <= v <= high:
        raise fail(name, f"expected a whole number from {low} to {high}, got {v:g}")
    return int(v)


def text(value, name: str, *, default: str | None = None) -> str:
    """Text from one cell; refuses numbers, booleans, error values."""
    if isinstance(value, (list, tuple)):
        _, shape, _ = grid(value, name)
        raise fail(name, f"expected text in a single cell, got a range of {_dims(shape)} cells")
    if is_blank(value) or (isinstance(value, str) and not value.strip()):
        if default is None:
            raise fail(name, "expected text, got an empty cell")
        return default
    if not isinstance(value, str) or value.strip().upper() in ERROR_TEXTS:
        raise fail(name, f"expected text, got {describe(value)}")
    return value.strip()


def text_cells(value, name: str) -> list[list]:
    """Rows of cells for a key/value or table range: empty cells become None, error values and
    dates are refused (a COM error code would otherwise pass for a number)."""
    flat, (rows, cols), _ = grid(value, name)
    out = []
    for i, cell in enumerate(flat):
        if is_blank(cell):
            cell = None
        elif (
            isinstance(cell, (dt.date, dict))
            or (type(cell) is int and cell in ERROR_CODES)
            or (isinstance(cell, str) and cell.strip().upper() in ERROR_TEXTS)
        ):
            raise fail(
                name,
                f"expected text or a number, got {describe(cell)}",
                (i // cols + 1, i % cols + 1),
            )
        elif isinstance(cell, float) and not np.isfinite(cell):
            raise fail(name, f"expected a finite number, got {cell}", (i // cols + 1, i % cols + 1))
        out.append(cell)
    return [out[r * cols : (r + 1) * cols] for r in range(rows)]


# --- scenarios and figures ---------------------------------------------------------------------


def scenario_arg(value, name: str = "scenario") -> Scenario:
    """A scenario from a bundled scenario's name, a path to a TOML file, or ``key | value`` cells.

    In cells, rows with an empty key are skipped and ``name`` may be left out.
    """
    if isinstance(value, (list, tuple)):
        rows = text_cells(value, name)
        if len(rows[0]) != 2:
            raise fail(name, f"expected two columns (key, value), got {len(rows[0])}")
        pairs = [(k, v) for k, v in rows]
        if not any(str(k).strip() == "name" for k, _ in pairs if k is not None):
            pairs.insert(0, ("name", "scenario from cells"))
        return scenario_from_pairs(pairs, "scenario cells")
    return find_scenario(text(value, name))


@functools.lru_cache(maxsize=1)
def bundled_figures():
    """The bundled figures, read once per session."""
    return load_figures()


def figures_arg(data, name: str = "data"):
    """Figures in the tidy layout: the bundled ones (empty), a .csv/.xlsx path, or a range whose
    first row is the header."""
    if is_blank(data):
        return bundled_figures()
    if not isinstance(data, (list, tuple)):
        return load_figures(text(data, name))
    rows = text_cells(data, name)
    import pandas as pd

    frame = pd.DataFrame(rows[1:], columns=[str(h).strip() if h else "" for h in rows[0]])
    return tidy_figures(frame.astype(object).where(frame.notna(), ""), f"{name} range")


# --- results ------------------------------------------------------------------------------------


def cells(result, shape: tuple[int, int], blank_rows: np.ndarray | None = None) -> list[list]:
    """Results as rows of cells (what both runtimes spill); empty result rows as ``""``.

    A non-finite result in a filled row is an error rather than a silently wrong number.
    """
    out = np.broadcast_to(np.asarray(result, dtype=float), shape)
    finite = np.isfinite(out)
    if blank_rows is not None and blank_rows.any():
        ok = finite | blank_rows[:, None]
        if not ok.all():
            raise ExcelInputError("the result is too large to represent (overflow)")
        obj = out.astype(object)
        obj[blank_rows, :] = ""
        return obj.tolist()
    if not finite.all():
        raise ExcelInputError("the result is too large to represent (overflow)")
    return out.tolist()


def table(header: Sequence[str], columns: Sequence) -> list[list]:
    """A spilled table: the header row, then one row per element of the columns."""
    body = np.column_stack([np.asarray(c, dtype=object) for c in columns]).tolist()
    return [list(header)] + [[python_value(v) for v in row] for row in body]


def frame_table(frame, columns: Sequence[str] | None = None) -> list[list]:
    """A DataFrame (or the given columns of it) as a spilled :func:`table`."""
    columns = list(frame.columns) if columns is None else list(columns)
    return table(columns, [frame[c].to_numpy() for c in columns])


def python_value(v):
    """A cell value both runtimes accept: numpy scalars to Python, NaN/None to an empty cell."""
    if v is None:
        return ""
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, Integral):
        return int(v)
    if isinstance(v, Real):
        v = float(v)
        return "" if not np.isfinite(v) else v
    return str(v)
