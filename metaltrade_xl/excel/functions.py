"""Excel functions (``MT_…``): xlwings decorators, conversion, one engine call.

Values are USD millions, rates fractions (0.05 = 5 %), years whole numbers. The same module serves
desktop Excel (classic xlwings UDFs, through the thin module ``metaltrade_xl.udfs`` that
``UDF Modules`` names in the ``xlwings.conf`` sheet) and Excel on the web and Mac (xlwings Server / xlwings Lite). See ``docs/excel.md``.

Range arguments are taken ``"raw"`` and checked by :mod:`metaltrade_xl.excel.args`, which is also
where the handling of empty cells is decided: a row empty in every range argument gives an empty
result row, any other empty cell is an error naming it. Tables spill with a header row.
"""

from __future__ import annotations

import functools
import re

import numpy as np
import xlwings as xw

from metaltrade_xl import DATA_VINTAGE, __version__, engine
from metaltrade_xl.data import FIGURE_COLUMNS, DataError, find_figure
from metaltrade_xl.engine.inputs import AMOUNT, RATE, SHARE, check_value
from metaltrade_xl.engine.projection import COLUMNS, compound, yearly_rates
from metaltrade_xl.excel.args import (
    CATEGORY,
    MAX_YEARS,
    ExcelInputError,
    cells,
    check,
    excel_errors,
    fail,
    frame_table,
    in_domain,
    is_blank,
    numbers,
    scalar,
    scenario_arg,
    series,
    table,
    text,
    whole,
    year_arg,
)
from metaltrade_xl.excel.args import aligned as _aligned
from metaltrade_xl.excel.args import bundled_figures as _bundled_figures
from metaltrade_xl.excel.args import elementwise as _elementwise
from metaltrade_xl.excel.args import figures_arg as _figures
from metaltrade_xl.excel.args import summary_as_description as _summary_as_description
from metaltrade_xl.scenarios import run

__all__ = [
    "MT_BALANCE",
    "MT_DEFICIT",
    "MT_COVERAGE",
    "MT_SHARE",
    "MT_GROWTH",
    "MT_CAGR",
    "MT_ANNUALIZE",
    "MT_GROWTH_TO_CLOSE",
    "MT_YEARS_TO_CLOSE",
    "MT_GROWTH_FOR_DEFICIT",
    "MT_PROJECT",
    "MT_SUBSTITUTION",
    "MT_SCENARIO",
    "MT_DATA",
    "MT_SOURCES",
    "MT_VERSION",
]


def _optional(value, name: str, default: float):
    return numbers(default if is_blank(value) else value, name)


def _amounts(exports, imports) -> tuple:
    """Exports and imports as recorded trade values: numbers >= 0, as in data files."""
    x, m = numbers(exports, "exports"), numbers(imports, "imports")
    in_domain(x, AMOUNT)
    in_domain(m, AMOUNT)
    return x, m


@_summary_as_description
@xw.func(category=CATEGORY)
@xw.arg("exports", "raw", doc="Exports, USD millions: a number or a range")
@xw.arg("imports", "raw", doc="Imports, USD millions: a number or a range of the same shape")
@xw.ret("raw")
def MT_BALANCE(exports, imports):
    """Trade balance, exports − imports, cell by cell (USD millions; negative = deficit).

    Parameters
    ----------
    exports : number or range, USD millions
    imports : number or range of the same shape, USD millions
        A single number pairs with every cell of the other range.

    Returns
    -------
    The same shape as the range argument(s). A row empty in every range gives an empty row.

    Examples
    --------
    ``=MT_BALANCE(727, 19548)`` → -18821 (Peru, January-November 2025)

    >>> MT_BALANCE(727, 19548)
    [[-18821.0]]
    """
    with excel_errors("MT_BALANCE"):
        x, m = _amounts(exports, imports)
        return cells(*_elementwise(engine.balance, x, m))


