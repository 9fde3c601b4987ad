"""Every MT_ function through xlwings' Office.js call path, against numbers worked by hand from
the bundled seed figures (SNI-IEES press release, 2026-01-26)."""

import math

import pytest

import metaltrade_xl

approx = pytest.approx


def col(*values):
    return [[v] for v in values]


def test_deficit_of_jan_nov_2025(call):
    assert call("MT_DEFICIT", 727, 19548) == [[18821.0]]


def test_balance_is_minus_the_deficit_cell_by_cell(call):
    assert call("MT_BALANCE", 727, 19548) == [[-18821.0]]
    assert call("MT_BALANCE", col(750, 727), col(18203, 19548)) == [[-17453.0], [-18821.0]]


def test_a_single_number_pairs_with_every_cell(call):
    assert call("MT_DEFICIT", col(700, 750), 18203) == [[17503.0], [17453.0]]


def test_a_row_spills_as_a_row(call):
    # Office.js flattens a one-row range; the result keeps the row's shape
    assert call("MT_DEFICIT", [[750, 727]], [[18203, 19548]]) == [[17453.0, 18821.0]]


def test_two_dimensional_ranges_keep_their_shape(call):
    x = [[1.0, 2.0], [3.0, 4.0]]
    m = [[10.0, 20.0], [30.0, 40.0]]
    assert call("MT_DEFICIT", x, m) == [[9.0, 18.0], [27.0, 36.0]]


@pytest.mark.parametrize("empty", [None, ""], ids=["desktop-None", "officejs-empty-string"])
def test_a_fully_empty_row_gives_an_empty_result_row(call, empty):
    out = call("MT_DEFICIT", col(750, empty, 727), col(18203, empty, 19548))
    assert out == [[17453.0], [""], [18821.0]]


def test_rows_selected_below_the_data_stay_empty(call):
    out = call("MT_COVERAGE", col(727, None, None), col(19548, None, None))
    assert out[0][0] == approx(727 / 19548) and out[1:] == [[""], [""]]


def test_coverage(call):
    assert call("MT_COVERAGE", 727, 19548)[0][0] == approx(0.0371905) == 727 / 19548


def test_share_of_china_in_imports(call):
    assert call("MT_SHARE", 8325, 19548)[0][0] == approx(0.426, abs=5e-4)
    assert call("MT_SHARE", 8325, 19548)[0][0] == approx(8325 / 19548)


def test_share_defaults_to_the_column_total_leaving_empty_rows_out(call):
    assert call("MT_SHARE", col(1, None, 3)) == [[0.25], [""], [0.75]]
    assert call("MT_SHARE", col(1, 3), None) == [[0.25], [0.75]]


def test_growth_down_a_column(call):
    annualised_2025 = 727 * 12 / 11
    out = call("MT_GROWTH", col(750, annualised_2025))
    assert out == [[approx(annualised_2025 / 750 - 1)]] and out[0][0] == approx(0.05745, abs=1e-5)
    assert call("MT_GROWTH", [[100, 110, 99]]) == [[approx(0.1), approx(-0.1)]]


def test_growth_ignores_empty_cells_below_the_series(call):
    assert call("MT_GROWTH", col(100, 110, None, "")) == [[approx(0.1)]]


def test_cagr_of_world_exports_2001_2024(call):
    out = call("MT_CAGR", 2_500_000, 9_000_000, 2024 - 2001)[0][0]
    assert out == approx(3.6 ** (1 / 23) - 1) and out == approx(0.05727, abs=1e-5)


def test_annualize(call):
    assert call("MT_ANNUALIZE", 727, 11)[0][0] == approx(727 * 12 / 11)
    heavy_december = col(*([1] * 11 + [2]))
    assert call("MT_ANNUALIZE", 727, 11, heavy_december)[0][0] == approx(727 * 13 / 11)
    assert call("MT_ANNUALIZE", 727, 11, [[1] * 11 + [2]])[0][0] == approx(859.18, abs=5e-3)


