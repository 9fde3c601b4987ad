"""``metaltrade serve`` under load, on loopback, against its own idle latency in the same run.

    python benchmarks/server.py [--seconds 4] [--clients 16] [--heavy-paths 1000000]

For 1 and 2 workers, starts ``metaltrade serve`` on a free loopback port and prints, for
``MT_DEFICIT`` on two columns of 12 and of 10 000 rows, requests per second and the p50/p99
latency with 16 concurrent clients (each a keep-alive connection sending calls back to back for
``--seconds``). Then, with one worker, the p50 of a light call (12 rows, one client) when idle and
while one ``MT_MONTECARLO`` of ``--heavy-paths`` paths runs on the same worker, and their ratio
(target: within 3x). Every phase is bounded in time; the whole run takes about a minute plus the
servers' start-up. Needs ``pip install "metaltrade_xl[server]"``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

import xlwings

START_TIMEOUT = 180


def payload(func_name: str, *args) -> bytes:
    return json.dumps(
        {
            "client": "Office.js",
            "func_name": func_name,
            "args": list(args),
            "caller_address": "[Book1]Sheet1!C1",
            "session_id": "benchmark",
            "culture_info_name": "en-US",
            "date_format": "M/d/yyyy",
            "version": xlwings.__version__,
            "runtime": "1.4",
        }
    ).encode()


def deficit_call(rows: int) -> bytes:
    exports = [[700.0 + i % 100] for i in range(rows)]
    imports = [[18000.0 + i % 1000] for i in range(rows)]
    return payload("MT_DEFICIT", exports, imports)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``metaltrade serve`` in a subprocess, stopped on exit."""

    def __init__(self, workers: int):
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("XLWINGS_")}
        env["XLWINGS_LICENSE_KEY"] = os.environ.get("XLWINGS_LICENSE_KEY", "noncommercial")
        env["XLWINGS_LOG_LEVEL"] = "warning"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "metaltrade_xl.cli", "serve", "--port", str(self.port)]
            + ["--workers", str(workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{self.port}/xlwings/custom-functions-meta"
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                urllib.request.urlopen(url, timeout=10).read()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise SystemExit("metaltrade serve did not start") from None
                time.sleep(0.5)
        time.sleep(2.0)  # let every worker (and its heavy-call process) finish importing

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def call(conn: http.client.HTTPConnection, body: bytes) -> float:
    """One POST on a keep-alive connection; its latency in seconds."""
    t = time.perf_counter()
    conn.request(
        "POST", "/xlwings/custom-functions-call", body, {"Content-Type": "application/json"}
    )
    response = conn.getresponse()
    data = response.read()
    if response.status != 200:
        raise SystemExit(f"HTTP {response.status}: {data[:200]!r}")
    return time.perf_counter() - t


def load(port: int, body: bytes, clients: int, seconds: float) -> tuple[float, list[float]]:
    """``clients`` connections calling back to back for ``seconds``: (req/s, latencies)."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine = []
        while time.perf_counter() < stop:
            mine.append(call(conn, body))
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies) / (time.perf_counter() - start), latencies


def quantile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def light_p50(port: int, seconds: float, while_running=None) -> tuple[float, int]:
    """p50 (ms) of one client's light calls for ``seconds`` or until ``while_running`` ends."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    body = deficit_call(12)
    out = []
    stop = time.perf_counter() + seconds
    while time.perf_counter() < stop and (while_running is None or while_running.is_alive()):
        out.append(call(conn, body))
        time.sleep(0.02)
    conn.close()
    return statistics.median(out) * 1e3, len(out)


def _heavy(port: int, body: bytes, out: list) -> None:
    out.append(call(http.client.HTTPConnection("127.0.0.1", port, timeout=600), body))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="per load phase")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--heavy-paths", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    bodies = {12: deficit_call(12), 10_000: deficit_call(10_000)}
    print(f"loopback, {args.clients} clients, {args.seconds:g} s per phase; latencies in ms")
    for workers in (1, 2):
        with Server(workers) as server:
            for rows, body in bodies.items():
                call(http.client.HTTPConnection("127.0.0.1", server.port), body)  # warm
                rate, lat = load(server.port, body, args.clients, args.seconds)
                print(
                    f"workers={workers} MT_DEFICIT rows={rows:>6}: {rate:8.1f} req/s  "
                    f"p50 {quantile(lat, 50) * 1e3:7.1f}  p99 {quantile(lat, 99) * 1e3:7.1f}  "
                    f"({len(lat)} calls)"
                )
            if workers != 1:
                continue
            idle, n_idle = light_p50(server.port, args.seconds)
            heavy_time: list[float] = []
            body = payload(
                "MT_MONTECARLO", [["uncertain_export_push"]], [[None]], [[args.heavy_paths]]
            )
            runner = threading.Thread(target=_heavy, args=(server.port, body, heavy_time))
            runner.start()
            time.sleep(0.2)
            busy, n_busy = light_p50(server.port, 120.0, while_running=runner)
            runner.join()
            print(
                f"workers=1 light call p50: idle {idle:.1f} ms ({n_idle} calls); beside a "
                f"{args.heavy_paths:,}-path MT_MONTECARLO ({heavy_time[0]:.1f} s) {busy:.1f} ms "
                f"({n_busy} calls); ratio {busy / idle:.2f} (target <= 3)"
            )


if __name__ == "__main__":
    main()
