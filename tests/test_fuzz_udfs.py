"""Fuzz of every MT_ function through xlwings' Office.js call path (Hypothesis).

A table gives each function's arguments and their domains. A case fills every argument with a
valid value, then replaces some of them by one of many kinds of bad input (text, error values,
booleans, NaN, infinities, 1E+308, percentages typed as whole numbers, ragged or empty ranges,
desktop COM error codes, rich values, formula-like text, 5 000-character text). The outcome must
be one of two classes:

- an ``XlwingsError`` (what xlwings Server shows users) with one line of text that names the
  function: never another exception (Excel would show only "An error occurred");
- a value: rows of cells whose numbers are all finite and inside the function's result domain
  (a share from 0 to 1, a probability, a growth above -100 %, …).

``--fuzz-long`` runs 20 times as many cases.
"""

import math

import pytest
import xlwings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metaltrade_xl.engine.inputs import INPUT_NAMES, OUTCOME_NAMES
from tests.excel.conftest import call, udfs  # noqa: F401  (fixtures: the Office.js call path)

#: How many cases a normal run tries (``--fuzz-long``: x 20).
CASES = 300

amount = st.floats(0, 1e6)
positive = st.floats(1, 1e6)
rate = st.floats(-0.5, 0.5)
share = st.floats(0, 1)
years = st.floats(0.5, 40)
whole_years = st.integers(1, 30)
year = st.integers(1900, 2200)
months = st.integers(1, 12)
column = st.lists(st.floats(1, 1e5), min_size=2, max_size=8).map(lambda v: [[x] for x in v])
names = st.lists(st.sampled_from(["China", "Chile", "USA", "Brazil", "Mexico"]), min_size=2,
                 max_size=5, unique=True).map(lambda v: [[x] for x in v])  # fmt: skip
scenario = st.sampled_from(["baseline", "close_chile_2034", "uncertain_export_push"])
uncertain = st.just("uncertain_export_push")
outcome = st.sampled_from(OUTCOME_NAMES)
lever = st.sampled_from(INPUT_NAMES)
paths = st.integers(50, 400)
seed = st.integers(0, 1000)
row_of = st.lists(st.floats(-0.2, 0.3), min_size=2, max_size=3).map(lambda v: [v])

#: Every MT_ function: its arguments as (name, valid values), and what a result must satisfy.
TABLE = {
    "MT_BALANCE": [("exports", amount), ("imports", amount)],
    "MT_DEFICIT": [("exports", amount), ("imports", amount)],
    "MT_COVERAGE": [("exports", amount), ("imports", positive)],
    "MT_SHARE": [("part", amount), ("total", st.just(None))],
    "MT_GROWTH": [("values", column)],
    "MT_CAGR": [("start_value", positive), ("end_value", positive), ("years", years)],
    "MT_ANNUALIZE": [("value", amount), ("months", months), ("profile", st.just(None))],
    "MT_GROWTH_TO_CLOSE": [("start", positive), ("target", positive), ("years", years),
                           ("target_growth", rate)],
    "MT_YEARS_TO_CLOSE": [("start", positive), ("target", positive), ("growth", st.floats(0.2, 0.5)),
                          ("target_growth", st.floats(-0.1, 0.1))],
    "MT_GROWTH_FOR_DEFICIT": [("exports", positive), ("imports", positive), ("import_growth", rate),
                              ("target_deficit", st.floats(-1e5, 1e3)), ("years", whole_years)],
    "MT_PROJECT": [("start", positive), ("growth", rate), ("years", whole_years),
                   ("start_year", year)],
    "MT_SUBSTITUTION": [("imports", amount), ("share", share), ("import_content", share),
                        ("phase_in_years", st.integers(0, 5)), ("years", whole_years),
                        ("import_growth", rate), ("start_year", year)],
    "MT_SCENARIO": [("scenario", scenario), ("data", st.just(None))],
    "MT_DATA": [("indicator", st.sampled_from(["exports", "imports"])), ("who", st.just("Peru")),
                ("period", st.sampled_from([2024, "2025-11", None])), ("partner", st.just(None))],
    "MT_SOURCES": [],
    "MT_VERSION": [],
    "MT_MONTECARLO": [("scenario", uncertain), ("outcome", outcome), ("paths", paths),
                      ("seed", seed)],
    "MT_PROB_CLOSE": [("scenario", uncertain), ("year", st.integers(2024, 2034)),
                      ("paths", paths), ("seed", seed)],
    "MT_TORNADO": [("scenario", uncertain), ("outcome", outcome), ("year", st.integers(2024, 2034))],
    "MT_GRID": [("scenario", scenario), ("lever_x", st.just("exports.growth")),
                ("values_x", row_of), ("lever_y", st.just("imports.growth")), ("values_y", row_of),
                ("outcome", outcome), ("year", st.integers(2024, 2034))],
    "MT_GOALSEEK": [("scenario", scenario), ("lever", lever), ("target", st.floats(-1e4, 1e5)),
                    ("outcome", outcome), ("year", st.just(None)), ("low", st.just(None)),
                    ("high", st.just(None))],
    "MT_HHI": [("values", column), ("scale", st.just(None)), ("total", st.just(None))],
    "MT_RCA": [("sector_exports", st.floats(1, 10)), ("total_exports", st.floats(10, 100)),
               ("world_sector_exports", st.floats(100, 1000)),
               ("world_total_exports", st.floats(1000, 1e4))],
    "MT_MARKET_SHARE": [("exports", st.floats(0, 100)), ("world_exports", st.floats(100, 1e6))],
    "MT_TOP_PARTNERS": [("partners", names), ("current", st.just("same")),
                        ("previous", st.just(None)), ("n", st.integers(1, 5)),
                        ("total", st.just(None))],
}  # fmt: skip

