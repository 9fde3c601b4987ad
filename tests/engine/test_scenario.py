"""The scenario dataclasses check their own invariants, once, wherever a scenario is built."""

import pytest

from metaltrade_xl.engine._validate import InputError
from metaltrade_xl.engine.scenario import (
    TO_CLOSE,
    FlowSpec,
    RivalSpec,
    Scenario,
    SubstitutionSpec,
)
from metaltrade_xl.scenarios import ScenarioError, scenario_from_dict


def make(**changes):
    fields = dict(
        name="s",
        base_year=2024,
        horizon=2030,
        exports=FlowSpec(TO_CLOSE),
        imports=FlowSpec(0.04),
        rival=RivalSpec("Chile", 0.03),
    )
    fields.update(changes)
    return Scenario(**fields)


def sub(start_year=2026, **kw):
    return SubstitutionSpec(kw.pop("share", 0.1), kw.pop("import_content", 0.35), start_year, **kw)


def test_a_valid_scenario_builds():
    s = make(substitution=sub(2030))  # starting in the horizon year is allowed
    assert s.years == (2024, 2030)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"horizon": 2024}, "horizon: expected a year after base_year 2024, got 2024"),
        ({"base_year": 1800}, "base_year: expected a year from 1900 to 2200, got 1800"),
        ({"substitution": sub(2024)}, "substitution.start_year: expected a year after base_year"),
        ({"substitution": sub(2031)}, "and by the horizon 2030, got 2031"),
        ({"imports": FlowSpec(TO_CLOSE)}, "imports.growth: expected a rate"),
        ({"imports": FlowSpec(5.0)}, "imports.growth: expected a rate as a fraction, got 5"),
        ({"rival": RivalSpec("Chile", 0.03, start=0)}, "rival.start: expected a value > 0"),
        (
            {"exports": FlowSpec({2025: 0.1, 2026: 0.1})},
            "exports.growth: the table of yearly rates has no rate for 2027, 2028, 2029, 2030",
        ),
        (
            {"exports": FlowSpec({y: 0.1 for y in range(2024, 2031)})},
            "exports.growth: rate for 2024, outside the projected years 2025-2030",
        ),
    ],
)
def test_each_invariant_is_refused_with_its_key(changes, message):
    with pytest.raises(InputError) as err:
        make(**changes)
    assert message in str(err.value)
    assert str(err.value).split(":")[0] in (
        "horizon", "base_year", "substitution.start_year", "imports.growth",
        "rival.start", "exports.growth",
    )  # fmt: skip


def test_substitution_values_are_checked_where_they_are_built():
    with pytest.raises(InputError, match="substitution.share: expected a share from 0 to 1"):
        sub(share=1.5)
    with pytest.raises(InputError, match="substitution.phase_in_years: expected a whole number"):
        sub(phase_in_years=-1)


def test_the_file_parser_reports_the_same_rule_with_the_file_name():
    data = {
        "name": "x", "base_year": 2024, "horizon": 2030,
        "exports": {"growth": 0.1}, "imports": {"growth": 0.04},
        "rival": {"name": "Chile", "growth": 0.03},
        "substitution": {"share": 0.1, "import_content": 0.3, "start_year": 2040},
    }  # fmt: skip
    with pytest.raises(ScenarioError, match=r"^x.toml: substitution.start_year: .* got 2040$"):
        scenario_from_dict(data, "x.toml")
