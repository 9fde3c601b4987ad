"""Results -> sheets to write: tables at anchors and chart specifications, target-neutral.

One description of the output (in the terms of :mod:`metaltrade_xl.report.layout`), several writers: the
openpyxl writer (:mod:`metaltrade_xl.files.writer`) renders it into files, the xlwings writer
(:mod:`metaltrade_xl.macros`) into a live workbook.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from metaltrade_xl import __version__
from metaltrade_xl.data import FIGURE_COLUMNS
from metaltrade_xl.engine.projection import first_year_reaching
from metaltrade_xl.report import provenance
from metaltrade_xl.report.layout import (
    RATIO,
    SHEETS,
    YEAR,
    SheetLayout,
    Table,
    anchor,
    chart,
    safe_sheet_names,
    unique_labels,
)
from metaltrade_xl.report.provenance import flatten, provenance_sheet, sources_title
from metaltrade_xl.scenarios.cells import scenario_to_pairs


def _parameter_frame(result, figures: pd.DataFrame) -> pd.DataFrame:
    rows = flatten(result.parameters())
    for fid in result.figure_ids:
        row = figures.loc[figures["id"] == fid].iloc[0]
        flag = " (lower bound: the source says 'more than')" if row.lower_bound else ""
        rows.append((f"source.{fid}", f"{row.value:g} {row.unit}; {_source_text(row)}{flag}"))
    return pd.DataFrame(rows, columns=["parameter", "value"])


def _source_text(row) -> str:
    parts = [row.source_publisher, row.source_title, row.source_date]
    return ", ".join(p for p in parts if p) or row.file


def scenario_sheet(result, name: str, figures: pd.DataFrame) -> SheetLayout:
    """Parameters as resolved, the yearly table and three line charts for one scenario."""
    s = result.scenario
    params = Table(
        "parameters",
        _parameter_frame(result, figures),
        row=4 + len(_notes(result)),
        title="Parameters",
    )
    years = Table(
        "years",
        result.table,
        row=params.bottom + 3,
        title="Projection (USD millions; coverage = exports / imports)",
    )
    right = years.col + len(result.table.columns) + 1
    top = years.header_row
    block_col = right + 10  # chart data to the right of the charts
    t = result.table
    specs = (
        (f"Exports vs {s.rival.name}", ("exports", "rival_exports")),
        ("Imports, before and after substitution", ("imports_before_substitution", "imports")),
        ("Trade deficit (imports − exports)", ("deficit",)),
    )
    charts, row = [], top
    for i, (title, series) in enumerate(specs):
        charts.append(
            chart(
                "line",
                title,
                t,
                "year",
                series,
                anchor=anchor(right, top + 16 * i),
                data_at=(row, block_col),
                key=f"chart{i + 1}",
                x_title="year",
            )
        )
        row = charts[-1].data.bottom + 2
    tables = [params, years]
    if result.montecarlo is not None:
        mc_tables, mc_charts = _uncertainty_layout(
            result,
            row=years.bottom + 3,
            chart_col=right,
            chart_row=top + 16 * len(specs),
            block=(row, block_col),
            first_key=len(charts) + 1,
        )
        tables += mc_tables
        charts += mc_charts
    texts = ((1, 1, s.name),) + (((2, 1, s.description),) if s.description else ())
    texts += tuple((3 + i, 1, note) for i, note in enumerate(_notes(result)))
    return SheetLayout(name, tuple(tables), tuple(charts), texts)


def _notes(result) -> list[str]:
    """Lines over the parameters: the start values that are estimates, then the warnings."""
    notes = [f"{key}: {start.note}" for key, start in result.starts.items() if start.estimate]
    return notes + [f"Warning: {w}" for w in result.warnings]


def _fan_levels(levels) -> tuple[str, str, str]:
    """Column labels of the lower, middle and upper bands: P10, P50, P90 when available."""
    labels = [f"P{q:g}" for q in levels]
    pick = [f"P{q}" for q in (10, 50, 90)]
    if all(p in labels for p in pick):
        return tuple(pick)
    return labels[0], labels[len(labels) // 2], labels[-1]


def fan_block(fan: pd.DataFrame, levels, extra: Mapping[str, np.ndarray] | None = None):
    """Data of a fan chart: years, lower, middle, upper, extra lines, then the band width.

    The band (upper − lower) comes last so a writer that cannot fill a band (a live workbook)
    can draw the columns before it as lines.
    """
    lo, mid, hi = _fan_levels(levels)
    frame = pd.DataFrame({"year": fan["year"], lo: fan[lo], mid: fan[mid], hi: fan[hi]})
    for name, values in (extra or {}).items():
        frame[name] = values
    frame[f"{lo}–{hi} band"] = fan[hi] - fan[lo]
    return frame


def _uncertainty_layout(result, *, row, chart_col, chart_row, block, first_key):
    """Monte Carlo tables and the fan and tornado charts of one scenario's sheet."""
    mc, spec, s = result.montecarlo, result.scenario.uncertainty, result.scenario
    seed = "fresh randomness (no seed)" if spec.seed is None else f"seed {spec.seed}"
    tables: list[Table] = []

    def add(key, frame, title, **kw):
        at = tables[-1].bottom + 3 if tables else row
        tables.append(Table(key, frame, row=at, title=title, **kw))
        return tables[-1]

    deficit = add(
        "mc_deficit",
        mc.fan("deficit"),
        f"Monte Carlo: deficit percentiles ({mc.n_paths:,} paths, {seed})",
    )
    exports = add("mc_exports", mc.fan("exports"), "Monte Carlo: exports percentiles")
    add(
        "mc_reach",
        mc.reach,
        f"Probability that exports reach {s.rival.name} (se = Monte Carlo standard error)",
        formats={
            "year": YEAR,
            **{c: RATIO for c in ("p_ahead", "se_ahead", "p_reached_by", "se_reached_by")},
        },
    )
    add(
        "mc_first_year",
        mc.first_year,
        f"First year exports reach {s.rival.name}",
        formats={"probability": RATIO, "paths": "#,##0"},
    )
    add("mc_horizon", mc.horizon_deficit, "Deficit in the horizon year")
    swings = result.tornado
    tornado_frame = pd.DataFrame(
        {
            "input": swings["input"],
            "at P10": swings["outcome_low"] - swings["base"],
            "at P90": swings["outcome_high"] - swings["base"],
        }
    ).iloc[::-1]  # largest swing drawn on top
    add(
        "tornado",
        swings,
        "Tornado: P10–P90 of the horizon deficit, each input alone as the simulation draws it",
        formats={"low_value": RATIO, "high_value": RATIO},
    )

    # the rival's central path: the simulation summarises exports and the gap, not the rival
    extra = {f"{s.rival.name} (central case)": result.table["rival_exports"].to_numpy()}
    blocks = [
        (
            "fan",
            "Deficit: P10–P90 band and median (Monte Carlo)",
            fan_block(deficit.frame, mc.percentile_levels),
            "year",
        ),
        (
            "fan",
            f"Exports (P10–P90, median) vs {s.rival.name}",
            fan_block(exports.frame, mc.percentile_levels, extra),
            "year",
        ),
        ("bar", "Tornado: change in the horizon deficit", tornado_frame, "input"),
    ]
    charts, r = [], block[0]
    for i, (kind, title, frame, x) in enumerate(blocks):
        series = tuple(c for c in frame.columns if c != x)
        c = chart(
            kind,
            title,
            frame,
            x,
            series,
            anchor=anchor(chart_col, chart_row + 16 * i),
            data_at=(r, block[1]),
            key=f"chart{first_key + i}",
            x_title="year" if x == "year" else " ",
        )
        charts.append(c)
        r = c.data.bottom + 2
    return tables, charts


