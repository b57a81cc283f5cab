"""Tests for helpers.sources.survey_files: reading, validating and converting survey extracts.

The malformed corpus lives in tests/malformed/ (text fixtures); encodings,
Excel and SPSS files are generated in tmp_path. Every malformed case checks
the Swedish message, the file name, the row as the user sees it and the
column, and that the file is byte-for-byte unchanged afterwards.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from helpers.config import survey_cells, variable_map
from helpers.core.errors import DataError
from helpers.sources import survey_aggregated, survey_readers
from helpers.sources import survey_files as survey_io

MALFORMED = Path(__file__).resolve().parents[2] / "malformed"
MAP = MALFORMED / "map.yaml"
HEADER = ["Lopnr", "Kommun", "Ar", "Kon", "Alder", "Utb", "Vikt", "Stratum", "PSU", "Tobak1", "Alk"]
ROWS = [
    [1, 2080, 2024, 1, 1, 2, 12.5, "2080", "11", 2, 1],
    [2, 2080, 2024, 2, 3, 3, 8.25, "2080", "12", 1, 2],
    [3, 2081, 2024, 2, 4, 1, 20.0, "2081", "21", 9, None],
    [4, 2062, 2024, 1, 2, 9, 15.75, "2062", "31", 2, 2],
    [5, 180, 2024, 2, 2, 3, 30.1, "0180", "41", None, 1],
]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_only_copy(src: Path, tmp_path: Path) -> Path:
    """Copy a fixture and make it read-only: any attempt to write would fail."""
    dst = tmp_path / src.name
    shutil.copyfile(src, dst)
    dst.chmod(0o444)
    return dst


def expect_problem(call, path: Path, text: str, row: int | None, column: str | None) -> DataError:
    before = sha(path)
    with pytest.raises(DataError) as info:
        call(path)
    assert sha(path) == before, "the raw file must never be modified"
    problems = info.value.problems
    hits = [p for p in problems if text in p.message]
    assert hits, f"'{text}' not in: {[str(p) for p in problems]}"
    p = hits[0]
    assert (p.file, p.row, p.column) == (path.name, row, column), str(p)
    assert path.name in str(info.value)
    if row is not None:
        assert f"rad {row}" in str(info.value)
    return info.value


def micro(path: Path) -> pd.DataFrame:
    return survey_io.read_microdata(path, MAP)


def agg(path: Path) -> pd.DataFrame:
    return survey_aggregated.read_aggregated(path, indicator="daily_smoking", source="Test")


# -- the malformed corpus ----------------------------------------------------------------
CORPUS = [
    # file, reader, message fragment, row, column
    ("bad_separator.csv", micro, "fel avgränsare", 1, None),
    ("missing_column.csv", micro, "kolumnen 'Vikt' saknas (behövs för vikt)", 1, "Vikt"),
    ("misnamed_column.csv", micro, "Menade du 'Vickt'?", 1, "Vikt"),
    ("unknown_kommun.csv", micro, "okänd kommunkod '2099'", 3, "Kommun"),
    ("weight_zero.csv", micro, "vikten måste vara större än 0 (är 0)", 2, "Vikt"),
    ("weight_missing.csv", micro, "vikten saknas", 4, "Vikt"),
    ("weight_text.csv", micro, "'abc' är inte ett tal", 3, "Vikt"),
    ("weight_negative.csv", micro, "vikten måste vara större än 0 (är −2,5)", 5, "Vikt"),
    ("duplicated_ids.csv", micro, "löpnumret '2' förekommer redan på rad 3", 4, "Lopnr"),
    (
        "unexpected_answer_code.csv",
        micro,
        "oväntad kod '7' i svarsvariabeln daily_smoking",
        2,
        "Tobak1",
    ),
    ("unexpected_sex_code.csv", micro, "oväntad kod '3' för kön", 3, "Kon"),
    ("unexpected_education_code.csv", micro, "oväntad kod '5' för utbildningsnivå", 6, "Utb"),
    ("year_text.csv", micro, "'20x4' är inget årtal", 2, "Ar"),
    ("ragged_row.csv", micro, "raden har 10 fält men rubrikraden har 11", 4, None),
    ("empty.csv", micro, "filen är tom", None, None),
    ("header_only.csv", micro, "inga datarader", 1, None),
    ("agg_percent_120.csv", agg, "andelen 120 ligger utanför 0–100 procent", 3, "andel"),
    ("agg_yes_above_n.csv", agg, "antal ja (12) är större än antalet svarande (10)", 2, "antal_ja"),
    (
        "agg_negative_n.csv",
        agg,
        "antalet svarande kan inte vara negativt (är −5)",
        4,
        "antal_svarande",
    ),
    ("agg_unknown_area.csv", agg, "okänd områdeskod '9999'", 3, "område"),
    ("agg_ci_outside.csv", agg, "omsluter inte värdet 30,2", 4, "ki_nedre"),
]


@pytest.mark.parametrize(
    ("name", "reader", "text", "row", "column"), CORPUS, ids=[c[0] for c in CORPUS]
)
def test_malformed_corpus(name, reader, text, row, column, tmp_path):
    path = read_only_copy(MALFORMED / name, tmp_path)
    expect_problem(reader, path, text, row, column)


def test_corpus_files_are_never_modified():
    before = {p.name: sha(p) for p in MALFORMED.iterdir()}
    for name, reader, *_ in CORPUS:
        with pytest.raises(DataError):
            reader(MALFORMED / name)
    assert {p.name: sha(p) for p in MALFORMED.iterdir()} == before


def test_all_problems_are_listed_at_once_and_repeats_are_counted(tmp_path):
    path = read_only_copy(MALFORMED / "many_problems.csv", tmp_path)
    err = expect_problem(micro, path, "okänd kommunkod '2099'", 2, "Kommun")
    messages = [str(p) for p in err.problems]
    # both columns reported; first 5 rows each, the other 55 counted
    assert (
        sum("Vikt" in m and "större än 0" in m for m in messages)
        == survey_cells.MAX_ROWS_PER_PROBLEM
    )
    assert any("'Vikt'" in m and "… och 55 rader till med samma problem" in m for m in messages)
    assert any("'Kommun'" in m and "… och 55 rader till med samma problem" in m for m in messages)
    assert str(err).startswith(f"{len(err.problems)} problem hittades")


def test_problem_list_is_capped(tmp_path):
    answers = {f"var_{i}": {"column": f"Saknas{i}", "yes": [1], "no": [2]} for i in range(60)}
    data = yaml.safe_load(MAP.read_text(encoding="utf-8"))
    data["answers"] = answers
    vmap = variable_map.parse_variable_map(data, "karta.yaml")
    with pytest.raises(DataError) as info:
        survey_io.read_microdata(MALFORMED / "valid.csv", vmap)
    problems = info.value.problems
    assert len(problems) == survey_cells.MAX_PROBLEMS + 1
    assert problems[-1].message == "… och 10 problem till"


# -- encodings ----------------------------------------------------------------------------
def _csv_text(stratum_names: bool = False) -> str:
    rows = (MALFORMED / "valid.csv").read_text(encoding="utf-8").splitlines()
    if stratum_names:
        names = ["Falun-Söder", "Falun-Söder", "Borlänge Ö", "Älvdalen", "Östermalm"]
        rows = [rows[0]] + [
            ";".join(r.split(";")[:7] + [n] + r.split(";")[8:])
            for r, n in zip(rows[1:], names, strict=True)
        ]
    return "\r\n".join(rows) + "\r\n"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp1252"])
def test_encodings_are_detected(encoding, tmp_path):
    path = tmp_path / f"extrakt_{encoding}.csv"
    path.write_bytes(_csv_text(stratum_names=True).encode(encoding))
    path.chmod(0o444)
    df = survey_io.read_microdata(path, MAP)
    assert df["stratum"].tolist() == [
        "Falun-Söder",
        "Falun-Söder",
        "Borlänge Ö",
        "Älvdalen",
        "Östermalm",
    ]
    assert survey_readers.read_table(path).encoding == encoding


def test_undecodable_bytes_are_reported_with_row(tmp_path):
    content = _csv_text().encode("utf-8")
    lines = content.split(b"\r\n")
    lines[2] = lines[2].replace(b"2080", b"20\x81\x8d")  # invalid in UTF-8 and Windows-1252
    path = tmp_path / "trasig.csv"
    path.write_bytes(b"\r\n".join(lines))
    expect_problem(micro, path, "texten går inte att tolka (byte 0x81", 3, None)


def test_invalid_utf8_after_bom_is_reported_with_row(tmp_path):
    path = tmp_path / "bom_men_latin1.csv"
    path.write_bytes(b"\xef\xbb\xbf" + _csv_text(stratum_names=True).encode("cp1252"))
    expect_problem(micro, path, "går inte att läsa som UTF-8", 2, None)


def test_binary_file_with_csv_suffix(tmp_path):
    path = tmp_path / "egentligen_excel.csv"
    path.write_bytes(b"PK\x03\x04\x00\x00binary")
    expect_problem(micro, path, "inte en textfil", 1, None)


def test_unknown_suffix_and_missing_file(tmp_path):
    path = tmp_path / "extrakt.json"
    path.write_text("{}")
    expect_problem(micro, path, "okänt filformat '.json'", None, None)
    with pytest.raises(DataError, match="finns inte"):
        micro(tmp_path / "saknas.csv")


# -- the valid extract in three formats -------------------------------------------------
def _expected() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "respondent_id": pd.array(["1", "2", "3", "4", "5"], dtype="string"),
            "kommun": pd.array(["2080", "2080", "2081", "2062", "0180"], dtype="string"),
            "year": np.array([2024] * 5, dtype="int64"),
            "sex": pd.array(["män", "kvinnor", "kvinnor", "män", "kvinnor"], dtype="string"),
            "age_group": pd.array(["16–29", "45–64", "65–84", "30–44", "30–44"], dtype="string"),
            "education": pd.array(
                ["gymnasial", "eftergymnasial", "förgymnasial", "okänd", "eftergymnasial"],
                dtype="string",
            ),
            "weight": [12.5, 8.25, 20.0, 15.75, 30.1],
            "stratum": pd.array(["2080", "2080", "2081", "2062", "0180"], dtype="string"),
            "psu": pd.array(["11", "12", "21", "31", "41"], dtype="string"),
            "daily_smoking": pd.array([0, 1, None, 0, None], dtype="Int64"),
            "risk_alcohol": pd.array([1, 0, None, 0, 1], dtype="Int64"),
        }
    )


def test_valid_csv_gives_canonical_frame(tmp_path):
    path = read_only_copy(MALFORMED / "valid.csv", tmp_path)
    df = survey_io.read_microdata(path, MAP)
    pd.testing.assert_frame_equal(df, _expected())
    assert list(df.columns[:9]) == list(survey_cells.CANONICAL_COLUMNS)
    assert df.attrs["labels"]["daily_smoking"] == "Röker dagligen"


def _write_xlsx(path: Path, header=HEADER, rows=ROWS, sheet="Data") -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.create_sheet("Förklaringar").append(["Kon", "1 = man, 2 = kvinna"])
    wb.save(path)


def test_xlsx_reads_to_the_same_frame_as_csv(tmp_path):
    path = tmp_path / "extrakt.xlsx"
    _write_xlsx(path)
    path.chmod(0o444)
    before = sha(path)
    df = survey_io.read_microdata(path, MAP)
    pd.testing.assert_frame_equal(df, _expected())
    assert sha(path) == before


def test_xlsx_missing_sheet(tmp_path):
    path = tmp_path / "extrakt.xlsx"
    _write_xlsx(path, sheet="data")
    expect_problem(
        lambda p: survey_io.read_microdata(p, MAP, sheet="Data"),
        path,
        "bladet 'Data' finns inte i arbetsboken. Menade du 'data'?",
        None,
        None,
    )


def test_xlsx_missing_column_and_bad_weight_use_excel_rows(tmp_path):
    path = tmp_path / "extrakt.xlsx"
    header = [h if h != "Alk" else "Alkohol" for h in HEADER]
    rows = [list(r) for r in ROWS]
    rows[1][6] = "abc"
    _write_xlsx(path, header, rows)
    err = expect_problem(micro, path, "kolumnen 'Alk' saknas", 1, "Alk")
    assert any(p.row == 3 and p.column == "Vikt" and "'abc'" in p.message for p in err.problems)
    assert "Menade du 'Alkohol'?" in str(err)


def test_corrupt_xlsx(tmp_path):
    path = tmp_path / "trasig.xlsx"
    path.write_bytes(b"not a zip file")
    expect_problem(micro, path, "går inte att öppna som Excel-arbetsbok", None, None)


def _write_sav(path: Path, sex_labels: dict | None = None, sex_values=None) -> None:
    import pyreadstat

    df = pd.DataFrame(ROWS, columns=HEADER)
    for col in HEADER:
        if col not in ("Stratum", "PSU"):
            df[col] = pd.to_numeric(df[col]).astype("float64")
    if sex_values is not None:
        df["Kon"] = np.asarray(sex_values, dtype="float64")
    df["Stratum"] = df["Stratum"].astype(object)
    df["PSU"] = df["PSU"].astype(object)
    labels = {
        "Kon": sex_labels or {1.0: "Man", 2.0: "Kvinna"},
        "Tobak1": {1.0: "Ja", 2.0: "Nej", 9.0: "Uppgift saknas"},
    }
    pyreadstat.write_sav(df, str(path), variable_value_labels=labels)


def test_sav_reads_to_the_same_frame_as_csv(tmp_path):
    path = tmp_path / "extrakt.sav"
    _write_sav(path)
    path.chmod(0o444)
    before = sha(path)
    pd.testing.assert_frame_equal(survey_io.read_microdata(path, MAP), _expected())
    assert sha(path) == before


def test_sav_value_labels_replace_missing_codes_in_the_map(tmp_path):
    """Without codes for sex and with yes/no given as labels, SPSS labels decide."""
    path = tmp_path / "extrakt.sav"
    _write_sav(path)
    data = yaml.safe_load(MAP.read_text(encoding="utf-8"))
    data["variables"]["sex"] = {"column": "Kon"}
    data["answers"]["daily_smoking"] = {
        "column": "Tobak1",
        "yes": ["Ja"],
        "no": ["Nej"],
        "missing": ["Uppgift saknas"],
    }
    vmap = variable_map.parse_variable_map(data, "etiketter.yaml")
    df = survey_io.read_microdata(path, vmap)
    pd.testing.assert_frame_equal(df, _expected())


def test_sav_unexpected_labels(tmp_path):
    path = tmp_path / "extrakt.sav"
    _write_sav(
        path,
        sex_labels={1.0: "Man", 2.0: "Kvinna", 3.0: "Vill ej svara"},
        sex_values=[1, 2, 3, 1, 2],
    )
    data = yaml.safe_load(MAP.read_text(encoding="utf-8"))
    data["variables"]["sex"] = {"column": "Kon"}
    vmap = variable_map.parse_variable_map(data, "etiketter.yaml")
    # in a .sav file the row is the case number
    expect_problem(
        lambda p: survey_io.read_microdata(p, vmap),
        path,
        "oväntad kod '3' (Vill ej svara) för kön",
        3,
        "Kon",
    )


def test_constants_from_the_map_fill_columns(tmp_path):
    data = yaml.safe_load(MAP.read_text(encoding="utf-8"))
    data["variables"]["year"] = {"value": 2020}
    data["variables"]["psu"] = {"value": "ingen"}
    df = survey_io.read_microdata(MALFORMED / "valid.csv", variable_map.parse_variable_map(data))
    assert (df["year"] == 2020).all() and (df["psu"] == "ingen").all()
