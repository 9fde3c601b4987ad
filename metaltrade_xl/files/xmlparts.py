"""The XML openpyxl writes for what a projection workbook never varies, and its few coordinate
helpers, without importing openpyxl.

The direct writer (:mod:`.fastbook`, :mod:`.fastrender`, :mod:`.chartxml`) needs openpyxl only
for these constants and helpers; importing openpyxl costs about 0.15 s, a tenth of a bundled
``metaltrade run``. So they are kept here as text: the fonts, fills, borders and alignments of
:mod:`.looks`, openpyxl's default style entries, indexed colours and built-in number formats, the
sheet views of frozen panes, and openpyxl's theme (``theme1.xml`` beside this module, from
openpyxl, MIT licence). ``tests/files/test_xmlparts.py`` checks every one against what openpyxl
itself makes, so a new openpyxl that writes them otherwise fails a test rather than drifting.
Dates (rare in a projection table) still go through openpyxl, imported when one is written.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import metadata, resources

# openpyxl's default entries of the style table (fonts, fills, borders).
DEFAULT_FONT = (
    '<font><name val="Calibri" /><family val="2" /><color theme="1" /><sz val="11" />'
    '<scheme val="minor" /></font>'
)
EMPTY_FILL = "<fill><patternFill /></fill>"
GRAY_FILL = '<fill><patternFill patternType="gray125" /></fill>'
DEFAULT_BORDER = "<border><left /><right /><top /><bottom /><diagonal /></border>"

# The looks of :mod:`.looks` as openpyxl writes them.
BOLD = '<font><b val="1" /></font>'
HEADER = '<font><b val="1" /><sz val="9" /></font>'
TITLE = '<font><b val="1" /><sz val="14" /></font>'
NOTE = '<font><i val="1" /><sz val="10" /></font>'
DATA = '<font><i val="1" /><color rgb="00595959" /></font>'
DATA_FILL = '<fill><patternFill patternType="solid"><fgColor rgb="00F2F2F2" /></patternFill></fill>'
HEADER_FILL = (
    '<fill><patternFill patternType="solid"><fgColor rgb="00DDEBF7" /></patternFill></fill>'
)
_THIN = '<bottom style="thin"><color rgb="009BC2E6" /></bottom>'
HEADER_BORDER = f"<border>{_THIN}</border>"
#: What openpyxl gives the other cells of a merged header: the top-left cell's bottom border.
MERGED_BORDER = f"<border><left /><right /><top />{_THIN}<diagonal /></border>"


def alignment(kind: str, wrap: bool = True, numeric: bool = False, left: bool = False) -> str:
    """The XML of :mod:`.looks`' ``note``, ``header`` or ``data`` alignment.

    Examples
    --------
    >>> alignment("note")
    '<alignment vertical="top" wrapText="1" />'
    >>> alignment("data", False, False)
    '<alignment vertical="top" indent="1" />'
    >>> alignment("data", False, left=True)
    '<alignment horizontal="left" vertical="top" indent="1" />'
    """
    if kind == "note":
        return '<alignment vertical="top" wrapText="1" />'
    wrapped = ' wrapText="1"' if wrap else ""
    side = "right" if numeric else "left"
    if kind == "header":
        step = ' indent="1"' if left and not numeric else ""
        return f'<alignment horizontal="{side}" vertical="bottom"{wrapped}{step} />'
    if numeric:
        return f'<alignment horizontal="right" vertical="top"{wrapped} />'
    if left:
        return f'<alignment horizontal="left" vertical="top"{wrapped} indent="1" />'
    return f'<alignment vertical="top"{wrapped} indent="1" />'


#: The first 64 of openpyxl's indexed colours (the style table's ``indexedColors``).
INDEXED_COLORS = (
    "00000000 00FFFFFF 00FF0000 0000FF00 000000FF 00FFFF00 00FF00FF 0000FFFF 00000000 00FFFFFF "
    "00FF0000 0000FF00 000000FF 00FFFF00 00FF00FF 0000FFFF 00800000 00008000 00000080 00808000 "
    "00800080 00008080 00C0C0C0 00808080 009999FF 00993366 00FFFFCC 00CCFFFF 00660066 00FF8080 "
    "000066CC 00CCCCFF 00000080 00FF00FF 00FFFF00 0000FFFF 00800080 00800000 00008080 000000FF "
    "0000CCFF 00CCFFFF 00CCFFCC 00FFFF99 0099CCFF 00FF99CC 00CC99FF 00FFCC99 003366FF 0033CCCC "
    "0099CC00 00FFCC00 00FF9900 00FF6600 00666699 00969696 00003366 00339966 00003300 00333300 "
    "00993300 00993366 00333399 00333333"
).split()

#: Excel's built-in number formats and their ids (a format among them needs no numFmt entry).
BUILTIN_FORMATS = {
    "General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4,
    '"$"#,##0_);("$"#,##0)': 5, '"$"#,##0_);[Red]("$"#,##0)': 6,
    '"$"#,##0.00_);("$"#,##0.00)': 7, '"$"#,##0.00_);[Red]("$"#,##0.00)': 8,
    "0%": 9, "0.00%": 10, "0.00E+00": 11, "# ?/?": 12, "# ??/??": 13, "mm-dd-yy": 14,
    "d-mmm-yy": 15, "d-mmm": 16, "mmm-yy": 17, "h:mm AM/PM": 18, "h:mm:ss AM/PM": 19,
    "h:mm": 20, "h:mm:ss": 21, "m/d/yy h:mm": 22, "#,##0_);(#,##0)": 37,
    "#,##0_);[Red](#,##0)": 38, "#,##0.00_);(#,##0.00)": 39, "#,##0.00_);[Red](#,##0.00)": 40,
    '_(* #,##0_);_(* \\(#,##0\\);_(* "-"_);_(@_)': 41,
    '_("$"* #,##0_);_("$"* \\(#,##0\\);_("$"* "-"_);_(@_)': 42,
    '_(* #,##0.00_);_(* \\(#,##0.00\\);_(* "-"??_);_(@_)': 43,
    '_("$"* #,##0.00_)_("$"* \\(#,##0.00\\)_("$"* "-"??_)_(@_)': 44,
    "mm:ss": 45, "[h]:mm:ss": 46, "mmss.0": 47, "##0.0E+0": 48, "@": 49,
}  # fmt: skip


@cache
def theme() -> str:
    """openpyxl's default theme (``xl/theme/theme1.xml``)."""
    return resources.files(__package__).joinpath("theme1.xml").read_text(encoding="utf-8")


