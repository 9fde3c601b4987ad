"""The fast .xlsx reader (python-calamine) gives what pandas' openpyxl reader gives, and the same
one-line errors naming row and column."""

import math
from datetime import datetime

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metaltrade_xl.data import DataError, bundled_path, load_figures
from metaltrade_xl.data._xlsx import read_sheet
from metaltrade_xl.report.content import sources_sheet
from metaltrade_xl.report.provenance import SOURCES_ALL_UP_TO

HEADER = ["indicator", "reporter", "partner", "year", "months", "value"]


def write_book(path, rows, sheet_first=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    if sheet_first is not None:  # a chart sheet before the data must not be taken for it
        wb.create_chartsheet("Chart", 0)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def same(a, b) -> bool:
    missing = (a is None or (isinstance(a, float) and math.isnan(a)), b is None or b != b)
    if all(missing):
        return True
    return type(a) is type(b) and a == b


# Text pandas would turn into NaN (its default na_values) is kept as text by read_sheet, as the
# CSV reader keeps it; the strategy leaves those out so that the frames can be compared cell by
# cell.
_NA_WORDS = {"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND"}
_NA_WORDS |= {"1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"}
cells = st.one_of(
    st.none(),
    st.integers(-(10**6), 10**6),
    st.floats(-1e9, 1e9, allow_nan=False).map(lambda v: round(v, 3)),
    st.text("abc XYZ-é1", min_size=1, max_size=6).filter(
        lambda s: s.strip() not in _NA_WORDS and not s.startswith(("=", "#"))
    ),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.integers(1, 4).flatmap(
        lambda w: st.lists(st.lists(cells, min_size=w, max_size=w), min_size=1, max_size=6)
    )
)
def test_reads_what_pandas_openpyxl_reads(tmp_path, body):
    """Property: on any grid of numbers, text and empty cells under a header, the same frame as
    ``pandas.read_excel(dtype=object, engine="openpyxl")``: columns, rows, types and values."""
    width = len(body[0])
    header = ["a", "b", "a", None][:width]  # a duplicate and a blank header name too
    path = write_book(tmp_path / "grid.xlsx", [header, *body])
    ours = read_sheet(path)
    theirs = pd.read_excel(path, dtype=object, engine="openpyxl")
    assert list(ours.columns) == list(theirs.columns)
    assert ours.shape == theirs.shape
    for a, b in zip(ours.to_numpy().ravel(), theirs.to_numpy().ravel(), strict=True):
        assert same(a, b), (a, b)


def test_header_only_and_first_worksheet(tmp_path):
    path = write_book(tmp_path / "h.xlsx", [HEADER, ["exports", "Peru", "World", 2024, 12, 750]])
    assert list(read_sheet(path, header_only=True).columns) == HEADER
    assert len(read_sheet(path, header_only=True)) == 0
    with_chart = write_book(tmp_path / "c.xlsx", [HEADER, ["exports", "Peru", "World", 1, 1, 2]], 1)
    assert list(read_sheet(with_chart).columns) == HEADER


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["exports", "Peru", "World", 2024, 12, "n/a"], "row 3, column value: expected a number, got 'n/a'"),
        (["exports", "Peru", "World", 2024, 12, None], "row 3, column value: expected a number, got an empty cell"),
        (["exports", "Peru", "World", 2024.5, 12, 1.0], "row 3, column year: expected a whole number, got 2024.5"),
        (["exports", "Peru", "World", 2024, 13, 1.0], "row 3, column months: expected 1 to 12, got 13"),
        (["exports", None, "World", 2024, 12, 1.0], "row 3, column reporter: empty, expected text"),
    ],
)  # fmt: skip
def test_one_line_errors_name_row_and_column_as_in_csv(tmp_path, row, message):
    good = ["imports", "Peru", "World", 2024, 12, 18203]
    xlsx = write_book(tmp_path / "bad.xlsx", [HEADER, good, row])
    csv = tmp_path / "bad.csv"
    lines = [HEADER, good, ["" if v is None else v for v in row]]
    csv.write_text("\n".join(",".join(map(str, r)) for r in lines) + "\n")
    with pytest.raises(DataError) as from_xlsx:
        load_figures(xlsx)
    assert str(from_xlsx.value) == f"bad.xlsx: {message}"
    with pytest.raises(DataError) as from_csv:
        load_figures(csv)
    assert str(from_csv.value) == f"bad.csv: {message}"


