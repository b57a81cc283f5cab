"""Tests for helpers.sources.demo.strategi (synthetic Strategi-för-hälsa data) and notebook 04."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.config.goals import load_goals
from helpers.core import indicators, lookup
from helpers.core.fmt import SYNTHETIC_LABEL
from helpers.sources import strategi as data_strategi
from helpers.sources.demo import base as demo_base
from helpers.sources.demo import strategi as demo_strategi
from helpers.stats import strategi, strategi_compare

ROOT = Path(__file__).resolve().parents[4]
SUBSET = ["N80401", "U01405", "N00925", "N15613", "N33871"]


@pytest.fixture(scope="module")
def goals() -> pd.DataFrame:
    return load_goals()


@pytest.fixture
def small_goals(goals) -> pd.DataFrame:
    return goals[goals["kpi"].isin(SUBSET)].reset_index(drop=True)


def _row(goals, kpi):
    return next(g for g in goals.itertuples(index=False) if g.kpi == kpi)


def test_envelope_has_v3_shape_with_three_genders():
    values = pd.DataFrame(
        {
            "kpi": ["U01405"] * 3 + ["U01405"],
            "municipality": ["2080"] * 3 + ["0020"],
            "period": [2024] * 4,
            "gender": ["M", "T", "K", "T"],
            "value": [70.0, 71.5, np.nan, 72.0],
        }
    )
    env = demo_strategi.to_kolada_envelope(values)
    assert set(env) == {"values", "count", "next_url", "previous_url"}
    assert env["count"] == 2 and env["next_url"] is None
    falun = next(o for o in env["values"] if o["municipality"] == "2080")
    assert [v["gender"] for v in falun["values"]] == ["T", "K", "M"]
    k = falun["values"][1]
    assert k["value"] is None and k["count"] == 0  # v3 null value
    assert falun["values"][0] == {
        "gender": "T",
        "count": 1,
        "status": "",
        "value": 71.5,
        "isdeleted": False,
    }


def test_region_only_kpi_has_no_kommun_values_and_a_missing_year(goals):
    v = demo_strategi.kpi_values(_row(goals, "N80401"))
    codes = set(v["municipality"])
    assert codes == {"00" + c for c in lookup.lan()["lan_code"]} | {"0000"}
    assert 2020 not in set(v["period"]) and {2017, 2024} <= set(v["period"])
    assert set(v["gender"]) == {"T", "K", "M"}
    assert v["value"].between(80, 100).all()


def test_survey_kpi_comes_with_its_osakerhetstal(goals):
    g = _row(goals, "U01405")
    v = demo_strategi.kpi_values(g, uncertainty_kpi=g.uncertainty_kpi)
    main, unc = v[v["kpi"] == "U01405"], v[v["kpi"] == "U01511"]
    assert len(main) == len(unc) == 312 * 13 * 3
    # null exactly where the uncertainty is null (too few respondents)
    assert (main["value"].isna().to_numpy() == unc["value"].isna().to_numpy()).all()
    assert main["value"].isna().any() and main["value"].notna().mean() > 0.5
    riket = unc[(unc["municipality"] == "0000") & (unc["gender"] == "T")]["value"]
    small = unc[unc["municipality"].str.len().eq(4) & ~unc["municipality"].str.startswith("00")]
    assert riket.max() < 1.0 < small["value"].median()  # bigger samples, smaller uncertainty
    t = main[main["gender"] == "T"]["value"].dropna()
    assert t.between(40, 95).all() and 65 < t.mean() < 78


def test_values_are_plausible_per_unit_and_single_sex_kpis_are_total_only(goals):
    le = demo_strategi.kpi_values(_row(goals, "N00925"))
    assert set(le["gender"]) == {"T"} and le["value"].between(78, 90).all()
    falls = demo_strategi.kpi_values(_row(goals, "N20402"))
    assert falls["value"].between(1500, 9000).all()
    assert (falls["value"] == falls["value"].round(0)).all()
    care = demo_strategi.kpi_values(_row(goals, "N33871"))
    small = lookup.kommuner()["kommun_code"][
        demo_base.kommun_population().reindex(lookup.kommuner()["kommun_code"]).to_numpy() < 15_000
    ]
    assert care[care["municipality"].isin(small)]["value"].isna().all()  # suppressed
    pupils = demo_strategi.kpi_values(_row(goals, "N15613"))
    assert set(pupils["period"]) == {2023, 2024}
    falun = pupils[(pupils["municipality"] == "2080") & (pupils["gender"] == "T")]
    assert falun["value"].isna().sum() == 1  # surveyed every other year


def test_similar_groups_seven_members_never_self():
    groups = demo_strategi.similar_groups()
    kom = [g for g in groups if g["title"].startswith("Liknande kommuner socioekonomi, ")]
    reg = [g for g in groups if g["title"].startswith("Liknande regioner socioekonomi, ")]
    assert len(kom) == 290 and len(reg) == 21
    assert len({g["id"] for g in groups}) == len(groups)
    names = lookup.kommuner().set_index("kommun_name")["kommun_code"]
    lan_spread = 0
    for g in kom:
        m = re.fullmatch(r"Liknande kommuner socioekonomi, (.+), 2024", g["title"])
        code = names[m.group(1)]
        ids = [x["member_id"] for x in g["members"]]
        assert len(ids) == 7 == len(set(ids)) and code not in ids
        lan_spread += len({i[:2] for i in ids}) > 1
    assert lan_spread > 250  # chosen across counties
    assert demo_strategi.similar_groups() == groups  # seeded
    g, msg = strategi_compare.similar_group(groups, "2080")
    assert msg == "" and g["title"] == "Liknande kommuner socioekonomi, Falun, 2024"


def test_write_all_is_idempotent_and_labelled_synthetic(tmp_root, small_goals):
    first = demo_strategi.write_all(goals=small_goals)
    cache = demo_base.demo_cache()
    n_lines = len(cache.entries())
    second = demo_strategi.write_all(goals=small_goals)
    assert [e.sha256 for e in first] == [e.sha256 for e in second]
    assert len(cache.entries()) == n_lines
    # one file per KPI and the groups; life expectancy and the survey KPI also built their
    # inputs (deaths, population, e30, the Kolada-shaped life expectancy, the survey extract)
    strategi_files = [e for e in cache.entries() if "set=strategi" in e.url]
    assert len(strategi_files) == len(small_goals) + 1
    assert all("SYNTETISKA DEMODATA" in e.note for e in cache.entries())
    assert all(e.licence == SYNTHETIC_LABEL for e in cache.entries())
    env = json.loads(cache.path(first[0]).read_bytes())
    assert env["values"][0]["kpi"] == small_goals["kpi"].iloc[0]


def test_load_table_returns_the_tidy_table(tmp_root, small_goals):
    table = demo_strategi.load_table(goals=small_goals)
    indicators.validate(table)
    assert set(table["indicator"]) == set(SUBSET) | {"U01511"}
    assert (table["source"] == SYNTHETIC_LABEL).all()
    assert table.loc[table["value"].isna(), "flag"].eq(indicators.FLAG_MISSING).all()
    hlv = table[(table["indicator"] == "U01405") & (table["period"] == 2024)]
    assert set(hlv["period_label"]) == {"2021–2024"}
    assert set(table.loc[table["indicator"] == "N00925", "sex"]) == {"totalt"}
    prepared = strategi.prepare(table, small_goals)
    assert set(prepared.loc[prepared["indicator"] == "N00925", "sex"]) == {"kvinnor"}
    falun = prepared[
        (prepared["indicator"] == "U01405")
        & (prepared["area_code"] == "2080")
        & prepared["value"].notna()
    ]
    assert falun["ci_lower"].notna().all()
    table2, groups = data_strategi.load("demo", lan_code="20", goals=small_goals)
    assert set(table2["area_code"]) <= {*lookup.kommuner_in("20")["kommun_code"], "0020", "0000"}
    assert len(groups) == 311


class FakeKolada:
    """Answers like helpers.sources.kolada.KoladaClient, from the synthetic generator (no network)."""

    def __init__(self, goals):
        self.goals = goals
        self.asked = None

    def values(self, kpis, municipalities, years):
        self.asked = (list(kpis), len(list(municipalities)), list(years))
        frames = [
            demo_strategi.kpi_values(
                g, uncertainty_kpi=g.uncertainty_kpi if isinstance(g.uncertainty_kpi, str) else None
            )
            for g in self.goals.itertuples(index=False)
        ]
        return demo_strategi.to_kolada_envelope(pd.concat(frames))["values"]

    def municipality_groups(self, title=None):
        groups = [g for g in demo_strategi.similar_groups() if title in g["title"]]
        return pd.DataFrame(groups, columns=["id", "title", "members"])


def test_kolada_source_goes_through_the_client(small_goals):
    client = FakeKolada(small_goals)
    table, groups = data_strategi.load("kolada", goals=small_goals, client=client)
    kpis, n_areas, years = client.asked
    assert set(kpis) == set(SUBSET) | {"U01511"} and n_areas == 312
    assert years == list(range(2012, 2025))
    assert (table["source"] == "Källa: Kolada").all()
    assert len(groups) == 311 and isinstance(groups[0]["members"], list)
    st = strategi.goal_status(table, small_goals, "2080")
    assert set(st["status"]) <= set(strategi.STATUSES)


@pytest.mark.slow
def test_notebook_runs_on_demo_data(tmp_root, tmp_path):
    papermill = pytest.importorskip("papermill")
    out = tmp_path / "04_out.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "04_strategi_for_halsa.ipynb"),
        str(out),
        parameters={"lan_code": "20", "kommun": "2080", "data_source": "demo"},
        kernel_name="python3",
        cwd=str(tmp_path),
        progress_bar=False,
    )
    nb = json.loads(out.read_text())
    text = json.dumps(nb["cells"], ensure_ascii=False)
    # The deviation sentences were written, in plain words (no z in "standardavvikelser").
    assert "än länet" in text or "än riket" in text
    assert "standardavvikelser" not in text
    assert "Syntetiska demodata" in text
    images = sum(
        "image/png" in o.get("data", {})
        for c in nb["cells"]
        if c["cell_type"] == "code"
        for o in c.get("outputs", [])
    )
    assert images >= 2
