"""Tests for helpers.config.survey_cells: numbers written as text, missing spellings, label meanings.

The core promise: a number written as text is read only when it can be read
one way. A property-based test (Hypothesis) writes random columns in every
common convention and checks that each value is either read exactly or refused,
never read as another number.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.config import survey_cells as cells
from helpers.config.survey_cells import NumberFormat, decide_numbers


# -- one text on its own ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3", 3.0),
        ("12,75", 12.75),
        ("12.75", 12.75),
        ("0,105", 0.105),  # a leading 0 is never a thousands group
        ("1234,567", 1234.567),  # four digits before the separator: not a thousands group
        ("1 234,5", 1234.5),
        ("2\u00a0105", 2105.0),  # non-breaking space, as Excel writes thousands
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        ("1.234.567", 1234567.0),
        ("−2,5", -2.5),
        ("1e3", 1000.0),
        (" 7 ", 7.0),
        (12.5, 12.5),
    ],
)
def test_texts_that_can_only_be_read_one_way(text, value):
    assert cells.parse_number(text) == value


@pytest.mark.parametrize("text", ["2.105", "2,105", "1.250", "999,000"])
def test_a_single_separator_before_three_digits_is_ambiguous(text):
    assert cells.parse_number(text) is None
    reading = decide_numbers({text: 4})
    message = reading.errors[text]
    assert f"'{text}' kan läsas både som" in message
    assert "tusentalsavgränsare" in message and "decimal" in message


@pytest.mark.parametrize("text", ["inf", "Infinity", "-inf", "abc", "1,2,3", "5.", "12 5"])
def test_not_finite_or_not_numbers(text):
    assert cells.parse_number(text) is None


def test_missing_spellings_are_missing_not_numbers_or_categories():
    for text in ["NA", "NaN", "nan", ".", "", " ", "NULL", "-", "n/a", None, math.nan]:
        assert cells.is_missing(text), text
        assert math.isnan(cells.parse_number(text))
    for text in ["0", "x", "..", "Saknas i stratum", "N"]:
        assert not cells.is_missing(text), text


def test_booleans_are_never_codes_one_and_zero():
    assert cells.code_key(True) == "true" and cells.code_key(False) == "false"
    assert cells.parse_number(True) is None


# -- a column ---------------------------------------------------------------------------------
def test_a_column_proves_its_decimal_separator():
    reading = decide_numbers({"12,5": 2, "2,105": 3, "7": 4})
    assert reading.values == {"12,5": 12.5, "2,105": 2.105, "7": 7.0}
    assert not reading.errors and reading.conflict is None
    assert reading.note == "tal med decimalkomma (avgjort av värdena, t.ex. '12,5' på rad 2)"


def test_a_decimal_comma_does_not_prove_a_thousands_dot():
    reading = decide_numbers({"12,5": 2, "2.105": 5})
    assert reading.values == {"12,5": 12.5}
    assert "Kolumnen har decimalkomma (t.ex. '12,5' på rad 2)" in reading.errors["2.105"]


def test_a_column_mixing_decimal_comma_and_dot_is_a_conflict():
    reading = decide_numbers({"12,5": 2, "20.75": 4})
    assert not reading.values
    message, row = reading.conflict
    assert row == 4
    assert "'12,5' (rad 2) har decimalkomma men '20.75' (rad 4) har decimalpunkt" in message


def test_a_stated_format_decides_and_is_enforced():
    fmt = NumberFormat(decimal=",")
    reading = decide_numbers({"2.105": 2, "12,5": 3, "1.234,5": 4, "3.25": 5}, fmt)
    assert reading.values == {"2.105": 2105.0, "12,5": 12.5, "1.234,5": 1234.5}
    assert "stämmer inte med talformatet (decimaltecken ','" in reading.errors["3.25"]
    assert reading.note.endswith("enligt det angivna talformatet")
    strict = decide_numbers({"2.105": 2}, NumberFormat(decimal=",", thousands=""))
    assert "'2.105' stämmer inte med talformatet" in strict.errors["2.105"]
    dot = decide_numbers({"2.105": 2, "1,234": 3}, NumberFormat(decimal="."))
    assert dot.values == {"2.105": 2.105, "1,234": 1234.0}


@st.composite
def written_column(draw):
    """A column of numbers written in one consistent (random) convention, and the values."""
    decimal = draw(st.sampled_from([",", "."]))
    thousands = draw(st.sampled_from(["", " ", "." if decimal == "," else ","]))
    values = draw(
        st.lists(
            st.tuples(st.integers(0, 10_000_000), st.integers(0, 4), st.integers(0, 9999)),
            min_size=1,
            max_size=12,
        )
    )
    texts: dict[str, float] = {}
    for whole, decimals, frac in values:
        frac_text = str(frac).zfill(4)[:decimals]
        grouped = f"{whole:,}".replace(",", thousands) if thousands else str(whole)
        text = grouped + (decimal + frac_text if decimals else "")
        texts[text] = float(f"{whole}.{frac_text or 0}")
    return decimal, thousands, texts


@settings(max_examples=300, deadline=None)
@given(written_column())
def test_property_a_number_is_read_exactly_or_refused_never_misread(column):
    decimal, thousands, texts = column
    rows = {t: i + 2 for i, t in enumerate(texts)}
    decided = decide_numbers(rows)
    for text, value in decided.values.items():
        assert value == pytest.approx(texts[text], rel=1e-12, abs=1e-12), text
    assert set(decided.values) | set(decided.errors) <= set(texts)
    stated = decide_numbers(rows, NumberFormat(decimal, thousands))
    assert stated.conflict is None and not stated.errors
    assert stated.values == pytest.approx(texts)


# -- value labels -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("label", "sex"),
    [
        ("Man", "män"),
        (" MÄN ", "män"),
        ("Pojke", "män"),
        ("1 = Man", "män"),
        ("Kvinna", "kvinnor"),
        ("kvinnor", "kvinnor"),
        ("Flicka", "kvinnor"),
        ("Kvinnor/flickor", "kvinnor"),
        ("Vill ej svara", None),
        ("Man/kvinna", None),
    ],
)
def test_sex_labels(label, sex):
    assert cells.sex_meaning(label) == sex


def test_answer_and_education_labels():
    assert [cells.answer_meaning(x) for x in ["Ja", " nej. ", "Uppgift saknas", "Ja, ibland"]] == [
        "yes",
        "no",
        "missing",
        None,
    ]
    assert cells.education_meaning("Eftergymnasial utbildning, 3 år eller mer") == "eftergymnasial"
    assert cells.education_meaning("Förgymnasial utbildning") == "förgymnasial"
    assert cells.education_meaning("Gymnasial utbildning") == "gymnasial"
    assert cells.education_meaning("Grundskola och gymnasium") is None
    assert cells.age_start("65 år och äldre") == 65
    assert cells.kommun_meaning("Falun") == "2080" and cells.kommun_meaning("2062 Mora") == "2062"
