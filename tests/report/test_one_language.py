"""A run in one language speaks only that language: every cell, chart title and sheet name of the
workbook, and the terminal's warnings (the JSON keeps its stable English sentences).

One run per language of the bundled scenarios plus three that make every kind of note: a
counterfactual from 2024 (warnings: projected below the record), one whose base year 2026 has
no data (the start moved back to 2025) with a seasonal profile, and one whose rival's growth is
the data's trend (World exports 2001-2024). Text that comes from the data or the scenario files
(scenario names and descriptions, the release's quotes and titles, country names, figure ids,
file names, the TOML keys a warning tells the user to set) is taken out before looking for
words of the other language.
"""

import json
import re
import textwrap
import zipfile

import openpyxl
import pytest

from metaltrade_xl.data import load_figures
from metaltrade_xl.scenarios import default_scenario_files, load_scenario

EXTRA = {
    "then.toml": """
        name = "Counterfactual"
        base_year = 2024
        horizon = 2030
        [exports]
        start = 700.0
        growth = 0.0
        [imports]
        growth = 0.057
        [rival]
        name = "Chile"
        growth = 0.03
    """,
    "later.toml": """
        name = "Later"
        base_year = 2026
        horizon = 2030
        seasonal_profile = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]
        [exports]
        growth = 0.05
        [imports]
        growth = 0.05
        [rival]
        name = "Chile"
        growth = 0.03
    """,
    "world.toml": """
        name = "World rival"
        base_year = 2025
        horizon = 2030
        [exports]
        growth = 0.05
        [imports]
        growth = 0.05
        [rival]
        name = "World"
        growth = "trend"
        trend_years = 23
    """,
}

#: Words that mark an English sentence (whole words, any case).
ENGLISH = (
    "the", "of", "and", "from", "for", "to", "by", "with", "estimate", "annualised", "recorded",
    "below", "record", "carried", "lower bound", "growth", "exports", "imports", "year", "years",
    "value", "parameter", "parameters", "source", "warning", "warnings", "data", "file", "rows",
    "date", "program", "made", "none", "yes", "more than", "scenario", "sheet", "projected",
    "share", "rate", "profile", "trend", "given", "solved", "bundled", "figures",
)  # fmt: skip
#: Words that mark a Spanish sentence.
SPANISH = (
    "de", "del", "los", "las", "el", "la", "que", "para", "con", "en", "año", "años", "datos",
    "cifra", "cifras", "escenario", "estimación", "registrados", "cota", "inferior", "más",
    "según", "proyección", "exportaciones", "importaciones", "aviso", "parámetro", "valor",
    "fuente", "dado", "resuelto", "tendencia", "procedencia",
)  # fmt: skip


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    from metaltrade_xl.cli import main

    folder = tmp_path_factory.mktemp("languages")
    files = [str(f) for f in default_scenario_files()]
    for name, text in EXTRA.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
        files.append(str(folder / name))
    out = {}
    for lang in ("en", "es"):
        book, js = folder / f"{lang}.xlsx", folder / f"{lang}.json"
        assert main(["run", *files, "--lang", lang, "--out", str(book), "--json", str(js)]) == 0
        out[lang] = (book, json.loads(js.read_text(encoding="utf-8")))
    return out, files


def data_texts(files) -> list[str]:
    """Text that comes from the data or the scenarios, longest first (removed before looking)."""
    figures = load_figures()
    texts = set()
    for col in ("quote", "source_title", "source_publisher", "source_date", "reporter",
                "partner", "id", "file"):  # fmt: skip
        texts |= {str(v) for v in figures[col] if str(v)}
    for f in files:
        s = load_scenario(f)
        texts |= {s.name, s.description}
    return sorted((t for t in texts if t), key=len, reverse=True)


def workbook_texts(path) -> list[tuple[str, str]]:
    """``(where, text)`` of every string cell, chart text and sheet name."""
    wb = openpyxl.load_workbook(path)
    out = []
    for ws in wb.worksheets:
        out.append((ws.title, ws.title))
        for row in ws.iter_rows():
            out += [
                (f"{ws.title}!{c.coordinate}", c.value) for c in row if isinstance(c.value, str)
            ]
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/charts/chart"):
                xml = z.read(name).decode("utf-8")
                out += [(name, t) for t in re.findall(r"<a:t>([^<]*)</a:t>", xml)]
    return out


def scrub(text: str, known: list[str], sheet_names: list[str]) -> str:
    for t in [*known, *sheet_names]:
        text = text.replace(t, " ")
    # keys a note names for the user to type (exports.start, seasonal_profile) and file names
    return re.sub(r"\b\w+(?:\.\w+)+\b|\b\w+_\w+\b", " ", text)


def found(words, text: str) -> list[str]:
    return [w for w in words if re.search(rf"(?<![\w]){re.escape(w)}(?![\w])", text, re.I)]


@pytest.mark.parametrize("lang, other", [("es", ENGLISH), ("en", SPANISH)])
def test_no_word_of_the_other_language_on_any_sheet(runs, lang, other):
    (out, files) = runs
    book, _ = out[lang]
    known = data_texts(files)
    texts = workbook_texts(book)
    scenario_sheets = [t for where, t in texts if where == t and re.match(r"[SE]\d+ ", t)]
    bad = []
    for where, text in texts:
        hit = found(other, scrub(text, known, scenario_sheets))
        if hit:
            bad.append((where, hit, text))
    assert not bad, "\n".join(map(str, bad[:20]))


