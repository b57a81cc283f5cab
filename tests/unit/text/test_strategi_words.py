"""Tests for the plain words of the Strategi section (helpers.text.strategi) and its chart gaps."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.plots.scaffold import with_gaps
from helpers.plots.strategi import _with_gaps
from helpers.text import strategi as text


def _plain(s: str) -> str:
    return s.replace("\u00a0", " ")


def test_change_is_shown_in_the_targets_unit():
    # +23 per 100 000 against a target per 1 000: 23 / 100 = 0,23 per 1 000.
    got = _plain(text.change_in_target_unit(23.0, "per 100 000", "per 1000", 0))
    assert got == "+0,23 per 1 000 invånare (+23 per 100 000 inv.)"
    assert _plain(text.change_in_target_unit(2.6, "procent", "pp", 1)) == "+2,6 procentenheter"


def test_target_year_and_stale_values_are_said_plainly():
    assert text.target_year_text(2024, 2022) == (
        "Målet gällde till 2022; här bedöms det med värdet från 2024."
    )
    assert text.target_year_text(2022, 2022) == ""
    assert text.stale_text(2020, 2024) == (
        "Senaste värdet är från 2020, 4 år före rapportåret 2024."
    )
    assert text.stale_text(2024, 2024) == "" and text.stale_text(2020, None) == ""


def test_rank_colour_says_among_how_many():
    assert text.rank_text("grön", 2, 21) == "▲ grön, plats 2 av 21 med värde"
    assert text.rank_text("saknas", float("nan"), float("nan")) == "–"


def test_verdict_words_never_call_an_unknown_margin_certain():
    row = {"comparison": "län", "better": True, "margin": float("nan"), "uncertain": False}
    assert text.verdict_words(row).startswith("bättre än länet, men källan anger ingen osäkerhet")
    row |= {"margin": 2.0}
    assert text.verdict_words(row) == "säkert bättre än länet"
    row |= {"uncertain": True, "comparison": "riket"}
    assert text.verdict_words(row).startswith("inte säkert skild från riket")
    assert text.deviations_heading("län") == "Störst avvikelser från länet"


def test_no_line_across_missing_years():
    line = pd.DataFrame({"period": [2021, 2017, 2018, 2018], "value": [3.0, 1.0, 2.0, 2.0]})
    out = _with_gaps(line)  # one row per period, in order
    assert out["period"].tolist() == [2017, 2018, 2021]
    x, y = with_gaps(out["period"], out["value"])  # what is drawn: a break in the gap
    assert np.isnan(y).tolist() == [False, False, True, False]
    assert x[2] == 2019.5


def test_a_survey_every_other_year_is_one_line():
    # Step 2 is the series' own rhythm: no break, so the line is not cut into points.
    x, y = with_gaps([2016, 2018, 2020, 2024], [1.0, 2.0, 3.0, 4.0])
    assert np.isnan(y).tolist() == [False, False, False, True, False]
