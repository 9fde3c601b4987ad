"""One model, declared inputs: every outcome everywhere, no input known by its spelling, and the
Monte Carlo runs in order (bit-identical) where threads cannot start, as in xlwings Lite."""

import concurrent.futures
import re
import threading
from pathlib import Path

import numpy as np
import pytest

from metaltrade_xl.engine import inputs as declared
from metaltrade_xl.engine import montecarlo as mc
from metaltrade_xl.engine import sensitivity as sens
from metaltrade_xl.engine.projection import project

ROOT = Path(__file__).resolve().parents[2] / "metaltrade_xl"
from tests.engine.shared_scenario import INPUTS, SUB, scenario  # noqa: E402, F401


def spec(**kw):
    n = mc.distribution
    return mc.UncertaintySpec(
        {
            "exports.growth": n("normal", mean=0.12, sd=0.05),
            "imports.growth": n("normal", mean=0.04, sd=0.03),
            "substitution.share": n("uniform", low=0.1, high=0.2),
        },
        paths=9000,
        seed=7,
        **kw,
    )


def test_every_function_accepts_every_declared_outcome():
    s = scenario()
    r = mc.simulate(s, INPUTS, spec(), outcomes=declared.OUTCOME_NAMES)
    table = project(s, INPUTS).table
    for outcome in declared.OUTCOME_NAMES:
        fan = r.fan(outcome)
        assert (fan.P5 <= fan.P50).all() and (fan.P50 <= fan.P95).all(), outcome
        assert np.isfinite(sens.tornado(s, INPUTS, spec(), outcome=outcome).swing).all()
        g = sens.grid(
            s, INPUTS, "exports.growth", [0.12], "imports.growth", [0.04], outcome=outcome
        )
        # with every input at the scenario's value the grid is the projection
        expected = -table.deficit.iloc[-1] if outcome == "balance" else table[outcome].iloc[-1]
        assert g.iloc[0, 0] == pytest.approx(expected, rel=1e-12), outcome


def test_extra_outcomes_are_consistent_with_the_simulated_ones():
    r = mc.simulate(scenario(), INPUTS, spec(), outcomes=["balance", "rival_exports"])
    deficit, balance = r.fan("deficit"), r.fan("balance")
    # balance = -deficit path by path, so P5 of the balance is minus P95 of the deficit
    np.testing.assert_allclose(balance.P5, -deficit.P95, rtol=1e-12)
    np.testing.assert_allclose(balance.P50, -deficit.P50, rtol=1e-12)
    # the rival is not uncertain: every percentile is the projection's rival
    rival = project(scenario(), INPUTS).table.rival_exports.to_numpy()
    np.testing.assert_allclose(r.fan("rival_exports").P95, rival, rtol=1e-12)
    # asking for more outcomes does not change those every run reports
    plain = mc.simulate(scenario(), INPUTS, spec())
    assert plain.percentiles.equals(r.percentiles[r.percentiles.outcome.isin(mc.OUTCOMES)])
    with pytest.raises(ValueError, match="pass outcomes"):
        plain.fan("balance")


SPELLING = re.compile(r"""(endswith|startswith)\(\s*["'](\.growth|\.start|substitution\.)""")


def test_no_code_decides_what_an_input_is_from_its_spelling():
    offenders = [
        f"{path.relative_to(ROOT)}:{i}"
        for path in ROOT.rglob("*.py")
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SPELLING.search(line)
    ]
    assert offenders == []


def _no_threads(monkeypatch):
    def refuse(*args, **kwargs):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", refuse)
    monkeypatch.setattr(concurrent.futures.ThreadPoolExecutor, "submit", refuse)
    monkeypatch.setattr(concurrent.futures.ThreadPoolExecutor, "map", refuse)


@pytest.mark.parametrize("how", ["no threads", "one cpu"])
def test_without_threads_the_blocks_run_in_order_with_the_same_numbers(monkeypatch, how):
    s, u = scenario(), spec(persistence={"exports.growth": 0.5})
    n = max(3 * mc.BLOCK, mc.THREAD_PATHS) + 5  # big enough for threads, if they could start
    threaded = mc.simulate(s, INPUTS, u, paths=n, outcomes=["substitution_effect"])
    if how == "no threads":
        monkeypatch.setattr(mc.os, "cpu_count", lambda: 2)
        _no_threads(monkeypatch)
    else:
        monkeypatch.setattr(mc.os, "cpu_count", lambda: 1)
        _no_threads(monkeypatch)  # a single CPU must not even try
    alone = mc.simulate(s, INPUTS, u, paths=n, outcomes=["substitution_effect"])
    assert alone.percentiles.equals(threaded.percentiles)
    assert alone.reach.equals(threaded.reach)
    assert alone.horizon_deficit.equals(threaded.horizon_deficit)


@pytest.mark.parametrize("kind", ["independent", "persistent"])
def test_a_block_drawn_ahead_on_a_helper_gives_the_same_numbers(monkeypatch, kind):
    # A run on one thread may draw one block on a free core; used only when complete, from
    # the block's own seed. Forced here (wait for the helper) and refused (no threads).
    s = scenario()
    u = spec() if kind == "independent" else spec(persistence={"exports.growth": 0.5})
    n = 2 * mc.BLOCK + 77  # three blocks, below the paths that use threads
    assert mc.AHEAD_PATHS <= n < mc.THREAD_PATHS
    monkeypatch.setattr(mc.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(mc._Ahead, "wait", True)
    ahead = mc.simulate(s, INPUTS, u, paths=n, keep_paths=True, outcomes=["substitution_effect"])
    _no_threads(monkeypatch)
    alone = mc.simulate(s, INPUTS, u, paths=n, keep_paths=True, outcomes=["substitution_effect"])
    assert alone.percentiles.equals(ahead.percentiles)
    assert alone.reach.equals(ahead.reach) and alone.horizon_deficit.equals(ahead.horizon_deficit)
    np.testing.assert_array_equal(alone.paths.exports, ahead.paths.exports)
    np.testing.assert_array_equal(alone.paths.imports, ahead.paths.imports)


def test_a_one_thread_run_selects_its_percentiles_in_two_parts_when_a_core_is_free(monkeypatch):
    # An MT_MONTECARLO cell of 10 000 paths runs on this thread (a block drawn ahead aside);
    # its percentile step, the largest left, is split in two for a second core.
    s, u = scenario(), spec()
    n = 10_000
    assert mc.AHEAD_PATHS <= n < mc.THREAD_PATHS
    calls = []
    real = mc._run_all

    def recording(fn, items, workers=None):
        items = list(items)
        calls.append((len(items), workers))
        return real(fn, items, workers)

    monkeypatch.setattr(mc, "_run_all", recording)
    monkeypatch.setattr(mc.os, "cpu_count", lambda: 2)
    two = mc.simulate(s, INPUTS, u, paths=n)
    assert calls[-1] == (2, 2)  # the selection: two parts, two threads (the chunk: one, one)
    monkeypatch.setattr(mc.os, "cpu_count", lambda: 1)
    calls.clear()
    one = mc.simulate(s, INPUTS, u, paths=n)
    assert calls[-1] == (1, 1)
    assert one.percentiles.equals(two.percentiles) and one.reach.equals(two.reach)
