"""Drawing the uncertain inputs of a Monte Carlo run, block by block, from child generators.

Each block of :data:`BLOCK` paths has its own generator spawned from the parent in block order, so
the draws do not depend on how many threads run the blocks. A block's generator is numpy's
``SFC64`` (:data:`BIT_GENERATOR`): its normals take 20-30 % less time than those of ``PCG64``,
numpy's default, which drew the blocks before (seeded results from before that change differ),
and it needs no 128-bit multiply, which WebAssembly (xlwings Lite) lacks. The parent that hands
out the blocks' seeds is ``default_rng(seed)``.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from metaltrade_xl.engine._validate import InputError
from metaltrade_xl.engine.distributions import distribution  # noqa: F401  (doctest)
from metaltrade_xl.engine.inputs import INPUTS, START
from metaltrade_xl.engine.uncertainty_spec import UncertaintySpec

#: The bit generator of every block's draws (a statistically strong generator, BigCrush and
#: PractRand clean per numpy's documentation; changing it changes every seeded result).
BIT_GENERATOR = np.random.SFC64
#: Paths per block; each block has its own child generator (blocks keep the work in cache).
BLOCK = 4096


def _check_growth(name: str, g: np.ndarray) -> None:
    # ``not min > -1`` also catches NaN, so evaluate() need not check these draws again.
    if not g.min() > -1:
        bad = int(np.count_nonzero(~(g > -1)))
        raise InputError(
            f"{name}: {bad} of {g.size} draws fall at or below -1 (-100 %); narrow the "
            "distribution or use a truncnormal with low > -1"
        )


def _factor(c: np.ndarray) -> np.ndarray:
    """L with L @ L.T == c, also for singular PSD matrices (eigen-decomposition)."""
    w, v = np.linalg.eigh(c)
    return v * np.sqrt(np.clip(w, 0, None))


def _factors(spec: UncertaintySpec):
    """Copula factors of the yearly and the once-per-path inputs (None when independent)."""
    if not spec.correlation:  # no pair listed: both matrices are the identity
        return [None, None]
    out = []
    for names in (spec.yearly, spec.once):
        c = spec.correlation_matrix(names)
        out.append(None if np.array_equal(c, np.eye(len(names))) else _factor(c))
    return out


def _draw_block(
    spec: UncertaintySpec,
    n_years: int,
    width: int,
    rng: np.random.Generator,
    factors=None,
    targets: dict | None = None,
    scratch: np.ndarray | None = None,
) -> dict:
    """Draws of every uncertain input for one block of paths (see :func:`sample`).

    ``factors`` are :func:`_factors` of ``spec``, computed once per run rather than per block.
    ``targets``: input name -> array ``(n_years, width)`` (yearly) or ``(width,)`` (once) whose
    rows are each contiguous (rows of :func:`simulate`'s result buffers, or a chunk's columns);
    the draws of those inputs are written there (and returned as those arrays), so the model
    compounds them in place and a chunk's blocks need no joining. ``scratch``: at least
    ``len(spec.yearly) * n_years * width`` floats for the normal scores (drawn in one call,
    then scaled or mixed into ``targets``), reused from block to block (a fresh array the size of
    a block is a page fault per 4 KB).
    """
    factors = _factors(spec) if factors is None else factors
    out = {}
    yearly, once = spec.yearly, spec.once
    simple = (
        yearly
        and factors[0] is None
        and all(spec.inputs[n].kind == "normal" and not spec.persistence.get(n) for n in yearly)
    )
    if simple:
        # Independent normal years. Consumes the generator exactly as the general path below
        # does (same order, same count): every input's scores in one call (a C-order fill is
        # input by input, row by row, as one rng.normal per input draws them), then
        # mean + sd * z per element, as rng.normal computes it. One call instead of one per row matters on threads: each numpy call lets
        # go of the GIL and takes it back. Beside a second drawing thread (2 cores), a block
        # drawn row by row took 1.2-1.5x its time alone, drawn in one call 1.1-1.2x.
        want = [(targets or {}).get(name) for name in yearly]
        shape = (len(yearly), n_years, width)
        size = math.prod(shape)
        # the scratch is reused by the next block: only when every score goes into a target
        reuse = scratch is not None and all(t is not None for t in want)
        z = rng.standard_normal(out=(scratch[:size] if reuse else np.empty(size)).reshape(shape))
        for i, name in enumerate(yearly):
            d = spec.inputs[name]
            g = np.multiply(z[i], d["sd"], out=z[i] if want[i] is None else want[i])
            g += d["mean"]
            out[name] = g
            _check_growth(name, g)
    elif yearly:
        shape = (len(yearly), n_years, width)
        want = [(targets or {}).get(name) for name in yearly]
        f = factors[0]
        if f is None and all(t is not None for t in want):
            # The scores straight into the targets, row by row in the order one draw of
            # ``shape`` fills them (the same numbers).
            for t in want:
                for row in t:
                    rng.standard_normal(out=row)
            z = want
        else:
            size = math.prod(shape)
            buf = scratch.reshape(-1)[:size] if scratch is not None else np.empty(size)
            z = rng.standard_normal(out=buf.reshape(shape))
            if f is not None:
                z = mix(f, z, out=want)
            else:
                # (a score left in the scratch would be overwritten by the next block)
                keep = scratch is not None
                z = [_put(t, z[i]) if t is not None else z[i].copy() if keep else z[i]
                     for i, t in enumerate(want)]  # fmt: skip
        for i, name in enumerate(yearly):
            zi = z[i]
            persist(zi, float(spec.persistence.get(name, 0.0)))
            g = spec.inputs[name].from_normal(zi, out=zi)
            if want[i] is not None and g is not want[i]:  # a kind that maps to a new array
                g = _put(want[i], g)
            _check_growth(name, g)
            out[name] = g
    if once:
        z = rng.standard_normal((len(once), width))
        f = factors[1]
        if f is not None:
            z = f @ z
        for i, name in enumerate(once):
            v = spec.inputs[name].from_normal(z[i], out=z[i])
            if INPUTS[name].domain is START and v.min() <= START.low:
                raise InputError(f"{name}: some draws are <= 0; start values must be > 0")
            t = (targets or {}).get(name)
            out[name] = v if t is None else _put(t, v)
    return out


def _put(target: np.ndarray, values: np.ndarray) -> np.ndarray:
    target[...] = values
    return target


def mix(f: np.ndarray, z: np.ndarray, out=None):
    """``np.einsum("ij,j...->i...", f, z)`` bit for bit, in fewer passes: the products of each
    output are summed in order of ``j``, as einsum sums them (``0 + a`` is ``a``), skipping the
    factor's zeros (adding a zero product changes no number), and a row with a single 1 is a copy.

    Examples
    --------
    >>> f = np.array([[0.6, 0.0, 0.8], [0.0, 1.0, 0.0], [0.6, 0.0, -0.8]])
    >>> z = np.random.default_rng(0).standard_normal((3, 4, 5))
    >>> np.array_equal(mix(f, z), np.einsum("ij,jtp->itp", f, z))
    True
    """
    if out is None or all(o is None for o in out):
        out = np.empty((f.shape[0],) + z.shape[1:])
    else:  # a list of arrays, one per output (None: a new one)
        out = [np.empty(z.shape[1:]) if o is None else o for o in out]
    for i, row in enumerate(f):
        terms = [(float(c), j) for j, c in enumerate(row) if c != 0.0]
        if len(terms) == 1 and terms[0][0] == 1.0:
            out[i][...] = z[terms[0][1]]
            continue
        if not terms:
            out[i][...] = 0.0
            continue
        c, j = terms[0]
        np.multiply(z[j], c, out=out[i])
        for c, j in terms[1:]:
            out[i] += z[j] * c
    return out


def persist(z: np.ndarray, rho: float) -> np.ndarray:
    """Make independent yearly normal scores ``z`` (years first) AR(1) with coefficient ``rho``,
    in place, keeping each year standard normal: ``rho = 1`` repeats the first year."""
    if rho == 1.0:
        z[1:] = z[0]
    elif rho > 0.0:
        s = math.sqrt(1.0 - rho * rho)
        z[1:] *= s
        for t in range(1, z.shape[0]):  # a recursion over ~10 years; vectorised over paths
            z[t] += rho * z[t - 1]
    return z


def _child_seeds(rng: np.random.Generator, n_paths: int):
    """The blocks ``(first, end)`` and the seed of each block's generator, in block order."""
    blocks = [(a, min(a + BLOCK, n_paths)) for a in range(0, n_paths, BLOCK)]
    return blocks, rng.integers(0, 2**63 - 1, size=len(blocks), dtype=np.int64).tolist()


