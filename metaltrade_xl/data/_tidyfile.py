"""Files already in the tidy layout (exports and imports by partner) as trade records."""

from __future__ import annotations

import numpy as np
import pandas as pd

from metaltrade_xl.data import WORLD, DataError, tidy_figures
from metaltrade_xl.data._cells import alias
from metaltrade_xl.data._comtrade import FLOWS
from metaltrade_xl.data._summary import Reasons, Tally
from metaltrade_xl.data.sectors import Sector

_USD_SCALE = {
    "usd million": 1.0,
    "usd millions": 1.0,
    "usd thousand": 1e-3,
    "usd": 1e-6,
    "usd billion": 1e3,
}


def tidy_records(raw: pd.DataFrame, label: str, sector: Sector, tally: Tally) -> pd.DataFrame:
    """Tidy text cells as records in USD millions; rows of other indicators or sectors get a
    ``reason``."""
    fmt = "tidy"
    raw = raw.rename(columns=lambda c: c.lower())
    if "indicator" not in raw.columns and "flow" in raw.columns:
        raw["indicator"] = raw["flow"].str.upper().map(FLOWS).fillna(raw["flow"].str.lower())
    if "months" not in raw.columns:
        raw["months"] = "12"
    fig = tidy_figures(raw, label)  # validates and types; its messages name file, row, column
    n = len(fig)
    tally.add(label, fmt, "read", "", n)
    reason = Reasons(n)
    ind = fig["indicator"].str.lower()
    reason.reject(~ind.isin(["exports", "imports"]), "not a trade flow (indicator " + ind + ")")
    if "sector" in raw.columns:
        other = (raw["sector"] != "") & (raw["sector"] != sector.name)
        reason.reject(other, "another sector (" + raw["sector"] + ")")
    unit = fig["unit"].str.lower()
    scale = unit.map(_USD_SCALE)
    unknown = scale.isna() & reason.ok
    if unknown.any():
        i = int(np.argmax(unknown.to_numpy()))
        raise DataError(
            f"{label}: row {i + 2}, column unit: expected USD million (or USD, USD "
            f"thousand, USD billion), got '{fig['unit'].iloc[i]}'"
        )
    converted = (scale != 1.0) & reason.ok
    if converted.any():
        tally.add(
            label,
            fmt,
            "warning",
            "value converted to USD million from another USD unit",
            int(converted.sum()),
            int(fig["row"][converted].iloc[0]),
        )
    world = fig["partner"].str.lower() == "world"
    return pd.DataFrame(
        {
            "file": label,
            "row": fig["row"],
            "year": fig["year"],
            "month": 0,
            "months": fig["months"],
            "flow": ind,
            "reporter": alias(fig["reporter"]),
            "reporter_iso": raw.get("reporter_iso", pd.Series("", index=raw.index)),
            "partner": fig["partner"].where(~world, WORLD).pipe(alias),
            "partner_iso": raw.get("partner_iso", pd.Series("", index=raw.index)).where(
                ~world, "WLD"
            ),
            "is_world": world,
            "code": "",
            "classification": "",
            "value": fig["value"] * scale.fillna(1.0),
            "reason": reason.series,
            "fmt": fmt,
        }
    )
