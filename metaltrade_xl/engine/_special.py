"""The few special functions the distributions need, in numpy, so that a run does not import scipy.

Importing ``scipy.special`` cost ~0.3 s of every ``metaltrade run`` (and of every workbook open in
xlwings Lite), and its ``betaincinv`` ~0.3 s more for the 150 000 PERT draws of the bundled
uncertain scenario. Here:

- :func:`ndtr`, the standard normal CDF (Hart's double-precision algorithm, as given by West
  (2005), "Better approximations to cumulative normal functions"): within 2.3e-16 of
  ``scipy.special.ndtr`` everywhere;
- :func:`ndtri`, its inverse (``statistics.NormalDist.inv_cdf``, Wichura's AS 241);
- :func:`beta_cdf` and :func:`beta_ppf`, the regularised incomplete beta function (Lentz's
  continued fraction) and its inverse (Newton's method kept inside a bracket), to ~1e-14;
- :class:`BetaFromNormal`, the map ``z -> beta_ppf(ndtr(z))`` the Gaussian copula needs,
  tabulated once per distribution on a grid of ``z`` with its exact slope and evaluated by cubic
  Hermite interpolation: within 1e-9 of the exact map for ``alpha, beta`` in [1, 11] (the
  interpolation error is ~h^4 / 384 times the fourth derivative, h = 1/64), monotone, and at
  beyond the table's ends (|z| > 8.5, probability 2e-17) the ends of the support.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

_SQRT_2PI = math.sqrt(2 * math.pi)


def ndtr(z) -> np.ndarray:
    """Standard normal CDF, elementwise.

    Examples
    --------
    >>> [round(float(v), 12) for v in ndtr([-1.0, 0.0, 1.959963984540054])]
    [0.158655253931, 0.5, 0.975]
    """
    z = np.asarray(z, dtype=float)
    flat = z.ravel()
    out = np.empty_like(flat)
    for a in range(0, flat.size, _CHUNK):  # chunks that stay near the core: ~20 passes each
        _ndtr(flat[a : a + _CHUNK], out[a : a + _CHUNK])
    out = out.reshape(z.shape)
    return out if out.ndim else out[()]


#: Values per chunk of :func:`ndtr` and of the uniform / triangular maps (a block's draws of 16
#: years). Each of a chunk's ~20 numpy calls lets go of the GIL and takes it back; on two
#: threads those hand-offs cost more than a chunk falling out of the fastest cache: paired, the
#: bundled uncertain scenario's simulate took 0.70-0.75x the time with 40 960 or more than with
#: 8 192 on two threads, and 0.97x on one.
_CHUNK = 65_536
# Hart's coefficients (West 2005): numerator a0..a6 and denominator b0..b7, highest power first;
# as columns for the two-row Horner of _ndtr.
_A = (3.52624965998911e-02, 0.700383064443688, 6.37396220353165, 33.912866078383,
      112.079291497871, 221.213596169931, 220.206867912376)  # fmt: skip
_B = (8.83883476483184e-02, 1.75566716318264, 16.064177579207, 86.7807322029461,
      296.564248779674, 637.333633378831, 793.826512519948, 440.413735824752)  # fmt: skip
_PQ0 = np.array([[0.0], [_B[0]]])
_PQ_STEPS = [np.array([[_A[k]], [_B[k + 1]]]) for k in range(6)]
_PQ_LAST = np.array([[_A[6]], [_B[7]]])


def _ndtr(z: np.ndarray, out: np.ndarray) -> None:
    x = np.abs(z)
    # Both polynomials by Horner at once, as the rows of one array (half the ufunc calls): the
    # numerator's row starts from 0 (0 * x + a0 = a0 exactly), so that both take six steps;
    # every element sees the same operations, in the same order, as two separate loops.
    pq = x * _PQ0
    for c in _PQ_STEPS:
        pq += c
        pq *= x
    pq += _PQ_LAST
    p, q = pq
    e = np.multiply(x, x, out=out)
    e *= -0.5
    np.exp(e, out=e)
    far = x >= 7.07106781186547
    e_far = e[far] if far.any() else None
    e *= p
    e /= q
    if e_far is not None:  # far out, the continued fraction (P(|Z| > 7.07) = 2e-12)
        xf = x[far]
        e[far] = e_far / (xf + 1 / (xf + 2 / (xf + 3 / (xf + 4 / (xf + 0.65))))) / _SQRT_2PI
        e[x > 37.5] = 0.0
    # 1 - e where z > 0, chosen bit by bit: a ufunc with a where= mask of random signs costs
    # more than the rest of this function (a branch per element).
    flip = np.subtract(1.0, e, out=x)  # x is not needed any more
    bits, fb = e.view(np.int64), flip.view(np.int64)
    fb ^= bits
    fb &= -(np.greater(z, 0).astype(np.int64))  # all ones where z > 0, else 0
    bits ^= fb


def ndtri(u) -> np.ndarray:
    """Inverse of :func:`ndtr`, elementwise: -inf at 0, inf at 1, NaN outside [0, 1]."""
    u = np.asarray(u, dtype=float)
    inv = _inv_cdf()
    flat = [
        inv(v) if 0.0 < v < 1.0 else -math.inf if v == 0 else math.inf if v == 1 else math.nan
        for v in u.ravel().tolist()
    ]  # fmt: skip
    return np.array(flat, dtype=float).reshape(u.shape)


def _inv_cdf():
    """``statistics.NormalDist().inv_cdf`` for 0 < p < 1: the C function it calls where CPython
    has it (importing ``statistics`` costs ~10 ms, for ``fractions``), else the module's."""
    try:
        from _statistics import _normal_dist_inv_cdf
    except ImportError:  # another Python (Pyodide builds may lack it): the same function
        from statistics import NormalDist

        return NormalDist().inv_cdf
    return lambda p: _normal_dist_inv_cdf(p, 0.0, 1.0)


