"""Results -> sheets to write: tables at anchors and chart specifications, target-neutral.

One description of the output (in the terms of :mod:`metaltrade_xl.report.layout`), several writers: the
openpyxl writer (:mod:`metaltrade_xl.files.writer`) renders it into files, the xlwings writer
(:mod:`metaltrade_xl.macros`) into a live workbook. The sheets themselves are built in
:mod:`.summary`, :mod:`.scenario_sheet` and :mod:`.uncertainty_sheet`; every word comes from
:mod:`.words` in the chosen language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from metaltrade_xl.report.grid import CHART_ROWS, Helper, header_height, place_chart
from metaltrade_xl.report.layout import (
    MONEY,
    RATE,
    ROW_PT,
    SHEETS,
    YEAR,
    SheetLayout,
    Stack,
    Table,
    anchor,
    header_lines,
    marked,
    safe_sheet_names,
    text_lines,
    unique_labels,
)
from metaltrade_xl.report.provenance import listed_figures, provenance_sheet, sources_title
from metaltrade_xl.report.scenario_sheet import scenario_sheet
from metaltrade_xl.report.summary import deficit_paths, summary_frame, summary_sheet
from metaltrade_xl.report.uncertainty_sheet import fan_block, fan_levels
from metaltrade_xl.report.words import LANGUAGES, TEXT, Words
from metaltrade_xl.scenarios.cells import scenario_to_pairs

__all__ = [
    "build_report",
    "deficit_paths",
    "fan_block",
    "fan_levels",
    "results_json",
    "summary_frame",
    "workbook_outputs",
]

#: The Summary's first cell, in every language: how a later run knows the sheet is ours.
SUMMARY_TITLE = TEXT["summary.title"][0]
SUMMARY_TITLES = TEXT["summary.title"]
SUMMARY_NAMES = TEXT["sheet.summary"]
CHARTDATA_NAMES = TEXT["sheet.chartdata"]


def sources_sheet(
    figures: pd.DataFrame, results, names=None, w: Words | None = None, helper=None
) -> SheetLayout:
    """Every figure of the data with its source and lower-bound flag, and which sheet used it
    (its number, "S2", given the sheet ``names``; else the scenario's name)."""
    w = w or Words()
    helper = helper or Helper(w("sheet.chartdata"))
    used: dict[str, list[str]] = {}
    for i, r in enumerate(results):
        for fid in r.figure_ids:
            who = names[i].split(" ")[0] if names else r.scenario.name
            used.setdefault(fid, []).append(who)
    # a large data file: only the figures the scenarios used (see provenance.listed_figures)
    figures, listed_note = listed_figures(figures, used, w)
    cols = {
        "indicator": 14.0, "reporter": 10.0, "partner": 11.0, "year": 6.0, "months": 7.0,
        "value": 11.0, "unit": 9.0, "lower_bound": 8.0, "source": 16.0, "quote": 32.0,
        "used_by": 8.0, "id": 30.0,
    }  # fmt: skip
    f = {c: figures[c].tolist() for c in figures.columns}  # plain lists: read once, cell by cell
    source_of = [
        ", ".join(p for p in parts if p) or file
        for *parts, file in zip(
            f["source_publisher"], f["source_title"], f["source_date"], f["file"], strict=True
        )
    ]
    common = max(set(source_of), key=source_of.count) if source_of else ""
    columns = {
        "indicator": [w.indicator(i).capitalize() for i in f["indicator"]],
        "reporter": figures["reporter"].to_numpy(),
        "partner": figures["partner"].to_numpy(),
        "year": figures["year"].to_numpy(),
        "months": figures["months"].to_numpy(),
        "value": figures["value"].to_numpy(),
        "unit": [w.unit(u) for u in f["unit"]],
        "lower_bound": [w("yes") if b else "" for b in f["lower_bound"]],
        "source": ["" if x == common else x for x in source_of],
        "quote": figures["quote"].to_numpy(),
        "used_by": [", ".join(dict.fromkeys(used.get(i, []))) for i in f["id"]],
        "id": figures["id"].to_numpy(),
    }
    frame = pd.DataFrame(columns, index=figures.index)
    widths = {i + 1: v for i, v in enumerate(cols.values())}
    value_formats = tuple(
        marked(_unit_format(u), "≥" if b else None)
        for u, b in zip(f["unit"], f["lower_bound"], strict=True)
    )
    labels = {c: w.column(c) for c in cols}
    labels["source"] = w("col.source")
    hh = header_height([labels[c] for c in cols], list(cols.values()))
    texts = [
        (
            1,
            1,
            sources_title(figures, w),
        ),
        (2, 1, w("sources.table") + " " + w("sources.common", source=common)),
    ]
    if listed_note:
        texts[1] = (2, 1, listed_note[0][2] + ". " + texts[1][2])
    stack = Stack(top=4, above_pt=20 + 2 * ROW_PT, title_pt=20 + 2 * ROW_PT + hh)
    at = stack.place(len(frame) + 1, split=True, extra_pt=hh)
    table = Table(
        "sources",
        frame,
        row=at,
        labels=labels,
        formats={"value": value_formats, "year": YEAR, "months": "0"},
        name="Figures",
    )
    heights = {table.header_row: hh}
    wrapped = ("source", "quote", "indicator", "used_by", "unit", "partner")
    texts_of = [list(columns[c]) for c in wrapped]
    for i, row in enumerate(zip(*texts_of, strict=True)):
        n = max(header_lines(v, cols[c] * 1.08) for c, v in zip(wrapped, row, strict=True))
        if n > 1:
            heights[table.first_row + i] = ROW_PT * n
            stack.used += ROW_PT * (n - 1)
    charts = []
    latest = _latest_exports(figures)
    if len(latest) >= 2:
        year = int(latest["year"].iloc[0])
        floors = bool(latest["lower_bound"].any())
        title = w("sources.chart_floor" if floors else "sources.chart", year=year)
        latest = latest.assign(
            reporter=[
                f"{r} (≥)" if b else r
                for r, b in zip(latest.reporter, latest.lower_bound, strict=True)
            ]
        )
        top = stack.place(CHART_ROWS + 1)
        charts.append(
            place_chart(
                "bar", title, latest, "reporter", ("value",), stack_row=top, slot=0,
                helper=helper, key="chart1", sheet=w("sheet.sources"), x_title=" ",
                y_title=w("axis.usd"), labels={"value": w("col.value")},
            )
        )  # fmt: skip
        if floors:
            texts.append((top + CHART_ROWS, 1, w("floor.legend")))
    return SheetLayout(
        w("sheet.sources"),
        (table,),
        tuple(charts),
        tuple(texts),
        freeze=anchor(1, table.first_row),
        title_rows=(1, table.header_row),
        breaks=tuple(stack.breaks),
        widths=widths,
        heights=heights,
        last_col=len(cols) - 1,  # the figure id stays on screen, off the printed page
        last_row=stack.row,
        notes=frozenset({(2, 1)} | {(r, c) for r, c, _ in texts[2:]}),
    )


def _unit_format(unit: str) -> str:
    """The number format of a figure by its unit (the Data sheet uses it too).

    Examples
    --------
    >>> _unit_format("USD million"), _unit_format("fraction"), _unit_format("rank")
    ('#,##0', '0.0%', '0')
    """
    u = str(unit).strip().lower()
    if u in ("fraction", "share", "rate", "ratio"):
        return RATE
    if u.startswith("usd"):
        return MONEY
    return "0"


unit_format = _unit_format


def _latest_exports(figures: pd.DataFrame) -> pd.DataFrame:
    """Full-year total exports of every reporter but World in the latest year that has two."""
    reporter = figures["reporter"].to_numpy()
    year = figures["year"].to_numpy()
    keep = (
        (figures["indicator"].to_numpy() == "exports")
        & (figures["partner"].to_numpy() == "World")
        & (reporter != "World")
        & (figures["months"].to_numpy() == 12)
    )
    reporters: dict = {}
    for y, r in zip(year[keep].tolist(), reporter[keep].tolist(), strict=True):
        reporters.setdefault(y, set()).add(r)
    years = [y for y, who in reporters.items() if len(who) >= 2]
    if not years:
        return figures.iloc[:0][["reporter", "value", "lower_bound"]]
    at = np.flatnonzero(keep & (year == max(years)))
    return figures.iloc[at][["reporter", "value", "lower_bound", "year"]].reset_index(drop=True)


def output_sheet_names(results, lang: str = "en", reserved: Sequence[str] = ()) -> list[str]:
    """Sheet names of the scenarios: "S2 Close gap Chile 2034" (≤ 31 characters, unique)."""
    w = Words(lang)
    fixed = [
        w(k) for k in ("sheet.summary", "sheet.sources", "sheet.provenance", "sheet.chartdata")
    ]
    return safe_sheet_names(
        [w.title(r.scenario) for r in results],
        reserved=[*SHEETS.values(), *fixed, *reserved],
        prefix=TEXT["sheet.scenario"][LANGUAGES.index(w.lang)],
    )


def build_report(
    results,
    figures: pd.DataFrame,
    *,
    sources: bool = True,
    reserved: Sequence[str] = (),
    lang: str = "en",
    provenance=None,
) -> list[SheetLayout]:
    """Summary, one sheet per scenario, (with ``sources``) Sources, (with ``provenance``, the
    :class:`~metaltrade_xl.data.origin.DataOrigin` of each data file read) Provenance, and the
    hidden chart data.

    ``reserved`` are sheet names a scenario sheet must not take (a workbook's own sheets).
    """
    w = Words(lang)
    names = output_sheet_names(results, lang, reserved)
    helper = Helper(w("sheet.chartdata"))
    scenario_layouts = [
        scenario_sheet(r, n, figures, w, helper) for r, n in zip(results, names, strict=True)
    ]
    listing = [(n, w.title(r.scenario)) for r, n in zip(results, names, strict=True)]
    if sources:
        src = sources_sheet(figures, results, names, w, helper)
        listing.append((src.name, w("contents.sources")))
    if provenance is not None:
        prov = provenance_layout(results, provenance, w)
        listing.append((prov.name, w("contents.provenance")))
    listing.append((helper.sheet, w("contents.chartdata")))
    summary = summary_sheet(results, unique_labels(names), figures, w, helper, listing)
    sheets = [summary, *scenario_layouts]
    if sources:
        sheets.append(src)
    if provenance is not None:
        sheets.append(prov)
    blocks = [c.data for layout in sheets for c in layout.charts]
    sheets.append(SheetLayout(helper.sheet, tuple(blocks), hidden=True, widths={1: 30.0}))
    return sheets


def provenance_layout(results, origins, w: Words) -> SheetLayout:
    """The Provenance sheet (:mod:`.provenance`), named in ``w``'s language and set up to print."""
    from dataclasses import replace

    layout = provenance_sheet(results, origins, w=w)
    last = max((t.bottom for t in layout.tables), default=2)
    widths = {1: 34.0, 2: 16.0, 3: 75.0}  # parameter | value | where it comes from
    heights = {}
    for t in layout.tables:
        cols = [t.column(c) for c in t.frame.columns]
        room = [
            sum(widths[k] for k in range(c, c + t.span(n)))
            for c, n in zip(cols, t.frame.columns, strict=True)
        ]
        values = [t.frame[c].tolist() for c in t.frame.columns]
        for i, row in enumerate(zip(*values, strict=True)):
            n = max(text_lines(v, room[j]) if isinstance(v, str) else 1 for j, v in enumerate(row))
            if n > 1:
                heights[t.first_row + i] = ROW_PT * n
    return replace(
        layout,
        heights=heights,
        name=w("sheet.provenance"),
        freeze="A3",
        title_rows=(1, 2),
        widths=widths,
        last_col=3,
        last_row=last,
        notes=frozenset({(2, 1)}),
    )


def previous_output_sheets(summary_grid) -> list[str]:
    """Sheet names a previous run listed in its Summary (the sheet list), if it was ours.

    Examples
    --------
    >>> previous_output_sheets([[SUMMARY_TITLE], [None], ["Sheets in this workbook"],
    ...     ["Sheet", "Contents"], ["S1 A", "A"], ["Chart data", "..."], [None, None]])
    ['S1 A', 'Chart data']
    >>> previous_output_sheets([["a user's own Summary"]])
    []
    """
    rows = [list(r) if isinstance(r, (list, tuple)) else [r] for r in summary_grid or []]
    if not rows or rows[0][0] not in SUMMARY_TITLES:
        return []
    headers = set(TEXT["col.sheet"])
    for i, row in enumerate(rows):
        if row and row[0] in headers:
            out = []
            for r in rows[i + 1 :]:
                value = r[0] if r else None
                if value is None or value == "":
                    break
                out.append(str(value))
            return out
    return []


def workbook_outputs(
    results,
    figures: pd.DataFrame,
    sheet_names: Sequence[str],
    summary_grid,
    provenance=None,
    *,
    lang: str = "en",
):
    """Layouts to write into an analyst's workbook, and the stale sheets of a previous run.

    A previous run's outputs are the sheets its Summary lists (and that Summary itself, in
    either language); they may be rewritten or deleted. Every other sheet is the user's: a
    scenario sheet never takes its name, and a Summary sheet that metaltrade did not write is
    an error rather than something to overwrite.

    ``summary_grid`` maps a Summary sheet name (any language) to its values, or is the values
    of the sheet named as in ``lang`` (older callers).
    """
    w = Words(lang)
    summary = w("sheet.summary")
    grids = summary_grid if isinstance(summary_grid, Mapping) else {summary: summary_grid}
    ours_summary = []
    previous: list[str] = []
    for name, grid in grids.items():
        if name not in sheet_names:
            continue
        if not grid or not grid[0] or grid[0][0] not in SUMMARY_TITLES:
            if name == summary:
                raise ValueError(
                    f"the workbook has a sheet named {summary} that metaltrade did not write; "
                    "rename it so the projections can be written"
                )
            continue
        ours_summary.append(name)
        previous += previous_output_sheets(grid)
    reserved = [n for n in sheet_names if n not in previous and n not in ours_summary]
    layouts = build_report(
        results, figures, sources=False, reserved=reserved, lang=lang, provenance=provenance
    )
    new = {layout.name for layout in layouts}
    stale = [n for n in [*previous, *ours_summary] if n not in new and n in sheet_names]
    return layouts, list(dict.fromkeys(stale))


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
