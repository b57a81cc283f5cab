"""Issue 11 hardening of the Kolada client and tables: hosts, transport, non-finite values, duplicates.

The general client behaviour (chunking, paging, cache) is tested in test_kolada.py;
the malformed-answer corpus in test_malformed_http.py.
"""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from replay_server import ReplayServer, Reply, bypass_proxies, envelope, serving

from helpers.core import cache
from helpers.core.errors import DataError, SourceError
from helpers.sources import kolada_client, kolada_tables

PATH = "/v3/data/kpi/N00923/municipality/0180/year/2024"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch):
    bypass_proxies(monkeypatch)
    with serving() as srv:
        yield srv


def make_client(base_url: str, **kwargs) -> kolada_client.KoladaClient:
    kwargs.setdefault("backoff", 0.01)
    kwargs.setdefault("max_per_second", None)
    return kolada_client.KoladaClient(base_url, **kwargs)


def obj(mun: str = "0180", value: object = 81.29, gender: str = "T", period: int = 2024) -> dict:
    return {
        "kpi": "N00923",
        "municipality": mun,
        "period": period,
        "values": [{"gender": gender, "count": 1, "status": "", "value": value}],
    }


def raw_cache() -> cache.RawCache:
    return cache.RawCache("kolada", kolada_client.SOURCE)


# -- next_url and redirects stay on the configured host -----------------------------------------
def test_next_url_to_another_host_is_refused_and_nothing_cached(
    server: ReplayServer, tmp_root: Path
) -> None:
    with serving() as other:
        other.add("GET", PATH, Reply.json(envelope([obj(value=999.0)])))
        foreign = other.url(PATH) + "?per_page=5000&page=2"
        server.add("GET", PATH, Reply.json(envelope([obj()], next_url=foreign)))
        client = make_client(server.url("/v3/"))
        with pytest.raises(SourceError) as err:
            client.values("N00923", "0180", 2024)
        assert other.count() == 0  # the other host was never contacted
    msg = str(err.value)
    assert "next_url" in msg and foreign in msg and server.url("/v3/") in msg
    assert client.data_url(["N00923"], ["0180"], [2024]) in msg  # the page that pointed there
    assert "inte sparat något" in msg
    assert raw_cache().entries() == []


def test_redirect_to_another_host_is_refused_and_nothing_cached(
    server: ReplayServer, tmp_root: Path
) -> None:
    with serving() as other:
        other.add("GET", PATH, Reply.json(envelope([obj(value=999.0)])))
        server.add("GET", PATH, Reply.redirect(other.url(PATH), 301))
        with pytest.raises(SourceError, match="annan server") as err:
            make_client(server.url("/v3/")).values("N00923", "0180", 2024)
        assert other.count() == 0
    assert other.url(PATH) in str(err.value)
    assert raw_cache().entries() == []


def test_redirect_on_the_same_host_is_followed_and_cached_under_the_asked_url(
    server: ReplayServer, tmp_root: Path
) -> None:
    server.add("GET", PATH, Reply.redirect("/v3/moved" + PATH.removeprefix("/v3"), 308))
    server.add(
        "GET",
        "/v3/moved/data/kpi/N00923/municipality/0180/year/2024",
        Reply.json(envelope([obj()])),
    )
    client = make_client(server.url("/v3/"))
    assert client.values("N00923", "0180", 2024)[0]["values"][0]["value"] == 81.29
    assert [e.url for e in raw_cache().entries()] == [client.data_url(["N00923"], ["0180"], [2024])]


def test_contradicting_second_page_is_not_cached(server: ReplayServer, tmp_root: Path) -> None:
    page2 = server.url(PATH) + "?per_page=5000&page=2"
    server.add("GET", PATH, Reply.json(envelope([obj()], next_url=page2)))
    server.add("GET", PATH + "?per_page=5000&page=2", Reply.json(envelope([obj(value=80.0)])))
    with pytest.raises(SourceError, match="motstridiga dubbletter"):
        make_client(server.url("/v3/")).values("N00923", "0180", 2024)
    assert [e.url.endswith("page=2") for e in raw_cache().entries()] == [False]


