"""Tests for helpers.config.variable_map: the schema, Swedish problems with lines, the strict reader.

Moved from tests/test_survey_io.py; the fixtures live in tests/malformed/.
"""

from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path

import pytest
import yaml

from helpers.config import variable_map
from helpers.core.errors import DataError

MALFORMED = Path(__file__).parents[2] / "malformed"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


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
        variable_map.load_variable_map(path)
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
    vmap = variable_map.parse_variable_map(yaml.safe_load(text), "kort.yaml", text)
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
        variable_map.parse_variable_map(yaml.safe_load(text), "fel.yaml", text)
    msgs = [str(p) for p in info.value.problems]
    assert any("rad 2" in m and "Menade du 'variables'?" in m for m in msgs)
    assert any("'variables'" in m and "saknas" in m for m in msgs)
    assert any("rad 5" in m and "små bokstäver" in m for m in msgs)


def test_demo_variable_map_is_valid():
    vmap = variable_map.load_variable_map(
        Path(__file__).parents[3] / "params" / "survey_variables_demo.yaml"
    )
    assert set(vmap.answers) == {
        "daily_smoking",
        "risk_alcohol",
        "good_health",
        "physical_inactivity",
    }
    assert vmap.answers["good_health"].yes == frozenset({"1", "2"})


def test_strict_reader_refuses_duplicate_keys_and_keeps_codes_as_text(tmp_path):
    path = tmp_path / "karta.yaml"
    text = (MALFORMED / "map.yaml").read_text(encoding="utf-8")
    path.write_text(text + "  risk_alcohol: {column: Alk2, yes: [1], no: [2]}\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        variable_map.load_variable_map(path)
    problem = info.value.problems[0]
    assert "YAML-syntaxfel" in problem.message and "förekommer två gånger" in problem.message
    assert (problem.file, problem.row) == ("karta.yaml", 16)
    # 0180 (Stockholm's kommun code in Excel's leading-zero form) stays the text "0180"
    path.write_text(text.replace("kommun: Kommun", "kommun: {value: 0180}"), encoding="utf-8")
    assert variable_map.load_variable_map(path).variables["kommun"].value == "0180"


def test_lines_come_from_the_strict_reader_without_text(tmp_path):
    path = tmp_path / "fel.yaml"
    path.write_text(
        "variables:\n  respondent_id: Lopnr\nanswers:\n  Daily-Smoking: {column: T, yes: [1], no: [2]}\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as info:
        variable_map.load_variable_map(path)
    rows = {p.row for p in info.value.problems if "små bokstäver" in p.message}
    assert rows == {4}


# -- issue 11: what the map states where the extract cannot say it --------------------------
def test_map_states_number_format_missing_design_values_and_reversed_questions(tmp_path):
    path = tmp_path / "karta.yaml"
    text = (MALFORMED / "map.yaml").read_text(encoding="utf-8")
    text = text.replace("  stratum: Stratum\n", "  stratum: {column: Stratum, missing: okänt}\n")
    text = text.replace("label: Röker dagligen}", "label: Röker dagligen, omvänd: true}")
    path.write_text('decimal: ","\nthousands: " "\n' + text, encoding="utf-8")
    vmap = variable_map.load_variable_map(path)
    assert (vmap.decimal, vmap.thousands) == (",", " ")
    assert vmap.numbers.roles() == {",": "decimal", ".": "none"}
    assert vmap.variables["stratum"].missing == "okänt"
    assert vmap.answers["daily_smoking"].inverted and not vmap.answers["risk_alcohol"].inverted
    decimal_comma = variable_map.load_variable_map(MALFORMED / "map_decimal_comma.yaml")
    assert decimal_comma.numbers.roles() == {",": "decimal", ".": "thousands"}
    assert variable_map.load_variable_map(MALFORMED / "map.yaml").numbers.roles() == {}


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('ange decimaltecknet som "," (decimalkomma) eller "." (decimalpunkt)', 13),
        ("'missing' är bara tillåtet för stratum och psu, inte för education", 8),
        ("'inverted' ska vara true eller false", 12),
    ],
)
def test_bad_number_format_and_new_keys(text, line):
    with pytest.raises(DataError) as info:
        variable_map.load_variable_map(MALFORMED / "bad_map_number_format.yaml")
    hits = [p for p in info.value.problems if text in p.message]
    assert hits, str(info.value)
    assert hits[0].row == line


def test_thousands_equal_to_decimal_is_refused():
    data = yaml.safe_load((MALFORMED / "map.yaml").read_text(encoding="utf-8"))
    data.update(decimal=",", thousands=",")
    with pytest.raises(DataError, match="kan inte vara samma tecken"):
        variable_map.parse_variable_map(data, "karta.yaml")
