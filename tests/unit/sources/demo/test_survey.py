"""Tests for helpers.sources.demo.survey: the seeded synthetic survey extract for Dalarna."""

from __future__ import annotations

import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.config import variable_map as config_variable_map
from helpers.core import lookup
from helpers.core.cache import RawCache
from helpers.core.errors import DataError
from helpers.core.fmt import excel_csv
from helpers.sources.demo import survey as demo_survey

DEMO_MAP = Path(__file__).resolve().parents[4] / "params" / "survey_variables_demo.yaml"
ANSWERS = list(demo_survey.ANSWER_COLUMNS)


@pytest.fixture(scope="module")
def population() -> pd.DataFrame:
    return demo_survey.demo_population()


@pytest.fixture(scope="module")
def respondents(population) -> pd.DataFrame:
    return demo_survey.demo_respondents(population=population)


def weighted_percent(df: pd.DataFrame, col: str) -> float:
    known = df[col].notna()
    return float(
        100 * (df.loc[known, "weight"] * df.loc[known, col]).sum() / df.loc[known, "weight"].sum()
    )


def test_deterministic_with_seed():
    a = demo_survey.demo_extract(seed=7, n_respondents=2_000)
    b = demo_survey.demo_extract(seed=7, n_respondents=2_000)
    pd.testing.assert_frame_equal(a, b)
    assert excel_csv(a) == excel_csv(b)
    c = demo_survey.demo_extract(seed=8, n_respondents=2_000)
    assert not a.equals(c)


def test_size_years_and_kommuner(respondents):
    assert 14_000 <= len(respondents) <= 16_000
    assert sorted(respondents["year"].unique()) == list(demo_survey.YEARS)
    assert set(respondents["kommun"]) == set(lookup.kommuner_in("20")["kommun_code"])
    assert respondents["respondent_id"].is_unique
    assert (respondents["stratum"] == respondents["kommun"]).all()
    per_cell = respondents.groupby(["year", "kommun"]).size()
    assert per_cell.min() >= 100


def test_small_kommuner_are_oversampled(respondents, population):
    n = respondents.groupby("kommun").size()
    pop = population.groupby("kommun")["population"].sum()
    rate = n / pop
    assert rate["2021"] > 2 * rate["2080"]  # Vansbro vs Falun
    assert n["2080"] > n["2021"]  # but Falun still has more respondents


def test_weights_sum_to_population_per_kommun_and_sex(respondents, population):
    assert (respondents["weight"] > 0).all()
    keys = ["year", "kommun", "sex"]
    w = respondents.groupby(keys)["weight"].sum()
    p = population.groupby(keys)["population"].sum().reindex(w.index)
    np.testing.assert_allclose(w.to_numpy(), p.to_numpy(), rtol=1e-9)
    # raking brings the education margin close to the population as well
    keys = ["year", "kommun", "education"]
    w = respondents.groupby(keys)["weight"].sum()
    p = population.groupby(keys)["population"].sum().reindex(w.index)
    assert np.median(np.abs(w / p - 1)) < 0.15


def test_population_shape(population):
    assert len(population) == 4 * 15 * 2 * 4 * 4
    totals = population.groupby("year")["population"].sum()
    assert ((totals > 200_000) & (totals < 250_000)).all()  # Dalarna 16–84
    edu = population.groupby(["year", "education"])["population"].sum().unstack()
    assert edu.loc[2024, "förgymnasial"] < edu.loc[2012, "förgymnasial"]


def test_daily_smoking_by_sex_and_education(respondents):
    known = respondents[respondents["education"] != "okänd"]
    prev = known.groupby(["sex", "education"]).apply(weighted_percent, "daily_smoking")
    assert ((prev > 5) & (prev < 15)).all(), prev
    for sex in ("kvinnor", "män"):
        assert prev[(sex, "förgymnasial")] > prev[(sex, "eftergymnasial")] + 3
    by_year = respondents.groupby("year").apply(weighted_percent, "daily_smoking")
    assert by_year.is_monotonic_decreasing and by_year[2024] < by_year[2012] - 3


