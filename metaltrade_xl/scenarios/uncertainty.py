"""The ``[uncertainty]`` section of a scenario file -> a validated :class:`UncertaintySpec`.

::

    [uncertainty]
    paths = 100000
    seed = 20260126                 # 0 is a seed; omit for fresh randomness every run
    percentiles = [5, 10, 50, 90, 95]   # optional (the default)
    exports.growth = { dist = "normal", mean = 0.12, sd = 0.05 }
    imports.growth = { dist = "triangular", low = 0.00, mode = 0.04, high = 0.08 }
    rival.growth   = { dist = "uniform", low = 0.01, high = 0.05 }
    substitution.share = { dist = "pert", low = 0.05, mode = 0.10, high = 0.20 }
    correlation = [["exports.growth", "imports.growth", 0.3]]
    correlation_kind = "gaussian"   # or "rank" (Spearman coefficients)
    persistence = { "exports.growth" = 0.6 }   # AR(1) rho of the yearly draws; 0 = independent

Distributions (``dist``): normal (mean, sd), truncnormal (mean, sd, low, high), uniform (low,
high), triangular (low, mode, high), pert (low, mode, high, lamb = 4), lognormal (median, sigma,
shift = 0). Every error names the file, the key and what was expected.
"""

from __future__ import annotations

from collections.abc import Mapping

from metaltrade_xl.engine._validate import InputError
from metaltrade_xl.engine.inputs import INPUT_NAMES, INPUTS
from metaltrade_xl.engine.montecarlo import (
    DEFAULT_PERCENTILES,
    DISTRIBUTIONS,
    UncertaintySpec,
    distribution,
)
from metaltrade_xl.scenarios.errors import ScenarioError

_SETTINGS = ("paths", "seed", "percentiles", "correlation", "correlation_kind", "persistence")
#: Paths a scenario file may ask for: 2 000 000 paths over 11 years keep every outcome in about
#: 1 GB; more buys little precision (the standard error of a probability is at most 0.00035).
MAX_PATHS = 2_000_000


def _error(source: str, key: str, message: str) -> Exception:
    return ScenarioError(f"{source}: {key}: {message}")


def _flatten(table: Mapping, prefix: str = "") -> dict:
    """``{"exports": {"growth": {...}}}`` and ``{"exports.growth": {...}}`` both -> dotted keys."""
    out = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if (
            isinstance(value, Mapping)
            and "dist" not in value
            and name not in INPUT_NAMES + ("persistence",)
        ):
            out.update(_flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


def parse_uncertainty(table: Mapping, source: str = "scenario", scenario=None) -> UncertaintySpec:
    """Validate a parsed ``[uncertainty]`` table into an :class:`UncertaintySpec`.

    Parameters
    ----------
    table : mapping, as parsed from TOML
    source : str
        Names the file or scenario in error messages.
    scenario : Scenario, optional
        When given, inputs are checked against it (a substitution share needs a [substitution]).

    Examples
    --------
    >>> spec = parse_uncertainty({"paths": 1000, "seed": 0,
    ...     "exports": {"growth": {"dist": "normal", "mean": 0.12, "sd": 0.05}},
    ...     "correlation": []}, "demo.toml")
    >>> spec.paths, spec.seed, spec.inputs["exports.growth"].kind
    (1000, 0, 'normal')
    >>> parse_uncertainty({"exports": {"growth": {"dist": "normal", "mean": 0.1}}}, "demo.toml")
    Traceback (most recent call last):
    ...
    metaltrade_xl.scenarios.ScenarioError: demo.toml: uncertainty.exports.growth: normal: missing parameter 'sd'
    """
    if not isinstance(table, Mapping):
        raise _error(
            source, "uncertainty", f"expected a table [uncertainty], got {type(table).__name__}"
        )
    flat = _flatten(table)
    settings = {k: flat.pop(k) for k in list(flat) if k in _SETTINGS}
    persistence_raw = settings.get("persistence", {})
    inputs = {}
    for key, value in flat.items():
        where = f"uncertainty.{key}"
        if key not in INPUT_NAMES:
            import difflib

            close = difflib.get_close_matches(key, list(INPUT_NAMES) + list(_SETTINGS), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise _error(source, where, f"unknown key in [uncertainty]{hint}")
        if not isinstance(value, Mapping):
            raise _error(
                source,
                where,
                'expected a table like { dist = "normal", mean = 0.1, sd = 0.05 }, '
                f"got {value!r}",
            )
        params = dict(value)
        kind = params.pop("dist", None)
        if not isinstance(kind, str):
            raise _error(source, where, f"missing 'dist' (one of {', '.join(DISTRIBUTIONS)})")
        try:
            inputs[key] = distribution(kind.strip().lower(), where, **params)
        except InputError as exc:
            raise _error(source, where, str(exc).removeprefix(f"{where}: ")) from None
        if (
            scenario is not None
            and INPUTS[key].section == "substitution"
            and scenario.substitution is None
        ):
            raise _error(source, where, "the scenario has no [substitution] section to vary")
    if not inputs:
        raise _error(source, "uncertainty", "no uncertain input given (e.g. exports.growth)")

    def whole(key, low, high):
        v = settings[key]
        if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
            raise _error(
                source, f"uncertainty.{key}", f"expected a whole number {low}-{high}, got {v!r}"
            )
        return v

    paths = whole("paths", 1, MAX_PATHS) if "paths" in settings else 10_000
    seed = whole("seed", 0, 2**63 - 1) if "seed" in settings else None
    levels = settings.get("percentiles", DEFAULT_PERCENTILES)
    if (
        not isinstance(levels, list | tuple)
        or not levels
        or any(
            isinstance(q, bool) or not isinstance(q, int | float) or not 0 <= q <= 100
            for q in levels
        )
    ):
        raise _error(
            source, "uncertainty.percentiles", f"expected a list of numbers 0-100, got {levels!r}"
        )
    corr = settings.get("correlation", [])
    if not isinstance(corr, list | tuple):
        raise _error(
            source, "uncertainty.correlation", f"expected a list of [name, name, rho], got {corr!r}"
        )
    pairs = []
    for i, item in enumerate(corr):
        key = f"uncertainty.correlation[{i}]"
        if (
            not isinstance(item, list | tuple)
            or len(item) != 3
            or not all(isinstance(n, str) for n in item[:2])
        ):
            raise _error(source, key, f'expected ["name", "name", coefficient], got {item!r}')
        pairs.append((item[0].strip(), item[1].strip(), item[2]))
    if not isinstance(persistence_raw, Mapping):
        raise _error(
            source,
            "uncertainty.persistence",
            f"expected a table of name = rho, got {persistence_raw!r}",
        )
    persistence = _flatten(persistence_raw)
    kind = settings.get("correlation_kind", "gaussian")
    try:
        return UncertaintySpec(
            inputs=inputs,
            correlation=tuple(pairs),
            correlation_kind=kind,
            persistence=persistence,
            paths=paths,
            seed=seed,
            percentiles=tuple(float(q) for q in levels),
        )
    except InputError as exc:
        raise _error(
            source, "uncertainty." + str(exc).split(":", 1)[0], str(exc).split(": ", 1)[-1]
        ) from None
