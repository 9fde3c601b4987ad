"""Bad input to the MT_ functions through xlwings' Office.js call path (issue "bad input, round
two"): every case is an XlwingsError with one line naming function and argument, never a generic
error, an ``inf``, an empty cell standing for overflow, or an answer that does not depend on the
lever asked for."""

import math
from pathlib import Path

import pytest
import xlwings

from metaltrade_xl.excel.args import ExcelInputError

ROOT = Path(__file__).resolve().parents[2]
BASELINE = (ROOT / "scenarios" / "baseline.toml").read_text(encoding="utf-8")
UNCERTAIN = (ROOT / "scenarios" / "uncertain_export_push.toml").read_text(encoding="utf-8")


def error_of(call, *args) -> str:
    with pytest.raises(ExcelInputError) as info:
        call(*args)
    assert isinstance(info.value, xlwings.XlwingsError)  # the kind xlwings Server shows users
    message = str(info.value)
    assert "\n" not in message and len(message) <= 450
    return message


#: (function, arguments after the scenario) for every function that takes a scenario.
SCENARIO_CALLS = [
    ("MT_SCENARIO",),
    ("MT_MONTECARLO", "deficit", 200, 1),
    ("MT_PROB_CLOSE", None, 200, 1),
    ("MT_TORNADO",),
    ("MT_GRID", "exports.growth", [[0.05, 0.1]], "imports.growth", [[0.03, 0.04]]),
    ("MT_GOALSEEK", "exports.growth", 0, "gap_to_rival"),
]


@pytest.mark.parametrize("fn", SCENARIO_CALLS, ids=[c[0] for c in SCENARIO_CALLS])
def test_scenario_path_that_is_a_folder(call, tmp_path, fn):
    (tmp_path / "folder.toml").mkdir()
    message = error_of(call, fn[0], str(tmp_path / "folder.toml"), *fn[1:])
    assert message == f"{fn[0]}: folder.toml: is a folder, expected a TOML file"


@pytest.mark.parametrize("fn", SCENARIO_CALLS, ids=[c[0] for c in SCENARIO_CALLS])
def test_scenario_file_saved_as_ansi(call, tmp_path, fn):
    text = UNCERTAIN.replace('name = "', 'name = "Perú ', 1)
    path = tmp_path / "ansi.toml"
    path.write_bytes(text.encode("cp1252"))
    message = error_of(call, fn[0], str(path), *fn[1:])
    assert message.startswith(f"{fn[0]}: ansi.toml: not UTF-8 text (byte 0xfa on line ")


@pytest.mark.parametrize("fn", SCENARIO_CALLS, ids=[c[0] for c in SCENARIO_CALLS])
def test_scenario_file_with_a_bom_is_read(call, tmp_path, fn):
    path = tmp_path / "bom.toml"
    path.write_text(UNCERTAIN, encoding="utf-8-sig")
    plain = tmp_path / "plain.toml"
    plain.write_text(UNCERTAIN, encoding="utf-8")
    assert call(fn[0], str(path), *fn[1:]) == call(fn[0], str(plain), *fn[1:])


def test_scenario_data_path_that_is_a_folder(call, tmp_path):
    (tmp_path / "d.csv").mkdir()
    assert error_of(call, "MT_SCENARIO", "baseline", str(tmp_path / "d.csv")) == (
        "MT_SCENARIO: d.csv: is a folder, expected a .csv or .xlsx file"
    )


# --- silently wrong numbers ------------------------------------------------------------------------


def test_cagr_overflow_on_a_single_cell(call):
    message = error_of(call, "MT_CAGR", 100, 200000, 0.01)
    assert message.startswith("MT_CAGR: the growth rate from 100 to 200000 in 0.01 year(s) is too")
    assert "overflow" in message
    # a range gives the same kind of message
    assert "overflow" in error_of(call, "MT_CAGR", [[100], [100]], [[200000], [200]], 0.01)
    # and a sane case still works: 2000 ** (1 / 0.5) - 1 = 3 999 999
    assert call("MT_CAGR", 100, 200000, 0.5) == [[pytest.approx(3_999_999.0)]]


