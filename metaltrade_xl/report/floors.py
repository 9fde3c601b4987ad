"""Which shown values rest on a lower bound, which way, and the years the data already hold.

A figure flagged ``lower_bound`` ("superan los USD 4 mil millones") is used as if exact; every
value computed from it is then a bound too. Which way is found by the model itself, not by
reading names: each lower-bound figure the scenario used is raised a little, the scenario is
run again, and a value that rises is marked "≥" (at least), one that falls "≤" (at most), one
that moves both ways over several floors "≈". Unchanged values carry no mark.
"""

from __future__ import annotations

import collections
import functools
import weakref
from collections.abc import Callable

import numpy as np
import pandas as pd

from metaltrade_xl.engine.projection import COLUMNS
from metaltrade_xl.report.layout import FLOOR_MARKS

#: Relative rise given to a lower-bound figure to see what moves with it.
BUMP = 1e-3
_TOL = 1e-9

AT_LEAST, AT_MOST, EITHER = FLOOR_MARKS


def kept(result, key, figures: pd.DataFrame, make: Callable):
    """``make()``, computed once per result and ``figures``: the sheets, the summary and the
    printed summary ask the same questions of a result (which floors, which marks, which rows).

    Kept in the result's ``reruns`` dict (beside the reruns, see :func:`bumped_run`) with the
    figures held, so that their id stays theirs; a result without one computes every time.
    """
    cache = getattr(result, "reruns", None)
    if cache is None:
        return make()
    k = ("kept", key, id(figures))
    hit = cache.get(k)
    if hit is not None and hit[0] is figures:
        return hit[1]
    out = make()
    cache[k] = (figures, out)
    return out


#: What is kept of the last figures table asked about: a weak reference to it, and a dict.
_FIGURES_KEPT: tuple = (None, {})


def _figure_store(figures: pd.DataFrame) -> dict:
    """What is kept of ``figures`` (the rows looked up, the full years, the bumped copies), new
    for other figures. Figures are not changed once loaded (the reruns kept by
    :func:`bumped_run` rest on that too); only the last table asked about is kept, so that the
    sheets of several scenarios do not each search it."""
    global _FIGURES_KEPT
    ref, store = _FIGURES_KEPT
    if ref is None or ref() is not figures:
        store = {}
        _FIGURES_KEPT = (weakref.ref(figures), store)
    return store


def table_columns(result) -> dict[str, np.ndarray]:
    """The projection table's columns as arrays (read-only views), read once per result."""

    return table_block(result)[2]


def table_block(result) -> tuple[tuple[str, ...], np.ndarray, dict[str, np.ndarray]]:
    """The projection table's column names, its values as one float array (the year exact as a
    float, read-only) and its columns as views of it, read once per result."""

    def make():
        t = result.table
        values = t.to_numpy(dtype=float)
        values.flags.writeable = False
        names = tuple(t.columns)
        return names, values, {c: values[:, i] for i, c in enumerate(names)}

    return kept(result, "table_block", None, make)


def floor_ids(result, figures: pd.DataFrame) -> list[str]:
    """Ids of the lower-bound figures a scenario result used, in the order used."""
    return list(kept(result, "floor_ids", figures, lambda: _floor_ids(result, figures)))


def _floor_ids(result, figures: pd.DataFrame) -> tuple[str, ...]:
    used = list(dict.fromkeys(result.figure_ids))
    floors = _looked_up(figures, used)[1]
    return tuple(fid for fid in used if floors.get(fid))


def used_rows(result, figures: pd.DataFrame) -> dict:
    """The row (a named tuple) of each figure id the result used, the first where ids repeat."""
    found = _looked_up(figures, list(dict.fromkeys(result.figure_ids)))[0]
    return {fid: found[fid] for fid in dict.fromkeys(result.figure_ids) if fid in found}


#: Rows up to which a figures table is converted whole when rows are looked up.
_SMALL = 2000


def _looked_up(figures: pd.DataFrame, ids: list[str]) -> tuple[dict, dict]:
    """The first row of each id (named tuples) and whether any row of it is a lower bound, for
    every id asked about so far of these figures: the scenarios use mostly the same few, looked
    up together in one vectorised pass (a dict of every id of a 50 000-row file took seconds)."""
    store = _figure_store(figures)
    rows, floors = store.setdefault("rows", ({}, {}))
    missing = [i for i in ids if i not in floors]
    if missing:
        at = np.flatnonzero(figures["id"].isin(missing).to_numpy())
        row = _row_type(tuple(figures.columns))
        if len(figures) <= _SMALL:  # one object array of the table: cheaper than a row take
            found = figures.to_numpy(dtype=object)[at].tolist()
        else:  # only the rows asked for: converting every row of a large file costs more
            sub = figures.iloc[at]
            found = zip(*[sub[c].tolist() for c in figures.columns], strict=True)
        for r in map(row._make, found):
            rows.setdefault(r.id, r)
            floors[r.id] = floors.get(r.id, False) or bool(r.lower_bound)
        for i in missing:
            floors.setdefault(i, False)  # not in the figures: asked once
    return rows, floors


