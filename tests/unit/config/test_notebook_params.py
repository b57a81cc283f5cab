"""Tests for helpers.config.notebook_params: one validator for run files and notebook parameter files."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.config import notebook_params
from helpers.core.errors import DataError

REPO = Path(__file__).resolve().parents[3]
MINI = REPO / "tests" / "data" / "mini_template.ipynb"
NB02 = "notebooks/02_medellivslangd_utbildning.ipynb"
NB03 = "notebooks/03_levnadsvanor_enkat.ipynb"


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "nb.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_unknown_key_names_file_line_and_key(tmp_path):
    path = _file(tmp_path, 'lan_code: "20"\ndata_source: demo\nfarg: blå\n')
    with pytest.raises(DataError) as info:
        notebook_params.load_notebook_parameters(path, NB02)
    (problem,) = info.value.problems
    assert problem.row == 3 and problem.file.endswith("nb.yaml")
    assert problem.message.startswith("okänd nyckel 'farg' – anteckningsboken")
    assert "lan_code, data_source" in problem.message


def test_types_codes_and_sources_are_checked_against_the_parameters_cell(tmp_path):
    path = _file(tmp_path, "lan_code: 20\ndata_source: kolada\nvariables: daily_smoking\n")
    with pytest.raises(DataError) as info:
        notebook_params.load_notebook_parameters(
            path, NB03, allowed_sources=("demo", "extrakt"), what="enkätdata"
        )
    messages = {p.row: p.message for p in info.value.problems}
    assert set(messages) == {1, 2, 3}
    assert messages[1].startswith("lan_code: 20 har fel typ – det är heltal (int)")
    assert messages[1].endswith('skriv "20" med citattecken')
    assert messages[2] == (
        "data_source: Datakällan 'kolada' kan inte ge enkätdata. Välj en av: demo, extrakt."
    )
    assert messages[3].endswith("skriv en lista: ['daily_smoking']")


def test_unknown_lan_and_small_min_n(tmp_path):
    path = _file(tmp_path, 'lan_code: "99"\nmin_n: 0\n')
    with pytest.raises(DataError) as info:
        notebook_params.load_notebook_parameters(path, NB03)
    messages = [p.message for p in info.value.problems]
    assert messages == [
        "lan_code: okänd länskod '99' (två siffror, t.ex. \"20\" för Dalarna)",
        "min_n: ska vara ett heltal ≥ 1, inte 0 (minsta antal svarande som får visas)",
    ]
    assert [p.row for p in info.value.problems] == [1, 2]


def test_disclosure_section_is_refused_in_a_notebook_parameter_file(tmp_path):
    # papermill -f would pass `disclosure` on as an unknown parameter and the notebook
    # would use its default min_n = 5: the threshold is the notebook's parameter min_n.
    path = _file(tmp_path, 'lan_code: "20"\ndisclosure: {min_n: 10}\n')
    with pytest.raises(DataError) as info:
        notebook_params.load_notebook_parameters(path, NB03)
    (problem,) = info.value.problems
    assert problem.row == 2
    assert problem.message.startswith(
        "disclosure: röjandekontrollens tröskel anges här på ett enda ställe, som "
        "anteckningsbokens parameter 'min_n: 10'"
    )


def test_valid_file_returns_plain_values_and_extra_checks_run(tmp_path, caplog):
    path = _file(tmp_path, 'lan_code: "20"\nmin_n: 3\nvariables: [good_health]\n')
    with caplog.at_level("WARNING", logger="helpers.config.notebook_params"):
        out = notebook_params.load_notebook_parameters(path, NB03)
    assert out == {"lan_code": "20", "min_n": 3, "variables": ["good_health"]}
    (record,) = caplog.records
    assert record.getMessage() == (
        f"{notebook_params.display_path(path)}: min_n = 3 är lägre än arbetsbokens "
        "standard 5: celler med bara 3 svarande visas. Kontrollera att dataleverantörens "
        "villkor tillåter det."
    )
    assert type(out["variables"]) is list

    def extra(values):
        return [("variables", "för många")] if len(values["variables"]) == 1 else []

    with pytest.raises(DataError, match=r"rad 3: variables: för många"):
        notebook_params.load_notebook_parameters(path, NB03, extra=extra)


def test_run_file_parameters_use_the_same_rules():
    with pytest.raises(DataError) as info:
        notebook_params.validate_parameters(MINI, {"year": "2024", "colour": 1})
    messages = [p.message for p in info.value.problems]
    assert messages[0].startswith("year: '2024' har fel typ – det är text (str), men mallens")
    assert messages[0].endswith("skriv 2024 utan citattecken")
    assert messages[1].startswith("okänd nyckel 'colour' – mallen")
    with pytest.warns(notebook_params.ParamsWarning, match="'2080'"):
        assert notebook_params.validate_parameters(MINI, {"kommun": 2080}) == {"kommun": "2080"}
