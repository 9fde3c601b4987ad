"""Aggregated trade rows of every format to the tidy layout: ids, sources and notes added."""

from __future__ import annotations

import calendar
from datetime import date

import numpy as np
import pandas as pd

from metaltrade_xl.data import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, WORLD, DataError
from metaltrade_xl.data.sectors import Sector

#: Columns written by :func:`~metaltrade_xl.data.trade.write_tidy`: the tidy layout, then extras
#: that load_figures ignores.
TIDY_COLUMNS = (
    ("id",)
    + REQUIRED_COLUMNS
    + tuple(c for c in OPTIONAL_COLUMNS if c != "id")
    + (
        "sector",
        "reporter_iso",
        "partner_iso",
        "classification",
    )
)

_PUBLISHER = {
    "comtrade": "UN Comtrade (United Nations Statistics Division)",
    "baci": "CEPII (BACI)",
    "tidy": "tidy file",
}
_NOTE = {
    "comtrade": "primaryValue; X = total exports, M = total imports (re-exports/re-imports inside)",
    "baci": "BACI v (thousand USD) / 1000; FOB on both sides: imports are the partners' "
    "reconciled exports, lower than CIF imports in national statistics",
    "tidy": "from a tidy file",
}


def objects(values, index: pd.Index | None = None) -> pd.Series:
    """Text as an object column: converting large text columns to pandas' string type costs more
    than the aggregation, and nothing downstream needs it."""
    return pd.Series(np.asarray(values, dtype=object), dtype=object, index=index, copy=False)


def frame(columns: dict, n: int) -> pd.DataFrame:
    """A DataFrame of ``n`` rows from fresh columns (not copied), all on one index: object arrays
    (and arrays of str) are object columns (see :func:`objects`), the others are taken as they are. Columns that
    share their index object are not aligned: building the frame takes a third of the time it
    takes from columns that each made their own index.
    """
    index = pd.RangeIndex(n)
    return pd.DataFrame(
        {
            name: (
                objects(c, index)
                if isinstance(c, np.ndarray) and c.dtype.kind in "OU"
                else pd.Series(c, index=index, copy=False)
            )
            for name, c in columns.items()
        },
        index=index,
        copy=False,
    )


def constant(text: str, n: int) -> pd.Categorical:
    """``n`` times the same text as a categorical column of one category: a part's column that
    :func:`finish` reads without hashing ``n`` texts (``fmt``, ``files``, ``classification``)."""
    categories = pd.Index(np.array([text], dtype=object), dtype=object)  # not arrow strings
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=categories)


def repeated(text: str, n: int) -> np.ndarray:
    """``n`` times the same text object (``np.full`` would make ``n`` copies of the text)."""
    return np.array([text], dtype=object).repeat(n)


class Part:
    """One file's aggregated rows as columns, already in the order :func:`finish` sorts rows
    into: arrays of ``n`` rows, and one text for a column that is the same in every row
    (``files``, ``fmt``, ``classification``). :func:`finish` takes a part that is the only one as
    it is (a DataFrame of it, read back column by column, cost ~17 % of a 1M-row BACI import's
    work after the parse); with other parts it becomes a DataFrame first (:meth:`frame`).
    """

    def __init__(self, columns: dict, n: int):
        self.columns, self.n = columns, n

    def __len__(self) -> int:
        return self.n

    def frame(self) -> pd.DataFrame:
        """The rows as a DataFrame (the texts as categorical columns of one category), marked
        sorted."""
        out = frame(
            {
                name: constant(c, self.n) if isinstance(c, str) else c
                for name, c in self.columns.items()
            },
            self.n,
        )
        out.attrs["sorted"] = True
        return out


