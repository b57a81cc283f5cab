"""Tests for helpers.text.narrative: exact Swedish sentences for hand-computed cases."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.core.errors import DataError
from helpers.core.fmt import NBSP
from helpers.stats import lifeexp
from helpers.text import narrative, phrases
from unit.stats.test_lifeexp import hand_table

Å = f"{NBSP}år"  # numbers and unit are joined by a non-breaking space


@pytest.fixture
def table() -> pd.DataFrame:
    return hand_table()


@pytest.mark.parametrize(
    ("n", "text"),
    [(1, "1:a"), (2, "2:a"), (3, "3:e"), (4, "4:e"), (11, "11:e"), (12, "12:e"), (21, "21:a")],
)
def test_ordinal(n, text):
    assert phrases.ordinal(n) == text


def test_compare_sentence(table):
    c = lifeexp.compare_areas(table, "2080")
    assert narrative.compare_sentence(c, "kvinnor", 2024) == (
        f"I Falun var medellivslängden för kvinnor 84,7{Å} 2020–2024, "
        f"0,3{Å} högre än i länet och 0,1{Å} högre än i riket."
    )
    assert narrative.compare_sentence(c, "män", 2024) == (
        f"I Falun var medellivslängden för män 81,0{Å} 2020–2024, "
        f"0,1{Å} lägre än i länet och 0,5{Å} lägre än i riket."
    )


def test_compare_sentence_equal_uncertain_and_missing(table):
    t = table.copy()
    t.loc[(t["area_code"] == "0020") & (t["period"] == 2024) & (t["sex"] == "kvinnor"), "value"] = (
        84.68
    )
    c = lifeexp.compare_areas(t, "2080")
    assert narrative.compare_sentence(c, "kvinnor", 2024) == (
        f"I Falun var medellivslängden för kvinnor 84,7{Å} 2020–2024, "
        f"ungefär lika hög som i länet och 0,1{Å} högre än i riket."
    )
    b = lifeexp.compare_areas(table, "2081")
    assert narrative.compare_sentence(b, "män", 2024) == (
        f"I Borlänge var medellivslängden för män 79,8{Å} 2020–2024, "
        f"1,3{Å} lägre än i länet och 1,7{Å} lägre än i riket. "
        "Värdet är en osäker skattning och bör läsas med försiktighet."
    )
    assert narrative.compare_sentence(b, "män", 2023) == (
        "För Borlänge saknas värde för medellivslängden för män 2019–2023."
    )


def test_range_sentence(table):
    r = lifeexp.county_range(table)
    assert narrative.range_sentence(r, "kvinnor", 2024) == (
        f"Skillnaden mellan länets kommuner var 3,1{Å} för kvinnor 2020–2024, "
        f"från 82,1{Å} i Vansbro till 85,2{Å} i Mora."
    )
    assert narrative.range_sentence(r, "kvinnor", 2023) == (
        f"Skillnaden mellan länets kommuner var 1,4{Å} för kvinnor 2019–2023, "
        f"från 83,5{Å} i Borlänge till 84,9{Å} i Mora. "
        "1 kommun (Vansbro) saknar värde och ingår inte."
    )
    assert narrative.range_sentence(r, "män", 2024) == (
        f"Skillnaden mellan länets kommuner var 3,1{Å} för män 2020–2024, "
        f"från 79,8{Å} i Borlänge till 82,9{Å} i Mora. 1 kommun har osäkra skattningar."
    )


def test_range_sentence_too_few_values(table):
    r = lifeexp.county_range(table[table["area_code"].isin(["2080", "2021"])])
    assert narrative.range_sentence(r, "kvinnor", 2023) == (
        "För kvinnor 2019–2023 har färre än två av länets kommuner ett värde, "
        "så ingen skillnad kan beräknas. 1 kommun (Vansbro) saknar värde och ingår inte."
    )


def test_range_change_sentence(table):
    r = lifeexp.county_range(table)
    assert narrative.range_change_sentence(r, "kvinnor", 2023, 2024) == (
        f"För kvinnor ökade skillnaden mellan länets kommuner från 1,4{Å} 2019–2023 "
        f"till 3,1{Å} 2020–2024."
    )
    # män: 2,0 (2023) -> 3,1 (2024)
    assert "män ökade" in narrative.range_change_sentence(r, "män", 2023, 2024)


def test_rank_sentence(table):
    rank = lifeexp.kommun_rank(table, "2080")
    assert narrative.rank_sentence(rank, "kvinnor", 2024) == (
        "Falun hade den 2:a längsta medellivslängden för kvinnor av länets 4 kommuner 2020–2024."
    )
    assert narrative.rank_sentence(rank, "kvinnor", 2023) == (
        "Falun hade den 2:a längsta medellivslängden för kvinnor av länets 3 kommuner "
        "2019–2023. 1 kommun utan värde ingår inte."
    )
    mora = lifeexp.kommun_rank(table, "2062")
    assert narrative.rank_sentence(mora, "män", 2024) == (
        "Mora hade den längsta medellivslängden för män av länets 4 kommuner 2020–2024."
    )
    vansbro = lifeexp.kommun_rank(table, "2021")
    assert narrative.rank_sentence(vansbro, "kvinnor", 2024) == (
        "Vansbro hade den kortaste medellivslängden för kvinnor av länets 4 kommuner 2020–2024."
    )
    assert narrative.rank_sentence(vansbro, "kvinnor", 2023) == (
        "För Vansbro saknas värde för kvinnor 2019–2023, så kommunen kan inte rangordnas."
    )


def test_change_sentence(table):
    ch = lifeexp.change(table)
    assert narrative.change_sentence(ch, "2080", "kvinnor") == (
        f"I Falun ökade medellivslängden för kvinnor från 84,5{Å} 2019–2023 "
        f"till 84,7{Å} 2020–2024, en ökning med 0,2{Å}."
    )
    assert narrative.change_sentence(ch, "0000", "män") == (
        f"I riket ökade medellivslängden för män från 81,3{Å} 2019–2023 "
        f"till 81,5{Å} 2020–2024, en ökning med 0,2{Å}."
    )
    assert narrative.change_sentence(ch, "2021", "kvinnor") == (
        "I Vansbro kan förändringen för kvinnor mellan 2019–2023 och 2020–2024 inte beräknas "
        "(värde saknas)."
    )


def test_change_sentence_decrease_and_unchanged(table):
    t = table.copy()
    sel = (t["area_code"] == "2062") & (t["sex"] == "män") & (t["period"] == 2024)
    t.loc[sel, "value"] = 81.5  # Mora män 82,0 -> 81,5
    ch = lifeexp.change(t)
    assert narrative.change_sentence(ch, "2062", "män") == (
        f"I Mora minskade medellivslängden för män från 82,0{Å} 2019–2023 "
        f"till 81,5{Å} 2020–2024, en minskning med 0,5{Å}."
    )
    t.loc[sel, "value"] = 82.03
    ch = lifeexp.change(t)
    assert narrative.change_sentence(ch, "2062", "män") == (
        f"I Mora var medellivslängden för män i stort sett oförändrad, "
        f"82,0{Å} 2019–2023 och 82,0{Å} 2020–2024."
    )


def test_as_markdown():
    assert narrative.as_markdown(["A.", "", "B."]) == "- A.\n- B."
    assert narrative.as_markdown(["A.", "B."], bullets=False) == "A. B."


def test_unknown_slice_raises(table):
    with pytest.raises(DataError):
        narrative.range_sentence(lifeexp.county_range(table), "kvinnor", 1999)
