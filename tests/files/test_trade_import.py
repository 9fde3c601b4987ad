"""Trade files in (Comtrade, BACI, tidy), the sector's tidy figures out; totals checked by hand."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from metaltrade_xl.data import DataError, load_figures, trade
from metaltrade_xl.data.sectors import load_sector
from metaltrade_xl.data.trade import detect_format, import_trade, partner_values, write_tidy
from metaltrade_xl.scenarios import resolve_inputs, run, scenario_from_dict

DATA = Path(__file__).parent / "trade_data"
COMTRADE = DATA / "comtrade_peru.csv"
BACI = [DATA / "BACI_HS17_Y2023_V202401.csv", DATA / "BACI_HS17_Y2024_V202401.csv"]
TIDY = DATA / "tidy_peru.csv"


def values(tidy: pd.DataFrame) -> dict:
    """{(indicator, reporter, partner, year, months): value} for exact comparison."""
    return {
        (r.indicator, r.reporter, r.partner, r.year, r.months): round(r.value, 6)
        for r in tidy.itertuples()
    }


def rejected(result) -> dict:
    """{reason: rows} summed over files."""
    s = result.summary
    return s[s.outcome == "rejected"].groupby("reason")["rows"].sum().to_dict()


def warnings(result) -> dict:
    s = result.summary
    return s[s.outcome == "warning"].groupby("reason")["rows"].sum().to_dict()


# --- Comtrade ------------------------------------------------------------------------------------
# Hand computation from comtrade_peru.csv (primaryValue in USD, / 1e6 = USD million):
# 2023 exports: Chile 8474 100 (row 2), USA 7308 50 (row 3) -> World 150.
#   Not counted: row 4 cmdCode 101 -> 0101 (live animals, outside; zero restored: a warning),
#   row 5 RX (inside X already), row 16 motCode 2100 (a breakdown of row 2's total).
# 2023 imports: China 8471 400 (row 6; row 15 is its duplicate), USA 8703 300 (row 7),
#   Chile 847490 30 (row 14; row 13 is its chapter 84 total). World rows: 8471 400, 8703 310,
#   so World = 400 + 310 + 30 (no World row for 847490: partners' sum) = 740.
#   Not counted: 2709 crude (row 8), RM (row 9), chapter 76 (row 12, partly in the sector),
#   8471300 (row 17, 7 digits), TOTAL (row 18).
# 2024 exports: Chile 130 + USA 58 = 188; imports China 500 + USA 280 + Chile 7610 20 = 800.
# 2025 monthly, January-March: exports Chile 10 + 11 + 12 = 33; imports China 40 + 41 + 42 = 123,
#   USA 25 (February only) -> World 148, months = 3 (the last month of the reporter's imports).
# Chile as reporter: exports to Peru 2024 = 70 (row 24).
COMTRADE_PERU = {
    ("exports", "Peru", "World", 2023, 12): 150.0,
    ("exports", "Peru", "Chile", 2023, 12): 100.0,
    ("exports", "Peru", "United States", 2023, 12): 50.0,
    ("exports", "Peru", "World", 2024, 12): 188.0,
    ("exports", "Peru", "Chile", 2024, 12): 130.0,
    ("exports", "Peru", "United States", 2024, 12): 58.0,
    ("exports", "Peru", "World", 2025, 3): 33.0,
    ("exports", "Peru", "Chile", 2025, 3): 33.0,
    ("imports", "Peru", "World", 2023, 12): 740.0,
    ("imports", "Peru", "China", 2023, 12): 400.0,
    ("imports", "Peru", "United States", 2023, 12): 300.0,
    ("imports", "Peru", "Chile", 2023, 12): 30.0,
    ("imports", "Peru", "World", 2024, 12): 800.0,
    ("imports", "Peru", "China", 2024, 12): 500.0,
    ("imports", "Peru", "United States", 2024, 12): 280.0,
    ("imports", "Peru", "Chile", 2024, 12): 20.0,
    ("imports", "Peru", "World", 2025, 3): 148.0,
    ("imports", "Peru", "China", 2025, 3): 123.0,
    ("imports", "Peru", "United States", 2025, 3): 25.0,
}


def test_comtrade_totals_by_flow_partner_and_year():
    r = import_trade(COMTRADE)
    assert values(r.tidy) == {
        **COMTRADE_PERU,
        ("exports", "Chile", "World", 2024, 12): 70.0,
        ("exports", "Chile", "Peru", 2024, 12): 70.0,
    }
    assert set(r.tidy["unit"]) == {"USD million"}
    assert r.tidy["id"].is_unique


def test_comtrade_summary_counts_every_row():
    r = import_trade(COMTRADE, reporter="Peru")
    assert values(r.tidy) == COMTRADE_PERU
    c = r.counts().iloc[0]
    assert (c.read, c.kept, c.rejected) == (30, 19, 11)
    assert c.read == c.kept + c.rejected
    why = rejected(r)
    assert why["HS code outside sector metal_mechanical"] == 2  # rows 4 and 8
    assert why["re-exports (RX) are already inside X, not added twice"] == 1
    assert why["re-imports (RM) are already inside M, not added twice"] == 1
    assert why["duplicate row (same key and value as an earlier row)"] == 1
    assert why["HS2 aggregate whose detail is in the file (the detail is used)"] == 1
    assert why["HS code with 7 digits, expected 2, 4 or 6"] == 1
    assert why["reporter not selected"] == 1
    assert any(k.startswith("HS code coarser") for k in why)
    assert any(k.startswith("breakdown by mode of transport") for k in why)
    assert any(k.startswith("all-products total") for k in why)
    warn = warnings(r)
    assert (
        warn["HS code lost its leading zero (odd number of digits); read with the zero restored"]
        == 1
    )
    assert any("different HS revisions (H5, H6)" in k for k in warn)  # counted, not an error
    assert any(k.startswith("partners do not add up") for k in warn)  # 8703 in 2023: 300 vs 310
    assert any("rejected 1: re-exports (RX)" in line for line in r.summary_lines())


def test_comtrade_reporter_by_iso_code_and_from_a_dataframe():
    raw = pd.read_csv(COMTRADE, dtype=str)
    r = import_trade(raw, "comtrade", reporter="PER")
    assert values(r.tidy) == COMTRADE_PERU


def test_comtrade_numeric_codes_from_a_dataframe_get_their_zero_back():
    raw = pd.DataFrame(
        {
            "refYear": [2024, 2024],
            "reporterDesc": "Peru",
            "flowCode": "M",
            "partnerDesc": "China",
            "cmdCode": [8471, 10121],
            "primaryValue": [2e6, 1e6],
        }
    )
    r = import_trade(raw, "comtrade")
    assert values(r.tidy)[("imports", "Peru", "World", 2024, 12)] == 2.0
    assert sum(warnings(r).values()) == 1 and rejected(r) == {
        "HS code outside sector metal_mechanical": 1
    }


def test_the_same_file_twice_counts_duplicates_not_double_values():
    r = import_trade([COMTRADE, COMTRADE], reporter="Peru")
    assert values(r.tidy) == COMTRADE_PERU
    counts = r.counts()
    assert counts["read"].sum() == counts["kept"].sum() + counts["rejected"].sum() == 60


# --- BACI ----------------------------------------------------------------------------------------
# Hand computation (v in thousand USD, / 1000 = USD million; codes 604 Peru, 152 Chile, 156 China,
# 842 USA -> United States, 76 Brazil):
# 2023 exports: Chile 847490 1000.5 -> 1.0005, USA 730890 2000 -> 2.0; World 3.0005.
#   Out: 10121 (-> 010121, a warning), 7308 (4 digits), 760110 (unwrought aluminium).
# 2023 imports: China 847130 30000 -> 30 (the next identical row is a duplicate), USA 870323 12,
#   Chile 761010 0.25 (aluminium structures are in); World 42.25. Out: 270900 crude.
#   China -> USA (row 9) concerns neither side's Peru: rejected when reporter = Peru.
# 2024 exports: Chile 1.5 + USA 2.5 = 4; imports China 36 + USA 10 + Brazil 850440 4 = 50;
#   940320 metal furniture is out.
BACI_PERU = {
    ("exports", "Peru", "World", 2023, 12): 3.0005,
    ("exports", "Peru", "United States", 2023, 12): 2.0,
    ("exports", "Peru", "Chile", 2023, 12): 1.0005,
    ("exports", "Peru", "World", 2024, 12): 4.0,
    ("exports", "Peru", "United States", 2024, 12): 2.5,
    ("exports", "Peru", "Chile", 2024, 12): 1.5,
    ("imports", "Peru", "World", 2023, 12): 42.25,
    ("imports", "Peru", "China", 2023, 12): 30.0,
    ("imports", "Peru", "United States", 2023, 12): 12.0,
    ("imports", "Peru", "Chile", 2023, 12): 0.25,
    ("imports", "Peru", "World", 2024, 12): 50.0,
    ("imports", "Peru", "China", 2024, 12): 36.0,
    ("imports", "Peru", "United States", 2024, 12): 10.0,
    ("imports", "Peru", "Brazil", 2024, 12): 4.0,
}


class _CountingArrowCsv:
    """``pyarrow.csv`` that counts its ``read_csv`` calls, to show the fast reader really ran."""

    def __init__(self, real):
        self.real, self.calls = real, 0

    def __getattr__(self, name):
        return getattr(self.real, name)

    def read_csv(self, *args, **kwargs):
        self.calls += 1
        return self.real.read_csv(*args, **kwargs)


@pytest.fixture
def reader(request, monkeypatch):
    """``"pyarrow"``: the fast reader, which must be installed (it is in the ``test`` extra) and
    is checked to have run; ``"pandas"``: the fallback, with pyarrow hidden."""
    if request.param == "pandas":
        monkeypatch.setattr(trade, "pa_csv", None)
        yield None
        return
    assert trade.pa_csv is not None, "pyarrow is in the test extra: pip install -e '.[test]'"
    spy = _CountingArrowCsv(trade.pa_csv)
    monkeypatch.setattr(trade, "pa_csv", spy)
    yield spy
    assert spy.calls > 0, "the pyarrow reader was not used"


BOTH_READERS = pytest.mark.parametrize("reader", ["pyarrow", "pandas"], indirect=True)


@BOTH_READERS
def test_baci_totals_and_counts(reader):
    r = import_trade(BACI, reporter="Peru")
    assert values(r.tidy) == BACI_PERU
    c = r.counts().set_index("file")
    assert c.loc[BACI[0].name, ["read", "kept", "rejected", "warnings"]].tolist() == [11, 5, 6, 1]
    assert c.loc[BACI[1].name, ["read", "kept", "rejected"]].tolist() == [6, 5, 1]
    why = rejected(r)
    assert why["HS code outside sector metal_mechanical"] == 4  # 3 in 2023, 1 in 2024
    assert why["HS code with 4 digits, expected 6"] == 1
    assert why["neither exporter nor importer is the selected reporter"] == 1
    assert why["duplicate row (same t, i, j, k and value as an earlier row)"] == 1
    assert set(r.tidy["classification"]) == {"HS17"}


def test_baci_all_reporters_mirror_exports_and_imports():
    r = import_trade(BACI)
    v = values(r.tidy)
    # China -> USA 847130 50000 is China's export and the United States' import
    assert v[("exports", "China", "United States", 2023, 12)] == 50.0
    assert v[("imports", "United States", "China", 2023, 12)] == 50.0
    assert v[("exports", "China", "World", 2023, 12)] == 80.0  # 30 to Peru + 50 to USA
    assert {k: x for k, x in v.items() if k[1] == "Peru"} == BACI_PERU


@BOTH_READERS
def test_baci_country_codes_missing_from_the_table_are_kept_under_their_number(tmp_path, reader):
    # the table has 76 ... 842: 700 is a gap inside it, 999 is past its end
    (tmp_path / "country_codes_V202401.csv").write_bytes(
        (DATA / "country_codes_V202401.csv").read_bytes()
    )
    p = write(
        tmp_path,
        "BACI_HS17_Y2023_V202401.csv",
        "t,i,j,k,v,q\n"
        "2023,604,700,847490,4000,1\n"  # Peru -> 700: 4.0
        "2023,999,604,730890,2500,1\n"  # 999 -> Peru: 2.5
        "2023,604,152,847490,1000,1\n",  # Peru -> Chile: 1.0
    )
    r = import_trade(p)
    assert warnings(r) == {
        "country code(s) 700, 999 not in the country table; kept under their number": 2
    }
    assert values(r.tidy) == {
        ("imports", "700", "World", 2023, 12): 4.0,
        ("imports", "700", "Peru", 2023, 12): 4.0,
        ("exports", "999", "World", 2023, 12): 2.5,
        ("exports", "999", "Peru", 2023, 12): 2.5,
        ("imports", "Chile", "World", 2023, 12): 1.0,
        ("imports", "Chile", "Peru", 2023, 12): 1.0,
        ("exports", "Peru", "World", 2023, 12): 5.0,
        ("exports", "Peru", "700", 2023, 12): 4.0,
        ("exports", "Peru", "Chile", 2023, 12): 1.0,
        ("imports", "Peru", "World", 2023, 12): 2.5,
        ("imports", "Peru", "999", 2023, 12): 2.5,
    }
    # no World row for a flow a country has no rows of; reporters in the order of their names
    # (digits before letters); World first, then the largest partner first; a country without
    # an ISO code is named by its number in the id
    t = r.tidy
    assert list(dict.fromkeys(t["reporter"])) == ["700", "999", "Chile", "Peru"]
    peru_x = t[(t["reporter"] == "Peru") & (t["indicator"] == "exports")]
    assert peru_x["partner"].tolist() == ["World", "700", "Chile"]
    assert peru_x["id"].tolist()[1] == "metal_mechanical:exports:PER:700:2023:12m"
    assert peru_x["partner_iso"].tolist() == ["WLD", "", "CHL"]


@BOTH_READERS
def test_baci_partners_of_equal_value_in_the_order_of_their_codes(tmp_path, reader):
    """Largest partner first; equal values by partner code (Chile 152 before USA 842), whatever
    the order of the file's rows: the same figures in the same order from either order."""
    (tmp_path / "country_codes_V202401.csv").write_bytes(
        (DATA / "country_codes_V202401.csv").read_bytes()
    )
    lines = [
        "2023,604,842,847490,1000,1",  # Peru -> USA 1.0
        "2023,604,156,730890,3000,1",  # Peru -> China 3.0
        "2023,604,152,847490,600,1",  # Peru -> Chile 0.6 + 0.4 = 1.0
        "2023,604,152,730890,400,1",
    ]
    tables = []
    for order in (lines, lines[::-1]):
        p = write(tmp_path, "BACI_HS17_Y2023_V202401.csv", "t,i,j,k,v,q\n" + "\n".join(order))
        t = import_trade(p, reporter="Peru").tidy
        x = t[t["indicator"] == "exports"]
        assert x["partner"].tolist() == ["World", "China", "Chile", "United States"]
        assert x["value"].tolist() == [5.0, 3.0, 1.0, 1.0]
        tables.append(t.drop(columns="source_date"))
    pd.testing.assert_frame_equal(tables[0], tables[1], check_exact=True)


