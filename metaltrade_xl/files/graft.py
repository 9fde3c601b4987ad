"""Graft sheets from one workbook package into another, leaving everything else byte for byte.

``metaltrade run --workbook`` writes its sheets with openpyxl into a fresh workbook, then grafts
them into a copy of the user's package (:mod:`.package`): each sheet part with the drawings,
charts and tables it uses, its cell formats appended to the user's ``xl/styles.xml`` (append
only: every existing index keeps its meaning; an identical entry is reused, so re-running adds
nothing), its strings inlined (the user's shared strings stay as they are), its print areas,
print titles and table names, content types and relationships. The user's own parts (their
sheets, charts, images, comments, conditional formats, validation, VBA) are not rewritten.
"""

from __future__ import annotations

import html
import posixpath
import re
from xml.sax.saxutils import escape

from metaltrade_xl.files.package import Package, PackageError, _attr_text, attrs
from metaltrade_xl.files.structure import _DEFINED, add_names, insert_sheet

REL_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
STYLES_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"


def styles_part(pkg: Package, *, create_from: Package | None = None) -> str:
    """The workbook's styles part; with ``create_from``, a copy of that one's when it has none."""
    for rel in pkg.rels("xl/workbook.xml"):
        if rel["Type"] == REL_STYLES and pkg.target("xl/workbook.xml", rel) in pkg.parts:
            return pkg.target("xl/workbook.xml", rel)
    if create_from is None:
        raise PackageError("the workbook has no styles part (xl/styles.xml)")
    part = "xl/styles.xml"
    pkg.put(part, create_from.text(styles_part(create_from)))
    pkg.add_rel("xl/workbook.xml", REL_STYLES, "/" + part)
    pkg.set_override(part, STYLES_TYPE)
    return part


#: The style lists a sheet's cells point into, in the order styles.xml declares them.
_LISTS = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs")
_ITEM = {"numFmts": "numFmt", "fonts": "font", "fills": "fill", "borders": "border",
         "cellXfs": "xf", "dxfs": "dxf"}  # fmt: skip


def _items(xml: str, tag: str) -> list[str]:
    return re.findall(rf"<{tag}\b(?:[^>]*?/>|[^>]*>.*?</{tag}>)", xml, re.S)


def _section(xml: str, name: str):
    return re.search(rf"<{name}\b[^>]*?(?:/>|>(.*?)</{name}>)", xml, re.S)


class StyleMerge:
    """The cell formats of ``source``'s styles.xml appended to (or found in) ``target``'s."""

    def __init__(self, target: str, source: str):
        self.text = target
        self.source = {k: _items(_inner(source, k), v) for k, v in _ITEM.items()}
        self.items = {k: _items(_inner(target, k), v) for k, v in _ITEM.items()}
        self.added = {k: [] for k in _ITEM}
        self._maps: dict[tuple[str, int], int] = {}
        codes = [attrs(f) for f in self.items["numFmts"]]
        self.formats = {html.unescape(a["formatCode"]): int(a["numFmtId"]) for a in codes}
        self.next_format = max([163, *self.formats.values()]) + 1
        self.source_formats = {
            int(a["numFmtId"]): html.unescape(a["formatCode"])
            for a in map(attrs, self.source["numFmts"])
        }

    def _place(self, kind: str, xml: str) -> int:
        """The index of ``xml`` in the target list ``kind``, appending it if it is not there."""
        every = self.items[kind] + self.added[kind]
        if xml in every:
            return every.index(xml)
        self.added[kind].append(xml)
        return len(every)

    def _map(self, kind: str, i: int) -> int:
        key = (kind, i)
        if key not in self._maps:
            self._maps[key] = self._place(kind, self.source[kind][i])
        return self._maps[key]

    def number_format(self, i: int) -> int:
        if i < 164 or i not in self.source_formats:
            return i  # built in
        code = self.source_formats[i]
        if code not in self.formats:
            self.formats[code] = self.next_format
            xml = f'<numFmt numFmtId="{self.next_format}" formatCode="{escape(code, {chr(34): "&quot;"})}"/>'
            self.added["numFmts"].append(xml)
            self.next_format += 1
        return self.formats[code]

    def xf(self, i: int) -> int:
        """The target index of the source's cell format ``i``."""
        key = ("xf", i)
        if key not in self._maps:
            xml = self.source["cellXfs"][i]
            head = xml[: xml.index(">") + 1]
            a = attrs(head)
            for name, kind in (("fontId", "fonts"), ("fillId", "fills"), ("borderId", "borders")):
                if name in a:
                    a[name] = str(self._map(kind, int(a[name])))
            if "numFmtId" in a:
                a["numFmtId"] = str(self.number_format(int(a["numFmtId"])))
            a["xfId"] = "0"  # the Normal cell style, first in every styles.xml
            end = "/>" if head.endswith("/>") else ">"
            self._maps[key] = self._place("cellXfs", f"<xf{_attr_text(a)}{end}" + xml[len(head) :])
        return self._maps[key]

    def dxf(self, i: int) -> int:
        return self._map("dxfs", i)

    def result(self) -> str:
        """The target styles.xml with the appended entries (unchanged when none were needed)."""
        text = self.text
        for kind in _ITEM:
            if not self.added[kind]:
                continue
            count = len(self.items[kind]) + len(self.added[kind])
            new = "".join(self.added[kind])
            m = _section(text, kind)
            if m is None:
                later = [k for k in _LISTS[_LISTS.index(kind) + 1 :] if _section(text, k)]
                at = _section(text, later[0]).start() if later else text.index("</styleSheet>")
                if kind == "dxfs" and not later:  # dxfs comes after cellStyles, before the rest
                    following = re.search(r"<(?:tableStyles|colors|extLst)\b", text)
                    at = following.start() if following else at
                text = text[:at] + f'<{kind} count="{count}">{new}</{kind}>' + text[at:]
                continue
            head = re.match(rf"<{kind}\b[^>]*?/?>", text[m.start() :]).group(0)
            a = attrs(head)
            a["count"] = str(count)
            body = (m.group(1) or "") + new
            text = text[: m.start()] + f"<{kind}{_attr_text(a)}>{body}</{kind}>" + text[m.end() :]
        return text


