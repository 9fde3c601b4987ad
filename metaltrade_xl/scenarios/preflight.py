"""Checks a run makes after computing, before anything is written: results that are not finite
raise :class:`ScenarioError` naming the scenario file, so the command line reports them in one
line (exit 2). (The memory a Monte Carlo run needs is checked before it allocates anything, in
:func:`metaltrade_xl.scenarios.run.simulate_uncertainty`.)
"""

from __future__ import annotations

import math

import numpy as np

from metaltrade_xl.scenarios.errors import ScenarioError


def check_finite(results) -> None:
    """A result that is not a finite number is an error (exit 2), never an ``inf`` in the summary
    or a ``null`` in the JSON."""
    hint = (
        "is not a finite number (overflow beyond 1.8e308): check the growth rates (a percentage "
        "typed as a whole number?), start values and the horizon"
    )
    for r in results:
        where = r.scenario.source or r.scenario.name
        table = r.table.select_dtypes("number")
        bad = ~np.isfinite(table.to_numpy(dtype=float))
        if bad.any():
            i, j = np.argwhere(bad)[0]
            year = r.table["year"].iloc[i] if "year" in r.table else i
            raise ScenarioError(f"{where}: {table.columns[j]} in {year} {hint}")
        if r.montecarlo is not None:
            found = first_non_finite(r.montecarlo.to_dict(), "uncertainty")
            found = found or first_non_finite(r.tornado.to_dict(orient="list"), "tornado")
            if found:
                raise ScenarioError(f"{where}: the Monte Carlo result {found} {hint}")


def first_non_finite(value, path: str) -> str | None:
    """The key path of the first float in nested dicts/lists that is inf or NaN, else None."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, (list, tuple)):
        items = enumerate(value)
    else:
        return path if isinstance(value, float) and not math.isfinite(value) else None
    for k, v in items:
        hit = first_non_finite(v, f"{path}.{k}" if isinstance(k, str) else path)
        if hit:
            return hit
    return None
