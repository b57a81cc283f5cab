"""The survey design reaches the estimator from the variable map in every path.

A school-survey-like extract whose answers cluster by class (the map's ``psu``)
is read through the report's survey section, the explorer and the survey
notebook; each must give the same interval as a direct estimator call *with*
the PSU – wider than the same data treated as a simple random sample – and
the same reliability flags. An extract where nobody answered a question gives
Swedish sentences and messages, never an English TypeError.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import nbrun
import numpy as np
import pandas as pd
import pytest
import yaml

from helpers.core import indicators
from helpers.core.errors import DataError
from helpers.core.fmt import excel_csv
from helpers.explorer import loading, specs
from helpers.report import survey as sections_survey
from helpers.report import survey_analysis as survey_report
from helpers.sources import survey_data as data_survey
from helpers.stats import survey, survey_compare
from helpers.stats.survey_design import DESIGN_ATTR, SurveyDesign
from helpers.text import survey as survey_text
from unit.sources.test_survey_data import OWN_MAP, own_extract_frame

REPO = Path(__file__).resolve().parents[3]
NOTEBOOK = REPO / "notebooks" / "03_levnadsvanor_enkat.ipynb"
CLUSTERED = SurveyDesign(psu="psu")
SRS = SurveyDesign()
#: The own extract's variable map with the school class as PSU.
CLUSTER_MAP = OWN_MAP.replace(
    "  stratum:\n    column: Urvalsstratum\n",
    "  stratum:\n    column: Urvalsstratum\n  psu:\n    column: Klass\n",
)


def clustered_frame(smoking_answered: bool = True) -> pd.DataFrame:
    """The own extract with classes of 12 pupils per kommun and year; answers cluster by class."""
    f = own_extract_frame()
    rng = np.random.default_rng(5)
    f["Klass"] = f.groupby(["Undersökningsår", "Kommunkod"]).cumcount() // 12 + 1
    key = f["Undersökningsår"].astype(str) + f["Kommunkod"].astype(str) + f["Klass"].astype(str)
    codes, classes = pd.factorize(key)
    smoke = 1 / (1 + np.exp(2.0 - rng.normal(0, 0.7, len(classes))[codes]))
    f["Rökning"] = np.where(rng.random(len(f)) < smoke, 1, 2) if smoking_answered else 9
    snus = 1 / (1 + np.exp(2.0 - rng.normal(0, 0.7, len(classes))[codes]))
    f["Snus"] = np.where(rng.random(len(f)) < snus, "Ja", "Nej")
    return f


def write_clustered_extract(directory: Path, smoking_answered: bool = True) -> tuple[Path, Path]:
    """Write ``skolenkat.csv`` and ``skolkarta.yaml`` (with ``psu: {column: Klass}``)."""
    directory.mkdir(parents=True, exist_ok=True)
    csv = directory / "skolenkat.csv"
    csv.write_bytes(excel_csv(clustered_frame(smoking_answered)))
    vmap = directory / "skolkarta.yaml"
    vmap.write_text(CLUSTER_MAP, encoding="utf-8")
    return csv, vmap


@pytest.fixture(autouse=True)
def _fresh():
    data_survey.clear_memo()
    sections_survey.clear_memo()
    loading.clear_cache()
    yield
    data_survey.clear_memo()
    sections_survey.clear_memo()
    loading.clear_cache()
    plt.close("all")


def _county(frame: pd.DataFrame, design: SurveyDesign) -> pd.Series:
    """Direct estimator call: Region Dalarna 2024, everyone (proportions)."""
    est = survey.prevalence(frame, "daily_smoking", by=("lan",), design=design)
    return est[est["period"] == 2024].iloc[0]


def _row(table: pd.DataFrame, area: str, indicator: str = "daglig_rokning") -> pd.Series:
    sel = (
        (table["area_code"] == area)
        & (table["period"] == 2024)
        & (table["sex"] == "totalt")
        & (table["group"] == indicators.ALL_GROUPS)
        & (table["indicator"] == indicator)
    )
    assert sel.sum() == 1
    return table[sel].iloc[0]


def test_the_map_psu_reaches_the_report_section(tmp_root):
    csv, vmap = write_clustered_extract(tmp_root / "data" / "egna")
    data = data_survey.survey_microdata("extrakt", vmap, extract_path=csv)
    assert data.design == CLUSTERED  # built once, from the map
    assert data.microdata.attrs[DESIGN_ATTR] == CLUSTERED
    sec = sections_survey.survey_section(
        "2080",
        "extrakt",
        ["daily_smoking"],
        5,
        variable_map=vmap,
        extract_path=csv,
        figures=False,
        pool_when_weak=False,  # single years: Falun's suppressed single year is the point here
    )
    assert sec.available
    direct = _county(data.microdata, CLUSTERED)
    naive = _county(data.microdata, SRS)
    fact = _row(sec.facts, "0020")
    assert fact["value"] == pytest.approx(direct["p"] * 100, rel=1e-12)
    assert fact["ci_lower"] == pytest.approx(direct["ci_lower"] * 100, rel=1e-12)
    assert fact["ci_upper"] == pytest.approx(direct["ci_upper"] * 100, rel=1e-12)
    # The numbers: 13,1 % ± 3,4 with the classes, where a simple random sample would say ± 2,7.
    assert fact["value"] == pytest.approx(13.1059, abs=1e-4)
    assert (fact["ci_upper"] - fact["ci_lower"]) / 2 == pytest.approx(3.4005, abs=1e-4)
    assert (naive["ci_upper"] - naive["ci_lower"]) / 2 * 100 == pytest.approx(2.6688, abs=1e-4)
    # Falun: reliable (± 7,4) as a simple random sample, suppressed with its 11 classes.
    falun = _row(sec.facts, "2080")
    assert falun["flag"] == indicators.FLAG_SUPPRESSED and np.isnan(falun["value"])
    srs_table = survey_report.estimate_variable(
        data.microdata, "daily_smoking", source=data.source, design=SRS
    ).table
    srs_falun = _row(srs_table, "2080", "daily_smoking")
    assert srs_falun["flag"] == indicators.FLAG_OK
    assert (srs_falun["ci_upper"] - srs_falun["ci_lower"]) / 2 == pytest.approx(7.4436, abs=1e-4)


def test_the_map_psu_reaches_the_explorer(tmp_root):
    csv, vmap = write_clustered_extract(tmp_root / "data" / "egna")
    micro = loading.load_microdata(csv, vmap)
    assert SurveyDesign.of(micro) == CLUSTERED
    spec = specs.indicator_spec("daglig_rokning")
    table = loading.load_table(
        spec, "demo", survey_extract=csv, variable_map=vmap, params={"disclosure": {"min_n": 5}}
    )
    direct = _county(micro, CLUSTERED)
    row = _row(table, "0020")
    assert row["ci_lower"] == pytest.approx(direct["ci_lower"] * 100, rel=1e-12)
    assert row["ci_upper"] == pytest.approx(direct["ci_upper"] * 100, rel=1e-12)
    assert _row(table, "2080")["flag"] == indicators.FLAG_SUPPRESSED
    # Each kommun against the county: the same test as a direct call with the PSU.
    sig = loading.load_significance(spec, csv, vmap)
    ref = survey_compare.compare_with_parent(
        micro, "daily_smoking", "lan", direction=spec.direction, design=CLUSTERED
    )
    got = sig[sig["sex"] == "totalt"].set_index(["area_code", "period"])["diff_pp"]
    want = ref.set_index([ref["kommun"].astype(str), "period"])["diff_pp"]
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False)


def test_a_question_nobody_answered_is_said_in_swedish(tmp_root):
    csv, vmap = write_clustered_extract(tmp_root / "data" / "egna", smoking_answered=False)
    only = sections_survey.survey_section(
        "2080", "extrakt", ["daily_smoking"], 5, variable_map=vmap, extract_path=csv, figures=False
    )
    assert not only.available
    assert only.sentences == [
        "Röker dagligen, Testregionens levnadsvaneenkät: ingen av de 4\u00a0011 svarande har "
        "besvarat frågan (alla svar saknas), så ingen andel kan skattas – för få svar."
    ]
    both = sections_survey.survey_section(
        "2080",
        "extrakt",
        ["daily_smoking", "snus"],
        5,
        variable_map=vmap,
        extract_path=csv,
        figures=False,
    )
    assert both.available and both.sentences[0] == only.sentences[0]
    assert set(both.tables["enkät"]["Indikator"]) == {"Snusar dagligen"}
    spec = specs.indicator_spec("daglig_rokning")
    with pytest.raises(DataError, match="ingen av de 4011 svarande har besvarat frågan"):
        loading.load_table(spec, "demo", survey_extract=csv, variable_map=vmap)


def test_a_kommun_where_nobody_answered_keeps_the_section(tmp_root):
    frame = clustered_frame()
    frame.loc[frame["Kommunkod"].astype(str) == "2080", "Rökning"] = 9
    directory = tmp_root / "data" / "egna"
    directory.mkdir(parents=True)
    (directory / "e.csv").write_bytes(excel_csv(frame))
    (directory / "m.yaml").write_text(CLUSTER_MAP, encoding="utf-8")
    sec = sections_survey.survey_section(
        "2080",
        "extrakt",
        ["daily_smoking"],
        5,
        variable_map=directory / "m.yaml",
        extract_path=directory / "e.csv",
    )
    assert sec.available
    assert sec.sentences[0] == (
        "Röker dagligen, Falun 2024: ingen av de 120 svarande har besvarat frågan "
        "(alla svar saknas), så ingen andel kan skattas – för få svar."
    )
    assert "daily_smoking_grupper" not in sec.figures and "daily_smoking_karta" in sec.figures
    assert not (sec.facts["area_code"] == "2080").any()
    assert any(s.startswith("I Region Dalarna som helhet") for s in sec.sentences)


@pytest.mark.slow
def test_the_map_psu_reaches_the_notebook(tmp_root, tmp_path, monkeypatch):
    """Notebook 03 on a school survey: the county's change is the clustered one (and a
    question without answers is left out with a Swedish note)."""
    import papermill

    directory = tmp_root / "data" / "egna"
    csv, vmap = write_clustered_extract(directory, smoking_answered=False)
    params = tmp_path / "skola.yaml"
    params.write_text(
        yaml.safe_dump(
            {
                "lan_code": "20",
                "data_source": "extrakt",
                "extract_path": "data/egna/skolenkat.csv",
                "variable_map": "data/egna/skolkarta.yaml",
                "variables": ["daily_smoking", "snus"],
                "pool_years": 0,
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    monkeypatch.delenv("MPLBACKEND", raising=False)
    out = tmp_path / "skola.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(out),
        parameters=data_survey.notebook_parameters(params),
        kernel_name="python3",
        progress_bar=False,
        cwd=str(NOTEBOOK.parent),
    )
    text, _images, errors = nbrun.outputs(nbformat.read(out, as_version=4))
    assert errors == []
    assert "Alla kontroller gick igenom." in text
    assert (
        "Röker dagligen, Region Dalarna: ingen av de 4\u00a0011 svarande har besvarat frågan"
        in text
    )
    data = data_survey.survey_microdata("extrakt", vmap, extract_path=csv)
    answers = {}
    for design in (CLUSTERED, SRS):
        est = survey_report.estimate_variable(
            data.microdata, "snus", source=data.source, design=design
        )
        ch = survey_report.change_table(est, 2020, 2024)
        answers[design] = survey_text.change_answer(
            ch, "0020", label="Snusar dagligen", variable="snus"
        )
    clustered, naive = answers[CLUSTERED].sentences, answers[SRS].sentences
    assert clustered != naive  # the interval of the change differs
    for sentence in clustered:
        assert sentence in text
    assert not all(sentence in text for sentence in naive)
