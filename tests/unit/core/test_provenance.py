"""Tests for helpers.core.provenance: git revision fallback, versions, manifest entries, Markdown."""

from __future__ import annotations

import subprocess
from importlib import metadata
from pathlib import Path

import pandas as pd

from helpers.core import provenance
from helpers.core.cache import RawCache


def test_git_revision_outside_a_repository(tmp_path):
    rev = provenance.git_revision(tmp_path)
    assert rev == {"commit": "okänd", "short": "okänd", "dirty": False}


def test_git_revision_without_git(monkeypatch):
    def no_git(*args, **kwargs):
        raise FileNotFoundError("git")

    monkeypatch.setattr(subprocess, "run", no_git)
    assert provenance.git_revision()["commit"] == "okänd"


def test_git_revision_in_the_repository():
    rev = provenance.git_revision()
    if rev["commit"] == "okänd":  # e.g. an installed copy without .git
        return
    assert len(rev["commit"]) == 40 and rev["short"] == rev["commit"][:7]
    int(rev["commit"], 16)
    assert isinstance(rev["dirty"], bool)


def test_package_versions():
    versions = provenance.package_versions(["pandas", "no-such-package-xyz"])
    assert versions["pandas"] == metadata.version("pandas") == pd.__version__
    assert versions["no-such-package-xyz"] == "okänd"
    assert versions["python"].count(".") == 2


def _fill_cache():
    a = RawCache("demo", "Syntetiska demodata").put(
        "synthetic://x/kpi/N00925", b'{"a": 1}', note="demo"
    )
    b = RawCache("kolada", "Källa: Kolada").put("https://api.kolada.se/v3/data/kpi/N00001", b"{}")
    return a, b


def test_data_manifest_filters_sources(tmp_root):
    a, b = _fill_cache()
    mf = provenance.data_manifest()
    assert list(mf.columns) == provenance.MANIFEST_COLUMNS
    assert set(mf["file"]) == {a.file, b.file}
    demo = provenance.data_manifest(["demo"])
    assert demo["file"].tolist() == [a.file] and demo["sha256"].tolist() == [a.sha256]


def test_data_manifest_empty(tmp_root):
    mf = provenance.data_manifest()
    assert mf.empty and list(mf.columns) == provenance.MANIFEST_COLUMNS


def test_collect_and_markdown(tmp_root):
    a, _ = _fill_cache()
    params = {"kommun": "2080", "data_source": "demo", "year": 2024}
    info = provenance.collect(params, sources=["demo", "kolada"], url_contains=["N00925"])
    assert info["parameters"] == params
    assert [e["file"] for e in info["data"]] == [a.file]
    assert info["created"].endswith("+00:00")
    assert {"python", "pandas", "matplotlib"} <= set(info["packages"])
    md = provenance.to_markdown(info)
    assert md.startswith("### Ursprung och reproducerbarhet")
    assert "`kommun` = `'2080'`" in md and "`year` = `2024`" in md
    assert f"`{a.sha256[:12]}`" in md and a.file in md
    assert "Syntetiska demodata – demo" in md
    assert "**Paketversioner:**" in md


def test_markdown_without_data_or_git():
    info = {
        "created": "2024-01-01T00:00:00+00:00",
        "parameters": {},
        "git": {"commit": "okänd", "short": "okänd", "dirty": False},
        "packages": {"python": "3.11.0"},
        "platform": "Linux",
        "data": [],
    }
    md = provenance.to_markdown(info)
    assert "**Kodversion (git):** okänd" in md
    assert "inga poster i cachens manifest" in md


def test_broken_manifest_line_is_named_not_fatal(tmp_root):
    a, b = _fill_cache()
    manifest = RawCache("kolada", "x").manifest_path
    with manifest.open("ab") as fh:
        fh.write(b'{"file": "trasig.json", "url": "https://api.kol')
    RawCache("kolada", "x").put("https://api.kolada.se/v3/data/kpi/N00002", b"[]")
    mf = provenance.data_manifest()
    assert len(mf) == 3 and a.file in set(mf["file"]) and b.file in set(mf["file"])
    info = provenance.collect({}, sources=["kolada"])
    assert len(info["data"]) == 2
    (problem,) = info["problems"]
    assert problem.startswith(f"fil {manifest}, rad 2: raden är avbruten")
    assert provenance.collect({}, sources=["demo"])["problems"] == []
    md = provenance.to_markdown(info)
    assert "**Varning:** 1 rad(er) i cachens manifest kunde inte läsas" in md
    assert "python -m helpers.cache --verify" in md and "rad 2" in md


def test_unreadable_cache_does_not_fail_a_report(tmp_root, monkeypatch, caplog):
    _fill_cache()

    def refuse(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "iterdir", refuse)
    mf = provenance.data_manifest()
    assert mf.empty and list(mf.columns) == provenance.MANIFEST_COLUMNS
    assert "Behörighet saknas" in caplog.text
    (problem,) = provenance.manifest_problems()
    assert problem.startswith("Behörighet saknas: kunde inte läsa mappen")
