"""The Monte Carlo part of a scenario sheet: percentile tables, reach, first year, the horizon
distribution, the tornado, and the fan and tornado charts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from metaltrade_xl.report.grid import CHART_ROWS, WIDTHS, header_height, place_chart
from metaltrade_xl.report.layout import (
    COUNT,
    MONEY,
    PROBABILITY,
    RATE,
    ROW_PT,
    SE,
    YEAR,
    Table,
    marked,
    note_height,
    text_lines,
)
from metaltrade_xl.report.words import Words


def fan_levels(levels) -> tuple[str, str, str]:
    """Column labels of the lower, middle and upper bands: P10, P50, P90 when available.

    Examples
    --------
    >>> fan_levels((5, 10, 50, 90, 95)), fan_levels((25, 50, 75))
    (('P10', 'P50', 'P90'), ('P25', 'P50', 'P75'))
    """
    labels = [f"P{q:g}" for q in levels]
    pick = [f"P{q}" for q in (10, 50, 90)]
    if all(p in labels for p in pick):
        return tuple(pick)
    return labels[0], labels[len(labels) // 2], labels[-1]


def fan_block(fan: pd.DataFrame, levels, extra=None, *, w: Words | None = None):
    """Data of a fan chart: years, lower, middle, upper, extra lines, then the band width.

    The band (upper − lower) comes last so a writer that cannot fill a band (a live workbook)
    can draw the columns before it as lines.
    """
    return pd.DataFrame(_fan_columns(fan, levels, extra, w=w))


def _fan_columns(fan: pd.DataFrame, levels, extra=None, *, w: Words | None = None) -> dict:
    """:func:`fan_block`'s columns as arrays (what a chart's data block is built from)."""
    w = w or Words()
    lo, mid, hi = fan_levels(levels)
    low, high = fan[lo].to_numpy(), fan[hi].to_numpy()
    columns = {"year": fan["year"].to_numpy(), lo: low, w("mc.median"): fan[mid].to_numpy()}
    columns[hi] = high
    for name, values in (extra or {}).items():
        columns[name] = np.asarray(values)
    columns[w("mc.band", lo=lo, hi=hi)] = high - low
    return columns


def _fans(mc, outcomes) -> dict[str, pd.DataFrame]:
    """``mc.fan(o)`` of each outcome, from one read of the percentile table's columns."""
    table = mc.percentiles
    which = table["outcome"].to_numpy()
    columns = {c: table[c].to_numpy() for c in table.columns if c != "outcome"}
    out = {}
    for o in outcomes:
        at = np.flatnonzero(which == o)
        # an outcome not simulated: the engine's own error
        out[o] = pd.DataFrame({c: v[at] for c, v in columns.items()}) if at.size else mc.fan(o)
    return out


