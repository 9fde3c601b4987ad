"""CEPII BACI files (``t, i, j, k, v, q``; ``v`` in thousand USD) to the sector's totals by
exporter, importer and year, fast: a BACI year has millions of rows.

BACI has one value per exporter -> importer; a reporter's exports are the rows where it is the
exporter ``i``, its imports the rows where it is the importer ``j`` (BACI values are FOB on both
sides, so BACI imports are lower than CIF imports from national statistics). Countries are
numbers, named through BACI's ``country_codes_V*.csv``.

Everything per row is done with numpy on integer codes; text (HS codes, country names) is handled
once per distinct value. A file whose codes are all six digits (BACI as published) never hashes
them: the digits become integers and a table of the sector's codes classifies each row.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from metaltrade_xl.data import WORLD, DataError, check_years
from metaltrade_xl.data._baci_read import (
    COLUMNS,
    diagnose_baci,
    in_background,
    read_baci,
    sniff_header,
)
from metaltrade_xl.data._cells import (
    NAME_ALIASES,
    numbers,
    read_text_csv,
    reporter_key,
)
from metaltrade_xl.data._hs import ZERO, hs6_in_sector, hs6_table, hs_codes
from metaltrade_xl.data._output import Part, coded_ids
from metaltrade_xl.data._summary import Tally
from metaltrade_xl.data.sectors import Sector


def baci_file(
    path: Path, label: str, sector: Sector, reporter, codes_given, tally: Tally, *, arrow_csv=None
) -> tuple[Part, list[int]]:
    """One BACI file -> (aggregated rows for :func:`~metaltrade_xl.data._output.finish`, sorted
    as it sorts them; years).

    ``arrow_csv`` is ``pyarrow.csv`` when it may be used (the optional extra ``fast``), else None;
    the caller decides, so one switch governs every BACI read.
    """
    fmt = "baci"
    if not path.exists():
        raise DataError(f"{label}: no such file")
    header, padded = sniff_header(path)
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise DataError(f"{label}: missing column(s) {', '.join(missing)}")
    # pyarrow parses with the GIL released: the country table and the reporter are read meanwhile.
    # A mistake found there (no country table, a reporter that is no country) is raised at once,
    # not after the parse of a file of millions of rows, which ends on its own, unread.
    parsed = in_background(
        read_baci,
        path,
        label,
        arrow_csv,
        padded=padded,
        header=header,
        enabled=arrow_csv is not None,
    )
    countries = country_table(path, label, codes_given)
    sel = None
    if reporter is not None:
        want = reporter_key(reporter)
        hit = (
            (countries["name"].str.lower() == want)
            | (countries["iso"].str.lower() == want)
            | (countries["code"].astype(str) == want)
        )
        if not hit.any():
            raise DataError(
                f"{label}: reporter '{reporter}' is not a country of the BACI country codes"
            )
        sel = countries.loc[hit, "code"].to_numpy()

    # while the parse runs: the sector's table of codes, the country tables and names' order
    table = hs6_table(sector)
    c_codes = countries["code"].to_numpy()
    names = np.full(int(c_codes.max()) + 1, "", dtype=object)
    isos = names.copy()
    names[c_codes] = countries["name"].to_numpy()
    isos[c_codes] = countries["iso"].to_numpy()
    rank = _name_rank(names)
    parts, exact_text = parsed()
    n = sum(len(part[0]) for part in parts)
    tally.add(label, fmt, "read", "", n)

    def diagnose():  # names a bad cell the fast reader could not, reading the file's text
        diagnose_baci(path, label)

    rejected = {}
    if all(isinstance(part[3], np.ndarray) for part in parts):
        # every code six digits: each block checked and classified by a table lookup per row as
        # parsed, so that only the kept rows (a tenth, for the metal-mechanical sector) are copied
        rows, (t, i, j, k, v), first_out = _kept_rows(parts, table, label, diagnose)
        if first_out is not None:
            rejected[f"HS code outside sector {sector.name}"] = (n - len(rows), first_out)
    else:
        _check_rows(parts, label, diagnose)
        ((t, i, j, k, v),) = parts  # read whole, with the distinct texts of k
        rows, k = _classify_texts(k, sector, padded, exact_text, rejected, label, tally)
        t, i, j, v = t[rows], i[rows], j[rows], v[rows]
    if sel is not None:
        mine = np.isin(i, sel) | np.isin(j, sel)
        if (~mine).any():
            rejected["neither exporter nor importer is the selected reporter"] = (
                int((~mine).sum()),
                int(rows[np.argmax(~mine)]) + 2,
            )
        rows, t, i, j, v, k = rows[mine], t[mine], i[mine], j[mine], v[mine], k[mine]

    t64 = t.astype(np.int64)
    tmin = int(t64.min()) if len(t64) else 0
    ny = int(t64.max()) - tmin + 1 if len(t64) else 1
    m = int(max(i.max(initial=0), j.max(initial=0))) + 1
    # the countries in the rows numbered 0, 1, ... (a few hundred of the codes up to m): every
    # (year, exporter, importer) then has a place in a table small enough to sum into
    present = np.zeros(m, dtype=bool)
    present[i] = present[j] = True
    country = np.flatnonzero(present)  # number -> code
    nc = len(country)
    number = np.cumsum(present) - 1  # code -> number
    pair = ((t64 - tmin) * nc + number[i]) * nc + number[j]
    full = pair * 1_000_000 + k
    ordered = np.sort(full)  # a SIMD sort of the kept rows costs a fifth of hashing them
    if (ordered[1:] == ordered[:-1]).any():
        s = pd.Series(v)
        dup_all = pd.Series(full).duplicated(keep=False).to_numpy()
        spread = s[dup_all].groupby(full[dup_all]).agg(lambda x: x.max() - x.min())
        if (spread > 0).any():
            key = spread.index[np.argmax(spread.to_numpy() > 0)]
            r = rows[np.flatnonzero(full == key)[:2]] + 2
            raise DataError(
                f"{label}: row {r[1]}, column v: duplicates row {r[0]} (same t, i, j, k) "
                "with a different value"
            )
        dup = pd.Series(full).duplicated(keep="first").to_numpy()
        rejected["duplicate row (same t, i, j, k and value as an earlier row)"] = (
            int(dup.sum()),
            int(rows[np.argmax(dup)]) + 2,
        )
        keep = ~dup
        rows, t64, i, j, v, pair = rows[keep], t64[keep], i[keep], j[keep], v[keep], pair[keep]

    tally.add(label, fmt, "kept", "", len(rows))
    for reason, (count, first) in rejected.items():
        tally.add(label, fmt, "rejected", reason, count, first)

    # aggregate to exporter -> importer -> year; exports and imports are the same sums, read twice
    # (in the order of year, exporter's number, importer's number; each sum in file order)
    uniq, total = _sums(pair, v, ny * nc * nc)
    total /= 1e3  # thousand USD -> million
    yr = uniq // (nc * nc) + tmin
    ex = country[(uniq // nc) % nc]
    im = country[uniq % nc]
    flows, reps, pars, years, vals = [], [], [], [], []
    for n_flow, rep, par in ((0, ex, im), (1, im, ex)):
        take = np.ones(len(uniq), dtype=bool) if sel is None else np.isin(rep, sel)
        rep, par, y, val = rep[take], par[take], yr[take], total[take]
        # World: the sum over partners, per reporter and year (partners in the order above)
        w_uniq, w_total = _sums(rep * ny + (y - tmin), val, m * ny)
        flows += [np.full(len(w_uniq) + len(rep), n_flow)]
        reps += [w_uniq // ny, rep]
        pars += [np.full(len(w_uniq), -1), par]
        years += [w_uniq % ny + tmin, y]
        vals += [w_total, val]
    flow_n, rep, par = np.concatenate(flows), np.concatenate(reps), np.concatenate(pars)
    year, value = np.concatenate(years).astype(int), np.concatenate(vals)

    if m > len(names):  # codes beyond the country table: named below, if used
        names = np.concatenate([names, np.full(m - len(names), "", dtype=object)])
        isos = np.concatenate([isos, np.full(m - len(isos), "", dtype=object)])
        rank = None
    size = len(names)
    used = np.zeros(size, dtype=bool)
    used[rep] = True
    used[par[par >= 0]] = True
    unknown = np.flatnonzero(used & (names == "")).tolist()
    if unknown:
        tally.add(
            label,
            fmt,
            "warning",
            f"country code(s) {', '.join(map(str, unknown[:5]))} not in "
            "the country table; kept under their number",
            len(unknown),
        )
        for c in unknown:
            names[c] = str(c)
        rank = None
    # the order of the output (reporter name, flow, year, World first, largest partner first,
    # equal values by partner code), sorted on numbers: sorting the strings later costs more
    # than the whole aggregation
    if rank is None:
        rank = _name_rank(names)
    # one integer key for (reporter, flow, year, World first), then the largest value first
    y0, ny = (int(year.min()), int(year.max()) - int(year.min()) + 1) if len(year) else (0, 1)
    key = ((rank[rep] * 2 + flow_n) * ny + (year - y0)) * 2 + (par >= 0)
    order = _key_then_largest(key, value, size * 4 * ny)
    flow_n, rep, par, year, value = flow_n[order], rep[order], par[order], year[order], value[order]
    # World as one more country, so that partners index one table
    names = np.append(names, np.array([WORLD], dtype=object))
    isos = np.append(isos, np.array(["WLD"], dtype=object))
    par = np.where(par < 0, size, par)
    version = re.search(r"(HS\d+).*?(V\d+)", path.name)
    files = f"{label} ({version.group(1)}, {version.group(2)})" if version else label
    n_out = len(rep)
    months = np.full(n_out, 12)
    flows = np.array(["exports", "imports"], dtype=object)
    out = Part(
        {
            "id": coded_ids(sector.name, flows, flow_n, names, isos, rep, par, year, months),
            "flow": flows[flow_n],
            "reporter": names[rep],
            "reporter_iso": isos[rep],
            "partner": names[par],
            "partner_iso": isos[par],
            "year": year,
            "months": months,
            "value": value,
            "files": files,
            "fmt": fmt,
            "classification": version.group(1) if version else "",
        },
        n_out,
    )
    return out, np.unique(yr).tolist()


def _sums(key: np.ndarray, weights: np.ndarray, keys: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of ``key`` (integers from 0 to ``keys - 1``) in increasing order, and
    the sum of ``weights`` over each one's rows, added in row order.

    One table of every possible key when there are not many more of them than rows (no
    hashing), else by factorizing.

    Examples
    --------
    >>> _sums(np.array([5, 2, 5, 7]), np.array([1.0, 0.0, 2.5, 3.0]), 8)
    (array([2, 5, 7]), array([0. , 3.5, 3. ]))
    >>> _sums(np.array([5, 2, 5]), np.array([1.0, 0.0, 2.5]), 10**9)
    (array([2, 5]), array([0. , 3.5]))
    """
    if keys <= max(4 * len(key), 1 << 16):
        seen = np.zeros(keys, dtype=bool)
        seen[key] = True
        uniq = np.flatnonzero(seen)
        return uniq, np.bincount(key, weights=weights, minlength=keys)[uniq]
    codes, uniq = pd.factorize(key, sort=True)
    return uniq, np.bincount(codes, weights=weights, minlength=len(uniq))


