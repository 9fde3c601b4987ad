"""UN Comtrade Plus rows (a download or a ``comtradeapicall`` DataFrame) as trade records.

``X`` is total exports and ``M`` total imports; re-exports (``RX``), re-imports (``RM``),
domestic exports (``DX``) and foreign imports (``FM``) are parts of them and are rejected with a
reason, never added a second time. Rows that break a total down (second partner, customs
procedure, mode of transport) are rejected for the same reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metaltrade_xl.data import WORLD, DataError, check_years
from metaltrade_xl.data._cells import alias, col, numbers
from metaltrade_xl.data._hs import ZERO, hs_codes
from metaltrade_xl.data._summary import Reasons, Tally

FLOWS = {"X": "exports", "M": "imports"}
_SUBFLOWS = {
    "RX": "re-exports (RX) are already inside X, not added twice",
    "RM": "re-imports (RM) are already inside M, not added twice",
    "DX": "domestic exports (DX) are already inside X, not added twice",
    "FM": "foreign imports (FM) are already inside M, not added twice",
}
_BREAKDOWNS = {  # Comtrade columns whose non-total values split a total: keeping them double counts
    "partner2Code": (("0", "W00", ""), "second partner"),
    "customsCode": (("C00", ""), "customs procedure"),
    "motCode": (("0", ""), "mode of transport"),
}


def comtrade_records(raw: pd.DataFrame, label: str, tally: Tally) -> pd.DataFrame:
    """Comtrade text cells (from :func:`~metaltrade_xl.data._cells.read_raw`) as records: one row
    per file row, with a ``reason`` ('' = kept so far) for rows that cannot be used."""
    fmt = "comtrade"
    c_year = col(raw, "refYear")
    c_period = col(raw, "period")
    c_flow = col(raw, "flowCode")
    c_cmd = col(raw, "cmdCode")
    c_val = col(raw, "primaryValue")
    c_rep = col(raw, "reporterDesc", "reporterISO")
    c_par = col(raw, "partnerDesc", "partnerISO")
    missing = [
        n
        for n, c in (
            ("refYear", c_year or c_period),
            ("flowCode", c_flow),
            ("cmdCode", c_cmd),
            ("primaryValue", c_val),
            ("reporterDesc or reporterISO", c_rep),
            ("partnerDesc or partnerISO", c_par),
        )
        if c is None
    ]
    if missing:
        raise DataError(f"{label}: missing column(s) {', '.join(missing)}")
    n = len(raw)
    tally.add(label, fmt, "read", "", n)
    row = pd.Series(np.arange(n) + 2)
    reason = Reasons(n)

    out = pd.DataFrame({"file": label, "row": row})
    years = numbers(
        raw[c_year] if c_year else raw[c_period].str[:4], label, c_year or c_period, whole=True
    )
    given = raw[c_year] if c_year else raw[c_period].str[:4]
    check_years(years, label, c_year or c_period, np.arange(n) + 2, given.to_numpy())
    out["year"] = years.astype(int)
    month = np.zeros(n, dtype=int)
    c_month = col(raw, "refMonth")
    if c_month:
        m = pd.to_numeric(raw[c_month], errors="coerce").fillna(0).to_numpy()
        month = np.where((m >= 1) & (m <= 12), m, 0).astype(int)
    elif c_period:
        p = raw[c_period]
        month = np.where(p.str.len() == 6, pd.to_numeric(p.str[4:], errors="coerce").fillna(0), 0)
        month = month.astype(int)
    out["month"] = month
    out["months"] = np.where(month == 0, 12, 0)

    flow = raw[c_flow].str.upper()
    out["flow"] = flow.map(FLOWS).fillna("")
    reason.reject(flow.isin(list(_SUBFLOWS)), flow.map(_SUBFLOWS))
    reason.reject(
        out["flow"] == "", "flow code " + flow.map(lambda f: f"'{f}'") + " is neither X nor M"
    )
    for key, (totals, what) in _BREAKDOWNS.items():
        c = col(raw, key)
        if c:
            reason.reject(
                ~raw[c].isin(totals),
                f"breakdown by {what} ({c} not {totals[0]}): only totals "
                "are kept, to avoid double counting",
            )

    c_rep_iso, c_par_iso = col(raw, "reporterISO"), col(raw, "partnerISO")
    out["reporter"] = alias(raw[c_rep])
    out["reporter_iso"] = raw[c_rep_iso] if c_rep_iso else ""
    out["partner"] = alias(raw[c_par])
    out["partner_iso"] = raw[c_par_iso] if c_par_iso else ""
    for name, c in (("reporter", c_rep), ("partner", c_par)):
        empty = out[name] == ""
        if empty.any():
            i = int(np.argmax(empty.to_numpy()))
            raise DataError(f"{label}: row {i + 2}, column {c}: empty, expected a country")
    c_pcode = col(raw, "partnerCode")
    world = (out["partner"].str.lower() == "world") | out["partner_iso"].isin(["W00", "WLD"])
    if c_pcode:
        world |= raw[c_pcode] == "0"
    out["is_world"] = world.to_numpy()
    out.loc[world, ["partner", "partner_iso"]] = [WORLD, "WLD"]

    cmd = raw[c_cmd].str.replace(".", "", regex=False)
    reason.reject(
        cmd.str.upper() == "TOTAL", "all-products total (cmdCode TOTAL), not a product code"
    )
    code, problem = hs_codes(cmd, None)
    out["code"] = code
    reason.reject(~np.isin(problem, ["", ZERO]), problem)
    zero = (problem == ZERO) & reason.ok.to_numpy()
    if zero.any():
        tally.add(
            label,
            fmt,
            "warning",
            "HS code lost its leading zero (odd number of digits); read with the zero restored",
            int(zero.sum()),
            int(row[zero].iloc[0]),
        )

    c_class = col(raw, "classificationCode")
    out["classification"] = raw[c_class] if c_class else ""
    out["value"] = numbers(raw[c_val], label, c_val) / 1e6
    out["reason"] = reason.series
    out["fmt"] = fmt
    return out
