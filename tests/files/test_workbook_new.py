"""`metaltrade workbook new` for desktop Excel: the module its macro imports, the interpreter in
xlwings.conf, and outputs that claim to carry macros only when they do."""

import importlib.util

import openpyxl

from metaltrade_xl import macros
from metaltrade_xl.files.template import build, interpreter_settings


def conf(path):
    ws = openpyxl.load_workbook(path, keep_vba=True)["xlwings.conf"]
    return {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r[0]}


def test_a_new_name_gets_the_module_its_macro_imports(cli, tmp_path):
    code, out, err = cli("workbook", "new", "analyst.xlsm")
    assert code == 0, err
    module = tmp_path / "analyst.py"
    assert "wrote analyst.py" in out
    # SampleCall runs `import analyst; analyst.main()` from the workbook's folder
    spec = importlib.util.spec_from_file_location("analyst", module)
    analyst = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(analyst)
    assert analyst.main is macros.main
    assert analyst.run_scenarios_caller is macros.run_scenarios_caller
    # made again in place: the module is the same file, not "another module"
    code, _, err = cli("workbook", "new", "analyst.xlsm", "--force")
    assert code == 0, err


def test_metaltrade_xlsm_uses_the_module_the_package_ships(cli, tmp_path):
    code, out, err = cli("workbook", "new", "metaltrade.xlsm")
    assert code == 0, err
    assert not (tmp_path / "metaltrade.py").exists() and "metaltrade.py" not in out


def test_names_no_module_can_have_are_refused_in_one_line(cli, tmp_path):
    for name, says in [
        ("metaltrade (1).xlsm", "expected a workbook name that is a Python module name"),
        ("class.xlsm", "expected a workbook name that is a Python module name"),
        ("numpy.xlsm", "`import numpy`, which is another Python module"),
        ("json.xlsm", "`import json`, which is another Python module"),
    ]:
        code, _, err = cli("workbook", "new", name)
        assert code == 2 and err.count("\n") == 1 and says in err, (name, err)
    assert list(tmp_path.iterdir()) == []


def test_xlwings_conf_gets_the_interpreter_this_ran_with(tmp_path):
    exe = r"C:\Users\ana\mt\Scripts\python.exe"
    settings, note = interpreter_settings("win32", exe)
    assert exe in note
    path = build(tmp_path / "win.xlsm", settings=settings)
    assert conf(path)["Interpreter_Win"] == exe
    assert conf(path)["UDF Modules"] == "metaltrade_xl.udfs"
    mac, _ = interpreter_settings("darwin", "/Users/ana/mt/bin/python")
    assert conf(build(tmp_path / "mac.xlsm", settings=mac))["Interpreter_Mac"] == (
        "/Users/ana/mt/bin/python"
    )
    assert interpreter_settings("linux", "/usr/bin/python3")[0] == {}


def test_on_linux_the_command_says_the_interpreter_was_left(cli, monkeypatch):
    monkeypatch.setattr("sys.platform", "linux")
    code, out, _ = cli("workbook", "new", "analyst.xlsm")
    assert code == 0 and "Interpreter_Win left as 'python'" in out


def test_a_projection_workbook_is_not_written_under_an_xlsm_name(cli, tmp_path):
    code, out, err = cli("run", "--out", "proj.xlsm")
    assert code == 2 and not (tmp_path / "proj.xlsm").exists()
    assert err.count("\n") == 1
    assert "--out: expected a .xlsx file name, got 'proj.xlsm'" in err
    assert "--workbook IN.xlsm --out OUT.xlsm" in err
