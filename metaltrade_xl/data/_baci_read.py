"""Reading a BACI file fast: pyarrow's parsed blocks as numpy arrays (codes of six digits as
integers, never hashed), pandas where pyarrow is missing, and the first bad cell named when the fast
reader refuses a file. What the rows mean is :mod:`metaltrade_xl.data._baci`'s business.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from metaltrade_xl.data import DataError, check_years
from metaltrade_xl.data._cells import numbers, split_header

COLUMNS = ["t", "i", "j", "k", "v"]


def in_background(fn, *args, enabled: bool = True, **kwargs):
    """Start ``fn(*args, **kwargs)`` on a thread; return a callable that waits for it and gives its
    result or raises its exception. Without threads (Pyodide), or not ``enabled``, ``fn`` runs when
    the callable is called.

    Examples
    --------
    >>> done = in_background(divmod, 7, 2)
    >>> done()
    (3, 1)
    >>> in_background(int, "x")()  # raised on the thread, given to the caller
    Traceback (most recent call last):
    ValueError: invalid literal for int() with base 10: 'x'
    >>> in_background(int, "12", enabled=False)()
    12
    """
    if not enabled:
        return lambda: fn(*args, **kwargs)
    import threading

    box: list = []

    def work():
        try:
            box.append((True, fn(*args, **kwargs)))
        except BaseException as exc:  # handed to the caller's thread
            box.append((False, exc))

    thread = threading.Thread(target=work, name="metaltrade-baci-read", daemon=True)
    try:
        thread.start()
    except RuntimeError:  # no threads in this runtime
        return lambda: fn(*args, **kwargs)

    def result():
        thread.join()
        ok, value = box[0]
        if ok:
            return value
        raise value.with_traceback(None)

    return result


def sniff_header(path: Path) -> tuple[list[str], bool]:
    """Header names and whether the file writes 6-digit codes with their leading zero."""
    with path.open("r", encoding="utf-8-sig", errors="replace") as fh:
        lines = fh.readlines(1 << 16)
    header = [c.lower() for c in split_header(lines[0])] if lines else []
    padded = False
    if "k" in header:
        at = header.index("k")
        for line in lines[1:]:
            cells = line.rstrip("\r\n").split(",")
            if len(cells) > at and cells[at].strip('" ').startswith("0"):
                padded = True
                break
    return header, padded


def read_baci(
    path: Path, label: str, arrow_csv=None, *, header: list[str] | None = None, padded: bool = False
):
    """Blocks of rows ``(t, i, j, k, v)`` in file order (t, i, j int, v float), and whether the
    texts of k are the file's own (not numbers that lost their leading zeros) — fast, or a
    DataError.

    When every code in the file is six digits (what BACI writes), k is an integer array and the
    blocks are pyarrow's parsed blocks, not joined (copying a million rows costs more than
    classifying them); for any other file there is one block, whose k is (unique texts, index
    per row), so that odd codes can be reported.
    ``header`` is the file's header, stripped and lower case (``T`` or `` v `` name the same
    columns as ``t`` and ``v``); default: read from the file. ``padded``: the file writes codes
    with their leading zero (see :func:`sniff_header`).
    """
    names = header if header is not None else sniff_header(path)[0]
    try:
        if arrow_csv is not None:
            return _read_arrow(path, arrow_csv, _unique(names))
        return _read_pandas(path, names, padded)
    except (ValueError, TypeError, OverflowError) as exc:  # pyarrow.ArrowInvalid is a ValueError
        diagnose_baci(path, label)
        raise DataError(
            f"{label}: could not be read as BACI ({type(exc).__name__}: {exc})"
        ) from None


def _read_arrow(path: Path, arrow_csv, names: list[str]):
    import pyarrow as pa

    # k as bytes: six ASCII digits per row become an integer with numpy, without a dictionary
    # (hashing a million texts costs as much as parsing them)
    types = {"t": pa.int32(), "i": pa.int32(), "j": pa.int32(), "k": pa.binary(), "v": pa.float64()}
    table = arrow_csv.read_csv(
        path,
        read_options=arrow_csv.ReadOptions(use_threads=True, column_names=names, skip_rows=1),
        # no texts read as null: a cell such as "" or "NA" fails to convert and is named by
        # diagnose_baci (as a null would be), "nan" reads as NaN and the row check has it named;
        # matching every cell against the null spellings costs ~8 % of the parse
        convert_options=arrow_csv.ConvertOptions(
            include_columns=COLUMNS, column_types=types, strings_can_be_null=False, null_values=[]
        ),
    )
    if any(table.column(c).null_count for c in COLUMNS):
        raise ValueError("empty cell")
    k = table.column("k")
    codes = []
    for chunk in k.chunks if len(k) else ():
        codes.append(_six_digits(chunk))
        if codes[-1] is None:
            break
    blocks = [table.column(c).chunks for c in "tijv"]
    if (
        codes
        and codes[-1] is not None
        and all(len(b) == len(codes) for b in blocks)
        and all(len(b[n]) == len(codes[n]) for b in blocks for n in range(len(codes)))
    ):  # the parsed blocks as they are (no copy), in file order
        return [
            (t.to_numpy(), i.to_numpy(), j.to_numpy(), c, v.to_numpy())
            for t, i, j, v, c in zip(*blocks, codes, strict=True)
        ], True
    else:  # not all six digits: the distinct texts, in order of first appearance
        k = pa.table({"k": k.dictionary_encode()}).unify_dictionaries().column("k")
        uniques = k.chunk(0).dictionary.cast(pa.string()).to_pylist() if k.num_chunks else []
        idx = (
            np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in k.chunks])
            if k.num_chunks
            else np.zeros(0, dtype=np.intp)
        ).astype(np.intp, copy=False)  # bincount and take want intp: convert once
        codes = (uniques, idx)
    t, i, j, v = (table.column(c).to_numpy() for c in "tijv")
    return [(t, i, j, codes, v)], True


def _six_digits(k) -> np.ndarray | None:
    """A pyarrow binary array of six ASCII digits per row as integers, or None if any row is
    another text (other length, a space, a sign, a non-digit)."""
    n = len(k)
    if n == 0:
        return np.zeros(0, dtype=np.int32)
    _, offsets, data = k.buffers()
    off = np.frombuffer(offsets, dtype=np.int32, count=n + 1, offset=k.offset * 4)
    if off[-1] - off[0] != 6 * n or (np.diff(off) != 6).any():
        return None
    d = np.frombuffer(data, dtype=np.uint8, count=6 * n, offset=int(off[0]))  # no copy
    if d.max() > 57 or d.min() < 48:  # a byte outside '0'..'9'
        return None
    d = d.reshape(n, 6)
    code = d[:, 0].astype(np.int32)
    for c in range(1, 6):
        code *= 10
        code += d[:, c]
    code -= 5_333_328  # the characters' 48s: 48 * 111 111
    return code


def _read_pandas(path: Path, names: list[str], padded: bool = False):
    types = {"t": "int64", "i": "int64", "j": "int64", "k": "int64", "v": "float64"}
    exact = False
    given = {"header": 0, "names": _unique(names), "usecols": COLUMNS}
    try:  # codes as numbers are fastest; a file with non-digit codes is read again as text
        frame = pd.read_csv(path, dtype=types, **given)
    except ValueError:
        frame = pd.read_csv(path, dtype={**types, "k": str}, keep_default_na=False, **given)
        exact = True
    k = frame["k"].to_numpy()
    if not exact and len(k) and 10_000 <= k.min() and k.max() <= 999_999:
        if padded or k.min() >= 100_000:
            # Every code six digits once its leading zero is back (silently in a file that
            # writes the zeros, as the texts would be read): classified by the sector's table,
            # without hashing a million codes.
            t, i, j, v = (frame[c].to_numpy() for c in "tijv")
            return [(t, i, j, k, v)], exact
    idx, uniq = pd.factorize(k, sort=False)
    uniques = [str(u) for u in uniq]
    t, i, j, v = (frame[c].to_numpy() for c in "tijv")
    return [(t, i, j, (uniques, idx), v)], exact


def _unique(names: list[str]) -> list[str]:
    """Header names made unique (pandas refuses duplicates in ``names``): ``x``, ``x.1``, …"""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        out.append(f"{n}.{seen[n]}" if n in seen else n)
        seen[n] = seen.get(n, 0) + 1
    return out


def diagnose_baci(path: Path, label: str) -> None:
    """Find the first bad cell of a BACI file that the fast reader refused, and say where."""
    names = _unique(sniff_header(path)[0])
    try:
        raw = pd.read_csv(
            path, dtype=str, keep_default_na=False, header=0, names=names, usecols=COLUMNS
        )
    except UnicodeDecodeError as exc:
        # BACI files are plain ASCII: a byte that is not UTF-8 means a damaged or foreign file
        raise DataError(
            f"{label}: not a text file in UTF-8 (byte {exc.object[exc.start]:#04x} at offset "
            f"{exc.start}); expected a BACI CSV"
        ) from None
    for c in ("t", "i", "j"):
        numbers(raw[c].str.strip(), label, c, whole=True)
    t = raw["t"].str.strip()
    check_years(pd.to_numeric(t).to_numpy(dtype=float), label, "t", np.arange(len(t)) + 2, t)
    numbers(raw["v"].str.strip(), label, "v")
    empty = raw["k"].str.strip() == ""
    if empty.any():
        i = int(np.argmax(empty.to_numpy()))
        raise DataError(f"{label}: row {i + 2}, column k: empty, expected an HS code")
