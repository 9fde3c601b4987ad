"""What an import read, kept and rejected: the tally kept while reading, and the result returned."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from metaltrade_xl.data.sectors import Sector

SUMMARY_COLUMNS = ("file", "format", "outcome", "reason", "rows", "first_row")


@dataclass(frozen=True)
class ImportResult:
    """What :func:`~metaltrade_xl.data.trade.import_trade` produced.

    Attributes
    ----------
    tidy : DataFrame
        Columns :data:`~metaltrade_xl.data.trade.TIDY_COLUMNS`; indicator ``exports``/``imports``,
        value in USD millions.
    summary : DataFrame
        Columns :data:`SUMMARY_COLUMNS`: one ``read`` and one ``kept`` row per file, then one row per
        reason for ``rejected`` rows and per ``warning``. Per file, read = kept + rejected.
    sector : Sector
    """

    tidy: pd.DataFrame
    summary: pd.DataFrame
    sector: Sector = field(compare=False)

    def counts(self) -> pd.DataFrame:
        """Per file: read, kept, rejected, warnings (rows)."""
        s = self.summary
        table = s.pivot_table(
            index="file", columns="outcome", values="rows", aggfunc="sum", fill_value=0, sort=False
        )
        for col in ("read", "kept", "rejected", "warning"):
            if col not in table:
                table[col] = 0
        out = table[["read", "kept", "rejected", "warning"]].astype(int)
        return out.rename(columns={"warning": "warnings"}).reset_index()

    def summary_lines(self) -> list[str]:
        """The summary as lines of text, for the command line to print."""
        lines = []
        for f in self.counts().itertuples(index=False):
            lines.append(
                f"{f.file}: read {f.read}, kept {f.kept}, rejected {f.rejected}"
                + (f", warnings {f.warnings}" if f.warnings else "")
            )
            rows = self.summary[
                (self.summary["file"] == f.file)
                & self.summary["outcome"].isin(["rejected", "warning"])
            ]
            for r in rows.itertuples(index=False):
                at = f" (first at row {r.first_row})" if r.first_row else ""
                lines.append(f"  {r.outcome} {r.rows}: {r.reason}{at}")
        n = len(self.tidy)
        lines.append(f"{n} figure(s) for {self.sector.describe()}")
        return lines


class Tally:
    """Rows of the summary, added as files are read (read, kept, rejected by reason, warnings)."""

    def __init__(self):
        self.rows: list[tuple] = []

    def add(self, file, fmt, outcome, reason, rows, first_row=0):
        if rows or outcome in ("read", "kept"):
            self.rows.append((file, fmt, outcome, reason, int(rows), int(first_row)))

    def add_reasons(self, file, fmt, reasons: pd.Series, rows: pd.Series):
        """Rejected rows grouped by reason ('' = kept)."""
        bad = reasons != ""
        for reason, grp in rows[bad].groupby(reasons[bad], sort=False):
            self.add(file, fmt, "rejected", reason, len(grp), grp.iloc[0])

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=list(SUMMARY_COLUMNS))


class Reasons:
    """One rejection reason per row ('' = kept so far); the first reason given to a row stays.

    Examples
    --------
    >>> r = Reasons(3)
    >>> r.reject([True, True, False], "first")
    >>> r.reject([False, True, True], pd.Series(["x", "second", "third"]))
    >>> r.series.tolist(), r.ok.tolist()
    (['first', 'first', 'third'], [False, False, False])
    """

    def __init__(self, n_or_reasons):
        if isinstance(n_or_reasons, pd.Series):
            self.series = n_or_reasons.copy()
        else:
            self.series = pd.Series([""] * n_or_reasons, dtype=object)

    @property
    def ok(self) -> pd.Series:
        """Rows with no reason yet (kept so far)."""
        return self.series == ""

    def reject(self, mask, why) -> None:
        """Give ``why`` (text, or one text per row) to the rows in ``mask`` that have no reason."""
        mask = np.asarray(mask, dtype=bool) & self.ok.to_numpy()
        self.series[mask] = why if isinstance(why, str) else np.asarray(why, dtype=object)[mask]
