"""Tests for helpers.core.cache: write-once files, a manifest that cannot be corrupted, OS errors."""

import errno
import fcntl
import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import stat
import threading
from pathlib import Path

import pytest

from helpers.core import cache as cache_mod
from helpers.core.cache import CacheError, RawCache, all_manifests, file_suffix
from helpers.core.errors import SourceError


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


# -- issue 11: a manifest that cannot be corrupted, read tolerantly --------------------------
MALFORMED = Path(__file__).resolve().parents[2] / "malformed" / "cache"

#: case file -> (readable entries, bad line numbers, words in the first problem)
CASES: dict[str, tuple[int, list[int], str]] = {
    "truncated_last_line.jsonl": (2, [3], "avbruten"),
    "truncated_middle_line.jsonl": (2, [2], "avbruten"),
    "glued_lines.jsonl": (1, [2], "inte giltig JSON"),
    "extra_field.jsonl": (1, [], ""),
    "not_object.jsonl": (1, [2, 3, 4, 5], "inte ett JSON-objekt utan en lista"),
    "missing_fields.jsonl": (1, [2, 3], "obligatoriska fält saknas: 'sha256', 'bytes'"),
    "wrong_types.jsonl": (1, [1, 2, 3, 4, 5, 6, 7, 8], "'bytes' ska vara ett heltal ≥ 0"),
    "duplicate_key.jsonl": (1, [1], "fältet 'file' förekommer två gånger"),
    "nan_and_infinity.jsonl": (1, [1, 2], "NaN"),
    "path_traversal.jsonl": (1, [1, 2, 3, 4], "inget filnamn i källans mapp"),
    "bom_crlf.jsonl": (2, [], ""),
    "invalid_utf8.jsonl": (2, [2], "inte giltig UTF-8-text"),
    "blank_lines.jsonl": (2, [], ""),
    "unicode_line_separator.jsonl": (1, [], ""),
    "unknown_method.jsonl": (1, [1], "'method' ska vara GET eller POST"),
    "empty.jsonl": (0, [], ""),
    "only_garbage.jsonl": (0, [1, 2], "inte giltig JSON"),
}


def _install(tmp_root: Path, case: str) -> RawCache:
    cache = RawCache("kolada", "Källa: Kolada")
    cache.dir.mkdir(parents=True)
    shutil.copyfile(MALFORMED / case, cache.manifest_path)
    return cache


