"""Sector definitions: which HS codes make up a sector (the default is the metal-mechanical one).

A sector file is TOML with one ``[sector]`` table::

    [sector]
    name = "metal_mechanical"
    title = "Metal-mechanical industry"
    classification = "HS"
    include = ["73", "7610", "84"]     # chapters, headings or subheadings, as text
    exclude = ["8471"]                 # optional carve-outs

A code is in the sector when it starts with an ``include`` prefix and with no ``exclude`` prefix.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from metaltrade_xl._io import read_toml
from metaltrade_xl.data import DataError

IN, OUT, COARSE = 1, 0, -1
_KEYS = {"name", "title", "classification", "include", "exclude"}


@dataclass(frozen=True)
class Sector:
    """A set of HS codes given by prefixes (chapters, headings, subheadings), all text."""

    name: str
    include: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    title: str = ""
    classification: str = "HS"
    source: str = ""

    def classify(self, code: str) -> int:
        """``IN`` (1), ``OUT`` (0), or ``COARSE`` (-1): the code is shorter than a prefix that
        decides it (chapter ``76`` when only headings 7610-7616 are in), so it cannot be split.

        Examples
        --------
        >>> s = Sector("demo", include=("73", "7610"), exclude=("7302",))
        >>> s.classify("730890"), s.classify("730210"), s.classify("761090"), s.classify("76")
        (1, 0, 1, -1)
        >>> s.classify("74")
        0
        """
        code = str(code)
        for p in self.exclude:
            if code.startswith(p):
                return OUT
            if p.startswith(code) and any(
                code.startswith(i) or i.startswith(code) for i in self.include
            ):
                return COARSE
        for p in self.include:
            if code.startswith(p):
                return IN
        if any(p.startswith(code) for p in self.include):
            return COARSE
        return OUT

    def classify_many(self, codes) -> list[int]:
        """:meth:`classify` for many codes; full-length codes (6 digits) take a fast set lookup.

        Examples
        --------
        >>> Sector("demo", include=("73", "7610"), exclude=("7302",)).classify_many(["730890", "76"])
        [1, -1]
        """
        inc, exc = frozenset(self.include), frozenset(self.exclude)
        out = []
        for code in codes:
            code = str(code)
            if len(code) == 6:  # never shorter than a prefix, so never COARSE
                parts = (code[:2], code[:4], code)
                out.append(IN if not exc.intersection(parts) and inc.intersection(parts) else OUT)
            else:
                out.append(self.classify(code))
        return out

    def describe(self) -> str:
        """One line: name, included and excluded prefixes."""
        text = f"sector {self.name}: HS {', '.join(self.include)}"
        return text + (f" except {', '.join(self.exclude)}" if self.exclude else "")


def default_sector_path() -> Path:
    """Path of the bundled ``sectors.toml`` (inside the package, so shipped in the wheel)."""
    return Path(str(resources.files("metaltrade_xl.data") / "sectors.toml"))


def load_sector(path: str | Path | None = None) -> Sector:
    """Read a sector definition from TOML (default: the bundled metal-mechanical sector).

    Raises
    ------
    DataError
        Missing file, bad TOML, unknown keys, or codes that are not 2, 4 or 6 digits.

    Examples
    --------
    >>> s = load_sector()
    >>> s.name, s.classify("847130"), s.classify("720851"), s.classify("761010")
    ('metal_mechanical', 1, 0, 1)
    """
    path = default_sector_path() if path is None else Path(path)
    name = path.name
    data = read_toml(path, DataError)
    table = data.get("sector")
    if not isinstance(table, dict):
        raise DataError(f"{name}: expected a [sector] table")
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise DataError(
            f"{name}: sector.{unknown[0]}: unknown key (expected {', '.join(sorted(_KEYS))})"
        )
    if not isinstance(table.get("name"), str) or not table["name"].strip():
        raise DataError(f"{name}: sector.name: expected text")

    def codes(key: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list):
            raise DataError(f"{name}: sector.{key}: expected a list of HS codes as text")
        out = []
        for c in value:
            if not isinstance(c, str):
                # a number here has already lost any leading zero: make the user write text
                raise DataError(
                    f'{name}: sector.{key}: expected HS codes as text ("0101"), got {c!r}'
                )
            c = c.strip().replace(".", "")
            if not c.isdigit() or len(c) not in (2, 4, 6):
                raise DataError(f"{name}: sector.{key}: expected 2, 4 or 6 digits, got '{c}'")
            out.append(c)
        return tuple(out)

    include = codes("include")
    if not include:
        raise DataError(f"{name}: sector.include: empty, expected at least one HS code")
    classification = str(table.get("classification", "HS")).strip()
    if classification.upper() != "HS":
        raise DataError(
            f"{name}: sector.classification: only HS is supported, got '{classification}'"
        )
    return Sector(
        name=table["name"].strip(),
        include=include,
        exclude=codes("exclude"),
        title=str(table.get("title", "")).strip(),
        classification="HS",
        source=name,
    )
