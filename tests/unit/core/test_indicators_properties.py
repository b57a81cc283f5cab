"""Property tests (Hypothesis) for the tidy indicator table.

Random valid tables pass :func:`helpers.core.indicators.make` unchanged in their
numbers; a random corruption of one cell (a non-finite number, a negative
count, crossed or excluding CI limits, an
unknown flag/sex/area type, a value on a suppressed row, a duplicated key) is
refused with a Swedish :class:`DataError` naming that row and column — never
passed on silently.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.core import indicators as ind
from helpers.core.errors import DataError

SETTINGS = settings(max_examples=60, deadline=None)


@st.composite
def tables(draw: st.DrawFn) -> pd.DataFrame:
    """A valid indicator table of 1–8 kommun rows for one indicator and period."""
    n_rows = draw(st.integers(1, 8))
    codes = draw(
        st.lists(
            st.sampled_from(["2080", "2021", "0180", "0980", "1480", "2085", "2062", "2034"]),
            min_size=n_rows,
            max_size=n_rows,
            unique=True,
        )
    )
    rows = []
    for code in codes:
        den = draw(st.integers(1, 10_000))
        num = draw(st.integers(0, den))
        value = 100 * num / den
        half = draw(st.floats(0, 20, allow_nan=False))
        rows.append(
            {
                "area_code": code,
                "area_type": "kommun",
                "period": 2024,
                "indicator": "rokning_daglig",
                "value": value,
                "ci_lower": value - half,
                "ci_upper": value + half,
                "numerator": float(num),
                "denominator": float(den),
                "n": float(den),
                "flag": ind.FLAG_OK,
                "source": "Källa: test",
            }
        )
    return pd.DataFrame(rows)


@SETTINGS
@given(tables())
def test_a_valid_table_keeps_its_numbers(frame):
    out = ind.make(frame)
    for col in ("value", "ci_lower", "ci_upper", "numerator", "denominator", "n"):
        np.testing.assert_array_equal(out[col].to_numpy(float), frame[col].to_numpy(float))
    assert out["area_code"].tolist() == frame["area_code"].tolist()


def _corrupt(frame: pd.DataFrame, kind: str, i: int) -> tuple[pd.DataFrame, str]:
    bad = frame.copy()
    if kind == "inf":
        bad.loc[i, "value"] = np.inf
        bad.loc[i, "ci_upper"] = np.inf
        return bad, "value"
    if kind == "negative_n":
        bad.loc[i, "n"] = -1.0
        return bad, "n"
    if kind == "crossed":
        bad.loc[i, "ci_lower"] = bad.loc[i, "value"] + 1
        bad.loc[i, "ci_upper"] = bad.loc[i, "value"] - 1
        return bad, "ci_lower"
    if kind == "outside":
        bad.loc[i, "ci_lower"] = bad.loc[i, "value"] + 0.5
        bad.loc[i, "ci_upper"] = bad.loc[i, "value"] + 5
        return bad, "ci_lower"
    if kind == "flag":
        bad.loc[i, "flag"] = "ok"
        return bad, "flag"
    if kind == "sex":
        bad["sex"] = "totalt"
        bad.loc[i, "sex"] = "kvinna"
        return bad, "sex"
    if kind == "suppressed_value":
        bad.loc[i, "flag"] = ind.FLAG_SUPPRESSED
        return bad, "value"
    raise AssertionError(kind)


KINDS = [
    "inf",
    "negative_n",
    "crossed",
    "outside",
    "flag",
    "sex",
    "suppressed_value",
]


@SETTINGS
@given(tables(), st.sampled_from(KINDS), st.data())
def test_a_corrupted_cell_is_refused_naming_row_and_column(frame, kind, data):
    i = data.draw(st.integers(0, len(frame) - 1))
    bad, column = _corrupt(frame, kind, i)
    with pytest.raises(DataError) as err:
        ind.make(bad)
    message = str(err.value)
    assert f"rad {i + 1}" in message
    assert f"kolumn '{column}'" in message


@SETTINGS
@given(tables())
def test_a_duplicated_key_is_refused(frame):
    doubled = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)
    with pytest.raises(DataError, match="flera gånger"):
        ind.make(doubled)


@SETTINGS
@given(tables())
def test_a_rate_above_one_is_accepted(frame):
    # Rates are not shares: deaths per person-year or visits per inhabitant may
    # exceed one, so a numerator above its denominator is a valid row.
    rate = frame.copy()
    rate["numerator"] = rate["denominator"] * 3 + 1
    out = ind.make(rate)
    np.testing.assert_allclose(out["numerator"].to_numpy(float), rate["numerator"].to_numpy(float))
