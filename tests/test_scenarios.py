"""Scenario files: the issue's core accepted as written; every error names the file and the key."""

import textwrap

import pytest

from metaltrade_xl.data import load_figures
from metaltrade_xl.scenarios import (
    ScenarioError,
    default_scenario_files,
    find_scenario,
    load_scenario,
    run,
    scenario_from_dict,
)
from metaltrade_xl.scenarios.cells import scenario_from_pairs

CORE = textwrap.dedent(
    """
    name = "Close the gap with Chile by 2034"
    base_year = 2024        # start values come from the data for this year unless given below
    horizon = 2034

    [exports]
    growth = "to_close"     # a rate (0.12), a table of per-year rates {2025 = 0.10, 2026 = 0.12}, or
                            # "to_close": solve the constant rate that reaches the rival at the horizon
    # start = 750           # optional override of the base-year value

    [imports]
    growth = 0.04

    [rival]
    name = "Chile"          # start value from the data for the base year unless `start` is given
    growth = 0.03

    [substitution]          # optional
    share = 0.10            # share of the targeted imports replaced at full phase-in
    origins = ["China"]     # omitted = all imports; an origin's share comes from the data
    import_content = 0.35   # share of the replacement output's value that is itself imported
    start_year = 2026
    phase_in_years = 5
    """
)


def write(tmp_path, text, name="s.toml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_core_accepted_and_resolved_from_data(tmp_path):
    s = load_scenario(write(tmp_path, CORE))
    assert s.exports.growth == "to_close"
    assert s.substitution.origins == ("China",)
    r = run(s, load_figures())
    assert r.inputs.exports_start == 750 and r.inputs.rival_start == 4000
    assert r.inputs.origin_share == 0.426
    assert r.parameters()["exports"]["growth"] == pytest.approx(0.21769, abs=1e-5)
    assert set(r.figure_ids) == {
        "peru_exports_2024",
        "peru_imports_2024",
        "chile_exports_2024",
        "peru_import_share_china_2025_jan_nov",
    }


@pytest.mark.parametrize(
    "old, new, key, expected",
    [
        ("growth = 0.04", "growht = 0.04", "imports.growht", "did you mean 'imports.growth'"),
        ("share = 0.10", "share = -0.10", "substitution.share", "expected a number >= 0"),
        ("horizon = 2034", "horizon = 2020", "horizon", "after base_year 2024"),
        ("growth = 0.04", 'growth = "4%"', "imports.growth", "got text '4%'"),
        ("growth = 0.04", "growth = 4", "imports.growth", "as a fraction"),
        ("growth = 0.03", "growth = true", "rival.growth", "boolean"),
        ("start_year = 2026", "start_year = 2024", "substitution.start_year", "after base_year"),
        ('origins = ["China"]', 'origins = ["Atlantis"]', "substitution.origins", "Atlantis"),
        ('name = "Chile"', 'name = "Narnia"', "rival.start", "no figure for exports of Narnia"),
        ("growth = 0.04", "growth = {2025 = 0.1}", "imports.growth", "no rate for 2026"),
        ("horizon = 2034", "horizon = 2034\nname_es = 7", "name_es", "expected text, got 7"),
        (
            "horizon = 2034",
            'horizon = 2034\nname_fr = "x"',
            "name_fr",
            "given in en, es (e.g. name_es)",
        ),
    ],
)
def test_errors_name_file_and_key(tmp_path, old, new, key, expected):
    path = write(tmp_path, CORE.replace(old, new, 1), "bad.toml")
    with pytest.raises(ScenarioError) as info:
        run(load_scenario(path), load_figures())
    message = str(info.value)
    assert message.startswith(f"bad.toml: {key}:"), message
    assert expected in message
    assert "\n" not in message


def test_not_toml_and_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match="bad.toml: not valid TOML"):
        load_scenario(write(tmp_path, "name = ", "bad.toml"))
    with pytest.raises(ScenarioError, match="nope.toml: no such file"):
        load_scenario(tmp_path / "nope.toml")


def test_start_overrides_win(tmp_path):
    text = CORE.replace('growth = "to_close"', 'growth = "to_close"\nstart = 800')
    r = run(load_scenario(write(tmp_path, text)), load_figures())
    assert r.inputs.exports_start == 800
    assert "peru_exports_2024" not in r.figure_ids


def test_pairs_from_cells_match_the_file(tmp_path):
    from_file = load_scenario(write(tmp_path, CORE))
    pairs = [
        ("name", "Close the gap with Chile by 2034"),
        ("base_year", 2024.0),
        ("horizon", 2034.0),
        ("exports.growth", "to_close"),
        ("imports.growth", 0.04),
        ("rival.name", "Chile"),
        ("rival.growth", 0.03),
        ("substitution.share", 0.1),
        ("substitution.origins", "China"),
        ("substitution.import_content", 0.35),
        ("substitution.start_year", 2026.0),
        ("substitution.phase_in_years", 5.0),
        (None, None),
    ]
    assert scenario_from_pairs(pairs) == from_file


