"""The Provenance sheet of an output workbook, and the words that credit the data.

Target-neutral like :mod:`metaltrade_xl.report.content`: a :class:`SheetLayout` of tables; the
writers render it. It says which data file(s) were read (name, SHA-256, rows; or the bundled
figures and their source), each scenario's parameters as resolved, the start values that are
estimates, the figures given as lower bounds, the warnings, the program version and the date.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import pandas as pd

from metaltrade_xl import __version__
from metaltrade_xl.data.nowcast import period_text
from metaltrade_xl.data.origin import DataOrigin, credit, publishers
from metaltrade_xl.report.layout import SHEETS, SheetLayout, Table

PROVENANCE_TITLE = "metaltrade_xl: provenance"
#: The header of the data table's hash column, which :func:`data_rows_for_share` looks for.
SHA_HEADER = "SHA-256"


def flatten(params: Mapping, prefix: str = "") -> list[tuple[str, object]]:
    """Nested parameters -> ``(dotted.key, value)`` rows; lists are joined with commas.

    Examples
    --------
    >>> flatten({"exports": {"growth": {2025: 0.1}, "start": 750}, "origins": ["China"]})
    [('exports.growth.2025', 0.1), ('exports.start', 750), ('origins', 'China')]
    """
    rows: list[tuple[str, object]] = []
    for key, value in params.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            rows += flatten(value, name + ".")
        elif isinstance(value, (list, tuple)):
            rows.append((name, ", ".join(map(str, value))))
        else:
            rows.append((name, value))
    return rows


def lower_bounds_used(results) -> list[dict]:
    """Every figure given as a floor ("more than") that some scenario used, once, with the keys
    it fed and the scenarios that used it (records as in ``ScenarioResult.figures_used``)."""
    out: dict[str, dict] = {}
    for r in results:
        for f in r.figures_used:
            if not f["lower_bound"]:
                continue
            entry = out.setdefault(f["id"], {**f, "used_for": [], "scenarios": []})
            entry["used_for"] += [k for k in f["used_for"] if k not in entry["used_for"]]
            entry["scenarios"].append(r.scenario.name)
    return list(out.values())


def lower_bound_lines(results) -> list[str]:
    """One line per lower-bound figure used, for a printed summary.

    Examples
    --------
    >>> from metaltrade_xl.data import load_figures
    >>> from metaltrade_xl.scenarios import find_scenario, run
    >>> for line in lower_bound_lines([run(find_scenario("baseline"), load_figures())]):
    ...     print(line)
    lower bound: imports of Peru, January–November 2025: more than 19,548 (used for imports.start; 1 scenario)
    lower bound: exports of Chile, full year 2024: more than 4,000 (used for rival.start; 1 scenario)
    """
    lines = []
    for f in lower_bounds_used(results):
        n = len(f["scenarios"])
        lines.append(
            f"lower bound: {f['indicator']} of {f['reporter']}"
            + (f" from {f['partner']}" if f["partner"] != "World" else "")
            + f", {period_text(f['months'], f['year'])}: more than {f['value']:,.0f} "
            f"(used for {', '.join(f['used_for'])}; {n} scenario{'s' if n != 1 else ''})"
        )
    return lines


#: Columns of the yearly table that each start value feeds (what rests on it if it is a floor).
_FED_BY = {
    "exports.start": ("exports", "balance", "deficit", "coverage", "gap_to_rival"),
    "imports.start": (
        "imports_before_substitution", "substituted", "substitution_effect", "imports",
        "balance", "deficit", "coverage",
    ),
    "rival.start": ("rival_exports", "gap_to_rival"),
}  # fmt: skip


def floor_columns(result) -> dict[str, list[str]]:
    """Columns of ``result``'s yearly table that rest on a lower bound, with the start keys
    (``imports.start`` …) whose floor they carry: where a sheet should mark "≥" or add a note.

    Examples
    --------
    >>> from metaltrade_xl.data import load_figures
    >>> from metaltrade_xl.scenarios import find_scenario, run
    >>> cols = floor_columns(run(find_scenario("baseline"), load_figures()))
    >>> cols["deficit"], cols["rival_exports"], "exports" in cols
    (['imports.start'], ['rival.start'], False)
    """
    out: dict[str, list[str]] = {}
    for key, start in result.starts.items():
        if start.lower_bound:
            for column in _FED_BY.get(key, ()):
                out.setdefault(column, []).append(key)
    return out


def warning_lines(results) -> list[str]:
    """``warning: <scenario>: <sentence>``, one line per warning of every result."""
    return [f"warning: {r.scenario.name}: {w}" for r in results for w in r.warnings]


#: The Sources sheet lists every figure of data up to this size, else the figures the scenarios
#: used: a 50 000-row data file is its own record, and copying it made a run ~20x slower.
SOURCES_ALL_UP_TO = 2000


def listed_figures(figures: pd.DataFrame, used) -> tuple[pd.DataFrame, tuple]:
    """The figures the Sources sheet lists (a copy), and its text rows saying so when they are
    only the ``used`` ones of a large file.

    Examples
    --------
    >>> f = pd.DataFrame({"id": [f"x{i}" for i in range(2001)], "file": "big.xlsx"})
    >>> frame, note = listed_figures(f, {"x7": ["Baseline"]})
    >>> frame["id"].tolist(), note
    (['x7'], ((2, 1, 'The 1 figures the scenarios used, of 2,001 in big.xlsx'),))
    """
    if len(figures) <= SOURCES_ALL_UP_TO:
        return figures.copy(), ()
    frame = figures[figures["id"].isin(used)].copy()
    files = ", ".join(dict.fromkeys(map(str, figures["file"])))
    text = f"The {len(frame)} figures the scenarios used, of {len(figures):,} in {files}"
    return frame, ((2, 1, text),)


def sources_title(figures: pd.DataFrame) -> str:
    """The Sources sheet's title, crediting the publishers the rows name, and for rows naming
    none, the file they came from: never a source that is not the rows' own.

    Examples
    --------
    >>> from metaltrade_xl.data import load_figures
    >>> sources_title(load_figures())
    'Data sources: SNI-IEES, Perú mantiene un elevado déficit comercial (press release), 2026-01-26'
    >>> f = pd.DataFrame({"source_publisher": ["", "INEI"], "source_title": "",
    ...                   "source_date": "", "file": "mine.csv"})
    >>> sources_title(f)
    'Data sources: INEI; 1 row(s) naming no publisher, from mine.csv'
    """
    named, none = publishers(figures)
    files = ", ".join(sorted(set(map(str, figures["file"])))) if "file" in figures else "the data"
    if not named:
        return f"Data sources: {files} (the rows name no publisher)"
    text = "; ".join(named[:3])
    if len(named) > 3:
        text += f" and {len(named) - 3} more (each row names its own)"
    if none:
        text += f"; {none} row(s) naming no publisher, from {files}"
    return f"Data sources: {text}"


def _data_frame(origins: Sequence[DataOrigin]) -> pd.DataFrame:
    """Item/value rows, one block per data file: long values last, where they can overflow."""
    rows = []
    for o in origins:
        rows += [
            ("data", o.label),
            ("file", o.name),
            (SHA_HEADER, o.sha256 or "(no file: a live workbook)"),
            ("rows", o.rows),
            ("source", o.source or credit(o)),
        ]
    return pd.DataFrame(rows, columns=["item", "value"]).astype({"value": object})


def _lower_bound_frame(results) -> pd.DataFrame:
    n = len(results)
    rows = []
    for f in lower_bounds_used(results):
        names = f["scenarios"]
        who = f"all {n} scenarios" if n > 1 and len(names) == n else ", ".join(names)
        partner = f" from {f['partner']}" if f["partner"] != "World" else ""
        rows.append(
            {
                "more than": f["value"],
                "figure": f"{f['indicator']} of {f['reporter']}{partner}, "
                f"{period_text(f['months'], f['year'])} ({f['id']}); used for "
                f"{', '.join(f['used_for'])} in {who}; source: {f['source']}",
            }
        )
    return pd.DataFrame(rows, columns=["more than", "figure"])


def _shown(value):
    """A parameter value as a reader reads it: a flag as yes/no (a bool cell prints as 1 or 0).

    >>> _shown(True), _shown(False), _shown(0.057)
    ('yes', 'no', 0.057)
    """
    return ("yes" if value else "no") if isinstance(value, bool) else value


def provenance_sheet(
    results, origins: Sequence[DataOrigin], *, made: date | None = None
) -> SheetLayout:
    """The Provenance sheet: program and date, data read, lower bounds, estimates, warnings and
    every scenario's resolved parameters (``made`` defaults to today)."""
    made = made or date.today()
    program = pd.DataFrame(
        {
            "item": ["program", "version", "date"],
            "value": ["metaltrade_xl", __version__, made.isoformat()],
        }
    )
    tables: list[Table] = []

    def add(key, frame, title, **kw):
        at = tables[-1].bottom + 3 if tables else 4
        tables.append(Table(key, frame, row=at, title=title, **kw))

    add("provenance_program", program, "Made by")
    add("provenance_data", _data_frame(origins), "Data read (SHA-256 of each file as read)")
    add(
        "provenance_lower_bounds",
        _lower_bound_frame(results),
        "Figures used that the source gives as lower bounds ('more than'): values built on "
        "them are floors too",
        formats={"more than": "#,##0.###"},
    )
    warnings = pd.DataFrame(
        {"warning": [f"{r.scenario.name}: {w}" for r in results for w in r.warnings]}
    )
    add(
        "provenance_warnings",
        warnings,
        "Warnings: projected values below a figure already recorded"
        + ("" if len(warnings) else " (none)"),
    )
    for i, r in enumerate(results, start=1):
        rows = [(k, _shown(v)) for k, v in flatten(r.parameters())]
        params = pd.DataFrame(rows, columns=["parameter", "value"])
        add(
            f"provenance_parameters_{i}",
            params.astype({"value": object}),
            f"Parameters as resolved: {r.scenario.name}",
            formats={"value": "General"},
        )
    texts = (
        (1, 1, PROVENANCE_TITLE),
        (2, 1, "Where every input of this workbook came from, and which program made it"),
    )
    return SheetLayout(SHEETS["provenance"], tuple(tables), (), texts)


