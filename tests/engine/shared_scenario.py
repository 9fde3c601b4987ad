"""A scenario and its inputs shared by the engine tests of the model and the tornado."""

from metaltrade_xl.engine.projection import ProjectionInputs
from metaltrade_xl.scenarios import scenario_from_dict

INPUTS = ProjectionInputs(750, 18203, 4000, 0.426)
SUB = {"share": 0.15, "import_content": 0.35, "start_year": 2026, "phase_in_years": 5}


def scenario():
    return scenario_from_dict({
        "name": "t", "base_year": 2024, "horizon": 2034,
        "exports": {"growth": 0.12}, "imports": {"growth": 0.04},
        "rival": {"name": "Chile", "growth": 0.03}, "substitution": SUB,
    })  # fmt: skip
