"""Tests for helpers.text.phrases and the sentence builders that replaced notebook prose."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.core import indicators
from helpers.text import life_table, narrative, phrases

NB = "\u00a0"


def test_relative_and_area_phrases():
    assert phrases.relative(0.31, "i länet") == f"0,3{NB}år högre än i länet"
    assert phrases.relative(-1.26, "i riket") == f"1,3{NB}år lägre än i riket"
    assert phrases.relative(0.04, "i länet") == "ungefär lika hög som i länet"
    assert (
        phrases.relative(0.0, "i länet", "ungefär lika högt som") == "ungefär lika högt som i länet"
    )
    assert phrases.in_area(pd.Series({"area_type": "riket", "area_name": "Riket"})) == "I riket"
    assert phrases.in_area(pd.Series({"area_type": "kommun", "area_name": "Falun"})) == "I Falun"
    assert phrases.count_kommuner(1) == "1 kommun" and phrases.count_kommuner(15) == "15 kommuner"
    assert phrases.missing(np.nan) and phrases.missing(None) and not phrases.missing(0.0)


def test_span_sentence_names_first_and_last_period():
    table = pd.DataFrame(
        {
            "period": [2024, 2014, 2019, 2024],
            "period_label": ["2020–2024", "2010–2014", "2015–2019", "2020–2024"],
        }
    )
    assert (
        narrative.span_sentence(table) == "Data täcker 3 perioder, från 2010–2014 till 2020–2024."
    )
    assert narrative.span_sentence(table.iloc[:1]) == "Data täcker en period, 2020–2024."
    assert narrative.span_sentence(table.iloc[:0]) == ""


def test_flags_sentence_counts_flags_and_names_smallest_and_widest():
    rows = []
    for name, py, lo, hi, flag in [
        ("Stor", 500_000, 82.0, 83.0, indicators.FLAG_OK),
        ("Liten", 25_000, 78.0, 86.0, indicators.FLAG_UNCERTAIN),
        ("Mellan", 100_000, 80.0, 83.0, indicators.FLAG_OK),
    ]:
        rows.append(
            {"area_type": "kommun", "area_name": name, "indicator": "e0", "sex": "män",
             "period": 2024, "period_label": "2020–2024", "denominator": py,
             "value": (lo + hi) / 2, "ci_lower": lo, "ci_upper": hi, "flag": flag}
        )  # fmt: skip
    table = pd.DataFrame(rows)
    text = life_table.flags_sentence(table, 2024)
    assert text.startswith("1 av 3 kommunvärden är osäkra eller undertryckta.")
    assert f"Liten (5{NB}000 invånare i genomsnitt), Mellan (20{NB}000" in text
    assert text.endswith("Bredast konfidensintervall har Liten (e0, män: 8,0 år).")
    ok = table.assign(flag=indicators.FLAG_OK)
    assert life_table.flags_sentence(ok, 2024).startswith("Inget av länets 3 kommunvärden")
