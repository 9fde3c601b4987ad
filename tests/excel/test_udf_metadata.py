"""What the function wizard shows, the classic add-in's category, the generated reference."""

import importlib.util
import inspect
from pathlib import Path

import pytest

from tests.excel.conftest import load_udfs_with

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = {
    "MT_BALANCE": ["exports", "imports"],
    "MT_DEFICIT": ["exports", "imports"],
    "MT_COVERAGE": ["exports", "imports"],
    "MT_SHARE": ["part", "total"],
    "MT_GROWTH": ["values"],
    "MT_CAGR": ["start_value", "end_value", "years"],
    "MT_ANNUALIZE": ["value", "months", "profile"],
    "MT_GROWTH_TO_CLOSE": ["start", "target", "years", "target_growth"],
    "MT_YEARS_TO_CLOSE": ["start", "target", "growth", "target_growth"],
    "MT_GROWTH_FOR_DEFICIT": ["exports", "imports", "import_growth", "target_deficit", "years"],
    "MT_PROJECT": ["start", "growth", "years", "start_year"],
    "MT_SUBSTITUTION": [
        "imports",
        "share",
        "import_content",
        "phase_in_years",
        "years",
        "import_growth",
        "start_year",
    ],
    "MT_SCENARIO": ["scenario", "data"],
    "MT_DATA": ["indicator", "who", "period", "partner"],
    "MT_SOURCES": [],
    "MT_VERSION": [],
    "MT_MONTECARLO": ["scenario", "outcome", "paths", "seed"],
    "MT_PROB_CLOSE": ["scenario", "year", "paths", "seed"],
    "MT_TORNADO": ["scenario", "outcome", "year"],
    "MT_GRID": ["scenario", "lever_x", "values_x", "lever_y", "values_y", "outcome", "year"],
    "MT_GOALSEEK": ["scenario", "lever", "target", "outcome", "year", "low", "high"],
    "MT_HHI": ["values", "multiplier", "total"],
    "MT_RCA": ["sector_exports", "total_exports", "world_sector_exports", "world_total_exports"],
    "MT_MARKET_SHARE": ["exports", "world_exports"],
    "MT_TOP_PARTNERS": ["partners", "current", "previous", "n", "total"],
}
OPTIONAL = {
    "MT_SHARE": {"total"}, "MT_ANNUALIZE": {"profile"}, "MT_GROWTH_TO_CLOSE": {"target_growth"},
    "MT_YEARS_TO_CLOSE": {"target_growth"}, "MT_PROJECT": {"start_year"},
    "MT_SUBSTITUTION": {"phase_in_years", "years", "import_growth", "start_year"},
    "MT_SCENARIO": {"data"}, "MT_DATA": {"who", "period", "partner"},
    "MT_MONTECARLO": {"outcome", "paths", "seed"}, "MT_PROB_CLOSE": {"year", "paths", "seed"},
    "MT_TORNADO": {"outcome", "year"}, "MT_GRID": {"outcome", "year"},
    "MT_GOALSEEK": {"outcome", "year", "low", "high"}, "MT_HHI": {"multiplier", "total"},
    "MT_TOP_PARTNERS": {"previous", "n", "total"},
}  # fmt: skip


@pytest.fixture(scope="module")
def meta(udfs):
    import xlwings.server

    return {f["name"]: f for f in xlwings.server.custom_functions_meta(udfs)["functions"]}


def test_the_catalogue_and_argument_order(meta):
    assert set(meta) == set(CATALOGUE)
    for name, args in CATALOGUE.items():
        assert [p["name"] for p in meta[name]["parameters"]] == args, name
        optional = {p["name"] for p in meta[name]["parameters"] if p.get("optional")}
        assert optional == OPTIONAL.get(name, set()), name


def test_every_argument_has_a_description(meta):
    for name, f in meta.items():
        for p in f["parameters"]:
            doc = p["description"]
            assert not doc.startswith("Positional argument"), (name, p["name"])
            assert 10 <= len(doc) <= 255 and "\n" not in doc, (name, p["name"], doc)
            assert doc.startswith("Optional.") == bool(p.get("optional")), (name, p["name"])


def test_every_function_has_a_one_line_description(meta, udfs):
    for name, f in meta.items():
        summary = inspect.cleandoc(getattr(udfs, name).__doc__).splitlines()[0]
        assert f["description"] == summary.replace("``", ""), name
        assert "\n" not in f["description"] and len(f["description"]) <= 255


def test_classic_decorators_get_the_category_and_every_argument_doc():
    seen = {}

    def func(f=None, **options):
        def inner(g):
            seen.setdefault(g.__name__, {})["func"] = options
            return g

        return inner if f is None else inner(f)

    def arg(name, convert=None, **options):
        def inner(g):
            seen.setdefault(g.__name__, {}).setdefault("args", {})[name] = (convert, options)
            return g

        return inner

    def ret(convert=None, **options):
        def inner(g):
            seen.setdefault(g.__name__, {})["ret"] = convert
            return g

        return inner

    load_udfs_with(func, arg, ret, "_metaltrade_udfs_classic_probe")
    assert set(seen) == set(CATALOGUE)
    for name, args in CATALOGUE.items():
        assert seen[name]["func"] == {"category": "MetalTrade"}
        assert seen[name]["ret"] == "raw"
        declared = seen[name].get("args", {})
        assert sorted(declared) == sorted(args), name
        for convert, options in declared.values():
            assert convert == "raw" and options["doc"]


def test_functions_md_is_up_to_date():
    spec = importlib.util.spec_from_file_location("_gen_docs", ROOT / "docs/generate_functions.py")
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    expected = generator.render()
    current = (ROOT / "docs/functions.md").read_text(encoding="utf-8")
    assert current == expected, (
        "docs/functions.md is stale: run `python docs/generate_functions.py > docs/functions.md`"
    )
    for name in CATALOGUE:
        assert f"## `{name}(" in current


def documented_parameters(doc: str) -> list[str]:
    """The names the numpydoc ``Parameters`` section lists (``a, b : type`` lists two)."""
    lines = inspect.cleandoc(doc).splitlines()
    start = next(
        (i for i, line in enumerate(lines[:-1])
         if line.strip() == "Parameters" and set(lines[i + 1].strip()) == {"-"}),
        None,
    )  # fmt: skip
    if start is None:  # a function without arguments has no Parameters section
        return []
    names = []
    for i in range(start + 2, len(lines)):
        line = lines[i]
        if i + 1 < len(lines) and line.strip() and set(lines[i + 1].strip()) == {"-"}:
            break  # the next section's heading
        if line and not line[0].isspace():  # an entry; its description is indented
            names += [n.strip() for n in line.split(" : ")[0].split(",")]
    return names


def test_documented_parameters_reads_the_section_itself():
    doc = """Summary.

    Parameters
    ----------
    a, b : float
        Mentions c in passing.
    d : text, optional

    Returns
    -------
    e : float
    """
    assert documented_parameters(doc) == ["a", "b", "d"]


def test_docstring_parameters_match_the_signatures(udfs):
    for name, args in CATALOGUE.items():
        f = getattr(udfs, name)
        assert list(inspect.signature(f).parameters) == args
        # each argument documented exactly once (numpydoc may group ``a, b : type``)
        assert sorted(documented_parameters(f.__doc__)) == sorted(args), name