def finish(parts: list[pd.DataFrame | Part], sector: Sector) -> pd.DataFrame:
    """Aggregated rows (columns flow, reporter, reporter_iso, partner, partner_iso, year, months,
    value, files, fmt, classification) of all files -> the tidy layout, :data:`TIDY_COLUMNS`.

    Sorted by reporter, flow, year, months, World first, then the largest partner first, unless
    the only part says it is sorted already (a :class:`Part`, or ``attrs["sorted"]``). The same
    figure from two files is an error.
    """
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=list(TIDY_COLUMNS))
    if len(parts) == 1 and isinstance(parts[0], Part):
        c, n = parts[0].columns, len(parts[0])
        columns = {k: repeated(v, n) if isinstance(v, str) else v for k, v in c.items()}
        return _tidy(sector, columns, np.zeros(n, dtype=np.intp), [c["fmt"]])
    parts = [p.frame() if isinstance(p, Part) else p for p in parts]
    presorted = len(parts) == 1 and parts[0].attrs.get("sorted", False)
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    keys = ["flow", "reporter", "partner", "year", "months"]
    if len(parts) > 1:
        dup = out.duplicated(keys, keep=False)
        if dup.any():
            d = out[dup].sort_values(keys).iloc[:2]
            a, b = d.iloc[0], d.iloc[1]
            raise DataError(
                f"{b['files']}: {a['flow']} of {a['reporter']} from {a['partner']} in "
                f"{a['year']} also come from {a['files']}: the same figures twice"
            )
    if not presorted:
        out = (
            out.assign(_w=out["partner"] != WORLD, _v=-out["value"])
            .sort_values(["reporter", "flow", "year", "months", "_w", "_v"], kind="stable")
            .drop(columns=["_w", "_v"])
            .reset_index(drop=True)
        )
    flow = _text(out["flow"])
    rep, par = _text(out["reporter"]), _text(out["partner"])
    rep_iso, par_iso = _text(out["reporter_iso"]), _text(out["partner_iso"])
    year = out["year"].to_numpy().astype(int)
    months = out["months"].to_numpy().astype(int)
    if presorted and "id" in out.columns:  # made by the part from integer codes (coded_ids)
        ids = out["id"].to_numpy(dtype=object)
    else:
        ids = _ids(
            sector.name,
            flow,
            np.where(rep_iso.astype(bool), rep_iso, rep),  # the ISO code, else the name
            np.where(par_iso.astype(bool), par_iso, par),
            year,
            months,
        )
        if len(set(ids.tolist())) < len(ids):  # two names with one ISO code: fall back to names
            ids = _ids(sector.name, flow, rep, par, year, months)
    fmt = out["fmt"]
    if isinstance(fmt.dtype, pd.CategoricalDtype):  # one part's (constant): its codes as they are
        f_code, f_uniq = fmt.cat.codes.to_numpy(dtype=np.intp), list(fmt.cat.categories)
    else:
        f_code, f_uniq = pd.factorize(fmt)
    classification = out["classification"]
    missing = classification.isna().to_numpy()
    classification = classification.to_numpy(dtype=object)
    if missing.any():  # as fillna(""), which a categorical column would refuse
        classification = np.where(missing, "", classification)
    columns = {
        "id": ids,
        "flow": flow,
        "reporter": rep,
        "partner": par,
        "reporter_iso": rep_iso,
        "partner_iso": par_iso,
        "year": year,
        "months": months,
        "value": out["value"].to_numpy(dtype=float),
        "files": out["files"].to_numpy(dtype=object),
        "classification": classification,
    }
    return _tidy(sector, columns, f_code, f_uniq)


def _tidy(sector: Sector, c: dict, f_code: np.ndarray, f_uniq) -> pd.DataFrame:
    """The tidy layout from a part's columns ``c`` (as :func:`finish` reads them: text as object
    arrays, whole years and months, float values), the format of each row as codes ``f_code``
    into the formats ``f_uniq``."""
    n = len(c["id"])
    months = np.asarray(c["months"], dtype=int)
    m_code, m_uniq = _codes(months)
    notes = np.array(
        [
            f"{sector.describe()}; {_NOTE[f]}"
            + (f"; January-{calendar.month_name[m]}" if m < 12 else "")
            for f in f_uniq
            for m in m_uniq
        ],
        dtype=object,
    )
    publisher = np.array([_PUBLISHER[f] for f in f_uniq], dtype=object)

    def same(text):
        return repeated(text, n)

    return frame(
        {
            "id": np.asarray(c["id"], dtype=object),
            "indicator": np.asarray(c["flow"], dtype=object),
            "reporter": np.asarray(c["reporter"], dtype=object),
            "partner": np.asarray(c["partner"], dtype=object),
            "year": np.asarray(c["year"], dtype=int),
            "months": months,
            "value": np.asarray(c["value"], dtype=float),
            "unit": same("USD million"),
            "lower_bound": np.zeros(n, dtype=bool),
            "source_publisher": publisher[f_code],
            "source_title": np.asarray(c["files"], dtype=object),
            "source_date": same(date.today().isoformat()),
            "quote": same(""),
            "note": notes[f_code * len(m_uniq) + m_code],
            "sector": same(sector.name),
            "reporter_iso": np.asarray(c["reporter_iso"], dtype=object),
            "partner_iso": np.asarray(c["partner_iso"], dtype=object),
            "classification": np.asarray(c["classification"], dtype=object),
        },
        n,  # fresh columns: copying them into one block costs more than making them
    )


