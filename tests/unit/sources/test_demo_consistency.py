"""One synthetic population: the demo's Kolada-shaped values agree with the report's own estimates.

Life expectancy N00923/N00925 served in Kolada's shape must equal, to the decimal
shown, the life-table e0 the report's mortality section computes from the demo
deaths and population; the survey KPI of Strategi för hälsa (U01405) must equal
the survey section's estimate from the demo microdata. The demo root is built
once, on top of files cached under the *old* pseudo-URLs with absurd values, so
the tests also show that an old cache is never read as new data.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from helpers.core import lookup
from helpers.core.fmt import num
from helpers.sources.demo import base as demo

LAN = "20"
STALE = 99.0
#: Addresses of the generators before the demo became one population (values 99,0).
OLD_URLS = {
    "N00923": f"{demo.DEMO_URL_PREFIX}kolada/v3/data/kpi/N00923?seed=20240520",
    "N00925": f"{demo.DEMO_URL_PREFIX}kolada/v3/data/kpi/N00925?seed=20240520",
    "U01405": f"{demo.DEMO_URL_PREFIX}kolada/v3/data/kpi/U01405?set=strategi&v=2&seed=20171219",
}


def _stale_envelope(kpi: str) -> bytes:
    rows = pd.DataFrame(
        {
            "kpi": kpi,
            "municipality": ["2021", "0020", "0000"],
            "period": 2024,
            "value": STALE,
        }
    )
    return json.dumps(demo.to_kolada_envelope(rows)).encode("utf-8")


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    """A demo root with stale old-URL files, then every demo dataset built."""
    path = tmp_path_factory.mktemp("one_population_root")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FOLKHALSA_ROOT", str(path))
        cache = demo.demo_cache()
        for kpi, url in OLD_URLS.items():
            cache.put(url, _stale_envelope(kpi), note="gammal fil")
        from helpers.sources.demo import build

        build.build_all()
        yield path


@pytest.fixture(scope="module")
def e0_both(root):
    """Served (Kolada-shaped) and life-table e0 for Dalarna, joined on area, sex and period."""
    from helpers.sources import life_expectancy as data
    from helpers.sources import mortality_counts

    served = data.life_expectancy("demo", lan_code=LAN)
    table = mortality_counts.kommun_life_expectancy("demo", LAN)  # what the section uses
    table = table[table["indicator"] == "e0"]
    keys = ["area_code", "sex", "period"]
    both = served[[*keys, "value"]].merge(
        table[[*keys, "value"]], on=keys, how="outer", suffixes=("_served", "_lifetable")
    )
    return both


def test_every_period_is_served_by_both_paths(e0_both):
    assert e0_both[["value_served", "value_lifetable"]].notna().all().all()
    assert sorted(e0_both["period"].unique()) == list(range(2014, 2025))
    areas = {*lookup.kommuner_in(LAN)["kommun_code"], "0020", "0000"}
    assert set(e0_both["area_code"]) == areas
    assert len(e0_both) == len(areas) * 2 * 11


@pytest.mark.parametrize("area_type", ["kommun", "region", "riket"])
def test_kolada_shaped_e0_shows_the_life_table_value(e0_both, area_type):
    codes = {
        "kommun": set(lookup.kommuner_in(LAN)["kommun_code"]),
        "region": {"0020"},
        "riket": {"0000"},
    }[area_type]
    rows = e0_both[e0_both["area_code"].isin(codes)]
    assert len(rows) == len(codes) * 2 * 11
    shown_served = [num(v, 1) for v in rows["value_served"]]
    shown_table = [num(v, 1) for v in rows["value_lifetable"]]
    assert shown_served == shown_table
    # exactly the life-table value, so differences, ranks and changes agree too
    assert np.array_equal(rows["value_served"].to_numpy(), rows["value_lifetable"].to_numpy())
    assert (rows["value_served"] != STALE).all()


def test_differences_to_the_county_agree_between_the_two_paths(root, e0_both):
    """The summary's "x år lägre än i länet" equals the life-table section's difference."""
    from helpers.sources import life_expectancy as data
    from helpers.stats import lifeexp

    served = data.life_expectancy("demo", lan_code=LAN)
    table = e0_both.set_index(["area_code", "sex", "period"])["value_lifetable"]
    checked = 0
    for kommun in lookup.kommuner_in(LAN)["kommun_code"]:
        summary = lifeexp.compare_areas(served, kommun)
        for r in summary[summary["period"] == 2024].itertuples(index=False):
            lifetable_diff = table[(kommun, r.sex, 2024)] - table[("0020", r.sex, 2024)]
            assert r.diff_region == pytest.approx(lifetable_diff, abs=1e-9)
            assert num(r.diff_region, 1) == num(lifetable_diff, 1)
            checked += 1
    assert checked == 30


def test_vansbro_men_have_one_life_expectancy_in_the_report(root, e0_both):
    from helpers.report import mortality as sections

    served = e0_both.set_index(["area_code", "sex", "period"]).loc[("2021", "män", 2024)]
    section = sections.mortality_section("2021", "demo", 2024, maps=False)
    facts = section.facts
    fact = facts[
        (facts["area_code"] == "2021")
        & (facts["sex"] == "män")
        & (facts["indicator"] == "e0")
        & (facts["period"] == 2024)
    ]
    assert len(fact) == 1
    assert num(float(fact["value"].iloc[0]), 1) == num(served["value_served"], 1)
    assert num(served["value_served"], 1) in " ".join(section.sentences)


def test_strategi_life_expectancy_is_the_served_series(root):
    from helpers.sources import life_expectancy as data
    from helpers.sources.demo import strategi as demo_strategi

    served = data.life_expectancy("demo", lan_code=LAN)
    table = demo_strategi.load_table()
    for kpi, sex in data.kpis().items():
        s = table[(table["indicator"] == kpi) & table["area_code"].isin(set(served["area_code"]))]
        s = s.set_index(["area_code", "period"])["value"].sort_index()
        ref = served[served["sex"] == sex].set_index(["area_code", "period"])["value"]
        ref = ref[ref.index.get_level_values("period") >= 2012].sort_index()
        pd.testing.assert_series_equal(s, ref, check_names=False, check_index_type=False)


def test_survey_kpi_is_the_survey_sections_estimate(root):
    from helpers.report import survey_analysis
    from helpers.sources import survey_data
    from helpers.sources.demo import strategi as demo_strategi
    from helpers.sources.demo import strategi_derived

    kpi, variable = next(iter(strategi_derived.SURVEY_KPIS.items()))
    data = survey_data.survey_microdata("demo")
    est = survey_analysis.estimate_variable(
        data.microdata, variable, source=data.source, min_n=5
    ).table
    est = est[est["group"] == "alla"].set_index(["area_code", "sex", "period"])["value"]
    table = demo_strategi.load_table()
    served = table[table["indicator"] == kpi].set_index(["area_code", "sex", "period"])["value"]
    areas = {*lookup.kommuner_in(LAN)["kommun_code"], "0020"}
    checked = shown = 0
    for (area, sex, year), value in est.items():
        if area not in areas:
            continue
        got = served.loc[(area, sex, year)]
        if np.isnan(value):
            assert np.isnan(got), (area, sex, year)
        else:
            assert num(got, 1) == num(value, 1), (area, sex, year)
            shown += 1
        checked += 1
    assert checked == len(areas) * 3 * 4  # areas × (totalt, kvinnor, män) × survey years
    assert shown > 100
    # A four-year Kolada period carries the estimate of the survey year inside it.
    pooled = served.loc[("2021", "totalt", 2019)]
    assert pooled == served.loc[("2021", "totalt", 2016)]
    assert (served != STALE).all()