def _log_beta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def _cf(a: float, b: float, x: np.ndarray) -> np.ndarray:
    """Continued fraction of the incomplete beta function (modified Lentz), for
    ``x < (a + 1) / (a + b + 2)``, where it converges fast."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = np.ones_like(x)
    d = 1.0 - qab * x / qap
    d = 1.0 / np.where(np.abs(d) < tiny, tiny, d)
    h = d.copy()
    for m in range(1, 1000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / np.where(np.abs(d) < tiny, tiny, d)
        c = 1.0 + aa / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / np.where(np.abs(d) < tiny, tiny, d)
        c = 1.0 + aa / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        step = d * c
        h *= step
        if np.all(np.abs(step - 1.0) < 1e-15):
            break
    return h


def beta_cdf(x, a: float, b: float, *, upper: bool = False) -> np.ndarray:
    """Regularised incomplete beta ``I_x(a, b)`` (``upper``: ``1 - I_x``, computed directly so
    that it keeps its digits near ``x = 1``).

    Examples
    --------
    >>> round(float(beta_cdf(0.5, 2.0, 4.0)), 12)  # 1 - (1 - x)^4 (1 + 4x) at x = 1/2
    0.8125
    """
    x = np.clip(np.asarray(x, dtype=float), 0.0, 1.0)
    out = np.zeros_like(x)
    inside = (x > 0) & (x < 1)
    xi = x[inside]
    with np.errstate(divide="ignore"):
        front = np.exp(a * np.log(xi) + b * np.log1p(-xi) - _log_beta(a, b))
    low = xi < (a + 1.0) / (a + b + 2.0)  # where each side's fraction converges fast
    near = np.empty_like(xi)  # the side computed directly, which keeps its digits
    near[low] = front[low] * _cf(a, b, xi[low]) / a
    near[~low] = front[~low] * _cf(b, a, 1.0 - xi[~low]) / b
    mine = low if not upper else ~low
    out[inside] = np.where(mine, near, 1.0 - near)
    if upper:
        out[x <= 0] = 1.0
    else:
        out[x >= 1] = 1.0
    return out


def beta_pdf(x, a: float, b: float) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        logf = (a - 1) * np.log(x) + (b - 1) * np.log1p(-x) - _log_beta(a, b)
    return np.exp(np.where((x > 0) & (x < 1), logf, -np.inf)) if a > 1 or b > 1 else np.ones_like(x)


def _solve(target, a: float, b: float, upper: bool) -> np.ndarray:
    """x with ``beta_cdf(x, a, b, upper=upper) == target`` (target in (0, 1)), by Newton's method
    inside a bracket that bisection keeps valid."""
    target = np.asarray(target, dtype=float)
    # start: the power law of the tail the target is in, which is exact as x -> 0 (or 1)
    lb = _log_beta(a, b)
    if upper:
        x = 1.0 - np.exp((np.log(target * b) + lb) / b)
    else:
        x = np.exp((np.log(target * a) + lb) / a)
    x = np.clip(np.where(np.isfinite(x), x, 0.5), 1e-300, 1 - 1e-16)
    lo, hi = np.zeros_like(x), np.ones_like(x)
    sign = -1.0 if upper else 1.0  # the upper tail falls with x
    for _ in range(60):
        f = beta_cdf(x, a, b, upper=upper) - target
        below = sign * f < 0
        lo = np.where(below, x, lo)
        hi = np.where(below, hi, x)
        slope = sign * beta_pdf(x, a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(f == 0, x, x - f / slope)
        bad = ~np.isfinite(step) | (step < lo) | (step > hi)
        new = np.where(bad, 0.5 * (lo + hi), step)
        done = np.abs(new - x) <= 1e-14 * np.maximum(x, 1e-300) + 1e-300  # noise of the CDF
        x = new
        if done.all():
            break
    return x


def beta_ppf(u, a: float, b: float) -> np.ndarray:
    """Quantile of Beta(a, b) at ``u`` in [0, 1], for ``a, b >= 1``.

    Examples
    --------
    >>> round(float(beta_ppf(0.8125, 2.0, 4.0)), 12)
    0.5
    """
    u = np.asarray(u, dtype=float)
    out = np.where(u <= 0, 0.0, np.where(u >= 1, 1.0, np.nan))
    low = (u > 0) & (u <= 0.5)
    high = (u > 0.5) & (u < 1)
    if low.any():
        out[low] = _solve(u[low], a, b, upper=False)
    if high.any():
        out[high] = _solve(1.0 - u[high], a, b, upper=True)
    return out


#: Grid of the tabulated copula map: step and reach in z.
_H, _REACH = 1.0 / 64, 8.5


@lru_cache(maxsize=64)
def _table(a: float, b: float):
    z = np.arange(-_REACH, _REACH + _H / 2, _H)
    below = z <= 0
    x = np.empty_like(z)
    tail = np.array([math.erfc(abs(v) / math.sqrt(2)) / 2 for v in z])  # P(Z < -|z|), exactly
    x[below] = _solve(tail[below], a, b, upper=False)
    x[~below] = _solve(tail[~below], a, b, upper=True)
    x = np.maximum.accumulate(x)  # monotone to the last bit
    density = np.exp(-0.5 * z * z) / _SQRT_2PI
    pdf = beta_pdf(np.clip(x, 1e-300, 1 - 2**-53), a, b)  # x rounded to 1: the pdf next to it
    m = density / np.maximum(pdf, 1e-300) * _H  # slopes per step of the grid
    # Fritsch-Carlson: scale slopes so that every cell is monotone (no change where smooth)
    step = np.diff(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.hypot(m[:-1], m[1:]) / step
        tau = np.where(step > 0, np.minimum(1.0, 3.0 / r), 0.0)
    tau = np.nan_to_num(tau, nan=0.0)
    m = m * np.minimum(np.append(tau, 1.0), np.insert(tau, 0, 1.0))
    return z[0], x, m


def beta_from_normal(z: np.ndarray, a: float, b: float, out: np.ndarray | None = None):
    """``beta_ppf(ndtr(z), a, b)`` by cubic Hermite interpolation of a table made once per
    ``(a, b)`` (see the module docstring for its accuracy); ``out`` may be ``z``."""
    z0, x, m = _table(float(a), float(b))
    z = np.asarray(z, dtype=float)
    t = (z - z0) * (1 / _H)
    beyond = (t < 0) | (t > len(x) - 1)  # |z| > 8.5: the support's ends, as ndtr's 0 and 1 give
    np.clip(t, 0.0, len(x) - 1.0, out=t)
    i = np.minimum(t.astype(np.intp), len(x) - 2)
    t -= i
    t2 = t * t
    t3 = t2 * t
    h01 = 3 * t2 - 2 * t3
    y = x[i] * (1 - h01) + x[i + 1] * h01 + m[i] * (t3 - 2 * t2 + t) + m[i + 1] * (t3 - t2)
    np.clip(y, x[i], x[i + 1], out=y)  # rounding must not step out of the cell
    if beyond.any():
        y[beyond] = np.where(z[beyond] < 0, 0.0, 1.0)
    if out is None:
        return y
    out[...] = y
    return out
