"""Report layouts straight to a workbook package: the sheets' XML, styles and charts written as
text, the same file :func:`metaltrade_xl.files.writer.render` makes through openpyxl's objects
(a test compares every cell, style, merge, size, print setting and chart) in a fraction of the
time. openpyxl still gives the parts that never change (theme, sheet views) and the escaping
rules; nothing of a user's workbook passes through here (``run --workbook`` grafts the result).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from math import isfinite
from zipfile import ZIP_DEFLATED, ZipFile

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Border
from openpyxl.styles.borders import DEFAULT_BORDER
from openpyxl.styles.colors import COLOR_INDEX
from openpyxl.styles.fills import DEFAULT_EMPTY_FILL, DEFAULT_GRAY_FILL
from openpyxl.styles.fonts import DEFAULT_FONT
from openpyxl.styles.numbers import BUILTIN_FORMATS_REVERSE
from openpyxl.utils import absolute_coordinate, get_column_letter, quote_sheetname
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.views import SheetViewList
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.theme import theme_xml
from openpyxl.xml.functions import tostring

from metaltrade_xl.files import looks
from metaltrade_xl.files.chartxml import attr, chart_xml, drawing_xml, text
from metaltrade_xl.report.layout import ROW_PT, anchor

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument."
_ERRORS = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))
_MAX_TEXT = 32767  # Excel's longest cell text; openpyxl cuts there too


def _xml(obj) -> str:
    return tostring(obj.to_tree()).decode("utf-8")


# The looks as the XML openpyxl writes for them (the style table's entries).
BOLD, HEADER, TITLE, NOTE, DATA = (
    _xml(f) for f in (looks.BOLD, looks.HEADER, looks.TITLE, looks.NOTE, looks.DATA)
)
DATA_FILL, HEADER_FILL = _xml(looks.DATA_FILL), _xml(looks.HEADER_FILL)
HEADER_BORDER = _xml(looks.HEADER_BORDER)
#: What openpyxl gives the other cells of a merged header: the top-left cell's bottom border.
MERGED_BORDER = _xml(DEFAULT_BORDER + Border(bottom=looks.THIN))
_ALIGN: dict[tuple, str] = {}


def alignment(kind: str, *args) -> str:
    """The XML of a ``note``, ``header`` or ``data`` alignment (:mod:`.looks`), made once."""
    key = (kind, *args)
    if key not in _ALIGN:
        make = {"note": looks.note_alignment, "header": looks.header_alignment}
        _ALIGN[key] = _xml(make.get(kind, looks.data_alignment)(*args))
    return _ALIGN[key]


class Styles:
    """The workbook's style table, entries numbered in the order cells first use them."""

    def __init__(self):
        self.parts = {
            "fonts": {_xml(DEFAULT_FONT): 0},
            "fills": {_xml(DEFAULT_EMPTY_FILL): 0, _xml(DEFAULT_GRAY_FILL): 1},
            "borders": {_xml(DEFAULT_BORDER): 0},
        }
        self.formats: dict[str, int] = {}
        self.xfs: dict[tuple, int] = {(None,) * 5: 0}

    def _id(self, part: str, xml: str | None) -> int:
        if xml is None:
            return 0
        table = self.parts[part]
        return table.setdefault(xml, len(table))

    def xf(self, style: tuple) -> int:
        got = self.xfs.get(style)
        if got is None:
            got = self.xfs[style] = len(self.xfs)
        return got

    def _entry(self, style: tuple) -> str:
        font, fill, border, align, fmt = style
        if fmt is None:
            num = 0
        elif fmt in BUILTIN_FORMATS_REVERSE:
            num = BUILTIN_FORMATS_REVERSE[fmt]
        else:
            num = self.formats.setdefault(fmt, 164 + len(self.formats))
        head = (
            f'<xf numFmtId="{num}" fontId="{self._id("fonts", font)}" '
            f'fillId="{self._id("fills", fill)}" borderId="{self._id("borders", border)}"'
        )
        tail = ' pivotButton="0" quotePrefix="0" xfId="0"'
        if align is None:
            return f"{head}{tail} />"
        return f'{head} applyAlignment="1"{tail}>{align}</xf>'

    def xml(self) -> str:
        xfs = [self._entry(s) for s in self.xfs]  # dicts keep the order they were numbered in
        fmts = "".join(
            f'<numFmt numFmtId="{i}" formatCode="{attr(f)}" />' for f, i in self.formats.items()
        )
        parts = "".join(
            f'<{name} count="{len(t)}">{"".join(t)}</{name}>' for name, t in self.parts.items()
        )
        colors = "".join(f'<rgbColor rgb="{c}" />' for c in COLOR_INDEX[:64])
        return (
            f'<styleSheet xmlns="{_MAIN}"><numFmts count="{len(self.formats)}">{fmts}</numFmts>'
            f'{parts}<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
            f'borderId="0" /></cellStyleXfs><cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0" hidden="0" />'
            '</cellStyles><tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
            f'defaultPivotStyle="PivotStyleLight16" /><colors><indexedColors>{colors}'
            "</indexedColors></colors></styleSheet>"
        )


