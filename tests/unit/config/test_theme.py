"""Tests for helpers.config.theme and its check in run files (palette, logo, benchmark)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from helpers.config import params, theme
from helpers.core.errors import DataError

REAL = Path(__file__).resolve().parents[3] / "notebooks" / "templates" / "kommunprofil.ipynb"


def test_default_palette_is_okabe_ito_and_every_palette_has_every_role():
    assert theme.DEFAULT_PALETTE == "okabe_ito"
    roles = set(theme.PALETTES["okabe_ito"])
    assert all(set(p) == roles for p in theme.PALETTES.values())
    with pytest.raises(DataError, match="Okänd palett 'rosa'"):
        theme.palette("rosa")


def test_problems_name_the_key(tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n")
    assert theme.problems({"palette": "gråskala", "benchmark": "riket", "logo": str(logo)}) == []
    found = dict(theme.problems({"palette": "rosa", "benchmark": "kommun", "logo": "x.gif"}))
    assert set(found) == {"palette", "benchmark", "logo"}
    assert "välj en av: okabe_ito, gråskala" in found["palette"]
    assert theme.logo_html(str(logo)).startswith('<img src="data:image/png;base64,')
    assert theme.logo_html("") == ""


def test_run_file_with_a_wrong_palette_is_refused(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            run: test
            template: {REAL}
            lan: "20"
            parameters:
              palette: rosa
            """
        ),
        encoding="utf-8",
    )
    with pytest.raises(DataError) as info:
        params.load_run(path)
    (msg,) = [str(p) for p in info.value.problems]
    assert "parameters.palette" in msg and "rad 5" in msg and "okänd palett 'rosa'" in msg
    path.write_text(path.read_text().replace("rosa", "gråskala"), encoding="utf-8")
    assert params.load_run(path).parameters == {"palette": "gråskala"}
