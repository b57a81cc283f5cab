"""Tests for helpers.stats.proportions: Wilson (vs PHEindicatormethods), Clopper–Pearson, Korn–Graubard, Kolada."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers.core import indicators
from helpers.core.errors import DataError
from helpers.stats import ci
from helpers.stats import proportions as pr


def _read(path):
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


# ---------------------------------------------------------------- Wilson vs PHE
def test_wilson_matches_phe_proportion(reference_dir):
    d = _read(
        reference_dir / "phe_indicatormethods" / "csv" / "testdata_Proportion__testdata_Prop.csv"
    )
    assert len(d) == 19
    for conf, lo_col, hi_col in (
        (0.95, "lower95_0cl", "upper95_0cl"),
        (0.998, "lower99_8cl", "upper99_8cl"),
    ):
        for mult in (1, 100):
            rows = d[d["multiplier"] == mult] if mult == 100 else d[d["multiplier"] == 1]
            got = pr.wilson(rows["Numerator"], rows["Denominator"], conf, multiplier=mult)
            np.testing.assert_allclose(
                got["value"], rows["value"], rtol=0, atol=1e-6, equal_nan=True
            )
            np.testing.assert_allclose(
                got["ci_lower"], rows[lo_col], rtol=0, atol=1e-6, equal_nan=True
            )
            np.testing.assert_allclose(
                got["ci_upper"], rows[hi_col], rtol=0, atol=1e-6, equal_nan=True
            )
            # also far tighter than required: PHE's own tolerance is relative 1.5e-8
            ok = rows[lo_col].notna().to_numpy()
            np.testing.assert_allclose(got["ci_lower"][ok], rows[lo_col][ok], rtol=1e-12)
    # NA rows (Area09-Area11) give NaN everywhere, like PHE
    na_rows = d.iloc[16:]
    got = pr.wilson(na_rows["Numerator"], na_rows["Denominator"])
    assert got[["value", "ci_lower", "ci_upper"]].isna().all().all()


def test_wilson_matches_phe_internal_wilson_rows(reference_dir):
    d = _read(
        reference_dir / "phe_indicatormethods" / "csv" / "testdata_Byars_Wilson__testdata_B_W.csv"
    )
    w = d[d["method"] == "Wilson"]
    assert len(w) == 6  # includes the non-integer x = 0.445, n = 1 rows
    for conf_text, rows in w.groupby("confidence"):
        conf = float(conf_text.rstrip("%"))  # "95%" / "99.8%": percent form accepted as in PHE
        got = pr.wilson(rows["x"], rows["n"], conf)
        np.testing.assert_allclose(got["ci_lower"], rows["lowercl"], rtol=0, atol=1e-6)
        np.testing.assert_allclose(got["ci_upper"], rows["uppercl"], rtol=0, atol=1e-6)
        np.testing.assert_allclose(got["ci_upper"], rows["uppercl"], rtol=1e-12)


def test_wilson_hand_computed_and_confidence_forms():
    # x = 65, n = 100, 95 %: PHE value 0.5525444329688797 / 0.7363575175690247
    got = pr.wilson(65, 100, 0.95)
    assert got["ci_lower"].iloc[0] == pytest.approx(0.5525444329688797, abs=1e-12)
    assert got["ci_upper"].iloc[0] == pytest.approx(0.7363575175690247, abs=1e-12)
    pd.testing.assert_frame_equal(pr.wilson(65, 100, 95), got)
    assert ci.z_value(0.95) == pytest.approx(1.959963984540054)
    # x = 0: lower limit exactly 0, upper z²/(n + z²)
    z2 = ci.z_value(0.95) ** 2
    got0 = pr.wilson(0, 50)
    assert got0["ci_lower"].iloc[0] == pytest.approx(0.0, abs=1e-15)
    assert got0["ci_upper"].iloc[0] == pytest.approx(z2 / (50 + z2))


def test_wilson_rejects_impossible_counts():
    with pytest.raises(DataError) as err:
        pr.wilson([5, -1, 3, 7], [10, 10, 0, 6])
    text = str(err.value)
    assert "3 problem" in text
    assert "rad 2" in text and "rad 3" in text and "rad 4" in text
    with pytest.raises(DataError):
        pr.wilson(1, 10, confidence=0.2)


def test_wilson_properties_contains_p_and_shrinks_with_n():
    n = np.array([20, 80, 320, 1280])
    got = pr.wilson(0.3 * n, n)
    assert ((got["ci_lower"] <= 0.3) & (got["ci_upper"] >= 0.3)).all()
    width = (got["ci_upper"] - got["ci_lower"]).to_numpy()
    assert np.all(np.diff(width) < 0)


# ------------------------------------------------------ Clopper–Pearson / KG
def test_clopper_pearson_matches_scipy_exact():
    for x, n in ((0, 30), (3, 30), (15, 30), (30, 30), (59, 412)):
        lo, hi = pr.clopper_pearson(x, n)
        ref = stats.binomtest(x, n).proportion_ci(0.95, method="exact")
        assert lo[0] == pytest.approx(ref.low, abs=1e-12)
        assert hi[0] == pytest.approx(ref.high, abs=1e-12)


def test_korn_graubard_reduces_to_clopper_pearson_for_srs():
    # SRS: se² = p(1−p)/n gives n_eff = n; df = n − 1 makes the t ratio 1
    n, x = 412, 59
    p = x / n
    se = np.sqrt(p * (1 - p) / n)
    got = pr.korn_graubard(p, se, n, n - 1)
    ref = stats.binomtest(x, n).proportion_ci(0.95, method="exact")
    assert got["n_eff_df"].iloc[0] == pytest.approx(n)
    assert got["ci_lower"].iloc[0] == pytest.approx(ref.low, abs=1e-10)
    assert got["ci_upper"].iloc[0] == pytest.approx(ref.high, abs=1e-10)


def test_korn_graubard_hand_computed_df_adjustment():
    p, se, n, df = 0.2, 0.04, 300, 10
    n_eff = p * (1 - p) / se**2  # 100
    adj = (stats.t.ppf(0.975, n - 1) / stats.t.ppf(0.975, df)) ** 2
    expect_n = min(n, n_eff * adj)
    got = pr.korn_graubard(p, se, n, df)
    assert got["n_eff_df"].iloc[0] == pytest.approx(expect_n)
    x = expect_n * p
    assert got["ci_lower"].iloc[0] == pytest.approx(stats.beta.ppf(0.025, x, expect_n - x + 1))
    assert got["ci_upper"].iloc[0] == pytest.approx(stats.beta.ppf(0.975, x + 1, expect_n - x))
    # truncation at n: tiny SE would give n_eff > n
    assert pr.korn_graubard(0.5, 0.001, 50, 49)["n_eff_df"].iloc[0] == pytest.approx(50)


def test_korn_graubard_boundaries_and_undefined():
    got = pr.korn_graubard(
        [0.0, 1.0, 0.3, 0.3], [0.0, 0.0, 0.05, 0.05], [40, 40, 40, 40], [39, 39, 0, np.nan]
    )
    # p = 0 with df = n − 1: one-sided, upper = 1 − (α/2)^(1/n)
    assert got["ci_lower"].iloc[0] == 0.0
    assert got["ci_upper"].iloc[0] == pytest.approx(1 - 0.025 ** (1 / 40))
    assert got["ci_lower"].iloc[1] == pytest.approx(0.025 ** (1 / 40))
    assert got["ci_upper"].iloc[1] == 1.0
    assert got.iloc[2:][["ci_lower", "ci_upper"]].isna().all().all()


def test_korn_graubard_widens_with_fewer_df_and_contains_p():
    widths = []
    for df in (200, 30, 8, 3):
        g = pr.korn_graubard(0.15, 0.03, 300, df)
        assert g["ci_lower"].iloc[0] <= 0.15 <= g["ci_upper"].iloc[0]
        widths.append(g["ci_upper"].iloc[0] - g["ci_lower"].iloc[0])
    assert np.all(np.diff(widths) > 0)


# ------------------------------------------------------------- Osäkerhetstal
def test_ci_from_osakerhetstal_hand_values_and_clipping():
    lo, hi = pr.ci_from_osakerhetstal([12.0, 2.0, 99.0, np.nan], [3.1, 4.0, 2.5, 1.0])
    np.testing.assert_allclose(lo[:3], [8.9, 0.0, 96.5])
    np.testing.assert_allclose(hi[:3], [15.1, 6.0, 100.0])
    assert np.isnan(lo[3]) and np.isnan(hi[3])
    lo, hi = pr.ci_from_osakerhetstal(2.0, 4.0, lower_bound=None)
    assert lo[0] == pytest.approx(-2.0)
    with pytest.raises(DataError, match="negativt"):
        pr.ci_from_osakerhetstal([10.0], [-1.0])
    assert pr.se_from_osakerhetstal(1.96)[()] == pytest.approx(1.96 / 1.959963984540054)
    assert pr.OSAKERHETSTAL_ASSUMED_LEVEL == 0.95


def test_apply_osakerhetstal_on_indicator_table():
    table = indicators.make(
        pd.DataFrame(
            {
                "area_code": ["2080", "2081", "2082"],
                "area_type": "kommun",
                "period": 2022,
                "indicator": "U01402",
                "value": [11.0, 9.0, np.nan],
            }
        ),
        source="Källa: Kolada",
    )
    unc = pd.DataFrame(
        {
            "area_code": ["2080", "2082"],
            "period": 2022,
            "sex": "totalt",
            "group": "alla",
            "value": [2.5, 3.0],
        }
    )
    got = pr.apply_osakerhetstal(table, unc)
    assert got.loc[0, "ci_lower"] == pytest.approx(8.5)
    assert got.loc[0, "ci_upper"] == pytest.approx(13.5)
    assert got.loc[0, "ci_level"] == pytest.approx(0.95)
    assert np.isnan(got.loc[1, "ci_lower"]) and np.isnan(got.loc[1, "ci_level"])  # no osäkerhetstal
    assert np.isnan(got.loc[2, "ci_lower"])  # value missing
    indicators.validate(got)