@cache
def openpyxl_version() -> str:
    """The installed openpyxl's version (the application ``docProps/app.xml`` names)."""
    return metadata.version("openpyxl")


# --- coordinates (column letters: metaltrade_xl.data._cells.column_letter) --------------------


def column_index(letters: str) -> int:
    """``"A" -> 1``, ``"AB" -> 28``."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


_COORD = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_RANGE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)(?::\$?([A-Za-z]{1,3})\$?(\d+))?$")


def coordinate_to_tuple(coordinate: str) -> tuple[int, int]:
    """``"B3" -> (3, 2)``: row, column."""
    m = _COORD.match(coordinate)
    if not m:
        raise ValueError(f"{coordinate} is not a cell coordinate")
    return int(m.group(2)), column_index(m.group(1))


def absolute_coordinate(area: str) -> str:
    """``"A1:K40" -> "$A$1:$K$40"`` (a cell or a range of cells).

    Examples
    --------
    >>> absolute_coordinate("A1:K40"), absolute_coordinate("b2")
    ('$A$1:$K$40', '$b$2')
    """
    m = _RANGE.match(area)
    if not m:
        raise ValueError(f"{area} is not a valid coordinate range")
    c1, r1, c2, r2 = m.groups()
    first = f"${c1}${r1}"
    return f"{first}:${c2}${r2}" if c2 else first


def quote_sheetname(name: str) -> str:
    """A sheet name as a formula names it: in quotes, its own quotes doubled."""
    return "'{}'".format(name.replace("'", "''"))


def cm_to_emu(cm: float) -> int:
    """Centimetres in DrawingML's units (360 000 a centimetre)."""
    return int(cm * 360000)


# --- sheet views ---------------------------------------------------------------------------------


@cache
def views(freeze: str | None) -> str:
    """The ``sheetViews`` openpyxl writes for panes frozen at ``freeze`` (its setter's rules).

    Examples
    --------
    >>> views(None)
    '<sheetViews><sheetView workbookViewId="0"><selection activeCell="A1" sqref="A1" /></sheetView></sheetViews>'
    """
    end = '<selection{} activeCell="A1" sqref="A1" /></sheetView></sheetViews>'
    head = '<sheetViews><sheetView workbookViewId="0">'
    if not freeze or freeze == "A1":
        return head + end.format("")
    row, col = coordinate_to_tuple(freeze)
    split = (f' xSplit="{col - 1}"' if col > 1 else "") + (
        f' ySplit="{row - 1}"' if row > 1 else ""
    )
    pane = {(True, False): "topRight", (False, True): "bottomLeft", (True, True): "bottomRight"}
    active = pane[(col > 1, row > 1)]
    extra = (
        '<selection pane="topRight" /><selection pane="bottomLeft" />'
        if row > 1 and col > 1
        else ""
    )
    pane_xml = f'<pane{split} topLeftCell="{freeze}" activePane="{active}" state="frozen" />'
    return head + pane_xml + extra + end.format(f' pane="{active}"')
