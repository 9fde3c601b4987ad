"""How the projection sheets look, shared by the two writers: the openpyxl one
(:mod:`metaltrade_xl.files.writer`, into a workbook in memory) and the direct one
(:mod:`metaltrade_xl.files.fastbook`, straight to the file's XML)."""

from __future__ import annotations

import re

from metaltrade_xl.report.layout import MAX_SHEET_NAME, excel_length, plain_value
from metaltrade_xl.report.papers import DEFAULT_PAPER, PAPERS

_OBJECTS: dict = {}


def _objects() -> dict:
    """The looks as openpyxl objects, for the openpyxl writer (the direct one writes their XML,
    :mod:`.xmlparts`, and so never imports openpyxl)."""
    if not _OBJECTS:
        from openpyxl.styles import Border, Font, PatternFill, Side

        thin = Side(style="thin", color="9BC2E6")
        _OBJECTS.update(
            BOLD=Font(bold=True),
            HEADER=Font(bold=True, size=9),
            TITLE=Font(bold=True, size=14),
            NOTE=Font(italic=True, size=10),
            DATA=Font(italic=True, color="595959"),
            DATA_FILL=PatternFill("solid", fgColor="F2F2F2"),
            HEADER_FILL=PatternFill("solid", fgColor="DDEBF7"),
            THIN=thin,
            HEADER_BORDER=Border(bottom=thin),
        )
    return _OBJECTS


def __getattr__(name: str):
    """``looks.BOLD`` … ``looks.HEADER_BORDER``: openpyxl objects, made on first use."""
    if name in ("BOLD", "HEADER", "TITLE", "NOTE", "DATA", "DATA_FILL", "HEADER_FILL", "THIN",
                "HEADER_BORDER"):  # fmt: skip
        return _objects()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: Printed sheets' footer: sheet name, page of pages, 9 pt.
FOOTER = "&A — &P / &N"
FOOTER_SIZE = 9
#: Excel's width of a column whose width is not set, in characters.
DEFAULT_WIDTH = 8.43
#: Printed sheets' margins (inches).
MARGINS = {"left": 0.5, "right": 0.5, "top": 0.5, "bottom": 0.5, "header": 0.3, "footer": 0.3}


def note_alignment():
    """Notes wrap across the printed width, from the top of their (counted) rows."""
    from openpyxl.styles import Alignment

    return Alignment(wrap_text=True, vertical="top")


def header_alignment(wrap: bool, numeric: bool, left: bool = False):
    """A header sits at the bottom of its row, aligned with the numbers (or words) below it (a
    form's values one step in, see :func:`data_alignment`)."""
    from openpyxl.styles import Alignment

    side = "right" if numeric else "left"
    step = 1 if left and not numeric else 0
    return Alignment(wrap_text=wrap, vertical="bottom", horizontal=side, indent=step)


def data_alignment(wrap: bool, numeric: bool, left: bool = False):
    """Numbers to the right; words to the left, indented one step; in a column that reads as a
    form (``left``), every value at the left, one step in (apart from a long item before it)."""
    from openpyxl.styles import Alignment

    if left and not numeric:
        return Alignment(wrap_text=wrap, vertical="top", horizontal="left", indent=1)
    return Alignment(
        wrap_text=wrap,
        vertical="top",
        horizontal="right" if numeric else None,
        indent=0 if numeric else 1,
    )


#: What XML 1.0 cannot hold (its Char production, section 2.2): the C0 controls but tab, newline
#: and carriage return, the surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_DROPPED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean(text: str) -> str:
    r"""``text`` as XML 1.0 can hold it: every text either writer puts in a workbook's XML
    (cells, headers, chart titles, sheet and defined names) passes through here.

    The control characters (but tab, newline and carriage return) and the non-characters U+FFFE
    and U+FFFF are left out (what openpyxl leaves out of cells, and the two it misses). A
    surrogate pair (text decoded from UTF-16 by halves) becomes the character it stands for; a
    lone surrogate (bytes that were not text, decoded with ``surrogateescape``) becomes U+FFFD,
    the replacement character, so the reader sees that something was there. Text with none of
    these is returned as it is.

    Examples
    --------
    >>> clean("Chi\x01le"), clean("SNI\uffff-IEES"), clean("tab\tnew\nline")
    ('Chile', 'SNI-IEES', 'tab\tnew\nline')
    >>> clean("a\ud800b") == "a\ufffdb", clean("\ud83d\ude00") == "\U0001f600"
    (True, True)
    """
    if _NOT_XML.search(text) is None:
        return text
    if _SURROGATE.search(text):  # pairs first, as given: halves apart are no pair
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return _DROPPED.sub("", text)


#: Excel's grid: rows 1 to 1 048 576, columns A to XFD.
MAX_ROW, MAX_COL = 1_048_576, 16_384
_NOT_IN_NAMES = re.compile(r"[/\\?*\[\]:]")


def check_cell(sheet: str, row: int, col: int) -> None:
    """Refuse a cell outside Excel's grid (a layout's mistake: Excel would not open the file)."""
    if not (0 < row <= MAX_ROW and 0 < col <= MAX_COL):
        raise ValueError(
            f"sheet {sheet!r}: row {row}, column {col} is outside Excel's grid (rows 1 to "
            f"{MAX_ROW}, columns A to XFD)"
        )