def test_xlsx_figures_equal_csv_figures(tmp_path):
    """The bundled figures saved as .xlsx read back as the same typed figures."""
    bundled = load_figures()
    raw = pd.read_csv(bundled_path(), dtype=str, keep_default_na=False)
    typed = raw.astype(object)
    for c in ("year", "months", "value"):
        typed[c] = pd.to_numeric(raw[c])
    path = write_book(tmp_path / "figures.xlsx", [list(raw.columns), *typed.to_numpy().tolist()])
    got = load_figures(path)
    cols = [c for c in bundled.columns if c != "file"]
    pd.testing.assert_frame_equal(got[cols], bundled[cols], check_dtype=False)


def test_sources_sheet_lists_used_figures_of_a_large_file():
    bundled = load_figures()
    extra = pd.DataFrame(
        {
            **{c: bundled[c].iloc[0] for c in bundled.columns},
            "id": [f"x{i}" for i in range(SOURCES_ALL_UP_TO)],
        }
    )
    big = pd.concat([bundled, extra], ignore_index=True)

    class Used:  # what sources_sheet reads of a result
        figure_ids = ("peru_imports_2024", "chile_exports_2024")
        scenario = type("S", (), {"name": "Baseline"})

    table = sources_sheet(big, [Used()]).tables[0].frame
    assert sorted(table["id"]) == sorted(Used.figure_ids)
    assert set(table["used_by"]) == {"Baseline"}
    small = sources_sheet(bundled, [Used()]).tables[0].frame
    assert len(small) == len(bundled)


# --- reading ahead (metaltrade run --data X.xlsx starts the parse before the imports) ---------


def test_read_ahead_gives_the_rows_a_plain_read_gives_and_is_taken_once(tmp_path, monkeypatch):
    from metaltrade_xl import _io

    path = write_book(tmp_path / "a.xlsx", [HEADER, ["exports", "Peru", "World", 2024, 12, 750]])
    plain = _io.sheet_cells(path)
    assert plain == [HEADER, ["exports", "Peru", "World", 2024.0, 12.0, 750.0]]

    def no_fastexcel(path):
        raise ImportError("fastexcel")

    monkeypatch.setattr(_io, "_first_sheet_batch", no_fastexcel)  # the read-ahead reads cells
    reads = []
    real = _io._first_sheet_cells
    monkeypatch.setattr(_io, "_first_sheet_cells", lambda *a: reads.append(a) or real(*a))
    assert _io.read_ahead(path) is True
    assert _io.sheet_cells(path) == plain
    assert len(reads) == 1  # the read-ahead's; sheet_cells took its rows
    assert _io.sheet_cells(path) == plain
    assert len(reads) == 2  # taken once: the next call reads the file itself


def test_the_read_ahead_reads_arrow_columns_where_it_can_and_the_cells_where_it_cannot(
    tmp_path, monkeypatch
):
    """fastexcel types each column from all its cells: a clean sheet comes back as Arrow columns
    (taken once); a column of text and numbers makes the read-ahead read the cell values, which
    ``sheet_cells`` takes and ``sheet_batch`` leaves to it."""
    from metaltrade_xl import _io

    clean = write_book(tmp_path / "a.xlsx", [HEADER, ["exports", "Peru", "World", 2024, 12, 75]])
    assert _io.read_ahead(clean)
    batch = _io.sheet_batch(clean)
    assert batch.schema.names == HEADER
    assert batch.column("value").to_pylist() == [75.0]
    assert batch.column("reporter").to_pylist() == ["Peru"]
    assert not _io._AHEAD
    mixed = write_book(
        tmp_path / "m.xlsx",
        [HEADER, ["exports", "Peru", "World", 2024, 12, 75], ["exports", 7, "World", 2024, 12, 1]],
    )
    assert _io.sheet_batch(mixed) is None  # text and a number in the reporter column
    assert _io.read_ahead(mixed)
    assert _io.sheet_batch(mixed) is None
    assert str(mixed.resolve()) in _io._AHEAD  # left for sheet_cells
    reads = []
    monkeypatch.setattr(_io, "_first_sheet_cells", lambda *a: reads.append(a))
    assert _io.sheet_cells(mixed)[2] == ["exports", 7.0, "World", 2024.0, 12.0, 1.0]
    assert reads == [] and not _io._AHEAD
    monkeypatch.undo()
    assert load_figures(mixed)["reporter"].tolist() == ["Peru", "7"]  # as the general path has it


