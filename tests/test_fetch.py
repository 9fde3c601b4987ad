"""`metaltrade data fetch` against a stand-in for the UN Comtrade API on loopback.

The records below are HS 6-digit values in USD; the sector totals are worked out by hand from
them (sector: HS 73, 7610-7616, 82-90; 720851, 760110 and 940310 are outside it).
"""

import json
import socket
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from metaltrade_xl.data import load_figures
from metaltrade_xl.data._comtrade_api import request_codes
from metaltrade_xl.data.sectors import load_sector
from tests.comtrade_standin import KEY, StandIn

PRODUCTS = {
    # Peru's exports, 2024
    (604, "X", 152, "2024", "730890"): 40_000_000,
    (604, "X", 152, "2024", "847130"): 10_500_000,
    (604, "X", 152, "2024", "720851"): 99_000_000,  # out (ch. 72)
    (604, "X", 152, "2024", "761090"): 2_250_000,
    (604, "X", 842, "2024", "847130"): 30_000_000,
    (604, "X", 842, "2024", "870323"): 5_125_000,
    (604, "X", 842, "2024", "940310"): 7_000_000,  # out (ch. 94)
    (604, "X", 218, "2024", "730890"): 8_000_000,
    (604, "X", 218, "2024", "760110"): 3_000_000,  # out (7601)
    # Peru's imports, 2024
    (604, "M", 156, "2024", "847130"): 120_000_000,
    (604, "M", 156, "2024", "851712"): 80_000_000,
    (604, "M", 156, "2024", "720851"): 50_000_000,  # out
    (604, "M", 842, "2024", "870323"): 45_500_000,
    (604, "M", 842, "2024", "901890"): 4_500_000,
    (604, "M", 76, "2024", "870323"): 12_000_000,
    (604, "M", 76, "2024", "730890"): 3_000_000,
    (604, "M", 484, "2024", "870323"): 9_000_000,
    (604, "M", 484, "2024", "940310"): 1_000_000,  # out
    # 2023
    (604, "X", 152, "2023", "730890"): 36_000_000,
    (604, "X", 842, "2023", "847130"): 25_000_000,
    (604, "M", 156, "2023", "847130"): 100_000_000,
    (604, "M", 156, "2023", "720851"): 10_000_000,  # out
    (604, "M", 842, "2023", "870323"): 40_000_000,
    # the rival, Chile
    (152, "X", 156, "2024", "730890"): 4_321_000_000,
    (152, "X", 156, "2023", "730890"): 4_000_000_000,
}
ROOT = Path(__file__).resolve().parents[1]
# exports Peru does not allocate to a partner: in the World record only
WORLD_EXTRA = {(604, "X", "2024", "730890"): 1_000_000}

# by hand, USD millions
EXPECTED = {
    ("exports", "World", 2024): 52.75 + 35.125 + 8.0 + 1.0,  # 96.875
    ("exports", "Chile", 2024): 40 + 10.5 + 2.25,  # 52.75
    ("exports", "United States", 2024): 30 + 5.125,  # 35.125
    ("exports", "Ecuador", 2024): 8.0,
    ("imports", "World", 2024): 200.0 + 50.0 + 15.0 + 9.0,  # 274
    ("imports", "China", 2024): 120 + 80,  # 200
    ("imports", "United States", 2024): 45.5 + 4.5,  # 50
    ("imports", "Brazil", 2024): 12 + 3,  # 15
    ("imports", "Mexico", 2024): 9.0,
    ("exports", "World", 2023): 36 + 25,  # 61
    ("exports", "Chile", 2023): 36.0,
    ("exports", "United States", 2023): 25.0,
    ("imports", "United States", 2023): 40.0,
    ("imports", "World", 2023): 100 + 40,  # 140
    ("imports", "China", 2023): 100.0,
}


@pytest.fixture(autouse=True)
def tiny_waits(monkeypatch):
    monkeypatch.setenv("METALTRADE_FETCH_MAX_WAIT", "0.01")
    monkeypatch.delenv("COMTRADE_API_KEY", raising=False)


def fetch(cli, url, *extra, out="f.csv"):
    return cli(
        "data", "fetch", "--reporter", "Peru", "--years", "2023-2024", "--api-url", url,
        "--out", out, "--cache-dir", "cache", *extra,
    )  # fmt: skip