@functools.lru_cache(maxsize=64)
def _seeded_child_seeds(seed: int, n_paths: int):
    """:func:`_child_seeds` of a fresh ``default_rng(seed)``: the same seeds (as
    ``numpy.random.SeedSequence``), computed once per seed and run size (seeding a generator
    costs ~25 us; an ``MT_MONTECARLO`` cell recalculated with the same seed asks again and
    again)."""
    blocks, seeds = _child_seeds(np.random.default_rng(seed), n_paths)
    # As seed sequences: a block's generator made from one skips hashing the seed again
    # (``BIT_GENERATOR(SeedSequence(s))`` is ``BIT_GENERATOR(s)``, the same stream).
    return tuple(blocks), tuple(np.random.SeedSequence(s) for s in seeds)


def _fixed_seed(rng, seed, spec: UncertaintySpec) -> int | None:
    """The seed a run's generator would be made from, when it is one (no ``rng`` given; ``seed``,
    else ``spec.seed``, a whole number >= 0), so its block seeds can come from
    :func:`_seeded_child_seeds`; None otherwise (use :func:`_rng`)."""
    if rng is not None:
        return None
    seed = spec.seed if seed is None else seed
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0:
        return int(seed)
    return None


def _block_rng(seed) -> np.random.Generator:
    """A block's generator from its seed (an int or a ``SeedSequence``)."""
    return np.random.Generator(BIT_GENERATOR(seed))


