"""Small shared HTTP layer for the remote data sources (Kolada, SCB).

Built on :mod:`requests`. One :class:`HttpClient` holds a session and adds what
every source client needs and nothing more:

* a socket timeout (30 s by default) *and* an overall deadline per HTTP
  exchange (60 s by default, connect + headers + the whole body): a body that
  drips in slowly ends with a Swedish timeout message;
* a size cap (50 MB by default, after decompression): the body is read in
  chunks and refused as soon as it grows past the cap (or at once when the
  announced ``Content-Length`` is larger);
* redirects are followed by hand, at most :data:`MAX_REDIRECTS`, and only
  while they stay on the same scheme, host and port as the configured base
  (``same_origin_as``); a redirect elsewhere, or a loop, is refused before
  anything is returned (so nothing is cached);
* retries with exponential backoff on HTTP 429/5xx, dropped transfers and read
  timeouts; a ``Retry-After`` header (seconds or HTTP date) is honoured up to
  :data:`MAX_RETRY_AFTER` seconds, a longer one stops at once with a message
  saying when to try again;
* no retries when the server cannot be reached at all (offline, DNS failure,
  connection refused, TLS failure): one attempt, then a message naming the URL
  and what to do;
* a throttle (:class:`Throttle`, at most *n* requests per time window) shared
  by every request of the client, retries included;
* every failure is a :class:`helpers.core.errors.SourceError` of one form,
  ``"Kunde inte hämta <URL>: <orsak>. <råd>"``, in Swedish; the original
  exception is kept as ``__cause__`` for debugging, its English name is never
  shown;
* :func:`cache_only` makes every request in its block raise :class:`NotCached`
  at once, without touching the network: the loaders then run on the raw
  cache alone, which is how a run finds out what it would have to download
  (``helpers.sources.needs``); :func:`connection_check` makes one attempt to
  reach a host, with a short timeout and no retries;
* :meth:`HttpClient.get_json` reads the body with
  :func:`helpers.core.jsonbody.check_json_response` (refuses HTML/XML pages and
  non-UTF-8 charsets) and :func:`helpers.core.jsonbody.decode_json` (refuses
  truncated or invalid JSON, NaN, Infinity and numbers too large for a float).

The base delay of the backoff, the clock and the sleep function are
parameters, so tests run fast and deterministically.
"""

from __future__ import annotations

import email.utils
import http.client
import math
import socket
import ssl
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
import urllib3.exceptions as u3

from helpers import __version__
from helpers.core.errors import SourceError
from helpers.core.jsonbody import LATER_ADVICE, check_json_response, decode_json

DEFAULT_TIMEOUT: float = 30.0
#: Overall time allowed for one HTTP exchange (connect, headers and the whole body).
DEFAULT_DEADLINE: float = 60.0
#: Largest body read (after decompression), in bytes.
DEFAULT_MAX_BYTES: int = 50 * 1024 * 1024
DEFAULT_RETRIES: int = 4
DEFAULT_BACKOFF: float = 1.0
DEFAULT_MAX_DELAY: float = 60.0
#: A ``Retry-After`` longer than this stops the request with a message instead of waiting.
MAX_RETRY_AFTER: float = 60.0
#: Redirects followed (on the same host) before giving up.
MAX_REDIRECTS: int = 5
USER_AGENT = f"folkhalsa-workbook/{__version__} (python-requests)"
RETRY_STATUSES: frozenset[int] = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES: frozenset[int] = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
#: What to do when a source cannot be reached.
OFFLINE_ADVICE = (
    "Kontrollera nätverksanslutningen; det som redan finns i cachen (data/raw) "
    "används utan nätverk – försök annars igen senare"
)


class NotCached(SourceError):
    """Raised inside :func:`cache_only` when a request would have gone to the network.

    Attributes
    ----------
    url : str
        The URL that is not in the raw cache.
    """

    def __init__(self, url: str):
        super().__init__(f"Finns inte i cachen (data/raw): {url}")
        self.url = url


