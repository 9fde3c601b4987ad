"""Workbook structure at the package level: drop a sheet or the VBA project, add a plain sheet.

Works on a :class:`~metaltrade_xl.files.package.Package`; see that module for why not openpyxl.
"""

from __future__ import annotations

import html
import re
from xml.sax.saxutils import escape

from metaltrade_xl.files.looks import DEFAULT_WIDTH, FOOTER, FOOTER_SIZE, is_number
from metaltrade_xl.files.package import (
    NS_REL,
    PRINTER_TYPE,
    REL_VBA,
    REL_WORKSHEET,
    VBA_TYPE,
    WORKSHEET_TYPE,
    XLSX_MAIN,
    Package,
    PackageError,
    _attr_text,
    _new_cell,
    attrs,
    column_letter,
)
from metaltrade_xl.report.layout import ROW_PT, text_lines

_DEFINED = re.compile(r"<(?:\w+:)?definedName\b([^>]*)>(.*?)</(?:\w+:)?definedName>", re.S)


def remove_sheet(pkg: Package, name: str) -> None:
    """Drop a sheet: its tab, its part and what only it used, names local to or pointing at it."""
    sheets = pkg.sheets()
    index = next(i for i, s in enumerate(sheets) if s["name"] == name)
    sheet = sheets[index]
    xml = pkg.text("xl/workbook.xml").replace(sheet["tag"], "", 1)
    quoted = re.escape(name.replace("'", "''"))
    points_at = re.compile(rf"(?:'{quoted}'|(?<![\w.']){re.escape(name)})!", re.I)

    def name_edit(m):
        a = attrs(m.group(1))
        local = a.get("localSheetId")
        if local is not None and int(local) == index or points_at.search(html.unescape(m.group(2))):
            return ""
        if local is not None and int(local) > index:
            a["localSheetId"] = str(int(local) - 1)
            return m.group(0).replace(m.group(1), _attr_text(a), 1)  # keeps a prefix
        return m.group(0)

    xml = _DEFINED.sub(name_edit, xml)
    left = len(sheets) - 1

    def view_edit(m):
        a = attrs(m.group(1))
        new = dict(a)
        for key in ("activeTab", "firstSheet"):
            if key in a:
                k = int(a[key])
                new[key] = str(0 if k >= left else k - 1 if k > index else k)
        return m.group(0) if new == a else m.group(0).replace(m.group(1), _attr_text(new), 1)

    xml = re.sub(r"<(?:\w+:)?workbookView\b([^>]*?)(/?>)", view_edit, xml)
    pkg.put("xl/workbook.xml", xml)
    pkg.drop_rels("xl/workbook.xml", lambda r: r["Id"] != sheet["rid"])
    pkg.remove_tree(sheet["part"])


def remove_parts_of_type(pkg: Package, rel_type: str) -> bool:
    """Drop the workbook's relationships of ``rel_type`` and their parts; True if any."""
    dropped = pkg.drop_rels("xl/workbook.xml", lambda r: r["Type"] != rel_type)
    for rel in dropped:
        pkg.remove_tree(pkg.target("xl/workbook.xml", rel))
    return bool(dropped)


def remove_vba(pkg: Package) -> bool:
    """Drop the VBA project and declare the workbook a plain .xlsx; True if there was VBA."""
    had = remove_parts_of_type(pkg, REL_VBA)
    pkg.set_override("xl/workbook.xml", XLSX_MAIN)
    types = pkg.text("[Content_Types].xml")
    default = re.search(r'<Default\b[^>]*Extension="bin"[^>]*/>', types, re.I)
    if default and VBA_TYPE in default.group(0):
        other_bin = any(n.lower().endswith(".bin") for n in pkg.parts)
        new = f'<Default Extension="bin" ContentType="{PRINTER_TYPE}"/>' if other_bin else ""
        pkg.put("[Content_Types].xml", types.replace(default.group(0), new))
    return had


def add_sheet(pkg: Package, name: str, xml: str) -> None:
    """Append a sheet tab ``name`` holding the worksheet ``xml``."""
    k = 1
    while f"xl/worksheets/sheet{k}.xml" in pkg.parts:
        k += 1
    part = f"xl/worksheets/sheet{k}.xml"
    pkg.put(part, xml)
    pkg.infos.pop(part, None)
    pkg.set_override(part, WORKSHEET_TYPE)
    insert_sheet(pkg, name, part, len(pkg.sheets()))