def test_baci_country_codes_passed_in_the_file_list(tmp_path):
    for f in BACI[:1]:
        (tmp_path / f.name).write_bytes(f.read_bytes())
    codes = tmp_path / "codes" / "country_codes_V202401.csv"
    codes.parent.mkdir()
    codes.write_bytes((DATA / "country_codes_V202401.csv").read_bytes())
    with pytest.raises(DataError, match="no country_codes_V"):
        import_trade(tmp_path / BACI[0].name, reporter="Peru")
    r = import_trade([tmp_path / BACI[0].name, codes], reporter="Peru")
    assert values(r.tidy)[("imports", "Peru", "World", 2023, 12)] == 42.25


# --- tidy ----------------------------------------------------------------------------------------
# tidy_peru.csv: World rows given are kept as given; China 7 000 000 USD thousand -> 7000 (a
# warning); the deficit row and the textiles row are rejected.


def test_tidy_csv_and_xlsx(tmp_path):
    expected = {
        ("exports", "Peru", "World", 2024, 12): 750.0,
        ("exports", "Peru", "Chile", 2024, 12): 300.0,
        ("exports", "Peru", "World", 2025, 11): 727.0,
        ("imports", "Peru", "World", 2024, 12): 18203.0,
        ("imports", "Peru", "China", 2024, 12): 7000.0,
        ("imports", "Peru", "Brazil", 2024, 12): 1200.0,
        ("imports", "Peru", "World", 2025, 11): 19548.0,
    }
    r = import_trade(TIDY)
    assert values(r.tidy) == expected
    assert rejected(r) == {
        "not a trade flow (indicator deficit)": 1,
        "another sector (textiles)": 1,
    }
    assert warnings(r) == {"value converted to USD million from another USD unit": 1}
    xlsx = tmp_path / "tidy.xlsx"
    pd.read_csv(TIDY).to_excel(xlsx, index=False)
    assert detect_format(xlsx) == "tidy"
    assert values(import_trade(xlsx).tidy) == expected


