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
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from metaltrade_xl._files import atomic_path
from metaltrade_xl.data import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, WORLD, DataError, tidy_figures
from metaltrade_xl.data.sectors import COARSE, IN, Sector, load_sector

try:  # optional: a faster, multi-threaded CSV reader for BACI files
    import pyarrow as pa
    import pyarrow.csv as pa_csv
except ImportError:  # pragma: no cover - depends on the environment
    pa = pa_csv = None

FORMATS = ("comtrade", "baci", "tidy")

#: Country names as the project spells them (figures, scenarios), for names that sources spell
#: differently. Applied to reporters and partners; ISO codes are kept in extra columns.
NAME_ALIASES = {
    "USA": "United States",
    "United States of America": "United States",
    "Rep. of Korea": "South Korea",
    "Republic of Korea": "South Korea",
}

#: Columns written by :func:`write_tidy`: the tidy layout, then extras that load_figures ignores.
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
SUMMARY_COLUMNS = ("file", "format", "outcome", "reason", "rows", "first_row")

_FLOWS = {"X": "exports", "M": "imports"}
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
_USD_SCALE = {
    "usd million": 1.0,
    "usd millions": 1.0,
    "usd thousand": 1e-3,
    "usd": 1e-6,
    "usd billion": 1e3,
}


