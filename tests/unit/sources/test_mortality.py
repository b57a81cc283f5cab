"""Tests for helpers.sources.mortality: loaders, kommun life expectancy with CIs, comparisons, range."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2

from helpers.core import indicators, lookup
from helpers.core.errors import DataError, SourceError
from helpers.core.fmt import SYNTHETIC_LABEL
from helpers.sources import mortality as dmo
from helpers.sources import mortality_compare, mortality_counts, mortality_education, scb
from helpers.sources import scb_tables as table_lock
from helpers.sources.demo import mortality as demo_mortality
from helpers.stats import ci, lifetable_chiang, lifetable_compare

DALARNA = lookup.kommuner_in("20")["kommun_code"].tolist()
REPO = Path(__file__).resolve().parents[3]


# -- sources -----------------------------------------------------------------------------------
def test_sources_and_errors(monkeypatch, tmp_path):
    assert mortality_counts.check_source("demo") == "demo"
    # Kolada has no deaths by single age: refused in Swedish, never read as SCB.
    with pytest.raises(DataError, match="Datakällan 'kolada' kan inte ge medellivslängd"):
        mortality_counts.check_source("kolada")
    with pytest.raises(DataError, match="kan inte ge medellivslängd beräknad från antal döda"):
        mortality_counts.kommun_life_expectancy("kolada", "20")
    assert list(mortality_counts.LIFE_TABLE_SOURCES) == [
        "demo",
        "scb",
        "referens",
    ]  # from the catalogue
    assert "kolada" in mortality_counts.unavailable_reason("kolada")
    with pytest.raises(DataError, match="Okänd datakälla 'excel'"):
        mortality_counts.counts_available("excel")
    assert mortality_counts.source_label("demo") == SYNTHETIC_LABEL
    with pytest.raises(DataError, match="Okänd datakälla 'excel'"):
        mortality_counts.deaths_population("excel")
    assert mortality_counts.counts_available("demo") and not mortality_counts.counts_available(
        "kolada"
    )
    monkeypatch.setenv("FOLKHALSA_REFERENCE", str(tmp_path / "finns_inte"))
    assert not mortality_counts.counts_available("referens")
    with pytest.raises(DataError, match="Referensdata saknas"):
        mortality_counts.deaths_population("referens")
    monkeypatch.setattr(table_lock, "LOCK_FILE", str(tmp_path / "ingen_lasfil.yaml"))
    with pytest.raises(SourceError, match="inte bekräftade"):
        mortality_counts.scb_counts(client=object())


def test_demo_counts_shapes(demo_root):
    counts = mortality_counts.deaths_population("demo", "20")
    d, p = counts.deaths, counts.population
    assert counts.source == SYNTHETIC_LABEL
    assert list(d.columns) == ["kommunkod", "kommun", "year", "sex", "age", "deaths"]
    assert list(p.columns) == ["kommunkod", "kommun", "year", "sex", "age", "population"]
    assert sorted(d["kommunkod"].unique()) == DALARNA
    assert len(d) == 15 * 2 * 101 * 15 and len(p) == 15 * 2 * 101 * 16
    assert set(d["sex"]) == {"men", "women"}
    everything = mortality_counts.deaths_population("demo")
    assert everything.deaths["kommunkod"].nunique() == 290
    with pytest.raises(DataError, match="Okänd länskod '77'"):
        mortality_counts.deaths_population("demo", "77")


def test_e30_demo_is_the_indicator_table(demo_root):
    e30 = mortality_education.e30_by_education("demo", "20")
    indicators.validate(e30)
    assert set(e30["area_code"]) == {"0020", "0000"}
    assert set(e30["group"]) == {"förgymnasial", "gymnasial", "eftergymnasial", "alla"}
    assert e30["period"].nunique() == 30 and len(e30) == 2 * 2 * 4 * 30
    assert (e30["flag"] == indicators.FLAG_NOT_ASSESSED).all()
    assert (e30["source"] == SYNTHETIC_LABEL).all()
    expected = demo_mortality.e30_indicator_table()
    expected = expected[expected["area_code"].isin(["0020", "0000"])]
    pd.testing.assert_frame_equal(
        e30.sort_values(["area_code", "sex", "group", "period"]).reset_index(drop=True),
        expected.sort_values(["area_code", "sex", "group", "period"]).reset_index(drop=True),
    )


# -- life expectancy per kommun --------------------------------------------------------------------
def test_kommun_life_expectancy_demo(demo_root):
    le = mortality_counts.kommun_life_expectancy("demo", "20")
    indicators.validate(le)
    assert len(le) == (15 + 2) * 2 * 11 * 2  # areas × sexes × periods × (e0, e30)
    assert set(le["indicator"]) == {"e0", "e30"}
    assert sorted(le["period_label"].unique())[0] == "2010–2014"
    assert le.loc[le["area_code"] == "0020", "area_name"].iloc[0] == "Region Dalarna"
    assert set(le["area_type"]) == {"kommun", "region", "riket"}
    assert le["flag"].isin([indicators.FLAG_OK, indicators.FLAG_UNCERTAIN]).all()
    assert ((le["ci_lower"] < le["value"]) & (le["value"] < le["ci_upper"])).all()
    assert (le["source"] == SYNTHETIC_LABEL).all()
    # The county's counts are the sum of its kommuner's.
    kom = le[le["area_type"] == "kommun"].groupby(["indicator", "sex", "period"])[
        ["numerator", "denominator"]
    ]
    reg = le[le["area_type"] == "region"].set_index(["indicator", "sex", "period"])
    pd.testing.assert_frame_equal(
        kom.sum().sort_index(), reg[["numerator", "denominator"]].sort_index(), check_names=False
    )
    # The county lies between its kommuner; its CI is narrower than any kommun's.
    for _key, g in le.groupby(["indicator", "sex", "period"]):
        k = g[g["area_type"] == "kommun"]
        r = g[g["area_type"] == "region"].iloc[0]
        assert k["value"].min() < r["value"] < k["value"].max()
        assert (r["ci_upper"] - r["ci_lower"]) < (k["ci_upper"] - k["ci_lower"]).min()
    # Sweden's e0 in the demo follows SCB's national figures (women 2020-2024 about 84,8).
    riket = le[(le["area_code"] == "0000") & (le["indicator"] == "e0") & (le["period"] == 2024)]
    assert riket.set_index("sex")["value"]["kvinnor"] == pytest.approx(84.8, abs=0.4)


def test_periods_memo_and_copies(demo_root):
    le = mortality_counts.kommun_life_expectancy(
        "demo", "20", periods=[2019, (2020, 2024)], ages=(0,)
    )
    assert sorted(le["period_label"].unique()) == ["2015–2019", "2020–2024"]
    assert set(le["indicator"]) == {"e0"}
    again = mortality_counts.kommun_life_expectancy(
        "demo", "20", periods=[(2015, 2019), 2024], ages=(0,)
    )
    pd.testing.assert_frame_equal(le, again)
    again.loc[0, "value"] = -1.0  # a caller's change does not reach the memo
    assert (
        mortality_counts.kommun_life_expectancy("demo", "20", [2019, 2024], (0,)).loc[0, "value"]
        > 0
    )


def test_methods_first_year_and_ages(demo_root):
    scb = mortality_counts.kommun_life_expectancy("demo", "20", [2024], (0, 30))
    chiang = mortality_counts.kommun_life_expectancy("demo", "20", [2024], (0, 30), method="chiang")
    assert len(scb) == len(chiang) and scb["value"].notna().all()
    pd.testing.assert_frame_equal(
        scb[["area_code", "sex", "indicator", "numerator", "denominator"]],
        chiang[["area_code", "sex", "indicator", "numerator", "denominator"]],
    )
    # Riket: single-year 0–100+ versus abridged 90+, a few hundredths apart.
    both = scb.merge(chiang, on=["area_code", "sex", "indicator"], suffixes=("", "_c"))
    riket = both[both["area_code"] == "0000"]
    assert (riket["value"] - riket["value_c"]).abs().max() < 0.05
    # The county's table is its full single-year table; a kommun is closed with it.
    counts = mortality_counts.single_year_counts("demo", [2024])
    assert counts["age"].max() == 100 and set(counts["area_type"]) == {"kommun", "region", "riket"}
    tables = mortality_counts.scb_tables("demo", [2024])
    k = tables.keys.index[(tables.keys["area_code"] == "2080") & (tables.keys["sex"] == "män")][0]
    c = tables.closing[k]
    assert tables.keys.loc[c, "area_code"] == "0020" and tables.keys.loc[c, "sex"] == "män"
    assert tables.res["ex"][k, 90] == tables.res["ex"][c, 90]
    # Ages any 0–90 with the SCB method; band starts only with the abridged one.
    e65 = mortality_counts.kommun_life_expectancy("demo", "20", [2024], (65, 90))
    assert set(e65["indicator"]) == {"e65", "e90"}
    with pytest.raises(DataError, match="inte redovisas vid 33 år med metoden 'chiang'"):
        mortality_counts.kommun_life_expectancy("demo", "20", [2024], (33,), method="chiang")
    with pytest.raises(DataError, match="inte redovisas vid 95 år med metoden 'scb'"):
        mortality_counts.kommun_life_expectancy("demo", "20", [2024], (95,))
    with pytest.raises(DataError, match="Okänd livstabellsmetod 'pheonly'"):
        mortality_counts.kommun_life_expectancy("demo", method="pheonly")
    with pytest.raises(DataError, match="first_year måste vara 'require' eller 'stock'"):
        mortality_counts.kommun_life_expectancy("demo", first_year="ja")
    # The demo has the stock of 31 Dec 2009: "stock" changes nothing for 2010–2014.
    req = mortality_counts.kommun_life_expectancy("demo", "20", [2014], (0,))
    stock = mortality_counts.kommun_life_expectancy("demo", "20", [2014], (0,), first_year="stock")
    pd.testing.assert_frame_equal(req, stock)


def test_counts_are_stored_in_processed(demo_root):
    mortality_counts.abridged_counts("demo", [2024])
    files = list((demo_root / "data" / "processed").glob("dodlighet_femar_demo_*.parquet"))
    assert files
    dmo.clear_memo()
    again = mortality_counts.abridged_counts("demo", [2024])  # read back from data/processed
    assert set(again["area_type"]) == {"kommun", "region", "riket"}
    assert again["age"].tolist()[:4] == [0, 1, 5, 10]


# -- kommun versus county --------------------------------------------------------------------------
def _falun_and_dalarna(sex: str = "män") -> tuple[np.ndarray, ...]:
    c = mortality_counts.abridged_counts("demo", [2024])
    k = c[(c["area_code"] == "2080") & (c["sex"] == sex)].sort_values("age")
    r = c[(c["area_code"] == "0020") & (c["sex"] == sex)].sort_values("age")
    return (
        k["age"].to_numpy(),
        k["deaths"].to_numpy(float),
        k["population"].to_numpy(float),
        r["deaths"].to_numpy(float),
        r["population"].to_numpy(float),
    )


def test_parent_difference_properties(demo_root):
    ages, dk, pk, dc, pc = _falun_and_dalarna()
    # An area compared with itself: no difference, no uncertainty.
    same = lifetable_compare.parent_difference(dk, pk, dk, pk, ages, (0, 30))
    assert np.allclose(same["diff"], 0) and np.allclose(same["se_diff"], 0, atol=1e-6)
    # Life expectancies agree with the life table.
    res = lifetable_compare.parent_difference(dk, pk, dc, pc, ages, (0, 30))
    single = lifetable_chiang.chiang(dk, pk, ages)
    assert res["child"][0, 0] == pytest.approx(single["ex"][0, 0])
    assert res["se_child"][0, 0] == pytest.approx(single["se_ex"][0, 0])
    # The overlap makes the difference more precise than independent estimates would be.
    naive = np.hypot(res["se_child"], res["se_parent"])
    assert (res["se_diff"] < naive).all() and (res["cov"] > 0).all()
    # A tiny part of a big whole: almost the independent formula.
    tiny = lifetable_compare.parent_difference(dk, pk, dc * 200, pc * 200, ages, (0,))
    assert tiny["se_diff"][0, 0] == pytest.approx(
        np.hypot(tiny["se_child"], tiny["se_parent"])[0, 0], rel=0.01
    )


def test_parent_difference_matches_simulation(demo_root):
    """Poisson deaths for Falun and the rest of Dalarna: the formula's SE matches the simulated SD."""
    ages, dk, pk, dc, pc = _falun_and_dalarna()
    res = lifetable_compare.parent_difference(dk, pk, dc, pc, ages, (0, 30))
    rng = np.random.default_rng(7)
    n = 4000
    sim_k = rng.poisson(dk, (n, len(ages)))
    sim_c = sim_k + rng.poisson(dc - dk, (n, len(ages)))
    ek = lifetable_chiang.chiang(sim_k, np.broadcast_to(pk, sim_k.shape), ages)["ex"]
    ec = lifetable_chiang.chiang(sim_c, np.broadcast_to(pc, sim_c.shape), ages)["ex"]
    for j, i in enumerate([0, list(ages).index(30)]):
        sd = float(np.std(ek[:, i] - ec[:, i]))
        assert res["se_diff"][0, j] == pytest.approx(sd, rel=0.08)  # measured 0.7 %