def sheet_name(name: str) -> str:
    r"""A layout's sheet name as written (:func:`clean`), or a one-line ValueError for a name
    Excel refuses: empty, over 31 characters (as Excel counts them), holding ``/ \ ? * [ ] :``,
    starting or ending with an apostrophe, or History (Excel's own).

    Examples
    --------
    >>> sheet_name("Chart data"), sheet_name("Chi\x01le")
    ('Chart data', 'Chile')
    >>> sheet_name("a/b")
    Traceback (most recent call last):
    ...
    ValueError: sheet name 'a/b': Excel does not allow '/' in sheet names (none of / \ ? * [ ] :)
    >>> sheet_name("'Quoted'")
    Traceback (most recent call last):
    ...
    ValueError: sheet name "'Quoted'": Excel does not allow an apostrophe at the start or end of a sheet name
    """
    got = clean(name)
    bad = _NOT_IN_NAMES.search(got)
    if not got:
        raise ValueError(
            f"sheet name {name!r}: nothing is left once what XML cannot hold is left out"
        )
    if bad:
        raise ValueError(
            f"sheet name {name!r}: Excel does not allow {bad.group()!r} in sheet names "
            "(none of / \\ ? * [ ] :)"
        )
    if got[0] == "'" or got[-1] == "'":
        raise ValueError(
            f"sheet name {name!r}: Excel does not allow an apostrophe at the start or end of a "
            "sheet name"
        )
    if got.lower() == "history":
        raise ValueError(f"sheet name {name!r}: Excel keeps the name History for itself")
    if excel_length(got) > MAX_SHEET_NAME:
        raise ValueError(
            f"sheet name {name!r}: Excel allows at most {MAX_SHEET_NAME} characters, "
            f"got {excel_length(got)}"
        )
    return got


def distinct_names(names: list[str]) -> list[str]:
    """``names``, or a one-line ValueError for two that Excel takes for one sheet (it ignores
    case: "Sheet" and "SHEET").

    Examples
    --------
    >>> distinct_names(["Summary", "Sheet"])
    ['Summary', 'Sheet']
    >>> distinct_names(["Sheet", "SHEET"])
    Traceback (most recent call last):
    ...
    ValueError: sheet names 'Sheet' and 'SHEET': Excel takes them for one sheet (it ignores case)
    """
    seen: dict[str, str] = {}
    for name in names:
        if name.lower() in seen:
            raise ValueError(
                f"sheet names {seen[name.lower()]!r} and {name!r}: Excel takes them for one "
                "sheet (it ignores case)"
            )
        seen[name.lower()] = name
    return names


#: Excel's longest cell text, in UTF-16 code units (as Excel counts).
MAX_TEXT = 32767


def cell_text(text: str) -> str:
    """Cell text as both writers put it in a workbook: :func:`clean`, then cut to
    :data:`MAX_TEXT` as Excel counts (a character beyond the BMP counts two; openpyxl counts
    code points, so a longer text would make Excel repair the file), never half a character.

    Examples
    --------
    >>> len(cell_text("€" * 40_000)), len(cell_text("\U0001f600" * 20_000))
    (32767, 16383)
    >>> cell_text("Chi\x01le")
    'Chile'
    """
    text = clean(text)
    if len(text) <= MAX_TEXT // 2:  # at most two units a character: fits
        return text
    units = text.encode("utf-16-le")
    if len(units) <= 2 * MAX_TEXT:
        return text
    cut = units[: 2 * MAX_TEXT]
    if 0xD800 <= int.from_bytes(cut[-2:], "little") <= 0xDBFF:  # the first half of a pair
        cut = cut[:-2]
    return cut.decode("utf-16-le")


def cell_value(value):
    """A table value as openpyxl writes it faithfully (see :func:`layout.plain_value`), its text
    as Excel can hold it (:func:`cell_text`)."""
    v = plain_value(value)
    return cell_text(v) if isinstance(v, str) else v


def is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def numeric(values) -> bool:
    """A column of numbers (a few words among them, "not by 2034", still align right)."""
    values = [v for v in values if v is not None and v == v]
    numbers = sum(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    return bool(values) and numbers * 2 >= len(values)


def stepped(numeric: list[bool], left: list[bool]) -> list[bool]:
    """Which columns of a table start one step in (:func:`data_alignment`'s ``left``): a form's
    values (``Table.left``), and words right after a column of numbers, whose last digit would
    touch the first letter ("727 SNI-IEES", the headers "Value Source").

    >>> stepped([False, True, False, False], [False, False, False, False])
    [False, False, True, False]
    """
    return [f or (j > 0 and numeric[j - 1] and not numeric[j]) for j, f in enumerate(left)]


#: Excel's paperSize codes (ECMA-376 §18.3.1.63) of the papers :data:`PAPERS` names.
PAPER_SIZES = {"a4": 9, "letter": 1}


def paper_size(paper: str | None) -> int:
    """Excel's code of a paper name (``a4`` or ``letter``; None is the default, A4).

    Examples
    --------
    >>> paper_size("A4"), paper_size("letter"), paper_size(None)
    (9, 1, 9)
    >>> paper_size("legal")
    Traceback (most recent call last):
    ...
    ValueError: paper: expected one of a4, letter, got 'legal'
    """
    name = DEFAULT_PAPER if paper is None else str(paper).strip().lower()
    if name not in PAPER_SIZES:
        raise ValueError(f"paper: expected one of {', '.join(PAPERS)}, got {paper!r}")
    return PAPER_SIZES[name]
