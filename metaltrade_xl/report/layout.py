"""What an output sheet is, whoever writes it: tables at anchors, charts drawn from contiguous
data blocks, free text, and the one mapping of sheet names.

:mod:`metaltrade_xl.report.content` fills these with results; :mod:`metaltrade_xl.files.writer` (openpyxl,
files) and :mod:`metaltrade_xl.macros` (xlwings, live workbooks) write them.
"""

from __future__ import annotations

import math
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

#: Number formats, one per kind (FAST Standard): money, rates and shares, years, counts.
MONEY = "#,##0"
RATE = "0.0%"
RATIO = "0.0%"
YEAR = "0"
COUNT = "#,##0"
PROBABILITY = "0.0%"
#: Monte Carlo standard errors are small: one more decimal.
SE = "0.00%"

COLUMN_FORMATS = {
    "year": YEAR,
    "coverage": RATE,
    "exports_growth_avg": RATE,
    "imports_growth_avg": RATE,
    "rival_growth_avg": RATE,
    "first_year_reaching_rival": YEAR,
    "horizon": YEAR,
    "p_ahead": PROBABILITY,
    "p_reached_by": PROBABILITY,
    "se_ahead": SE,
    "se_reached_by": SE,
    "probability": PROBABILITY,
    "paths": COUNT,
    "first_year": YEAR,
}

#: Marks of a value resting on a lower bound: at least, at most, either way.
FLOOR_MARKS = ("≥", "≤", "≈")


def marked(fmt: str, mark: str | None) -> str:
    """``fmt`` with a visible lower-bound ``mark`` before the number (the cell stays a number).

    Examples
    --------
    >>> marked("#,##0", "≥"), marked("0.0%", None)
    ('"≥ "#,##0', '0.0%')
    """
    if not isinstance(mark, str) or not mark or fmt == "General":
        return fmt
    return f'"{mark} "{fmt}'


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
    """A DataFrame written with its header at (``row`` + 1 if titled, ``col``), 1-based.

    ``labels`` are the header texts (words; the frame keeps its identifiers); ``formats`` a
    number format per column, or one per row (a tuple) where rows differ (a lower-bound mark on
    some); ``spans`` how many sheet columns a column takes (merged per row); ``name`` a defined
    name an analyst can reference (sheet-scoped); ``wrap`` wraps the header text; ``left`` the
    columns that read as a form (an item and its value): every value at the left, numbers too.
    """

    key: str
    frame: pd.DataFrame
    row: int
    col: int = 1
    title: str = ""
    formats: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    spans: Mapping[str, int] = field(default_factory=dict)
    name: str = ""
    wrap: bool = True
    #: rows (0-based, of the frame) drawn as data rather than projection (italic, shaded)
    data_rows: tuple[int, ...] = ()
    left: tuple[str, ...] = ()

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

    @property
    def n_rows(self) -> int:
        """Rows the table takes on the sheet, title included."""
        return self.bottom - self.row + 1

    def span(self, name: str) -> int:
        return int(self.spans.get(name, 1))

    def column(self, name: str) -> int:
        """Sheet column number (1-based) of column ``name``."""
        col = self.col
        for c in self.frame.columns:
            if c == name:
                return col
            col += self.span(c)
        raise KeyError(name)

    @property
    def last_col(self) -> int:
        return self.col + sum(self.span(c) for c in self.frame.columns) - 1

    def header(self, name: str) -> str:
        return self.labels.get(name, name)

    def format_of(self, name: str, row: int | None = None) -> str:
        """The number format of column ``name`` (of frame row ``row`` when formats vary)."""
        if name in self.formats:
            fmt = self.formats[name]
            if isinstance(fmt, tuple):
                return fmt[row] if row is not None else fmt[0] if fmt else "General"
            return fmt
        if name in COLUMN_FORMATS:
            return COLUMN_FORMATS[name]
        dtype = self.frame[name].dtype
        return MONEY if dtype.kind in "fi" and name != "year" else "General"


