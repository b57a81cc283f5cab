"""Tests of helpers.core.jsonbody: JSON answers are read with certainty or refused in Swedish."""

from __future__ import annotations

import re

import pytest
import requests

from helpers.core import jsonbody
from helpers.core.errors import SourceError


@pytest.mark.parametrize(
    ("text", "token", "where"),
    [
        ('{"values": [{"value": NaN}]}', "NaN", "rad 1, tecken 23"),
        ('{"value":\n  Infinity}', "Infinity", "rad 2, tecken 3"),
        ('{"a": "NaN", "v": -Infinity}', "-Infinity", "rad 1, tecken 19"),
        ('{"v": 1e999}', "1e999", "rad 1, tecken 7"),
        ('{"v": -2.5E+400}', "-2.5E+400", "rad 1, tecken 7"),
        ('{"v": ' + "9" * 400 + "}", "999999", "rad 1, tecken 7"),
    ],
)
def test_non_finite_numbers_are_refused(text: str, token: str, where: str) -> None:
    with pytest.raises(SourceError) as err:
        jsonbody.decode_json(text.encode(), "https://x.invalid/d")
    msg = str(err.value)
    assert token in msg and where in msg and "https://x.invalid/d" in msg
    assert "avvisas" in msg


def test_nan_inside_strings_is_fine_and_big_finite_numbers_pass() -> None:
    got = jsonbody.decode_json(b'{"s": "NaN Infinity", "v": 1.5e300, "n": -12}', "u")
    assert got == {"s": "NaN Infinity", "v": 1.5e300, "n": -12}


def test_too_deep_nesting_is_refused() -> None:
    with pytest.raises(SourceError, match="nästlat för djupt"):
        jsonbody.decode_json(b"[" * 100_000 + b"]" * 100_000, "u")


def fake_response(body: bytes, content_type: str | None) -> requests.Response:
    r = requests.Response()
    r._content = body
    r.status_code = 200
    r.url = "https://api.kolada.se/v3/kpi"
    if content_type is not None:
        r.headers["Content-Type"] = content_type
    return r


@pytest.mark.parametrize(
    ("body", "ctype", "fragment"),
    [
        (b"<!DOCTYPE html><html>Logga in</html>", "text/html", "webbsida (HTML)"),
        (b"<html><body>Fel</body></html>", None, "webbsida (HTML)"),
        (b'{"a": 1}', "text/html; charset=utf-8", "webbsida (HTML)"),
        (b"<a>1</a>", "application/xml", "innehållstypen 'application/xml'"),
        (
            '{"t": "Göteborg"}'.encode("latin-1"),
            "application/json; charset=ISO-8859-1",
            "iso-8859-1",
        ),
        ('{"t": "Göteborg"}'.encode("utf-16"), "application/json; charset=utf-16", "utf-16"),
    ],
)
def test_check_json_response_refuses(body: bytes, ctype: str | None, fragment: str) -> None:
    with pytest.raises(SourceError, match=re.escape(fragment)) as err:
        jsonbody.check_json_response(fake_response(body, ctype))
    assert "https://api.kolada.se/v3/kpi" in str(err.value)


@pytest.mark.parametrize(
    "ctype",
    [
        None,
        "application/json",
        "application/json; charset=UTF-8",
        "text/plain",
        "application/json; charset=iso-8859-1",
    ],  # an ASCII body reads the same in any charset
)
def test_check_json_response_accepts(ctype: str | None) -> None:
    assert jsonbody.check_json_response(fake_response(b'{"a": 1}', ctype)) == b'{"a": 1}'


def test_wrong_top_level_type_is_named_in_swedish() -> None:
    assert [jsonbody.json_type_sv(v) for v in ([], {}, "x", 1.5, True, None)] == [
        "en lista",
        "ett objekt",
        "text",
        "ett tal",
        "ett sanningsvärde",
        "null",
    ]
