"""Tests for helpers.sources.survey_files: reading, validating and converting survey extracts.

The malformed corpus lives in tests/malformed/ (text fixtures); encodings,
Excel and SPSS files are generated in tmp_path. Every malformed case checks
the Swedish message, the file name, the row as the user sees it and the
column, and that the file is byte-for-byte unchanged afterwards.
"""

from __future__ import annotations

import hashlib
import math
import shutil
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from helpers.core import indicators
from helpers.core.errors import DataError
from helpers.sources import survey_files as survey_io

MALFORMED = Path(__file__).parent / "malformed"
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
    return survey_io.read_aggregated(path, indicator="daily_smoking", source="Test")


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
        sum("Vikt" in m and "större än 0" in m for m in messages) == survey_io.MAX_ROWS_PER_PROBLEM
    )
    assert any("'Vikt'" in m and "… och 55 rader till med samma problem" in m for m in messages)
    assert any("'Kommun'" in m and "… och 55 rader till med samma problem" in m for m in messages)
    assert str(err).startswith(f"{len(err.problems)} problem hittades")


def test_problem_list_is_capped(tmp_path):
    answers = {f"var_{i}": {"column": f"Saknas{i}", "yes": [1], "no": [2]} for i in range(60)}
    data = yaml.safe_load(MAP.read_text(encoding="utf-8"))
    data["answers"] = answers
    vmap = survey_io.parse_variable_map(data, "karta.yaml")
    with pytest.raises(DataError) as info:
        survey_io.read_microdata(MALFORMED / "valid.csv", vmap)
    problems = info.value.problems
    assert len(problems) == survey_io.MAX_PROBLEMS + 1
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
    assert survey_io.read_table(path).encoding == encoding


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
    assert list(df.columns[:9]) == list(survey_io.CANONICAL_COLUMNS)
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
    vmap = survey_io.parse_variable_map(data, "etiketter.yaml")
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
    vmap = survey_io.parse_variable_map(data, "etiketter.yaml")
    # in a .sav file the row is the case number
    expect_problem(
        lambda p: survey_io.read_microdata(p, vmap),
        path,
        "oväntad kod '3' (Vill ej svara) för kön",
        3,
        "Kon",
    )


# -- variable maps -----------------------------------------------------------------------
BAD_MAPS = [
    ("bad_map_missing_weight.yaml", "obligatorisk variabel 'weight' saknas", 2),
    ("bad_map_sex_value.yaml", "okänt kön 'flickvän'", 10),
    ("bad_map_overlap.yaml", "koden 2 står både under 'yes' och 'no'", 12),
    ("bad_map_overlap.yaml", "okänd nyckel. Menade du 'column'?", 9),
    ("bad_map_syntax.yaml", "YAML-syntaxfel", 4),
    ("bad_map_not_mapping.yaml", "ska vara en YAML-mappning", None),
]


@pytest.mark.parametrize(("name", "text", "line"), BAD_MAPS)
def test_bad_variable_maps(name, text, line):
    path = MALFORMED / name
    before = sha(path)
    with pytest.raises(DataError) as info:
        survey_io.load_variable_map(path)
    assert sha(path) == before
    hits = [p for p in info.value.problems if text in p.message]
    assert hits, str(info.value)
    assert hits[0].file == name and hits[0].row == line


def test_variable_map_accepts_yaml_booleans_shorthand_and_constants():
    text = textwrap.dedent(
        """
        variables:
          respondent_id: Lopnr
          kommun: {value: "2080"}
          year: {value: 2024}
          sex: {column: Kon, codes: {M: Man, K: Kvinna}}
          age_group: Alder
          education: {column: Utb, codes: {1: Grundskola, 2: gymnasial, 3: Högskola}}
          weight: {value: 1}
          stratum: {value: hela}
        answers:
          daily_smoking: {column: Tobak1, yes: [1], no: [2]}
        """
    )
    vmap = survey_io.parse_variable_map(yaml.safe_load(text), "kort.yaml", text)
    assert vmap.answers["daily_smoking"].yes == frozenset({"1"})
    assert vmap.variables["sex"].codes == {"m": "män", "k": "kvinnor"}
    assert vmap.variables["education"].codes == {
        "1": "förgymnasial",
        "2": "gymnasial",
        "3": "eftergymnasial",
    }
    assert vmap.variables["year"].value == 2024 and vmap.variables["kommun"].column is None


def test_variable_map_collects_all_schema_problems_with_lines():
    text = textwrap.dedent(
        """
        variabels:
          respondent_id: Lopnr
        answers:
          Daily-Smoking: {column: T, yes: [1], no: [2]}
        """
    )
    with pytest.raises(DataError) as info:
        survey_io.parse_variable_map(yaml.safe_load(text), "fel.yaml", text)
    msgs = [str(p) for p in info.value.problems]
    assert any("rad 2" in m and "Menade du 'variables'?" in m for m in msgs)
    assert any("'variables'" in m and "saknas" in m for m in msgs)
    assert any("rad 5" in m and "små bokstäver" in m for m in msgs)


def test_constants_from_the_map_fill_columns(tmp_path):
    data = yaml.safe_load(MAP.read_text(encoding="utf-8"))
    data["variables"]["year"] = {"value": 2020}
    data["variables"]["psu"] = {"value": "ingen"}
    df = survey_io.read_microdata(MALFORMED / "valid.csv", survey_io.parse_variable_map(data))
    assert (df["year"] == 2020).all() and (df["psu"] == "ingen").all()


def test_demo_variable_map_is_valid():
    vmap = survey_io.load_variable_map(
        Path(__file__).parents[1] / "params" / "survey_variables_demo.yaml"
    )
    assert set(vmap.answers) == {
        "daily_smoking",
        "risk_alcohol",
        "good_health",
        "physical_inactivity",
    }
    assert vmap.answers["good_health"].yes == frozenset({"1", "2"})


# -- aggregated extracts -----------------------------------------------------------------
def test_aggregated_counts_get_wilson_intervals():
    df = agg(MALFORMED / "agg_valid_counts.csv")
    indicators.validate(df)
    row = df.set_index(["area_code", "sex"]).loc[("2080", "kvinnor")]
    assert row["value"] == pytest.approx(100 * 37 / 412)
    lo, hi = survey_io._wilson(np.array([37]), np.array([412]))
    assert (row["ci_lower"], row["ci_upper"]) == pytest.approx((100 * lo[0], 100 * hi[0]))
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
    lo, hi = survey_io._wilson(np.array([10, 0, 5]), np.array([100, 20, 5]))
    assert lo[0] == pytest.approx(0.0552291, abs=1e-6) and hi[0] == pytest.approx(
        0.1743657, abs=1e-6
    )
    z2 = 1.959964**2  # closed forms at the extremes: z²/(n+z²) and n/(n+z²)
    assert lo[1] == 0 and hi[1] == pytest.approx(z2 / (20 + z2), abs=1e-6)
    assert hi[2] == 1 and lo[2] == pytest.approx(5 / (5 + z2), abs=1e-6)
    lo, hi = survey_io._wilson(np.array([0]), np.array([0]))
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
