"""The XML the direct writer keeps as text (files/xmlparts.py) is what openpyxl itself writes:
the looks, the default style entries, indexed colours, built-in formats, theme, sheet views and
the coordinate helpers, checked against openpyxl's own objects and functions."""

from datetime import date

import openpyxl
import pytest
from openpyxl.styles import Border
from openpyxl.styles.borders import DEFAULT_BORDER
from openpyxl.styles.colors import COLOR_INDEX
from openpyxl.styles.fills import DEFAULT_EMPTY_FILL, DEFAULT_GRAY_FILL
from openpyxl.styles.fonts import DEFAULT_FONT
from openpyxl.styles.numbers import BUILTIN_FORMATS_REVERSE
from openpyxl.utils import absolute_coordinate, get_column_letter, quote_sheetname
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.utils.units import cm_to_EMU
from openpyxl.worksheet.views import SheetViewList
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.theme import theme_xml
from openpyxl.xml.functions import tostring

from metaltrade_xl.data._cells import column_letter
from metaltrade_xl.files import fastbook, looks, xmlparts


def xml(obj) -> str:
    return tostring(obj.to_tree()).decode("utf-8")


def test_the_looks_are_the_xml_openpyxl_writes_for_them():
    for name in ("BOLD", "HEADER", "TITLE", "NOTE", "DATA", "DATA_FILL", "HEADER_FILL"):
        assert getattr(xmlparts, name) == xml(getattr(looks, name)), name
    assert xmlparts.HEADER_BORDER == xml(looks.HEADER_BORDER)
    assert xmlparts.MERGED_BORDER == xml(DEFAULT_BORDER + Border(bottom=looks.THIN))
    assert xmlparts.alignment("note") == xml(looks.note_alignment())
    for wrap in (False, True):
        for numeric in (False, True):
            for left in (False, True):
                got = xmlparts.alignment("header", wrap, numeric, left)
                assert got == xml(looks.header_alignment(wrap, numeric, left))
                got = xmlparts.alignment("data", wrap, numeric, left)
                assert got == xml(looks.data_alignment(wrap, numeric, left))


def test_default_entries_colours_formats_theme_and_version_are_openpyxls():
    assert xmlparts.DEFAULT_FONT == xml(DEFAULT_FONT)
    assert (xmlparts.EMPTY_FILL, xmlparts.GRAY_FILL) == (
        xml(DEFAULT_EMPTY_FILL),
        xml(DEFAULT_GRAY_FILL),
    )
    assert xmlparts.DEFAULT_BORDER == xml(DEFAULT_BORDER)
    assert list(xmlparts.INDEXED_COLORS) == list(COLOR_INDEX[:64])
    assert xmlparts.BUILTIN_FORMATS == BUILTIN_FORMATS_REVERSE
    assert xmlparts.theme() == theme_xml
    assert xmlparts.openpyxl_version() == openpyxl.__version__


@pytest.mark.parametrize("freeze", [None, "A1", "A2", "A3", "A5", "B1", "B2", "C4", "AA10"])
def test_frozen_pane_views_follow_openpyxls_setter(freeze):
    views = SheetViewList()

    class Holder:
        sheet_view = views.sheetView[0]

    if freeze:
        Worksheet.freeze_panes.fset(Holder, freeze)
    assert xmlparts.views(freeze) == xml(views)


def test_coordinates_as_openpyxl_spells_them():
    for col in (*range(1, 60), 701, 702, 703, 18278 // 2, 16384):
        assert column_letter(col) == get_column_letter(col)  # the one the writers use
        assert xmlparts.coordinate_to_tuple(f"{get_column_letter(col)}7") == coordinate_to_tuple(
            f"{get_column_letter(col)}7"
        )
    for area in ("A1", "B12", "A1:K40", "AA3:XFD1048576", "$A$1:$B$2"):
        assert xmlparts.absolute_coordinate(area) == absolute_coordinate(area)
    for name in ("S1 Baseline", "O'Brien's", "Resumen", "x''y"):
        assert xmlparts.quote_sheetname(name) == quote_sheetname(name)
    for cm in (0, 1, 12.5, 25.4, 0.333):
        assert xmlparts.cm_to_emu(cm) == cm_to_EMU(cm)
    with pytest.raises(ValueError, match="not a valid coordinate range"):
        xmlparts.absolute_coordinate("A1:")


def test_a_date_cell_still_gets_openpyxls_serial_number():
    """Dates are the one kind of cell that imports openpyxl (its to_excel) when written."""
    sheet = fastbook.Sheet("S")
    sheet.put(1, 1, date(2026, 1, 26))
    assert fastbook._cell("<c", sheet.cells[1, 1][0]) == '<c t="n"><v>46048</v></c>'