def test_other_answers_are_plausible(respondents):
    assert 10 < weighted_percent(respondents, "risk_alcohol") < 22
    assert 62 < weighted_percent(respondents, "good_health") < 82
    assert 7 < weighted_percent(respondents, "physical_inactivity") < 18
    men = respondents[respondents["sex"] == "män"]
    women = respondents[respondents["sex"] == "kvinnor"]
    assert weighted_percent(men, "risk_alcohol") > weighted_percent(women, "risk_alcohol")
    for col in ANSWERS:
        share_missing = respondents[col].isna().mean()
        assert 0.005 < share_missing < 0.05


def test_response_pattern_is_visible(respondents, population):
    keys = ["sex", "age_group", "education"]
    sample_share = respondents.groupby(keys).size() / len(respondents)
    pop_share = population.groupby(keys)["population"].sum() / population["population"].sum()
    ratio = (sample_share / pop_share).dropna()
    old_educated_women = ratio[("kvinnor", "65–84", "eftergymnasial")]
    young_low_educated_men = ratio[("män", "16–29", "förgymnasial")]
    assert old_educated_women > 1.2
    assert young_low_educated_men < 0.8
    assert old_educated_women > 2 * young_low_educated_men


def test_raw_extract_has_raw_names_and_codes():
    raw = demo_survey.demo_extract(seed=3, n_respondents=1_000)
    assert list(raw.columns) == list(demo_survey.RAW_COLUMNS)
    assert set(raw["Kon"]) == {1, 2}
    assert set(raw["Utbniva"]) <= {1, 2, 3, 9}
    assert set(raw["Halsa"].dropna()) <= {1, 2, 3, 4, 5, 9}
    assert raw["Alk_risk"].isna().any()  # this producer leaves missing answers empty
    assert (raw["Tobak_dagl"] == 9).any()


def test_variable_map_agrees_with_generator_codes():
    vmap = config_variable_map.load_variable_map(DEMO_MAP)
    v = vmap.variables
    assert v["sex"].codes == {str(c): s for s, c in demo_survey.SEX_CODES.items()}
    assert v["age_group"].codes == {str(c): a for a, c in demo_survey.AGE_CODES.items()}
    assert v["education"].codes == {str(c): e for e, c in demo_survey.EDUCATION_CODES.items()}
    assert {a: s.column for a, s in vmap.answers.items()} == demo_survey.ANSWER_COLUMNS


def test_write_and_read_back_round_trip(tmp_root, respondents):
    cache = RawCache("demo", "Syntetiska demodata – inte verkliga värden")
    entries = demo_survey.write_survey_demo(cache)
    assert len(entries) == 2
    assert all("SYNTETISKA DEMODATA" in e.note for e in entries)
    extract_path, pop_path = (cache.path(e) for e in entries)
    assert extract_path.is_relative_to(tmp_root)
    content = extract_path.read_bytes()
    assert content.startswith(b"\xef\xbb\xbfLopNr;Kommun;Ar;Kon;Aldersgrupp;Utbniva;Vikt;Stratum;")
    assert b"\r\n" in content and b"," in content.split(b"\r\n")[1]  # decimal comma
    assert not extract_path.stat().st_mode & stat.S_IWUSR  # the cache makes files read-only
    # idempotent: a second call writes nothing new
    lines = cache.manifest_path.read_text(encoding="utf-8").count("\n")
    assert demo_survey.write_survey_demo(cache) == entries
    assert cache.manifest_path.read_text(encoding="utf-8").count("\n") == lines

    micro, pop = demo_survey.load_survey_demo(cache, variable_map=DEMO_MAP)
    assert len(micro) == len(respondents)
    assert (micro["weight"] > 0).all() and micro["psu"].isna().all()
    cols = [c for c in respondents.columns if c != "weight"]
    pd.testing.assert_frame_equal(micro[cols], respondents[cols])
    np.testing.assert_allclose(micro["weight"], respondents["weight"], atol=5e-5)
    assert micro.attrs["labels"]["daily_smoking"] == "Röker dagligen"
    assert len(pop) == 1920 and pop["population"].sum() > 800_000
    assert set(pop["age_group"]) == set(micro["age_group"])


def test_load_without_the_variable_map_says_so(tmp_root):
    with pytest.raises(DataError, match="variabelkartan finns inte"):
        demo_survey.load_survey_demo(RawCache("demo", "x"), seed=5)
