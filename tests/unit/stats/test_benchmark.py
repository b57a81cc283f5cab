"""Tests for helpers.stats.benchmark: significance against a benchmark, trend, overview, spine scale."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from helpers.core import indicators
from helpers.stats import benchmark as bm

NAN = float("nan")


@pytest.mark.parametrize(
    ("value", "lower", "upper", "ref", "better", "expected"),
    [
        (8.0, 6.0, 10.0, 12.0, "lower", bm.BETTER),  # benchmark above the CI, lower is better
        (8.0, 6.0, 10.0, 12.0, "higher", bm.WORSE),
        (8.0, 6.0, 10.0, 5.0, "higher", bm.BETTER),
        (8.0, 6.0, 10.0, 5.0, "lower", bm.WORSE),
        (8.0, 6.0, 10.0, 5.0, "none", bm.HIGHER),
        (8.0, 6.0, 10.0, 12.0, "none", bm.LOWER),
        (8.0, 6.0, 10.0, 10.0, "higher", bm.SAME),  # on the limit: not certain
        (8.0, 6.0, 10.0, 6.0, "lower", bm.SAME),
        (8.0, NAN, NAN, 12.0, "lower", bm.NOT_COMPARED),  # no CI: never called significant
        (NAN, NAN, NAN, 12.0, "lower", bm.MISSING),
        (8.0, 6.0, 10.0, NAN, "lower", bm.MISSING),
    ],
)
def test_significance_hand_checked(value, lower, upper, ref, better, expected):
    assert bm.significance(value, lower, upper, ref, better).tolist() == [expected]


def test_significance_is_vectorised():
    got = bm.significance(
        np.array([8.0, 8.0, 8.0]),
        np.array([6.0, 6.0, NAN]),
        np.array([10.0, 10.0, NAN]),
        np.array([12.0, 9.0, 1.0]),
        np.array(["higher", "higher", "higher"], dtype=object),
    )
    assert got.tolist() == [bm.WORSE, bm.SAME, bm.NOT_COMPARED]


def _series(periods, values, lower=None, upper=None):
    df = pd.DataFrame({"period": periods, "value": values})
    if lower is not None:
        df["ci_lower"], df["ci_upper"] = lower, upper
    return df


def test_trend_ols_hand_checked():
    # x = 0..4, y = 1, 3, 2, 4, 3: slope 0,5; residual variance 0,9; SE sqrt(0,9/10) = 0,3.
    out = bm.trend(_series(range(2020, 2025), [1, 3, 2, 4, 3]))
    assert out["slope"] == pytest.approx(0.5)
    assert out["p_value"] == pytest.approx(2 * sps.t.sf(0.5 / 0.3, df=3))
    assert out["trend"] == bm.TREND_FLAT and out["n_points"] == 5


def test_trend_certain_rise_and_fall():
    assert bm.trend(_series(range(2020, 2025), [1, 2.1, 2.9, 4.05, 5]))["trend"] == bm.TREND_UP
    assert bm.trend(_series(range(2020, 2025), [5, 4.1, 2.9, 2.05, 1]))["trend"] == bm.TREND_DOWN


def test_trend_five_year_periods_do_not_overlap():
    out = bm.trend(_series(range(2014, 2025), np.linspace(80, 82, 11)), pooled_years=5)
    assert out["periods"] == [2014, 2019, 2024]
    assert bm.trend(_series([2023, 2024], [1, 2]))["trend"] == bm.TREND_SHORT


def test_trend_weighted_when_every_point_has_a_ci():
    # Equal SEs of 1 (CI ±1,96): WLS with a fixed scale gives slope SE = 1/sqrt(Sxx).
    y = [1.0, 3.0, 2.0, 4.0, 3.0]
    out = bm.trend(
        _series(range(2020, 2025), y, [v - 1.959964 for v in y], [v + 1.959964 for v in y])
    )
    assert out["slope"] == pytest.approx(0.5)
    assert out["p_value"] == pytest.approx(2 * sps.norm.sf(0.5 / (1 / np.sqrt(10))), rel=1e-5)


def test_trend_ignores_suppressed_rows():
    df = _series(range(2020, 2025), [1, 2, 3, 4, 5])
    df["flag"] = [indicators.FLAG_OK] * 4 + [indicators.FLAG_SUPPRESSED]
    assert bm.trend(df)["periods"] == [2020, 2021, 2022, 2023]


def _table():
    rows = []
    for code, v, lo, hi in [
        ("2080", 10.0, 8.0, 12.0),
        ("0020", 14.0, 13.0, 15.0),
        ("0000", 15.0, NAN, NAN),
        ("2081", 20.0, NAN, NAN),
        ("2082", 5.0, NAN, NAN),
    ]:
        rows.append(
            dict(
                area_code=code,
                period=2024,
                period_label="2024",
                sex="totalt",
                group="alla",
                indicator="x",
                value=v,
                ci_lower=lo,
                ci_upper=hi,
                flag="tillförlitlig",
                flag_reason="",
            )
        )
    return pd.DataFrame(rows)


def test_overview_row_and_spine_position():
    meta = {"x": {"better": "lower", "decimals": 1, "unit": "%", "pooled_years": 1}}
    ov = bm.overview(_table(), "2080", "0020", ["2080", "2081", "2082"], meta)
    r = ov.iloc[0]
    assert (r["county_value"], r["riket_value"], r["benchmark_value"]) == (14.0, 15.0, 14.0)
    assert (r["min_value"], r["max_value"], r["n_kommuner"]) == (5.0, 20.0, 3)
    assert r["significance"] == bm.BETTER  # 14 above the CI 8–12, lower is better
    ov_r = bm.overview(_table(), "2080", "0020", ["2080", "2081", "2082"], meta, "riket")
    assert ov_r.iloc[0]["benchmark_value"] == 15.0
    pos = bm.spine_position(ov)
    # Farthest from 14 is 5 (9 away); lower is better, so values below 14 go right.
    assert pos.loc[0, "x_value"] == pytest.approx(4 / 9)
    assert (pos.loc[0, "x_min"], pos.loc[0, "x_max"]) == pytest.approx((-6 / 9, 1.0))
    assert pos.loc[0, "x_riket"] == pytest.approx(-1 / 9)


# -- scalar and per-row forms (county overview) --


@pytest.mark.parametrize(
    ("value", "lo", "hi", "ref", "direction", "expected"),
    [
        (84.9, 84.2, 85.6, 84.1, "higher", bm.BETTER),  # interval above the county, higher good
        (84.9, 84.2, 85.6, 84.1, "lower", bm.WORSE),
        (78.7, 76.4, 80.9, 80.4, "higher", bm.SIMILAR),  # interval covers the county value
        (4.6, 3.0, 5.9, 6.1, "lower", bm.BETTER),  # smoking below the county: better
        (4.6, 3.0, 5.9, 6.1, "none", bm.LOWER),
        (9.0, 6.2, 12.0, 6.1, None, bm.HIGHER),
        (84.0, math.nan, math.nan, 84.1, "higher", bm.NOT_COMPARED),  # no interval (Kolada)
        (84.0, 83.0, 85.0, None, "higher", bm.MISSING),  # no benchmark
        (None, None, None, 6.1, "lower", bm.MISSING),  # suppressed
        (6.1, 5.0, 6.1, 6.1, "lower", bm.SIMILAR),  # a limit on the benchmark is not significant
    ],
)
def test_classify(value, lo, hi, ref, direction, expected):
    assert bm.classify(value, lo, hi, ref, direction) == expected


def test_classify_refuses_unknown_direction_and_crossed_interval():
    with pytest.raises(ValueError, match="riktning"):
        bm.classify(1.0, 0.5, 1.5, 1.0, "up")
    with pytest.raises(ValueError, match="omvänt"):
        bm.classify(1.0, 1.5, 0.5, 1.0, "higher")


def test_classify_frame_per_row_benchmark():
    df = pd.DataFrame(
        {"value": [5.0, 7.0, 9.0], "ci_lower": [4.0, 6.0, 8.0], "ci_upper": [5.5, 8.0, 10.0]}
    )
    out = bm.classify_frame(df, pd.Series([6.0, 6.0, 10.5]), "lower")
    assert out.tolist() == [bm.BETTER, bm.SIMILAR, bm.BETTER]  # 6–8 touches 6: not significant
