"""The pure engine: numpy, pandas and scipy only; no files, no Excel, no printing.

One module per question an analyst asks. Values are USD millions unless a name says otherwise,
rates are fractions (0.05 = 5 %), years are integers.
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
