"""Bad input gives one line saying which argument, which cell and what was expected; never a
traceback from deep inside, never a silently wrong number."""

import datetime as dt

import pytest
import xlwings

from metaltrade_xl.excel.args import MAX_CELLS, ExcelInputError

NA_COM = -2146826246  # how desktop COM hands over #N/A


def col(*values):
    return [[v] for v in values]


def error_of(call, *args) -> str:
    with pytest.raises(ExcelInputError) as info:
        call(*args)
    assert isinstance(info.value, xlwings.XlwingsError)  # the kind xlwings Server shows users
    message = str(info.value)
    assert "\n" not in message and len(message) < 300
    return message


@pytest.mark.parametrize(
    "bad, said",
    [
        ("n/a", "got text 'n/a'"),
        ("#N/A", "got the Excel error #N/A"),
        ("#DIV/0!", "got the Excel error #DIV/0!"),
        (NA_COM, "got the Excel error #N/A"),
        (True, "got a boolean (TRUE)"),
        (dt.datetime(2024, 12, 31), "got a date (2024-12-31)"),
        ({"type": "Error", "errorType": "Value"}, "got the Excel error Value"),
    ],
    ids=[
        "text",
        "officejs-error",
        "officejs-div0",
        "com-error-code",
        "boolean",
        "date",
        "rich-err",
    ],
)
def test_a_bad_cell_in_a_range_is_named(call, bad, said):
    message = error_of(call, "MT_DEFICIT", col(750, 727, 700), col(18203, bad, 19000))
    assert (
        message == f"MT_DEFICIT: imports (row 2, column 1 of the range): expected a number, {said}"
    )


def test_a_bad_single_value_is_named_without_a_cell(call):
    assert error_of(call, "MT_DEFICIT", "abc", 19548) == (
        "MT_DEFICIT: exports: expected a number, got text 'abc'"
    )


def test_nan_and_infinity(call):
    message = error_of(call, "MT_DEFICIT", col(1.0, float("nan")), col(2.0, 3.0))
    assert (
        message
        == "MT_DEFICIT: exports (row 2, column 1 of the range): expected a finite number, got NaN"
    )
    assert "expected a finite number, got inf" in error_of(call, "MT_BALANCE", float("inf"), 1)


def test_an_empty_cell_in_a_filled_row(call):
    message = error_of(call, "MT_DEFICIT", col(750, 727), col(18203, None))
    assert message == (
        "MT_DEFICIT: imports (row 2, column 1 of the range): expected a number, got an empty cell"
    )
    assert "exports: expected a number, got an empty cell" in error_of(call, "MT_DEFICIT", "", 5)


def test_an_empty_required_argument(call):
    assert error_of(call, "MT_DEFICIT", None, 19548) == (
        "MT_DEFICIT: exports: expected a number, got an empty cell"
    )


def test_ranges_of_different_shapes(call):
    assert error_of(call, "MT_DEFICIT", col(1, 2), col(1, 2, 3)) == (
        "MT_DEFICIT: exports and imports: expected ranges of the same shape, got 2 x 1 and 3 x 1"
    )
    assert "got 2 x 1 and 1 x 2" in error_of(call, "MT_BALANCE", col(1, 2), [[1, 2]])


def test_ragged_rows(udfs):
    with pytest.raises(ExcelInputError, match="expected a rectangular range"):
        udfs.MT_DEFICIT([[1, 2], [3]], 5)


def test_zero_or_negative_where_meaningless(call):
    assert (
        error_of(call, "MT_COVERAGE", 727, 0) == "MT_COVERAGE: imports: expected imports > 0, got 0"
    )
    assert error_of(call, "MT_SHARE", col(1, -2), None) == (
        "MT_SHARE: part (row 2, column 1 of the range): expected a part >= 0, got -2"
    )
    assert "start: expected a value > 0, got -750" in error_of(
        call, "MT_GROWTH_TO_CLOSE", -750, 4000, 10
    )
    assert "values (row 2, column 1 of the range): expected values > 0, got 0" in error_of(
        call, "MT_GROWTH", col(100, 0, 5)
    )


def test_growth_of_minus_100_percent_or_less(call):
    assert error_of(call, "MT_GROWTH_TO_CLOSE", 750, 4000, 10, -1) == (
        "MT_GROWTH_TO_CLOSE: target_growth: expected a rate > -1 (-100 %), got -1"
    )
    assert "growth (row 2, column 1 of the range): expected a rate > -1 (-100 %), got -1.5" in (
        error_of(call, "MT_PROJECT", 750, col(0.1, -1.5), 2)
    )


def test_years_zero_or_negative(call):
    assert error_of(call, "MT_GROWTH_TO_CLOSE", 750, 4000, 0) == (
        "MT_GROWTH_TO_CLOSE: years: expected a number of years > 0, got 0"
    )
    assert error_of(call, "MT_PROJECT", 750, 0.1, 0) == (
        "MT_PROJECT: years: expected a whole number from 1 to 500, got 0"
    )
    assert "expected a whole number from 1 to 500, got 2.5" in error_of(
        call, "MT_GROWTH_FOR_DEFICIT", 727, 19548, 0.04, 9000, 2.5
    )
    assert "expected a whole number from 1 to 500, got 10000" in error_of(
        call, "MT_PROJECT", 750, 0.1, 10000
    )


