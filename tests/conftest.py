"""Shared fixtures: the bundled figures and a way to run the command line in a temporary folder."""

import pytest

from metaltrade_xl.cli import main
from metaltrade_xl.data import load_figures


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
