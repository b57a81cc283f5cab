"""The aggregated HLV reader: small hand-made workbooks and Region Dalarna's real one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from helpers.core import indicators
from helpers.core.errors import DataError
from helpers.sources import survey_hlv
from helpers.stats import reliability

MAP = Path(__file__).resolve().parents[3] / "params" / "survey_hlv_dalarna.yaml"
HEADER = ["År", "Kommun", "Kön", "Frågeområde", "Fråga", "Konfidensintervall", "Svar", "Andel"]
SMOKE = ("Levnadsvanor", "Tobak - Röker dagligen")


def _row(year="2021", area="Falun", sex="Totalt", ci="4.3 - 7.4", answer="Röker dagligen", share=6):
    return [year, area, sex, *SMOKE, ci, answer, share]


def _book(tmp_path: Path, rows: list[list], sheet: str = "Kommunjämförelse") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    path = tmp_path / "hlv.xlsx"
    wb.save(path)
    return path


def _read(path: Path) -> pd.DataFrame:
    return survey_hlv.read_hlv(path, MAP, sheets=["Kommunjämförelse"], variables=["daily_smoking"])


def _messages(exc: pytest.ExceptionInfo) -> str:
    return "\n".join(str(p) for p in exc.value.problems)


def test_value_is_midpoint_and_flag_says_no_n(tmp_path: Path) -> None:
    path = _book(
        tmp_path,
        [
            _row(),
            _row(area="Dalarna", ci="6.2 - 7.1  *", share=7),
            _row(area="Riket", ci="5.6 - 6.3", share=6),
            _row(sex="Kvinna", ci="2.1 - 2.8", share=2),  # point at the interval's edge
        ],
    )
    t = _read(path)
    indicators.validate(t)
    falun = t[(t["area_code"] == "2080") & (t["sex"] == "totalt")].iloc[0]
    assert falun["value"] == pytest.approx(5.85)
    assert (falun["ci_lower"], falun["ci_upper"]) == (4.3, 7.4)
    assert falun["ci_level"] == 0.95
    assert np.isnan(falun["n"]) and falun["flag"] == indicators.FLAG_OK
    assert reliability.WITHOUT_N_NOTE in falun["flag_reason"]
    assert set(t["area_code"]) == {"2080", "0020", "0000"}
    edge = t[t["sex"] == "kvinnor"].iloc[0]
    assert edge["value"] == pytest.approx(2.45)


def test_wide_interval_is_suppressed_by_width_rule(tmp_path: Path) -> None:
    t = _read(_book(tmp_path, [_row(ci="20 - 52", share=36)]))
    r = t.iloc[0]
    assert r["flag"] == indicators.FLAG_SUPPRESSED and np.isnan(r["value"])
    assert "för brett konfidensintervall: 32,0\u00a0procentenheter" in r["flag_reason"]
    assert reliability.WITHOUT_N_NOTE in r["flag_reason"]


def test_interval_beyond_0_100_clipped_after_midpoint(tmp_path: Path) -> None:
    t = _read(_book(tmp_path, [_row(ci="-0.1 - 1.1", share=1)]))
    r = t.iloc[0]
    assert r["value"] == pytest.approx(0.5) and r["ci_lower"] == 0.0


@pytest.mark.parametrize(
    ("row", "column", "text"),
    [
        (_row(ci="4,3 till 7,4"), "Konfidensintervall", "är inget konfidensintervall"),
        (_row(ci="7.4 - 4.3"), "Konfidensintervall", "nedre gräns (7,4) är större"),
        (_row(area="Falum"), "Kommun", "okänt kommunnamn 'Falum'"),
        (_row(sex="Båda"), "Kön", "okänt kön 'Båda'"),
        (_row(share=9), "Andel", "inte intervallets mittpunkt"),
        (_row(share="6,5"), "Andel", "ingen andel i hela procent"),
        (_row(answer="Röker ibland"), "Svar", "inte det variabelkartan anger"),
        (_row(year="år 2021"), "År", ""),
    ],
)
def test_refusals_name_file_sheet_row_column(
    tmp_path: Path, row: list, column: str, text: str
) -> None:
    path = _book(tmp_path, [_row(area="Mora"), row])
    with pytest.raises(DataError) as exc:
        _read(path)
    p = exc.value.problems[0]
    assert p.file == "hlv.xlsx, blad 'Kommunjämförelse'"
    assert p.row == 3 and p.column == column
    assert text in p.message


def test_duplicate_fact_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError) as exc:
        _read(_book(tmp_path, [_row(), _row()]))
    assert "finns redan på rad 2" in _messages(exc)


def test_missing_question_and_unknown_variable(tmp_path: Path) -> None:
    path = _book(tmp_path, [_row()])
    with pytest.raises(DataError) as exc:
        survey_hlv.read_hlv(path, MAP, sheets=["Kommunjämförelse"], variables=["daily_snus"])
    assert "Tobak - Snusar dagligen" in _messages(exc)
    with pytest.raises(DataError, match="okänd variabel 'rokning'"):
        survey_hlv.read_hlv(path, MAP, variables=["rokning"])


def test_blank_group_refused_without_map_rule(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Ålder"
    ws.append(
        [
            "År",
            "Kommun",
            "Kön",
            "Ålder",
            "Frågeområde",
            "Fråga",
            "Konfidensintervall",
            "Svar",
            "Andel",
        ]
    )
    ws.append(["2021", "Falun", "Totalt", None, *SMOKE, "4.3 - 7.4", "Röker dagligen", 6])
    path = tmp_path / "hlv.xlsx"
    wb.save(path)
    with pytest.raises(DataError) as exc:
        survey_hlv.read_hlv(path, MAP, sheets=["Ålder"], variables=["daily_smoking"])
    assert "sheets.Ålder.blank" in _messages(exc)


def test_map_validation(tmp_path: Path) -> None:
    bad = tmp_path / "map.yaml"
    bad.write_text(
        "columns: {year: År}\nsexes: {Totalt: alla}\nsheets: {A: {}}\n"
        "questions: {x: {question: Q}}\nfärg: röd\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as exc:
        survey_hlv.read_map(bad)
    text = _messages(exc)
    for part in (
        "färg: okänd nyckel",
        "'alla' är inget kön",
        "kolumnen för 'interval' saknas",
        "x.answer: saknas",
    ):
        assert part in text


@pytest.fixture(scope="module")
def dalarna(request: pytest.FixtureRequest) -> tuple[pd.DataFrame, pd.DataFrame]:
    from helpers.core import paths

    ref = paths.reference_dir()
    if ref is None:
        pytest.skip("../shared/reference saknas (referensdata behövs för detta test)")
    path = ref / "fohm_hlv" / "HLV_Dalarna_2014_2018_2021.xlsx"
    raw = pd.read_excel(path, sheet_name="Kommunjämförelse", dtype=object)
    return survey_hlv.read_hlv(path, MAP), raw


def test_real_workbook_reads_whole_and_matches_cells(dalarna) -> None:
    t, raw = dalarna
    indicators.validate(t)
    assert len(t) == 15317
    kom = t[t["group"] == indicators.ALL_GROUPS]
    assert set(kom["area_code"]) == {
        *(
            f"20{c}"
            for c in (
                "21",
                "23",
                "26",
                "29",
                "31",
                "34",
                "39",
                "61",
                "62",
                "80",
                "81",
                "82",
                "83",
                "84",
                "85",
            )
        ),
        "0020",
        "0000",
    }
    # Falun, daily smoking, totalt 2021: the spreadsheet's cells exactly.
    cell = raw[
        (raw["Kommun"] == "Falun")
        & (raw["År"] == "2021")
        & (raw["Kön"] == "Totalt")
        & (raw["Fråga"] == "Tobak - Röker dagligen")
    ].iloc[0]
    r = kom[
        (kom["area_code"] == "2080")
        & (kom["period"] == 2021)
        & (kom["sex"] == "totalt")
        & (kom["indicator"] == "daily_smoking")
    ].iloc[0]
    assert cell["Konfidensintervall"].strip() == "4.3 - 7.4" and cell["Andel"] == 6
    assert (r["ci_lower"], r["ci_upper"], r["value"]) == (4.3, 7.4, pytest.approx(5.85))
    assert round(r["value"]) == cell["Andel"]
    # Region Dalarna 2014 and 2021
    d = kom[
        (kom["area_code"] == "0020")
        & (kom["sex"] == "totalt")
        & (kom["indicator"] == "daily_smoking")
    ]
    assert d.set_index("period")["value"].to_dict() == {2014: 10.3, 2018: 6.9, 2021: 6.65}
    # No whole-population kommun row is suppressed; every reason says n is missing.
    assert (kom["flag"] != indicators.FLAG_SUPPRESSED).all()
    assert t["flag_reason"].str.contains(reliability.WITHOUT_N_NOTE, regex=False).all()
    assert t["n"].isna().all()