@_summary_as_description
@xw.func(category=CATEGORY)
@xw.arg("exports", "raw", doc="Exports, USD millions: a number or a range")
@xw.arg("imports", "raw", doc="Imports, USD millions: a number or a range of the same shape")
@xw.ret("raw")
def MT_DEFICIT(exports, imports):
    """Trade deficit, imports − exports, cell by cell (USD millions; positive = deficit).

    Parameters
    ----------
    exports : number or range, USD millions
    imports : number or range of the same shape, USD millions

    Returns
    -------
    The same shape as the range argument(s). A row empty in every range gives an empty row.

    Examples
    --------
    ``=MT_DEFICIT(727, 19548)`` → 18821, the deficit of January-November 2025.

    >>> MT_DEFICIT(727, 19548)
    [[18821.0]]
    >>> MT_DEFICIT([[750], [None], [727]], [[18203], [None], [19548]])
    [[17453.0], [''], [18821.0]]
    """
    with excel_errors("MT_DEFICIT"):
        x, m = _amounts(exports, imports)
        return cells(*_elementwise(engine.deficit, x, m))


@_summary_as_description
@xw.func(category=CATEGORY)
@xw.arg("exports", "raw", doc="Exports, USD millions: a number or a range")
@xw.arg("imports", "raw", doc="Imports, USD millions, > 0: a number or a range of the same shape")
@xw.ret("raw")
def MT_COVERAGE(exports, imports):
    """Export coverage of imports, exports / imports, cell by cell (a fraction: 0.04 = 4 %).

    Parameters
    ----------
    exports : number or range, USD millions
    imports : number or range of the same shape, USD millions, > 0

    Examples
    --------
    >>> round(MT_COVERAGE(727, 19548)[0][0], 4)
    0.0372
    """
    with excel_errors("MT_COVERAGE"):
        x, m = _amounts(exports, imports)
        check(m, m.values > 0, "imports > 0")
        return cells(*_elementwise(engine.coverage, x, m))


@_summary_as_description
@xw.func(category=CATEGORY)
@xw.arg("part", "raw", doc="The part(s), USD millions, >= 0: a number or a range")
@xw.arg("total", "raw", doc="Optional. The total, USD millions, > 0; default: the sum of part")
@xw.ret("raw")
def MT_SHARE(part, total=None):
    """Share of a total, part / total, cell by cell (a fraction: 0.426 = 42.6 %).

    Parameters
    ----------
    part : number or range, USD millions, >= 0
    total : number or range of the same shape, USD millions, > 0, optional
        Defaults to the sum of ``part`` (empty rows left out), so ``=MT_SHARE(B2:B6)`` gives
        each row's share of the column.

    Examples
    --------
    ``=MT_SHARE(8325, 19548)`` → 0.426, China's share of Peru's imports, January-November 2025.

    >>> round(MT_SHARE(8325, 19548)[0][0], 4)
    0.4259
    >>> MT_SHARE([[1], [3]])
    [[0.25], [0.75]]
    """
    with excel_errors("MT_SHARE"):
        p = numbers(part, "part")
        check(p, p.values >= 0, "a part >= 0")
        if is_blank(total):
            return cells(*_elementwise(engine.shares, p))
        t = numbers(total, "total")
        check(t, t.values > 0, "a total > 0")
        _part_within_total(p, t)
        return cells(*_elementwise(engine.shares, p, t))


def _part_within_total(p, t) -> None:
    """Each part at most its total: a share above 100 % is a swapped pair or mixed units."""
    shape, blank = _aligned(p, t)
    pv, tv = np.broadcast_to(p.values, shape), np.broadcast_to(t.values, shape)
    ok = (pv <= tv * (1 + 1e-12)) | blank[:, None]
    if not ok.all():
        r, c = divmod(int(np.argmin(ok.ravel())), shape[1])
        where = None if shape == (1, 1) else (r + 1, c + 1)
        raise fail(
            "part",
            f"expected at most total ({tv[r, c]:g}), got {pv[r, c]:g}: a share above 100 %; "
            "are part and total swapped, or in different units?",
            where,
        )