@dataclass(frozen=True)
class Chart:
    """A native chart drawn from its own contiguous data block.

    ``data``'s first column holds the categories (its header is blank, so Excel and LibreOffice
    take it as categories when given the whole block), each further column one series. Every
    writer draws the chart from that one block, so the charts look the same in every target.
    The block lives on ``data_sheet`` (the hidden helper sheet), never on the printed pages;
    the chart covers the cells from ``anchor`` to ``to`` (exclusive), so it is whole on a page.
    """

    kind: str  # "line", "bar" or "fan"
    title: str
    data: Table
    anchor: str
    y_title: str = "USD million"
    x_title: str = ""
    width_cm: float = 16.0
    height_cm: float = 7.5
    to: str = ""
    data_sheet: str = ""
    #: series drawn as recorded data (dashed), not projections
    data_series: tuple[str, ...] = ()
    #: number format of the value axis
    y_format: str = "#,##0"

    @property
    def series(self) -> tuple[str, ...]:
        return tuple(self.data.frame.columns[1:])


def chart(
    kind, title, frame, x, series, *, anchor, data_at, key, labels=None, data_title=None, **options
) -> Chart:
    """A :class:`Chart` of ``frame[series]`` against ``frame[x]``, its data block at ``data_at``.

    ``frame`` is a DataFrame or a mapping of names to arrays; ``labels`` renames series (legend
    words); ``data_at`` is (row, col) on ``data_sheet``; ``data_title`` heads the data block
    (default: the chart's title).
    """
    labels = labels or {}
    columns = {"": _values(frame, x)}
    for name in series:  # one frame built at once (a column added at a time cost more)
        columns[labels.get(name, name)] = _values(frame, name)
    block = pd.DataFrame(columns)
    formats = {"": YEAR} if x == "year" else {}
    data = Table(
        key,
        block,
        row=data_at[0],
        col=data_at[1],
        title=title if data_title is None else data_title,
        wrap=False,
        formats=formats,
    )
    return Chart(kind, title, data, anchor, **options)


def _values(frame, name) -> np.ndarray:
    column = frame[name]
    return column if isinstance(column, np.ndarray) else column.to_numpy()


def block_rows(frame) -> int:
    """Rows of a chart's data: a DataFrame's, or the length of a mapping's columns.

    >>> block_rows(pd.DataFrame({"a": [1, 2]})), block_rows({"a": np.zeros(3), "b": np.ones(3)})
    (2, 3)
    """
    if isinstance(frame, pd.DataFrame):
        return len(frame)
    return len(next(iter(frame.values()))) if len(frame) else 0


@dataclass(frozen=True)
class SheetLayout:
    """One sheet: free text cells, tables, charts and how it prints.

    ``freeze`` is the top-left cell of the scrolling pane; ``title_rows`` the rows repeated on
    every printed page; ``breaks`` the rows after which a printed page ends; ``widths`` column
    widths (characters) and ``heights`` row heights (points) that the layout counted on.
    """

    name: str
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()
    texts: tuple[tuple[int, int, str], ...] = ()
    hidden: bool = False
    freeze: str | None = None
    title_rows: tuple[int, int] | None = None
    breaks: tuple[int, ...] = ()
    widths: Mapping[int, float] = field(default_factory=dict)
    heights: Mapping[int, float] = field(default_factory=dict)
    last_col: int = 1
    last_row: int = 1
    #: texts shown small and italic (notes), by (row, col)
    notes: frozenset = frozenset()

    @property
    def print_area(self) -> str:
        return f"A1:{anchor(self.last_col, self.last_row)}"


def anchor(col: int, row: int) -> str:
    """A cell address from a 1-based column and row: ``anchor(28, 3)`` is ``"AB3"``."""
    return f"{column_letter(col)}{row}"


# --- printing: rows on pages ------------------------------------------------------------------

