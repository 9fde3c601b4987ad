"""``metaltrade run --workbook IN --out OUT``: the scenario button's flow on a file.

The projection sheets are written by openpyxl into a fresh workbook and grafted into a copy of
the input's package (:mod:`.graft`); an earlier run's sheets are removed at the package level.
Every part of the input that is not one of ours (the user's sheets, charts, images, comments,
conditional formats, validation, VBA, names) comes through byte for byte; what changes is the
workbook's sheet list and names, its relationships and content types, ``xl/styles.xml`` (entries
appended), ``docProps/app.xml``'s titles, and the projection sheets themselves.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from metaltrade_xl.files import package as xp
from metaltrade_xl.files import structure
from metaltrade_xl.files.graft import graft_sheets, sync_titles
from metaltrade_xl.files.writer import check_distinct, new_workbook, open_workbook, sheet_grid


class PackageBook:
    """A workbook package as the :class:`metaltrade_xl.report.book.Book` the flow runs on: values
    are read through openpyxl (never saved), sheets are removed and added in the package."""

    def __init__(self, pkg: xp.Package, values, paper: str | None = None):
        self.pkg, self.values, self.paper = pkg, values, paper

    def sheet_names(self) -> list[str]:
        return [s["name"] for s in self.pkg.sheets()]

    def grid(self, name: str) -> list[list]:
        return sheet_grid(self.values[name])

    def delete_sheet(self, name: str) -> None:
        structure.remove_sheet(self.pkg, name)
        sync_titles(self.pkg)

    def write_sheets(self, layouts) -> None:
        layouts = list(layouts)
        names = self.sheet_names()  # a sheet of the same name is replaced in its place
        where = {x.name: names.index(x.name) for x in layouts if x.name in names}
        for name in where:
            structure.remove_sheet(self.pkg, name)
        with tempfile.TemporaryDirectory() as tmp:
            made = Path(tmp) / "sheets.xlsx"
            new_workbook(layouts, paper=self.paper).save(made)
            graft_sheets(self.pkg, xp.Package(made), where)


def run_workbook(
    src: str | Path, out: str | Path, *, force: bool = False, lang=None, paper=None
) -> list:
    """The scenario macro on files: read Data and Scenarios from ``src``, write ``out`` with the
    Summary and scenario sheets; every other part of ``src`` (sheets, charts, formulas, VBA)
    kept byte for byte.

    ``src`` is never modified; ``out`` must be another path and keep ``src``'s macro-ness.
    The sheets are in ``lang``, else in the language the workbook's README sets, and print on
    ``paper`` (``a4``, the default, or ``letter``).
    """
    return run_workbook_report(src, out, force=force, lang=lang, paper=paper)[0]


def run_workbook_report(src, out, *, force: bool = False, lang=None, paper=None):
    """:func:`run_workbook`, returning ``(results, figures, language used)``."""
    from metaltrade_xl.data.origin import file_origin
    from metaltrade_xl.report.book import run_book_report
    from metaltrade_xl.report.layout import SHEETS

    src, out = Path(src), Path(out)
    check_distinct(src, out)
    macro = src.suffix.lower() == ".xlsm"
    if macro != (out.suffix.lower() == ".xlsm"):
        want = ".xlsm (to keep the VBA)" if macro else ".xlsx"
        raise ValueError(f"--out: expected a {want} file like the input, got '{out.name}'")
    pkg = xp.Package(src)
    values = open_workbook(src)
    # the data are the input workbook's Data sheet: its name and hash are the workbook's
    label = f"{SHEETS['data']} sheet of the workbook"
    try:
        results, figures, lang = run_book_report(  # the flow the scenario button runs
            PackageBook(pkg, values, paper),
            src.name,
            origins=lambda figures: [file_origin(src, figures, label=label)],
            lang=lang,
        )
    finally:
        values.close()
    pkg.save(out, force=force)
    return results, figures, lang
