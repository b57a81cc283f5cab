"""The Strategi goal file and its link to the indicator catalogue (helpers.config.goals)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest

from helpers.config import catalogue, goals
from helpers.core.errors import DataError

GOAL_FILE = """\
target_year: 2022
defaults:
  baseline_year: 2017
areas: [God och jämlik hälsa, God kvalitet, Hållbart och uthålligt]
goals:
  - number: 2
    area: God och jämlik hälsa
    name: Fler kariesfria 3-åringar
    goal_text: Andelen ska öka.
    indicators:
      - indicator: {indicator}
        level: region
        target_change: 2
        target_unit: pp
        mapping: exact
"""


def _write(tmp_path: Path, text: str, name: str = "mal.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_names_units_and_kpis_come_from_the_catalogue():
    table = goals.load_goals()
    cat = catalogue.load()
    by_kpi = table.dropna(subset=["kpi"]).set_index("kpi")
    caries = cat.get("kariesfria_3ar")
    assert by_kpi.loc["N80401", "indicator"] == "kariesfria_3ar"
    assert by_kpi.loc["N80401", "short_name"] == caries.short_name
    assert by_kpi.loc["N80401", "unit"] == "procent"  # catalogue unit "%"
    assert by_kpi.loc["N80401", "direction"] == caries.better == "higher"
    assert by_kpi.loc["N20402", "unit"] == "per 100 000"  # "per 100 000 invånare"
    assert by_kpi.loc["N20402", "decimals"] == 0 and by_kpi.loc["N20402", "pooled_years"] == 3
    assert by_kpi.loc["U01405", "uncertainty_kpi"] == "U01511"  # the Kolada recipe
    assert bool(by_kpi.loc["U01405", "survey"]) and not bool(by_kpi.loc["N02797", "survey"])
    assert by_kpi.loc["N02797", "direction"] == "lower"


def test_goal_19_is_the_catalogue_entry_e0_one_row_per_sex():
    table = goals.load_goals()
    g19 = table[table["goal"] == 19]
    assert g19["indicator"].tolist() == ["e0", "e0"]
    assert g19["label"].tolist() == ["19a", "19b"]
    assert g19["kpi"].tolist() == ["N00925", "N00923"]
    assert g19["sex"].tolist() == ["kvinnor", "män"]
    assert g19["title"].tolist() == ["Medellivslängd kvinnor, år", "Medellivslängd män, år"]
    assert (g19["unit"] == "år").all() and (g19["pooled_years"] == 5).all()
    assert g19["target_change"].isna().all() and not g19["divided_by_sex"].any()


def test_an_unknown_catalogue_id_is_refused_with_file_and_line(tmp_path):
    path = _write(tmp_path, GOAL_FILE.format(indicator="kariesfria_tre"))
    with pytest.raises(DataError) as err:
        goals.load_goals(path)
    text = str(err.value)
    assert "mal.yaml" in text and "rad 11" in text and "kolumn 'indicator'" in text
    assert "'kariesfria_tre' finns inte i indikatorkatalogen" in text


def test_the_known_id_loads(tmp_path):
    table = goals.load_goals(_write(tmp_path, GOAL_FILE.format(indicator="kariesfria_3ar")))
    assert table[["label", "kpi", "level"]].values.tolist() == [["2", "N80401", "region"]]


def test_indicator_metadata_in_the_goal_file_is_refused(tmp_path):
    text = GOAL_FILE.format(indicator="kariesfria_3ar") + "        unit: procent\n"
    with pytest.raises(DataError) as err:
        goals.load_goals(_write(tmp_path, text))
    assert "rad 16" in str(err.value) and "okänd nyckel 'unit'" in str(err.value)
    assert "indikatorkatalogen" in str(err.value)


def test_a_catalogue_change_reaches_the_goal_table(tmp_path):
    """Edit the catalogue, not the goal file: the short name and direction follow."""
    shipped = Path(catalogue.load().path).read_text(encoding="utf-8")
    edited = shipped.replace(
        'short_name: "Kariesfria 3-åringar"', 'short_name: "Kariesfria treåringar"'
    )
    assert edited != shipped
    cat = catalogue.load(_write(tmp_path, edited, "indicators.yaml"))
    table = goals.load_goals(catalogue=cat)
    assert table.set_index("label").loc["2", "short_name"] == "Kariesfria treåringar"


def _catalogue_with(tmp_path: Path, **changes: str) -> catalogue.Catalogue:
    entry = {
        "name": "Test",
        "short_name": "Test",
        "definition": "Test.",
        "unit": "'%'",
        "decimals": "1",
        "better": "higher",
        "sexes": "[totalt]",
        "period_type": "year",
        "ci_method": "none",
        "reliability": "none",
        "disclosure": "false",
        "sources": "{kolada: {kpi: N80401}}",
    } | changes
    body = "\n".join(f"    {k}: {v}" for k, v in entry.items())
    return catalogue.load(_write(tmp_path, f"indicators:\n  kariesfria_3ar:\n{body}\n", "ind.yaml"))


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"better": "none"}, "ingen riktning"),
        ({"sources": "{demo: {life_table: e0, age: 0}}"}, "inget Kolada-id"),
        ({"unit": "kronor"}, "katalogens enhet 'kronor'"),
    ],
)
def test_a_catalogue_entry_a_goal_cannot_follow_is_refused(tmp_path, changes, expected):
    cat = _catalogue_with(tmp_path, **changes)
    path = _write(tmp_path, GOAL_FILE.format(indicator="kariesfria_3ar"))
    with pytest.raises(DataError, match=expected) as err:
        goals.load_goals(path, catalogue=cat)
    assert "rad 11" in str(err.value)


def test_catalogue_fields_used_by_the_goals(tmp_path):
    cat = _catalogue_with(
        tmp_path,
        period_type="multi_year",
        pooled_years="3",
        sources="{demo: {kolada_shape: strategi, kpi: N80401}, kolada: {kpi: N80401, title: T}}",
    )
    entry = cat.get("kariesfria_3ar")
    assert entry.pooled_years == 3 and entry.recipe("demo")["kpi"] == "N80401"
    with pytest.raises(DataError, match="kräver pooled_years"):
        _catalogue_with(tmp_path, period_type="pooled_survey")
    assert catalogue.load().get("e0").pooled_years == 5  # five_year


def test_goal_table_columns():
    table = goals.load_goals()
    assert list(table.columns) == list(goals.GOAL_COLUMNS)
    assert isinstance(table, pd.DataFrame) and table["goal"].nunique() == 22