def test_never_closes(call):
    assert error_of(call, "MT_YEARS_TO_CLOSE", 750, 4000, 0.03, 0.03) == (
        "MT_YEARS_TO_CLOSE: never closes: growth 0.03 is not above the rival's 0.03 and "
        "exports 750 start below 4000"
    )
    message = error_of(call, "MT_YEARS_TO_CLOSE", 750, 4000, col(0.2, 0.01), 0.03)
    assert message.startswith("MT_YEARS_TO_CLOSE: never closes (row 2, column 1): growth 0.01")


def test_a_million_cells_is_fine_but_more_than_a_column_is_too_large(call):
    n = MAX_CELLS + 1
    message = error_of(call, "MT_DEFICIT", [[1.0]] * n, 5)
    assert message == (
        "MT_DEFICIT: exports: too large: 1,048,577 x 1 = 1,048,577 cells, expected at most "
        "1,048,576 (one full column); select only the rows that hold data"
    )
    assert "too large" in error_of(call, "MT_SHARE", [[1.0] * n], None)  # a flattened row


def test_a_gap_in_a_series(call):
    assert error_of(call, "MT_GROWTH", col(100, None, 120)) == (
        "MT_GROWTH: values (row 2, column 1 of the range): expected a number, "
        "got an empty cell (a gap in the series)"
    )
    assert "expected at least 2 value(s), got 1" in error_of(call, "MT_GROWTH", col(100, None))
    assert "expected a single column or row, got 2 x 2 cells" in error_of(
        call, "MT_GROWTH", [[1, 2], [3, 4]]
    )


def test_wrong_number_of_yearly_rates(call):
    assert error_of(call, "MT_PROJECT", 750, col(0.1, 0.2, 0.3), 2) == (
        "MT_PROJECT: growth: expected one rate or 2 yearly rates, got 3"
    )
    assert "import_growth: expected one rate or 10 yearly rates, got 2" in error_of(
        call, "MT_GROWTH_FOR_DEFICIT", 727, 19548, col(0.1, 0.2), 9000, 10
    )


def test_annualize_months_and_profile(call):
    assert error_of(call, "MT_ANNUALIZE", 727, 13) == (
        "MT_ANNUALIZE: months: expected a whole number from 1 to 12, got 13"
    )
    assert error_of(call, "MT_ANNUALIZE", 727, 11, col(1, 2, 3)) == (
        "MT_ANNUALIZE: profile: expected 12 monthly weights, got 3"
    )


def test_a_range_where_one_value_is_expected(call):
    assert error_of(call, "MT_GROWTH_FOR_DEFICIT", col(1, 2), 19548, 0.04, 9000, 10) == (
        "MT_GROWTH_FOR_DEFICIT: exports: expected a single cell, got a range of 2 x 1 cells"
    )


def test_growth_for_deficit_out_of_reach(call):
    message = error_of(call, "MT_GROWTH_FOR_DEFICIT", 727, 19548, 0.0, 20000, 10)
    assert message.startswith("MT_GROWTH_FOR_DEFICIT: target_deficit 20000 is not below")


def test_substitution_arguments(call):
    assert "share: expected a share from 0 to 1, got 1.5" in error_of(
        call, "MT_SUBSTITUTION", 1000, 1.5, 0.3
    )
    assert "import_growth: expected an empty cell when imports is a column" in error_of(
        call, "MT_SUBSTITUTION", col(1, 2), 0.5, 0.3, 0, None, 0.04
    )
    assert "years: expected 2 (the rows of imports), got 3" in error_of(
        call, "MT_SUBSTITUTION", col(1, 2), 0.5, 0.3, 0, 3
    )


def test_scenario_errors(call):
    assert error_of(call, "MT_SCENARIO", "no_such_file.toml") == (
        "MT_SCENARIO: no_such_file.toml: no such file"
    )
    assert error_of(call, "MT_SCENARIO", 2034) == "MT_SCENARIO: scenario: expected text, got 2034"
    pairs = [
        ["base_year", 2024],
        ["horizon", 2030],
        ["exports.growht", 0.1],
        ["imports.growth", 0.04],
        ["rival.name", "Chile"],
        ["rival.growth", 0.03],
    ]
    assert "exports.growht: unknown key in [exports]; did you mean 'exports.growth'?" in error_of(
        call, "MT_SCENARIO", pairs
    )
    assert error_of(call, "MT_SCENARIO", [["horizon", NA_COM], ["base_year", 2024]]) == (
        "MT_SCENARIO: scenario (row 1, column 2 of the range): expected text or a number, "
        "got the Excel error #N/A"
    )
    assert "expected two columns (key, value), got 3" in error_of(
        call, "MT_SCENARIO", [["a", 1, 2], ["b", 3, 4]]
    )
    assert "data range: missing column(s) value" in error_of(
        call,
        "MT_SCENARIO",
        "baseline",
        [
            ["indicator", "reporter", "partner", "year", "months"],
            ["exports", "Peru", "World", 2024, 12],
        ],
    )


def test_data_errors_suggest_the_partial_year(call):
    assert error_of(call, "MT_DATA", "deficit", "Peru", 2025) == (
        "MT_DATA: no figure for deficit of Peru (partner World) in 2025, full year; "
        'there is a figure for 11 months: period "2025-11"'
    )
    assert error_of(call, "MT_DATA", 42) == "MT_DATA: indicator: expected text, got 42"
    assert "period: expected a year or \"YYYY-MM\", got text '2025-13'" in error_of(
        call, "MT_DATA", "imports", "Peru", "2025-13"
    )
