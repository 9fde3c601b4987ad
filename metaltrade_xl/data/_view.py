"""The figures of a tidy frame as plain columns, read once, for the lookups a scenario run makes.

A run asks ~25 small questions of the figures (start values, import shares, record checks), and
its lower-bound marks rerun it a dozen times on figures with one floor raised. Asked of a pandas
frame, each question cost several pandas operations (a column, a mask, a row), ~0.3 ms each: most
of a run. A :class:`FigureView` turns each column into a numpy array once, keeps the answer to each
question, and hands out plain records; the frame itself is built only for the few callers that
need one (:attr:`FigureView.frame`).
"""

from __future__ import annotations

import threading
from typing import NamedTuple

import numpy as np
import pandas as pd


def _same_text(values: np.ndarray, want: str) -> np.ndarray:
    """``values`` equal to ``want`` ignoring case, lowering each distinct text once."""
    if len(values) <= 256:  # a few rows: one Python pass beats factorising (~100 times)
        w = want.lower()
        same = (v is not None and v == v and str(v).lower() == w for v in values)  # not NaN
        return np.fromiter(same, bool, len(values))
    codes, distinct = pd.factorize(values)
    same = [i for i, v in enumerate(distinct) if str(v).lower() == want.lower()]
    return np.isin(codes, same)


class Figure(NamedTuple):
    """One figure as :meth:`FigureView.rows` gives it (plain Python values)."""

    id: str
    year: int
    months: int
    value: float
    lower_bound: bool


#: The views of the last few frames asked for (:meth:`FigureView.of`), by the frame's id; a view
#: holds its frame, so an id here is that frame's while the entry lasts.
_VIEWS: dict[int, FigureView] = {}
_KEEP = 4
_VIEWS_LOCK = threading.Lock()


class FigureView:
    """Read-only lookups on the rows ``at`` (positions, in order; all when None) of ``frame``.

    The frame must not change while the view is used (a run holds one for its own duration).

    Examples
    --------
    >>> f = pd.DataFrame({"id": ["a", "b"], "indicator": "exports", "reporter": ["Peru", "Chile"],
    ...     "partner": "World", "year": 2024, "months": 12, "value": [750.0, 4000.0]})
    >>> v = FigureView(f).narrow(["chile"])
    >>> len(v), v.rows("Exports", "CHILE", "world")
    (1, (Figure(id='b', year=2024, months=12, value=4000.0, lower_bound=False),))
    """

    __slots__ = ("_at", "_cols", "_frame", "_keyed", "_root")

    def __init__(self, frame: pd.DataFrame, at: np.ndarray | None = None, root=None):
        self._frame, self._at, self._root = frame, at, root
        self._cols: dict = {}
        self._keyed: dict = {}

    @classmethod
    def of(cls, figures) -> FigureView:
        """``figures`` as a view (a view is returned as it is). A frame gets the same view each
        time it is asked for while it lives, so the columns of a large data file are read, and
        its reporters narrowed, once for all the scenarios of a run, not once each (figures
        are not changed once loaded)."""
        if isinstance(figures, FigureView):
            return figures
        with _VIEWS_LOCK:
            view = _VIEWS.pop(id(figures), None)
            if view is None or view._frame is not figures:  # (an id is unique while it lives)
                view = cls(figures)
            _VIEWS[id(figures)] = view  # the most recent last
            while len(_VIEWS) > _KEEP:
                _VIEWS.pop(next(iter(_VIEWS)))
        return view

    def __len__(self) -> int:
        return len(self._frame) if self._at is None else len(self._at)

    @property
    def columns(self):
        return self._frame.columns

    @property
    def frame(self) -> pd.DataFrame:
        """The rows of the view as a frame (built on first use)."""
        if self._at is None:
            return self._frame
        if "frame" not in self._cols:
            self._cols["frame"] = self._frame.iloc[self._at]
        return self._cols["frame"]

    def column(self, name: str) -> np.ndarray | None:
        """The column's values on the view's rows, or None when the frame has no such column."""
        if name not in self._cols:
            if self._root is not None:
                full = self._root.column(name)
                self._cols[name] = None if full is None else full[self._at]
            else:
                has = name in self._frame.columns
                self._cols[name] = self._frame[name].to_numpy() if has else None
        return self._cols[name]

    def narrow(self, reporters) -> FigureView:
        """The rows whose reporter is one of ``reporters`` (ignoring case); self when all are.
        Asked again for the same reporters, the same view."""
        key = ("narrow", *(str(r).lower() for r in reporters))
        found = self._keyed.get(key)
        if found is None:
            found = self._keyed[key] = self._narrow(reporters)
        return found

    def _narrow(self, reporters) -> FigureView:
        who = self.column("reporter")
        keep = np.zeros(len(who), dtype=bool)
        for r in reporters:
            keep |= _same_text(who, r)
        if keep.all():
            return self
        at = np.flatnonzero(keep)
        return FigureView(self._frame, at if self._at is None else self._at[at], self._root or self)

    def rows(self, indicator: str, reporter: str, partner: str) -> tuple[Figure, ...]:
        """The figures of one indicator, reporter and partner (ignoring case), in the data's
        order; asked again, the same answer without a search."""
        key = (indicator.lower(), reporter.lower(), partner.lower())
        found = self._keyed.get(key)
        if found is None:
            found = self._keyed[key] = self._search(indicator, reporter, partner)
        return found

    def _search(self, indicator: str, reporter: str, partner: str) -> tuple[Figure, ...]:
        at = np.arange(len(self))
        for col, want in (("indicator", indicator), ("reporter", reporter), ("partner", partner)):
            at = at[_same_text(self.column(col)[at], want)]

        def values(name, default):
            c = self.column(name)
            return c[at] if c is not None else [default] * len(at)

        return tuple(
            Figure(str(i), int(y), int(m), float(v), bool(b))
            for i, y, m, v, b in zip(
                values("id", ""), values("year", 0), values("months", 12),
                values("value", np.nan), values("lower_bound", False), strict=True,
            )
        )  # fmt: skip
