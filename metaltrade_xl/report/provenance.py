"""The Provenance sheet of an output workbook, and the words that credit the data.

Target-neutral like :mod:`metaltrade_xl.report.content`: a :class:`SheetLayout` of tables; the
writers render it. It says which data file(s) were read (name, SHA-256, rows; or the bundled
figures and their source), each scenario's parameters as resolved, the start values that are
estimates, the figures given as lower bounds, the warnings, the program version and the date.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from types import SimpleNamespace

import pandas as pd

from metaltrade_xl import DATA_VINTAGE, __version__
from metaltrade_xl.data.nowcast import period_text
from metaltrade_xl.data.origin import BUNDLED, DataOrigin, publishers
from metaltrade_xl.report import notes
from metaltrade_xl.report.grid import figure_what, object_frame
from metaltrade_xl.report.layout import SHEETS, SheetLayout, Table, marked
from metaltrade_xl.report.words import TEXT, Words

#: The sheet's title in English (each language's title is in :data:`PROVENANCE_TITLES`).
PROVENANCE_TITLE = TEXT["prov.title"][0]
PROVENANCE_TITLES = TEXT["prov.title"]
#: The sheet's name in each language.
PROVENANCE_SHEETS = (SHEETS["provenance"], *TEXT["sheet.provenance"])
#: The header of the data table's hash column, which :func:`data_rows_for_share` looks for.
SHA_HEADER = "SHA-256"


def lower_bounds_used(results, w: Words | None = None) -> list[dict]:
    """Every figure given as a floor ("more than") that some scenario used, once, with the keys
    it fed and the scenarios that used it (records as in ``ScenarioResult.figures_used``;
    scenarios named in ``w``'s language when given)."""
    out: dict[str, dict] = {}
    for r in results:
        for f in r.figures_used:
            if not f["lower_bound"]:
                continue
            entry = out.setdefault(f["id"], {**f, "used_for": [], "scenarios": []})
            entry["used_for"] += [k for k in f["used_for"] if k not in entry["used_for"]]
            entry["scenarios"].append(w.title(r.scenario) if w else r.scenario.name)
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


def warning_lines(results, w: Words | None = None) -> list[str]:
    """``warning: <scenario>: <sentence>``, one line per warning of every result (in ``w``'s
    language; English by default)."""
    return notes.warning_lines(results, w or Words())


#: The Sources sheet lists every figure of data up to this size, else the figures the scenarios
#: used: a 50 000-row data file is its own record, and copying it made a run ~20x slower.
SOURCES_ALL_UP_TO = 2000


def listed_figures(
    figures: pd.DataFrame, used, w: Words | None = None
) -> tuple[pd.DataFrame, tuple]:
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
    files = ", ".join(dict.fromkeys(map(str, figures["file"].unique())))
    w = w or Words()
    text = w("sources.listed", n=len(frame), total=w.number(len(figures)), files=files)
    return frame, ((2, 1, text),)


def sources_title(figures: pd.DataFrame, w: Words | None = None) -> str:
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
    >>> sources_title(f, Words("es"))
    'Fuentes de datos: INEI; 1 fila(s) sin editor, de mine.csv'
    """
    w = w or Words()
    named, none = publishers(figures)
    files = ", ".join(sorted(set(map(str, figures["file"])))) if "file" in figures else "—"
    if not named:
        return w("sources.credit", text=w("sources.no_publisher", files=files))
    text = "; ".join(named[:3])
    if len(named) > 3:
        text = w("sources.more", text=text, n=len(named) - 3)
    if none:
        text = w("sources.unnamed", text=text, n=none, files=files)
    return w("sources.credit", text=text)


def _credit(origin: DataOrigin, w: Words) -> str:
    """:func:`~metaltrade_xl.data.origin.credit` in ``w``'s language."""
    if not origin.publishers:
        return w("sources.no_publisher", files=origin.name)
    text = "; ".join(origin.publishers)
    if origin.unattributed:
        text = w("credit.unnamed", text=text, n=origin.unattributed, file=origin.name)
    return text


def _source(origin: DataOrigin, w: Words) -> str:
    """The source of a data origin in words: the bundled release, or the rows' publishers."""
    if origin.source == DATA_VINTAGE:
        return w("data.vintage")
    return origin.source or _credit(origin, w)


def _label(origin: DataOrigin, w: Words) -> str:
    """What a data origin is, in words ("bundled figures", "data file", "Data sheet …")."""
    label = origin.label
    if label == BUNDLED:
        return w("prov.bundled")
    if label == "data file":
        return w("prov.data_file")
    if label.endswith(" sheet of the workbook"):
        return w("prov.data_sheet", sheet=label[: -len(" sheet of the workbook")])
    return label


def _data_frame(origins: Sequence[DataOrigin], w: Words) -> pd.DataFrame:
    """Item/value rows, one block per data file: long values last, where they can overflow."""
    rows = []
    for o in origins:
        rows += [
            (w("prov.data"), _label(o, w)),
            (w("prov.file"), o.name),
            (SHA_HEADER, o.sha256 or w("prov.no_file")),
            (w("prov.rows"), o.rows),
            (w("prov.source"), _source(o, w)),
        ]
    return object_frame(rows, ["item", "value"], "value")


def _lower_bound_frame(results, w: Words) -> pd.DataFrame:
    n = len(results)
    rows = []
    for f in lower_bounds_used(results, w):
        names = f["scenarios"]
        who = w("prov.all_scenarios", n=n) if n > 1 and len(names) == n else ", ".join(names)
        what = figure_what(SimpleNamespace(**f), w)
        keys = w.join(w.input(k, rival=f["reporter"]) for k in f["used_for"])
        text = w("prov.floor_figure", what=what, id=f["id"], keys=keys, who=who, source=f["source"])
        rows.append({"more than": f["value"], "figure": text})
    return pd.DataFrame(rows, columns=["more than", "figure"])


def _shown(value, w: Words):
    """A parameter value as a reader reads it: a flag as yes/no (a bool cell prints as 1 or 0).

    >>> _shown(True, Words()), _shown(False, Words("es")), _shown(0.057, Words())
    ('yes', 'no', 0.057)
    """
    return w("yes" if value else "no") if isinstance(value, bool) else value


_RATE, _MONEY, _YEAR, _TEXT = "0.0%", "#,##0.0", "0", "General"


def parameter_rows(result, w: Words) -> list[tuple[str, object, str, str]]:
    """A scenario's parameters as resolved, in words: ``(parameter, value, number format, where
    it comes from)``; start values say how they were made, trends which years they span.

    Examples
    --------
    >>> from metaltrade_xl.data import load_figures
    >>> from metaltrade_xl.scenarios import find_scenario, run
    >>> rows = parameter_rows(run(find_scenario("baseline"), load_figures()), Words("es"))
    >>> [r[0] for r in rows[4:6]], rows[5][3][:12]
    (['Crecimiento anual de las exportaciones', 'Exportaciones en el año base'], 'estimación: ')
    """
    p, s = result.parameters(), result.scenario
    rival = s.rival.name
    given = w("prov.given")
    # the name is the table's title; the description reads best in the wide column
    rows = [(w("prov.description"), "", _TEXT, w.about(s))] if w.about(s) else []
    rows += [
        (w("param.reporter"), p["reporter"], _TEXT, ""),
        (w("param.base_year"), int(p["base_year"]), _YEAR, given),
        (w("param.horizon"), int(p["horizon"]), _YEAR, given),
    ]
    for flow in ("exports", "imports", "rival"):
        growth = p[flow]["growth"]
        if isinstance(growth, Mapping):
            for year, rate in growth.items():
                label = w(f"param.{flow}.growth.year", year=year, rival=rival)
                rows.append((label, rate, _RATE, given))
        else:
            how = given
            if flow in result.trends:
                how = w("trend.how", trend=notes.trend_text(result.trends[flow], w))
            elif p[flow].get("growth_given") == "to_close":
                how = w("prov.solved", rival=rival, horizon=p["horizon"])
            rows.append((w(f"param.{flow}.growth", rival=rival), growth, _RATE, how))
        if flow == "rival":
            rows.append((w("param.rival.name"), rival, _TEXT, ""))
        start = result.starts.get(f"{flow}.start")
        how = notes.start_note(start, w) if start is not None else ""
        # a start on a lower bound is one too: marked as on the scenario sheets
        fmt = marked(_MONEY, "≥" if start is not None and start.lower_bound else None)
        rows.append((w(f"param.{flow}.start", rival=rival), p[flow]["start"], fmt, how))
    sub = p.get("substitution")
    if sub:
        origins = [o for o in sub["origins"] if o != "all"]
        ids = [fid for fid, keys in _uses(result).items() if "substitution.origin_share" in keys]
        share_how = w("prov.origin_share", ids=", ".join(ids)) if ids else ""
        rows += [
            (w("param.substitution.share"), sub["share"], _RATE, given),
            (w("param.substitution.origins"), ", ".join(origins) or w("param.all"), _TEXT, given),
            (w("param.substitution.origin_share"), sub["origin_share"], _RATE, share_how),
            (w("param.substitution.import_content"), sub["import_content"], _RATE, given),
            (w("param.substitution.start_year"), int(sub["start_year"]), _YEAR, given),
            (w("param.substitution.phase_in_years"), int(sub["phase_in_years"]), "0", given),
        ]
    return [(a, _shown(b, w), c, d) for a, b, c, d in rows]


def _uses(result) -> dict[str, list[str]]:
    return {f["id"]: f["used_for"] for f in result.figures_used}


def provenance_sheet(
    results, origins: Sequence[DataOrigin], *, made: date | None = None, w: Words | None = None
) -> SheetLayout:
    """The Provenance sheet: program and date, data read, lower bounds, estimates, warnings and
    every scenario's resolved parameters, in ``w``'s language (``made`` defaults to today).

    Tables keep identifiers as their frames' column names (``item``, ``value``, ``parameter``,
    ``how`` …) and show words as headers; parameter tables span three columns (parameter,
    value, where it comes from)."""
    w = w or Words()
    made = made or date.today()
    program = pd.DataFrame(
        {
            "item": [w("prov.program"), w("prov.version"), w("prov.date")],
            "value": ["metaltrade_xl", __version__, made.isoformat()],
        }
    )
    tables: list[Table] = []
    item = {"item": w("prov.item"), "value": w("col.value")}

    def add(key, frame, title, **kw):
        at = tables[-1].bottom + 3 if tables else 4
        tables.append(Table(key, frame, row=at, title=title, **kw))

    # item/value tables read as forms: a number (rows 35, a year) at the left with the words
    form = ("value",)
    add(
        "provenance_program",
        program,
        w("prov.made_by"),
        labels=item,
        spans={"value": 2},
        left=form,
    )
    add(
        "provenance_data",
        _data_frame(origins, w),
        w("prov.data_read"),
        labels=item,
        spans={"value": 2},
        left=form,
    )
    add(
        "provenance_lower_bounds",
        _lower_bound_frame(results, w),
        w("prov.lower_bounds"),
        formats={"more than": "#,##0.###"},
        labels={"more than": w("prov.more_than"), "figure": w("col.figure")},
        spans={"figure": 2},
    )
    text = [
        f"{w.title(r.scenario)}: {notes.notice_text(x, w)}" for r in results for x in r.warnings
    ]
    warnings = pd.DataFrame({"warning": text})
    add(
        "provenance_warnings",
        warnings,
        w("prov.warnings" if len(warnings) else "prov.warnings_none"),
        labels={"warning": w("prov.warning")},
        spans={"warning": 3},
    )
    for i, r in enumerate(results, start=1):
        rows = parameter_rows(r, w)
        params = object_frame(
            [(a, b, d) for a, b, _, d in rows], ["parameter", "value", "how"], "value"
        )
        add(
            f"provenance_parameters_{i}",
            params,
            w("prov.parameters", name=w.title(r.scenario)),
            formats={"value": tuple(c for _, _, c, _ in rows)},
            labels={
                "parameter": w("col.parameter"),
                "value": w("col.value"),
                "how": w("prov.how"),
            },
            left=form,
        )
    texts = ((1, 1, w("prov.title")), (2, 1, w("prov.intro")))
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
    grid = next((sheets[n] for n in PROVENANCE_SHEETS if n in sheets), None)
    if not grid or not grid[0] or grid[0][0] not in PROVENANCE_TITLES:
        return None
    rows = [(list(r) if isinstance(r, (list, tuple)) else [r]) + [None, None] for r in grid]
    hit = next((i for i, r in enumerate(rows) if r[0] == SHA_HEADER), None)
    if hit is None:
        return None
    items = {"item", *TEXT["prov.item"]}
    header = max((i for i in range(hit) if rows[i][0] in items), default=hit - 1)
    blank = [i for i, r in enumerate(rows) if all(v in (None, "") for v in r)]
    last = min([i for i in blank if i > hit], default=len(rows))
    first = header + 1
    return [r[:2] for r in rows[first:last]]