@functools.lru_cache(maxsize=8)
def _row_type(columns: tuple[str, ...]):
    """A named tuple of the figures' columns, as ``itertuples`` names its rows."""
    return collections.namedtuple("Pandas", columns, rename=True)


def _bumped(figures: pd.DataFrame, fid: str) -> pd.DataFrame:
    """``figures`` with floor ``fid`` raised by :data:`BUMP`: a new value column on a shallow
    copy (the figures themselves are never changed)."""
    values = figures["value"].to_numpy()
    hit = figures["id"].to_numpy() == fid
    return figures.assign(value=np.where(hit, values * (1 + BUMP), values))


def _bumped_for(scenario, figures: pd.DataFrame, fid: str) -> pd.DataFrame:
    """The rows of ``figures`` a run of ``scenario`` can use, floor ``fid`` bumped: made once
    per reporter, rival and floor for all scenarios (a 50 000-row file is searched once)."""
    from metaltrade_xl.scenarios.run import scenario_figures  # the rows a run can use

    store = _figure_store(figures)
    who = (scenario.reporter, scenario.rival.name)
    out = store.get(("bumped", who, fid))
    if out is None:
        rows = store.get(("rows of", who))
        if rows is None:
            rows = store[("rows of", who)] = scenario_figures(scenario, figures)
        out = store[("bumped", who, fid)] = _bumped(rows, fid)
    return out


def combine(signs: list[np.ndarray]) -> np.ndarray:
    """Marks from per-floor signs (+1, -1, 0) of the same shape.

    Examples
    --------
    >>> combine([np.array([1, 0, 1, -1]), np.array([0, 0, -1, -1])]).tolist()
    ['≥', None, '≈', '≤']
    """
    if not signs:
        return np.array([], dtype=object)
    stack = np.stack(signs)
    up, down = (stack > 0).any(axis=0), (stack < 0).any(axis=0)
    out = np.full(stack.shape[1:], None, dtype=object)
    out[up & ~down] = AT_LEAST
    out[down & ~up] = AT_MOST
    out[up & down] = EITHER
    return out


def _sign(new, old) -> np.ndarray:
    new = np.asarray(new, dtype=float)
    old = np.asarray(old, dtype=float)
    scale = np.maximum(np.abs(old), 1.0)
    d = np.where(np.isfinite(new) & np.isfinite(old), (new - old) / scale, 0.0)
    return np.where(d > _TOL, 1, np.where(d < -_TOL, -1, 0))


def floor_marks(
    result, figures: pd.DataFrame, view: Callable[[object], pd.DataFrame], rerun: Callable
) -> pd.DataFrame:
    """Marks (``"≥"``, ``"≤"``, ``"≈"`` or None) for every numeric cell of ``view(result)``.

    ``rerun(scenario, figures)`` projects the scenario on other figures (the deterministic run);
    ``view`` turns a result into the frame shown.
    """
    base = view(result)
    numeric = [c for c in base.columns if base[c].dtype.kind in "fi" and c != "year"]
    marks = pd.DataFrame(None, index=base.index, columns=base.columns, dtype=object)
    signs = []
    for fid in floor_ids(result, figures):
        other = view(bumped_run(result, figures, fid, rerun))
        signs.append(_sign(other[numeric].to_numpy(), base[numeric].to_numpy()))
    if signs:
        marks[numeric] = combine(signs)
    return marks


def marks_of(result, figures: pd.DataFrame, key, view: Callable, rerun: Callable) -> dict:
    """:func:`floor_marks` of a light view, computed once per result: ``view(result)`` is
    ``(names, values)``, the numbers shown as a float array with one row per name; the marks map
    each name to an object array of ``"≥"``, ``"≤"``, ``"≈"`` or None (one per value). ``key``
    names the view (with its options).
    """

    def make():
        names, old = view(result)
        names = list(names)
        if not names:
            return {}
        old = np.asarray(old, dtype=float)
        signs = []
        for fid in floor_ids(result, figures):
            other, new = view(bumped_run(result, figures, fid, rerun))
            new = np.asarray(new, dtype=float)
            if list(other) != names:  # the same numbers, in the base's order
                at = {c: i for i, c in enumerate(other)}
                new = new[[at[c] for c in names]]
            signs.append(_sign(new, old))
        marks = combine(signs) if signs else np.full(old.shape, None, dtype=object)
        return dict(zip(names, marks, strict=True))

    return kept(result, ("marks", key, rerun), figures, make)


def rerun_deterministic(scenario, figures: pd.DataFrame):
    """The deterministic run of ``scenario`` on ``figures`` (what the marks compare: the
    projection, without the record warnings and figure records)."""
    from metaltrade_xl.scenarios.run import run  # report does not import scenarios at load

    return run(scenario, figures, records=False)


