"""Tests for helpers.stats.lifeexp: hand-computed cases, missing values and properties on demo data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.core import indicators
from helpers.core.errors import DataError
from helpers.stats import lifeexp

SOURCE = "Källa: testdata"
NAMES = {
    "2080": "Falun",
    "2081": "Borlänge",
    "2062": "Mora",
    "2021": "Vansbro",
    "0020": "Region Dalarna",
    "0000": "Riket",
}
# (code, period, sex) -> value, flag (None = default), ci
HAND = {
    ("2080", 2024, "kvinnor"): 84.7,
    ("2081", 2024, "kvinnor"): 83.9,
    ("2062", 2024, "kvinnor"): 85.2,
    ("2021", 2024, "kvinnor"): 82.1,
    ("0020", 2024, "kvinnor"): 84.4,
    ("0000", 2024, "kvinnor"): 84.6,
    ("2080", 2023, "kvinnor"): 84.5,
    ("2081", 2023, "kvinnor"): 83.5,
    ("2062", 2023, "kvinnor"): 84.9,
    ("2021", 2023, "kvinnor"): np.nan,  # saknas
    ("0020", 2023, "kvinnor"): 84.2,
    ("0000", 2023, "kvinnor"): 84.5,
    ("2080", 2024, "män"): 81.0,
    ("2081", 2024, "män"): 79.8,  # osäker, CI 79.0–80.6
    ("2062", 2024, "män"): 82.9,
    ("2021", 2024, "män"): 80.5,
    ("0020", 2024, "män"): 81.1,
    ("0000", 2024, "män"): 81.5,
    ("2080", 2023, "män"): 80.6,
    ("2081", 2023, "män"): np.nan,  # undertryckt
    ("2062", 2023, "män"): 82.0,
    ("2021", 2023, "män"): 80.0,
    ("0020", 2023, "män"): 80.9,
    ("0000", 2023, "män"): 81.3,
}


def hand_table() -> pd.DataFrame:
    """A small Dalarna table with missing, suppressed and uncertain values."""
    rows = []
    for (code, period, sex), value in HAND.items():
        area_type = "riket" if code == "0000" else "region" if code.startswith("00") else "kommun"
        row = {
            "area_code": code,
            "area_name": NAMES[code],
            "area_type": area_type,
            "period": period,
            "period_label": f"{period - 4}–{period}",
            "sex": sex,
            "indicator": "N00925" if sex == "kvinnor" else "N00923",
            "value": value,
            "flag": indicators.FLAG_NOT_ASSESSED,
        }
        if np.isnan(value):
            row["flag"] = indicators.FLAG_MISSING
        rows.append(row)
    df = pd.DataFrame(rows)
    sup = (df["area_code"] == "2081") & (df["period"] == 2023) & (df["sex"] == "män")
    df.loc[sup, "flag"] = indicators.FLAG_SUPPRESSED
    unc = (df["area_code"] == "2081") & (df["period"] == 2024) & (df["sex"] == "män")
    df.loc[unc, "flag"] = indicators.FLAG_UNCERTAIN
    df["ci_lower"] = np.where(unc, 79.0, np.nan)
    df["ci_upper"] = np.where(unc, 80.6, np.nan)
    return indicators.make(df, source=SOURCE)


def _row(df: pd.DataFrame, **eq: object) -> pd.Series:
    mask = pd.Series(True, index=df.index)
    for k, v in eq.items():
        mask &= df[k] == v
    assert mask.sum() == 1, eq
    return df[mask].iloc[0]


# -- county_range ----------------------------------------------------------------------------------
def test_county_range_hand_computed():
    r = lifeexp.county_range(hand_table())
    assert list(r.columns) == lifeexp.RANGE_COLUMNS
    assert len(r) == 4
    k24 = _row(r, sex="kvinnor", period=2024)
    assert k24["range"] == pytest.approx(85.2 - 82.1)
    assert (k24["min_kommun"], k24["min_code"], k24["min_value"]) == ("Vansbro", "2021", 82.1)
    assert (k24["max_kommun"], k24["max_code"], k24["max_value"]) == ("Mora", "2062", 85.2)
    assert (k24["n_kommuner"], k24["n_missing"], k24["missing_kommuner"]) == (4, 0, "")
    assert k24["n_not_assessed"] == 4 and k24["n_uncertain"] == 0
    assert k24["period_label"] == "2020–2024" and k24["source"] == SOURCE


def test_missing_value_is_excluded_not_zero():
    r = lifeexp.county_range(hand_table())
    k23 = _row(r, sex="kvinnor", period=2023)
    # Vansbro is missing: range over the three others, never with a zero.
    assert k23["range"] == pytest.approx(84.9 - 83.5)
    assert k23["min_kommun"] == "Borlänge"
    assert (k23["n_kommuner"], k23["n_missing"], k23["missing_kommuner"]) == (3, 1, "Vansbro")
    m23 = _row(r, sex="män", period=2023)  # Borlänge suppressed
    assert m23["range"] == pytest.approx(82.0 - 80.0)
    assert (m23["n_missing"], m23["missing_kommuner"]) == (1, "Borlänge")


def test_uncertain_value_kept_with_its_flag():
    m24 = _row(lifeexp.county_range(hand_table()), sex="män", period=2024)
    assert m24["range"] == pytest.approx(82.9 - 79.8)
    assert (m24["min_kommun"], m24["min_flag"]) == ("Borlänge", indicators.FLAG_UNCERTAIN)
    assert m24["max_flag"] == indicators.FLAG_NOT_ASSESSED
    assert m24["n_uncertain"] == 1


def test_absent_row_counts_as_missing():
    t = hand_table()
    t = t[~((t["area_code"] == "2021") & (t["period"] == 2024) & (t["sex"] == "kvinnor"))]
    k24 = _row(lifeexp.county_range(t), sex="kvinnor", period=2024)
    assert (k24["n_kommuner"], k24["n_missing"], k24["missing_kommuner"]) == (3, 1, "Vansbro")
    assert k24["range"] == pytest.approx(85.2 - 83.9)


def test_ties_name_every_kommun():
    t = hand_table()
    t.loc[(t["area_code"] == "2080") & (t["period"] == 2024) & (t["sex"] == "kvinnor"), "value"] = (
        85.2
    )
    k24 = _row(lifeexp.county_range(t), sex="kvinnor", period=2024)
    assert k24["max_kommun"] == "Falun och Mora"
    assert k24["max_code"] == "2080,2062"


def test_range_needs_two_values():
    t = hand_table()
    t = t[t["area_code"].isin(["2080", "0020", "0000"])]
    r = lifeexp.county_range(t)
    assert r["range"].isna().all()
    assert (r["n_kommuner"] == 1).all()


def test_range_restricted_to_county():
    t = hand_table()
    other = t[t["area_code"] == "2080"].assign(
        area_code="0180", area_name="Stockholm", value=lambda d: d["value"] + 5
    )
    both = pd.concat([t, other], ignore_index=True)
    assert _row(lifeexp.county_range(both), sex="kvinnor", period=2024)["max_kommun"] == (
        "Stockholm"
    )
    r20 = lifeexp.county_range(both, lan_code="20")
    assert _row(r20, sex="kvinnor", period=2024)["max_kommun"] == "Mora"


def test_empty_table():
    r = lifeexp.county_range(indicators.empty())
    assert r.empty and list(r.columns) == lifeexp.RANGE_COLUMNS


# -- ranks -------------------------------------------------------------------------------------
def test_county_ranks_hand_computed():
    ranks = lifeexp.county_ranks(hand_table())
    k24 = ranks[(ranks["sex"] == "kvinnor") & (ranks["period"] == 2024)]
    assert k24["area_name"].tolist() == ["Mora", "Falun", "Borlänge", "Vansbro"]
    assert k24["rank"].tolist() == [1, 2, 3, 4]
    assert (k24["n_kommuner"] == 4).all()
    assert "flag" in ranks.columns and "flag_reason" in ranks.columns


def test_kommun_rank_with_missing_kommun():
    rank = lifeexp.kommun_rank(hand_table(), "2080")
    assert len(rank) == 4
    k23 = _row(rank, sex="kvinnor", period=2023)
    assert (k23["rank"], k23["n_kommuner"], k23["n_missing"]) == (2, 3, 1)
    m24 = _row(rank, sex="män", period=2024)
    assert (m24["rank"], m24["n_kommuner"]) == (2, 4)
    # A kommun without a value has no rank (not last, not zero).
    v23 = _row(lifeexp.kommun_rank(hand_table(), "2021"), sex="kvinnor", period=2023)
    assert pd.isna(v23["rank"]) and v23["flag"] == indicators.FLAG_MISSING


def test_tied_values_share_best_rank():
    t = hand_table()
    t.loc[(t["area_code"] == "2080") & (t["period"] == 2024) & (t["sex"] == "kvinnor"), "value"] = (
        85.2
    )
    ranks = lifeexp.county_ranks(t)
    k24 = ranks[(ranks["sex"] == "kvinnor") & (ranks["period"] == 2024)]
    assert k24["rank"].tolist() == [1, 1, 3, 4]


def test_unknown_kommun_raises_swedish_error():
    with pytest.raises(DataError, match="finns inte i data"):
        lifeexp.kommun_rank(hand_table(), "0180")


# -- comparison and change ---------------------------------------------------------------------
def test_compare_areas_hand_computed():
    c = lifeexp.compare_areas(hand_table(), "2080")
    k24 = _row(c, sex="kvinnor", period=2024)
    assert k24["diff_region"] == pytest.approx(0.3)
    assert k24["diff_riket"] == pytest.approx(0.1)
    assert (k24["region_code"], k24["region_name"]) == ("0020", "Region Dalarna")
    assert k24["flag"] == indicators.FLAG_NOT_ASSESSED
    m24 = _row(c, sex="män", period=2024)
    assert m24["diff_region"] == pytest.approx(-0.1)
    assert m24["diff_riket"] == pytest.approx(-0.5)


def test_compare_areas_missing_kommun_value_gives_nan():
    c = lifeexp.compare_areas(hand_table(), "2081")
    m23 = _row(c, sex="män", period=2023)
    assert np.isnan(m23["value"]) and np.isnan(m23["diff_region"])
    assert m23["flag"] == indicators.FLAG_SUPPRESSED


def test_compare_areas_without_region():
    t = hand_table()
    c = lifeexp.compare_areas(t[t["area_code"] != "0020"], "2080")
    assert c["region_value"].isna().all() and c["diff_region"].isna().all()
    assert (c["region_flag"] == indicators.FLAG_MISSING).all()
    assert c["diff_riket"].notna().all()


def test_change_hand_computed():
    ch = lifeexp.change(hand_table())
    falun = _row(ch, area_code="2080", sex="kvinnor")
    assert (falun["start_period"], falun["end_period"]) == (2023, 2024)
    assert (falun["start_label"], falun["end_label"]) == ("2019–2023", "2020–2024")
    assert falun["change"] == pytest.approx(0.2)
    vansbro = _row(ch, area_code="2021", sex="kvinnor")
    assert np.isnan(vansbro["change"]) and vansbro["start_flag"] == indicators.FLAG_MISSING
    assert list(ch["area_type"].unique()) == ["kommun", "region", "riket"]


def test_change_rejects_bad_periods():
    with pytest.raises(DataError, match="finns inte i data"):
        lifeexp.change(hand_table(), 2000, 2024)
    with pytest.raises(DataError, match="före slutåret"):
        lifeexp.change(hand_table(), 2024, 2023)


def test_check_period_and_select():
    t = hand_table()
    assert lifeexp.check_period(t, "2024") == 2024
    with pytest.raises(DataError, match="2023–2024"):
        lifeexp.check_period(t, 2030)
    s = lifeexp.select(t, period=2024, sex="män", area_type="kommun")
    assert len(s) == 4 and set(s["flag"]) == {"ej bedömd", "osäker"}


def test_inputs_not_modified():
    t = hand_table()
    before = t.copy()
    lifeexp.county_range(t)
    lifeexp.county_ranks(t)
    lifeexp.compare_areas(t, "2080")
    lifeexp.change(t)
    pd.testing.assert_frame_equal(t, before)


# -- properties on the demo data -------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_tables(tmp_path_factory):
    """Demo life expectancy for Dalarna and Uppsala, built once in a temporary root."""
    from helpers.sources import life_expectancy as data

    root = tmp_path_factory.mktemp("lifeexp_demo_root")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FOLKHALSA_ROOT", str(root))
        yield {lan: data.life_expectancy("demo", lan_code=lan) for lan in ("20", "03")}


@pytest.fixture
def demo_dalarna(demo_tables):
    return demo_tables["20"].copy()


def test_range_is_max_minus_min_on_demo(demo_dalarna):
    r = lifeexp.county_range(demo_dalarna, "20")
    kom = demo_dalarna[demo_dalarna["area_type"] == "kommun"]
    expected = kom.groupby(["sex", "period"])["value"].agg(lambda s: s.max() - s.min())
    got = r.set_index(["sex", "period"])["range"]
    pd.testing.assert_series_equal(
        got.sort_index(), expected.sort_index(), check_names=False, check_index_type=False
    )
    assert (r["n_kommuner"] == 15).all() and (r["n_missing"] == 0).all()
    # Dalarna: about 3 years between shortest- and longest-lived kommun.
    assert r["range"].between(1.5, 6).all()


def test_ranks_are_a_permutation_on_demo(demo_dalarna):
    ranks = lifeexp.county_ranks(demo_dalarna)
    for _, g in ranks.groupby(["sex", "period"]):
        values = g["value"].to_numpy()
        # rank = 1 + number of kommuner with a strictly longer life expectancy (ties share).
        expected = [1 + int((values > v).sum()) for v in values]
        assert g["rank"].tolist() == expected
        assert g["rank"].min() == 1 and g["rank"].max() <= 15


def test_knivsta_missing_early_is_counted(demo_tables):
    # Kolada has no values for Knivsta (formed 2003) in early periods; the demo series
    # starts in 2014, so blank its first periods the way Kolada's null values arrive.
    uppsala = demo_tables["03"].copy()
    early_rows = (uppsala["area_code"] == "0330") & (uppsala["period"] <= 2016)
    uppsala.loc[early_rows, "value"] = np.nan
    uppsala.loc[early_rows, "flag"] = indicators.FLAG_MISSING
    r = lifeexp.county_range(uppsala, "03")
    early = r[r["period"] <= 2016]
    assert len(early) == 2 * 3
    assert (early["missing_kommuner"] == "Knivsta").all()
    assert (early["n_missing"] == 1).all() and (early["n_kommuner"] == 7).all()
    assert (r.loc[r["period"] > 2016, "n_missing"] == 0).all()
