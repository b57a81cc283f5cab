"""Tests for helpers.text.overview: the first screen's title, key messages and definitions."""

from __future__ import annotations

import pandas as pd

from helpers.config import catalogue
from helpers.stats import benchmark as bm
from helpers.text import overview as text

NAMES = {"e0": "Medellivslängd", "rok": "Röker dagligen", "halsa": "Bra hälsa", "reg": "Register"}


def _row(
    indicator,
    sex,
    value,
    bench,
    sig,
    trend=bm.TREND_FLAT,
    better="higher",
    unit="%",
    flag="tillförlitlig",
    lo=0.0,
    hi=100.0,
):
    return {
        "indicator": indicator,
        "sex": sex,
        "period_label": "2020–2024",
        "value": value,
        "benchmark": "län",
        "benchmark_value": bench,
        "min_value": lo,
        "max_value": hi,
        "significance": sig,
        "trend": trend,
        "better": better,
        "decimals": 1,
        "unit": unit,
        "flag": flag,
    }


def _ov():
    return pd.DataFrame(
        [
            _row("e0", "kvinnor", 84.02, 84.11, bm.SAME, bm.TREND_UP, unit="år", lo=83, hi=85),
            _row("e0", "män", 79.97, 81.0, bm.WORSE, unit="år", lo=78, hi=82),
            _row("rok", "totalt", 6.6, 9.0, bm.BETTER, bm.TREND_DOWN, better="lower", lo=5, hi=12),
            _row(
                "halsa", "totalt", 70.0, 76.0, bm.WORSE, bm.TREND_DOWN, lo=60, hi=80, flag="osäker"
            ),
            _row("reg", "totalt", 5.0, 6.0, bm.NOT_COMPARED, bm.TREND_SHORT),
        ]
    )


def test_title_names_the_kommun_and_year():
    assert text.report_title("Falun", 2024) == "Folkhälsoprofil för Falun 2024"


def test_plain_words_for_significance():
    assert text.significance_words(bm.BETTER, "län") == "säkert bättre än länet"
    assert text.significance_words(bm.SAME, "riket") == "inte säkert skild från riket"


def test_key_messages_hand_checked():
    msgs = [m.replace("\u00a0", " ") for m in text.key_messages(_ov(), "Falun", NAMES)]
    assert msgs[0] == (
        "Medellivslängden vid födelsen i Falun är 84,0 år för kvinnor (inte säkert skild från "
        "länet, länet 84,1 år) och 80,0 år för män (säkert sämre än länet, länet 81,0 år) "
        "under 2020–2024."
    )
    assert msgs[1] == (
        "Av de 4 värden för Falun som kan prövas mot länet är 1 säkert bättre, 2 säkert sämre "
        "och 1 inte säkert skilda från länet. 1 värden kan inte prövas (källan anger ingen "
        "osäkerhet eller värdet saknas)."
    )
    # Strength: the only certainly better value. Weakness: the larger gap relative to the
    # county's spread: halsa 6/20 = 0,30 against e0 män 1,03/4 = 0,26.
    assert (
        msgs[2] == "Tydligast bättre än länet: Röker dagligen, 6,6 % mot 9,0 % i länet (2020–2024)."
    )
    assert msgs[3] == "Tydligast sämre än länet: Bra hälsa, 70,0 % mot 76,0 % i länet (2020–2024)."
    # Trends: e0 kvinnor up (better), röker down (better, lower is better), hälsa down (worse).
    assert msgs[4] == (
        "Av 4 tidsserier visar 2 åt det bättre hållet (Medellivslängd (kvinnor) och Röker "
        "dagligen) och 1 åt det sämre hållet (Bra hälsa); övriga visar ingen säker förändring "
        "de senaste åren."
    )
    assert len(msgs) == 5


def test_key_messages_follow_the_numbers():
    ov = _ov()
    ov["significance"] = bm.SAME
    ov["trend"] = bm.TREND_FLAT
    msgs = [m.replace("\u00a0", " ") for m in text.key_messages(ov, "Vansbro", NAMES)]
    assert not any(m.startswith("Tydligast") for m in msgs)
    assert "Ingen av de 5 tidsserierna visar någon säker förändring de senaste åren." in msgs
    assert msgs[-1] == "1 värde är osäkert."
    assert len(msgs) == 4


def test_reliability_message_counts_suppressed():
    ov = _ov()
    ov.loc[4, "flag"] = "undertryckt"
    assert text.reliability_message(ov, NAMES) == (
        "1 värde är osäkert och 1 värde visas inte (för få svarande eller för osäker "
        "skattning): Register."
    )


def test_every_catalogue_indicator_has_a_readers_definition():
    for ind in catalogue.load():
        d = ind.definition
        assert len(d) >= 40 and d.endswith("."), ind.id
        assert "`" not in d, ind.id


def test_definition_html_folds_and_escapes():
    html = text.definition_html(
        [
            {
                "name": "A < B",
                "definition": "Def.",
                "unit": "%",
                "period": "ett år",
                "source": "Kolada",
                "flag": "för få svarande",
            }
        ]
    )
    assert html.startswith("<details><summary><b>A &lt; B</b></summary>")
    assert "Flaggan ”osäker” betyder här: för få svarande." in html
