import numpy as np
import pandas as pd
import pytest

from helpers.core import indicators as ind
from helpers.core.errors import DataError


def _rows(**over):
    base = {
        "area_code": ["2080", "0020"],
        "area_type": ["kommun", "region"],
        "period": [2024, 2024],
        "indicator": ["N00925", "N00925"],
        "value": [84.1, np.nan],
        "source": ["Källa: test", "Källa: test"],
    }
    base.update(over)
    return pd.DataFrame(base)


def test_make_fills_defaults_and_flags():
    t = ind.make(_rows(), source="Källa: Kolada")
    assert list(t.columns) == list(ind.COLUMNS)
    assert t["flag"].tolist() == [ind.FLAG_NOT_ASSESSED, ind.FLAG_MISSING]
    assert t["group"].tolist() == ["alla", "alla"]
    assert t["period_label"].tolist() == ["2024", "2024"]
    assert (t["source"] == "Källa: Kolada").all()
    assert np.isnan(t["ci_lower"]).all()


def test_validate_rejects_unknown_sex_with_row_and_column():
    with pytest.raises(DataError) as err:
        ind.make(_rows(sex=["kvinna", "totalt"]))
    msg = str(err.value)
    assert "rad 1" in msg and "kolumn 'sex'" in msg and "kvinna" in msg


def test_validate_rejects_value_on_suppressed_row():
    with pytest.raises(DataError, match="tomt"):
        ind.make(_rows(flag=[ind.FLAG_SUPPRESSED, ind.FLAG_MISSING]))


def test_validate_rejects_ci_not_containing_value():
    with pytest.raises(DataError, match="konfidensintervallet"):
        ind.make(_rows(ci_lower=[85.0, np.nan], ci_upper=[86.0, np.nan]))


def test_validate_rejects_duplicates_and_lists_all_problems():
    df = _rows(area_code=["2080", "2080"], area_type=["kommun", "län"])
    with pytest.raises(DataError) as err:
        ind.make(df)
    assert len(err.value.problems) == 2


def test_concat_and_usable():
    a = ind.make(_rows())
    b = ind.make(_rows(period=[2023, 2023]))
    both = ind.concat([a, b, ind.empty()])
    assert len(both) == 4
    assert ind.usable(both).tolist() == [True, False, True, False]
