"""Tests for helpers.stats.education: gaps, trends, who gained, SII/RII – hand-checked and on the demo."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from helpers.core import indicators
from helpers.core.errors import DataError
from helpers.sources import mortality_education
from helpers.sources.demo import mortality as demo_mortality
from helpers.stats import ci, education, inequality, lifetable_chiang


def _table(rows: list[tuple], *, length: int = 1, se: bool = False) -> pd.DataFrame:
    """Indicator table from (area, sex, group, last_year, value[, se]) rows."""
    z = ci.z_value(0.95)
    recs = []
    for r in rows:
        area, sex, group, year, value = r[:5]
        s = r[5] if se else np.nan
        recs.append(
            {
                "area_code": area,
                "area_name": "Riket" if area == "0000" else "Region Dalarna",
                "area_type": "riket" if area == "0000" else "region",
                "period": year,
                "period_label": lifetable_chiang.period_label(year - length + 1, year),
                "sex": sex,
                "group": group,
                "indicator": "e30_utb",
                "value": value,
                "ci_lower": value - z * s,
                "ci_upper": value + z * s,
                "ci_level": 0.95 if se else np.nan,
                "flag": indicators.FLAG_OK if se else indicators.FLAG_NOT_ASSESSED,
            }
        )
    return indicators.make(pd.DataFrame(recs), source="test")


# -- the gap ------------------------------------------------------------------------------------
def test_gap_by_hand_without_and_with_ci():
    t = _table(
        [
            ("0020", "kvinnor", "förgymnasial", 1995, 51.0),
            ("0020", "kvinnor", "eftergymnasial", 1995, 54.0),
            ("0020", "kvinnor", "förgymnasial", 2016, 51.1),
            ("0020", "kvinnor", "eftergymnasial", 2016, 56.9),
        ]
    )
    g = education.gap(t).sort_values("period")
    assert g["value"].tolist() == pytest.approx([3.0, 5.8])
    assert (g["group"] == education.GAP_GROUP).all()
    assert (g["indicator"] == "e30_utb_diff").all()
    assert (g["flag"] == indicators.FLAG_NOT_ASSESSED).all() and g["ci_lower"].isna().all()

    t = _table(
        [
            ("0020", "män", "förgymnasial", 2016, 47.9, 0.3),
            ("0020", "män", "eftergymnasial", 2016, 54.1, 0.4),
        ],
        se=True,
    )
    g = education.gap(t).iloc[0]
    assert g["value"] == pytest.approx(6.2)
    assert g["ci_upper"] - g["value"] == pytest.approx(ci.z_value(0.95) * 0.5)  # sqrt(.3²+.4²)
    assert g["flag"] == indicators.FLAG_OK


# -- trends -------------------------------------------------------------------------------------
def test_trend_of_an_exact_line():
    years = [2000, 2004, 2008, 2012, 2016]
    t = _table([("0000", "kvinnor", "gymnasial", y, 50 + 0.25 * (y - 2000)) for y in years])
    r = education.linear_trend(t).iloc[0]
    assert r["slope"] == pytest.approx(0.25)
    assert r["change"] == pytest.approx(4.0)  # 0.25 × 16 years
    assert r["change_upper"] - r["change_lower"] < 1e-6  # a perfect fit
    assert (r["first_value"], r["last_value"]) == (50.0, 54.0)
    assert r["method"] == "linjär regression, vanliga standardfel"


def test_trend_ols_for_one_year_points_matches_statsmodels():
    years = np.array([2012, 2016, 2017, 2021])
    values = np.array([5.2, 5.8, 6.0, 6.8])
    t = _table(
        [("0000", "kvinnor", "x", int(y), float(v)) for y, v in zip(years, values, strict=True)]
    )
    r = education.linear_trend(t).iloc[0]
    fit = sm.OLS(values, sm.add_constant(years - years.mean())).fit()
    lo, hi = fit.conf_int(0.05)[1]
    assert r["slope"] == pytest.approx(fit.params[1])
    assert (r["slope_lower"], r["slope_upper"]) == pytest.approx((lo, hi))
    assert r["change"] == pytest.approx(fit.params[1] * 9)
    assert r["p_value"] == pytest.approx(fit.pvalues[1])


def test_trend_of_overlapping_five_year_periods_uses_newey_west():
    rng = np.random.default_rng(3)
    years = np.arange(1995, 2025)
    values = 3 + 0.1 * (years - 1995) + np.convolve(rng.normal(0, 0.2, 34), np.ones(5) / 5, "valid")
    t = _table(
        [("0020", "män", "x", int(y), float(v)) for y, v in zip(years, values, strict=True)],
        length=5,
    )
    r = education.linear_trend(t).iloc[0]
    assert "Newey–West" in r["method"] and "4 överlappande" in r["method"]
    X = sm.add_constant(years - years.mean())
    hac = sm.OLS(values, X).fit(cov_type="HAC", cov_kwds={"maxlags": 4}, use_t=True)
    plain = sm.OLS(values, X).fit()
    assert r["slope_upper"] - r["slope_lower"] == pytest.approx(np.diff(hac.conf_int(0.05)[1])[0])
    # Overlap makes the ordinary interval too narrow; the HAC one is wider here.
    assert np.diff(hac.conf_int(0.05)[1])[0] > np.diff(plain.conf_int(0.05)[1])[0]
    band = education.trend_band(t)
    assert len(band) == 30
    assert (band["fit_lower"] < band["fit"]).all() and (band["fit"] < band["fit_upper"]).all()
    assert band["fit"].iloc[0] == pytest.approx(r["slope"] * (1995 - years.mean()) + values.mean())


def test_trend_weighted_when_values_have_cis():
    years = [2000, 2005, 2010, 2015]
    vals = [1.0, 2.0, 2.5, 4.5]
    ses = [0.1, 0.5, 0.5, 0.1]
    t = _table(
        [("0000", "män", "x", y, v, s) for y, v, s in zip(years, vals, ses, strict=True)], se=True
    )
    r = education.linear_trend(t).iloc[0]
    x = np.array(years, float) - np.mean(years)
    w = 1 / np.array(ses) ** 2
    X = np.column_stack([np.ones(4), x])
    beta = np.linalg.solve(X.T @ (w[:, None] * X), X.T @ (w * np.array(vals)))
    assert r["slope"] == pytest.approx(beta[1])
    assert r["method"].startswith("viktad regression")


def test_too_few_periods():
    t = _table([("0000", "män", "x", 2000, 1.0), ("0000", "män", "x", 2001, 2.0)])
    r = education.linear_trend(t).iloc[0]
    assert np.isnan(r["slope"]) and "för få perioder" in r["method"]
    assert education.trend_band(t).empty
    assert education.gains(t)["verdict"].iloc[0] == education.UNCLEAR


def test_gains_verdicts_by_hand():
    years = list(range(2000, 2011))
    noise = [0.1, -0.1, 0.05, -0.05, 0.1, -0.1, 0.05, -0.05, 0.1, -0.1, 0.0]
    rows = []
    for y, e in zip(years, noise, strict=True):
        rows += [
            ("0000", "kvinnor", "eftergymnasial", y, 54 + 0.3 * (y - 2000) + e),  # +3 years
            ("0000", "kvinnor", "förgymnasial", y, 51 + e),  # flat
            ("0000", "män", "förgymnasial", y, 48 - 0.2 * (y - 2000) + e),  # −2 years
            ("0000", "män", "gymnasial", y, 50 + 0.03 * (y - 2000) + e / 10),  # +0.3: too small
        ]
    g = education.gains(_table(rows)).set_index(["sex", "group"])["verdict"]
    assert g[("kvinnor", "eftergymnasial")] == education.GAINED
    assert g[("kvinnor", "förgymnasial")] == education.UNCLEAR
    assert g[("män", "förgymnasial")] == education.LOST
    assert g[("män", "gymnasial")] == education.UNCLEAR


# -- SII / RII ----------------------------------------------------------------------------------
def test_slope_index_by_hand():
    # Equal shares: ranks 1/6, 1/2, 5/6; values rise 3 years per level, i.e. 9 years per unit rank.
    r = education.slope_index([50.0, 53.0, 56.0], [1, 1, 1])
    assert r["sii"] == pytest.approx(9.0)
    assert r["intercept"] == pytest.approx(48.5)  # 50 − 9/6
    assert r["rii"] == pytest.approx(57.5 / 48.5)
    assert np.isnan(r["sii_lower"])  # no standard errors, no limits
    # Unequal shares move the ranks (midpoints 0.06, 0.34, 0.78 for 12/44/44).
    r2 = education.slope_index([50.0, 53.0, 56.0], [12, 44, 44])
    assert r2["sii"] != pytest.approx(9.0)
    with pytest.raises(DataError):
        education.slope_index([50.0], [1])


def test_slope_index_equals_inequality_sii_for_five_groups():
    values = np.array([48.0, 50.5, 52.0, 53.5, 56.0])
    pop = np.array([10.0, 20.0, 30.0, 25.0, 15.0])
    se = np.array([0.5, 0.4, 0.3, 0.3, 0.6])
    ours = education.slope_index(values, pop, se, reps=20_000, seed=11)
    ref = inequality.sii(
        pd.DataFrame({"quantile": range(1, 6), "population": pop, "value": values, "se": se}),
        se="se",
        reps=20_000,
        seed=11,
    ).iloc[0]
    for key in ("sii", "sii_lower", "sii_upper", "rii", "rii_lower", "rii_upper", "intercept"):
        assert ours[key] == pytest.approx(ref[key], rel=1e-12), key


def test_sii_by_period_shares_and_missing_levels():
    rows = [
        ("0000", "kvinnor", "förgymnasial", 2016, 51.1),
        ("0000", "kvinnor", "gymnasial", 2016, 54.5),
        ("0000", "kvinnor", "eftergymnasial", 2016, 56.9),
        ("0000", "kvinnor", "förgymnasial", 2000, 50.9),  # 2000 lacks two levels: left out
    ]
    s = education.sii_by_period(_table(rows))
    assert len(s) == 1 and s["period"].iloc[0] == 2016
    assert s["shares"].iloc[0] == "12/44/43"
    expected = education.slope_index([51.1, 54.5, 56.9], [0.12, 0.44, 0.43])
    assert s["sii"].iloc[0] == pytest.approx(expected["sii"])
    custom = education.sii_by_period(
        _table(rows), {"förgymnasial": 1, "gymnasial": 1, "eftergymnasial": 1}
    )
    assert custom["shares"].iloc[0] == "33/33/33"
    by_period = pd.DataFrame({"period": 2016, "group": education.LEVELS, "share": [0.2, 0.5, 0.3]})
    assert education.sii_by_period(_table(rows), by_period)["shares"].iloc[0] == "20/50/30"


# -- Region Dalarna's finding, on the demo data ---------------------------------------------------------
@pytest.fixture(scope="module")
def demo_e30(demo_root):
    return mortality_education.e30_by_education("demo", "20")


def test_demo_reproduces_dalarnas_finding(demo_e30):
    gaps = education.gap(demo_e30)
    trend = education.linear_trend(gaps).set_index(["area_code", "sex"])
    # Sweden follows the calibration anchors: about 3 (women) and 4 (men) years in
    # 1991–1995, and 5,5–7 years by 2020–2024.
    assert trend.loc[("0000", "kvinnor"), "first_value"] == pytest.approx(3.0)
    assert trend.loc[("0000", "män"), "first_value"] == pytest.approx(4.0)
    assert trend.loc[("0000", "kvinnor"), "last_value"] == pytest.approx(6.9)
    assert trend.loc[("0000", "män"), "last_value"] == pytest.approx(6.0)
    assert (trend["change_lower"] > 0).all()  # the gap widened, everywhere
    wide = demo_e30.pivot_table(
        index=["area_code", "sex", "period"], columns="group", values="value"
    )
    got = gaps.set_index(["area_code", "sex", "period"])["value"]
    assert np.allclose(got, (wide["eftergymnasial"] - wide["förgymnasial"]).reindex(got.index))
    gains = education.gains(demo_e30)
    levels = gains[gains["group"].isin(education.LEVELS)]
    not_gained = levels[levels["verdict"] != education.GAINED]
    # Every level grew except women with only compulsory schooling, in Dalarna and Sweden.
    assert set(
        zip(not_gained["area_code"], not_gained["sex"], not_gained["group"], strict=True)
    ) == {
        ("0020", "kvinnor", "förgymnasial"),
        ("0000", "kvinnor", "förgymnasial"),
    }
    sii = education.sii_by_period(demo_e30)
    assert len(sii) == 2 * 2 * 30
    assert np.allclose(sii["rii"], (sii["intercept"] + sii["sii"]) / sii["intercept"])
    assert (sii["sii"] > 0).all() and sii["sii_lower"].isna().all()
    # SII lies between the gaps of neighbouring levels and is of the size of the long−short gap.
    last = sii[(sii["period"] == 2024) & (sii["area_code"] == "0000")].set_index("sex")["sii"]
    assert 5 < last["kvinnor"] < 10 and 5 < last["män"] < 10


def test_period_length():
    assert education.period_length("1991–1995") == 5
    assert education.period_length("2016") == 1
    assert demo_mortality.E30_INDICATOR == mortality_education.E30_INDICATOR