#: A cell: [value, font, fill, border, alignment, number format] (None: openpyxl's default).
VALUE, FONT, FILL, BORDER, ALIGNMENT, FORMAT = range(6)


class Sheet:
    """One worksheet being written: cells with their looks, merges, sizes, print settings."""

    def __init__(self, name: str):
        self.name = name
        self.cells: dict[tuple[int, int], list] = {}
        self.merges: list[tuple[int, int, int]] = []
        self.names: dict[str, str] = {}
        self.widths: dict[int, float] = {}
        self.heights: dict[int, float] = {}
        self.charts: list = []  # (chart spec, name of the sheet holding its data)
        self.hidden = False
        self.printed = None  # the layout and paper code, for printed sheets

    def cell(self, row: int, col: int) -> list:
        got = self.cells.get((row, col))
        if got is None:
            got = self.cells[row, col] = [None, None, None, None, None, None]
        return got

    def put(self, row: int, col: int, value) -> list:
        """Set a cell's value as openpyxl would (its type follows the value), keeping its look."""
        kind = type(value)
        if kind is float:  # the common kinds first: what cell_value gives them, sooner
            v = value if isfinite(value) else None
        elif kind is int or value is None:
            v = value
        elif kind is str:
            v = ILLEGAL_CHARACTERS_RE.sub("", value)[:_MAX_TEXT]
        else:
            v = looks.cell_value(value)
            v = v[:_MAX_TEXT] if isinstance(v, str) else v
        cell = self.cell(row, col)
        if isinstance(v, datetime):
            cell[FORMAT] = cell[FORMAT] if _is_date(cell[FORMAT]) else "yyyy-mm-dd h:mm:ss"
        elif isinstance(v, date):
            cell[FORMAT] = cell[FORMAT] if _is_date(cell[FORMAT]) else "yyyy-mm-dd"
        cell[VALUE] = v
        return cell

    def merge(self, row: int, first: int, last: int) -> None:
        """Merge ``first..last`` of ``row``: the other cells empty, a header's bottom border
        carried along under them (what openpyxl's merge does)."""
        start = self.cell(row, first)
        border = MERGED_BORDER if start[BORDER] == HEADER_BORDER else None
        for col in range(first + 1, last + 1):
            self.cells[row, col] = [None, None, None, border, None, None]
        self.merges.append((row, first, last))

    def xml(self, styles: Styles, drawing: bool) -> str:
        out = [f'<worksheet xmlns="{_MAIN}">']
        fit = ' fitToPage="1"' if self.printed else ""
        out.append(f'<sheetPr><outlinePr summaryBelow="1" summaryRight="1" /><pageSetUpPr{fit} />')
        out.append(f'</sheetPr><dimension ref="{self._dimension()}" />')
        out.append(_views(self.printed[0].freeze if self.printed else None))
        custom = ' customHeight="1"' if self.printed else ""
        fmt = f'<sheetFormatPr baseColWidth="8" defaultRowHeight="{_num(ROW_PT)}"{custom} />'
        out.append(fmt)
        if self.widths:
            cols = "".join(
                f'<col width="{_num(w)}" customWidth="1" min="{c}" max="{c}" />'
                for c, w in sorted(self.widths.items())
                if w
            )
            out.append(f"<cols>{cols}</cols>")
        out.append("<sheetData>")
        self._rows(out, styles)
        out.append("</sheetData>")
        if self.merges:
            refs = "".join(
                f'<mergeCell ref="{anchor(a, r)}:{anchor(b, r)}" />' for r, a, b in self.merges
            )
            out.append(f'<mergeCells count="{len(self.merges)}">{refs}</mergeCells>')
        if self.printed:
            layout, paper = self.printed
            m = looks.MARGINS
            out.append(
                f'<pageMargins left="{_num(m["left"])}" right="{_num(m["right"])}" '
                f'top="{_num(m["top"])}" bottom="{_num(m["bottom"])}" '
                f'header="{_num(m["header"])}" footer="{_num(m["footer"])}" />'
                f'<pageSetup orientation="landscape" paperSize="{paper}" fitToHeight="0" '
                f'fitToWidth="1" /><headerFooter><oddHeader /><oddFooter>'
                f"{text(f'&C&{looks.FOOTER_SIZE} {looks.FOOTER}')}</oddFooter><evenHeader />"
                "<evenFooter /><firstHeader /><firstFooter /></headerFooter>"
            )
            if layout.breaks:
                brk = "".join(
                    f'<brk id="{r}" min="0" max="16383" man="1" />' for r in layout.breaks
                )
                n = len(layout.breaks)
                out.append(f'<rowBreaks count="{n}" manualBreakCount="{n}">{brk}</rowBreaks>')
        else:
            out.append(
                '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" '
                'footer="0.5" />'
            )
        if drawing:
            out.append(f'<drawing xmlns:r="{_R}" r:id="rId1" />')
        out.append("</worksheet>")
        return "".join(out)

    def _dimension(self) -> str:
        if not self.cells:
            return "A1:A1"
        rows = [r for r, _ in self.cells]
        cols = [c for _, c in self.cells]
        return f"{anchor(min(cols), min(rows))}:{anchor(max(cols), max(rows))}"

    def _rows(self, out: list, styles: Styles) -> None:
        by_row: dict[int, list] = {}
        for key in sorted(self.cells):
            by_row.setdefault(key[0], []).append(key)
        for row in self.heights.keys() - by_row.keys():
            by_row[row] = []
        for row in sorted(by_row):
            h = self.heights.get(row)
            dims = f' ht="{_num(h)}" customHeight="1"' if h else ""
            out.append(f'<row r="{row}"{dims}>')
            for key in by_row[row]:
                cell = self.cells[key]
                value, style = cell[0], tuple(cell[1:])
                styled = style != (None,) * 5
                if value is None and not styled:
                    continue
                head = f'<c r="{get_column_letter(key[1])}{row}"'
                if styled:
                    head += f' s="{styles.xf(style)}"'
                out.append(_cell(head, value))
            out.append("</row>")


