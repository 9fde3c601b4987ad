"""Catch-up: closed forms from the seed and the property that the solved rate lands on the target."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from metaltrade_xl.engine import (
    InputError,
    NeverClosesError,
    growth_for_deficit,
    growth_to_close,
    years_to_close,
)

positive = st.floats(min_value=1, max_value=1e6)
rate = st.floats(min_value=-0.5, max_value=0.5)
horizon = st.integers(min_value=1, max_value=50)


def test_flat_rival_ten_years():
    # (4000 / 750)^(1/10) − 1 = 0.182224...
    assert growth_to_close(750, 4000, 10) == pytest.approx(0.18222, abs=1e-5)
    assert growth_to_close(750, 4000, 10) == pytest.approx((4000 / 750) ** 0.1 - 1, rel=1e-12)


def test_growing_rival_ten_years():
    # (4000 · 1.03^10 / 750)^(1/10) − 1 = 0.21769
    expected = (4000 * 1.03**10 / 750) ** 0.1 - 1
    assert growth_to_close(750, 4000, 10, 0.03) == pytest.approx(expected, rel=1e-12)
    assert growth_to_close(750, 4000, 10, 0.03) == pytest.approx(0.21769, abs=1e-5)


def test_years_to_close_chile_and_colombia():
    # at 15 % against Chile growing 3 %: ln(4000/750) / ln(1.15/1.03)
    assert years_to_close(750, 4000, 0.15, 0.03) == pytest.approx(
        math.log(4000 / 750) / math.log(1.15 / 1.03)
    )
    # already ahead: zero years
    assert years_to_close(5000, 4000, 0.0, 0.03) == 0.0


def test_never_closes_is_explicit():
    with pytest.raises(NeverClosesError, match="never closes"):
        years_to_close(750, 4000, 0.02, 0.03)
    out = years_to_close(np.array([750.0, 750.0]), 4000, np.array([0.02, 0.2]), 0.03, never="inf")
    assert math.isinf(out[0]) and out[1] > 0


def test_growth_for_deficit_halving():
    # halve the Jan-Nov 2025 deficit in 10 years with imports +4 %/yr:
    # exports_10 = 19548 · 1.04^10 − 9410.5, g = (exports_10 / 727)^(1/10) − 1
    x10 = 19548 * 1.04**10 - 18821 / 2
    assert growth_for_deficit(727, 19548, 0.04, 18821 / 2, 10) == pytest.approx(
        (x10 / 727) ** 0.1 - 1, rel=1e-12
    )


def test_growth_for_deficit_with_a_yearly_import_path():
    rates = [0.10, 0.0, 0.0]
    # imports after 3 years: 1000 · 1.1 = 1100; deficit 600 needs exports 500 = 100 · (1+g)^3
    assert growth_for_deficit(100, 1000, rates, 600, 3) == pytest.approx(5 ** (1 / 3) - 1)


def test_growth_for_cumulative_deficit_lands_on_target():
    g = growth_for_deficit(727, 19548, 0.04, 150_000, 10, measure="cumulative")
    t = np.arange(1, 11)
    total = np.sum(19548 * 1.04**t - 727 * (1 + g) ** t)
    assert total == pytest.approx(150_000, rel=1e-9)


def test_unreachable_deficit_targets():
    with pytest.raises(InputError, match="not below the horizon imports"):
        growth_for_deficit(727, 19548, 0.0, 20000, 5)
    with pytest.raises(InputError, match="whole number"):
        growth_for_deficit(727, 19548, 0.0, 100, 2.5)
    with pytest.raises(InputError, match="1000 %"):
        growth_for_deficit(1, 19548, 0.0, -1e12, 2, measure="cumulative")


@pytest.mark.parametrize(
    "args, message",
    [
        ((0, 4000, 10), "start: expected a value > 0"),
        ((750, -1, 10), "target"),
        ((750, 4000, 0), "years"),
        ((750, 4000, 10, -1.5), "target_growth"),
        ((750, "x", 10), "target: expected numbers"),
    ],
)
def test_growth_to_close_bad_input(args, message):
    with pytest.raises(InputError, match=message):
        growth_to_close(*args)


@given(positive, positive, horizon, rate)
def test_projecting_at_solved_growth_lands_on_target(start, target, years, target_growth):
    g = growth_to_close(start, target, years, target_growth)
    assert start * (1 + g) ** years == pytest.approx(
        target * (1 + target_growth) ** years, rel=1e-9
    )


@given(positive, positive, st.floats(0.001, 0.5), st.floats(-0.2, 0.3))
def test_years_to_close_inverts_growth_to_close(start, target, g, tg):
    if g <= tg or start >= target:
        return
    n = years_to_close(start, target, g, tg)
    assert growth_to_close(start, target, n, tg) == pytest.approx(g, rel=1e-7, abs=1e-10)
