import tempfile

import numpy as np
import pandas as pd
import pytest

from helpers.core import geo, indicators, lookup
from helpers.core.errors import DataError
from helpers.sources import life_expectancy as data
from helpers.sources.demo import base as demo
from helpers.sources.demo import life_expectancy as demo_le


@pytest.fixture(scope="module")
def demo_le_values():
    """The Kolada-shaped demo values, computed in a root built once for this module."""
    with pytest.MonkeyPatch.context() as mp, tempfile.TemporaryDirectory() as tmp:
        mp.setenv("FOLKHALSA_ROOT", tmp)
        yield demo_le.values()


def test_all_290_kommuner_join_to_boundaries():
    shapes = geo.kommuner()
    assert len(shapes) == 290
    assert set(shapes["kommun_code"]) == set(lookup.kommuner()["kommun_code"])
    assert shapes.crs.to_epsg() == 3006
    assert len(geo.lan()) == 21


def test_join_keeps_flags_and_missing_kommuner():
    rows = indicators.make(
        pd.DataFrame(
            {
                "area_code": ["2080", "2081"],
                "area_type": ["kommun", "kommun"],
                "period": [2024, 2024],
                "indicator": ["X", "X"],
                "value": [1.0, 2.0],
                "flag": ["tillförlitlig", "osäker"],
                "source": ["t", "t"],
            }
        )
    )
    g = geo.join_kommuner(rows, "20")
    assert len(g) == 15
    assert g.set_index("area_code").loc["2081", "flag"] == "osäker"
    assert (g["flag"] == "saknas").sum() == 13
    with pytest.raises(DataError, match="flera gånger"):
        geo.join_kommuner(pd.concat([rows, rows]), "20")


def test_demo_life_expectancy_is_realistic(demo_le_values):
    v = demo_le_values
    # 290 kommuner + 21 regions + Riket, two KPIs, periods 2010–2014 … 2020–2024
    assert len(v) == 2 * 312 * 11
    assert sorted(v["period"].unique()) == list(range(2014, 2025))
    riket = v[(v["municipality"] == "0000")].set_index(["kpi", "period"])["value"]
    assert 83.5 < riket[("N00925", 2024)] < 86 and 80 < riket[("N00923", 2024)] < 82.5
    assert riket[("N00925", 2024)] > riket[("N00925", 2014)] + 0.5  # rising
    k = v[(v["period"] == 2024) & ~v["municipality"].str.startswith("00")].copy()
    k["lan"] = k["municipality"].str[:2]
    spread = k[k["lan"] != "09"].groupby(["kpi", "lan"])["value"].agg(np.ptp)
    assert 2.0 < spread.median() < 5.0  # about 3 years within a county
    # served unrounded: exactly the life table's e0 for every area, sex and period
    from helpers.sources import mortality_counts

    le = mortality_counts.kommun_life_expectancy("demo")
    le = le[le["indicator"] == "e0"].set_index(["area_code", "sex", "period"])["value"]
    sex = v["kpi"].map({"N00925": "kvinnor", "N00923": "män"})
    expected = le.reindex(list(zip(v["municipality"], sex, v["period"], strict=True)))
    assert np.array_equal(v["value"].to_numpy(), expected.to_numpy())


def test_demo_envelope_has_v3_shape():
    rows = pd.DataFrame(
        {"kpi": ["N00923"] * 2, "municipality": ["2080", "0330"], "period": [2024, 2024]}
    ).assign(value=[81.25, np.nan])
    env = demo.to_kolada_envelope(rows)
    assert env["count"] == 2 and env["next_url"] is None
    obj = env["values"][0]
    assert set(obj) == {"kpi", "municipality", "period", "values"}
    assert obj["values"][0]["gender"] == "T" and obj["values"][0]["value"] == 81.25
    assert env["values"][1]["values"][0]["value"] is None
    assert env["values"][1]["values"][0]["count"] == 0


def test_life_expectancy_loader_on_demo(tmp_root):
    t = data.life_expectancy("demo", lan_code="20")
    indicators.validate(t)
    assert set(t["area_code"]) == set(lookup.kommuner_in("20")["kommun_code"]) | {"0020", "0000"}
    assert set(t["sex"]) == {"kvinnor", "män"}
    assert (t["source"] == "Syntetiska demodata – inte verkliga värden").all()
    assert t.loc[t["period"] == 2024, "period_label"].iloc[0] == "2020–2024"
    assert t["period"].min() == 2014  # the first complete five-year period of the counts
    manifest = (tmp_root / "data/raw/demo/manifest.jsonl").read_text()
    assert "SYNTETISKA" in manifest and "set=livstabell" in manifest
    n_lines = len(manifest.splitlines())
    again = data.life_expectancy("demo", lan_code="20")
    assert again.equals(t)
    # counts (deaths, population, e30) and the two KPI files, written once
    assert n_lines == len((tmp_root / "data/raw/demo/manifest.jsonl").read_text().splitlines()) == 5


def test_sources_come_from_the_registry_and_catalogue():
    assert data.sources() == ("demo", "referens", "kolada")
    assert data.kpis() == {"N00925": "kvinnor", "N00923": "män"}
    assert data.source_label("demo") == "Syntetiska demodata – inte verkliga värden"
    assert data.source_label("kolada") == "Källa: Kolada"
    with pytest.raises(DataError, match="Datakällan 'scb' kan inte ge medellivslängd"):
        data.life_expectancy("scb")


def test_unknown_source():
    with pytest.raises(DataError, match="Okänd datakälla"):
        data.life_expectancy("excel")
