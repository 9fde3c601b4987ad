"""Projection: identities in every year, the issue's closing case, rate tables and substitution."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metaltrade_xl.engine import InputError, ProjectionInputs, project
from metaltrade_xl.scenarios import scenario_from_dict


def make(**over):
    d = {
        "name": "t",
        "base_year": 2024,
        "horizon": 2034,
        "exports": {"growth": 0.05},
        "imports": {"growth": 0.04},
        "rival": {"name": "Chile", "growth": 0.03},
    }
    d.update(over)
    return scenario_from_dict(d)


def test_to_close_lands_on_the_rival():
    p = project(make(exports={"growth": "to_close"}), ProjectionInputs(750, 18203, 4000))
    assert p.rates["exports"] == pytest.approx((4000 * 1.03**10 / 750) ** 0.1 - 1, rel=1e-12)
    last = p.table.iloc[-1]
    assert last.exports == pytest.approx(last.rival_exports, rel=1e-9)
    assert last.gap_to_rival == pytest.approx(0, abs=1e-6)


def test_compounding_by_hand():
    t = project(make(), ProjectionInputs(750, 18203, 4000)).table
    assert t.year.tolist() == list(range(2024, 2035))
    assert t.exports.iloc[1] == pytest.approx(787.5)
    assert t.imports.iloc[2] == pytest.approx(18203 * 1.04**2)
    assert t.rival_exports.iloc[-1] == pytest.approx(4000 * 1.03**10)
    assert (t.substitution_effect == 0).all()


def test_rate_table_per_year():
    rates = {y: (0.1 if y <= 2026 else 0.0) for y in range(2025, 2035)}
    p = project(make(exports={"growth": rates}), ProjectionInputs(100, 1000, 4000))
    assert p.table.exports.iloc[-1] == pytest.approx(121.0)
    assert p.rates["exports"][2025] == 0.1


def test_substitution_cuts_imports_by_the_net_effect():
    s = make(
        substitution={
            "share": 0.1,
            "import_content": 0.35,
            "origins": ["China"],
            "start_year": 2026,
            "phase_in_years": 5,
        }
    )
    t = project(s, ProjectionInputs(750, 18203, 4000, origin_share=0.426)).table
    row = t[t.year == 2030].iloc[0]
    # full strength in 2030: 0.1 × 0.426 × imports_2030 × 0.65
    assert row.substitution_effect == pytest.approx(0.1 * 0.426 * 18203 * 1.04**6 * 0.65)
    assert row.imports == pytest.approx(row.imports_before_substitution - row.substitution_effect)
    assert t[t.year == 2025].substitution_effect.iloc[0] == 0


def test_bad_start_values():
    with pytest.raises(InputError, match="exports.start"):
        project(make(), ProjectionInputs(0, 18203, 4000))


@settings(max_examples=60)
@given(
    st.floats(1, 1e5),
    st.floats(1, 1e5),
    st.floats(1, 1e5),
    st.floats(-0.5, 0.5),
    st.floats(-0.5, 0.5),
    st.integers(1, 30),
    st.floats(0, 1),
    st.floats(0, 1),
    st.floats(0, 1),
)
def test_identities_hold_every_year(x0, m0, r0, gx, gm, n, share, content, origin):
    s = make(
        horizon=2024 + n,
        exports={"growth": gx},
        imports={"growth": gm},
        substitution={
            "share": share,
            "import_content": content,
            "start_year": 2025,
            "phase_in_years": 3,
        },
    )
    t = project(s, ProjectionInputs(x0, m0, r0, origin_share=origin)).table
    np.testing.assert_allclose(t.balance, t.exports - t.imports)
    np.testing.assert_array_equal(t.deficit, -t.balance)
    np.testing.assert_allclose(t.gap_to_rival, t.rival_exports - t.exports)
    assert (t.imports <= t.imports_before_substitution + 1e-9).all()


def test_to_close_is_solved_by_growth_to_close_exactly():
    from metaltrade_xl.engine import growth_to_close

    p = project(make(exports={"growth": "to_close"}), ProjectionInputs(750, 18203, 4000))
    rival_at_horizon = float(p.table.rival_exports.iloc[-1])
    assert p.rates["exports"] == float(growth_to_close(750, rival_at_horizon, 10))
    # the same rate as the closed form with the rival growing 3 % a year (README's example)
    assert p.rates["exports"] == pytest.approx(growth_to_close(750, 4000, 10, 0.03), rel=1e-13)