def _name_rank(names: np.ndarray) -> np.ndarray:
    """Each name's place in the alphabetical order of ``names`` (equal names in table order)."""
    rank = np.zeros(len(names), dtype=np.int64)
    rank[np.argsort(names.astype(str), kind="stable")] = np.arange(len(names))
    return rank


def _kept_rows(parts, table: np.ndarray, label: str = "", diagnose=None):
    """The rows of blocks ``(t, i, j, k, v)`` (k six-digit codes as integers) whose code is True
    in ``table``: (row numbers from 0, [t, i, j, k, v] of those rows, the first row out of the
    table as a file row number or None).

    Each block is checked (:func:`_check_rows`), classified and its kept rows copied while it is
    in the cache (the parsed columns of a million rows are read from memory once, not three
    times); the copies go into arrays with room for every row, of which only the kept part is
    ever written. A block that fails a check has every block checked, so that the message names
    the file's first bad cell (``label`` and ``diagnose`` as in :func:`_check_rows`).

    Examples
    --------
    >>> table = np.zeros(1_000_000, dtype=bool)
    >>> table[847490] = True
    >>> block = (np.array([2024, 2024]), np.array([604, 152]),
    ...     np.array([152, 604]), np.array([847490, 270900]), np.array([5.0, 7.0]))
    >>> rows, (t, i, j, k, v), first_out = _kept_rows([block, block], table)
    >>> rows.tolist(), i.tolist(), v.tolist(), first_out
    ([0, 2], [604, 604], [5.0, 5.0], 3)
    """
    n = sum(len(part[3]) for part in parts)
    rows = np.empty(n, dtype=np.int64)
    # read_baci gives at least one block (an empty file: one of no rows)
    columns = [np.empty(n, dtype=parts[0][c].dtype) for c in (0, 1, 2, 3, 4)]
    at, start, first_out = 0, 0, None
    for part in parts:
        try:
            _check_rows([part], label)
        except DataError:  # named as in the whole file: the first bad cell of all, in order
            _check_rows(parts, label, diagnose)
            raise
        k = part[3]
        row_in = table.take(k)  # take: ~30 % less than table[k] on a million codes
        (r,) = row_in.nonzero()
        if first_out is None and len(r) < len(k):
            first_out = start + int(np.argmin(row_in)) + 2  # the first False
        end = at + len(r)
        np.add(r, start, out=rows[at:end])
        for out, c in zip(columns, (0, 1, 2, 3, 4), strict=True):
            # mode="clip": the rows are in range, and "raise" would gather into a copy first
            part[c].take(r, out=out[at:end], mode="clip")
        at, start = end, start + len(k)
    return rows[:at], [c[:at] for c in columns], first_out