#: Points of a row the layout counts on (writers set it), and of a printable page: A4 landscape
#: (the shorter of A4 and Letter) less 0.5 in margins and the footer.
ROW_PT = 15.0
PAGE_PT = 595.0 - 72.0 - 28.0
#: Width of a printable page in column-width characters (Letter landscape less margins, the
#: narrower of Letter and A4): about 7 px a character at 96 dpi.
PAGE_CHARS = 125


class Stack:
    """Blocks placed down a sheet so that none is cut by a page break.

    Examples
    --------
    ``above_pt`` is the height of the rows above ``top``, ``title_pt`` that of the title rows
    repeated on every page (they take room on each).

    >>> s = Stack(top=4, above_pt=45, title_pt=35)
    >>> s.place(20), s.place(20), s.breaks
    (4, 25, [24])
    """

    def __init__(self, top: int, *, above_pt: float = 0.0, title_pt: float = 0.0,
                 page_pt: float = PAGE_PT):  # fmt: skip
        self.row, self.page_pt = top, page_pt - title_pt
        self.used = max(above_pt - title_pt, 0.0)
        self.first = top
        self.breaks: list[int] = []
        self.heights: dict[int, float] = {}

    def place(self, rows: int, *, extra_pt: float = 0.0, gap: int = 1, split: bool = False) -> int:
        """Reserve ``rows`` rows (plus ``extra_pt`` for taller rows) and return the first.

        A block that does not fit in what is left of the page starts a new page, unless
        ``split`` (a long table, its header frozen) lets it run on.
        """
        height = rows * ROW_PT + extra_pt
        if not split and self.row > self.first and self.used + height > self.page_pt:
            self.breaks.append(self.row - 1)
            self.used = 0.0
        first = self.row
        self.row += rows + gap
        self.used += height + gap * ROW_PT
        if split:
            self.used %= self.page_pt
        return first

    def new_page(self) -> None:
        if self.used:
            self.breaks.append(self.row - 1)
            self.used = 0.0


def text_lines(text: str, width: float) -> int:
    """Lines plain (not bold) cell text takes in a column ``width`` characters wide: narrower
    than a bold header, about 1.25 of its characters to a column character (seen printed).

    >>> text_lines("Crecimiento de las exportaciones de Chile", 29), text_lines("S6 Uncertain", 22)
    (2, 1)
    """
    return header_lines(text, width * 1.25)


#: Column characters one character of a bold header takes, padding aside (seen printed).
BOLD_CHAR = 1.08


def header_width(text: str) -> float:
    """The narrowest column (characters, whole) that holds a header of ``text`` on one line: the
    inverse of :func:`header_lines`.

    >>> header_width("Data sources"), header_lines("Data sources", header_width("Data sources"))
    (14, 1)
    >>> header_lines("Data sources", header_width("Data sources") - 1)
    2
    """
    return math.ceil(len(str(text)) * BOLD_CHAR + 1)


def header_lines(text: str, width: float) -> int:
    """Lines a header of ``text`` takes, wrapped at words in a column ``width`` characters wide.

    Examples
    --------
    >>> header_lines("Deficit (imports − exports)", 11), header_lines("Year", 7)
    (4, 1)
    >>> header_lines("Year", 0.5)  # however narrow, a line holds a character
    4
    >>> note_height("short", 100), note_height("word " * 50, 100)
    (15.0, 39.0)
    """
    text = str(text)
    # bold text and a cell's padding: a little less than the width, but at least one character
    # (a word breaks inside itself by whole characters: with less, it would never end)
    room = max((width - 1) / BOLD_CHAR, 1.0)
    if len(text) <= room:  # the words and single spaces between them fit on one line
        return 1
    lines, current = 1, 0
    for word in text.split():
        need = len(word) + (1 if current else 0)
        if current and current + need > room:
            lines, current = lines + 1, len(word)
        else:
            current += need
        while current > room:  # a word longer than the column breaks inside itself
            lines, current = lines + 1, current - int(room)
    return lines


