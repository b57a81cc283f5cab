"""Memo.stored: shared batch work kept in data/processed, computed once across processes."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from helpers.core import memo


@pytest.fixture
def root(tmp_path, monkeypatch):
    (tmp_path / "data" / "processed").mkdir(parents=True)
    monkeypatch.setenv("FOLKHALSA_ROOT", str(tmp_path))
    return tmp_path


def test_a_stored_value_is_reused_by_a_new_process_and_is_identical(root):
    calls = []
    value = {"le": pd.DataFrame({"value": [81.123456789, 79.0], "area_code": ["2080", "20"]})}

    def make():
        calls.append(1)
        return value

    first = memo.Memo("t_stored").stored(("county", "demo", "20", "abc"), make)
    assert calls == [1]
    files = list((root / "data" / "processed").glob("t_stored_*.pkl"))
    assert len(files) == 1
    again = memo.Memo("t_stored").stored(("county", "demo", "20", "abc"), make)  # "next run"
    assert calls == [1]
    pd.testing.assert_frame_equal(again["le"], first["le"], check_exact=True)


def test_a_changed_input_checksum_makes_a_new_value(root):
    m = memo.Memo("t_changed")
    assert m.stored(("k", "sha-1"), lambda: 1) == 1
    assert m.stored(("k", "sha-2"), lambda: 2) == 2
    assert len(list((root / "data" / "processed").glob("t_changed_*.pkl"))) == 2


def test_a_damaged_file_is_rebuilt(root):
    m = memo.Memo("t_damaged")
    m.stored("k", lambda: 1)
    (path,) = (root / "data" / "processed").glob("t_damaged_*.pkl")
    path.write_bytes(b"not a pickle")
    assert memo.Memo("t_damaged").stored("k", lambda: 2) == 2


def test_not_persisted_stays_in_memory(root):
    m = memo.Memo("t_mem")
    assert m.stored("k", lambda: 5, persist=False) == 5
    assert not list((root / "data" / "processed").glob("t_mem_*"))


def test_code_digest_is_stable_and_file_digest_follows_contents(tmp_path):
    assert memo.code_digest() == memo.code_digest()
    f = tmp_path / "a.csv"
    f.write_text("1;2\n")
    before = memo.file_digest(f)
    f.write_text("1;3\n")
    assert memo.file_digest(f) != before


def test_concurrent_processes_compute_once(root):
    script = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from helpers.core import memo

        def make():
            with open({str(root / "calls.txt")!r}, "a") as fh:
                fh.write("x")
            time.sleep(1.0)
            return 42

        print(memo.Memo("t_once").stored("shared", make))
        """
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    outs = [p.communicate(timeout=60)[0].strip() for p in procs]
    assert outs == ["42", "42", "42"]
    assert (root / "calls.txt").read_text() == "x"
