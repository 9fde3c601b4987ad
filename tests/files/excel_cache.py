"""Give formula cells the cached values Excel would have saved (openpyxl writes none)."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape


def _value_xml(value) -> tuple[str, str]:
    if isinstance(value, bool):
        return ' t="b"', f"<v>{int(value)}</v>"
    if isinstance(value, (int, float)):
        return "", f"<v>{value!r}</v>"
    if isinstance(value, str) and value.startswith("#"):
        return ' t="e"', f"<v>{escape(value)}</v>"
    return ' t="str"', f"<v>{escape(str(value))}</v>"


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    workbook = z.read("xl/workbook.xml").decode()
    rels = z.read("xl/_rels/workbook.xml.rels").decode()
    targets = dict(re.findall(r'<Relationship[^>]*Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
    targets.update(
        {k: v for v, k in re.findall(r'<Relationship[^>]*Target="([^"]+)"[^>]*Id="([^"]+)"', rels)}
    )
    out = {}
    for name, rid in re.findall(r'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', workbook):
        target = targets[rid].lstrip("/")
        out[name] = target if target.startswith("xl/") else "xl/" + target
    return out


def with_cached_values(path: Path, out: Path, values: dict[str, dict[str, object]]) -> Path:
    """Copy ``path`` to ``out`` with ``values[sheet][coord]`` stored as cells' cached values."""
    with zipfile.ZipFile(path) as z:
        parts = _sheet_parts(z)
        items = {n: z.read(n) for n in z.namelist()}
    for sheet, cells in values.items():
        name = parts[sheet]
        xml = items[name].decode()
        for coord, value in cells.items():
            t, v = _value_xml(value)
            pattern = re.compile(rf'<c r="{coord}"([^>]*?)(/>|>(.*?)</c>)', re.S)
            m = pattern.search(xml)
            if m:
                attrs = re.sub(r'\s+t="[^"]*"', "", m.group(1))
                inner = re.sub(r"<v>.*?</v>|<v\s*/>", "", m.group(3) or "", flags=re.S)
                xml = xml[: m.start()] + f'<c r="{coord}"{attrs}{t}>{inner}{v}</c>' + xml[m.end() :]
            else:
                row = re.match(r"[A-Z]+(\d+)", coord).group(1)
                rm = re.search(rf'<row r="{row}"[^>]*?(/>|>)', xml)
                cell = f'<c r="{coord}"{t}>{v}</c>'
                if rm is None:
                    xml = xml.replace("</sheetData>", f'<row r="{row}">{cell}</row></sheetData>')
                elif rm.group(1) == "/>":
                    xml = xml[: rm.start()] + rm.group(0)[:-2] + f">{cell}</row>" + xml[rm.end() :]
                else:
                    xml = xml[: rm.end()] + cell + xml[rm.end() :]
        items[name] = xml.encode()
    tmp = out.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in items.items():
            z.writestr(n, data)
    shutil.move(tmp, out)
    return out
