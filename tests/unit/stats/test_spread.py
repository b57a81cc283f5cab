"""The simulated uncertainty of the range between areas: hand-checked cases and properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers.core import indicators
from helpers.core.errors import DataError
from helpers.stats import spread


def test_no_error_gives_the_observed_range() -> None:
    r = spread.range_simulation([80.0, 82.5, 81.0], [0.0, 0.0, 0.0], n_sim=100)
    assert r["observed"] == r["lower"] == r["upper"] == r["median"] == 2.5
    assert r["p_same_ends"] == 1.0


def test_two_areas_match_the_folded_normal() -> None:
    # Two values 3 apart with SE 1 each: range = |D|, D ~ N(3, 2); its quantiles by hand.
    r = spread.range_simulation([80.0, 83.0], [1.0, 1.0], n_sim=200_000, seed=1)
    folded = stats.foldnorm(3 / np.sqrt(2), scale=np.sqrt(2))
    assert r["lower"] == pytest.approx(folded.ppf(0.025), abs=0.03)
    assert r["upper"] == pytest.approx(folded.ppf(0.975), abs=0.03)
    assert r["median"] == pytest.approx(folded.median(), abs=0.02)
    # the same two areas are the ends when D > 0: P = Φ(3/√2) = 0,983
    assert r["p_same_ends"] == pytest.approx(stats.norm.cdf(3 / np.sqrt(2)), abs=0.002)


def test_reproducible_and_refuses_bad_input() -> None:
    a = spread.range_simulation([1.0, 2.0, 4.0], [0.3, 0.2, 0.5], n_sim=1000)
    b = spread.range_simulation([1.0, 2.0, 4.0], [0.3, 0.2, 0.5], n_sim=1000)
    assert a.equals(b)
    with pytest.raises(DataError):
        spread.range_simulation([1.0], [0.1])
    with pytest.raises(DataError):
        spread.range_simulation([1.0, 2.0], [0.1, np.nan])


def test_county_range_uncertainty_on_a_table() -> None:
    z = 1.959963984540054
    rows = []
    for code, name, v in (
        ("2080", "Falun", 84.0),
        ("2062", "Mora", 82.0),
        ("2021", "Vansbro", 83.0),
    ):
        rows.append((code, name, v, v - z, v + z))
    t = pd.DataFrame(rows, columns=["area_code", "area_name", "value", "ci_lower", "ci_upper"])
    t = t.assign(
        area_type="kommun",
        period=2019,
        period_label="2015–2019",
        sex="kvinnor",
        group="alla",
        indicator="e0",
        ci_level=0.95,
        flag=indicators.FLAG_OK,
        flag_reason="",
    )
    r = spread.county_range_uncertainty(indicators.make(t, source="test"), "20", 2019, n_sim=5000)
    row = r.iloc[0]
    assert (row["min_name"], row["max_name"], row["observed"]) == ("Mora", "Falun", 2.0)
    assert row["n_kommuner"] == 3 and row["lower"] < 2.0 < row["upper"]
    direct = spread.range_simulation([84.0, 82.0, 83.0], [1.0, 1.0, 1.0], n_sim=5000)
    assert row["upper"] == pytest.approx(direct["upper"])