def test_compare_with_county(demo_root):
    cmp = mortality_compare.compare_with_county("demo", "20")
    assert len(cmp) == 15 * 2 * 11 * 2
    assert (cmp["region_code"] == "0020").all() and (cmp["riket_code"] == "0000").all()
    assert (cmp["value"] - cmp["region_value"] - cmp["diff_region"]).abs().max() < 1e-9
    z = ci.z_value(0.95)
    assert np.allclose(cmp["diff_region_upper"] - cmp["diff_region"], z * cmp["diff_region_se"])
    higher = cmp["verdict_region"] == lifetable_compare.VERDICT_HIGHER
    lower = cmp["verdict_region"] == lifetable_compare.VERDICT_LOWER
    assert (cmp.loc[higher, "diff_region_lower"] > 0).all()
    assert (cmp.loc[lower, "diff_region_upper"] < 0).all()
    same = cmp["verdict_region"] == lifetable_compare.VERDICT_SAME
    assert (
        (cmp.loc[same, "diff_region_lower"] <= 0) & (cmp.loc[same, "diff_region_upper"] >= 0)
    ).all()
    assert set(cmp["verdict_riket"]) <= {
        lifetable_compare.VERDICT_HIGHER,
        lifetable_compare.VERDICT_LOWER,
        lifetable_compare.VERDICT_SAME,
    }


