"""Reading JSON bodies from the remote sources with certainty, or refusing them in Swedish.

:func:`check_json_response` refuses an answer that is not JSON although the
status says success (an HTML error or login page, XML) and a declared charset
other than UTF-8; :func:`decode_json` turns an empty, truncated, invalid or too
deeply nested body, and ``NaN``, ``Infinity``, ``-Infinity`` or numbers too
large for a float (Python's :mod:`json` accepts them all), into a
:class:`helpers.core.errors.SourceError` naming the URL and the position.
:func:`json_type_sv` names a JSON type in Swedish for messages about a wrong
top-level type.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

from helpers.core.errors import SourceError

if TYPE_CHECKING:
    import requests

#: What to do when a source answers badly.
LATER_ADVICE = "Försök igen senare; det som redan finns i cachen (data/raw) kan användas"


def json_type_sv(value: Any) -> str:
    """Return the JSON type of ``value`` in Swedish (``"en lista"``, ``"text"``, ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "ett sanningsvärde"
    if isinstance(value, int | float):
        return "ett tal"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list | tuple):
        return "en lista"
    if isinstance(value, dict):
        return "ett objekt"
    return "ett okänt värde"


_JSON_MIME_OK = ("text/plain", "application/octet-stream")
_UTF8_NAMES = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})


def check_json_response(response: requests.Response, url: str | None = None) -> bytes:
    """Return the body of a response that should be JSON, after checking type and charset.

    A ``Content-Type`` that is not JSON (an HTML error page, XML) and a declared
    charset other than UTF-8 (unless the body is plain ASCII, which reads the
    same in every charset) are refused.

    Raises
    ------
    SourceError
        With a Swedish message naming the URL.
    """
    url = url or response.url or "?"
    body = response.content or b""
    ctype = response.headers.get("Content-Type", "") or ""
    mime, _, rest = ctype.partition(";")
    mime = mime.strip().lower()
    head = body.lstrip()[:200].lower()
    if mime in ("text/html", "application/xhtml+xml") or head.startswith((b"<!doctype", b"<html")):
        excerpt = " ".join(body.decode("utf-8", "replace").split())[:120]
        raise SourceError(
            f"Svaret från {url} är en webbsida (HTML), inte JSON: '{excerpt}'. Källan har "
            "troligen ett driftfel, eller så svarade en inloggnings- eller proxysida i stället. "
            f"{LATER_ADVICE}."
        )
    if mime and "json" not in mime and mime not in _JSON_MIME_OK:
        raise SourceError(
            f"Svaret från {url} har innehållstypen '{mime}', inte JSON; det läses inte. "
            f"{LATER_ADVICE}."
        )
    charset = ""
    for param in rest.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'").lower()
    if charset and charset not in _UTF8_NAMES and not body.isascii():
        raise SourceError(
            f"Svaret från {url} är kodat som '{charset}', inte UTF-8; JSON läses bara som UTF-8 "
            "och svaret avvisas hellre än att tecken gissas. Meddela källan."
        )
    return body


class _NonFinite(Exception):
    def __init__(self, token: str, why: str):
        super().__init__(token)
        self.token, self.why = token, why


def _refuse_constant(token: str) -> NoReturn:
    raise _NonFinite(token, "inte ett ändligt tal (JSON tillåter inte NaN eller oändlighet)")


def _finite_float(token: str) -> float:
    value = float(token)
    if not math.isfinite(value):
        raise _NonFinite(token, "för stort för att räkna med (blir oändligt)")
    return value


def _bounded_int(token: str) -> int:
    if len(token.lstrip("-")) > 308:
        raise _NonFinite(token, "för stort för att räkna med (blir oändligt)")
    return int(token)


def _token_position(text: str, token: str) -> int | None:
    """Return the index of the first ``token`` outside JSON strings, or None."""
    in_str = esc = False
    edge = set("0123456789.eE+-abcdefghijklmnopqrstuvwxyzABCDFGHIJKLMNOPQRSTUVWXYZ_")
    for i, ch in enumerate(text):
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif (
            text.startswith(token, i)
            and (i == 0 or text[i - 1] not in edge)
            and (i + len(token) >= len(text) or text[i + len(token)] not in edge)
        ):
            return i
    return None


def _open_at_end(text: str) -> bool:
    """Return True when a string, object or array is still open at the end of ``text``."""
    in_str = esc = False
    depth = 0
    for ch in text:
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
    return in_str or depth > 0


def _line_col(text: str, pos: int) -> tuple[int, int]:
    return text.count("\n", 0, pos) + 1, pos - text.rfind("\n", 0, pos)


def decode_json(content: bytes | str, url: str) -> Any:
    """Decode a JSON body; raise a clear :class:`SourceError` if it cannot be read with certainty.

    Parameters
    ----------
    content : bytes or str
        The raw body (UTF-8; a UTF-8 BOM is accepted).
    url : str
        Where the body came from (named in the error message).

    Returns
    -------
    object
        The decoded JSON value; every number in it is finite.

    Raises
    ------
    SourceError
        If the body is empty, not UTF-8, not valid JSON (truncated, trailing
        text, nested too deeply), or holds ``NaN``, ``Infinity``,
        ``-Infinity`` or a number too large for a float.
    """
    if isinstance(content, bytes):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SourceError(
                f"Svaret från {url} är inte giltig UTF-8-text (byte {exc.start}); svaret kan "
                "vara skadat eller kodat på annat sätt och avvisas."
            ) from None
    else:
        text = content
    if not text.strip():
        raise SourceError(f"Svaret från {url} är tomt; JSON väntades.")
    try:
        return json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
            parse_int=_bounded_int,
        )
    except _NonFinite as exc:
        pos = _token_position(text, exc.token)
        where = ""
        if pos is not None:
            line, col = _line_col(text, pos)
            where = f" (rad {line}, tecken {col})"
        shown = exc.token if len(exc.token) <= 40 else exc.token[:37] + "…"
        raise SourceError(
            f"Svaret från {url} innehåller talet {shown}{where}, som är {exc.why}; svaret "
            "avvisas i stället för att ett felaktigt tal används. Meddela källan."
        ) from None
    except RecursionError:
        raise SourceError(
            f"Svaret från {url} är nästlat för djupt för att läsas som JSON; svaret avvisas."
        ) from None
    except json.JSONDecodeError as exc:
        truncated = (
            exc.pos >= len(text.rstrip()) - 1
            or exc.msg.startswith("Unterminated string")
            or _open_at_end(text)
        )
        hint = (
            "svaret verkar avbrutet (ofullständigt)" if truncated else "svaret är inte giltig JSON"
        )
        if text.lstrip()[:1] == "<":
            hint += " (det ser ut som HTML/XML)"
        raise SourceError(
            f"Svaret från {url} kunde inte läsas som JSON: {hint} "
            f"(rad {exc.lineno}, tecken {exc.colno}; {len(text)} tecken mottagna)."
        ) from None


def decode_checked(content: bytes, url: str, check: Callable[[Any], None] | None = None) -> Any:
    """Return :func:`decode_json` of ``content`` after ``check`` accepted it.

    ``check`` raises :class:`SourceError` for a body of the wrong shape; used by the
    API clients as the ``parse`` of :meth:`helpers.core.cache.RawCache.through`.
    """
    obj = decode_json(content, url)
    if check is not None:
        check(obj)
    return obj
