"""Tests of helpers.core.fmt: the Swedish Excel CSV writer."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from helpers.core.fmt import excel_csv


def test_excel_csv_is_swedish_excel_dialect():
    df = pd.DataFrame({"område": ["Falun", "Säter"], "värde": [84.25, np.nan], "n": [12, 3]})
    raw = excel_csv(df)
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == "område;värde;n"
    assert "Falun;84,2500;12\r\n" in text and "Säter;;3\r\n" in text
    back = pd.read_csv(io.BytesIO(raw), sep=";", decimal=",", encoding="utf-8-sig")
    assert back["värde"].iloc[0] == 84.25 and back["område"].tolist() == ["Falun", "Säter"]


def test_excel_csv_decimals():
    raw = excel_csv(pd.DataFrame({"x": [1.23456]}), decimals=2)
    assert raw.decode("utf-8-sig") == "x\r\n1,23\r\n"
