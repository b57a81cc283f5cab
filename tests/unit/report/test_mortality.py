"""Tests for helpers.report.mortality (hand-made cases and demo data) and notebook 02 run with papermill."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import nbrun  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from helpers.core import indicators
from helpers.core.errors import DataError  # noqa: E402
from helpers.core.fmt import SYNTHETIC_LABEL  # noqa: E402
from helpers.report import education as sections_education
from helpers.report import mortality as sections
from helpers.report.section import Section
from helpers.sources import mortality as dmo  # noqa: E402
from helpers.sources import mortality_compare, mortality_counts, mortality_education
from helpers.stats import (
    education,  # noqa: E402
    lifetable_compare,
)
from helpers.text import education as words_education
from helpers.text import life_table as words
from helpers.text import phrases

REPO = Path(__file__).resolve().parents[3]
NOTEBOOK = REPO / "notebooks" / "02_medellivslangd_utbildning.ipynb"
NB = "\u00a0"


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


# -- hand-made tables ------------------------------------------------------------------------------
def _le() -> pd.DataFrame:
    """Life expectancy of two kommuner, the county and Riket (women, e0, 2020–2024)."""
    rows = [
        ("2080", "Falun", "kommun", 84.0, 83.4, 84.6, indicators.FLAG_OK, ""),
        ("2081", "Borlänge", "kommun", 83.0, 82.0, 84.0, indicators.FLAG_OK, ""),
        (
            "2021",
            "Vansbro",
            "kommun",
            np.nan,
            np.nan,
            np.nan,
            indicators.FLAG_SUPPRESSED,
            "för liten befolkning",
        ),
        ("0020", "Region Dalarna", "region", 84.5, 84.2, 84.8, indicators.FLAG_OK, ""),
        ("0000", "Riket", "riket", 84.7, 84.6, 84.8, indicators.FLAG_OK, ""),
    ]
    df = pd.DataFrame(
        rows,
        columns=[
            "area_code",
            "area_name",
            "area_type",
            "value",
            "ci_lower",
            "ci_upper",
            "flag",
            "flag_reason",
        ],
    ).assign(
        period=2024,
        period_label="2020–2024",
        sex="kvinnor",
        indicator="e0",
        ci_level=0.95,
    )
    return indicators.make(df, source="test")


def _cmp() -> pd.DataFrame:
    base = {
        "sex": "kvinnor",
        "period": 2024,
        "period_label": "2020–2024",
        "indicator": "e0",
        "region_code": "0020",
        "region_value": 84.5,
        "riket_code": "0000",
        "riket_value": 84.7,
        "ci_level": 0.95,
        "source": "test",
    }
    rows = [
        {
            **base,
            "area_code": "2080",
            "area_name": "Falun",
            "value": 84.0,
            "flag": indicators.FLAG_OK,
            "diff_region": -0.5,
            "diff_region_se": 0.2,
            "diff_region_lower": -0.9,
            "diff_region_upper": -0.1,
            "verdict_region": lifetable_compare.VERDICT_LOWER,
            "diff_riket": -0.7,
            "diff_riket_se": 0.3,
            "diff_riket_lower": -1.3,
            "diff_riket_upper": -0.1,
            "verdict_riket": lifetable_compare.VERDICT_LOWER,
        },
        {
            **base,
            "area_code": "2081",
            "area_name": "Borlänge",
            "value": 83.0,
            "flag": indicators.FLAG_OK,
            "diff_region": -1.5,
            "diff_region_se": 1.0,
            "diff_region_lower": -3.46,
            "diff_region_upper": 0.46,
            "verdict_region": lifetable_compare.VERDICT_SAME,
            "diff_riket": -1.7,
            "diff_riket_se": 1.0,
            "diff_riket_lower": -3.66,
            "diff_riket_upper": 0.26,
            "verdict_riket": lifetable_compare.VERDICT_SAME,
        },
        {
            **base,
            "area_code": "2021",
            "area_name": "Vansbro",
            "value": np.nan,
            "flag": indicators.FLAG_SUPPRESSED,
            **{
                f"diff_{p}{s}": np.nan
                for p in ("region", "riket")
                for s in ("", "_se", "_lower", "_upper")
            },
            "verdict_region": lifetable_compare.VERDICT_NONE,
            "verdict_riket": lifetable_compare.VERDICT_NONE,
        },
    ]
    return pd.DataFrame(rows)


# -- sentences on hand-made numbers -----------------------------------------------------------------
def test_hand_made_mortality_section():
    le = _le()
    ranges = lifetable_compare.county_range(le, "20")
    sec = sections.build_mortality_section("2080", le, _cmp(), ranges, 2024, figures=False)
    assert sec.period_label == "2020–2024" and sec.source == "test"
    assert sec.sentences[0] == (
        f"I Falun var medellivslängden vid födelsen för kvinnor 84,0{NB}år "
        f"(95{NB}% KI 83,4–84,6) 2020–2024. Det är 0,5{NB}år lägre än i länet (84,5{NB}år), "
        f"en statistiskt säkerställd skillnad (95{NB}% KI från −0,9 till −0,1)."
    )
    r = ranges.iloc[0]
    assert sec.sentences[1].startswith(
        f"Mellan länets kommuner skilde medellivslängden vid födelsen för kvinnor 1,0{NB}år "
        f"2020–2024, från 83,0{NB}år i Borlänge till 84,0{NB}år i Falun ("
    )
    assert sec.sentences[1].endswith(" Utan värde (undertryckt): Vansbro.")
    assert phrases.p_text(r["q_p_value"]) in sec.sentences[1]
    assert sec.sentences[2] == (
        "För kvinnor var medellivslängden vid födelsen statistiskt säkerställt lägre än länets i "
        "Falun; för den övriga kommunen är skillnaden mot länet inte säkerställd. "
        "Kan inte bedömas: Vansbro."
    )
    table = sec.tables["nyckeltal"]
    assert table.loc["Kvinnor", "Falun"] == "84,0 (83,4–84,6)"
    assert table.loc["Kvinnor", "Länet"] == "84,5 (84,2–84,8)"
    assert table.loc["Kvinnor", "Skillnad mot länet"] == "−0,5 (−0,9 till −0,1): lägre"
    assert "- I Falun var" in sec.markdown()
    # The facts are the indicator-table rows behind the numbers (Vansbro suppressed, kept).
    assert isinstance(sec, Section) and sec.available
    assert list(sec.facts.columns) == list(indicators.COLUMNS)
    assert sec.facts.set_index("area_code").loc["2080", "value"] == 84.0
    assert sec.facts.set_index("area_code").loc["0020", "ci_lower"] == 84.2
    assert len(sec.facts) == 5
    with pytest.raises(DataError, match="Perioden som slutar 2019 finns inte"):
        sections.build_mortality_section("2080", le, _cmp(), ranges, 2019, figures=False)


def test_value_and_compare_sentences():
    le = _le()
    vansbro = le[le["area_code"] == "2021"].iloc[0]
    assert words.value_sentence(vansbro) == (
        "I Vansbro visas inget värde för medellivslängden vid födelsen för kvinnor 2020–2024 "
        "(undertryckt: för liten befolkning)."
    )
    unsure = le[le["area_code"] == "2081"].iloc[0].copy()
    unsure["flag"], unsure["flag_reason"] = indicators.FLAG_UNCERTAIN, "brett intervall"
    assert words.value_sentence(unsure).endswith(
        "Värdet är en osäker skattning (brett intervall) och bör läsas med försiktighet."
    )
    riket = le[le["area_code"] == "0000"].iloc[0]
    assert words.value_sentence(riket).startswith("I riket var medellivslängden")
    cmp = _cmp()
    assert words.compare_sentence(cmp.iloc[1]) == (
        f"Det är 1,5{NB}år lägre än i länet (84,5{NB}år); skillnaden är inte statistiskt "
        f"säkerställd (95{NB}% KI från −3,5 till 0,5)."
    )
    assert words.compare_sentence(cmp.iloc[0], "riket").startswith(
        f"Det är 0,7{NB}år lägre än i riket (84,7{NB}år), en statistiskt säkerställd"
    )
    assert "kan inte göras" in words.compare_sentence(cmp.iloc[2])


def test_range_sentence_chance_and_not():
    row = pd.Series(
        {
            "indicator": "e0",
            "sex": "män",
            "period_label": "2020–2024",
            "range": 4.3,
            "min_value": 78.3,
            "min_kommun": "Rättvik",
            "max_value": 82.6,
            "max_kommun": "Hedemora",
            "range_lower": 2.4,
            "range_upper": 6.2,
            "null_range": 2.7,
            "q_p_value": 0.0004,
            "n_suppressed": 0,
            "suppressed_kommuner": "",
            "n_uncertain": 1,
            "uncertain_kommuner": "Orsa",
        }
    )
    assert words.range_sentence(row) == (
        f"Mellan länets kommuner skilde medellivslängden vid födelsen för män 4,3{NB}år 2020–2024, "
        f"från 78,3{NB}år i Rättvik till 82,6{NB}år i Hedemora (95{NB}% KI 2,4–6,2). Om alla "
        f"kommuner hade samma värde skulle slumpen ensam ge en skillnad på omkring 2,7{NB}år; "
        "skillnaderna mellan kommunerna är större än vad slumpen kan förklara (p < 0,001). "
        "Osäkra skattningar: Orsa."
    )
    row["q_p_value"] = 0.152
    assert "går inte att skilja från slumpen (p = 0,15)." in words.range_sentence(row)
    row["range"] = np.nan
    assert "färre än två av länets kommuner" in words.range_sentence(row)


def test_significant_sentence_both_directions():
    cmp = _cmp()
    cmp.loc[1, "verdict_region"] = lifetable_compare.VERDICT_HIGHER
    assert words.significant_sentence(cmp, "kvinnor") == (
        "För kvinnor var medellivslängden vid födelsen statistiskt säkerställt högre än länets i "
        "Borlänge och lägre i Falun. Kan inte bedömas: Vansbro."
    )
    cmp["verdict_region"] = lifetable_compare.VERDICT_SAME
    assert words.significant_sentence(cmp, "kvinnor") == (
        "För kvinnor skilde sig medellivslängden vid födelsen inte statistiskt säkerställt från "
        "länets i någon av de 3 kommunerna som kunde bedömas."
    )
    assert words.significant_sentence(cmp, "män") == ""


def _trend_row(**kw) -> pd.Series:
    base = {
        "area_code": "0020",
        "area_name": "Region Dalarna",
        "area_type": "region",
        "sex": "kvinnor",
        "first_label": "1991–1995",
        "first_value": 3.04,
        "last_label": "2020–2024",
        "last_value": 6.4,
        "change": 3.24,
        "change_lower": 2.57,
        "change_upper": 3.91,
    }
    base.update(kw)
    return pd.Series(base)


def test_gap_sentence():
    assert words_education.gap_sentence(_trend_row()) == (
        "I Region Dalarna var skillnaden i återstående medellivslängd vid 30 år mellan kvinnor "
        f"med eftergymnasial och förgymnasial utbildning 3,0{NB}år 1991–1995 och 6,4{NB}år "
        f"2020–2024. Enligt en linjär trend ökade skillnaden med 3,2{NB}år (95{NB}% KI 2,6–3,9) "
        "över perioden."
    )
    flat = _trend_row(change=0.9, change_lower=-2.1, change_upper=3.8, area_type="riket")
    assert words_education.gap_sentence(flat).startswith("I riket var skillnaden")
    assert words_education.gap_sentence(flat).endswith(
        f"Trenden visar ingen säkerställd förändring (0,9 år, 95{NB}% KI från −2,1 till 3,8)."
    )
    down = _trend_row(change=-1.0, change_lower=-1.5, change_upper=-0.5)
    assert f"minskade skillnaden med 1,0{NB}år" in words_education.gap_sentence(down)
    assert "För få perioder" in words_education.gap_sentence(_trend_row(change=np.nan))


def test_gains_and_sii_sentences():
    rows = []
    for sex in ("kvinnor", "män"):
        for level in education.LEVELS:
            verdict = education.GAINED
            change, lo, hi = 3.0, 2.5, 3.5
            if (sex, level) == ("kvinnor", "förgymnasial"):
                verdict, change, lo, hi = education.UNCLEAR, 0.24, 0.08, 0.40
            rows.append(
                {
                    "area_code": "0020",
                    "area_name": "Region Dalarna",
                    "area_type": "region",
                    "sex": sex,
                    "group": level,
                    "first_label": "1991–1995",
                    "last_label": "2020–2024",
                    "change": change,
                    "change_lower": lo,
                    "change_upper": hi,
                    "verdict": verdict,
                }
            )
    gains = pd.DataFrame(rows)
    assert words_education.gains_sentence(gains, "0020") == (
        "I Region Dalarna ökade återstående medellivslängd vid 30 år mellan 1991–1995 och "
        "2020–2024 för alla utbildningsnivåer utom för kvinnor med förgymnasial utbildning "
        f"(0,2 år, 95{NB}% KI 0,1–0,4). En ökning räknas när trenden ger minst 0,5{NB}år med ett "
        "konfidensintervall över noll."
    )
    gains.loc[3, "verdict"] = education.LOST  # men, förgymnasial
    assert "För män med förgymnasial utbildning minskade den." in words_education.gains_sentence(
        gains, "0020"
    )
    gains["verdict"] = education.GAINED
    assert "för alla utbildningsnivåer, för både kvinnor och män" in words_education.gains_sentence(
        gains, "0020"
    )
    assert words_education.gains_sentence(gains, "0000") == ""
    sii = pd.DataFrame(
        {
            "area_code": "0020",
            "area_name": "Region Dalarna",
            "area_type": "region",
            "sex": "kvinnor",
            "period": [1995, 2024],
            "period_label": ["1991–1995", "2020–2024"],
            "sii": [3.02, 7.15],
            "sii_lower": np.nan,
            "sii_upper": np.nan,
            "rii": [1.0586, 1.1374],
        }
    )
    assert words_education.sii_sentence(sii, "0020", "kvinnor") == (
        f"För kvinnor i Region Dalarna var lutningsindexet (SII) 3,0{NB}år 1991–1995 och "
        f"7,2{NB}år 2020–2024, och det relativa indexet (RII) 1,06 och 1,14."
    )


def test_formatting_helpers():
    assert phrases.p_text(0.0004) == "p < 0,001"
    assert phrases.p_text(0.0042) == "p = 0,004"
    assert phrases.p_text(0.152) == "p = 0,15"
    assert phrases.ci_text(80.12, 82.26) == f"95{NB}% KI 80,1–82,3"
    assert phrases.ci_text(-0.6, 0.4) == f"95{NB}% KI från −0,6 till 0,4"
    assert phrases.ci_text(np.nan, 1.0) == ""


# -- demo data ------------------------------------------------------------------------------------------
def test_mortality_section_demo(demo_root):
    sec = sections.mortality_section("2080", "demo", 2024)
    assert set(sec.figures) == {"rangordning", "skillnad", "karta"}
    assert set(sec.tables) == {"nyckeltal", "nyckeltal_e30", "jämförelse", "skillnad"}
    assert sec.source == SYNTHETIC_LABEL and sec.period_label == "2020–2024"
    le = mortality_counts.kommun_life_expectancy("demo", "20")
    cmp = mortality_compare.compare_with_county("demo", "20")
    row = le[
        (le["area_code"] == "2080")
        & (le["period"] == 2024)
        & (le["sex"] == "män")
        & (le["indicator"] == "e0")
    ].iloc[0]
    c = cmp[
        (cmp["area_code"] == "2080")
        & (cmp["period"] == 2024)
        & (cmp["sex"] == "män")
        & (cmp["indicator"] == "e0")
    ].iloc[0]
    expected = words.value_sentence(row) + " " + words.compare_sentence(c)
    assert expected in sec.sentences
    assert not any(re.search(r"\d\.\d", s) for s in sec.sentences)  # decimal comma
    assert len(sec.sentences) == 4 + 2 + 2
    assert sections.mortality_section(2080, "demo", 2024, maps=False).figures.keys() == {
        "rangordning",
        "skillnad",
    }
    with pytest.raises(DataError, match="tillgängliga: 2014–2024"):
        sections.mortality_section("2080", "demo", 2009)
    with pytest.raises(DataError, match="Okänd kommunkod"):
        sections.mortality_section("9999", "demo")


def test_education_section_demo(demo_root):
    sec = sections_education.education_section("20", "demo")
    assert set(sec.figures) == {"figur_1_1", "skillnad", "sii"}
    assert set(sec.tables) == {"skillnad", "trend", "förändring", "sii"}
    text = " ".join(sec.sentences)
    assert "utom för kvinnor med förgymnasial utbildning" in text
    assert (
        f"mellan kvinnor med eftergymnasial och förgymnasial utbildning 3,0{NB}år 1991–1995" in text
    )
    assert sec.source == SYNTHETIC_LABEL
    assert "antagna befolkningsandelar" in sec.notes_markdown()
    assert set(sec.facts["area_code"]) == {"0020", "0000"}
    assert (sec.facts["indicator"] == "e30_utb").all()
    assert sections_education.education_section("20", "demo", figures=False).sentences == (
        sec.sentences
    )
    # The sentences agree with the analysis functions.
    e30 = mortality_education.e30_by_education("demo", "20")
    trend = education.linear_trend(education.gap(e30))
    for _, r in trend.iterrows():
        assert words_education.gap_sentence(r) in sec.sentences


# -- notebook 02 ---------------------------------------------------------------------------------------
def _run(out: Path, parameters: dict, monkeypatch) -> nbformat.NotebookNode:
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
    return nbformat.read(out, as_version=4)


def test_notebook_structure():
    import ast

    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    values = {n.targets[0].id: ast.literal_eval(n.value) for n in ast.parse(params[0].source).body}
    assert values == {"lan_code": "20", "data_source": "demo"}
    header = "\n".join(c.source for c in nb.cells[:3] if c.cell_type == "markdown")
    for heading in ("## Översikt", "## Förkunskaper", "Tidsåtgång"):
        assert heading in header
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
            src = "\n".join(x for x in cell.source.splitlines() if not x.startswith("%"))
            for node in ast.walk(ast.parse(src)):
                assert not isinstance(node, ast.FunctionDef | ast.ClassDef | ast.Lambda)
    assert sum("assert " in c.source for c in nb.cells if c.cell_type == "code") >= 5
    assert "provenance.collect" in nb.cells[-1].source


@pytest.mark.slow
def test_notebook_runs_on_demo(demo_root, tmp_path, monkeypatch):
    monkeypatch.setenv("FOLKHALSA_ROOT", str(demo_root))
    nb = _run(tmp_path / "02_demo.ipynb", {"lan_code": "20", "data_source": "demo"}, monkeypatch)
    text, images, errors = nbrun.outputs(nb, ("text/markdown", "text/plain"))
    assert errors == []
    assert images == 6
    assert "Alla kontroller gick igenom." in text
    assert SYNTHETIC_LABEL in text
    edu = sections_education.education_section("20", "demo", figures=False)
    for sentence in edu.sentences:
        if "lutningsindex" not in sentence:
            assert sentence in text
    le = mortality_counts.kommun_life_expectancy("demo", "20")
    ranges = lifetable_compare.county_range(le, "20")
    for _, r in ranges[(ranges["indicator"] == "e0") & (ranges["period"] == 2024)].iterrows():
        assert words.range_sentence(r) in text


@pytest.mark.slow
@pytest.mark.reference
def test_notebook_runs_on_reference_data(reference_dir, tmp_root, tmp_path, monkeypatch):
    parameters = dmo.notebook_parameters(REPO / "params" / "referens_scb.yaml")
    nb = _run(tmp_path / "02_referens.ipynb", parameters, monkeypatch)
    text, images, errors = nbrun.outputs(nb, ("text/markdown", "text/plain"))
    assert errors == []
    assert images == 6
    assert "finns inga värden efter utbildning i datakällan" in text
    assert "Källa: SCB" in text and SYNTHETIC_LABEL not in text
    assert "2015–2019" in text and "Referensfiler" in text
    le = mortality_counts.kommun_life_expectancy("referens", "20")
    cmp = mortality_compare.compare_with_county("referens", "20")
    now = cmp[cmp["period"] == 2019]
    for sex in ("kvinnor", "män"):
        assert words.significant_sentence(now, sex, "e0") in text
    assert le["period"].max() == 2019
