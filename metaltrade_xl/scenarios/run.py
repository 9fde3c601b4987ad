"""Running scenarios: start values resolved from the figures, the projection, the uncertainty.

Also where the reference scenarios are found (a checkout's ``scenarios/`` or the wheel's copy).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from metaltrade_xl.data import DataError, import_share, nowcast
from metaltrade_xl.data._view import FigureView
from metaltrade_xl.data.trend import Trend, trend_growth
from metaltrade_xl.engine._validate import InputError
from metaltrade_xl.engine.budget import check_memory
from metaltrade_xl.engine.inputs import MAX_RATE
from metaltrade_xl.engine.montecarlo import MonteCarloResult, simulate
from metaltrade_xl.engine.projection import Projection, ProjectionInputs, project
from metaltrade_xl.engine.scenario import TREND
from metaltrade_xl.engine.tornado import simulated_tornado
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
    #: ``"exports"``, ``"imports"``, ``"rival"`` -> the trend a ``growth = "trend"`` resolved to.
    trends: Mapping[str, Trend] = field(default_factory=dict)
    #: How each start value was obtained (``exports.start`` … -> :class:`nowcast.StartValue`):
    #: recorded, given, or an estimate (annualised from a partial year, carried to the base year).
    starts: dict = field(default_factory=dict, compare=False)
    #: Sentences naming each projected value below a figure already recorded for its year (and
    #: a start moved back to where the data end): :class:`nowcast.Notice`, English text with a
    #: ``code`` and ``fields`` that report/ says in the reader's language.
    warnings: tuple[str, ...] = ()
    #: The figures used, as records (:func:`nowcast.figure_records`): id, indicator, reporter,
    #: partner, year, months, value, lower_bound, source, used_for, …
    figures_used: tuple[dict, ...] = ()
    #: Reruns on bumped floors, kept by :func:`metaltrade_xl.report.floors.bumped_run` (the
    #: sheets ask for each through several views).
    reruns: dict = field(default_factory=dict, init=False, compare=False, repr=False)

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
                **self._start_note("exports.start"),
            },
            "imports": {
                "growth": p.rates["imports"],
                "start": self.inputs.imports_start,
                **self._start_note("imports.start"),
            },
            "rival": {
                "name": s.rival.name,
                "growth": p.rates["rival"],
                "start": self.inputs.rival_start,
                **self._start_note("rival.start"),
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
        for key, trend in self.trends.items():
            out[key]["growth_given"] = TREND
            out[key]["trend"] = trend.describe()
        return out

    def _start_note(self, key: str) -> dict:
        start = self.starts.get(key)
        if start is None:
            return {}
        return {"start_estimate": start.estimate, "start_note": start.note}


def resolve_starts(scenario: Scenario, figures: pd.DataFrame):
    """Start values and origin share for ``scenario`` from ``figures`` (overrides win).

    Returns the inputs, a mapping of each figure id used to the keys it fed, and the
    :class:`~metaltrade_xl.data.nowcast.StartValue` of each start. The base year's value is its
    full-year figure, or its latest partial year annualised; the rival's is carried from its
    latest earlier year at its own growth (see :mod:`metaltrade_xl.data.nowcast`). Errors name the
    scenario and the key that could have supplied the missing value.
    """
    uses: dict[str, list[str]] = {}
    starts: dict[str, nowcast.StartValue] = {}
    base = scenario.base_year
    profile = scenario.seasonal_profile

    def start(given, indicator: str, reporter: str, key: str, carry=None) -> float:
        if given is not None:
            starts[key] = nowcast.StartValue(key, float(given), nowcast.GIVEN, base,
                                             note=nowcast.GIVEN_NOTE)  # fmt: skip
            return float(given)
        try:
            found = nowcast.start_value(
                figures, indicator, reporter, base, key=key, profile=profile, carry_rate=carry
            )
        except DataError as exc:
            raise ScenarioError(f"{scenario.source}: {key}: not given and {exc}") from None
        starts[key] = found
        for fid in found.figure_ids:
            uses.setdefault(fid, []).append(key)
        return found.value

    exports = start(scenario.exports.start, "exports", scenario.reporter, "exports.start")
    imports = start(scenario.imports.start, "imports", scenario.reporter, "imports.start")
    carry = nowcast.first_rate(scenario.rival.growth)
    rival = start(scenario.rival.start, "exports", scenario.rival.name, "rival.start", carry)
    share = 1.0
    sub = scenario.substitution
    if sub is not None and sub.origins:
        try:
            share, ids = import_share(figures, scenario.reporter, sub.origins)
        except DataError as exc:
            raise ScenarioError(f"{scenario.source}: substitution.origins: {exc}") from None
        for fid in ids:
            uses.setdefault(fid, []).append("substitution.origin_share")
    return ProjectionInputs(exports, imports, rival, share), uses, starts


def resolve_inputs(
    scenario: Scenario, figures: pd.DataFrame
) -> tuple[ProjectionInputs, tuple[str, ...]]:
    """The inputs of :func:`resolve_starts` and the ids of the figures used."""
    inputs, uses, _ = resolve_starts(scenario, figures)
    return inputs, tuple(uses)


def rebase_to_data(scenario: Scenario, figures: pd.DataFrame) -> tuple[Scenario, tuple[str, ...]]:
    """``scenario`` moved back to the latest year of the data when the data end before its base
    year, with a warning saying so; unchanged otherwise.

    A scenario that gives both start values, or whose base year has data (a partial year counts),
    is never moved. Data that end in 2024 (a download of full years) then still feed the bundled
    scenarios, which start from the latest release (2025), and the sheets say from which year the
    projection starts.
    """
    given = scenario.exports.start is not None and scenario.imports.start is not None
    latest = nowcast.latest_year(figures, ["exports", "imports"], scenario.reporter)
    if given or latest is None or latest >= scenario.base_year:
        return scenario, ()
    try:
        moved = replace(scenario, base_year=latest)
    except InputError as exc:
        raise ScenarioError(
            f"{scenario.source}: base_year: the data for {scenario.reporter} end in {latest}, "
            f"before base_year {scenario.base_year}, and starting in {latest} fails: {exc}"
        ) from None
    text = (
        f"the data for {scenario.reporter} end in {latest}, so the projection "
        f"starts from {latest}, not base_year {scenario.base_year} (give data for "
        f"{scenario.base_year}, or exports.start and imports.start, to start there)"
    )
    fields = {"reporter": scenario.reporter, "latest": latest, "base_year": scenario.base_year}
    return moved, (nowcast.Notice(text, "start_moved", scenario=scenario.name, **fields),)


def resolve_trends(scenario: Scenario, figures: pd.DataFrame) -> tuple[Scenario, dict]:
    """``scenario`` with every ``growth = "trend"`` replaced by the CAGR of the data's last
    ``trend_years`` full years up to the base year, and those trends by section."""
    trends, changes = {}, {}
    for key, spec, indicator, who in (
        ("exports", scenario.exports, "exports", scenario.reporter),
        ("imports", scenario.imports, "imports", scenario.reporter),
        ("rival", scenario.rival, "exports", scenario.rival.name),
    ):
        if not isinstance(spec.growth, str) or spec.growth != TREND:
            continue
        try:
            trend = trend_growth(
                figures, indicator, who, spec.trend_years, until=scenario.base_year
            )
        except DataError as exc:
            raise ScenarioError(f"{scenario.source}: {key}.growth: {exc}") from None
        if not -1 < trend.rate <= MAX_RATE:  # refused as the same rate given by hand would be
            raise ScenarioError(
                f"{scenario.source}: {key}.growth: the data's trend is {trend.rate:.1%} a year "
                f"({trend.describe()}), outside the rates a scenario accepts (at most "
                f"{MAX_RATE:.0%}); give a rate instead"
            )
        trends[key] = trend
        changes[key] = replace(spec, growth=trend.rate)
    return (replace(scenario, **changes) if changes else scenario), trends


def scenario_figures(scenario: Scenario, figures: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``figures`` whose reporter is the scenario's reporter or rival (ignoring case),
    in their order: every figure :func:`run` can use (start values, trends, import shares and
    record checks all name one of the two). A 50 000-row file is then searched once per run,
    not once per question.

    Examples
    --------
    >>> from metaltrade_xl.data import load_figures
    >>> f = load_figures()
    >>> sorted(set(scenario_figures(find_scenario("baseline"), f)["reporter"]))
    ['Chile', 'Peru']
    """
    return FigureView.of(figures).narrow((scenario.reporter, scenario.rival.name)).frame