# --- result and summary ------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    """What :func:`import_trade` produced.

    Attributes
    ----------
    tidy : DataFrame
        Columns :data:`TIDY_COLUMNS`; indicator ``exports``/``imports``, value in USD millions.
    summary : DataFrame
        Columns :data:`SUMMARY_COLUMNS`: one ``read`` and one ``kept`` row per file, then one row per
        reason for ``rejected`` rows and per ``warning``. Per file, read = kept + rejected.
    sector : Sector
    """

    tidy: pd.DataFrame
    summary: pd.DataFrame
    sector: Sector = field(compare=False)

    def counts(self) -> pd.DataFrame:
        """Per file: read, kept, rejected, warnings (rows)."""
        s = self.summary
        table = s.pivot_table(
            index="file", columns="outcome", values="rows", aggfunc="sum", fill_value=0, sort=False
        )
        for col in ("read", "kept", "rejected", "warning"):
            if col not in table:
                table[col] = 0
        out = table[["read", "kept", "rejected", "warning"]].astype(int)
        return out.rename(columns={"warning": "warnings"}).reset_index()

    def summary_lines(self) -> list[str]:
        """The summary as lines of text, for the command line to print."""
        lines = []
        for f in self.counts().itertuples(index=False):
            lines.append(
                f"{f.file}: read {f.read}, kept {f.kept}, rejected {f.rejected}"
                + (f", warnings {f.warnings}" if f.warnings else "")
            )
            rows = self.summary[
                (self.summary["file"] == f.file)
                & self.summary["outcome"].isin(["rejected", "warning"])
            ]
            for r in rows.itertuples(index=False):
                at = f" (first at row {r.first_row})" if r.first_row else ""
                lines.append(f"  {r.outcome} {r.rows}: {r.reason}{at}")
        n = len(self.tidy)
        lines.append(f"{n} figure(s) for {self.sector.describe()}")
        return lines


class _Tally:
    def __init__(self):
        self.rows: list[tuple] = []

    def add(self, file, fmt, outcome, reason, rows, first_row=0):
        if rows or outcome in ("read", "kept"):
            self.rows.append((file, fmt, outcome, reason, int(rows), int(first_row)))

    def add_reasons(self, file, fmt, reasons: pd.Series, rows: pd.Series):
        """Rejected rows grouped by reason ('' = kept)."""
        bad = reasons != ""
        for reason, grp in rows[bad].groupby(reasons[bad], sort=False):
            self.add(file, fmt, "rejected", reason, len(grp), grp.iloc[0])

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=list(SUMMARY_COLUMNS))


# --- public entry points -----------------------------------------------------------------------


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
    tally = _Tally()
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
            part, years = _baci_file(Path(item), label, sector, reporter, country_codes, tally)
            for y in years:
                if y in baci_years:
                    raise DataError(
                        f"{label}: year {y} is also in {baci_years[y]} (the same data read twice?)"
                    )
                baci_years[y] = label
            parts.append(part)
        else:
            raw = _read_raw(item, label)
            reader = _comtrade_records if kind == "comtrade" else _tidy_records
            records.append(reader(raw, label, sector, tally))
    if records:
        parts.append(
            _aggregate_records(pd.concat(records, ignore_index=True), sector, reporter, tally)
        )
    summary = tally.frame()
    tidy = _finish(parts, sector, labels)
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
                tidy.to_excel(xl, sheet_name="figures", index=False)
                result.summary.to_excel(xl, sheet_name="import_summary", index=False)

        with atomic_path(out, force=force) as tmp:
            write(tmp)
        return [out]
    side = out.with_name(out.stem + "_summary.csv")
    for path, frame in ((out, tidy), (side, result.summary)):
        with atomic_path(path, force=force) as tmp:
            frame.to_csv(tmp, index=False)
    return [out, side]


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
            cols = list(pd.read_excel(path, nrows=0, engine="openpyxl").columns)
        else:
            cols = _csv_header(path)
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


# --- reading raw files -------------------------------------------------------------------------


def _is_codes_file(p) -> bool:
    return re.match(r"country_codes.*\.csv$", Path(p).name, re.IGNORECASE) is not None


def _csv_header(path: Path) -> list[str]:
    with path.open("r", encoding="utf-8-sig", errors="replace") as fh:
        line = fh.readline()
    return [c.strip().strip('"') for c in line.rstrip("\r\n").split(",")]


def _read_raw(item, label: str) -> pd.DataFrame:
    """All cells as stripped text ('' for empty), columns as in the file."""
    if isinstance(item, pd.DataFrame):
        raw = item.copy()
    else:
        path = Path(item)
        if not path.exists():
            raise DataError(f"{label}: no such file")
        try:
            if path.suffix.lower() in (".xlsx", ".xlsm"):
                raw = pd.read_excel(path, dtype=object, engine="openpyxl")
            else:
                try:
                    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
                except UnicodeDecodeError:
                    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="latin-1")
        except Exception as exc:  # a broken file: one line
            raise DataError(f"{label}: could not be read ({type(exc).__name__}: {exc})") from None
    raw.columns = [str(c).strip() for c in raw.columns]
    for c in raw.columns:
        raw[c] = raw[c].map(_text).astype(object)
    return raw.reset_index(drop=True)


def _text(v) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _col(raw: pd.DataFrame, *names: str) -> str | None:
    low = {c.lower(): c for c in raw.columns}
    return next((low[n.lower()] for n in names if n.lower() in low), None)


def _numbers(
    text: pd.Series, label: str, column: str, *, whole=False, negative_ok=False
) -> np.ndarray:
    num = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(num)
    if bad.any():
        i = int(np.argmax(bad))
        got = text.iloc[i]
        raise DataError(
            f"{label}: row {i + 2}, column {column}: expected a number, got "
            + (f"'{got}'" if got else "an empty cell")
        )
    if whole and (num != np.round(num)).any():
        i = int(np.argmax(num != np.round(num)))
        raise DataError(
            f"{label}: row {i + 2}, column {column}: expected a whole number, got {text.iloc[i]}"
        )
    if not negative_ok and (num < 0).any():
        i = int(np.argmax(num < 0))
        raise DataError(
            f"{label}: row {i + 2}, column {column}: expected a value >= 0, got {text.iloc[i]}"
        )
    return num


def _alias(names: pd.Series) -> pd.Series:
    return names.replace(NAME_ALIASES)


def _hs_code(code: str, length: int | None) -> tuple[str, str]:
    """(normalised code or '', problem): problem is '' (fine), 'zero' (leading zero restored) or a
    rejection reason. ``length`` 6 for BACI; None for Comtrade (2, 4 or 6 digits)."""
    if not code.isdigit():
        return "", f"HS code '{code}' is not a number"
    n = len(code)
    if (length is None and n in (2, 4, 6)) or n == length:
        return code, ""
    if (length is None and n in (1, 3, 5)) or (length is not None and n == length - 1):
        return "0" + code, "zero"
    want = "2, 4 or 6" if length is None else str(length)
    return "", f"HS code with {n} digits, expected {want}"


# --- Comtrade ----------------------------------------------------------------------------------


def _comtrade_records(raw: pd.DataFrame, label: str, sector: Sector, tally: _Tally) -> pd.DataFrame:
    fmt = "comtrade"
    c_year = _col(raw, "refYear")
    c_period = _col(raw, "period")
    c_flow = _col(raw, "flowCode")
    c_cmd = _col(raw, "cmdCode")
    c_val = _col(raw, "primaryValue")
    c_rep = _col(raw, "reporterDesc", "reporterISO")
    c_par = _col(raw, "partnerDesc", "partnerISO")
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
    reason = pd.Series([""] * n, dtype=object)

    def reject(mask, why):
        mask = pd.Series(np.asarray(mask, dtype=bool)) & (reason == "")
        if isinstance(why, str):
            reason[mask] = why
        else:
            reason[mask] = why[mask]

    out = pd.DataFrame({"file": label, "row": row})
    out["year"] = _numbers(
        raw[c_year] if c_year else raw[c_period].str[:4], label, c_year or c_period, whole=True
    ).astype(int)
    month = np.zeros(n, dtype=int)
    c_month = _col(raw, "refMonth")
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
    out["flow"] = flow.map(_FLOWS).fillna("")
    reject(flow.isin(list(_SUBFLOWS)), flow.map(_SUBFLOWS))
    reject(out["flow"] == "", "flow code " + flow.map(lambda f: f"'{f}'") + " is neither X nor M")
    for key, (totals, what) in _BREAKDOWNS.items():
        c = _col(raw, key)
        if c:
            reject(
                ~raw[c].isin(totals),
                f"breakdown by {what} ({c} not {totals[0]}): only totals "
                "are kept, to avoid double counting",
            )

    c_rep_iso, c_par_iso = _col(raw, "reporterISO"), _col(raw, "partnerISO")
    out["reporter"] = _alias(raw[c_rep])
    out["reporter_iso"] = raw[c_rep_iso] if c_rep_iso else ""
    out["partner"] = _alias(raw[c_par])
    out["partner_iso"] = raw[c_par_iso] if c_par_iso else ""
    for col, c in (("reporter", c_rep), ("partner", c_par)):
        empty = out[col] == ""
        if empty.any():
            i = int(np.argmax(empty.to_numpy()))
            raise DataError(f"{label}: row {i + 2}, column {c}: empty, expected a country")
    c_pcode = _col(raw, "partnerCode")
    world = (out["partner"].str.lower() == "world") | out["partner_iso"].isin(["W00", "WLD"])
    if c_pcode:
        world |= raw[c_pcode] == "0"
    out["is_world"] = world.to_numpy()
    out.loc[world, ["partner", "partner_iso"]] = [WORLD, "WLD"]

    cmd = raw[c_cmd].str.replace(".", "", regex=False)
    reject(cmd.str.upper() == "TOTAL", "all-products total (cmdCode TOTAL), not a product code")
    parsed = cmd.map(lambda c: _hs_code(c, None))
    out["code"] = parsed.str[0]
    problem = parsed.str[1]
    reject(~problem.isin(["", "zero"]), problem)
    zero = (problem == "zero") & (reason == "")
    if zero.any():
        tally.add(
            label,
            fmt,
            "warning",
            "HS code lost its leading zero (odd number of digits); read with the zero restored",
            int(zero.sum()),
            int(row[zero].iloc[0]),
        )

    c_class = _col(raw, "classificationCode")
    out["classification"] = raw[c_class] if c_class else ""
    out["value"] = _numbers(raw[c_val], label, c_val) / 1e6
    out["reason"] = reason
    out["fmt"] = fmt
    return out


# --- tidy --------------------------------------------------------------------------------------


def _tidy_records(raw: pd.DataFrame, label: str, sector: Sector, tally: _Tally) -> pd.DataFrame:
    fmt = "tidy"
    raw = raw.rename(columns=lambda c: c.lower())
    if "indicator" not in raw.columns and "flow" in raw.columns:
        raw["indicator"] = raw["flow"].str.upper().map(_FLOWS).fillna(raw["flow"].str.lower())
    if "months" not in raw.columns:
        raw["months"] = "12"
    fig = tidy_figures(raw, label)  # validates and types; its messages name file, row, column
    n = len(fig)
    tally.add(label, fmt, "read", "", n)
    reason = pd.Series([""] * n, dtype=object)
    ind = fig["indicator"].str.lower()
    reason[~ind.isin(["exports", "imports"])] = "not a trade flow (indicator " + ind + ")"
    if "sector" in raw.columns:
        other = (raw["sector"] != "") & (raw["sector"] != sector.name) & (reason == "")
        reason[other] = "another sector (" + raw["sector"] + ")"
    unit = fig["unit"].str.lower()
    scale = unit.map(_USD_SCALE)
    unknown = scale.isna() & (reason == "")
    if unknown.any():
        i = int(np.argmax(unknown.to_numpy()))
        raise DataError(
            f"{label}: row {i + 2}, column unit: expected USD million (or USD, USD "
            f"thousand, USD billion), got '{fig['unit'].iloc[i]}'"
        )
    converted = (scale != 1.0) & (reason == "")
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
            "reporter": _alias(fig["reporter"]),
            "reporter_iso": raw.get("reporter_iso", pd.Series("", index=raw.index)),
            "partner": fig["partner"].where(~world, WORLD).pipe(_alias),
            "partner_iso": raw.get("partner_iso", pd.Series("", index=raw.index)).where(
                ~world, "WLD"
            ),
            "is_world": world,
            "code": "",
            "classification": "",
            "value": fig["value"] * scale.fillna(1.0),
            "reason": reason,
            "fmt": fmt,
        }
    )


# --- row-level pipeline (Comtrade, tidy) -------------------------------------------------------


def _aggregate_records(rec: pd.DataFrame, sector: Sector, reporter, tally: _Tally) -> pd.DataFrame:
    reason = rec["reason"].copy()

    def reject(mask, why):
        mask = np.asarray(mask, dtype=bool) & (reason == "").to_numpy()
        reason[mask] = why if isinstance(why, str) else np.asarray(why)[mask]

    if reporter is not None:
        want = NAME_ALIASES.get(reporter.strip(), reporter.strip()).lower()
        mine = (rec["reporter"].str.lower() == want) | (rec["reporter_iso"].str.lower() == want)
        if not mine.any():
            found = ", ".join(sorted(rec["reporter"].unique())[:10])
            files = ", ".join(rec["file"].unique())
            raise DataError(
                f"{files}: reporter '{reporter}' not in the file(s) (column reporter); "
                f"reporters found: {found}"
            )
        reject(~mine, "reporter not selected")

    # annual rows win over monthly rows of the same reporter, flow and year
    period = ["reporter", "flow", "year"]
    ok = reason == ""
    annual = rec[ok & (rec["month"] == 0)][period].drop_duplicates()
    has_annual = (
        rec[period].merge(annual.assign(_a=True), how="left", on=period)["_a"].fillna(False)
    )
    reject(
        (rec["month"] > 0) & has_annual.to_numpy(dtype=bool),
        "monthly row for a year that also has annual rows (annual used)",
    )

    # sector and aggregate levels (Comtrade codes only; tidy rows carry no code)
    coded = rec["code"] != ""
    uniq = rec.loc[coded, "code"].unique()
    status = pd.Series(sector.classify_many(uniq), index=uniq, dtype=int)
    cls = rec["code"].map(status).fillna(IN).astype(int)
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
    ok = (reason == "") & coded
    for n in (2, 4):
        finer = ok & (rec["code"].str.len() > n)
        keys = (grp[finer] + "|" + rec.loc[finer, "code"].str[:n]).unique()
        agg = ok & (rec["code"].str.len() == n) & (grp + "|" + rec["code"]).isin(keys)
        reject(agg, f"HS{n} aggregate whose detail is in the file (the detail is used)")
    reject(
        cls == COARSE,
        f"HS code coarser than the {sector.name} definition (it is partly in "
        "the sector): download at heading or subheading level",
    )
    reject(cls == 0, f"HS code outside sector {sector.name}")

    # duplicates: the same key twice (in one file or across files)
    key = grp + "|" + rec["code"] + "|" + rec["months"].astype(str)
    ok = reason == ""
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
        reject(
            key.duplicated(keep="first") & ok,
            "duplicate row (same key and value as an earlier row)",
        )

    # HS revisions: two in one reporter/flow/year is the same trade twice; across years, a warning
    ok = reason == ""
    kept = rec[ok]
    classes = kept.groupby(period)["classification"].nunique()
    if (classes > 1).any():
        r, f, y = classes[classes > 1].index[0]
        bad = kept[(kept["reporter"] == r) & (kept["flow"] == f) & (kept["year"] == y)]
        second = bad[bad["classification"] != bad["classification"].iloc[0]].iloc[0]
        raise DataError(
            f"{second['file']}: row {second['row']}, column classificationCode: "
            f"{r} {f} {y} mixes {', '.join(sorted(bad['classification'].unique()))} "
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
        r = reason[g.index]
        tally.add(file, fmt, "kept", "", int((r == "").sum()))
        tally.add_reasons(file, fmt, r, g["row"])

    kept = rec[reason == ""].copy()
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
        value=("value", "sum"), files=("file", lambda f: "; ".join(sorted(set(f))))
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
    wf = kept.groupby(keys)["file"].agg(lambda f: "; ".join(sorted(set(f)))).rename("files")
    world = world.merge(wf.reset_index(), on=keys, how="left")
    world["partner"], world["partner_iso"] = WORLD, "WLD"
    fmts = kept.groupby("file")["fmt"].first().to_dict()
    out = pd.concat([world, partners], ignore_index=True)
    out["fmt"] = out["files"].map(lambda f: fmts.get(f.split("; ")[0], "comtrade"))
    cl = (
        kept.groupby(["reporter", "flow", "year"])["classification"]
        .first()
        .rename("classification")
    )
    return out.merge(cl.reset_index(), on=["reporter", "flow", "year"], how="left")


# --- BACI --------------------------------------------------------------------------------------


def _country_table(path: Path, label: str, given) -> pd.DataFrame:
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
            raw = pd.read_csv(cpath, dtype=str, keep_default_na=False, encoding="utf-8")
        except UnicodeDecodeError:
            raw = pd.read_csv(cpath, dtype=str, keep_default_na=False, encoding="latin-1")
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
    code = _numbers(raw["country_code"].astype(str), name, "country_code", whole=True).astype(int)
    return pd.DataFrame(
        {
            "code": code,
            "name": _alias(raw[c_name].astype(str).str.strip()).to_numpy(),
            "iso": (
                raw[c_iso].astype(str).str.strip() if c_iso else pd.Series("", index=raw.index)
            ).to_numpy(),
        }
    ).drop_duplicates("code")


def _sniff_k(path: Path) -> tuple[list[str], bool]:
    """Header names and whether the file writes 6-digit codes with their leading zero."""
    with path.open("r", encoding="utf-8-sig", errors="replace") as fh:
        lines = fh.readlines(1 << 16)
    header = (
        [c.strip().strip('"').lower() for c in lines[0].rstrip("\r\n").split(",")] if lines else []
    )
    padded = False
    if "k" in header:
        at = header.index("k")
        for line in lines[1:]:
            cells = line.rstrip("\r\n").split(",")
            if len(cells) > at and cells[at].strip('" ').startswith("0"):
                padded = True
                break
    return header, padded


def _read_baci(path: Path, label: str, header: list[str]):
    """t, i, j (int), k as (unique texts, index per row), v (float) — fast, or a DataError."""
    errors = (ValueError, TypeError, OverflowError) + ((pa.ArrowInvalid,) if pa is not None else ())
    try:
        if pa_csv is not None:
            types = {
                "t": pa.int32(),
                "i": pa.int32(),
                "j": pa.int32(),
                "k": pa.dictionary(pa.int32(), pa.string()),
                "v": pa.float64(),
            }
            table = pa_csv.read_csv(
                path,
                convert_options=pa_csv.ConvertOptions(
                    include_columns=["t", "i", "j", "k", "v"],
                    column_types=types,
                    strings_can_be_null=False,
                ),
            )
            if any(table.column(c).null_count for c in "tijkv"):
                raise ValueError("empty cell")
            table = table.unify_dictionaries()
            kc = table.column("k")
            uniques = kc.chunk(0).dictionary.to_pylist() if kc.num_chunks else []
            idx = (
                np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in kc.chunks])
                if kc.num_chunks
                else np.zeros(0, dtype=np.int32)
            )
            cols = [table.column(c).to_numpy() for c in "tijv"]
            return cols[0], cols[1], cols[2], uniques, idx, cols[3], True
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
    except errors as exc:
        _diagnose_baci(path, label)
        raise DataError(
            f"{label}: could not be read as BACI ({type(exc).__name__}: {exc})"
        ) from None


def _diagnose_baci(path: Path, label: str) -> None:
    """Find the first bad cell of a BACI file that the fast reader refused, and say where."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=["t", "i", "j", "k", "v"])
    for c in ("t", "i", "j"):
        _numbers(raw[c].str.strip(), label, c, whole=True)
    _numbers(raw["v"].str.strip(), label, "v")
    empty = raw["k"].str.strip() == ""
    if empty.any():
        i = int(np.argmax(empty.to_numpy()))
        raise DataError(f"{label}: row {i + 2}, column k: empty, expected an HS code")


