"""Input checks shared by the engine: turn array-likes into float arrays or say what is wrong."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd


class InputError(ValueError):
    """Bad input to an engine function; the message names what was expected and what came in."""


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def as_float(value: object, name: str) -> float | np.ndarray | pd.Series:
    """Return ``value`` as float (scalar, ndarray or Series, keeping the kind), or raise InputError.

    Booleans, text, None and NaN are refused: in a spreadsheet they are almost always a mistake
    (an empty cell, a label in a number range), and a silent 0 or 1 would be a wrong number.
    """
    if isinstance(value, pd.Series):
        arr = _checked(value.to_numpy(), name)
        return pd.Series(arr, index=value.index, name=value.name)
    if isinstance(value, (bool, np.bool_)):
        raise InputError(f"{name}: expected a number, got a boolean ({value})")
    if isinstance(value, numbers.Real):
        return float(_checked(np.asarray([value]), name)[0])
    return _checked(np.asarray(value), name)


def _checked(arr: np.ndarray, name: str) -> np.ndarray:
    if arr.dtype == bool:
        raise InputError(f"{name}: expected numbers, got booleans")
    if arr.dtype.kind not in "iuf":
        try:
            arr = arr.astype(float)
        except (TypeError, ValueError):
            bad = next((v for v in arr.ravel() if not _is_number(v)), None)
            raise InputError(f"{name}: expected numbers, got {_describe(bad)}") from None
    arr = arr.astype(float, copy=False)
    if arr.size and not np.all(np.isfinite(arr)):
        where = np.argwhere(~np.isfinite(arr))[0]
        pos = f" at position {tuple(int(i) for i in where)}" if arr.ndim else ""
        raise InputError(f"{name}: expected finite numbers, got {arr[tuple(where)]}{pos}")
    return arr


def _is_number(v: object) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))


def scalar_or_array(out):
    """A 0-d result as a plain float, anything else unchanged."""
    return float(out) if np.ndim(out) == 0 else out


def require(condition: object, message: str) -> None:
    """Raise InputError(message) unless ``condition`` holds everywhere."""
    if not np.all(condition):
        raise InputError(message)


def as_year_count(value: object, name: str) -> float | np.ndarray:
    """A number of years: finite and > 0 (fractional years are allowed)."""
    years = as_float(value, name)
    if not np.all(np.asarray(years) > 0):
        raise InputError(f"{name}: expected a number of years > 0, got {_describe(years)}")
    return years


def as_rate(value: object, name: str) -> float | np.ndarray:
    """A growth rate as a fraction, > -1 (a fall of 100 % or more has no compound meaning)."""
    rate = as_float(value, name)
    # The message (a repr of the value) only when it fails: on paths, repr cost more than the check.
    if not np.all(np.asarray(rate) > -1):
        raise InputError(f"{name}: expected a rate > -1 (-100 %), got {_describe(rate)}")
    return rate


def as_positive(value: object, name: str) -> float | np.ndarray:
    """A value that must be > 0 (a start value that is compounded, a denominator)."""
    out = as_float(value, name)
    if not np.all(np.asarray(out) > 0):
        raise InputError(f"{name}: expected a value > 0, got {_describe(out)}")
    return out


def as_fraction(value: object, name: str) -> float | np.ndarray:
    """A share between 0 and 1 inclusive."""
    out = as_float(value, name)
    arr = np.asarray(out)
    if not np.all((arr >= 0) & (arr <= 1)):
        raise InputError(f"{name}: expected a share between 0 and 1, got {_describe(out)}")
    return out
