import matplotlib.pyplot as plt
import pytest

from helpers.core import indicators
from helpers.core.errors import DataError
from helpers.core.fmt import SYNTHETIC_LABEL
from helpers.report import strategi as sections_strategi
from helpers.report.section import Section
from helpers.stats import strategi


def test_strategi_section_for_falun(tmp_root):
    sec = sections_strategi.strategi_section("2080", "demo")
    assert isinstance(sec, Section) and sec.title == "Strategi för hälsa"
    table = sec.tables["status"]
    # one display row per goal KPI (totalt) – all 22 goals are listed
    assert {int(str(m).rstrip("ab")) for m in table["Mål"]} == set(range(1, 23))
    assert {"Mål", "Indikator"} <= set(table.columns)
    assert sec.sentences and all("Falun" in s for s in sec.sentences)
    assert all(".0)" not in s for s in sec.sentences)  # years printed as integers
    figure = sec.figures["mål"]
    texts = [t.get_text() for t in figure.findobj(match=lambda a: hasattr(a, "get_text"))]
    assert any(SYNTHETIC_LABEL in t for t in texts)
    plt.close(figure)
    # the status is exactly what strategi.goal_status says for the kommun
    goals, prepared, _groups, _ranks = sections_strategi.prepared("demo")
    direct = strategi.goal_status(prepared, goals, "2080")
    shown = direct[
        direct["sex"].eq("totalt") | direct["kpi"].isin(strategi.single_sex_kpis(direct))
    ]
    assert [s.split(" ", 1)[1] for s in table["Status"]] == shown["status"].tolist()
    # messages are Swedish strings naming the goal
    assert sec.messages and all(m.startswith("Mål ") for m in sec.messages)
    assert any("Mål 1:" in m and "mapping: missing" in m for m in sec.messages)


def test_facts_are_the_rows_behind_the_shown_numbers(tmp_root):
    sec = sections_strategi.strategi_section("2080", "demo", with_figure=False)
    facts = sec.facts
    assert list(facts.columns) == list(indicators.COLUMNS)
    assert not facts.duplicated(["indicator", "area_code", "sex", "period", "group"]).any()
    goals, prepared, _groups, _ranks = sections_strategi.prepared("demo")
    status = strategi.goal_status(prepared, goals, "2080").set_index(["kpi", "sex"])
    # the baseline and latest value of a goal KPI in the table are facts, with the same value
    row = status.loc[("N15428", "totalt")]
    for year, value in (
        (row["baseline_year"], row["baseline"]),
        (row["latest_year"], row["latest"]),
    ):
        fact = facts[
            (facts["indicator"] == "N15428")
            & (facts["area_code"] == "2080")
            & (facts["sex"] == "totalt")
            & (facts["period"] == int(year))
        ]
        assert fact["value"].tolist() == [value]
    # a region-level goal: the fact is the region's value
    assert set(facts.loc[facts["indicator"] == "N80401", "area_code"]) == {"0020"}
    # life expectancy (goal 19) is shown per sex, as Kolada's N00925/N00923
    assert set(facts.loc[facts["indicator"] == "N00925", "sex"]) == {"kvinnor"}


def test_without_figure_is_lighter(tmp_root):
    sec = sections_strategi.strategi_section("2085", "demo", with_figure=False, top=3)
    assert sec.figures == {}
    assert len(sec.sentences) <= 3


def test_a_source_that_cannot_serve_the_goals_is_refused(tmp_root):
    with pytest.raises(DataError, match="Datakällan 'scb' kan inte ge nyckeltalen för Strategi"):
        sections_strategi.strategi_section("2080", "scb")


def test_reference_data_without_strategi_values_say_so(tmp_root, tmp_path, monkeypatch):
    # referens reads ../shared/reference/kolada/strategi_ddf (A69); without the folder the
    # section says so instead of stopping the Dalarna reproduction
    monkeypatch.setenv("FOLKHALSA_REFERENCE", str(tmp_path / "saknas"))
    section = sections_strategi.strategi_section("2080", "referens")
    assert not section.available and section.tables["status"].empty
    assert "saknar referensfilerna för Strategi för hälsas nyckeltal" in section.sentences[0]
