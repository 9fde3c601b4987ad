"""Growth trends from the figures: the compound average growth over the last years of the data."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from metaltrade_xl.data import WORLD, DataError
from metaltrade_xl.data._view import FigureView


@dataclass(frozen=True)
class Trend:
    """A compound annual growth rate and the figures it comes from.

    Attributes
    ----------
    rate : float, fraction per year
        ``(last_value / first_value) ** (1 / years) − 1``.
    first_year, last_year : int
    first_value, last_value : float, USD millions
    ids : tuple of str
        Ids of the two figures.
    lower_bound : bool
        Either figure is a floor ("more than"), so the rate is uncertain.
    """

    rate: float
    first_year: int
    last_year: int
    first_value: float
    last_value: float
    ids: tuple[str, str]
    lower_bound: bool = False

    @property
    def years(self) -> int:
        return self.last_year - self.first_year

    def describe(self) -> str:
        """One line, e.g. ``CAGR 2019-2024 (5 years): 610 -> 750`` (the JSON's ``trend``; sheets
        say it in their language, :func:`metaltrade_xl.report.notes.trend_text`)."""
        from metaltrade_xl.data.nowcast import number_text

        floor = " (a figure is a lower bound)" if self.lower_bound else ""
        return (
            f"CAGR {self.first_year}-{self.last_year} ({self.years} year"
            f"{'s' if self.years != 1 else ''}): "
            f"{number_text(self.first_value)} -> {number_text(self.last_value)}{floor}"
        )


def trend_growth(
    figures: pd.DataFrame,
    indicator: str,
    reporter: str,
    years: int,
    *,
    until: int | None = None,
    partner: str = WORLD,
) -> Trend:
    """The CAGR of ``indicator`` of ``reporter`` over the last ``years`` full years of the data.

    The last year is the latest full year (``months == 12``) in the figures, not after ``until``
    (a scenario's base year); the first is ``years`` earlier. Partial years are not used.

    Raises
    ------
    DataError
        Fewer years in the data than asked (the message says which years it has), or a value
        that is not positive.

    Examples
    --------
    >>> f = pd.DataFrame({"id": ["a", "b", "c"], "indicator": "exports", "reporter": "Peru",
    ...     "partner": "World", "year": [2020, 2022, 2024], "months": 12,
    ...     "value": [100.0, 110.0, 121.0], "lower_bound": False})
    >>> t = trend_growth(f, "exports", "Peru", 2)
    >>> round(t.rate, 10), t.first_year, t.last_year
    (0.0488088482, 2022, 2024)
    >>> trend_growth(f, "exports", "Peru", 5)
    Traceback (most recent call last):
    ...
    metaltrade_xl.data.DataError: trend_years = 5 needs full-year exports of Peru (partner World) for 2019 and 2024; the data has 2020, 2022, 2024
    """
    if isinstance(years, bool) or not isinstance(years, int) or years < 1:
        raise DataError(f"trend_years: expected a whole number of years >= 1, got {years!r}")
    f = FigureView.of(figures).frame  # a run's view of the figures, or a frame
    hit = (
        (f["indicator"].str.lower() == indicator.lower())
        & (f["reporter"].str.lower() == reporter.lower())
        & (f["partner"].str.lower() == partner.lower())
        & (f["months"] == 12)
    )
    if until is not None:
        hit &= f["year"] <= int(until)
    rows = f[hit]
    what = f"full-year {indicator} of {reporter} (partner {partner})"
    if rows.empty:
        after = f" up to {until}" if until is not None else ""
        raise DataError(f"trend_years = {years}: the data has no {what}{after}")
    dup = rows["year"].duplicated(keep=False)
    if dup.any():
        y = int(rows.loc[dup, "year"].iloc[0])
        ids = ", ".join(rows.loc[rows["year"] == y, "id"])
        raise DataError(f"{what} in {y}: more than one figure ({ids})")
    by_year = rows.set_index("year")
    last = int(by_year.index.max())
    first = last - years
    if first not in by_year.index:
        have = ", ".join(map(str, sorted(by_year.index)))
        raise DataError(
            f"trend_years = {years} needs {what} for {first} and {last}; the data has {have}"
        )
    a, b = by_year.loc[first], by_year.loc[last]
    if not (a["value"] > 0 and b["value"] > 0):
        raise DataError(f"{what}: a trend needs positive values, got {a['value']:g} in {first}")
    rate = (float(b["value"]) / float(a["value"])) ** (1.0 / years) - 1.0
    lower = bool(a.get("lower_bound", False)) or bool(b.get("lower_bound", False))
    return Trend(rate, first, last, float(a["value"]), float(b["value"]), (a["id"], b["id"]), lower)
