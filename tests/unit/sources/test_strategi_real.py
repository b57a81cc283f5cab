"""Strategi för hälsa on real Kolada values, replayed through the real Kolada v3 client.

``../shared/reference/kolada/strategi_ddf/`` holds Kolada's values (August 2024
scrape, up to 2022) of 16 Strategi KPIs for every kommun, county and Riket. The
test server rebuilds Kolada's v3 envelopes and data objects from them
(``tests/strategi_reference.py``); the client, the Strategi loader, the goal
status, the report section and notebook 04 run on them unchanged, pointed at the
server with ``FOLKHALSA_KOLADA_URL``. Every assertion compares with the
reference files read independently. Skipped when ``../shared/reference`` is absent.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import nbrun
import numpy as np
import pandas as pd
import pytest
import strategi_reference as ref
from replay_server import KoladaFake, bypass_proxies, serving

from helpers.config import goals as goal_file
from helpers.core import lookup, memo
from helpers.core.fmt import num
from helpers.sources import kolada_client
from helpers.sources import strategi as data_strategi
from helpers.stats import strategi

pytestmark = pytest.mark.reference

REPO = Path(__file__).resolve().parents[3]
NB04 = REPO / "notebooks" / "04_strategi_for_halsa.ipynb"
FALUN = "2080"


@pytest.fixture
def kolada(reference_dir: Path, tmp_root: Path, monkeypatch: pytest.MonkeyPatch):
    """A fake Kolada v3 with the real values; default clients (and kernels) point at it."""
    bypass_proxies(monkeypatch)
    memo.clear_all()
    with serving() as srv:
        fake = ref.serve(srv, reference_dir)
        monkeypatch.setenv(kolada_client.BASE_URL_ENV, fake.base_url)
        yield fake
    memo.clear_all()


@pytest.fixture
def loaded(kolada: KoladaFake) -> tuple[pd.DataFrame, list, pd.DataFrame]:
    goals = goal_file.load_goals()
    raw, groups = data_strategi.load("kolada", goals=goals)
    return raw, groups, goals


def test_client_uses_the_environment_base_url(kolada: KoladaFake):
    assert kolada_client.KoladaClient().base_url == kolada.base_url
    assert (
        kolada_client.KoladaClient("https://example.org/v3").base_url == "https://example.org/v3/"
    )


def test_every_value_is_the_reference_value(loaded, reference_dir: Path, kolada: KoladaFake):
    raw, groups, goals = loaded
    wanted = set(goals["kpi"].dropna()) | set(goals["uncertainty_kpi"].dropna())
    expected = ref.flat(reference_dir)
    expected = expected[
        expected["kpi"].isin(wanted)
        & expected["period"].between(data_strategi.FIRST_YEAR, data_strategi.LAST_YEAR)
    ]
    sex = {"T": "totalt", "K": "kvinnor", "M": "män"}
    expected = expected.assign(sex=expected["gender"].map(sex))
    got = raw[raw["value"].notna()]
    merged = got.merge(
        expected,
        left_on=["indicator", "area_code", "period", "sex"],
        right_on=["kpi", "municipality", "period", "sex"],
        how="outer",
        indicator=True,
    )
    assert (merged["_merge"] == "both").all()  # nothing lost, nothing invented
    assert len(merged) == len(expected) > 60000
    assert np.array_equal(merged["value_x"].to_numpy(), merged["value_y"].to_numpy())
    # a few by hand from the files
    falun = raw.set_index(["indicator", "area_code", "sex", "period"])["value"]
    assert falun[("N15428", FALUN, "totalt", 2017)] == 86.26086957
    assert falun[("N15428", FALUN, "totalt", 2022)] == 89.33933934
    assert falun[("N15428", "0020", "kvinnor", 2022)] == 84.1
    assert falun[("N66077", FALUN, "totalt", 2017)] == 16.0
    # KPIs the dump does not hold (kariesfria, placerade barn, LSS, primärvård, e0, the
    # osäkerhetstal) simply have no rows
    assert not {"N80401", "N33871", "U28663", "U71455", "N00923", "U01508"} & set(raw["indicator"])
    assert sum("socioekonomi" in g["title"] for g in groups) > 290
    # 16 KPIs in two chunks, 13 area chunks, 1 year chunk, plus the groups
    assert kolada.server.count("/v3/data/") == 2 * 13


def test_goal_status_for_falun(loaded, reference_dir: Path):
    raw, groups, goals = loaded
    table = strategi.prepare(raw, goals)
    st = strategi.goal_status(table, goals, FALUN).set_index(["kpi", "sex"])

    def check(kpi: str, sex: str, status: str, latest_year: int = 2022) -> pd.Series:
        row = st.loc[(kpi, sex)]
        gender = {"totalt": "T", "kvinnor": "K", "män": "M"}[sex]
        base = ref.value(reference_dir, kpi, FALUN, 2017, gender)
        last = ref.value(reference_dir, kpi, FALUN, latest_year, gender)
        assert row["baseline"] == base and row["latest"] == last
        assert row["latest_year"] == latest_year
        assert row["change"] == pytest.approx(last - base)
        assert row["status"] == status, (kpi, sex, row["status"])
        return row

    # behöriga åk 9: 86,26 → 89,34, +3,08 ≥ +2
    check("N15428", "totalt", strategi.STATUS_REACHED)
    check("N15428", "män", strategi.STATUS_WORSE)  # 86,98 → 86,22
    check("N17461", "totalt", strategi.STATUS_WORSE)  # examen 79,83 → 76,82
    check("N02797", "totalt", strategi.STATUS_CLOSER)  # unga 5,67 → 4,32, −1,35 of −2
    check("N66077", "totalt", strategi.STATUS_REACHED)  # barn låg ek. standard 16 → 14
    # fallskador per 100 000: −199,5 of a goal of −10 per 1 000 = −1 000
    row = check("N20402", "totalt", strategi.STATUS_CLOSER)
    assert row["target"] == -1000
    # real-data fix: U21454/U23505 are published for the total only – no rows per sex
    assert [s for k, s in st.index if k == "U21454"] == ["totalt"]
    check("U21454", "totalt", strategi.STATUS_WORSE)  # 76,0 → 72,7
    # HLV kommun value missing in 2017: no status, the message says from when there are values
    hlv = st.loc[("U01429", "totalt")]
    assert hlv["status"] == strategi.STATUS_NO_DATA
    assert (
        hlv["messages"][0][0] == "baseline_missing" and hlv["messages"][0][1]["first_year"] == 2018
    )
    assert st.loc[("N80401", "totalt"), "messages"] == [("kpi_not_in_data", {"kpi": "N80401"})]
    # the whole county runs
    county = strategi.goal_status(table, goals, lookup.kommuner_in("20")["kommun_code"].tolist())
    assert county["area_code"].nunique() == 15
    assert (county["status"] != strategi.STATUS_NOT_ASSESSED).all()


def test_report_section_shows_the_reference_values(kolada: KoladaFake, reference_dir: Path):
    from helpers.report import strategi as report_strategi

    section = report_strategi.strategi_section(FALUN, "kolada", with_figure=True)
    facts = section.facts.set_index(["indicator", "area_code", "sex", "period"])["value"]
    assert facts[("N15428", FALUN, "totalt", 2017)] == ref.value(
        reference_dir, "N15428", FALUN, 2017
    )
    assert facts[("N15428", FALUN, "totalt", 2022)] == ref.value(
        reference_dir, "N15428", FALUN, 2022
    )
    assert facts[("U23505", FALUN, "totalt", 2022)] == ref.value(
        reference_dir, "U23505", FALUN, 2022
    )
    for (kpi, area, sex, period), value in facts.items():
        gender = {"totalt": "T", "kvinnor": "K", "män": "M"}[sex]
        assert value == ref.value(reference_dir, kpi, area, int(period), gender)
    assert len(facts) >= 20 and (section.facts["source"] == kolada_client.SOURCE).all()


@pytest.mark.slow
def test_notebook_04_runs_on_real_values(
    kolada: KoladaFake, reference_dir: Path, tmp_root: Path, monkeypatch
):
    import papermill

    monkeypatch.delenv("MPLBACKEND", raising=False)
    out = tmp_root / "04_falun.ipynb"
    papermill.execute_notebook(
        str(NB04),
        str(out),
        parameters={"lan_code": "20", "kommun": FALUN, "data_source": "kolada"},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(NB04.parent),
    )
    text, images, errors = nbrun.outputs(nbformat.read(out, as_version=4))
    assert errors == []
    assert images >= 2  # status matrix and small multiples
    assert "Syntetiska demodata" not in text and kolada_client.SOURCE in text
    # the status table shows Falun's real baseline and latest value of goal 3 and 20
    for kpi, year in (("N15428", 2017), ("N15428", 2022), ("N66077", 2017), ("N66077", 2022)):
        assert num(ref.value(reference_dir, kpi, FALUN, year), 1, "%") in text, (kpi, year)
    assert strategi.STATUS_REACHED in text and "Försämring" in text
    assert kolada.server.count("/v3/data/") == 2 * 13  # the kernel fetched from the fake
