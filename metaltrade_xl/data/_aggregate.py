"""Row-level trade records (Comtrade, tidy) to the sector's totals by partner, with World rows.

Decides which rows count: the selected reporter, annual over monthly rows, the finest HS level
given, codes in the sector, no duplicates, one HS revision per period; and how many months a
partial year covers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metaltrade_xl.data import WORLD, DataError
from metaltrade_xl.data._cells import files_text, reporter_key
from metaltrade_xl.data._hs import sector_status
from metaltrade_xl.data._summary import Reasons, Tally
from metaltrade_xl.data.sectors import COARSE, IN, OUT, Sector


def aggregate_records(rec: pd.DataFrame, sector: Sector, reporter, tally: Tally) -> pd.DataFrame:
    """Records of all row-level files -> rows of exports/imports by reporter, partner and period
    (World included), with the files they come from; the tally gets kept and rejected counts."""
    reason = Reasons(rec["reason"])

    if reporter is not None:
        want = reporter_key(reporter)
        mine = (rec["reporter"].str.lower() == want) | (rec["reporter_iso"].str.lower() == want)
        if not mine.any():
            found = ", ".join(sorted(rec["reporter"].unique())[:10])
            files = ", ".join(rec["file"].unique())
            raise DataError(
                f"{files}: reporter '{reporter}' not in the file(s) (column reporter); "
                f"reporters found: {found}"
            )
        reason.reject(~mine, "reporter not selected")

    # annual rows win over monthly rows of the same reporter, flow and year
    period = ["reporter", "flow", "year"]
    annual = rec[reason.ok & (rec["month"] == 0)][period].drop_duplicates()
    has_annual = (
        rec[period].merge(annual.assign(_a=True), how="left", on=period)["_a"].fillna(False)
    )
    reason.reject(
        (rec["month"] > 0) & has_annual.to_numpy(dtype=bool),
        "monthly row for a year that also has annual rows (annual used)",
    )

    # sector and aggregate levels (Comtrade codes only; tidy rows carry no code)
    coded = rec["code"] != ""
    cls = np.full(len(rec), IN)
    cls[coded.to_numpy()] = sector_status(rec.loc[coded, "code"], sector)
    grp = (
        rec["reporter"]
        + "|"
        + rec["partner"]
        + "|"
        + rec["flow"]
        + "|"
        + rec["year"].astype(str)
        + "|"
        + rec["month"].astype(str)
        + "|"
        + rec["classification"]
    )
    ok = reason.ok & coded
    for n in (2, 4):
        finer = ok & (rec["code"].str.len() > n)
        keys = (grp[finer] + "|" + rec.loc[finer, "code"].str[:n]).unique()
        agg = ok & (rec["code"].str.len() == n) & (grp + "|" + rec["code"]).isin(keys)
        reason.reject(agg, f"HS{n} aggregate whose detail is in the file (the detail is used)")
    reason.reject(
        cls == COARSE,
        f"HS code coarser than the {sector.name} definition (it is partly in "
        "the sector): download at heading or subheading level",
    )
    reason.reject(cls == OUT, f"HS code outside sector {sector.name}")

    # duplicates: the same key twice (in one file or across files)
    key = grp + "|" + rec["code"] + "|" + rec["months"].astype(str)
    ok = reason.ok
    dup = key.duplicated(keep=False) & ok
    if dup.any():
        d = rec[dup].assign(key=key[dup])
        spread = d.groupby("key")["value"].transform(lambda v: v.max() - v.min())
        if (spread > 1e-12).any():
            bad = d[spread > 1e-12]
            first, second = bad.iloc[0], bad[bad["key"] == bad.iloc[0]["key"]].iloc[1]
            raise DataError(
                f"{second['file']}: row {second['row']}, column value: duplicates row "
                f"{first['row']} of {first['file']} with a different value"
            )
        reason.reject(
            key.duplicated(keep="first") & ok,
            "duplicate row (same key and value as an earlier row)",
        )

    # HS revisions: two in one reporter/flow/year is the same trade twice; across years, a warning
    kept = rec[reason.ok]
    classes = kept.groupby(period)["classification"].nunique()
    if (classes > 1).any():
        r, f, y = classes[classes > 1].index[0]
        bad = kept[(kept["reporter"] == r) & (kept["flow"] == f) & (kept["year"] == y)]
        first = bad.iloc[0]
        second = bad[bad["classification"] != first["classification"]].iloc[0]
        if second["file"] != first["file"]:  # e.g. a tidy file (no HS revision) and a download
            raise DataError(
                f"{second['file']}: row {second['row']}: {r} {f} {y} also come from "
                f"{first['file']} (row {first['row']}): the same trade from two files?"
            )
        column = ", column classificationCode" if second["fmt"] == "comtrade" else ""
        shown = ", ".join(c or "(none)" for c in sorted(bad["classification"].unique()))
        raise DataError(
            f"{second['file']}: row {second['row']}{column}: {r} {f} {y} mixes {shown} "
            "(the same trade in two HS revisions?)"
        )
    per_rep = kept.groupby(["reporter", "flow"])["classification"].nunique()
    if (per_rep > 1).any():
        for (r, f), _ in per_rep[per_rep > 1].items():
            sub = kept[(kept["reporter"] == r) & (kept["flow"] == f)]
            revs = ", ".join(sub.groupby("classification")["year"].min().sort_values().index)
            tally.add(
                sub["file"].iloc[0],
                sub["fmt"].iloc[0],
                "warning",
                f"{r} {f}: years in different HS revisions ({revs}); the sector's chapters and "
                "headings compare across revisions, check headings that moved",
                len(sub),
                int(sub["row"].iloc[0]),
            )

    for (file, fmt), g in rec.groupby(["file", "fmt"], sort=False):
        r = reason.series[g.index]
        tally.add(file, fmt, "kept", "", int((r == "").sum()))
        tally.add_reasons(file, fmt, r, g["row"])

    kept = rec[reason.ok].copy()
    # monthly coverage: January to the last month, without gaps
    monthly = kept["month"] > 0
    if monthly.any():
        cover = kept[monthly].groupby(period)["month"].agg(["max", "nunique"])
        gaps = cover[cover["max"] != cover["nunique"]]
        if len(gaps):
            r, f, y = gaps.index[0]
            g = kept[monthly & (kept["reporter"] == r) & (kept["flow"] == f) & (kept["year"] == y)]
            present = sorted(g["month"].unique())
            raise DataError(
                f"{g['file'].iloc[0]}: column refMonth: {r} {f} {y} has months "
                f"{', '.join(map(str, present))}; expected January to a month without gaps"
            )
        last = kept[period].merge(cover["max"].rename("last").reset_index(), how="left", on=period)
        kept.loc[monthly, "months"] = last["last"].to_numpy()[monthly.to_numpy()]
    kept["months"] = kept["months"].astype(int)

    keys = ["flow", "reporter", "reporter_iso", "year", "months"]
    pk = keys + ["partner", "partner_iso"]
    partners = (
        kept[~kept["is_world"]].groupby(pk + ["file"], sort=False)["value"].sum().reset_index()
    )
    partners = partners.groupby(pk, sort=False).agg(
        value=("value", "sum"), files=("file", files_text)
    )
    partners = partners.reset_index()
    # World: the file's World row where given (it includes unallocated trade), else partners' sum,
    # decided code by code so a file mixing both is not double counted
    by_code = keys + ["code"]
    p_code = kept[~kept["is_world"]].groupby(by_code)["value"].sum()
    w_code = kept[kept["is_world"]].groupby(by_code)["value"].sum()
    world = w_code.combine_first(p_code).groupby(level=keys).sum().rename("value").reset_index()
    if len(w_code):  # tidy rows (code '') give partial partner lists on purpose: not checked
        both = w_code.index.intersection(p_code.index)
        both = both[both.get_level_values("code") != ""]
        off = (w_code[both] - p_code[both]).abs() > 0.005 * w_code[both].abs() + 1e-9
        if off.any():
            tally.add(
                ", ".join(kept.loc[kept["code"] != "", "file"].unique()),
                "comtrade",
                "warning",
                "partners do not add up to the file's World row (> 0.5 %); the World row is used",
                int(off.sum()),
            )
    wf = kept.groupby(keys)["file"].agg(files_text).rename("files")
    world = world.merge(wf.reset_index(), on=keys, how="left")
    world["partner"], world["partner_iso"] = WORLD, "WLD"
    fmts = kept.groupby("file")["fmt"].first().to_dict()
    out = pd.concat([world, partners], ignore_index=True)
    out["fmt"] = out["files"].map(lambda f: fmts.get(f.split("; ")[0], "comtrade"))
    cl = kept.groupby(period)["classification"].first().rename("classification")
    return out.merge(cl.reset_index(), on=period, how="left")