_CACHE_ONLY: ContextVar[bool] = ContextVar("helpers_http_cache_only", default=False)


@contextmanager
def cache_only() -> Iterator[None]:
    """Within the block, every :meth:`HttpClient.request` raises :class:`NotCached` at once.

    Source clients read their raw cache before they call the HTTP layer, so a
    loader run inside this block succeeds exactly when everything it needs is
    cached, and otherwise stops at the first URL it lacks – without a single
    connection attempt.
    """
    token = _CACHE_ONLY.set(True)
    try:
        yield
    finally:
        _CACHE_ONLY.reset(token)


def connection_check(url: str, timeout: float = 1.5) -> str | None:
    """Try once to reach ``url``'s server; return ``None`` if it answered, else the reason.

    One ``HEAD`` request, ``timeout`` seconds for connecting and for the
    answer, no retries and no redirects followed. Any HTTP answer (even an error
    status) counts as reachable: the point is whether there is a network path.

    Returns
    -------
    str or None
        ``None`` when the server answered; otherwise a short Swedish reason.
    """
    try:
        with requests.Session() as session:
            session.headers["User-Agent"] = USER_AGENT
            session.head(url, timeout=(timeout, timeout), allow_redirects=False)
    except requests.exceptions.Timeout:
        return f"ingen kontakt inom {_seconds_text(timeout)}"
    except requests.exceptions.RequestException as exc:
        failure = _classify(exc, url, timeout)
        return failure.reason
    return None


