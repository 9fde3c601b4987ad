"""Indicators: closed forms from the seed figures, validation, and properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from metaltrade_xl.engine import InputError
from metaltrade_xl.engine.indicators import (
    hhi,
    market_share,
    partner_shares,
    rca,
    rca_table,
    regional_shares,
    top_partners,
)


def test_seed_import_shares_from_values():
    # Jan-Nov 2025: China USD 8 325 million of 19 548 -> 42.6 % (the release's figure)
    s = partner_shares(pd.Series({"China": 8325.0, "Brazil": 1329.0}), total=19548)
    assert round(s["China"], 3) == 0.426 and list(s.index) == ["China", "Brazil"]


def test_top_partners_growth_like_the_seed():
    # growth = current / previous - 1: Chile 261.2 / 200 - 1 = 30.6 %, USA 115.9 / 100 - 1 = 15.9 %
    cur = {"Chile": 261.2, "United States": 115.9, "Bolivia": 80.0, "Ecuador": 10.0}
    prev = {"Chile": 200.0, "United States": 100.0}
    t = top_partners(cur, prev, n=3)
    assert t["partner"].tolist() == ["Chile", "United States", "Bolivia"]
    assert t["growth"].round(3).tolist()[:2] == [0.306, 0.159]
    assert math.isnan(t["growth"].iloc[2])  # no previous value: no growth rate
    assert t["share"].iloc[0] == pytest.approx(261.2 / 467.1)


def test_hhi_closed_forms():
    assert hhi([1, 1, 1, 1]) == pytest.approx(0.25)
    assert hhi([5]) == 1.0
    assert hhi(pd.Series({"a": 3.0, "b": 1.0}), scale=10_000) == pytest.approx(6250)


def test_rca_and_market_share():
    # Peru: 1 % of its exports in the sector; the world: 9 / 24 = 37.5 % -> RCA 0.01 / 0.375
    assert rca(750, 75_000, 9e6, 24e6) == pytest.approx(0.01 / 0.375)
    assert rca([1, 2], [10, 10], 5, 10).tolist() == pytest.approx([0.2, 0.4])
    assert market_share(4000, 9e6) == pytest.approx(4.444e-4, rel=1e-3)
    t = rca_table(pd.DataFrame({"m": [10.0, 30.0], "o": [90.0, 70.0]}, index=["PE", "CL"]))
    assert t.loc["CL", "m"] == pytest.approx((30 / 100) / (40 / 200))


def test_regional_shares_seed_shape():
    v = pd.DataFrame(
        {"China": [0.3, 3.5], "Japan": [0.5, 1.09], "Germany": [1.1, 3.06], "USA": [0.6, 1.26]},
        index=[2001, 2024],
    )
    regions = {"China": "Asia", "Japan": "Asia", "Germany": "Europe", "USA": "America"}
    s = regional_shares(v, regions, world=pd.Series({2001: 2.5, 2024: 9.0}))
    assert s.loc[2001, "Asia"] == pytest.approx(0.32) and s.loc[2024, "Asia"] == pytest.approx(0.51)
    with pytest.raises(InputError, match="no region for 'USA'"):
        regional_shares(v, {"China": "Asia", "Japan": "Asia", "Germany": "Europe"}, other=None)
    other = regional_shares(v, {"China": "Asia"})
    assert other.sum(axis=1).tolist() == pytest.approx([1.0, 1.0])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: partner_shares({"a": -1.0}), "values: expected values >= 0"),
        (lambda: partner_shares([1, 2]), "values: expected values by partner"),
        (lambda: partner_shares({"a": 5.0}, total=4), "total: expected at least the sum"),
        (lambda: top_partners({"a": 1.0}, n=0), "n: expected a whole number >= 1"),
        (lambda: hhi([0, 0]), "got all zero"),
        (lambda: hhi(["x"]), "values: expected numbers"),
        (lambda: rca(2, 1, 1, 2), "sector_exports: expected at most total_exports"),
        (lambda: rca(1, 0, 1, 2), "total_exports: expected values > 0"),
        (lambda: market_share(1, 0), "world_exports: expected values > 0"),
        (lambda: regional_shares([1], {}), "values: expected a table"),
    ],
)
def test_bad_input_says_what_was_expected(call, message):
    with pytest.raises(InputError, match=message):
        call()


@given(st.lists(st.floats(0.01, 1e6), min_size=1, max_size=30))
def test_hhi_between_one_over_n_and_one(values):
    h = hhi(values)
    assert 1 / len(values) - 1e-9 <= h <= 1 + 1e-9


@given(
    st.dictionaries(st.text(min_size=1, max_size=5), st.floats(0.01, 1e6), min_size=1, max_size=20)
)
def test_partner_shares_add_up_to_one(values):
    assert partner_shares(values).sum() == pytest.approx(1.0)
    assert np.all(np.diff(partner_shares(values).to_numpy()) <= 0)