def test_a_column_of_booleans_or_dates_has_the_read_ahead_read_the_cells_too(tmp_path, monkeypatch):
    """TRUE typed in Excel is a boolean cell, a date a date cell: the Arrow path leaves such a
    sheet to the general path, whose cell values the read-ahead has read as well."""
    from metaltrade_xl import _io

    head = [*HEADER, "lower_bound", "source_date"]
    row = ["exports", "Peru", "World", 2024, 12, 75, True, datetime(2025, 6, 30)]
    path = write_book(tmp_path / "b.xlsx", [head, row])
    general = load_figures(path)
    assert general["lower_bound"].tolist() == [True]
    assert _io.read_ahead(path)
    _io._AHEAD[str(path.resolve())][1].join()
    monkeypatch.setattr(_io, "_first_sheet_cells", lambda *a: 1 / 0)  # no second parse
    monkeypatch.setattr(_io, "_first_sheet_batch", lambda *a: 1 / 0)
    pd.testing.assert_frame_equal(load_figures(path), general)
    assert not _io._AHEAD


def test_a_column_of_empty_cells_prints_nothing(tmp_path):
    """fastexcel logs a column it cannot type (no cell filled) as a warning, which Python would
    print on the terminal of a program without logging set up; nothing is printed."""
    import subprocess
    import sys

    head = [*HEADER, "quote"]
    path = write_book(tmp_path / "q.xlsx", [head, ["exports", "Peru", "World", 2024, 12, 7]])
    code = "import sys; from metaltrade_xl.data import load_figures as f; print(f(sys.argv[1])"
    done = subprocess.run(
        [sys.executable, "-c", code + "['quote'].tolist())", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert (done.stdout, done.stderr) == ("['']\n", "")


def test_a_file_changed_after_the_read_ahead_is_read_again(tmp_path):
    import os

    from metaltrade_xl import _io

    path = write_book(tmp_path / "b.xlsx", [HEADER, ["exports", "Peru", "World", 2024, 12, 750]])
    assert _io.read_ahead(path)
    write_book(path, [HEADER, ["exports", "Peru", "World", 2024, 12, 999]])
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # a new modification time
    assert load_figures(path)["value"].tolist() == [999.0]
    assert not _io._AHEAD  # the stale read is dropped, not kept


def test_a_failed_read_ahead_leaves_the_error_to_the_command(tmp_path):
    """A broken file: the read-ahead fails quietly, and load_figures still says what it said."""
    from metaltrade_xl import _io

    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DataError) as plain:
        load_figures(path)
    assert _io.read_ahead(path) is True
    with pytest.raises(DataError) as ahead:
        load_figures(path)
    assert str(ahead.value) == str(plain.value)
    assert str(plain.value).startswith("broken.xlsx: could not be read")


def test_no_read_ahead_where_threads_cannot_start_or_for_other_files(tmp_path, monkeypatch):
    import threading

    from metaltrade_xl import _io

    path = write_book(tmp_path / "c.xlsx", [HEADER, ["exports", "Peru", "World", 2024, 12, 7]])
    assert _io.read_ahead(tmp_path / "missing.xlsx") is False
    (tmp_path / "d.csv").write_text("a\n1\n")
    assert _io.read_ahead(tmp_path / "d.csv") is False

    def no_thread(self):
        raise RuntimeError("can't start new thread")  # as in Pyodide

    monkeypatch.setattr(threading.Thread, "start", no_thread)
    assert _io.read_ahead(path) is False
    assert load_figures(path)["value"].tolist() == [7.0]


def test_the_cli_starts_the_read_ahead_before_pandas_is_imported(tmp_path):
    """`import metaltrade_xl.cli` loads neither numpy nor pandas, and `run --data X.xlsx` starts
    the read then: the parse overlaps the imports."""
    import subprocess
    import sys

    path = write_book(tmp_path / "e.xlsx", [HEADER, ["exports", "Peru", "World", 2024, 12, 7]])
    probe = (
        "import sys\n"
        "import metaltrade_xl.cli as cli\n"
        "assert 'pandas' not in sys.modules and 'numpy' not in sys.modules, 'heavy at import'\n"
        "from metaltrade_xl import _io\n"
        "seen = []\n"
        "real = _io.read_ahead\n"
        "cli.read_ahead = lambda p: seen.append(('pandas' in sys.modules, str(p))) or real(p)\n"
        "out = sys.argv[2]\n"
        "cli.main(['run', '--data', sys.argv[1], '--out', out + '1.xlsx'])\n"
        "cli.main(['run', '--data=' + sys.argv[1], '--out', out + '2.xlsx'])\n"
        "print('SEEN', seen)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(path), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=True,
    )
    seen = [line for line in done.stdout.splitlines() if line.startswith("SEEN")]
    # the first call before any heavy import; the second in a process that has pandas already
    assert seen == [f"SEEN {[(False, str(path)), (True, str(path))]}"]


# --- the one-pass path for clean sheets (data/_xlsx.tidy_rows) ------------------------------

_TIDY = ["id", *HEADER, "unit", "lower_bound", "source_publisher", "quote"]
_TEXT = ("indicator", "reporter", "partner")
_clean = {
    "id": st.sampled_from(["", "a", "b", "c", "d"]),
    "indicator": st.sampled_from(["exports", "imports", "Exports", " gdp "]),
    "reporter": st.sampled_from(["Peru", "Chile ", "Perú"]),
    "partner": st.sampled_from(["World", "China"]),
    "year": st.sampled_from([2023.0, 2024.0]),
    "months": st.sampled_from([12.0, 11.0]),
    "value": st.sampled_from([750.0, 0.0, -0.0, 1e300, 0.1]),
    "unit": st.sampled_from(["", "USD million"]),
    "lower_bound": st.sampled_from(["", "true", "FALSE", " sí"]),
    "source_publisher": st.sampled_from(["", "SNI"]),
    "quote": st.sampled_from(["", "más de", "  x  "]),
}
# Now and then one cell of a row is something else: empty, text in a number column, a number in
# a text column, or a value out of the layout's range.
_odd = st.one_of(
    st.none(),
    st.tuples(st.sampled_from(_TIDY), st.sampled_from(["", "n/a", 7.0, 2024.5, 1899.0, 0.0, -5.0])),
    st.tuples(st.just("lower_bound"), st.just("maybe")),
)


def _row(clean, odd):
    row = dict(clean)
    if odd is not None:
        row[odd[0]] = odd[1]
    return row


_cell = st.builds(_row, st.fixed_dictionaries(_clean), _odd)


def _agrees_with_general(fast, general) -> bool:
    """Assert that a fast path's frame ``fast`` is exactly the general path's (``general()``),
    dtypes included, or None; and None where the general path raises. False where it raised."""
    try:
        frame = general()
    except DataError:
        assert fast is None
        return False
    if fast is not None:
        pd.testing.assert_frame_equal(fast, frame, check_exact=True)
        assert [str(t) for t in fast.dtypes] == [str(t) for t in frame.dtypes]
    return True


@settings(max_examples=60, deadline=None)
@given(st.lists(_cell, min_size=1, max_size=5), st.booleans())
def test_the_one_pass_path_gives_the_general_paths_frame_or_leaves_it_the_sheet(body, blank):
    """Property: on any sheet of the tidy layout, ``tidy_rows`` returns exactly the frame the
    general path (object frame -> tidy_figures) makes, or None where that path has something to
    say (an error) or a conversion to make; and a sheet of clean cells never needs the general
    path."""
    from metaltrade_xl.data import tidy_figures
    from metaltrade_xl.data._xlsx import frame_from_rows, tidy_rows

    rows = [list(_TIDY)] + [[r[c] for c in _TIDY] for r in body]
    if blank:
        rows.append([""] * len(_TIDY))  # a blank row under the data, as a sheet may have
    fast = tidy_rows([list(r) for r in rows], "s.xlsx")
    if not _agrees_with_general(
        fast, lambda: tidy_figures(frame_from_rows([list(r) for r in rows]), "s.xlsx")
    ):
        return
    clean = all(
        isinstance(r[c], str) or c in ("year", "months", "value") and isinstance(r[c], float)
        for r in body
        for c in _TIDY
    )
    if clean and all(r[c] for r in body for c in _TEXT):
        assert fast is not None


# In a workbook a cell can also be truly empty, a boolean, an error value, a date, or text that
# only looks like a number (a Spanish decimal comma) or a missing value (fastexcel guesses
# column types with "n/a" and "NULL" counted as empty).
_book_odd = st.one_of(
    st.none(),
    st.tuples(
        st.sampled_from(_TIDY),
        st.sampled_from(
            [
                None,
                True,
                "#N/A",
                "#DIV/0!",
                datetime(2024, 1, 31),
                "1.234,5",
                " ",
                "",
                7.0,
                -5.0,
                "n/a",
                "NULL",
            ]
        ),
    ),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.builds(_row, st.fixed_dictionaries(_clean), _book_odd), min_size=1, max_size=5),
    st.sampled_from(["", "blank row", "Title Case", "a name twice", "a number"]),
)
def test_the_arrow_path_gives_the_general_paths_frame_or_leaves_it_the_sheet(
    tmp_path, body, header
):
    """Property: on any workbook of the tidy layout, the Arrow-column path (fastexcel ->
    ``tidy_batch``) returns exactly the frame the general path (calamine cells -> object frame
    -> tidy_figures) makes, dtypes included, or None where that path has an error to give or
    a conversion to make; and a workbook of clean cells never needs the general path."""
    from metaltrade_xl import _io
    from metaltrade_xl.data import tidy_figures
    from metaltrade_xl.data._xlsx import frame_from_rows, tidy_batch

    rows = [list(_TIDY)] + [[r[c] for c in _TIDY] for r in body]
    if header == "blank row":
        rows.append([""] * len(_TIDY))
    elif header == "Title Case":
        rows[0] = [c.title() for c in _TIDY]
    elif header == "a name twice":
        rows[0][-1] = "unit"
    elif header == "a number":
        rows[0][-1] = 2024
    path = write_book(tmp_path / "s.xlsx", rows)
    batch = _io.sheet_batch(path)
    fast = None if batch is None else tidy_batch(batch, "s.xlsx")
    if not _agrees_with_general(
        fast, lambda: tidy_figures(frame_from_rows(_io.sheet_cells(path)), "s.xlsx")
    ):
        return
    clean = all(
        isinstance(r[c], str)
        and not r[c].startswith("#")
        or c in ("year", "months", "value")
        and isinstance(r[c], float)
        for r in body
        for c in _TIDY
    )
    if clean and header in ("", "Title Case") and all(r[c].strip() for r in body for c in _TEXT):
        assert fast is not None


