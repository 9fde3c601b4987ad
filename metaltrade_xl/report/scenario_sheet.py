"""One scenario's sheet: the yearly table (data years first), its charts, the parameters as used,
the figures they rest on, and the Monte Carlo tables and charts; laid out to print whole."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from metaltrade_xl.report.floors import (
    floor_ids,
    history_columns,
    kept,
    marks_of,
    rerun_deterministic,
    table_block,
    table_columns,
    used_rows,
)
from metaltrade_xl.report.grid import (
    CHART_ROWS,
    LAST_COL,
    WIDTHS,
    Helper,
    figure_what,
    header_height,
    object_frame,
    place_chart,
)
from metaltrade_xl.report.layout import (
    COLUMN_FORMATS,
    MONEY,
    RATE,
    ROW_PT,
    YEAR,
    SheetLayout,
    Stack,
    Table,
    anchor,
    header_lines,
    marked,
    note_height,
)
from metaltrade_xl.report.notes import notice_text, start_note
from metaltrade_xl.report.uncertainty_sheet import uncertainty_blocks
from metaltrade_xl.report.words import Words

_run = rerun_deterministic  # one function, so the reruns are shared (floors.bumped_run)


def floor_marks(result, figures, key: str, view) -> dict:
    """Lower-bound marks of ``view(result)`` on a scenario sheet (:func:`.floors.marks_of`, on
    the deterministic reruns the Summary and the printed summary share)."""
    return marks_of(result, figures, key, view, _run)


def projection_frame(result, figures, w: Words):
    """History rows then the projection, by column (arrays; the kind of row as words), the marks
    of each cell (column -> list, one per row), and how many rows are data."""
    past, past_marks = history_columns(result, figures)
    table = result.table
    marks = floor_marks(result, figures, "table", _table_view)
    n_past = len(past["year"])
    now = table_columns(result)
    columns = {}
    all_marks = {}
    for c, d in table.dtypes.items():
        values = now[c].astype(d) if d != now[c].dtype else now[c]
        cells = marks[c].tolist() if c in marks else [None] * len(table)
        if n_past:
            values = np.concatenate([past[c], values])
            cells = past_marks[c] + cells
        columns[c] = values
        all_marks[c] = cells
    starts = getattr(result, "starts", None) or {}
    estimate = any(getattr(v, "estimate", False) for v in starts.values())
    start = w("kind.estimate") if estimate else w("kind.start")
    kinds = [w("kind.data")] * n_past + [start] + [w("kind.projection")] * (len(table) - 1)
    # a solved gap of 1e-12 is rounding noise: show 0, not -0
    gap = columns["gap_to_rival"].astype(float)
    tiny = np.abs(gap) < 1e-6 * np.abs(columns["rival_exports"].astype(float))
    columns["gap_to_rival"] = np.where(tiny, 0.0, gap)
    columns = {"year": columns.pop("year"), "kind": kinds, **columns}
    all_marks = {"year": all_marks.pop("year"), "kind": [None] * len(kinds), **all_marks}
    return columns, all_marks, n_past


def _table_view(result):
    """The numbers of a projection table (every column but the year), a row per column."""
    names, values, _ = table_block(result)
    kinds = result.table.dtypes
    shown = [i for i, (c, d) in enumerate(kinds.items()) if d.kind in "fi" and c != "year"]
    return [names[i] for i in shown], values[:, shown].T


def _columns(result) -> list[str]:
    cols = ["year", "kind", "exports"]
    if result.scenario.substitution is not None:
        cols += ["imports_before_substitution", "substituted", "substitution_effect"]
    return cols + ["imports", "deficit", "coverage", "rival_exports", "gap_to_rival"]


def formats_with_marks(frame, marks, columns) -> dict[str, tuple[str, ...]]:
    """Per-row formats: the column's format with the row's lower-bound mark (``frame``: column
    -> values, ``marks``: column -> one mark per row)."""
    out = {}
    for c in columns:
        kind = np.asarray(frame[c]).dtype.kind
        base = COLUMN_FORMATS.get(c) or (MONEY if kind in "fi" else "General")
        out[c] = tuple(marked(base, m) for m in marks[c])
    return out


def year_span(first: int, last: int) -> str:
    """>>> year_span(2024, 2024), year_span(2015, 2024)
    ('2024', '2015–2024')
    """
    return str(first) if first == last else f"{first}–{last}"


def column_mark(marks, column: str, rows=None) -> str | None:
    """The one mark of a whole column (of its ``rows``, positions; None if no cell carries one).

    Examples
    --------
    >>> column_mark({"a": [None, "≥", "≥"]}, "a"), column_mark({"a": [None, "≥", "≤"]}, "a")
    ('≥', '≈')
    >>> column_mark({"a": [None, "≥"]}, "a", rows=[0]) is None
    True
    """
    cells = marks[column]
    if rows is not None:
        cells = [cells[i] for i in rows]
    values = {m for m in cells if isinstance(m, str) and m}
    if not values:
        return None
    return values.pop() if len(values) == 1 else "≈"


def floor_note(result, figures, w: Words) -> str:
    """ "Rests on lower bounds: Chile exports 2024 ≥ 4,000 ('superan …')" or ''."""
    return kept(result, ("floor_note", w.lang), figures, lambda: _floor_note(result, figures, w))


def _floor_note(result, figures, w: Words) -> str:
    ids = floor_ids(result, figures)
    if not ids:
        return ""
    items = []
    found = used_rows(result, figures)
    for fid in ids:
        row = found[fid]
        what = figure_what(row, w)
        items.append(w("floor.figure", what=what, value=w.number(row.value), quote=row.quote))
    return w("floor.note", figures="; ".join(items))


def scenario_sheet(
    result, name: str, figures: pd.DataFrame, w: Words, helper: Helper
) -> SheetLayout:
    """The sheet of one scenario (see the module docstring)."""
    s = result.scenario
    rival = s.rival.name
    texts = [(1, 1, w.title(s))]
    notes = set()
    # the description alone on row 2 (repeated on every printed page with the name)
    line = w.about(s) or w("scenario.units")
    texts.append((2, 1, line))
    page_chars = sum(WIDTHS.values())
    heights: dict[int, float] = {1: 20.0, 2: note_height(line, page_chars)}
    row = 3
    note = floor_note(result, figures, w)
    for extra in [
        *([w("scenario.units")] if w.about(s) else []),
        *(
            f"{w.input(key, rival=rival)}: {start_note(start, w)}"
            for key, start in (getattr(result, "starts", None) or {}).items()
            if getattr(start, "estimate", False)
        ),
        *(w("scenario.warning", text=notice_text(x, w)) for x in getattr(result, "warnings", ())),
        *([w("floor.legend"), note] if note else []),
    ]:
        texts.append((row, 1, extra))
        notes.add((row, 1))
        heights[row] = note_height(extra, page_chars)
        row += 1
    above = sum(heights.values())
    stack = Stack(top=row + 1, above_pt=above + ROW_PT, title_pt=heights[1] + heights[2])

    # the yearly table
    frame, marks, n_past = projection_frame(result, figures, w)
    cols = _columns(result)
    labels = {c: w.column(c, rival=rival) for c in cols}
    widths = [WIDTHS[i + 1] for i in range(len(cols))]
    hh = header_height([labels[c] for c in cols], widths)
    shown_years = frame["year"]
    first, last = int(shown_years[n_past]), int(shown_years[-1])
    title = (
        w(
            "scenario.years_history",
            data=year_span(int(shown_years[0]), int(shown_years[n_past - 1])),
            first=first,
            last=last,
        )
        if n_past
        else w("scenario.years", first=first, last=last)
    )
    at = stack.place(len(shown_years) + 2, extra_pt=hh - ROW_PT)
    years = Table(
        "years",
        pd.DataFrame({c: frame[c] for c in cols}),
        row=at,
        title=title,
        labels=labels,
        formats=formats_with_marks(frame, marks, cols),
        name="Projection",
        data_rows=tuple(range(n_past)),
    )
    heights[years.header_row] = hh
    freeze = anchor(1, years.first_row)

    # its charts: data years dashed, a series resting on a floor says so in its legend
    def legend(c, rows=None):
        m = column_mark(marks, c, rows)
        text = w.column(c, rival=rival)
        return w("floor.series", name=text) if m == "≥" else f"{text} ({m})" if m else text

    # the chart blocks from plain columns (a frame built per series cost more than the sheet)
    position = np.arange(len(shown_years))

    def with_history(cols_):
        block = {"year": shown_years}
        shown, data_series = [], []
        for c in cols_:
            values = frame[c]
            past = np.where(position <= n_past, values, np.nan)  # the base year joins the lines
            # the data part once: before and after substitution are one line in the past
            if n_past and not any(
                np.array_equal(past, block[k], equal_nan=True)
                for k in block
                if k.endswith("__data")
            ):
                block[f"{c}__data"] = past
                shown.append(f"{c}__data")
                data_series.append(w("series.data", name=legend(c, range(n_past))))
            block[c] = np.where(position >= n_past, values, np.nan)
            shown.append(c)
        past_rows, future_rows = range(n_past), range(n_past, len(shown_years))
        names = {
            c: w("series.data", name=legend(c[:-6], past_rows))
            if c.endswith("__data")
            else legend(c, future_rows)
            for c in shown
        }
        return block, shown, names, tuple(data_series)

    # parameters and the figures they rest on
    params, pformats = parameter_frame(result, figures, w)
    at = stack.place(len(params) + 2)
    tables = [years]
    tables.append(
        Table(
            "parameters",
            params,
            row=at,
            title=w("scenario.parameters"),
            labels={"parameter": w("col.parameter"), "value": w("col.value")},
            formats={"value": pformats},
            spans={"parameter": 5, "value": 2},
            name="Parameters",
        )
    )
    used = figures_used_columns(result, figures, w)
    if used["figure"]:
        src_width = sum(WIDTHS[c] for c in range(5, 12))
        line_counts = [header_lines(t, src_width) for t in used["source"]]
        extra = sum(ROW_PT * (n - 1) for n in line_counts)
        at = stack.place(len(used["figure"]) + 2, extra_pt=extra)
        t = Table(
            "figures_used",
            pd.DataFrame({c: used[c] for c in ("figure", "value", "source")}),
            row=at,
            title=w("scenario.figures"),
            labels={"figure": w("col.figure"), "value": w("col.value"), "source": w("col.source")},
            formats={
                "value": tuple(
                    marked(MONEY if u == "USD million" else RATE, m)
                    for u, m in zip(used["unit"], used["mark"], strict=True)
                )
            },
            spans={"figure": 3, "source": 7},
            name="FiguresUsed",
        )
        for i, n in enumerate(line_counts):
            if n > 1:
                heights[t.first_row + i] = ROW_PT * n
        tables.append(t)

    specs = [(w("chart.exports", rival=rival), ("exports", "rival_exports"))]
    if s.substitution is not None:  # without substitution the two lines would be identical
        specs.append((w("chart.imports"), ("imports_before_substitution", "imports")))
    specs.append((w("chart.deficit"), ("deficit",)))
    charts = []
    chart_note = " ".join(
        filter(
            None,
            [
                note,
                w("chart.history_note", year=int(shown_years[n_past - 1])) if n_past else "",
            ],
        )
    )
    note_pt = note_height(chart_note, sum(WIDTHS.values())) if chart_note else 0.0
    for k in range(0, len(specs), 2):
        top = stack.place(
            CHART_ROWS + (1 if chart_note else 0), extra_pt=note_pt - ROW_PT if chart_note else 0.0
        )
        for slot, (ctitle, series) in enumerate(specs[k : k + 2]):
            block, shown, names, dashed = with_history(series)
            charts.append(
                place_chart(
                    "line",
                    ctitle,
                    block,
                    "year",
                    shown,
                    stack_row=top,
                    slot=slot,
                    helper=helper,
                    key=f"chart{len(charts) + 1}",
                    sheet=name,
                    labels=names,
                    data_series=dashed,
                    y_title=w("axis.usd"),
                    x_title=w("axis.year"),
                )
            )
        if chart_note:
            texts.append((top + CHART_ROWS, 1, chart_note))
            notes.add((top + CHART_ROWS, 1))
            heights[top + CHART_ROWS] = note_pt

    if result.montecarlo is not None:
        mc_tables, mc_charts, mc_texts, mc_heights = uncertainty_blocks(
            result,
            w,
            stack=stack,
            helper=helper,
            sheet=name,
            key0=len(charts) + 1,
            mark=column_mark(marks, "deficit"),
            note=note,
        )
        tables += mc_tables
        charts += mc_charts
        heights.update(mc_heights)
        for r, c, text in mc_texts:
            texts.append((r, c, text))
            notes.add((r, c))
    return SheetLayout(
        name,
        tuple(tables),
        tuple(charts),
        tuple(texts),
        freeze=freeze,
        title_rows=(1, 2),
        breaks=tuple(stack.breaks),
        widths=WIDTHS,
        heights={**stack.heights, **heights},
        last_col=LAST_COL,
        last_row=max(stack.row - 1, max(t.bottom for t in tables)),
        notes=frozenset(notes),
    )


def parameter_frame(result, figures, w: Words):
    """The parameters as used, in words, with their formats (rates as percentages)."""
    p = result.parameters()
    s = result.scenario
    rival = s.rival.name
    marks = floor_marks(result, figures, "rates", _rates_view)
    rows: list[tuple[str, object, str]] = []

    def mark(key):
        return marks[key][0] if key in marks else None

    rows.append((w("param.reporter"), p["reporter"], "General"))
    rows.append((w("param.base_year"), int(p["base_year"]), YEAR))
    rows.append((w("param.horizon"), int(p["horizon"]), YEAR))
    for flow in ("exports", "imports", "rival"):
        growth = p[flow]["growth"]
        if isinstance(growth, Mapping):
            for year, rate in growth.items():
                rows.append((w(f"param.{flow}.growth.year", year=year, rival=rival), rate, RATE))
        else:
            solved = flow == "exports" and p["exports"].get("growth_given") == "to_close"
            label = (
                w("param.exports.solved", rival=rival, horizon=p["horizon"])
                if solved
                else w(f"param.{flow}.growth", rival=rival)
            )
            rows.append((label, growth, marked(RATE, mark(f"{flow}.growth"))))
        if flow == "rival":
            rows.append((w("param.rival.name"), p["rival"]["name"], "General"))
        rows.append(
            (
                w(f"param.{flow}.start", rival=rival),
                p[flow]["start"],
                marked(MONEY, mark(f"{flow}.start")),
            )
        )
    sub = p.get("substitution")
    if sub:
        origins = ", ".join(o for o in sub["origins"] if o != "all") or w("param.all")
        rows += [
            (w("param.substitution.share"), sub["share"], RATE),
            (w("param.substitution.origins"), origins, "General"),
            (w("param.substitution.origin_share"), sub["origin_share"], RATE),
            (w("param.substitution.import_content"), sub["import_content"], RATE),
            (w("param.substitution.start_year"), int(sub["start_year"]), YEAR),
            (w("param.substitution.phase_in_years"), int(sub["phase_in_years"]), "0"),
        ]
    frame = object_frame([(a, b) for a, b, _ in rows], ["parameter", "value"], "value")
    return frame, tuple(f for _, _, f in rows)


def _rates_view(result):
    p = result.parameters()
    names, values = [], []
    for flow in ("exports", "imports", "rival"):
        g = p[flow]["growth"]
        names += [f"{flow}.growth", f"{flow}.start"]
        values += [float(g) if not isinstance(g, Mapping) else np.nan, float(p[flow]["start"])]
    return names, np.array(values).reshape(-1, 1)


def figures_used_columns(result, figures, w: Words) -> dict[str, list]:
    """One entry per figure used: what, value (marked if a floor), unit and source in words."""
    columns: dict[str, list] = {"figure": [], "value": [], "source": [], "unit": [], "mark": []}
    ids = list(dict.fromkeys(result.figure_ids))
    found = used_rows(result, figures)
    for fid in ids:
        r = found.get(fid)
        if r is None:
            continue
        what = figure_what(r, w)
        parts = [r.source_publisher, r.source_title, r.source_date]
        source = ", ".join(p for p in parts if p) or r.file
        if r.quote:
            source += f" — «{r.quote}»" if w.lang == "es" else f' — "{r.quote}"'
        if r.lower_bound:
            source += f" ({w('floor.flag')})"
        unit = "USD million" if str(r.unit).lower().startswith("usd") else "fraction"
        row = (what, float(r.value), source, unit, "≥" if r.lower_bound else None)
        for c, v in zip(columns, row, strict=True):
            columns[c].append(v)
    return columns
