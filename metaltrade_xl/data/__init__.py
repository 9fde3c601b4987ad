"""Bundled default figures and the tidy layout every data source is read into.

The tidy layout is one figure per row:

=================  ==========================================================================
column             meaning
=================  ==========================================================================
id                 optional; a unique name for the figure (made from the row when absent)
indicator          ``exports``, ``imports``, ``deficit``, ``import_share``, ``export_growth``, …
reporter           the country or region the figure is about (``Peru``, ``Chile``, ``World``)
partner            the trade partner, ``World`` for the total over all partners
year               calendar year (integer)
months             months covered from January: 12 for a full year, 11 for January-November
value              the number; USD millions for values, fractions for shares and growth
unit               optional; ``USD million``, ``fraction``, …
lower_bound        optional; true when the source gives the figure as a floor ("más de")
source_publisher   optional; who published the figure
source_title       optional
source_date        optional
quote              optional; the words of the source the figure comes from
note               optional
=================  ==========================================================================
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from metaltrade_xl.data._layout import _FALSE as _FALSE
from metaltrade_xl.data._layout import _TRUE as _TRUE
from metaltrade_xl.data._layout import FIGURE_COLUMNS as FIGURE_COLUMNS
from metaltrade_xl.data._layout import OPTIONAL_COLUMNS as OPTIONAL_COLUMNS
from metaltrade_xl.data._layout import REQUIRED_COLUMNS as REQUIRED_COLUMNS
from metaltrade_xl.data._layout import WORLD as WORLD
from metaltrade_xl.data._layout import DataError as DataError
from metaltrade_xl.data._layout import check_years as check_years
from metaltrade_xl.data._view import FigureView, _same_text


def bundled_path() -> Path:
    """Path of the bundled default figures (``figures.csv`` inside the package)."""
    return Path(str(resources.files(__package__) / "figures.csv"))


def load_figures(path: str | Path | None = None) -> pd.DataFrame:
    """Read figures in the tidy layout from a .csv or .xlsx file (default: the bundled figures).

    Returns
    -------
    DataFrame
        All columns of the layout, typed: ``year`` and ``months`` int, ``value`` float,
        ``lower_bound`` bool; a ``file`` and ``row`` column say where each figure came from.

    Raises
    ------
    DataError
        Missing file or column, a non-numeric or missing value: one line naming file, row, column.

    Examples
    --------
    >>> f = load_figures()
    >>> row = f[f["id"] == "peru_imports_2025_jan_nov"].iloc[0]
    >>> float(row.value), int(row.months), bool(row.lower_bound)
    (19548.0, 11, True)
    """
    path = bundled_path() if path is None else Path(path)
    name = path.name
    if not path.exists():
        raise DataError(f"{name}: no such file")
    suffix = path.suffix.lower()
    if path.is_dir():
        raise DataError(f"{name}: is a folder, expected a .csv or .xlsx file")
    try:
        if suffix == ".csv":
            from metaltrade_xl.data._text import read_csv_text

            raw = read_csv_text(path, name, DataError)
        elif suffix in (".xlsx", ".xlsm"):
            from metaltrade_xl.data._xlsx import (
                batch_figures,
                frame_from_rows,
                sheet_rows,
                tidy_rows,
            )

            typed = batch_figures(path, name)  # Arrow columns (fastexcel), a clean sheet
            if typed is not None:
                return typed
            rows = sheet_rows(path)
            if rows is None:  # no python-calamine here: pandas' openpyxl reader
                from metaltrade_xl.data._xlsx import read_sheet

                raw = read_sheet(path)
            else:
                typed = tidy_rows(list(rows), name)  # the common case, column by column
                if typed is not None:
                    return typed
                raw = frame_from_rows(rows)
        else:
            raise DataError(f"{name}: expected a .csv or .xlsx file, got '{path.suffix}'")
    except DataError:
        raise
    except Exception as exc:  # a broken file: say so in one line
        raise DataError(f"{name}: could not be read ({type(exc).__name__}: {exc})") from None
    try:
        return tidy_figures(raw, name)
    except DataError as exc:
        how = raw.attrs.get("read_as")
        if how and "missing column" in str(exc):
            found = ", ".join(_short(str(c)) for c in list(raw.columns)[:6])
            raise DataError(
                f"{exc} ({how}; its columns: {found}); in Excel, Save As "
                "'CSV UTF-8 (Comma delimited) (*.csv)'"
            ) from None
        raise


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def tidy_figures(raw: pd.DataFrame, name: str = "data") -> pd.DataFrame:
    """Validate and type a frame in the tidy layout; ``name`` is used in messages.

    Rows are numbered as in a spreadsheet: the header is row 1 and a row with index label ``i``
    (0 for the first under the header) is row ``i + 2``.
    """
    raw = raw.rename(columns=lambda c: str(c).strip().lower())
    rows = np.asarray(raw.index, dtype=int) + 2
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        raise DataError(f"{name}: missing column(s) {', '.join(missing)}")
    out = pd.DataFrame(index=raw.index)
    for col in ("indicator", "reporter", "partner"):
        out[col] = _text_column(raw[col], name, col, required=True)
    out["year"] = _number_column(raw["year"], name, "year", whole=True, year=True)
    out["months"] = _number_column(raw["months"], name, "months", whole=True)
    bad = ~out["months"].between(1, 12)
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        raise DataError(
            f"{name}: row {rows[i]}, column months: expected 1 to 12, got {out['months'].iloc[i]}"
        )
    out["value"] = _number_column(raw["value"], name, "value", whole=False)
    flows = out["indicator"].str.lower().isin(["exports", "imports"])
    negative = flows & (out["value"] < 0)
    if negative.any():  # the AMOUNT domain of engine.inputs, as for MT_ arguments
        i = int(np.argmax(negative.to_numpy()))
        raise DataError(
            f"{name}: row {rows[i]}, column value: expected {out['indicator'].iloc[i]} >= 0 "
            f"(USD millions), got {out['value'].iloc[i]:g}"
        )
    for col in OPTIONAL_COLUMNS:
        if col == "lower_bound":
            out[col] = _bool_column(raw[col], name) if col in raw.columns else False
        else:
            text = raw[col] if col in raw.columns else pd.Series("", index=raw.index)
            out[col] = _text_column(text, name, col, required=False)
    made = out["id"] == ""
    out.loc[made, "id"] = [f"{name}:row{rows[i]}" for i in np.flatnonzero(made.to_numpy())]
    dup = out["id"].duplicated()
    if dup.any():
        i = int(np.argmax(dup.to_numpy()))
        raise DataError(f"{name}: row {rows[i]}, column id: '{out['id'].iloc[i]}' appears twice")
    out["unit"] = out["unit"].mask(out["unit"] == "", "USD million")
    out["file"] = name
    out["row"] = rows
    return out.reset_index(drop=True)


def figures_from_grid(grid, name: str = "Data") -> pd.DataFrame:
    """Figures from a 2-D list of cell values whose first row is the header (a sheet's values).

    Blank rows and columns with a blank header are ignored; messages give sheet row numbers.

    Examples
    --------
    >>> grid = [["indicator", "reporter", "partner", "year", "months", "value", None],
    ...         ["exports", "Peru", "World", 2024.0, 12.0, 750.0, None],
    ...         [None, None, None, None, None, None, None],
    ...         ["imports", "Peru", "World", 2024.0, 12.0, "n/a", None]]
    >>> figures_from_grid(grid)
    Traceback (most recent call last):
    ...
    metaltrade_xl.data.DataError: Data: row 4, column value: expected a number, got 'n/a'
    """
    if not grid or not grid[0]:
        raise DataError(f"{name}: empty, expected a header row ({', '.join(REQUIRED_COLUMNS)})")
    header = [_cell_text(h) for h in grid[0]]
    keep = [j for j, h in enumerate(header) if h]
    body = [[row[j] if j < len(row) else None for j in keep] for row in grid[1:]]
    frame = pd.DataFrame(body, columns=[header[j] for j in keep], dtype=object)
    blank = frame.map(lambda v: _cell_text(v) == "").all(axis=1)
    return tidy_figures(frame[~blank], name)


def _cell_text(v) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    return str(v).strip()


def _row(col: pd.Series, i: int) -> int:
    """Spreadsheet row of the ``i``-th element (see :func:`tidy_figures`)."""
    return int(col.index[i]) + 2


def _texts(col: pd.Series) -> pd.Series:
    """Every cell as :func:`_cell_text` gives it; one vectorised pass when all cells are text."""
    if infer_dtype(col, skipna=True) in ("string", "empty"):
        return col.fillna("").astype(str).str.strip()
    return col.map(_cell_text)


def _text_column(col: pd.Series, name: str, column: str, *, required: bool) -> pd.Series:
    text = _texts(col)
    if required and (text == "").any():
        i = int(np.argmax((text == "").to_numpy()))
        raise DataError(f"{name}: row {_row(col, i)}, column {column}: empty, expected text")
    return text


def _number_column(
    col: pd.Series, name: str, column: str, *, whole: bool, year: bool = False
) -> pd.Series:
    if infer_dtype(col, skipna=True) in ("integer", "floating", "mixed-integer-float"):
        text = None  # numbers already (a spreadsheet's cells): no round trip through text
        numbers = pd.to_numeric(col, errors="coerce")
    else:
        text = _texts(col)
        # no thousands-separator guessing: "2,5" is 2.5 in Spanish and 25 in English
        numbers = pd.to_numeric(text, errors="coerce")
    bad = numbers.isna() | ~np.isfinite(numbers.fillna(0))
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        got = _cell_text(col.iloc[i]) if text is None else text.iloc[i]
        raise DataError(
            f"{name}: row {_row(col, i)}, column {column}: expected a number, got "
            + (f"'{got}'" if got else "an empty cell")
        )
    numbers = numbers.astype(float)  # a 20-digit year must not become a wrapped int64
    if whole:
        frac = numbers != numbers.round()
        if frac.any():
            i = int(np.argmax(frac.to_numpy()))
            raise DataError(
                f"{name}: row {_row(col, i)}, column {column}: expected a whole number, "
                f"got {_cell_text(col.iloc[i]) if text is None else text.iloc[i]}"
            )
        if year:
            rows = col.index.to_numpy(dtype=int) + 2
            given = None if text is None else text.to_numpy()
            check_years(numbers.to_numpy(), name, column, rows, given)
        return numbers.astype(int)
    return numbers.astype(float)


def _bool_column(col: pd.Series, name: str) -> pd.Series:
    text = _texts(col).str.lower()
    bad = ~text.isin(_TRUE | _FALSE)
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        raise DataError(
            f"{name}: row {_row(col, i)}, column lower_bound: expected true or false, "
            f"got '{text.iloc[i]}'"
        )
    return text.isin(_TRUE)


def find_figure(
    figures: pd.DataFrame,
    indicator: str,
    reporter: str,
    *,
    year: int | None = None,
    partner: str = WORLD,
    months: int | None = 12,
) -> pd.Series:
    """The one figure matching the keys; the latest year when ``year`` is None.

    ``months=None`` accepts any coverage: the latest year wins, then the fullest coverage of it
    (a January-November 2025 share beats a full-year 2024 one: it is the more recent).

    Examples
    --------
    >>> float(find_figure(load_figures(), "imports", "Peru", year=2024).value)
    18203.0
    >>> find_figure(load_figures(), "exports", "Chile", year=2030)
    Traceback (most recent call last):
    ...
    metaltrade_xl.data.DataError: no figure for exports of Chile (partner World) in 2030, full year
    """
    f = figures
    # Narrowed step by step, whole numbers first: on a 50 000-figure file each text column is
    # then compared on the few rows left, not on every row.
    at = np.arange(len(f))
    if year is not None:
        at = at[f["year"].to_numpy()[at] == int(year)]
    if months is not None:
        at = at[f["months"].to_numpy()[at] == int(months)]
    for col, want in (("indicator", indicator), ("reporter", reporter), ("partner", partner)):
        at = at[_same_text(f[col].to_numpy()[at], want)]
    rows = f.iloc[at]
    if not rows.empty:
        rows = rows.sort_values(["year", "months"], kind="stable")
    ids = [str(i) for i in rows["id"]] if year is not None and months is not None else []
    _check_found(len(rows), ids, indicator, reporter, partner, year, months)
    return rows.iloc[-1]


def _check_found(n, ids, indicator, reporter, partner, year, months) -> None:
    """:func:`find_figure`'s errors: no figure, or more than one of a year and coverage."""
    if n == 0:
        when = f" in {year}" if year is not None else ""
        cover = ", full year" if months == 12 else (f", {months} months" if months else "")
        raise DataError(f"no figure for {indicator} of {reporter} (partner {partner}){when}{cover}")
    if len(ids) > 1:
        text = ", ".join(_short(i) for i in ids[:5])
        if len(ids) > 5:
            text += f" and {len(ids) - 5:,} more"
        raise DataError(f"{indicator} of {reporter} in {year}: more than one figure ({text})")


def _find(view, indicator, reporter, *, year=None, partner=WORLD, months=12):
    """:func:`find_figure` on a :class:`FigureView`, as a plain record (same choice, same errors)."""
    rows = [
        r
        for r in view.rows(indicator, reporter, partner)
        if (year is None or r.year == int(year)) and (months is None or r.months == int(months))
    ]
    rows.sort(key=lambda r: (r.year, r.months))  # stable, as find_figure's sort
    ids = [r.id for r in rows] if year is not None and months is not None else []
    _check_found(len(rows), ids, indicator, reporter, partner, year, months)
    return rows[-1]


def import_share(figures: pd.DataFrame, reporter: str, origins) -> tuple[float, list[str]]:
    """Share of ``reporter``'s imports coming from ``origins``, and the ids of the figures used.

    Uses an ``import_share`` figure for each origin (latest period), or, failing that, the origin's
    imports over total imports of the same period.

    Examples
    --------
    >>> import_share(load_figures(), "Peru", ["China"])
    (0.426, ['peru_import_share_china_2025_jan_nov'])
    """
    total, used = 0.0, []
    view = FigureView.of(figures)
    for origin in origins:
        try:
            row = _find(view, "import_share", reporter, partner=origin, months=None)
            total += float(row.value)
            used.append(row.id)
            continue
        except DataError:
            pass
        try:
            part = _find(view, "imports", reporter, partner=origin, months=None)
            whole = _find(view, "imports", reporter, year=part.year, months=int(part.months))
        except DataError:
            raise DataError(
                f"no import share for origin '{origin}' of {reporter}: the data has neither an "
                f"import_share nor imports from {origin}"
            ) from None
        total += float(part.value) / float(whole.value)
        used += [part.id, whole.id]
    if total > 1 + 1e-9:
        raise DataError(f"import shares of {', '.join(origins)} add up to {total:.3f}, above 1")
    return min(total, 1.0), used
