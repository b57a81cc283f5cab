"""Tests for helpers.text.workshop: workshop sentences that follow the numbers."""

from __future__ import annotations

from helpers.text import workshop


def _plain(s: str) -> str:
    return s.replace("\u00a0", " ")


def test_weighting_that_barely_moves_the_share_says_so():
    # The case from issue 13: 6,06 % unweighted against 6,12 % weighted.
    got = _plain(workshop.weighting_sentence("Dalarna", 2024, 6.06, 6.12, expected="up"))
    assert got == (
        "I Dalarna 2024 ändrade vikterna andelen knappt: oviktat 6,1 %, viktat 6,1 % "
        "(skillnad 0,06 procentenheter). Vikterna gör alltså nästan ingen skillnad här."
    )
    assert "väntar sig" not in got


def test_weighting_direction_against_expectation():
    up = _plain(workshop.weighting_sentence("Falun", 2020, 9.0, 10.5, expected="up", why="x"))
    assert up == (
        "I Falun 2020 höjde vikterna andelen från 9,0 % till 10,5 % (1,5 procentenheter) "
        "– åt det håll man väntar sig, eftersom x."
    )
    down = _plain(workshop.weighting_sentence("Falun", 2020, 9.0, 8.5, expected="up"))
    assert down.endswith(
        "sänkte vikterna andelen från 9,0 % till 8,5 % (0,5 procentenheter) "
        "– åt motsatt håll mot vad man väntar sig."
    )


def test_period_change_within_chance_and_certain():
    row = {"diff_pp": -1.5, "ci_lower_pp": -4.2, "ci_upper_pp": 1.2}
    assert _plain(workshop.period_change_sentence("Falun", 2016, 2020, row)) == (
        "I Falun minskade andelen med 1,5 procentenheter mellan 2016 och 2020; minskningen "
        "ryms inom vad slumpen i urvalet kan ge (95 % konfidensintervall −4,2 till 1,2 "
        "procentenheter)."
    )
    row = {"diff_pp": 4.0, "ci_lower_pp": 1.0, "ci_upper_pp": 7.0}
    assert "ökade andelen med 4,0 procentenheter" in _plain(
        workshop.period_change_sentence("Vansbro", 2012, 2024, row)
    )
    assert "slumpen i urvalet inte kan förklara den" in workshop.period_change_sentence(
        "Vansbro", 2012, 2024, row
    )
    row = {"diff_pp": 0.05, "ci_lower_pp": -3.0, "ci_upper_pp": 3.1}
    assert "ändrades andelen knappt" in workshop.period_change_sentence("A", 2016, 2020, row)
