"""The tidy layout's columns and words, its error and its year check: what the readers of tidy
files (``load_figures``, the one-pass ``.xlsx`` path) share; importable from
:mod:`metaltrade_xl.data`."""

from __future__ import annotations

import numpy as np

REQUIRED_COLUMNS = ("indicator", "reporter", "partner", "year", "months", "value")
OPTIONAL_COLUMNS = (
    "id",
    "unit",
    "lower_bound",
    "source_publisher",
    "source_title",
    "source_date",
    "quote",
    "note",
)
#: Every column of the layout, in the order files and sheets show them.
FIGURE_COLUMNS = ("id", *REQUIRED_COLUMNS, *(c for c in OPTIONAL_COLUMNS if c != "id"))
WORLD = "World"


class DataError(ValueError):
    """A data file that does not follow the tidy layout; the message names file, row and column."""


DataError.__module__ = "metaltrade_xl.data"  # its public home, as tracebacks and pickles name it


_TRUE = {"true", "yes", "1", "y", "sí", "si", "x"}
_FALSE = {"false", "no", "0", "n", ""}


def check_years(years, name: str, column: str, rows, texts=None) -> None:
    """Refuse, naming the first, a year outside the range scenario files accept
    (:data:`metaltrade_xl.engine.inputs.YEAR`): ``-5``, ``0`` or ``99999999999999999999`` are
    typos, and a year past 2^63 would otherwise wrap to a negative integer."""
    from metaltrade_xl.engine.inputs import YEAR

    years = np.asarray(years)
    # Whole numbers already (a parsed integer column): the range is their min and max, two SIMD
    # passes instead of a float copy and four comparisons per row.
    if years.dtype.kind in "iu" and (
        not years.size or (YEAR.low <= years.min() and years.max() <= YEAR.high)
    ):
        return
    years = np.asarray(years, dtype=float)
    bad = ~YEAR.contains(years)
    if bad.any():
        i = int(np.argmax(bad))
        got = str(texts[i]) if texts is not None else f"{years[i]:.15g}"
        raise DataError(
            f"{name}: row {rows[i]}, column {column}: expected {YEAR.expected}, got {got[:40]}"
        )
