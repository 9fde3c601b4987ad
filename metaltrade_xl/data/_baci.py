"""CEPII BACI files (``t, i, j, k, v, q``; ``v`` in thousand USD) to the sector's totals by
exporter, importer and year, fast: a BACI year has millions of rows.

BACI has one value per exporter -> importer; a reporter's exports are the rows where it is the
exporter ``i``, its imports the rows where it is the importer ``j`` (BACI values are FOB on both
sides, so BACI imports are lower than CIF imports from national statistics). Countries are
numbers, named through BACI's ``country_codes_V*.csv``.

Everything per row is done with numpy on integer codes; text (HS codes, country names) is handled
once per distinct value.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from metaltrade_xl.data import WORLD, DataError
from metaltrade_xl.data._cells import alias, numbers, read_text_csv, reporter_key, split_header
from metaltrade_xl.data._hs import ZERO, hs6_in_sector, hs_codes
from metaltrade_xl.data._output import objects, repeated
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

    t, i, j, uniques, idx, v, exact_text = read_baci(path, label, arrow_csv)
    n = len(t)
    tally.add(label, fmt, "read", "", n)
    if len(v) and not v.min() >= 0:  # one pass; a NaN makes the minimum NaN
        if np.isnan(v).any():
            r = int(np.argmax(np.isnan(v)))
            raise DataError(f"{label}: row {r + 2}, column v: expected a number, got an empty cell")
        r = int(np.argmax(v < 0))
        raise DataError(f"{label}: row {r + 2}, column v: expected a value >= 0, got {v[r]:g}")

    # classify each distinct code once, then spread to rows by index
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

    rejected = {}
    for problem in dict.fromkeys(u_problem[~valid].tolist()):  # in order of first code
        u_mask = u_problem == problem
        rejected[problem] = (int(per_code[u_mask].sum()), first_row(u_mask))
    if u_zero.any() and (exact_text or not padded):
        tally.add(
            label,
            fmt,
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
    t, i, j, v, k = t[rows], i[rows], j[rows], v[rows], u_norm[idx[rows]]
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
    if not pd.Index(full).is_unique:
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
    used = np.union1d(np.unique(rep), np.unique(par[par >= 0]))
    unknown = [int(c) for c in used if names[c] == ""]
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
    order = np.lexsort((-value, par >= 0, year, flow_n, rank[rep]))
    flow_n, rep, par, year, value = flow_n[order], rep[order], par[order], year[order], value[order]
    is_world = par < 0
    par_safe = np.where(is_world, 0, par)
    version = re.search(r"(HS\d+).*?(V\d+)", path.name)
    files = f"{label} ({version.group(1)}, {version.group(2)})" if version else label
    n_out = len(rep)
    out = pd.DataFrame(
        {
            "flow": objects(np.array(["exports", "imports"], dtype=object)[flow_n]),
            "reporter": objects(names[rep]),
            "reporter_iso": objects(isos[rep]),
            "partner": objects(np.where(is_world, WORLD, names[par_safe])),
            "partner_iso": objects(np.where(is_world, "WLD", isos[par_safe])),
            "year": year,
            "months": np.full(n_out, 12),
            "value": value,
            "files": objects(repeated(files, n_out)),
            "fmt": objects(repeated(fmt, n_out)),
            "classification": objects(repeated(version.group(1) if version else "", n_out)),
        },
        copy=False,
    )
    out.attrs["sorted"] = True
    return out, sorted(set(yr.tolist()))


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
            raw = read_text_csv(cpath, "utf-8")
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
    code = numbers(raw["country_code"].astype(str), name, "country_code", whole=True).astype(int)
    return pd.DataFrame(
        {
            "code": code,
            "name": alias(raw[c_name].astype(str).str.strip()).to_numpy(),
            "iso": (
                raw[c_iso].astype(str).str.strip() if c_iso else pd.Series("", index=raw.index)
            ).to_numpy(),
        }
    ).drop_duplicates("code")


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


def read_baci(path: Path, label: str, arrow_csv=None):
    """t, i, j (int), k as (unique texts, index per row), v (float), and whether the texts are
    the file's own (not numbers that lost their leading zeros) — fast, or a DataError."""
    try:
        if arrow_csv is not None:
            return _read_arrow(path, arrow_csv)
        return _read_pandas(path)
    except (ValueError, TypeError, OverflowError) as exc:  # pyarrow.ArrowInvalid is a ValueError
        _diagnose_baci(path, label)
        raise DataError(
            f"{label}: could not be read as BACI ({type(exc).__name__}: {exc})"
        ) from None


def _read_arrow(path: Path, arrow_csv):
    import pyarrow as pa

    types = {
        "t": pa.int32(),
        "i": pa.int32(),
        "j": pa.int32(),
        "k": pa.dictionary(pa.int32(), pa.string()),
        "v": pa.float64(),
    }
    table = arrow_csv.read_csv(
        path,
        convert_options=arrow_csv.ConvertOptions(
            include_columns=_COLUMNS, column_types=types, strings_can_be_null=False
        ),
    )
    if any(table.column(c).null_count for c in _COLUMNS):
        raise ValueError("empty cell")
    table = table.unify_dictionaries()
    kc = table.column("k")
    uniques = kc.chunk(0).dictionary.to_pylist() if kc.num_chunks else []
    idx = (
        np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in kc.chunks])
        if kc.num_chunks
        else np.zeros(0, dtype=np.intp)
    ).astype(np.intp, copy=False)  # bincount and take want intp: convert once
    t, i, j, v = (table.column(c).to_numpy() for c in "tijv")
    return t, i, j, uniques, idx, v, True


def _read_pandas(path: Path):
    types = {"t": "int64", "i": "int64", "j": "int64", "k": "int64", "v": "float64"}
    exact = False
    try:  # codes as numbers are fastest; a file with non-digit codes is read again as text
        frame = pd.read_csv(path, dtype=types)
    except ValueError:
        frame = pd.read_csv(path, dtype={**types, "k": str}, keep_default_na=False)
        exact = True
    idx, uniq = pd.factorize(frame["k"].to_numpy(), sort=False)
    uniques = [str(u) for u in uniq]
    return (
        frame["t"].to_numpy(),
        frame["i"].to_numpy(),
        frame["j"].to_numpy(),
        uniques,
        idx,
        frame["v"].to_numpy(),
        exact,
    )


def _diagnose_baci(path: Path, label: str) -> None:
    """Find the first bad cell of a BACI file that the fast reader refused, and say where."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=_COLUMNS)
    for c in ("t", "i", "j"):
        numbers(raw[c].str.strip(), label, c, whole=True)
    numbers(raw["v"].str.strip(), label, "v")
    empty = raw["k"].str.strip() == ""
    if empty.any():
        i = int(np.argmax(empty.to_numpy()))
        raise DataError(f"{label}: row {i + 2}, column k: empty, expected an HS code")