def summary_frame(results, sheets: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per scenario: its horizon values and (average) rates; ``sheets`` adds a column
    naming the sheet that holds each scenario.

    ``*_growth_avg`` is the compound average over the projection, equal to the rate when one rate
    held every year (a solved ``to_close`` rate included).
    """
    rows = []
    for r in results:
        t = r.table
        first, last = t.iloc[0], t.iloc[-1]
        n = int(last.year - first.year)
        first_hit = first_year_reaching(t)
        rows.append(
            {
                "scenario": r.scenario.name,
                "horizon": int(last.year),
                "exports_growth_avg": (last.exports / first.exports) ** (1 / n) - 1,
                "imports_growth_avg": (last.imports_before_substitution / first.imports) ** (1 / n)
                - 1,
                "rival": r.scenario.rival.name,
                "rival_growth_avg": (last.rival_exports / first.rival_exports) ** (1 / n) - 1,
                "exports": last.exports,
                "imports": last.imports,
                "deficit": last.deficit,
                "coverage": last.coverage,
                "rival_exports": last.rival_exports,
                "gap_to_rival": last.gap_to_rival,
                "substitution_effect": last.substitution_effect,
                "first_year_reaching_rival": first_hit
                if first_hit is not None
                else "not by horizon",
            }
        )
    frame = pd.DataFrame(rows)
    if sheets is not None:
        frame["sheet"] = list(sheets)
    return frame


def deficit_paths(results, labels: Sequence[str]) -> pd.DataFrame:
    """Year × scenario table of the deficit (blank where a scenario's horizon ends earlier)."""
    frames = [
        r.table.set_index("year")["deficit"].rename(n) for r, n in zip(results, labels, strict=True)
    ]
    out = pd.concat(frames, axis=1).sort_index()
    out.index.name = "year"
    return out.reset_index()


SUMMARY_TITLE = "metaltrade_xl: scenario summary"


def summary_sheet(results, labels: Sequence[str], sheets: Sequence[str]) -> SheetLayout:
    """Scenarios side by side at their horizons, the deficit paths, and two charts."""
    summary = Table(
        "summary", summary_frame(results, sheets), row=3, title="Scenarios at the horizon"
    )
    paths = Table(
        "deficit_paths",
        deficit_paths(results, labels),
        row=summary.bottom + 3,
        title="Deficit by scenario (USD millions)",
    )
    right = max(summary.col + len(summary.frame.columns), paths.col + len(paths.frame.columns)) + 1
    bars = chart(
        "bar",
        "Deficit at each scenario's horizon",
        summary.frame,
        "scenario",
        ("deficit",),
        anchor=anchor(right, 3),
        data_at=(3, right + 13),
        key="chart1",
        x_title=" ",
        height_cm=9,
    )
    lines = chart(
        "line",
        "Deficit by scenario",
        paths.frame,
        "year",
        tuple(labels),
        anchor=anchor(right, 23),
        data_at=(bars.data.bottom + 2, right + 13),
        key="chart2",
        x_title="year",
        width_cm=20,
        height_cm=10,
    )
    charts = (bars, lines)
    texts = ((1, 1, SUMMARY_TITLE), (2, 1, f"written by metaltrade_xl {__version__}"))
    return SheetLayout(SHEETS["summary"], (summary, paths), charts, texts)


def sources_sheet(figures: pd.DataFrame, results) -> SheetLayout:
    """Every figure of the data (only the used ones past :data:`provenance.SOURCES_ALL_UP_TO`)
    with its source and lower-bound flag, and which scenario used it."""
    used: dict[str, list[str]] = {}
    for r in results:
        for fid in r.figure_ids:
            used.setdefault(fid, []).append(r.scenario.name)
    frame, note = provenance.listed_figures(figures, used)
    frame["used_by"] = [", ".join(used.get(i, [])) for i in frame["id"]]
    frame = frame[[*FIGURE_COLUMNS, "used_by"]]
    table = Table(
        "sources",
        frame,
        row=3,
        title="Figures (USD millions unless unit says otherwise; lower_bound TRUE = the source "
        "says 'more than')",
        formats={"value": "#,##0.###", "year": YEAR, "months": "0"},
    )
    tables = [table]
    charts = []
    latest = _latest_exports(figures)
    if len(latest) >= 2:
        right = table.col + len(frame.columns) + 1
        year = int(latest["year"].iloc[0])
        title = f"Sector exports {year} (lower bounds where flagged)"
        charts.append(
            chart(
                "bar",
                title,
                latest,
                "reporter",
                ("value",),
                key="chart1",
                anchor=anchor(right, 3),
                data_at=(3, right + 10),
                x_title=" ",
            )
        )
    texts = ((1, 1, sources_title(figures)), *note)
    return SheetLayout(SHEETS["sources"], tuple(tables), tuple(charts), texts)


def _latest_exports(figures: pd.DataFrame) -> pd.DataFrame:
    """Full-year total exports of every reporter but World in the latest year that has two."""
    f = figures[
        (figures["indicator"] == "exports")
        & (figures["partner"] == "World")
        & (figures["reporter"] != "World")
        & (figures["months"] == 12)
    ]
    counts = f.groupby("year")["reporter"].nunique()
    years = counts[counts >= 2].index
    if len(years) == 0:
        return f.iloc[:0][["reporter", "value", "lower_bound"]]
    rows = f[f["year"] == years.max()]
    return rows[["reporter", "value", "lower_bound", "year"]].reset_index(drop=True)


def build_report(
    results,
    figures: pd.DataFrame,
    *,
    sources: bool = True,
    reserved: Sequence[str] = (),
    provenance=None,
) -> list[SheetLayout]:
    """Summary, one sheet per scenario, (with ``sources``) Sources and (with ``provenance``, the
    :class:`~metaltrade_xl.data.origin.DataOrigin` of each data file read) Provenance.

    ``reserved`` are sheet names a scenario sheet must not take (a workbook's own sheets).
    """
    scenario_names = [r.scenario.name for r in results]
    names = safe_sheet_names(scenario_names, reserved=[*SHEETS.values(), *reserved])
    sheets = [summary_sheet(results, unique_labels(scenario_names), names)]
    sheets += [scenario_sheet(r, n, figures) for r, n in zip(results, names, strict=True)]
    if sources:
        sheets.append(sources_sheet(figures, results))
    if provenance is not None:
        sheets.append(provenance_sheet(results, provenance))
    return sheets


def previous_output_sheets(summary_grid) -> list[str]:
    """Sheet names a previous run listed in its Summary (the ``sheet`` column), if it was ours.

    Examples
    --------
    >>> previous_output_sheets([[SUMMARY_TITLE], [None], ["Scenarios at the horizon"],
    ...     ["scenario", "horizon", "sheet"], ["A", 2034, "A sheet"], ["B", 2034, "B sheet"],
    ...     [None, None, None], ["Deficit by scenario"]])
    ['A sheet', 'B sheet']
    >>> previous_output_sheets([["a user's own Summary"]])
    []
    """
    rows = [list(r) if isinstance(r, (list, tuple)) else [r] for r in summary_grid or []]
    if not rows or rows[0][0] != SUMMARY_TITLE:
        return []
    for i, row in enumerate(rows):
        if row and row[0] == "scenario" and "sheet" in row:
            j = row.index("sheet")
            out = []
            for r in rows[i + 1 :]:
                value = r[j] if j < len(r) else None
                if value is None or value == "":
                    break
                out.append(str(value))
            return out
    return []


def workbook_outputs(
    results, figures: pd.DataFrame, sheet_names: Sequence[str], summary_grid, provenance=None
):
    """Layouts to write into an analyst's workbook, and the stale sheets of a previous run.

    A previous run's outputs are the sheets its Summary lists; they may be rewritten or deleted.
    Every other sheet is the user's: a scenario sheet never takes its name, and a Summary sheet
    that metaltrade did not write is an error rather than something to overwrite.
    """
    summary = SHEETS["summary"]
    if summary in sheet_names and (not summary_grid or summary_grid[0][0] != SUMMARY_TITLE):
        raise ValueError(
            f"the workbook has a sheet named {summary} that metaltrade did not write; "
            "rename it so the projections can be written"
        )
    previous = previous_output_sheets(summary_grid)
    reserved = [n for n in sheet_names if n not in previous and n != summary]
    layouts = build_report(
        results, figures, sources=False, reserved=reserved, provenance=provenance
    )
    new = {layout.name for layout in layouts}
    stale = [n for n in previous if n not in new and n in sheet_names]
    return layouts, stale


def scenarios_grid(scenarios) -> list[list]:
    """Scenarios as a sheet: keys down column A, one scenario per column (header row first).

    The inverse of :func:`metaltrade_xl.scenarios.cells.scenarios_from_grid`.
    """
    columns = [dict(scenario_to_pairs(s)) for s in scenarios]
    keys: list[str] = []
    for c in columns:
        keys += [k for k in c if k not in keys]
    header = ["parameter"] + [f"scenario {i + 1}" for i in range(len(scenarios))]
    return [header] + [[k] + [c.get(k) for c in columns] for k in keys]


def results_json(results) -> list[dict]:
    """The results as plain JSON-able data: name, resolved parameters, yearly rows."""
    out = []
    for r in results:
        years = [
            {k: (int(v) if k == "year" else _num(v)) for k, v in row.items()}
            for row in r.table.to_dict(orient="records")
        ]
        entry = {
            "name": r.scenario.name,
            "source": r.scenario.source,
            "parameters": _jsonable(r.parameters()),
            "figures_used": [dict(f) for f in r.figures_used],
            "warnings": list(r.warnings),
            "years": years,
        }
        if r.montecarlo is not None:
            entry["uncertainty"] = _jsonable(
                {**r.montecarlo.to_dict(), "tornado": r.tornado.to_dict(orient="records")}
            )
        out.append(entry)
    return out


def _num(v):
    v = float(v)
    return v if np.isfinite(v) else None


def _jsonable(value):
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.floating, float)):
        return _num(value)
    if isinstance(value, np.integer):
        return int(value)
    return value
