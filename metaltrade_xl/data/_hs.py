"""HS codes as text: is a code well formed, did it lose its leading zero, is it in the sector."""

from __future__ import annotations

import numpy as np
import pandas as pd

from metaltrade_xl.data.sectors import Sector

#: The ``problem`` of a code that was one digit short and got its leading zero back.
ZERO = "zero"


def hs_code(code: str, length: int | None) -> tuple[str, str]:
    """(normalised code or '', problem): problem is '' (fine), ``ZERO`` (leading zero restored)
    or a rejection reason. ``length`` 6 for BACI; None for Comtrade (2, 4 or 6 digits).

    Examples
    --------
    >>> hs_code("8471", None), hs_code("10121", 6), hs_code("7308", 6), hs_code("TOTAL", None)
    (('8471', ''), ('010121', 'zero'), ('', 'HS code with 4 digits, expected 6'), ('', "HS code 'TOTAL' is not a number"))
    """
    if not code.isdigit():
        return "", f"HS code '{code}' is not a number"
    n = len(code)
    if (length is None and n in (2, 4, 6)) or n == length:
        return code, ""
    if (length is None and n in (1, 3, 5)) or (length is not None and n == length - 1):
        return "0" + code, ZERO
    want = "2, 4 or 6" if length is None else str(length)
    return "", f"HS code with {n} digits, expected {want}"


def hs_codes(texts, length: int | None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`hs_code` for many texts, worked out once per distinct text: (codes, problems) as
    object arrays.

    Examples
    --------
    >>> codes, problems = hs_codes(["8471", "101", "8471"], None)
    >>> codes.tolist(), problems.tolist()
    (['8471', '0101', '8471'], ['', 'zero', ''])
    """
    idx, uniq = pd.factorize(np.asarray(texts, dtype=object))
    pairs = [hs_code(str(u).strip(), length) for u in uniq]
    codes = np.array([c for c, _ in pairs], dtype=object)
    problems = np.array([p for _, p in pairs], dtype=object)
    return codes[idx], problems[idx]


def sector_status(codes, sector: Sector) -> np.ndarray:
    """:meth:`Sector.classify` of each code (IN 1, OUT 0, COARSE -1), once per distinct code.

    Examples
    --------
    >>> sector_status(["730890", "74", "730890", "76"], Sector("demo", include=("73", "7610")))
    array([ 1,  0,  1, -1])
    """
    idx, uniq = pd.factorize(np.asarray(codes, dtype=object))
    return np.asarray(sector.classify_many(uniq.tolist()), dtype=int).reshape(-1)[idx]


def hs6_in_sector(codes: np.ndarray, sector: Sector) -> np.ndarray:
    """Whether each 6-digit code (as an integer) is in the sector: :meth:`Sector.classify_many`
    for full-length codes (never COARSE), with numpy instead of one set lookup per code.

    Examples
    --------
    >>> s = Sector("demo", include=("73", "7610", "847130"), exclude=("7302",))
    >>> hs6_in_sector(np.array([730890, 730210, 761090, 847130, 847141, 10121]), s).tolist()
    [True, False, True, True, False, False]
    """
    codes = np.asarray(codes, dtype=np.int64)
    parts = {2: codes // 10_000, 4: codes // 100, 6: codes}

    def starts_with(prefixes) -> np.ndarray:
        hit = np.zeros(len(codes), dtype=bool)
        for n, part in parts.items():
            # other lengths (or non-digits) never equal a 2-, 4- or 6-digit part, as in classify_many
            mine = [int(p) for p in prefixes if len(p) == n and p.isdigit()]
            if mine:
                hit |= np.isin(part, mine)
        return hit

    return starts_with(sector.include) & ~starts_with(sector.exclude)


def hs6_table(sector: Sector) -> np.ndarray:
    """:func:`hs6_in_sector` of every 6-digit code 000000-999999 as one boolean table, so that a
    column of codes (as integers) is classified by indexing: ``hs6_table(s)[codes]``. A prefix of
    ``n`` digits is a run of ``10 ** (6 - n)`` consecutive codes, so the table is built from slices.

    Examples
    --------
    >>> s = Sector("demo", include=("73", "7610", "847130"), exclude=("7302",))
    >>> hs6_table(s)[[730890, 730210, 761090, 847130, 847141, 10121]].tolist()
    [True, False, True, True, False, False]
    """

    def runs(prefixes) -> np.ndarray:
        hit = np.zeros(1_000_000, dtype=bool)
        for n in (2, 4, 6):
            # the same prefixes as hs6_in_sector: other lengths and non-digits match nothing
            for p in [int(p) for p in prefixes if len(p) == n and p.isdigit()]:
                width = 10 ** (6 - n)
                hit[p * width : (p + 1) * width] = True
        return hit

    return runs(sector.include) & ~runs(sector.exclude)