def test_growth_to_close_on_chile(call):
    expected = (4000 * 1.03**10 / 750) ** (1 / 10) - 1
    assert call("MT_GROWTH_TO_CLOSE", 750, 4000, 10, 0.03)[0][0] == approx(expected, rel=1e-12)
    assert expected == approx(0.21769, abs=1e-5)
    assert call("MT_GROWTH_TO_CLOSE", 750, 4000, 10)[0][0] == approx((4000 / 750) ** 0.1 - 1)
    assert call("MT_GROWTH_TO_CLOSE", 750, 4000, 10, None)[0][0] == approx(0.18222, abs=1e-5)


def test_growth_to_close_for_several_horizons(call):
    out = call("MT_GROWTH_TO_CLOSE", 750, 4000, col(5, 10), 0.03)
    assert [r[0] for r in out] == approx([(4000 * 1.03**n / 750) ** (1 / n) - 1 for n in (5, 10)])


def test_years_to_close(call):
    g = (4000 / 750) ** 0.1 - 1
    assert call("MT_YEARS_TO_CLOSE", 750, 4000, g)[0][0] == approx(10.0)
    expected = math.log(4000 / 750) / math.log(1.25 / 1.03)
    assert call("MT_YEARS_TO_CLOSE", 750, 4000, 0.25, 0.03)[0][0] == approx(expected)
    assert call("MT_YEARS_TO_CLOSE", 5000, 4000, 0.0)[0][0] == 0.0


def test_growth_for_deficit_halving_the_deficit(call):
    target = 18821 / 2
    expected = ((19548 * 1.04**10 - target) / 727) ** (1 / 10) - 1
    out = call("MT_GROWTH_FOR_DEFICIT", 727, 19548, 0.04, target, 10)[0][0]
    assert out == approx(expected, rel=1e-12) and out == approx(0.3897, abs=1e-4)


def test_growth_for_deficit_with_a_column_of_import_rates(call):
    rates = [0.04] * 5 + [0.02] * 5
    imports_10 = 19548 * 1.04**5 * 1.02**5
    expected = ((imports_10 - 9000) / 727) ** (1 / 10) - 1
    assert call("MT_GROWTH_FOR_DEFICIT", 727, 19548, col(*rates), 9000, 10)[0][0] == approx(
        expected
    )


def test_project_spills_year_and_value_with_a_header(call):
    assert call("MT_PROJECT", 750, 0.1, 2, 2024) == [
        ["year", "value"],
        [2024, 750.0],
        [2025, approx(825.0)],
        [2026, approx(907.5)],
    ]
    assert call("MT_PROJECT", 750, col(0.1, 0.2), 2) == [
        ["year", "value"],
        [0, 750.0],
        [1, approx(825.0)],
        [2, approx(990.0)],
    ]


def test_project_at_growth_to_close_lands_on_chile(call):
    g = call("MT_GROWTH_TO_CLOSE", 750, 4000, 10, 0.03)[0][0]
    last = call("MT_PROJECT", 750, g, 10, 2024)[-1]
    assert last == [2034, approx(4000 * 1.03**10)]


def test_substitution_phased_in(call):
    china = 18203 * 0.426
    out = call("MT_SUBSTITUTION", china, 0.10, 0.35, 5, 5, 0, 2026)
    assert out[0] == ["year", "imports", "substituted", "deficit_effect"]
    assert [r[0] for r in out[1:]] == [2026, 2027, 2028, 2029, 2030]
    for k, row in enumerate(out[1:], start=1):
        gross = k / 5 * 0.10 * china
        assert row[1:] == [approx(china), approx(gross), approx(gross * 0.65)]
    assert out[-1][2:] == [approx(775.45, abs=5e-3), approx(504.04, abs=5e-3)]


def test_substitution_defaults_and_import_growth(call):
    out = call("MT_SUBSTITUTION", 1000, 0.5, 0.2, None, 3, 0.1)
    assert [r[0] for r in out[1:]] == [1, 2, 3]
    assert [r[1] for r in out[1:]] == approx([1100, 1210, 1331])
    assert [r[3] for r in out[1:]] == approx([1100 * 0.4, 1210 * 0.4, 1331 * 0.4])
    assert len(call("MT_SUBSTITUTION", 1000, 0.5, 0.2)) == 11  # 10 years by default


def test_substitution_from_a_column_of_yearly_imports(call):
    out = call("MT_SUBSTITUTION", col(100, 200), 0.5, 0.0, 2, None, None, 2030)
    assert out[1:] == [[2030, 100.0, 25.0, 25.0], [2031, 200.0, 100.0, 100.0]]


