"""Tests of helpers.core.http against a local replay server (no network)."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime

import pytest
from replay_server import ReplayServer, Reply, bypass_proxies, serving

from helpers.core import http
from helpers.core.errors import SourceError


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch):
    bypass_proxies(monkeypatch)
    with serving() as srv:
        yield srv


class Sleeps(list):
    """A fake sleep that records the delays asked for."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client(**kwargs) -> http.HttpClient:
    kwargs.setdefault("backoff", 0.01)
    kwargs.setdefault("max_per_second", None)
    return http.HttpClient(**kwargs)


def test_get_json_ok_and_headers(server: ReplayServer) -> None:
    server.add("GET", "/x", Reply.json({"a": 1, "ö": "å"}))
    c = client()
    assert c.get_json(server.url("/x")) == {"a": 1, "ö": "å"}
    assert c.requests_sent == 1
    assert server.count() == 1
    assert c.timeout == 30.0


def test_429_then_200_honours_retry_after(server: ReplayServer) -> None:
    server.add(
        "GET",
        "/x",
        Reply.json({"detail": "slow down"}, status=429, **{"Retry-After": "2"}),
        Reply.json({"ok": True}),
    )
    sleeps = Sleeps()
    c = client(sleep=sleeps)
    assert c.get_json(server.url("/x")) == {"ok": True}
    assert sleeps == [2.0]  # the server's Retry-After, not the 0.01 s backoff
    assert server.count() == 2


def test_429_without_retry_after_uses_backoff(server: ReplayServer) -> None:
    server.add("GET", "/x", Reply(429), Reply(429), Reply.json([1, 2]))
    sleeps = Sleeps()
    assert client(sleep=sleeps).get_json(server.url("/x")) == [1, 2]
    assert sleeps == [0.01, 0.02]


def test_500_until_retries_run_out(server: ReplayServer) -> None:
    server.add("GET", "/broken", Reply(500, b"Internal error"))
    sleeps = Sleeps()
    c = client(retries=3, sleep=sleeps)
    url = server.url("/broken") + "?a=1"
    with pytest.raises(SourceError) as err:
        c.get(url)
    msg = str(err.value)
    assert url in msg
    assert "HTTP 500" in msg and "fel hos källan" in msg
    assert "4 försök" in msg
    assert "Internal error" in msg
    assert server.count() == 4
    assert sleeps == [0.01, 0.02, 0.04]  # exponential backoff


def test_backoff_is_capped() -> None:
    c = client(backoff=1.0, max_delay=5.0)
    assert [c.delay(k) for k in range(5)] == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_503_then_ok_with_real_sleep(server: ReplayServer) -> None:
    server.add("GET", "/x", Reply(503), Reply(502), Reply.json({"v": 3}))
    t0 = time.monotonic()
    assert client().get_json(server.url("/x")) == {"v": 3}
    assert time.monotonic() - t0 < 2
    assert server.count() == 3


def test_404_and_410_are_not_retried(server: ReplayServer) -> None:
    server.add("GET", "/missing", Reply(404, b'{"detail":"no such kpi"}'))
    server.add("GET", "/v2/kpi", Reply(410))
    c = client()
    with pytest.raises(SourceError, match="HTTP 404.*no such kpi"):
        c.get(server.url("/missing"))
    with pytest.raises(SourceError, match="nedlagd"):
        c.get(server.url("/v2/kpi"))
    assert server.count() == 2


def test_connection_refused_after_retries() -> None:
    with socket.socket() as s:  # find a free loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sleeps = Sleeps()
    c = client(retries=2, sleep=sleeps)
    with pytest.raises(SourceError, match=rf"127\.0\.0\.1:{port}/x.*kunde inte ansluta.*3 försök"):
        c.get(f"http://127.0.0.1:{port}/x")
    assert len(sleeps) == 2


def test_dropped_connection_is_retried(server: ReplayServer) -> None:
    server.add(
        "GET", "/x", Reply(200, b'{"values": [1, 2', drop=True), Reply.json({"values": [1, 2]})
    )
    assert client().get_json(server.url("/x")) == {"values": [1, 2]}
    assert server.count() == 2


