import hashlib
import json
import os
import stat

import pytest

from helpers.core.cache import RawCache, all_manifests


def test_put_writes_read_only_file_and_manifest(tmp_root):
    cache = RawCache("kolada", "Källa: Kolada")
    body = b'{"values": []}'
    entry = cache.put("https://api.kolada.se/v3/kpi/N00923", body)
    path = cache.path(entry)
    assert path.read_bytes() == body
    assert entry.sha256 == hashlib.sha256(body).hexdigest()
    assert entry.bytes == len(body)
    assert entry.licence == "Källa: Kolada"
    assert not (path.stat().st_mode & stat.S_IWUSR)  # read-only
    line = json.loads((tmp_root / "data/raw/kolada/manifest.jsonl").read_text().strip())
    assert line["url"] == "https://api.kolada.se/v3/kpi/N00923"
    assert line["retrieved"].endswith("+00:00")


def test_refresh_never_overwrites_and_lookup_returns_newest(tmp_root):
    cache = RawCache("scb", "Källa: SCB")
    url = "https://statistikdatabasen.scb.se/api/v2/tables/TAB1/data"
    first = cache.put(url, b"old")
    second = cache.put(url, b"new")
    assert first.file != second.file
    assert cache.path(first).read_bytes() == b"old"  # old content kept
    assert cache.get(url) == b"new"
    assert len(cache.entries()) == 2


def test_same_content_stored_once(tmp_root):
    cache = RawCache("scb", "Källa: SCB")
    a = cache.put("u1", b"same")
    b = cache.put("u2", b"same")
    assert len(list(cache.dir.glob("*.json"))) == 2 or a.sha256 == b.sha256
    assert a.sha256 == b.sha256


def test_tampered_file_is_not_served(tmp_root):
    cache = RawCache("kolada", "Källa: Kolada")
    entry = cache.put("u", b"original")
    path = cache.path(entry)
    os.chmod(path, 0o644)
    path.write_bytes(b"tampered")
    assert cache.get("u") is None
    assert cache.get("never-cached") is None


def test_all_manifests_combines_sources(tmp_root):
    RawCache("a", "x").put("u1", b"1")
    RawCache("b", "y").put("u2", b"2")
    df = all_manifests()
    assert sorted(df["source"]) == ["a", "b"]
    assert set(df.columns) >= {"url", "retrieved", "sha256", "licence"}


@pytest.mark.parametrize("url", ["https://x/y?z=1", "synthetic://helpers.sources.demo.base/a b"])
def test_file_names_are_safe(tmp_root, url):
    entry = RawCache("s", "l").put(url, b"data")
    assert "/" not in entry.file and " " not in entry.file
