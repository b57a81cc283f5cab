"""Tests for helpers.stats.disclosure.suppress_small_cells: thresholds, params, complementary suppression, no leaks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.core import indicators
from helpers.core.errors import DataError
from helpers.core.indicators import FLAG_OK, FLAG_SUPPRESSED
from helpers.stats import disclosure

PRIMARY = "färre än 5 svarande (röjandekontroll)"
SECONDARY = "dold för att skydda en cell med färre än 5 svarande (röjandekontroll)"
COUNT_COLS = ["value", "ci_lower", "ci_upper", "numerator", "denominator", "n"]


def table(rows):
    """rows: (sex, group, n, yes) -> an indicator table for one kommun, period and indicator."""
    df = pd.DataFrame(rows, columns=["sex", "group", "n", "numerator"])
    p = df["numerator"] / df["n"]
    df = df.assign(
        area_code="2080",
        area_type="kommun",
        period=2022,
        indicator="daglig_rokning",
        value=p * 100,
        ci_lower=p * 100 * 0.8,
        ci_upper=p * 100 * 1.2 + 0.1,
        ci_level=0.95,
        denominator=df["n"],
        flag=FLAG_OK,
    )
    return indicators.make(df, source="test")


def row(t, sex, group="alla"):
    return t[(t["sex"] == sex) & (t["group"] == group)].iloc[0]


def test_primary_suppression_below_threshold_blanks_every_number():
    t = table([("totalt", "alla", 60, 9), ("kvinnor", "alla", 4, 1), ("män", "alla", 56, 8)])
    out = disclosure.suppress_small_cells(t, complementary=False)
    k = row(out, "kvinnor")
    assert k[COUNT_COLS].isna().all()  # value, CI and all counts: nothing to subtract from
    assert k["ci_level"] == 0.95 and k["period"] == 2022
    assert k["flag"] == FLAG_SUPPRESSED and k["flag_reason"] == PRIMARY
    assert (
        row(out, "män")["n"] == 56 and row(out, "män")["flag"] == FLAG_OK
    )  # not complementary here
    indicators.validate(out)
    # at the threshold: shown (0 yes-answers and 5 no-answers are no small count)
    t5 = table([("totalt", "alla", 60, 9), ("kvinnor", "alla", 5, 0), ("män", "alla", 55, 9)])
    out5 = disclosure.suppress_small_cells(t5)
    assert out5["flag"].eq(FLAG_OK).all() and out5["value"].notna().all()
    assert row(out5, "kvinnor")["n"] == 5 and row(out5, "kvinnor")["numerator"] == 0
    # n = 5 but 1 yes-answer: the unweighted share would give the count (1 of 5), so it goes too
    # (the old rule showed "5 svarande, 1 ja")
    t51 = table([("totalt", "alla", 60, 9), ("kvinnor", "alla", 5, 1), ("män", "alla", 55, 8)])
    k = row(disclosure.suppress_small_cells(t51, complementary=False), "kvinnor")
    assert k[COUNT_COLS].isna().all() and k["flag"] == FLAG_SUPPRESSED
    # the input is not modified
    assert t["n"].notna().all()


def test_complementary_suppression_sex_and_total():
    t = table([("totalt", "alla", 60, 9), ("kvinnor", "alla", 4, 1), ("män", "alla", 56, 8)])
    out = disclosure.suppress_small_cells(t)
    m = row(out, "män")
    assert m[COUNT_COLS].isna().all()
    assert m["flag"] == FLAG_SUPPRESSED and m["flag_reason"] == SECONDARY
    tot = row(out, "totalt")
    assert tot["n"] == 60 and tot["value"] == pytest.approx(15.0)  # the total stays
    # neither n nor numerator of kvinnor can now be derived: 60 − NaN
    assert np.isnan(tot["n"] - row(out, "män")["n"])


def test_no_complement_needed_when_total_itself_is_small():
    t = table([("totalt", "alla", 4, 1), ("kvinnor", "alla", 2, 1), ("män", "alla", 2, 0)])
    out = disclosure.suppress_small_cells(t)
    assert out["flag_reason"].eq(PRIMARY).all()


def test_no_complement_needed_when_two_subgroups_are_hidden():
    t = table(
        [
            ("totalt", "alla", 60, 9),
            ("totalt", "förgymnasial", 3, 1),
            ("totalt", "gymnasial", 4, 1),
            ("totalt", "eftergymnasial", 53, 7),
        ]
    )
    out = disclosure.suppress_small_cells(t)
    assert row(out, "totalt", "eftergymnasial")["flag"] == FLAG_OK
    assert (out["flag_reason"] == SECONDARY).sum() == 0


def test_complement_is_the_smallest_visible_subgroup():
    t = table(
        [
            ("totalt", "alla", 100, 15),
            ("totalt", "förgymnasial", 3, 1),
            ("totalt", "gymnasial", 30, 5),
            ("totalt", "eftergymnasial", 67, 9),
        ]
    )
    out = disclosure.suppress_small_cells(t)
    assert row(out, "totalt", "gymnasial")["flag_reason"] == SECONDARY
    assert row(out, "totalt", "eftergymnasial")["flag"] == FLAG_OK


def test_reliability_suppressed_cell_with_visible_counts_does_not_protect():
    t = table([("totalt", "alla", 100, 15), ("kvinnor", "alla", 3, 1), ("män", "alla", 97, 14)])
    i = t.index[t["sex"] == "män"][0]
    t.loc[i, ["value", "ci_lower", "ci_upper"]] = np.nan  # e.g. NCHS suppression keeps the counts
    t.loc[i, "flag"] = FLAG_SUPPRESSED
    out = disclosure.suppress_small_cells(t)
    assert np.isnan(row(out, "män")["n"]) and np.isnan(row(out, "män")["numerator"])


def test_cascade_over_sex_and_group_leaves_nothing_derivable():
    sexes = {"totalt": 1.0, "kvinnor": 0.5, "män": 0.5}
    groups = {"alla": 1.0, "förgymnasial": 0.1, "gymnasial": 0.4, "eftergymnasial": 0.5}
    # n from 12 (kvinnor × förgymnasial) to 120, yes-counts 0 or at least 5 yes and 5 no
    rows = [
        (s, g, round(240 * fs * fg), 5 if round(240 * fs * fg) >= 10 else 0)
        for s, fs in sexes.items()
        for g, fg in groups.items()
    ]
    t = table(rows)
    # force kvinnor × förgymnasial small
    t.loc[(t["sex"] == "kvinnor") & (t["group"] == "förgymnasial"), "n"] = 3
    out = disclosure.suppress_small_cells(t)
    assert row(out, "kvinnor", "förgymnasial")["flag_reason"] == PRIMARY
    assert row(out, "män", "förgymnasial")["flag_reason"] == SECONDARY  # sex partition
    hidden = out["n"].isna()
    # property: in every partition with a visible total, never exactly one hidden subgroup
    for dim, total in (("sex", "totalt"), ("group", "alla")):
        other = "group" if dim == "sex" else "sex"
        for _, part in out.assign(hidden=hidden).groupby(other):
            if part.loc[part[dim] == total, "n"].notna().all():
                assert part.loc[part[dim] != total, "hidden"].sum() != 1
    indicators.validate(out)


def test_threshold_from_params_and_overrides():
    t = table([("totalt", "alla", 60, 9), ("kvinnor", "alla", 8, 0), ("män", "alla", 52, 9)])
    assert disclosure.min_n_from_params(None) == disclosure.DEFAULT_MIN_N == 5
    assert disclosure.min_n_from_params({}) == 5
    assert disclosure.min_n_from_params({"disclosure": {"min_n": 10}}) == 10
    assert disclosure.min_n_from_params({"disclosure.min_n": 3}) == 3
    assert disclosure.min_n_from_params({"min_n": 7}) == 7  # the run file's disclosure section
    assert disclosure.min_n_from_params({"disclosure": None}) == 5
    assert disclosure.min_n_from_params({"disclosure": {"min_n": 10.0}}) == 10
    out = disclosure.suppress_small_cells(t, params={"disclosure": {"min_n": 10}})
    assert row(out, "kvinnor")["flag_reason"] == "färre än 10 svarande (röjandekontroll)"
    assert disclosure.suppress_small_cells(t)["flag"].eq(FLAG_OK).all()  # default 5
    out = disclosure.suppress_small_cells(
        t, 9, params={"disclosure": {"min_n": 3}}
    )  # explicit wins
    assert row(out, "kvinnor")["flag"] == FLAG_SUPPRESSED
    for bad in (0, -2, "5", 2.5, True, None):
        with pytest.raises(DataError, match="disclosure.min_n"):
            disclosure.min_n_from_params({"disclosure": {"min_n": bad}})


def test_extra_numeric_columns_are_blanked_and_unknown_n_is_left_alone():
    design = pd.DataFrame(
        {
            "area_code": ["2080", "2081"],
            "period": [2022, 2022],
            "indicator": "x",
            "sex": "totalt",
            "group": "alla",
            "first_year": [2019, 2019],
            "n": [3.0, np.nan],
            "yes": [1.0, 4.0],
            "weighted_n": [812.5, 900.0],
            "p": [0.33, 0.2],
            "se": [0.2, 0.05],
            "ci_level": 0.95,
            "flag": FLAG_OK,
            "flag_reason": "",
        }
    )
    out = disclosure.suppress_small_cells(design)
    assert out.loc[0, ["n", "yes", "weighted_n", "p", "se"]].isna().all()
    assert (
        out.loc[0, "first_year"] == 2019
        and out.loc[0, "period"] == 2022
        and out.loc[0, "ci_level"] == 0.95
    )
    assert out.loc[1, "p"] == 0.2 and out.loc[1, "flag"] == FLAG_OK


def test_missing_n_column_is_an_error():
    with pytest.raises(DataError, match="'n'"):
        disclosure.suppress_small_cells(pd.DataFrame({"value": [1.0]}))


# -- rule 2: too few yes- or no-answers -----------------------------------------------------------
COUNTS = "antalen visas inte: färre än 5 ja- eller nej-svar (röjandekontroll av antal)"
GIVES_COUNT = "färre än 5 ja- eller nej-svar, och andelen skulle visa antalet (röjandekontroll)"


def weighted(t, shares):
    """Give rows weighted shares (percent) that differ from numerator / n; shares: {sex: value}."""
    t = t.copy()
    for sex, value in shares.items():
        i = t.index[(t["sex"] == sex) & (t["group"] == "alla")][0]
        t.loc[i, ["value", "ci_lower", "ci_upper"]] = [value, value * 0.5, value * 1.5 + 1]
    return t


def test_small_yes_count_hides_counts_but_keeps_a_weighted_share():
    # "118 svarande, 3 ja": the example. Weighted share 4.1 % (3/118 would be 2.5 %).
    t = weighted(
        table([("totalt", "alla", 236, 40), ("kvinnor", "alla", 118, 3), ("män", "alla", 118, 37)]),
        {"totalt": 16.5, "kvinnor": 4.1, "män": 30.2},
    )
    out = disclosure.suppress_small_cells(t)
    k = row(out, "kvinnor")
    assert np.isnan(k["n"]) and np.isnan(k["numerator"]) and np.isnan(k["denominator"])
    assert k["value"] == pytest.approx(4.1) and k["ci_lower"] == pytest.approx(2.05)
    assert k["flag"] == FLAG_OK and k["flag_reason"] == COUNTS
    # complement on the counts: 236 − 118 and 40 − 37 would give kvinnor's counts back
    m = row(out, "män")
    assert np.isnan(m["n"]) and np.isnan(m["numerator"]) and m["value"] == pytest.approx(30.2)
    assert "skyddar en annan cell" in m["flag_reason"]
    tot = row(out, "totalt")
    assert tot["n"] == 236 and tot["numerator"] == 40
    assert np.isnan(tot["n"] - m["n"]) and np.isnan(tot["numerator"] - m["numerator"])
    indicators.validate(out)


def test_small_no_count_is_as_disclosive_as_a_small_yes_count():
    t = weighted(
        table(
            [("totalt", "alla", 236, 150), ("kvinnor", "alla", 118, 116), ("män", "alla", 118, 34)]
        ),
        {"totalt": 60.0, "kvinnor": 96.0, "män": 31.0},
    )
    k = row(disclosure.suppress_small_cells(t), "kvinnor")  # 2 answered no
    assert np.isnan(k["n"]) and np.isnan(k["numerator"]) and k["value"] == 96.0


def test_a_share_that_gives_the_count_is_hidden_with_it():
    # Unweighted: 3 / 118 = 2,54 %, so 2,54 % × 118 = 3 – the share must go too.
    t = table([("totalt", "alla", 236, 40), ("kvinnor", "alla", 118, 3), ("män", "alla", 118, 37)])
    out = disclosure.suppress_small_cells(t)
    k = row(out, "kvinnor")
    assert k[COUNT_COLS].isna().all()
    assert k["flag"] == FLAG_SUPPRESSED and k["flag_reason"] == GIVES_COUNT
    # a weighted share that happens to round back to the count (2,9 % × 118 = 3,4) goes too
    t2 = weighted(t, {"kvinnor": 2.9})
    assert row(disclosure.suppress_small_cells(t2), "kvinnor")["flag_reason"] == GIVES_COUNT
    # … and the value complement keeps it from being derived: män is hidden entirely
    assert row(out, "män")[COUNT_COLS].isna().all()
    assert row(out, "män")["flag_reason"] == SECONDARY


def test_zero_counts_are_shown():
    t = table([("totalt", "alla", 100, 50), ("kvinnor", "alla", 50, 0), ("män", "alla", 50, 50)])
    out = disclosure.suppress_small_cells(t)
    assert out["flag"].eq(FLAG_OK).all() and out["flag_reason"].eq("").all()
    assert row(out, "kvinnor")["numerator"] == 0 and row(out, "män")["numerator"] == 50
    assert out["n"].notna().all()


def test_reliability_reason_is_kept_and_the_counts_reason_added():
    t = table([("totalt", "alla", 236, 40), ("kvinnor", "alla", 118, 3), ("män", "alla", 118, 37)])
    i = t.index[t["sex"] == "kvinnor"][0]
    t.loc[i, ["value", "ci_lower", "ci_upper"]] = np.nan
    t.loc[i, ["flag", "flag_reason"]] = [FLAG_SUPPRESSED, "relativ KI-bredd 274 %"]
    k = row(disclosure.suppress_small_cells(t), "kvinnor")
    assert k["flag_reason"] == f"relativ KI-bredd 274 %; {COUNTS}"
    assert np.isnan(k["n"]) and np.isnan(k["numerator"])


# -- complementary suppression over the areas ------------------------------------------------------
def county_table(cells):
    """cells: (area_code, n, yes) for sex totalt, group alla; the county row is their sum."""
    df = pd.DataFrame(cells, columns=["area_code", "n", "numerator"])
    total = pd.DataFrame(
        [{"area_code": "0020", "n": df["n"].sum(), "numerator": df["numerator"].sum()}]
    )
    df = pd.concat([df, total], ignore_index=True)
    p = df["numerator"] / df["n"]
    df = df.assign(
        area_type=np.where(df["area_code"] == "0020", "region", "kommun"),
        period=2024,
        indicator="daglig_rokning",
        value=p * 100,
        ci_lower=p * 80,
        ci_upper=p * 120 + 0.1,
        ci_level=0.95,
        denominator=df["n"],
        flag=FLAG_OK,
    )
    return indicators.make(df, source="test")


def test_a_hidden_kommun_cannot_be_recomputed_from_the_county():
    t = county_table([("2080", 600, 30), ("2081", 500, 90), ("2062", 400, 48), ("2021", 3, 2)])
    county = t[t["area_code"] == "0020"].iloc[0]
    # before: county minus the shown kommuner gives Vansbro: 3 respondents, 2 smokers
    others = t[t["area_code"].isin(["2080", "2081", "2062"])]
    assert (
        county["n"] - others["n"].sum() == 3
        and county["numerator"] - others["numerator"].sum() == 2
    )
    out = disclosure.suppress_small_cells(t).set_index("area_code")
    assert out.loc["2021", "flag_reason"] == PRIMARY
    assert out.loc["2062", "flag_reason"] == SECONDARY  # the smallest other kommun
    assert out.loc[["2080", "2081", "0020"], "flag"].eq(FLAG_OK).all()
    shown = out.loc[["2080", "2081", "2062"]]
    assert np.isnan(out.loc["0020", "n"] - shown["n"].sum(min_count=3))
    # two hidden kommuner need no complement
    t2 = county_table([("2080", 600, 30), ("2081", 500, 90), ("2023", 4, 1), ("2021", 3, 2)])
    out2 = disclosure.suppress_small_cells(t2).set_index("area_code")
    assert out2.loc[["2080", "2081"], "flag"].eq(FLAG_OK).all()


def test_counts_of_a_kommun_cannot_be_recomputed_from_the_county():
    t = county_table([("2080", 600, 30), ("2081", 500, 90), ("2062", 400, 48), ("2021", 60, 2)])
    unweighted = t.copy()
    t.loc[t["area_code"] == "2021", ["value", "ci_lower", "ci_upper"]] = [
        5.0,
        1.0,
        12.0,
    ]  # weighted
    t.loc[t["area_code"] == "2062", ["value", "ci_lower", "ci_upper"]] = [13.0, 10.0, 16.0]
    out = disclosure.suppress_small_cells(t).set_index("area_code")
    assert np.isnan(out.loc["2021", "n"]) and out.loc["2021", "value"] == 5.0
    # Mora, the smallest other kommun, loses its counts; its weighted share stays
    assert np.isnan(out.loc["2062", "n"]) and out.loc["2062", "value"] == 13.0
    assert "skyddar en annan cell" in out.loc["2062", "flag_reason"]
    assert out.loc["0020", "n"] == 1560 and out.loc["2080", "n"] == 600
    # an unweighted complement (12,0 % × 400 = 48) would give its count back: hidden entirely
    out = disclosure.suppress_small_cells(unweighted).set_index("area_code")
    assert out.loc["2021", "flag"] == FLAG_SUPPRESSED  # 2 of 60, unweighted
    assert out.loc["2062", "flag_reason"] == SECONDARY


def test_running_twice_changes_nothing_and_the_complements_hold_on_slices():
    t = county_table([("2080", 600, 30), ("2081", 500, 90), ("2062", 400, 48), ("2021", 3, 2)])
    once = disclosure.suppress_small_cells(t)
    pd.testing.assert_frame_equal(disclosure.suppress_small_cells(once), once)
    # the rows that were protected are recognised by their reasons in a re-assembled table
    again = disclosure.suppress_small_cells(
        indicators.concat([once[once["area_code"] != "2062"], t[t["area_code"] == "2062"]])
    )
    assert again.set_index("area_code").loc["2062", "flag_reason"] == SECONDARY


def test_exempt_knows_the_kolada_kpis_of_register_indicators():
    from helpers.config import catalogue

    names = disclosure.exempt(catalogue.load())
    assert {"e0", "N00925", "N00923"} <= names
    assert "daglig_rokning" not in names and "daily_smoking" not in names


# -- the threshold ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "bad", [0, -1, True, False, 2.5, float("nan"), float("inf"), "5", "fem", None, [5]]
)
def test_check_min_n_refuses_what_is_not_a_whole_number_of_at_least_one(bad):
    with pytest.raises(DataError, match=r"disclosure\.min_n .*heltal som är minst 1"):
        disclosure.check_min_n(bad)


def test_check_min_n_accepts_whole_numbers_and_warns_below_five(caplog):
    assert disclosure.check_min_n(np.int64(7)) == 7 and disclosure.check_min_n(10.0) == 10
    with caplog.at_level("WARNING", logger="helpers.stats.disclosure"):
        assert disclosure.check_min_n(5) == 5
        assert not caplog.records
        assert disclosure.check_min_n(3) == 3
    assert len(caplog.records) == 1 and "lägre än de 5 svarande som rekommenderas" in caplog.text
    with caplog.at_level("WARNING", logger="helpers.stats.disclosure"):
        caplog.clear()
        assert disclosure.min_n_from_params({"disclosure": {"min_n": 2}}) == 2
    assert "Tröskeln för röjandekontroll (disclosure.min_n) är 2" in caplog.text


def test_the_threshold_is_set_in_one_place():
    with pytest.raises(DataError, match="anges flera gånger med olika värden"):
        disclosure.min_n_from_params({"min_n": 3, "disclosure": {"min_n": 10}})
    assert disclosure.min_n_from_params({"min_n": 10, "disclosure": {"min_n": 10}}) == 10
    with pytest.raises(DataError, match="disclosure ska vara en mappning"):
        disclosure.min_n_from_params({"disclosure": 5})
    with pytest.raises(DataError, match=r"min_n .*heltal"):
        disclosure.suppress_small_cells(table([("totalt", "alla", 60, 9)]), 2.5)


def test_a_total_with_a_single_hidden_subgroup_is_hidden_itself():
    """No män answered: totalt is kvinnor, so kvinnor's hidden counts would show as totalt's."""
    t = weighted(
        table([("totalt", "alla", 60, 9), ("kvinnor", "alla", 60, 9)]),
        {"totalt": 14.0, "kvinnor": 14.0},
    )
    i = t.index[t["sex"] == "kvinnor"][0]
    t.loc[i, ["n", "numerator", "denominator"]] = np.nan  # hidden earlier, e.g. as a complement
    t.loc[i, "flag_reason"] = "antalen visas inte: skyddar en annan cell (röjandekontroll av antal)"
    tot = row(disclosure.suppress_small_cells(t), "totalt")
    assert np.isnan(tot["n"]) and np.isnan(tot["numerator"]) and tot["value"] == 14.0
    assert "skyddar en annan cell" in tot["flag_reason"]


def test_an_empty_catalogue_controls_every_row():
    t = table([("totalt", "alla", 60, 9), ("kvinnor", "alla", 4, 1), ("män", "alla", 56, 8)])
    t["indicator"] = "e0"  # exempt in the project's catalogue
    assert disclosure.suppress_small_cells(t)["flag"].eq(FLAG_OK).all()
    out = disclosure.suppress_small_cells(t, catalogue=())
    assert row(out, "kvinnor")["flag_reason"] == PRIMARY