def values(path) -> dict:
    f = load_figures(path)
    return {
        (r.indicator, r.partner, r.year): r.value for r in f.itertuples() if r.reporter == "Peru"
    }


def test_fetch_gives_the_hand_totals_and_feeds_run(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("COMTRADE_API_KEY", KEY)
    with StandIn(PRODUCTS, WORLD_EXTRA) as api:
        code, out, err = fetch(cli, api.url)
    assert code == 0, err
    got = values(tmp_path / "f.csv")
    assert set(got) == set(EXPECTED)
    for k, v in EXPECTED.items():
        assert got[k] == pytest.approx(v, abs=1e-4), k

    first, *rest = api.log
    assert first["key"] == KEY and api.log[1]["params"] == first["params"]  # 429, then again
    p = first["params"]
    assert first["path"] == "/data/v1/get/C/A/HS"
    assert p["cmdCode"] == "73,7610,7611,7612,7613,7614,7615,7616,82,83,84,85,86,87,88,89,90"
    assert (p["reporterCode"], p["period"], p["flowCode"]) == ("604", "2023,2024", "X,M")
    assert p["includeDesc"] == "true" and "partnerCode" not in p  # all partners
    assert [e["params"]["reporterCode"] for e in rest] == ["604", "152"]  # then the rival
    assert rest[-1]["params"]["partnerCode"] == "0"

    raw = pd.read_csv(tmp_path / "f.csv", dtype=str, keep_default_na=False)
    row = raw[(raw["partner"] == "World") & (raw["indicator"] == "exports")].iloc[-1]
    assert row["source_publisher"].startswith("UN Comtrade")
    assert "data/v1/get/C/A/HS reporterCode=604 period=2023,2024" in row["source_title"]
    assert len(row["source_date"]) == 10 and row["unit"] == "USD million"
    assert raw.loc[raw["partner"] == "United States", "partner_iso"].iloc[0] == "USA"
    chile = raw[raw["reporter"] == "Chile"]
    assert chile["value"].astype(float).tolist() == [4000.0, 4321.0]
    assert "9 figure" not in out and "wrote f.csv" in out

    # two reference scenarios (all of them is `metaltrade run --data f.csv`, slower)
    chile, china = (
        ROOT / "scenarios" / f for f in ("close_chile_2034.toml", "substitute_china.toml")
    )
    code, out, err = cli(
        "run", chile, china, "--data", "f.csv", "--out", "p.xlsx", "--json", "p.json"
    )
    assert code == 0, err
    assert "bundled" not in out  # Chile's exports came from the API
    results = json.loads((tmp_path / "p.json").read_text())
    base = results[0]["years"][0]
    assert base["exports"] == pytest.approx(96.875) and base["imports"] == pytest.approx(274.0)
    assert base["rival_exports"] == pytest.approx(4321.0)
    assert results[1]["parameters"]["substitution"]["origin_share"] == pytest.approx(200 / 274)


def test_without_a_key_one_line_and_no_file(cli, tmp_path):
    with StandIn(PRODUCTS) as api:
        code, out, err = fetch(cli, api.url)
        assert api.log == []  # nothing asked without a key
        assert code == 2 and len(err.strip().splitlines()) == 1
        assert "no UN Comtrade subscription key: set COMTRADE_API_KEY or pass --key" in err
        code, _, err = fetch(cli, api.url, "--key", "wrong")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "401, missing or invalid subscription key" in err and "COMTRADE_API_KEY" in err
    assert not (tmp_path / "f.csv").exists()


def test_answers_are_cached_until_refresh(cli, tmp_path):
    with StandIn(PRODUCTS, rate_limited=0) as api:
        assert fetch(cli, api.url, "--key", KEY)[0] == 0
        n = len(api.log)
        code, out, _ = fetch(cli, api.url, "--key", KEY, "--force", out="g.csv")
        assert code == 0 and len(api.log) == n and "(1 from the cache)" in out
        code, _, _ = fetch(cli, api.url, "--key", KEY, "--refresh", out="h.csv")
        assert code == 0 and len(api.log) == 2 * n
    assert (tmp_path / "f.csv").read_text() == (tmp_path / "h.csv").read_text()


def test_requests_are_split_at_the_record_limit(cli, tmp_path):
    with StandIn(PRODUCTS, WORLD_EXTRA, rate_limited=0) as api:
        code, out, err = fetch(cli, api.url, "--key", KEY, "--max-records", "5")
        assert code == 0, err
        # no answer holds 5 records: each was split until it fitted
        assert len(api.log) > 10
        assert all(int(e["params"]["maxRecords"]) == 5 for e in api.log)
        got = values(tmp_path / "f.csv")
        for k, v in EXPECTED.items():
            assert got[k] == pytest.approx(v, abs=1e-4), k
        # imports 2024 of HS 87 alone have 4 records (3 partners and World): cannot be split
        code, _, err = fetch(cli, api.url, "--key", KEY, "--max-records", "4", out="g.csv")
    assert code == 2 and "reached the record limit (4)" in err and "--max-records" in err
    assert not (tmp_path / "g.csv").exists()


def test_excluded_codes_are_asked_for_and_subtracted(cli, tmp_path):
    (tmp_path / "s.toml").write_text(
        textwrap.dedent(
            """
            [sector]
            name = "narrow"
            include = ["73", "84", "87"]
            exclude = ["8471"]
            """
        )
    )
    assert request_codes(load_sector(tmp_path / "s.toml")) == (("73", "84", "87"), ("8471",))
    with StandIn(PRODUCTS, WORLD_EXTRA, rate_limited=0) as api:
        code, _, err = fetch(cli, api.url, "--key", KEY, "--sector", "s.toml")
    assert code == 0, err
    assert api.log[0]["params"]["cmdCode"] == "73,84,87,8471"
    got = values(tmp_path / "f.csv")
    assert got[("exports", "Chile", 2024)] == pytest.approx(40.0)  # 847130 excluded
    assert got[("exports", "World", 2024)] == pytest.approx(40 + 1 + 5.125 + 8)
    assert got[("imports", "China", 2024)] == pytest.approx(0.0)  # 84 total minus 8471
    assert ("imports", "China", 2023) in got


def test_monthly_rows_run_from_january(cli, tmp_path):
    months = {
        (604, "X", 152, "202401", "730890"): 1_000_000,
        (604, "X", 152, "202402", "730890"): 2_000_000,
        (604, "X", 842, "202402", "847130"): 500_000,
        (604, "M", 156, "202401", "847130"): 3_000_000,
        (604, "M", 156, "202402", "847130"): 4_000_000,
    }
    with StandIn(months, rate_limited=0) as api:
        code, out, err = cli(
            "data", "fetch", "--reporter", "PER", "--years", "2024", "--monthly", "--rivals",
            "none", "--api-url", api.url, "--key", KEY, "--out", "m.csv", "--cache-dir", "c",
        )  # fmt: skip
    assert code == 0, err
    assert api.log[0]["path"] == "/data/v1/get/C/M/HS"
    asked = ",".join(e["params"]["period"] for e in api.log)
    assert asked == ",".join(f"2024{m:02d}" for m in range(1, 13))  # in requests that fit
    assert "no data for 202403-202412 (10 periods)" in out
    raw = pd.read_csv(tmp_path / "m.csv", dtype={"period": str})
    rows = {
        (r.indicator, r.partner, r.months): (r.value, r.month_value, r.period)
        for r in raw.itertuples()
    }
    assert rows == {
        ("exports", "World", 1): (1.0, 1.0, "202401"),
        ("exports", "World", 2): (3.5, 2.5, "202402"),
        ("exports", "Chile", 1): (1.0, 1.0, "202401"),
        ("exports", "Chile", 2): (3.0, 2.0, "202402"),
        ("exports", "United States", 2): (0.5, 0.5, "202402"),
        ("imports", "World", 1): (3.0, 3.0, "202401"),
        ("imports", "World", 2): (7.0, 4.0, "202402"),
        ("imports", "China", 1): (3.0, 3.0, "202401"),
        ("imports", "China", 2): (7.0, 4.0, "202402"),
    }
    assert load_figures(tmp_path / "m.csv")["months"].max() == 2  # read as January-February


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    "mode, says",
    [
        ("server_error", "answered 503 (server error: Service Unavailable) 5 times"),
        ("malformed", "is not valid JSON (malformed or truncated"),
        ("not_json", "is not valid JSON"),
        ("truncated", "the answer was cut off (truncated)"),
        ("no network", "could not reach 127.0.0.1"),
        ("quota", "(403: Out of call volume quota. Quota will be replenished in 07:12:44.)"),
        ("empty", "UN Comtrade has no metal_mechanical trade of Peru (604) for 2010"),
    ],
)
def test_failures_end_in_one_line_without_a_file(cli, tmp_path, mode, says):
    with StandIn(PRODUCTS, rate_limited=0, mode=mode) as api:
        url = f"http://127.0.0.1:{closed_port()}" if mode == "no network" else api.url
        years = "2010" if mode == "empty" else "2023-2024"
        code, out, err = cli(
            "data", "fetch", "--reporter", "Peru", "--years", years, "--api-url", url,
            "--key", KEY, "--out", "f.csv", "--cache-dir", "c",
        )  # fmt: skip
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and says in err, err
    assert "Traceback" not in err and not (tmp_path / "f.csv").exists()
    assert not list(tmp_path.glob(".f-*"))  # no temporary file left either


