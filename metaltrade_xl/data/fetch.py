"""The sector's trade from the UN Comtrade API, in the tidy layout ``metaltrade run --data`` reads.

:func:`fetch_comtrade` asks the API's final-data endpoint (``data/v1/get/C/{A|M}/HS``) for the
sector's HS codes (from the sector file: its ``include`` codes and the ``exclude`` codes inside
them, never whole chapters to throw away), exports and imports of one reporter to the world and by
partner, and the rivals' exports to the world. The subscription key (``COMTRADE_API_KEY`` or
``key=``) goes in the ``Ocp-Apim-Subscription-Key`` header. Values are ``primaryValue`` (USD)
converted to USD millions; names are the API's descriptions (``includeDesc=true``), spelt as the
project spells them (:data:`~metaltrade_xl.data.trade.NAME_ALIASES`); the World rows (partner code
0) are the API's totals, never sums of partner rows.

Monthly data (``monthly=True``) become one row per month with the total from January to that month
(``months`` = 1 … 12, as the tidy layout reads a partial year), with the month alone in
``month_value`` and the month in ``period`` (``YYYYMM``).

How requests behave (retries, cache, errors) is in :mod:`metaltrade_xl.data._http`; requests are
cut to at most 12 periods and the record limit, and an answer that reaches the limit is split
and asked again.
"""

from __future__ import annotations

import calendar
import csv
import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pandas as pd

from metaltrade_xl._io import atomic_path
from metaltrade_xl.data import FIGURE_COLUMNS, WORLD, DataError
from metaltrade_xl.data._cells import NAME_ALIASES
from metaltrade_xl.data._comtrade_api import (
    FLOW_NAMES,
    WORLD_CODE,
    Query,
    parse_records,
    plan,
    request_codes,
    sector_sums,
)
from metaltrade_xl.data._http import FetchError, JsonClient
from metaltrade_xl.data.sectors import Sector, load_sector

DEFAULT_API_URL = "https://comtradeapi.un.org"
KEY_ENV = "COMTRADE_API_KEY"
#: Records the free API returns per request at most (premium subscriptions: 250 000).
RECORD_LIMIT = 100_000
PUBLISHER = "UN Comtrade (United Nations Statistics Division)"
#: Columns written: the tidy layout, then what load_figures ignores but a reader may want.
FETCH_COLUMNS = (
    *FIGURE_COLUMNS,
    "sector",
    "reporter_iso",
    "partner_iso",
    "reporter_code",
    "partner_code",
    "classification",
    "period",
    "month_value",
)

__all__ = ["FetchError", "FetchResult", "area_code", "fetch_comtrade", "parse_years"]


@dataclass(frozen=True)
class FetchResult:
    """Figures in the tidy layout (:data:`FETCH_COLUMNS`), and lines saying what was fetched."""

    tidy: pd.DataFrame
    lines: list[str] = field(default_factory=list)
    requests: int = 0


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/metaltrade/comtrade`` (``~/.cache/…`` without it)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "metaltrade" / "comtrade"


def parse_years(text) -> list[int]:
    """Years from ``"2015-2025"``, ``"2024"`` or ``"2019,2021-2022"``.

    Examples
    --------
    >>> parse_years("2021-2023"), parse_years("2019, 2022-2023")
    ([2021, 2022, 2023], [2019, 2022, 2023])
    >>> parse_years("2025-2015")
    Traceback (most recent call last):
    ...
    metaltrade_xl.data._http.FetchError: --years: expected YEAR or FIRST-LAST (2015-2025), got '2025-2015'
    """
    years: set[int] = set()
    for part in str(text).split(","):
        m = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?", part)
        first, last = (int(m.group(1)), int(m.group(2) or m.group(1))) if m else (0, -1)
        if not m or last < first or first < 1962 or last > 2100:
            raise FetchError(f"--years: expected YEAR or FIRST-LAST (2015-2025), got '{text}'")
        years.update(range(first, last + 1))
    return sorted(years)


