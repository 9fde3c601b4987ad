"""Balance, deficit, coverage, shares, growth, CAGR, annualising: against the seed, by hand."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from metaltrade_xl.engine import (
    InputError,
    annualize,
    balance,
    cagr,
    coverage,
    deficit,
    growth,
    shares,
)

money = st.floats(min_value=0, max_value=1e9, allow_nan=False)


def test_seed_deficit_january_november_2025():
    # the release: imports 19 548 and exports 727 give a deficit of 18 821
    assert deficit(727, 19548) == 18821
    assert balance(727, 19548) == -18821


def test_china_share_of_imports():
    # 8 325 / 19 548 = 0.42588..., which the release rounds to 42.6 %
    assert shares(8325, 19548) == pytest.approx(0.4258747, abs=1e-7)
    assert round(shares(8325, 19548), 3) == 0.426


def test_coverage_of_imports_by_exports():
    assert coverage(727, 19548) == pytest.approx(727 / 19548)
    assert coverage(750, 18203) == pytest.approx(0.0412020)


def test_annualize_eleven_months():
    # 727 × 12 / 11 = 793.0909...
    assert annualize(727, 11) == pytest.approx(793.0909, abs=1e-4)
    # a flat profile gives the same as no profile
    assert annualize(727, 11, [5.0] * 12) == pytest.approx(annualize(727, 11))
    # December weighs 2/13 of the year, so 11 months cover 11/13: 727 × 13 / 11 = 859.18
    assert annualize(727, 11, [1] * 11 + [2]) == pytest.approx(859.1818, abs=1e-4)


def test_cagr_world_exports():
    # 2.5 tn in 2001 to 9.0 tn in 2024: (9 / 2.5)^(1/23) − 1
    assert cagr(2.5, 9.0, 23) == pytest.approx(3.6 ** (1 / 23) - 1)
    assert cagr(100, 121, 2) == pytest.approx(0.10)


def test_growth_down_a_column_keeps_series_index():
    s = pd.Series([750.0, 793.09], index=[2024, 2025])
    g = growth(s)
    assert list(g.index) == [2025]
    assert g.iloc[0] == pytest.approx(793.09 / 750 - 1)


def test_vectorised_and_shapes():
    x = np.array([1.0, 2.0, 3.0])
    m = np.array([3.0, 2.0, 1.0])
    assert deficit(x, m).tolist() == [2.0, 0.0, -2.0]
    assert balance(x, 1.0).tolist() == [0.0, 1.0, 2.0]
    with pytest.raises(InputError, match="same shape"):
        balance(x, np.ones(2))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: balance("abc", 1), "exports: expected numbers"),
        (lambda: balance(True, 1), "boolean"),
        (lambda: balance(np.nan, 1), "finite"),
        (lambda: balance([1, None], [1, 2]), "imports|exports"),
        (lambda: coverage(1, 0), "imports: expected a value > 0"),
        (lambda: cagr(1, 2, 0), "years"),
        (lambda: cagr(-1, 2, 3), "start_value"),
        (lambda: annualize(727, 13), "months"),
        (lambda: annualize(727, 2.5), "months"),
        (lambda: annualize(727, 11, [1] * 11), "12 monthly weights"),
        (lambda: annualize(727, 2, [0, 0] + [1] * 10), "zero weight"),
        (lambda: shares([1, -1]), "negative"),
        (lambda: growth([1.0]), "at least 2"),
    ],
)
def test_bad_input_is_a_clear_error(call, message):
    with pytest.raises(InputError, match=message):
        call()


@given(money, money)
def test_balance_antisymmetry(x, m):
    assert balance(x, m) == -deficit(x, m)
    assert balance(x, m) == -balance(m, x)


@given(st.lists(st.floats(min_value=0.01, max_value=1e6), min_size=1, max_size=30))
def test_shares_sum_to_one(parts):
    assert np.sum(shares(parts)) == pytest.approx(1.0)


@given(
    st.floats(min_value=1, max_value=1e6),
    st.floats(min_value=-0.5, max_value=1),
    st.integers(1, 40),
)
def test_cagr_inverts_compounding(start, rate, years):
    assert cagr(start, start * (1 + rate) ** years, years) == pytest.approx(rate, abs=1e-9)