@_summary_as_description
@xw.func(category=CATEGORY)
@xw.arg("values", "raw", doc="A column (or row) of at least 2 values > 0, one per year")
@xw.ret("raw")
def MT_GROWTH(values):
    """Year-on-year growth down a column: values[t] / values[t−1] − 1 (one fewer value).

    Parameters
    ----------
    values : column or row of at least 2 numbers > 0
        Empty cells at the end are ignored; a gap in the middle is an error.

    Returns
    -------
    A column (or a row, for a row) one shorter than ``values``, fractions.

    Examples
    --------
    >>> MT_GROWTH([[100], [110], [99]])
    [[0.10000000000000009], [-0.09999999999999998]]
    """
    with excel_errors("MT_GROWTH"):
        v = numbers(values, "values")
        check(v, v.values > 0, "values > 0")
        out = engine.growth(series(v, min_length=2))
        shape = (1, out.size) if v.shape[0] == 1 else (out.size, 1)
        return cells(out.reshape(shape), shape)


@_summary_as_description
@xw.func(category=CATEGORY)
@xw.arg("start_value", "raw", doc="Value in the first year, > 0: a number or a range")
@xw.arg("end_value", "raw", doc="Value in the last year, > 0: a number or a range")
@xw.arg("years", "raw", doc="Years between them, > 0 (2024 - 2001 = 23)")
@xw.ret("raw")
def MT_CAGR(start_value, end_value, years):
    """Compound annual growth rate, (end / start)^(1 / years) − 1 (a fraction per year).

    Parameters
    ----------
    start_value, end_value : number or range, > 0
    years : number or range, > 0

    Examples
    --------
    World metal-mechanical exports, USD 2.5 trillion (2001) to 9.0 trillion (2024):

    >>> round(MT_CAGR(2.5, 9.0, 23)[0][0], 5)
    0.05727
    """
    with excel_errors("MT_CAGR"):
        s, e = numbers(start_value, "start_value"), numbers(end_value, "end_value")
        n = numbers(years, "years")
        for a, what in ((s, "a value > 0"), (e, "a value > 0"), (n, "a number of years > 0")):
            check(a, a.values > 0, what)
        return cells(*_elementwise(engine.cagr, s, e, n))


@_summary_as_description
@xw.func(category=CATEGORY)
@xw.arg("value", "raw", doc="Year-to-date value, USD millions: a number or a range")
@xw.arg("months", "raw", doc="Months covered from January, a whole number 1-12")
@xw.arg("profile", "raw", doc="Optional. 12 monthly weights >= 0 (seasonality); default: flat")
@xw.ret("raw")
def MT_ANNUALIZE(value, months, profile=None):
    """Full-year estimate from the first months of a year (USD millions).

    Without a profile, value × 12 / months. With 12 monthly weights, value × (sum of the 12) /
    (sum of the first ``months``): the year-to-date share of a normal year.

    Parameters
    ----------
    value : number or range, USD millions, year to date
    months : whole number, 1..12
    profile : row or column of 12 numbers >= 0, optional

    Examples
    --------
    ``=MT_ANNUALIZE(727, 11)`` → 793.09, Peru's exports for 2025 from January-November.

    >>> round(MT_ANNUALIZE(727, 11)[0][0], 2)
    793.09
    """
    with excel_errors("MT_ANNUALIZE"):
        v = numbers(value, "value")
        m = whole(months, "months", low=1, high=12)
        w = None
        if not is_blank(profile):
            p = numbers(profile, "profile")
            check(p, p.values >= 0, "weights >= 0")
            w = series(p)
            if w.size != 12:
                raise fail("profile", f"expected 12 monthly weights, got {w.size}")
        return cells(*_elementwise(lambda x: engine.annualize(x, m, w), v))


