"""Scenarios: TOML (or key/value pairs from a sheet) in, validated frozen dataclasses out, and run.

A scenario file::

    name = "Close the gap with Chile by 2034"
    base_year = 2024        # start values come from the data for this year unless given below
    horizon = 2034

    [exports]
    growth = "to_close"     # a rate, a table {2025 = 0.10, 2026 = 0.12}, "to_close" or "trend"
    # start = 750

    [imports]
    growth = "trend"        # the CAGR of the data's last `trend_years` full years to base_year
    trend_years = 5

    [rival]
    name = "Chile"
    growth = 0.03

    [substitution]          # optional
    share = 0.10
    origins = ["China"]     # omitted = all imports
    import_content = 0.35
    start_year = 2026
    phase_in_years = 5

Every error names the file (or the scenario), the key and what was expected.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from metaltrade_xl._io import read_toml
from metaltrade_xl.data.nowcast import check_profile
from metaltrade_xl.engine._validate import InputError
from metaltrade_xl.engine.inputs import MAX_RATE, MAX_YEAR, MIN_YEAR
from metaltrade_xl.engine.scenario import (
    DEFAULT_REPORTER,
    TO_CLOSE,
    TREND,
    FlowSpec,
    RivalSpec,
    Scenario,
    SubstitutionSpec,
)
from metaltrade_xl.scenarios.errors import ScenarioError
from metaltrade_xl.scenarios.uncertainty import parse_uncertainty

#: Most years a trend may span.
MAX_TREND_YEARS = 50


#: The languages a scenario may name itself in besides ``name``/``description``: ``name_es``,
#: ``description_es`` … (the report's languages; the engine knows no language).
TRANSLATION_LANGUAGES = ("en", "es")
TRANSLATED = tuple(f"{k}_{lang}" for lang in TRANSLATION_LANGUAGES for k in ("name", "description"))

_TOP = {
    "name", "description", "reporter", "base_year", "horizon", "exports", "imports", "rival",
    "substitution", "uncertainty", "seasonal_profile", *TRANSLATED,
}  # fmt: skip
_SECTIONS = {
    "exports": {"growth", "start", "trend_years"},
    "imports": {"growth", "start", "trend_years"},
    "rival": {"name", "growth", "start", "trend_years"},
    "substitution": {"share", "origins", "import_content", "start_year", "phase_in_years"},
}
_REQUIRED = {
    "": ("name", "base_year", "horizon", "exports", "imports", "rival"),
    "exports": ("growth",),
    "imports": ("growth",),
    "rival": ("name", "growth"),
    "substitution": ("share", "import_content"),
}


class _Checker:
    """Reads values out of a parsed mapping, raising ScenarioError that names where and which key."""

    def __init__(self, where: str):
        self.where = where

    def fail(self, key: str, message: str) -> ScenarioError:
        return ScenarioError(f"{self.where}: {key}: {message}")

    def keys(self, table: Mapping, section: str, allowed: set[str]) -> None:
        prefix = f"{section}." if section else ""
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                hint = f"; did you mean '{prefix}{close[0]}'?" if close else ""
                if not section and str(key).startswith(("name_", "description_")):
                    langs = ", ".join(TRANSLATION_LANGUAGES)
                    hint = f"; names and descriptions may be given in {langs} (e.g. name_es)"
                where = f"[{section}]" if section else "the top level"
                raise self.fail(f"{prefix}{key}", f"unknown key in {where}{hint}")
        for key in _REQUIRED[section]:
            if key not in table:
                raise self.fail(f"{prefix}{key}", "missing (required)")

    def text(self, value, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"expected text, got {_show(value)}")
        return value.strip()

    def number(self, value, key: str, *, low=None, high=None, low_open=False) -> float:
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            raise self.fail(key, f"expected a number, got {_show(value)}")
        value = float(value)
        if low is not None and (value <= low if low_open else value < low):
            raise self.fail(
                key, f"expected a number {'>' if low_open else '>='} {low:g}, got {value:g}"
            )
        if high is not None and value > high:
            raise self.fail(key, f"expected a number <= {high:g}, got {value:g}")
        return value

    def year(self, value, key: str) -> int:
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
            or value != int(value)
        ):
            raise self.fail(key, f"expected a year (a whole number), got {_show(value)}")
        if not MIN_YEAR <= value <= MAX_YEAR:
            raise self.fail(
                key, f"expected a year between {MIN_YEAR} and {MAX_YEAR}, got {int(value)}"
            )
        return int(value)

    def rate(self, value, key: str, *, allow_to_close: bool, allow_trend: bool = True):
        if isinstance(value, Mapping):
            table = {}
            for year, rate in value.items():
                try:
                    y = int(str(year))
                except ValueError:
                    raise self.fail(
                        key, f"expected years as keys of the rate table, got '{year}'"
                    ) from None
                table[y] = self.rate(rate, f"{key}.{y}", allow_to_close=False, allow_trend=False)
            if not table:
                raise self.fail(key, "the table of yearly rates is empty")
            return dict(sorted(table.items()))
        if isinstance(value, str):
            if allow_to_close and value.strip() == TO_CLOSE:
                return TO_CLOSE
            if allow_trend and value.strip() == TREND:
                return TREND
            also = ', "to_close"' if allow_to_close else ""
            also += ' or "trend"' if allow_trend else ""
            raise self.fail(
                key,
                f"expected a rate as a number (0.04 = 4 %), a table of yearly rates{also}, "
                f"got text {value!r}",
            )
        rate = self.number(value, key)
        if rate <= -1:
            raise self.fail(key, f"expected a rate above -1 (-100 %), got {rate:g}")
        if rate >= MAX_RATE:
            raise self.fail(key, f"expected a rate as a fraction (0.05 = 5 %), got {rate:g}")
        return rate


def _show(value) -> str:
    if isinstance(value, str):
        return f"text {value!r}"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def scenario_from_dict(data: Mapping, source: str = "scenario") -> Scenario:
    """Validate a parsed scenario (nested mappings, as from TOML) into a :class:`Scenario`.

    ``source`` names the scenario in error messages (a file name, a sheet column).

    Examples
    --------
    >>> s = scenario_from_dict({"name": "x", "base_year": 2024, "horizon": 2030,
    ...     "exports": {"growth": 0.1}, "imports": {"growth": 0.04},
    ...     "rival": {"name": "Chile", "growth": 0.03}})
    >>> s.exports.growth, s.rival.name, s.substitution
    (0.1, 'Chile', None)
    >>> scenario_from_dict({"name": "x", "base_year": 2024, "horizon": 2020,
    ...     "exports": {"growht": 0.1}, "imports": {"growth": 0.04},
    ...     "rival": {"name": "Chile", "growth": 0.03}}, "x.toml")
    Traceback (most recent call last):
    ...
    metaltrade_xl.scenarios.ScenarioError: x.toml: exports.growht: unknown key in [exports]; did you mean 'exports.growth'?
    >>> scenario_from_dict({"name": "x", "base_year": 2024, "horizon": 2020,
    ...     "exports": {"growth": 0.1}, "imports": {"growth": 0.04},
    ...     "rival": {"name": "Chile", "growth": 0.03}}, "x.toml")
    Traceback (most recent call last):
    ...
    metaltrade_xl.scenarios.ScenarioError: x.toml: horizon: expected a year after base_year 2024, got 2020
    """
    c = _Checker(source)
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{source}: expected a table of keys, got {_show(data)}")
    c.keys(data, "", _TOP)
    for section in _SECTIONS:
        if section in data:
            if not isinstance(data[section], Mapping):
                raise c.fail(section, f"expected a table [{section}], got {_show(data[section])}")
            c.keys(data[section], section, _SECTIONS[section])

    name = c.text(data["name"], "name")
    reporter = c.text(data.get("reporter", DEFAULT_REPORTER), "reporter")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise c.fail("description", f"expected text, got {_show(description)}")
    translations = []
    for lang in TRANSLATION_LANGUAGES:
        texts = [data.get(f"{k}_{lang}", "") for k in ("name", "description")]
        for k, text in zip(("name", "description"), texts, strict=True):
            if not isinstance(text, str):
                raise c.fail(f"{k}_{lang}", f"expected text, got {_show(text)}")
        if any(t.strip() for t in texts):
            translations.append((lang, texts[0].strip(), texts[1].strip()))
    base = c.year(data["base_year"], "base_year")
    horizon = c.year(data["horizon"], "horizon")

    def flow(section: str, allow_to_close: bool) -> FlowSpec:
        t = data[section]
        growth = c.rate(t["growth"], f"{section}.growth", allow_to_close=allow_to_close)
        start = t.get("start")
        if start is not None:
            start = c.number(start, f"{section}.start", low=0, low_open=True)
        return FlowSpec(growth=growth, start=start, trend_years=_trend_years(c, t, section, growth))

    exports = flow("exports", allow_to_close=True)
    imports = flow("imports", allow_to_close=False)
    r = data["rival"]
    rival_growth = c.rate(r["growth"], "rival.growth", allow_to_close=False)
    rival = dict(
        name=c.text(r["name"], "rival.name"),
        growth=rival_growth,
        trend_years=_trend_years(c, r, "rival", rival_growth),
        start=None
        if r.get("start") is None
        else c.number(r["start"], "rival.start", low=0, low_open=True),
    )

    substitution = None
    if "substitution" in data:
        s = data["substitution"]
        start_year = c.year(s.get("start_year", base + 1), "substitution.start_year")
        phase = s.get("phase_in_years", 0)
        if isinstance(phase, bool) or not isinstance(phase, int) or phase < 0:
            raise c.fail(
                "substitution.phase_in_years", f"expected a whole number >= 0, got {_show(phase)}"
            )
        origins = s.get("origins", [])
        if isinstance(origins, str):
            origins = [origins]
        if not isinstance(origins, (list, tuple)):
            raise c.fail(
                "substitution.origins", f"expected a list of partner names, got {_show(origins)}"
            )
        origins = tuple(c.text(o, "substitution.origins") for o in origins)
        substitution = dict(
            share=c.number(s["share"], "substitution.share", low=0, high=1),
            import_content=c.number(
                s["import_content"], "substitution.import_content", low=0, high=1
            ),
            start_year=start_year,
            phase_in_years=int(phase),
            origins=origins,
        )
    profile = data.get("seasonal_profile")
    if profile is not None:
        try:
            profile = check_profile(profile)
        except ValueError as exc:
            raise ScenarioError(f"{source}: {exc}") from None
    try:  # the dataclasses check the rules that tie fields together
        scenario = Scenario(
            name=name,
            base_year=base,
            horizon=horizon,
            exports=exports,
            imports=imports,
            rival=RivalSpec(**rival),
            substitution=None if substitution is None else SubstitutionSpec(**substitution),
            description=description.strip(),
            source=source,
            reporter=reporter,
            seasonal_profile=profile,
            translations=tuple(translations),
        )
    except InputError as exc:
        raise ScenarioError(f"{source}: {exc}") from None
    if "uncertainty" in data:
        spec = parse_uncertainty(data["uncertainty"], source, scenario)
        scenario = replace(scenario, uncertainty=spec)
    return scenario


def _trend_years(c: _Checker, table: Mapping, section: str, growth) -> int | None:
    """``trend_years`` of a section: required with ``growth = "trend"``, refused without it."""
    key = f"{section}.trend_years"
    value = table.get("trend_years")
    if growth != TREND:
        if value is not None:
            raise c.fail(key, f'only goes with {section}.growth = "trend", got growth {growth!r}')
        return None
    if value is None:
        raise c.fail(key, 'missing: growth = "trend" needs the number of years (trend_years = 5)')
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_TREND_YEARS:
        raise c.fail(
            key, f"expected a whole number of years from 1 to {MAX_TREND_YEARS}, got {_show(value)}"
        )
    return value


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate one scenario file (TOML)."""
    return scenario_from_dict(read_toml(path, ScenarioError), Path(path).name)
