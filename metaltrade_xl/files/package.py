"""Edit an .xlsx/.xlsm package in place of an openpyxl round trip: read and rewrite single cells of
a sheet's XML, drop a sheet or the VBA project, add a plain sheet. Every other zip member is copied
byte for byte, so charts, drawings, styles, comments, validation and print settings survive as the
author made them (openpyxl re-draws charts and loses what it does not model).

Only the parts that must change are touched: the edited sheets, ``xl/workbook.xml``, its
relationships, ``[Content_Types].xml``, and ``xl/calcChain.xml`` (dropped: it lists formula cells,
and Excel rebuilds it).
"""

from __future__ import annotations

import html
import math
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl.utils.cell import coordinate_from_string, range_boundaries
from openpyxl.utils.cell import get_column_letter as column_letter

from metaltrade_xl._io import atomic_path

WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
VBA_TYPE = "application/vnd.ms-office.vbaProject"
PRINTER_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.printerSettings"
REL_WORKSHEET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
REL_CALC_CHAIN = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

_ATTR = re.compile(r'([\w:]+)\s*=\s*"([^"]*)"')
_REL = re.compile(r"<Relationship\b[^>]*?/?>", re.S)
_CELL_TYPES = {"b", "n", "e", "s", "str", "inlineStr", "d"}


class ErrorValue(str):
    """An Excel error value as a cell stores it (``t="e"``): ``#N/A``, ``#VALUE!``, ..."""


class PackageError(ValueError):
    """The file is not a workbook package this module can edit."""


def attrs(tag: str) -> dict[str, str]:
    """The attributes of one start tag, values unescaped."""
    return {k: html.unescape(v) for k, v in _ATTR.findall(tag)}


def _attr_text(values: dict[str, str]) -> str:
    return "".join(f' {k}="{escape(v, {chr(34): "&quot;"})}"' for k, v in values.items())


@dataclass
class FormulaCell:
    """A cell holding a formula, as the sheet XML stores it."""

    coord: str
    text: str  # without the leading '='; a shared formula's follower gets its master's text
    kind: str  # "normal", "array" or "shared"
    ref: str | None  # the block an array formula fills
    cached: object  # the stored value (None when there is none)
    master: bool = True  # False for the followers of a shared formula