# --- bad data ------------------------------------------------------------------------------------

HEAD = "refYear,reporterDesc,flowCode,partnerDesc,classificationCode,cmdCode,primaryValue\n"


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    "body, message",
    [
        (
            "2024,Peru,M,China,H6,8471,abc\n",
            "bad.csv: row 2, column primaryValue: expected a number, got 'abc'",
        ),
        (
            "2024,Peru,M,China,H6,8471,5\n2024,Peru,M,Chile,H6,8471,-5\n",
            "bad.csv: row 3, column primaryValue: expected a value >= 0, got -5",
        ),
        (
            "2024,Peru,M,China,H6,8471,5\n2024,Peru,M,China,H6,8471,6\n",
            "bad.csv: row 3, column value: duplicates row 2 of bad.csv with a different value",
        ),
        (
            "2024,Peru,M,China,H5,8471,5\n2024,Peru,M,Chile,H6,8471,6\n",
            "bad.csv: row 3, column classificationCode: Peru imports 2024 mixes H5, H6",
        ),
        (
            "2024,Peru,M,China,H6,8471,5\n20x4,Peru,M,China,H6,8471,5\n",
            "bad.csv: row 3, column refYear: expected a number, got '20x4'",
        ),
    ],
)
def test_comtrade_bad_values_name_file_row_column(tmp_path, body, message):
    with pytest.raises(DataError) as err:
        import_trade(write(tmp_path, "bad.csv", HEAD + body), "comtrade")
    assert message in str(err.value) and "\n" not in str(err.value)