def test_the_standin_answers_as_the_api_does():
    from urllib.error import HTTPError
    from urllib.request import Request, urlopen

    with StandIn(PRODUCTS, rate_limited=1, retry_after="7") as api:
        q = f"{api.url}/data/v1/get/C/A/HS?reporterCode=604&period=2024&cmdCode=73&flowCode=X"
        with pytest.raises(HTTPError) as no_key:
            urlopen(q)
        assert no_key.value.code == 401
        with pytest.raises(HTTPError) as busy:
            urlopen(Request(q, headers={"Ocp-Apim-Subscription-Key": KEY}))
        assert busy.value.code == 429 and busy.value.headers["Retry-After"] == "7"
        plain = json.load(urlopen(Request(q, headers={"Ocp-Apim-Subscription-Key": KEY})))
        described = json.load(
            urlopen(Request(q + "&includeDesc=true", headers={"Ocp-Apim-Subscription-Key": KEY}))
        )
    assert set(plain) == {"elapsedTime", "count", "data", "error"} and plain["count"] == 3
    assert {r["partnerDesc"] for r in plain["data"]} == {None}
    assert {r["partnerDesc"] for r in described["data"]} == {"Chile", "Ecuador", "World"}
    world = next(r for r in described["data"] if r["partnerCode"] == 0)
    assert world["primaryValue"] == 40_000_000 + 8_000_000  # HS 73: Chile and Ecuador


