"""Tests of helpers.core.http against a local replay server (no network)."""

from __future__ import annotations

import gzip
import re
import socket
import time
from datetime import UTC, datetime

import pytest
import requests
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


ENGLISH_NAME = re.compile(
    r"[A-Za-z]*(Error|Exception|Timeout|Redirects)\b|Traceback|HTTPConnectionPool"
)


def assert_swedish(exc: BaseException) -> None:
    """The message names no English exception class (the original stays as __cause__)."""
    assert not ENGLISH_NAME.search(str(exc)), str(exc)


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


def test_connection_refused_fails_fast_with_advice() -> None:
    with socket.socket() as s:  # find a free loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sleeps = Sleeps()
    c = client(retries=2, sleep=sleeps)
    with pytest.raises(SourceError) as err:
        c.get(f"http://127.0.0.1:{port}/x")
    msg = str(err.value)
    assert msg.startswith(f"Kunde inte hämta http://127.0.0.1:{port}/x: ")
    assert "gick inte att nå" in msg and "cachen (data/raw)" in msg and "försök" in msg
    assert sleeps == []  # offline: one attempt, no retries
    assert c.requests_sent == 1
    assert_swedish(err.value)


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


def test_delay_returns_the_servers_retry_after_uncapped() -> None:
    c = client()
    response = type("R", (), {"headers": {"Retry-After": "100000"}})()
    assert c.delay(0, response) == 100000.0  # request() refuses it instead of waiting
    assert http.parse_retry_after("inf") is None and http.parse_retry_after("nan") is None


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


# -- issue 11: redirects only on the same host ------------------------------------------------
def test_same_origin_helpers() -> None:
    base = "https://api.kolada.se/v3/"
    assert http.same_origin("https://API.kolada.se:443/v3/data?page=2", base)
    assert not http.same_origin("http://api.kolada.se/v3/data", base)  # other scheme
    assert not http.same_origin("https://api.kolada.se:8443/v3/", base)  # other port
    assert not http.same_origin("https://evil.example/v3/", base)
    assert not http.same_origin("/v3/data", base)  # relative: no host
    assert http.origin_text(base) == "https://api.kolada.se"
    with pytest.raises(SourceError, match=r"evil\.example.*inte ligger på samma server"):
        http.check_same_origin("https://evil.example/x", base, "Nästa sida")


def test_redirect_on_same_host_is_followed(server: ReplayServer) -> None:
    server.add("GET", "/a", Reply.redirect("/b", 301))
    server.add("GET", "/b", Reply.redirect(server.url("/c"), 307))
    server.add("GET", "/c", Reply.json({"ok": 1}))
    c = client()
    response = c.get(server.url("/a"))
    assert response.json() == {"ok": 1}
    assert response.url == server.url("/c")
    assert server.paths() == ["/a", "/b", "/c"]
    assert c.requests_sent == 3


def test_redirect_to_another_host_is_refused(server: ReplayServer) -> None:
    with serving() as other:
        other.add("GET", "/stolen", Reply.json({"value": 999}))
        server.add("GET", "/a", Reply.redirect(other.url("/stolen")))
        with pytest.raises(SourceError) as err:
            client().get(server.url("/a"))
        assert other.count() == 0  # never contacted
    msg = str(err.value)
    assert server.url("/a") in msg and other.url("/stolen") in msg
    assert "annan server" in msg and "inget sparades" in msg
    assert server.count() == 1  # not retried
    assert_swedish(err.value)


def test_redirect_to_unknown_host_is_refused_without_connecting(server: ReplayServer) -> None:
    server.add("GET", "/a", Reply.redirect("https://evil.example.invalid/data"))
    with pytest.raises(SourceError, match=r"evil\.example\.invalid.*annan server"):
        client().get(server.url("/a"), same_origin_as=server.url("/"))


def test_request_outside_the_configured_base_is_refused(server: ReplayServer) -> None:
    with pytest.raises(SourceError, match="inte ligger på samma server"):
        client().get("http://evil.example.invalid/x", same_origin_as=server.url("/v3/"))


def test_redirect_loop_and_too_many_redirects(server: ReplayServer) -> None:
    server.add("GET", "/a", Reply.redirect("/b"))
    server.add("GET", "/b", Reply.redirect("/a"))
    for i in range(10):
        server.add("GET", f"/r{i}", Reply.redirect(f"/r{i + 1}"))
    c = client()
    with pytest.raises(SourceError, match=r"slinga \(.*/a → .*/b → .*/a\)") as err:
        c.get(server.url("/a"))
    assert_swedish(err.value)
    with pytest.raises(SourceError, match="fler än 5 gånger") as err:
        c.get(server.url("/r0"))
    assert_swedish(err.value)
    assert server.count("/r") == 6


