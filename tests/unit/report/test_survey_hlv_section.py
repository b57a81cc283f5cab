"""The survey section on Region Dalarna's HLV spreadsheet, and the run-file ``survey`` parameter."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.config import survey_input
from helpers.core import indicators
from helpers.core.errors import DataError
from helpers.report import survey as report_survey
from helpers.text import survey as survey_text

SPEC = {
    "kind": "hlv_aggregated",
    "reference": "fohm_hlv/HLV_Dalarna_2014_2018_2021.xlsx",
    "map": "params/survey_hlv_dalarna.yaml",
}


def test_survey_parameter_problems(tmp_path: Path) -> None:
    assert survey_input.problems({}) == []
    found = survey_input.problems({"kind": "hlv", "file": "finns/inte.xlsx", "karta": "x"})
    text = "\n".join(found)
    assert "survey.karta: okänd nyckel" in text
    assert "survey.kind: 'hlv' är ingen känd enkättyp" in text
    assert "survey.file: filen 'finns/inte.xlsx' finns inte" in text
    assert "survey.map: saknas" in text
    both = survey_input.problems(
        {
            "kind": "hlv_aggregated",
            "file": "a",
            "reference": "b",
            "map": "params/survey_hlv_dalarna.yaml",
        }
    )
    assert any("exakt en av file" in m for m in both)
    with pytest.raises(DataError):
        survey_input.resolve({"kind": "hlv_aggregated"})


def test_section_on_dalarna_hlv(reference_dir: Path) -> None:
    sec = report_survey.survey_section(
        "2080", "demo", ["daily_smoking"], 5, survey=SPEC, figures=False
    )
    assert sec.available and sec.period_label == "2021"
    facts = sec.facts
    indicators.validate(facts)
    falun = facts[
        (facts["area_code"] == "2080") & (facts["sex"] == "totalt") & (facts["group"] == "alla")
    ]
    assert falun.set_index("period")["value"].to_dict() == {2014: 9.45, 2021: 5.85}
    row = falun[falun["period"] == 2021].iloc[0]
    assert (row["ci_lower"], row["ci_upper"]) == (
        4.3,
        7.4,
    )  # the spreadsheet's "4.3 - 7.4", Andel 6
    assert set(facts["indicator"]) == {"daglig_rokning"}
    text = " ".join(sec.sentences).replace("\u00a0", " ")
    assert "Falun 2021: 5,8 % (4,3–7,4). Jämfört med länet: likartad" in text
    assert (
        "förändringen 2014–2021 är −3,6 procentenheter" in text
        and "statistiskt säkerställd minskning" in text
    )
    assert survey_text.NO_COUNTS_IN_SOURCE in sec.sentences
    assert "röjandekontroll" not in text  # counts are absent from the source, not hidden by us
    report_survey.check_section(sec, 5)
    # Rättvik's fall (8,2 → 6,2) is within chance
    sec_r = report_survey.survey_section(
        "2031", "demo", ["daily_smoking"], 5, survey=SPEC, figures=False
    )
    assert "ingen statistiskt säkerställd förändring" in " ".join(sec_r.sentences)