class Throttle:
    """Sliding-window rate limit: at most ``max_calls`` request starts per ``period`` seconds.

    Thread-safe. ``Throttle(5, 1.0)`` allows five requests per second;
    ``Throttle(3, 1.0)`` is SCB's documented limit.

    Parameters
    ----------
    max_calls : int
        Requests allowed per window; ``0`` or less disables the throttle.
    period : float
        Window length in seconds.
    clock : callable, optional
        Monotonic clock (tests inject a fake one).
    sleep : callable, optional
        Sleep function (tests inject a fake one).
    """

    def __init__(
        self,
        max_calls: int,
        period: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.max_calls = int(max_calls)
        self.period = float(period)
        self._clock = clock
        self._sleep = sleep
        self._starts: deque[float] = deque()
        self._lock = threading.Lock()

    @classmethod
    def per_second(cls, rate: float | None, **kwargs: Any) -> Throttle:
        """Return a throttle allowing ``rate`` requests per second (``None`` = unlimited).

        A fractional rate such as 0.5 becomes one request per two seconds.
        """
        if rate is None or rate <= 0:
            return cls(0, 1.0, **kwargs)
        if rate >= 1:
            return cls(int(rate), 1.0, **kwargs)
        return cls(1, 1.0 / rate, **kwargs)

    def wait(self) -> float:
        """Block until a request may start, record its start and return the time waited."""
        if self.max_calls <= 0:
            return 0.0
        waited = 0.0
        with self._lock:
            while True:
                now = self._clock()
                while self._starts and now - self._starts[0] >= self.period:
                    self._starts.popleft()
                if len(self._starts) < self.max_calls:
                    self._starts.append(now)
                    return waited
                delay = self.period - (now - self._starts[0])
                if delay > 0:
                    self._sleep(delay)
                    waited += delay


# -- small helpers ----------------------------------------------------------------------
def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Return the delay in seconds of a ``Retry-After`` header, or ``None`` if absent/unreadable.

    Parameters
    ----------
    value : str or None
        Header value: delay in seconds (``"2"``) or an HTTP date.
    now : datetime, optional
        Current time (UTC) for the HTTP-date form; defaults to now.

    Returns
    -------
    float or None
        Non-negative, finite delay in seconds.
    """
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def origin(url: str) -> tuple[str, str, int | None]:
    """Return ``(scheme, host, port)`` of ``url``, lower-cased, with the default port filled in."""
    try:
        parts = urlsplit(str(url).strip())
        port = parts.port
    except ValueError:
        return "", "", -1  # an unreadable URL never matches anything
    scheme = parts.scheme.lower()
    if port is None:
        port = {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


def origin_text(url: str) -> str:
    """Return ``scheme://host[:port]`` of ``url`` as shown to users."""
    try:
        parts = urlsplit(str(url).strip())
    except ValueError:
        return str(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else str(url)


def same_origin(url: str, base: str) -> bool:
    """Return True when ``url`` has the same scheme, host and port as ``base``."""
    a, b = origin(url), origin(base)
    return bool(a[0] and a[1]) and a == b


def check_same_origin(url: str, base: str, what: str) -> None:
    """Raise :class:`SourceError` unless ``url`` is on the same scheme, host and port as ``base``.

    Parameters
    ----------
    url : str
        The address a source pointed to (``next_url``, a redirect).
    base : str
        The configured base URL of the source.
    what : str
        What pointed there, in Swedish (e.g. ``"Koladas nästa sida (next_url)"``).
    """
    if not same_origin(url, base):
        raise SourceError(
            f"{what} pekar på {url}, som inte ligger på samma server som den inställda "
            f"adressen {base} ({origin_text(base)}). Arbetsboken följer bara adresser på den "
            "servern och har inte sparat något från svaret; kontrollera adressen (base_url) "
            "eller meddela källan."
        )


def size_text(n_bytes: float) -> str:
    """Return a byte count as Swedish text: ``"50 MB"``, ``"1,5 kB"``, ``"12 byte"``."""
    for unit, size in (("MB", 1024**2), ("kB", 1024)):
        if n_bytes >= size:
            value = n_bytes / size
            text = f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.1f}"
            return f"{text.replace('.', ',')} {unit}"
    return f"{int(n_bytes)} byte"


def _seconds_text(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} timmar".replace(".", ",")
    if seconds >= 120:
        return f"{seconds / 60:.0f} minuter"
    return f"{seconds:g} s".replace(".", ",")


# -- failures ---------------------------------------------------------------------------
@dataclass(eq=False)
class _Failure(Exception):
    """One failed attempt: Swedish reason, whether a retry may help, advice, the cause."""

    reason: str
    retry: bool
    advice: str = LATER_ADVICE
    cause: BaseException | None = None


def _chain(exc: BaseException) -> list[BaseException]:
    """Return ``exc`` and the exceptions it wraps (``reason``, ``args[0]``, causes)."""
    out: list[BaseException] = []
    todo = [exc]
    while todo and len(out) < 20:
        e = todo.pop(0)
        if e in out:
            continue
        out.append(e)
        for nxt in (getattr(e, "reason", None), e.__cause__, e.__context__, *e.args[:1]):
            if isinstance(nxt, BaseException):
                todo.append(nxt)
    return out


def _classify(exc: BaseException, url: str, timeout: float) -> _Failure:
    """Map a transport exception to a Swedish :class:`_Failure` (no exception names shown)."""
    chain = _chain(exc)

    def has(*types: type[BaseException]) -> bool:
        return any(isinstance(e, types) for e in chain)

    try:
        host = urlsplit(url).hostname or url
    except ValueError:
        host = url
    if has(requests.exceptions.SSLError, u3.SSLError, ssl.SSLError):
        reason = (
            "en säker anslutning (TLS) kunde inte upprättas – servercertifikatet godtogs inte "
            "eller en proxy/brandvägg bryter anslutningen"
        )
        return _Failure(reason, False, OFFLINE_ADVICE, exc)
    if has(requests.exceptions.ProxyError, u3.ProxyError):
        return _Failure("proxyservern gick inte att nå eller vägrade", False, OFFLINE_ADVICE, exc)
    if has(
        requests.exceptions.InvalidURL,
        requests.exceptions.MissingSchema,
        requests.exceptions.InvalidSchema,
        requests.exceptions.URLRequired,
        u3.LocationValueError,
        UnicodeError,
    ):
        return _Failure(
            "adressen är ogiltig", False, "Kontrollera adressen (base_url) och försök igen", exc
        )
    if has(u3.NameResolutionError, socket.gaierror):
        reason = (
            f"servernamnet {host} kunde inte slås upp – datorn verkar sakna "
            "nätverksanslutning (eller adressen är fel)"
        )
        return _Failure(reason, False, OFFLINE_ADVICE, exc)
    # NewConnectionError subclasses ConnectTimeoutError in urllib3 2: test it first
    if has(u3.NewConnectionError, ConnectionRefusedError) and not has(
        requests.exceptions.ConnectTimeout, socket.timeout
    ):
        return _Failure(
            "servern gick inte att nå (anslutningen nekades)", False, OFFLINE_ADVICE, exc
        )
    if has(requests.exceptions.ConnectTimeout, u3.ConnectTimeoutError):
        return _Failure(
            f"ingen kontakt med servern inom {_seconds_text(timeout)}", False, OFFLINE_ADVICE, exc
        )
    if has(requests.exceptions.ContentDecodingError, u3.DecodeError, zlib.error):
        reason = "svaret var komprimerat (gzip/deflate) men gick inte att packa upp – det är skadat"
        return _Failure(reason, False, LATER_ADVICE, exc)
    if has(requests.exceptions.ReadTimeout, u3.ReadTimeoutError, TimeoutError, socket.timeout):
        return _Failure(
            f"inget svar inom tidsgränsen ({_seconds_text(timeout)})", True, LATER_ADVICE, exc
        )
    if has(
        requests.exceptions.ChunkedEncodingError,
        u3.ProtocolError,
        http.client.IncompleteRead,
        http.client.RemoteDisconnected,
        ConnectionResetError,
        requests.exceptions.ConnectionError,
    ):
        return _Failure(
            "svaret avbröts under överföringen (anslutningen bröts)", True, LATER_ADVICE, exc
        )
    if has(requests.exceptions.TooManyRedirects):
        return _Failure("för många omdirigeringar", False, LATER_ADVICE, exc)
    return _Failure("oväntat nätverksfel", False, LATER_ADVICE, exc)


#: What a request or a body read may raise on a transport problem (anything else is a bug).
_TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    requests.RequestException,
    u3.HTTPError,
    http.client.HTTPException,
    OSError,
    ValueError,
    zlib.error,
)


