"""A stand-in for the UN Comtrade API on loopback, answering as the real ``data/v1/get`` does.

It holds product records (HS 6-digit values in USD) and answers a request for ``cmdCode`` list
with one record per requested code: the sum of its products under that code, as the real API
gives a chapter's or heading's total. The World record (partner 0) of a code is the sum over
partners plus ``world_extra`` (trade the reporter does not allocate to a partner), so a client
that adds World to partners, or sums partners for World, gets a different number.

Like the real API: JSON ``{"elapsedTime", "count", "data", "error"}`` with its field names;
descriptions null unless ``includeDesc=true``; 401 without the ``Ocp-Apim-Subscription-Key``
header (or with another key); the first ``rate_limited`` requests answered 429 with
``Retry-After``; at most ``maxRecords`` records. ``mode`` makes it misbehave for error tests.
Bound to 127.0.0.1 only; requests time out after 5 s; the server stops with the context.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

KEY = "test-key-0123"
NAMES = {
    0: ("W00", "World"),
    604: ("PER", "Peru"),
    152: ("CHL", "Chile"),
    842: ("USA", "USA"),
    156: ("CHN", "China"),
    76: ("BRA", "Brazil"),
    484: ("MEX", "Mexico"),
    218: ("ECU", "Ecuador"),
}


class StandIn:
    """``products``: (reporter, flow, partner, period, hs6) -> USD; ``world_extra``:
    (reporter, flow, period, hs6) -> USD added to the World record only."""

    def __init__(self, products, world_extra=None, *, rate_limited=1, retry_after="1", mode=None):
        self.products = dict(products)
        self.world_extra = dict(world_extra or {})
        self.rate_limited = rate_limited
        self.retry_after = retry_after
        self.mode = mode
        self.log: list[dict] = []  # every request: path, params, key header
        self.lock = threading.Lock()

    def __enter__(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            timeout = 5

            def do_GET(self):  # noqa: N802 - the http.server name
                standin.handle(self)

            def log_message(self, *args):  # keep test output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    # --- answering ------------------------------------------------------------------------------

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        key = h.headers.get("Ocp-Apim-Subscription-Key")
        with self.lock:
            self.log.append({"path": parts.path, "params": params, "key": key})
            limited = self.rate_limited > 0
            if limited and key == KEY:
                self.rate_limited -= 1
        if key is None or key != KEY:
            why = "missing" if key is None else "invalid"
            return self.send(
                h,
                401,
                {"statusCode": 401, "message": f"Access denied due to {why} subscription key."},
            )
        if limited:
            return self.send(
                h,
                429,
                {"statusCode": 429, "message": "Rate limit is exceeded. Try again in 1 seconds."},
                {"Retry-After": self.retry_after},
            )
        bits = parts.path.strip("/").split("/")
        if len(bits) != 6 or bits[:3] != ["data", "v1", "get"] or bits[3] != "C" or bits[5] != "HS":
            return self.send(h, 404, {"statusCode": 404, "message": "Resource not found"})
        if self.mode == "quota":
            message = "Out of call volume quota. Quota will be replenished in 07:12:44."
            return self.send(h, 403, {"statusCode": 403, "message": message})
        if self.mode == "server_error":
            return self.send(h, 503, {"statusCode": 503, "message": "Service Unavailable"})
        if self.mode == "malformed":
            return self.raw(h, b'{"elapsedTime": "0.1 secs", "count": 3, "data": [{"refYear": ')
        if self.mode == "not_json":
            return self.raw(h, b"<html>Gateway</html>")
        body = self.answer(bits[4], params)
        if self.mode == "truncated":  # says more bytes than it sends
            data = json.dumps(body).encode()
            h.send_response(200)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(data) + 100))
            h.end_headers()
            h.wfile.write(data)
            h.wfile.flush()
            h.close_connection = True
            return None
        return self.send(h, 200, body)

    def answer(self, freq: str, p: dict) -> dict:
        desc = p.get("includeDesc", "").lower() == "true"
        reporters = {int(x) for x in p.get("reporterCode", "").split(",") if x}
        periods = set(p.get("period", "").split(","))
        flows = set(p.get("flowCode", "X,M").split(","))
        codes = [c for c in p.get("cmdCode", "").split(",") if c]
        partners = None
        if p.get("partnerCode"):
            partners = {int(x) for x in p["partnerCode"].split(",")}
        limit = int(p.get("maxRecords", "500"))
        sums = defaultdict(float)
        for (rep, flow, partner, period, hs6), usd in self.products.items():
            if rep not in reporters or flow not in flows or period not in periods:
                continue
            if (len(period) == 6) != (freq == "M"):
                continue
            for c in codes:
                if hs6.startswith(c):
                    sums[(rep, flow, partner, period, c)] += usd
                    sums[(rep, flow, 0, period, c)] += usd
        for (rep, flow, period, hs6), usd in self.world_extra.items():
            for c in codes:
                if (rep, flow, 0, period, c) in sums and hs6.startswith(c):
                    sums[(rep, flow, 0, period, c)] += usd
        data = [
            self.record(freq, *k, v, desc)
            for k, v in sorted(sums.items())
            if partners is None or k[2] in partners
        ][:limit]
        return {"elapsedTime": "0.01 secs", "count": len(data), "data": data, "error": ""}

    @staticmethod
    def record(freq, rep, flow, partner, period, code, usd, desc) -> dict:
        year = int(period[:4])
        return {
            "typeCode": "C",
            "freqCode": freq,
            "refPeriodId": int(period[:4] + (period[4:] or "01") + "01"),
            "refYear": year,
            "refMonth": int(period[4:]) if len(period) == 6 else 52,
            "period": period,
            "reporterCode": rep,
            "reporterISO": NAMES[rep][0],
            "reporterDesc": NAMES[rep][1] if desc else None,
            "flowCode": flow,
            "flowDesc": ({"X": "Export", "M": "Import"}[flow]) if desc else None,
            "partnerCode": partner,
            "partnerISO": NAMES[partner][0],
            "partnerDesc": NAMES[partner][1] if desc else None,
            "partner2Code": 0,
            "partner2ISO": "W00",
            "partner2Desc": "World" if desc else None,
            "classificationCode": "H6",
            "classificationSearchCode": "HS",
            "isOriginalClassification": True,
            "cmdCode": code,
            "cmdDesc": f"HS {code}" if desc else None,
            "aggrLevel": len(code),
            "isLeaf": len(code) == 6,
            "customsCode": "C00",
            "customsDesc": "TOTAL CPC" if desc else None,
            "mosCode": "0",
            "motCode": 0,
            "motDesc": "TOTAL MOT" if desc else None,
            "qty": None,
            "netWgt": None,
            "cifvalue": usd if flow == "M" else None,
            "fobvalue": usd if flow == "X" else None,
            "primaryValue": usd,
            "legacyEstimationFlag": 0,
            "isReported": True,
            "isAggregate": len(code) < 6,
        }

    @staticmethod
    def send(h, status: int, body: dict, headers=None) -> None:
        data = json.dumps(body).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json; charset=utf-8")
        h.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)

    @staticmethod
    def raw(h, data: bytes) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)