def note_height(text: str, width: float, size_pt: float = 10.0) -> float:
    """Points a wrapped note of ``text`` needs across ``width`` characters (at least a row)."""
    lines = header_lines(text, width * 11 / size_pt)
    return max(ROW_PT, lines * (size_pt * 1.2) + 3)


# --- sheet names ------------------------------------------------------------------------------

#: Names Excel keeps for itself (case-insensitive).
RESERVED_SHEET_NAMES = ("history",)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_STOP = {
    "the", "a", "an", "of", "with", "by", "from", "to", "and", "plus", "in", "on", "for", "at",
    "el", "la", "los", "las", "de", "del", "con", "por", "y", "en", "al", "para", "un", "una",
}  # fmt: skip


def excel_length(name: str) -> int:
    """Length as Excel counts it: UTF-16 code units (a character beyond the BMP counts two).

    Examples
    --------
    >>> excel_length("S1 €"), excel_length("S1 \U0001f600")
    (4, 5)
    """
    return len(name.encode("utf-16-le")) // 2


def clean_sheet_text(name: str) -> str:
    """Forbidden and control characters out, spaces collapsed, no apostrophe at either end."""
    text = _FORBIDDEN.sub(" ", _CONTROL.sub(" ", str(name)))
    return " ".join(text.split()).strip("'").strip()


def _cut(name: str, room: int) -> str:
    """At most ``room`` Excel characters: small words dropped first, then words from the end
    (a trailing year or number kept, it tells scenarios apart), then a hard cut."""
    if excel_length(name) <= room:
        return name
    words = name.split()
    short = [w for i, w in enumerate(words) if i == 0 or w.lower() not in _STOP]
    if excel_length(" ".join(short)) <= room:
        return " ".join(short)
    tail = [short[-1]] if len(short) > 1 and any(ch.isdigit() for ch in short[-1]) else []
    head = short[: len(short) - len(tail)]
    while len(head) > 1 and excel_length(" ".join(head + ["…"] + tail)) > room:
        head.pop()
    out = " ".join(head + ["…"] + tail)
    while excel_length(out) > room:
        out = out[:-1]
    return out.rstrip()


def safe_sheet_names(
    names: Sequence[str], reserved: Sequence[str] = (), *, prefix: str | None = None
) -> list[str]:
    """Valid, unique, recognisable Excel sheet names for ``names``.

    At most 31 characters as Excel counts them, none of ``[]:*?/\\``, no control character, no
    apostrophe at either end, not a name Excel reserves ("History") nor one in ``reserved``.
    With ``prefix`` (``"S{n}"``) each name starts with its number in the list: "S2 Close gap
    Chile 2034".

    Examples
    --------
    >>> safe_sheet_names(["Close the gap with Chile by 2034", "a/b", "a/b"], ["Summary"])
    ['Close gap Chile 2034', 'a b', 'a b (2)']
    >>> safe_sheet_names(["Close the gap with Chile by 2034", "History"], prefix="S{n}")
    ['S1 Close gap Chile 2034', 'S2 History']
    >>> safe_sheet_names(["History", "Tab\there"])
    ['History (2)', 'Tab here']
    """
    taken = {r.lower() for r in [*reserved, *RESERVED_SHEET_NAMES]}
    out = []
    for i, name in enumerate(names, start=1):
        lead = prefix.format(n=i) + " " if prefix else ""
        base = clean_sheet_text(name) or "Scenario"
        candidate = lead + _cut(base, MAX_SHEET_NAME - excel_length(lead))
        k = 2
        while candidate.lower() in taken:
            suffix = f" ({k})"
            candidate = lead + _cut(base, MAX_SHEET_NAME - excel_length(lead + suffix)) + suffix
            k += 1
        taken.add(candidate.lower())
        out.append(candidate)
    return out


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
