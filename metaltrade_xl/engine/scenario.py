"""The engine's input type: a scenario, as frozen dataclasses that validate their own invariants.

Every rule that ties fields together is checked here, once, when a scenario is built: the horizon
after the base year, a substitution starting after the base year and by the horizon, a table of
yearly rates covering exactly the projected years, every value inside its declared domain
(:mod:`metaltrade_xl.engine.inputs`). The engine's functions can then take a :class:`Scenario` as
it is. Parsing (TOML files, sheet cells) lives in :mod:`metaltrade_xl.scenarios`, which adds the
file name to these messages.

Examples
--------
>>> s = Scenario("demo", 2024, 2034, FlowSpec(TO_CLOSE), FlowSpec(0.04), RivalSpec("Chile", 0.03))
>>> s.years
(2024, 2034)
>>> Scenario("demo", 2024, 2020, FlowSpec(0.1), FlowSpec(0.04), RivalSpec("Chile", 0.03))
Traceback (most recent call last):
...
metaltrade_xl.engine._validate.InputError: horizon: expected a year after base_year 2024, got 2020
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from metaltrade_xl.engine._validate import InputError
from metaltrade_xl.engine.inputs import check_value

#: The export growth that makes exports equal the rival's in the horizon year.
TO_CLOSE = "to_close"
#: A growth resolved from the data (the CAGR of the last ``trend_years`` full years) before the
#: model runs; see :func:`metaltrade_xl.scenarios.run.resolve_trends`.
TREND = "trend"
#: The country whose trade is projected when a scenario does not say.
DEFAULT_REPORTER = "Peru"


def _check_growth(growth, name: str, allow_to_close: bool) -> None:
    if isinstance(growth, str):
        if (allow_to_close and growth == TO_CLOSE) or growth == TREND:
            return
        also = ', "to_close" or "trend"' if allow_to_close else ' or "trend"'
        raise InputError(f"{name}: expected a rate, a table of yearly rates{also}, got {growth!r}")
    if isinstance(growth, Mapping):
        if not growth:
            raise InputError(f"{name}: the table of yearly rates is empty")
        for year, rate in growth.items():
            check_value("year", year, f"{name}: year")
            check_value(name, rate, f"{name}.{year}")
        return
    check_value(name, growth, name)


def _years_text(years) -> str:
    years = list(years)
    return ", ".join(map(str, years[:5])) + (" …" if len(years) > 5 else "")


@dataclass(frozen=True)
class FlowSpec:
    """Exports or imports: a growth (rate, ``{year: rate}`` or ``"to_close"``) and a start value.

    ``start`` (USD millions, > 0) overrides the data's base-year value; None takes it from data.
    The section's name is checked by :class:`Scenario` (only exports may be ``"to_close"``).
    """

    growth: float | Mapping[int, float] | str
    start: float | None = None
    #: With ``growth = "trend"``: how many years of data the CAGR spans.
    trend_years: int | None = None


@dataclass(frozen=True)
class RivalSpec:
    """The rival exporter to catch up with."""

    name: str
    growth: float | Mapping[int, float] | str
    start: float | None = None
    trend_years: int | None = None


@dataclass(frozen=True)
class SubstitutionSpec:
    """Replace ``share`` of the imports from ``origins`` (all when empty) by domestic output."""

    share: float
    import_content: float
    start_year: int
    phase_in_years: int = 0
    origins: tuple[str, ...] = ()

    def __post_init__(self):
        check_value("substitution.share", self.share, "substitution.share")
        check_value("substitution.import_content", self.import_content,
                    "substitution.import_content")  # fmt: skip
        check_value("substitution.start_year", self.start_year, "substitution.start_year")
        check_value("substitution.phase_in_years", self.phase_in_years,
                    "substitution.phase_in_years")  # fmt: skip


@dataclass(frozen=True)
class Scenario:
    """One what-if: the path of exports, imports and the rival from ``base_year`` to ``horizon``.

    Raises
    ------
    InputError
        When an invariant does not hold; the message names the key (``horizon``,
        ``substitution.start_year``, ``imports.growth``, …).
    """

    name: str
    base_year: int
    horizon: int
    exports: FlowSpec
    imports: FlowSpec
    rival: RivalSpec
    substitution: SubstitutionSpec | None = None
    description: str = ""
    source: str = field(default="", compare=False)
    #: What is uncertain, for Monte Carlo runs (an ``UncertaintySpec``; see
    #: :mod:`metaltrade_xl.engine.uncertainty_spec`).
    uncertainty: Any = None
    #: Whose exports and imports are projected (start values and origin shares come from it).
    reporter: str = DEFAULT_REPORTER
    #: 12 monthly weights to annualise a partial base year (checked where scenarios are read,
    #: see :mod:`metaltrade_xl.data.nowcast`); None: the data's own profile, else months / 12.
    seasonal_profile: tuple[float, ...] | None = None
    #: The name and description in other languages: ``(("es", name, description), …)``; an
    #: empty text means "as in ``name``/``description``" (see :meth:`title`, :meth:`about`).
    translations: tuple[tuple[str, str, str], ...] = ()

    def title(self, lang: str | None = None) -> str:
        """The name in ``lang`` when the scenario gives one, else ``name``.

        Examples
        --------
        >>> s = Scenario("Baseline", 2025, 2034, FlowSpec(0.05), FlowSpec(0.05),
        ...              RivalSpec("Chile", 0.03), translations=(("es", "Base", ""),))
        >>> s.title("es"), s.title("en"), s.title()
        ('Base', 'Baseline', 'Baseline')
        """
        return next((n for code, n, _ in self.translations if code == lang and n), self.name)

    def about(self, lang: str | None = None) -> str:
        """The description in ``lang`` when the scenario gives one, else ``description``."""
        return next((d for code, _, d in self.translations if code == lang and d), self.description)

    def __post_init__(self):
        base = check_value("year", self.base_year, "base_year")
        horizon = check_value("year", self.horizon, "horizon")
        if horizon <= base:
            raise InputError(f"horizon: expected a year after base_year {base:g}, got {horizon:g}")
        base, horizon = int(base), int(horizon)
        for section, flow, to_close in (
            ("exports", self.exports, True),
            ("imports", self.imports, False),
            ("rival", self.rival, False),
        ):
            name = f"{section}.growth"
            _check_growth(flow.growth, name, to_close)
            if isinstance(flow.growth, Mapping):
                missing = [y for y in range(base + 1, horizon + 1) if y not in flow.growth]
                if missing:
                    raise InputError(
                        f"{name}: the table of yearly rates has no rate for {_years_text(missing)}"
                    )
                extra = [y for y in flow.growth if not base < y <= horizon]
                if extra:
                    raise InputError(
                        f"{name}: rate for {extra[0]}, outside the projected years "
                        f"{base + 1}-{horizon}"
                    )
            if flow.start is not None:
                check_value(f"{section}.start", flow.start, f"{section}.start")
        sub = self.substitution
        if sub is not None and not base < sub.start_year <= horizon:
            raise InputError(
                f"substitution.start_year: expected a year after base_year {base} (the base "
                f"year is observed data) and by the horizon {horizon}, got {sub.start_year}"
            )

    @property
    def years(self) -> tuple[int, int]:
        """``(base_year, horizon)`` as integers."""
        return int(self.base_year), int(self.horizon)


@dataclass(frozen=True)
class ProjectionInputs:
    """Base-year values a projection starts from, already resolved from data.

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
