"""Start values from the latest data: partial years annualised, a rival carried to the base year,
projections checked against what is already recorded.

A figure covers the months from January that its ``months`` column says (11 = January-November).
A scenario's base-year start value is, in this order:

1. **recorded**: the full-year figure of the base year;
2. **annualised**: the latest partial-year figure of the base year divided by the share of a year
   its months usually hold. That share comes from, first, the scenario's ``seasonal_profile``
   (12 monthly weights); then the data's own profile: the average, over the latest
   :data:`PROFILE_YEARS` full years that have both figures, of the same months' figure over the
   full-year one (monthly data in the tidy layout are year-to-date rows, months = 1 … 12); and
   otherwise ``months / 12`` (×12/11 for January-November);
3. **carried** (the rival only, whose figures often stop a year earlier): the latest earlier
   year's value, found as in 1-2, grown to the base year at the rival's own growth rate (the
   scenario's rate, or the first projected year's rate of a yearly table). The rival's path is
   then the same whichever base year a scenario picks.

A value given in the scenario (``exports.start`` …) always wins (**given**).

Every value keeps the figures it rests on and a sentence saying how it was made, so sheets and
JSON can say "estimate" where one is shown. :func:`record_warnings` lists each projected
full-year value below a figure already recorded for the same year (a partial year included):
such a projection contradicts the data, and must say so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from metaltrade_xl.data import WORLD, DataError
from metaltrade_xl.data._view import Figure, FigureView

#: How a start value was obtained (:attr:`StartValue.basis`).
GIVEN, RECORDED, ANNUALISED, SEASONAL, CARRIED = (
    "given",
    "recorded",
    "annualised",
    "seasonal",
    "carried",
)
ESTIMATES = (ANNUALISED, SEASONAL, CARRIED)
#: The note of a start value the scenario gives.
GIVEN_NOTE = "given in the scenario"
#: The columns :func:`_rows` keeps.
_COLUMNS = ("id", "year", "months", "value", "lower_bound")
#: Full years averaged for the data's own seasonal profile.
PROFILE_YEARS = 3
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def number_text(value: float) -> str:
    """A value with thousands separators and at most two decimals.

    Examples
    --------
    >>> number_text(19548.0), number_text(21325.090909), number_text(0.5)
    ('19,548', '21,325.09', '0.5')
    """
    text = f"{value:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def period_text(months: int, year: int | None = None) -> str:
    """Words for the months a figure covers from January.

    Examples
    --------
    >>> period_text(11, 2025), period_text(1), period_text(12, 2024)
    ('January–November 2025', 'January', 'full year 2024')
    """
    when = f" {year}" if year is not None else ""
    if months >= 12:
        return f"full year{when}"
    if months == 1:
        return f"January{when}"
    return f"January–{_MONTHS[months - 1]}{when}"


@dataclass(frozen=True)
class StartValue:
    """A base-year start value and how it was obtained.

    Attributes
    ----------
    key : str, the scenario key it fills (``exports.start``, ``rival.start`` …)
    value : float, USD millions
    basis : one of ``given``, ``recorded``, ``annualised``, ``seasonal``, ``carried``
    year : int, the base year the value is for
    figure_ids : ids of the figures it rests on (for ``seasonal``, the profile's too)
    lower_bound : bool, True when it rests on a floor ("more than"): the value is a floor too
    recorded : float or None, the figure the value was made from
    recorded_year, recorded_months : the year and months that figure covers
    factor : float, value / recorded (12/11 when annualised from January-November)
    note : str, one sentence in words (English) saying how the value was made: the JSON's
        ``start_note``; sheets say it in their language from the fields below
        (:func:`metaltrade_xl.report.notes.start_note`)
    share : float or None, ``seasonal``: the share of the year its months hold
    profile_years : ``seasonal`` from the data's own profile: the full years averaged (empty
        when the scenario's ``seasonal_profile`` gave the share)
    carried_from : int or None, ``carried``: the year the value was carried from
    carried_value : float or None, ``carried``: the value of that year (itself perhaps an
        estimate)
    carry_rate : float or None, ``carried``: the yearly rate it was grown at
    """

    key: str
    value: float
    basis: str
    year: int
    figure_ids: tuple[str, ...] = ()
    lower_bound: bool = False
    recorded: float | None = None
    recorded_year: int | None = None
    recorded_months: int | None = None
    factor: float = 1.0
    note: str = ""
    share: float | None = None
    profile_years: tuple[int, ...] = ()
    carried_from: int | None = None
    carried_value: float | None = None
    carry_rate: float | None = None

    @property
    def estimate(self) -> bool:
        """True when the value is not a figure of the data or of the scenario (see ``basis``)."""
        return self.basis in ESTIMATES


class Notice(str):
    """A warning as a sentence (English, stable: what the JSON and scripts read) that also holds
    what it says as data, ``code`` and ``fields``, so a sheet or terminal can say it in the
    reader's language (:func:`metaltrade_xl.report.notes.notice_text`).

    Examples
    --------
    >>> n = Notice("exports of Peru in 2025: ...", "below_record", year=2025)
    >>> n == "exports of Peru in 2025: ...", n.code, n.fields["year"]
    (True, 'below_record', 2025)
    """

    code: str
    fields: dict

    def __new__(cls, message: str, code: str = "", **fields):
        self = super().__new__(cls, message)
        self.code, self.fields = code, fields
        return self

    def __reduce__(self):  # pickles (multiprocessing) with its code and fields
        return (_notice, (str(self), self.code, self.fields))


def _notice(message, code, fields):
    return Notice(message, code, **fields)


def check_profile(values, key: str = "seasonal_profile") -> tuple[float, ...]:
    """Validate a seasonal profile: 12 monthly weights >= 0 (any scale; they are normalised).

    Examples
    --------
    >>> check_profile([1] * 12)[:2]
    (1.0, 1.0)
    >>> check_profile([1, 2])
    Traceback (most recent call last):
    ...
    ValueError: seasonal_profile: expected 12 monthly weights (January to December), got 2 values
    """
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise ValueError(f"{key}: expected a list of 12 monthly weights, got {values!r}")
    if len(values) != 12:
        raise ValueError(
            f"{key}: expected 12 monthly weights (January to December), got {len(values)} values"
        )
    out = []
    for i, v in enumerate(values):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
            raise ValueError(f"{key}: weight for {_MONTHS[i]}: expected a number >= 0, got {v!r}")
        out.append(float(v))
    if sum(out) <= 0:
        raise ValueError(f"{key}: the weights add up to 0; expected a positive total")
    return tuple(out)


def profile_share(profile: Sequence[float], months: int) -> float:
    """Share of a year's total that falls in its first ``months`` months under ``profile``.

    Examples
    --------
    >>> profile_share([1] * 12, 11) == 11 / 12
    True
    """
    return sum(profile[:months]) / sum(profile)


_Figure = Figure  # the records of one indicator, reporter and partner


def _rows(figures, indicator: str, reporter: str, partner: str) -> tuple[Figure, ...]:
    """``id, year, months, value, lower_bound`` of the figures of one indicator, reporter and
    partner (case-insensitive), in the data's order, as plain records: the answer is a handful of
    rows, on which each pandas operation cost more than the whole search. ``figures`` is a frame
    or a :class:`~metaltrade_xl.data._view.FigureView` of one (which keeps its answers: a run
    asks ~25 times)."""
    return FigureView.of(figures).rows(indicator, reporter, partner)


def latest_year(
    figures: pd.DataFrame, indicators: Sequence[str], reporter: str, partner: str = WORLD
) -> int | None:
    """The latest year in which ``reporter`` has a figure (full or partial) for every one of
    ``indicators``, or None.

    Examples
    --------
    >>> from metaltrade_xl.data import load_figures
    >>> latest_year(load_figures(), ["exports", "imports"], "Peru")
    2025
    >>> latest_year(load_figures(), ["exports", "imports"], "Chile") is None
    True
    """
    years = None
    for indicator in indicators:
        found = {r.year for r in _rows(figures, indicator, reporter, partner)}
        years = found if years is None else years & found
    return max(years) if years else None


def data_share(
    figures: pd.DataFrame,
    indicator: str,
    reporter: str,
    months: int,
    before: int,
    *,
    partner: str = WORLD,
    years: int = PROFILE_YEARS,
) -> tuple[float, tuple[int, ...], tuple[str, ...]] | None:
    """The data's own share of the full year held by the first ``months`` months.

    The average of ``figure(months) / figure(12)`` over the latest ``years`` full years before
    ``before`` that have both; None when no year has both.

    Returns
    -------
    (share, years used, ids of the figures used), or None

    Examples
    --------
    >>> f = pd.DataFrame({"id": ["a", "b", "c", "d"], "indicator": "exports",
    ...     "reporter": "Peru", "partner": "World", "year": [2023, 2023, 2024, 2024],
    ...     "months": [11, 12, 11, 12], "value": [90.0, 100.0, 92.0, 100.0]})
    >>> share, used, ids = data_share(f, "exports", "Peru", 11, 2025)
    >>> round(share, 6), used, ids
    (0.91, (2023, 2024), ('a', 'b', 'c', 'd'))
    """
    return _share(_rows(figures, indicator, reporter, partner), months, before, years)


def _share(rows: list[_Figure], months: int, before: int, years: int = PROFILE_YEARS):
    """:func:`data_share` on the rows of one indicator, reporter and partner."""
    part: dict[int, tuple] = {}
    full: dict[int, tuple] = {}
    for r in rows:
        if r.year < int(before) and r.months in (int(months), 12):
            (full if r.months == 12 else part).setdefault(r.year, (r.id, r.value))
    both = sorted(set(part) & set(full))[-years:]
    if not both or any(full[y][1] <= 0 for y in both):
        return None
    share = sum(part[y][1] / full[y][1] for y in both) / len(both)
    ids = tuple(i for y in both for i in (part[y][0], full[y][0]))
    return share, tuple(both), ids


def _one(rows: list[_Figure], what: str) -> _Figure:
    if len(rows) > 1:
        raise DataError(f"{what}: more than one figure ({', '.join(r.id for r in rows)})")
    return rows[0]


def _in_year(keyed, indicator, reporter, year, *, key, profile) -> StartValue | None:
    """The value for ``year`` from its full-year figure or its latest partial one, annualised;
    ``keyed`` are the figures of the indicator, reporter and partner (:func:`_rows`)."""
    rows = [r for r in keyed if r.year == int(year)]
    if not rows:
        return None
    what = f"{indicator} of {reporter} in {year}"
    full = [r for r in rows if r.months == 12]
    if full:
        row = _one(full, what)
        v = float(row.value)
        floor = " (a lower bound: the source says 'more than')" if row.lower_bound else ""
        return StartValue(
            key, v, RECORDED, int(year), (row.id,), bool(row.lower_bound), v, int(year), 12,
            1.0, f"recorded: {number_text(v)} for {year}{floor}",
        )  # fmt: skip
    months = max(r.months for r in rows)
    row = _one([r for r in rows if r.months == months], what)
    v = float(row.value)
    period = period_text(months, int(year))
    ids: tuple[str, ...] = (row.id,)
    found = None if profile is not None else _share(keyed, months, int(year))
    used: tuple[int, ...] = ()
    if profile is not None:
        share, basis = profile_share(profile, months), SEASONAL
        how = f"÷ {share:.4f}, the share of the year in those months by the scenario's seasonal_profile"
    elif found is not None:
        share, used, more = found
        basis, ids = SEASONAL, ids + more
        span = f"{used[0]}" if len(used) == 1 else f"{used[0]}–{used[-1]}"
        how = f"÷ {share:.4f}, those months' average share of the full year in {span} (the data's own seasonal profile)"
    else:
        share, basis = months / 12, ANNUALISED
        how = f"× 12/{months}"
    value = v / share
    floor = " (a lower bound, so the estimate is one too)" if row.lower_bound else ""
    note = f"estimate: {number_text(v)} recorded for {period}{floor} {how} = {number_text(value)}"
    return StartValue(
        key, value, basis, int(year), ids, bool(row.lower_bound), v, int(year), months,
        value / v, note, share if basis == SEASONAL else None, used,
    )  # fmt: skip


def start_value(
    figures: pd.DataFrame,
    indicator: str,
    reporter: str,
    year: int,
    *,
    key: str,
    partner: str = WORLD,
    profile: Sequence[float] | None = None,
    carry_rate: float | None = None,
) -> StartValue:
    """The start value of ``indicator`` for ``reporter`` in ``year`` (see the module docstring).

    Parameters
    ----------
    figures : DataFrame in the tidy layout
    indicator, reporter, partner : the figure's keys
    year : int, the base year
    key : str, the scenario key the value fills (used in notes and in the StartValue)
    profile : 12 monthly weights, optional; the scenario's seasonal profile
    carry_rate : float, optional; when given and ``year`` has no figure, the latest earlier
        year's value is grown to ``year`` at this rate (the rival's rule)

    Raises
    ------
    DataError
        No figure for the year (nor an earlier one to carry, with ``carry_rate``).

    Examples
    --------
    >>> from metaltrade_xl.data import load_figures
    >>> s = start_value(load_figures(), "imports", "Peru", 2025, key="imports.start")
    >>> round(s.value, 2), s.basis, s.estimate, s.lower_bound   # 19 548 × 12/11
    (21325.09, 'annualised', True, True)
    >>> s = start_value(load_figures(), "exports", "Chile", 2025, key="rival.start",
    ...                 carry_rate=0.03)
    >>> round(s.value, 2), s.basis, s.figure_ids                  # 4 000 × 1.03
    (4120.0, 'carried', ('chile_exports_2024',))
    """
    keyed = _rows(figures, indicator, reporter, partner)
    found = _in_year(keyed, indicator, reporter, year, key=key, profile=profile)
    if found is not None:
        return found
    when = f"no figure for {indicator} of {reporter} (partner {partner}) in {year}"
    if carry_rate is None:
        raise DataError(when)
    earlier = [r.year for r in keyed if r.year < int(year)]
    if not earlier:
        raise DataError(f"{when} nor in an earlier year")
    last = max(earlier)
    base = _in_year(keyed, indicator, reporter, last, key=key, profile=profile)
    n = int(year) - last
    factor = (1 + float(carry_rate)) ** n
    value = base.value * factor
    steps = "one year" if n == 1 else f"{n} years"
    floor = " (a lower bound, so the estimate is one too)" if base.lower_bound else ""
    note = (
        f"estimate: {number_text(base.value)} for {last}{floor}, carried to {year} by growing it "
        f"{steps} at the rival's own rate {carry_rate:.2%} = {number_text(value)}"
    )
    return StartValue(
        key, value, CARRIED, int(year), base.figure_ids, base.lower_bound, base.recorded,
        base.recorded_year, base.recorded_months, value / (base.recorded or value), note,
        carried_from=last, carried_value=base.value, carry_rate=float(carry_rate),
    )  # fmt: skip


def first_rate(growth) -> float:
    """The rate a rival's value is carried at: its constant rate, or the first year's of a table.

    Examples
    --------
    >>> first_rate(0.03), first_rate({2027: 0.05, 2026: 0.02})
    (0.03, 0.02)
    """
    if isinstance(growth, Mapping):
        return float(growth[min(growth)])
    return float(growth)


#: What :func:`record_warnings` compares: (indicator, column of the projected table, whose).
_CHECKS = (
    ("exports", "exports", "reporter"),
    ("imports", "imports", "reporter"),
    ("deficit", "deficit", "reporter"),
    ("exports", "rival_exports", "rival"),
)


def record_warnings(
    table: pd.DataFrame, figures: pd.DataFrame, *, reporter: str, rival: str
) -> list[Notice]:
    """One sentence per projected full-year value below a figure recorded for the same year
    (a :class:`Notice`: code ``below_record``).

    ``table`` is a projection's yearly table (``year``, ``exports``, ``imports``, ``deficit``,
    ``rival_exports``); a figure of any coverage (January-November included) counts, since a
    full year holds at least its first months.

    Examples
    --------
    >>> from metaltrade_xl.data import load_figures
    >>> t = pd.DataFrame({"year": [2024, 2025], "exports": [750, 792.75],
    ...     "imports": [18203, 19240.57], "deficit": [17453, 18447.82],
    ...     "rival_exports": [4000, 4120]})
    >>> for w in record_warnings(t, load_figures(), reporter="Peru", rival="Chile"):
    ...     print(w)
    imports of Peru in 2025: projected 19,241 for the full year, below the 19,548 (a lower bound) already recorded for January–November 2025
    deficit of Peru in 2025: projected 18,448 for the full year, below the 18,821 already recorded for January–November 2025
    """
    years = {int(y): i for i, y in enumerate(table["year"])}
    out = []
    for indicator, column, whose in _CHECKS:
        who = reporter if whose == "reporter" else rival
        rows = [r for r in _rows(figures, indicator, who, WORLD) if r.year in years]
        values = None
        for row in sorted(rows, key=lambda r: (r.year, r.months)):
            values = table[column].to_numpy(dtype=float) if values is None else values
            projected = float(values[years[row.year]])
            if projected < float(row.value) * (1 - 1e-9):
                floor = " (a lower bound)" if row.lower_bound else ""
                text = (
                    f"{indicator} of {who} in {row.year}: projected {projected:,.0f} for the "
                    f"full year, below the {float(row.value):,.0f}{floor} already recorded for "
                    f"{period_text(int(row.months), int(row.year))}"
                )
                out.append(
                    Notice(
                        text, "below_record", indicator=indicator, who=who, year=int(row.year),
                        projected=projected, recorded=float(row.value),
                        months=int(row.months), lower_bound=bool(row.lower_bound),
                    )
                )  # fmt: skip
    return out


_RECORD_COLUMNS = (
    "id", "indicator", "reporter", "partner", "year", "months", "value", "unit", "lower_bound",
    "source_publisher", "source_title", "source_date", "quote", "file", "row",
)  # fmt: skip
_Record = NamedTuple("_Record", [(c, object) for c in _RECORD_COLUMNS])


def figure_records(figures: pd.DataFrame, uses: Mapping[str, Sequence[str]]) -> list[dict]:
    """The figures a scenario used, as plain records, with the keys each one fed.

    ``uses`` maps a figure id to the scenario keys it fed (``imports.start`` …), in order.

    Examples
    --------
    >>> from metaltrade_xl.data import load_figures
    >>> (r,) = figure_records(load_figures(), {"chile_exports_2024": ["rival.start"]})
    >>> r["value"], r["lower_bound"], r["months"], r["used_for"]
    (4000.0, True, 12, ['rival.start'])
    >>> r["source"]
    'SNI-IEES, Perú mantiene un elevado déficit comercial (press release), 2026-01-26'
    """
    if not uses:
        return []
    # the few used rows as plain records (a frame lookup per id cost more than the run itself)
    view = FigureView.of(figures)
    want = set(uses)
    at = np.flatnonzero(np.fromiter((v in want for v in view.column("id")), bool, len(view)))
    cols = [c for c in _RECORD_COLUMNS if c in view.columns]
    records = {
        str(rec[0]): _Record(*rec) for rec in zip(*(view.column(c)[at] for c in cols), strict=True)
    }
    out = []
    for fid, keys in uses.items():
        row = records[str(fid)]
        source = ", ".join(
            str(p) for p in (row.source_publisher, row.source_title, row.source_date) if p
        )
        out.append(
            {
                "id": str(fid),
                "indicator": str(row.indicator),
                "reporter": str(row.reporter),
                "partner": str(row.partner),
                "year": int(row.year),
                "months": int(row.months),
                "value": float(row.value),
                "unit": str(row.unit),
                "lower_bound": bool(row.lower_bound),
                "source": source or str(row.file),
                "quote": str(row.quote),
                "file": str(row.file),
                "row": int(row.row),
                "used_for": list(keys),
            }
        )
    return out
