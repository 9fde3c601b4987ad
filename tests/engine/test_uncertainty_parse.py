"""The [uncertainty] section of a scenario: parsed into UncertaintySpec, errors name the key."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomllib

from metaltrade_xl.engine import montecarlo as mc
from metaltrade_xl.scenarios import ScenarioError, scenario_from_dict
from metaltrade_xl.scenarios.uncertainty import parse_uncertainty

ROOT = Path(__file__).resolve().parents[2]

ISSUE_EXAMPLE = """
[uncertainty]
paths = 100000
seed = 20260126
exports.growth = { dist = "normal", mean = 0.12, sd = 0.05 }
imports.growth = { dist = "triangular", low = 0.00, mode = 0.04, high = 0.08 }
rival.growth   = { dist = "uniform", low = 0.01, high = 0.05 }
correlation = [["exports.growth", "imports.growth", 0.3]]
"""


def parse(text, scenario=None):
    return parse_uncertainty(tomllib.loads(text)["uncertainty"], "x.toml", scenario)


def test_issue_example():
    spec = parse(ISSUE_EXAMPLE)
    assert spec.paths == 100_000 and spec.seed == 20260126
    assert spec.inputs["exports.growth"] == mc.distribution("normal", mean=0.12, sd=0.05)
    assert spec.inputs["imports.growth"].kind == "triangular"
    assert spec.inputs["rival.growth"]["high"] == 0.05
    assert spec.correlation == (("exports.growth", "imports.growth", 0.3),)
    assert spec.percentiles == (5, 10, 50, 90, 95) and spec.persistence == {}


def test_quoted_keys_persistence_and_options():
    spec = parse("""
[uncertainty]
seed = 0
"exports.growth" = { dist = "lognormal", median = 0.1, sigma = 0.04, shift = -1 }
persistence.exports.growth = 0.7
percentiles = [10, 50, 90]
correlation_kind = "rank"
""")
    assert spec.seed == 0 and spec.paths == 10_000
    assert spec.persistence == {"exports.growth": 0.7}
    assert spec.percentiles == (10.0, 50.0, 90.0) and spec.correlation_kind == "rank"
    spec = parse(
        '[uncertainty]\nexports.growth = { dist = "normal", mean = 0.1, sd = 0.02 }\n'
        'persistence = { "exports.growth" = 1 }\n'
    )
    assert spec.persistence == {"exports.growth": 1}


def test_bundled_uncertain_scenario_parses():
    data = tomllib.loads((ROOT / "scenarios" / "uncertain_export_push.toml").read_text())
    table = data.pop("uncertainty")
    s = scenario_from_dict(data, "uncertain_export_push.toml")
    spec = parse_uncertainty(table, "uncertain_export_push.toml", s)
    assert spec.paths == 100_000 and set(spec.inputs) >= {"exports.growth", "imports.growth"}


@pytest.mark.parametrize(
    "body, message",
    [
        (
            'exports.growht = { dist = "normal", mean = 0.1, sd = 0.1 }',
            "x.toml: uncertainty.exports.growht: unknown key in \\[uncertainty\\]; did you mean 'exports.growth'",  # noqa: E501
        ),
        ("exports.growth = { mean = 0.1, sd = 0.1 }", "uncertainty.exports.growth: missing 'dist'"),
        ("exports.growth = 0.1", "uncertainty.exports.growth: expected a table like"),
        (
            'exports.growth = { dist = "normal", mean = 0.1, sd = -0.1 }',
            "uncertainty.exports.growth: normal: expected sd >= 0, got -0.1",
        ),
        ('exports.growth = { dist = "beta", a = 1 }', "unknown distribution 'beta'"),
        (
            'paths = 0\nexports.growth = { dist = "normal", mean = 0.1, sd = 0.1 }',
            "uncertainty.paths: expected a whole number 1-2000000, got 0",
        ),
        (
            'seed = -1\nexports.growth = { dist = "normal", mean = 0.1, sd = 0.1 }',
            "uncertainty.seed: expected a whole number",
        ),
        (
            'seed = 1.5\nexports.growth = { dist = "normal", mean = 0.1, sd = 0.1 }',
            "uncertainty.seed: expected a whole number",
        ),
        (
            'exports.growth = { dist = "normal", mean = 0.1, sd = 0.1 }\ncorrelation = [["exports.growth", 0.3]]',  # noqa: E501
            "uncertainty.correlation\\[0\\]: expected",
        ),
        (
            'exports.growth = { dist = "normal", mean = 0.1, sd = 0.1 }\n'
            'correlation = [["exports.growth", "imports.growth", 0.3]]',
            "uncertainty.correlation: 'imports.growth' is not an uncertain input",
        ),
        (
            'exports.growth = { dist = "normal", mean = 0.1, sd = 0.1 }\n'
            'imports.growth = { dist = "normal", mean = 0.1, sd = 0.1 }\n'
            'rival.growth = { dist = "normal", mean = 0.1, sd = 0.1 }\n'
            'correlation = [["exports.growth", "imports.growth", 0.9], ["exports.growth", "rival.growth", 0.9],'  # noqa: E501
            ' ["imports.growth", "rival.growth", -0.9]]',
            "uncertainty.correlation: the matrix of .* is not positive semi-definite",
        ),
        (
            'exports.growth = { dist = "normal", mean = 0.1, sd = 0.1 }\npersistence = { "exports.growth" = 2 }',  # noqa: E501
            "uncertainty.persistence: exports.growth: expected rho in \\[0, 1\\]",
        ),
        (
            'substitution.share = { dist = "normal", mean = 0.1, sd = 0.1 }',
            "uncertainty.substitution.share: a share must stay within \\[0, 1\\]",
        ),
        ("paths = 10", "uncertainty: no uncertain input given"),
        (
            'exports.growth = { dist = "normal", mean = 0.1, sd = 0.1 }\npercentiles = [5, 120]',
            "uncertainty.percentiles: expected a list of numbers 0-100",
        ),
    ],
)
def test_errors_name_the_key(body, message):
    with pytest.raises(ScenarioError, match=message):
        parse("[uncertainty]\n" + body + "\n")


def test_substitution_needs_a_substitution_section():
    s = scenario_from_dict(
        {
            "name": "x",
            "base_year": 2024,
            "horizon": 2030,
            "exports": {"growth": 0.1},
            "imports": {"growth": 0.04},
            "rival": {"name": "Chile", "growth": 0.03},
        }
    )
    with pytest.raises(ScenarioError, match="uncertainty.substitution.share: the scenario has no"):
        parse('[uncertainty]\nsubstitution.share = { dist = "uniform", low = 0, high = 0.2 }\n', s)
