"""Tests for helpers.sources.survey_aggregated: aggregated tables, Wilson limits, Kolada osäkerhetstal.

Moved from tests/test_survey_io.py; the fixtures live in tests/malformed/.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.core import indicators
from helpers.core.errors import DataError
from helpers.sources import survey_aggregated as survey_io
from helpers.stats.proportions import wilson

MALFORMED = Path(__file__).parents[2] / "malformed"


def agg(path: Path) -> pd.DataFrame:
    return survey_io.read_aggregated(path, indicator="daily_smoking", source="Test")


# -- aggregated extracts -----------------------------------------------------------------
def test_aggregated_counts_get_wilson_intervals():
    df = agg(MALFORMED / "agg_valid_counts.csv")
    indicators.validate(df)
    row = df.set_index(["area_code", "sex"]).loc[("2080", "kvinnor")]
    assert row["value"] == pytest.approx(100 * 37 / 412)
    w = wilson(37, 412, 0.95, multiplier=100).iloc[0]
    assert (row["ci_lower"], row["ci_upper"]) == pytest.approx((w["ci_lower"], w["ci_upper"]))
    assert row["numerator"] == 37 and row["denominator"] == 412 and row["n"] == 412
    assert row["ci_level"] == 0.95 and row["flag"] == indicators.FLAG_OK
    region = df.set_index("area_code").loc["0020"]
    assert region["area_type"] == "region" and region["area_name"] == "Region Dalarna"
    zero = df.set_index("area_code").loc["2081"]  # 0 of 10: Wilson upper 27,8 %
    assert zero["value"] == 0 and zero["ci_upper"] == pytest.approx(27.753, abs=1e-3)
    assert zero["flag"] == indicators.FLAG_UNCERTAIN


def test_aggregated_percentages_with_ci_and_suppression():
    df = agg(MALFORMED / "agg_valid_percent.csv").set_index("area_code")
    assert df.loc["2080", "period"].tolist() == [2024, 2024]
    assert df.loc["2080", "period_label"].tolist() == ["2021–2024", "2021–2024"]
    assert df.loc["2021", "flag"] == indicators.FLAG_UNCERTAIN  # ±18,2 pp
    assert (
        math.isnan(df.loc["2023", "value"]) and df.loc["2023", "flag"] == indicators.FLAG_SUPPRESSED
    )
    assert df.loc["2080", "numerator"].isna().all()  # a weighted percentage has no count


def test_aggregated_custom_columns_and_no_ci(tmp_path):
    path = tmp_path / "tabell.csv"
    path.write_text(
        "Kommun;År;Kön;Antal;Procent\r\n2080;2024;2;400;10,5\r\n2080;2024;1;380;12\r\n",
        encoding="utf-8",
    )
    df = survey_io.read_aggregated(
        path,
        {"area_code": "Kommun", "period": "År", "sex": "Kön", "n": "Antal", "value": "Procent"},
        indicator="daily_smoking",
        sex_codes={1: "män", 2: "kvinnor"},
    )
    assert df["sex"].tolist() == ["kvinnor", "män"]
    assert df["value"].tolist() == [10.5, 12.0]
    assert (df["flag"] == indicators.FLAG_NOT_ASSESSED).all()


def test_aggregated_needs_an_indicator_and_a_value_column(tmp_path):
    path = tmp_path / "tabell.csv"
    path.write_text("område;år;antal_svarande\r\n2080;2024;10\r\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        survey_io.read_aggregated(path)
    text = str(info.value)
    assert "antingen kolumnen 'antal_ja'" in text and "argumentet indicator" in text


# -- reliability and Wilson --------------------------------------------------------------
def test_wilson_matches_reference_values():
    lo, hi = survey_io._wilson_percent(np.array([10.0, 0, 5]), np.array([100.0, 20, 5]), 0.95)
    lo, hi = lo / 100, hi / 100
    assert lo[0] == pytest.approx(0.0552291, abs=1e-6) and hi[0] == pytest.approx(
        0.1743657, abs=1e-6
    )
    z2 = 1.959964**2  # closed forms at the extremes: z²/(n+z²) and n/(n+z²)
    assert lo[1] == 0 and hi[1] == pytest.approx(z2 / (20 + z2), abs=1e-6)
    assert hi[2] == 1 and lo[2] == pytest.approx(5 / (5 + z2), abs=1e-6)
    lo, hi = survey_io._wilson_percent(np.array([0.0]), np.array([0.0]), 0.95)
    assert np.isnan(lo[0]) and np.isnan(hi[0])


def test_uncertainty_rule_boundaries():
    flags, reasons = survey_io.uncertainty_flag(
        [40, 40, 10, 10, 0, np.nan, 20], [14.9, 15, 5, 5.01, 0.5, 1, np.nan]
    )
    ok, unc = indicators.FLAG_OK, indicators.FLAG_UNCERTAIN
    assert flags.tolist() == [
        ok,
        unc,
        ok,
        unc,
        unc,
        indicators.FLAG_MISSING,
        indicators.FLAG_NOT_ASSESSED,
    ]
    assert reasons[0] == "" and "15" in reasons[1]


# -- Kolada KPI with its osäkerhetstal ---------------------------------------------------
def _kolada_table() -> pd.DataFrame:
    rows = [
        ("2080", "U01402", 10.0), ("2080", "U01508", 3.0),
        ("2081", "U01402", 4.0), ("2081", "U01508", 2.5),
        ("2062", "U01402", 30.0), ("2062", "U01508", 16.0),
        ("2021", "U01402", np.nan), ("2021", "U01508", np.nan),
        ("2023", "U01402", 8.0),
        ("2029", "U01402", 1.0), ("2029", "U01508", 0.4),
    ]  # fmt: skip
    df = pd.DataFrame(rows, columns=["area_code", "indicator", "value"])
    return indicators.make(
        df, area_type="kommun", period=2024, period_label="2021–2024", source="Källa: Kolada"
    )


def test_kolada_value_with_osakerhetstal():
    out = survey_io.kolada_with_uncertainty(_kolada_table(), "U01402").set_index("area_code")
    assert set(out["indicator"]) == {"U01402"} and len(out) == 6
    assert (out.loc["2080", "ci_lower"], out.loc["2080", "ci_upper"]) == (7.0, 13.0)
    assert out.loc["2080", "ci_level"] == 0.95
    assert out.loc["2080", "flag"] == indicators.FLAG_OK
    assert out.loc["2081", "flag"] == indicators.FLAG_UNCERTAIN  # 2,5 / 4 > 50 %
    assert out.loc["2062", "flag"] == indicators.FLAG_UNCERTAIN  # ±16 pp
    assert out.loc["2021", "flag"] == indicators.FLAG_SUPPRESSED and np.isnan(
        out.loc["2021", "value"]
    )
    assert out.loc["2023", "flag"] == indicators.FLAG_NOT_ASSESSED and np.isnan(
        out.loc["2023", "ci_lower"]
    )
    assert out.loc["2029", "ci_lower"] == pytest.approx(0.6)
    assert (out["source"] == "Källa: Kolada").all()


def test_kolada_clips_at_zero_and_needs_both_kpis():
    table = _kolada_table()
    table.loc[(table["indicator"] == "U01508") & table["value"].notna(), "value"] = 5.0
    out = survey_io.kolada_with_uncertainty(table, "U01402", "U01508").set_index("area_code")
    assert out.loc["2029", "ci_lower"] == 0.0 and out.loc["2029", "ci_upper"] == 6.0
    with pytest.raises(DataError, match="osäkerhetstalet U01508"):
        survey_io.kolada_with_uncertainty(table[table["indicator"] == "U01402"], "U01402")
    with pytest.raises(DataError, match="uncertainty_kpi"):
        survey_io.kolada_with_uncertainty(table, "N00925")
