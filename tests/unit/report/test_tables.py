"""Tests for the one table renderer: Swedish headers, decimal comma, no index, wrapped text, flags."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.core import indicators
from helpers.report import tables

NBSP = "\u00a0"


def test_numbers_get_decimal_comma_and_no_index_column():
    # the education table as it leaked before: index 0-11, "54.0", "3.587097"
    df = pd.DataFrame(
        {
            "Område": ["Riket", "Region Dalarna"],
            "Kön": ["kvinnor", "män"],
            "Första": [54.0, 45.04],
            "Trendens förändring": [3.587097, -0.26],
            "Basår": [2017, 2017],
        }
    )
    t = tables.render(df, units={"Första": "år"}, source="Syntetiska demodata")
    assert list(t.frame.columns) == ["Område", "Kön", "Första (år)", "Trendens förändring", "Basår"]
    assert t.frame["Första (år)"].tolist() == ["54,0", "45,0"]
    assert t.frame["Trendens förändring"].tolist() == ["3,6", "−0,3"]
    assert t.frame["Basår"].tolist() == ["2017", "2017"]  # a year is no "2 017"
    assert t.frame["Kön"].tolist() == ["Kvinnor", "Män"]
    assert "<th></th>" not in t.html and ">0<" not in t.html
    assert "54.0" not in t.html and "3.587097" not in t.html
    assert "Källa: Syntetiska demodata." in t.html
    assert t._repr_html_() == t.html


def test_a_meaningful_index_becomes_a_column_and_big_numbers_get_thin_spaces():
    df = pd.DataFrame({"Antal": [35000, 12]}, index=pd.Index(["Kvinnor", "Män"], name="Kön"))
    t = tables.render(df)
    assert list(t.frame.columns) == ["Kön", "Antal"]
    assert t.frame["Antal"].tolist() == [f"35{NBSP}000", "12"]
    assert 'class="num"' in t.html


def test_long_text_is_never_truncated():
    long = "Målstatusen mäter förändringen sedan basåret, medan färgen jämför nivån " * 4
    t = tables.render(pd.DataFrame({"Kommentar": [long]}))
    assert long.strip() in t.html
    assert "…" not in t.html and "..." not in t.html


def test_flags_are_words_and_symbols_with_a_legend():
    df = pd.DataFrame(
        {"Värde": [1.0, np.nan], "Flagga": [indicators.FLAG_UNCERTAIN, indicators.FLAG_SUPPRESSED]}
    )
    t = tables.render(df)
    assert t.frame["Flagga"].tolist() == ["◐ osäker", "✕ undertryckt"]
    assert t.frame["Värde"].tolist() == ["1,0", ""]
    assert "Flaggor: ◐ osäker" in t.html and "✕ undertryckt: för få svar" in t.html


def test_indicator_table_hides_suppressed_numbers():
    rows = indicators.make(
        pd.DataFrame(
            {
                "area_code": ["2039", "2039"],
                "area_name": ["Älvdalen", "Älvdalen"],
                "area_type": ["kommun", "kommun"],
                "period": [2024, 2024],
                "period_label": ["2020–2024", "2024"],
                "sex": ["totalt", "kvinnor"],
                "indicator": ["daglig_rokning"] * 2,
                "value": [10.89, np.nan],
                "ci_lower": [7.1, np.nan],
                "ci_upper": [15.8, np.nan],
                "n": [301.0, np.nan],
                "flag": [indicators.FLAG_OK, indicators.FLAG_SUPPRESSED],
                "flag_reason": ["", "relativ KI-bredd 207 %"],
                "source": ["demo", "demo"],
            }
        )
    )
    shown = tables.render(tables.indicator_table(rows, unit="%")).frame
    assert shown["Värde (%)"].tolist() == ["10,9", ""]
    assert shown["95 % konfidensintervall"].tolist() == ["7,1–15,8", ""]
    assert shown["Antal (n)"].tolist() == ["301", ""]
    assert shown["Kön"].tolist() == ["Totalt", "Kvinnor"]
    assert shown["Flagga"].tolist() == ["● tillförlitlig", "✕ undertryckt"]
