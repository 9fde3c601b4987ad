"""Import substitution: by hand from the seed, and the deficit never rises."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from metaltrade_xl.engine import InputError, phase_in, substitution_path


def test_phase_in_is_a_linear_ramp():
    assert phase_in([2025, 2026, 2027, 2030, 2031], 2026, 5).tolist() == [0, 0.2, 0.4, 1.0, 1.0]
    assert phase_in([2025, 2026], 2026, 0).tolist() == [0.0, 1.0]
    with pytest.raises(InputError, match="phase_in_years"):
        phase_in([2025], 2026, -1)


def test_china_programme_by_hand():
    # imports 18 203 flat; China 42.6 % -> 7 754.478 targeted; 10 % of it replaced at full
    # strength = 775.4478 gross; 35 % of that is imported inputs -> net 504.04107
    years = np.arange(2025, 2032)
    t = substitution_path(
        years,
        np.full(7, 18203.0),
        0.10,
        0.35,
        start_year=2026,
        phase_in_years=5,
        origin_share=0.426,
    )
    assert t["targeted_imports"].iloc[0] == pytest.approx(7754.478)
    assert t["substituted"].tolist() == pytest.approx(
        [0, 155.08956, 310.17912, 465.26868, 620.35824, 775.4478, 775.4478]
    )
    assert t["deficit_effect"].iloc[-1] == pytest.approx(504.04107)
    assert (t["substituted"] - t["imported_inputs"] == t["deficit_effect"]).all()


def test_bad_shares():
    with pytest.raises(InputError, match="share"):
        substitution_path([2025], [100.0], -0.1, 0.3, start_year=2025, phase_in_years=1)
    with pytest.raises(InputError, match="import_content"):
        substitution_path([2025], [100.0], 0.1, 1.3, start_year=2025, phase_in_years=1)
    with pytest.raises(InputError, match="one per year"):
        substitution_path([2025, 2026], [100.0], 0.1, 0.3, start_year=2025, phase_in_years=1)


fraction = st.floats(min_value=0, max_value=1)


@given(
    fraction,
    st.floats(min_value=0, max_value=0.999),
    fraction,
    st.integers(0, 10),
    st.lists(st.floats(0, 1e6), min_size=1, max_size=15),
)
def test_substitution_never_raises_the_deficit(share, content, origin, n, imports):
    years = np.arange(2025, 2025 + len(imports))
    t = substitution_path(
        years, imports, share, content, start_year=2026, phase_in_years=n, origin_share=origin
    )
    assert (t["deficit_effect"] >= 0).all()
    assert (t["deficit_effect"] <= t["substituted"] + 1e-9).all()
    assert (t["substituted"] <= t["targeted_imports"] + 1e-9).all()
