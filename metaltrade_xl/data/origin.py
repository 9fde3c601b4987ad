"""Where a set of figures came from: file name, SHA-256, row count, the publishers its rows name.

What a Provenance sheet says about the data, and what a Sources title may credit: the bundled
figures' source only for the bundled file, a user's file by its own publishers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from metaltrade_xl import DATA_VINTAGE

BUNDLED = "bundled figures"


@dataclass(frozen=True)
class DataOrigin:
    """One data file (or workbook sheet) a run read.

    Attributes
    ----------
    label : ``"bundled figures"``, ``"data file"`` or ``"Data sheet of a workbook"``
    name : the file's name (no folder)
    sha256 : hex digest of the file's bytes ("" when there is no file, a live workbook)
    rows : int, figures read from it
    publishers : the distinct ``source_publisher, source_title, source_date`` its rows name
    unattributed : int, rows that name no publisher (credited to the file itself)
    source : for the bundled figures, the release they come from
    """

    label: str
    name: str
    sha256: str
    rows: int
    publishers: tuple[str, ...] = ()
    unattributed: int = 0
    source: str = ""


def sha256_of(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def publishers(figures: pd.DataFrame) -> tuple[tuple[str, ...], int]:
    """The distinct sources the rows name (publisher, title, date), and how many rows name none.

    Examples
    --------
    >>> from metaltrade_xl.data import load_figures
    >>> publishers(load_figures())
    (('SNI-IEES, Perú mantiene un elevado déficit comercial (press release), 2026-01-26',), 0)
    """
    seen: list[str] = []
    none = 0
    cols = [c for c in ("source_publisher", "source_title", "source_date") if c in figures]
    if not cols:
        return (), len(figures)
    # Once per distinct (publisher, title, date), in order of first row: a 50 000-row file
    # names a handful of sources, and a loop over its rows took seconds.
    for key, count in figures.groupby(cols, sort=False, dropna=False).size().items():
        key = key if isinstance(key, tuple) else (key,)
        text = ", ".join(p for p in (str(v or "") for v in key) if p)
        if not text:
            none += int(count)
        elif text not in seen:
            seen.append(text)
    return tuple(seen), none


def file_origin(
    path: str | Path, figures: pd.DataFrame, *, label: str = "data file", source: str = ""
) -> DataOrigin:
    """The origin of ``figures`` read from the file at ``path``."""
    path = Path(path)
    named, none = publishers(figures)
    return DataOrigin(label, path.name, sha256_of(path), len(figures), named, none, source)


def bundled_origin(figures: pd.DataFrame | None = None) -> DataOrigin:
    """The origin of the bundled figures (``metaltrade_xl/data/figures.csv``).

    Examples
    --------
    >>> o = bundled_origin()
    >>> o.label, o.name, o.rows, len(o.sha256), o.source
    ('bundled figures', 'figures.csv', 35, 64, 'SNI-IEES press release, Lima, 2026-01-26')
    """
    from metaltrade_xl.data import bundled_path, load_figures

    figures = load_figures() if figures is None else figures
    return file_origin(bundled_path(), figures, label=BUNDLED, source=DATA_VINTAGE)


def credit(origin: DataOrigin) -> str:
    """Words crediting the data: its publishers, and the file for rows that name none.

    Examples
    --------
    >>> credit(DataOrigin("data file", "mine.csv", "", 3, ("INEI, Boletín, 2026",), 1))
    'INEI, Boletín, 2026; 1 row(s) name no publisher: mine.csv'
    >>> credit(DataOrigin("data file", "mine.csv", "", 2, (), 2))
    'mine.csv (its rows name no publisher)'
    """
    if not origin.publishers:
        return f"{origin.name} (its rows name no publisher)"
    text = "; ".join(origin.publishers)
    if origin.unattributed:
        text += f"; {origin.unattributed} row(s) name no publisher: {origin.name}"
    return text


def borrow_rival_exports(figures, rivals, name: str):
    """Figures of a ``--data`` file, plus the bundled exports of each rival the file has no
    exports of at all (a fetched file holds the reporter's trade; the rival may be missing), and
    a sentence for each rival borrowed.

    Examples
    --------
    >>> from metaltrade_xl.data import load_figures
    >>> peru = load_figures()
    >>> peru = peru[peru["reporter"] == "Peru"]
    >>> more, notes = borrow_rival_exports(peru, ["Chile", "Chile"], "mine.csv")
    >>> len(more) - len(peru), notes
    (1, ['data: mine.csv has no exports of Chile; using the bundled figures for them'])
    """
    import pandas as pd

    from metaltrade_xl.data import WORLD, load_figures
    from metaltrade_xl.data.nowcast import Notice

    exports = figures[figures["indicator"].str.lower() == "exports"]
    have = set(exports["reporter"].str.lower().unique())  # the distinct names, then a set
    bundled, notes = None, []
    for rival in dict.fromkeys(rivals):
        if rival.lower() in have:
            continue
        bundled = load_figures() if bundled is None else bundled
        rows = bundled[
            (bundled["indicator"] == "exports")
            & (bundled["reporter"].str.lower() == rival.lower())
            & (bundled["partner"] == WORLD)
        ]
        if len(rows):
            figures = pd.concat([figures, rows], ignore_index=True)
            have.add(rival.lower())
            text = f"data: {name} has no exports of {rival}; using the bundled figures for them"
            notes.append(Notice(text, "rival_borrowed", file=name, rival=rival))
    return figures, notes