def test_missing_column_and_unknown_reporter(tmp_path):
    p = write(
        tmp_path,
        "cols.csv",
        "refYear,reporterDesc,flowCode,partnerDesc,cmdCode\n2024,Peru,M,China,8471\n",
    )
    with pytest.raises(DataError, match=r"^cols.csv: missing column\(s\) primaryValue$"):
        import_trade(p, "comtrade")
    with pytest.raises(
        DataError, match="reporter 'Bolivia' not in the file.*reporters found: Chile, Peru"
    ):
        import_trade(COMTRADE, reporter="Bolivia")
    with pytest.raises(DataError, match="reporter 'Bolivia' is not a country"):
        import_trade(BACI, reporter="Bolivia")


def test_unknown_flow_is_a_counted_rejection(tmp_path):
    p = write(
        tmp_path,
        "flow.csv",
        HEAD + "2024,Peru,M,China,H6,8471,5000000\n2024,Peru,Z,China,H6,8471,1\n",
    )
    r = import_trade(p)
    assert rejected(r) == {"flow code 'Z' is neither X nor M": 1}
    assert values(r.tidy)[("imports", "Peru", "World", 2024, 12)] == 5.0


def test_monthly_gaps_and_nothing_kept(tmp_path):
    head = "refYear,refMonth,reporterDesc,flowCode,partnerDesc,cmdCode,primaryValue\n"
    p = write(
        tmp_path, "gap.csv", head + "2025,1,Peru,M,China,8471,1\n2025,3,Peru,M,China,8471,1\n"
    )
    with pytest.raises(
        DataError, match="gap.csv: column refMonth: Peru imports 2025 has months 1, 3"
    ):
        import_trade(p)
    p = write(tmp_path, "none.csv", head + "2025,1,Peru,M,China,2709,1\n")
    with pytest.raises(DataError, match="nothing kept for metal_mechanical .most: HS code outside"):
        import_trade(p)


