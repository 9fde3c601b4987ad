"""The numpy special functions that replace scipy's in a run (engine/_special.py), against scipy
itself over grids that include the far tails, and the copula map's monotonicity."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special, stats

from metaltrade_xl.engine import _special as sp
from metaltrade_xl.engine.distributions import distribution

#: PERT shapes: alpha, beta in [1, 1 + lamb]; 1.0001 is a mode next to an end.
SHAPES = [1.0, 1.0001, 1.3, 2.0, 3.5, 5.0, 11.0]
U = np.concatenate(
    [np.logspace(-15, -1, 60), np.linspace(0.02, 0.98, 49), 1 - np.logspace(-15, -1, 60)]
)


def test_ndtr_matches_scipy_to_the_last_bits_and_keeps_the_lower_tail():
    z = np.linspace(-37, 9, 46_001)
    got, ref = sp.ndtr(z), special.ndtr(z)
    assert np.abs(got - ref).max() <= 3e-16
    low = z < 0
    assert (np.abs(got[low] - ref[low]) / ref[low]).max() < 1e-8  # relative, down to 1e-300
    assert sp.ndtr(-40.0) == 0.0 and sp.ndtr(40.0) == 1.0 and sp.ndtr(0.0) == 0.5


def test_ndtri_matches_scipy_and_its_ends():
    assert np.abs(sp.ndtri(U) - special.ndtri(U)).max() < 1e-12
    assert sp.ndtri([0.0, 1.0]).tolist() == [-np.inf, np.inf]
    assert np.isnan(sp.ndtri(1.5))


@pytest.mark.parametrize("a", SHAPES)
def test_beta_cdf_and_quantile_match_scipy_in_the_tails_too(a):
    for b in SHAPES:
        x = sp.beta_ppf(U, a, b)
        assert np.abs(x - stats.beta.ppf(U, a, b)).max() < 1e-13, (a, b)
        grid = np.linspace(0, 1, 101)
        assert np.abs(sp.beta_cdf(grid, a, b) - stats.beta.cdf(grid, a, b)).max() < 1e-14
        upper = sp.beta_cdf(grid[1:-1], a, b, upper=True)
        assert np.allclose(upper, stats.beta.sf(grid[1:-1], a, b), rtol=1e-12, atol=0)


@pytest.mark.parametrize("a", SHAPES)
def test_the_tabulated_copula_map_is_within_1e_9_and_monotone(a):
    z = np.linspace(-8.4, 8.4, 4_001)
    for b in SHAPES:
        got = sp.beta_from_normal(z, a, b)
        # exact reference; the upper half from the upper tail (ndtr(z) rounds to 1 past z = 8.3)
        ref = np.where(
            z <= 0, stats.beta.ppf(special.ndtr(z), a, b), stats.beta.isf(special.ndtr(-z), a, b)
        )
        assert np.abs(got - ref).max() < 1e-9, (a, b)
        assert np.diff(got).min() >= -2.3e-16  # non-decreasing, up to the rounding of 1.0
        assert 0 <= got.min() and got.max() <= 1


def test_pert_quantile_and_draws_by_hand():
    # PERT(0, 0.1, 0.4) is 0.4 x Beta(2, 4), whose CDF is 1 - (1 - x)^4 (1 + 4x): at x = 1/2,
    # 1 - (1/16)(3) = 0.8125, so the 81.25 % quantile is 0.4 x 0.5 = 0.2
    d = distribution("pert", low=0, mode=0.1, high=0.4)
    assert float(d.ppf(0.8125)) == pytest.approx(0.2, abs=1e-15)
    z = special.ndtri(0.8125)
    assert float(d.from_normal(np.array([z]))[0]) == pytest.approx(0.2, abs=1e-10)
    out = np.array([-50.0, 0.0, 50.0])
    d.from_normal(out, out=out)  # in place; far out (|z| > 8.5) the ends of the support
    assert out[0] == 0.0 and out[2] == 0.4 and 0 < out[1] < 0.4
