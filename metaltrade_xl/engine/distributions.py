"""Marginal distributions of uncertain inputs: kinds, validated parameters, quantile functions.

A :class:`Distribution` maps a uniform share ``u`` (:meth:`Distribution.ppf`) or a standard normal
score (:meth:`Distribution.from_normal`) to a value, monotonically, which is what the Gaussian
copula of :mod:`metaltrade_xl.engine.montecarlo` needs. Build one with :func:`distribution`; bad
parameters raise :class:`~metaltrade_xl.engine._validate.InputError` naming the input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from metaltrade_xl.engine import _special
from metaltrade_xl.engine._validate import InputError

_PARAMS = {
    "normal": (("mean", "sd"), {}),
    "truncnormal": (("mean", "sd"), {"low": -math.inf, "high": math.inf}),
    "uniform": (("low", "high"), {}),
    "triangular": (("low", "mode", "high"), {}),
    "pert": (("low", "mode", "high"), {"lamb": 4.0}),
    "lognormal": (("median", "sigma"), {"shift": 0.0}),
}
DISTRIBUTIONS = tuple(_PARAMS)


@dataclass(frozen=True)
class Distribution:
    """A validated marginal distribution; build it with :func:`distribution`.

    Kinds and parameters: ``normal(mean, sd)``; ``truncnormal(mean, sd, low=-inf, high=inf)``
    (a normal cut to ``[low, high]``); ``uniform(low, high)``; ``triangular(low, mode, high)``;
    ``pert(low, mode, high, lamb=4)`` (beta-PERT); ``lognormal(median, sigma, shift=0)``:
    ``shift + (median - shift) * exp(sigma * Z)``, so a growth rate with ``shift = -1`` has a
    lognormal ``1 + g`` and the given median. A spread of 0 (``sd``, ``sigma``, ``low == high``)
    is allowed and gives a constant.
    """

    kind: str
    params: tuple[tuple[str, float], ...]

    def __getitem__(self, key: str) -> float:
        return dict(self.params)[key]

    @property
    def support(self) -> tuple[float, float]:
        """Smallest and largest possible values (may be infinite)."""
        p = dict(self.params)
        if self.kind == "normal":
            return (-math.inf, math.inf) if p["sd"] > 0 else (p["mean"], p["mean"])
        if self.kind == "truncnormal":
            return (p["low"], p["high"]) if p["sd"] > 0 else (p["mean"], p["mean"])
        if self.kind == "lognormal":
            return (p["shift"], math.inf) if p["sigma"] > 0 else (p["median"], p["median"])
        return (p["low"], p["high"])

    def ppf(self, u):
        """Quantile function: the value below which a share ``u`` (in (0, 1)) of draws fall."""
        u = np.asarray(u, dtype=float)
        return self._from_uniform(u, None)

    def median(self) -> float:
        return float(self.ppf(0.5))

    def from_normal(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Map standard normal scores to this distribution (monotone; ``out`` may be ``z``)."""
        p = dict(self.params)
        if self.kind == "normal":
            out = np.multiply(z, p["sd"], out=out)
            return np.add(out, p["mean"], out=out)
        if self.kind == "lognormal":
            out = np.multiply(z, p["sigma"], out=out)
            np.exp(out, out=out)
            np.multiply(out, p["median"] - p["shift"], out=out)
            return np.add(out, p["shift"], out=out)
        if self.kind == "pert" and p["high"] > p["low"]:
            # the copula map z -> quantile(ndtr(z)), tabulated once per distribution
            lo, hi = p["low"], p["high"]
            alpha, beta = self._pert_shape()
            x = _special.beta_from_normal(z, alpha, beta, out=out)
            np.multiply(x, hi - lo, out=x)
            np.add(x, lo, out=x)
            return np.clip(x, lo, hi, out=x)  # rounding must never leave the support
        if self.kind in ("uniform", "triangular") and isinstance(z, np.ndarray) and z.ndim:
            return self._uniform_or_triangular(z, out)
        return self._from_uniform(_special.ndtr(z), z)

    def _uniform_or_triangular(self, z: np.ndarray, out: np.ndarray | None) -> np.ndarray:
        """:meth:`_from_uniform` of ``ndtr(z)``, bit for bit (the same operations on each element,
        in the same order), a cache-sized chunk at a time and in place: on the 900 000 yearly
        draws of a run, temporaries the size of the draws cost more than the arithmetic."""
        p = dict(self.params)
        lo, hi = p["low"], p["high"]
        # Columns of a buffer are copied in and out: chunks as long as a row or two cost more
        # in calls than the copies.
        src = np.ascontiguousarray(z).reshape(-1)
        res = np.empty(z.shape) if out is None else out
        direct = res.flags.c_contiguous
        dst = res.reshape(-1) if direct else np.empty(src.size)
        u = np.empty(min(_special._CHUNK, src.size))
        a = np.empty_like(u)
        for start in range(0, src.size, _special._CHUNK):
            zc = src[start : start + _special._CHUNK]
            uc, ac = u[: zc.size], a[: zc.size]
            _special._ndtr(zc, uc)
            if self.kind == "uniform":
                np.multiply(uc, hi - lo, out=uc)  # lo + (hi - lo) * u
                np.add(uc, lo, out=uc)
            elif hi - lo == 0:
                uc.fill(lo)
            else:
                mode, w = p["mode"], hi - lo
                left = np.less(uc, (mode - lo) / w)
                np.multiply(uc, w, out=ac)  # left: lo + sqrt(u * w * (mode - lo))
                np.multiply(ac, mode - lo, out=ac)
                np.sqrt(ac, out=ac)
                np.add(ac, lo, out=ac)
                np.subtract(1.0, uc, out=uc)  # right: hi - sqrt((1 - u) * w * (hi - mode))
                np.multiply(uc, w, out=uc)
                np.multiply(uc, hi - mode, out=uc)
                np.sqrt(uc, out=uc)
                np.subtract(hi, uc, out=uc)
                # where(u < c, left, right) by bits: a where= mask of random values costs a
                # branch per element
                ub, ab = uc.view(np.int64), ac.view(np.int64)
                ab ^= ub
                ab &= -(left.astype(np.int64))
                ub ^= ab
            np.clip(uc, lo, hi, out=dst[start : start + zc.size])  # never leave the support
        if not direct:
            res[...] = dst.reshape(z.shape)
        return res

    def _pert_shape(self) -> tuple[float, float]:
        """The Beta(alpha, beta) of a PERT, both in [1, 1 + lamb]."""
        p = dict(self.params)
        w = p["high"] - p["low"]
        return 1 + p["lamb"] * (p["mode"] - p["low"]) / w, 1 + p["lamb"] * (
            p["high"] - p["mode"]
        ) / w

    def _from_uniform(self, u, z):
        p = dict(self.params)
        k = self.kind
        if k == "normal":
            return p["mean"] + p["sd"] * _special.ndtri(u)
        if k == "lognormal":
            z = _special.ndtri(u)
            return p["shift"] + (p["median"] - p["shift"]) * np.exp(p["sigma"] * z)
        if k == "truncnormal":
            if p["sd"] == 0:
                return np.full(np.shape(u), p["mean"])
            a, b = (p["low"] - p["mean"]) / p["sd"], (p["high"] - p["mean"]) / p["sd"]
            from scipy import stats  # on first use (the heaviest scipy import)

            x = stats.truncnorm.ppf(u, a, b, loc=p["mean"], scale=p["sd"])
        elif k == "uniform":
            x = p["low"] + (p["high"] - p["low"]) * u
        elif k == "triangular":
            lo, mode, hi = p["low"], p["mode"], p["high"]
            w = hi - lo
            if w == 0:
                return np.full(np.shape(u), lo)
            c = (mode - lo) / w
            left = lo + np.sqrt(u * w * (mode - lo))
            right = hi - np.sqrt((1 - u) * w * (hi - mode))
            x = np.where(u < c, left, right)
        else:  # pert
            lo, mode, hi = p["low"], p["mode"], p["high"]
            w = hi - lo
            if w == 0:
                return np.full(np.shape(u), lo)
            alpha, beta = self._pert_shape()
            x = lo + w * _special.beta_ppf(u, alpha, beta)
        lo, hi = self.support
        return np.clip(x, lo, hi)  # rounding must never leave the support

    def sample(self, rng: np.random.Generator, size) -> np.ndarray:
        """``size`` independent draws using ``rng``."""
        return self.from_normal(rng.standard_normal(size))