def _areas() -> list[dict]:
    with (resources.files(__package__) / "comtrade_areas.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def area_code(text, what: str = "--reporter") -> int:
    """The UN Comtrade area code of a name, ISO3 code or number (the reference table
    ``comtrade_areas.csv`` holds the countries the project names; others by code).

    Examples
    --------
    >>> area_code("Peru"), area_code("chl"), area_code("United States"), area_code("604")
    (604, 152, 842, 604)
    """
    key = str(text).strip()
    if key.isdigit():
        return int(key)
    low = key.lower()
    for a in _areas():
        names = [a["name"], a["iso3"], *filter(None, a["also"].split(";"))]
        if low in (n.strip().lower() for n in names):
            return int(a["code"])
    raise FetchError(
        f"{what}: unknown country '{key}'; give its UN Comtrade area code (Peru = 604) or one of "
        + ", ".join(a["name"] for a in _areas() if a["code"] != "0")
    )


def _area_name(code: int) -> str | None:
    return next((a["name"] for a in _areas() if int(a["code"]) == code), None)


def api_endpoint(api_url: str, freq: str) -> str:
    """The final-data endpoint under ``api_url`` (a host, or a URL ending in ``/data/v1/get``).

    Examples
    --------
    >>> api_endpoint("http://127.0.0.1:8000", "A"), api_endpoint("https://x.org/data/v1/get/", "M")
    ('http://127.0.0.1:8000/data/v1/get/C/A/HS', 'https://x.org/data/v1/get/C/M/HS')
    """
    base = str(api_url).strip().rstrip("/")
    if not re.match(r"https?://", base):
        raise FetchError(f"--api-url: expected an http(s) URL, got '{api_url}'")
    if not base.endswith("/data/v1/get"):
        base = base + ("/get" if base.endswith("/data/v1") else "/data/v1/get")
    return f"{base}/C/{freq}/HS"


def fetch_comtrade(
    reporter,
    years,
    *,
    partners=None,
    rivals=(),
    monthly: bool = False,
    key: str | None = None,
    api_url: str = DEFAULT_API_URL,
    sector: Sector | str | Path | None = None,
    cache_dir: str | Path | None = None,
    refresh: bool = False,
    max_records: int = RECORD_LIMIT,
    client: JsonClient | None = None,
) -> FetchResult:
    """Download the sector's trade of ``reporter`` (and the rivals' exports) for ``years``.

    Parameters
    ----------
    reporter : name, ISO3 code or UN Comtrade area code
    years : list of int, or text such as ``"2015-2025"``
    partners : list, optional
        Partners to keep (names or codes); default all. The World total is always fetched.
    rivals : list, optional
        Countries whose exports to the world are fetched too (the scenarios' rivals).
    monthly : bool
        Monthly data, as January-to-month totals (see the module's description).
    key : str, optional
        Subscription key; default the environment variable ``COMTRADE_API_KEY``.
    cache_dir : path, optional
        Default :func:`default_cache_dir`; ``refresh`` asks the API again.
    max_records : int
        Records per request the subscription allows.

    Raises
    ------
    FetchError
        No key, a refused or failed request, a malformed answer, no data: one line.
    """
    key = key or os.environ.get(KEY_ENV, "").strip()
    if not key:
        raise FetchError(
            f"no UN Comtrade subscription key: set {KEY_ENV} or pass --key (a free key: "
            "comtradedeveloper.un.org, product comtrade - v1)"
        )
    sector = sector if isinstance(sector, Sector) else load_sector(sector)
    include, exclude = request_codes(sector)
    year_list = parse_years(years) if isinstance(years, str) else sorted({int(y) for y in years})
    if not year_list:
        raise FetchError("--years: no year given")
    freq = "M" if monthly else "A"
    periods = tuple(
        f"{y}{m:02d}" if monthly else str(y)
        for y in year_list
        for m in (range(1, 13) if monthly else [0])
    )
    rep = area_code(reporter)
    part = None
    if partners:
        codes = [area_code(p, "--partners") for p in partners]
        part = tuple(dict.fromkeys([WORLD_CODE, *codes]))
    if int(max_records) < 1:
        raise FetchError(f"--max-records: expected a whole number >= 1, got {max_records}")
    client = client or JsonClient(
        {"Ocp-Apim-Subscription-Key": key},
        cache_dir=default_cache_dir() if cache_dir is None else cache_dir,
        refresh=refresh,
    )
    url = api_endpoint(api_url, freq)
    codes = include + exclude
    jobs = [
        (Query(freq, periods, rep, part, ("X", "M"), codes), f"exports and imports of {reporter}")
    ]
    jobs += [
        (
            Query(freq, periods, area_code(r, "--rivals"), (WORLD_CODE,), ("X",), codes),
            f"exports of {r}",
        )
        for r in rivals
        if area_code(r, "--rivals") != rep
    ]
    lines: list[str] = []
    sources: list[tuple[str, str]] = []
    sums: dict = {}
    for i, (base, label) in enumerate(jobs):
        ignored: Counter = Counter()
        try:
            records, asked, cached = _download(client, url, base, int(max_records), label, sources)
        except FetchError as exc:
            if i == 0:
                raise
            lines.append(f"{label}: not fetched ({exc})")  # the reporter's trade is still good
            continue
        found = sector_sums(records, include, exclude, label, ignored)
        lines.append(
            f"{label}: {asked} request(s) ({cached} from the cache), {len(records)} record(s)"
        )
        lines += [f"  ignored {n}: {why}" for why, n in ignored.most_common()]
        have = {k[3] for k in found}
        missing = [p for p in periods if p not in have]
        if not found:
            if base.reporter == rep:
                raise FetchError(
                    f"UN Comtrade has no {sector.name} trade of {reporter} ({rep}) for "
                    f"{_span(year_list)} ({'monthly' if monthly else 'annual'} data): check "
                    "--years (a year's data appear months after it ends) and --reporter"
                )
            lines.append(f"  no data for {label}: scenarios comparing with it need rival.start")
        elif missing:
            lines.append(f"  no data for {_periods_text(missing)}")
        sums.update(found)
    tidy = _tidy(sums, sources, sector, monthly, lines)
    lines.append(f"{len(tidy)} figure(s) for {sector.describe()}")
    return FetchResult(tidy, lines, client.requests)


def _download(client, url, base: Query, max_records: int, label: str, sources):
    """Records of ``base``, in planned requests, split again where an answer fills the limit."""
    pending = plan(base, max_records)
    records, asked, cached = [], 0, 0
    while pending:
        q = pending.pop(0)
        what = f"{label} ({_periods_text(list(q.periods))})"
        answer = client.get(url, q.params(max_records), what)
        asked += 1
        cached += answer.from_cache
        data = answer.body.get("data")
        n = len(data) if isinstance(data, list) else 0
        count = answer.body.get("count")
        if n >= max_records or (isinstance(count, int) and count > n):
            halves = q.halves()
            if halves is None:
                raise FetchError(
                    f"{what}: the answer reached the record limit ({max_records}) for one period "
                    "and code; raise --max-records if your subscription allows more"
                )
            pending[:0] = list(halves)
            continue
        sources.append((q.text(), answer.fetched))
        records += parse_records(answer.body, q, what, len(sources) - 1, Counter())
    return records, asked, cached


def _tidy(sums: dict, sources, sector: Sector, monthly: bool, lines: list[str]) -> pd.DataFrame:
    rows = []
    if monthly:
        sums = _year_to_date(sums, lines)
    for (rep, flow, partner, period), (value, cls, src, rec, *extra) in sums.items():
        year, months = int(period[:4]), int(period[4:] or 12)
        names = rec.reporter_desc or _area_name(rep) or rec.reporter_iso or f"area {rep}"
        if partner == WORLD_CODE:
            pname = WORLD
        else:
            pname = rec.partner_desc or _area_name(partner) or rec.partner_iso or f"area {partner}"
        srcs = [sources[s] for s in (extra[0] if extra else [src])]
        note = f"{sector.describe()}; primaryValue (USD) / 10^6; X = exports, M = imports"
        if monthly:
            note += f"; January-{calendar.month_name[months]}, sum of monthly data"
        rows.append(
            {
                "id": f"{sector.name}:comtrade:{FLOW_NAMES[flow]}:{rep}:{partner}:{year}:{months}m",
                "indicator": FLOW_NAMES[flow],
                "reporter": NAME_ALIASES.get(names, names),
                "partner": NAME_ALIASES.get(pname, pname),
                "year": year,
                "months": months,
                "value": value / 1e6,
                "unit": "USD million",
                "lower_bound": False,
                "source_publisher": PUBLISHER,
                "source_title": "; ".join(dict.fromkeys(t for t, _ in srcs)),
                "source_date": min(d for _, d in srcs),
                "quote": "",
                "note": note,
                "sector": sector.name,
                "reporter_iso": rec.reporter_iso or "",
                "partner_iso": "WLD" if partner == WORLD_CODE else (rec.partner_iso or ""),
                "reporter_code": rep,
                "partner_code": partner,
                "classification": cls,
                "period": period,
                "month_value": extra[1] / 1e6 if extra else "",
            }
        )
    frame = pd.DataFrame(rows, columns=list(FETCH_COLUMNS))
    frame["_w"] = frame["partner_code"] != WORLD_CODE
    frame = frame.sort_values(
        ["reporter", "indicator", "year", "months", "_w", "value"],
        ascending=[True, True, True, True, True, False],
        kind="stable",
    )
    _check_world(frame, lines)
    return frame.drop(columns="_w").reset_index(drop=True)


def _year_to_date(sums: dict, lines: list[str]) -> dict:
    """Monthly sums -> January-to-month sums, per reporter and year up to the first missing month
    (a partner absent in a month reported by the reporter traded nothing that month)."""
    reported = defaultdict(set)
    for rep, _flow, _partner, period in sums:
        reported[(rep, int(period[:4]))].add(int(period[4:]))
    out = {}
    series = defaultdict(dict)
    for (rep, flow, partner, period), item in sums.items():
        series[(rep, flow, partner, int(period[:4]))][int(period[4:])] = item
    for (rep, flow, partner, year), by_month in sorted(series.items()):
        months = reported[(rep, year)]
        last = 0
        while last + 1 in months:
            last += 1
        if last < max(months) and flow == "X" and partner == WORLD_CODE:
            gap = sorted(m for m in months if m > last)
            lines.append(
                f"  {rep} {year}: month {last + 1} missing; months {', '.join(map(str, gap))} "
                "left out (a total from January needs every month)"
            )
        total, srcs, rec, cls = 0.0, [], None, ""
        for m in range(1, last + 1):
            if m in by_month:
                value, cls, src, rec = by_month[m]
                total += value
                srcs.append(src)
                alone = value
            else:
                alone = 0.0
            if rec is not None:
                key = (rep, flow, partner, f"{year}{m:02d}")
                out[key] = (total, cls, src, rec, list(dict.fromkeys(srcs)), alone)
    return out


def _check_world(frame: pd.DataFrame, lines: list[str]) -> None:
    """A note where partners add up to more than the World total (the World row is used)."""
    if frame.empty:
        return
    keys = ["reporter", "indicator", "year", "months"]
    world = frame[~frame["_w"]].set_index(keys)["value"]
    parts = frame[frame["_w"]].groupby(keys)["value"].sum()
    both = world.index.intersection(parts.index)
    over = both[(parts[both] - world[both]) > 0.005 * world[both].abs() + 1e-9]
    for k in over[:3]:
        lines.append(
            f"  {k[0]} {k[1]} {k[2]}: partners add up to {parts[k]:,.1f}, above the World total "
            f"{world[k]:,.1f} (the World row is used)"
        )
    no_world = parts.index.difference(world.index)
    for k in no_world[:3]:
        lines.append(f"  {k[0]} {k[1]} {k[2]}: no World total in the answer (none written)")


def write_fetched(result: FetchResult, out: str | Path, *, force: bool = False) -> Path:
    """Write the figures to .csv or .xlsx (sheet ``figures``) atomically: all or nothing."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise DataError(f"{out.name}: expected a .csv or .xlsx output file, got '{out.suffix}'")
    with atomic_path(out, force=force) as tmp:
        if suffix == ".csv":
            result.tidy.to_csv(tmp, index=False)
        else:
            from openpyxl import Workbook

            wb = Workbook()
            ws = wb.active
            ws.title = "figures"
            ws.append(list(result.tidy.columns))
            for row in result.tidy.itertuples(index=False):
                ws.append([None if v == "" else v for v in row])
            for row in ws.iter_rows(min_row=2):
                for cell in row:
                    if isinstance(cell.value, str) and cell.value.startswith("="):
                        cell.data_type = "s"  # text from the API is never a formula
            wb.save(tmp)
    return out


def _span(years: list[int]) -> str:
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"


def _periods_text(periods: list[str]) -> str:
    if len(periods) <= 3:
        return ", ".join(periods)
    return f"{periods[0]}-{periods[-1]} ({len(periods)} periods)"
