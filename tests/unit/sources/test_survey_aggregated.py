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


# -- issue 11: the scale of shares, numbers written as text, missing groups ---------------------
def _expect(call, text: str, row: int | None, column: str | None) -> DataError:
    with pytest.raises(DataError) as info:
        call()
    hits = [p for p in info.value.problems if text in p.message]
    assert hits, [str(p) for p in info.value.problems]
    assert (hits[0].row, hits[0].column) == (row, column), str(hits[0])
    return info.value


def test_shares_between_0_and_1_are_refused_unless_the_scale_is_stated():
    path = MALFORMED / "agg_share_0_1.csv"
    err = _expect(lambda: agg(path), "alla andelar i tabellen ligger mellan 0 och 1", 2, "andel")
    assert "0,0607" in str(err) and 'scale="andel"' in str(err)
    df = survey_io.read_aggregated(path, indicator="daily_smoking", scale="andel")
    assert df["value"].tolist() == [6.07, 11.6, 30.2]
    assert df["ci_lower"].tolist() == [4.1, 8.2, 12.0] and df["ci_upper"].tolist()[0] == 8.5
    as_percent = survey_io.read_aggregated(path, indicator="daily_smoking", scale="procent")
    assert as_percent["value"].tolist() == [0.0607, 0.116, 0.302]


def test_percent_detected_from_a_value_above_1_is_logged(caplog):
    with caplog.at_level("INFO", logger="helpers.sources.survey_aggregated"):
        df = agg(MALFORMED / "agg_valid_percent.csv")
    assert df["value"].iloc[0] == 9.1
    assert "läses som procent (0–100) eftersom kolumnen 'andel' har värdet 9,1 på rad 2" in (
        caplog.text
    )


def test_stated_andel_scale_refuses_values_above_1():
    _expect(
        lambda: survey_io.read_aggregated(
            MALFORMED / "agg_valid_percent.csv", indicator="x", scale="andel"
        ),
        'andelen 9,1 ligger utanför 0–1, men tabellen anges som andelar (scale="andel")',
        2,
        "andel",
    )
    with pytest.raises(DataError, match="okänd skala 'promille'"):
        survey_io.read_aggregated(MALFORMED / "agg_valid_percent.csv", scale="promille")


def test_percent_sign_in_a_cell_is_percent():
    df = agg(MALFORMED / "agg_percent_sign.csv")
    assert df["value"].tolist() == [6.07, 0.9]


def test_excel_percent_format_is_read_as_the_percent_it_shows(tmp_path, caplog):
    from openpyxl import Workbook

    path = tmp_path / "andelar.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["område", "år", "kön", "antal_svarande", "andel", "ki_nedre", "ki_övre"])
    ws.append(["2080", 2024, "kvinnor", 412, 0.0607, 0.041, 0.085])
    ws.append(["2080", 2024, "män", 388, 0.116, 0.082, 0.15])
    for row in ws.iter_rows(min_row=2, min_col=5):
        for cell in row:
            cell.number_format = "0.00%"
    wb.save(path)
    with caplog.at_level("INFO", logger="helpers.sources.survey_aggregated"):
        df = survey_io.read_aggregated(path, indicator="daily_smoking")
    assert df["value"].tolist() == [6.07, 11.6]  # never 0,0607 %
    assert df["ci_lower"].tolist() == [4.1, 8.2] and df["ci_upper"].tolist() == [8.5, 15.0]
    assert "2 celler har procentformat i Excel och läses som procent" in caplog.text


def test_missing_group_and_thousands_in_counts_are_refused():
    _expect(
        lambda: agg(MALFORMED / "agg_group_missing.csv"),
        "gruppen 'NA' ser ut som ett saknat värde",
        3,
        "grupp",
    )
    _expect(
        lambda: agg(MALFORMED / "agg_n_thousands_dot.csv"),
        "'2.411' kan läsas både som",
        2,
        "antal_svarande",
    )
    df = survey_io.read_aggregated(
        MALFORMED / "agg_n_thousands_dot.csv", indicator="x", decimal=",", thousands="."
    )
    assert df["n"].tolist() == [2411.0, 388.0]


def test_sav_sex_labels_contradicting_sex_codes_are_refused(tmp_path):
    import pyreadstat

    path = tmp_path / "tabell.sav"
    df = pd.DataFrame(
        {"område": ["2080", "2080"], "år": [2024.0, 2024.0], "kön": [1.0, 2.0]}
        | {"antal_svarande": [412.0, 388.0], "antal_ja": [37.0, 45.0]}
    )
    pyreadstat.write_sav(df, str(path), variable_value_labels={"kön": {1.0: "Kvinnor", 2.0: "Män"}})
    _expect(
        lambda: survey_io.read_aggregated(path, indicator="x", sex_codes={1: "män", 2: "kvinnor"}),
        "koden 1 har värdeetiketten 'Kvinnor'",
        1,
        "kön",
    )
    out = survey_io.read_aggregated(path, indicator="x")  # the labels alone decide
    assert out["sex"].tolist() == ["kvinnor", "män"]


def test_a_literal_percent_sign_in_the_number_format_is_not_percent_scaling(tmp_path):
    from openpyxl import Workbook

    path = tmp_path / "procenttext.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["område", "år", "kön", "antal_svarande", "andel"])
    ws.append(["2080", 2024, "kvinnor", 412, 6.07])
    ws["E2"].number_format = '0.0" %"'  # shows "6,1 %": the value is already percent
    wb.save(path)
    assert survey_io.read_aggregated(path, indicator="x")["value"].tolist() == [6.07]
