"""How the projection sheets look, shared by the two writers: the openpyxl one
(:mod:`metaltrade_xl.files.writer`, into a workbook in memory) and the direct one
(:mod:`metaltrade_xl.files.fastbook`, straight to the file's XML)."""

from __future__ import annotations

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from metaltrade_xl.report.layout import DEFAULT_PAPER, PAPERS, plain_value

BOLD = Font(bold=True)
HEADER = Font(bold=True, size=9)
TITLE = Font(bold=True, size=14)
NOTE = Font(italic=True, size=10)
DATA = Font(italic=True, color="595959")
DATA_FILL = PatternFill("solid", fgColor="F2F2F2")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="9BC2E6")
HEADER_BORDER = Border(bottom=THIN)
#: Printed sheets' footer: sheet name, page of pages, 9 pt.
FOOTER = "&A — &P / &N"
FOOTER_SIZE = 9
#: Printed sheets' margins (inches).
MARGINS = {"left": 0.5, "right": 0.5, "top": 0.5, "bottom": 0.5, "header": 0.3, "footer": 0.3}


def note_alignment() -> Alignment:
    """Notes wrap across the printed width, from the top of their (counted) rows."""
    return Alignment(wrap_text=True, vertical="top")


def header_alignment(wrap: bool, numeric: bool) -> Alignment:
    """A header sits at the bottom of its row, aligned with the numbers (or words) below it."""
    return Alignment(wrap_text=wrap, vertical="bottom", horizontal="right" if numeric else "left")


def data_alignment(wrap: bool, numeric: bool) -> Alignment:
    """Numbers to the right; words to the left, indented one step."""
    return Alignment(
        wrap_text=wrap,
        vertical="top",
        horizontal="right" if numeric else None,
        indent=0 if numeric else 1,
    )


def cell_value(value):
    """A table value as openpyxl writes it faithfully (see :func:`layout.plain_value`), without
    the control characters XML cannot hold."""
    v = plain_value(value)
    return ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v


def is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def numeric(values) -> bool:
    """A column of numbers (a few words among them, "not by 2034", still align right)."""
    values = [v for v in values if v is not None and v == v]
    numbers = sum(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    return bool(values) and numbers * 2 >= len(values)


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
