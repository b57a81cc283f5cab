"""Tests for helpers.stats.lifetable_scb: SCB's kommun life table (single years, closed with the county)."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.core import indicators
from helpers.core.errors import DataError
from helpers.stats import lifetable, lifetable_chiang, lifetable_compare, lifetable_pooling
from helpers.stats import lifetable_scb as ls


# --------------------------------------------------------------------------------------
# Hand-checked closing (no reference data needed)
# --------------------------------------------------------------------------------------
def _tiny(kommun_d=(2, 1, 5, 0), kommun_p=(3000, 3000, 3, 0)) -> pd.DataFrame:
    """A kommun and its county, single ages 0, 1, 2, 3+ (close at 2)."""
    rows = []
    for code, d, p in (
        ("2080", kommun_d, kommun_p),
        ("0020", (10, 4, 30, 60), (5000, 5000, 400, 200)),
    ):
        for age in range(4):
            rows.append((code, 2019, age, float(d[age]), float(p[age])))
    return pd.DataFrame(rows, columns=["area_code", "period", "age", "deaths", "population"])


def test_closing_with_the_county_by_hand() -> None:
    t = ls.scb_tables(_tiny(), close_age=2)
    assert t.valid.all() and list(t.ages) == [0, 1, 2]
    # County: its own single years 2 and 3+ give e2 and its variance.
    m2, m3 = 30 / 400, 60 / 200
    q2 = m2 / (1 + 0.5 * m2)
    l3 = 1 - q2
    e_c3 = 1 / m3
    e_c2 = l3 + 0.5 * q2 + l3 * e_c3
    var_c2 = q2**2 * (1 - q2) / 30 * (0.5 + e_c3) ** 2 + (l3 / 2) ** 2 * 4 / (60 * m3**2)
    # Kommun: own ages 0 and 1 (its 5 deaths at 2 among 3 person-years and no deaths in 3+
    # are not used and break no rule), closed with the county's e2.
    m0, m1 = 2 / 3000, 1 / 3000
    q0 = m0 / (1 + 0.9 * m0)
    q1 = m1 / (1 + 0.5 * m1)
    l1 = 1 - q0
    l2 = l1 * (1 - q1)
    L0 = l1 + 0.1 * q0
    L1 = l2 + 0.5 * (l1 - l2)
    e1 = (L1 + l2 * e_c2) / l1
    e0 = L0 + L1 + l2 * e_c2
    var0 = (
        q0**2 * (1 - q0) / 2 * (0.9 + e1) ** 2
        + q1**2 * (1 - q1) / 1 * l1**2 * (0.5 + e_c2) ** 2
        + l2**2 * var_c2
    )
    k = t.keys.index[t.keys["area_code"] == "2080"][0]
    c = t.keys.index[t.keys["area_code"] == "0020"][0]
    assert t.res["ex"][k, 2] == pytest.approx(e_c2, rel=1e-12)
    assert t.res["var_ex"][k, 2] == pytest.approx(var_c2, rel=1e-12)
    assert t.res["ex"][k, 0] == pytest.approx(e0, rel=1e-12)
    assert t.res["var_ex"][k, 0] == pytest.approx(var0, rel=1e-12)
    # The county closes with itself: its full single-year table 0, 1, 2, 3+.
    full = lifetable.life_table(
        _tiny().query("area_code == '0020'"), ages=(0, 1, 2, 3), by=["area_code"]
    )
    np.testing.assert_allclose(t.res["ex"][c], full["ex"].to_numpy()[:3], rtol=1e-12)
    np.testing.assert_allclose(t.res["var_ex"][c], full["var_ex"].to_numpy()[:3], rtol=1e-12)
    # Own counts (all ages) for numerator/denominator; the county's 90+ deaths for covariance.
    assert t.res["_D"][k].tolist() == [2, 1, 5]
    assert t.res["band_deaths"][k].tolist() == [2, 1, 90]
    assert t.closing[k] == c and t.closing[c] == c


def test_indicator_table_and_borrowed_ages_break_no_rule() -> None:
    le = ls.life_expectancy_scb(_tiny(), close_age=2, at_ages="all", source="test")
    indicators.validate(le)
    kom = le[le["area_code"] == "2080"].set_index("indicator")
    assert list(kom.index) == ["e0", "e1", "e2"]
    assert (kom["flag"] == indicators.FLAG_OK).all()
    # numerator/denominator: the kommun's own deaths and person-years from that age up.
    assert kom.loc["e0", "numerator"] == 8 and kom.loc["e0", "denominator"] == 6003
    assert kom.loc["e2", "value"] == pytest.approx(
        le.set_index(["area_code", "indicator"]).loc[("0020", "e2"), "value"]
    )
    # The same kommun with its own open band would be refused (no population in 3+).
    own = lifetable.life_table(_tiny().query("area_code == '2080'"), ages=(0, 1, 2, 3), by=[])
    assert not own["valid"].any()
    assert own["reason"].iloc[0] == "folkmängden är 0 (≤ 0) i åldersgruppen 3+"


def test_rules_below_the_closing_age_and_of_the_county() -> None:
    bad = ls.life_expectancy_scb(_tiny(kommun_d=(2, 4000, 5, 0)), close_age=2)
    row = bad.set_index("area_code").loc["2080"]
    assert row["flag"] == indicators.FLAG_SUPPRESSED and np.isnan(row["value"])
    assert (
        "fler döda (4\u00a0000) än folkmängd (3\u00a0000) i åldersgruppen 1" in row["flag_reason"]
    )
    # A county without deaths in its open band: no e at the closing age, for it or its kommuner.
    counts = _tiny()
    counts.loc[(counts["area_code"] == "0020") & (counts["age"] == 3), "deaths"] = 0
    le = ls.life_expectancy_scb(counts, close_age=2).set_index("area_code")
    assert le["value"].isna().all()
    assert le.loc["2080", "flag_reason"].startswith(
        "återstående medellivslängd vid 2 år i Region Dalarna (som livstabellen stängs med) "
        "kan inte beräknas: inga döda i den öppna åldersgruppen 3+"
    )
    assert le.loc["0020", "flag_reason"] == (
        "inga döda i den öppna åldersgruppen 3+ – livslängden kan inte beräknas"
    )
    with pytest.raises(DataError, match="område 2080.*åldersgruppen 1"):
        ls.scb_tables(_tiny(kommun_d=(2, 4000, 5, 0)), close_age=2, on_invalid="raise")
    # Single-year rates above 1 at the county's highest ages are allowed (q capped, osäker).
    counts = _tiny()
    counts.loc[(counts["area_code"] == "0020") & (counts["age"] == 2), "deaths"] = 900
    le = ls.life_expectancy_scb(counts, close_age=2).set_index("area_code")
    assert le["value"].notna().all()
    assert (le["flag"] == indicators.FLAG_UNCERTAIN).all()
    assert "dödsrisken sattes till 1 i åldersgruppen 2+" in le.loc["2080", "flag_reason"]


def test_missing_county_is_summed_from_all_its_kommuner_or_refused() -> None:
    ages = np.arange(101)
    rate = 0.00005 * np.exp(0.095 * ages)
    rows = []
    for i, code in enumerate(("0980",)):  # Gotland: one kommun, county 0009
        for sex in ("kvinnor", "män"):
            pop = np.full(101, 600.0 + 10 * i)
            rows.append(
                pd.DataFrame(
                    {
                        "area_code": code,
                        "sex": sex,
                        "period": 2019,
                        "age": ages,
                        "deaths": np.round(pop * rate),
                        "population": pop,
                    }
                )
            )
    kom = pd.concat(rows, ignore_index=True)
    county = kom.assign(area_code="0009")
    summed = ls.life_expectancy_scb(kom)
    explicit = ls.life_expectancy_scb(pd.concat([kom, county]))
    explicit = explicit[explicit["area_code"] == "0980"].reset_index(drop=True)
    np.testing.assert_allclose(summed["value"], explicit["value"], rtol=1e-12)
    np.testing.assert_allclose(summed["ci_lower"], explicit["ci_lower"], rtol=1e-12)
    # Gotland is its own county: the full single-year table.
    full = lifetable.life_expectancy(kom, ages=lifetable_chiang.SINGLE_AGES)
    np.testing.assert_allclose(summed["value"], full["value"], rtol=1e-12)
    # Falun without the rest of Dalarna cannot close its table.
    with pytest.raises(DataError, match="området 0020.*saknas: 2021, 2023"):
        ls.scb_tables(kom.assign(area_code="2080"))
    # An explicit closing map.
    other = ls.life_expectancy_scb(
        pd.concat([kom.assign(area_code="2080"), county]), closing={"2080": "0009"}
    )
    np.testing.assert_allclose(
        other.loc[other["area_code"] == "2080", "value"], explicit["value"], rtol=1e-12
    )


def test_input_errors() -> None:
    with pytest.raises(DataError, match="högsta åldern är 3, men livstabellen stängs vid 90 år"):
        ls.scb_tables(_tiny())
    with pytest.raises(DataError, match="on_invalid"):
        ls.scb_tables(_tiny(), close_age=2, on_invalid="warn")
    with pytest.raises(DataError, match="Åldrarna 3 är inte början"):
        ls.life_expectancy_scb(_tiny(), close_age=2, at_ages=(3,))
    with pytest.raises(DataError, match="åldersgrupper saknas: 1"):
        ls.scb_tables(_tiny().query("age != 1"), close_age=2)
    assert ls.closing_areas(["2080", "0020", "0000", "0980"]) == ["0020", "0020", "0000", "0009"]
    with pytest.raises(ValueError, match="together"):
        lifetable_chiang.chiang([[1.0, 1.0]], [[10.0, 10.0]], (0, 1), open_ex=np.ones(1))


# --------------------------------------------------------------------------------------
# The variance against simulation (Poisson deaths; no reference data needed)
# --------------------------------------------------------------------------------------
def _simulated(n: int, seed: int = 3) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    ages = np.arange(101)
    rate = np.minimum(0.00004 * np.exp(0.093 * ages), 0.9)
    rate[0] = 0.003
    pk = np.where(ages < 90, 1200.0, 1200.0 * np.exp(-0.25 * (ages - 89)))
    pr = 25 * pk  # the rest of the county
    rng = np.random.default_rng(seed)
    dk = rng.poisson(pk * rate, (n, 101)).astype(float)
    dc = dk + rng.poisson(pr * rate, (n, 101))
    frames = []
    for code, d, p in (("2080", dk, pk), ("0020", dc, pk + pr)):
        frames.append(
            pd.DataFrame(
                {
                    "area_code": code,
                    "period": 2019,
                    "group": np.repeat(np.arange(n).astype(str), 101),
                    "age": np.tile(ages, n),
                    "deaths": d.ravel(),
                    "population": np.tile(p, n),
                }
            )
        )
    return pd.concat(frames, ignore_index=True), dk, dc


def test_standard_errors_match_simulated_spread() -> None:
    counts, _dk, _dc = _simulated(1500)
    t = ls.scb_tables(counts)
    kom = (t.keys["area_code"] == "2080").to_numpy()
    cty = (t.keys["area_code"] == "0020").to_numpy()
    # At 90 the kommun's value is the county's: its SE is the county's e90 SE.
    for age_pos in (0, 30, 80, 90):
        sd = np.std(t.res["ex"][kom, age_pos])
        se = np.median(t.res["se_ex"][kom, age_pos])
        assert se == pytest.approx(sd, rel=0.08), age_pos
    # Kommun minus county: the formula's SE matches the simulated SD (shared e90: corr. 1).
    order_k = np.flatnonzero(kom)
    order_c = np.flatnonzero(cty)
    cols = ("ex", "var_ex", "se_ex", "lx")
    diff = lifetable_compare.table_difference(
        {c: t.res[c][order_k] for c in cols},
        {c: t.res[c][order_c] for c in cols},
        t.res["band_deaths"][order_k],
        t.res["band_deaths"][order_c],
        [0, 30],
    )
    sim = t.res["ex"][order_k][:, [0, 30]] - t.res["ex"][order_c][:, [0, 30]]
    np.testing.assert_allclose(np.median(diff["se_diff"], axis=0), sim.std(axis=0), rtol=0.08)
    np.testing.assert_allclose(diff["diff"], sim, rtol=1e-12)


# --------------------------------------------------------------------------------------
# Every kommun in SCB's reference data against SCB's published e0
# --------------------------------------------------------------------------------------
@functools.cache
def _reference(ref: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    scb = Path(ref) / "scb"
    d = pd.read_csv(scb / "scb_deaths_kommun_single_age.csv.gz", dtype={"kommunkod": str})
    p = pd.read_csv(scb / "scb_population_31dec_kommun_single_age.csv.gz", dtype={"kommunkod": str})
    e0 = pd.read_csv(scb / "scb_e0_kommun_5yr_excluding_lan20.csv", dtype={"kommunkod": str})
    e0 = e0.assign(
        sex=e0["sex"].map({"men": "män", "women": "kvinnor"}),
        period_label=e0["period"].str.replace("-", "–"),
    )[["kommunkod", "sex", "period_label", "e0"]]
    periods = [(y, y + 4) for y in range(2010, 2016)]
    pooled = lifetable_pooling.pool_periods(d, p, periods, first_year="stock")
    le = ls.life_expectancy_scb(pooled)
    m = le.merge(
        e0,
        left_on=["area_code", "sex", "period_label"],
        right_on=["kommunkod", "sex", "period_label"],
    )
    return m.assign(diff=m["value"] - m["e0"]), le


@pytest.mark.reference
def test_every_kommun_matches_scb_published_e0(reference_dir: Path) -> None:
    m, le = _reference(str(reference_dir))
    # The county was summed from its kommuner (no county rows in the input).
    assert set(le["area_type"]) == {"kommun"} and le["value"].notna().all()
    assert len(m) == 275 * 2 * 6  # every kommun outside Dalarna, both sexes, six periods
    err = m.assign(err=m["diff"].abs()).groupby(["period_label", "sex"])["err"]
    assert (err.max() <= 0.15).all()  # measured max 0.124 (Åsele women 2010–2014)
    assert (err.median() < 0.025).all()  # measured 0.013–0.018
    assert m["diff"].abs().median() < 0.02  # measured 0.015
    both = m[m["period_label"].isin(["2010–2014", "2015–2019"])]
    assert len(both) == 275 * 2 * 2 and both["diff"].abs().max() <= 0.15
    # 2010–2014 uses the stock of 31 Dec 2010 for the 2010 mean population: noted, osäker.
    first = le[le["period_label"] == "2010–2014"]
    assert (first["flag"] == indicators.FLAG_UNCERTAIN).all()
    assert first["flag_reason"].str.contains("medelfolkmängden 2010 skattad").all()
    assert (le.loc[le["period_label"] != "2010–2014", "flag"] == indicators.FLAG_OK).all()
    # SCB's published value lies inside our 95 % interval for every kommun.
    assert ((m["ci_lower"] <= m["e0"]) & (m["e0"] <= m["ci_upper"])).all()