@_summary_as_description
@xw.func(category=CATEGORY)
@xw.arg("start", "raw", doc="Exports today, USD millions, > 0: a number or a range")
@xw.arg("target", "raw", doc="The rival's exports today, USD millions, > 0")
@xw.arg("years", "raw", doc="Years to close the gap, > 0")
@xw.arg("target_growth", "raw", doc="Optional. The rival's own growth a year, > -1; default 0")
@xw.ret("raw")
def MT_GROWTH_TO_CLOSE(start, target, years, target_growth=None):
    """Constant annual growth that takes exports to a rival's level after ``years`` years.

    g = (target × (1 + target_growth)^years / start)^(1 / years) − 1, a fraction per year.

    Parameters
    ----------
    start, target : number or range, USD millions, > 0
    years : number or range, > 0
    target_growth : number or range, fraction per year, > -1, optional (default 0)

    Examples
    --------
    ``=MT_GROWTH_TO_CLOSE(750, 4000, 10, 0.03)`` → 0.21769: Peru reaching Chile (growing 3 %)
    in 10 years.

    >>> round(MT_GROWTH_TO_CLOSE(750, 4000, 10, 0.03)[0][0], 5)
    0.21769
    """
    with excel_errors("MT_GROWTH_TO_CLOSE"):
        s, t, n = numbers(start, "start"), numbers(target, "target"), numbers(years, "years")
        tg = _optional(target_growth, "target_growth", 0.0)
        for a, what in ((s, "a value > 0"), (t, "a value > 0"), (n, "a number of years > 0")):
            check(a, a.values > 0, what)
        in_domain(tg, RATE)
        return cells(*_elementwise(engine.growth_to_close, s, t, n, tg))


@_summary_as_description
@xw.func(category=CATEGORY)
@xw.arg("start", "raw", doc="Exports today, USD millions, > 0: a number or a range")
@xw.arg("target", "raw", doc="The rival's exports today, USD millions, > 0")
@xw.arg("growth", "raw", doc="Export growth a year, > -1 (0.1 = 10 %)")
@xw.arg("target_growth", "raw", doc="Optional. The rival's own growth a year, > -1; default 0")
@xw.ret("raw")
def MT_YEARS_TO_CLOSE(start, target, growth, target_growth=None):
    """Years (fractional) until exports growing at ``growth`` reach a rival; 0 when already there.

    n = ln(target / start) / ln((1 + growth) / (1 + target_growth)). An error "never closes …"
    when growth is not above the rival's and exports start below it.

    Parameters
    ----------
    start, target : number or range, USD millions, > 0
    growth, target_growth : number or range, fraction per year, > -1 (target_growth default 0)

    Examples
    --------
    >>> round(MT_YEARS_TO_CLOSE(750, 4000, 0.21769, 0.03)[0][0], 3)
    10.0
    """
    with excel_errors("MT_YEARS_TO_CLOSE"):
        s, t, g = numbers(start, "start"), numbers(target, "target"), numbers(growth, "growth")
        tg = _optional(target_growth, "target_growth", 0.0)
        for a, what in ((s, "a value > 0"), (t, "a value > 0")):
            check(a, a.values > 0, what)
        for a in (g, tg):
            in_domain(a, RATE)
        out, shape, blank = _elementwise(
            functools.partial(engine.years_to_close, never="inf"), s, t, g, tg
        )
        if np.isinf(out).any():
            i = int(np.argmax(np.isinf(out).ravel()))
            at = "" if out.size == 1 else f" (row {i // shape[1] + 1}, column {i % shape[1] + 1})"
            s_, t_, g_, tg_ = (np.broadcast_to(a.values, shape).ravel()[i] for a in (s, t, g, tg))
            raise ExcelInputError(
                f"never closes{at}: growth {g_:g} is not above the rival's {tg_:g} "
                f"and exports {s_:g} start below {t_:g}"
            )
        return cells(out, shape, blank)


