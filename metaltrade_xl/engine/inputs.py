"""Every model input and outcome, declared once by name (the way EMA Workbench declares them).

An **input** has a kind (an *uncertainty*, what the world does, or a *lever*, what policy chooses),
a :class:`Domain` (a rate, a start value, a share, a year, a count), how a Monte Carlo run draws it
(``"yearly"``, ``"once"`` per path, or ``None``: never drawn), a unit and a short label. An
**outcome** has a name, a unit and a label. Scenario parsing, sampling, the tornado, the grid, goal
seek and the Excel functions read these declarations; no code decides what an input is from the
spelling of its name.

:func:`check_value` is the one place a single number is checked against its domain (Excel argument
conversion and data-file parsing call it too), so a percentage typed as ``5`` is refused the same
way everywhere.

Examples
--------
>>> INPUTS["imports.growth"].domain is RATE, INPUTS["imports.growth"].drawn
(True, 'yearly')
>>> [i.name for i in INPUTS.values() if i.kind == LEVER]
['exports.growth', 'substitution.share', 'substitution.start_year', 'substitution.phase_in_years']
>>> check_value("exports.growth", 0.05, "exports.growth")
0.05
>>> check_value(RATE, 5, "MT_PROJECT: growth")
Traceback (most recent call last):
...
metaltrade_xl.engine._validate.InputError: MT_PROJECT: growth: expected a rate as a fraction, got 5: likely a percentage: type 5 % as 0.05
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from metaltrade_xl.engine._validate import InputError

#: Largest yearly rate accepted: rates are fractions, and 1.0 (100 % a year, every year) is far
#: beyond any trade projection, so a larger number is almost surely a percentage.
MAX_RATE = 1.0
#: Years a scenario may name (base year, horizon, substitution start), inclusive.
MIN_YEAR, MAX_YEAR = 1900, 2200

#: Input kinds (EMA Workbench's words).
UNCERTAINTY = "uncertainty"
LEVER = "lever"
#: How a Monte Carlo run draws an input.
DRAWN_YEARLY = "yearly"
DRAWN_ONCE = "once"


@dataclass(frozen=True)
class Domain:
    """The values one kind of number may take: ``low`` to ``high`` (open ends where flagged).

    Attributes
    ----------
    name : str
    low, high : float, may be infinite
    low_open, high_open : bool; an open end is itself refused
    whole : bool; only whole numbers (years, counts)
    unit : str
    expected : str, what an error message says was expected ("a rate > -1 (-100 %)")
    """

    name: str
    low: float
    high: float
    low_open: bool
    high_open: bool
    whole: bool
    unit: str
    expected: str

    def contains(self, values) -> np.ndarray:
        """Elementwise: is each value inside the domain (NaN never is)."""
        v = np.asarray(values, dtype=float)
        ok = (v > self.low) if self.low_open else (v >= self.low)
        ok &= (v < self.high) if self.high_open else (v <= self.high)
        if self.whole:
            ok &= np.floor(v) == v
        return ok


#: A growth rate per year, a fraction: above -1 (a fall of 100 % has no compound meaning), at most
#: :data:`MAX_RATE`.
RATE = Domain("rate", -1.0, MAX_RATE, True, False, False, "fraction per year",
              "a rate > -1 (-100 %)")  # fmt: skip
#: A base-year value that is compounded: USD millions, > 0.
START = Domain("start", 0.0, math.inf, True, True, False, "USD millions", "a value > 0")
#: A recorded trade value (exports, imports of a partner): USD millions, >= 0.
AMOUNT = Domain("amount", 0.0, math.inf, False, True, False, "USD millions", "a value >= 0")
#: A share or fraction in [0, 1].
SHARE = Domain("share", 0.0, 1.0, False, False, False, "fraction", "a share from 0 to 1")
#: A calendar year a scenario may name.
YEAR = Domain("year", MIN_YEAR, MAX_YEAR, False, False, True, "year",
              f"a year from {MIN_YEAR} to {MAX_YEAR}")  # fmt: skip
#: A whole number of years >= 0 (a phase-in).
COUNT = Domain("count", 0.0, math.inf, False, True, True, "years", "a whole number >= 0")
DOMAINS = {d.name: d for d in (RATE, START, AMOUNT, SHARE, YEAR, COUNT)}


@dataclass(frozen=True)
class Input:
    """One model input.

    Attributes
    ----------
    name : str, dotted (``section.field``), as in scenario files and Excel arguments
    kind : :data:`UNCERTAINTY` or :data:`LEVER`
    domain : Domain
    drawn : :data:`DRAWN_YEARLY`, :data:`DRAWN_ONCE`, or None (not drawn by a Monte Carlo run)
    section : str, the scenario section it belongs to (``exports``, ``substitution``, …)
    label : str, a few words for a reader
    search : (low, high) or None
        Goal seek's default search range; None means relative to the start value
        (``start / 100`` to ``start × 100``).
    """

    name: str
    kind: str
    domain: Domain
    drawn: str | None
    section: str
    label: str
    search: tuple[float, float] | None = None

    @property
    def unit(self) -> str:
        return self.domain.unit


@dataclass(frozen=True)
class Outcome:
    """One model outcome: a yearly series of the projection."""

    name: str
    unit: str
    label: str


_G = (-0.5, 1.0)  # goal seek's search range for a growth rate
_S = (0.0, 1.0)
# Order matters: the Monte Carlo draws yearly inputs, then once-per-path inputs, in this order.
_INPUTS = (
    Input("exports.growth", LEVER, RATE, DRAWN_YEARLY, "exports", "export growth", _G),
    Input("imports.growth", UNCERTAINTY, RATE, DRAWN_YEARLY, "imports", "import growth", _G),
    Input("rival.growth", UNCERTAINTY, RATE, DRAWN_YEARLY, "rival", "rival's export growth", _G),
    Input("exports.start", UNCERTAINTY, START, DRAWN_ONCE, "exports", "exports in the base year"),
    Input("imports.start", UNCERTAINTY, START, DRAWN_ONCE, "imports", "imports in the base year"),
    Input("rival.start", UNCERTAINTY, START, DRAWN_ONCE, "rival", "rival's exports, base year"),
    Input("substitution.share", LEVER, SHARE, DRAWN_ONCE, "substitution",
          "share of imports substituted", _S),
    Input("substitution.import_content", UNCERTAINTY, SHARE, DRAWN_ONCE, "substitution",
          "import content of the substitute", _S),
    Input("substitution.origin_share", UNCERTAINTY, SHARE, DRAWN_ONCE, "substitution",
          "share of imports from the targeted origins", _S),
    Input("substitution.start_year", LEVER, YEAR, None, "substitution",
          "first year of substitution"),
    Input("substitution.phase_in_years", LEVER, COUNT, None, "substitution",
          "years to full substitution"),
)  # fmt: skip
#: Every input by name.
INPUTS = {i.name: i for i in _INPUTS}
#: Inputs a Monte Carlo run draws for every projected year, in drawing order.
YEARLY = tuple(i.name for i in _INPUTS if i.drawn == DRAWN_YEARLY)
#: Inputs a Monte Carlo run draws once per path, in drawing order.
ONCE = tuple(i.name for i in _INPUTS if i.drawn == DRAWN_ONCE)
#: Inputs that can be uncertain, varied by the tornado and the grid, or goal-sought.
INPUT_NAMES = YEARLY + ONCE

#: Every outcome, by name; every function taking an ``outcome`` accepts each of them.
OUTCOMES = {
    o.name: o
    for o in (
        Outcome("deficit", "USD millions", "trade deficit (imports − exports)"),
        Outcome("exports", "USD millions", "exports"),
        Outcome("imports", "USD millions", "imports"),
        Outcome("gap_to_rival", "USD millions", "gap to the rival (rival − exports)"),
        Outcome("rival_exports", "USD millions", "rival's exports"),
        Outcome("imports_before_substitution", "USD millions", "imports before substitution"),
        Outcome("substitution_effect", "USD millions", "deficit cut by substitution"),
        Outcome("balance", "USD millions", "trade balance (exports − imports)"),
    )
}
OUTCOME_NAMES = tuple(OUTCOMES)


def _domain(name_or_domain) -> Domain:
    if isinstance(name_or_domain, Domain):
        return name_or_domain
    if name_or_domain in INPUTS:
        return INPUTS[name_or_domain].domain
    if name_or_domain in DOMAINS:
        return DOMAINS[name_or_domain]
    raise InputError(
        f"{name_or_domain!r}: not a declared input or domain; expected one of "
        f"{', '.join(list(INPUTS) + list(DOMAINS))}"
    )


def _show(value) -> str:
    text = f"{value:g}" if isinstance(value, float) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def expected(domain: Domain, value: float) -> str:
    """What an error message says was expected, given the bad ``value``.

    Examples
    --------
    >>> expected(RATE, -2), expected(RATE, 5)
    ('a rate > -1 (-100 %)', 'a rate as a fraction, at most 1 (type 5 % as 0.05)')
    """
    if domain is RATE and value > MAX_RATE:
        return f"a rate as a fraction, at most {MAX_RATE:g} (type 5 % as 0.05)"
    return domain.expected


def _refusal(domain: Domain, value: float, where: str) -> InputError:
    if domain is RATE and value > MAX_RATE:
        return InputError(
            f"{where}: expected a rate as a fraction, got {value:g}: likely a percentage: "
            "type 5 % as 0.05"
        )
    return InputError(f"{where}: expected {domain.expected}, got {value:g}")


def check_value(name_or_domain, value, where: str) -> float:
    """``value`` as a float if it lies in the input's (or domain's) range; else one clear line.

    Parameters
    ----------
    name_or_domain : str or Domain
        A declared input name (``"imports.growth"``), a domain name (``"rate"``, ``"start"``,
        ``"amount"``, ``"share"``, ``"year"``, ``"count"``) or a :class:`Domain`.
    value : number
        Booleans, text, None, NaN and infinities are refused.
    where : str
        Prefix of the message: what the value is and where it came from (``"data.csv row 4:
        value"``, ``"MT_PROJECT: growth"``).

    Returns
    -------
    float

    Raises
    ------
    InputError
        ``"<where>: expected <what the domain allows>, got <value>"``; a rate above
        :data:`MAX_RATE` adds ``likely a percentage: type 5 % as 0.05``.

    Examples
    --------
    >>> check_value("share", 0.35, "substitution.import_content")
    0.35
    >>> check_value("start", 0, "exports.start")
    Traceback (most recent call last):
    ...
    metaltrade_xl.engine._validate.InputError: exports.start: expected a value > 0, got 0
    """
    domain = _domain(name_or_domain)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise InputError(f"{where}: expected {domain.expected}, got {_show(value)}")
    v = float(value)
    if not math.isfinite(v):
        raise InputError(f"{where}: expected {domain.expected}, got {_show(v)}")
    if not domain.contains(v):
        raise _refusal(domain, v, where)
    return v


def check_values(name_or_domain, values, where: str) -> np.ndarray:
    """Every value of an array as floats, each checked as by :func:`check_value`.

    Examples
    --------
    >>> check_values("rate", [0.01, 0.04], "growths").tolist()
    [0.01, 0.04]
    >>> check_values("rate", [0.01, 4], "growths")
    Traceback (most recent call last):
    ...
    metaltrade_xl.engine._validate.InputError: growths: expected a rate as a fraction, got 4: likely a percentage: type 5 % as 0.05
    """
    domain = _domain(name_or_domain)
    arr = np.asarray(values, dtype=object)
    for v in arr.ravel():
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
            raise InputError(f"{where}: expected {domain.expected}, got {_show(v)}")
    out = arr.astype(float)
    bad = ~domain.contains(out)
    if bad.any():
        raise _refusal(domain, float(out[np.unravel_index(bad.argmax(), bad.shape)]), where)
    return out


def input_spec(name: str, where: str = "input") -> Input:
    """The declaration of ``name``, or an InputError listing the declared names.

    Examples
    --------
    >>> input_spec("rival.growth").label
    "rival's export growth"
    """
    if name not in INPUTS:
        raise InputError(f"{where}: expected one of {', '.join(INPUTS)}, got {name!r}")
    return INPUTS[name]


def outcome_spec(name: str, where: str = "outcome") -> Outcome:
    """The declaration of outcome ``name``, or an InputError listing every outcome."""
    if name not in OUTCOMES:
        raise InputError(f"{where}: expected one of {', '.join(OUTCOMES)}, got {name!r}")
    return OUTCOMES[name]