def insert_sheet(pkg: Package, name: str, part: str, index: int, state: str = "visible") -> None:
    """A tab ``name`` for the worksheet ``part`` at position ``index`` (names and views that
    count sheets by position follow)."""
    rid = pkg.add_rel("xl/workbook.xml", REL_WORKSHEET, "/" + part)
    sheets = pkg.sheets()
    xml = pkg.text("xl/workbook.xml")
    prefix = re.search(rf'xmlns:(\w+)="{re.escape(NS_REL)}"', xml)
    if prefix is None:
        raise PackageError("xl/workbook.xml declares no relationships namespace")
    sheet_id = max([int(s["sheetId"]) for s in sheets], default=0) + 1
    hidden = f' state="{state}"' if state != "visible" else ""
    tag = (
        f'<{_prefix(xml)}sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{sheet_id}"'
        f'{hidden} {prefix.group(1)}:id="{rid}"/>'
    )
    if index >= len(sheets):
        xml = re.sub(r"(</(?:\w+:)?sheets>)", lambda m: tag + m.group(1), xml, count=1)
        pkg.put("xl/workbook.xml", xml)
        return
    xml = xml.replace(sheets[index]["tag"], tag + sheets[index]["tag"], 1)

    def shift(m, key):
        a = attrs(m.group(1))
        if key in a and int(a[key]) >= index:
            a[key] = str(int(a[key]) + 1)
            return m.group(0).replace(m.group(1), _attr_text(a), 1)
        return m.group(0)

    xml = _DEFINED.sub(lambda m: shift(m, "localSheetId"), xml)
    xml = re.sub(r"<(?:\w+:)?workbookView\b([^>]*?)/?>", lambda m: shift(m, "activeTab"), xml)
    pkg.put("xl/workbook.xml", xml)


def _prefix(xml: str) -> str:
    """The prefix the workbook writes its elements with (``x:`` in some tools), or none."""
    m = re.search(r"<(\w+:)?sheets\b", xml)
    return (m.group(1) or "") if m else ""


def _cell_formats(pkg: Package):
    """The workbook's fonts and cell formats (``<xf>`` elements), or None without styles."""
    if "xl/styles.xml" not in pkg.parts:
        return None
    styles = pkg.text("xl/styles.xml")
    fonts = re.search(r"<fonts\b[^>]*>(.*?)</fonts>", styles, re.S)
    xfs = re.search(r"<cellXfs\b[^>]*>(.*?)</cellXfs>", styles, re.S)
    if not fonts or not xfs:
        return None
    return (
        re.findall(r"<font\b.*?(?:/>|</font>)", fonts.group(1), re.S),
        re.findall(r"<xf\b[^>]*?(?:/>|>.*?</xf>)", xfs.group(1), re.S),
    )


def _plain(xf: str) -> dict | None:
    """The attributes of a cell format with no number format, fill or border, else None."""
    a = attrs(xf[: xf.index(">") + 1])
    return a if all(a.get(k, "0") == "0" for k in ("numFmtId", "fillId", "borderId")) else None


def bold_style(pkg: Package) -> int | None:
    """The index of a cell format of the workbook that is plain bold text, if it has one (so that
    a new sheet can use it without touching ``xl/styles.xml``)."""
    found = _cell_formats(pkg)
    if found is None:
        return None
    fonts, xfs = found
    bold = {i for i, f in enumerate(fonts) if re.search(r'<b\s*/>|<b\s+val="(?:1|true)"\s*/>', f)}
    for i, xf in enumerate(xfs):
        a = _plain(xf)
        if a is not None and int(a.get("fontId", -1)) in bold and "<alignment" not in xf:
            return i
    return None


def wrap_style(pkg: Package) -> int | None:
    """The index of a cell format of the workbook that is its default font wrapped at the top of
    the cell, if it has one (the analyst workbook's Scenarios sheet does), so that a new sheet
    can wrap long texts without touching ``xl/styles.xml``."""
    return aligned_style(pkg, {"vertical": "top", "wrapText": "1"})


def left_style(pkg: Package) -> int | None:
    """The index of a cell format of the workbook that is its default font aligned left, if it
    has one (the analyst workbook's Scenarios sheet does, for its numbers), so that a new sheet
    can put a number at the left of its column, away from the next column's text."""
    return aligned_style(pkg, {"horizontal": "left"})


def aligned_style(pkg: Package, alignment: dict[str, str]) -> int | None:
    """The index of the workbook's first plain cell format (no number format, fill or border) in
    its default font whose alignment is exactly ``alignment`` (attributes of ``<alignment>``)."""
    found = _cell_formats(pkg)
    if found is None:
        return None
    for i, xf in enumerate(found[1]):
        a = _plain(xf)
        align = re.findall(r"<alignment\b([^>]*?)/?>", xf)
        if a is None or a.get("fontId", "0") != "0" or len(align) != 1:
            continue
        if attrs(align[0]) == alignment:
            return i
    return None


