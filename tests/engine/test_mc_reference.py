"""The fast Monte Carlo against a plain one written from its definition, bit for bit.

``simulate`` draws in blocks on threads, writes the model into shared buffers and selects
percentiles without sorting. The reference below does the obvious thing instead: all draws at once
with :func:`~metaltrade_xl.engine.sampling.sample` (the same child generators, no scratch), the
model on every path in one call, ``np.percentile`` per outcome, counts with numpy reductions. Any
restructuring of the fast path must leave every table equal, not merely close.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from metaltrade_xl.engine import _order_stats
from metaltrade_xl.engine import montecarlo as mc
from metaltrade_xl.engine.mc_summary import tables
from metaltrade_xl.engine.projection import ProjectionInputs
from metaltrade_xl.scenarios import scenario_from_dict


def reference(scenario, inputs, spec, seed, paths, outcomes=()):
    base, horizon = scenario.years
    draws = mc.sample(spec, horizon - base, paths, np.random.default_rng(seed))
    out = mc.evaluate(scenario, inputs, draws, paths)
    levels = [float(q) for q in spec.percentiles]
    mirrored = [100.0 - q for q in levels]

    def pct(a, qs):
        return np.percentile(a, qs, axis=1).T

    rival_fixed = not any(k in spec.inputs for k in ("rival.growth", "rival.start"))
    found = {o: pct(out[o], levels) for o in ("exports", "imports", "deficit")}
    # documented: with a fixed rival the gap's percentiles mirror those of exports
    found["gap_to_rival"] = (
        out["rival_exports"][:, :1] - pct(out["exports"], mirrored)
        if rival_fixed
        else pct(out["gap_to_rival"], levels)
    )
    for o in outcomes:  # balance = -deficit mirrors the deficit
        found[o] = -pct(out["deficit"], mirrored) if o == "balance" else pct(out[o], levels)
    ahead = out["exports"] >= out["rival_exports"] * (1 - mc.REACH_TOL)
    n_ahead = np.count_nonzero(ahead, axis=1)
    n_by = np.count_nonzero(np.logical_or.accumulate(ahead, axis=0), axis=1)
    dh = np.ascontiguousarray(out["deficit"][-1])
    stats = (float(dh.mean()), float(dh.std(ddof=1)))
    return tables(
        found, n_ahead, n_by, stats, levels=levels, base=base, horizon=horizon, n_paths=paths
    )


def scenario(x0_growth=0.12, substitution=None):
    data = {
        "name": "ref",
        "base_year": 2024,
        "horizon": 2034,
        "exports": {"growth": x0_growth},
        "imports": {"growth": 0.04},
        "rival": {"name": "Chile", "growth": 0.03},
    }
    if substitution:
        data["substitution"] = substitution
    return scenario_from_dict(data)


def normal(mean, sd):
    return mc.distribution("normal", mean=mean, sd=sd)


SUB = {"share": 0.15, "import_content": 0.35, "start_year": 2026, "phase_in_years": 5}

CASES = {
    # the benchmark's model: independent normal growths, a fixed rival
    "benchmark": (
        scenario(),
        ProjectionInputs(750, 18203, 4000),
        mc.UncertaintySpec(
            {"exports.growth": normal(0.12, 0.05), "imports.growth": normal(0.04, 0.03)}
        ),
        (),
    ),
    # exports overtake imports: deficit rows positive, mixed in sign and negative
    "deficit changes sign": (
        scenario(0.06),
        ProjectionInputs(17000, 18203, 4000),
        mc.UncertaintySpec(
            {"exports.growth": normal(0.06, 0.08), "imports.growth": normal(0.0, 0.03)},
            percentiles=(1, 2.5, 25, 50, 75, 97.5, 99),
        ),
        ("balance",),
    ),
    # the general sampler: a varying rival, copula, persistence, uncertain starts, substitution
    "general": (
        scenario(substitution=SUB),
        ProjectionInputs(750, 18203, 4000, 0.426),
        mc.UncertaintySpec(
            {
                "exports.growth": normal(0.12, 0.05),
                "imports.growth": mc.distribution("uniform", low=0.0, high=0.08),
                "rival.growth": mc.distribution("triangular", low=0.0, mode=0.03, high=0.06),
                "exports.start": mc.distribution("uniform", low=700, high=800),
                "substitution.share": mc.distribution("uniform", low=0.05, high=0.25),
            },
            correlation=(("exports.growth", "imports.growth", 0.4),),
            persistence={"exports.growth": 0.6},
        ),
        ("balance", "rival_exports", "substitution_effect"),
    ),
}


@pytest.fixture(params=["partition", "counting"])
def selection(request, monkeypatch):
    """Each test that takes it runs twice, long rows partitioned and long rows counted, whatever
    this machine would pick (``_order_stats.COUNTING``)."""
    monkeypatch.setattr(_order_stats, "COUNTING", request.param == "counting")
    return request.param


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("seed, paths", [(0, 9_001), (20260126, 30_000)])
def test_simulate_equals_the_plain_reference_bit_for_bit(case, seed, paths, selection):
    s, inputs, spec, outcomes = CASES[case]
    got = mc.simulate(s, inputs, spec, seed=seed, paths=paths, outcomes=outcomes)
    want = reference(s, inputs, spec, seed, paths, outcomes)
    for a, b in zip(
        (got.percentiles, got.reach, got.first_year, got.horizon_deficit), want, strict=True
    ):
        pd.testing.assert_frame_equal(a, b, check_exact=True)


# --- the percentile selection on its own -----------------------------------------------------


def _data(kind, rng, shape):
    if kind == "ties":  # few distinct values: every rank sits in a run of equal values
        return rng.integers(-3, 4, shape).astype(float)
    if kind == "positive":
        return np.exp(rng.standard_normal(shape))
    if kind == "negative":
        return -np.exp(rng.standard_normal(shape))
    if kind == "zeros":  # signed zeros among positives: -0.0 == 0.0
        a = np.abs(rng.integers(0, 3, shape).astype(float))
        a[:, ::7] = -0.0
        return a
    return rng.standard_normal(shape) * 1e3  # mixed signs


@pytest.mark.parametrize("kind", ["mixed", "positive", "negative", "ties", "zeros"])
@pytest.mark.parametrize("n", [1, 2, 7, 1000, 1024, 20_001])
def test_percentiles_equal_numpy_linear_bit_for_bit(kind, n, selection):
    rng = np.random.default_rng(n)
    levels = (0, 0.5, 5, 10, 33.3, 50, 90, 95, 99.9, 100)
    buf = _data(kind, rng, (5, n))
    buf[2] = buf[2, 0]  # a row that does not vary
    expected = np.percentile(buf, levels, axis=1).T
    got = _order_stats._percentiles(buf.copy(), levels)
    np.testing.assert_array_equal(got, expected)
    assert got.dtype == expected.dtype and got.shape == expected.shape


def test_a_row_with_nan_gives_nan_at_every_level_as_numpy(selection):
    rng = np.random.default_rng(3)
    buf = np.exp(rng.standard_normal((5, 5000)))
    buf[0] -= 1.0  # mixed signs
    buf[1, 17] = np.nan
    buf[3, 4000] = np.nan  # a positive row with a NaN
    buf[4, 10] = np.inf - np.inf  # the NaN of inf - inf (its sign bit is set on x86)
    buf[4, 11] = np.inf
    levels = (5, 50, 95)
    expected = np.percentile(buf, levels, axis=1).T
    got = _order_stats._percentiles(buf.copy(), levels)
    np.testing.assert_array_equal(got, expected)
    assert np.isnan(got[[1, 3, 4]]).all() and not np.isnan(got[[0, 2]]).any()


def _rows_left(buf, levels):
    """The rows the counting leaves for partition, and the order statistics it found."""
    layout = _order_stats._layout(buf.shape[1], tuple(float(q) for q in levels))
    stats = np.full((buf.shape[0], len(layout[0])), -123.0)
    left = _order_stats._counted(buf, layout[0], stats)
    return left.tolist(), stats, layout[0]


def test_counting_finds_the_ranks_a_sort_would_and_leaves_only_what_it_cannot_count():
    rng = np.random.default_rng(8)
    n = 6000
    rows = [
        750 * np.exp(rng.normal(0.5, 0.3, n)),  # positive, skewed: counted on the bits
        -750 * np.exp(rng.normal(0.5, 0.3, n)),  # negative: on the bits with the sign folded
        rng.normal(0, 1e3, n),  # both signs: on equal ranges of value
        np.where(rng.random(n) < 0.5, -1e300, 1e300) * rng.random(n),  # both, a span of 2e300
        np.full(n, -7.25),  # one value: that value, not counted
        np.r_[-0.0, 0.0, rng.uniform(0, 10, n - 2)],  # least value -0.0 beside +0.0: by value
        np.r_[-0.0, 0.0, -rng.uniform(0, 10, n - 2)],  # greatest value zero, found at P100
        np.r_[rng.normal(5, 1, n - 1), 1e15],  # a far outlier: one bucket holds almost all
        np.round(rng.normal(0, 2, n)),  # few values repeated
        np.r_[rng.normal(5, 1, n - 1), np.inf],
        np.r_[rng.normal(5, 1, n - 1), np.nan],
    ]
    buf = np.vstack(rows)
    levels = (0, 1, 5, 25, 50, 75, 95, 99, 100)
    left, stats, ranks = _rows_left(buf.copy(), levels)
    assert left == [7, 8, 9, 10]
    expected = np.sort(buf, axis=1)[:, list(ranks)]
    np.testing.assert_array_equal(stats[:7], expected[:7])  # zeros equal, of either sign
    assert (stats[7:] == -123.0).all()  # rows left for partition are not written
    # and through the whole path, numpy's numbers for every row
    with np.errstate(invalid="ignore"):  # inf - inf in the row with an infinity, as numpy's
        got = _order_stats._percentiles(buf.copy(), levels)
        np.testing.assert_array_equal(got, np.percentile(buf, levels, axis=1).T)


def test_the_choice_of_selection_is_measured_once_unless_it_is_set(monkeypatch):
    monkeypatch.setattr(_order_stats, "COUNTING", None)
    measured = _order_stats._counting_pays()
    assert isinstance(measured, bool)
    info = _order_stats._measured_counting_pays.cache_info()
    assert info.currsize == 1
    assert _order_stats._counting_pays() is measured  # not measured again
    assert _order_stats._measured_counting_pays.cache_info().hits == info.hits + 1
    for setting in (True, False):
        monkeypatch.setattr(_order_stats, "COUNTING", setting)
        assert _order_stats._counting_pays() is setting


def test_counting_agrees_with_a_sort_on_many_shapes_of_data():
    rng = np.random.default_rng(21)
    levels = (5, 10, 50, 90, 95)
    for n in (1024, 1025, 4097, 30_000):
        layout = _order_stats._layout(n, tuple(float(q) for q in levels))
        for scale in (1e-300, 1e-3, 1.0, 1e6, 1e300):
            buf = np.vstack([
                scale * rng.standard_normal(n),
                scale * rng.standard_exponential(n),
                -scale * rng.pareto(3.0, n) - scale,  # heavy tail, all negative
                scale * (1 + rng.integers(0, 50, n)),  # ties, no zero
            ])  # fmt: skip
            stats = np.empty((4, len(layout[0])))
            left = _order_stats._counted(buf.copy(), layout[0], stats)
            done = [i for i in range(4) if i not in left.tolist()]
            assert {0, 1} <= set(done), (n, scale)  # the smooth rows are always counted
            expected = np.sort(buf, axis=1)[:, list(layout[0])]
            np.testing.assert_array_equal(stats[done], expected[done], err_msg=f"{n} {scale}")


def test_jobs_on_threads_come_back_in_order_and_the_first_failure_is_raised(monkeypatch):
    monkeypatch.setattr(mc.os, "cpu_count", lambda: 2)

    def job(i):
        if i in (5, 9):
            raise ValueError(f"job {i}")
        return i * i

    assert mc._run_all(job, [i for i in range(12) if i not in (5, 9)], 2) == [
        i * i for i in range(12) if i not in (5, 9)
    ]
    with pytest.raises(ValueError, match="^job 5$"):
        mc._run_all(job, range(12), 2)


def test_a_percentile_of_zero_is_plus_zero_in_every_table():
    # exports and imports equal on every path: the deficit is 0.0 and the balance -0.0 before
    # simulate makes every zero +0.0 (a "-0" would reach the JSON and the sheets)
    spec = mc.UncertaintySpec({"rival.growth": normal(0.03, 0.01)}, paths=5_000, seed=1)
    got = mc.simulate(
        scenario(0.04), ProjectionInputs(1000, 1000, 4000), spec, outcomes=("balance",)
    )
    table = got.percentiles.set_index(["outcome", "year"])
    values = table.loc[["deficit", "balance"]].to_numpy(dtype=float)
    assert values.size == 2 * 11 * 5 and (values == 0).all()  # 2024-2034, P5 ... P95
    assert not np.signbit(values).any()
