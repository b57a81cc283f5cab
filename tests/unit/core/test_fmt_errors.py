import math

import matplotlib.pyplot as plt

from helpers.core import fmt
from helpers.core.errors import DataError, Problem

NB = "\u00a0"


def test_num_uses_decimal_comma_and_nbsp():
    assert fmt.num(81.29) == "81,3"
    assert fmt.num(1234.56, 1, "år") == f"1{NB}234,6{NB}år"
    assert fmt.num(-0.44) == "−0,4"
    assert fmt.num(float("nan")) == "–"
    assert fmt.num(None) == "–"


def test_signed_and_ci():
    assert fmt.signed(0.4) == "+0,4"
    assert fmt.signed(-1.25, 2) == "−1,25"
    assert fmt.ci(80.14, 82.26) == "(80,1–82,3)"
    assert fmt.ci(math.nan, 1.0) == ""


def test_tick_formatter():
    fig, ax = plt.subplots()
    assert fmt.decimal_comma_formatter(1)(2.5, 0) == "2,5"
    plt.close(fig)


def test_join_names():
    assert fmt.join_names(["Falun"]) == "Falun"
    assert fmt.join_names(["A", "B", "C"]) == "A, B och C"


def test_problem_and_error_text():
    p = Problem("vikten måste vara större än 0", file="enkat.csv", row=7, column="Vikt")
    assert str(p) == "fil enkat.csv, rad 7, kolumn 'Vikt': vikten måste vara större än 0"
    err = DataError([p, Problem("tom fil", file="b.csv")])
    assert str(err).startswith("2 problem hittades:")
    assert "rad 7" in str(err) and "b.csv" in str(err)
