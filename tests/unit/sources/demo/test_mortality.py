"""Tests for helpers.sources.demo.mortality: shapes, determinism, realistic magnitudes, writing."""

from __future__ import annotations

import functools
import gzip
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.core import indicators, lookup
from helpers.core.cache import RawCache
from helpers.core.fmt import SYNTHETIC_LABEL
from helpers.sources.demo import mortality as dm
from helpers.stats import lifetable as lt
from helpers.stats import lifetable_pooling


@functools.cache
def _demo(seed: int = dm.SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    return dm.deaths_and_population(seed)


@functools.cache
def _e0(seed: int = dm.SEED) -> pd.DataFrame:
    d, p = _demo(seed)
    return lt.life_expectancy(lifetable_pooling.to_abridged(lifetable_pooling.pool_periods(d, p)))


def test_shapes_match_scb_files() -> None:
    d, p = _demo()
    assert list(d.columns) == ["kommunkod", "kommun", "year", "sex", "age", "deaths"]
    assert list(p.columns) == ["kommunkod", "kommun", "year", "sex", "age", "population"]
    assert len(d) == 290 * 2 * 101 * 15 and len(p) == 290 * 2 * 101 * 16
    assert (d["year"].min(), d["year"].max()) == (2010, 2024)
    assert (p["year"].min(), p["year"].max()) == (2009, 2024)
    assert set(d["sex"]) == {"men", "women"} and set(d["age"]) == set(range(101))
    assert set(d["kommunkod"]) == set(lookup.kommuner()["kommun_code"])
    assert (d["deaths"] >= 0).all() and (p["population"] >= 0).all()
    assert d["deaths"].dtype.kind == "i" and p["population"].dtype.kind == "i"
    assert not d.duplicated(["kommunkod", "year", "sex", "age"]).any()


def test_deterministic_with_seed() -> None:
    a, b = dm.deaths_and_population(5)
    pd.testing.assert_frame_equal(a, _demo(5)[0])
    pd.testing.assert_frame_equal(b, _demo(5)[1])
    assert not a["deaths"].equals(_demo()[0]["deaths"])
    pd.testing.assert_frame_equal(dm.e30_by_education(5), dm.e30_by_education(5))


def test_realistic_magnitudes() -> None:
    d, p = _demo()
    total = p.groupby("year")["population"].sum()
    assert 9.0e6 < total.loc[2019] < 11.0e6
    sizes = p[p["year"] == 2019].groupby("kommunkod")["population"].sum()
    assert 1_500 < sizes.min() < 4_000 and 800_000 < sizes.max() < 1_200_000
    dal = sizes[sizes.index.str.startswith("20")]
    assert len(dal) == 15 and 4_000 < dal.min() and dal.max() < 70_000
    deaths_per_year = d.groupby("year")["deaths"].sum()
    assert deaths_per_year.between(80_000, 110_000).all()


def test_national_e0_hits_the_scb_calibration() -> None:
    d, p = _demo()
    c = lifetable_pooling.to_abridged(lifetable_pooling.pool_periods(d, p, [(2015, 2019)]))
    nat = c.groupby(["sex", "period", "age"], as_index=False)[["deaths", "population"]].sum()
    nat["area_code"] = lookup.RIKET_CODE
    le = lt.life_expectancy(nat).set_index("sex")["value"]
    # SCB 2015–2019: about 84.2 (women) and 80.7 (men)
    assert le["kvinnor"] == pytest.approx(84.2, abs=0.3)
    assert le["män"] == pytest.approx(80.7, abs=0.3)


def test_dalarna_e0_from_demo_counts_is_realistic() -> None:
    le = _e0()
    assert (le["flag"] != indicators.FLAG_SUPPRESSED).all()
    dal = le[le["area_code"].str.startswith("20") & (le["period_label"] == "2015–2019")]
    assert len(dal) == 30
    women = dal[dal["sex"] == "kvinnor"]["value"]
    men = dal[dal["sex"] == "män"]["value"]
    assert 81 < women.min() and women.max() < 87
    assert 76 < men.min() and men.max() < 83
    assert women.mean() - men.mean() == pytest.approx(3.7, abs=1.0)
    for v in (women, men):
        assert 2.0 <= v.max() - v.min() <= 4.5  # measured 3.1 (women) and 3.9 (men)
    # improving over time, nationally
    first = le[le["period_label"] == "2010–2014"].groupby("sex")["value"].median()
    last = le[le["period_label"] == "2020–2024"].groupby("sex")["value"].median()
    assert ((last - first) > 0.5).all()


def test_e30_by_education_calibration() -> None:
    e = dm.e30_by_education()
    assert list(e.columns) == ["region", "region_name", "period", "sex", "education", "e30"]
    assert e["period"].nunique() == 30 and e["period"].iloc[0] == "1991-1995"
    assert e["region"].nunique() == 22 and set(e["education"]) == set(dm.EDUCATION_LEVELS)
    se = e[e["region"] == lookup.RIKET_CODE].pivot_table(
        index="period", columns=["sex", "education"], values="e30"
    )
    gap = se[("women", "eftergymnasial")] - se[("women", "forgymnasial")]
    gap_m = se[("men", "eftergymnasial")] - se[("men", "forgymnasial")]
    assert gap["1991-1995"] == pytest.approx(3.0, abs=0.5)
    assert gap_m["1991-1995"] == pytest.approx(4.0, abs=0.5)
    assert gap["2014-2018"] == pytest.approx(5.7, abs=0.5)
    assert gap_m["2014-2018"] == pytest.approx(6.0, abs=0.5)
    wf = se[("women", "forgymnasial")]
    assert wf.max() - wf.min() < 0.6  # women with förgymnasial: flat around 51
    assert se[("women", "eftergymnasial")]["2019-2023"] == pytest.approx(57.5, abs=0.6)


def test_e30_indicator_table() -> None:
    t = dm.e30_indicator_table()
    indicators.validate(t)
    assert set(t["indicator"]) == {dm.E30_INDICATOR}
    assert set(t["group"]) == {"förgymnasial", "gymnasial", "eftergymnasial", "alla"}
    assert (t["flag"] == indicators.FLAG_NOT_ASSESSED).all()
    assert set(t["area_type"]) == {"riket", "region"}
    assert t["period"].min() == 1995 and t["period"].max() == 2024
    assert "2020–2024" in set(t["period_label"])
    assert (t["source"] == SYNTHETIC_LABEL).all()


def test_write_mortality_demo(tmp_root: Path) -> None:
    cache = RawCache("demo", SYNTHETIC_LABEL)
    entries = dm.write_mortality_demo(cache)
    assert len(entries) == 3
    for e in entries:
        assert (cache.dir / e.file).exists() and e.file.endswith(".csv.gz")
        assert "SYNTETISKA DEMODATA" in e.note and e.licence == SYNTHETIC_LABEL
    d = pd.read_csv(
        io.BytesIO(gzip.decompress(cache.get(entries[0].url))), dtype={"kommunkod": str}
    )
    pd.testing.assert_frame_equal(d, _demo()[0], check_dtype=False)
    again = dm.write_mortality_demo(cache)
    assert [e.file for e in again] == [e.file for e in entries]
    assert len(cache.entries()) == 3  # nothing written twice
    assert np.all([Path(cache.dir / e.file).stat().st_size > 1000 for e in entries])
