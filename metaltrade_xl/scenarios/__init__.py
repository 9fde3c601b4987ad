"""Scenarios: TOML files and sheet cells in, validated scenarios out, and running them.

- :mod:`.toml` reads and validates a scenario (a TOML file or a nested mapping);
- :mod:`.uncertainty` reads its ``[uncertainty]`` section;
- :mod:`.cells` reads scenarios from sheet cells (``key | value`` pairs, a Scenarios grid);
- :mod:`.run` resolves start values from the figures, projects, simulates, and finds the
  reference scenarios.

Imports no adapter (neither xlwings nor openpyxl).
"""

from metaltrade_xl.scenarios.errors import ScenarioError
from metaltrade_xl.scenarios.preflight import check_finite
from metaltrade_xl.scenarios.run import (
    ScenarioResult,
    default_scenario_dir,
    default_scenario_files,
    find_scenario,
    resolve_inputs,
    run,
    run_full,
    simulate_uncertainty,
)
from metaltrade_xl.scenarios.toml import (
    DEFAULT_REPORTER,
    MAX_RATE,
    FlowSpec,
    RivalSpec,
    Scenario,
    SubstitutionSpec,
    load_scenario,
    scenario_from_dict,
)

__all__ = [
    "DEFAULT_REPORTER",
    "MAX_RATE",
    "FlowSpec",
    "RivalSpec",
    "Scenario",
    "ScenarioError",
    "ScenarioResult",
    "check_finite",
    "SubstitutionSpec",
    "default_scenario_dir",
    "default_scenario_files",
    "find_scenario",
    "load_scenario",
    "resolve_inputs",
    "run",
    "run_full",
    "scenario_from_dict",
    "simulate_uncertainty",
]
