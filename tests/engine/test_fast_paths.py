"""The fast paths of the draws against plain code written from their definitions, bit for bit.

Seeded results must not move when the arithmetic is rearranged for speed: each fast path below is
compared with the obvious numpy expression of the same formula, as integers (every bit, the sign
of zero and NaN included).
"""

from __future__ import annotations

import numpy as np
import pytest

from metaltrade_xl.engine import _special
from metaltrade_xl.engine.distributions import distribution
from metaltrade_xl.engine.sampling import _block_rng, _draw_block, _factor, mix
from metaltrade_xl.engine.uncertainty_spec import UncertaintySpec

A = (3.52624965998911e-02, 0.700383064443688, 6.37396220353165, 33.912866078383,
     112.079291497871, 221.213596169931, 220.206867912376)  # fmt: skip
B = (8.83883476483184e-02, 1.75566716318264, 16.064177579207, 86.7807322029461,
     296.564248779674, 637.333633378831, 793.826512519948, 440.413735824752)  # fmt: skip


def plain_ndtr(z):
    """Hart's algorithm as written in West (2005): two Horner loops, a mask for z > 0."""
    x = np.abs(z)
    p = x * A[0]
    for c in A[1:-1]:
        p = (p + c) * x
    p = p + A[-1]
    q = x * B[0]
    for c in B[1:-1]:
        q = (q + c) * x
    q = q + B[-1]
    with np.errstate(invalid="ignore", over="ignore"):
        e = np.exp(x * x * -0.5) * p / q
        far = x >= 7.07106781186547
        xf = x[far]
        e[far] = (
            np.exp(xf * xf * -0.5)
            / (xf + 1 / (xf + 2 / (xf + 3 / (xf + 4 / (xf + 0.65)))))
            / np.sqrt(2 * np.pi)
        )
    e[x > 37.5] = 0.0
    return np.where(z > 0, 1.0 - e, e)


def same_bits(a, b) -> bool:
    return np.array_equal(np.asarray(a).view(np.int64), np.asarray(b).view(np.int64))


def test_ndtr_is_hart_bit_for_bit_in_every_region():
    rng = np.random.default_rng(0)
    special = [0.0, -0.0, 7.07106781186547, -7.07106781186547, 37.5, -37.5, 40.0, 1e-300,
               -5e-324, np.inf, -np.inf, np.nan]  # fmt: skip
    # more values than one chunk of ndtr, so that a chunk ends in the middle of them
    z = np.concatenate([rng.standard_normal(_special._CHUNK) * 3, np.linspace(-39, 39, 20_001),
                        special])  # fmt: skip
    assert z.size > _special._CHUNK
    with np.errstate(invalid="ignore"):
        assert same_bits(_special.ndtr(z), plain_ndtr(z))


@pytest.mark.parametrize(
    "kind, params",
    [
        ("uniform", {"low": 0.01, "high": 0.05}),
        ("uniform", {"low": 0.03, "high": 0.03}),
        ("triangular", {"low": 0.0, "mode": 0.04, "high": 0.08}),
        ("triangular", {"low": 0.0, "mode": 0.0, "high": 0.08}),
        ("triangular", {"low": -0.02, "mode": 0.08, "high": 0.08}),
    ],
)
def test_uniform_and_triangular_draws_are_their_quantile_of_ndtr(kind, params):
    d = distribution(kind, **params)
    z = np.random.default_rng(1).standard_normal((9, _special._CHUNK // 4 + 1)) * 2
    assert z.size > 2 * _special._CHUNK  # chunks end mid-row
    expected = d.ppf(plain_ndtr(z))
    assert same_bits(d.from_normal(z), expected)
    inplace = z.copy()
    assert d.from_normal(inplace, out=inplace) is inplace and same_bits(inplace, expected)
    assert same_bits(d.from_normal(np.asfortranarray(z)), expected)


@pytest.mark.parametrize("seed", range(4))
def test_mix_is_einsum_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    m = rng.uniform(-1, 1, (4, 4))
    c = m @ m.T
    d = np.sqrt(np.diag(c))
    c = c / np.outer(d, d)
    c[0, 1:] = c[1:, 0] = 0.0  # an independent input: rows and columns of exact zeros
    f = _factor(c)
    z = rng.standard_normal((4, 9, 2_000))
    assert same_bits(mix(f, z), np.einsum("ij,jtp->itp", f, z))


@pytest.mark.parametrize("into", ["new arrays", "targets and scratch", "one target"])
def test_independent_normal_growths_are_numpys_normal_bit_for_bit(into):
    """However a block's independent normal growths are drawn (all in one call, into a chunk's
    rows or not), they are ``rng.normal(mean, sd)`` of each input in turn, from the same seed."""
    spec = UncertaintySpec(
        {
            "exports.growth": distribution("normal", mean=0.12, sd=0.05),
            "imports.growth": distribution("normal", mean=0.04, sd=0.03),
        }
    )
    years, width = 10, 1_000
    plain = _block_rng(7)
    expected = {
        "exports.growth": plain.normal(0.12, 0.05, (years, width)),
        "imports.growth": plain.normal(0.04, 0.03, (years, width)),
    }
    rows = np.full((2, years + 1, 3 * width), np.nan)  # rows of a larger buffer, as in simulate
    targets, scratch = {}, None
    if into != "new arrays":
        targets["exports.growth"] = rows[0, 1:, width : 2 * width]
    if into == "targets and scratch":
        targets["imports.growth"] = rows[1, 1:, width : 2 * width]
        scratch = np.empty(2 * years * width)
    got = _draw_block(spec, years, width, _block_rng(7), [None, None], targets, scratch)
    for name, want in expected.items():
        assert same_bits(got[name], want), name
        if name in targets:
            assert got[name] is targets[name]
    if targets:  # nothing written outside the block's columns
        assert np.isnan(rows[:, :, :width]).all() and np.isnan(rows[:, 0]).all()
