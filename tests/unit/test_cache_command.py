"""Tests for ``python -m helpers.cache`` and for damaged cached files seen through the clients.

A replay server on 127.0.0.1 plays Kolada and SCB; nothing leaves the machine.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from replay_server import (
    PxWebFake,
    ReplayServer,
    Reply,
    bypass_proxies,
    envelope,
    jsonstat_cube,
    serving,
)

from helpers import cache as command
from helpers.core import cache_check
from helpers.core.cache import RawCache
from helpers.core.errors import SourceError
from helpers.sources import kolada_client, scb


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch):
    bypass_proxies(monkeypatch)
    with serving() as srv:
        yield srv


@pytest.fixture
def local_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the command fetch Kolada and SCB from the replay server."""
    monkeypatch.setattr(
        command, "source_hosts", lambda: {"kolada": {"127.0.0.1"}, "scb": {"127.0.0.1"}}
    )


def _damage(path: Path, content: bytes = b"trasig") -> None:
    os.chmod(path, 0o644)
    path.write_bytes(content)


def _obj(value: float) -> dict:
    return {
        "kpi": "N00923",
        "municipality": "0180",
        "period": 2024,
        "values": [{"gender": "T", "count": 1, "status": "", "value": value}],
    }


def _client(server: ReplayServer, **kwargs) -> kolada_client.KoladaClient:
    return kolada_client.KoladaClient(
        server.url("/v3/"), backoff=0.01, retries=0, max_per_second=None, **kwargs
    )


PATH = "/v3/data/kpi/N00923/municipality/0180/year/2024"


def _cached_page(server: ReplayServer) -> tuple[RawCache, str]:
    server.add("GET", PATH, Reply.json(envelope([_obj(81.5)], next_url="")))
    assert _client(server).values("N00923", "0180", 2024)[0]["values"][0]["value"] == 81.5
    cache = kolada_client.kolada_cache()
    (entry,) = cache.entries()
    assert entry.method == "GET"
    return cache, entry.url


def test_kolada_offline_names_the_damaged_copy(server: ReplayServer, tmp_root: Path) -> None:
    cache, url = _cached_page(server)
    path = cache.path(cache.entries()[0])
    _damage(path)
    server.add("GET", PATH, Reply.json({"error": "nere"}, status=503))
    with pytest.raises(SourceError) as err:
        _client(server).values("N00923", "0180", 2024)
    text = str(err.value)
    assert f"Den cachade kopian i {path} är skadad (kontrollsumman stämmer inte" in text
    assert "python -m helpers.cache --verify" in text
    assert path.read_bytes() == b"trasig"  # kept


def test_kolada_damaged_copy_is_fetched_once_not_in_a_loop(
    server: ReplayServer, tmp_root: Path
) -> None:
    cache, url = _cached_page(server)
    first = cache.entries()[0]
    _damage(cache.path(first))
    n = server.count()
    for _ in range(3):
        values = _client(server).values("N00923", "0180", 2024)
        assert values[0]["values"][0]["value"] == 81.5
    assert server.count() == n + 1  # fetched again once, then served from the cache
    (kept,) = (cache.dir / "_karantan").iterdir()
    assert kept.read_bytes() == b"trasig"
    assert cache_check.verify().ok


def test_command_verify_and_repair(
    server: ReplayServer, tmp_root: Path, local_hosts: None, capsys: pytest.CaptureFixture
) -> None:
    cache, url = _cached_page(server)
    entry = cache.entries()[0]
    _damage(cache.path(entry))
    assert command.main(["--verify"]) == 1
    out = capsys.readouterr().out
    assert "kolada  0   0       1                  0        0       0" in out
    assert f"[fel kontrollsumma] {cache.path(entry)}" in out
    n = server.count()
    assert command.main(["--verify", "--repair", "--source", "kolada"]) == 0
    out = capsys.readouterr().out
    assert f"[återställd] kolada: {url}" in out and "1 av 1 adresser reparerade." in out
    assert out.rstrip().endswith("Allt i cachen stämmer med manifestet.")
    assert server.count() == n + 1
    (kept,) = (cache.dir / "_karantan").iterdir()
    assert kept.read_bytes() == b"trasig"
    assert command.main([]) == 0


def test_command_repair_refuses_a_broken_answer(
    server: ReplayServer, tmp_root: Path, local_hosts: None, capsys: pytest.CaptureFixture
) -> None:
    cache, url = _cached_page(server)
    entry = cache.entries()[0]
    _damage(cache.path(entry))
    server.add("GET", PATH, Reply(200, b'{"values": [', {"Content-Type": "application/json"}))
    assert command.main(["--verify", "--repair"]) == 1
    out = capsys.readouterr().out
    assert f"[misslyckades] kolada: {url}" in out and "0 av 1 adresser reparerade." in out
    assert cache.path(entry).read_bytes() == b"trasig"  # nothing cached from the broken answer
    assert len(cache.entries()) == 1


def test_command_scb_post_is_repaired_with_the_recorded_body(
    server: ReplayServer, tmp_root: Path, local_hosts: None, capsys: pytest.CaptureFixture
) -> None:
    dims = {
        "Region": {"20": "Dalarnas län"},
        "Kon": {"1": "män", "2": "kvinnor"},
        "ContentsCode": {"BE0101N1": "Folkmängd"},
        "Tid": {"2024": "2024"},
    }
    cube = jsonstat_cube(dims, [140000, 141000])
    meta = {**cube, "value": []}
    config = {"maxDataCells": 1000, "maxCallsPerTimeWindow": 1000, "timeWindow": 1}
    fake = PxWebFake(server, config, {"TAB9999": (meta, cube)})
    sel = {"Region": ["20"], "Kon": ["1", "2"], "ContentsCode": ["BE0101N1"], "Tid": ["2024"]}
    client = scb.ScbClient(fake.base_url, backoff=0.01, retries=0)
    first = client.data("TAB9999", sel)
    cache = scb.scb_cache()
    (post,) = [e for e in cache.entries() if "#selection-sha256=" in e.url]
    assert post.method == "POST" and '"valueCodes":["1","2"]' in post.body
    _damage(cache.path(post))
    posts = len([r for r in server.requests if r.method == "POST"])
    assert command.main(["--verify", "--repair", "--source", "scb"]) == 0
    assert len([r for r in server.requests if r.method == "POST"]) == posts + 1
    assert server.requests[-1].json == cache_check.Request("POST", "", post.body).json
    again = scb.ScbClient(fake.base_url, backoff=0.01, retries=0).data("TAB9999", sel)
    assert again.equals(first)
    assert "[återställd] scb:" in capsys.readouterr().out


def test_command_unknown_source_and_empty_cache(
    tmp_root: Path, capsys: pytest.CaptureFixture
) -> None:
    assert command.main(["--verify"]) == 0
    assert "Inga manifest hittades – cachen är tom." in capsys.readouterr().out
    assert command.main(["--verify", "--source", "kolada"]) == 2
    assert "Fel: Källan 'kolada' har ingen cache med manifest" in capsys.readouterr().err


def test_command_unreadable_raw_folder(
    tmp_root: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "iterdir", refuse)
    assert command.main(["--verify"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Fel: Behörighet saknas: kunde inte läsa mappen ")
    assert "data/raw" in err