@BOTH_READERS
@pytest.mark.parametrize(
    "rows, message",
    [
        ("2024,604,152,847490,-3,1\n", "row 3, column v: expected a value >= 0, got -3"),
        ("2024,604,152,847490,abc,1\n", "row 3, column v: expected a number, got 'abc'"),
        ("2024,604,152,847490,,1\n", "row 3, column v: expected a number, got an empty cell"),
        # spellings of "no number": named as written, not read as a value or as an empty cell
        ("2024,604,152,847490,nan,1\n", "row 3, column v: expected a number, got 'nan'"),
        ("2024,604,152,847490,NA,1\n", "row 3, column v: expected a number, got 'NA'"),
        ("2024,604,152,847490, NaN ,1\n", "row 3, column v: expected a number, got 'NaN'"),
        (
            "2024,604,152,847490,10,1\n2024,604,152,847490,11,1\n",
            "row 3, column v: duplicates row 2 (same t, i, j, k) with a different value",
        ),
    ],
)
def test_baci_bad_values(tmp_path, reader, rows, message):
    (tmp_path / "country_codes_V202401.csv").write_bytes(
        (DATA / "country_codes_V202401.csv").read_bytes()
    )
    p = write(
        tmp_path, "BACI_HS17_Y2024_V202401.csv", "t,i,j,k,v,q\n2024,604,152,847490,10,1\n" + rows
    )
    if "duplicates" in message:
        p.write_text("t,i,j,k,v,q\n" + rows)
    with pytest.raises(DataError) as err:
        import_trade(p)
    assert str(err.value) == f"BACI_HS17_Y2024_V202401.csv: {message}"


