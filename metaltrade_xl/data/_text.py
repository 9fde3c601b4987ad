"""CSV files as people save them, and CSV fields no spreadsheet will run as a formula.

Reading
-------
A CSV file saved by Excel in a Spanish locale (es-PE, es-ES) separates fields with ``;``, writes
decimal commas (``2,5``) and is encoded in Windows-1252; Notepad adds a byte-order mark to UTF-8;
Excel's "Unicode text" is UTF-16 with tabs. :func:`read_csv_text` reads all of these:

- encoding: a byte-order mark decides (UTF-8, UTF-16); else UTF-8 if the bytes are valid UTF-8,
  else Windows-1252 (Latin-1 for the five bytes Windows-1252 leaves undefined);
- separator: an Excel ``sep=`` first line, else whichever of ``,`` ``;`` tab splits the header
  into the most fields (outside quotes);
- decimal commas: in a file not separated by commas, a column whose every filled cell is a number
  written with a decimal comma (``-1.234,5``, ``2,5``, ``7``) is read as those numbers.

Writing
-------
Following OWASP's CSV-injection guidance, a text field that a spreadsheet would evaluate (one
starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written with a leading
``'`` (:func:`guard_text`), and every text field is quoted. Our readers remove that quote again
(:func:`unguard_text`), so a guarded file reads back to the same text.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

#: First characters that make a spreadsheet treat a CSV field as a formula (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_GUARDED = re.compile(r"'*[=+\-@\t\r]")  # what guard_text prefixes with one more quote
_UNGUARD = re.compile(r"'+[=+\-@\t\r]")
_DECIMAL_COMMA = re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?")
_SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab"}
_CODECS = {"UTF-8": "utf-8", "UTF-8 with BOM": "utf-8-sig", "Windows-1252": "cp1252",
           "Latin-1": "latin-1"}  # fmt: skip
HOW_TO_SAVE = "in Excel, Save As 'CSV UTF-8 (Comma delimited) (*.csv)'"


def guard_text(text: str) -> str:
    """``text`` as a CSV field no spreadsheet evaluates: a leading ``'`` before a formula start.

    Examples
    --------
    >>> guard_text('=HYPERLINK("http://evil.example")'), guard_text("Chile")
    ('\\'=HYPERLINK("http://evil.example")', 'Chile')
    >>> unguard_text(guard_text("'=x")) == "'=x"
    True
    """
    return "'" + text if _GUARDED.match(text) else text


def unguard_text(text: str) -> str:
    """The text :func:`guard_text` was given (one leading quote before a formula start removed)."""
    return text[1:] if _UNGUARD.match(text) else text


def guard_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells (column names too) are guarded with :func:`guard_text`."""
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype == object:
            col = out[c]
            is_text = col.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
            if is_text.any():
                risky = np.zeros(len(col), dtype=bool)
                risky[is_text] = col[is_text].str.match(_GUARDED).to_numpy(dtype=bool)
                if risky.any():
                    out.loc[risky, c] = "'" + col[risky]
    out.columns = [guard_text(str(c)) for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, path, **options) -> None:
    """``frame.to_csv`` with formula-like text guarded and every text field quoted (UTF-8)."""
    guard_frame(frame).to_csv(
        path, index=False, quoting=csv.QUOTE_NONNUMERIC, encoding="utf-8", **options
    )


def decode(data: bytes) -> tuple[str, str]:
    """Bytes of a text file -> (text, name of the encoding found).

    Examples
    --------
    >>> decode("año".encode("cp1252"))
    ('año', 'Windows-1252')
    >>> decode("\\ufeffaño".encode("utf-8"))
    ('año', 'UTF-8 with BOM')
    >>> decode("año".encode("utf-16"))
    ('año', 'UTF-16')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "UTF-8 with BOM"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "UTF-16"
    head = data[:4096]
    if len(head) >= 4 and head.count(b"\x00") >= len(head) // 4:  # UTF-16 without a BOM
        little = head[1::2].count(b"\x00") > head[0::2].count(b"\x00")
        return data.decode("utf-16-le" if little else "utf-16-be"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "Latin-1"


def sniff_separator(text: str) -> tuple[str, int]:
    """(separator, lines to skip): an Excel ``sep=`` line, else the best of ``,`` ``;`` tab.

    Examples
    --------
    >>> sniff_separator('a;b;"c,d"\\n1;2;3')
    (';', 0)
    >>> sniff_separator("sep=;\\na;b")
    (';', 1)
    >>> sniff_separator("a\\tb\\n")
    ('\\t', 0)
    """
    first = text.split("\n", 1)[0].rstrip("\r")
    hit = re.fullmatch(r'"?sep=(.)"?', first.strip(), re.IGNORECASE)
    if hit:
        return hit.group(1), 1
    outside = re.sub(r'"[^"]*"', "", first)  # quoted fields may hold any separator
    counts = {s: outside.count(s) for s in _SEPARATORS}
    best = max(counts, key=lambda s: (counts[s], s == ","))
    return (best if counts[best] else ","), 0


def describe_read(encoding: str, sep: str) -> str:
    """How a file was read, for messages: ``"read as Windows-1252, semicolon-separated"``."""
    return f"read as {encoding}, {_SEPARATORS.get(sep, repr(sep))}-separated"


def read_csv_text(path: Path, label: str, error: type[Exception] = ValueError) -> pd.DataFrame:
    """A CSV file as text cells ('' for empty), whatever its encoding, separator and decimal mark.

    ``frame.attrs["read_as"]`` says how it was read (see :func:`describe_read`). Guarded fields
    (see :func:`guard_text`) read back as the text that was guarded. A file that cannot be read
    raises ``error`` (the caller's ``DataError``: this module imports nothing of ours) in one line
    naming ``label``.
    """
    try:
        data = Path(path).read_bytes()
    except IsADirectoryError:
        raise error(f"{label}: is a folder, expected a CSV file") from None
    except PermissionError:
        raise error(f"{label}: permission denied (cannot read the file)") from None
    # UTF-8 is the usual case: only the head is decoded here (for the separator); pandas
    # decodes the rest and a bad byte further down means Windows-1252 after all
    for attempt in ("head", "whole"):
        try:
            text, encoding = decode(data if attempt == "whole" else _head(data))
        except UnicodeDecodeError as exc:  # a UTF-16 file cut in the middle of a character
            raise error(
                f"{label}: not readable as {exc.encoding.upper()} text ({exc.reason}); "
                f"{HOW_TO_SAVE}"
            ) from None
        sep, skip = sniff_separator(text)
        how = describe_read(encoding, sep)
        codec = _CODECS.get(encoding)
        if codec is None and attempt == "head":
            continue  # UTF-16: decoded whole, read from the text
        try:
            # the path, not the bytes: pandas' C reader reads a file faster than a BytesIO
            source = path if codec else io.StringIO(text)
            frame = pd.read_csv(
                source, encoding=codec, sep=sep, skiprows=skip, dtype=str, keep_default_na=False
            )
            break
        except UnicodeDecodeError:
            if attempt == "whole":
                raise error(f"{label}: not readable as {encoding} text; {HOW_TO_SAVE}") from None
        except pd.errors.EmptyDataError:
            raise error(f"{label}: the file is empty, expected a header row") from None
        except (pd.errors.ParserError, ValueError) as exc:
            detail = " ".join(str(exc).split())[:160]
            raise error(
                f"{label}: could not be read as CSV ({how}): {detail}; {HOW_TO_SAVE}"
            ) from None
    frame.columns = [unguard_text(str(c)) for c in frame.columns]
    if sep != "," and _has(data, text, ","):
        frame = _decimal_commas(frame)
    if any(_has(data, text, "'" + t) for t in FORMULA_TRIGGERS):  # usually none
        frame = _unguard(frame)
    frame.attrs["read_as"] = how
    return frame


def _head(data: bytes) -> bytes:
    """The first 64 KiB, cut at a line end (a multi-byte character is never split)."""
    if len(data) <= 1 << 16:
        return data
    end = data.rfind(b"\n", 0, 1 << 16)
    return data[: end + 1] if end > 0 else data[: 1 << 16]


def _has(data: bytes, text: str, needle: str) -> bool:
    """``needle`` (ASCII) in the file: searched in the bytes unless it was UTF-16 text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        return needle in text
    return needle.encode("ascii") in data


def _decimal_commas(frame: pd.DataFrame) -> pd.DataFrame:
    for c in frame.columns:
        col = frame[c].str.strip()
        filled = col != ""
        if not filled.any() or not col[filled].str.contains(",", regex=False).any():
            continue
        if col[filled].str.fullmatch(_DECIMAL_COMMA).all():
            frame[c] = col.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    return frame


def _unguard(frame: pd.DataFrame) -> pd.DataFrame:
    for c in frame.columns:
        values = frame[c].to_numpy(dtype=object)
        # a plain loop: pandas' string methods cost ~20 times more on text columns here
        risky = np.fromiter((v[:1] == "'" for v in values), dtype=bool, count=len(values))
        if risky.any():
            values = values.copy()
            values[risky] = [unguard_text(v) for v in values[risky]]
            frame[c] = values
    return frame
