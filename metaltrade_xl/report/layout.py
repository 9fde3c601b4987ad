"""What an output sheet is, whoever writes it: tables at anchors, charts drawn from contiguous
data blocks, free text, and the one mapping of sheet names.

:mod:`metaltrade_xl.report.content` fills these with results; :mod:`metaltrade_xl.files.writer` (openpyxl,
files) and :mod:`metaltrade_xl.macros` (xlwings, live workbooks) write them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd

from metaltrade_xl.data._cells import column_letter

#: Every sheet name the project reads or writes.
SHEETS = {
    "summary": "Summary",
    "sources": "Sources",
    "data": "Data",
    "scenarios": "Scenarios",
    "provenance": "Provenance",
    "readme": "README",
    "functions": "Functions",
    "config": "xlwings.conf",
}

#: Excel's limit on sheet-name length, and the characters it forbids in one.
MAX_SHEET_NAME = 31
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

MONEY = "#,##0.0"
RATE = "0.00%"
RATIO = "0.0000"
YEAR = "0"

COLUMN_FORMATS = {
    "year": YEAR,
    "coverage": RATIO,
    "exports_growth_avg": RATE,
    "imports_growth_avg": RATE,
    "rival_growth_avg": RATE,
    "first_year_reaching_rival": YEAR,
}


#: Text starting with one of these would be read as a formula by Excel: data text that starts so
#: is always written as text.
FORMULA_PREFIXES = ("=", "+", "-", "@")


def plain_value(value):
    """A table value as a writer needs it: numpy -> Python, NaN/NA -> None (an empty cell),
    dates kept, anything else as text.

    Examples
    --------
    >>> [plain_value(v) for v in (np.int64(3), np.float64("nan"), pd.NA, "x")]
    [3, None, None, 'x']
    """
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, (datetime, date)):
        return value
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)


@dataclass(frozen=True)
class Table:
    """A DataFrame written with its header at (``row`` + 1 if titled, ``col``), 1-based."""

    key: str
    frame: pd.DataFrame
    row: int
    col: int = 1
    title: str = ""
    formats: Mapping[str, str] = field(default_factory=dict)

    @property
    def header_row(self) -> int:
        return self.row + (1 if self.title else 0)

    @property
    def first_row(self) -> int:
        return self.header_row + 1

    @property
    def last_row(self) -> int:
        return self.header_row + len(self.frame)

    @property
    def bottom(self) -> int:
        """The last row the table uses (header only when empty)."""
        return max(self.last_row, self.header_row)

    def column(self, name: str) -> int:
        """Sheet column number (1-based) of column ``name``."""
        return self.col + list(self.frame.columns).index(name)

    def format_of(self, name: str) -> str:
        if name in self.formats:
            return self.formats[name]
        if name in COLUMN_FORMATS:
            return COLUMN_FORMATS[name]
        dtype = self.frame[name].dtype
        return MONEY if dtype.kind == "f" else "General"


@dataclass(frozen=True)
class Chart:
    """A native chart drawn from its own contiguous data block.

    ``data``'s first column holds the categories (its header is blank, so Excel and LibreOffice
    take it as categories when given the whole block), each further column one series. Every
    writer draws the chart from that one block, so the charts look the same in every target.
    """

    kind: str  # "line" or "bar"
    title: str
    data: Table
    anchor: str
    y_title: str = "USD millions"
    x_title: str = ""
    width_cm: float = 16.0
    height_cm: float = 7.5

    @property
    def series(self) -> tuple[str, ...]:
        return tuple(self.data.frame.columns[1:])


def chart(kind, title, frame, x, series, *, anchor, data_at, key, **options) -> Chart:
    """A :class:`Chart` of ``frame[series]`` against ``frame[x]``, its data block at ``data_at``."""
    block = pd.DataFrame({"": frame[x].to_numpy()})
    for name in series:
        block[name] = frame[name].to_numpy()
    data = Table(key, block, row=data_at[0], col=data_at[1], title=f"Chart data: {title}")
    return Chart(kind, title, data, anchor, **options)


@dataclass(frozen=True)
class SheetLayout:
    """One sheet: free text cells, tables and charts."""

    name: str
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()
    texts: tuple[tuple[int, int, str], ...] = ()


def anchor(col: int, row: int) -> str:
    """A cell address from a 1-based column and row: ``anchor(28, 3)`` is ``"AB3"``."""
    return f"{column_letter(col)}{row}"


def safe_sheet_names(names: Sequence[str], reserved: Sequence[str] = ()) -> list[str]:
    """Valid, unique Excel sheet names for ``names`` (forbidden characters replaced, ≤ 31 chars).

    Examples
    --------
    >>> safe_sheet_names(["Close the gap with Chile by 2034", "a/b", "a/b"], ["Summary"])
    ['Close the gap with Chi… by 2034', 'a_b', 'a_b (2)']
    """
    taken = {r.lower() for r in reserved}
    out = []
    for name in names:
        base = _shorten(_FORBIDDEN.sub("_", str(name)).strip().strip("'") or "Scenario")
        candidate, k = base, 2
        while candidate.lower() in taken:
            suffix = f" ({k})"
            candidate = base[: MAX_SHEET_NAME - len(suffix)] + suffix
            k += 1
        taken.add(candidate.lower())
        out.append(candidate)
    return out


def _shorten(name: str) -> str:
    """At most 31 characters; a trailing year or number survives (it tells scenarios apart)."""
    if len(name) <= MAX_SHEET_NAME:
        return name
    head, _, last = name.rpartition(" ")
    tail = last if head and any(ch.isdigit() for ch in last) else ""
    if tail:
        prefix, _, word = head.rpartition(" ")
        tail = f"{word} {tail}" if prefix and len(word) <= 3 else tail
    room = MAX_SHEET_NAME - len(tail) - (2 if tail else 1)
    return name[:room].rstrip() + "…" + (f" {tail}" if tail else "")


def unique_labels(names: Sequence[str]) -> list[str]:
    """``names`` with repeats numbered, so they can head columns.

    Examples
    --------
    >>> unique_labels(["a", "b", "a"])
    ['a', 'b', 'a (2)']
    """
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out
