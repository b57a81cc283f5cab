"""Tests for helpers.core.cache_check: verify every manifest entry, repair without deleting."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from helpers.core import cache_check as cc
from helpers.core.cache import Entry, RawCache
from helpers.core.errors import DataError, SourceError

MALFORMED = Path(__file__).resolve().parents[2] / "malformed" / "cache"
KOLADA = "https://api.kolada.se/v3/data/kpi/"
HOSTS = {"kolada": {"api.kolada.se"}, "scb": {"statistikdatabasen.scb.se"}}


def _damage(path: Path, content: bytes = b"trasig") -> None:
    os.chmod(path, 0o644)
    path.write_bytes(content)


def _fetcher(answers: dict[str, bytes], calls: list):
    def fetch(source: str, request: cc.Request) -> bytes:
        calls.append((source, request))
        if request.url not in answers:
            raise SourceError(f"Kunde inte hämta {request.url}: kunde inte ansluta.")
        return answers[request.url]

    return fetch


def _status(v: cc.Verification) -> dict[str, str]:
    return {c.entry.file: c.status for c in v.checks}


def test_verify_all_ok(tmp_root):
    RawCache("kolada", "Källa: Kolada").put(KOLADA + "N1", b"1")
    RawCache("demo", "Syntetiska").put("synthetic://x/a", b"2")
    v = cc.verify()
    assert v.ok and [c.status for c in v.checks] == ["ok", "ok"]
    assert v.counts()["kolada"]["ok"] == 1 and v.counts()["demo"]["ok"] == 1
    text = v.report()
    assert "Sammanfattning: 2 ok, 0 saknas, 0 fel kontrollsumma" in text
    assert text.endswith("Allt i cachen stämmer med manifestet.")


def test_verify_reports_every_class(tmp_root):
    cache = RawCache("kolada", "Källa: Kolada")
    good = cache.put(KOLADA + "N1", b"good")
    damaged = cache.put(KOLADA + "N2", b"original")
    missing = cache.put(KOLADA + "N3", b"gone")
    _damage(cache.path(damaged))
    os.remove(cache.path(missing))
    with cache.manifest_path.open("ab") as fh:
        fh.write(b'{"file": "x.json", "url": "https://api.kol')  # a cut-off line
    (cache.dir / "utan-rad.json").write_bytes(b"{}")
    v = cc.verify()
    assert not v.ok
    assert _status(v) == {
        good.file: "ok",
        damaged.file: "fel kontrollsumma",
        missing.file: "saknas",
    }
    assert [p.row for p in v.problems] == [4]
    assert [p.name for p in v.orphans] == ["utan-rad.json"]
    assert v.counts()["kolada"] == {
        "ok": 1,
        "saknas": 1,
        "fel kontrollsumma": 1,
        "oläsbar": 0,
        "ersatt": 0,
        "trasiga rader": 1,
    }
    text = v.report()
    assert f"[fel kontrollsumma] {cache.path(damaged)}" in text
    assert "filen har ändrats efter hämtningen (sha256 " in text
    assert f"[saknas] {cache.path(missing)}" in text
    assert f"fil {cache.manifest_path}, rad 4: raden är avbruten" in text
    assert "Filer utan manifestrad" in text and "utan-rad.json" in text
    assert (
        "Sammanfattning: 1 ok, 1 saknas, 1 fel kontrollsumma, 0 oläsbara, 0 ersatta, "
        "1 trasig manifestrad." in text
    )
    assert "python -m helpers.cache --verify --repair" in text


@pytest.mark.parametrize("case", ["truncated_middle_line.jsonl", "extra_field.jsonl"])
def test_verify_uses_the_tolerant_reader(tmp_root, case):
    cache = RawCache("kolada", "x")
    cache.dir.mkdir(parents=True)
    shutil.copyfile(MALFORMED / case, cache.manifest_path)
    v = cc.verify()
    assert {c.status for c in v.checks} == {"saknas"}  # the files of the fixtures do not exist
    assert len(v.problems) == (1 if "truncated" in case else 0)


def test_verify_unknown_source(tmp_root):
    RawCache("kolada", "x").put("u", b"1")
    with pytest.raises(
        DataError, match=r"Källan 'scbb' har ingen cache .*källor som finns: kolada"
    ):
        cc.verify(sources=["scbb"])
    assert len(cc.verify(sources=["kolada"]).checks) == 1


def test_request_for_get_post_and_old_lines():
    def entry(url: str, note: str = "", method: str = "", body: str = "") -> Entry:
        return Entry(
            "f", url, "2024-01-01T00:00:00+00:00", "0" * 64, 1, "l", "s", note, method, body
        )

    assert cc.request_for(entry(KOLADA + "N1?per_page=5000")) == cc.Request(
        "GET", KOLADA + "N1?per_page=5000"
    )
    body = '{"selection":[{"valueCodes":["1"],"variableCode":"Kon"}]}'
    digest = hashlib.sha256(body.encode()).hexdigest()[:16]
    url = f"https://statistikdatabasen.scb.se/api/v2/tables/TAB1/data?lang=sv#selection-sha256={digest}"
    new = cc.request_for(entry(url, method="POST", body=body))
    assert new == cc.Request("POST", url.split("#")[0], body) and new.json["selection"]
    old = cc.request_for(entry(url, note=f"SCB PxWebApi 2.0 POST {body}"))  # body proven by hash
    assert old == new
    no_body = cc.request_for(entry(url, note="SCB PxWebApi 2.0"))
    assert isinstance(no_body, str) and "saknar frågan (POST-innehållet)" in no_body
    forged = cc.request_for(entry(url, note='SCB PxWebApi 2.0 POST {"selection": []}'))
    assert isinstance(forged, str) and "äldre version" in forged
    wrong = cc.request_for(entry(url, method="POST", body='{"selection": []}'))
    assert isinstance(wrong, str) and "stämmer inte med adressens kontrollsumma" in wrong
    synthetic = cc.request_for(entry("synthetic://helpers.sources.demo/x"))
    assert isinstance(synthetic, str) and "ingen webbadress" in synthetic


def test_repair_same_content_restores_and_keeps_the_original(tmp_root):
    cache = RawCache("kolada", "Källa: Kolada")
    entry = cache.put(KOLADA + "N1", b'{"values": []}', note="Kolada API v3")
    _damage(cache.path(entry))
    calls: list = []
    repairs = cc.repair(
        cc.verify(), _fetcher({KOLADA + "N1": b'{"values": []}'}, calls), hosts=HOSTS
    )
    assert [(r.outcome, r.url) for r in repairs] == [("återställd", KOLADA + "N1")]
    assert calls == [("kolada", cc.Request("GET", KOLADA + "N1"))]
    (kept,) = (cache.dir / "_karantan").iterdir()
    assert kept.read_bytes() == b"trasig" and kept.name.startswith(entry.file + ".korrupt-")
    assert f"skadad fil sparad i {kept}" in repairs[0].detail
    after = cc.verify()
    assert after.ok and [c.status for c in after.checks] == ["ok", "ok"]
    newest = RawCache("kolada", "x").entries()[-1]
    assert newest.method == "GET" and newest.note == "Kolada API v3"
    assert cc.repair(after, _fetcher({}, calls)) == [] and len(calls) == 1  # no loop


def test_repair_new_content_supersedes_and_keeps_the_original(tmp_root):
    cache = RawCache("kolada", "Källa: Kolada")
    entry = cache.put(KOLADA + "N1", b"old")
    _damage(cache.path(entry))
    (r,) = cc.repair(cc.verify(), _fetcher({KOLADA + "N1": b"new"}, []), hosts=HOSTS)
    assert r.outcome == "ny version" and "kan inte återskapas" in r.detail
    after = cc.verify()
    assert after.ok
    assert [c.status for c in after.checks] == ["ersatt", "ok"]
    assert "skadad kopia sparad i" in after.checks[0].detail
    assert RawCache("kolada", "x").get(KOLADA + "N1") == b"new"
    assert next((cache.dir / "_karantan").iterdir()).read_bytes() == b"trasig"


def test_repair_offline_changes_nothing(tmp_root):
    cache = RawCache("kolada", "Källa: Kolada")
    entry = cache.put(KOLADA + "N1", b"old")
    _damage(cache.path(entry))
    (r,) = cc.repair(cc.verify(), _fetcher({}, []), hosts=HOSTS)
    assert r.outcome == "misslyckades" and "kunde inte ansluta" in r.detail and not r.fixed
    assert cache.path(entry).read_bytes() == b"trasig"  # still there, not moved or deleted
    assert not (cache.dir / "_karantan").exists()
    assert len(RawCache("kolada", "x").entries()) == 1


def test_repair_refuses_other_hosts_and_unknown_sources(tmp_root):
    a = RawCache("kolada", "x").put("https://evil.example/v3/x", b"1")
    b = RawCache("annan", "x").put("https://data.example/x", b"2")
    _damage(RawCache("kolada", "x").path(a))
    _damage(RawCache("annan", "x").path(b))
    calls: list = []
    repairs = cc.repair(cc.verify(), _fetcher({}, calls), hosts=HOSTS)
    assert calls == []
    assert [r.outcome for r in repairs] == ["kan inte repareras", "kan inte repareras"]
    assert "inte på källans värd (api.kolada.se)" in repairs[1].detail
    assert "källan 'annan' har ingen känd adress" in repairs[0].detail


def test_repair_quarantines_an_old_damaged_copy_when_a_newer_is_intact(tmp_root):
    cache = RawCache("kolada", "x")
    old = cache.put(KOLADA + "N1", b"v1")
    cache.put(KOLADA + "N1", b"v2")
    _damage(cache.path(old))
    v = cc.verify()
    assert [c.status for c in v.checks] == ["fel kontrollsumma", "ok"]
    calls: list = []
    (r,) = cc.repair(v, _fetcher({}, calls))
    assert r.outcome == "i karantän" and calls == []
    assert [c.status for c in cc.verify().checks] == ["ersatt", "ok"]


def test_repair_regenerates_synthetic_files(tmp_root):
    cache = RawCache("demo", "Syntetiska")
    entry = cache.put("synthetic://demo/a", b"generated")
    gone = cache.put("synthetic://demo/old-version", b"old")
    _damage(cache.path(entry))
    _damage(cache.path(gone))

    def build() -> None:
        demo = RawCache("demo", "Syntetiska")
        if demo.lookup("synthetic://demo/a") is None:
            demo.put("synthetic://demo/a", b"generated")

    repairs = cc.repair(cc.verify(), _fetcher({}, []), regenerate={"demo": build})
    assert {r.url: r.outcome for r in repairs} == {
        "synthetic://demo/a": "återskapad",
        "synthetic://demo/old-version": "kan inte repareras",
    }
    assert cache.path(entry).read_bytes() == b"generated"
    assert sorted(p.read_bytes() for p in (cache.dir / "_karantan").iterdir()) == [b"trasig"]
    text = cc.format_repairs(repairs)
    assert text.startswith("Reparation:") and text.endswith("1 av 2 adresser reparerade.")


def test_old_scb_post_line_is_repaired_from_its_note(tmp_root):
    body = '{"selection":[{"valueCodes":["20"],"variableCode":"Region"}]}'
    digest = hashlib.sha256(body.encode()).hexdigest()[:16]
    url = "https://statistikdatabasen.scb.se/api/v2/tables/TAB1/data?lang=sv"
    cache = RawCache("scb", "Källa: SCB")
    entry = cache.put(f"{url}#selection-sha256={digest}", b'{"a": 1}', note=f"SCB POST {body}")
    lines = cache.manifest_path.read_text().splitlines()  # make it look like an old line
    old = json.loads(lines[0])
    del old["method"]
    cache.manifest_path.write_text(json.dumps(old) + "\n")
    _damage(cache.path(entry))
    calls: list = []
    (r,) = cc.repair(cc.verify(), _fetcher({url: b'{"a": 1}'}, calls), hosts=HOSTS)
    assert r.outcome == "återställd"
    assert calls == [("scb", cc.Request("POST", url, body))]
    newest = RawCache("scb", "x").entries()[-1]
    assert newest.method == "POST" and newest.body == body
