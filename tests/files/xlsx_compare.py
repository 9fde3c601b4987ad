"""What two .xlsx files show, compared: every cell (value, type, number format, font, fill, border,
alignment, protection), merges, row and column sizes, panes, print and page settings, names,
sheet order and state, tab colours, and the charts' XML (canonicalised) in drawing order."""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from openpyxl import load_workbook
from openpyxl.worksheet.formula import ArrayFormula

_REL = re.compile(r"<Relationship [^>]*>")


def _attr(tag: str, name: str) -> str:
    m = re.search(rf'\b{name}="([^"]*)"', tag)
    return m.group(1) if m else ""


def _rels(z: zipfile.ZipFile, part: str) -> dict[str, str]:
    """Relationship id -> target part of ``part``."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    if rels not in z.namelist():
        return {}
    out = {}
    for tag in _REL.findall(z.read(rels).decode("utf-8")):
        target = _attr(tag, "Target")
        target = target[1:] if target.startswith("/") else posixpath.join(folder, target)
        out[_attr(tag, "Id")] = posixpath.normpath(target)
    return out


def _canonical(xml: bytes) -> str:
    return ElementTree.canonicalize(xml.decode("utf-8"), strip_text=True)


def charts(path: Path) -> dict[str, list[str]]:
    """Sheet name -> canonical XML of its charts, in the order its drawing anchors them."""
    out = {}
    with zipfile.ZipFile(path) as z:
        book = z.read("xl/workbook.xml").decode("utf-8")
        book_rels = _rels(z, "xl/workbook.xml")
        for tag in re.findall(r"<sheet [^>]*>", book):
            sheet = book_rels[re.search(r'r:id="([^"]*)"', tag).group(1)]
            found = []
            xml = z.read(sheet).decode("utf-8")
            for rid in re.findall(r'<drawing [^>]*r:id="([^"]*)"', xml):
                drawing = _rels(z, sheet)[rid]
                targets = _rels(z, drawing)
                text = z.read(drawing)
                # the anchors, with the chart parts they point at in their place
                found.append(_canonical(re.sub(rb'r:id="[^"]*"', b"", text)))
                for chart in re.findall(r'<c:chart [^>]*r:id="([^"]*)"', text.decode("utf-8")):
                    found.append(_canonical(z.read(targets[chart])))
            out[_attr(tag, "name")] = found
    return out


def _style(cell, cache: dict) -> tuple:
    key = (id(cell.parent.parent), tuple(cell._style))  # one look, serialised once
    if key not in cache:
        parts = (cell.font, cell.fill, cell.border, cell.alignment, cell.protection)
        cache[key] = (
            cell.number_format,
            *(ElementTree.tostring(p.to_tree()).decode() for p in parts),
        )
    return cache[key]


def _value(cell):
    v = cell.value
    return (v.ref, v.text) if isinstance(v, ArrayFormula) else v


def _sheet(ws) -> dict:
    setup = ws.page_setup
    return {
        "state": ws.sheet_state,
        "tab": repr(ws.sheet_properties.tabColor),
        "fit": ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage,
        "freeze": ws.freeze_panes,
        "print_area": ws.print_area,
        "print_titles": (ws.print_title_rows, ws.print_title_cols),
        "setup": (
            setup.orientation,
            setup.paperSize,
            setup.fitToWidth,
            setup.fitToHeight,
            setup.scale,
        ),
        "margins": repr(ws.page_margins),
        "header_footer": ElementTree.tostring(ws.HeaderFooter.to_tree()),
        "breaks": [(b.id, b.man) for b in ws.row_breaks.brk],
        "col_breaks": [b.id for b in ws.col_breaks.brk],
        "format": (ws.sheet_format.defaultRowHeight, ws.sheet_format.customHeight),
        "widths": {
            k: (d.width, d.customWidth, d.hidden, d.min, d.max)
            for k, d in ws.column_dimensions.items()
        },
        "heights": {
            k: (d.height, d.customHeight, d.hidden)
            for k, d in ws.row_dimensions.items()
            if d.height is not None or d.hidden
        },
        "merges": sorted(str(r) for r in ws.merged_cells.ranges),
        "names": {k: v.attr_text for k, v in ws.defined_names.items()},
        "dimension": ws.calculate_dimension(),
    }


def differences(a: Path, b: Path, *, limit: int = 40) -> list[str]:
    """What differs between workbooks ``a`` and ``b`` (empty when they show the same)."""
    out: list[str] = []
    looks: dict = {}
    wa, wb = load_workbook(a), load_workbook(b)
    if wa.sheetnames != wb.sheetnames:
        return [f"sheets: {wa.sheetnames} != {wb.sheetnames}"]
    names = ({k: v.attr_text for k, v in w.defined_names.items()} for w in (wa, wb))
    if (na := next(names)) != (nb := next(names)):
        out.append(f"workbook names: {na} != {nb}")
    if wa.active.title != wb.active.title:
        out.append(f"active sheet: {wa.active.title} != {wb.active.title}")
    for name in wa.sheetnames:
        sa, sb = wa[name], wb[name]
        pa, pb = _sheet(sa), _sheet(sb)
        out += [f"{name}: {k}: {pa[k]!r} != {pb[k]!r}" for k in pa if pa[k] != pb[k]]
        for key in sorted(set(sa._cells) | set(sb._cells)):
            ca, cb = sa.cell(*key), sb.cell(*key)
            if (_value(ca), ca.data_type) != (_value(cb), cb.data_type):
                out.append(f"{name}!{ca.coordinate}: {ca.value!r} != {cb.value!r}")
            elif type(ca).__name__ != type(cb).__name__:
                out.append(f"{name}!{ca.coordinate}: {type(ca).__name__} != {type(cb).__name__}")
            elif (ya := _style(ca, looks)) != (yb := _style(cb, looks)):
                diff = [f"{x} != {y}" for x, y in zip(ya, yb, strict=True) if x != y]
                out.append(f"{name}!{ca.coordinate}: style {'; '.join(diff)[:300]}")
            if len(out) > limit:
                return out
    ca, cb = charts(a), charts(b)
    for name in ca:
        if ca[name] != cb[name]:
            out.append(f"{name}: charts or drawing differ ({len(ca[name])} vs {len(cb[name])})")
    return out