def data_rows_for_share(sheets: Mapping[str, list]) -> list[list] | None:
    """The data lines of a Provenance sheet that ``run`` wrote, from a workbook's sheet grids.

    ``sheets`` maps sheet names to their values (2-D lists). Returns the ``[item, value]`` rows
    of that sheet's data table (file, SHA-256, rows, source of each data file read), so that a
    shared copy can carry the truth about the data; None when the workbook has no Provenance
    sheet of ours. For ``share``: use these rows, rather than claim the bundled figures, when the
    workbook has no Data sheet.

    Examples
    --------
    >>> grid = [[PROVENANCE_TITLE, None], [], ["Data read", None], ["item", "value"],
    ...         ["data", "data file"], ["file", "mine.csv"], ["SHA-256", "ab12"],
    ...         ["rows", 3], ["source", "INEI"], [None, None], ["Made by"]]
    >>> data_rows_for_share({"Provenance": grid})[1:3]
    [['file', 'mine.csv'], ['SHA-256', 'ab12']]
    >>> data_rows_for_share({"Summary": [["x"]]}) is None
    True
    """
    grid = sheets.get(SHEETS["provenance"])
    if not grid or not grid[0] or grid[0][0] != PROVENANCE_TITLE:
        return None
    rows = [(list(r) if isinstance(r, (list, tuple)) else [r]) + [None, None] for r in grid]
    hit = next((i for i, r in enumerate(rows) if r[0] == SHA_HEADER), None)
    if hit is None:
        return None
    header = max((i for i in range(hit) if rows[i][0] == "item"), default=hit - 1)
    blank = [i for i, r in enumerate(rows) if all(v in (None, "") for v in r)]
    last = min([i for i in blank if i > hit], default=len(rows))
    first = header + 1
    return [r[:2] for r in rows[first:last]]