def _describe_response(response: requests.Response) -> str:
    """Return a short Swedish description of an error response (status and body excerpt)."""
    reason = f"servern svarade HTTP {response.status_code}"
    if response.reason:
        reason += f" {response.reason}"
    if response.status_code == 429:
        reason += " (för många anrop)"
    elif response.status_code == 410:
        reason += " (adressen finns inte längre – API-versionen kan vara nedlagd)"
    elif response.status_code >= 500:
        reason += " (fel hos källan)"
    text = ""
    try:
        text = response.text.strip() if response._content else ""  # noqa: SLF001
    except (UnicodeDecodeError, LookupError, RuntimeError):  # pragma: no cover - defensive
        text = ""
    if text:
        excerpt = " ".join(text.split())[:200]
        reason += f"; svar: {excerpt}"
    return reason


def _sock_timeout(raw: Any, seconds: float) -> None:
    """Best effort: set the socket timeout of a streamed urllib3 response."""
    sock = getattr(getattr(raw, "_connection", None), "sock", None)
    if sock is not None:
        try:
            sock.settimeout(max(0.001, seconds))
        except OSError:  # pragma: no cover - socket already closed
            pass


class HttpClient:
    """A :class:`requests.Session` with timeouts, a deadline, a size cap, retries and a throttle.

    Parameters
    ----------
    timeout : float
        Socket timeout (connect, and each wait for data), in seconds.
    retries : int
        Retries after the first attempt (so ``retries + 1`` attempts at most).
    backoff : float
        Base delay in seconds; attempt *k* (0-based) waits ``backoff * 2**k``,
        capped at ``max_delay``. Tests use about 0.01.
    max_delay : float
        Upper bound of one backoff delay.
    max_per_second : float or None
        Throttle: at most this many requests per second (``None`` = no limit).
        Ignored when ``throttle`` is given.
    throttle : Throttle, optional
        An explicit throttle (e.g. from a source's published limits).
    session : requests.Session, optional
        Session to use; a new one is created otherwise.
    sleep : callable, optional
        Sleep function used between attempts (tests inject a recorder).
    headers : mapping, optional
        Extra default headers.
    deadline : float
        Overall time for one HTTP exchange (connect, headers, whole body), seconds.
    max_bytes : int
        Largest body accepted (after decompression), bytes.
    max_retry_after : float
        Longest ``Retry-After`` waited for; a longer one stops with a message.
    max_redirects : int
        Same-host redirects followed per request.
    clock : callable, optional
        Monotonic clock for the deadline (tests may inject one).
    """

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        backoff: float = DEFAULT_BACKOFF,
        max_delay: float = DEFAULT_MAX_DELAY,
        max_per_second: float | None = 5.0,
        throttle: Throttle | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        headers: Mapping[str, str] | None = None,
        deadline: float = DEFAULT_DEADLINE,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_retry_after: float = MAX_RETRY_AFTER,
        max_redirects: int = MAX_REDIRECTS,
        clock: Callable[[], float] = time.monotonic,
    ):
        if retries < 0:
            raise ValueError("retries must be >= 0")
        if deadline <= 0 or timeout <= 0 or max_bytes < 1 or max_redirects < 0:
            raise ValueError("timeout, deadline and max_bytes must be positive")
        self.timeout = float(timeout)
        self.retries = int(retries)
        self.backoff = float(backoff)
        self.max_delay = float(max_delay)
        self.deadline = float(deadline)
        self.max_bytes = int(max_bytes)
        self.max_retry_after = float(max_retry_after)
        self.max_redirects = int(max_redirects)
        self.throttle = throttle or Throttle.per_second(max_per_second)
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers.setdefault("Accept", "application/json")
        if headers:
            self.session.headers.update(headers)
        self._sleep = sleep
        self._clock = clock
        #: Number of HTTP requests actually sent (attempts and redirects, including retries).
        self.requests_sent = 0

    def delay(self, attempt: int, response: requests.Response | None = None) -> float:
        """Return the wait before retry number ``attempt + 1``.

        The server's ``Retry-After`` when the response carries one (uncapped: the
        caller refuses one above ``max_retry_after``), otherwise exponential
        backoff ``backoff * 2**attempt`` capped at ``max_delay``.
        """
        if response is not None:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is not None:
                return retry_after
        return min(self.backoff * (2**attempt), self.max_delay)

    # -- one exchange --------------------------------------------------------------------
    def _read_body(self, response: requests.Response, started: float, limit: int) -> bytes:
        """Read a streamed body within the deadline and the size cap; store it on ``response``."""
        announced = response.headers.get("Content-Length", "")
        if announced.strip().isdigit() and int(announced) > limit:
            response.close()
            raise _Failure(
                f"svaret är större än {size_text(limit)} (servern anger "
                f"{size_text(int(announced))}); så stora svar läses inte",
                False,
                "Dela upp frågan i mindre delar eller höj gränsen (max_bytes)",
            )
        raw = response.raw
        chunks: list[bytes] = []
        total = 0
        while True:
            remaining = self.deadline - (self._clock() - started)
            if remaining <= 0:
                response.close()
                raise self._deadline_failure()
            _sock_timeout(raw, min(self.timeout, remaining))
            try:
                if isinstance(raw, urllib3.response.BaseHTTPResponse):
                    data = raw.read1(_CHUNK, decode_content=True)
                else:  # a non-urllib3 adapter (tests)
                    data = raw.read(_CHUNK)
            except _TRANSPORT_ERRORS as exc:
                response.close()
                if self._clock() - started >= self.deadline:
                    raise self._deadline_failure(exc) from exc
                raise _classify(exc, response.url, min(self.timeout, remaining)) from exc
            if not data:
                break
            total += len(data)
            if total > limit:
                response.close()
                raise _Failure(
                    f"svaret är större än {size_text(limit)}; så stora svar läses inte "
                    "(läsningen avbröts vid gränsen)",
                    False,
                    "Dela upp frågan i mindre delar eller höj gränsen (max_bytes)",
                )
            chunks.append(data)
        body = b"".join(chunks)
        response._content = body  # noqa: SLF001 - the documented way to pre-load a body
        response._content_consumed = True  # noqa: SLF001
        response.close()
        return body

    def _deadline_failure(self, cause: BaseException | None = None) -> _Failure:
        return _Failure(
            f"hela svaret kom inte inom tidsgränsen {_seconds_text(self.deadline)} "
            "(servern svarar för långsamt)",
            False,
            LATER_ADVICE,
            cause,
        )

    def _exchange(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        json_body: Any,
        headers: Mapping[str, str] | None,
        base: str,
    ) -> requests.Response:
        """Send one request and follow same-origin redirects; return the final response."""
        seen: list[str] = []
        current = url
        started = self._clock()  # the deadline covers every redirect of this exchange
        for hop in range(self.max_redirects + 1):
            self.throttle.wait()
            self.requests_sent += 1
            remaining = self.deadline - (self._clock() - started)
            if remaining <= 0:
                raise self._deadline_failure()
            wait = min(self.timeout, remaining)
            try:
                response = self.session.request(
                    method,
                    current,
                    params=params if hop == 0 else None,
                    json=json_body,
                    headers=headers,
                    timeout=(wait, wait),
                    allow_redirects=False,
                    stream=True,
                )
            except _TRANSPORT_ERRORS as exc:
                if self._clock() - started >= self.deadline:
                    raise self._deadline_failure(exc) from exc
                raise _classify(exc, current, wait) from exc
            here = response.url or current
            seen.append(here)
            if response.status_code not in REDIRECT_STATUSES:
                limit = self.max_bytes if response.ok else min(self.max_bytes, 64 * 1024)
                try:
                    self._read_body(response, started, limit)
                except _Failure:
                    if response.ok:
                        raise
                    response._content = b""  # noqa: SLF001 - error body unreadable: no excerpt
                return response
            response.close()
            location = response.headers.get("Location", "").strip()
            if not location:
                raise _Failure(
                    f"servern svarade HTTP {response.status_code} (omdirigering) utan adress",
                    False,
                )
            try:
                target = urljoin(here, location)
            except ValueError:
                target = location
            if not same_origin(target, base):
                raise _Failure(
                    f"servern omdirigerade till {target}, som ligger på en annan server än "
                    f"{origin_text(base)}; omdirigeringen följdes inte och inget sparades",
                    False,
                    "Kontrollera adressen (base_url) eller om källan har flyttat",
                )
            if target in seen:
                loop = " → ".join([*seen[seen.index(target) :], target])
                raise _Failure(f"servern omdirigerade i en slinga ({loop})", False, LATER_ADVICE)
            if response.status_code == 303 or (
                response.status_code in (301, 302) and method.upper() != "GET"
            ):
                method, json_body = "GET", None
            current = target
        raise _Failure(
            f"servern omdirigerade fler än {self.max_redirects} gånger", False, LATER_ADVICE
        )

    # -- public API --------------------------------------------------------------------------
    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        same_origin_as: str | None = None,
    ) -> requests.Response:
        """Send a request with throttle, deadline, size cap and retries; return the response.

        Parameters
        ----------
        method : str
            ``"GET"`` or ``"POST"``.
        url : str
            Absolute URL.
        params : mapping, optional
            Query parameters.
        json_body : object, optional
            Body sent as JSON (POST).
        headers : mapping, optional
            Extra headers for this request.
        same_origin_as : str, optional
            The configured base URL; the request and every redirect must stay on
            its scheme, host and port. Defaults to ``url`` itself.

        Returns
        -------
        requests.Response
            A response with a 2xx status; its body has been read completely.

        Raises
        ------
        SourceError
            ``"Kunde inte hämta <URL>: <orsak>. <råd>"`` – after the last retry,
            or at once for a non-retryable status (4xx other than 429), a
            ``Retry-After`` above ``max_retry_after``, an unreachable server, a
            redirect to another host, a too large or too slow answer.
        """
        base = same_origin_as or url
        shown_url = _full_url(method, url, params)
        if _CACHE_ONLY.get():
            raise NotCached(shown_url)
        if same_origin_as is not None and not same_origin(url, same_origin_as):
            check_same_origin(url, same_origin_as, "Anropet")
        attempts = self.retries + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = self._exchange(method, url, params, json_body, headers, base)
            except _Failure as failure:
                if failure.retry and not last:
                    self._sleep(self.delay(attempt))
                    continue
                self._fail(shown_url, failure, attempt + 1 if failure.retry else None)
            shown_url = response.url or shown_url
            if 200 <= response.status_code < 300:
                return response
            reason = _describe_response(response)
            if response.status_code not in RETRY_STATUSES:
                raise SourceError(f"Kunde inte hämta {shown_url}: {reason}.")
            wait = self.delay(attempt, response)
            if wait > self.max_retry_after:
                when = datetime.now().astimezone() + timedelta(seconds=wait)
                raise SourceError(
                    f"Kunde inte hämta {shown_url}: {reason}; källan ber om en paus på "
                    f"{_seconds_text(wait)} (Retry-After), längre än arbetsboken väntar "
                    f"({_seconds_text(self.max_retry_after)}). Försök igen tidigast "
                    f"{when:%Y-%m-%d} kl. {when:%H:%M}; det som redan finns i cachen "
                    "(data/raw) kan användas under tiden."
                )
            if last:
                self._fail(shown_url, _Failure(reason, True), attempts)
            self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _fail(url: str, failure: _Failure, attempts: int | None) -> NoReturn:
        tries = ""
        if attempts is not None and attempts > 1:
            tries = f" (gav upp efter {attempts} försök)"
        raise SourceError(
            f"Kunde inte hämta {url}: {failure.reason}{tries}. {failure.advice}."
        ) from failure.cause

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        same_origin_as: str | None = None,
    ) -> requests.Response:
        """``GET`` with throttle and retries (see :meth:`request`)."""
        return self.request("GET", url, params=params, same_origin_as=same_origin_as)

    def post(
        self,
        url: str,
        json_body: Any,
        *,
        params: Mapping[str, Any] | None = None,
        same_origin_as: str | None = None,
    ) -> requests.Response:
        """``POST`` a JSON body with throttle and retries (see :meth:`request`)."""
        return self.request(
            "POST", url, params=params, json_body=json_body, same_origin_as=same_origin_as
        )

    def get_json(
        self,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        same_origin_as: str | None = None,
    ) -> Any:
        """``GET`` and decode the JSON body (see :func:`check_json_response`, :func:`decode_json`)."""
        response = self.get(url, params=params, same_origin_as=same_origin_as)
        return decode_json(check_json_response(response), response.url or url)

    def close(self) -> None:
        """Close the underlying session."""
        self.session.close()


def _full_url(method: str, url: str, params: Mapping[str, Any] | None) -> str:
    """Return ``url`` with ``params`` as requests would send it (``url`` if it cannot be built)."""
    if not params:
        return url
    try:
        return requests.Request(method, url, params=params).prepare().url or url
    except Exception:  # an invalid URL is reported by the request itself
        return url