def _cell(head: str, v) -> str:
    if v is None:
        return f'{head} t="n" />'
    if isinstance(v, str):
        if v in _ERRORS:
            return f'{head} t="e"><v>{text(v)}</v></c>'
        if not v:
            return f'{head} t="inlineStr" />'
        stripped = v.strip()
        space = ' xml:space="preserve"' if stripped and stripped != v else ""
        return f'{head} t="inlineStr"><is><t{space}>{text(v)}</t></is></c>'
    if isinstance(v, bool):
        return f'{head} t="b"><v>{int(v)}</v></c>'
    if isinstance(v, (date, datetime)):
        if getattr(v, "tzinfo", None) is not None:
            raise TypeError("Excel does not support timezones in datetimes")
        v = to_excel(v)
    return f'{head} t="n"><v>{_num(v)}</v></c>'


def _num(v) -> str:
    return "%.16g" % v  # noqa: UP031  (openpyxl's own spelling of numbers)


def _is_date(fmt) -> bool:
    from openpyxl.styles.numbers import is_date_format

    return fmt is not None and is_date_format(fmt)


_VIEWS: dict = {}


def _views(freeze: str | None) -> str:
    """The sheet view openpyxl writes for panes frozen at ``freeze`` (its own setter's rules)."""
    if freeze not in _VIEWS:
        views = SheetViewList()

        class _Holder:
            sheet_view = views.sheetView[0]

        if freeze:
            Worksheet.freeze_panes.fset(_Holder, freeze)
        _VIEWS[freeze] = _xml(views)
    return _VIEWS[freeze]


def print_names(sheet: Sheet) -> list[tuple[str, str]]:
    """The sheet's defined names: its tables', then its print titles and print area."""
    names = list(sheet.names.items())
    if sheet.printed:
        layout = sheet.printed[0]
        q = quote_sheetname(sheet.name)
        if layout.title_rows:
            names.append(
                ("_xlnm.Print_Titles", f"{q}!${layout.title_rows[0]}:${layout.title_rows[1]}")
            )
        names.append(("_xlnm.Print_Area", f"{q}!{absolute_coordinate(layout.print_area)}"))
    return names


