"""Tests for the significance classification against a benchmark (hand-checked cases)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from helpers.stats import benchmark as b


@pytest.mark.parametrize(
    ("value", "lo", "hi", "ref", "direction", "expected"),
    [
        (84.9, 84.2, 85.6, 84.1, "higher", b.BETTER),  # interval above the county, higher good
        (84.9, 84.2, 85.6, 84.1, "lower", b.WORSE),
        (78.7, 76.4, 80.9, 80.4, "higher", b.SIMILAR),  # interval covers the county value
        (4.6, 3.0, 5.9, 6.1, "lower", b.BETTER),  # smoking below the county: better
        (4.6, 3.0, 5.9, 6.1, "none", b.LOWER),
        (9.0, 6.2, 12.0, 6.1, None, b.HIGHER),
        (84.0, math.nan, math.nan, 84.1, "higher", b.NOT_COMPARED),  # no interval (Kolada)
        (84.0, 83.0, 85.0, None, "higher", b.NOT_COMPARED),  # no benchmark
        (None, None, None, 6.1, "lower", b.NOT_COMPARED),  # suppressed
        (6.1, 5.0, 6.1, 6.1, "lower", b.SIMILAR),  # a limit on the benchmark is not significant
    ],
)
def test_classify(value, lo, hi, ref, direction, expected):
    assert b.classify(value, lo, hi, ref, direction) == expected


def test_classify_refuses_unknown_direction_and_crossed_interval():
    with pytest.raises(ValueError, match="riktning"):
        b.classify(1.0, 0.5, 1.5, 1.0, "up")
    with pytest.raises(ValueError, match="omvänt"):
        b.classify(1.0, 1.5, 0.5, 1.0, "higher")


def test_classify_frame_per_row_benchmark():
    df = pd.DataFrame(
        {"value": [5.0, 7.0, 9.0], "ci_lower": [4.0, 6.0, 8.0], "ci_upper": [5.5, 8.0, 10.0]}
    )
    out = b.classify_frame(df, pd.Series([6.0, 6.0, 10.5]), "lower")
    assert out.tolist() == [b.BETTER, b.SIMILAR, b.BETTER]  # 6–8 touches 6: not significant
