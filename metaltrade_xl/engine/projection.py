"""A scenario -> a yearly table from the base year to the horizon.

The scenario is a :class:`metaltrade_xl.engine.scenario.Scenario` (it has checked its own
invariants: horizon after the base year, substitution within the projected years); start values come in separately as :class:`ProjectionInputs`, already
resolved from data, so the engine never looks anything up.

A growth is a rate (one for every year), a mapping ``{year: rate}`` covering every projected year
(the rate of year ``t`` takes year ``t − 1`` to ``t``), or, for exports, ``"to_close"``: the
constant rate that makes exports equal the rival's in the horizon year.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metaltrade_xl.engine._validate import InputError, as_fraction, as_positive, as_rate
from metaltrade_xl.engine.scenario import TO_CLOSE
from metaltrade_xl.engine.substitution import substitution_path

#: Columns of the yearly table, in order (USD millions unless the name says otherwise).
COLUMNS = (
    "year",
    "exports",
    "imports_before_substitution",
    "substituted",
    "substitution_effect",
    "imports",
    "balance",
    "deficit",
    "coverage",
    "rival_exports",
    "gap_to_rival",
)


@dataclass(frozen=True)
class ProjectionInputs:
    """Base-year values a projection starts from.

    Attributes
    ----------
    exports_start, imports_start, rival_start : float, USD millions, > 0
    origin_share : float, fraction
        Share of imports coming from the origins a substitution programme targets (1 = all).
    """

    exports_start: float
    imports_start: float
    rival_start: float
    origin_share: float = 1.0


@dataclass(frozen=True)
class Projection:
    """A projected scenario: the yearly table and the rates actually used.

    ``rates`` maps ``"exports"``, ``"imports"``, ``"rival"`` to a float when one rate held for every
    year (a solved ``"to_close"`` rate included) or to ``{year: rate}`` otherwise.
    """

    table: pd.DataFrame
    rates: dict


def yearly_rates(growth, years: np.ndarray, name: str) -> np.ndarray:
    """One growth rate per projected year from a rate or a ``{year: rate}`` mapping.

    Examples
    --------
    >>> yearly_rates({2025: 0.1, 2026: 0.2}, np.array([2025, 2026]), "exports.growth").tolist()
    [0.1, 0.2]
    """
    if isinstance(growth, Mapping):
        missing = [int(y) for y in years if int(y) not in growth]
        if missing:
            raise InputError(
                f"{name}: the table of rates has no rate for {_years_text(missing)}; "
                f"give one for every year {years[0]}-{years[-1]}"
            )
        rates = np.array([growth[int(y)] for y in years], dtype=float)
        as_rate(rates, name)
        return rates
    if isinstance(growth, str):
        raise InputError(f"{name}: expected a rate or a table of yearly rates, got {growth!r}")
    return np.full(years.shape, as_rate(growth, name), dtype=float)


def _years_text(years: list[int]) -> str:
    return ", ".join(map(str, years[:5])) + (" …" if len(years) > 5 else "")


def compound(start, rates) -> np.ndarray:
    """A path from ``start`` grown by one rate per step: ``start × [1, cumprod(1 + rates)]``.

    Parameters
    ----------
    start : float, the value in the first year
    rates : array_like, shape (n,), fractions, each > -1

    Returns
    -------
    ndarray, shape (n + 1,): the first year's value, then one per rate

    Examples
    --------
    >>> compound(100, [0.1, -0.5]).round(6).tolist()
    [100.0, 110.0, 55.0]
    """
    rates = np.asarray(rates, dtype=float)
    return start * np.concatenate(([1.0], np.cumprod(1.0 + rates)))


def project(scenario, inputs: ProjectionInputs) -> Projection:
    """Project a scenario year by year.

    Parameters
    ----------
    scenario : Scenario
    inputs : ProjectionInputs

    Returns
    -------
    Projection
        ``table`` has the columns :data:`COLUMNS`, one row per year from ``base_year`` to
        ``horizon``; ``balance = exports − imports``, ``deficit = −balance``,
        ``gap_to_rival = rival_exports − exports``.

    Examples
    --------
    >>> from metaltrade_xl.scenarios import scenario_from_dict
    >>> s = scenario_from_dict({"name": "demo", "base_year": 2024, "horizon": 2034,
    ...     "exports": {"growth": "to_close"}, "imports": {"growth": 0.04},
    ...     "rival": {"name": "Chile", "growth": 0.03}})
    >>> p = project(s, ProjectionInputs(750, 18203, 4000))
    >>> round(p.rates["exports"], 5)
    0.21769
    >>> last = p.table.iloc[-1]
    >>> int(last.year), round(float(last.exports), 2), round(float(last.rival_exports), 2)
    (2034, 5375.67, 5375.67)
    """
    base, horizon = int(scenario.base_year), int(scenario.horizon)
    x0 = as_positive(inputs.exports_start, "exports.start")
    m0 = as_positive(inputs.imports_start, "imports.start")
    r0 = as_positive(inputs.rival_start, "rival.start")
    years = np.arange(base + 1, horizon + 1)
    n = years.size

    rival_rates = yearly_rates(scenario.rival.growth, years, "rival.growth")
    rival = compound(r0, rival_rates)
    import_rates = yearly_rates(scenario.imports.growth, years, "imports.growth")
    imports_before = compound(m0, import_rates)

    export_growth = scenario.exports.growth
    if isinstance(export_growth, str) and export_growth == TO_CLOSE:
        solved = (rival[-1] / x0) ** (1.0 / n) - 1.0
        export_rates = np.full(n, solved)
    else:
        export_rates = yearly_rates(export_growth, years, "exports.growth")
    exports = compound(x0, export_rates)

    all_years = np.arange(base, horizon + 1)
    sub = scenario.substitution
    if sub is None:
        substituted = effect = np.zeros(n + 1)
    else:
        path = substitution_path(
            all_years,
            imports_before,
            sub.share,
            sub.import_content,
            start_year=sub.start_year,
            phase_in_years=sub.phase_in_years,
            origin_share=as_fraction(inputs.origin_share, "origin share"),
        )
        substituted = path["substituted"].to_numpy()
        effect = path["deficit_effect"].to_numpy()

    imports = imports_before - effect
    table = pd.DataFrame(
        {
            "year": all_years,
            "exports": exports,
            "imports_before_substitution": imports_before,
            "substituted": substituted,
            "substitution_effect": effect,
            "imports": imports,
            "balance": exports - imports,
            "deficit": imports - exports,
            "coverage": exports / imports,
            "rival_exports": rival,
            "gap_to_rival": rival - exports,
        },
        columns=list(COLUMNS),
    )
    rates = {
        "exports": _rate_summary(export_rates, years),
        "imports": _rate_summary(import_rates, years),
        "rival": _rate_summary(rival_rates, years),
    }
    return Projection(table=table, rates=rates)


def _rate_summary(rates: np.ndarray, years: np.ndarray):
    if np.all(rates == rates[0]):
        return float(rates[0])
    return {int(y): float(r) for y, r in zip(years, rates, strict=True)}


def first_year_reaching(table: pd.DataFrame) -> int | None:
    """First year in which exports reach the rival's exports, or None if not by the horizon.

    Examples
    --------
    >>> first_year_reaching(pd.DataFrame({"year": [2024, 2025], "exports": [1, 3],
    ...                                   "rival_exports": [2, 2.5]}))
    2025
    """
    hit = table["exports"].to_numpy() >= table["rival_exports"].to_numpy() * (1 - 1e-12)
    return int(table["year"].to_numpy()[hit.argmax()]) if hit.any() else None