@_summary_as_description
@xw.func(category=CATEGORY)
@xw.arg("exports", "raw", doc="Exports in the base year, USD millions, > 0")
@xw.arg("imports", "raw", doc="Imports in the base year, USD millions, > 0")
@xw.arg("import_growth", "raw", doc="Import growth: one rate, or a column of one rate per year")
@xw.arg("target_deficit", "raw", doc="The deficit wanted in the last year, USD millions")
@xw.arg("years", "raw", doc="Years to get there, a whole number >= 1")
@xw.ret("raw")
def MT_GROWTH_FOR_DEFICIT(exports, imports, import_growth, target_deficit, years):
    """Constant export growth that brings the deficit to ``target_deficit`` after ``years`` years.

    Imports follow ``import_growth``; the answer is a fraction per year.

    Parameters
    ----------
    exports, imports : number, USD millions, > 0
    import_growth : number, or a column of ``years`` rates, each > -1
    target_deficit : number, USD millions (must be below the imports of the last year)
    years : whole number, 1..500

    Examples
    --------
    Halve the January-November 2025 deficit in 10 years with imports growing 4 % a year:

    >>> round(MT_GROWTH_FOR_DEFICIT(727, 19548, 0.04, 9410.5, 10)[0][0], 4)
    0.3897
    """
    with excel_errors("MT_GROWTH_FOR_DEFICIT"):
        x, m = scalar(exports, "exports"), scalar(imports, "imports")
        for v, name in ((x, "exports"), (m, "imports")):
            if v <= 0:
                raise fail(name, f"expected a value > 0, got {v:g}")
        g = numbers(import_growth, "import_growth")
        in_domain(g, RATE)
        rates = g.values[0, 0] if g.single else series(g)
        n = whole(years, "years", low=1, high=MAX_YEARS)
        target = scalar(target_deficit, "target_deficit")
        return [[engine.growth_for_deficit(x, m, rates, target, n)]]


@_summary_as_description
@xw.func(category=CATEGORY)
@xw.arg("start", "raw", doc="Value in the first year, USD millions, > 0")
@xw.arg("growth", "raw", doc="Growth a year, > -1: one rate, or a column of one rate per year")
@xw.arg("years", "raw", doc="Years to project, a whole number >= 1")
@xw.arg("start_year", "raw", doc="Optional. Calendar year of start (e.g. 2024); default 0")
@xw.ret("raw")
def MT_PROJECT(start, growth, years, start_year=None):
    """Spills a table ``year, value``: ``start`` compounded at ``growth`` for ``years`` years.

    Parameters
    ----------
    start : number, USD millions, > 0
    growth : number or a column of ``years`` rates, fraction per year, each > -1
        The rate on the row of year t takes year t − 1 to t.
    years : whole number, 1..500
    start_year : whole number, optional
        Labels the first row; without it the rows count 0, 1, … ``years``.

    Returns
    -------
    A header row and ``years + 1`` rows: the start year, then one per projected year.

    Examples
    --------
    >>> MT_PROJECT(750, 0.1, 2, 2024)
    [['year', 'value'], [2024, 750.0], [2025, 825.0], [2026, 907.5]]
    """
    with excel_errors("MT_PROJECT"):
        x0 = scalar(start, "start")
        if x0 <= 0:
            raise fail("start", f"expected a value > 0, got {x0:g}")
        n = whole(years, "years", low=1, high=MAX_YEARS)
        g = numbers(growth, "growth")
        in_domain(g, RATE)
        if not g.single and series(g).size != n:
            raise fail("growth", f"expected one rate or {n} yearly rates, got {series(g).size}")
        first = year_arg(start_year, "start_year", default=0)
        labels = np.arange(first, first + n + 1)
        rates = yearly_rates(g.values[0, 0] if g.single else series(g), labels[1:], "growth")
        with np.errstate(over="ignore"):
            values = compound(x0, rates)
        return table(("year", "value"), (labels, values))


