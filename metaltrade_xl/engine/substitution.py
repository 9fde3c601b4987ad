"""Import substitution: how much replacing a share of imports by domestic output cuts the deficit.

Replacing imports worth ``S`` by domestic output cuts imports by ``S`` but the new output needs
imported inputs worth ``S × import_content``, so the deficit falls by ``S × (1 − import_content)``:

``effect_t = phase_t × share × targeted_imports_t × (1 − import_content)``
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metaltrade_xl.engine._validate import InputError, as_float, as_fraction, require


def phase_in(years, start_year, phase_in_years):
    """Share of the full programme in force each year: a linear ramp from ``start_year``.

    The first year runs at ``1 / phase_in_years``, full strength comes in year
    ``start_year + phase_in_years − 1``; ``phase_in_years = 0`` means full strength at once.

    Parameters
    ----------
    years : array_like of int
    start_year : int
    phase_in_years : int, >= 0

    Returns
    -------
    ndarray, fractions in [0, 1]

    Examples
    --------
    >>> phase_in(range(2025, 2032), 2026, 5).tolist()
    [0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.0]
    """
    y = as_float(np.asarray(years), "years")
    start = as_float(start_year, "start_year")
    n = as_float(phase_in_years, "phase_in_years")
    if np.ndim(n) or n < 0 or n != int(n):
        raise InputError(f"phase_in_years: expected a whole number >= 0, got {phase_in_years!r}")
    if n == 0:
        return (y >= start).astype(float)
    return np.clip((y - start + 1) / n, 0.0, 1.0)


def substitution_path(
    years, imports, share, import_content, *, start_year, phase_in_years, origin_share=1.0
):
    """Yearly deficit effect of replacing a share of (some origins') imports by domestic output.

    Parameters
    ----------
    years : array_like of int, shape (n,)
    imports : array_like, shape (n,), USD millions, >= 0
        Imports each year without the programme.
    share : float, fraction in [0, 1]
        Share of the targeted imports replaced at full phase-in.
    import_content : float, fraction in [0, 1]
        Share of the replacement output's value that is itself imported.
    start_year : int
    phase_in_years : int, >= 0
    origin_share : float, fraction in [0, 1]
        Share of imports that the programme targets (e.g. China's share); 1 = all imports.

    Returns
    -------
    DataFrame, one row per year
        ``year, imports, targeted_imports, phase, substituted`` (gross imports replaced),
        ``imported_inputs`` (the new output's own imports), ``deficit_effect`` (net cut in the
        deficit, = substituted − imported_inputs), all in USD millions except ``phase``.

    Examples
    --------
    10 % of China's 42.6 % of 18 203, inputs 35 % imported, at full strength:

    >>> t = substitution_path([2030], [18203], 0.10, 0.35, start_year=2026, phase_in_years=5,
    ...                       origin_share=0.426)
    >>> t[["substituted", "deficit_effect"]].round(2).values.tolist()
    [[775.45, 504.04]]
    """
    y = np.asarray(years)
    m = as_float(np.asarray(imports), "imports")
    require(m.shape == y.shape, f"imports: expected {y.size} values (one per year), got {m.size}")
    require(m >= 0, "imports: expected values >= 0, got a negative value")
    share = as_fraction(share, "share")
    content = as_fraction(import_content, "import_content")
    origin = as_fraction(origin_share, "origin_share")
    phase = phase_in(y, start_year, phase_in_years)
    targeted = origin * m
    gross = phase * share * targeted
    inputs = gross * content
    return pd.DataFrame(
        {
            "year": y.astype(int),
            "imports": m,
            "targeted_imports": targeted,
            "phase": phase,
            "substituted": gross,
            "imported_inputs": inputs,
            "deficit_effect": gross - inputs,
        }
    )