class FastBook:
    """A workbook written by :func:`metaltrade_xl.files.writer.new_workbook`: its parts, as
    text, ready to be zipped by :meth:`save`."""

    def __init__(self, sheets: list[Sheet]):
        if not any(not s.hidden for s in sheets):
            raise ValueError("a workbook needs at least one visible sheet, got none")
        self.sheetnames = [s.name for s in sheets]
        self.parts: dict[str, str] = {}
        styles, types, book, names = Styles(), [], [], []
        rels = []
        drawings = charts = 0
        for i, sheet in enumerate(sheets, 1):
            path = f"xl/worksheets/sheet{i}.xml"
            types.append((path, "spreadsheetml.worksheet+xml"))
            rels.append(("worksheet", f"/{path}"))
            state = "hidden" if sheet.hidden else "visible"
            book.append(
                f'<sheet name="{attr(sheet.name)}" sheetId="{i}" state="{state}" r:id="rId{i}" />'
            )
            names += [(n, v, i - 1) for n, v in print_names(sheet)]
            if sheet.charts:
                drawings += 1
                dpath = f"xl/drawings/drawing{drawings}.xml"
                types.append((dpath, "drawing+xml"))
                self.parts[f"xl/worksheets/_rels/sheet{i}.xml.rels"] = _rels(
                    [("drawing", f"/{dpath}")]
                )
                self.parts[dpath] = drawing_xml([spec for spec, _ in sheet.charts])
                targets = []
                for spec, data_sheet in sheet.charts:
                    charts += 1
                    cpath = f"xl/charts/chart{charts}.xml"
                    types.append((cpath, "drawingml.chart+xml"))
                    targets.append(("chart", f"/{cpath}"))
                    self.parts[cpath] = chart_xml(spec, data_sheet)
                self.parts[f"xl/drawings/_rels/drawing{drawings}.xml.rels"] = _rels(targets)
            self.parts[path] = sheet.xml(styles, bool(sheet.charts))
        active = next(i for i, s in enumerate(sheets) if not s.hidden)
        defined = "".join(
            f'<definedName name="{attr(n)}" localSheetId="{i}">{text(v)}</definedName>'
            for n, v, i in names
        )
        self.parts["xl/workbook.xml"] = (
            f'<workbook xmlns:r="{_R}" xmlns="{_MAIN}"><workbookPr /><workbookProtection />'
            '<bookViews><workbookView visibility="visible" minimized="0" showHorizontalScroll="1" '
            f'showVerticalScroll="1" showSheetTabs="1" tabRatio="600" firstSheet="0" '
            f'activeTab="{active}" autoFilterDateGrouping="1" /></bookViews>'
            f"<sheets>{''.join(book)}</sheets>"
            + (f"<definedNames>{defined}</definedNames>" if defined else "")
            + '<calcPr calcId="124519" fullCalcOnLoad="1" /></workbook>'
        )
        rels += [("styles", "styles.xml"), ("theme", "theme/theme1.xml")]
        self.parts["xl/_rels/workbook.xml.rels"] = _rels(rels)
        self.parts["xl/styles.xml"] = styles.xml()
        self.parts["xl/theme/theme1.xml"] = theme_xml
        self.parts["[Content_Types].xml"] = _content_types(types)
        self.parts["_rels/.rels"] = (
            f'<Relationships xmlns="{_PKG}">'
            f'<Relationship Type="{_R}/officeDocument" Target="xl/workbook.xml" Id="rId1" />'
            f'<Relationship Type="{_PKG}/metadata/core-properties" Target="docProps/core.xml" '
            f'Id="rId2" /><Relationship Type="{_R}/extended-properties" '
            'Target="docProps/app.xml" Id="rId3" /></Relationships>'
        )
        version = openpyxl.__version__  # the application openpyxl would name
        self.parts["docProps/app.xml"] = (
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'extended-properties"><Application>Microsoft Excel Compatible / Openpyxl {version}'
            f"</Application><AppVersion>{'.'.join(version.split('.')[:-1])}</AppVersion>"
            "</Properties>"
        )
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.parts["docProps/core.xml"] = (
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>openpyxl'
            f'</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified>'
            "</cp:coreProperties>"
        )

    def save(self, path) -> None:
        """Write the package to ``path`` (a file name or a binary file)."""
        with ZipFile(path, "w", ZIP_DEFLATED) as z:
            for name, xml in self.parts.items():
                z.writestr(name, xml)


def _rels(targets) -> str:
    items = "".join(
        f'<Relationship Type="{_R}/{kind}" Target="{target}" Id="rId{i}" />'
        for i, (kind, target) in enumerate(targets, 1)
    )
    return f'<Relationships xmlns="{_PKG}">{items}</Relationships>'


def _content_types(parts) -> str:
    over = [
        ("xl/styles.xml", "spreadsheetml.styles+xml"),
        ("xl/theme/theme1.xml", "theme+xml"),
    ]
    items = "".join(
        f'<Override PartName="/{p}" ContentType="{_CT}{t}" />' for p, t in over + list(parts)
    )
    return (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml" /><Default Extension="xml" ContentType="application/xml" />'
        f"{items}"
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
        'package.core-properties+xml" /><Override PartName="/docProps/app.xml" '
        f'ContentType="{_CT}extended-properties+xml" /><Override PartName="/xl/workbook.xml" '
        f'ContentType="{_CT}spreadsheetml.sheet.main+xml" /></Types>'
    )
