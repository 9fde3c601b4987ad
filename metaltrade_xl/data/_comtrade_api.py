"""UN Comtrade API answers to a sector's totals: which codes to ask for, how to split a request,
which records count, and the sector sum by flow, partner and period.

A requested HS code comes back as one record per flow, partner and period carrying the code's
total (``cmdCode=73`` is chapter 73's total, not its headings). The sector is the sum of its
``include`` codes minus the ``exclude`` codes that lie inside them. Should an answer carry finer
codes than asked (a code's headings instead of its total), the coarsest codes under the asked one
are summed, so the same trade is never counted twice.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from metaltrade_xl.data import DataError
from metaltrade_xl.data.sectors import Sector

FLOW_NAMES = {"X": "exports", "M": "imports"}
#: Periods the API takes in one request.
MAX_PERIODS = 12
#: Partners a reporter has at most in one flow and period (about 240 areas exist): to plan requests.
PARTNERS_GUESS = 250
WORLD_CODE = 0


def request_codes(sector: Sector) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(include, exclude) codes to ask for: includes not inside another include or an exclude,
    and the outermost excludes that lie inside an include.

    Examples
    --------
    >>> request_codes(Sector("s", include=("84", "8471", "73"), exclude=("847130", "8471", "72")))
    (('84', '73'), ('8471',))
    """
    exc = [e for e in sector.exclude if not any(e != o and e.startswith(o) for o in sector.exclude)]
    inc = [
        c
        for c in sector.include
        if not any(c != o and c.startswith(o) for o in sector.include)
        and not any(c.startswith(e) for e in exc)
    ]
    inc = list(dict.fromkeys(inc))
    exc = [e for e in dict.fromkeys(exc) if any(e.startswith(c) and e != c for c in inc)]
    return tuple(inc), tuple(exc)


@dataclass(frozen=True)
class Query:
    """One request: frequency, periods, reporter, partners (None = all), flows and HS codes."""

    freq: str
    periods: tuple[str, ...]
    reporter: int
    partners: tuple[int, ...] | None
    flows: tuple[str, ...]
    codes: tuple[str, ...]

    def params(self, max_records: int) -> dict:
        """The API's query parameters (classic mode: totals over second partner, customs
        procedure and mode of transport; descriptions included)."""
        p = {
            "reporterCode": str(self.reporter),
            "period": ",".join(self.periods),
            "flowCode": ",".join(self.flows),
            "cmdCode": ",".join(self.codes),
        }
        if self.partners is not None:
            p["partnerCode"] = ",".join(map(str, self.partners))
        p.update(
            partner2Code="0",
            customsCode="C00",
            motCode="0",
            maxRecords=str(max_records),
            breakdownMode="classic",
            includeDesc="true",
        )
        return p

    def text(self) -> str:
        """The query as a source names it: endpoint and parameters (never the key).

        Examples
        --------
        >>> Query("A", ("2023", "2024"), 604, None, ("X", "M"), ("73", "84")).text()
        'UN Comtrade API data/v1/get/C/A/HS reporterCode=604 period=2023,2024 flowCode=X,M cmdCode=73,84 partnerCode=all'
        """
        partners = "all" if self.partners is None else ",".join(map(str, self.partners))
        return (
            f"UN Comtrade API data/v1/get/C/{self.freq}/HS reporterCode={self.reporter} "
            f"period={','.join(self.periods)} flowCode={','.join(self.flows)} "
            f"cmdCode={','.join(self.codes)} partnerCode={partners}"
        )

    def estimate(self) -> int:
        """Records the request may return, at most."""
        partners = PARTNERS_GUESS if self.partners is None else len(self.partners)
        return len(self.periods) * len(self.flows) * len(self.codes) * partners

    def halves(self) -> tuple[Query, Query] | None:
        """Two requests covering this one: periods split first, then codes, then flows."""
        for field in ("periods", "codes", "flows"):
            items = getattr(self, field)
            if len(items) > 1:
                k = len(items) // 2
                a, b = dict(self.__dict__), dict(self.__dict__)
                a[field], b[field] = items[:k], items[k:]
                return Query(**a), Query(**b)
        if self.partners is not None and len(self.partners) > 1:
            k = len(self.partners) // 2
            a, b = dict(self.__dict__), dict(self.__dict__)
            a["partners"], b["partners"] = self.partners[:k], self.partners[k:]
            return Query(**a), Query(**b)
        return None