@_summary_as_description
@xw.func(category=CATEGORY)
@xw.arg("imports", "raw", doc="Imports before the programme (USD mn), or a column per year")
@xw.arg("share", "raw", doc="Share of imports replaced at full strength, 0-1")
@xw.arg("import_content", "raw", doc="Share of the new output's value itself imported, 0-1")
@xw.arg("phase_in_years", "raw", doc="Optional. Years to reach full strength; default 0 (at once)")
@xw.arg("years", "raw", doc="Optional. Years to show; default 10 (or the rows of imports)")
@xw.arg("import_growth", "raw", doc="Optional. Import growth a year, > -1; default 0")
@xw.arg("start_year", "raw", doc="Optional. First year of the programme; default 1")
@xw.ret("raw")
def MT_SUBSTITUTION(
    imports,
    share,
    import_content,
    phase_in_years=None,
    years=None,
    import_growth=None,
    start_year=None,
):
    """Spills ``year, imports, substituted, deficit_effect``: replacing a share of imports.

    ``substituted`` is the gross import cut (phase × share × imports); ``deficit_effect`` is the
    net cut in the deficit, substituted × (1 − import_content), since the new domestic output
    imports its own inputs. The programme ramps up linearly over ``phase_in_years``.

    Parameters
    ----------
    imports : number or column, USD millions, >= 0
        A number: imports in the year before the programme, grown at ``import_growth``. A column:
        the imports of each programme year (then leave ``import_growth`` empty).
    share, import_content : number, fraction 0..1
    phase_in_years : whole number >= 0, optional (default 0: full strength at once)
    years : whole number, 1..500, optional (default 10, or the length of the ``imports`` column)
    import_growth : number or column of ``years`` rates, each > -1, optional (default 0)
    start_year : whole number, optional (default 1): labels the first row

    Examples
    --------
    10 % of China's imports (42.6 % of 18 203), inputs 35 % imported, phased in over 5 years:

    >>> t = MT_SUBSTITUTION(18203 * 0.426, 0.10, 0.35, 5, 5, 0, 2026)
    >>> t[0], [round(v, 2) for v in t[-1][1:]]
    (['year', 'imports', 'substituted', 'deficit_effect'], [7754.48, 775.45, 504.04])
    """
    with excel_errors("MT_SUBSTITUTION"):
        m = numbers(imports, "imports")
        in_domain(m, AMOUNT)
        s = check_value(SHARE, scalar(share, "share"), "share")
        c = check_value(SHARE, scalar(import_content, "import_content"), "import_content")
        phase = whole(
            phase_in_years, "phase_in_years", low=0, high=MAX_YEARS, default=0, required=False
        )
        n = whole(years, "years", low=1, high=MAX_YEARS, required=False)
        first = year_arg(start_year, "start_year", default=1)
        if m.single:
            n = 10 if n is None else n
            g = _optional(import_growth, "import_growth", 0.0)
            in_domain(g, RATE)
            rates = np.full(n, g.values[0, 0]) if g.single else series(g)
            if rates.size != n:
                raise fail(
                    "import_growth", f"expected one rate or {n} yearly rates, got {rates.size}"
                )
            path = compound(m.values[0, 0], rates)[1:]
        else:
            path = series(m)
            if not is_blank(import_growth):
                raise fail(
                    "import_growth",
                    "expected an empty cell when imports is a column of "
                    "yearly values (they already include growth)",
                )
            if n is not None and n != path.size:
                raise fail("years", f"expected {path.size} (the rows of imports), got {n}")
        labels = np.arange(first, first + path.size)
        t = engine.substitution_path(labels, path, s, c, start_year=first, phase_in_years=phase)
        cols = ("year", "imports", "substituted", "deficit_effect")
        return table(cols, [t[k].to_numpy() for k in cols])


@_summary_as_description
@xw.func(category=CATEGORY)
@xw.arg("scenario", "raw", doc="A bundled scenario's name, a .toml path, or key/value cells")
@xw.arg("data", "raw", doc="Optional. Figures: a .csv/.xlsx path or a range with a header row")
@xw.ret("raw")
def MT_SCENARIO(scenario, data=None):
    """Spills a scenario's yearly table, base year to horizon, with a header row.

    Columns: year, exports, imports_before_substitution, substituted, substitution_effect,
    imports, balance, deficit, coverage, rival_exports, gap_to_rival (USD millions, coverage a
    fraction). Start values not given in the scenario come from the figures.

    Parameters
    ----------
    scenario : text or a two-column range
        The file stem or name of a bundled scenario (``close_chile_2034``), a path to a TOML file,
        or ``key | value`` cells using the TOML keys (``base_year``, ``horizon``,
        ``exports.growth``, ``imports.growth``, ``rival.name``, ``rival.growth``,
        ``substitution.share``, …), so a what-if is typed in cells. Rows with an empty key are
        skipped; ``name`` may be left out.
    data : text or range, optional
        Figures in the tidy layout (``indicator, reporter, partner, year, months, value``): a
        path to a .csv/.xlsx file or a range whose first row is the header. Default: the
        bundled figures.

    Examples
    --------
    >>> t = MT_SCENARIO("close_chile_2034")
    >>> t[0][:3], t[-1][0], round(t[-1][1], 2) == round(t[-1][9], 2)
    (['year', 'exports', 'imports_before_substitution'], 2034, True)
    """
    with excel_errors("MT_SCENARIO"):
        result = run(scenario_arg(scenario), _figures(data))
        return frame_table(result.table, COLUMNS)


