"""Running scenarios: start values resolved from the figures, the projection, the uncertainty.

Also where the reference scenarios are found (a checkout's ``scenarios/`` or the wheel's copy).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from metaltrade_xl.data import DataError, find_figure, import_share
from metaltrade_xl.engine._validate import InputError
from metaltrade_xl.engine.budget import check_memory
from metaltrade_xl.engine.montecarlo import MonteCarloResult, simulate
from metaltrade_xl.engine.projection import Projection, ProjectionInputs, project
from metaltrade_xl.engine.sensitivity import tornado
from metaltrade_xl.scenarios.errors import ScenarioError
from metaltrade_xl.scenarios.toml import Scenario, load_scenario

# --- running -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioResult:
    """A scenario, the inputs it was resolved to, the figures used, and its projection."""

    scenario: Scenario
    inputs: ProjectionInputs
    figure_ids: tuple[str, ...]
    projection: Projection
    #: Monte Carlo summaries and tornado, when the scenario has an [uncertainty] section and
    #: :func:`simulate_uncertainty` was run.
    montecarlo: MonteCarloResult | None = None
    tornado: pd.DataFrame | None = None

    @property
    def table(self) -> pd.DataFrame:
        return self.projection.table

    def parameters(self) -> dict:
        """The parameters as resolved: start values from data, a solved ``to_close`` rate."""
        s, p = self.scenario, self.projection
        out = {
            "name": s.name,
            "description": s.description,
            "reporter": s.reporter,
            "base_year": s.base_year,
            "horizon": s.horizon,
            "exports": {
                "growth": p.rates["exports"],
                "growth_given": s.exports.growth if isinstance(s.exports.growth, str) else "rate",
                "start": self.inputs.exports_start,
            },
            "imports": {"growth": p.rates["imports"], "start": self.inputs.imports_start},
            "rival": {
                "name": s.rival.name,
                "growth": p.rates["rival"],
                "start": self.inputs.rival_start,
            },
        }
        if s.substitution is not None:
            sub = s.substitution
            out["substitution"] = {
                "share": sub.share,
                "origins": list(sub.origins) or ["all"],
                "origin_share": self.inputs.origin_share,
                "import_content": sub.import_content,
                "start_year": sub.start_year,
                "phase_in_years": sub.phase_in_years,
            }
        return out


def resolve_inputs(
    scenario: Scenario, figures: pd.DataFrame
) -> tuple[ProjectionInputs, tuple[str, ...]]:
    """Start values and origin share for ``scenario`` from ``figures`` (overrides win).

    Returns the inputs and the ids of the figures used. Errors name the scenario and the key that
    could have supplied the missing value.
    """
    used: list[str] = []
    base = scenario.base_year

    def start(given, indicator: str, reporter: str, key: str) -> float:
        if given is not None:
            return float(given)
        try:
            row = find_figure(figures, indicator, reporter, year=base)
        except DataError as exc:
            raise ScenarioError(f"{scenario.source}: {key}: not given and {exc}") from None
        used.append(row.id)
        return float(row.value)

    exports = start(scenario.exports.start, "exports", scenario.reporter, "exports.start")
    imports = start(scenario.imports.start, "imports", scenario.reporter, "imports.start")
    rival = start(scenario.rival.start, "exports", scenario.rival.name, "rival.start")
    share = 1.0
    sub = scenario.substitution
    if sub is not None and sub.origins:
        try:
            share, ids = import_share(figures, scenario.reporter, sub.origins)
        except DataError as exc:
            raise ScenarioError(f"{scenario.source}: substitution.origins: {exc}") from None
        used += ids
    return ProjectionInputs(exports, imports, rival, share), tuple(used)


def run(scenario: Scenario, figures: pd.DataFrame) -> ScenarioResult:
    """Resolve a scenario's inputs from ``figures`` and project it."""
    inputs, used = resolve_inputs(scenario, figures)
    try:
        projection = project(scenario, inputs)
    except InputError as exc:
        raise ScenarioError(f"{scenario.source}: {exc}") from None
    return ScenarioResult(scenario, inputs, used, projection)


def run_full(scenario: Scenario, figures: pd.DataFrame) -> ScenarioResult:
    """:func:`run`, then :func:`simulate_uncertainty`: what the CLI and the macros write."""
    return simulate_uncertainty(run(scenario, figures))


def simulate_uncertainty(result: ScenarioResult) -> ScenarioResult:
    """Add the Monte Carlo summaries and the tornado of the horizon deficit to ``result``.

    Seeded by the scenario's ``uncertainty.seed`` (fresh randomness when it has none). A result
    without an ``[uncertainty]`` section comes back unchanged.
    """
    spec = result.scenario.uncertainty
    if spec is None:
        return result
    try:
        check_memory(spec.paths, result.scenario.horizon - result.scenario.base_year + 1)
        mc = simulate(result.scenario, result.inputs, spec)
        swings = tornado(result.scenario, result.inputs, spec, outcome="deficit")
    except InputError as exc:
        raise ScenarioError(f"{result.scenario.source}: uncertainty: {exc}") from None
    return replace(result, montecarlo=mc, tornado=swings)


# --- finding the reference scenarios -----------------------------------------------------------


def default_scenario_dir() -> Path:
    """The folder of reference scenarios: ``./scenarios`` when the current folder has one, else the
    repository's ``scenarios/`` next to the package (a checkout), else the copy inside the package
    (an installed wheel)."""
    package = Path(__file__).resolve().parents[1]
    for folder in (
        Path.cwd() / "scenarios",
        package.parent / "scenarios",
        package / "bundled_scenarios",
    ):
        if folder.is_dir() and any(folder.glob("*.toml")):
            return folder
    raise ScenarioError("no scenarios folder found (looked in ./scenarios and the package)")


def default_scenario_files() -> list[Path]:
    """Every ``*.toml`` of :func:`default_scenario_dir`, sorted by name."""
    return sorted(default_scenario_dir().glob("*.toml"))


def find_scenario(name: str) -> Scenario:
    """A scenario by path (``*.toml``), by file stem (``close_chile_2034``) or by its ``name``.

    Examples
    --------
    >>> find_scenario("close_chile_2034").rival.name
    'Chile'
    """
    text = str(name).strip()
    path = Path(text)
    if path.suffix.lower() == ".toml":
        return load_scenario(path)
    files = default_scenario_files()
    for f in files:
        if f.stem.lower() == text.lower():
            return load_scenario(f)
    broken = []
    for f in files:
        try:
            scenario = load_scenario(f)
        except ScenarioError as exc:  # one broken file must not hide the others
            broken.append(str(exc))
            continue
        if scenario.name.lower() == text.lower():
            return scenario
    known = ", ".join(f.stem for f in files)
    if broken:
        known += f" (and unreadable: {'; '.join(broken)})"
    raise ScenarioError(f"no scenario named '{text}'; bundled scenarios: {known}")