def _key_then_largest(key: np.ndarray, value: np.ndarray, keys: int) -> np.ndarray:
    """The order of rows by ``key`` (integers below ``keys``), then by ``value`` from the
    largest, then as given: ``np.lexsort((np.arange(n), -value, key))``.

    Each value's rank (equal values one rank) and the row's position make, with the key, one
    integer per row, all different: one unstable SIMD sort of integers orders them, where two
    stable sorts (values, then keys) take twice as long. Keys too many for that take the two.

    Examples
    --------
    >>> _key_then_largest(np.array([1, 0, 1, 0, 1]), np.array([2.0, 5.0, 3.0, 5.0, 2.0]), 2)
    array([1, 3, 2, 0, 4])
    """
    n = len(value)
    if keys * n * n >= 1 << 62:
        order = np.argsort(-value, kind="stable")
        return order[np.argsort(key[order], kind="stable")]
    by_value = np.argsort(-value)  # equal values in any order: their rank is what counts
    ordered = value[by_value]
    rank = np.zeros(n, dtype=np.int64)
    rank[by_value[1:]] = np.cumsum(ordered[1:] != ordered[:-1])
    return np.argsort((key.astype(np.int64) * n + rank) * n + np.arange(n))


def _check_rows(parts, label: str, diagnose=None) -> None:
    """Refuse, naming the first as in one array of all rows, an empty or negative v, a year out
    of range, a country code out of range; each check over every block before the next check.
    A v that is not a number (an empty cell to pandas, a "nan" to either reader) is named by
    ``diagnose`` when given (it reads the file's text and raises), which quotes the cell.
    """
    starts = np.cumsum([0, *(len(part[0]) for part in parts)])[:-1].tolist()
    if not all(not len(part[4]) or part[4].min() >= 0 for part in parts):  # NaN gives NaN
        if diagnose is not None and any(np.isnan(part[4]).any() for part in parts):
            diagnose()
        for start, part in zip(starts, parts, strict=True):
            if np.isnan(part[4]).any():
                r = int(start + np.argmax(np.isnan(part[4])))
                raise DataError(
                    f"{label}: row {r + 2}, column v: expected a number, got an empty cell"
                )
        for start, part in zip(starts, parts, strict=True):
            v = part[4]
            if (v < 0).any():
                r = int(np.argmax(v < 0))
                raise DataError(
                    f"{label}: row {start + r + 2}, column v: expected a value >= 0, got {v[r]:g}"
                )
    for start, part in zip(starts, parts, strict=True):
        check_years(part[0], label, "t", range(start + 2, start + len(part[0]) + 2))
    for column, at in (("i", 1), ("j", 2)):
        for start, part in zip(starts, parts, strict=True):
            _check_codes(part[at], label, column, first=start + 2)


