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
    # at the threshold: shown
    t5 = table([("totalt", "alla", 60, 9), ("kvinnor", "alla", 5, 1), ("män", "alla", 55, 8)])
    out5 = disclosure.suppress_small_cells(t5)
    assert out5["flag"].eq(FLAG_OK).all() and out5["value"].notna().all()
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
    rows = [(s, g, round(120 * fs * fg), 5) for s, fs in sexes.items() for g, fg in groups.items()]
    t = table(rows)
    # kvinnor × förgymnasial has n = 6: force it small
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
    t = table([("totalt", "alla", 60, 9), ("kvinnor", "alla", 8, 1), ("män", "alla", 52, 8)])
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
