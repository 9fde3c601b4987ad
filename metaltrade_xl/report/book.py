"""Run a workbook's scenarios: the one flow behind the scenario button and ``metaltrade run
--workbook``.

Read the **Data** and **Scenarios** sheets, run every scenario (any invalid input raises
ValueError before anything is written), work out the Summary and scenario sheets and which sheets
of an earlier run are now stale, delete those and write the new ones. What a book is comes in
through the small :class:`Book` interface, so the same flow drives a live Excel book (xlwings, in
:mod:`metaltrade_xl.excel.macros`) and a file (its package, in :mod:`metaltrade_xl.files.runbook`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from metaltrade_xl.data import figures_from_grid
from metaltrade_xl.report.content import SUMMARY_NAMES, workbook_outputs
from metaltrade_xl.report.layout import SHEETS, SheetLayout
from metaltrade_xl.report.words import language_from_grid
from metaltrade_xl.scenarios import ScenarioResult, run_full
from metaltrade_xl.scenarios.cells import scenarios_from_grid


class Book(Protocol):
    """What the flow needs of a workbook."""

    def sheet_names(self) -> list[str]:
        """The sheets' names, in order."""

    def grid(self, name: str) -> list[list]:
        """Sheet ``name``'s values from A1 to the end of its used range, as a 2-D list."""

    def delete_sheet(self, name: str) -> None:
        """Remove sheet ``name``."""

    def write_sheets(self, layouts: Sequence[SheetLayout]) -> None:
        """Write each layout into the sheet of its name (replacing its contents) or a new one."""


def read_inputs(book: Book, where: str = "the workbook"):
    """``(figures, scenarios)`` from the book's Data and Scenarios sheets; ValueError if invalid.

    ``where`` names the book in the message when a sheet is missing.
    """
    names = book.sheet_names()
    missing = [SHEETS[k] for k in ("data", "scenarios") if SHEETS[k] not in names]
    if missing:
        raise ValueError(f"{where} has no sheet named {', '.join(missing)}")
    figures = figures_from_grid(book.grid(SHEETS["data"]), SHEETS["data"])
    scenarios = scenarios_from_grid(book.grid(SHEETS["scenarios"]), SHEETS["scenarios"])
    return figures, scenarios


def run_book(
    book: Book, where: str = "the workbook", *, origins: Callable | None = None, lang=None
) -> list[ScenarioResult]:
    """Run every scenario of ``book`` and write Summary and one sheet per scenario into it.

    Re-running replaces the sheets a previous run listed in its Summary and nothing else.
    ``origins``, given the figures read, returns the data origins the Provenance sheet lists
    (a file knows its name and hash; a live book may not). The sheets are in ``lang``, else in
    the language the book's README sets. Returns the results.
    """
    return run_book_report(book, where, origins=origins, lang=lang)[0]


def run_book_report(book: Book, where: str = "the workbook", *, origins=None, lang=None):
    """:func:`run_book`, returning ``(results, figures, language used)``."""
    figures, scenarios = read_inputs(book, where)
    results = [run_full(s, figures) for s in scenarios]
    names = book.sheet_names()
    if lang is None:
        readme = SHEETS["readme"]
        lang = language_from_grid(book.grid(readme) if readme in names else None)
    # a previous run's Summary, in either language
    summaries = {n: book.grid(n) for n in SUMMARY_NAMES if n in names}
    provenance = None if origins is None else origins(figures)
    layouts, stale = workbook_outputs(
        results, figures, names, summaries, provenance=provenance, lang=lang
    )
    for name in stale:
        book.delete_sheet(name)
    book.write_sheets(layouts)
    return results, figures, lang