def distribution(kind: str, name: str = "distribution", **params) -> Distribution:
    """A validated :class:`Distribution`; errors name ``name`` (the input it is for).

    Examples
    --------
    >>> distribution("triangular", low=0.0, mode=0.04, high=0.08).support
    (0.0, 0.08)
    >>> round(distribution("pert", low=0, mode=0.1, high=0.4).median(), 4)  # 0.4 x Beta(2, 4)
    0.1255
    >>> distribution("normal", "exports.growth", mean=0.12, sd=-0.05)
    Traceback (most recent call last):
    ...
    metaltrade_xl.engine._validate.InputError: exports.growth: normal: expected sd >= 0, got -0.05
    """
    if kind not in _PARAMS:
        raise InputError(
            f"{name}: unknown distribution {kind!r}; expected one of {', '.join(DISTRIBUTIONS)}"
        )
    required, optional = _PARAMS[kind]
    unknown = sorted(set(params) - set(required) - set(optional))
    if unknown:
        allowed = ", ".join(required + tuple(optional))
        raise InputError(f"{name}: {kind}: unknown parameter '{unknown[0]}'; expected {allowed}")
    missing = [r for r in required if r not in params]
    if missing:
        raise InputError(f"{name}: {kind}: missing parameter '{missing[0]}'")
    p = dict(optional)
    for key, value in params.items():
        inf_ok = kind == "truncnormal" and key in ("low", "high")
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
            raise InputError(f"{name}: {kind}: expected a number for {key}, got {value!r}")
        value = float(value)
        if math.isnan(value) or (math.isinf(value) and not inf_ok):
            raise InputError(f"{name}: {kind}: expected a finite number for {key}, got {value}")
        p[key] = value

    def need(ok: bool, message: str) -> None:
        if not ok:
            raise InputError(f"{name}: {kind}: {message}")

    if kind in ("normal", "truncnormal"):
        need(p["sd"] >= 0, f"expected sd >= 0, got {p['sd']:g}")
    if kind == "truncnormal":
        need(p["low"] < p["high"], f"expected low < high, got low {p['low']:g}, high {p['high']:g}")
        need(
            p["low"] <= p["mean"] <= p["high"],
            f"expected low <= mean <= high, got {p['low']:g}, {p['mean']:g}, {p['high']:g}",
        )
    if kind == "uniform":
        need(
            p["low"] <= p["high"], f"expected low <= high, got low {p['low']:g}, high {p['high']:g}"
        )
    if kind in ("triangular", "pert"):
        need(
            p["low"] <= p["mode"] <= p["high"],
            f"expected low <= mode <= high, got {p['low']:g}, {p['mode']:g}, {p['high']:g}",
        )
    if kind == "pert":
        need(p["lamb"] > 0, f"expected lamb > 0, got {p['lamb']:g}")
    if kind == "lognormal":
        need(p["sigma"] >= 0, f"expected sigma >= 0, got {p['sigma']:g}")
        need(
            p["median"] > p["shift"],
            f"expected median > shift (the lowest value), got median {p['median']:g}, "
            f"shift {p['shift']:g}",
        )
    order = required + tuple(optional)
    return Distribution(kind, tuple((k, p[k]) for k in order))