def test_dropped_connection_every_time(server: ReplayServer) -> None:
    server.add("GET", "/x", Reply(200, b'{"v', drop=True))
    with pytest.raises(SourceError, match="avbröts under överföringen"):
        client(retries=1).get(server.url("/x"))
    assert server.count() == 2


def test_timeout(server: ReplayServer) -> None:
    def slow(srv: ReplayServer, rec) -> Reply:
        time.sleep(0.5)
        return Reply.json({})

    server.handle("GET", "/slow", slow)
    with pytest.raises(SourceError, match="inget svar inom tidsgränsen"):
        client(timeout=0.1, retries=1).get(server.url("/slow"))


def test_truncated_json_body_is_a_clear_error(server: ReplayServer) -> None:
    server.add("GET", "/t", Reply(200, b'{"values": [{"kpi": "N00923", "municipality": "01'))
    url = server.url("/t")
    with pytest.raises(SourceError) as err:
        client().get_json(url)
    assert url in str(err.value)
    assert "avbrutet" in str(err.value)
    assert server.count() == 1  # a complete HTTP answer with a broken body is not retried


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"<html>Service Unavailable</html>", "inte giltig JSON"),
        (b"", "tomt"),
        (b"   \n", "tomt"),
        (b'{"a": 1} trailing', "inte giltig JSON"),
        (b"\xff\xfe{}", "UTF-8"),
    ],
)
def test_decode_json_errors(body: bytes, fragment: str) -> None:
    with pytest.raises(SourceError, match=fragment):
        http.decode_json(body, "https://example.invalid/x")


def test_decode_json_accepts_bom_and_text() -> None:
    assert http.decode_json('\ufeff{"a": [1]}'.encode(), "u") == {"a": [1]}
    assert http.decode_json('{"b": null}', "u") == {"b": None}


def test_parse_retry_after() -> None:
    now = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
    assert http.parse_retry_after("3") == 3.0
    assert http.parse_retry_after("-4") == 0.0
    assert http.parse_retry_after("Sun, 01 Mar 2026 12:00:30 GMT", now=now) == 30.0
    assert http.parse_retry_after("Sun, 01 Mar 2026 11:00:00 GMT", now=now) == 0.0
    assert http.parse_retry_after(None) is None
    assert http.parse_retry_after("soon") is None


def test_retry_after_is_capped() -> None:
    c = client()
    response = type("R", (), {"headers": {"Retry-After": "100000"}})()
    assert c.delay(0, response) == http.MAX_RETRY_AFTER


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_throttle_sliding_window_with_fake_clock() -> None:
    clock = FakeClock()
    throttle = http.Throttle(2, 1.0, clock=clock, sleep=clock.sleep)
    starts = []
    for _ in range(5):
        throttle.wait()
        starts.append(clock.now)
    assert starts == [100.0, 100.0, 101.0, 101.0, 102.0]
    for i in range(len(starts)):  # never more than 2 starts in any 1 s window
        assert sum(1 for s in starts if starts[i] <= s < starts[i] + 1.0) <= 2


def test_throttle_per_second() -> None:
    assert (http.Throttle.per_second(5).max_calls, http.Throttle.per_second(5).period) == (5, 1.0)
    half = http.Throttle.per_second(0.5)
    assert (half.max_calls, half.period) == (1, 2.0)
    assert http.Throttle.per_second(None).wait() == 0.0


def test_throttle_applies_to_real_requests(server: ReplayServer) -> None:
    server.add("GET", "/x", Reply.json(1))
    c = http.HttpClient(throttle=http.Throttle(2, 0.2), backoff=0.01)
    t0 = time.monotonic()
    for _ in range(5):
        c.get(server.url("/x"))
    assert time.monotonic() - t0 >= 0.4  # 5 requests at 2 per 0.2 s need two full windows
    assert server.count() == 5


def test_post_sends_json_body(server: ReplayServer) -> None:
    server.add("POST", "/q", Reply.json({"ok": 1}))
    r = client().post(
        server.url("/q"), {"selection": [{"variableCode": "Kon", "valueCodes": ["1"]}]}
    )
    assert r.json() == {"ok": 1}
    assert server.requests[0].json == {"selection": [{"variableCode": "Kon", "valueCodes": ["1"]}]}