def run(scenario: Scenario, figures: pd.DataFrame, *, records: bool = True) -> ScenarioResult:
    """Resolve a scenario's inputs (and trends) from ``figures`` and project it; ``warnings``
    name every projected value below a figure already recorded for its year.

    ``records=False`` skips those warnings and the records of the figures used (``warnings``
    then holds only a rebase note, ``figures_used`` is empty): what the lower-bound marks'
    reruns need, which compare projections only.
    """
    # One view of the rows the run can use: each column read once, each question answered once
    # (the lower-bound marks rerun this a dozen times; pandas per question was most of a run).
    figures = FigureView.of(figures).narrow((scenario.reporter, scenario.rival.name))
    scenario, moved = rebase_to_data(scenario, figures)
    scenario, trends = resolve_trends(scenario, figures)
    inputs, uses, starts = resolve_starts(scenario, figures)
    for key, trend in trends.items():
        for fid in trend.ids:
            uses.setdefault(fid, []).append(f"{key}.growth")
    try:
        projection = project(scenario, inputs)
    except InputError as exc:
        raise ScenarioError(f"{scenario.source}: {exc}") from None
    warnings = (
        nowcast.record_warnings(
            projection.table, figures, reporter=scenario.reporter, rival=scenario.rival.name
        )
        if records
        else []
    )
    return ScenarioResult(
        scenario,
        inputs,
        tuple(uses),
        projection,
        starts=starts,
        warnings=moved + tuple(warnings),
        figures_used=tuple(nowcast.figure_records(figures, uses)) if records else (),
        trends=trends,
    )


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
        swings = simulated_tornado(result.scenario, result.inputs, spec, outcome="deficit")
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