def test_baci_same_year_twice_and_missing_column(tmp_path):
    with pytest.raises(DataError, match="year 2023 is also in BACI_HS17_Y2023"):
        import_trade([BACI[0], BACI[0]])
    p = write(tmp_path, "b.csv", "t,i,j,k,q\n2024,1,2,847130,1\n")
    with pytest.raises(DataError, match=r"b.csv: missing column\(s\) v"):
        import_trade(p, "baci")


def test_tidy_unknown_unit(tmp_path):
    p = write(
        tmp_path,
        "t.csv",
        "indicator,reporter,partner,year,months,value,unit\nimports,Peru,World,2024,12,5,tonnes\n",
    )
    with pytest.raises(DataError, match="t.csv: row 2, column unit: expected USD million"):
        import_trade(p)


def test_format_detection(tmp_path):
    assert detect_format(COMTRADE) == "comtrade"
    assert detect_format(BACI[0]) == "baci"
    assert detect_format(TIDY) == "tidy"
    with pytest.raises(DataError, match="cannot tell the format"):
        detect_format(write(tmp_path, "x.csv", "a,b\n1,2\n"))


def test_custom_sector_file(tmp_path):
    p = write(tmp_path, "s.toml", '[sector]\nname = "machines"\ninclude = ["8471"]\n')
    r = import_trade(COMTRADE, sector=p, reporter="Peru")
    assert values(r.tidy)[("imports", "Peru", "World", 2024, 12)] == 500.0
    assert set(r.tidy["sector"]) == {"machines"}
    bad = write(tmp_path, "b.toml", '[sector]\nname = "x"\ninclude = [8471]\n')
    with pytest.raises(DataError, match="expected HS codes as text"):
        load_sector(bad)


