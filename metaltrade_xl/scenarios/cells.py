"""Scenarios typed in cells: ``(key, value)`` pairs with the TOML keys, and a whole sheet of them.

Keys are the dotted TOML keys (``exports.growth``, ``rival.start``, ``exports.growth.2025`` for a
yearly rate). The ``[uncertainty]`` section is typed as text::

    uncertainty.paths            10000
    uncertainty.seed             20260126
    uncertainty.exports.growth   normal(mean=0.2, sd=0.06)
    uncertainty.correlation      exports.growth, imports.growth, 0.3
    uncertainty.persistence.exports.growth   0.5
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from metaltrade_xl.data._cells import column_letter
from metaltrade_xl.engine.inputs import INPUTS
from metaltrade_xl.engine.montecarlo import DEFAULT_PERCENTILES
from metaltrade_xl.scenarios.errors import ScenarioError
from metaltrade_xl.scenarios.toml import Scenario, scenario_from_dict

#: Keys whose values are whole numbers (a sheet gives every number as a float).
_WHOLE = frozenset(("base_year", "horizon")) | {
    name for name, declared in INPUTS.items() if declared.domain.whole
}
_DIST = re.compile(r"^\s*([A-Za-z_]+)\s*\((.*)\)\s*$")


def _distribution_table(text: str, source: str, key: str) -> dict:
    """``normal(mean=0.2, sd=0.06)`` -> ``{"dist": "normal", "mean": 0.2, "sd": 0.06}``."""
    m = _DIST.match(text)
    if not m:
        raise ScenarioError(
            f"{source}: {key}: expected a distribution like normal(mean=0.1, sd=0.05), got {text!r}"
        )
    table: dict = {"dist": m.group(1).lower()}
    for part in filter(None, (p.strip() for p in m.group(2).split(","))):
        name, sep, value = part.partition("=")
        try:
            table[name.strip()] = float(value)
        except ValueError:
            raise ScenarioError(
                f"{source}: {key}: expected name=number in {text!r}, got {part!r}"
            ) from None
        if not sep:
            raise ScenarioError(f"{source}: {key}: expected name=number in {text!r}, got {part!r}")
    return table


def _uncertainty_value(key: str, value, source: str):
    """Cell text of the uncertainty section -> the value the TOML parser would have produced."""
    sub = key[len("uncertainty.") :]
    if sub in ("paths", "seed") and isinstance(value, float) and value.is_integer():
        return int(value)
    if sub == "correlation" and isinstance(value, str):
        rows = []
        for item in filter(None, (p.strip() for p in value.split(";"))):
            parts = [p.strip() for p in item.split(",")]
            if len(parts) != 3:
                raise ScenarioError(f"{source}: {key}: expected 'name, name, rho; …', got {item!r}")
            try:
                rows.append([parts[0], parts[1], float(parts[2])])
            except ValueError:
                raise ScenarioError(
                    f"{source}: {key}: expected a number as rho, got {parts[2]!r}"
                ) from None
        return rows
    if sub == "percentiles" and isinstance(value, str):
        try:
            return [float(p) for p in value.split(",") if p.strip()]
        except ValueError:
            raise ScenarioError(
                f"{source}: {key}: expected numbers separated by commas, got {value!r}"
            ) from None
    if isinstance(value, str) and "(" in value:
        return _distribution_table(value, source, key)
    return value


def _numbers(text: str, source: str, key: str) -> list[float]:
    try:
        return [float(p) for p in text.split(",") if p.strip()]
    except ValueError:
        raise ScenarioError(
            f"{source}: {key}: expected numbers separated by commas, got {text!r}"
        ) from None


def scenario_from_pairs(pairs, source: str = "scenario") -> Scenario:
    """A scenario from ``(key, value)`` pairs with dotted TOML keys (``exports.growth``, …).

    This is how a scenario typed into two spreadsheet columns is read. Blank keys are skipped;
    ``substitution.origins`` may be a comma-separated list.

    Examples
    --------
    >>> s = scenario_from_pairs([("name", "cells"), ("base_year", 2024), ("horizon", 2030),
    ...     ("exports.growth", "to_close"), ("imports.growth", 0.04),
    ...     ("rival.name", "Chile"), ("rival.growth", 0.03), ("substitution.share", 0.1),
    ...     ("substitution.import_content", 0.35), ("substitution.origins", "China, Brazil")])
    >>> s.exports.growth, s.substitution.origins
    ('to_close', ('China', 'Brazil'))
    """
    nested: dict = {}
    for key, value in pairs:
        key = "" if key is None else str(key).strip()
        if not key or value is None or (isinstance(value, str) and not value.strip()):
            continue
        if isinstance(value, float) and value.is_integer() and key in _WHOLE:
            value = int(value)
        parts = key.split(".")
        if key == "substitution.origins" and isinstance(value, str):
            value = [o.strip() for o in value.split(",") if o.strip()]
        if key == "seasonal_profile" and isinstance(value, str):
            value = _numbers(value, source, key)
        if key.startswith("uncertainty."):
            value = _uncertainty_value(key, value, source)
            # input names carry a dot of their own: keep them whole under [uncertainty]
            sub = key[len("uncertainty.") :]
            head, _, rest = sub.partition(".")
            parts = ["uncertainty", head, rest] if head == "persistence" else ["uncertainty", sub]
        target = nested
        for p in parts[:-1]:
            target = target.setdefault(p, {})
            if not isinstance(target, dict):
                raise ScenarioError(f"{source}: {key}: conflicts with a value given for '{p}'")
        if parts[-1] in target:
            raise ScenarioError(f"{source}: {key}: given twice")
        target[parts[-1]] = value
    return scenario_from_dict(nested, source)


def scenarios_from_grid(grid, sheet: str = "Scenarios") -> list[Scenario]:
    """Scenarios from a sheet's values: keys down column A, one scenario per further column.

    A first row whose column A reads ``parameter`` is a header and is skipped; blank columns are
    ignored. Errors name the sheet column and the key, e.g. ``Scenarios!C: horizon: …``.

    Examples
    --------
    >>> grid = [["parameter", "first", None, "second"],
    ...         ["name", "A", None, "B"], ["base_year", 2024.0, None, 2024.0],
    ...         ["horizon", 2030.0, None, 2030.0], ["exports.growth", 0.1, None, "to_close"],
    ...         ["imports.growth", 0.04, None, 0.04], ["rival.name", "Chile", None, "Chile"],
    ...         ["rival.growth", 0.03, None, -2.0]]
    >>> scenarios_from_grid(grid)
    Traceback (most recent call last):
    ...
    metaltrade_xl.scenarios.ScenarioError: Scenarios!D: rival.growth: expected a rate above -1 (-100 %), got -2
    """
    rows = [list(r) if isinstance(r, (list, tuple)) else [r] for r in grid or []]
    if rows and str(rows[0][0] or "").strip().lower() == "parameter":
        rows = rows[1:]
    if not rows:
        raise ScenarioError(f"{sheet}: no parameters found (expected keys down column A)")
    width = max(len(r) for r in rows)
    out = []
    for j in range(1, width):
        values = [(r[0], r[j] if j < len(r) else None) for r in rows]
        if all(v is None or (isinstance(v, str) and not v.strip()) for _, v in values):
            continue
        out.append(scenario_from_pairs(values, f"{sheet}!{column_letter(j + 1)}"))
    if not out:
        raise ScenarioError(f"{sheet}: no scenario columns found (expected one from column B on)")
    return out


def scenario_to_pairs(scenario: Scenario) -> list[tuple[str, object]]:
    """The inverse of :func:`scenario_from_pairs`: dotted keys and cell values.

    Examples
    --------
    >>> from metaltrade_xl.scenarios import find_scenario
    >>> s = find_scenario("substitute_china")
    >>> scenario_from_pairs(scenario_to_pairs(s), s.source) == s
    True
    """
    pairs: list[tuple[str, object]] = [
        ("name", scenario.name),
        ("description", scenario.description),
        *(
            pair
            for lang, name, about in scenario.translations
            for pair in ((f"name_{lang}", name), (f"description_{lang}", about))
        ),
        ("reporter", scenario.reporter),
        ("base_year", scenario.base_year),
        ("horizon", scenario.horizon),
    ]

    def growth(key, value):
        if isinstance(value, Mapping):
            return [(f"{key}.{y}", r) for y, r in value.items()]
        return [(key, value)]

    def trend(key, spec):  # growth = "trend" goes with its number of years
        n = getattr(spec, "trend_years", None)
        return [] if n is None else [(f"{key}.trend_years", n)]

    pairs += growth("exports.growth", scenario.exports.growth) + trend("exports", scenario.exports)
    pairs += [("exports.start", scenario.exports.start)]
    pairs += growth("imports.growth", scenario.imports.growth) + trend("imports", scenario.imports)
    pairs += [("imports.start", scenario.imports.start)]
    pairs += [("rival.name", scenario.rival.name)]
    pairs += growth("rival.growth", scenario.rival.growth) + trend("rival", scenario.rival)
    pairs += [("rival.start", scenario.rival.start)]
    if scenario.seasonal_profile is not None:
        pairs += [("seasonal_profile", ", ".join(f"{w:g}" for w in scenario.seasonal_profile))]
    sub = scenario.substitution
    if sub is not None:
        pairs += [
            ("substitution.share", sub.share),
            ("substitution.origins", ", ".join(sub.origins)),
            ("substitution.import_content", sub.import_content),
            ("substitution.start_year", sub.start_year),
            ("substitution.phase_in_years", sub.phase_in_years),
        ]
    return pairs + uncertainty_pairs(scenario.uncertainty)


def uncertainty_pairs(spec) -> list[tuple[str, object]]:
    """An :class:`UncertaintySpec` as cell pairs (see the module docstring)."""
    if spec is None:
        return []
    pairs: list[tuple[str, object]] = [("uncertainty.paths", spec.paths)]
    if spec.seed is not None:
        pairs.append(("uncertainty.seed", spec.seed))
    for name, dist in spec.inputs.items():
        args = ", ".join(f"{k}={v:g}" for k, v in dist.params)
        pairs.append((f"uncertainty.{name}", f"{dist.kind}({args})"))
    for name, rho in spec.persistence.items():
        pairs.append((f"uncertainty.persistence.{name}", rho))
    if spec.correlation:
        text = "; ".join(f"{a}, {b}, {r:g}" for a, b, r in spec.correlation)
        pairs.append(("uncertainty.correlation", text))
    if spec.correlation_kind != "gaussian":
        pairs.append(("uncertainty.correlation_kind", spec.correlation_kind))
    if tuple(spec.percentiles) != tuple(DEFAULT_PERCENTILES):
        pairs.append(("uncertainty.percentiles", ", ".join(f"{q:g}" for q in spec.percentiles)))
    return pairs