def test_redirected_post_keeps_body_on_307_and_becomes_get_on_303(server: ReplayServer) -> None:
    server.add("POST", "/q", Reply.redirect("/q2", 307))
    server.add("POST", "/q2", Reply.json({"posted": True}))
    server.add("POST", "/s", Reply.redirect("/s2", 303))
    server.add("GET", "/s2", Reply.json({"got": True}))
    c = client()
    assert c.post(server.url("/q"), {"a": 1}).json() == {"posted": True}
    assert server.requests[-1].json == {"a": 1}
    assert c.post(server.url("/s"), {"a": 1}).json() == {"got": True}
    assert server.requests[-1].method == "GET"


# -- issue 11: deadline and size cap ---------------------------------------------------------
def test_slowly_dripping_body_hits_the_overall_deadline(server: ReplayServer) -> None:
    server.add("GET", "/drip", Reply(200, b"[" + b"1," * 200 + b"1]", drip=0.02))
    t0 = time.monotonic()
    with pytest.raises(SourceError) as err:
        client(timeout=5, deadline=0.4).get(server.url("/drip"))
    assert time.monotonic() - t0 < 2.0  # each byte came in time, the whole answer did not
    msg = str(err.value)
    assert "tidsgränsen 0,4 s" in msg and "för långsamt" in msg
    assert server.count() == 1  # a too slow answer is not asked for again
    assert_swedish(err.value)


def test_a_stalled_body_ends_at_the_deadline_not_the_socket_timeout(server: ReplayServer) -> None:
    server.add("GET", "/stall", Reply(200, b"[1, 2, 3, 4, 5, 6, 7, 8]", drip=3.0, drip_size=8))
    t0 = time.monotonic()
    with pytest.raises(SourceError, match="tidsgränsen 0,5 s"):
        client(timeout=20, deadline=0.5).get(server.url("/stall"))
    assert time.monotonic() - t0 < 1.5  # the 20 s socket timeout was shortened to the deadline


def test_slow_headers_hit_the_deadline(server: ReplayServer) -> None:
    server.add("GET", "/late", Reply(200, b"{}", delay=1.5))
    t0 = time.monotonic()
    with pytest.raises(SourceError, match="tidsgräns") as err:
        client(timeout=10, deadline=0.3, retries=0).get(server.url("/late"))
    assert time.monotonic() - t0 < 1.4
    assert_swedish(err.value)


def test_announced_size_over_the_cap_is_refused_at_once(server: ReplayServer) -> None:
    server.add("GET", "/big", Reply(200, b"[" + b"0," * 3000 + b"0]"))
    with pytest.raises(SourceError) as err:
        client(max_bytes=2048).get(server.url("/big"))
    msg = str(err.value)
    assert "större än 2 kB" in msg and "servern anger 5,9 kB" in msg
    assert "avbrutet" not in msg and "ofullständig" not in msg  # not called truncated
    assert server.count() == 1


def test_unannounced_size_over_the_cap_is_refused_while_reading(server: ReplayServer) -> None:
    body = b"[" + b"0," * 150_000 + b"0]"  # 300 kB, no Content-Length
    server.add("GET", "/big", Reply(200, body, no_length=True))
    with pytest.raises(SourceError, match=r"större än 100 kB; så stora svar läses inte"):
        client(max_bytes=100 * 1024).get(server.url("/big"))


def test_default_cap_is_50_mb_and_deadline_60_s() -> None:
    c = http.HttpClient()
    assert (c.max_bytes, c.deadline, c.max_retry_after) == (50 * 1024**2, 60.0, 60.0)
    assert http.size_text(c.max_bytes) == "50 MB"


def test_gzip_bomb_is_capped_after_decompression(server: ReplayServer) -> None:
    packed = gzip.compress(b" " * 3_000_000)  # ~3 kB on the wire, 3 MB unpacked
    server.add("GET", "/bomb", Reply(200, packed, {"Content-Encoding": "gzip"}))
    with pytest.raises(SourceError, match="större än 1 MB"):
        client(max_bytes=1024**2).get(server.url("/bomb"))


def test_gzip_body_is_decoded(server: ReplayServer) -> None:
    packed = gzip.compress(b'{"values": [1.5]}')
    server.add("GET", "/z", Reply(200, packed, {"Content-Encoding": "gzip"}))
    assert client().get_json(server.url("/z")) == {"values": [1.5]}


def test_gzip_garbage_is_one_swedish_message(server: ReplayServer) -> None:
    server.add("GET", "/g", Reply(200, b"this is not gzip", {"Content-Encoding": "gzip"}))
    with pytest.raises(SourceError, match="gick inte att packa upp") as err:
        client().get(server.url("/g"))
    assert err.value.__cause__ is not None  # the original kept for debugging
    assert_swedish(err.value)


def test_broken_chunked_encoding(server: ReplayServer) -> None:
    server.add(
        "GET", "/c", Reply(200, b"zz\r\nnonsense", {"Transfer-Encoding": "chunked"}, no_length=True)
    )
    with pytest.raises(SourceError, match="avbröts under överföringen") as err:
        client(retries=1).get(server.url("/c"))
    assert_swedish(err.value)
    assert server.count() == 2  # a broken transfer is retried