# --- writing and the chain to a projection ---------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_import_write_load_run_gives_the_same_base_year(tmp_path, suffix):
    result = import_trade(COMTRADE)
    out = tmp_path / f"DATA{suffix}"
    written = write_tidy(result, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.name for p in written
    )  # no temp left
    figures = load_figures(out)
    assert len(figures) == len(result.tidy)
    if suffix == ".xlsx":
        assert openpyxl.load_workbook(out).sheetnames == ["figures", "import_summary"]
    else:
        assert pd.read_csv(tmp_path / "DATA_summary.csv")["rows"].sum() > 0
    scenario = scenario_from_dict(
        {
            "name": "chain",
            "base_year": 2024,
            "horizon": 2030,
            "exports": {"growth": 0.05},
            "imports": {"growth": 0.04},
            "rival": {"name": "Chile", "growth": 0.03},
            "substitution": {"share": 0.1, "origins": ["China"], "import_content": 0.3},
        },
        "chain",
    )
    inputs, used = resolve_inputs(scenario, figures)
    assert (inputs.exports_start, inputs.imports_start, inputs.rival_start) == (188.0, 800.0, 70.0)
    # China's share of imports in the latest period, January-March 2025: 123 / 148
    assert inputs.origin_share == pytest.approx(123 / 148)
    table = run(scenario, figures).table
    base = table[table["year"] == 2024].iloc[0]
    assert base["balance"] == pytest.approx(188.0 - 800.0)
    assert base["exports"] == 188.0 and base["imports"] == 800.0


def test_partner_values_from_imported_figures():
    tidy = import_trade(COMTRADE).tidy
    by, world = partner_values(tidy, "imports", "Peru", year=2023)
    assert (
        by.to_dict() == {"China": 400.0, "United States": 300.0, "Chile": 30.0} and world == 740.0
    )


def test_baci_file_with_bytes_that_are_not_utf8_is_one_clear_line(tmp_path):
    bad = tmp_path / "BACI_HS17_Y2024_V202401.csv"
    bad.write_bytes(b"t,i,j,k,v,q\n2024,604,152,847490,1500,1\n2024,604,152,8474\xff9,1500,1\n")
    with pytest.raises(
        DataError,
        match=r"^BACI_HS17_Y2024_V202401.csv: not a text file in UTF-8 "
        r"\(byte 0xff at offset",
    ):
        import_trade([bad, DATA / "country_codes_V202401.csv"])


# --- BACI files of several blocks ----------------------------------------------------------------
# pyarrow parses a file in blocks of about 1 MB, and the import classifies each block as it comes
# without joining them; the pandas reader sees one block. 120 000 rows (about 3 MB): data row r
# (file row r + 2) goes Peru -> Chile for even r, Chile -> Peru for odd r, HS code
# chapter * 10 000 + (r // 2) % 10 000 with chapter 84, 85, 87, 27, 90, 72 for r // 2 in
# [0, 10 000), [10 000, 20 000) ... All v = 1 (thousand USD). In the sector: chapters 84, 85, 87
# and 90, so r // 2 < 30 000 or 40 000 <= r // 2 < 50 000: 80 000 rows, 40 000 each way, so
# exports = imports = 40 000 / 1 000 = USD 40 million; out: 40 000 rows, the first at r = 60 000,
# file row 60 002 (in the second block).
_CHAPTERS = (84, 85, 87, 27, 90, 72)