def test_gotland_is_its_own_county(demo_root):
    cmp = mortality_compare.compare_with_county("demo", "09", periods=[2024])
    assert (cmp["area_code"] == "0980").all()
    assert cmp["diff_region"].abs().max() < 1e-9
    assert cmp["diff_region_se"].max() < 1e-6
    assert (cmp["verdict_region"] == lifetable_compare.VERDICT_SAME).all()


# -- the county's range ----------------------------------------------------------------------------
def _hand_table() -> pd.DataFrame:
    z = ci.z_value(0.95)
    rows = [
        ("2021", "Vansbro", 80.0, 1.0, indicators.FLAG_OK),
        ("2023", "Malung-Sälen", 82.0, 0.5, indicators.FLAG_OK),
        ("2026", "Gagnef", 84.0, 2.0, indicators.FLAG_UNCERTAIN),
        ("2029", "Leksand", np.nan, np.nan, indicators.FLAG_SUPPRESSED),
    ]
    df = pd.DataFrame(
        {
            "area_code": [r[0] for r in rows],
            "area_name": [r[1] for r in rows],
            "area_type": "kommun",
            "period": 2024,
            "period_label": "2020–2024",
            "sex": "kvinnor",
            "indicator": "e0",
            "value": [r[2] for r in rows],
            "ci_lower": [r[2] - z * r[3] for r in rows],
            "ci_upper": [r[2] + z * r[3] for r in rows],
            "ci_level": 0.95,
            "flag": [r[4] for r in rows],
            "flag_reason": ["", "", "konfidensintervallet är brett", "för liten befolkning"],
        }
    )
    return indicators.make(df, source="test")


