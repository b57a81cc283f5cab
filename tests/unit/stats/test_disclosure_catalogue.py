"""Tests of helpers.stats.disclosure: the catalogue's ``disclosure`` flag decides which rows are controlled."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from helpers.config import catalogue
from helpers.core import indicators
from helpers.core.indicators import FLAG_OK, FLAG_SUPPRESSED
from helpers.stats import disclosure, survey


def _table(indicator: str) -> pd.DataFrame:
    rows = [("totalt", 60, 9), ("kvinnor", 4, 1), ("män", 56, 8)]
    df = pd.DataFrame(rows, columns=["sex", "n", "numerator"])
    p = df["numerator"] / df["n"]
    df = df.assign(
        area_code="2080",
        area_type="kommun",
        period=2022,
        indicator=indicator,
        value=p * 100,
        ci_lower=p * 100 * 0.8,
        ci_upper=p * 100 * 1.2 + 0.1,
        ci_level=0.95,
        denominator=df["n"],
        flag=FLAG_OK,
    )
    return indicators.make(df, source="test")


def _open_catalogue() -> list[catalogue.Indicator]:
    """The shipped catalogue with ``daglig_rokning`` marked ``disclosure: false``."""
    return [
        dataclasses.replace(ind, disclosure=False) if ind.id == "daglig_rokning" else ind
        for ind in catalogue.load()
    ]


def test_survey_indicators_are_disclosure_controlled_in_the_shipped_catalogue():
    cat = catalogue.load()
    assert cat.get("daglig_rokning").disclosure is True
    assert "daglig_rokning" not in disclosure.exempt(cat)
    assert "daily_smoking" not in disclosure.exempt(cat)


def test_exempt_names_ids_and_survey_variables_of_disclosure_false_entries():
    names = disclosure.exempt(_open_catalogue())
    assert {"daglig_rokning", "daily_smoking"} <= names
    assert "riskabla_alkoholvanor" not in names and "risk_alcohol" not in names
    assert "e0" in names  # a register indicator: disclosure false


def test_shipped_catalogue_changes_nothing():
    t = _table("daglig_rokning")
    plain = disclosure.suppress_small_cells(t)
    with_cat = disclosure.suppress_small_cells(t, catalogue=catalogue.load())
    pd.testing.assert_frame_equal(plain, with_cat)
    k = with_cat[with_cat["sex"] == "kvinnor"].iloc[0]
    assert k["flag"] == FLAG_SUPPRESSED and np.isnan(k["n"])


def test_disclosure_false_leaves_small_cells_and_their_complements_visible():
    cat = _open_catalogue()
    for indicator in ("daglig_rokning", "daily_smoking"):  # by id or by survey variable
        out = disclosure.suppress_small_cells(_table(indicator), catalogue=cat)
        assert (out["flag"] == FLAG_OK).all()
        assert out.set_index("sex").loc["kvinnor", "n"] == 4
        assert out.set_index("sex").loc["män", "n"] == 56
    # another indicator in the same table is still controlled
    both = indicators.concat([_table("daglig_rokning"), _table("riskabla_alkoholvanor")])
    out = disclosure.suppress_small_cells(both, catalogue=cat)
    hidden = out[out["flag"] == FLAG_SUPPRESSED]
    assert set(hidden["indicator"]) == {"riskabla_alkoholvanor"}
    assert set(hidden["sex"]) == {"kvinnor", "män"}  # primary + complementary


def test_estimate_indicator_takes_the_decision_from_the_catalogue():
    rng = np.random.default_rng(4)
    n = 400
    df = pd.DataFrame(
        {
            "kommun": rng.choice(["2080", "2081"], n, p=[0.97, 0.03]),
            "year": 2022,
            "sex": rng.choice(["kvinnor", "män"], n),
            "weight": 1.0,
            "stratum": "A",
            "y": rng.binomial(1, 0.2, n).astype(float),
        }
    )
    kw = {"levels": ("kommun",), "group": None, "params": {"disclosure": {"min_n": 10}}}
    controlled = survey.estimate_indicator(df, "y", "daglig_rokning", "test", **kw).table
    same = survey.estimate_indicator(
        df, "y", "daglig_rokning", "test", catalogue=catalogue.load(), **kw
    ).table
    pd.testing.assert_frame_equal(controlled, same)
    by_disclosure = controlled["flag_reason"].str.contains("röjandekontroll")
    assert by_disclosure.any()
    assert controlled.loc[by_disclosure, "n"].isna().all()
    shown = survey.estimate_indicator(
        df, "y", "daglig_rokning", "test", catalogue=_open_catalogue(), **kw
    ).table
    assert not shown["flag_reason"].str.contains("röjandekontroll").any()
    assert shown["n"].notna().all()
    # hidden where n < 10, or (new rule) where fewer than 10 answered yes or no
    s = shown.loc[by_disclosure.to_numpy()]
    small = (
        (s["n"] < 10) | (s["numerator"].between(1, 9)) | ((s["n"] - s["numerator"]).between(1, 9))
    )
    assert small.all() and (s["n"] < 10).any()