def _baci_file(path: Path, label: str, sector: Sector, reporter, codes_given, tally: _Tally):
    fmt = "baci"
    if not path.exists():
        raise DataError(f"{label}: no such file")
    header, padded = _sniff_k(path)
    missing = [c for c in "tijkv" if c not in header]
    if missing:
        raise DataError(f"{label}: missing column(s) {', '.join(missing)}")
    countries = _country_table(path, label, codes_given)
    sel = None
    if reporter is not None:
        want = NAME_ALIASES.get(reporter.strip(), reporter.strip()).lower()
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

    t, i, j, uniques, idx, v, exact_text = _read_baci(path, label, header)
    n = len(t)
    tally.add(label, fmt, "read", "", n)
    if np.isnan(v).any():
        r = int(np.argmax(np.isnan(v)))
        raise DataError(f"{label}: row {r + 2}, column v: expected a number, got an empty cell")
    if (v < 0).any():
        r = int(np.argmax(v < 0))
        raise DataError(f"{label}: row {r + 2}, column v: expected a value >= 0, got {v[r]:g}")

    # classify each distinct code once, then spread to rows by index
    u_norm = np.zeros(len(uniques), dtype=np.int64)
    u_in = np.zeros(len(uniques), dtype=bool)
    u_zero = np.zeros(len(uniques), dtype=bool)
    u_reject: dict[str, list[int]] = {}
    good, good_codes = [], []
    for n_u, text in enumerate(uniques):
        code, problem = _hs_code(str(text).strip(), 6)
        if problem not in ("", "zero"):
            u_reject.setdefault(problem, []).append(n_u)
            continue
        u_zero[n_u] = problem == "zero"
        u_norm[n_u] = int(code)
        good.append(n_u)
        good_codes.append(code)
    u_in[good] = np.asarray(sector.classify_many(good_codes), dtype=int) == IN
    per_code = np.bincount(idx, minlength=len(uniques))

    def first_row(u_list) -> int:
        mask = np.zeros(len(uniques), dtype=bool)
        mask[u_list] = True
        return int(np.argmax(mask[idx])) + 2

    rejected = {}
    for problem, u_list in u_reject.items():
        rejected[problem] = (int(per_code[u_list].sum()), first_row(u_list))
    if u_zero.any() and (exact_text or not padded):
        tally.add(
            label,
            fmt,
            "warning",
            "HS code written without its leading zero (5 digits); read "
            "as 6 digits with the zero restored",
            int(per_code[u_zero].sum()),
            first_row(np.flatnonzero(u_zero)),
        )
    valid = np.ones(len(uniques), dtype=bool)
    for u_list in u_reject.values():
        valid[u_list] = False
    out_rows = int(per_code[valid & ~u_in].sum())
    if out_rows:
        rejected[f"HS code outside sector {sector.name}"] = (
            out_rows,
            first_row(np.flatnonzero(valid & ~u_in)),
        )

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
            "flow": _objects(np.array(["exports", "imports"], dtype=object)[flow_n]),
            "reporter": _objects(names[rep]),
            "reporter_iso": _objects(isos[rep]),
            "partner": _objects(np.where(is_world, WORLD, names[par_safe])),
            "partner_iso": _objects(np.where(is_world, "WLD", isos[par_safe])),
            "year": year,
            "months": np.full(n_out, 12),
            "value": value,
            "files": _objects(np.full(n_out, files, dtype=object)),
            "fmt": _objects(np.full(n_out, fmt, dtype=object)),
            "classification": _objects(
                np.full(n_out, version.group(1) if version else "", dtype=object)
            ),
        }
    )
    out.attrs["sorted"] = True
    return out, sorted(set(yr.tolist()))