def test_county_range_by_hand():
    r = lifetable_compare.county_range(_hand_table(), "20").iloc[0]
    assert (r["min_kommun"], r["max_kommun"]) == ("Vansbro", "Gagnef")
    assert r["range"] == pytest.approx(4.0)
    assert r["range_se"] == pytest.approx(np.hypot(1.0, 2.0))
    z = ci.z_value(0.95)
    assert r["range_lower"] == pytest.approx(4.0 - z * np.sqrt(5))
    assert bool(r["range_significant"]) is False  # 4 − 1,96·√5 < 0
    w = np.array([1.0, 4.0, 0.25])
    v = np.array([80.0, 82.0, 84.0])
    mean = (w * v).sum() / w.sum()
    q = (w * (v - mean) ** 2).sum()
    assert r["q_statistic"] == pytest.approx(q) and r["q_df"] == 2
    assert r["q_p_value"] == pytest.approx(chi2.sf(q, 2))
    assert r["n_kommuner"] == 3 and r["n_suppressed"] == 1
    assert r["suppressed_kommuner"] == "Leksand" and r["uncertain_kommuner"] == "Gagnef"
    assert (r["widest_kommun"], r["narrowest_kommun"]) == ("Gagnef", "Malung-Sälen")
    assert r["widest_ci"] == pytest.approx(2 * z * 2.0)
    # Chance alone: three kommuner with these SEs give a range of a couple of years.
    assert 1.5 < r["null_range"] < 4.5 and r["null_range_upper"] > r["null_range"]


