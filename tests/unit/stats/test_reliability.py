"""Tests for helpers.stats.reliability: every branch of the NCHS 2017 standard at and around its thresholds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.core import indicators
from helpers.core.fmt import NBSP
from helpers.core.indicators import FLAG_MISSING, FLAG_OK, FLAG_SUPPRESSED, FLAG_UNCERTAIN
from helpers.stats import reliability as rel


def one(p, n=1000, se=None, df=100, lo=None, hi=None, n_eff=None):
    """Assess a single estimate; se defaults to a value giving n_eff = n (capped)."""
    if se is None:
        se = 1e-9 if p in (0.0, 1.0) else np.sqrt(p * (1 - p) / n) * 0.5
    res = rel.assess([p], [n], [se], [df], [lo], [hi], n_eff=None if n_eff is None else [n_eff])
    return res.iloc[0]


# --------------------------------------------------------------- effective n
def test_effective_n_definition_truncation_and_boundaries():
    got = rel.effective_n(
        [0.2, 0.2, 0.0, 1.0, 0.3, np.nan],
        [0.04, 0.001, 0.0, 0.0, 0.0, 0.1],
        [500, 500, 80, 80, 70, 50],
    )
    assert got[0] == pytest.approx(0.2 * 0.8 / 0.04**2)  # 100
    assert got[1] == 500  # p(1-p)/se² = 160 000 > n: truncated
    assert got[2] == 80 and got[3] == 80  # p = 0/1: n
    assert got[4] == 70  # se = 0: n
    assert np.isnan(got[5])


def test_rule_1_effective_n_below_30_suppresses():
    se_299 = np.sqrt(0.25 / 29.9)  # n_eff = 29.9
    r = one(0.5, n=1000, se=se_299, lo=0.4, hi=0.6)
    assert r["rule"] == "n_eff" and not r["present"]
    assert r["flag"] == FLAG_SUPPRESSED
    assert r["flag_reason"] == "för få svarande: effektivt n = 29"
    # exactly 30 passes rule 1 (CI 20 points wide, relative 40 %: presented)
    r30 = one(0.5, n=1000, se=np.sqrt(0.25 / 30), lo=0.4, hi=0.6)
    assert r30["n_eff"] == pytest.approx(30)
    assert r30["rule"] == "ok" and r30["flag"] == FLAG_OK and r30["flag_reason"] == ""
    # truncation at the actual sample size: 22 respondents can never pass
    r22 = one(0.5, n=22, se=0.001, lo=0.45, hi=0.55)
    assert r22["n_eff"] == 22 and r22["flag_reason"] == "för få svarande: effektivt n = 22"
    # a given n_eff column is used as is
    assert one(0.5, n=1000, lo=0.45, hi=0.55, n_eff=12.0)["rule"] == "n_eff"


def test_rule_2_narrow_interval_is_presented():
    r = one(
        0.04, lo=0.0, hi=0.05
    )  # width exactly 5 points; relative width 125 % is not even looked at
    assert r["ci_width"] == 0.05
    assert r["rule"] == "narrow" and r["present"] and r["flag"] == FLAG_OK
    r = one(0.02, lo=0.0, hi=0.0501)  # just above 5 points: relative width 250 % decides
    assert r["rule"] == "relative" and r["flag"] == FLAG_SUPPRESSED
    assert r["flag_reason"] == f"relativ KI-bredd 250{NBSP}%"


def test_rule_3_wide_interval_is_suppressed():
    r = one(0.2, lo=0.0, hi=0.3)  # exactly 30 points
    assert r["rule"] == "wide" and r["flag"] == FLAG_SUPPRESSED
    assert r["flag_reason"] == f"för brett konfidensintervall: 30,0{NBSP}procentenheter"
    r = one(0.45, lo=0.30, hi=0.6410)  # 34.1 points, as in the brief
    assert r["flag_reason"] == f"för brett konfidensintervall: 34,1{NBSP}procentenheter"
    r = one(0.5, lo=0.35, hi=0.6499)  # 29.99 points: not wide, relative 60 %: presented
    assert r["rule"] == "ok" and r["flag"] == FLAG_OK


def test_rule_4_relative_width_above_130_percent_is_suppressed():
    r = one(0.125, lo=0.0, hi=0.1625)  # width / p exactly 1.30: allowed
    assert r["relative_width"] == pytest.approx(1.3, abs=0)
    assert r["rule"] == "ok" and r["present"]
    r = one(0.125, lo=0.0, hi=0.16251)
    assert r["rule"] == "relative" and r["flag"] == FLAG_SUPPRESSED
    assert (
        r["flag_reason"] == f"relativ KI-bredd 130,0{NBSP}%"
    )  # one decimal so it does not read as 130
    r = one(0.1, lo=0.04, hi=0.185)  # 145 %
    assert r["flag_reason"] == f"relativ KI-bredd 145{NBSP}%"


def test_rule_5_complement_footnote():
    r = one(0.875, lo=0.0, hi=0.1625)  # width / (1 − p) exactly 1.30: no footnote
    assert r["relative_width_complement"] == pytest.approx(1.3, abs=0)
    assert r["rule"] == "ok" and not r["footnote"] and r["flag"] == FLAG_OK
    r = one(0.875, lo=0.80, hi=0.975)  # 17.5 points / 12.5 % = 140 %
    assert r["footnote"] and r["present"] and not r["review"]
    assert r["flag"] == FLAG_UNCERTAIN
    assert r["flag_reason"] == f"osäkert komplement (100 − andelen): relativ KI-bredd 140{NBSP}%"
    # footnote only on the relative-width branch: a narrow interval never gets it
    r = one(0.97, lo=0.95, hi=0.99)
    assert r["rule"] == "narrow" and not r["footnote"] and r["flag"] == FLAG_OK


def test_review_for_few_degrees_of_freedom():
    r7 = one(0.3, df=7, lo=0.25, hi=0.36)
    assert r7["review"] and r7["flag"] == FLAG_UNCERTAIN
    assert r7["flag_reason"] == "få frihetsgrader (df = 7) – granska"
    r8 = one(0.3, df=8, lo=0.25, hi=0.36)
    assert not r8["review"] and r8["flag"] == FLAG_OK
    # df does not rescue a suppressed estimate, and is not mentioned for it
    r = one(0.3, df=5, lo=0.1, hi=0.5)
    assert r["flag"] == FLAG_SUPPRESSED and "frihetsgrader" not in r["flag_reason"]
    # footnote and review together
    r = one(0.875, df=5, lo=0.80, hi=0.975)
    assert r["flag_reason"] == (
        f"osäkert komplement (100 − andelen): relativ KI-bredd 140{NBSP}%; få frihetsgrader (df = 5) – granska"
    )


def test_review_for_p_zero_or_one():
    r0 = one(0.0, n=100, se=0.0, lo=0.0, hi=0.036)
    assert r0["rule"] == "narrow" and r0["review"] and r0["flag"] == FLAG_UNCERTAIN
    assert r0["flag_reason"] == "andelen är 0 % – granska"
    r1 = one(1.0, n=40, se=0.0, lo=0.912, hi=1.0)  # 8.8 points: relative widths undefined
    assert r1["rule"] == "boundary" and r1["present"] and np.isnan(r1["relative_width"])
    assert r1["flag_reason"] == "andelen är 100 % – granska"
    r = one(0.0, n=20, se=0.0, lo=0.0, hi=0.17)  # effective n = 20
    assert r["flag"] == FLAG_SUPPRESSED


def test_missing_estimate_and_missing_interval():
    r = one(np.nan, n=0, se=np.nan, lo=np.nan, hi=np.nan)
    assert (
        r["rule"] == "missing" and r["flag"] == FLAG_MISSING and r["flag_reason"] == "inga svarande"
    )
    r = one(0.3, n=200, df=0, lo=np.nan, hi=np.nan)
    assert r["rule"] == "no_ci" and r["flag"] == FLAG_SUPPRESSED
    assert r["flag_reason"] == "konfidensintervallet kan inte beräknas (df = 0)"


def test_vectorized_over_many_rows():
    n = 1000
    p = np.linspace(0.01, 0.99, n)
    res = rel.assess(
        p, 400, np.sqrt(p * (1 - p) / 400), 50, np.maximum(p - 0.05, 0), np.minimum(p + 0.05, 1)
    )
    assert len(res) == n
    assert set(res["rule"]) <= set(rel.RULES)
    assert set(res["flag"]) <= {FLAG_OK, FLAG_UNCERTAIN, FLAG_SUPPRESSED}
    # small p have relative widths > 130 % and are suppressed; middle p are presented
    assert res.loc[0, "flag"] == FLAG_SUPPRESSED
    assert res.loc[n // 2, "flag"] == FLAG_OK


def test_assess_frame_and_apply_flags_blank_suppressed_values():
    design = pd.DataFrame(
        {
            "p": [0.2, 0.5],
            "n": [500.0, 20.0],
            "se": [0.02, 0.1],
            "df": [40.0, 19.0],
            "ci_lower": [0.162, 0.29],
            "ci_upper": [0.242, 0.71],
        },
        index=[10, 11],
    )
    assessed = rel.assess_frame(design)
    assert list(assessed.index) == [10, 11]
    assert list(assessed["flag"]) == [FLAG_OK, FLAG_SUPPRESSED]
    table = indicators.make(
        pd.DataFrame(
            {
                "area_code": ["2080", "2081"],
                "area_type": "kommun",
                "period": 2022,
                "indicator": "x",
                "value": design["p"].to_numpy() * 100,
                "ci_lower": design["ci_lower"].to_numpy() * 100,
                "ci_upper": design["ci_upper"].to_numpy() * 100,
                "numerator": [100.0, 10.0],
                "n": [500.0, 20.0],
            }
        ),
        source="test",
    )
    out = rel.apply_flags(table, assessed)
    assert out.loc[0, "value"] == pytest.approx(20.0)
    assert out.loc[1, ["value", "ci_lower", "ci_upper"]].isna().all()
    assert out.loc[1, "n"] == 20 and out.loc[1, "numerator"] == 10  # counts explain the suppression
    assert out.loc[1, "flag_reason"] == "för få svarande: effektivt n = 20"
    indicators.validate(out)
    with pytest.raises(ValueError):
        rel.apply_flags(table, assessed.iloc[:1])