def _child_generators(rng: np.random.Generator, n_paths: int):
    blocks, seeds = _child_seeds(rng, n_paths)
    return blocks, [_block_rng(s) for s in seeds]


def _rng(rng, seed, spec) -> np.random.Generator:
    if rng is not None:
        if not isinstance(rng, np.random.Generator):
            raise InputError(f"rng: expected a numpy.random.Generator, got {type(rng).__name__}")
        return rng
    if seed is None:
        seed = spec.seed
    return np.random.default_rng(seed if seed is not None else None)


def sample(spec: UncertaintySpec, n_years: int, n_paths: int, rng: np.random.Generator) -> dict:
    """Draws of every uncertain input: yearly growths ``(n_years, n_paths)``, others ``(n_paths,)``.

    Examples
    --------
    >>> spec = UncertaintySpec({"exports.growth": distribution("uniform", low=0, high=0.2)})
    >>> d = sample(spec, 10, 1000, np.random.default_rng(0))
    >>> d["exports.growth"].shape, bool((d["exports.growth"] <= 0.2).all())
    ((10, 1000), True)
    """
    blocks, gens = _child_generators(rng, n_paths)
    factors = _factors(spec)
    parts = [
        _draw_block(spec, n_years, b - a, g, factors)
        for (a, b), g in zip(blocks, gens, strict=True)
    ]
    return {k: np.concatenate([p[k] for p in parts], axis=-1) for k in parts[0]}
