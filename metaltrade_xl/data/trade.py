"""Product-level trade data in (UN Comtrade Plus, CEPII BACI, the tidy layout), a sector out.

:func:`import_trade` reads files, keeps the sector's HS codes, and aggregates them to exports and
imports by reporter, partner and year, in the tidy layout of :mod:`metaltrade_xl.data` (values in
USD millions, one ``World`` row per reporter, flow and period). :func:`write_tidy` writes that to
.csv or .xlsx. Every row read is either kept or rejected with a reason, and the summary counts them
(read = kept + rejected); warnings count kept rows that needed a repair (a restored leading zero).

Flows
-----
Comtrade ``X`` is total exports and ``M`` total imports. Re-exports (``RX``), re-imports (``RM``),
domestic exports (``DX``) and foreign imports (``FM``) are parts of ``X`` and ``M``: they are
rejected with a reason, never added a second time. BACI has one value per exporter → importer;
a reporter's exports are the rows where it is the exporter ``i``, its imports the rows where it is
the importer ``j`` (BACI values are FOB on both sides, so BACI imports are lower than CIF imports
from national statistics).

Partial years
-------------
Monthly Comtrade rows (``refMonth`` 1-12 or a 6-digit ``period``) are summed into a partial year:
``months`` = the last month present, which must run from January without gaps.

Layout
------
This module is the public face; the work is done by private modules, one question each:
``_cells`` (file cells as text, numbers, country names), ``_hs`` (HS codes and the sector),
``_comtrade`` and ``_tidyfile`` (row-level records), ``_aggregate`` (records to totals),
``_baci`` (BACI files to totals, vectorised), ``_output`` (totals to the tidy layout) and
``_summary`` (what was read, kept and rejected).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from metaltrade_xl._io import atomic_path, saved_together
from metaltrade_xl.data import WORLD, DataError
from metaltrade_xl.data._aggregate import aggregate_records
from metaltrade_xl.data._baci import baci_file
from metaltrade_xl.data._cells import NAME_ALIASES, csv_header, read_raw
from metaltrade_xl.data._comtrade import comtrade_records
from metaltrade_xl.data._output import TIDY_COLUMNS, finish
from metaltrade_xl.data._summary import SUMMARY_COLUMNS, ImportResult, Tally
from metaltrade_xl.data._text import write_csv
from metaltrade_xl.data._tidyfile import tidy_records
from metaltrade_xl.data.sectors import Sector, load_sector

try:  # optional: a faster, multi-threaded CSV reader for BACI files (the extra ``fast``)
    import pyarrow as pa
    import pyarrow.csv as pa_csv
except ImportError:  # pragma: no cover - depends on the environment
    pa = pa_csv = None

__all__ = [
    "FORMATS",
    "NAME_ALIASES",
    "SUMMARY_COLUMNS",
    "TIDY_COLUMNS",
    "ImportResult",
    "detect_format",
    "import_trade",
    "partner_values",
    "write_tidy",
]

FORMATS = ("comtrade", "baci", "tidy")


def import_trade(
    paths,
    fmt: str | None = None,
    *,
    sector: Sector | str | Path | None = None,
    reporter: str | None = None,
    country_codes: str | Path | pd.DataFrame | None = None,
) -> ImportResult:
    """Read trade files and aggregate them to a sector's exports and imports by partner and year.

    Parameters
    ----------
    paths : path, DataFrame, or a list of them
        CSV or xlsx files (or DataFrames, e.g. from ``comtradeapicall``). BACI ``country_codes_V*``
        files in the list are used as the country table, not imported.
    fmt : {"comtrade", "baci", "tidy"}, optional
        Default: detected from each file's columns.
    sector : Sector or path of a sector TOML, optional
        Default: the bundled metal-mechanical sector (``sectors.toml``).
    reporter : str, optional
        Keep one reporter (name, ISO3 code, or BACI numeric code); default all.
    country_codes : path or DataFrame, optional
        BACI country table; default the ``country_codes_V*.csv`` next to each BACI file.

    Returns
    -------
    ImportResult
        ``tidy`` in the tidy layout (USD millions) and ``summary`` of rows read, kept, rejected.

    Raises
    ------
    DataError
        One line naming file, row and column: missing column, non-numeric or negative value,
        conflicting duplicate, mixed HS revisions in one period, a reporter not in the files.

    Examples
    --------
    >>> raw = pd.DataFrame({"refYear": [2024, 2024, 2024], "reporterDesc": "Peru",
    ...     "flowCode": ["M", "M", "RX"], "partnerDesc": ["China", "Chile", "Chile"],
    ...     "cmdCode": ["8471", "0101", "8471"], "primaryValue": [5e6, 1e6, 2e6]})
    >>> r = import_trade(raw, "comtrade")
    >>> r.tidy[["indicator", "partner", "value"]].values.tolist()
    [['imports', 'World', 5.0], ['imports', 'China', 5.0]]
    >>> r.counts()[["read", "kept", "rejected"]].values.tolist()
    [[3, 1, 2]]
    """
    items = [paths] if isinstance(paths, (str, Path, pd.DataFrame)) else list(paths)
    if not items:
        raise DataError("no files to import")
    if fmt is not None and fmt not in FORMATS:
        raise DataError(f"format: expected one of {', '.join(FORMATS)}, got '{fmt}'")
    sector = sector if isinstance(sector, Sector) else load_sector(sector)
    tally = Tally()
    codes_files = [p for p in items if not isinstance(p, pd.DataFrame) and _is_codes_file(p)]
    items = [p for p in items if not any(p is c for c in codes_files)]
    if country_codes is None and codes_files:
        country_codes = codes_files[0]
    records, parts, labels, baci_years = [], [], [], {}
    for n, item in enumerate(items):
        label = f"DataFrame {n + 1}" if isinstance(item, pd.DataFrame) else Path(item).name
        labels.append(label)
        kind = fmt or detect_format(item)
        if kind == "baci":
            if isinstance(item, pd.DataFrame):
                raise DataError(f"{label}: BACI is read from its CSV files, not from a DataFrame")
            part, years = baci_file(
                Path(item), label, sector, reporter, country_codes, tally, arrow_csv=pa_csv
            )
            for y in years:
                if y in baci_years:
                    raise DataError(
                        f"{label}: year {y} is also in {baci_years[y]} (the same data read twice?)"
                    )
                baci_years[y] = label
            parts.append(part)
        else:
            raw = read_raw(item, label)
            if kind == "comtrade":
                records.append(comtrade_records(raw, label, tally))
            else:
                records.append(tidy_records(raw, label, sector, tally))
    if records:
        parts.append(
            aggregate_records(pd.concat(records, ignore_index=True), sector, reporter, tally)
        )
    summary = tally.frame()
    tidy = finish(parts, sector)
    if reporter is not None and tidy.empty:
        raise DataError(f"{', '.join(labels)}: reporter '{reporter}' not in the file(s)")
    if tidy.empty:
        rej = summary[summary["outcome"] == "rejected"].sort_values("rows", ascending=False)
        most = f" (most: {rej.iloc[0].reason}, {rej.iloc[0].rows} rows)" if len(rej) else ""
        raise DataError(f"{', '.join(labels)}: nothing kept for {sector.name}{most}")
    return ImportResult(tidy, summary, sector)


def write_tidy(result: ImportResult, out_path: str | Path, *, force: bool = False) -> list[Path]:
    """Write the tidy figures to .csv or .xlsx atomically (temp file, then ``os.replace``);
    an existing file is replaced only with ``force``.

    An .xlsx gets two sheets, ``figures`` (first, so :func:`~metaltrade_xl.data.load_figures`
    reads it) and ``import_summary``; a .csv gets the summary next to it as
    ``<name>_summary.csv``. Returns the paths written.
    """
    out = Path(out_path)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise DataError(f"{out.name}: expected a .csv or .xlsx output file, got '{out.suffix}'")
    tidy = result.tidy.loc[:, list(TIDY_COLUMNS)]
    if suffix == ".xlsx":
        if len(tidy) >= 1_048_576:
            raise DataError(f"{out.name}: {len(tidy)} rows do not fit in a sheet; write a .csv")

        def write(tmp):
            with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
                for sheet, frame in (("figures", tidy), ("import_summary", result.summary)):
                    frame.to_excel(xl, sheet_name=sheet, index=False)
                    _text_not_formulas(xl.sheets[sheet], frame)

        with atomic_path(out, force=force) as tmp:
            write(tmp)
        return [out]
    side = out.with_name(out.stem + "_summary.csv")
    with saved_together():  # the figures and their summary: both new or both old
        for path, frame in ((out, tidy), (side, result.summary)):
            with atomic_path(path, force=force) as tmp:
                write_csv(frame, tmp)
    return [out, side]


def _text_not_formulas(ws, frame: pd.DataFrame) -> None:
    """Type as text every cell of ``ws`` (written from ``frame``, header in row 1) whose text
    starts with ``=``: openpyxl would store it as a live formula (a partner named
    ``=HYPERLINK(...)`` in a download must stay a name). In .xlsx, text cells are never
    evaluated, so the text is kept exactly."""
    for j, c in enumerate(frame.columns, start=1):
        if str(c).startswith("="):
            ws.cell(row=1, column=j).data_type = "s"
        col = frame[c]
        if col.dtype != object:
            continue
        hit = col.map(lambda v: isinstance(v, str) and v.startswith("=")).to_numpy(dtype=bool)
        for i in np.flatnonzero(hit):
            ws.cell(row=int(i) + 2, column=j).data_type = "s"


def detect_format(item) -> str:
    """``"comtrade"``, ``"baci"`` or ``"tidy"`` from a file's (or DataFrame's) column names."""
    if isinstance(item, pd.DataFrame):
        cols, name = list(item.columns), "DataFrame"
    else:
        path = Path(item)
        name = path.name
        if not path.exists():
            raise DataError(f"{name}: no such file")
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            from metaltrade_xl.data._xlsx import read_sheet

            cols = list(read_sheet(path, header_only=True).columns)
        else:
            cols = csv_header(path)
    low = {str(c).strip().lower() for c in cols}
    if {"t", "i", "j", "k", "v"} <= low:
        return "baci"
    if "cmdcode" in low or "primaryvalue" in low:
        return "comtrade"
    if "value" in low and ("indicator" in low or "flow" in low):
        return "tidy"
    raise DataError(
        f"{name}: cannot tell the format from the columns ({', '.join(map(str, cols[:8]))}); "
        "expected Comtrade (cmdCode, primaryValue), BACI (t, i, j, k, v) or tidy "
        "(indicator, reporter, partner, year, months, value); pass --format"
    )


def partner_values(
    figures: pd.DataFrame, indicator: str, reporter: str, *, year: int, months: int = 12
) -> tuple[pd.Series, float]:
    """Values by partner (World excluded, largest first) and the World total, for the indicators.

    Examples
    --------
    >>> f = pd.DataFrame({"indicator": "imports", "reporter": "Peru", "year": 2024, "months": 12,
    ...     "partner": ["World", "China", "Chile"], "value": [10.0, 6.0, 3.0]})
    >>> by, world = partner_values(f, "imports", "Peru", year=2024)
    >>> by.to_dict(), world
    ({'China': 6.0, 'Chile': 3.0}, 10.0)
    """
    f = figures
    hit = (
        (f["indicator"].str.lower() == indicator.lower())
        & (f["reporter"].str.lower() == reporter.lower())
        & (f["year"] == int(year))
        & (f["months"] == int(months))
    )
    rows = f[hit]
    if rows.empty:
        raise DataError(f"no {indicator} of {reporter} in {year} ({months} months)")
    is_world = rows["partner"].str.lower() == WORLD.lower()
    by = rows[~is_world].groupby("partner", sort=False)["value"].sum().sort_values(ascending=False)
    world = float(rows.loc[is_world, "value"].sum()) if is_world.any() else float(by.sum())
    by.index.name = "partner"
    return by.astype(float), world


def _is_codes_file(p) -> bool:
    return re.match(r"country_codes.*\.csv$", Path(p).name, re.IGNORECASE) is not None
