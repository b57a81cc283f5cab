"""Strategi för hälsa read straight from the reference DDF files (``data_source="referens"``).

The same files replayed as Kolada v3 (``tests/strategi_reference.py``) through the
real Kolada client must give the same indicator table: the two paths agree on
every value, id, sex and period. The malformed-file tests build their own small
reference folder and run without ``../shared/reference``; the others skip
without it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import strategi_reference as ref
from replay_server import bypass_proxies, serving

from helpers.config import goals as goal_file
from helpers.core import memo
from helpers.core.errors import DataError
from helpers.sources import kolada_client
from helpers.sources import strategi as data_strategi

FALUN = "2080"
#: Goal KPIs the reference does not hold: they must come out missing, not invented.
MISSING = {"N80401", "N33871", "U28663", "U71455", "U71454", "U71452", "N00923", "N00925"}


@pytest.fixture
def referens(reference_dir: Path, tmp_root: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FOLKHALSA_REFERENCE", str(reference_dir))
    memo.clear_all()
    yield data_strategi.load("referens", goals=goal_file.load_goals())
    memo.clear_all()


@pytest.mark.reference
def test_referens_agrees_with_the_kolada_replay(referens, reference_dir: Path, monkeypatch):
    table, groups = referens
    bypass_proxies(monkeypatch)
    with serving() as srv:
        fake = ref.serve(srv, reference_dir)
        monkeypatch.setenv(kolada_client.BASE_URL_ENV, fake.base_url)
        kolada, kolada_groups = data_strategi.load("kolada", goals=goal_file.load_goals())
    key = ["indicator", "area_code", "sex", "period"]
    kolada = kolada[kolada["value"].notna()]
    assert len(table) == len(kolada) > 60000
    merged = table.merge(kolada, on=key, how="outer", indicator=True, validate="1:1")
    assert (merged["_merge"] == "both").all()
    for col in table.columns.difference([*key, "source"]):
        a, b = merged[f"{col}_x"], merged[f"{col}_y"]
        assert ((a == b) | (a.isna() & b.isna())).all(), col
    assert (table["source"] == data_strategi.REFERENCE_LABEL).all()
    assert groups == kolada_groups and len(groups) == 311
    # by hand from the files (tests/unit/sources/test_strategi_real.py asserts the same)
    v = table.set_index(key)["value"]
    assert v[("N15428", FALUN, "totalt", 2017)] == 86.26086957
    assert v[("N15428", FALUN, "totalt", 2022)] == 89.33933934
    assert v[("N15428", "0020", "kvinnor", 2022)] == 84.1
    assert v[("N66077", FALUN, "totalt", 2017)] == 16.0
    assert not MISSING & set(table["indicator"])
    assert {"0000", "0020", FALUN} <= set(table["area_code"])


@pytest.mark.reference
def test_section_for_falun_has_real_goal_rows(referens, reference_dir: Path):
    from helpers.report import strategi as report_strategi

    section = report_strategi.strategi_section(FALUN, "referens", with_figure=False)
    assert section.available and section.source == data_strategi.REFERENCE_LABEL
    status = section.tables["status"].set_index("KPI")
    assert status.loc["N15428", "Basvärde"] == "86,3\xa0%"
    assert status.loc["N15428", "Senaste värde"] == "89,3\xa0%"
    assert status.loc["N66077", "Senaste värde"] == "14,0\xa0%"
    assert status.loc["N80401", "Status"].endswith("data saknas")
    facts = section.facts.set_index(["indicator", "area_code", "sex", "period"])["value"]
    for (kpi, area, sex, period), value in facts.items():
        gender = {"totalt": "T", "kvinnor": "K", "män": "M"}[sex]
        assert value == ref.value(reference_dir, kpi, area, int(period), gender)
    assert len(facts) >= 20


def _folder(tmp_path: Path, total: str) -> Path:
    ddf = tmp_path / "kolada" / "strategi_ddf"
    ddf.mkdir(parents=True)
    (ddf / "ddf--datapoints--n15428--by--geo--year.csv").write_text(total, encoding="utf-8")
    (tmp_path / "kolada" / "v3_municipality_groups.json").write_text("[]", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("text", "row", "column"),
    [
        ("geo,year,n15428\n2080,2017,86.2\n208,2018,80\n", 3, "geo"),
        ("geo,year,n15428\n2080,20x7,86.2\n", 2, "year"),
        ("geo,year,n15428\n2080,2017,86.2\n2080,2018,\n", 3, "n15428"),
    ],
)
def test_malformed_reference_row_is_refused(tmp_path, monkeypatch, text, row, column):
    monkeypatch.setenv("FOLKHALSA_REFERENCE", str(_folder(tmp_path, text)))
    goals = goal_file.load_goals()
    goals = goals[goals["kpi"] == "N15428"]
    with pytest.raises(DataError) as err:
        data_strategi.load("referens", goals=goals)
    msg = str(err.value)
    assert "n15428--by--geo--year.csv" in msg and f"rad {row}" in msg
    assert f"kolumn '{column}'" in msg


def test_small_reference_folder_reads(tmp_path, monkeypatch):
    monkeypatch.setenv(
        "FOLKHALSA_REFERENCE",
        str(_folder(tmp_path, "geo,year,n15428\n2080,2017,86.2\n20,2017,84\n0,2017,85.5\n")),
    )
    goals = goal_file.load_goals()
    table, groups = data_strategi.load("referens", goals=goals[goals["kpi"] == "N15428"])
    got = table.set_index("area_code")["value"].to_dict()
    assert got == {"2080": 86.2, "0020": 84.0, "0000": 85.5} and groups == []
    assert set(table["sex"]) == {"totalt"} and set(table["indicator"]) == {"N15428"}


def test_without_reference_folder_referens_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("FOLKHALSA_REFERENCE", str(tmp_path / "none"))
    with pytest.raises(DataError, match="Referensdata saknas"):
        data_strategi.load("referens")
