"""Tests for the Swedish texts of the Strategi remarks (helpers.text.strategi)."""

from __future__ import annotations

import pandas as pd

from helpers.stats import strategi
from helpers.text import strategi as text_strategi


def test_every_remark_code_has_a_text():
    assert set(text_strategi._REMARK_TEXTS) == set(strategi.REMARKS)


def test_remark_texts_are_the_swedish_sentences_of_before():
    assert text_strategi.remark_text("no_kpi", {}) == (
        "Ingen KPI i Kolada motsvarar målet (mapping: missing)."
    )
    assert text_strategi.remark_text(
        "baseline_missing",
        {"year": 2017, "area_name": "Falun", "kpi": "N00006", "sex": "totalt", "first_year": 2019},
    ) == ("Basåret 2017 saknar värde för Falun (KPI N00006, totalt); första år med värde är 2019.")
    assert text_strategi.remark_text(
        "baseline_missing",
        {"year": 2017, "area_name": "Falun", "kpi": "N00006", "sex": "män", "first_year": None},
    ) == ("Basåret 2017 saknar värde för Falun (KPI N00006, män).")
    assert text_strategi.remark_text(
        "target_wrong_direction", {"kpi": "N00011", "target": 2.0, "direction": "lower"}
    ) == ("Målet +2 går åt fel håll: för KPI N00011 är lägre bättre.")
    assert text_strategi.remark_text(
        "target_in_pp_not_share", {"kpi": "N00007", "target_unit": "pp", "unit": "per 100 000"}
    ) == (
        "Målet anges i procentenheter men KPI N00007 är inte en andel (den mäts i antal per "
        "100 000 invånare); förändringen kan inte jämföras med målet."
    )
    assert text_strategi.remark_text(
        "uncertainty_mismatch",
        {"kpi": "U1", "found_id": None, "found_title": None, "uncertainty_kpi": "U2"},
    ) == ("Osäkerhetstalet vars titel matchar KPI U1 är inget, inte U2.")


def test_with_status_texts_joins_remarks_and_keeps_empty_as_empty():
    status = pd.DataFrame(
        {
            "messages": [[], [("kpi_not_in_data", {"kpi": "N1"})]],
            "notes": [
                [
                    ("region_level", {"area_name": "Region Dalarna"}),
                    ("no_value_after_baseline", {}),
                ],
                [],
            ],
        }
    )
    out = text_strategi.with_status_texts(status)
    assert out["message"].tolist() == [
        "",
        "Data saknar helt KPI N1 – okänt id i Kolada eller inte hämtad; kontrollera "
        "strategi_for_halsa.yaml.",
    ]
    assert out["note"].tolist() == [
        "Följs på regionnivå: värdet avser Region Dalarna. Inget värde efter basåret.",
        "",
    ]
    assert "message" not in status.columns  # a copy
