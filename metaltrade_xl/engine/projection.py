"""A scenario -> a yearly table from the base year to the horizon.

The projection is the scenario model (:func:`metaltrade_xl.engine.model.evaluate`) on one path,
laid out as a table with the rates it used; nothing here compounds or solves anything itself.
The scenario is a :class:`metaltrade_xl.engine.scenario.Scenario` (it has checked its own
invariants); start values come in separately as :class:`ProjectionInputs`, already resolved from
data, so the engine never looks anything up.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from metaltrade_xl.engine.balance import compound
from metaltrade_xl.engine.model import evaluate, yearly_rates
from metaltrade_xl.engine.scenario import TO_CLOSE, ProjectionInputs

# Re-exported: older code imports these from here.
__all__ = [
    "COLUMNS",
    "TO_CLOSE",
    "Projection",
    "ProjectionInputs",
    "compound",
    "first_year_reaching",
    "project",
    "yearly_rates",
]

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
class Projection:
    """A projected scenario: the yearly table and the rates actually used.

    ``rates`` maps ``"exports"``, ``"imports"``, ``"rival"`` to a float when one rate held for every
    year (a solved ``"to_close"`` rate included) or to ``{year: rate}`` otherwise.
    """

    table: pd.DataFrame
    rates: dict


def project(scenario, inputs: ProjectionInputs) -> Projection:
    """Project a scenario year by year: the model on one path, as a table.

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
    used: dict = {}
    path = {k: np.asarray(v)[:, 0] for k, v in evaluate(scenario, inputs, _used=used).items()}
    base, horizon = scenario.years
    exports, imports = path["exports"], path["imports"]
    table = pd.DataFrame(
        {
            "year": np.arange(base, horizon + 1),
            "exports": exports,
            "imports_before_substitution": path["imports_before_substitution"],
            "substituted": path["substituted"],
            "substitution_effect": path["substitution_effect"],
            "imports": imports,
            "balance": exports - imports,
            "deficit": path["deficit"],
            "coverage": exports / imports,
            "rival_exports": path["rival_exports"],
            "gap_to_rival": path["gap_to_rival"],
        },  # in the order of COLUMNS (passing columns= too cost more than building the frame)
    )
    years = np.arange(base + 1, horizon + 1)
    rates = {
        key: _rate_summary(np.broadcast_to(used[f"{key}.growth"], (years.size, 1))[:, 0], years)
        for key in ("exports", "imports", "rival")
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
