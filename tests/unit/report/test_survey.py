"""Tests for helpers.report.survey and notebook 03 (run with papermill on demo data and on an own extract)."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import nbformat
import nbrun
import pytest
import yaml

from helpers.core import indicators
from helpers.core.errors import DataError
from helpers.core.fmt import SYNTHETIC_LABEL
from helpers.report import survey as sections_survey
from helpers.report import survey_analysis as survey_report
from helpers.report.section import Section
from helpers.sources import survey_data as data_survey
from helpers.text import survey as survey_text
from unit.sources.test_survey_data import write_own_extract

REPO = Path(__file__).resolve().parents[3]
NOTEBOOK = REPO / "notebooks" / "03_levnadsvanor_enkat.ipynb"
SMALL = re.compile(r"n = [1-4](?![\d\u00a0])")


@pytest.fixture(autouse=True)
def _fresh():
    data_survey.clear_memo()
    sections_survey.clear_memo()
    yield
    data_survey.clear_memo()
    sections_survey.clear_memo()
    plt.close("all")


def figure_texts(section: Section) -> str:
    return "\n".join(
        t.get_text()
        for fig in section.figures.values()
        for t in fig.findobj(matplotlib.text.Text)
        if t.get_text()
    )


def test_section_for_a_kommun(tmp_root):
    before = plt.get_fignums()
    sec = sections_survey.survey_section("2080", "demo", ["daily_smoking"], 5)
    assert (
        isinstance(sec, Section) and sec.available and sec.title == "Levnadsvanor i Falun (enkät)"
    )
    assert list(sec.figures) == [
        "daily_smoking_kommuner",
        "daily_smoking_grupper",
        "daily_smoking_forandring",
        "daily_smoking_karta",
    ]
    assert plt.get_fignums() == before  # plain Figures: nothing left open in pyplot
    t = sec.tables["enkät"]
    assert t["Indikator"].unique().tolist() == ["Röker dagligen"]
    assert t["Område"].tolist()[:2] == ["Riket", "Region Dalarna"]
    falun = t[t["Område"] == "Falun"]
    assert falun["Kön"].tolist()[:3] == ["Totalt", "Kvinnor", "Män"]
    # Suppressed rows: empty value, a reason.
    hidden = t[t["Flagga"] == indicators.FLAG_SUPPRESSED]
    assert (hidden["Andel, % (95\u00a0% KI)"] == "").all()
    assert (hidden["Förklaring"] != "").all()
    sections_survey.check_section(sec, 5)
    text = " ".join(sec.sentences)
    assert "Falun 2024" in text and "Jämfört med länet" in text and "jämfört med riket" in text
    assert "Röker dagligen, Falun: förändringen 2020–2024" in text
    assert "I Region Dalarna som helhet" in text
    assert text.count("Färgen visar bara") == 1
    assert sec.markdown().endswith(f"*{SYNTHETIC_LABEL}.*")
    # Facts: the catalogue's id, every shown number, nothing on suppressed rows.
    facts = sec.facts
    indicators.validate(facts)
    assert set(facts["indicator"]) == {"daglig_rokning"}
    assert {"2080", "0020", "0000"} <= set(facts["area_code"])
    shown = facts[indicators.usable(facts)]
    assert (shown["n"] >= 5).all() and shown["value"].notna().all()
    hidden_facts = facts[~indicators.usable(facts)]
    assert hidden_facts[["value", "ci_lower", "ci_upper", "numerator", "n"]].isna().all().all()
    falun_total = shown[
        (shown["area_code"] == "2080") & (shown["sex"] == "totalt") & (shown["group"] == "alla")
    ]
    assert set(falun_total["period"]) == {2020, 2024}  # the change's two periods
    assert not SMALL.search(figure_texts(sec))
    assert SYNTHETIC_LABEL in figure_texts(sec)


def test_section_numbers_agree_with_survey_report(tmp_root):
    sec = sections_survey.survey_section("2085", "demo", ["daily_smoking"], 5, figures=False)
    data = data_survey.survey_microdata("demo")
    est = survey_report.estimate_variable(data.microdata, "daily_smoking", source=data.source)
    ch = survey_report.change_table(est, 2020, 2024)
    expected = survey_text.change_sentence(
        ch, "2085", label="Röker dagligen", variable="daily_smoking"
    )
    assert expected in sec.sentences
    assert sec.figures == {}


def test_second_section_reuses_the_county_estimates(tmp_root, monkeypatch):
    sections_survey.survey_section("2080", "demo", ["daily_smoking"], 5, figures=False)

    def fail(*args, **kwargs):
        raise AssertionError("estimated again")

    monkeypatch.setattr(survey_report, "estimate_variable", fail)
    monkeypatch.setattr(survey_report, "kommun_comparison", fail)
    sec = sections_survey.survey_section("2062", "demo", ["daily_smoking"], 5, figures=False)
    assert sec.title == "Levnadsvanor i Mora (enkät)" and sec.available
    # A different threshold is a different analysis.
    with pytest.raises(AssertionError, match="estimated again"):
        sections_survey.survey_section("2062", "demo", ["daily_smoking"], 10, figures=False)


def test_several_variables_and_a_higher_threshold(tmp_root):
    sec = sections_survey.survey_section(
        2081, "demo", ["daily_smoking", "good_health"], min_n=30, figures=True
    )
    assert "2081" in set(sec.facts["area_code"])
    assert set(sec.tables["enkät"]["Indikator"]) == {
        "Röker dagligen",
        "Bra eller mycket bra självskattad hälsa",  # the catalogue's name, not the map's label
    }
    assert set(sec.facts["indicator"]) == {"daglig_rokning", "bra_halsa"}
    assert len(sec.figures) == 8
    sections_survey.check_section(sec, 30)
    assert not re.search(r"n = ([1-9]|[12]\d)(?![\d\u00a0])", figure_texts(sec))


def test_sections_without_data(tmp_root):
    sec = sections_survey.survey_section("2080", "kolada")
    assert not sec.available and sec.figures == {} and sec.tables == {} and sec.facts.empty
    assert "Datakällan 'kolada' kan inte ge enkätdata" in sec.sentences[0]
    sec = sections_survey.survey_section("0180", "demo")
    assert not sec.available and "Stockholm finns inte i enkätextraktet" in sec.sentences[0]
    with pytest.raises(DataError, match="snus"):
        sections_survey.survey_section("2080", "demo", ["snus"])
    with pytest.raises(DataError):
        sections_survey.survey_section("9999", "demo")


def test_section_on_an_own_extract(tmp_root):
    csv, vmap = write_own_extract(tmp_root / "data" / "egna")
    sec = sections_survey.survey_section(
        "2080",
        "extrakt",
        ["daily_smoking", "snus"],
        5,
        variable_map=vmap,
        extract_path=csv,
        figures=False,
    )
    assert sec.available and sec.source == "Källa: Testregionens levnadsvaneenkät"
    assert set(sec.tables["enkät"]["Indikator"]) == {"Röker dagligen", "Snusar dagligen"}
    assert set(sec.facts["indicator"]) == {"daglig_rokning", "snus"}  # snus: not in the catalogue
    assert "Riket" not in set(
        sec.tables["enkät"]["Område"]
    )  # a one-county extract says nothing of Sweden
    assert any("Jämförelse med riket saknas" in s for s in sec.sentences)


# -- notebook 03 -----------------------------------------------------------------------------
def _run(out: Path, parameters: dict, monkeypatch) -> tuple[str, int, list[str]]:
    import papermill

    monkeypatch.delenv("MPLBACKEND", raising=False)
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(out),
        parameters=parameters,
        kernel_name="python3",
        progress_bar=False,
        cwd=str(NOTEBOOK.parent),
    )
    return nbrun.outputs(nbformat.read(out, as_version=4))


def test_notebook_structure():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.cells[0].source.startswith("# ")
    header = "\n".join(c.source for c in nb.cells[:3] if c.cell_type == "markdown")
    for heading in ("## Översikt", "## Förkunskaper", "Tidsåtgång", "Systemkrav"):
        assert heading in header
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert not re.search(r"^\s*(def|class|async def)\s|lambda", code, re.M)
    assert "assert " in code and "provenance.collect" in nb.cells[-1].source
    for c in nb.cells:
        if c.cell_type == "code":
            assert c.outputs == [] and c.execution_count is None


@pytest.mark.slow
def test_notebook_runs_on_demo(tmp_root, monkeypatch):
    text, images, errors = _run(tmp_root / "demo.ipynb", {}, monkeypatch)
    assert errors == []
    assert "Alla kontroller gick igenom." in text
    assert images == 6  # per variable: kommuner, groups, map, change; two response charts
    assert SYNTHETIC_LABEL in text
    data = data_survey.survey_microdata("demo")
    est = survey_report.estimate_variable(data.microdata, "daily_smoking", source=data.source)
    ch = survey_report.change_table(est, 2020, 2024)
    answer = survey_text.change_answer(ch, "0020", label="Röker dagligen", variable="daily_smoking")
    for sentence in answer.sentences:
        assert sentence in text
    assert "Vem har skickat uppgifterna?" in text and "Har kalibreringsvikter använts?" in text
    assert "gånger sin andel" in text  # the response pattern in words


@pytest.mark.slow
def test_notebook_runs_on_an_own_extract(tmp_root, tmp_path, monkeypatch):
    write_own_extract(tmp_root / "data" / "egna")
    params_file = tmp_path / "min_korning.yaml"
    params_file.write_text(
        yaml.safe_dump(
            {
                "lan_code": "20",
                "data_source": "extrakt",
                "extract_path": "data/egna/egen_enkat.csv",
                "variable_map": "data/egna/egen_karta.yaml",
                "variables": ["daily_smoking", "snus"],
                "min_n": 10,
                "pool_years": 0,
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    parameters = data_survey.notebook_parameters(params_file)
    assert parameters["min_n"] == 10
    text, images, errors = _run(tmp_path / "egen.ipynb", parameters, monkeypatch)
    assert errors == []
    assert "Alla kontroller gick igenom." in text
    assert "Testregionens levnadsvaneenkät" in text and "egen_enkat.csv" in text
    assert "Snusar dagligen" in text
    assert "Jämförelse med riket saknas" in text
    assert SYNTHETIC_LABEL not in text
    assert images == 2 * 4 + 2  # four charts per variable, two response-pattern charts
    data = data_survey.survey_microdata(
        "extrakt", "data/egna/egen_karta.yaml", extract_path="data/egna/egen_enkat.csv"
    )
    est = survey_report.estimate_variable(
        data.microdata, "daily_smoking", source=data.source, min_n=10
    )
    periods = survey_report.pick_periods(est.design)
    ch = survey_report.change_table(est, *periods, min_n=10)
    answer = survey_text.change_answer(ch, "0020", label="Röker dagligen", variable="daily_smoking")
    assert answer.sentences[0] in text and answer.sentences[2] in text