_PERIOD = re.compile(r"^\s*(\d{4})\s*(?:[-/ ]\s*(\d{1,2}))?\s*$")


@_summary_as_description
@xw.func(category=CATEGORY)
@xw.arg("indicator", "raw", doc="What: exports, imports, deficit, import_share, …")
@xw.arg("who", "raw", doc="Optional. Reporter (country or region); default Peru")
@xw.arg("period", "raw", doc='Optional. Year (2024) or year-months ("2025-11"); default: latest')
@xw.arg("partner", "raw", doc="Optional. Trade partner (e.g. China); default World (all)")
@xw.ret("raw")
def MT_DATA(indicator, who=None, period=None, partner=None):
    """One bundled figure (USD millions for values, fractions for shares); see MT_SOURCES.

    Parameters
    ----------
    indicator : text
        ``exports``, ``imports``, ``deficit``, ``import_share``, ``export_growth``, …
    who : text, optional (default ``Peru``)
    period : year or text ``"YYYY-MM"``, optional
        A year asks for the full-year figure; ``"2025-11"`` for January to November 2025.
        Default: the latest full year.
    partner : text, optional (default ``World``, all partners)

    Examples
    --------
    ``=MT_DATA("imports", "Peru", 2024)`` → 18203

    >>> MT_DATA("imports", "Peru", 2024)
    [[18203.0]]
    >>> MT_DATA("import_share", "Peru", "2025-11", "China")
    [[0.426]]
    """
    with excel_errors("MT_DATA"):
        what = text(indicator, "indicator")
        reporter = text(who, "who", default="Peru")
        other = text(partner, "partner", default="World")
        year, months = None, 12
        if isinstance(period, str) and period.strip():
            hit = _PERIOD.match(period)
            if not hit or not 1 <= int(hit.group(2) or 12) <= 12:
                raise fail("period", f"expected a year or \"YYYY-MM\", got text '{period}'")
            year, months = int(hit.group(1)), int(hit.group(2) or 12)
        elif not is_blank(period):
            year = whole(period, "period", low=1900, high=2200)
        figures = _bundled_figures()
        try:
            row = find_figure(figures, what, reporter, year=year, partner=other, months=months)
        except DataError as exc:
            raise DataError(f"{exc}{_partial_hint(figures, what, reporter, year, other)}") from None
        return [[float(row.value)]]


def _partial_hint(figures, indicator, reporter, year, partner) -> str:
    try:
        row = find_figure(figures, indicator, reporter, year=year, partner=partner, months=None)
    except DataError:
        return ""
    return f'; there is a figure for {row.months} months: period "{row.year}-{row.months:02d}"'


@_summary_as_description
@xw.func(category=CATEGORY)
@xw.ret("raw")
def MT_SOURCES():
    """Spills the bundled figures with their sources and lower-bound flags, with a header row.

    ``lower_bound`` is TRUE where the source gives the figure as a floor ("más de").

    Examples
    --------
    >>> t = MT_SOURCES()
    >>> t[0][:3], len(t[0])
    (['id', 'indicator', 'reporter'], 14)
    """
    with excel_errors("MT_SOURCES"):
        f = _bundled_figures()
        return frame_table(f, FIGURE_COLUMNS)


@_summary_as_description
@xw.func(category=CATEGORY)
@xw.ret("raw")
def MT_VERSION():
    """The package version and the vintage of the bundled figures, as one line of text.

    Examples
    --------
    >>> MT_VERSION()[0][0].startswith("metaltrade_xl ")
    True
    """
    return [[f"metaltrade_xl {__version__}; data: {DATA_VINTAGE}"]]