def test_county_range_demo_agrees_with_max_minus_min(demo_root):
    le = mortality_counts.kommun_life_expectancy("demo", "20")
    ranges = lifetable_compare.county_range(le, "20")
    assert list(ranges.columns) == lifetable_compare.RANGE_CI_COLUMNS
    assert len(ranges) == 2 * 2 * 11
    for _, r in ranges.iterrows():
        k = le[
            (le["area_type"] == "kommun")
            & (le["indicator"] == r["indicator"])
            & (le["sex"] == r["sex"])
            & (le["period"] == r["period"])
        ]
        assert r["range"] == pytest.approx(k["value"].max() - k["value"].min())
        assert r["range_lower"] < r["range"] < r["range_upper"]


# -- SCB (offline, with a fake client) ---------------------------------------------------------------
def _cube(dims: dict[str, dict[str, str]], values: list[float]) -> dict:
    return {
        "class": "dataset",
        "id": list(dims),
        "size": [len(v) for v in dims.values()],
        "dimension": {
            d: {"label": d.lower(), "category": {"index": list(v), "label": v}}
            for d, v in dims.items()
        },
        "value": values,
    }


class FakeScb:
    """Answers like ScbClient.dimensions/data from json-stat2 cubes built here."""

    def __init__(self, tables: dict[str, tuple[dict, dict]]):
        self.tables = tables
        self.asked: list[tuple[str, dict]] = []

    def dimensions(self, table_id: str) -> dict:
        dims, labels = self.tables[table_id]
        return {
            d: {
                "label": labels.get(d, d),
                "codes": list(v),
                "labels": v,
                "elimination": d not in ("ContentsCode",),
            }
            for d, v in dims.items()
        }

    def data(self, table_id: str, selection: dict, codelists=None) -> pd.DataFrame:
        self.asked.append((table_id, selection))
        dims, labels = self.tables[table_id]
        sub = {d: {c: dims[d][c] for c in selection.get(d, list(dims[d]))} for d in dims}
        n = int(np.prod([len(v) for v in sub.values()]))
        cube = _cube(sub, [float(i % 7) for i in range(n)])
        for d in cube["dimension"]:
            cube["dimension"][d]["label"] = labels.get(d, d)
        return scb.jsonstat2_to_frame(json.loads(json.dumps(cube)))


