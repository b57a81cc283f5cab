"""The SCB lock file: pinned PxWebApi 2.0 ids, checked against the search endpoint."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers.core.errors import DataError, SourceError
from helpers.report import mortality as report_mortality
from helpers.sources import mortality_counts, mortality_education, scb_tables

REPO = Path(__file__).resolve().parents[3]


def search_rows(*rows: tuple[str, str, str]) -> pd.DataFrame:
    """Rows as ScbClient.search_tables returns them: (id, label, updated)."""
    return pd.DataFrame(
        [{"id": i, "label": label, "updated": u, "discontinued": False} for i, label, u in rows]
    )


DEATHS = ("TAB960", "Döda efter region, ålder (uppnådd ålder under året), kön och år", "2026-03-20")
POP = ("TAB638", "Folkmängden efter region, civilstånd, ålder och kön. År 1968-2024", "2026-02-21")
POP25 = ("TAB5557", "Folkmängden efter region, civilstånd, ålder och kön. År 2025", "2026-02-21")
E30 = (
    "TAB4879",
    "Återstående medellivslängd vid 30 år efter utbildningsnivå, region och kön",
    "2025-10-01",
)


def test_shipped_lock_pins_the_three_tables_unconfirmed():
    lock = scb_tables.read_lock(REPO / scb_tables.LOCK_FILE)
    assert {k: p.id for k, p in lock.items()} == {
        "deaths": "TAB960",
        "population": "TAB638",
        "e30_education_lan": "TAB4879",
    }
    # written without internet: no date is claimed until a fetch confirms it
    assert all(p.updated is None for p in lock.values())
    assert lock["e30_education_lan"].v1 == "START/BE/BE0701/LivslUtbLan"
    text = (REPO / scb_tables.LOCK_FILE).read_text(encoding="utf-8")
    assert "antagen" in text and "Inget av de tre id:na kommer från ett inspelat svar" in text


def test_the_loaders_use_the_pinned_ids(monkeypatch):
    assert mortality_counts.scb_count_table_ids() == {"deaths": "TAB960", "population": "TAB638"}
    assert mortality_counts.unavailable_reason("scb") == ""
    assert report_mortality.unavailable_section("scb") is None  # the section is no longer refused
    assert report_mortality.unavailable_section("kolada") is not None  # Kolada has no counts
    assert mortality_education.e30_table_id() == "TAB4879"
    monkeypatch.setattr(scb_tables, "LOCK_FILE", "/finns/inte/scb_tables.lock.yaml")
    assert mortality_counts.scb_count_table_ids() == {"deaths": None, "population": None}
    assert "inte låsta" in report_mortality.unavailable_section("scb").sentences[0]
    reason = mortality_counts.unavailable_reason("scb")
    assert "scb_tables.lock.yaml" in reason and "make fetch" in reason


def test_first_search_pins_one_match_per_table():
    found = {
        "deaths": search_rows(DEATHS, E30),
        "population": search_rows(POP, DEATHS),
        "e30_education_lan": search_rows(E30, POP),
    }
    check = scb_tables.check_against_search({}, found, searched_on="2026-12-06")
    assert not check.changed and len(check.added) == 3
    assert check.pins["population"].id == "TAB638"
    assert check.pins["population"].updated == "2026-02-21"
    assert check.pins["population"].basis == "sökning 2026-12-06"
    assert check.pins["e30_education_lan"].query == scb_tables.SPECS["e30_education_lan"].query


def test_an_ambiguous_search_is_refused_not_guessed():
    found = {"population": search_rows(POP, POP25)}
    with pytest.raises(SourceError, match=r"gav 2 tabeller.*TAB638.*TAB5557"):
        scb_tables.check_against_search({}, found)


def test_confirming_an_assumed_pin_fills_date_and_title():
    lock = scb_tables.read_lock(REPO / scb_tables.LOCK_FILE)
    check = scb_tables.check_against_search(
        lock, {"population": search_rows(POP25, POP)}, searched_on="2026-12-06"
    )
    assert not check.changed
    assert check.added == [
        "TAB638 (folkmängd 31 december efter region, ålder och kön): bekräftad, "
        "uppdaterad 2026-02-21."
    ]
    assert check.pins["population"].updated == "2026-02-21"
    assert check.pins["population"].title == POP[1]


def test_an_assumed_id_whose_title_does_not_fit_is_reported():
    lock = scb_tables.read_lock(REPO / scb_tables.LOCK_FILE)
    wrong = ("TAB960", "Födda efter region och kön", "2026-01-01")
    check = scb_tables.check_against_search(lock, {"deaths": search_rows(wrong)})
    assert len(check.changed) == 1 and "saknar döda" in check.changed[0]


def test_a_changed_date_or_a_vanished_table_is_reported(tmp_path):
    pins = {
        "population": scb_tables.PinnedTable("population", "TAB638", POP[1], "2026-02-21"),
        "deaths": scb_tables.PinnedTable("deaths", "TAB960", DEATHS[1], "2026-03-20"),
    }
    newer = (POP[0], POP[1], "2027-02-20")
    check = scb_tables.check_against_search(
        pins, {"population": search_rows(newer), "deaths": search_rows(POP)}
    )
    assert check.changed == [
        "TAB638 (folkmängd 31 december efter region, ålder och kön): uppdaterad av SCB "
        "2027-02-20, låst version 2026-02-21.",
        "TAB960 (döda efter region, ålder och kön (ettårsklasser, per år)): SCB:s sökning "
        "efter 'döda region ålder kön' hittar inte längre tabellen (borttagen, avslutad "
        "eller bytt id).",
    ]
    assert check.pins["population"].updated == "2027-02-20"  # written only with --update-lock
    same = scb_tables.check_against_search(pins, {"population": search_rows(POP)})
    assert not same.changed and not same.added


def test_write_and_read_back(tmp_path):
    path = tmp_path / "lock.yaml"
    pins = {"e30_education_lan": scb_tables.PinnedTable("e30_education_lan", *E30[:2], E30[2])}
    scb_tables.write_lock(pins, path)
    assert scb_tables.read_lock(path) == {
        "e30_education_lan": scb_tables.PinnedTable(
            "e30_education_lan", "TAB4879", E30[1], "2025-10-01"
        )
    }
    assert path.read_text(encoding="utf-8").startswith("# SCB-tabeller")
    assert scb_tables.read_lock(tmp_path / "saknas.yaml") == {}


def test_a_broken_lock_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "lock.yaml"
    path.write_text("tables:\n  deaths: {id: BE0101D9}\n  okänd: {id: TAB1}\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        scb_tables.read_lock(path)
    text = str(err.value)
    assert "lock.yaml" in text and "'deaths': id ska vara 'TAB'" in text
    assert "okänd tabell 'okänd'" in text