def bumped_run(result, figures: pd.DataFrame, fid: str, rerun: Callable):
    """``rerun(result.scenario, figures with floor fid raised by BUMP)``, run once per result.

    The sheets and the printed summary ask for the same reruns through several views (a run of
    six scenarios asked for ~50 reruns, most of its time); a result with a ``reruns`` dict keeps
    them there, keyed by the floor, the figures and the rerun function (held, so that their ids
    stay theirs).
    """
    cache = getattr(result, "reruns", None)
    key = (fid, id(figures), id(rerun))
    if cache is not None and key in cache:
        return cache[key][2]
    out = rerun(result.scenario, _bumped_for(result.scenario, figures, fid))
    if cache is not None:
        cache[key] = (figures, rerun, out)
    return out


def history(result, figures: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Recorded full years before the base year, in the projection table's columns.

    Exports and imports of the reporter (partner World, 12 months) and the rival's exports;
    derived columns where their inputs are known, NaN elsewhere. The second frame holds the
    lower-bound mark of each cell (an input that was a floor, and what moves with it).
    Computed once per result (the frames returned are copies: a caller may change them).
    """
    rows, floors = kept(result, "history", figures, lambda: _history(result, figures))
    columns = ["year", *DERIVED]
    frame = pd.DataFrame(rows, columns=columns)
    marks = pd.DataFrame(
        [[None, *m] for m in floors] if floors else None, columns=columns, dtype=object
    )
    return frame, marks


def history_columns(result, figures: pd.DataFrame) -> tuple[dict, dict]:
    """:func:`history` as plain columns: values (arrays, the year as integers) and marks
    (lists), by column; computed once per result."""

    def make():
        rows, floors = kept(result, "history", figures, lambda: _history(result, figures))
        values = {"year": np.array([r["year"] for r in rows], dtype=np.int64)}
        values.update({c: np.array([r[c] for r in rows], dtype=float) for c in DERIVED})
        marks = {"year": [None] * len(rows)}
        marks.update({c: [m[j] for m in floors] for j, c in enumerate(DERIVED)})
        return values, marks

    return kept(result, "history_columns", figures, make)


def _full_years(figures: pd.DataFrame) -> dict[str, np.ndarray]:
    """The rows with partner World and 12 months (what a history is made of), as arrays, once
    per figures table; compared in pandas first, so a large file converts only those rows."""
    store = _figure_store(figures)
    out = store.get("full years")
    if out is None:
        world = (figures["partner"] == "World").to_numpy() & (figures["months"] == 12).to_numpy()
        rows = figures.iloc[np.flatnonzero(world)]
        names = ("indicator", "reporter", "year", "value", "lower_bound")
        out = store["full years"] = {c: rows[c].to_numpy() for c in names}
    return out


def _history(result, figures: pd.DataFrame):
    s = result.scenario
    f = _full_years(figures)
    keep = f["year"] < int(s.base_year)
    flags = f["lower_bound"]

    def series(indicator, reporter):
        at = np.flatnonzero(keep & (f["indicator"] == indicator) & (f["reporter"] == reporter))
        # a later row of the same year wins (as the rows are read)
        return dict(
            zip(
                f["year"][at].tolist(),
                zip(f["value"][at].tolist(), flags[at].tolist(), strict=True),
                strict=True,
            )
        )

    exports = series("exports", s.reporter)
    imports = series("imports", s.reporter)
    rival = series("exports", s.rival.name)
    years = sorted(set(exports) | set(imports))
    rows, floors = [], []
    for y in years:
        values = {
            "exports": exports.get(y, (np.nan, False)),
            "imports": imports.get(y, (np.nan, False)),
            "rival_exports": rival.get(y, (np.nan, False)),
        }
        row = derive(*(v for v, _ in values.values()))
        row["year"] = int(y)
        rows.append(row)
        signs = []
        for k, (_, flag) in enumerate(values.values()):
            if flag:
                bumped = [
                    v * (1 + BUMP) if i == k else v for i, (v, _) in enumerate(values.values())
                ]
                new = derive(*bumped)
                signs.append(
                    _sign(
                        [new[c] for c in row if c != "year"], [row[c] for c in row if c != "year"]
                    )
                )
        floors.append(combine(signs) if signs else np.full(len(row) - 1, None, dtype=object))
    return rows, floors


#: Columns of a history row, as the projection table names them (all but the year).
DERIVED = COLUMNS[1:]


def derive(exports: float, imports: float, rival: float) -> dict:
    """A history row from the recorded flows (no substitution in the past).

    Examples
    --------
    >>> derive(750.0, 18203.0, 4000.0)["deficit"], derive(750.0, 18203.0, 4000.0)["gap_to_rival"]
    (17453.0, 3250.0)
    """
    return {
        "exports": exports,
        "imports_before_substitution": imports,
        "substituted": 0.0 if np.isfinite(imports) else np.nan,
        "substitution_effect": 0.0 if np.isfinite(imports) else np.nan,
        "imports": imports,
        "balance": exports - imports,
        "deficit": imports - exports,
        "coverage": exports / imports if imports else np.nan,
        "rival_exports": rival,
        "gap_to_rival": rival - exports,
    }