#: Results that must lie in a range (all results must be finite numbers or text).
IN_RANGE = {
    "MT_SHARE": (0.0, 1.0),
    "MT_COVERAGE": (0.0, math.inf),
    "MT_MARKET_SHARE": (0.0, 1.0),
    "MT_CAGR": (-1.0, math.inf),
    "MT_GROWTH": (-1.0, math.inf),
    "MT_GROWTH_TO_CLOSE": (-1.0, math.inf),
    "MT_YEARS_TO_CLOSE": (0.0, math.inf),
    "MT_GROWTH_FOR_DEFICIT": (-1.0, math.inf),
    "MT_HHI": (0.0, 1.0),
}

#: Kinds of bad input, as the Excel client (or desktop COM) sends them.
BAD = [
    None, "", " ", "abc", "#N/A", "#DIV/0!", "#VALUE!", True, False,
    math.nan, math.inf, -math.inf, 1e308, -1e308, 0, -1, -1e-9, 1e-300, 5, 100, 2024.5, 9999,
    -5, 10**20, -2146826246, [[1, 2], [3]], [[None]], [[None], [1]], [[1], [None], [2]],
    [["a", 1]], [[0.05] * 3], {"type": "Double", "basicValue": 0.05},
    {"type": "Error", "errorType": "#N/A"}, '=HYPERLINK("http://evil.example")', "x" * 5000,
    "baseline.toml", "nonexistent_scenario",
]  # fmt: skip


@st.composite
def cases(draw):
    fn = draw(st.sampled_from(sorted(TABLE)))
    spec = TABLE[fn]
    args = {name: draw(values) for name, values in spec}
    if fn == "MT_TOP_PARTNERS":
        args["current"] = [[draw(st.floats(0, 1e4))] for _ in args["partners"]]
    if spec and draw(st.integers(0, 3)) > 0:  # three cases in four carry bad input
        for name in draw(st.sets(st.sampled_from([n for n, _ in spec]), min_size=1, max_size=2)):
            args[name] = draw(st.sampled_from(BAD))
    return fn, [args[name] for name, _ in spec]


def numbers_in(result):
    for row in result:
        for v in row if isinstance(row, list) else [row]:
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                yield float(v)


@pytest.fixture(scope="module")
def fuzz_cases(request):
    return CASES * (20 if request.config.getoption("--fuzz-long") else 1)


def test_every_mt_function_has_a_row_in_the_table(udfs):  # noqa: F811
    assert sorted(TABLE) == sorted(n for n in dir(udfs) if n.startswith("MT_"))


def test_fuzz_mt_functions(call, fuzz_cases):  # noqa: F811
    @settings(
        max_examples=fuzz_cases,
        deadline=None,
        derandomize=True,  # the same cases on every run: CI never flickers
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases())
    def run(case):
        fn, args = case
        try:
            result = call(fn, *args)
        except xlwings.XlwingsError as exc:
            message = str(exc)
            assert message.startswith(f"{fn}: ") and "\n" not in message, message
            assert len(message) <= 450, message
            return
        # any other exception propagates: Excel would show "An error occurred"
        assert isinstance(result, list) and result and all(isinstance(r, list) for r in result)
        low, high = IN_RANGE.get(fn, (-math.inf, math.inf))
        if fn == "MT_HHI" and args[1] is not None:  # a scale other than 1: 0 to the scale
            low, high = 0.0, math.inf
        for v in numbers_in(result):
            assert math.isfinite(v), (fn, args, v)
            assert low - 1e-9 <= v <= high + 1e-9, (fn, args, v)

    run()
