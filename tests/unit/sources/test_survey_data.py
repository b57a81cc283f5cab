"""Tests for helpers.sources.survey_data: demo and own extracts, memo, national reference, parameters.

``write_own_extract`` builds a small extract the way a region might deliver it:
a Swedish Excel CSV (``;``, decimal comma, BOM) with its own column names and
codes, and a variable map for it. Other test modules import it.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.config import survey_cells
from helpers.core import indicators, lookup
from helpers.core.cache import RawCache, sha256_bytes
from helpers.core.errors import DataError
from helpers.core.fmt import SYNTHETIC_LABEL, excel_csv
from helpers.sources import survey_data as data_survey
from helpers.sources.demo import survey as demo_survey

REPO = Path(__file__).resolve().parents[3]
NOTEBOOK = REPO / "notebooks" / "03_levnadsvanor_enkat.ipynb"
EXAMPLE = REPO / "params" / "survey_egen_extrakt_exempel.yaml"

OWN_MAP = """\
# Egen variabelkarta (test): andra kolumnnamn och koder än demots.
name: Testregionens levnadsvaneenkät
separator: ";"
variables:
  respondent_id:
    column: Löpnr
  kommun:
    column: Kommunkod
  year:
    column: Undersökningsår
  sex:
    column: Kön
    codes: {K: kvinnor, M: män}
  age_group:
    column: Åldersklass
    codes: {"16-29": "16–29", "30-44": "30–44", "45-64": "45–64", "65-84": "65–84"}
  education:
    column: Utbildningsnivå
    codes: {1: förgymnasial, 2: gymnasial, 3: eftergymnasial}
  weight:
    column: Kalibreringsvikt
  stratum:
    column: Urvalsstratum
answers:
  daily_smoking:
    column: Rökning
    "yes": [1]
    "no": [2, 3]
    missing: [9]
    label: Röker dagligen
  snus:
    column: Snus
    "yes": [Ja]
    "no": [Nej]
    label: Snusar dagligen
