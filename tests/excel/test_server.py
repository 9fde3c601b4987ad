"""``metaltrade serve``: xlwings Server on loopback, called over HTTP as Excel's add-in calls it.

One server with two workers is started in a subprocess on a free port for the module; the calls
are shaped as the Office.js client sends them (``null`` for an empty cell). That a heavy cell does
not hold the event loop is checked in-process on xlwings' own call path (an ordering, not a
timing: timings are in ``benchmarks/server.py``).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
import xlwings
import xlwings.server

from metaltrade_xl.excel import server
from tests.excel.conftest import payload

START_TIMEOUT = 180  # seconds: two workers import pandas, scipy and FastAPI on a busy machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(**changes) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XLWINGS_")}
    env.update(changes)
    return env


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "metaltrade_xl.cli", "serve", "--host", "127.0.0.1"]
            + ["--port", str(port), "--workers", "2"],
            env=server_env(XLWINGS_LICENSE_KEY="noncommercial"),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                get(url + "/xlwings/custom-functions-meta")
                break
            except (urllib.error.URLError, ConnectionError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the server did not start: {log.read_text()}") from None
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=60) as r:
        return r.status, r.read().decode()


def post(base: str, func_name: str, *args) -> tuple[int, object]:
    """POST one call as Excel's add-in does; (status, JSON result or the error text)."""
    data = payload(func_name, *args)
    data["session_id"] = "test-session"
    request = urllib.request.Request(
        base + "/xlwings/custom-functions-call",
        data=json.dumps(data).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as r:
            return r.status, json.loads(r.read())["result"]
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def test_the_meta_endpoint_lists_every_function_with_its_arguments(base_url):
    status, body = get(base_url + "/xlwings/custom-functions-meta")
    assert status == 200
    functions = {f["name"]: f for f in json.loads(body)["functions"]}
    import metaltrade_xl.udfs

    assert set(functions) == set(metaltrade_xl.udfs.__all__)
    deficit = functions["MT_DEFICIT"]
    assert [p["name"] for p in deficit["parameters"]] == ["exports", "imports"]
    assert deficit["description"].startswith("Trade deficit, imports − exports")
    # a heavy function is served as a coroutine: the same name and arguments
    assert [p["name"] for p in functions["MT_MONTECARLO"]["parameters"]] == [
        "scenario",
        "outcome",
        "paths",
        "seed",
    ]


def test_the_functions_javascript_associates_every_function(base_url):
    status, js = get(base_url + "/xlwings/custom-functions-code.js")
    assert status == 200
    for name in ("MT_DEFICIT", "MT_MONTECARLO", "MT_TOP_PARTNERS"):
        assert f'CustomFunctions.associate("{name}", {name});' in js


def test_a_value(base_url):
    assert post(base_url, "MT_DEFICIT", 727, 19548) == (200, [[18821.0]])


def test_a_range_with_an_empty_cell(base_url):
    status, result = post(
        base_url, "MT_DEFICIT", [[750], [None], [727]], [[18203], [None], [19548]]
    )
    assert (status, result) == (200, [[17453.0], [""], [18821.0]])


def test_bad_input_is_a_400_with_the_one_line_message(base_url):
    status, text = post(base_url, "MT_DEFICIT", "abc", 19548)
    assert status == 400
    assert text == "MT_DEFICIT: exports: expected a number, got text 'abc'"


def test_a_heavy_function_over_http(base_url):
    status, result = post(base_url, "MT_PROB_CLOSE", "uncertain_export_push", None, 2000, 1)
    assert status == 200 and result[0] == ["year", "probability", "standard_error"]
    assert result[1][0] == 2034 and 0 <= result[1][1] <= 1
    status, text = post(base_url, "MT_MONTECARLO", "uncertain_export_push", None, 5_000_000)
    assert status == 400 and text.startswith("MT_MONTECARLO: paths: expected at most 1,000,000")


def test_the_task_pane_has_the_scenario_button(base_url):
    status, html = get(base_url + "/taskpane")
    assert status == 200 and 'xw-click="run_scenarios_script"' in html


def test_without_a_licence_key_one_line_says_where_to_get_one(cli, monkeypatch):
    monkeypatch.delenv("XLWINGS_LICENSE_KEY", raising=False)
    code, out, err = cli("serve", "--port", str(free_port()))
    assert code == 2 and out == ""
    line = err.strip()
    assert "\n" not in line and line.startswith("metaltrade: error: xlwings Server needs a licence")
    assert "XLWINGS_LICENSE_KEY=noncommercial" in line and "https://www.xlwings.org/pricing" in line


def test_the_heavy_functions_are_coroutines_with_the_same_metadata(udfs):
    module = server.functions_module(udfs)
    meta = xlwings.server.custom_functions_meta(module)
    assert meta == xlwings.server.custom_functions_meta(udfs)
    for name in udfs.__all__:
        assert asyncio.iscoroutinefunction(getattr(module, name)) == (name in server.HEAVY)


def test_a_heavy_cell_does_not_hold_light_calls(udfs, monkeypatch):
    """While a Monte Carlo runs, light calls on the same event loop keep being answered.

    The heavy call runs on a thread here rather than in the spawned process the server uses (the
    test over HTTP above goes through that process): what is checked is that it is awaited off
    the event loop, not how fast it is.
    """
    pool = ThreadPoolExecutor(1)
    monkeypatch.setattr(server, "_pool", pool)
    module = server.functions_module(udfs)

    async def scenario():
        heavy = asyncio.create_task(
            xlwings.server.custom_functions_call(
                payload("MT_MONTECARLO", "uncertain_export_push", None, 100_000, 1), module
            )
        )
        answered = 0
        while not heavy.done():
            light = await xlwings.server.custom_functions_call(
                payload("MT_DEFICIT", 727, 19548), module
            )
            assert light == [[18821.0]]
            answered += 1
            await asyncio.sleep(0.01)
        return answered, heavy.result()

    answered, fan = asyncio.run(scenario())
    pool.shutdown()
    # were the heavy call run on the event loop, the first light call would wait for it to end
    assert answered >= 3
    assert fan == udfs.MT_MONTECARLO("uncertain_export_push", None, 100_000, 1)