def _inner(xml: str, name: str) -> str:
    m = _section(xml, name)
    return (m.group(1) or "") if m else ""


def _free(pkg: Package, part: str, taken: set[str]) -> str:
    """A name like ``part`` (same folder, stem and extension) not used in ``pkg``."""
    folder, base = posixpath.split(part)
    stem, ext = re.match(r"(.*?)\d*(\.[^.]+)$", base).groups()
    k = 1
    while (name := posixpath.join(folder, f"{stem}{k}{ext}")) in pkg.parts or name in taken:
        k += 1
    taken.add(name)
    return name


def _content_type(pkg: Package, part: str) -> str | None:
    text = pkg.text("[Content_Types].xml")
    for tag in re.findall(r"<Override\b[^>]*/>", text):
        a = attrs(tag)
        if a.get("PartName", "").lstrip("/") == part:
            return a.get("ContentType")
    return None


def _ensure_default(target: Package, source: Package, part: str) -> None:
    """Give ``target`` the source's default content type for ``part``'s extension if it lacks one."""
    ext = part.rsplit(".", 1)[-1].lower()
    have = lambda p: {  # noqa: E731
        attrs(t).get("Extension", "").lower(): t
        for t in re.findall(r"<Default\b[^>]*/>", p.text("[Content_Types].xml"))
    }
    if ext in have(target) or ext not in have(source):
        return
    text = target.text("[Content_Types].xml")
    at = re.search(r"<Types\b[^>]*>", text).end()
    target.put("[Content_Types].xml", text[:at] + have(source)[ext] + text[at:])


def _inline_strings(xml: str, source: Package) -> str:
    """Shared-string cells (``t="s"``) as inline strings, so the target's string table stays."""
    items = None

    def edit(m):
        nonlocal items
        if items is None:
            part = next(
                (
                    source.target("xl/workbook.xml", r)
                    for r in source.rels("xl/workbook.xml")
                    if r["Type"].endswith("/sharedStrings")
                ),
                None,
            )
            text = source.text(part) if part in source.parts else ""
            items = re.findall(r"<si>(.*?)</si>", text, re.S)
        a = attrs(m.group(1))
        v = re.search(r"<v>(\d+)</v>", m.group(2))
        a["t"] = "inlineStr"
        return f"<c{_attr_text(a)}><is>{items[int(v.group(1))]}</is></c>"

    return re.sub(r'<c\b([^>]*\bt="s"[^>]*)>(.*?)</c>', edit, xml, flags=re.S)


def _restyle(xml: str, styles: StyleMerge) -> str:
    """A grafted part's style indices (cells, rows, columns, differential formats) remapped."""

    def edit(m):
        tag, body, end = m.groups()
        a = attrs(body)
        key = "style" if tag == "col" else "s"
        if key not in a:
            return m.group(0)
        a[key] = str(styles.xf(int(a[key])))
        return f"<{tag}{_attr_text(a)}{end}"

    xml = re.sub(r"<(c|row|col)\b([^>]*?)(/?>)", edit, xml)
    return re.sub(
        r'\b(\w*[dD]xfId)="(\d+)"', lambda m: f'{m.group(1)}="{styles.dxf(int(m.group(2)))}"', xml
    )