#: Scenarios read by :func:`_load`: resolved path -> (the file's bytes, the scenario).
_LOADED: dict[str, tuple[bytes, Scenario]] = {}


def _load(path: Path) -> Scenario:
    """:func:`load_scenario`, parsed again only when the file's bytes change: a scenario cell
    recalculated in Excel names the same file every time, and reading the TOML and validating it
    cost more than a 10 000-path Monte Carlo. Scenarios are frozen, so sharing one is safe."""
    try:
        key = str(path.resolve())
        data = path.read_bytes()
    except OSError:
        return load_scenario(path)  # its one-line message
    hit = _LOADED.get(key)
    if hit is not None and hit[0] == data:
        return hit[1]
    scenario = load_scenario(path)
    if len(_LOADED) >= 64:
        _LOADED.clear()
    _LOADED[key] = (data, scenario)
    return scenario


def find_scenario(name: str) -> Scenario:
    """A scenario by path (``*.toml``), by file stem (``close_chile_2034``) or by its ``name`` in
    any language it gives (``name_es`` …).

    Examples
    --------
    >>> find_scenario("close_chile_2034").rival.name
    'Chile'
    >>> find_scenario("Cerrar la brecha con Chile al 2040").horizon
    2040
    """
    text = str(name).strip()
    path = Path(text)
    if path.suffix.lower() == ".toml":
        return _load(path)
    files = default_scenario_files()
    for f in files:
        if f.stem.lower() == text.lower():
            return _load(f)
    broken = []
    for f in files:
        try:
            scenario = _load(f)
        except ScenarioError as exc:  # one broken file must not hide the others
            broken.append(str(exc))
            continue
        names = {scenario.name, *(t[1] for t in scenario.translations if t[1])}
        if text.lower() in {n.lower() for n in names}:
            return scenario
    known = ", ".join(f.stem for f in files)
    if broken:
        known += f" (and unreadable: {'; '.join(broken)})"
    raise ScenarioError(f"no scenario named '{text}'; bundled scenarios: {known}")
