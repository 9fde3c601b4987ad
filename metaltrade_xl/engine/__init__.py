"""The pure engine: numpy, pandas and scipy only; no files, no Excel, no printing.

One module per question an analyst asks. Values are USD millions unless a name says otherwise,
rates are fractions (0.05 = 5 %), years are integers.

Where is the deficit of a scenario computed? In one place: :func:`metaltrade_xl.engine.model.evaluate`
compounds exports, imports and the rival and applies the import substitution
(``deficit = imports − exports``), for one path or many. Everything else calls it:

- :func:`projection.project` — the model on one path, as the yearly table;
- :func:`montecarlo.simulate` — the model on every simulated path (draws in :mod:`.sampling`,
  result tables in :mod:`.mc_summary`);
- :mod:`.sensitivity` (tornado, grid, goal seek, Sobol) and :mod:`.tornado` (the tornado on the
  simulation's own draws) — the model on many cases at once.

Its inputs: a :class:`scenario.Scenario` (which checks its own invariants) and
:class:`scenario.ProjectionInputs` (start values resolved from data). Every input and outcome is
declared once, with its domain, in :mod:`.inputs`; the ``"to_close"`` export growth is solved by
:func:`catchup.growth_to_close` alone. The closed forms an analyst checks by hand (balance,
catch-up, substitution) are in :mod:`.balance`, :mod:`.catchup` and :mod:`.substitution`.
"""

from metaltrade_xl.engine._validate import InputError
from metaltrade_xl.engine.balance import (
    annualize,
    balance,
    cagr,
    compound,
    coverage,
    deficit,
    growth,
    shares,
)
from metaltrade_xl.engine.catchup import (
    NeverClosesError,
    growth_for_deficit,
    growth_to_close,
    years_to_close,
)
from metaltrade_xl.engine.projection import project
from metaltrade_xl.engine.scenario import (
    FlowSpec,
    ProjectionInputs,
    RivalSpec,
    Scenario,
    SubstitutionSpec,
)
from metaltrade_xl.engine.substitution import phase_in, substitution_path

__all__ = [
    "FlowSpec",
    "InputError",
    "NeverClosesError",
    "ProjectionInputs",
    "RivalSpec",
    "Scenario",
    "SubstitutionSpec",
    "annualize",
    "balance",
    "cagr",
    "compound",
    "coverage",
    "deficit",
    "growth",
    "growth_for_deficit",
    "growth_to_close",
    "phase_in",
    "project",
    "shares",
    "substitution_path",
    "years_to_close",
]
