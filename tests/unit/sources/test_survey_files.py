"""Tests for helpers.sources.survey_files: reading, validating and converting survey extracts.

The malformed corpus lives in tests/malformed/ (text fixtures); encodings,
Excel and SPSS files are generated in tmp_path. Every malformed case checks
the Swedish message, the file name, the row as the user sees it and the
column, and that the file is byte-for-byte unchanged afterwards.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

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
    before = {p.name: sha(p) for p in MALFORMED.iterdir() if p.is_file()}
    for name, reader, *_ in CORPUS:
        with pytest.raises(DataError):
            reader(MALFORMED / name)
    assert {p.name: sha(p) for p in MALFORMED.iterdir() if p.is_file()} == before


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


# -- issue 11: nothing that cannot be read with certainty gives a number --------------------
MAP_DECIMAL = MALFORMED / "map_decimal_comma.yaml"

CORPUS_11 = [
    # file, message fragment, row, column
    (
        "weight_thousands_dot.csv",
        "'2.105' kan läsas både som 2,105 (med decimalpunkt) och som 2\u00a0105",
        2,
        "Vikt",
    ),
    ("weight_dot_among_commas.csv", "Kolumnen har decimalkomma (t.ex. '12,5' på rad 2)", 4, "Vikt"),
    (
        "weight_mixed_decimals.csv",
        "'12,5' (rad 2) har decimalkomma men '20.75' (rad 4) har decimalpunkt",
        4,
        "Vikt",
    ),
    ("weight_not_finite.csv", "'inf' är inte ett ändligt tal", 3, "Vikt"),
    ("weight_not_finite.csv", "vikten saknas", 5, "Vikt"),  # "NaN" is a missing weight
    ("weight_not_finite.csv", "'-' kan betyda noll eller att värdet saknas", 6, "Vikt"),
    (
        "stratum_missing_spellings.csv",
        "stratum saknas ('NA' räknas som saknat värde)",
        3,
        "Stratum",
    ),
    ("stratum_missing_spellings.csv", "stratum saknas ('.' räknas som saknat värde)", 5, "Stratum"),
    ("stratum_missing_spellings.csv", "variables.psu.missing", 6, "PSU"),
    ("excel_error_values.csv", "värdet '#DIV/0!' är ett felvärde från Excel", 3, "Vikt"),
    ("excel_error_values.csv", "värdet '#N/A' är ett felvärde från Excel", 5, "Tobak1"),
    ("header_case_duplicate.csv", "kolumnnamnet 'vikt' förekommer flera gånger", 1, "vikt"),
]


@pytest.mark.parametrize(
    ("name", "text", "row", "column"), CORPUS_11, ids=[f"{c[0]}:{c[2]}" for c in CORPUS_11]
)
def test_malformed_corpus_issue_11(name, text, row, column, tmp_path):
    path = read_only_copy(MALFORMED / name, tmp_path)
    expect_problem(micro, path, text, row, column)


def test_stated_number_format_reads_thousands_dots(tmp_path, caplog):
    path = read_only_copy(MALFORMED / "weight_thousands_dot.csv", tmp_path)
    with caplog.at_level("INFO", logger="helpers.sources.survey_columns"):
        df = survey_io.read_microdata(path, MAP_DECIMAL)
    assert df["weight"].tolist() == [2105.0, 1250.0, 850.0, 12345.0, 3000.0]
    assert "punkt som tusentalsavgränsare enligt det angivna talformatet" in caplog.text


def test_grouped_numbers_that_can_only_be_read_one_way(tmp_path):
    path = read_only_copy(MALFORMED / "weight_grouped.csv", tmp_path)
    df = survey_io.read_microdata(path, MAP)
    assert df["weight"].tolist() == [1250.5, 8.25, 2105.0, 1234.75, 30.1]


def test_stratum_missing_value_stated_in_the_map(tmp_path, caplog):
    path = read_only_copy(MALFORMED / "stratum_missing_spellings.csv", tmp_path)
    data = yaml.safe_load(MAP.read_text(encoding="utf-8"))
    data["variables"]["stratum"] = {"column": "Stratum", "missing": "okänt"}
    data["variables"]["psu"] = {"column": "PSU", "missing": "egen"}
    vmap = variable_map.parse_variable_map(data, "karta.yaml")
    with caplog.at_level("INFO", logger="helpers.sources.survey_files"):
        df = survey_io.read_microdata(path, vmap)
    assert df["stratum"].tolist() == ["2080", "okänt", "okänt", "okänt", "0180"]
    assert df["psu"].tolist() == ["11", "12", "21", "31", "egen"]
    assert "3 rader saknar stratum och får värdet 'okänt'" in caplog.text


def test_missing_spellings_in_answers_are_missing_answers(tmp_path):
    path = read_only_copy(MALFORMED / "answer_missing_spellings.csv", tmp_path)
    df = survey_io.read_microdata(path, MAP)
    assert df["daily_smoking"].tolist() == [0, pd.NA, pd.NA, 0, pd.NA]
    assert df["risk_alcohol"].tolist() == [1, 0, pd.NA, 0, 1]


@pytest.mark.parametrize(
    ("column", "value", "text"),
    [
        ("Kon", "NA", "kön saknas"),
        ("Kommun", "NaN", "kommunkoden saknas"),
        ("Alder", ".", "åldersgruppen saknas"),
        ("Lopnr", "NULL", "löpnumret saknas ('NULL' räknas som saknat värde)"),
        ("Ar", "NA", "undersökningsåret saknas"),
    ],
)
def test_missing_spellings_never_become_categories(column, value, text, tmp_path):
    rows = (MALFORMED / "valid.csv").read_text(encoding="utf-8").splitlines()
    pos = rows[0].split(";").index(column)
    cells = rows[2].split(";")
    cells[pos] = value
    rows[2] = ";".join(cells)
    path = tmp_path / "extrakt.csv"
    path.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    expect_problem(micro, path, text, 3, column)


# -- encodings (issue 11) ---------------------------------------------------------------------
def test_half_utf8_half_windows_1252_is_refused_at_the_first_bad_line(tmp_path):
    lines = _csv_text(stratum_names=True).split("\r\n")
    content = "\r\n".join(lines[:3]).encode("utf-8") + b"\r\n"
    content += "\r\n".join(lines[3:]).encode("cp1252")
    path = tmp_path / "blandad.csv"
    path.write_bytes(content)
    err = expect_problem(micro, path, "filen blandar teckenkodningar", 4, None)
    assert "rad 2 är skriven som UTF-8" in str(err)
    assert "byte 0xE4" in str(err)  # the ä of "Borlänge Ö"


def test_windows_1252_is_read_with_a_logged_note(tmp_path, caplog):
    path = tmp_path / "ansi.csv"
    path.write_bytes(_csv_text(stratum_names=True).encode("cp1252"))
    with caplog.at_level("INFO", logger="helpers.sources.survey_readers"):
        df = survey_io.read_microdata(path, MAP)
    assert df["stratum"].tolist()[0] == "Falun-Söder"
    assert "läses som Windows-1252 (ANSI)" in caplog.text and "'ö' på rad 2" in caplog.text


def test_windows_1252_with_implausible_characters_is_refused(tmp_path):
    text = _csv_text().replace("2080;11", "2080\u00a4;11", 1)  # '¤' (0xA4) is no Swedish text
    path = tmp_path / "konstig.csv"
    path.write_bytes(text.encode("cp1252"))
    expect_problem(micro, path, "tecknet '¤', som inte hör hemma", 2, None)


def test_text_garbled_before_saving_is_refused(tmp_path):
    garbled = _csv_text(stratum_names=True).encode("utf-8").decode("cp1252")
    path = tmp_path / "dubbelkodad.csv"
    path.write_text(garbled, encoding="utf-8")
    expect_problem(micro, path, "'Ã¶' är troligen 'ö'", 2, None)


def test_unreadable_paths_give_swedish_errors(tmp_path, monkeypatch):
    with pytest.raises(DataError, match="sökvägen är en mapp"):
        micro(tmp_path)
    path = read_only_copy(MALFORMED / "valid.csv", tmp_path)
    vmap = variable_map.load_variable_map(MAP)

    def denied(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", denied)  # as if another user owned the file
    with pytest.raises(DataError) as info:
        survey_io.read_microdata(path, vmap)
    assert str(info.value) == (
        "fil valid.csv: filen går inte att öppna: behörighet saknas. Kontrollera filens rättigheter."
    )


# -- SPSS value labels against the map (issue 11) ----------------------------------------------
def test_sav_labels_contradicting_the_map_are_refused(tmp_path):
    path = tmp_path / "extrakt.sav"
    _write_sav(path, sex_labels={1.0: "Kvinna", 2.0: "Man"})
    err = expect_problem(micro, path, "koden 1 har värdeetiketten 'Kvinna'", 1, "Kon")
    text = str(err)
    assert "variabelkartan anger 1 = män (kön)" in text
    assert "rätta variables.sex.codes i variabelkartan" in text
    assert "(2 rader har koden)" in text  # rows 1 and 4 have code 1


def _answer_labels_sav(path: Path, labels: dict) -> None:
    import pyreadstat

    df = pd.DataFrame(ROWS, columns=HEADER)
    for col in HEADER:
        if col not in ("Stratum", "PSU"):
            df[col] = pd.to_numeric(df[col]).astype("float64")
    pyreadstat.write_sav(
        df, str(path), variable_value_labels={"Kon": {1.0: "Män", 2.0: "Flickor"}, **labels}
    )


def test_sav_answer_labelled_nej_counted_as_yes_is_refused(tmp_path):
    path = tmp_path / "extrakt.sav"
    _answer_labels_sav(path, {"Tobak1": {1.0: "Nej", 2.0: "Ja", 9.0: "Uppgift saknas"}})
    err = expect_problem(micro, path, "koden 1 har värdeetiketten 'Nej'", 2, "Tobak1")
    assert "räknar 1 som ja i svarsvariabeln daily_smoking" in str(err)
    assert "inverted: true" in str(err)
    data = yaml.safe_load(MAP.read_text(encoding="utf-8"))
    data["answers"]["daily_smoking"]["inverted"] = True
    df = survey_io.read_microdata(path, variable_map.parse_variable_map(data, "omvänd.yaml"))
    assert df["daily_smoking"].tolist() == [0, 1, pd.NA, 0, pd.NA]


def test_sav_missing_label_counted_as_no_is_refused(tmp_path):
    path = tmp_path / "extrakt.sav"
    _answer_labels_sav(path, {"Alk": {1.0: "Ja", 2.0: "Uppgift saknas"}})
    expect_problem(micro, path, "räknar 2 som nej i svarsvariabeln risk_alcohol", 2, "Alk")


def test_sav_labels_that_agree_pass(tmp_path):
    path = tmp_path / "extrakt.sav"
    _answer_labels_sav(
        path,
        {
            "Tobak1": {1.0: " JA ", 2.0: "nej", 9.0: "Vet ej"},
            "Alder": {1.0: "16-29 år", 2.0: "30–44", 3.0: "45 - 64 år", 4.0: "65 år och äldre"},
            "Utb": {1.0: "Grundskola", 2.0: "Gymnasial utbildning", 3.0: "Högskola", 9.0: "Okänd"},
            "Kommun": {2080.0: "Falun", 2081.0: "Borlänge", 2062.0: "Mora", 180.0: "Stockholm"},
        },
    )
    pd.testing.assert_frame_equal(survey_io.read_microdata(path, MAP), _expected())


@pytest.mark.parametrize(
    ("column", "labels", "text"),
    [
        ("Alder", {1.0: "30–44 år"}, "åldersgruppen börjar vid 30 år"),
        ("Utb", {2.0: "Eftergymnasial utbildning"}, "utbildningsnivå: eftergymnasial"),
        ("Kommun", {2080.0: "Borlänge"}, "kommun: 2081"),
    ],
)
def test_sav_other_label_contradictions(column, labels, text, tmp_path):
    path = tmp_path / "extrakt.sav"
    _answer_labels_sav(path, {column: labels})
    expect_problem(micro, path, text, 1, column)


# -- Excel (issue 11) ---------------------------------------------------------------------------
def test_xlsx_formula_without_saved_value_is_refused_not_missing(tmp_path):
    path = tmp_path / "formler.xlsx"
    rows = [list(r) for r in ROWS]
    rows[1][9] = "=1+0"  # Tobak1 on Excel row 3: a formula openpyxl saves without a value
    rows[3][6] = "=G2*2"  # Vikt on row 5
    _write_xlsx(path, rows=rows)
    err = expect_problem(
        micro, path, "cellen J3 på bladet 'Data' innehåller en formel", 3, "Tobak1"
    )
    assert "(=1+0)" in str(err) and "klistra in som värden" in str(err)
    assert any(p.row == 5 and p.column == "Vikt" and "G5" in p.message for p in err.problems)


def test_xlsx_rows_of_only_uncalculated_formulas_are_not_dropped(tmp_path):
    path = tmp_path / "formelrad.xlsx"
    rows = [list(r) for r in ROWS] + [[f"=A{i}" for i in range(11)]]
    _write_xlsx(path, rows=rows)
    expect_problem(micro, path, "cellen A7 på bladet 'Data' innehåller en formel", 7, "Lopnr")


def test_xlsx_error_dates_booleans_and_percent_format_in_cells(tmp_path):
    import datetime

    from openpyxl import load_workbook

    path = tmp_path / "celler.xlsx"
    rows = [list(r) for r in ROWS]
    rows[0][6] = "#DIV/0!"  # written by openpyxl as an Excel error value
    rows[1][6] = datetime.datetime(2024, 3, 1)
    rows[2][3] = True  # SANT in the sex column is not code 1
    _write_xlsx(path, rows=rows)
    wb = load_workbook(path)
    wb["Data"]["G5"].number_format = "0%"
    wb.save(path)
    err = expect_problem(micro, path, "cellen G2 innehåller Excel-felet '#DIV/0!'", 2, "Vikt")
    messages = [(p.row, p.column, p.message) for p in err.problems]
    assert any(r == 3 and "är ett datum" in m for r, c, m in messages)
    assert any(r == 4 and c == "Kon" and "oväntad kod 'SANT'" in m for r, c, m in messages)
    assert any(r == 5 and "formaterad som procent" in m for r, c, m in messages)


def test_xlsx_with_a_wrong_stored_dimension_reads_every_row(tmp_path):
    import re
    import zipfile

    path = tmp_path / "extrakt.xlsx"
    _write_xlsx(path)
    fixed = tmp_path / "fel_dimension.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(fixed, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]+"/>', b'<dimension ref="A1:K3"/>', data)
            dst.writestr(item, data)
    pd.testing.assert_frame_equal(survey_io.read_microdata(fixed, MAP), _expected())


def test_xlsx_merged_cells_are_refused_not_read_as_missing(tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "sammanfogad.xlsx"
    rows = [list(r) for r in ROWS]
    rows[1][9] = None  # Tobak1 on row 3 lies under the merged J2:J3
    _write_xlsx(path, rows=rows)
    wb = load_workbook(path)
    wb["Data"].merge_cells("J2:J3")
    wb.save(path)
    err = expect_problem(
        micro, path, "cellen J3 ingår i de sammanfogade cellerna J2:J3", 3, "Tobak1"
    )
    assert "värdet står bara i J2" in str(err)


# -- property-based: random valid extracts round-trip; corruptions never give a number ------------
@st.composite
def extracts(draw):
    """Rows of a valid extract with weights written in one random convention."""
    decimal = draw(st.sampled_from([",", "."]))
    thousands = draw(st.sampled_from(["", " ", "." if decimal == "," else ","]))
    n = draw(st.integers(1, 15))
    weights = draw(
        st.lists(st.integers(1, 5_000_000), min_size=n, max_size=n).map(
            lambda xs: [x / 100 for x in xs]
        )
    )
    answers = draw(st.lists(st.sampled_from(["1", "2", "9", ""]), min_size=n, max_size=n))
    return decimal, thousands, weights, answers


def _weight_text(x: float, decimal: str, thousands: str) -> str:
    whole, frac = f"{x:.2f}".split(".")
    grouped = f"{int(whole):,}".replace(",", thousands) if thousands else whole
    return f"{grouped}{decimal}{frac}"


def _write_extract(path: Path, weights: list[float], answers: list[str], fmt) -> None:
    lines = [";".join(HEADER)]
    for i, (w, a) in enumerate(zip(weights, answers, strict=True)):
        lines.append(f"{i + 1};2080;2024;1;1;2;{_weight_text(w, *fmt)};2080;{i};{a};1")
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")


@settings(max_examples=60, deadline=None)
@given(extracts())
def test_property_random_extracts_round_trip_or_are_refused(extract):
    decimal, thousands, weights, answers = extract
    data = yaml.safe_load(MAP.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "extrakt.csv"
        _write_extract(path, weights, answers, (decimal, thousands))
        stated = variable_map.parse_variable_map(
            {**data, "decimal": decimal, "thousands": thousands}
        )
        df = survey_io.read_microdata(path, stated)
        assert df["weight"].tolist() == pytest.approx(weights, rel=1e-12)
        expected = [{"1": 1, "2": 0}.get(a, pd.NA) for a in answers]
        assert df["daily_smoking"].tolist() == expected
        try:  # without the format: the same weights, or a refusal – never other numbers
            guessed = survey_io.read_microdata(path, MAP)
        except DataError as exc:
            assert all(p.column == "Vikt" for p in exc.problems), str(exc)
        else:
            assert guessed["weight"].tolist() == pytest.approx(weights, rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 4),
    st.sampled_from(["Stratum", "PSU", "Vikt"]),
    st.sampled_from(["NA", "NaN", "nan", ".", "", " ", "NULL", "-", "n/a"]),
)
def test_property_missing_design_values_are_always_refused(row, column, token):
    rows = (MALFORMED / "valid.csv").read_text(encoding="utf-8").splitlines()
    pos = rows[0].split(";").index(column)
    cells = rows[row + 1].split(";")
    cells[pos] = token
    rows[row + 1] = ";".join(cells)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "extrakt.csv"
        path.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
        with pytest.raises(DataError) as info:
            survey_io.read_microdata(path, MAP)
    assert [(p.row, p.column) for p in info.value.problems] == [(row + 2, column)]
