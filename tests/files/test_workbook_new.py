"""`metaltrade workbook new` for desktop Excel: any file name, the interpreter in xlwings.conf,
and outputs that claim to carry macros only when they do."""

import openpyxl

from metaltrade_xl.files.template import build, interpreter_settings


def conf(path):
    ws = openpyxl.load_workbook(path, keep_vba=True)["xlwings.conf"]
    return {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r[0]}


def test_any_file_name_is_accepted_and_nothing_is_written_beside_it(cli, tmp_path):
    """The macros call metaltrade_xl.macros (tests/files/test_vba_project.py): no companion module,
    so names no Python module could have are fine."""
    for name in ["metaltrade (1).xlsm", "Copy of analyst.xlsm"]:
        code, out, err = cli("workbook", "new", name)
        assert code == 0, (name, err)
        assert f"wrote {name}: README" in out and "the file may be renamed or copied" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "Copy of analyst.xlsm",
        "metaltrade (1).xlsm",
    ]


def test_an_existing_workbook_is_replaced_only_with_force(cli, tmp_path):
    assert cli("workbook", "new", "analyst.xlsm")[0] == 0
    code, _, err = cli("workbook", "new", "analyst.xlsm")
    assert code != 0 and "exists" in err and err.count("\n") == 1
    assert cli("workbook", "new", "analyst.xlsm", "--force")[0] == 0


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