def plan(base: Query, max_records: int) -> list[Query]:
    """``base`` cut into requests of at most :data:`MAX_PERIODS` periods whose estimated size fits
    ``max_records`` (an answer that still reaches the limit is split again when it comes).

    Examples
    --------
    >>> q = Query("A", tuple(map(str, range(2010, 2025))), 604, None, ("X", "M"), ("73",) * 17)
    >>> [len(p.periods) for p in plan(q, 100_000)]
    [8, 7]
    """
    per_period = max(1, base.estimate() // max(1, len(base.periods)))
    size = max(1, min(MAX_PERIODS, max_records // per_period))
    n = math.ceil(len(base.periods) / size)
    size = math.ceil(len(base.periods) / n)  # even chunks
    out = []
    for i in range(0, len(base.periods), size):
        out.append(Query(**{**base.__dict__, "periods": base.periods[i : i + size]}))
    return out


# --- records -----------------------------------------------------------------------------------


@dataclass
class Record:
    reporter: int
    reporter_desc: str | None
    reporter_iso: str | None
    flow: str
    partner: int
    partner_desc: str | None
    partner_iso: str | None
    code: str
    period: str
    value: float
    classification: str
    source: int  # index of the query text


def parse_records(body: dict, query: Query, what: str, source: int, ignored) -> list[Record]:
    """The records of one answer that belong to ``query``; others are counted in ``ignored``
    (reason -> count). A record without the API's fields, or with a value that is not a number,
    raises :class:`DataError`."""
    data = body.get("data")
    error = body.get("error")
    if error and not data:
        raise DataError(
            f"{what}: UN Comtrade answered with an error: {' '.join(str(error).split())}"
        )
    if not isinstance(data, list):
        raise DataError(
            f"{what}: the answer has no 'data' list (keys: {', '.join(map(str, body)) or 'none'}); "
            "check that --api-url is the UN Comtrade API"
        )
    count = body.get("count")
    if isinstance(count, int) and not isinstance(count, bool) and count < len(data):
        raise DataError(
            f"{what}: the answer says count {count} but holds {len(data)} records (malformed); "
            "run again with --refresh"
        )
    periods, flows = set(query.periods), set(query.flows)
    partners = None if query.partners is None else set(query.partners)
    out = []
    for i, r in enumerate(data):
        if not isinstance(r, dict):
            raise DataError(f"{what}: record {i + 1} is not an object")
        try:
            reporter = _int(r["reporterCode"])
            partner = _int(r["partnerCode"])
            flow = str(r["flowCode"]).strip().upper()
            code = str(r["cmdCode"]).strip().replace(".", "")
            period = str(r["period"]).strip()
            value = r["primaryValue"]
        except (KeyError, TypeError, ValueError) as exc:
            raise DataError(
                f"{what}: record {i + 1} lacks a usable {exc} (expected the API's fields "
                "reporterCode, partnerCode, flowCode, cmdCode, period, primaryValue)"
            ) from None
        if value is None:
            ignored["no primaryValue"] += 1
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            raise DataError(
                f"{what}: record {i + 1} ({flow} {period} cmdCode {code}): primaryValue "
                f"{value!r} is not a number"
            )
        if reporter != query.reporter:
            ignored[f"another reporter ({reporter})"] += 1
        elif flow not in flows:
            ignored[f"flow {flow} not asked for"] += 1
        elif period not in periods:
            ignored[f"period {period} not asked for"] += 1
        elif partners is not None and partner not in partners:
            ignored["partner not asked for"] += 1
        elif not _total(r.get("partner2Code"), (0,)) or not _total(r.get("motCode"), (0,)):
            ignored["breakdown by second partner or transport (only totals kept)"] += 1
        elif r.get("customsCode") not in (None, "", "C00"):
            ignored["breakdown by customs procedure (only totals kept)"] += 1
        elif not code.isdigit():
            ignored[f"cmdCode {code} is not an HS code of the sector"] += 1
        else:
            out.append(
                Record(
                    reporter,
                    _text(r.get("reporterDesc")),
                    _text(r.get("reporterISO")),
                    flow,
                    partner,
                    _text(r.get("partnerDesc")),
                    _text(r.get("partnerISO")),
                    code,
                    period,
                    float(value),
                    _text(r.get("classificationCode")) or "",
                    source,
                )
            )
    return out


def _int(v) -> int:
    if isinstance(v, bool):
        raise ValueError("code")
    return int(str(v).strip())


def _total(v, totals) -> bool:
    if v is None or v == "":
        return True
    try:
        return int(v) in totals
    except (TypeError, ValueError):
        return False


def _text(v) -> str | None:
    if v is None:
        return None
    text = " ".join(str(v).split())
    return text or None


# --- the sector's sum ----------------------------------------------------------------------------


def prefix_value(values: dict[str, float], prefix: str) -> float | None:
    """The trade of ``prefix``: its own record, else the sum of the coarsest codes under it.

    Examples
    --------
    >>> prefix_value({"73": 5.0, "7308": 2.0}, "73"), prefix_value({"7308": 2.0, "730890": 1.5,
    ...     "7318": 1.0}, "73"), prefix_value({"84": 1.0}, "73")
    (5.0, 3.0, None)
    """
    if prefix in values:
        return values[prefix]
    under = [c for c in values if c.startswith(prefix)]
    top = [c for c in under if not any(d != c and c.startswith(d) for d in under)]
    return math.fsum(values[c] for c in top) if top else None


def sector_sums(records: list[Record], include, exclude, what: str, ignored):
    """(reporter, flow, partner, period) -> (sector value in USD, classification, source index,
    the record that names reporter and partner); records of codes outside the sector are counted
    in ``ignored``; the same key twice with two values raises :class:`DataError`."""
    groups: dict[tuple, dict[str, float]] = defaultdict(dict)
    first: dict[tuple, Record] = {}
    wanted = tuple(include) + tuple(exclude)
    for r in records:
        key = (r.reporter, r.flow, r.partner, r.period)
        if r.code not in wanted:
            if any(p.startswith(r.code) for p in wanted):
                ignored[f"cmdCode {r.code} coarser than the sector's codes"] += 1
                continue
            if not any(r.code.startswith(p) for p in wanted):
                ignored[f"cmdCode {r.code} outside the sector"] += 1
                continue
        codes = groups[key]
        if r.code in codes:
            if abs(codes[r.code] - r.value) > 1e-9 * max(1.0, abs(r.value)):
                raise DataError(
                    f"{what}: two records for {r.flow} {r.period} partner {r.partner} cmdCode "
                    f"{r.code} with different values ({codes[r.code]:g} and {r.value:g})"
                )
            ignored["duplicate record"] += 1
            continue
        codes[r.code] = r.value
        first.setdefault(key, r)
    out = {}
    for key, values in groups.items():
        parts = [prefix_value(values, c) for c in include]
        if all(p is None for p in parts):
            continue
        total = math.fsum(p for p in parts if p is not None)
        total -= math.fsum(v for e in exclude if (v := prefix_value(values, e)) is not None)
        r = first[key]
        out[key] = (total, r.classification, r.source, r)
    return out