def uncertainty_blocks(result, w: Words, *, stack, helper, sheet, key0, mark, note):
    """Tables, charts and notes of the Monte Carlo part, placed on ``stack``."""
    heights: dict[int, float] = {}

    mc, spec, s = result.montecarlo, result.scenario.uncertainty, result.scenario
    rival = s.rival.name
    horizon = int(s.horizon)
    seed = w("mc.noseed") if spec.seed is None else w("mc.seed", seed=spec.seed)
    money = marked(MONEY, mark)
    tables: list[Table] = []
    texts: list[tuple[int, int, str]] = []

    def add(key, frame, title, formats, labels=None, spans=None, name="", lines=()):
        """``lines``: how many lines each row's text wraps to (taller rows)."""
        labels = {c: w.column(c, rival=rival) for c in frame.columns} | (labels or {})
        spans = spans or {}
        widths, col = [], 1
        for c in frame.columns:
            widths.append(sum(WIDTHS.get(col + k, 11.0) for k in range(spans.get(c, 1))))
            col += spans.get(c, 1)
        hh = header_height([labels[c] for c in frame.columns], widths)
        extra = sum(ROW_PT * (n - 1) for n in lines)
        at = stack.place(len(frame) + 2, extra_pt=hh - ROW_PT + extra)
        t = Table(key, frame, row=at, title=title, formats=formats, labels=labels,
                  spans=spans, name=name)  # fmt: skip
        heights[t.header_row] = hh
        heights.update({t.first_row + i: ROW_PT * n for i, n in enumerate(lines) if n > 1})
        tables.append(t)
        return t

    fans = _fans(mc, ("deficit", "exports"))
    deficit = fans["deficit"]
    pct = [c for c in deficit.columns if c != "year"]
    add(
        "mc_deficit",
        deficit,
        w("mc.deficit", paths=w.number(mc.n_paths), seed=seed),
        {"year": YEAR, **{c: money for c in pct}},
        labels={c: c for c in pct},
        name="MonteCarloDeficit",
    )
    exports = fans["exports"]
    add(
        "mc_exports",
        exports,
        w("mc.exports"),
        {"year": YEAR, **{c: MONEY for c in exports.columns if c != "year"}},
        labels={c: c for c in exports.columns if c != "year"},
        name="MonteCarloExports",
    )
    add(
        "mc_reach",
        mc.reach,
        w("mc.reach", rival=rival),
        {
            "year": YEAR,
            "p_ahead": PROBABILITY,
            "p_reached_by": PROBABILITY,
            "se_ahead": SE,
            "se_reached_by": SE,
        },
        name="MonteCarloReach",
    )
    shown_years = [
        v if isinstance(v, (int,)) or str(v).isdigit() else w("mc.not_by", year=horizon)
        for v in mc.first_year["first_year"]
    ]
    first = mc.first_year.assign(
        first_year=[int(v) if str(v).isdigit() else v for v in shown_years]
    )
    add(
        "mc_first_year",
        first,
        w("mc.first", rival=rival),
        {"first_year": YEAR, "paths": COUNT, "probability": PROBABILITY},
        name="MonteCarloFirstYear",
    )
    hd = mc.horizon_deficit
    hd = hd[hd["statistic"] != "year"].reset_index(drop=True)
    stats = [w(f"stat.{x}") if f"stat.{x}" in _STATS else x for x in hd["statistic"]]
    add(
        "mc_horizon",
        pd.DataFrame({"statistic": stats, "value": hd["value"].to_numpy()}),
        w("mc.horizon", year=horizon),
        {"value": money},
        spans={"statistic": 3},
        name="MonteCarloHorizon",
    )
    swings = result.tornado
    names = [w.input(i, rival=rival) for i in swings["input"]]
    shown = {"input": names}
    tformats = {"input": "General"}
    for c in ("swing", "outcome_low", "outcome_high", "base"):
        if c in swings.columns:
            shown[c] = swings[c].to_numpy()
            tformats[c] = MONEY
    for c in ("low_value", "high_value"):
        if c in swings.columns:
            shown[c] = swings[c].to_numpy()
            tformats[c] = RATE
    shown = pd.DataFrame(shown)
    room = sum(WIDTHS.get(k, 11.0) for k in (1, 2, 3))  # an input's name wraps in 3 columns
    t = add("tornado", shown, w("tornado.table", year=horizon), tformats, spans={"input": 3},
            name="Tornado", lines=[text_lines(n, room) for n in names])  # fmt: skip
    how = w("tornado.how", year=horizon)
    texts.append((t.bottom + 1, 1, how))
    heights[t.bottom + 1] = note_height(how, sum(WIDTHS.values()))
    stack.row -= 1  # the note takes the gap row under the table
    stack.place(1, extra_pt=heights[t.bottom + 1] - ROW_PT)

    # charts
    lo, _, hi = fan_levels(mc.percentile_levels)
    rival_line = {w("mc.central", rival=rival): result.table["rival_exports"].to_numpy()}
    blocks = [
        (
            "fan",
            w("mc.fan_deficit", lo=lo, hi=hi),
            _fan_columns(deficit, mc.percentile_levels, w=w),
            "year",
        ),
        (
            "fan",
            w("mc.fan_exports", lo=lo, hi=hi, rival=rival),
            _fan_columns(exports, mc.percentile_levels, rival_line, w=w),
            "year",
        ),  # fmt: skip
    ]
    if "swing" in swings.columns:
        low = (
            swings["outcome_low"] - swings["base"]
            if "outcome_low" in swings
            else -swings["swing"] / 2
        )
        high = (
            swings["outcome_high"] - swings["base"]
            if "outcome_high" in swings
            else swings["swing"] / 2
        )
        tornado = {  # reversed: the largest swing on top
            "input": np.array(names, dtype=object)[::-1],
            lo: low.to_numpy()[::-1],
            hi: high.to_numpy()[::-1],
        }
        blocks.append(("bar", w("tornado.title", year=horizon), tornado, "input"))
    charts = []
    chart_note = note
    note_pt = note_height(note, sum(WIDTHS.values())) if note else 0.0
    for k in range(0, len(blocks), 2):
        top = stack.place(CHART_ROWS + (1 if chart_note else 0), extra_pt=max(note_pt - ROW_PT, 0))
        for slot, (kind, title, frame, x) in enumerate(blocks[k : k + 2]):
            series = tuple(c for c in frame if c != x)
            charts.append(
                place_chart(
                    kind, title, frame, x, series, stack_row=top, slot=slot, helper=helper,
                    key=f"chart{key0 + len(charts)}", sheet=sheet,
                    y_title=w("axis.change") if kind == "bar" else w("axis.usd"),
                    x_title=w("axis.year") if x == "year" else " ",
                )
            )  # fmt: skip
        if chart_note:
            texts.append((top + CHART_ROWS, 1, chart_note))
            heights[top + CHART_ROWS] = note_pt
    return tables, charts, texts, heights


_STATS = {"stat.mean", "stat.se_mean", "stat.sd", "stat.year"}
