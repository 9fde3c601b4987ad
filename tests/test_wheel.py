"""What an installed wheel ships: the bundled scenarios, and a `metaltrade run` that works from it.

The wheel is built with the project's own build backend (hatchling, in the ``test`` extra) and
unpacked as pip would install it; the run happens outside the checkout with the checkout off the
path, so only the wheel's copy of the package and of the scenarios can be found.
"""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_ships_the_scenarios_and_runs_outside_the_checkout(tmp_path):
    from hatchling.builders.wheel import WheelBuilder

    wheel = next(WheelBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"]))
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        scenarios = sorted(p.name for p in (ROOT / "scenarios").glob("*.toml"))
        assert scenarios and all(f"metaltrade_xl/bundled_scenarios/{s}" in names for s in scenarios)
        entry = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        assert "metaltrade = metaltrade_xl.cli:entry" in z.read(entry).decode()
        site = tmp_path / "site"
        z.extractall(site)  # a pure wheel installs by unpacking into site-packages

    work = tmp_path / "work"
    work.mkdir()
    # the checkout (editable install) stays importable after PYTHONPATH, so say where we ran from
    probe = "import metaltrade_xl, sys; print(metaltrade_xl.__file__, file=sys.stderr)\n"
    code = probe + "from metaltrade_xl.cli import entry; sys.exit(entry())"
    done = subprocess.run(
        [sys.executable, "-c", code, "run", "--json", "r.json"],
        cwd=work,
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert Path(done.stderr.splitlines()[0]).is_relative_to(site)
    assert (work / "projections.xlsx").exists()
    assert len(json.loads((work / "r.json").read_text())) == len(scenarios)