def _copy_tree(target, source, part, styles, taken, new_names) -> str:
    """Copy ``part`` of ``source`` and what it references into ``target``; its new name."""
    if part in new_names:
        return new_names[part]
    name = _free(target, part, taken)
    new_names[part] = name
    data = source.parts[part]
    if part.endswith(".xml") and "/worksheets/" in part:
        text = data.decode("utf-8").replace(' tabSelected="1"', "")
        data = _restyle(_inline_strings(text, source), styles).encode("utf-8")
    elif "/tables/" in part:
        text = _restyle(data.decode("utf-8"), styles)
        used = [
            int(attrs(re.search(r"<table\b[^>]*>", target.text(p)).group(0)).get("id", 0))
            for p in target.parts
            if "/tables/" in p and p.endswith(".xml")
        ]
        table_id = str(max(used, default=0) + 1)
        data = re.sub(r'(<table\b[^>]*?\bid=")\d+"', rf'\g<1>{table_id}"', text, count=1).encode()
    target.parts[name] = data
    rels = []
    for rel in source.rels(part):
        rel = dict(rel)
        if rel.get("TargetMode") != "External":
            child = source.target(part, rel)
            rel["Target"] = "/" + _copy_tree(target, source, child, styles, taken, new_names)
        rels.append(f"<Relationship{_attr_text(rel)}/>")
    if rels:
        target.put(
            Package.rels_name(name),
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
            f'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{"".join(rels)}'
            "</Relationships>",
        )
    kind = _content_type(source, part)
    if kind:
        target.set_override(name, kind)
    else:
        _ensure_default(target, source, part)
    return name


def graft_sheets(target: Package, source: Package, where: dict[str, int]) -> None:
    """Copy every sheet of ``source`` into ``target``: sheet ``n`` at position ``where[n]``
    (by default after the last), with its parts, formats, names and state."""
    kept = styles_part(target, create_from=source)
    styles = StyleMerge(target.text(kept), source.text(styles_part(source)))
    taken: set[str] = set()
    sheets = source.sheets()
    # in their old places first, in the order of those places (each then lands where it was)
    placed = sorted((s for s in sheets if s["name"] in where), key=lambda s: where[s["name"]])
    for sheet in placed + [s for s in sheets if s["name"] not in where]:
        part = _copy_tree(target, source, sheet["part"], styles, taken, {})
        index = where.get(sheet["name"], len(target.sheets()))
        insert_sheet(target, sheet["name"], part, index, sheet["state"])
    target.put(kept, styles.result())
    order = [s["name"] for s in target.sheets()]
    names = []
    own = [s["name"] for s in sheets]
    for m in _DEFINED.finditer(source.text("xl/workbook.xml")):
        a = attrs(m.group(1))
        if "localSheetId" not in a:
            continue  # our sheets name their tables per sheet; a workbook name could clash
        a["localSheetId"] = str(order.index(own[int(a["localSheetId"])]))
        names.append((a, m.group(2)))
    add_names(target, names)
    sync_titles(target)


def sync_titles(pkg: Package) -> None:
    """docProps/app.xml's list of worksheet titles (where it has one, as Excel writes it) made the
    workbook's: the first group of its heading pairs, which is the worksheets in every language."""
    part = "docProps/app.xml"
    if part not in pkg.parts:
        return
    xml = pkg.text(part)
    pairs = re.search(r"<HeadingPairs>.*?</HeadingPairs>", xml, re.S)
    titles = re.search(r"(<TitlesOfParts>\s*<vt:vector\b[^>]*>)(.*?)(</vt:vector>)", xml, re.S)
    count = pairs and re.search(r"<vt:i4>(\d+)</vt:i4>", pairs.group(0))
    if not (pairs and titles and count):
        return
    entries = re.findall(r"<vt:lpstr>.*?</vt:lpstr>|<vt:lpstr\s*/>", titles.group(2), re.S)
    names = [s["name"] for s in pkg.sheets() if "/worksheets/" in s["part"]]
    out = [f"<vt:lpstr>{escape(n)}</vt:lpstr>" for n in names] + entries[int(count.group(1)) :]
    heads = pairs.group(0)
    heads = heads[: count.start()] + f"<vt:i4>{len(names)}</vt:i4>" + heads[count.end() :]
    head = re.sub(r'size="\d+"', f'size="{len(out)}"', titles.group(1))
    xml = xml.replace(pairs.group(0), heads, 1)
    xml = xml.replace(titles.group(0), head + "".join(out) + titles.group(3), 1)
    pkg.put(part, xml)
