"""Sentences that set the report's claims beside the numbers: built from small hand-made tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.stats import survey_compare
from helpers.text import reproduction as rep

NBSP = "\u00a0"


def _plain(lines: list[str]) -> str:
    return " ".join(lines).replace(NBSP, " ")


RANGES = pd.DataFrame(
    {
        "sex": ["kvinnor", "män"],
        "period_label": ["2015–2019", "2015–2019"],
        "n_kommuner": [15, 15],
        "min_name": ["Malung-Sälen", "Älvdalen"],
        "min_value": [82.17, 78.87],
        "max_name": ["Gagnef", "Falun"],
        "max_value": [85.57, 81.87],
        "observed": [3.40, 3.00],
        "lower": [2.79, 2.83],
        "upper": [5.71, 5.76],
        "median": [4.05, 4.02],
        "p_same_ends": [0.239, 0.108],
    }
)


def test_range_sentences_and_verdict() -> None:
    text = _plain(rep.range_sentences(RANGES, 3.0))
    assert (
        "För kvinnor 2015–2019 var skillnaden" in text
        and "3,4 år (Malung-Sälen 82,2 år, Gagnef 85,6 år)" in text
    )
    assert "mellan 2,8 och 5,7 år" in text and "i 24 % av simuleringarna" in text
    assert text.endswith("Påståendet ”ca 3 år” stämmer med referensdata för kvinnor och män.")
    far = RANGES.assign(observed=[6.0, 3.0], lower=[5.0, 2.8], upper=[8.0, 5.8])
    assert _plain(rep.range_sentences(far, 3.0)).endswith(
        "Påståendet ”ca 3 år” stämmer inte för kvinnor med referensdata."
    )


def test_education_sentences_pick_nearest_year() -> None:
    gaps = pd.DataFrame(
        {
            "area_name": "Riket",
            "sex": ["kvinnor"] * 3 + ["män"] * 2,
            "period": [2012, 2016, 2021, 2016, 2021],
            "period_label": ["2012", "2016", "2021", "2016", "2021"],
            "value": [5.2, 5.8, 6.8, 6.2, 5.9],
        }
    )
    text = _plain(
        rep.education_sentences(gaps, {"kvinnor": (5.5, "5,5 år"), "män": (6.0, "drygt 6 år")})
    )
    assert "Rapporten: 5,5 år för kvinnor. Riket" in text
    assert (
        "5,2 år 2012, 5,8 år 2016, 6,8 år 2021. Närmast påståendet: 2012 och 2016 (5,2 år)." in text
    )
    assert "Närmast påståendet: 2021 (5,9 år)." in text


def test_smoking_sentences_count_kommuner() -> None:
    dec, same = survey_compare.VERDICT_DECREASE, survey_compare.VERDICT_NO_CHANGE
    ch = pd.DataFrame(
        {
            "area_code": ["0020", "2080", "2031", "2085"],
            "area_name": ["Region Dalarna", "Falun", "Rättvik", "Ludvika"],
            "area_type": ["region", "kommun", "kommun", "kommun"],
            "period_label_before": "2014",
            "period_label": "2021",
            "value_before": [10.3, 9.45, 8.15, 13.6],
            "ci_lower_before": [9.8, 7.6, 6.4, 11.4],
            "ci_upper_before": [10.8, 11.3, 9.9, 15.8],
            "value_after": [6.65, 5.85, 6.2, np.nan],
            "ci_lower_after": [6.2, 4.3, 4.5, np.nan],
            "ci_upper_after": [7.1, 7.4, 7.9, np.nan],
            "diff_pp": [-3.66, -3.6, -1.95, np.nan],
            "ci_lower_pp": [-4.32, -6.01, -4.39, np.nan],
            "ci_upper_pp": [-2.98, -1.19, 0.49, np.nan],
            "verdict": [dec, dec, same, ""],
            "flag": ["tillförlitlig", "tillförlitlig", "tillförlitlig", "undertryckt"],
        }
    )
    text = _plain(rep.smoking_sentences(ch, "0020"))
    assert (
        "Daglig rökning i Region Dalarna: 10,3 % (9,8–10,8) 2014 och 6,7 % (6,2–7,1) 2021" in text
    )
    assert (
        "−3,7 procentenheter (95 % KI −4,3 till −3,0): statistiskt säkerställd minskning." in text
    )
    assert (
        "I 1 av 2 kommuner är minskningen statistiskt säkerställd; i Rättvik kan förändringen bero på slumpen."
        in text
    )
    assert "Störst minskning: Falun" in text
    table = rep.claims_table(
        RANGES,
        3.0,
        pd.DataFrame(columns=["sex", "value", "period", "period_label", "area_name"]),
        {},
        ch,
        "0020",
    )
    assert (
        len(table) == 3 and "1 av 2 kommuner säkerställd minskning" in table["Referensdata"].iloc[2]
    )
