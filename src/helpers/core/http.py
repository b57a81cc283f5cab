"""Small shared HTTP layer for the remote data sources (Kolada, SCB).

Built on :mod:`requests`. One :class:`HttpClient` holds a session and adds what
every source client needs and nothing more:

* a timeout on every request (30 s by default);
* retries with exponential backoff on connection errors, timeouts, HTTP 429
  and HTTP 5xx; a ``Retry-After`` header (seconds or HTTP date) is honoured;
* a throttle (:class:`Throttle`, at most *n* requests per time window) shared
  by every request of the client, retries included;
* on final failure a :class:`helpers.core.errors.SourceError` with a Swedish
  message naming the URL and the reason;
* :func:`decode_json`, which turns a truncated or invalid JSON body into a
  clear :class:`~helpers.core.errors.SourceError` instead of a ``JSONDecodeError``.

The base delay of the backoff, the clock and the sleep function are
parameters, so tests run fast and deterministically.
"""

from __future__ import annotations

import email.utils
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import requests

from helpers import __version__
from helpers.core.errors import SourceError

DEFAULT_TIMEOUT: float = 30.0
DEFAULT_RETRIES: int = 4
DEFAULT_BACKOFF: float = 1.0
DEFAULT_MAX_DELAY: float = 60.0
#: Retry-After values above this are capped (a source asking for minutes is treated as down).
MAX_RETRY_AFTER: float = 120.0
USER_AGENT = f"folkhalsa-workbook/{__version__} (python-requests)"
RETRY_STATUSES: frozenset[int] = frozenset({429, 500, 502, 503, 504})


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
        Non-negative delay in seconds.
    """
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


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
        text = response.text.strip()
    except (UnicodeDecodeError, LookupError):  # pragma: no cover - defensive
        text = ""
    if text:
        excerpt = " ".join(text.split())[:200]
        reason += f"; svar: {excerpt}"
    return reason


def _describe_exception(exc: requests.RequestException) -> str:
    """Return a short Swedish description of a transport error."""
    if isinstance(exc, requests.Timeout):
        return f"inget svar inom tidsgränsen ({type(exc).__name__})"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return f"svaret avbröts under överföringen ({type(exc).__name__})"
    if isinstance(exc, requests.ConnectionError):
        return f"kunde inte ansluta ({type(exc).__name__})"
    return f"{type(exc).__name__}: {exc}"


class HttpClient:
    """A :class:`requests.Session` with timeouts, retries, backoff and a throttle.

    Parameters
    ----------
    timeout : float
        Connect and read timeout per request, in seconds.
    retries : int
        Retries after the first attempt (so ``retries + 1`` attempts at most).
    backoff : float
        Base delay in seconds; attempt *k* (0-based) waits ``backoff * 2**k``,
        capped at ``max_delay``. Tests use about 0.01.
    max_delay : float
        Upper bound of one backoff delay (and of an honoured ``Retry-After``,
        together with :data:`MAX_RETRY_AFTER`).
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
    ):
        if retries < 0:
            raise ValueError("retries must be >= 0")
        self.timeout = float(timeout)
        self.retries = int(retries)
        self.backoff = float(backoff)
        self.max_delay = float(max_delay)
        self.throttle = throttle or Throttle.per_second(max_per_second)
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers.setdefault("Accept", "application/json")
        if headers:
            self.session.headers.update(headers)
        self._sleep = sleep
        #: Number of HTTP requests actually sent (attempts, including retries).
        self.requests_sent = 0

    def delay(self, attempt: int, response: requests.Response | None = None) -> float:
        """Return the wait before retry number ``attempt + 1``.

        Exponential backoff ``backoff * 2**attempt`` (capped at ``max_delay``),
        or the server's ``Retry-After`` when the response carries one.
        """
        if response is not None:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is not None:
                return min(retry_after, max(MAX_RETRY_AFTER, self.max_delay))
        return min(self.backoff * (2**attempt), self.max_delay)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Send a request with throttle and retries; return the successful response.

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

        Returns
        -------
        requests.Response
            A response with a 2xx status; its body has been read completely.

        Raises
        ------
        SourceError
            After the last retry, or at once for a non-retryable status (4xx
            other than 429). The Swedish message names the URL and the reason.
        """
        attempts = self.retries + 1
        shown_url = url
        reason = "okänt fel"
        for attempt in range(attempts):
            self.throttle.wait()
            self.requests_sent += 1
            response: requests.Response | None = None
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    json=json_body,
                    headers=headers,
                    timeout=self.timeout,
                )
                shown_url = response.url or url
                _ = response.content  # read the whole body inside the try (may raise)
            except requests.RequestException as exc:
                reason = _describe_exception(exc)
                response = None
            else:
                if response.ok:
                    return response
                reason = _describe_response(response)
                if response.status_code not in RETRY_STATUSES:
                    raise SourceError(f"Kunde inte hämta {shown_url}: {reason}.")
            if attempt < attempts - 1:
                self._sleep(self.delay(attempt, response))
        tries = "försök" if attempts != 1 else "försöket"
        raise SourceError(
            f"Kunde inte hämta {shown_url}: {reason} (gav upp efter {attempts} {tries})."
        )

    def get(self, url: str, *, params: Mapping[str, Any] | None = None) -> requests.Response:
        """``GET`` with throttle and retries (see :meth:`request`)."""
        return self.request("GET", url, params=params)

    def post(
        self, url: str, json_body: Any, *, params: Mapping[str, Any] | None = None
    ) -> requests.Response:
        """``POST`` a JSON body with throttle and retries (see :meth:`request`)."""
        return self.request("POST", url, params=params, json_body=json_body)

    def get_json(self, url: str, *, params: Mapping[str, Any] | None = None) -> Any:
        """``GET`` and decode the JSON body (see :func:`decode_json`)."""
        response = self.get(url, params=params)
        return decode_json(response.content, response.url or url)

    def close(self) -> None:
        """Close the underlying session."""
        self.session.close()


def decode_json(content: bytes | str, url: str) -> Any:
    """Decode a JSON body; raise a clear :class:`SourceError` if it is truncated or invalid.

    Parameters
    ----------
    content : bytes or str
        The raw body (UTF-8; a UTF-8 BOM is accepted).
    url : str
        Where the body came from (named in the error message).

    Returns
    -------
    object
        The decoded JSON value.

    Raises
    ------
    SourceError
        If the body is empty, not UTF-8, or not valid JSON.
    """
    if isinstance(content, bytes):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SourceError(
                f"Svaret från {url} är inte giltig UTF-8-text (byte {exc.start}); svaret kan vara skadat."
            ) from None
    else:
        text = content
    if not text.strip():
        raise SourceError(f"Svaret från {url} är tomt; JSON väntades.")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        truncated = exc.pos >= len(text.rstrip()) - 1 or exc.msg.startswith("Unterminated string")
        hint = (
            "svaret verkar avbrutet (ofullständigt)" if truncated else "svaret är inte giltig JSON"
        )
        raise SourceError(
            f"Svaret från {url} kunde inte läsas som JSON: {hint} "
            f"(rad {exc.lineno}, tecken {exc.colno}; {len(text)} tecken mottagna)."
        ) from None
