"""Report layouts straight to a workbook package: the sheets' XML, styles and charts written as
text, the same file :func:`metaltrade_xl.files.writer.render` makes through openpyxl's objects
(a test compares every cell, style, merge, size, print setting and chart) in a fraction of the
time, without importing openpyxl (:mod:`.xmlparts` holds the parts that never change, as openpyxl
writes them; only a date cell imports it); nothing of a user's workbook passes through here (``run --workbook`` grafts the result).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from math import isfinite
from zipfile import ZIP_DEFLATED, ZipFile

from metaltrade_xl.files import looks, xmlparts
from metaltrade_xl.files.chartxml import attr, chart_xml, drawing_xml, escape, text

# The looks as XML (the style table's entries), also the names fastrender writes cells with.
from metaltrade_xl.files.xmlparts import BOLD as BOLD
from metaltrade_xl.files.xmlparts import DATA as DATA
from metaltrade_xl.files.xmlparts import DATA_FILL as DATA_FILL
from metaltrade_xl.files.xmlparts import HEADER as HEADER
from metaltrade_xl.files.xmlparts import (
    HEADER_BORDER,
    MERGED_BORDER,
    absolute_coordinate,
    quote_sheetname,
)
from metaltrade_xl.files.xmlparts import HEADER_FILL as HEADER_FILL
from metaltrade_xl.files.xmlparts import NOTE as NOTE
from metaltrade_xl.files.xmlparts import TITLE as TITLE
from metaltrade_xl.files.xmlparts import alignment as alignment
from metaltrade_xl.report.layout import ROW_PT, anchor

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument."
_ERRORS = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))


class Styles:
    """The workbook's style table, entries numbered in the order cells first use them."""

    def __init__(self):
        self.parts = {
            "fonts": {xmlparts.DEFAULT_FONT: 0},
            "fills": {xmlparts.EMPTY_FILL: 0, xmlparts.GRAY_FILL: 1},
            "borders": {xmlparts.DEFAULT_BORDER: 0},
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
        elif fmt in xmlparts.BUILTIN_FORMATS:
            num = xmlparts.BUILTIN_FORMATS[fmt]
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
        colors = "".join(f'<rgbColor rgb="{c}" />' for c in xmlparts.INDEXED_COLORS)
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
        self.name = looks.sheet_name(name)
        self.cells: dict[tuple[int, int], list] = {}
        self.merges: list[tuple[int, int, int]] = []
        self.spans: dict[tuple[int, int], tuple[int, int]] = {}  # merged cells -> (first, last)
        self.names: dict[str, str] = {}
        self.widths: dict[int, float] = {}
        self.heights: dict[int, float] = {}
        self.charts: list = []  # (chart spec, name of the sheet holding its data)
        self.hidden = False
        self.printed = None  # the layout and paper code, for printed sheets

    def cell(self, row: int, col: int) -> list:
        got = self.cells.get((row, col))
        if got is None:
            if not (0 < row <= looks.MAX_ROW and 0 < col <= looks.MAX_COL):
                looks.check_cell(self.name, row, col)
            got = self.cells[row, col] = [None, None, None, None, None, None]
        return got

    def put(self, row: int, col: int, value) -> list:
        """Set a cell's value as openpyxl would (its type follows the value), keeping its look."""
        span = self.spans.get((row, col))
        if span is not None and span[0] != col:  # openpyxl: a read-only MergedCell
            raise ValueError(
                f"sheet {self.name!r}: cell {anchor(col, row)} lies under the merged cells "
                f"{_range(row, span)} (only {anchor(span[0], row)} holds a value)"
            )
        kind = type(value)
        if kind is float:  # the common kinds first: what cell_value gives them, sooner
            v = value if isfinite(value) else None
        elif kind is int or value is None:
            v = value
        elif kind is str:
            v = looks.cell_text(value)
        else:
            v = looks.cell_value(value)
        cell = self.cell(row, col)
        if isinstance(v, datetime):
            cell[FORMAT] = cell[FORMAT] if _is_date(cell[FORMAT]) else "yyyy-mm-dd h:mm:ss"
        elif isinstance(v, date):
            cell[FORMAT] = cell[FORMAT] if _is_date(cell[FORMAT]) else "yyyy-mm-dd"
        cell[VALUE] = v
        return cell

    def merge(self, row: int, first: int, last: int) -> None:
        """Merge ``first..last`` of ``row``: the other cells empty, a header's bottom border
        carried along under them (what openpyxl's merge does). Merges may not overlap."""
        if last > looks.MAX_COL:
            looks.check_cell(self.name, row, last)
        start = self.cell(row, first)
        border = MERGED_BORDER if start[BORDER] == HEADER_BORDER else None
        spans, span = self.spans, (first, last)
        for col in range(first, last + 1):
            if (row, col) in spans:
                raise ValueError(
                    f"sheet {self.name!r}: merging {_range(row, span)} overlaps the merged cells "
                    f"{_range(row, spans[row, col])}"
                )
            spans[row, col] = span
            if col > first:
                self.cells[row, col] = [None, None, None, border, None, None]
        self.merges.append((row, first, last))

    def xml(self, styles: Styles, drawing: bool) -> str:
        out = [f'<worksheet xmlns="{_MAIN}">']
        fit = ' fitToPage="1"' if self.printed else ""
        out.append(f'<sheetPr><outlinePr summaryBelow="1" summaryRight="1" /><pageSetUpPr{fit} />')
        out.append(f'</sheetPr><dimension ref="{self._dimension()}" />')
        out.append(xmlparts.views(self.printed[0].freeze if self.printed else None))
        custom = ' customHeight="1"' if self.printed else ""
        fmt = f'<sheetFormatPr baseColWidth="8" defaultRowHeight="{_num(ROW_PT)}"{custom} />'
        out.append(fmt)
        for sizes, cell in ((self.widths, lambda c: (1, c)), (self.heights, lambda r: (r, 1))):
            for at in (min(sizes, default=1), max(sizes, default=1)):
                looks.check_cell(self.name, *cell(at))
        cols = "".join(
            f'<col width="{_num(w)}" customWidth="1" min="{c}" max="{c}" />'
            for c, w in sorted(self.widths.items())
            if w
        )
        if cols:  # none at all where every width is 0 or None (what openpyxl writes)
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
                head = f'<c r="{anchor(key[1], row)}"'
                if styled:
                    head += f' s="{styles.xf(style)}"'
                out.append(_cell(head, value))
            out.append("</row>")


def _range(row: int, span: tuple[int, int]) -> str:
    return f"{anchor(span[0], row)}:{anchor(span[1], row)}"


def _cell(head: str, v) -> str:
    if v is None:
        return f'{head} t="n" />'
    if isinstance(v, str):
        if v in _ERRORS:
            return f'{head} t="e"><v>{v}</v></c>'
        if not v:
            return f'{head} t="inlineStr" />'
        stripped = v.strip()
        space = ' xml:space="preserve"' if stripped and stripped != v else ""
        return f'{head} t="inlineStr"><is><t{space}>{escape(v)}</t></is></c>'  # put cleaned v
    if isinstance(v, bool):
        return f'{head} t="b"><v>{int(v)}</v></c>'
    if isinstance(v, (date, datetime)):
        if getattr(v, "tzinfo", None) is not None:
            raise TypeError("Excel does not support timezones in datetimes")
        from openpyxl.utils.datetime import to_excel  # dates are rare: openpyxl only for them

        v = to_excel(v)
        if v is None:  # pandas' NaT: an empty cell, date-formatted (as openpyxl writes it)
            return f'{head} t="n" />'
    return f'{head} t="n"><v>{_num(v)}</v></c>'


def _num(v) -> str:
    return "%.16g" % v  # noqa: UP031  (openpyxl's own spelling of numbers)


def _is_date(fmt) -> bool:
    from openpyxl.styles.numbers import is_date_format

    return fmt is not None and is_date_format(fmt)


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
        self.sheetnames = looks.distinct_names([s.name for s in sheets])
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
        self.parts["xl/theme/theme1.xml"] = xmlparts.theme()
        self.parts["[Content_Types].xml"] = _content_types(types)
        self.parts["_rels/.rels"] = (
            f'<Relationships xmlns="{_PKG}">'
            f'<Relationship Type="{_R}/officeDocument" Target="xl/workbook.xml" Id="rId1" />'
            f'<Relationship Type="{_PKG}/metadata/core-properties" Target="docProps/core.xml" '
            f'Id="rId2" /><Relationship Type="{_R}/extended-properties" '
            'Target="docProps/app.xml" Id="rId3" /></Relationships>'
        )
        version = xmlparts.openpyxl_version()  # the application openpyxl would name
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
