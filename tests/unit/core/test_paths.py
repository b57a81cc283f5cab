"""Project files: under the (overridden) project root, else the workbook checkout's own."""

from __future__ import annotations

from pathlib import Path

from helpers.core import paths

CHECKOUT = paths.PACKAGE_DIR.parent.parent


def test_root_without_the_file_uses_the_shipped_one(tmp_root):
    assert paths.project_file("params/indicators.yaml") == CHECKOUT / "params" / "indicators.yaml"


def test_the_roots_own_file_wins(tmp_root):
    own = tmp_root / "params" / "indicators.yaml"
    own.parent.mkdir()
    own.write_text("indicators: {}\n", encoding="utf-8")
    assert paths.project_file(Path("params") / "indicators.yaml") == own


def test_absent_everywhere_names_the_root_and_absolute_stays(tmp_root):
    assert paths.project_file("params/finns_inte.yaml") == tmp_root / "params" / "finns_inte.yaml"
    assert paths.project_file(tmp_root / "x.yaml") == tmp_root / "x.yaml"
