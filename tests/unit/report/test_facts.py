"""One fact, one value: combining section facts and finding contradictions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.core import indicators
from helpers.core.errors import DataError
from helpers.report import facts


def _rows(indicator, value, sex="män", area="2021", period=2024, **extra):
    return indicators.make(
        pd.DataFrame(
            {
                "area_code": [area],
                "area_type": ["kommun"],
                "period": [period],
                "sex": [sex],
                "indicator": [indicator],
                "value": [value],
                **{k: [v] for k, v in extra.items()},
            }
        ),
        source="Syntetiska demodata",
    )


def test_kolada_ids_become_catalogue_ids():
    combined = facts.combine([("a", _rows("N00923", 78.44)), ("b", _rows("e0", 78.41))])
    assert combined["indicator"].tolist() == ["e0", "e0"]
    assert combined["source_indicator"].tolist() == ["N00923", "e0"]
    assert combined["section"].tolist() == ["a", "b"]


def test_same_value_at_shown_decimals_is_no_conflict():
    combined = facts.combine([("a", _rows("N00923", 78.44)), ("b", _rows("e0", 78.41))])
    assert facts.conflicts(combined).empty
    facts.check_one_value(combined)


def test_vansbro_contradiction_is_found_and_named_in_swedish():
    combined = facts.combine(
        [("Översikt", _rows("N00923", 83.7)), ("Livstabell", _rows("e0", 78.4))]
    )
    bad = facts.conflicts(combined)
    assert len(bad) == 1
    assert bad.iloc[0]["values"] == [78.4, 83.7]
    with pytest.raises(
        DataError, match=r"e0 för 2021, män, 2024.*78,4, 83,7.*Livstabell, Översikt"
    ):
        facts.check_one_value(combined)


def test_missing_values_and_other_keys_do_not_conflict():
    combined = facts.combine(
        [
            ("a", _rows("e0", 80.0)),
            ("b", _rows("e0", np.nan)),
            ("c", _rows("e0", 84.0, sex="kvinnor")),
            ("d", _rows("e0", 79.0, period=2019)),
        ]
    )
    assert facts.conflicts(combined).empty
    assert len(facts.unique_facts(combined)) == 3


def test_csv_hides_everything_of_a_suppressed_row(tmp_path):
    shown = _rows("daglig_rokning", 6.1, n=800.0, numerator=59.0)
    hidden = _rows(
        "daglig_rokning", np.nan, sex="kvinnor", flag="undertryckt", flag_reason="för få svar"
    )
    combined = facts.combine([("Enkät", pd.concat([shown, hidden]))])
    combined.loc[1, "n"] = 3.0  # as if a caller forgot to blank it
    path = facts.to_csv(combined, tmp_path / "fakta.csv")
    text = path.read_text(encoding="utf-8-sig")
    back = pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig", dtype={"area_code": str})
    assert back.loc[0, "value"] == pytest.approx(6.1) and back.loc[0, "n"] == 800
    assert back.loc[1, ["value", "n", "numerator"]].isna().all()
    assert "6,1" in text


def test_csv_writes_no_floating_point_noise(tmp_path):
    rows = _rows("fysiskt_aktiva_150", 67.9)
    rows["ci_lower"], rows["ci_upper"] = 67.9 - 3.8, 67.9 + 3.8  # 64.10000000000001
    path = facts.to_csv(facts.combine([("Strategi", rows)]), tmp_path / "fakta.csv")
    text = path.read_text(encoding="utf-8-sig")
    assert ";67,9;64,1;71,7;" in text and "0000000" not in text
    back = pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig")
    assert back.loc[0, "ci_lower"] == pytest.approx(64.1, abs=1e-12)


def test_records_round_trip_through_json():
    import json

    combined = facts.combine(
        [
            ("a", _rows("N00923", 78.44, n=12.0)),
            ("b", _rows("e0", np.nan, sex="kvinnor")),
            ("c", _rows("e0", 78.41)),  # the same fact in another section
        ]
    )
    records = json.loads(
        json.dumps(facts.to_records(combined), allow_nan=False)
    )  # strict JSON, no NaN
    back = facts.from_records(records)
    assert back["indicator"].tolist() == ["e0", "e0", "e0"]
    assert back["source_indicator"].tolist() == ["N00923", "e0", "e0"]
    assert back["section"].tolist() == ["a", "b", "c"]
    assert back.loc[0, "value"] == pytest.approx(78.44) and back.loc[0, "n"] == 12
    assert pd.isna(back.loc[1, "value"]) and back.loc[1, "flag"] == "saknas"