def test_scb_counts_with_a_fake_client():
    dims = {
        "Region": {"00": "Riket", "2080": "Falun", "2085": "Ludvika"},
        "Alder": {"0": "0 år", "1": "1 år", "100+": "100+ år", "tot": "totalt ålder"},
        "Kon": {"1": "män", "2": "kvinnor"},
        "ContentsCode": {"BE0101D9": "Döda"},
        "Tid": {"2019": "2019", "2020": "2020"},
    }
    labels = {"Region": "region", "Alder": "ålder", "Kon": "kön", "Tid": "år"}
    fake = FakeScb({"TABD": (dims, labels), "TABP": (dims, labels)})
    deaths, population = mortality_counts.scb_counts(fake, {"deaths": "TABD", "population": "TABP"})
    assert list(deaths.columns) == ["kommunkod", "kommun", "year", "sex", "age", "deaths"]
    assert sorted(deaths["kommunkod"].unique()) == ["2080", "2085"]  # kommuner only
    assert sorted(deaths["age"].unique()) == [0, 1, 100]  # "100+" -> 100, "tot" not asked
    assert set(deaths["sex"]) == {"men", "women"} and set(deaths["year"]) == {2019, 2020}
    assert len(population) == 2 * 3 * 2 * 2
    table, selection = fake.asked[0]
    assert selection["ContentsCode"] == ["BE0101D9"] and "tot" not in selection["Alder"]


def test_e30_from_scb_frame():
    dims = {
        "Region": {"00": "Riket", "20": "Dalarnas län"},
        "UtbNiv": {
            "1": "förgymnasial utbildning",
            "2": "gymnasial utbildning",
            "3": "eftergymnasial utbildning",
            "TOT": "totalt",
        },
        "Kon": {"1": "män", "2": "kvinnor"},
        "ContentsCode": {"X": "Återstående medellivslängd"},
        "Tid": {"2015-2019": "2015-2019", "2016-2020": "2016-2020"},
    }
    labels = {"Region": "region", "UtbNiv": "utbildningsnivå", "Kon": "kön", "Tid": "period"}
    fake = FakeScb({"T": (dims, labels)})
    frame = fake.data("T", {})
    table = mortality_education.e30_from_scb_frame(frame, fake.dimensions("T"))
    indicators.validate(table)
    assert set(table["area_code"]) == {"0000", "0020"}
    assert set(table["group"]) == {"förgymnasial", "gymnasial", "eftergymnasial", "alla"}
    assert set(table["period_label"]) == {"2015–2019", "2016–2020"}
    assert set(table["period"]) == {2019, 2020}
    assert table.loc[table["area_code"] == "0020", "area_name"].iloc[0] == "Region Dalarna"
    assert len(table) == 2 * 4 * 2 * 2


# -- parameter file ----------------------------------------------------------------------------------
def test_notebook_parameter_file():
    assert dmo.notebook_parameters(REPO / "params" / "referens_scb.yaml") == {
        "lan_code": "20",
        "data_source": "referens",
    }