@pytest.mark.parametrize(("part", "total"), [(8325, 5), (20000, 19548)])
def test_share_above_one_is_refused(call, part, total):
    assert error_of(call, "MT_SHARE", part, total) == (
        f"MT_SHARE: part: expected at most total ({total}), got {part}: a share above 100 %; "
        "are part and total swapped, or in different units?"
    )


def test_share_above_one_names_the_cell(call):
    message = error_of(call, "MT_SHARE", [[1], [30]], [[10], [20]])
    assert message.startswith("MT_SHARE: part (row 2, column 1 of the range): expected at most")


def test_share_of_a_total_still_works(call):
    assert call("MT_SHARE", 19548, 19548) == [[1.0]]
    assert call("MT_SHARE", 0, 5) == [[0.0]]


def test_goal_seek_with_huge_bounds(call):
    message = error_of(
        call, "MT_GOALSEEK", "close_chile_2034", "exports.start", 0, "gap_to_rival", None, 1, 1e308
    )
    assert "does not depend on exports.start" in message
    message = error_of(
        call, "MT_GOALSEEK", "baseline", "imports.start", 0, "deficit", None, 1e300, 1e308
    )
    assert message.startswith("MT_GOALSEEK: goal seek: deficit in 2034 ")
    assert "overflow" in message or "cannot reach" in message
    message = error_of(call, "MT_GOALSEEK", "baseline", "exports.growth", 0, None, None, 0, 1e308)
    assert "expected a rate as a fraction, below 1 (type 5 % as 0.05), got 1e+308" in message


def test_goal_seek_on_a_lever_the_outcome_does_not_depend_on(call):
    # the growth is solved ("to_close"): the gap is 0 whatever the start
    message = error_of(call, "MT_GOALSEEK", "close_chile_2034", "exports.start", 0, "gap_to_rival")
    assert message.startswith(
        "MT_GOALSEEK: goal seek: gap_to_rival in 2034 does not depend on exports.start: it is 0 "
        "for every value within ["
    )
    assert message.endswith('(is it fixed by another input, e.g. a growth "to_close"?); choose '
                            "another lever")  # fmt: skip


def test_growth_for_deficit_never_infinite(call):
    message = error_of(call, "MT_GROWTH_FOR_DEFICIT", 727, 19548, 5, 9410.5, 500)
    assert "below 1 (type 5 % as 0.05), got 5" in message
    # with rates of at most 1 (100 %) a year only a huge start overflows in 500 years
    message = error_of(call, "MT_GROWTH_FOR_DEFICIT", 727, 1e300, 0.9, 9410.5, 500)
    assert message.startswith("MT_GROWTH_FOR_DEFICIT: imports after 500 year(s) at import_growth")
    assert "overflow" in message


def test_project_overflow_is_an_error_not_empty_cells(call):
    message = error_of(call, "MT_PROJECT", 1e300, 0.5, 500, 2024)
    assert "overflow" in message and "column 'value'" in message
    assert "(type 5 % as 0.05), got 5" in error_of(call, "MT_PROJECT", 750, 5, 500, 2024)


HUGE_START = [
    ["base_year", 2024],
    ["horizon", 2200],
    ["exports.start", 1e300],
    ["exports.growth", 0.9],
    ["imports.growth", 0.05],
    ["rival.name", "Chile"],
    ["rival.growth", 0.03],
]


def test_scenario_overflow_is_an_error_not_empty_cells(call):
    message = error_of(call, "MT_SCENARIO", HUGE_START)
    assert message.startswith("MT_SCENARIO: the result is too large to represent (overflow)")


