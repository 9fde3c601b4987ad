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


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("seed, paths", [(0, 9_001), (20260126, 30_000)])
def test_simulate_equals_the_plain_reference_bit_for_bit(case, seed, paths):
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


# nonneg=True promises rows without negatives (they are selected as integers); a broken promise
# (negatives, -0.0, NaN) must still give numpy's numbers.
@pytest.mark.parametrize("nonneg", [False, True])
@pytest.mark.parametrize("kind", ["mixed", "positive", "negative", "ties", "zeros"])
@pytest.mark.parametrize("n", [1, 2, 7, 1000, 20_001])
def test_percentiles_equal_numpy_linear_bit_for_bit(kind, n, nonneg):
    rng = np.random.default_rng(n)
    levels = (0, 0.5, 5, 10, 33.3, 50, 90, 95, 99.9, 100)
    buf = _data(kind, rng, (5, n))
    buf[2] = buf[2, 0]  # a row that does not vary
    expected = np.percentile(buf, levels, axis=1).T
    got = _order_stats._percentiles(buf.copy(), levels, nonneg=nonneg)
    np.testing.assert_array_equal(got, expected)
    assert got.dtype == expected.dtype and got.shape == expected.shape


@pytest.mark.parametrize("nonneg", [False, True])
def test_a_row_with_nan_gives_nan_at_every_level_as_numpy(nonneg):
    rng = np.random.default_rng(3)
    buf = np.exp(rng.standard_normal((5, 5000)))
    buf[0] -= 1.0  # mixed signs
    buf[1, 17] = np.nan
    buf[3, 4000] = np.nan  # a positive row with a NaN
    buf[4, 10] = np.inf - np.inf  # the NaN of inf - inf (its sign bit is set on x86)
    buf[4, 11] = np.inf
    levels = (5, 50, 95)
    expected = np.percentile(buf, levels, axis=1).T
    got = _order_stats._percentiles(buf.copy(), levels, nonneg=nonneg)
    np.testing.assert_array_equal(got, expected)
    assert np.isnan(got[[1, 3, 4]]).all() and not np.isnan(got[[0, 2]]).any()


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
