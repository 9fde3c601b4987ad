"""The layers, read from the source: imports point inward, no cycles, small modules.

Rules (DESIGN.md, the architecture issue):
- ``engine`` imports nothing of ours outside ``engine`` (and neither xlwings nor openpyxl);
- ``report`` imports neither xlwings nor openpyxl;
- ``files`` never imports xlwings;
- ``scenarios`` imports no adapter (``excel``, ``files``, ``cli``, the thin faces) nor xlwings or
  openpyxl;
- ``data`` imports no adapter either;
- no import cycle between our modules, counting imports inside functions;
- at most five modules directly in ``metaltrade_xl/``; none over 400 lines of code.
"""

import ast
import io
import subprocess
import sys
import textwrap
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "metaltrade_xl"

ADAPTERS = (
    "metaltrade_xl.excel",
    "metaltrade_xl.files",
    "metaltrade_xl.cli",
    "metaltrade_xl.udfs",
    "metaltrade_xl.macros",
)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside functions, resolved to full names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            out.add(mod)
            # `from metaltrade_xl.report import content` imports the module report.content
            for alias in node.names:
                if f"{mod}.{alias.name}" in MODULES:
                    out.add(f"{mod}.{alias.name}")
    return out


def ours(names: set[str]) -> set[str]:
    """Our modules among ``names`` (a package import counts as importing its ``__init__``)."""
    return {n for n in names if n in MODULES}


def starts(name: str, prefixes) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


GRAPH = {name: ours(imports_of(path)) for name, path in MODULES.items()}


def code_lines(path: Path) -> int:
    """Lines holding code: docstrings, comments and blank lines not counted."""
    source = path.read_text(encoding="utf-8")
    doc_lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                doc_lines.update(range(body[0].lineno, body[0].end_lineno + 1))
    lines = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type in (
            tokenize.COMMENT,
            tokenize.NL,
            tokenize.NEWLINE,
            tokenize.INDENT,
            tokenize.DEDENT,
            tokenize.ENDMARKER,
        ):
            continue
        lines.update(range(tok.start[0], tok.end[0] + 1))
    return len(lines - doc_lines)


@pytest.mark.parametrize(
    "package, forbidden",
    [
        ("metaltrade_xl.engine", ("xlwings", "openpyxl")),
        ("metaltrade_xl.report", ("xlwings", "openpyxl", *ADAPTERS)),
        (
            "metaltrade_xl.files",
            (
                "xlwings",
                "metaltrade_xl.excel",
                "metaltrade_xl.udfs",
                "metaltrade_xl.macros",
                "metaltrade_xl.cli",
            ),
        ),
        ("metaltrade_xl.scenarios", ("xlwings", "openpyxl", *ADAPTERS)),
        (
            "metaltrade_xl.data",
            ("xlwings", *ADAPTERS, "metaltrade_xl.report", "metaltrade_xl.scenarios"),
        ),
    ],
)
def test_package_imports_follow_the_layers(package, forbidden):
    broken = [
        f"{name} imports {imp}"
        for name, path in MODULES.items()
        if starts(name, [package])
        for imp in imports_of(path)
        if starts(imp, forbidden)
    ]
    assert broken == []


def test_engine_imports_nothing_of_ours_outside_it():
    broken = [
        f"{name} imports {imp}"
        for name, deps in GRAPH.items()
        if starts(name, ["metaltrade_xl.engine"])
        for imp in deps
        if not starts(imp, ["metaltrade_xl.engine"]) and imp != "metaltrade_xl"
    ]
    assert broken == []


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every back edge a depth-first search meets, as the cycle it closes."""
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                cycles.append(stack[stack.index(dep) :] + [dep])
            elif dep not in state:
                visit(dep)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def test_no_import_cycle():
    assert find_cycles(GRAPH) == []


def test_the_checker_sees_cycles_and_imports_inside_functions(tmp_path):
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []
    mod = PACKAGE / "scenarios" / "run.py"  # a real module: resolve a function-level import
    fake = tmp_path / "f.py"
    fake.write_text("def f():\n    from metaltrade_xl.cli import main\n", encoding="utf-8")
    tree = ast.parse(fake.read_text())
    assert [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)] == [
        "metaltrade_xl.cli"
    ]
    assert "metaltrade_xl.scenarios.toml" in GRAPH[module_name(mod)]


def test_few_modules_at_the_top():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 5, top


def test_no_module_over_400_lines_of_code():
    big = {name: n for name, path in MODULES.items() if (n := code_lines(path)) > 400}
    assert big == {}


def test_code_lines_skips_docstrings_comments_and_blanks(tmp_path):
    f = tmp_path / "m.py"
    f.write_text(
        '"""Doc\n\nmore."""\n\n# comment\nx = 1\n\n\ndef f():\n    """Doc."""\n    return (\n        x)\n'
    )
    assert code_lines(f) == 4  # x = 1, def f():, return (, x)


BLOCKER = textwrap.dedent(
    """
    import importlib.abc, pkgutil, sys

    BLOCKED = ("xlwings", "openpyxl", "metaltrade_xl.udfs", "metaltrade_xl.macros",
               "metaltrade_xl.excel", "metaltrade_xl.files", "metaltrade_xl.cli",
               "metaltrade_xl.report", "metaltrade_xl.scenarios", "metaltrade_xl.data")

    class Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if any(name == b or name.startswith(b + ".") for b in BLOCKED):
                raise ImportError(f"engine must not import {name}")

    sys.meta_path.insert(0, Block())
    import metaltrade_xl.engine as engine
    names = [m.name for m in pkgutil.iter_modules(engine.__path__, "metaltrade_xl.engine.")]
    for name in names:
        __import__(name)
    print(len(names))
    """
)


def test_engine_is_pure():
    done = subprocess.run(
        [sys.executable, "-c", BLOCKER], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) >= 5  # _validate, balance, catchup, projection, substitution


def test_engine_neither_prints_nor_opens_files():
    for path in (ROOT / "metaltrade_xl" / "engine").glob("*.py"):
        code = path.read_text(encoding="utf-8")
        for forbidden in ("print(", "open(", "read_csv", "to_excel", "read_excel"):
            assert forbidden not in code, f"{path.name} uses {forbidden}"


def test_thin_faces_expose_every_name():
    import metaltrade_xl.macros as macros
    import metaltrade_xl.udfs as udfs

    mt = [n for n in dir(udfs) if n.startswith("MT_")]
    assert len(mt) == 25 and sorted(mt) == sorted(udfs.__all__)
    for name in (
        "main",
        "run_scenarios",
        "run_scenarios_caller",
        "run_scenarios_script",
        "share_copy",
        "share_copy_caller",
        "report_error",
    ):
        assert callable(getattr(macros, name))
    assert code_lines(PACKAGE / "udfs.py") <= 10 and code_lines(PACKAGE / "macros.py") <= 30