def test_bad_notebook_parameter_file(tmp_path: Path):
    path = tmp_path / "fel.yaml"
    path.write_text("lan_code: 20\ndata_source: excel\nyear: 2019\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        dmo.notebook_parameters(path)
    text = str(err.value)
    assert "3 problem" in text and "fel.yaml" in text
    assert "citattecken" in text and "excel" in text and "okänd nyckel 'year'" in text


# -- reference data ------------------------------------------------------------------------------------
def _against_published(le: pd.DataFrame) -> pd.DataFrame:
    m = le.merge(
        dmo.published_e0()[["area_code", "sex", "period", "value"]],
        on=["area_code", "sex", "period"],
        suffixes=("", "_scb"),
    )
    return m.assign(err=(m["value"] - m["value_scb"]).abs())


@pytest.mark.reference
def test_kommun_e0_matches_scb_published_both_periods(reference_dir):
    le = mortality_counts.kommun_life_expectancy(
        "referens", periods=[(2010, 2014), (2015, 2019)], ages=(0,), first_year="stock"
    )
    assert le["source"].iloc[0].startswith("Källa: SCB")
    assert "länets återstående medellivslängd vid 90 år" in le["source"].iloc[0]
    m = _against_published(le)
    assert len(m) == 275 * 2 * 2  # every kommun outside Dalarna, both sexes, both periods
    per = m.groupby(["period", "sex"])["err"]
    assert (per.max() <= 0.15).all()  # measured 0.124 (Åsele women 2010–2014), 0.097 (2015–2019)
    assert (per.median() < 0.025).all()  # measured 0.014–0.018
    assert abs((m["value"] - m["value_scb"]).mean()) < 0.02  # measured −0.010
    # SCB's published values lie inside our 95 % intervals for every kommun.
    assert ((m["ci_lower"] <= m["value_scb"]) & (m["value_scb"] <= m["ci_upper"])).all()
    assert dmo.published_e0("20").empty  # Dalarna is not in the published file
    # 2010–2014: the 2010 mean population is the stock of 31 Dec 2010 (2009 is missing).
    first = le[le["period"] == 2014]
    assert (first["flag"] == indicators.FLAG_UNCERTAIN).all()
    assert first["flag_reason"].str.contains("31 december 2009 saknas").all()
    assert (le.loc[le["period"] == 2019, "flag"] == indicators.FLAG_OK).all()
    with pytest.raises(DataError, match="folkmängden 31 december 2009 saknas"):
        mortality_counts.kommun_life_expectancy("referens", periods=[(2010, 2014)])
    # With the fallback the default periods start with 2010–2014.
    allp = mortality_counts.kommun_life_expectancy("referens", "01", ages=(0,), first_year="stock")
    assert sorted(allp["period_label"].unique())[0] == "2010–2014"


@pytest.mark.reference
def test_chiang_method_keeps_the_abridged_table(reference_dir):
    le = mortality_counts.kommun_life_expectancy(
        "referens", periods=[(2015, 2019)], ages=(0,), method="chiang"
    )
    assert "Chiang II" in le["source"].iloc[0]
    m = _against_published(le)
    assert len(m) == 275 * 2
    assert m["err"].median() < 0.2  # measured 0.087
    assert m["err"].max() < 1.0  # measured 0.73 (Bjurholm men): the open 90+ band is noisy
    cmp = mortality_compare.compare_with_county("referens", "24", [2019], (0,), method="chiang")
    assert (cmp["value"] - cmp["region_value"] - cmp["diff_region"]).abs().max() < 1e-9


@pytest.mark.reference
def test_reference_counts_and_e30(reference_dir):
    counts = mortality_counts.deaths_population("referens", "20")
    assert sorted(counts.deaths["kommunkod"].unique()) == DALARNA
    assert counts.population["year"].min() == 2010
    le = mortality_counts.kommun_life_expectancy("referens", "20")
    assert sorted(le["period_label"].unique()) == [f"{y}–{y + 4}" for y in range(2011, 2016)]
    e30 = mortality_education.e30_by_education("referens", "20")
    assert set(e30["area_code"]) == {"0000"}  # no county values in the reference file
    women16 = e30[(e30["period"] == 2016) & (e30["sex"] == "kvinnor")].set_index("group")["value"]
    assert women16["eftergymnasial"] - women16["förgymnasial"] == pytest.approx(5.8)
    assert "sha256" in dmo.reference_files_markdown("referens")
