"""The declarations of inputs and outcomes, and the one value checker."""

import math

import pytest

from metaltrade_xl.engine import inputs
from metaltrade_xl.engine._validate import InputError
from metaltrade_xl.engine.inputs import (
    AMOUNT,
    COUNT,
    INPUTS,
    MAX_RATE,
    RATE,
    SHARE,
    START,
    YEAR,
    check_value,
    check_values,
)


def test_every_drawn_input_is_declared_once_in_drawing_order():
    assert inputs.YEARLY == ("exports.growth", "imports.growth", "rival.growth")
    assert inputs.INPUT_NAMES == inputs.YEARLY + inputs.ONCE
    assert len(set(inputs.INPUT_NAMES)) == len(inputs.INPUT_NAMES)
    for name, spec in INPUTS.items():
        assert spec.name == name
        assert spec.kind in (inputs.UNCERTAINTY, inputs.LEVER)
        assert name.split(".")[0] == spec.section
        assert spec.label and spec.unit


@pytest.mark.parametrize(
    ("domain", "inside", "outside"),
    [
        (RATE, [-0.99, 0.0, MAX_RATE], [-1.0, 1.01, math.nan]),
        (START, [0.001, 1e9], [0.0, -5.0]),
        (AMOUNT, [0.0, 18203.0], [-0.01]),
        (SHARE, [0.0, 0.5, 1.0], [-0.1, 1.1]),
        (YEAR, [inputs.MIN_YEAR, 2024, inputs.MAX_YEAR], [inputs.MIN_YEAR - 1, 2024.5]),
        (COUNT, [0, 5], [-1, 2.5]),
    ],
)
def test_domains_accept_their_range_and_refuse_the_rest(domain, inside, outside):
    for v in inside:
        assert check_value(domain, v, "x") == v
    for v in outside:
        with pytest.raises(InputError, match=r"^where: expected "):
            check_value(domain, v, "where")


def test_a_rate_typed_as_a_percentage_is_refused_with_a_hint():
    with pytest.raises(InputError) as err:
        check_value("imports.growth", 4, "data.csv row 3: growth")
    message = str(err.value)
    assert message == (
        "data.csv row 3: growth: expected a rate as a fraction, got 4: likely a percentage: "
        "type 5 % as 0.05"
    )
    assert "\n" not in message


@pytest.mark.parametrize("bad", [True, "0.05", None, [0.05]])
def test_non_numbers_are_refused_naming_what_came_in(bad):
    with pytest.raises(InputError, match=r"^g: expected a rate"):
        check_value("rate", bad, "g")


def test_check_values_names_the_first_bad_value():
    with pytest.raises(InputError, match="got -2"):
        check_values(SHARE, [[0.1, -2], [3, 0.2]], "shares")
    assert check_values(SHARE, [[0.1], [1]], "s").shape == (2, 1)


def test_unknown_names_are_refused():
    with pytest.raises(InputError, match="not a declared input or domain"):
        check_value("exports.grwth", 0.1, "x")
    with pytest.raises(InputError, match="expected one of deficit"):
        inputs.outcome_spec("defict")
