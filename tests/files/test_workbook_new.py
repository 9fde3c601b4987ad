"""`metaltrade workbook new` for desktop Excel: any file name, the interpreter in xlwings.conf,
outputs that claim to carry macros only when they do, and sheets that print legibly."""

import re
import subprocess

import numpy as np
import openpyxl

from metaltrade_xl.data import load_figures
from metaltrade_xl.files.template import build, interpreter_settings
from tests.files.libreoffice import to_pdf


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


def _pages_by_sheet(pdf, *, lefts=False):
    """Each printed page's words and word heights (pt), grouped by the sheet its footer names;
    with ``lefts``, each word's left edge (pt) too."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = {}
    for page in out.split("<page ")[1:]:
        words = re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<', page
        )
        text = [w for *_, w in words]
        # the footer, "Data — 3 / 14" at 9 pt: usually last, but LibreOffice may draw cells
        # after it (a column's wrapped texts at the page's right edge)
        foot = next(i - 1 for i in range(1, len(text) - 2) if text[i : i + 3 : 2] == ["—", "/"])
        body = [w for i, w in enumerate(words) if not foot <= i < foot + 5]
        heights = np.array([float(b) - float(a) for _, a, b, _ in body])
        left = np.array([float(x) for x, *_ in body])
        body_text = [w for *_, w in body]
        pages.setdefault(text[foot], []).append(
            (body_text, heights, left) if lefts else (body_text, heights)
        )
    return pages


def test_the_analyst_workbook_prints_every_sheet_legibly(tmp_path):
    """The Data sheet (14 columns, 320 characters wide) printed on one page at 4 pt and the
    Scenarios sheet (its descriptions ran across the next columns) at 5 pt. Each now prints
    as many pages across as keep its text at 9 pt or more, its first column and header row on
    every page, its long texts wrapped in their columns."""
    book = build(tmp_path / "analyst.xlsm")
    pages = _pages_by_sheet(to_pdf(book, tmp_path), lefts=True)
    assert list(pages) == ["README", "Data", "Scenarios", "Functions", "xlwings.conf"]
    for sheet, printed in pages.items():
        for _, heights, _ in printed:  # word heights: ~1.08 x the font size
            assert np.median(heights) >= 10.0 and heights.min() >= 9.0, (sheet, heights.min())
    ids = re.compile(r"^[a-z]+(_[a-z0-9]+)+$")  # a figure's id, e.g. peru_exports_2024
    data = pages["Data"]
    assert len(data) == 6  # two pages across, three down
    for text, *_ in data:
        assert "id" in text and sum(bool(ids.match(w)) for w in text) >= 10  # column A repeated
    words = [w for text, *_ in data for w in text]
    assert {"source_title", "quote", "note", "lower_bound"} <= set(words)
    assert words.count("peru_exports_2024") == 2  # the row on its page of each half
    # the floors read TRUE (LibreOffice showed a logical cell as 1 or 0), the cells stay logical
    floors = load_figures()["lower_bound"].astype(bool)
    assert words.count("TRUE") == floors.sum() == 4 and words.count("FALSE") == (~floors).sum()
    column = [r[0] for r in openpyxl.load_workbook(book)["Data"].iter_rows(min_col=9, max_col=9)]
    assert column[0].value == "lower_bound"
    assert [c.value for c in column[1:]] == floors.tolist()
    scenarios = pages["Scenarios"]
    assert len(scenarios) == 4
    assert all("parameter" in t or "uncertainty.correlation" in t for t, *_ in scenarios)
    assert {"scenario", "6", "Uncertain", "persistent;"} <= {w for t, *_ in scenarios for w in t}
    # a scenario's values are a form: numbers and words at its heading's left edge (a number
    # at the column's right edge ran into the next column's "to_close")
    text, _, left = scenarios[0]
    at = {w: left[text.index(w)] for w in ("scenario", "Peru", "2025", "0.057", "0.03")}
    assert np.ptp(list(at.values())) < 0.5, at
    assert left[text.index("to_close")] - at["0.057"] > 100  # the next column's, as far on
    assert len(pages["README"]) == 2 and len(pages["Functions"]) == 1
    # README's cells have no format of their own: Normal's 12 pt (word boxes ~15.6 pt), not
    # LibreOffice's 10 pt, which it used while Normal lacked Excel's builtinId
    assert all(np.median(h) > 15 for _, h, _ in pages["README"])