class Package:
    """The members of a zip package, in order, with their zip metadata."""

    def __init__(self, path: str | Path):
        path = Path(path)
        try:
            with zipfile.ZipFile(path) as z:
                self.infos = {i.filename: i for i in z.infolist()}
                self.parts = {n: z.read(n) for n in self.infos}
        except (zipfile.BadZipFile, KeyError) as exc:
            raise PackageError(
                f"expected an Excel workbook (.xlsx/.xlsm), got '{path.name}': {exc}"
            ) from None
        if "xl/workbook.xml" not in self.parts:
            raise PackageError(
                f"expected an Excel workbook, got '{path.name}' (no xl/workbook.xml)"
            )
        self.path = path
        self._shared: list[str] | None = None

    # --- text members -------------------------------------------------------------------------
    def text(self, name: str) -> str:
        return self.parts[name].decode("utf-8")

    def put(self, name: str, text: str) -> None:
        self.parts[name] = text.encode("utf-8")

    def remove(self, name: str) -> None:
        self.parts.pop(name, None)
        self.infos.pop(name, None)

    # --- relationships ------------------------------------------------------------------------
    @staticmethod
    def rels_name(part: str) -> str:
        folder, base = posixpath.split(part)
        return posixpath.join(folder, "_rels", base + ".rels")

    def rels(self, part: str) -> list[dict[str, str]]:
        name = self.rels_name(part)
        if name not in self.parts:
            return []
        return [attrs(m) for m in _REL.findall(self.text(name))]

    @staticmethod
    def target(part: str, rel: dict[str, str]) -> str:
        target = rel["Target"]
        if target.startswith("/"):
            return target.lstrip("/")
        return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))

    def drop_rels(self, part: str, keep) -> list[dict[str, str]]:
        """Remove the relationships of ``part`` for which ``keep(rel)`` is false; return them."""
        name = self.rels_name(part)
        if name not in self.parts:
            return []
        dropped = []

        def edit(m):
            rel = attrs(m.group(0))
            if keep(rel):
                return m.group(0)
            dropped.append(rel)
            return ""

        self.put(name, _REL.sub(edit, self.text(name)))
        return dropped

    def add_rel(self, part: str, rel_type: str, target: str) -> str:
        name = self.rels_name(part)
        text = self.text(name)
        used = {r["Id"] for r in self.rels(part)}
        k = len(used) + 1
        while f"rId{k}" in used:
            k += 1
        rid = f"rId{k}"
        xml = f'<Relationship Type="{rel_type}" Target="{target}" Id="{rid}"/>'
        self.put(name, text.replace("</Relationships>", xml + "</Relationships>"))
        return rid

    def referenced(self) -> set[str]:
        """Every part some relationship still points at."""
        out = set()
        for name in self.parts:
            if name.endswith(".rels"):
                folder = posixpath.dirname(posixpath.dirname(name))
                source = posixpath.join(folder, posixpath.basename(name)[: -len(".rels")])
                for rel in self.rels(source):
                    if rel.get("TargetMode") != "External":
                        out.add(self.target(source, rel))
        return out

    def remove_tree(self, part: str) -> None:
        """Remove ``part``, its relationships, and what only it referenced."""
        children = [
            self.target(part, r) for r in self.rels(part) if r.get("TargetMode") != "External"
        ]
        self.remove(part)
        self.remove(self.rels_name(part))
        self.set_override(part, None)
        still = self.referenced()
        for child in children:
            if child in self.parts and child not in still:
                self.remove_tree(child)

    # --- content types ------------------------------------------------------------------------
    def set_override(self, part: str, content_type: str | None) -> None:
        name = "[Content_Types].xml"
        text = self.text(name)
        pattern = re.compile(rf'<Override\b[^>]*PartName="/{re.escape(part)}"[^>]*/>', re.I)
        text = pattern.sub("", text)
        if content_type is not None:
            xml = f'<Override PartName="/{part}" ContentType="{content_type}"/>'
            text = text.replace("</Types>", xml + "</Types>")
        self.put(name, text)

    # --- workbook -----------------------------------------------------------------------------
    def sheets(self) -> list[dict[str, str]]:
        """The workbook's sheets in tab order: name, sheetId, state, rid, part."""
        rels = {r["Id"]: r for r in self.rels("xl/workbook.xml")}
        out = []
        for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*?/>", self.text("xl/workbook.xml")):
            a = attrs(tag)
            rid = next(v for k, v in a.items() if k.endswith(":id") or k == "id")
            out.append(
                {
                    "name": a["name"],
                    "sheetId": a.get("sheetId", "0"),
                    "state": a.get("state", "visible"),
                    "rid": rid,
                    "part": self.target("xl/workbook.xml", rels[rid]),
                    "tag": tag,
                }
            )
        return out

    def shared_strings(self) -> list[str]:
        if self._shared is None:
            part = next(
                (
                    self.target("xl/workbook.xml", r)
                    for r in self.rels("xl/workbook.xml")
                    if r["Type"].endswith("/sharedStrings")
                ),
                None,
            )
            self._shared = []
            if part in self.parts:
                for si in re.findall(r"<si>(.*?)</si>", self.text(part), re.S):
                    self._shared.append(_text_of(si))
        return self._shared

    def save(self, out: Path, *, force: bool = False) -> Path:
        """Write the package to ``out`` atomically, members in their original order."""
        with atomic_path(out, force=force) as tmp, zipfile.ZipFile(tmp, "w") as z:
            for name, data in self.parts.items():
                info = self.infos.get(name) or zipfile.ZipInfo(name, (2026, 1, 26, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, data)
        return Path(out)


def _text_of(xml: str) -> str:
    """The text of an inline or shared string item (rich runs joined, phonetic runs skipped)."""
    xml = re.sub(r"<rPh\b.*?</rPh>", "", xml, flags=re.S)
    return "".join(html.unescape(t) for t in re.findall(r"<t\b[^>]*>(.*?)</t>", xml, re.S))


# --- cells --------------------------------------------------------------------------------------

_CELL = re.compile(r"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ROW = re.compile(r"<row\b([^>]*?)(?:/>|>(.*?)</row>)", re.S)


def _cached(pkg: Package, a: dict[str, str], inner: str):
    t = a.get("t", "n")
    if t == "inlineStr":
        m = re.search(r"<is>(.*?)</is>", inner, re.S)
        return _text_of(m.group(1)) if m else None
    m = re.search(r"<v>(.*?)</v>", inner, re.S)
    if m is None:
        return None
    v = html.unescape(m.group(1))
    if t == "s":
        return pkg.shared_strings()[int(v)]
    if t == "b":
        return v.strip() in ("1", "true")
    if t == "e":
        return ErrorValue(v)
    if t in ("str", "d"):
        return v
    return float(v) if v.strip() else None


def formula_cells(pkg: Package, part: str) -> list[FormulaCell]:
    """Every formula cell of a sheet part, shared-formula followers given their master's text."""
    out, masters = [], {}
    for m in _CELL.finditer(pkg.text(part)):
        inner = m.group(2) or ""
        fm = re.search(r"<f\b([^>]*?)(?:/>|>(.*?)</f>)", inner, re.S)
        if fm is None:
            continue
        a, fa = attrs(m.group(1)), attrs(fm.group(1))
        text = html.unescape(fm.group(2) or "")
        kind = fa.get("t", "normal")
        master = True
        if kind == "shared":
            if text:
                masters[fa.get("si")] = text
            else:
                text, master = masters.get(fa.get("si"), ""), False
        cell = FormulaCell(a["r"], text, kind, fa.get("ref"), _cached(pkg, a, inner), master)
        out.append(cell)
    return out


def stored_values(pkg: Package, part: str, coords) -> dict[str, object]:
    """The stored values of the cells ``coords`` (None for an empty or absent cell)."""
    want = set(coords)
    out = dict.fromkeys(want)
    for m in _CELL.finditer(pkg.text(part)):
        a = attrs(m.group(1))
        if a.get("r") in want:
            out[a["r"]] = _cached(pkg, a, m.group(2) or "")
    return out


def value_xml(value, *, as_result: bool) -> tuple[str | None, str]:
    """The ``t`` attribute and the content of a cell holding ``value``.

    A constant string is an inline string (``t="inlineStr"``), never a formula, whatever its text;
    a formula's stored result uses ``t="str"``.

    >>> value_xml("=1+1", as_result=False)
    ('inlineStr', '<is><t xml:space="preserve">=1+1</t></is>')
    >>> value_xml(2.5, as_result=True)
    (None, '<v>2.5</v>')
    """
    if value is None or value == "":
        return None, ""
    if hasattr(value, "item") and not isinstance(value, str):  # a numpy scalar
        value = value.item()
    if isinstance(value, bool):
        return "b", f"<v>{int(value)}</v>"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return "e", "<v>#NUM!</v>"
        return None, f"<v>{value!r}</v>" if isinstance(value, float) else f"<v>{value}</v>"
    text = escape(str(value))
    if as_result:
        return "str", f"<v>{text}</v>"
    return "inlineStr", f'<is><t xml:space="preserve">{text}</t></is>'


def _new_cell(coord: str, a: dict[str, str], value, formula: str | None) -> str:
    a = {k: v for k, v in a.items() if k not in ("r", "t", "cm", "vm")}
    t, content = value_xml(value, as_result=formula is not None)
    head = {"r": coord, **a, **({"t": t} if t else {})}
    body = (formula or "") + content
    return f"<c{_attr_text(head)}>{body}</c>" if body else f"<c{_attr_text(head)}/>"


def _column(coord: str) -> int:
    return range_boundaries(coord)[0]


def set_cells(pkg: Package, part: str, values: dict[str, object], *, keep_formula=()) -> None:
    """Give the cells ``values[coord]`` (None: empty), keeping each cell's style.

    A cell in ``keep_formula`` keeps its formula and gets the value as its stored result; any other
    cell becomes a constant. Cells missing from the sheet are created in row and column order.
    """
    xml, keep, seen = pkg.text(part), set(keep_formula), set()

    def edit(m):
        a = attrs(m.group(1))
        coord = a.get("r")
        if coord not in values:
            return m.group(0)
        seen.add(coord)
        formula = None
        if coord in keep:
            fm = re.search(r"<f\b[^>]*?(?:/>|>.*?</f>)", m.group(2) or "", re.S)
            formula = fm.group(0) if fm else None
        return _new_cell(coord, a, values[coord], formula)

    xml = _CELL.sub(edit, xml)
    missing: dict[int, list[str]] = {}
    for coord in values:
        if coord not in seen:
            missing.setdefault(coordinate_from_string(coord)[1], []).append(coord)
    for row, coords in sorted(missing.items()):
        xml = _insert_cells(xml, row, {c: _new_cell(c, {}, values[c], None) for c in coords})
    pkg.put(part, xml)


def _insert_cells(xml: str, row: int, cells: dict[str, str]) -> str:
    rows = list(_ROW.finditer(xml))
    found = next((m for m in rows if attrs(m.group(1)).get("r") == str(row)), None)
    if found is None:
        after = next((m for m in rows if int(attrs(m.group(1)).get("r", 0)) > row), None)
        new = f'<row r="{row}">' + "".join(cells[c] for c in sorted(cells, key=_column)) + "</row>"
        if after is not None:
            return xml[: after.start()] + new + xml[after.start() :]
        if re.search(r"<sheetData\s*/>", xml):
            return re.sub(r"<sheetData\s*/>", f"<sheetData>{new}</sheetData>", xml, count=1)
        return xml.replace("</sheetData>", new + "</sheetData>", 1)
    inner = found.group(2) or ""
    parts = [(_column(attrs(m.group(1))["r"]), m.group(0)) for m in _CELL.finditer(inner)]
    parts += [(_column(c), x) for c, x in cells.items()]
    body = "".join(x for _, x in sorted(parts, key=lambda p: p[0]))
    a = attrs(found.group(1))
    if "spans" in a:  # a hint Excel trusts: keep it covering every cell of the row
        cols = [c for c, _ in parts]
        a["spans"] = f"{min(cols)}:{max(cols)}"
    return xml[: found.start()] + f"<row{_attr_text(a)}>{body}</row>" + xml[found.end() :]


def block_coords(ref: str) -> list[list[str]]:
    """The coordinates of a block, row by row.

    >>> block_coords("B2:C3")
    [['B2', 'C2'], ['B3', 'C3']]
    """
    c1, r1, c2, r2 = range_boundaries(ref)
    return [[f"{column_letter(c)}{r}" for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