# -- issue 11: Retry-After ---------------------------------------------------------------------
@pytest.mark.parametrize("value", ["86400", "Sun, 01 Mar 2099 12:00:00 GMT"])
def test_long_retry_after_stops_at_once_with_a_time(server: ReplayServer, value: str) -> None:
    server.add("GET", "/x", Reply(429, b"", {"Retry-After": value}))
    sleeps = Sleeps()
    t0 = time.monotonic()
    with pytest.raises(SourceError) as err:
        client(sleep=sleeps).get(server.url("/x"))
    assert time.monotonic() - t0 < 2 and sleeps == []
    msg = str(err.value)
    assert "HTTP 429" in msg and "Retry-After" in msg and "Försök igen tidigast" in msg
    assert re.search(r"\d{4}-\d{2}-\d{2} kl\. \d{2}:\d{2}", msg)
    assert server.count() == 1


def test_retry_after_cap_is_configurable(server: ReplayServer) -> None:
    server.add("GET", "/x", Reply(503, b"", {"Retry-After": "5"}), Reply.json(1))
    with pytest.raises(SourceError, match="paus på 5 s"):
        client(max_retry_after=1).get(server.url("/x"))


# -- issue 11: every transport error is one Swedish message -------------------------------------
class RaisingSession(requests.Session):
    """A session whose every request raises ``exc`` (requests mocked without network)."""

    def __init__(self, exc: BaseException):
        super().__init__()
        self.exc = exc
        self.calls = 0

    def request(self, *args, **kwargs):  # type: ignore[override]
        self.calls += 1
        raise self.exc


@pytest.mark.parametrize(
    ("exc", "fragment", "retried"),
    [
        (requests.ConnectionError("boom"), "avbröts under överföringen", True),
        (requests.ReadTimeout("slow"), "inget svar inom tidsgränsen", True),
        (requests.ConnectTimeout("slow"), "ingen kontakt med servern", False),
        (requests.TooManyRedirects("many"), "för många omdirigeringar", False),
        (requests.exceptions.ChunkedEncodingError("cut"), "avbröts under överföringen", True),
        (requests.exceptions.ContentDecodingError("gz"), "packa upp", False),
        (requests.exceptions.SSLError("cert"), "säker anslutning (TLS)", False),
        (requests.exceptions.ProxyError("proxy"), "proxyservern", False),
        (requests.exceptions.InvalidURL("bad"), "adressen är ogiltig", False),
        (requests.exceptions.MissingSchema("bad"), "adressen är ogiltig", False),
        (requests.exceptions.InvalidSchema("bad"), "adressen är ogiltig", False),
        (requests.exceptions.InvalidHeader("bad"), "oväntat nätverksfel", False),
        (requests.RequestException("other"), "oväntat nätverksfel", False),
        (socket.gaierror(-2, "Name or service not known"), "kunde inte slås upp", False),
    ],
)
def test_transport_errors_map_to_one_swedish_form(
    exc: BaseException, fragment: str, retried: bool
) -> None:
    session = RaisingSession(exc)
    sleeps = Sleeps()
    c = client(session=session, retries=2, sleep=sleeps)
    url = "https://api.kolada.se/v3/kpi?per_page=5000"
    with pytest.raises(SourceError) as err:
        c.get(url)
    msg = str(err.value)
    assert msg.startswith(f"Kunde inte hämta {url}: ")
    assert fragment in msg
    assert err.value.__cause__ is exc
    assert_swedish(err.value)
    assert session.calls == (3 if retried else 1)
    assert ("gav upp efter 3 försök" in msg) == retried


def test_dns_failure_fails_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_dns(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    sleeps = Sleeps()
    c = client(sleep=sleeps)
    with pytest.raises(SourceError) as err:
        c.get("https://api.kolada.se/v3/kpi")
    msg = str(err.value)
    assert "servernamnet api.kolada.se kunde inte slås upp" in msg
    assert "cachen (data/raw)" in msg
    assert sleeps == [] and c.requests_sent == 1
    assert_swedish(err.value)


def test_tls_failure_is_swedish(server: ReplayServer) -> None:
    url = server.url("/x").replace("http://", "https://")  # TLS to a plain HTTP server
    with pytest.raises(SourceError, match="säker anslutning") as err:
        client().get(url)
    assert_swedish(err.value)


@pytest.mark.parametrize("url", ["http://", "http://[::1", "nonsense", "ftp://x/y"])
def test_invalid_urls_are_swedish(url: str) -> None:
    with pytest.raises(SourceError, match="ogiltig") as err:
        client().get(url)
    assert_swedish(err.value)


# -- issue 11: JSON bodies through the client ---------------------------------------------
def test_get_json_refuses_an_html_error_page_with_status_200(server: ReplayServer) -> None:
    server.add(
        "GET",
        "/x",
        Reply(200, b"<html><h1>Underh\xc3\xa5ll</h1></html>", {"Content-Type": "text/html"}),
    )
    with pytest.raises(SourceError, match="webbsida.*Underhåll"):
        client().get_json(server.url("/x"))
