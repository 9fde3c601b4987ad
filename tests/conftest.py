"""Shared fixtures: the bundled figures and a way to run the command line in a temporary folder."""

import os

# xlwings' remote Book (the Office.js runtime's object model, used to test the macros) needs a
# licence key before xlwings is first imported; "noncommercial" is xlwings' PolyForm
# Noncommercial key. Set only for the tests, never in the package.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import pytest  # noqa: E402

from metaltrade_xl.cli import main  # noqa: E402
from metaltrade_xl.data import load_figures  # noqa: E402


def pytest_addoption(parser):
    parser.addoption(
        "--fuzz-long",
        action="store_true",
        default=False,
        help="run the fuzz tests (tests/test_fuzz_*.py) with 20 times as many cases",
    )


@pytest.fixture(scope="session")
def figures():
    return load_figures()


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """Run ``metaltrade ARGS`` in-process inside ``tmp_path``; return (exit code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)

    def call(*args):
        code = main([str(a) for a in args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return call