def test_every_malformed_case_has_an_expectation():
    assert sorted(p.name for p in MALFORMED.glob("*.jsonl")) == sorted(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_manifest_lines_are_skipped_and_reported(tmp_root, caplog, case):
    n_good, bad_rows, words = CASES[case]
    cache = _install(tmp_root, case)
    with caplog.at_level(logging.WARNING, logger="helpers.core.cache"):
        entries = cache.entries()
    problems = cache.problems()
    assert len(entries) == n_good
    assert [p.row for p in problems] == bad_rows
    assert all(p.file == str(cache.manifest_path) for p in problems)
    assert all(isinstance(e.bytes, int) and len(e.sha256) == 64 for e in entries)
    assert len(cache.manifest()) == n_good
    if bad_rows:
        assert words in problems[0].message
        text = str(problems[0])
        assert text.startswith(f"fil {cache.manifest_path}, rad {bad_rows[0]}: ")
        assert "hoppas över" in text and "python -m helpers.cache --verify" in text
        logged = [r.getMessage() for r in caplog.records]
        assert any(f"rad {bad_rows[0]}:" in m and "manifest.jsonl" in m for m in logged)


def test_extra_field_is_ignored_with_one_warning(tmp_root, caplog):
    cache = _install(tmp_root, "extra_field.jsonl")
    with caplog.at_level(logging.WARNING, logger="helpers.core.cache"):
        (entry,) = cache.entries()
        cache.entries()
    assert entry.url == "https://api.kolada.se/v3/data/kpi/N00921" and entry.bytes == 5
    warned = [r.getMessage() for r in caplog.records if "okända fält" in r.getMessage()]
    assert len(warned) == 1 and "'etag' (rad 1)" in warned[0]


def test_line_separator_inside_a_note_is_not_a_line_break(tmp_root):
    (entry,) = _install(tmp_root, "unicode_line_separator.jsonl").entries()
    assert entry.note == "rad ett\u2028rad två\x0bslut"


def test_append_after_truncated_line_never_glues_onto_it(tmp_root):
    cache = _install(tmp_root, "truncated_last_line.jsonl")
    assert not cache.manifest_path.read_bytes().endswith(b"\n")
    entry = cache.put("https://api.kolada.se/v3/ny", b'{"values": []}')
    entries = cache.entries()
    assert [e.url for e in entries][-1] == entry.url and len(entries) == 3
    assert [p.row for p in cache.problems()] == [3]  # only the old broken line
    lines = cache.manifest_path.read_bytes().split(b"\n")
    assert json.loads(lines[3])["file"] == entry.file and lines[-1] == b""
    assert cache.get("https://api.kolada.se/v3/ny") == b'{"values": []}'


def test_new_lines_record_the_request(tmp_root):
    cache = RawCache("scb", "Källa: SCB")
    get = cache.put("https://x/a", b"1")
    post = cache.put("https://x/b#selection-sha256=ab", b"2", method="post", body='{"a": 1}')
    lines = [json.loads(line) for line in cache.manifest_path.read_text().splitlines()]
    assert lines[0]["method"] == "GET" and "body" not in lines[0]
    assert lines[1]["method"] == "POST" and lines[1]["body"] == '{"a": 1}'
    assert cache.entries() == [get, post]


def _put_many(args: tuple[str, int]) -> int:
    root, worker = args
    cache = RawCache("kolada", "Källa: Kolada", root=Path(root))
    for i in range(20):
        cache.put(f"https://api.kolada.se/v3/w{worker}/{i}", f"{worker}-{i}".encode() * 50)
    return worker


def test_parallel_writers_never_interleave(tmp_root):
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(4) as pool:
        assert sorted(pool.map(_put_many, [(str(tmp_root / "data/raw"), w) for w in range(4)])) == [
            0,
            1,
            2,
            3,
        ]
    cache = RawCache("kolada", "Källa: Kolada")
    assert cache.problems() == []
    entries = cache.entries()
    assert len(entries) == 80 and len({e.url for e in entries}) == 80
    assert all(cache.get(e.url) is not None for e in entries)


def test_writer_waits_for_the_lock(tmp_root):
    cache = RawCache("kolada", "Källa: Kolada")
    cache.put("u0", b"0")
    fd = os.open(cache.dir / ".manifest.lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    done = threading.Event()
    worker = threading.Thread(target=lambda: (cache.put("u1", b"1"), done.set()))
    worker.start()
    try:
        assert not done.wait(0.3)  # blocked while another process holds the lock
        assert cache.manifest_path.read_bytes().count(b"\n") == 1
    finally:
        os.close(fd)
    worker.join(5)
    assert done.is_set() and len(cache.entries()) == 2


# -- permissions, disk, paths -------------------------------------------------------------
def _raise(exc: OSError):
    def fail(*args, **kwargs):
        raise exc

    return fail


def test_read_only_cache_folder(tmp_root, monkeypatch):
    cache = RawCache("kolada", "Källa: Kolada")
    cache.dir.mkdir(parents=True)
    monkeypatch.setattr(
        cache_mod.tempfile, "mkstemp", _raise(PermissionError(errno.EACCES, "Permission denied"))
    )
    with pytest.raises(CacheError) as err:
        cache.put("https://api.kolada.se/v3/x", b"{}")
    text = str(err.value)
    assert text.startswith("Behörighet saknas: kunde inte skriva filen ")
    assert str(cache.dir) in text and "chmod u+w" in text and "FOLKHALSA_ROOT" in text
    assert cache.entries() == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into read-only folders")
def test_really_read_only_cache_folder(tmp_root):
    cache = RawCache("kolada", "Källa: Kolada")
    cache.put("u0", b"0")
    os.chmod(cache.dir, 0o555)
    try:
        with pytest.raises(CacheError, match="Behörighet saknas"):
            cache.put("u1", b"1")
        assert cache.get("u0") == b"0"  # reading still works
    finally:
        os.chmod(cache.dir, 0o755)


def test_read_only_filesystem(tmp_root, monkeypatch):
    monkeypatch.setattr(
        cache_mod.tempfile, "mkstemp", _raise(OSError(errno.EROFS, "Read-only file system"))
    )
    with pytest.raises(CacheError, match="Filsystemet är skrivskyddat: kunde inte skriva filen"):
        RawCache("kolada", "x").put("u", b"1")


def test_disk_full_while_writing_content_leaves_no_half_file(tmp_root, monkeypatch):
    cache = RawCache("kolada", "Källa: Kolada")
    cache.put("u0", b"0")
    monkeypatch.setattr(cache_mod.os, "fsync", _raise(OSError(errno.ENOSPC, "No space")))
    with pytest.raises(CacheError) as err:
        cache.put("u1", b"1" * 1000)
    assert str(err.value).startswith("Disken är full (eller diskkvoten slut): kunde inte skriva")
    assert sorted(p.name for p in cache.dir.iterdir() if not p.name.startswith(".m")) == sorted(
        [cache.entries()[0].file, "manifest.jsonl"]
    )  # no temporary file, no half file, old file kept
    assert [e.url for e in cache.entries()] == ["u0"]


def test_crash_before_rename_leaves_nothing_under_the_final_name(tmp_root, monkeypatch):
    cache = RawCache("kolada", "Källa: Kolada")
    monkeypatch.setattr(cache_mod.os, "replace", _raise(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        cache.put("u", b"data")
    assert [p.name for p in cache.dir.iterdir() if not p.name.startswith(".manifest")] == []


def test_short_manifest_write_then_next_append_is_readable(tmp_root, monkeypatch):
    cache = RawCache("kolada", "Källa: Kolada")
    cache.put("u0", b"0")
    real_write = os.write
    monkeypatch.setattr(cache_mod.os, "write", lambda fd, data: real_write(fd, data[:40]))
    with pytest.raises(CacheError, match="Disken är full.*manifest.jsonl"):
        cache.put("u1", b"1")
    monkeypatch.setattr(cache_mod.os, "write", real_write)
    cache.put("u2", b"2")
    assert [e.url for e in cache.entries()] == ["u0", "u2"]
    assert [p.row for p in cache.problems()] == [2]


def test_cache_folder_is_a_file(tmp_root):
    (tmp_root / "data/raw/kolada").write_text("inte en mapp")
    with pytest.raises(CacheError) as err:
        RawCache("kolada", "x").put("u", b"1")
    assert str(err.value).startswith(f"{tmp_root / 'data/raw/kolada'} är en fil, men cachen")
    assert (tmp_root / "data/raw/kolada").read_text() == "inte en mapp"  # not removed


def test_raw_folder_is_a_file(tmp_root):
    shutil.rmtree(tmp_root / "data/raw")
    (tmp_root / "data/raw").write_text("x")
    with pytest.raises(CacheError, match=r"data/raw är en fil, men cachen behöver en mapp"):
        RawCache("kolada", "x").put("u", b"1")
    assert RawCache("kolada", "x").get("u") is None  # reading: simply not cached


def test_manifest_is_a_folder(tmp_root):
    cache = RawCache("kolada", "x")
    cache.manifest_path.mkdir(parents=True)
    with pytest.raises(CacheError, match="manifest.jsonl är en mapp, men ska vara en fil"):
        cache.entries()


def test_unreadable_manifest(tmp_root, monkeypatch):
    cache = RawCache("kolada", "x")
    cache.put("u", b"1")
    monkeypatch.setattr(
        Path, "read_bytes", _raise(PermissionError(errno.EACCES, "Permission denied"))
    )
    cache_mod._PARSED.clear()
    with pytest.raises(CacheError, match="Behörighet saknas: kunde inte läsa manifestet .*chmod u"):
        cache.entries()


# -- damaged files ----------------------------------------------------------------------
def _damage(path: Path, content: bytes = b"trasig") -> None:
    os.chmod(path, 0o644)
    path.write_bytes(content)


def test_damaged_file_is_set_aside_when_fetched_again(tmp_root):
    cache = RawCache("kolada", "Källa: Kolada")
    first = cache.put("u", b"original")
    _damage(cache.path(first))
    assert cache.get("u") is None  # never served
    again = cache.put("u", b"original")  # a fresh download of the same content
    assert again.file == first.file
    assert cache.get("u") == b"original"
    (kept,) = (cache.dir / "_karantan").iterdir()
    assert kept.name.startswith(first.file + ".korrupt-") and kept.read_bytes() == b"trasig"
    assert len(cache.entries()) == 2 and cache.lookup("u") == again


def test_damaged_file_with_new_content_is_set_aside_too(tmp_root):
    cache = RawCache("kolada", "Källa: Kolada")
    first = cache.put("u", b"old")
    _damage(cache.path(first))
    assert cache.lookup("u") is None
    new = cache.put("u", b"new")
    assert not cache.path(first).exists() and cache.get("u") == b"new" and new.file != first.file
    (kept,) = (cache.dir / "_karantan").iterdir()
    assert kept.read_bytes() == b"trasig"


def test_newest_copy_decides_no_silent_fallback_to_an_older_one(tmp_root, caplog):
    cache = RawCache("kolada", "Källa: Kolada")
    cache.put("u", b"old")
    newest = cache.put("u", b"new")
    _damage(cache.path(newest))
    with caplog.at_level(logging.WARNING, logger="helpers.core.cache"):
        assert cache.get("u") is None
    assert any("är skadad" in r.getMessage() for r in caplog.records)


def test_failed_download_names_the_damaged_copy(tmp_root):
    cache = RawCache("kolada", "Källa: Kolada")
    entry = cache.put("https://api.kolada.se/v3/x", b"original")
    _damage(cache.path(entry))
    assert cache.get("https://api.kolada.se/v3/x") is None
    with pytest.raises(SourceError) as err, cache.fetching("https://api.kolada.se/v3/x"):
        raise SourceError("Kunde inte hämta https://api.kolada.se/v3/x: kunde inte ansluta.")
    text = str(err.value)
    assert text.startswith("Kunde inte hämta https://api.kolada.se/v3/x: kunde inte ansluta. ")
    assert f"Den cachade kopian i {cache.path(entry)} är skadad (kontrollsumman" in text
    assert "python -m helpers.cache --verify" in text
    with pytest.raises(SourceError) as other, cache.fetching("https://other"):
        raise SourceError("x")
    assert str(other.value) == "x"  # no hint for an address without a damaged copy


def test_missing_file_is_named_too(tmp_root):
    cache = RawCache("kolada", "Källa: Kolada")
    entry = cache.put("u", b"original")
    os.remove(cache.path(entry))
    assert cache.get("u") is None
    assert "saknas (filen står i manifestet men finns inte på disken)" in cache.damage_hint("u")


def test_file_suffix():
    assert file_suffix("v3_kpi-0123456789ab.json") == ".json"
    assert file_suffix("a_b-0123456789ab.csv.gz") == ".csv.gz"
    assert file_suffix("x-0123456789ab") == ""


def _json_response(body: bytes, url: str):
    import requests

    r = requests.Response()
    r._content = body
    r.status_code = 200
    r.url = url
    r.headers["Content-Type"] = "application/json"
    return r


def _parse_values(content: bytes) -> list:
    doc = json.loads(content)
    if not isinstance(doc.get("values"), list):
        raise SourceError("'values' saknas i svaret")
    return doc["values"]


def test_through_fetches_checks_and_caches_then_reads_the_cache(tmp_root):
    cache = RawCache("kolada", "Källa: Kolada")
    url = "https://api.kolada.se/v3/data/kpi/N00923"
    calls = []

    def fetch():
        calls.append(url)
        return _json_response(b'{"values": [1, 2]}', url)

    assert cache.through(url, url, fetch, _parse_values, note="Kolada API v3") == [1, 2]
    assert cache.through(url, url, fetch, _parse_values) == [1, 2]
    assert len(calls) == 1  # the second answer came from the cache
    assert cache.lookup(url).note == "Kolada API v3"
    assert cache.through(url, url, fetch, _parse_values, use_cache=False) == [1, 2]
    assert len(calls) == 2


def test_through_never_caches_a_body_its_check_refuses(tmp_root):
    cache = RawCache("scb", "Källa: SCB")
    url = "https://statistikdatabasen.scb.se/api/v2/tables/TAB1/data"
    key = url + "#selection-sha256=abc"

    def broken():
        return _json_response(b'{"data": []}', url)

    with pytest.raises(SourceError, match="'values' saknas"):
        cache.through(key, url, broken, _parse_values, method="POST", body="{}")
    assert cache.get(key) is None

    def html():
        r = _json_response("<html>Underhåll</html>".encode(), url)
        r.headers["Content-Type"] = "text/html"
        return r

    with pytest.raises(SourceError):
        cache.through(key, url, html, _parse_values, method="POST", body="{}")
    assert cache.get(key) is None
    ok = cache.through(
        key, url, lambda: _json_response(b'{"values": [3]}', url), _parse_values,
        method="POST", body="{}",
    )  # fmt: skip
    assert ok == [3]
    entry = cache.lookup(key)
    assert (entry.method, entry.body) == ("POST", "{}")
