"""The grid output sheets are laid out on: column widths, where charts sit, header heights, and
the hidden sheet that holds every chart's data."""

from __future__ import annotations

import numpy as np
import pandas as pd

from metaltrade_xl.report.layout import ROW_PT, anchor, block_rows, chart, header_lines
from metaltrade_xl.report.words import Words

#: The sheet grid every scenario sheet uses: column A (years) narrow, then ten number columns.
NUMBER_WIDTH = 12.0
WIDTHS = {1: 7.0, **{c: NUMBER_WIDTH for c in range(2, 12)}}
LAST_COL = 11
#: Rows a chart covers (about 7.9 cm at 15 pt a row), and where the two charts of a row start.
CHART_ROWS = 13
CHART_COLS = ((1, 7), (7, 12), (1, 12))  # left, right, the whole width


class Helper:
    """Hands out places on the hidden chart-data sheet."""

    def __init__(self, sheet: str):
        self.sheet, self.row = sheet, 1

    def at(self, frame) -> tuple[int, int]:
        """Where the data block of ``frame`` (a DataFrame or a mapping of columns) goes."""
        row = self.row
        self.row += block_rows(frame) + 3
        return row, 1


def cm(chars: float) -> float:
    """Centimetres of ``chars`` column-width characters (7 px each plus padding, 96 dpi)."""
    return (chars * 7 + 5) / 96 * 2.54


def place_chart(
    kind, title, frame, x, series, *, stack_row, slot, helper, key, sheet, rows=None, **kw
):
    """A chart covering ``rows`` (default ``CHART_ROWS``) rows from ``stack_row`` in column slot
    ``slot`` (0 left half, 1 right half, 2 the whole width)."""
    first, end = CHART_COLS[slot]
    rows = rows or CHART_ROWS
    width = sum(WIDTHS.get(c, NUMBER_WIDTH) for c in range(first, end))
    return chart(
        kind,
        title,
        frame,
        x,
        series,
        anchor=anchor(first, stack_row),
        data_at=helper.at(frame),
        key=key,
        to=anchor(end, stack_row + rows),
        data_sheet=helper.sheet,
        width_cm=cm(width),
        height_cm=rows * ROW_PT / 72 * 2.54,
        data_title=f"{sheet}: {title}",  # the block's title says which sheet it feeds
        **kw,
    )


#: Header text size (points): a little smaller than the numbers, so long words fit a column.
HEADER_PT = 9.0


def figure_what(row, w: Words) -> str:
    """A figure in words: "Chile exports 2024", "Peru imports (to/from China) 2025, 11 months"."""
    months = "" if int(row.months) == 12 else w("figure.months", months=int(row.months))
    partner = "" if row.partner == "World" else w("figure.partner", partner=row.partner)
    text = w(
        "figure.what",
        reporter=row.reporter,
        indicator=w.indicator(row.indicator),
        partner=partner,
        year=int(row.year),
        months=months,
    )
    return text[:1].upper() + text[1:]


def header_height(labels, widths) -> float:
    """Points a wrapped header row needs (headers are set in :data:`HEADER_PT` bold)."""
    scale = 11.0 / HEADER_PT
    lines = max(header_lines(t, widths[i] * scale) for i, t in enumerate(labels))
    return max(ROW_PT, HEADER_PT * 1.25 * lines + 4)


def object_frame(rows, columns: list[str], keep: str) -> pd.DataFrame:
    """``pd.DataFrame(rows, columns=columns).astype({keep: object})``, built in one go: column
    ``keep`` holds mixed values (text, numbers) as they are.

    Examples
    --------
    >>> f = object_frame([("a", 1), ("b", "x")], ["item", "value"], "value")
    >>> f["value"].dtype, f["value"].tolist()
    (dtype('O'), [1, 'x'])
    """
    rows = list(rows)
    data = {c: [r[i] for r in rows] for i, c in enumerate(columns)}
    values = data[keep]
    text = [isinstance(v, str) for v in values]
    if not any(text):  # all numbers: pandas' own inference
        return pd.DataFrame(rows, columns=columns).astype({keep: object})
    if all(t or v is None for t, v in zip(text, values, strict=True)):
        data[keep] = pd.Series(values, dtype=object)  # text stays object, not str
    else:  # text and numbers: an object array stays as it is
        cells = np.empty(len(values), dtype=object)
        for i, v in enumerate(values):
            cells[i] = v
        data[keep] = cells
    return pd.DataFrame(data, columns=columns)
