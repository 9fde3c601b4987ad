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
from metaltrade_xl.data._cells import (
    NAME_ALIASES,
    numbers,
    read_text_csv,
    reporter_key,
    split_header,
)
from metaltrade_xl.data._hs import ZERO, hs6_in_sector, hs6_table, hs_codes
from metaltrade_xl.data._output import coded_ids, constant, objects
from metaltrade_xl.data._summary import Tally
from metaltrade_xl.data.sectors import Sector

_COLUMNS = ["t", "i", "j", "k", "v"]


def baci_file(
    path: Path, label: str, sector: Sector, reporter, codes_given, tally: Tally, *, arrow_csv=None
) -> tuple[pd.DataFrame, list[int]]:
    """One BACI file -> (aggregated rows for :func:`~metaltrade_xl.data._output.finish`, years).

    ``arrow_csv`` is ``pyarrow.csv`` when it may be used (the optional extra ``fast``), else None;
    the caller decides, so one switch governs every BACI read.
    """
    fmt = "baci"
    if not path.exists():
        raise DataError(f"{label}: no such file")
    header, padded = _sniff_k(path)
    missing = [c for c in _COLUMNS if c not in header]
    if missing:
        raise DataError(f"{label}: missing column(s) {', '.join(missing)}")
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

    t, i, j, k, v, exact_text = read_baci(path, label, arrow_csv, padded=padded, header=header)
    n = len(t)
    tally.add(label, fmt, "read", "", n)
    if len(v) and not v.min() >= 0:  # one pass; a NaN makes the minimum NaN
        if np.isnan(v).any():
            r = int(np.argmax(np.isnan(v)))
            raise DataError(f"{label}: row {r + 2}, column v: expected a number, got an empty cell")
        r = int(np.argmax(v < 0))
        raise DataError(f"{label}: row {r + 2}, column v: expected a value >= 0, got {v[r]:g}")

    if n:
        check_years(t, label, "t", range(2, n + 2))
        _check_codes(i, label, "i")
        _check_codes(j, label, "j")

    rejected = {}
    if isinstance(k, np.ndarray):  # every code six digits: classified by a table lookup per row
        row_in = hs6_table(sector)[k]
        rows = np.flatnonzero(row_in)
        if len(rows) < n:
            rejected[f"HS code outside sector {sector.name}"] = (
                n - len(rows),
                int(np.argmin(row_in)) + 2,  # the first False
            )
        k = k[rows]
    else:
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
    m = int(max(i.max(initial=0), j.max(initial=0))) + 1
    pair = ((t64 - tmin) * m + i) * m + j
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
    codes_, uniq = pd.factorize(pair)
    total = np.bincount(codes_, weights=v, minlength=len(uniq)) / 1e3  # thousand USD -> million
    yr = uniq // (m * m) + tmin
    ex = (uniq // m) % m
    im = uniq % m
    flows, reps, pars, years, vals = [], [], [], [], []
    for n_flow, rep, par in ((0, ex, im), (1, im, ex)):
        take = np.ones(len(uniq), dtype=bool) if sel is None else np.isin(rep, sel)
        rep, par, y, val = rep[take], par[take], yr[take], total[take]
        # World: the sum over partners, per reporter and year
        w_codes, w_uniq = pd.factorize(rep * 10_000 + (y - tmin))
        flows += [np.full(len(w_uniq) + len(rep), n_flow)]
        reps += [w_uniq // 10_000, rep]
        pars += [np.full(len(w_uniq), -1), par]
        years += [w_uniq % 10_000 + tmin, y]
        vals += [np.bincount(w_codes, weights=val, minlength=len(w_uniq)), val]
    flow_n, rep, par = np.concatenate(flows), np.concatenate(reps), np.concatenate(pars)
    year, value = np.concatenate(years).astype(int), np.concatenate(vals)

    size = max(int(countries["code"].max()) + 1, m)
    names = np.array([""] * size, dtype=object)
    isos = names.copy()
    names[countries["code"]] = countries["name"].to_numpy()
    isos[countries["code"]] = countries["iso"].to_numpy()
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
    # the order of the output (reporter name, flow, year, World first, largest partner first),
    # sorted on numbers: sorting the strings later costs more than the whole aggregation
    rank = np.zeros(size, dtype=np.int64)
    rank[np.argsort(names.astype(str), kind="stable")] = np.arange(size)
    # one integer key for (reporter, flow, year, World first), then two stable sorts: by value,
    # then by key (a radix sort when the key fits 16 bits) - the same order as a lexsort
    y0, ny = (int(year.min()), int(year.max()) - int(year.min()) + 1) if len(year) else (0, 1)
    key = ((rank[rep] * 2 + flow_n) * ny + (year - y0)) * 2 + (par >= 0)
    if size * 4 * ny <= 1 << 16:
        key = key.astype(np.uint16)
    order = np.argsort(-value, kind="stable")
    order = order[np.argsort(key[order], kind="stable")]
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
    out = pd.DataFrame(
        {
            "id": objects(
                coded_ids(sector.name, flows, flow_n, names, isos, rep, par, year, months)
            ),
            "flow": objects(flows[flow_n]),
            "reporter": objects(names[rep]),
            "reporter_iso": objects(isos[rep]),
            "partner": objects(names[par]),
            "partner_iso": objects(isos[par]),
            "year": year,
            "months": months,
            "value": value,
            "files": constant(files, n_out),
            "fmt": constant(fmt, n_out),
            "classification": constant(version.group(1) if version else "", n_out),
        },
        copy=False,
    )
    out.attrs["sorted"] = True
    return out, sorted(set(yr.tolist()))


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


def _check_codes(codes, label: str, column: str, texts=None) -> None:
    codes = np.asarray(codes)
    if codes.size and codes.min() >= 0 and codes.max() <= MAX_COUNTRY_CODE:
        return  # the usual case: two SIMD passes, no mask of a million rows
    bad = (codes < 0) | (codes > MAX_COUNTRY_CODE)
    if bad.any():
        r = int(np.argmax(bad))
        raise DataError(
            f"{label}: row {r + 2}, column {column}: expected a country code from 0 to "
            f"{MAX_COUNTRY_CODE}, got {texts[r] if texts is not None else f'{codes[r]:.0f}'}"
        )


def _sniff_k(path: Path) -> tuple[list[str], bool]:
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
    """t, i, j (int), k, v (float), and whether the texts of k are the file's own (not numbers
    that lost their leading zeros) — fast, or a DataError.

    k is either an integer array, when every code in the file is six digits (what BACI writes),
    or (unique texts, index per row) for any other file, so that odd codes can be reported.
    ``header`` is the file's header, stripped and lower case (``T`` or `` v `` name the same
    columns as ``t`` and ``v``); default: read from the file. ``padded``: the file writes codes
    with their leading zero (see :func:`_sniff_k`).
    """
    names = header if header is not None else _sniff_k(path)[0]
    try:
        if arrow_csv is not None:
            return _read_arrow(path, arrow_csv, _unique(names))
        return _read_pandas(path, names, padded)
    except (ValueError, TypeError, OverflowError) as exc:  # pyarrow.ArrowInvalid is a ValueError
        _diagnose_baci(path, label)
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
        convert_options=arrow_csv.ConvertOptions(
            include_columns=_COLUMNS, column_types=types, strings_can_be_null=False
        ),
    )
    if any(table.column(c).null_count for c in _COLUMNS):
        raise ValueError("empty cell")
    k = table.column("k")
    codes = []
    for chunk in k.chunks if len(k) else ():
        codes.append(_six_digits(chunk))
        if codes[-1] is None:
            break
    if codes and codes[-1] is not None:
        codes = np.concatenate(codes)
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
    return t, i, j, codes, v, True


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
    d = np.frombuffer(data, dtype=np.uint8, count=6 * n, offset=int(off[0])) - np.uint8(48)
    if d.max() > 9:  # below '0' wraps around to large numbers too
        return None
    d = d.reshape(n, 6)
    code = d[:, 0].astype(np.int32)
    for c in range(1, 6):
        code *= 10
        code += d[:, c]
    return code


def _read_pandas(path: Path, names: list[str], padded: bool = False):
    types = {"t": "int64", "i": "int64", "j": "int64", "k": "int64", "v": "float64"}
    exact = False
    given = {"header": 0, "names": _unique(names), "usecols": _COLUMNS}
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
            return tuple(frame[c].to_numpy() for c in "tij") + (k, frame["v"].to_numpy(), exact)
    idx, uniq = pd.factorize(k, sort=False)
    uniques = [str(u) for u in uniq]
    return (
        frame["t"].to_numpy(),
        frame["i"].to_numpy(),
        frame["j"].to_numpy(),
        (uniques, idx),
        frame["v"].to_numpy(),
        exact,
    )


def _unique(names: list[str]) -> list[str]:
    """Header names made unique (pandas refuses duplicates in ``names``): ``x``, ``x.1``, …"""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        out.append(f"{n}.{seen[n]}" if n in seen else n)
        seen[n] = seen.get(n, 0) + 1
    return out


def _diagnose_baci(path: Path, label: str) -> None:
    """Find the first bad cell of a BACI file that the fast reader refused, and say where."""
    names = _unique(_sniff_k(path)[0])
    try:
        raw = pd.read_csv(
            path, dtype=str, keep_default_na=False, header=0, names=names, usecols=_COLUMNS
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