# -- transport ------------------------------------------------------------------------------------
def test_offline_fails_fast_and_says_what_to_do(tmp_root: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = make_client(f"http://127.0.0.1:{port}/v3/")
    with pytest.raises(SourceError) as err:
        client.values("N00923", "0180", 2024)
    msg = str(err.value)
    assert msg.startswith(f"Kunde inte hämta http://127.0.0.1:{port}/v3/data/kpi/N00923")
    assert "cachen (data/raw)" in msg and "försök annars igen senare" in msg
    assert client.http.requests_sent == 1  # no retries when the server cannot be reached


def test_long_retry_after_stops_at_once(server: ReplayServer, tmp_root: Path) -> None:
    server.add("GET", PATH, Reply(429, b"", {"Retry-After": "86400"}))
    sleeps: list[float] = []
    client = make_client(server.url("/v3/"))
    client.http._sleep = sleeps.append
    with pytest.raises(SourceError, match=r"paus på 24,0 timmar.*Försök igen tidigast"):
        client.values("N00923", "0180", 2024)
    assert sleeps == [] and server.count() == 1


def test_deadline_and_size_cap_are_configurable(server: ReplayServer, tmp_root: Path) -> None:
    client = make_client(server.url("/v3/"), deadline=5.0, max_bytes=100)
    assert (client.http.deadline, client.http.max_bytes) == (5.0, 100)
    server.add("GET", PATH, Reply.json(envelope([obj()] * 3)))
    with pytest.raises(SourceError, match="större än 100 byte"):
        client.values("N00923", "0180", 2024)
    assert raw_cache().entries() == []


# -- values ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("12,3", "'12,3'"),
        (float("inf"), "inf"),
        (float("nan"), "nan"),
        (True, "True"),
        ([1.0], "[1.0]"),
    ],
)
def test_check_data_objects_refuses_non_numbers(value: object, fragment: str) -> None:
    with pytest.raises(SourceError) as err:
        kolada_client.check_data_objects([obj(value=value)], "https://api.kolada.se/v3/x")
    msg = str(err.value)
    assert (
        "dataobjekt 1, värde 1" in msg and fragment in msg and "https://api.kolada.se/v3/x" in msg
    )


def test_duplicate_gender_in_one_object() -> None:
    twice = obj()
    twice["values"].append({"gender": "T", "count": 1, "status": "", "value": 79.0})
    with pytest.raises(SourceError, match=r"kön T förekommer flera gånger.*81\.29 och 79\.0"):
        kolada_client.check_data_objects([twice], "u")
    same = obj()
    same["values"].append(dict(same["values"][0]))
    kolada_client.check_data_objects([same], "u")  # identical: harmless
    assert len(kolada_tables.flatten_values([same])) == 1


def test_flatten_values_refuses_contradicting_objects() -> None:
    with pytest.raises(
        SourceError, match=r"samma datapunkt.*N00923/0180/2024 kön T.*81\.29 och 80\.0"
    ):
        kolada_tables.flatten_values([obj(), obj(value=80.0)])
    assert kolada_tables.flatten_values([obj(), obj()])["value"].tolist() == [81.29]
    with pytest.raises(SourceError, match="'12,3'"):
        kolada_tables.flatten_values([obj(value="12,3")])


def flat_frame(**changes: list) -> pd.DataFrame:
    base = {
        "kpi": ["N00923", "N00923"],
        "municipality": ["0180", "2080"],
        "period": [2024, 2024],
        "gender": ["T", "T"],
        "value": [81.29, 82.1],
    }
    return pd.DataFrame({**base, **changes})


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"value": [81.29, "82,1"]}, "rad 3, kolumn 'value': värdet är inget tal"),
        ({"value": np.array([81.29, np.inf])}, "rad 3, kolumn 'value': värdet är oändligt"),
        ({"period": [2024, "tjugo"]}, "kolumn 'period': perioden är inget årtal"),
        ({"municipality": ["0180", "0180"]}, "samma datapunkt flera gånger"),
    ],
)
def test_to_indicator_table_refuses_bad_frames(changes: dict, fragment: str) -> None:
    with pytest.raises(DataError) as err:
        kolada_tables.to_indicator_table(flat_frame(**changes))
    assert fragment in str(err.value)


def test_to_indicator_table_frame_keeps_identical_duplicates_once() -> None:
    frame = flat_frame(municipality=["0180", "0180"], value=[81.29, 81.29])
    table = kolada_tables.to_indicator_table(frame)
    assert table["value"].tolist() == [81.29]