def sheet_xml(
    rows: list[list],
    widths: dict[int, float],
    bold_rows,
    bold,
    paper: int,
    wrap: int | None = None,
    left: int | None = None,
) -> str:
    """A plain worksheet holding ``rows`` (strings as inline strings, never formulas); the rows
    ``bold_rows`` (1-based) in the cell format ``bold`` if there is one. A row with a text that
    its column would cut (the next cell is filled, or it is the last column) is in the format
    ``wrap`` if there is one (:func:`wrap_style`), as tall as its longest text needs; other texts
    run on across the empty cells beside them. A number in any other row is in the format
    ``left`` if there is one (:func:`left_style`): at the left of its column, as the texts are,
    not at its right edge against the next column's text ("0.057to_close"). Printed landscape,
    at full size, on the paper of Excel's code ``paper`` (see :func:`paper_of`), with the footer
    of the other printed sheets (sheet name, page of pages)."""
    cols = "".join(
        f'<col min="{j}" max="{j}" width="{w}" customWidth="1"/>' for j, w in sorted(widths.items())
    )
    body = []
    last = max(widths)
    for i, row in enumerate(rows, start=1):
        filled = [(j, v) for j, v in enumerate(row, start=1) if v not in (None, "")]
        texts = {
            j: text_lines(v, widths.get(j, DEFAULT_WIDTH)) for j, v in filled if isinstance(v, str)
        }
        beside = {j: row[j] if j < len(row) else None for j in texts}  # the next cell (0-based)
        cut = any(n > 1 and (j >= last or beside[j] not in (None, "")) for j, n in texts.items())
        lines, style = 1, None
        if i in bold_rows:
            style = bold
        elif cut and wrap is not None:
            lines, style = max(texts.values()), wrap
        # s="0" spelled out: where the workbook's Normal style lacks Excel's builtinId (xlwings'
        # quickstart, so analyst workbooks made from it before), LibreOffice shows a cell
        # without one in its own default font; Excel reads both as the first cell format
        style = {"s": str(style) if style is not None else "0"}
        number = {"s": str(left)} if left is not None and style["s"] == "0" else style
        cells = [
            _new_cell(f"{column_letter(j)}{i}", number if is_number(v) else style, v, None)
            for j, v in filled
        ]
        height = f' ht="{lines * ROW_PT:g}" customHeight="1"' if lines > 1 else ""
        if cells:
            body.append(f'<row r="{i}"{height}>{"".join(cells)}</row>')
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<cols>{cols}</cols><sheetData>{''.join(body)}</sheetData>"
        '<pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        f'<pageSetup paperSize="{int(paper)}" orientation="landscape"/>'
        # the footer every printed sheet of ours has: sheet name, page of pages
        f"<headerFooter><oddFooter>{escape(f'&C&{FOOTER_SIZE} {FOOTER}')}</oddFooter>"
        "</headerFooter></worksheet>"
    )


def paper_of(pkg: Package) -> int | None:
    """Excel's paper code that most of the workbook's sheets print on (the first sheet's of
    equals), or None if no sheet sets a page. A page set without a paper is Letter (code 1, the
    default of ECMA-376 §18.3.1.63)."""
    counts: dict[int, int] = {}
    for s in pkg.sheets():
        if s["part"] not in pkg.parts:
            continue
        m = re.search(r"<(?:\w+:)?pageSetup\b([^>]*?)/?>", pkg.text(s["part"]))
        if m:
            code = attrs(m.group(1)).get("paperSize", "1")
            if code.isdigit():
                counts[int(code)] = counts.get(int(code), 0) + 1
    return max(counts, key=counts.get) if counts else None  # dicts keep the first of equals


def add_names(pkg: Package, names: list[tuple[dict, str]]) -> None:
    """Append defined names (attributes, formula text as stored) to the workbook: into its
    ``definedNames``, or a new one after the sheets and what may follow them (ECMA-376's order
    of CT_Workbook)."""
    if not names:
        return
    xml = pkg.text("xl/workbook.xml")
    p = _prefix(xml)
    new = "".join(f"<{p}definedName{_attr_text(a)}>{text}</{p}definedName>" for a, text in names)
    empty = re.search(r"<(?:\w+:)?definedNames\s*/>", xml)
    end = re.search(r"</(?:\w+:)?definedNames>", xml)
    if empty:
        xml = (
            xml[: empty.start()] + f"<{p}definedNames>{new}</{p}definedNames>" + xml[empty.end() :]
        )
    elif end:
        xml = xml[: end.start()] + new + xml[end.start() :]
    else:
        after = None
        for before in ("externalReferences", "functionGroups", "sheets"):
            after = re.search(rf"</(?:\w+:)?{before}>|<(?:\w+:)?{before}\b[^>]*/>", xml)
            if after:
                break
        if after is None:
            raise PackageError("xl/workbook.xml lists no sheets")
        xml = xml[: after.end()] + f"<{p}definedNames>{new}</{p}definedNames>" + xml[after.end() :]
    pkg.put("xl/workbook.xml", xml)


def print_names(pkg: Package, name: str, area: str, title_columns: str) -> None:
    """Print the range ``area`` (e.g. ``$A$1:$G$50``) of sheet ``name``, with its columns
    ``title_columns`` (e.g. ``$A:$A``) on every page: the names ``_xlnm.Print_Area`` and
    ``_xlnm.Print_Titles`` local to that sheet (it has none yet). Each page of a table wider
    than the paper then shows what its rows are, and text running past the last column does
    not print pages of its own."""
    index = next(i for i, s in enumerate(pkg.sheets()) if s["name"] == name)
    sheet = "'" + name.replace("'", "''") + "'!"
    add_names(
        pkg,
        [
            ({"name": f"_xlnm.{kind}", "localSheetId": str(index)}, escape(sheet + ref))
            for kind, ref in (("Print_Area", area), ("Print_Titles", title_columns))
        ],
    )
