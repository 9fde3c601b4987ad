"""The first worksheet of a ``.xlsx``/``.xlsm`` file as a frame, fast (python-calamine).

:func:`read_sheet` gives what ``pandas.read_excel(path, dtype=object)`` gives (first row as
header, one row per sheet row below it so that row numbers in messages stay those of the sheet,
whole numbers as ``int``, empty cells as missing), column by column from calamine's cell values
instead of cell by cell through openpyxl: a 50 000-row sheet takes about a second, not about 50.
Text is kept as written (``"n/a"`` stays ``"n/a"``, as the CSV reader keeps it), so a message
quotes what the cell holds. Where python-calamine is not installed (a platform without its wheel),
pandas' openpyxl reader is used.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype


def read_sheet(path: str | Path, *, header_only: bool = False) -> pd.DataFrame:
    """The first worksheet of ``path``: header row as column names, object columns.

    ``header_only`` reads the header row alone (an empty frame with the columns).
    """
    from metaltrade_xl._io import sheet_cells

    try:
        rows = sheet_cells(path, nrows=1 if header_only else None)
    except ImportError:  # pragma: no cover - the fallback where calamine has no wheel
        return pd.read_excel(
            path, dtype=object, engine="openpyxl", nrows=0 if header_only else None
        )
    return frame_from_rows(rows)


def frame_from_rows(rows: list[list]) -> pd.DataFrame:
    """A frame from a sheet's cell values (first row = header), as ``read_excel`` builds it.

    Examples
    --------
    >>> f = frame_from_rows([["year", "value", "", "year"], [2024.0, 750.5, "", "n/a"],
    ...                      ["", "", "", ""]])
    >>> list(f.columns)
    ['year', 'value', 'Unnamed: 2', 'year.1']
    >>> f.iloc[0].tolist()
    [2024, 750.5, None, 'n/a']
    >>> len(f)  # the blank row below the data is dropped, as read_excel drops it
    1
    """
    if not rows:
        return pd.DataFrame()
    header = _header(rows[0])
    body = rows[1:]
    while body and all(v == "" for v in body[-1]):  # trailing blank rows (calamine keeps none,
        body.pop()  # but a sheet of formatted empty rows may)
    if not body:
        return pd.DataFrame(columns=header, dtype=object)
    grid = np.empty((len(body), len(header)), dtype=object)
    grid[:] = body  # one C loop over the cells (np.array would guess at nested sequences)
    frame = pd.DataFrame({j: _column(grid[:, j]) for j in range(len(header))}, dtype=object)
    frame.columns = header
    return frame


def _header(cells: list) -> list:
    names, seen = [], set()
    for j, cell in enumerate(cells):
        name = _cell(cell)
        name = f"Unnamed: {j}" if name is None else name
        base, k = name, 0
        while name in seen:  # duplicates as pandas mangles them: x, x.1, x.2
            k += 1
            name = f"{base}.{k}"
        seen.add(name)
        names.append(name)
    return names


def _column(values: np.ndarray) -> np.ndarray:
    """One column's cells (an object array) converted as :func:`_cell` converts each cell."""
    kind = infer_dtype(values, skipna=False)  # one pass in C for the common columns
    if kind == "string":  # text only ("" is an empty cell)
        out = values.copy()
        out[values == ""] = None
        return out
    if kind == "floating":  # numbers only: whole numbers become int, as read_excel gives them
        return _numbers(values.astype(float), None)
    kinds = set(map(type, values))
    if kinds <= {float, str}:
        empty = values == ""
        if kinds <= {str}:
            out = values.copy()
            out[empty] = None
            return out
        if str not in kinds or set(map(type, values[~empty])) == {float}:
            # numbers and empty cells only: whole numbers become int, as read_excel gives them
            return _numbers(np.where(empty, np.nan, values).astype(float), empty)
    return np.fromiter(map(_cell, values), dtype=object, count=len(values))


def _numbers(x: np.ndarray, empty: np.ndarray | None) -> np.ndarray:
    out = x.astype(object)
    whole = np.isfinite(x) & (x == np.round(x))
    small = whole & (np.abs(x) < 2**53)
    out[small] = x[small].astype(np.int64).astype(object)
    big = np.flatnonzero(whole & ~small)
    out[big] = [int(v) for v in x[big]]
    if empty is not None:
        out[empty] = None
    return out


def _cell(v):
    """A calamine cell value as ``read_excel`` gives it (``None`` for an empty cell)."""
    if isinstance(v, float):
        return int(v) if v.is_integer() else v
    if isinstance(v, str):
        return v if v != "" else None
    if isinstance(v, date) and not isinstance(v, datetime):
        return datetime(v.year, v.month, v.day)
    return v
