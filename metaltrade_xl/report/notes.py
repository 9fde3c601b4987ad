"""Notes and warnings in the reader's language, from the structured values the data layer returns.

The data and scenario layers say what they did as data (a
:class:`~metaltrade_xl.data.nowcast.StartValue` with its basis and numbers, a
:class:`~metaltrade_xl.data.nowcast.Notice` with a code and fields, a
:class:`~metaltrade_xl.data.trend.Trend`) plus one stable English sentence for the JSON; the
sheets and the terminal say it here, in English or Spanish, with the words of
:mod:`metaltrade_xl.report.phrases`. In English the sentence is the data layer's own.
"""

from __future__ import annotations

from metaltrade_xl.report.words import Words


def amount(value: float, w: Words) -> str:
    """A value with thousands separators and at most two decimals, in ``w``'s language.

    Examples
    --------
    >>> amount(21325.090909, Words("en")), amount(21325.090909, Words("es")), amount(4120, Words("es"))
    ('21,325.09', '21 325,09', '4 120')
    """
    text = f"{float(value):,.2f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return text.replace(",", " ").replace(".", ",") if w.lang == "es" else text


def period(months: int, year: int | None, w: Words) -> str:
    """The months a figure covers from January, in words.

    Examples
    --------
    >>> period(11, 2025, Words("en")), period(11, 2025, Words("es")), period(12, 2024, Words("es"))
    ('January–November 2025', 'enero–noviembre de 2025', 'el año completo de 2024')
    """
    when = "" if year is None else w("period.when", year=int(year))
    if months >= 12:
        return w("period.full", when=when)
    month = w(f"month.{int(months)}")
    if months == 1:
        return w("period.one", month=month, when=when)
    return w("period.span", first=w("month.1"), month=month, when=when)


def start_note(start, w: Words) -> str:
    """How a start value was made (:class:`~metaltrade_xl.data.nowcast.StartValue`), in words.

    Examples
    --------
    >>> from metaltrade_xl.data import load_figures
    >>> from metaltrade_xl.data.nowcast import start_value
    >>> s = start_value(load_figures(), "imports", "Peru", 2025, key="imports.start")
    >>> start_note(s, Words("es"))
    'estimación: 19 548 registrados en enero–noviembre de 2025 (una cota inferior, así que la estimación también lo es) × 12/11 = 21 325,09'
    >>> start_note(s, Words("en")) == s.note
    True
    """
    basis = start.basis
    if basis == "given":
        return w("start.given")
    if basis == "recorded":
        floor = w("start.floor_recorded") if start.lower_bound else ""
        return w("start.recorded", value=amount(start.value, w), year=start.year, floor=floor)
    floor = w("start.floor_estimate") if start.lower_bound else ""
    if basis == "carried":
        n = start.year - start.carried_from
        steps = w("start.one_year") if n == 1 else w("start.n_years", n=n)
        return w(
            "start.carried",
            base=amount(start.carried_value, w),
            last=start.carried_from,
            floor=floor,
            year=start.year,
            steps=steps,
            rate=w.percent(start.carry_rate, 2),
            value=amount(start.value, w),
        )
    if basis == "seasonal":
        share = f"{start.share:.4f}"
        share = share.replace(".", ",") if w.lang == "es" else share
        used = start.profile_years
        if used:
            span = f"{used[0]}" if len(used) == 1 else f"{used[0]}–{used[-1]}"
            how = w("start.how_data", share=share, span=span)
        else:
            how = w("start.how_profile", share=share)
    else:
        how = w("start.how_annualised", months=start.recorded_months)
    return w(
        "start.estimate",
        recorded=amount(start.recorded, w),
        period=period(start.recorded_months, start.recorded_year, w),
        floor=floor,
        how=how,
        value=amount(start.value, w),
    )


def notice_text(notice, w: Words) -> str:
    """A warning (:class:`~metaltrade_xl.data.nowcast.Notice`) in ``w``'s language; a plain
    sentence without a code stays as it is.

    Examples
    --------
    >>> from metaltrade_xl.data.nowcast import Notice
    >>> n = Notice("x", "below_record", indicator="imports", who="Peru", year=2025,
    ...            projected=19240.6, recorded=19548.0, months=11, lower_bound=True)
    >>> notice_text(n, Words("es"))
    'Importaciones de Peru en 2025: proyección de 19 241 para el año completo, por debajo de los 19 548 (una cota inferior) ya registrados en enero–noviembre de 2025'
    """
    code, f = getattr(notice, "code", ""), getattr(notice, "fields", {})
    if code == "below_record":
        indicator = f["indicator"] if w.lang == "en" else w.indicator(f["indicator"]).capitalize()
        return w(
            "warn.below_record",
            indicator=indicator,
            who=f["who"],
            year=f["year"],
            projected=w.number(f["projected"]),
            recorded=w.number(f["recorded"]),
            floor=w("warn.floor") if f["lower_bound"] else "",
            period=period(f["months"], f["year"], w),
        )
    if code in ("start_moved", "rival_borrowed"):
        return w(f"warn.{code}", **f)
    return str(notice)


def warning_lines(results, w: Words) -> list[str]:
    """``warning: <scenario>: <sentence>`` (``aviso: …``), one line per warning of every result."""
    return [
        w("warn.line", scenario=w.title(r.scenario), text=notice_text(x, w))
        for r in results
        for x in r.warnings
    ]


def trend_text(trend, w: Words) -> str:
    """A trend (:class:`~metaltrade_xl.data.trend.Trend`) in one line, e.g. ``CAGR 2019-2024
    (5 years): 610 -> 750``.

    Examples
    --------
    >>> from metaltrade_xl.data.trend import Trend
    >>> t = Trend(0.0426, 2019, 2024, 610.0, 750.0, ("a", "b"), True)
    >>> trend_text(t, Words("es"))
    'TCAC 2019-2024 (5 años): 610 -> 750 (una cifra es una cota inferior)'
    >>> trend_text(t, Words("en")) == t.describe()
    True
    """
    n = trend.years
    span = w("trend.one_year") if n == 1 else w("start.n_years", n=n)
    return w(
        "trend.describe",
        first=trend.first_year,
        last=trend.last_year,
        span=span,
        a=amount(trend.first_value, w),
        b=amount(trend.last_value, w),
        floor=w("trend.floor") if trend.lower_bound else "",
    )