def coded_ids(name: str, flows, flow, names, isos, reporter, partner, year, months) -> np.ndarray:
    """The ids :func:`finish` makes from text (``name:flow:reporter:partner:year:monthsm``, each
    country by its ISO code, else its name; by names for all rows if ISO codes make two ids
    equal), for rows given as integer codes: ``flow`` into the distinct texts ``flows``,
    ``reporter`` and ``partner`` into the country tables ``names`` and ``isos``. Text is made once
    per (flow, reporter) and (partner, period). The rows are distinct in their codes (as
    aggregated rows are): their ids are then unique unless two of their countries share a key
    text, which is checked on the country table, then (if so) on the rows' codes, and on the
    texts only if a part contains ':'.

    Examples
    --------
    >>> names = np.array(["Peru", "Chile", "World"], dtype=object)
    >>> isos = np.array(["PER", "", "WLD"], dtype=object)
    >>> coded_ids("s", np.array(["exports", "imports"], dtype=object), np.array([0, 1]),
    ...     names, isos, np.array([0, 0]), np.array([2, 1]), np.array([2024, 2025]),
    ...     np.array([12, 3])).tolist()
    ['s:exports:PER:WLD:2024:12m', 's:imports:PER:Chile:2025:3m']
    >>> coded_ids("s", np.array(["exports"], dtype=object), np.array([0, 0]), names,
    ...     np.array(["PER", "PER", "WLD"], dtype=object), np.array([0, 1]), np.array([2, 2]),
    ...     np.array([2024, 2024]), np.array([12, 12])).tolist()
    ['s:exports:Peru:World:2024:12m', 's:exports:Chile:World:2024:12m']
    """
    names = np.asarray(names, dtype=object)
    isos = np.asarray(isos, dtype=object)
    flow, reporter, partner = (np.asarray(a, dtype=np.int64) for a in (flow, reporter, partner))
    period = np.asarray(year, dtype=np.int64) * 100 + np.asarray(months, dtype=np.int64)
    p_code, p_uniq = _codes(period)

    used = np.zeros(len(names), dtype=bool)
    used[reporter] = used[partner] = True

    def make(key) -> tuple[np.ndarray, bool]:
        k_code, k_uniq = pd.factorize(key)  # a country table: small
        nk, np_ = len(k_uniq), len(p_uniq)
        rk, pk = k_code[reporter], k_code[partner]
        # rows that differ in their codes have different ids unless two of the countries in them
        # share a key text; then only where their rows meet (sorting beats hashing)
        unique = len(np.unique(k_code[used])) == int(used.sum())
        if not unique:
            row_key = np.sort(((flow * nk + rk) * nk + pk) * np_ + p_code)
            unique = not (row_key[1:] == row_key[:-1]).any()
        # the texts of every (flow, reporter) and (partner, period): tables of a few hundred
        head = np.array([f"{name}:{f}:{k}:" for f in flows for k in k_uniq], dtype=object)
        tail = np.array(
            [f"{k}:{p // 100}:{p % 100}m" for k in k_uniq for p in p_uniq.tolist()], dtype=object
        )
        ids = head[flow * nk + rk] + tail[pk * np_ + p_code]
        if unique and any(":" in str(x) for x in [*flows, *k_uniq]):  # ':' in parts can join alike
            unique = len(set(ids.tolist())) == len(ids)
        return ids, unique

    ids, unique = make(np.where(isos.astype(bool), isos, names))  # the ISO code, else the name
    return ids if unique else make(names)[0]


def _codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(values)`` of integers, without hashing when they are all one value (the
    period of a BACI year, its months).

    >>> _codes(np.array([12, 12])), _codes(np.array([3, 12, 3]))[1]
    ((array([0, 0]), array([12])), array([ 3, 12]))
    """
    if len(values) and values.min() == values.max():
        return np.zeros(len(values), dtype=np.intp), values[:1]
    return pd.factorize(values)


def _text(column: pd.Series) -> np.ndarray:
    return column.to_numpy(dtype=object)


def _per_distinct(values, make) -> np.ndarray:
    """``make(value)`` for each value, called once per distinct value (object array)."""
    codes, uniq = pd.factorize(values)
    return np.array([make(u) for u in uniq], dtype=object).reshape(-1)[codes]


def _ids(name: str, flow, reporter, partner, year, months) -> np.ndarray:
    """``f"{name}:{flow}:{reporter}:{partner}:{year}:{months}m"`` per row, each part formatted
    once per distinct value and the parts joined by numpy: the output of a BACI year has ~10^5
    rows, and formatting each one costs more than the aggregation.

    Examples
    --------
    >>> _ids("s", np.array(["exports", "imports"], dtype=object),
    ...      np.array(["PER", "PER"], dtype=object), np.array(["WLD", "CHL"], dtype=object),
    ...      np.array([2024, 2025]), np.array([12, 3])).tolist()
    ['s:exports:PER:WLD:2024:12m', 's:imports:PER:CHL:2025:3m']
    """
    f_code, f_uniq = pd.factorize(flow)
    r_code, r_uniq = pd.factorize(reporter)
    head = _per_distinct(
        f_code * len(r_uniq) + r_code,
        lambda c: f"{name}:{f_uniq[c // len(r_uniq)]}:{r_uniq[c % len(r_uniq)]}:",
    )
    middle = _per_distinct(partner, lambda p: f"{p}:")
    tail = _per_distinct(np.asarray(year) * 100 + months, lambda ym: f"{ym // 100}:{ym % 100}m")
    return head + middle + tail