def test_montecarlo_overflow_is_an_error_not_empty_cells(call, tmp_path):
    text = UNCERTAIN.replace("[exports]\n", "[exports]\nstart = 1e300\n", 1)
    path = tmp_path / "u.toml"
    path.write_text(text.replace("horizon = 2034", "horizon = 2200"), encoding="utf-8")
    try:
        out = call("MT_MONTECARLO", str(path), "deficit", 200, 1)
    except ExcelInputError as exc:
        assert "overflow" in str(exc) or "expected" in str(exc)
    else:  # if an answer comes, every cell is a finite number
        assert all(isinstance(v, (int, float)) and math.isfinite(v) for r in out[1:] for v in r)


# --- the same rules as in files --------------------------------------------------------------------

GROWTH_ARGS = [
    ("MT_PROJECT", (750, "G", 10)),
    ("MT_GROWTH_TO_CLOSE", (750, 4000, 10, "G")),
    ("MT_YEARS_TO_CLOSE", (750, 4000, "G")),
    ("MT_YEARS_TO_CLOSE", (750, 4000, 0.2, "G")),
    ("MT_GROWTH_FOR_DEFICIT", (727, 19548, "G", 9410.5, 10)),
    ("MT_SUBSTITUTION", (1000, 0.1, 0.3, 0, 5, "G")),
]


@pytest.mark.parametrize(("fn", "args"), GROWTH_ARGS)
@pytest.mark.parametrize("rate", [5, 1.5, 100, 1])
def test_growth_typed_as_a_percentage(call, fn, args, rate):
    message = error_of(call, fn, *[rate if a == "G" else a for a in args])
    assert message.endswith(f"expected a rate as a fraction, below 1 (type 5 % as 0.05), "
                            f"got {rate:g}")  # fmt: skip


def test_growth_typed_as_a_percentage_in_a_range_names_the_cell(call):
    message = error_of(call, "MT_PROJECT", 750, [[0.05], [5]], 2)
    assert message.startswith("MT_PROJECT: growth (row 2, column 1 of the range): expected a rate")


@pytest.mark.parametrize("fn", ["MT_BALANCE", "MT_DEFICIT", "MT_COVERAGE"])
def test_negative_exports_or_imports(call, fn):
    assert error_of(call, fn, -5, 100) == f"{fn}: exports: expected a value >= 0, got -5"
    message = error_of(call, fn, [[5], [-1]], [[100], [100]])
    assert message == f"{fn}: exports (row 2, column 1 of the range): expected a value >= 0, got -1"
    assert "imports" in error_of(call, fn, 5, -100)


def test_negative_imports_in_substitution(call):
    assert "imports: expected a value >= 0, got -1000" in error_of(
        call, "MT_SUBSTITUTION", -1000, 0.1, 0.3
    )


@pytest.mark.parametrize("year", [9999, 1000, 2201])
def test_start_year_outside_the_file_range(call, year):
    assert error_of(call, "MT_PROJECT", 750, 0.05, 10, year) == (
        f"MT_PROJECT: start_year: expected a year from 1900 to 2200, got {year}"
    )
    assert "start_year: expected a year from 1900 to 2200" in error_of(
        call, "MT_SUBSTITUTION", 1000, 0.1, 0.3, 0, 5, 0, year
    )


def test_defaults_and_good_values_still_work(call):
    assert call("MT_PROJECT", 750, 0.1, 2) == [["year", "value"], [0, 750.0], [1, pytest.approx(825.0)],
                                              [2, pytest.approx(907.5)]]  # fmt: skip
    assert call("MT_PROJECT", 750, 0.5, 1, 2200) == [["year", "value"], [2200, 750.0],
                                                    [2201, 1125.0]]  # fmt: skip
    assert call("MT_DEFICIT", 0, 100) == [[100.0]]


def test_long_text_is_cut_in_messages(call):
    message = error_of(call, "MT_SCENARIO", "x" * 20000)
    assert "x" * 100 not in message
