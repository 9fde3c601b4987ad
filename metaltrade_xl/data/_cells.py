"""Cells of a trade file as text, checked numbers and country names made from them, and the
spreadsheet column letters that error messages name."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from metaltrade_xl.data import DataError

#: Country names as the project spells them (figures, scenarios), for names that sources spell
#: differently. Applied to reporters and partners; ISO codes are kept in extra columns.
NAME_ALIASES = {
    "USA": "United States",
    "United States of America": "United States",
    "Rep. of Korea": "South Korea",
    "Republic of Korea": "South Korea",
}


def csv_header(path: Path) -> list[str]:
    """Column names of a CSV file, from its first line only."""
    with path.open("r", encoding="utf-8-sig", errors="replace") as fh:
        return split_header(fh.readline())


def split_header(line: str) -> list[str]:
    """>>> split_header('"t", i,k\\r\\n')
    ['t', 'i', 'k']
    """
    return [c.strip().strip('"') for c in line.rstrip("\r\n").split(",")]


def read_text_csv(path: Path, encoding: str) -> pd.DataFrame:
    """A CSV file as text cells ('' for empty), in ``encoding`` or else latin-1."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)
    except UnicodeDecodeError:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="latin-1")


def read_raw(item, label: str) -> pd.DataFrame:
    """All cells as stripped text ('' for empty), columns as in the file."""
    if isinstance(item, pd.DataFrame):
        raw = item.copy()
    else:
        path = Path(item)
        if not path.exists():
            raise DataError(f"{label}: no such file")
        try:
            if path.suffix.lower() in (".xlsx", ".xlsm"):
                from metaltrade_xl.data._xlsx import read_sheet

                raw = read_sheet(path)
            else:
                raw = read_text_csv(path, "utf-8-sig")
        except Exception as exc:  # a broken file: one line
            raise DataError(f"{label}: could not be read ({type(exc).__name__}: {exc})") from None
    raw.columns = [str(c).strip() for c in raw.columns]
    for c in raw.columns:
        raw[c] = raw[c].map(_text).astype(object)
    return raw.reset_index(drop=True)


def _text(v) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def col(raw: pd.DataFrame, *names: str) -> str | None:
    """The first of ``names`` that is a column of ``raw`` (ignoring case), as spelled there."""
    low = {c.lower(): c for c in raw.columns}
    return next((low[n.lower()] for n in names if n.lower() in low), None)


def numbers(
    text: pd.Series, label: str, column: str, *, whole=False, negative_ok=False
) -> np.ndarray:
    """Text cells as floats, or a DataError naming the first bad cell's row and column."""
    num = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(num)
    if bad.any():
        i = int(np.argmax(bad))
        got = text.iloc[i]
        raise DataError(
            f"{label}: row {i + 2}, column {column}: expected a number, got "
            + (f"'{got}'" if got else "an empty cell")
        )
    if whole and (num != np.round(num)).any():
        i = int(np.argmax(num != np.round(num)))
        raise DataError(
            f"{label}: row {i + 2}, column {column}: expected a whole number, got {text.iloc[i]}"
        )
    if not negative_ok and (num < 0).any():
        i = int(np.argmax(num < 0))
        raise DataError(
            f"{label}: row {i + 2}, column {column}: expected a value >= 0, got {text.iloc[i]}"
        )
    return num


def alias(names: pd.Series) -> pd.Series:
    """Country names in the project's spelling (:data:`NAME_ALIASES`)."""
    return names.replace(NAME_ALIASES)


def reporter_key(reporter: str) -> str:
    """A reporter as the user gave it, in the project's spelling, lower case, for matching.

    >>> reporter_key(" USA ")
    'united states'
    """
    return NAME_ALIASES.get(reporter.strip(), reporter.strip()).lower()


def files_text(files) -> str:
    """File labels as one text, each once, sorted: ``"a.csv; b.csv"``."""
    return "; ".join(sorted(set(files)))


def column_letter(col: int) -> str:
    """Spreadsheet column letters of a 1-based column number (1 -> A, 28 -> AB)."""
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