def _blocks_file(tmp_path, change=None):
    (tmp_path / "country_codes_V202401.csv").write_bytes(
        (DATA / "country_codes_V202401.csv").read_bytes()
    )
    rows = []
    for r in range(120_000):
        i, j = (604, 152) if r % 2 == 0 else (152, 604)
        k = _CHAPTERS[r // 20_000] * 10_000 + (r // 2) % 10_000
        rows.append(["2023", str(i), str(j), str(k), "1", "1"])
    for (r, column), text in (change or {}).items():
        rows[r]["tijkvq".index(column)] = text
    path = tmp_path / "BACI_HS17_Y2023_V202401.csv"
    path.write_text("t,i,j,k,v,q\n" + "".join(",".join(row) + "\n" for row in rows))
    return path


@BOTH_READERS
def test_baci_file_of_several_blocks_totals_and_first_rejected_row(tmp_path, reader):
    path = _blocks_file(tmp_path)
    assert trade.pa_csv is None or trade.pa_csv.read_csv(path).column("t").num_chunks > 1
    r = import_trade(path, reporter="Peru")
    assert values(r.tidy) == {
        ("exports", "Peru", "World", 2023, 12): 40.0,
        ("exports", "Peru", "Chile", 2023, 12): 40.0,
        ("imports", "Peru", "World", 2023, 12): 40.0,
        ("imports", "Peru", "Chile", 2023, 12): 40.0,
    }
    s = r.summary.set_index("outcome")
    assert s.loc["read", "rows"] == 120_000 and s.loc["kept", "rows"] == 80_000
    out = s.loc["rejected"]
    assert (out["reason"], out["rows"], out["first_row"]) == (
        "HS code outside sector metal_mechanical",
        40_000,
        60_002,
    )


@BOTH_READERS
@pytest.mark.parametrize(
    "change, message",
    [
        ({(100_000, "v"): "-3"}, "row 100002, column v: expected a value >= 0, got -3"),
        # an empty cell anywhere is named before a negative value earlier in the file
        (
            {(50_000, "v"): "-3", (90_000, "v"): ""},
            "row 90002, column v: expected a number, got an empty cell",
        ),
        (
            {(110_000, "t"): "1800", (5, "j"): "10000"},
            "row 110002, column t: expected a year from 1900 to 2200, got 1800",
        ),
        # column i is checked in every block before column j
        (
            {(70_000, "j"): "10000", (80_000, "i"): "10001"},
            "row 80002, column i: expected a country code from 0 to 9999, got 10001",
        ),
        # a negative code (read as unsigned, larger than any allowed one) and the largest allowed
        (
            {(30_000, "j"): "9999", (95_000, "j"): "-4"},
            "row 95002, column j: expected a country code from 0 to 9999, got -4",
        ),
    ],
)
def test_baci_bad_cell_in_a_later_block_names_its_row(tmp_path, reader, change, message):
    with pytest.raises(DataError) as err:
        import_trade(_blocks_file(tmp_path, change))
    assert str(err.value) == f"BACI_HS17_Y2023_V202401.csv: {message}"


def test_six_digit_codes_become_integers_and_any_other_text_is_refused():
    """BACI's codes (six ASCII digits, leading zero kept) become integers without a Python object
    per row; a code of another length, or any byte outside '0'..'9' (the neighbours '/' and ':'
    included), makes the block go to the path that reads codes as texts (None)."""
    import pyarrow as pa

    from metaltrade_xl.data._baci_read import _six_digits

    ok = pa.array([b"000000", b"010121", b"847490", b"999999"], pa.binary())
    got = _six_digits(ok)
    assert got.dtype == "int32" and got.tolist() == [0, 10121, 847490, 999999]
    assert _six_digits(ok.slice(1, 2)).tolist() == [10121, 847490]  # a block inside the buffers
    for bad in (b"01012/", b"01012:", b"/10121", b":10121", b"01012 ", b"-10121", b"10121",
                b"0101210"):  # fmt: skip
        assert _six_digits(pa.array([b"847490", bad], pa.binary())) is None, bad