def _classify_texts(k, sector: Sector, padded: bool, exact_text: bool, rejected, label, tally):
    """Codes given as (distinct texts, index per row): each text classified once, then spread to
    the rows. Returns the rows in the sector and their codes (int); reasons go to ``rejected``."""
    uniques, idx = k
    u_code, u_problem = hs_codes(uniques, 6)
    valid = np.isin(u_problem, ["", ZERO])
    u_zero = u_problem == ZERO
    u_norm = np.zeros(len(uniques), dtype=np.int64)
    u_norm[valid] = u_code[valid].astype(np.int64)
    u_in = valid & hs6_in_sector(u_norm, sector)
    per_code = np.bincount(idx, minlength=len(uniques))

    def first_row(u_mask) -> int:
        # in blocks: a reason's first row is nearly always near the top, and the file is long
        for start in range(0, len(idx), 1 << 16):
            hit = u_mask[idx[start : start + (1 << 16)]]
            if hit.any():
                return start + int(np.argmax(hit)) + 2
        return 0

    for problem in dict.fromkeys(u_problem[~valid].tolist()):  # in order of first code
        u_mask = u_problem == problem
        rejected[problem] = (int(per_code[u_mask].sum()), first_row(u_mask))
    if u_zero.any() and (exact_text or not padded):
        tally.add(
            label,
            "baci",
            "warning",
            "HS code written without its leading zero (5 digits); read "
            "as 6 digits with the zero restored",
            int(per_code[u_zero].sum()),
            first_row(u_zero),
        )
    out_codes = valid & ~u_in
    out_rows = int(per_code[out_codes].sum())
    if out_rows:
        rejected[f"HS code outside sector {sector.name}"] = (out_rows, first_row(out_codes))
    rows = np.flatnonzero(u_in[idx])
    return rows, u_norm[idx[rows]]