def _objects(values) -> pd.Series:
    """Text as an object column: converting large text columns to pandas' string type costs more
    than the aggregation, and nothing downstream needs it."""
    return pd.Series(np.asarray(values, dtype=object), dtype=object)


# --- the tidy output ---------------------------------------------------------------------------

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


def _finish(parts: list[pd.DataFrame], sector: Sector, labels: list[str]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=list(TIDY_COLUMNS))
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
    fmt = out["fmt"].tolist()
    flow, year = out["flow"].tolist(), out["year"].to_numpy().astype(int)
    months = out["months"].to_numpy().astype(int)
    rep, par = out["reporter"].tolist(), out["partner"].tolist()
    rep_iso, par_iso = out["reporter_iso"].tolist(), out["partner_iso"].tolist()
    # f-strings over lists: several times faster than column-wise string concatenation here
    ids = [
        f"{sector.name}:{f}:{r or rn}:{p or pn}:{y}:{m}m"
        for f, r, rn, p, pn, y, m in zip(
            flow, rep_iso, rep, par_iso, par, year.tolist(), months.tolist()
        )
    ]
    if len(set(ids)) < len(ids):  # two names with one ISO code: fall back to names
        ids = [
            f"{sector.name}:{f}:{rn}:{pn}:{y}:{m}m"
            for f, rn, pn, y, m in zip(flow, rep, par, year.tolist(), months.tolist())
        ]
    fm = list(zip(fmt, months.tolist()))
    notes = {
        (f, m): f"{sector.describe()}; {_NOTE[f]}"
        + (f"; January-{calendar.month_name[m]}" if m < 12 else "")
        for f, m in set(fm)
    }
    n = len(out)
    return pd.DataFrame(
        {
            "id": _objects(ids),
            "indicator": _objects(flow),
            "reporter": _objects(rep),
            "partner": _objects(par),
            "year": year,
            "months": months,
            "value": out["value"].to_numpy(dtype=float),
            "unit": _objects(np.full(n, "USD million")),
            "lower_bound": np.zeros(n, dtype=bool),
            "source_publisher": _objects([_PUBLISHER[f] for f in fmt]),
            "source_title": _objects(out["files"].to_numpy(dtype=object)),
            "source_date": _objects(np.full(n, date.today().isoformat())),
            "quote": _objects(np.full(n, "")),
            "note": _objects([notes[k] for k in fm]),
            "sector": _objects(np.full(n, sector.name)),
            "reporter_iso": _objects(rep_iso),
            "partner_iso": _objects(par_iso),
            "classification": _objects(out["classification"].fillna("").to_numpy(dtype=object)),
        }
    )
