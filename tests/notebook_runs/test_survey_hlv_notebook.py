"""Notebook 03 runs on Region Dalarna's HLV spreadsheet (needs ../shared/reference)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import nbrun
import papermill as pm

from helpers.sources import survey_data

REPO = Path(__file__).resolve().parents[2]
NB = REPO / "notebooks" / "03_levnadsvanor_enkat.ipynb"
PARAMS = REPO / "params" / "survey_hlv_dalarna_03.yaml"


def test_notebook_03_on_hlv_spreadsheet(reference_dir: Path, tmp_path: Path) -> None:
    params = survey_data.notebook_parameters(PARAMS)
    out = tmp_path / "03_hlv.ipynb"
    pm.execute_notebook(
        str(NB), str(out), parameters=params, cwd=str(REPO / "notebooks"), progress_bar=False
    )
    text, images, errors = nbrun.outputs(nbformat.read(out, as_version=4))
    assert not errors
    text = text.replace("\u00a0", " ")
    assert "Röker dagligen, Region Dalarna: andelen var 10,3 % (95 % KI 9,8–10,8) 2014" in text
    assert (
        "−3,7 procentenheter (95 % KI −4,3 till −3,0; p < 0,001): statistiskt säkerställd minskning"
        in text
    )
    assert "4 av dem skiljer sig statistiskt säkerställt från länet" in text
    assert "Svarsmönstret kräver mikrodata" in text
    assert "Alla kontroller gick igenom." in text
    assert images >= 4
