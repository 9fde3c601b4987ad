"""The specification of a Monte Carlo run: which inputs are uncertain, how they are correlated and
persist from year to year, how many paths, which seed and which percentiles.

The inputs are :data:`YEARLY` (a rate drawn for every projected year) and :data:`ONCE` (drawn once
per path); :class:`UncertaintySpec` checks everything up front, with messages naming the input, so
:mod:`metaltrade_xl.engine.montecarlo` can sample without further checks on the specification.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from metaltrade_xl.engine._validate import InputError
from metaltrade_xl.engine.distributions import Distribution
from metaltrade_xl.engine.inputs import INPUT_NAMES, INPUTS, ONCE, RATE, SHARE, START, YEARLY

DEFAULT_PERCENTILES = (5.0, 10.0, 50.0, 90.0, 95.0)


@dataclass(frozen=True)
class UncertaintySpec:
    """What is uncertain and how it is simulated.

    Attributes
    ----------
    inputs : mapping of input name (:data:`INPUT_NAMES`) -> Distribution
    correlation : tuple of (name, name, coefficient)
        Pairs not listed are independent. Both names must be yearly or both once-per-path.
    correlation_kind : ``"gaussian"`` (coefficients of the normal scores) or ``"rank"`` (Spearman)
    persistence : mapping of yearly input name -> rho in [0, 1]; 0 (default) = independent years
    paths : int, number of paths
    seed : int or None
    percentiles : tuple of float in [0, 100]
    """

    inputs: Mapping[str, Distribution]
    correlation: tuple[tuple[str, str, float], ...] = ()
    correlation_kind: str = "gaussian"
    persistence: Mapping[str, float] = field(default_factory=dict)
    paths: int = 10_000
    seed: int | None = None
    percentiles: tuple[float, ...] = DEFAULT_PERCENTILES

    def __post_init__(self):
        for name, dist in self.inputs.items():
            if name not in INPUT_NAMES:
                raise InputError(
                    f"{name}: not an uncertain input; expected one of {', '.join(INPUT_NAMES)}"
                )
            if not isinstance(dist, Distribution):
                raise InputError(f"{name}: expected a Distribution, got {dist!r}")
            lo, hi = dist.support

            # A lognormal never reaches its shift: its support is open below.
            def above(v, lo=lo, kind=dist.kind):
                return lo >= v if kind == "lognormal" else lo > v

            domain = INPUTS[name].domain
            if domain is RATE and not above(RATE.low):
                kinds = "truncnormal with low > -1, or a lognormal with shift -1"
                # Unbounded normals are allowed (the tail below -100 % is checked on the draws).
                if dist.kind != "normal":
                    raise InputError(
                        f"{name}: the distribution reaches rates <= -1 (-100 %); use {kinds}"
                    )
            if domain is START and not above(START.low) and dist.kind != "normal":
                raise InputError(
                    f"{name}: the distribution reaches values <= 0; start values must be > 0"
                )
            if domain is SHARE and (lo < SHARE.low or hi > SHARE.high):
                raise InputError(
                    f"{name}: a share must stay within [0, 1] but this {dist.kind} ranges over "
                    f"[{lo:g}, {hi:g}]; use uniform, triangular, pert or truncnormal with low/high"
                )
        if self.correlation_kind not in ("gaussian", "rank"):
            raise InputError(
                f"correlation_kind: expected 'gaussian' or 'rank', got {self.correlation_kind!r}"
            )
        seen = set()
        for item in self.correlation:
            if len(item) != 3:
                raise InputError(
                    f"correlation: expected [name, name, coefficient], got {list(item)!r}"
                )
            a, b, r = item
            for n in (a, b):
                if n not in self.inputs:
                    raise InputError(f"correlation: '{n}' is not an uncertain input of this spec")
            if a == b:
                raise InputError(f"correlation: '{a}' paired with itself")
            if (a in YEARLY) != (b in YEARLY):
                raise InputError(
                    f"correlation: '{a}' and '{b}': a yearly growth can only be correlated with "
                    "another yearly growth, a once-per-path input with another once-per-path input"
                )
            if isinstance(r, bool) or not isinstance(r, (int, float)) or not -1 <= r <= 1:
                raise InputError(
                    f"correlation: '{a}', '{b}': expected a coefficient in [-1, 1], got {r!r}"
                )
            if frozenset((a, b)) in seen:
                raise InputError(f"correlation: '{a}', '{b}' given twice")
            seen.add(frozenset((a, b)))
        for name, rho in self.persistence.items():
            if name not in YEARLY or name not in self.inputs:
                raise InputError(
                    f"persistence: {name}: expected an uncertain yearly growth "
                    f"({', '.join(YEARLY)})"
                )
            if isinstance(rho, bool) or not isinstance(rho, (int, float)) or not 0 <= rho <= 1:
                raise InputError(f"persistence: {name}: expected rho in [0, 1], got {rho!r}")
        if (
            isinstance(self.paths, bool)
            or not isinstance(self.paths, (int, np.integer))
            or self.paths < 1
        ):
            raise InputError(f"paths: expected a whole number >= 1, got {self.paths!r}")
        if self.seed is not None and (
            isinstance(self.seed, bool)
            or not isinstance(self.seed, (int, np.integer))
            or self.seed < 0
        ):
            raise InputError(f"seed: expected a whole number >= 0, got {self.seed!r}")
        check_percentiles(self.percentiles)
        for group in (self.yearly, self.once):
            self.correlation_matrix(group)  # PSD check up front

    @property
    def yearly(self) -> tuple[str, ...]:
        return tuple(n for n in YEARLY if n in self.inputs)

    @property
    def once(self) -> tuple[str, ...]:
        return tuple(n for n in ONCE if n in self.inputs)

    def correlation_matrix(self, names) -> np.ndarray:
        """Correlation of the normal scores of ``names``; an error if not positive semi-definite."""
        idx = {n: i for i, n in enumerate(names)}
        c = np.eye(len(names))
        for a, b, r in self.correlation:
            if a in idx and b in idx:
                r = 2 * math.sin(math.pi * r / 6) if self.correlation_kind == "rank" else float(r)
                c[idx[a], idx[b]] = c[idx[b], idx[a]] = r
        if len(names) > 1:
            low = float(np.linalg.eigvalsh(c).min())
            if low < -1e-10:
                raise InputError(
                    f"correlation: the matrix of {', '.join(names)} is not positive semi-definite "
                    f"(smallest eigenvalue {low:.3g}); these coefficients cannot hold together"
                )
        return c


def check_percentiles(levels) -> None:
    if not len(levels) or any(
        isinstance(q, bool) or not isinstance(q, (int, float)) or not 0 <= q <= 100 for q in levels
    ):
        raise InputError(f"percentiles: expected numbers between 0 and 100, got {list(levels)!r}")
