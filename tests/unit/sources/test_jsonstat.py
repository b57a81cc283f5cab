"""Tests of helpers.sources.jsonstat: every json-stat2 value is a finite number or null, or refused."""

from __future__ import annotations

import pytest
from replay_server import jsonstat_cube

from helpers.core.errors import SourceError
from helpers.sources import jsonstat, scb

DIMS = {
    "Region": {"01": "Stockholms län", "20": "Dalarnas län"},
    "Tid": {"2023": "2023", "2024": "2024"},
}


def cube(values: list) -> dict:
    return jsonstat_cube(DIMS, values)


def test_scb_reexports_the_parser() -> None:
    assert scb.jsonstat2_to_frame is jsonstat.jsonstat2_to_frame


def test_valid_cube_reads() -> None:
    frame = jsonstat.jsonstat2_to_frame(cube([1, 2.5, None, 4]), "u")
    assert frame["value"].tolist()[:2] == [1.0, 2.5]
    assert frame["Region"].tolist() == ["01", "01", "20", "20"]


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ([1, float("inf"), 3, 4], "position 1 (Region=01, Tid=2024) är inf, inte ett ändligt tal"),
        ([1, 2, float("nan"), 4], "position 2 (Region=20, Tid=2023) är nan, inte ett ändligt tal"),
        ([1, 2, 3, -float("inf")], "position 3 (Region=20, Tid=2024) är -inf"),
        (["12,3", 2, 3, 4], "position 0 (Region=01, Tid=2023) är '12,3', inte ett tal eller null"),
        ([1, True, 3, 4], "position 1 (Region=01, Tid=2024) är True"),
    ],
)
def test_non_finite_and_non_numbers_are_refused_with_position(values: list, fragment: str) -> None:
    with pytest.raises(SourceError) as err:
        jsonstat.jsonstat2_to_frame(cube(values), "https://statistikdatabasen.scb.se/api/v2/x")
    msg = str(err.value)
    assert fragment in msg and "https://statistikdatabasen.scb.se/api/v2/x" in msg


def test_sparse_values_are_checked_too() -> None:
    sparse = {**cube([1, 2, 3, 4]), "value": {"0": 1.0, "3": float("inf")}}
    with pytest.raises(SourceError, match=r"position 3 \(Region=20, Tid=2024\) är inf"):
        jsonstat.jsonstat2_to_frame(sparse)


def test_wrong_field_type_is_named_in_swedish() -> None:
    with pytest.raises(SourceError, match="'value' är text, varken lista eller objekt"):
        jsonstat.jsonstat2_to_frame({**cube([1, 2, 3, 4]), "value": "1,2,3,4"})