"""


def own_extract_frame(seed: int = 11, n_respondents: int = 4_000) -> pd.DataFrame:
    """Return a raw extract frame with own column names and codes (from the demo generator)."""
    resp = demo_survey.demo_respondents(seed=seed, n_respondents=n_respondents)
    rng = np.random.default_rng(seed)
    smoke = resp["daily_smoking"].to_numpy(dtype=float, na_value=np.nan)
    no_code = rng.choice([2, 3], size=len(resp))
    rokning = np.where(np.isnan(smoke), 9, np.where(smoke == 1, 1, no_code))
    snus = np.where(rng.random(len(resp)) < 0.12, "Ja", "Nej")
    return pd.DataFrame(
        {
            "Löpnr": resp["respondent_id"].astype(str).to_numpy(),
            "Kommunkod": resp["kommun"].astype(str).to_numpy(),
            "Undersökningsår": resp["year"].to_numpy(),
            "Kön": resp["sex"].map({"kvinnor": "K", "män": "M"}).to_numpy(),
            "Åldersklass": resp["age_group"].str.replace("–", "-").to_numpy(),
            "Utbildningsnivå": resp["education"]
            .map({"förgymnasial": "1", "gymnasial": "2", "eftergymnasial": "3", "okänd": ""})
            .to_numpy(),
            "Kalibreringsvikt": resp["weight"].to_numpy(),
            "Urvalsstratum": ("S" + resp["kommun"].astype(str)).to_numpy(),
            "Rökning": rokning.astype(int),
            "Snus": snus,
        }
    )


def write_own_extract(
    directory: Path, seed: int = 11, n_respondents: int = 4_000
) -> tuple[Path, Path]:
    """Write ``egen_enkat.csv`` (Swedish Excel dialect) and ``egen_karta.yaml``; return both paths."""
    directory.mkdir(parents=True, exist_ok=True)
    csv = directory / "egen_enkat.csv"
    csv.write_bytes(excel_csv(own_extract_frame(seed, n_respondents)))
    vmap = directory / "egen_karta.yaml"
    vmap.write_text(OWN_MAP, encoding="utf-8")
    return csv, vmap


@pytest.fixture(autouse=True)
def _fresh_memo():
    data_survey.clear_memo()
    yield
    data_survey.clear_memo()


# -- demo --------------------------------------------------------------------------------------
def test_demo_microdata_population_and_origin(tmp_root):
    data = data_survey.survey_microdata("demo")
    micro = data.microdata
    assert list(micro.columns[:9]) == list(survey_cells.CANONICAL_COLUMNS)
    assert data.years == list(demo_survey.YEARS)
    assert data.lan_codes == ["20"]
    assert set(micro["kommun"]) == set(lookup.kommuner_in("20")["kommun_code"])
    assert data.population is not None and len(data.population) == 1_920
    assert data.source == SYNTHETIC_LABEL and data.is_demo
    assert data.label("daily_smoking") == "Röker dagligen"
    assert data.answer_variables == list(demo_survey.ANSWER_COLUMNS)
    # The origin names the cached file and its checksum.
    cache = RawCache("demo", SYNTHETIC_LABEL)
    entry = cache.lookup(demo_survey.extract_url())
    assert data.origin["file"] == entry.file
    assert data.origin["sha256"] == entry.sha256 == sha256_bytes(cache.path(entry).read_bytes())
    assert data.origin["kind"] == data_survey.KIND_SURVEY
    # The weights are calibrated: they add up to the population of every kommun and year.
    w = micro.groupby(["year", "kommun"])["weight"].sum()
    p = data.population.groupby(["year", "kommun"])["population"].sum()
    assert np.allclose(w.sort_index(), p.sort_index(), rtol=1e-6)


def test_memoized_and_returns_copies(tmp_root):
    a = data_survey.survey_microdata("demo")
    a.microdata.loc[0, "weight"] = -1.0
    b = data_survey.survey_microdata("demo")
    assert b.microdata.loc[0, "weight"] > 0
    assert a.key == b.key
    assert len(data_survey._MEMO) == 1


# -- own extract --------------------------------------------------------------------------------
def test_own_extract_is_read_with_its_variable_map(tmp_root):
    csv, vmap = write_own_extract(tmp_root / "data" / "egna")
    raw = own_extract_frame()
    data = data_survey.survey_microdata("extrakt", vmap, extract_path=csv)
    micro = data.microdata
    assert len(micro) == len(raw)
    assert not data.is_demo and data.population is None
    assert data.source == "Källa: Testregionens levnadsvaneenkät"
    assert data.labels == {"daily_smoking": "Röker dagligen", "snus": "Snusar dagligen"}
    assert data.origin["file"] == "egen_enkat.csv"
    assert data.origin["sha256"] == sha256_bytes(csv.read_bytes())
    # Codes are mapped: K/M, 16-29 -> 16–29, blank education -> okänd, 1 -> yes, 2/3 -> no, 9 -> NA.
    assert set(micro["sex"]) == {"kvinnor", "män"}
    assert set(micro["age_group"]) == set(demo_survey.AGE_GROUPS)
    assert (micro["education"] == "okänd").sum() == (raw["Utbildningsnivå"] == "").sum()
    assert int(micro["daily_smoking"].sum()) == int((raw["Rökning"] == 1).sum())
    assert int(micro["daily_smoking"].isna().sum()) == int((raw["Rökning"] == 9).sum())
    assert int(micro["snus"].sum()) == int((raw["Snus"] == "Ja").sum())
    # Weights survive the decimal comma (4 decimals in the file).
    assert np.allclose(micro["weight"], raw["Kalibreringsvikt"], atol=5e-5)


def test_relative_paths_are_taken_from_the_project_root(tmp_root, monkeypatch, tmp_path_factory):
    write_own_extract(tmp_root / "data" / "egna")
    elsewhere = tmp_path_factory.mktemp("cwd")
    monkeypatch.chdir(elsewhere)  # papermill runs notebooks in notebooks/
    a = data_survey.survey_microdata(
        "extrakt", "data/egna/egen_karta.yaml", extract_path="data/egna/egen_enkat.csv"
    )
    b = data_survey.survey_microdata("data/egna/egen_enkat.csv", "data/egna/egen_karta.yaml")
    pd.testing.assert_frame_equal(a.microdata, b.microdata)


def test_memo_follows_the_file(tmp_root):
    csv, vmap = write_own_extract(tmp_root / "x", seed=1, n_respondents=4_000)
    first = data_survey.survey_microdata("extrakt", vmap, extract_path=csv)
    csv.write_bytes(excel_csv(own_extract_frame(seed=2, n_respondents=4_000)))
    second = data_survey.survey_microdata("extrakt", vmap, extract_path=csv)
    assert first.key != second.key
    assert first.origin["sha256"] != second.origin["sha256"]


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"data_source": "extrakt"}, "extract_path är tom"),
        ({"data_source": "extrakt", "extract_path": "finns/inte.csv"}, "extraktet finns inte"),
        ({"data_source": "demo", "extract_path": "x.csv"}, "sätt data_source"),
        ({"data_source": "kolada"}, "Datakällan 'kolada' kan inte ge enkätdata"),
        ({"data_source": "kolda"}, "Okänd datakälla 'kolda'"),
        (
            {"data_source": "demo", "variable_map": "params/saknas.yaml"},
            "variabelkartan finns inte",
        ),
        ({"data_source": ""}, "Okänd datakälla"),
    ],
)
def test_clear_errors(tmp_root, kwargs, needle):
    with pytest.raises(DataError, match=needle):
        data_survey.survey_microdata(**kwargs)


def test_errors_in_the_extract_name_file_row_and_column(tmp_root):
    csv, vmap = write_own_extract(tmp_root / "x", n_respondents=4_000)
    raw = own_extract_frame(n_respondents=4_000)
    raw.loc[3, "Kön"] = "X"
    csv.write_bytes(excel_csv(raw))
    with pytest.raises(DataError) as info:
        data_survey.survey_microdata("extrakt", vmap, extract_path=csv)
    text = str(info.value)
    assert "egen_enkat.csv" in text and "rad 5" in text and "'Kön'" in text


def test_check_variables(tmp_root):
    data = data_survey.survey_microdata("demo")
    assert data_survey.check_variables(data, ["good_health", "daily_smoking", "good_health"]) == [
        "good_health",
        "daily_smoking",
    ]
    assert data_survey.check_variables(data, "daily_smoking") == ["daily_smoking"]
    with pytest.raises(DataError) as info:
        data_survey.check_variables(data, ["daily_smoking", "snus", "alkohol"])
    text = str(info.value)
    assert "'snus'" in text and "'alkohol'" in text and "daily_smoking, risk_alcohol" in text
    with pytest.raises(DataError, match="minst en"):
        data_survey.check_variables(data, [])


def test_directions():
    assert data_survey.direction("daily_smoking") == "lower_is_better"
    assert data_survey.direction("good_health") == "higher_is_better"
    assert data_survey.direction("snus") is None


# -- national reference -------------------------------------------------------------------------
def test_riket_reference_demo_is_cached_and_valid(tmp_root):
    data = data_survey.survey_microdata("demo")
    ref = data_survey.riket_reference(data)
    indicators.validate(ref)
    assert set(ref["indicator"]) == set(demo_survey.ANSWER_COLUMNS)
    assert (ref["area_code"] == lookup.RIKET_CODE).all()
    assert sorted(ref["period"].unique()) == list(demo_survey.YEARS)
    assert (ref["flag"] == indicators.FLAG_OK).all()
    assert ((ref["ci_lower"] < ref["value"]) & (ref["value"] < ref["ci_upper"])).all()
    assert (ref["source"] == SYNTHETIC_LABEL).all()
    smoking = ref[ref["indicator"] == "daily_smoking"].set_index("period")["value"]
    assert smoking[2024] == pytest.approx(5.8)
    # Written once to the raw cache, read from it afterwards.
    cache = RawCache("demo", SYNTHETIC_LABEL)
    n_entries = len(cache.entries())
    again = data_survey.riket_reference(data, ["daily_smoking"])
    assert len(cache.entries()) == n_entries
    assert set(again["indicator"]) == {"daily_smoking"}
    assert "SYNTETISKA" in cache.lookup(data_survey.demo_riket_url()).note


def test_riket_reference_empty_for_own_extract(tmp_root):
    csv, vmap = write_own_extract(tmp_root / "x", n_respondents=4_000)
    data = data_survey.survey_microdata("extrakt", vmap, extract_path=csv)
    assert data_survey.riket_reference(data).empty


# -- notebook parameters --------------------------------------------------------------------------
def _notebook_defaults() -> dict[str, object]:
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    tree = ast.parse("".join(cell["source"]))
    return {n.targets[0].id: ast.literal_eval(n.value) for n in tree.body}


def test_notebook_parameters_match_the_notebook():
    defaults = _notebook_defaults()
    assert defaults == {
        "lan_code": "20",
        "data_source": "demo",
        "extract_path": "",
        "variable_map": "params/survey_variables_demo.yaml",
        "variables": ["daily_smoking"],
        "min_n": 5,
        "pool_years": 0,
        "survey_input": {},
    }
    assert {k: type(v) for k, v in defaults.items()} == data_survey.NOTEBOOK_PARAMETERS


def test_example_params_file_is_valid():
    params = data_survey.notebook_parameters(EXAMPLE)
    defaults = _notebook_defaults()
    assert set(params) <= set(defaults)
    assert all(type(params[k]) is type(defaults[k]) for k in params)
    assert params["data_source"] == "extrakt" and params["extract_path"]
    assert params["min_n"] >= 1
    text = EXAMPLE.read_text(encoding="utf-8")
    assert text.startswith("#") and "papermill" in text
    for key in data_survey.NOTEBOOK_PARAMETERS:
        assert f"#   {key}" in text, f"the header documents '{key}'"


def test_notebook_parameters_collects_every_problem(tmp_path):
    bad = tmp_path / "fel.yaml"
    bad.write_text(
        "lan_code: 20\ndata_source: kolada\nvariables: daily_smoking\nmin_n: 0\n"
        "pool_years: -1\nfärg: blå\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as info:
        data_survey.notebook_parameters(bad)
    text = str(info.value)
    for needle in (
        "lan_code: 20 har fel typ",
        'skriv "20" med citattecken',
        "skriv en lista",
        "okänd nyckel 'färg'",
        "min_n",
        "pool_years",
        "Datakällan 'kolada' kan inte ge enkätdata",
    ):
        assert needle in text, needle
    assert "fel.yaml" in text


def test_notebook_parameters_take_min_n_and_refuse_the_disclosure_section(tmp_path):
    # One place for the threshold: papermill -f would ignore a disclosure section.
    f = tmp_path / "ok.yaml"
    f.write_text('data_source: demo\ndisclosure: {min_n: 3}\nlan_code: "20"\n', encoding="utf-8")
    with pytest.raises(DataError, match="anteckningsbokens parameter 'min_n: 3'"):
        data_survey.notebook_parameters(f)
    f.write_text('data_source: demo\nmin_n: 3\nlan_code: "20"\n', encoding="utf-8")
    assert data_survey.notebook_parameters(f) == {
        "data_source": "demo",
        "min_n": 3,
        "lan_code": "20",
    }
    f.write_text("data_source: extrakt\n", encoding="utf-8")
    with pytest.raises(DataError, match="extract_path saknas"):
        data_survey.notebook_parameters(f)


# -- the design from the variable map -------------------------------------------------------------
def _design_extract(directory: Path, population: object = None) -> tuple[Path, Path]:
    """The own extract with school classes (PSU) and, optionally, classes in the population (fpc)."""
    frame = own_extract_frame()
    frame["Klass"] = frame.groupby(["Undersökningsår", "Kommunkod"]).cumcount() // 12 + 1
    extra = "  psu:\n    column: Klass\n"
    if population is not None:
        sampled = frame.groupby(["Undersökningsår", "Kommunkod"])["Klass"].transform("max")
        frame["AntalKlasser"] = population(sampled) if callable(population) else population
        extra += "  fpc:\n    column: AntalKlasser\n"
    directory.mkdir(parents=True, exist_ok=True)
    csv = directory / "klasser.csv"
    csv.write_bytes(excel_csv(frame))
    vmap = directory / "klasser.yaml"
    vmap.write_text(
        OWN_MAP.replace(
            "  stratum:\n    column: Urvalsstratum\n",
            "  stratum:\n    column: Urvalsstratum\n" + extra,
        ),
        encoding="utf-8",
    )
    return csv, vmap


def test_design_is_built_once_from_the_variable_map(tmp_root):
    from helpers.stats.survey_design import DESIGN_ATTR, SurveyDesign

    demo = data_survey.survey_microdata("demo")
    assert demo.design == SurveyDesign()  # the demo map has no PSU: respondents are the PSUs
    csv, vmap = write_own_extract(tmp_root / "data" / "egna")
    own = data_survey.survey_microdata("extrakt", vmap, extract_path=csv)
    assert own.design == SurveyDesign() and own.answered("daily_smoking") == int(
        own.microdata["daily_smoking"].notna().sum()
    )
    csv, vmap = _design_extract(tmp_root / "data" / "klasser", population=lambda m: 2 * m)
    data = data_survey.survey_microdata("extrakt", vmap, extract_path=csv)
    assert data.design == SurveyDesign(psu="psu", fpc="fpc")
    assert data.microdata.attrs[DESIGN_ATTR] == data.design  # the frame carries it
    assert data.copy().microdata.attrs[DESIGN_ATTR] == data.design
    assert data.microdata["fpc"].dtype == "float64"


def test_fpc_from_the_map_halves_every_variance_when_half_the_classes_are_sampled(tmp_root):
    from helpers.stats import survey
    from helpers.stats.survey_design import SurveyDesign

    csv, vmap = _design_extract(tmp_root / "data" / "klasser", population=lambda m: 2 * m)
    data = data_survey.survey_microdata("extrakt", vmap, extract_path=csv)
    with_fpc = survey.prevalence(data.microdata, "daily_smoking", by=("lan",))
    without = survey.prevalence(
        data.microdata, "daily_smoking", by=("lan",), design=SurveyDesign(psu="psu")
    )
    assert len(with_fpc) == 4
    np.testing.assert_allclose(with_fpc["se"], without["se"] * np.sqrt(0.5), rtol=1e-12)
    np.testing.assert_allclose(with_fpc["p"], without["p"], rtol=1e-12)


def test_an_fpc_smaller_than_the_sample_is_refused_when_the_extract_is_read(tmp_root):
    csv, vmap = _design_extract(tmp_root / "data" / "klasser", population=0.25)
    with pytest.raises(DataError) as err:
        data_survey.survey_microdata("extrakt", vmap, extract_path=csv)
    text = str(err.value)
    assert "fil klasser.csv, rad 2, kolumn 'AntalKlasser'" in text
    assert "inte en urvalsfraktion" in text