def test_scenario_by_name(call):
    out = call("MT_SCENARIO", "close_chile_2034")
    assert out[0][:2] == ["year", "exports"] and len(out[0]) == 11 and len(out) == 11
    first, last = dict(zip(out[0], out[1], strict=True)), dict(zip(out[0], out[-1], strict=True))
    # the base year 2025 starts from January-November annualised: 727 and 19 548 x 12/11
    assert first["year"] == 2025
    assert (first["exports"], first["imports"]) == approx((727 * 12 / 11, 19548 * 12 / 11))
    assert first["deficit"] == approx(18821 * 12 / 11)  # = (19 548 - 727) x 12/11 = 20 532
    assert last["year"] == 2034
    # Chile: 4 000 in 2024 carried to 2025 at its 3 %, so its 2034 value is still 4 000 x 1.03^10
    assert last["exports"] == approx(4000 * 1.03**10) == last["rival_exports"]
    assert last["imports"] == approx(19548 * 12 / 11 * 1.057**9)


def test_scenario_typed_in_cells(call):
    pairs = [
        ["base_year", 2024],
        ["horizon", 2026],
        ["", ""],
        ["exports.growth", 0.1],
        ["imports.growth", 0.0],
        ["rival.name", "Chile"],
        ["rival.growth", 0.03],
        ["exports.start", 1000.0],
    ]
    out = call("MT_SCENARIO", pairs)
    years = [r[0] for r in out[1:]]
    exports = [r[1] for r in out[1:]]
    assert years == [2024, 2025, 2026] and exports == approx([1000, 1100, 1210])
    assert [r[5] for r in out[1:]] == [18203.0] * 3  # imports from the bundled 2024 figure


def test_scenario_with_figures_from_a_range(call):
    data = [
        ["indicator", "reporter", "partner", "year", "months", "value"],
        ["exports", "Peru", "World", 2025, 12, 100],
        ["imports", "Peru", "World", 2025, 12, 300],
        ["exports", "Chile", "World", 2024, 12, 200],
    ]
    out = call("MT_SCENARIO", "baseline", data)  # base year 2025
    first = dict(zip(out[0], out[1], strict=True))
    # full-year 2025 figures as they are; Chile's 2024 carried one year at its 3 %: 200 x 1.03
    assert (first["exports"], first["imports"]) == (100.0, 300.0)
    assert first["rival_exports"] == approx(206.0)


def test_data_lookups(call):
    assert call("MT_DATA", "imports", "Peru", 2024) == [[18203.0]]
    assert call("MT_DATA", "imports") == [[18203.0]]  # Peru, latest full year
    assert call("MT_DATA", "deficit", "Peru", "2025-11") == [[18821.0]]
    assert call("MT_DATA", "import_share", "Peru", "2025-11", "China") == [[0.426]]
    assert call("MT_DATA", "exports", "Chile", 2024.0) == [[4000.0]]


def test_sources_spill_the_figures_with_their_flags(call):
    out = call("MT_SOURCES")
    header, rows = out[0], out[1:]
    assert header[:3] == ["id", "indicator", "reporter"] and "lower_bound" in header
    by_id = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    assert len(rows) == 35
    assert by_id["peru_exports_2024"]["value"] == 750.0
    assert by_id["peru_exports_2024"]["lower_bound"] is True
    assert by_id["peru_imports_2024"]["lower_bound"] is False
    assert by_id["peru_imports_2024"]["year"] == 2024
    assert all(len(r) == len(header) for r in rows)


def test_version(call):
    text = call("MT_VERSION")[0][0]
    assert metaltrade_xl.__version__ in text and metaltrade_xl.DATA_VINTAGE in text


def test_desktop_com_values_read_the_same(udfs):
    # classic xlwings hands raw ranges over as tuples of tuples, floats and None
    x = ((750.0,), (None,), (727.0,))
    m = ((18203.0,), (None,), (19548.0,))
    assert udfs.MT_DEFICIT(x, m) == [[17453.0], [""], [18821.0]]


def test_a_million_cells(call):
    n = 1_000_000
    out = call("MT_DEFICIT", [[1.0]] * n, [[float(i)] for i in range(n)])
    assert len(out) == n and out[0] == [-1.0] and out[-1] == [n - 2.0]
