"""The malformed-answer corpus in tests/malformed/http run through the Kolada and SCB clients.

Every case in ``cases.json`` is served once by the local replay server; the
client must refuse it with a Swedish :class:`SourceError` naming the URL (no
English exception names), write nothing to the raw cache, and then fetch and
cache the good answer that the server gives next (validate before caching).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from replay_server import PxWebFake, ReplayServer, Reply, bypass_proxies, envelope, jsonstat_cube
from replay_server import serving as serving_replay

from helpers.core import cache
from helpers.core.errors import SourceError
from helpers.sources import kolada_client, scb

CORPUS = Path(__file__).resolve().parents[2] / "malformed" / "http"
CASES: dict[str, dict] = json.loads((CORPUS / "cases.json").read_text(encoding="utf-8"))
ENGLISH_NAME = re.compile(r"[A-Za-z]*(Error|Exception)\b|Traceback|HTTPConnectionPool")

KOLADA_PATH = "/v3/data/kpi/N00923/municipality/0180/year/2024"
SCB_PATH = "/api/v2/tables/TAB9999/data"
DIMS = {
    "Region": {"01": "Stockholms län", "20": "Dalarnas län", "25": "Norrbottens län"},
    "Kon": {"1": "män", "2": "kvinnor"},
    "ContentsCode": {"BE0101N1": "Folkmängd"},
    "Tid": {"2022": "2022", "2023": "2023", "2024": "2024"},
}
GOOD_VALUES = [
    int(r) * 1000 + int(k) * 100 + int(t) - 2000
    for r in DIMS["Region"]
    for k in DIMS["Kon"]
    for t in DIMS["Tid"]
]
SELECTION = {d: list(codes) for d, codes in DIMS.items()}


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch):
    bypass_proxies(monkeypatch)
    with serving_replay() as srv:
        yield srv


def bad_reply(case: dict, server: ReplayServer) -> Reply:
    body = b""
    if "body" in case:
        body = (CORPUS / case["body"]).read_bytes()
        body = body.replace(b"{host}", server.base_url.removeprefix("http://").encode())
    return Reply(case["status"], body, dict(case.get("headers", {})))


def check_refusal(err: pytest.ExceptionInfo[SourceError], case: dict) -> None:
    msg = str(err.value)
    assert case["expect"] in msg, msg
    assert "127.0.0.1" in msg, msg  # the URL is named
    assert not ENGLISH_NAME.search(msg), msg


def test_corpus_is_complete() -> None:
    files = {p.name for p in CORPUS.iterdir()} - {"cases.json"}
    assert files == {c["body"] for c in CASES.values() if "body" in c}
    assert len(CASES) >= 30


@pytest.mark.parametrize("name", [n for n, c in CASES.items() if c["client"] == "kolada"])
def test_kolada_refuses_and_caches_nothing(name: str, server: ReplayServer, tmp_root: Path) -> None:
    case = CASES[name]
    good = {
        "kpi": "N00923",
        "municipality": "0180",
        "period": 2024,
        "values": [{"gender": "T", "count": 1, "status": "", "value": 81.29}],
    }
    server.add("GET", KOLADA_PATH, bad_reply(case, server), Reply.json(envelope([good])))
    client = kolada_client.KoladaClient(
        server.url("/v3/"), retries=0, backoff=0.01, max_per_second=None
    )
    with pytest.raises(SourceError) as err:
        client.values("N00923", "0180", 2024)
    check_refusal(err, case)
    raw = cache.RawCache("kolada", kolada_client.SOURCE)
    assert raw.entries() == []  # nothing from the bad answer was cached

    values = client.values("N00923", "0180", 2024)  # the source is fixed: fetched again
    assert values[0]["values"][0]["value"] == 81.29
    assert [e.url for e in raw.entries()] == [client.data_url(["N00923"], ["0180"], [2024])]
    assert server.count(KOLADA_PATH) == 2


@pytest.mark.parametrize("name", [n for n, c in CASES.items() if c["client"] == "scb"])
def test_scb_refuses_and_caches_nothing(name: str, server: ReplayServer, tmp_root: Path) -> None:
    case = CASES[name]
    cube = jsonstat_cube(DIMS, GOOD_VALUES)
    meta = {**cube, "value": []}
    config = {"maxDataCells": 1000, "maxCallsPerTimeWindow": 1000, "timeWindow": 1}
    PxWebFake(server, config, {"TAB9999": (meta, cube)})
    server.add("POST", SCB_PATH, bad_reply(case, server), Reply.json(cube))
    client = scb.ScbClient(server.url("/api/v2/"), retries=0, backoff=0.01)
    with pytest.raises(SourceError) as err:
        client.data("TAB9999", SELECTION)
    check_refusal(err, case)
    raw = cache.RawCache("scb", scb.SOURCE)
    assert [e for e in raw.entries() if "/data" in e.url] == []

    frame = client.data("TAB9999", SELECTION)
    assert frame["value"].tolist() == [float(v) for v in GOOD_VALUES]
    assert len([e for e in raw.entries() if "/data" in e.url]) == 1
    assert len(server.paths(SCB_PATH)) == 2
