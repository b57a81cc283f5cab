"""Comparing two estimates known only as percent with a 95 % CI: hand-checked cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.core import indicators
from helpers.report import survey_analysis as sa
from helpers.stats import reliability
from helpers.stats import survey_compare as sc

# 95 % limits with half-width 1,96 have SE exactly 1 percentage point.
Z = 1.959963984540054


def test_se_from_ci() -> None:
    assert sc.se_from_ci(10 - Z, 10 + Z)[0] == pytest.approx(1.0)
    assert sc.se_from_ci(0, 2 * 1.644853626951, 0.90)[0] == pytest.approx(1.0)


def test_compare_ci_hand_checked() -> None:
    # 10 % (SE 1) against 13 % (SE 1): diff 3, SE √2, z = 2,1213, p = 0,0339,
    # 95 % CI 3 ± 1,96·√2 = 0,228 … 5,772.
    r = sc.compare_ci(10, 10 - Z, 10 + Z, 13, 13 - Z, 13 + Z).iloc[0]
    assert r["diff_pp"] == pytest.approx(3.0)
    assert r["se_pp"] == pytest.approx(np.sqrt(2))
    assert r["statistic"] == pytest.approx(2.1213203, rel=1e-6)
    assert r["p_value"] == pytest.approx(0.033895, abs=1e-6)
    assert (r["ci_lower_pp"], r["ci_upper_pp"]) == (
        pytest.approx(0.22819, abs=1e-5),
        pytest.approx(5.77181, abs=1e-5),
    )
    assert r["verdict"] == sc.VERDICT_INCREASE


def test_compare_ci_dalarna_smoking_2014_2021() -> None:
    # Region Dalarna, daily smoking: 9,8–10,8 (2014) and 6,2–7,1 (2021).
    # SE 0,5/1,96 = 0,2551 and 0,45/1,96 = 0,2296; diff −3,65, SE 0,3432, z = −10,63.
    r = sc.compare_ci(10.3, 9.8, 10.8, 6.65, 6.2, 7.1).iloc[0]
    assert r["diff_pp"] == pytest.approx(-3.65)
    assert r["se_pp"] == pytest.approx(0.34321, abs=1e-5)
    assert r["statistic"] == pytest.approx(-10.635, abs=1e-3)
    assert r["verdict"] == sc.VERDICT_DECREASE


def test_overlapping_intervals_can_still_differ() -> None:
    # 10 (8,04–11,96) and 13 (11,04–14,96) overlap, yet the difference is significant.
    r = sc.compare_ci(10, 10 - Z, 10 + Z, 13, 13 - Z, 13 + Z).iloc[0]
    assert 10 + Z > 13 - Z and r["p_value"] < 0.05
    no = sc.compare_ci(10, 10 - Z, 10 + Z, 12, 12 - Z, 12 + Z).iloc[0]
    assert no["verdict"] == sc.VERDICT_NO_CHANGE and no["p_value"] == pytest.approx(
        0.1573, abs=1e-4
    )


def _table(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(
        rows, columns=["area_code", "period", "value", "ci_lower", "ci_upper", "flag"]
    )
    lk = {
        "2080": ("Falun", "kommun"),
        "2062": ("Mora", "kommun"),
        "0020": ("Region Dalarna", "region"),
        "0000": ("Riket", "riket"),
    }
    frame["area_name"] = [lk[c][0] for c in frame["area_code"]]
    frame["area_type"] = [lk[c][1] for c in frame["area_code"]]
    frame["period_label"] = frame["period"].astype(str)
    frame["sex"] = "totalt"
    frame["group"] = indicators.ALL_GROUPS
    frame["indicator"] = "daily_smoking"
    frame["ci_level"] = 0.95
    frame["flag_reason"] = ""
    hidden = frame["flag"] == indicators.FLAG_SUPPRESSED
    frame.loc[hidden, ["value", "ci_lower", "ci_upper"]] = np.nan
    return indicators.make(frame, source="test")


def test_aggregated_comparison_and_changes() -> None:
    ok, sup = indicators.FLAG_OK, indicators.FLAG_SUPPRESSED
    t = _table(
        [
            ("0020", 2021, 10, 10 - Z / 4, 10 + Z / 4, ok),
            ("0000", 2021, 10, 10 - Z / 8, 10 + Z / 8, ok),
            ("2080", 2021, 13, 13 - Z, 13 + Z, ok),
            ("2062", 2021, 0, 0, 0, sup),
            ("2080", 2014, 10, 10 - Z, 10 + Z, ok),
            ("2062", 2014, 9, 9 - Z, 9 + Z, ok),
            ("0020", 2014, 11, 11 - Z / 4, 11 + Z / 4, ok),
        ]
    )
    assert sa.aggregated_periods(t, "daily_smoking") == (2014, 2021)
    c = sa.aggregated_comparison(t, "daily_smoking", "20", direction="lower_is_better")
    assert c["area_code"].iloc[0] == "0020" and set(c["area_code"]) == {"0020", "2062", "2080"}
    falun = c[c["area_code"] == "2080"].iloc[0]
    # SE county 0,25; diff 3 / sqrt(1 + 0,0625) = z 2,9104
    assert falun["diff_lan_pp"] == pytest.approx(3.0)
    assert falun["p_value_lan"] == pytest.approx(2 * (1 - 0.998195), abs=1e-5)
    assert falun["verdict_lan"] == "sämre" and falun["riket_value"] == 10
    assert falun["verdict_riket"] == "sämre" and falun["riket_basis"] == "referens"
    mora = c[c["area_code"] == "2062"].iloc[0]
    assert np.isnan(mora["diff_lan_pp"]) and mora["verdict_lan"] == ""
    assert c.iloc[0]["verdict_lan"] == ""  # the county is not compared with itself
    ch = sa.aggregated_changes(t, "daily_smoking", 2014, 2021)
    f = ch[ch["area_code"] == "2080"].iloc[0]
    assert f["diff_pp"] == pytest.approx(3.0) and f["p_value"] == pytest.approx(0.033895, abs=1e-6)
    assert f["verdict"] == sc.VERDICT_INCREASE and np.isnan(f["n_after"])
    m = ch[ch["area_code"] == "2062"].iloc[0]
    assert m["flag"] == sup and np.isnan(m["diff_pp"]) and "2021 undertryckt" in m["flag_reason"]


def test_assess_without_n_rules() -> None:
    res = reliability.assess_without_n(
        [0.0585, 0.36, 0.02, 1.0], [0.043, 0.20, 0.001, 1.0], [0.074, 0.52, 0.06, 1.0]
    )
    assert list(res["rule"]) == ["narrow", "wide", "relative", "narrow"]
    assert list(res["flag"]) == [
        indicators.FLAG_OK,
        indicators.FLAG_SUPPRESSED,
        indicators.FLAG_SUPPRESSED,
        indicators.FLAG_UNCERTAIN,  # p = 100 %: reviewed
    ]
    assert all(reliability.WITHOUT_N_NOTE in r for r in res["flag_reason"])