@pytest.mark.parametrize("fastexcel", [True, False])
def test_a_large_clean_sheet_takes_the_one_pass_path(tmp_path, monkeypatch, fastexcel):
    """The bundled figures as .xlsx: typed in one pass (from Arrow columns, or from the cell
    values where fastexcel is missing), the same figures as the CSV's."""
    from metaltrade_xl import _io
    from metaltrade_xl.data import _xlsx

    if not fastexcel:
        monkeypatch.setattr(_io, "_first_sheet_batch", lambda p: 1 / 0)
    else:
        monkeypatch.setattr(_io, "_first_sheet_cells", lambda *a: 1 / 0)  # never the cells

    raw = pd.read_csv(bundled_path(), dtype=str, keep_default_na=False)
    typed = raw.astype(object)
    for c in ("year", "months", "value"):
        typed[c] = pd.to_numeric(raw[c]).astype(float)
    path = write_book(tmp_path / "f.xlsx", [list(raw.columns), *typed.to_numpy().tolist()])
    general = []
    monkeypatch.setattr(_xlsx, "frame_from_rows", lambda rows: general.append(1))
    got = load_figures(path)
    assert general == []  # never built the object frame
    bundled = load_figures()
    cols = [c for c in bundled.columns if c != "file"]
    pd.testing.assert_frame_equal(got[cols], bundled[cols], check_dtype=False)
    assert got["file"].unique().tolist() == ["f.xlsx"]


def test_a_header_read_leaves_the_read_ahead_for_the_whole_sheet(tmp_path):
    from metaltrade_xl import _io

    path = write_book(tmp_path / "h2.xlsx", [HEADER, ["exports", "Peru", "World", 2024, 12, 5]])
    assert _io.read_ahead(path)
    assert list(read_sheet(path, header_only=True).columns) == HEADER
    assert str(path.resolve()) in {k for k in _io._AHEAD}  # still there for the full read
    assert load_figures(path)["value"].tolist() == [5.0]
    assert not _io._AHEAD
    assert _io.read_ahead("bad\0name.xlsx") is False  # not a path: no read, no traceback