def country_table(path: Path, label: str, given) -> pd.DataFrame:
    """BACI country codes: code -> name (project spelling), iso3."""
    if isinstance(given, pd.DataFrame):
        raw, name = given, "country_codes"
    else:
        if given is not None:
            cpath = Path(given)
        else:
            found = sorted(path.parent.glob("country_codes_V*.csv"))
            version = re.search(r"_V(\d+)", path.name)
            match = [f for f in found if version and version.group(0) in f.name]
            if not found:
                raise DataError(f"{label}: no country_codes_V*.csv next to it; pass country_codes")
            cpath = (match or found)[-1]
        name = cpath.name
        try:
            raw = read_text_csv(cpath, name)
        except FileNotFoundError:
            raise DataError(f"{name}: no such file") from None
    raw = raw.rename(columns=lambda c: str(c).strip().lower())
    c_name = next(
        (
            c
            for c in ("country_name", "country_name_abbreviation", "country_name_full")
            if c in raw.columns
        ),
        None,
    )
    c_iso = next((c for c in ("country_iso3", "iso_3digit_alpha") if c in raw.columns), None)
    if "country_code" not in raw.columns or c_name is None:
        raise DataError(f"{name}: missing column(s) country_code, country_name")
    if raw.empty:
        raise DataError(
            f"{name}: no countries, only a header row; expected BACI's country_codes file "
            "(one row per country code)"
        )
    code = numbers(raw["country_code"].astype(str), name, "country_code", whole=True)
    _check_codes(code, name, "country_code", raw["country_code"].astype(str).to_numpy())
    code = code.astype(int)
    names = raw[c_name].astype(str).str.strip().to_numpy(dtype=object)
    table = pd.DataFrame(
        {
            "code": code,
            # alias() one name at a time: a dict lookup costs less than Series.replace here
            "name": np.array([NAME_ALIASES.get(x, x) for x in names.tolist()], dtype=object),
            "iso": (
                raw[c_iso].astype(str).str.strip() if c_iso else pd.Series("", index=raw.index)
            ).to_numpy(),
        }
    )
    return table[~pd.Index(code).duplicated()]  # as drop_duplicates("code"): the first stays


#: Largest country code accepted: BACI numbers countries with ISO 3166 numeric codes (3 digits);
#: tables are indexed by code, so a code of 10^20 must be refused, not allocated.
MAX_COUNTRY_CODE = 9999


def _check_codes(codes, label: str, column: str, texts=None, *, first: int = 2) -> None:
    """Refuse a country code below 0 or above :data:`MAX_COUNTRY_CODE`, naming its row (the first
    code is row ``first``)."""
    codes = np.asarray(codes)
    if codes.dtype.kind == "i" and codes.size:
        # the usual case, in one SIMD pass (no mask of a million rows): read as unsigned, a
        # negative code is larger than any allowed one
        if codes.view(codes.dtype.str.replace("i", "u")).max() <= MAX_COUNTRY_CODE:
            return
    elif codes.size and codes.min() >= 0 and codes.max() <= MAX_COUNTRY_CODE:
        return
    bad = (codes < 0) | (codes > MAX_COUNTRY_CODE)
    if bad.any():
        r = int(np.argmax(bad))
        raise DataError(
            f"{label}: row {r + first}, column {column}: expected a country code from 0 to "
            f"{MAX_COUNTRY_CODE}, got {texts[r] if texts is not None else f'{codes[r]:.0f}'}"
        )
