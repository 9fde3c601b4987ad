"""The Summary sheet: which sheet holds what, the scenarios compared at one common year, the
deficit paths (data years marked), and two charts that compare like with like."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from metaltrade_xl import __version__
from metaltrade_xl.engine.projection import first_year_reaching
from metaltrade_xl.report.floors import (
    history_columns,
    kept,
    marks_of,
    rerun_deterministic,
    table_columns,
)
from metaltrade_xl.report.grid import CHART_ROWS, Helper, header_height, place_chart
from metaltrade_xl.report.layout import (
    COLUMN_FORMATS,
    MONEY,
    ROW_PT,
    YEAR,
    SheetLayout,
    Stack,
    Table,
    anchor,
    marked,
    text_lines,
)
from metaltrade_xl.report.words import Words

#: Summary columns: the scenario's name wide, the numbers at the common year.
SUMMARY_WIDTHS = {1: 22.0, 2: 9.0, **{c: 12.0 for c in range(3, 12)}}
SUMMARY_COLUMNS = (
    "scenario",
    "horizon",
    "exports_growth_avg",
    "exports",
    "imports",
    "deficit",
    "coverage",
    "rival",
    "rival_exports",
    "gap_to_rival",
    "first_year_reaching_rival",
)


def summary_frame(results, sheets: Sequence[str] | None = None, *, year: int | None = None, w=None):
    """One row per scenario: values in ``year`` (default: each horizon) and average rates from
    the base year to it; ``sheets`` adds a column naming the sheet of each scenario.

    ``*_growth_avg`` is the compound average over those years, equal to the rate when one rate
    held every year (a solved ``to_close`` rate included). ``first_year_reaching_rival`` looks
    over the whole projection. With ``w`` (:class:`Words`) scenarios are named in its language.
    """
    rows = [
        {"scenario": w.title(r.scenario) if w is not None else r.scenario.name}
        | summary_row(r, year)
        for r in results
    ]
    frame = pd.DataFrame(rows)
    if sheets is not None:
        frame["sheet"] = list(sheets)
    return frame


def summary_row(result, year: int | None = None) -> dict:
    """The numbers of one :func:`summary_frame` row (all but the scenario's name), read from
    the projection's columns as arrays (a row of a frame per value cost more than the sheet)."""
    col = table_columns(result)
    years = col["year"]
    upto = np.flatnonzero(years <= year) if year is not None else np.arange(len(years))
    i, k = upto[0], upto[-1]
    n = max(int(years[k] - years[i]), 1)
    first_hit = kept(result, "first_year", None, lambda: first_year_reaching(result.table))
    exports, rival = col["exports"], col["rival_exports"]
    return {
        "horizon": int(years[-1]),
        "year": int(years[k]),
        "exports_growth_avg": (exports[k] / exports[i]) ** (1 / n) - 1,
        "imports_growth_avg": (col["imports_before_substitution"][k] / col["imports"][i]) ** (1 / n)
        - 1,
        "rival": result.scenario.rival.name,
        "rival_growth_avg": (rival[k] / rival[i]) ** (1 / n) - 1,
        "exports": exports[k],
        "imports": col["imports"][k],
        "deficit": col["deficit"][k],
        "coverage": col["coverage"][k],
        "rival_exports": rival[k],
        "gap_to_rival": col["gap_to_rival"][k],
        "substitution_effect": col["substitution_effect"][k],
        "first_year_reaching_rival": first_hit if first_hit is not None else "not by horizon",
    }


def _summary_view(year):
    """The numbers of a result's summary row at ``year`` (None: its horizon), as
    :func:`~metaltrade_xl.report.floors.marks_of` compares them: text (a first year "not by
    horizon") as NaN, which is never marked."""

    def view(result):
        row = summary_row(result, year)
        names = [c for c in row if c not in ("year", "rival")]
        values = [np.nan if isinstance(row[c], str) else float(row[c]) for c in names]
        return names, np.array(values).reshape(-1, 1)

    return view


def common_year(results) -> int:
    """The last year every scenario reaches: where they are compared."""
    return min(int(r.table["year"].iloc[-1]) for r in results)


_rerun = rerun_deterministic  # one function, so the reruns are shared (floors.bumped_run)


def deficit_paths(results, labels: Sequence[str], figures=None) -> tuple[pd.DataFrame, list[int]]:
    """Year × scenario deficits (blank where a scenario's horizon ends), data years first.

    Returns the frame and the years that are data (recorded, before every base year).
    """
    columns, data_years = _deficit_columns(results, labels, figures)
    return pd.DataFrame(columns), data_years


def _deficit_columns(results, labels, figures) -> tuple[dict, list[int]]:
    """:func:`deficit_paths` as columns (arrays)."""
    tables = [(r.table["year"].to_numpy(), r.table["deficit"].to_numpy()) for r in results]
    years = np.unique(np.concatenate([y for y, _ in tables]))  # every year of any, in order
    columns = {}
    for (y, deficit), n in zip(tables, labels, strict=True):
        column = np.full(len(years), np.nan)  # blank beyond a scenario's horizon
        column[np.searchsorted(years, y)] = deficit
        columns[n] = column
    data_years: list[int] = []
    if figures is not None and results:
        past, _ = history_columns(results[0], figures)
        base = min(int(r.scenario.base_year) for r in results)
        keep = (past["year"] < base) & ~np.isnan(past["deficit"])
        if keep.any():
            data_years = [int(y) for y in past["year"][keep]]
            recorded = past["deficit"][keep]
            years = np.concatenate([past["year"][keep], years])
            columns = {n: np.concatenate([recorded, c]) for n, c in columns.items()}
    return {"year": years, **columns}, data_years


def _years_text(years: list[int]) -> str:
    years = sorted(set(years))
    if not years:
        return ""
    if years == list(range(years[0], years[-1] + 1)) and len(years) > 2:
        return f"{years[0]}–{years[-1]}"
    return ", ".join(map(str, years))


def summary_sheet(results, names, figures, w: Words, helper: Helper, listing) -> SheetLayout:
    """Summary: sheets listed, scenarios at a common year, deficit paths and two charts.

    ``listing`` is [(sheet, contents)] for every output sheet (read back by later runs).
    """
    texts = [(1, 1, w("summary.title")), (2, 1, w("summary.written", version=__version__))]
    notes = {(2, 1)}
    labels = [f"{n}" for n in names]
    path_columns, data_years = _deficit_columns(results, labels, figures)
    paths = pd.DataFrame(path_columns)
    bases = sorted({int(r.scenario.base_year) for r in results})
    lines = [
        w("summary.years_data", years=_years_text(data_years))
        if data_years
        else w("summary.years_none"),
        w("summary.years_base", years=", ".join(map(str, bases))),
    ]
    row = 3
    year = common_year(results)
    rows = [summary_row(r, year) for r in results]
    marks = summary_marks(results, figures, year=year)
    any_floor = any(isinstance(m, str) for column in marks.values() for m in column)
    if any_floor:
        lines.append(w("floor.legend"))
    for text in lines:
        texts.append((row, 1, text))
        notes.add((row, 1))
        row += 1
    stack = Stack(top=row + 1)
    heights: dict[int, float] = {}

    # the sheets of this workbook
    sheets = pd.DataFrame(listing, columns=["sheet", "contents"])
    # a long sheet name wraps in its column: its row is as tall as its lines
    sheet_lines = [text_lines(n, SUMMARY_WIDTHS[1]) for n in sheets["sheet"]]
    at = stack.place(len(sheets) + 2, extra_pt=sum(ROW_PT * (n - 1) for n in sheet_lines))
    listed = Table(
        "sheets",
        sheets,
        row=at,
        title=w("summary.sheets"),
        labels={"sheet": w("col.sheet"), "contents": w("col.contents")},
        spans={"contents": 8},
        name="Sheets",
    )
    heights.update({listed.first_row + i: ROW_PT * n for i, n in enumerate(sheet_lines) if n > 1})

    # the scenarios at the common year
    columns = {c: [row[c] for row in rows] for c in SUMMARY_COLUMNS if c != "scenario"}
    columns = {"scenario": [w.title(r.scenario) for r in results], **columns}
    rival = (
        results[0].scenario.rival.name
        if len({r.scenario.rival.name for r in results}) == 1
        else None
    )
    columns["first_year_reaching_rival"] = [
        v if not isinstance(v, str) else w("mc.not_by", year=h)
        for v, h in zip(columns["first_year_reaching_rival"], columns["horizon"], strict=True)
    ]
    shown = pd.DataFrame(columns)
    kinds = shown.dtypes
    col_labels = {c: w.column(c) for c in SUMMARY_COLUMNS}
    col_labels["scenario"] = w.column("scenario")
    if rival:
        col_labels["rival_exports"] = w.column("rival_exports", rival=rival)
        col_labels["gap_to_rival"] = w.column("gap_to_rival", rival=rival)
    else:
        col_labels["rival_exports"] = w.column("rival_exports_any")
        col_labels["gap_to_rival"] = w.column("gap_to_rival_any")
    formats = {}
    for c in SUMMARY_COLUMNS:
        base = COLUMN_FORMATS.get(c) or (MONEY if kinds[c].kind in "fi" else "General")
        formats[c] = tuple(
            marked(base, marks[c][i] if c in marks else None) for i in range(len(shown))
        )
    widths = list(SUMMARY_WIDTHS.values())
    hh = header_height([col_labels[c] for c in SUMMARY_COLUMNS], widths)
    # each row as tall as its longest text (a scenario name, "no antes de 2034") wraps to
    width = dict(zip(SUMMARY_COLUMNS, widths, strict=True))
    row_lines = [
        max(
            [1]
            + [
                text_lines(v, width[c])
                for c in SUMMARY_COLUMNS
                if isinstance(v := columns[c][i], str)
            ]
        )
        for i in range(len(shown))
    ]
    extra = sum(ROW_PT * (n - 1) for n in row_lines)
    at = stack.place(len(shown) + 2, extra_pt=hh - ROW_PT + extra)
    horizons = {int(h) for h in columns["horizon"]}
    title = w("summary.at_year", year=year) if len(horizons) > 1 else w("summary.at_horizon")
    table = Table(
        "summary", shown, row=at, title=title, labels=col_labels, formats=formats, name="Scenarios"
    )
    heights[table.header_row] = hh
    heights.update({table.first_row + i: ROW_PT * n for i, n in enumerate(row_lines) if n > 1})

    # charts: bars at the common year, sorted; lines of the paths
    # each bar named with its lower-bound mark, if its value rests on one
    bar_marks = [
        m if isinstance(m, str) else "" for m in marks.get("deficit", [None] * len(labels))
    ]
    bars_frame = pd.DataFrame(
        {
            "scenario": [f"{n} ({m})" if m else n for n, m in zip(labels, bar_marks, strict=True)],
            "deficit": np.array([row["deficit"] for row in rows], dtype=float),
        }
    )
    bars_frame = bars_frame.sort_values("deficit", ascending=False)  # largest at the bottom
    floor_bar = any(bar_marks)
    deficit_label = w.column("deficit")
    bar_rows = max(10, 2 * len(bars_frame) + 3)
    top = stack.place(bar_rows + 1)
    bars = place_chart(
        "bar", w("summary.bars", year=year), bars_frame, "scenario", ("deficit",),
        stack_row=top, slot=2, rows=bar_rows, helper=helper, key="chart1", sheet=w("sheet.summary"),
        labels={"deficit": deficit_label}, y_title=w("axis.usd"), x_title=" ",
    )  # fmt: skip
    line_frame = dict(path_columns)
    series = list(labels)
    data_series = ()
    if data_years:
        years, last_data = path_columns["year"], max(data_years)
        line_frame["__data"] = np.where(years <= last_data + 1, path_columns[labels[0]], np.nan)
        for c in labels:
            line_frame[c] = np.where(years <= last_data, np.nan, path_columns[c])
        series = ["__data", *labels]
        data_series = (w("series.data", name=w.column("deficit")),)
    note_row = top + bar_rows
    if floor_bar:
        texts.append((note_row, 1, w("floor.legend")))
        notes.add((note_row, 1))
    top = stack.place(CHART_ROWS + 1)
    lines_chart = place_chart(
        "line", w("summary.lines"), line_frame, "year", tuple(series),
        stack_row=top, slot=2, rows=CHART_ROWS + 1, helper=helper, key="chart2", sheet=w("sheet.summary"),
        labels={"__data": data_series[0]} if data_series else {}, data_series=data_series,
        y_title=w("axis.usd"), x_title=w("axis.year"),
    )  # fmt: skip
    # deficit paths
    pformats = {"year": YEAR, **{c: MONEY for c in labels}}
    at = stack.place(len(paths) + 2, extra_pt=ROW_PT * 3, split=False)
    ptable = Table(
        "deficit_paths",
        paths,
        row=at,
        title=w("summary.paths"),
        labels={"year": w.column("year")},
        formats=pformats,
        name="DeficitPaths",
        data_rows=tuple(range(len(data_years))),
    )
    heights[ptable.header_row] = header_height(
        [w.column("year"), *labels], [SUMMARY_WIDTHS[1], *[11.0] * len(labels)]
    )

    return SheetLayout(
        w("sheet.summary"),
        (listed, table, ptable),
        (bars, lines_chart),
        tuple(texts),
        freeze=anchor(1, 3),
        title_rows=(1, 2),
        breaks=tuple(stack.breaks),
        widths=SUMMARY_WIDTHS,
        heights=heights,
        last_col=11,
        last_row=stack.row,
        notes=frozenset(notes),
    )


def summary_marks(results, figures, *, year: int | None = None) -> dict[str, list]:
    """Lower-bound marks of :func:`summary_frame` at ``year`` (None: each scenario at its
    horizon): column -> one mark (or None) per scenario."""
    per = [marks_of(r, figures, ("summary", year), _summary_view(year), _rerun) for r in results]
    return {
        c: [m[c][0] if c in m else None for m in per]
        for c in dict.fromkeys(k for m in per for k in m)
    }


def summary_lines(results, figures, lang: str = "en") -> list[str]:
    """The CLI's summary table, in ``lang``: each scenario at its horizon, lower bounds marked.

    The command line prints these lines; nothing here prints.
    """
    from metaltrade_xl.report.scenario_sheet import floor_note

    w = Words(lang)
    marks = summary_marks(results, figures)

    def mark(i, col):
        m = marks[col][i] if col in marks else None
        return f"{m} " if isinstance(m, str) else ""

    head = (
        f"{w('cli.scenario'):<40} {w('cli.horizon'):>9} {w('cli.growth'):>11} "
        f"{w('cli.deficit'):>11} {w('cli.coverage'):>10} {w('cli.gap'):>10}"
    )
    lines = [head, "-" * len(head)]
    for i, r in enumerate(results):
        row = summary_row(r)  # numbers as Python floats, as a frame's rows gave them
        title = w.title(r.scenario)
        name = title if len(title) <= 40 else title[:39] + "…"
        growth = mark(i, "exports_growth_avg") + w.percent(float(row["exports_growth_avg"]), 2)
        deficit = mark(i, "deficit") + w.number(float(row["deficit"]))
        coverage = mark(i, "coverage") + w.percent(float(row["coverage"]), 1)
        gap = mark(i, "gap_to_rival") + w.number(float(row["gap_to_rival"]))
        lines.append(
            f"{name:<40} {row['horizon']:>9} {growth:>11} {deficit:>11} {coverage:>10} {gap:>10}"
        )
    lines.append(w("cli.note"))
    notes = list(dict.fromkeys(n for n in (floor_note(r, figures, w) for r in results) if n))
    if notes:
        figs = "; ".join(
            dict.fromkeys(
                part.strip() for n in notes for part in n.split(":", 1)[1].rstrip(".").split(";")
            )
        )
        lines.append(w("floor.cli", figures=figs))
    return lines