def test_every_reference_scenario_runs_on_bundled_data():
    files = default_scenario_files()
    assert len(files) >= 5
    figures = load_figures()
    for f in files:
        r = run(load_scenario(f), figures)
        assert r.table.year.iloc[0] == r.scenario.base_year
    assert find_scenario("Close the gap with Chile by 2040").horizon == 2040
    with pytest.raises(ScenarioError, match="no scenario named"):
        find_scenario("nothing like it")


def test_reporter_other_than_peru(tmp_path):
    # Colombia against Chile, from the bundled lower bounds: (4000 / 3000)^(1/10) − 1 with a flat
    # rival; Colombia's imports are not in the release, so they must be given
    text = CORE.split("[substitution]")[0].replace(
        "horizon = 2034", 'horizon = 2034\nreporter = "Colombia"'
    )
    text = text.replace("growth = 0.04", "growth = 0.04\nstart = 10000").replace(
        "growth = 0.03", "growth = 0.0"
    )
    r = run(load_scenario(write(tmp_path, text)), load_figures())
    assert r.inputs.exports_start == 3000 and "colombia_exports_2024" in r.figure_ids
    assert r.parameters()["exports"]["growth"] == pytest.approx((4000 / 3000) ** 0.1 - 1)
    assert r.parameters()["reporter"] == "Colombia"
    missing = CORE.split("[substitution]")[0].replace(
        "horizon = 2034", 'horizon = 2034\nreporter = "Colombia"'
    )
    with pytest.raises(
        ScenarioError, match="imports.start: not given and no figure for imports of Colombia"
    ):
        run(load_scenario(write(tmp_path, missing, "c.toml")), load_figures())


def test_data_ending_before_the_base_year_moves_the_start_back_and_says_so():
    # a download of full years up to 2024 (what `data fetch --years 2015-2024` gives) must still
    # feed the bundled scenarios, which start from the January-November 2025 release
    figures = load_figures()
    upto_2024 = figures[figures["year"] <= 2024]
    result = run(find_scenario("close_chile_2034"), upto_2024)
    assert result.scenario.base_year == 2024
    assert (result.inputs.exports_start, result.inputs.imports_start) == (750.0, 18203.0)
    assert any("end in 2024" in w and "base_year 2025" in w for w in result.warnings)
    # exports then must grow (4000 * 1.03**10 / 750) ** (1/10) - 1 = 21.77 % a year to 2034
    assert result.projection.rates["exports"] == pytest.approx(0.217691, abs=1e-6)


def test_data_covering_the_base_year_or_given_starts_are_never_moved():
    figures = load_figures()
    assert run(find_scenario("close_chile_2034"), figures).scenario.base_year == 2025
    upto_2024 = figures[figures["year"] <= 2024]
    pinned = scenario_from_dict(
        {
            "name": "pinned",
            "base_year": 2025,
            "horizon": 2034,
            "exports": {"growth": 0.05, "start": 800},
            "imports": {"growth": 0.04, "start": 21000},
            "rival": {"name": "Chile", "growth": 0.03},
        }
    )
    result = run(pinned, upto_2024)
    assert result.scenario.base_year == 2025 and result.inputs.exports_start == 800
    assert not any("end in" in w for w in result.warnings)


def test_names_in_other_languages(tmp_path):
    text = CORE.replace(
        "horizon = 2034", 'horizon = 2034\nname_es = "  Cerrar la brecha  "\ndescription_es = ""', 1
    )
    s = load_scenario(write(tmp_path, text))
    assert s.title("es") == "Cerrar la brecha"  # stripped
    assert s.title("en") == s.name == "Close the gap with Chile by 2034"
    assert s.about("es") == s.description == ""  # an empty translation falls back
    # every bundled scenario names itself in Spanish, and differently from English
    for f in default_scenario_files():
        bundled = load_scenario(f)
        assert bundled.title("es") != bundled.name, f.name
        assert bundled.about("es") and bundled.about("es") != bundled.description, f.name
    assert find_scenario("cerrar la brecha con chile al 2034").horizon == 2034


def test_find_scenario_reads_a_file_again_when_its_bytes_change(tmp_path):
    # A scenario cell names the same file on every recalculation: the parse is reused only while
    # the file holds the same bytes (an edit of the same length, within one timestamp tick, too).
    path = tmp_path / "edited.toml"
    path.write_text(CORE)
    first = find_scenario(str(path))
    assert find_scenario(str(path)) is first
    path.write_text(CORE.replace("horizon = 2034", "horizon = 2035"))
    again = find_scenario(str(path))
    assert (first.horizon, again.horizon) == (2034, 2035)
    path.unlink()
    with pytest.raises(ScenarioError, match="edited.toml: no such file"):
        find_scenario(str(path))