def test_a_rival_missing_from_the_file_comes_from_the_bundled_figures(cli, tmp_path):
    with StandIn(PRODUCTS, WORLD_EXTRA, rate_limited=0) as api:
        code, out, err = fetch(cli, api.url, "--key", KEY, "--rivals", "none")
    assert code == 0, err
    assert len(api.log) == 1  # no rival asked for
    chile = ROOT / "scenarios" / "close_chile_2034.toml"
    code, out, err = cli("run", chile, "--data", "f.csv", "--out", "p.xlsx", "--json", "p.json")
    assert code == 0, err
    assert "f.csv has no exports of Chile; using the bundled figures for them" in out
    (r,) = json.loads((tmp_path / "p.json").read_text())
    assert r["years"][0]["rival_exports"] == 4000  # the press release's floor for Chile, 2024
    assert r["years"][0]["exports"] == pytest.approx(96.875)


def test_waits_are_what_the_server_asks_or_doubling_and_bounded(monkeypatch):
    from metaltrade_xl.data._http import FetchError, JsonClient

    monkeypatch.delenv("METALTRADE_FETCH_MAX_WAIT")
    q = {"reporterCode": "604", "period": "2024", "cmdCode": "73", "flowCode": "X"}
    slept = []
    with StandIn(PRODUCTS, rate_limited=2, retry_after="7") as api:
        client = JsonClient({"Ocp-Apim-Subscription-Key": KEY}, sleep=slept.append)
        answer = client.get(f"{api.url}/data/v1/get/C/A/HS", q, "test")
    assert slept == [7.0, 7.0] and answer.body["count"] == 3 and client.requests == 3
    slept.clear()
    with StandIn(PRODUCTS, rate_limited=0, mode="server_error") as api:
        client = JsonClient({"Ocp-Apim-Subscription-Key": KEY}, sleep=slept.append, max_wait=5)
        with pytest.raises(FetchError, match="answered 503"):
            client.get(f"{api.url}/data/v1/get/C/A/HS", q, "test")
    assert slept == [1.0, 2.0, 4.0, 5.0]  # no Retry-After: doubling, capped; 5 tries in all
    monkeypatch.setenv("METALTRADE_FETCH_MAX_WAIT", "0.5")
    assert JsonClient({}, max_wait=60).max_wait == 0.5  # the tests' cap