def test_every_kind_of_note_is_shown_in_spanish(runs):
    (out, _) = runs
    cells = [t for _, t in workbook_texts(out["es"][0])]
    joined = "\n".join(cells)
    # 727 (Jan-Nov 2025) x 12/11 = 793.09; 19 548 x 12/11 = 21 325.09; Chile 4 000 x 1.03 = 4 120
    assert "estimación: 727 registrados en enero–noviembre de 2025 × 12/11 = 793,09" in joined
    assert "× 12/11 = 21 325,09" in joined and "3,00 % = 4 120" in joined
    # the counterfactual: 2025 imports 18 203 x 1.057 = 19 240.57 < 19 548 recorded
    assert (
        "Aviso: Importaciones de Peru en 2025: proyección de 19 241 para el año completo, por "
        "debajo de los 19 548 (una cota inferior) ya registrados en enero–noviembre de 2025"
    ) in joined
    # base year 2026 has no data: moved back to 2025, whose Jan-Nov hold 11/13 of the profile
    assert "los datos de Peru terminan en 2025" in joined
    assert "÷ 0,8462, la parte del año" in joined  # 11 / 13 = 0.8462
    # World exports 2.5 tn (2001) -> 9.0 tn (2024): CAGR over 23 years
    assert "tendencia de los datos: TCAC 2001-2024 (23 años): 2 500 000 -> 9 000 000" in joined
    # the bundled scenarios carry their Spanish names and descriptions (name_es, description_es)
    for f in default_scenario_files():
        s = load_scenario(f)
        assert s.title("es") in cells and s.about("es") in cells
        assert s.name not in joined and s.description not in joined


def test_json_keeps_english_sentences_and_the_terminal_follows_lang(runs, cli, tmp_path):
    (out, files) = runs
    es_json, en_json = out["es"][1], out["en"][1]
    assert [e["warnings"] for e in es_json] == [e["warnings"] for e in en_json]
    then = next(e for e in es_json if e["name"] == "Counterfactual")
    # 2025 imports 18 203 x 1.057 = 19 240.57, below the 19 548 of Jan-Nov 2025
    assert then["warnings"][2].startswith("imports of Peru in 2025: projected 19,241")
    code, _, err = cli("run", files[-3], "--lang", "es", "--out", "o.xlsx")
    assert code == 0
    assert "metaltrade: aviso: Counterfactual: Importaciones de Peru en 2025" in err


def test_provenance_shows_words_not_parameter_keys(runs):
    (out, _) = runs
    for lang, (book, _) in out.items():
        wb = openpyxl.load_workbook(book)
        ws = wb["Provenance" if lang == "en" else "Procedencia"]
        cells = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        keys = [v for v in cells if re.fullmatch(r"[a-z_]+(\.[a-z_0-9]+)+", v)]
        assert keys == ["figures.csv"], (lang, keys)  # only the data file's name
        assert not [v for v in cells if re.search(r"_note|_estimate|growth_given", v)]
        header = "Parámetro" if lang == "es" else "Parameter"
        assert cells.count(header) == len(out[lang][1])  # one table per scenario


def test_english_notes_are_the_data_layers_own_sentences(tmp_path):
    """The sheets' English and the JSON's sentences are one text: every basis of a start value
    (given, recorded, annualised, seasonal by the scenario's and by the data's profile, carried)
    and every warning, rendered in English, equal what the data layer wrote."""
    from metaltrade_xl.report.notes import notice_text, start_note
    from metaltrade_xl.report.words import Words
    from metaltrade_xl.scenarios import run
    from tests.test_nowcast import MONTHLY

    (tmp_path / "mine.csv").write_text(MONTHLY, encoding="utf-8")
    monthly = load_figures(tmp_path / "mine.csv")
    for name, text in EXTRA.items():
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    cases = [(load_scenario(f), load_figures()) for f in default_scenario_files()]
    cases += [(load_scenario(tmp_path / n), load_figures()) for n in EXTRA]
    cases.append((load_scenario(default_scenario_files()[0]), monthly))  # the data's profile
    cases.append((load_scenario(tmp_path / "then.toml"), monthly))
    cases.append((load_scenario(tmp_path / "later.toml"), monthly))
    bases, codes = set(), set()
    en = Words("en")
    for scenario, figures in cases:
        r = run(scenario, figures)
        for start in r.starts.values():
            assert start_note(start, en) == start.note
            bases.add((start.basis, bool(start.profile_years)))
        for notice in r.warnings:
            assert notice_text(notice, en) == notice
            codes.add(notice.code)
    assert {b for b, _ in bases} == {"given", "recorded", "annualised", "seasonal", "carried"}
    assert ("seasonal", True) in bases and ("seasonal", False) in bases
    assert codes == {"below_record", "start_moved"}


def test_workbook_new_prints_on_the_paper_asked(cli):
    code, _, _ = cli("workbook", "new", "a.xlsm", "--paper", "letter")
    assert code == 0
    wb = openpyxl.load_workbook("a.xlsm")
    assert {ws.page_setup.paperSize for ws in wb.worksheets} == {1}  # Letter
    with pytest.raises(SystemExit) as exit_:  # argparse refuses it, in one line
        cli("run", "--paper", "legal", "--out", "o.xlsx")
    assert exit_.value.code == 2
