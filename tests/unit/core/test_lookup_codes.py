"""Tests for the code helpers of helpers.core.lookup (the one place codes are padded/derived)."""

from __future__ import annotations

import pandas as pd

from helpers.core import lookup


def test_pad_kommun_scalar_and_series():
    assert lookup.pad_kommun(180) == "0180"
    assert lookup.pad_kommun("180") == "0180"
    assert lookup.pad_kommun(" 2080 ") == "2080"
    padded = lookup.pad_kommun(pd.Series(["180", "2080", None]))
    assert padded.iloc[:2].tolist() == ["0180", "2080"] and padded.isna().iloc[2]


def test_pad_lan():
    assert lookup.pad_lan(1) == "01"
    assert lookup.pad_lan("20") == "20"


def test_lan_and_region_of_kommun():
    assert lookup.lan_code_of("2080") == "20"
    assert lookup.region_code_of("0180") == "0001"
    codes = pd.Series(["2080", "0180"])
    assert lookup.lan_code_of(codes).tolist() == ["20", "01"]
    assert lookup.region_code_of(codes).tolist() == ["0020", "0001"]
    k = lookup.kommuner()
    assert (lookup.region_code_of(k["kommun_code"]) == k["region_code"]).all()


def test_code_helpers_keep_a_text_dtype_and_convert_numbers():
    obj = pd.Series(["2080", "0180"], dtype=object)
    assert lookup.lan_code_of(obj).dtype == object
    text = pd.Series(["2080", None], dtype="string")
    assert lookup.lan_code_of(text).dtype == "string" and lookup.lan_code_of(text).isna().iloc[1]
    numbers = pd.Series([180, 2080])
    assert lookup.pad_kommun(numbers).tolist() == ["0180", "2080"]
    assert lookup.pad_kommun(obj).dtype == object
    assert lookup.region_code_of("20") == "0020"
    assert lookup.region_code_of(pd.Series(["01", "25"])).tolist() == ["0001", "0025"]
