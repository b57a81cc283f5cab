"""Tests for Strategi för hälsa: goal file, status rules, comparisons, groups, ranks, deviations."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.config import catalogue as catalogue_mod
from helpers.config import goals as goal_file
from helpers.core import indicators, lookup
from helpers.core.errors import DataError
from helpers.sources import strategi as data_strategi
from helpers.stats import strategi, strategi_compare, strategi_kolada
from helpers.text import strategi as text_strategi

FALUN, BORLANGE, DALARNA, RIKET = "2080", "2081", "0020", "0000"
PEERS = ["0840", "1292", "1383", "1489", "2321", "2380", "2580"]  # real 2024 peers of Falun


# --------------------------------------------------------------------------- builders
def _ind(kpi: str, **kw) -> dict:
    base = {
        "kpi": kpi,
        "title": f"Testindikator {kpi}, andel (%)",
        "short_name": f"Test {kpi}",
        "level": "kommun",
        "unit": "procent",
        "direction": "higher",
        "target_change": 2,
        "target_unit": "pp",
        "mapping": "exact",
    }
    base.update(kw)
    return base


def _spec(*goals: dict) -> dict:
    return {
        "version": 1,
        "target_year": 2022,
        "defaults": {
            "baseline_year": 2017,
            "uncertainty_mapping": None,
            "comparable_over_time": True,
            "series_break": None,
        },
        "areas": list(goal_file.AREAS),
        "goals": list(goals),
    }


#: Keys of ``_ind`` that describe the goal; the others describe the indicator (catalogue).
_GOAL_SIDE = (
    "level",
    "target_change",
    "target_unit",
    "mapping",
    "baseline_year",
    "comparable_over_time",
    "series_break",
    "uncertainty_mapping",
)
_UNIT_IN_CATALOGUE = {v: k for k, v in goal_file.CATALOGUE_UNITS.items()}


def _catalogue_entry(ind: dict) -> dict:
    """A catalogue entry (params/indicators.yaml shape) for the indicator keys of ``_ind``."""
    kpi, ukpi = ind["kpi"], ind.get("uncertainty_kpi")
    recipe: dict = {"kpi": {ind["sex"]: kpi} if ind.get("sex") else kpi, "title": ind["title"]}
    if ukpi:
        recipe["uncertainty_kpi"] = ukpi
    pooled = ind.get("pooled_years", 1)
    entry = {
        "name": ind["title"],
        "short_name": ind["short_name"],
        "definition": "Testindikator.",
        "unit": _UNIT_IN_CATALOGUE[ind["unit"]],
        "decimals": ind.get("decimals", 1),
        "better": ind["direction"],
        "sexes": ["kvinnor", "män", "totalt"] if ind.get("divided_by_sex") else ["totalt"],
        "period_type": "year" if pooled == 1 else "multi_year",
        "ci_method": "kolada_uncertainty" if ukpi else "none",
        "reliability": "nchs_without_n"
        if ukpi
        else "survey_no_ci"
        if ind.get("survey")
        else "none",
        "disclosure": False,
        "sources": {"kolada": recipe, "demo": {"kolada_shape": "strategi", **recipe}},
    }
    if pooled != 1:
        entry["pooled_years"] = pooled
    return entry


def _split(spec: dict) -> tuple[dict, catalogue_mod.Catalogue]:
    """Split a spec written with ``_ind`` into a goal file and its catalogue."""
    spec = copy.deepcopy(spec)
    entries = {}
    for goal in spec["goals"]:
        inds = []
        for ind in goal.get("indicators") or []:
            if "kpi" not in ind:
                inds.append(ind)
                continue
            ind_id = ind["kpi"].lower()
            entries[ind_id] = _catalogue_entry(ind)
            inds.append(
                {"indicator": ind_id, **{k: v for k, v in ind.items() if k in _GOAL_SIDE}}
                | {k: v for k, v in ind.items() if k not in _GOAL_SIDE and k not in _IND_KEYS}
            )
        goal["indicators"] = inds
    if not entries:
        return spec, catalogue_mod.load()
    return spec, catalogue_mod.parse({"indicators": entries}, Path("test_indicators.yaml"))


_IND_KEYS = {
    "kpi",
    "title",
    "short_name",
    "unit",
    "direction",
    "divided_by_sex",
    "sex",
    "survey",
    "uncertainty_kpi",
    "pooled_years",
    "decimals",
}


def _goals(spec: dict) -> pd.DataFrame:
    """The goal table of a spec written with ``_ind`` (goal file + test catalogue)."""
    goal_spec, cat = _split(spec)
    return goal_file.goals_from_dict(goal_spec, catalogue=cat)


def _goal(number: int, *inds: dict, area: str = "God och jämlik hälsa", **kw) -> dict:
    g = {
        "number": number,
        "area": area,
        "subarea": "Test",
        "name": f"Mål {number}",
        "goal_text": f"Målet {number} ska nås.",
        "indicators": list(inds),
    }
    g.update(kw)
    return g


def _table(rows: list[tuple]) -> pd.DataFrame:
    """rows: (area_code, period, indicator, value[, sex[, ci_lower, ci_upper]])."""
    recs = []
    for r in rows:
        rec = {
            "area_code": r[0],
            "period": r[1],
            "indicator": r[2],
            "value": r[3],
            "sex": r[4] if len(r) > 4 else "totalt",
        }
        if len(r) > 5:
            rec["ci_lower"], rec["ci_upper"] = r[5], r[6]
        recs.append(rec)
    df = pd.DataFrame(recs)
    info = lookup.areas().set_index("area_code")
    df["area_name"] = df["area_code"].map(info["area_name"])
    df["area_type"] = df["area_code"].map(info["area_type"])
    for col in ("ci_lower", "ci_upper"):
        if col not in df:
            df[col] = np.nan
    return indicators.make(df, source="test")


def _one(status: pd.DataFrame, label: str, area: str = FALUN, sex: str = "totalt") -> pd.Series:
    r = status[(status["label"] == label) & (status["area_code"] == area) & (status["sex"] == sex)]
    assert len(r) == 1, r
    return r.iloc[0]


# --------------------------------------------------------------------------- the goal file
def test_real_goal_file_has_22_goals_in_skr_areas():
    goals = goal_file.load_goals()
    assert sorted(goals["goal"].unique()) == list(range(1, 23))
    area = goals.drop_duplicates("goal").set_index("goal")["goal_area"]
    assert set(area.loc[1:9]) == {"God och jämlik hälsa"}
    assert set(area.loc[10:18]) == {"God kvalitet"}
    assert set(area.loc[19:22]) == {"Hållbart och uthålligt"}
    assert set(goals["mapping"]) <= set(goal_file.MAPPINGS)
    g1 = goals[goals["goal"] == 1].iloc[0]
    assert g1["mapping"] == "missing" and pd.isna(g1["kpi"])
    assert list(goals.loc[goals["goal"] == 13, "label"]) == ["13a", "13b"]
    # examples named in the issue
    kpi = goals.dropna(subset=["kpi"]).set_index("kpi")
    assert kpi.loc["N80401", "goal"] == 2 and kpi.loc["N80401", "level"] == "region"
    assert kpi.loc["N02797", "direction"] == "lower" and kpi.loc["N02797", "target_change"] == -2
    assert kpi.loc["U01405", "uncertainty_kpi"] == "U01511"
    # target in the KPI's unit: −10 per 1 000 = −1 000 per 100 000
    row = kpi.loc["N20402"]
    assert (
        strategi.target_in_kpi_unit(row["target_change"], row["target_unit"], row["unit"]) == -1000
    )
    # pupil survey: no comparison over time (SKR 2023)
    assert not kpi.loc[["N15613", "N15623", "N15602"], "comparable_over_time"].any()
    assert strategi.goal_problems(goals).empty


@pytest.mark.reference
def test_goal_file_against_real_catalog(reference_dir):
    records = json.loads((reference_dir / "kolada" / "v3_kpi_catalog.json").read_text())["values"]
    assert len(records) == 6099
    cat = strategi_kolada.catalog_index(records)
    goals = goal_file.load_goals()
    problems = strategi.goal_problems(goals, cat)
    assert problems.empty, problems.to_string()
    for g in goals.dropna(subset=["kpi"]).itertuples():
        assert g.kpi in cat
        assert strategi_kolada.norm_title(cat[g.kpi]["title"]) == strategi_kolada.norm_title(
            g.title
        )
        if isinstance(g.uncertainty_kpi, str):
            assert cat[g.uncertainty_kpi]["title"].startswith("Osäkerhetstal - ")
            found = strategi_kolada.find_uncertainty_kpi(g.kpi, cat)
            assert found["id"] == g.uncertainty_kpi and found["quality"] == g.uncertainty_mapping
    # title matching: exact, reworded, a number that differs, and a near-namesake
    assert strategi_kolada.find_uncertainty_kpi("U01429", cat)["quality"] == "exact"
    assert strategi_kolada.find_uncertainty_kpi("U01402", cat)["id"] == "U01508"
    assert strategi_kolada.find_uncertainty_kpi("U01425", cat) is None  # "7 timmar" has none
    assert strategi_kolada.find_uncertainty_kpi("U21466", cat)["id"] == "N21451"
    assert strategi_kolada.find_uncertainty_kpi("U21504", cat) is None  # "alltid eller oftast"


@pytest.mark.reference
def test_catalog_problems_are_reported_per_goal(reference_dir):
    records = json.loads((reference_dir / "kolada" / "v3_kpi_catalog.json").read_text())["values"]
    cat = strategi_kolada.catalog_index(records)
    spec = _spec(
        _goal(1, _ind("N20402", title="Fallskador", unit="procent")),  # catalogue: per 100 000
        _goal(2, _ind("U01405", title="Invånare med bra självskattat hälsotillstånd, andel (%)")),
        _goal(3, _ind("N99999")),
    )
    problems = text_strategi.with_problem_texts(strategi.goal_problems(_goals(spec), cat))
    by_goal = problems.groupby("goal")["message"].apply(" ".join)
    assert "inte en andel" in by_goal[1] and "100 000" in by_goal[1]
    assert "U01511" in by_goal[2]  # the catalogue has an Osäkerhetstal the file does not use
    assert "finns inte i Koladas katalog" in by_goal[3]


def test_schema_errors_are_collected():
    bad = _spec(
        _goal(1, _ind("N00001", level="upp")),
        _goal(1, _ind("N00002", typo=True)),
        _goal(3, {k: v for k, v in _ind("N00003").items() if k != "target_unit"}),
        _goal(4, area="Okänt område"),
        _goal(
            5,
            {
                "indicator": "finns_inte",
                "target_change": 2,
                "target_unit": "pp",
                "mapping": "exact",
            },
        ),
    )
    with pytest.raises(DataError) as err:
        _goals(bad)
    text = str(err.value)
    assert "level 'upp'" in text
    assert "förekommer flera gånger" in text
    assert "okänd nyckel 'typo'" in text
    assert "'target_unit' saknas" in text
    assert "area ska vara" in text
    assert "mapping: missing" in text  # goal 4 has no indicators
    assert "'finns_inte' finns inte i indikatorkatalogen" in text


def test_unit_from_title_and_targets():
    assert strategi_kolada.unit_from_title("Kariesfria 3-åringar, andel (%)") == "procent"
    assert (
        strategi_kolada.unit_from_title(
            "Fallskador bland personer 80+, 3-årsm, antal slutenvårdstillfällen/100 000 inv"
        )
        == "per 100 000"
    )
    assert strategi_kolada.unit_from_title("Medellivslängd män, år") == "år"
    assert (
        strategi_kolada.unit_from_title("Patientupplevd kvalitet ... i primärvården, index (-2024)")
        == "index"
    )
    assert (
        strategi_kolada.unit_from_title("Brukarbedömning hemtjänst - bemötande, medelvärde") is None
    )
    assert strategi.target_text(-10, "per 1000") == "−10 per 1 000 invånare"
    assert strategi.target_text(2, "pp") == "+2 procentenheter"
    assert strategi.target_text(None, "år") == "ökning"
    assert math.isnan(strategi.target_in_kpi_unit(2, "pp", "per 100 000"))


# --------------------------------------------------------------------------- status rules
@pytest.mark.parametrize(
    ("change", "target", "direction", "margin", "expected"),
    [
        (2.5, 2, "higher", None, strategi.STATUS_REACHED),
        (2.0, 2, "higher", None, strategi.STATUS_REACHED),  # exactly the target
        (1.0, 2, "higher", None, strategi.STATUS_CLOSER),
        (0.0, 2, "higher", None, strategi.STATUS_CLOSER),  # unchanged
        (-0.5, 2, "higher", None, strategi.STATUS_WORSE),
        (-2.0, -2, "lower", None, strategi.STATUS_REACHED),
        (-1.5, -2, "lower", None, strategi.STATUS_CLOSER),
        (0.3, -2, "lower", None, strategi.STATUS_WORSE),
        (4.0, 2, "higher", 5.0, strategi.STATUS_WITHIN_MARGIN),
        (5.0, 2, "higher", 5.0, strategi.STATUS_WITHIN_MARGIN),  # not larger than the margin
        (-5.0, 2, "higher", 5.0, strategi.STATUS_WITHIN_MARGIN),  # no false worsening
        (5.1, 2, "higher", 5.0, strategi.STATUS_REACHED),
        (-5.1, 2, "higher", 5.0, strategi.STATUS_WORSE),
        (0.1, None, "higher", None, strategi.STATUS_REACHED),  # "ska öka": any improvement
        (0.0, None, "higher", None, strategi.STATUS_CLOSER),
        (-0.1, None, "higher", None, strategi.STATUS_WORSE),
        (float("nan"), 2, "higher", None, strategi.STATUS_NO_DATA),
    ],
)
def test_classify_change(change, target, direction, margin, expected):
    assert strategi.classify_change(change, target, direction, margin) == expected


@pytest.fixture
def case_goals() -> pd.DataFrame:
    spec = _spec(
        _goal(1, mapping="missing", candidates=["U01424"]),
        _goal(2, _ind("N00001", divided_by_sex=True)),
        _goal(
            3,
            _ind(
                "U00001",
                target_change=3,
                survey=True,
                uncertainty_kpi="U00002",
                uncertainty_mapping="exact",
                pooled_years=4,
            ),
        ),
        _goal(4, _ind("N00003", comparable_over_time=False)),
        _goal(5, _ind("N00004", series_break=2023), _ind("N00010", series_break=2023)),
        _goal(6, _ind("N00005")),
        _goal(7, _ind("N00006", unit="per 100 000", decimals=0)),
        _goal(8, _ind("N00007")),
        _goal(9, _ind("N00008", level="region")),
        _goal(10, _ind("N00009", direction="lower", target_change=-2)),
        _goal(11, _ind("N00011", direction="lower", target_change=2)),
        _goal(
            12,
            _ind("N00925", unit="år", target_unit="år", target_change=None, sex="kvinnor"),
            area="Hållbart och uthålligt",
        ),
    )
    return _goals(spec)


@pytest.fixture
def case_table() -> pd.DataFrame:
    rows = [
        # goal 2: +3 pp (reached) in total; women +1 (closer), men −1 (worse)
        (FALUN, 2017, "N00001", 50.0),
        (FALUN, 2024, "N00001", 53.0),
        (FALUN, 2017, "N00001", 52.0, "kvinnor"),
        (FALUN, 2024, "N00001", 53.0, "kvinnor"),
        (FALUN, 2017, "N00001", 48.0, "män"),
        (FALUN, 2024, "N00001", 47.0, "män"),
        # goal 3: survey, Osäkerhetstal as separate KPI U00002
        (FALUN, 2017, "U00001", 60.0),
        (FALUN, 2024, "U00001", 64.0),
        (FALUN, 2017, "U00002", 3.0),
        (FALUN, 2024, "U00002", 4.0),
        (BORLANGE, 2017, "U00001", 60.0),
        (BORLANGE, 2024, "U00001", 64.0),
        (BORLANGE, 2017, "U00002", 1.0),
        (BORLANGE, 2024, "U00002", 1.0),
        # goal 4: not comparable over time
        (FALUN, 2017, "N00003", 80.0),
        (FALUN, 2024, "N00003", 90.0),
        # goal 5a: break in 2023 → 2017 vs 2022; 5b: nothing between baseline and break
        (FALUN, 2017, "N00004", 70.0),
        (FALUN, 2022, "N00004", 72.0),
        (FALUN, 2024, "N00004", 80.0),
        (FALUN, 2017, "N00010", 70.0),
        (FALUN, 2024, "N00010", 80.0),
        # goal 6: no baseline value
        (FALUN, 2019, "N00005", 40.0),
        (FALUN, 2024, "N00005", 45.0),
        # goal 7: rate with a pp target
        (FALUN, 2017, "N00006", 4000.0),
        (FALUN, 2024, "N00006", 3900.0),
        # goal 8: N00007 absent from the data
        # goal 9: region level
        (DALARNA, 2017, "N00008", 90.0),
        (DALARNA, 2023, "N00008", 93.5),
        # goal 10: lower is better, −1.5 of −2
        (FALUN, 2017, "N00009", 10.0),
        (FALUN, 2024, "N00009", 8.5),
        # goal 11: lower is better but target +2
        (FALUN, 2017, "N00011", 10.0),
        (FALUN, 2024, "N00011", 8.0),
        # goal 12: life expectancy of women, delivered with gender T
        (FALUN, 2017, "N00925", 84.0),
        (FALUN, 2024, "N00925", 84.6),
    ]
    return _table(rows)


def test_status_rules_hand_computed(case_goals, case_table):
    st = strategi.goal_status(case_table, case_goals, [FALUN, BORLANGE])
    assert set(st.columns) == set(strategi.STATUS_COLUMNS)
    # the statistics give remark codes; the Swedish texts come from helpers.text.strategi
    assert _one(st, "1")["messages"] == [("no_kpi", {})]
    assert _one(st, "5a")["notes"] == [("break_before", {"break": 2023, "year": 2022})]
    assert {c for rs in st["messages"] for c, _ in rs} <= set(strategi.REMARKS)
    st = text_strategi.with_status_texts(st)

    r = _one(st, "1")
    assert r["status"] == strategi.STATUS_NO_DATA and "Ingen KPI" in r["message"]

    r = _one(st, "2")
    assert (r["baseline"], r["latest"], r["change"]) == (50.0, 53.0, 3.0)
    assert r["status"] == strategi.STATUS_REACHED and r["message"] == ""
    assert _one(st, "2", sex="kvinnor")["status"] == strategi.STATUS_CLOSER
    assert _one(st, "2", sex="män")["status"] == strategi.STATUS_WORSE

    # survey: |4| <= sqrt(3² + 4²) = 5 → within the margin; Borlänge: margin √2 → reached (+4 ≥ 3)
    r = _one(st, "3")
    assert r["margin"] == pytest.approx(5.0)
    assert r["status"] == strategi.STATUS_WITHIN_MARGIN
    r = _one(st, "3", area=BORLANGE)
    assert r["margin"] == pytest.approx(math.sqrt(2))
    assert r["status"] == strategi.STATUS_REACHED

    r = _one(st, "4")
    assert r["status"] == strategi.STATUS_NOT_COMPARABLE and r["latest"] == 90.0

    r = _one(st, "5a")
    assert r["latest_year"] == 2022 and r["change"] == 2.0
    assert r["status"] == strategi.STATUS_REACHED and "Tidsseriebrott 2023" in r["note"]
    assert _one(st, "5b")["status"] == strategi.STATUS_NOT_COMPARABLE

    r = _one(st, "6")
    assert r["status"] == strategi.STATUS_NO_DATA
    assert "Basåret 2017 saknar värde" in r["message"] and "2019" in r["message"]

    r = _one(st, "7")
    assert r["status"] == strategi.STATUS_NOT_ASSESSED
    assert "procentenheter" in r["message"] and "inte en andel" in r["message"]

    r = _one(st, "8")
    assert r["status"] == strategi.STATUS_NO_DATA and "N00007" in r["message"]

    r = _one(st, "9")
    assert r["value_area_code"] == DALARNA and r["latest_year"] == 2023
    assert r["change"] == pytest.approx(3.5) and r["status"] == strategi.STATUS_REACHED
    assert "regionnivå" in r["note"]

    r = _one(st, "10")
    assert r["change"] == pytest.approx(-1.5) and r["status"] == strategi.STATUS_CLOSER

    r = _one(st, "11")
    assert r["status"] == strategi.STATUS_NOT_ASSESSED and "fel håll" in r["message"]

    r = _one(st, "12", sex="kvinnor")
    assert r["change"] == pytest.approx(0.6) and r["status"] == strategi.STATUS_REACHED
    assert r["target_text"] == "ökning"

    # the other goals still got their statuses although several goals were bad
    assert (st["status"] == strategi.STATUS_REACHED).sum() >= 5


def test_unknown_kpi_in_catalog_and_until_year(case_goals, case_table):
    catalog = [{"id": k, "title": f"{k}, andel (%)"} for k in ("N00001", "U00001")]
    st = text_strategi.with_status_texts(
        strategi.goal_status(case_table, case_goals, FALUN, catalog=catalog)
    )
    r = _one(st, "4")
    assert r["status"] == strategi.STATUS_NO_DATA
    assert "N00003 finns inte i Koladas katalog" in r["message"]
    assert _one(st, "2")["status"] == strategi.STATUS_REACHED
    st = strategi.goal_status(case_table, case_goals, FALUN, until_year=2020)
    assert _one(st, "2")["status"] == strategi.STATUS_NO_DATA  # nothing after 2017 up to 2020


def test_attach_uncertainty_makes_intervals(case_goals):
    t = _table(
        [
            (FALUN, 2024, "U00001", 1.5),
            (FALUN, 2024, "U00002", 2.0),
            (BORLANGE, 2024, "U00001", 40.0),
        ]
    )
    out = strategi.attach_uncertainty(t, case_goals)
    assert "U00002" not in set(out["indicator"])
    f = out[out["area_code"] == FALUN].iloc[0]
    assert (f["ci_lower"], f["ci_upper"]) == (0.0, 3.5)  # clipped at 0 %
    assert "Osäkerhetstal ±2,0" in f["flag_reason"]
    b = out[out["area_code"] == BORLANGE].iloc[0]
    assert np.isnan(b["ci_lower"])
    # the half-width used for the margin survives the clipping
    assert strategi._half_width(out[out["area_code"] == FALUN])[0] == pytest.approx(2.0)


def test_prepare_is_idempotent_and_recognises_its_own_output(case_goals):
    t = _table(
        [
            (FALUN, 2024, "U00001", 1.5),
            (FALUN, 2024, "U00002", 2.0),
            (FALUN, 2024, "X99999", 7.0),  # not a goal KPI: dropped
        ]
    )
    once = strategi.prepare(t, case_goals)
    assert set(once["indicator"]) == {"U00001"}
    assert (once["ci_lower"].iloc[0], once["ci_upper"].iloc[0]) == (0.0, 3.5)
    # a prepared table (or a row subset of one) comes back as it is ...
    assert strategi.prepare(once, case_goals) is once
    subset = once[once["period"] == 2024]
    assert strategi.prepare(subset, case_goals) is subset
    # ... but not for another goal table, and never the raw input
    other = case_goals.assign(uncertainty_kpi=None)
    assert strategi.prepare(once, other) is not once
    assert "strategi" not in "".join(t.attrs)


# --------------------------------------------------------------------------- groups
def _groups() -> list[dict]:
    def members(ids):
        return [{"member_id": i, "member_title": lookup.area_name(i)} for i in ids]

    return [
        {
            "id": "G1",
            "title": "Liknande kommuner socioekonomi, Falun, 2021",
            "members": members(PEERS[:3]),
        },
        {
            "id": "G2",
            "title": "Liknande kommuner socioekonomi, Falun, 2024",
            "members": members([FALUN, *PEERS]),  # a source listing the kommun itself
        },
        {
            "id": "G3",
            "title": "Liknande kommuner socioekonomi, Borlänge, 2024",
            "members": members(PEERS[:2]),
        },
        {"id": "G4", "title": "Liknande kommuner IFO, Falun, 2024", "members": members(PEERS[:2])},
        {"id": "G5", "title": "Dubblett, 2024", "members": members(PEERS[:2])},
        {"id": "G6", "title": "Dubblett, 2024", "members": members(PEERS[2:4])},
        {
            "id": "G7",
            "title": "Liknande regioner socioekonomi, Region Dalarna, 2024",
            "members": members(["0017", "0021"]),
        },
    ]


def test_find_group_newest_edition_none_and_ambiguous():
    g, msg = strategi_compare.find_group(_groups(), "Liknande kommuner socioekonomi, Falun,")
    assert g["id"] == "G2" and msg == ""
    g, msg = strategi_compare.find_group(_groups(), "liknande kommuner socioekonomi, falun, 2021")
    assert g["id"] == "G1"  # an exact title wins over the newest edition
    g, msg = strategi_compare.find_group(_groups(), "Liknande kommuner socioekonomi, Mora,")
    assert g is None and "Ingen kommungrupp" in msg and "Mora" in msg
    g, msg = strategi_compare.find_group(_groups(), "Falun")
    assert g is None and "flera kommungrupper" in msg and "G4" in msg
    g, msg = strategi_compare.find_group(_groups(), "Dubblett")
    assert g is None and "samma år" in msg


def test_similar_group_excludes_the_kommun_itself():
    g, msg = strategi_compare.similar_group(_groups(), FALUN)
    ids = [m["member_id"] for m in g["members"]]
    assert msg == "" and FALUN not in ids and ids == PEERS
    g, _ = strategi_compare.similar_group(_groups(), DALARNA)
    assert g["id"] == "G7"
    g, msg = strategi_compare.similar_group(_groups(), FALUN, title="Falun")
    assert g is None and "flera" in msg


def test_peer_mean_is_unweighted_and_excludes_the_kommun():
    values = pd.Series({FALUN: 100.0, "0840": 10.0, "1292": 20.0, "1383": np.nan})
    mean, n = strategi_compare.peer_mean(values, [FALUN, "0840", "1292", "1383"], FALUN)
    assert (mean, n) == (15.0, 2)
    mean, n = strategi_compare.peer_mean(values, ["1383"], FALUN)
    assert math.isnan(mean) and n == 0


# --------------------------------------------------------------------------- comparisons
@pytest.fixture
def cmp_goals() -> pd.DataFrame:
    return _goals(
        _spec(
            _goal(1, _ind("N00001")),
            _goal(
                2,
                _ind(
                    "U00001",
                    survey=True,
                    uncertainty_kpi="U00002",
                    uncertainty_mapping="exact",
                ),
            ),
            _goal(3, _ind("N00008", level="region")),
        )
    )


@pytest.fixture
def cmp_table() -> pd.DataFrame:
    peer_vals = [40.0, 42.0, 44.0, 46.0, 48.0, 50.0, 52.0]  # mean 46
    rows = [(FALUN, 2024, "N00001", 50.0), (DALARNA, 2024, "N00001", 45.0)]
    rows += [(RIKET, 2024, "N00001", 48.0)]
    rows += [(p, 2024, "N00001", v) for p, v in zip(PEERS, peer_vals, strict=True)]
    # survey: Falun 60 ± 4, Riket 56 ± 0,5 (diff 4 ≤ √(16 + 0,25)), peers 50 ± 3
    rows += [(FALUN, 2024, "U00001", 60.0), (FALUN, 2024, "U00002", 4.0)]
    rows += [(RIKET, 2024, "U00001", 56.0), (RIKET, 2024, "U00002", 0.5)]
    rows += [(p, 2024, "U00001", 50.0) for p in PEERS[:4]]
    rows += [(p, 2024, "U00002", 3.0) for p in PEERS[:4]]
    # region-level KPI
    rows += [(DALARNA, 2024, "N00008", 90.0), (RIKET, 2024, "N00008", 92.0)]
    rows += [("0017", 2024, "N00008", 80.0), ("0021", 2024, "N00008", 84.0)]
    return _table(rows)


def test_comparisons_hand_computed(cmp_goals, cmp_table):
    comp = strategi_compare.comparisons(cmp_table, cmp_goals, FALUN, _groups())
    c = comp[comp["kpi"] == "N00001"].set_index("comparison")
    kommun_values = [50.0, 40.0, 42.0, 44.0, 46.0, 48.0, 50.0, 52.0]  # all kommuner with a value
    sd = float(np.std(kommun_values, ddof=1))
    assert c.loc["län", "ref_value"] == 45.0 and c.loc["län", "diff"] == 5.0
    assert c.loc["riket", "diff"] == 2.0
    assert c.loc["liknande", "ref_value"] == pytest.approx(46.0)  # Falun (50) not counted
    assert c.loc["liknande", "n_ref"] == 7 and c.loc["liknande", "ref_code"] == "G2"
    assert c.loc["liknande", "z"] == pytest.approx(4.0 / sd)
    assert c["better"].all()
    assert not c["uncertain"].any()  # register KPI: no uncertainty known

    u = comp[comp["kpi"] == "U00001"].set_index("comparison")
    assert u.loc["riket", "diff"] == 4.0
    assert u.loc["riket", "margin"] == pytest.approx(math.hypot(4.0, 0.5))
    assert bool(u.loc["riket", "uncertain"])
    peer_u = math.sqrt(4 * 3.0**2) / 4
    assert u.loc["liknande", "ref_u"] == pytest.approx(peer_u)
    assert u.loc["liknande", "n_ref"] == 4
    assert not bool(u.loc["liknande", "uncertain"])  # 10 > √(16 + 2,25)
    assert u.loc["län", "message"] == "referensen saknar värde samma år"

    r = comp[comp["kpi"] == "N00008"].set_index("comparison")
    assert set(r.index) == {"riket", "liknande"} and (r["area_code"] == DALARNA).all()
    assert r.loc["liknande", "ref_value"] == 82.0 and not bool(r.loc["riket", "better"])


def test_comparisons_report_a_bad_group_title(cmp_goals, cmp_table):
    comp = strategi_compare.comparisons(cmp_table, cmp_goals, FALUN, _groups(), group_title="Falun")
    row = comp[(comp["kpi"] == "N00001") & (comp["comparison"] == "liknande")].iloc[0]
    assert np.isnan(row["ref_value"]) and "matchar flera kommungrupper" in row["message"]
    # the other comparisons are still made
    assert comp[(comp["kpi"] == "N00001") & (comp["comparison"] == "län")]["diff"].iloc[0] == 5.0


# --------------------------------------------------------------------------- rank colours
def test_rank_colours_follow_the_direction():
    codes = ["2021", "2023", "2026", "2029", "2031", "2034"]
    goals = _goals(
        _spec(
            _goal(1, _ind("N00001")), _goal(2, _ind("N00002", direction="lower", target_change=-2))
        )
    )
    rows = [(c, 2024, "N00001", float(v)) for c, v in zip(codes, [1, 2, 3, 4, 5, 6], strict=True)]
    rows += [(c, 2024, "N00002", float(v)) for c, v in zip(codes, [1, 2, 3, 4, 5, 6], strict=True)]
    rows += [(DALARNA, 2024, "N00001", 100.0)]  # regions are not ranked with kommuner
    ranks = strategi_compare.rank_colours(_table(rows), goals)
    hi = ranks[ranks["kpi"] == "N00001"].set_index("area_code")
    assert len(hi) == 6 and (hi["n"] == 6).all()
    assert hi["colour"].tolist() == ["röd", "röd", "gul", "gul", "grön", "grön"]
    assert hi.loc["2034", "rank"] == 1
    lo = ranks[ranks["kpi"] == "N00002"].set_index("area_code")
    assert lo["colour"].tolist() == ["grön", "grön", "gul", "gul", "röd", "röd"]
    # ties share the best rank
    tie = _table([(c, 2024, "N00001", 5.0) for c in codes[:3]])
    assert strategi_compare.rank_colours(tie, goals)["colour"].tolist() == ["grön"] * 3


def test_rank_colour_beside_status_explains_a_disagreement(case_goals, case_table):
    st = strategi.goal_status(case_table, case_goals, [FALUN, BORLANGE])
    ranks = pd.DataFrame(
        {
            "kpi": ["N00001", "N00009"],
            "sex": ["totalt", "totalt"],
            "period": [2024, 2024],
            "area_code": [FALUN, FALUN],
            "value": [53.0, 8.5],
            "rank": [250, 10],
            "n": [290, 290],
            "colour": ["röd", "grön"],
        }
    )
    out = strategi_compare.add_rank_colours(st, ranks)
    r = _one(out, "2")
    assert r["colour"] == "röd" and bool(r["differs"])  # reached but red
    assert not _one(out, "10")["differs"]  # closer and green agree
    falun = out[out["area_code"] == FALUN]
    comment = text_strategi.status_display(falun).set_index("Mål")["Kommentar"]
    assert (
        text_strategi.WHY_DIFFER in comment["2"] and text_strategi.WHY_DIFFER not in comment["10"]
    )
    assert _one(out, "4")["colour"] == strategi.RANK_MISSING


# --------------------------------------------------------------------------- deviations
def test_deviations_rank_and_write_swedish_sentences(cmp_goals, cmp_table):
    comp = strategi_compare.comparisons(cmp_table, cmp_goals, FALUN, _groups())
    dev = text_strategi.with_sentences(strategi_compare.deviations(comp, area_code=FALUN))
    assert dev["rank"].tolist() == list(range(1, len(dev) + 1))
    assert dev["score"].is_monotonic_decreasing
    assert set(dev["kpi"]) == {"N00001", "U00001"}  # the region KPI is left out
    sentence = dev.set_index("kpi").loc["N00001", "sentence"]
    assert sentence.startswith(
        "Test N00001: Falun 50,0\u00a0% (2024) är 5,0 procentenheter högre än"
    )
    assert "länet, Region Dalarna (45,0\u00a0%)" in sentence and "bättre" in sentence
    # a worsening status enters the list with its own sentence
    status = strategi.goal_status(
        _table([(FALUN, 2017, "N00001", 56.0), (FALUN, 2024, "N00001", 50.0)]), cmp_goals, FALUN
    )
    dev = strategi_compare.deviations(comp, status, area_code=FALUN, top=None)
    dev = text_strategi.with_sentences(dev)
    worse = dev[dev["kind"] == strategi_compare.KIND_WORSENING].iloc[0]
    assert "från 56,0\u00a0% (2017) till 50,0\u00a0% (2024)" in worse["sentence"]
    assert "försämring med 6,0 procentenheter" in worse["sentence"]


def test_uncertain_deviations_are_marked():
    goals = _goals(_spec(_goal(1, _ind("U00001", survey=True, uncertainty_kpi="U00002"))))
    rows = [(FALUN, 2024, "U00001", 60.0), (FALUN, 2024, "U00002", 6.0)]
    rows += [(RIKET, 2024, "U00001", 56.0), (BORLANGE, 2024, "U00001", 50.0)]
    comp = strategi_compare.comparisons(_table(rows), goals, FALUN, _groups())
    dev = text_strategi.with_sentences(strategi_compare.deviations(comp, area_code=FALUN))
    assert bool(dev["uncertain"].iloc[0])
    # Plain words, no z-score: the difference 4,0 lies within the margin sqrt(6²) = 6.
    assert (
        dev["sentence"]
        .iloc[0]
        .endswith("– inte säkert skild från riket (skillnaden ryms inom felmarginalen).")
    )
    assert "standardavvikelser" not in " ".join(dev["sentence"])


# --------------------------------------------------------------------------- Kolada group
class FakeClient:
    """Returns a recorded-like /v3/kpi_groups answer (a DataFrame, as helpers.sources.kolada does)."""

    def __init__(self, groups):
        self.groups = groups
        self.calls = []

    def kpi_groups(self, title=None):
        self.calls.append(title)
        return pd.DataFrame(self.groups, columns=["id", "title", "members"])


def test_compare_with_kolada_group_reports_differences():
    goals = goal_file.load_goals()
    ours = goals.dropna(subset=["kpi"])
    members = [
        {"member_id": k, "member_title": t}
        for k, t in zip(ours["kpi"], ours["title"], strict=True)
        if k != "N66077"
    ]
    members[0] = {**members[0], "member_title": "Kariesfria treåringar (gammal titel)"}
    members.append({"member_id": "U01424", "member_title": "Kvinnor som röker eller snusar ..."})
    client = FakeClient(
        [
            {"id": "G1", "title": "Strategi för hälsa", "members": members},
            {"id": "G2", "title": "Strategiska nyckeltal", "members": []},
        ]
    )
    diff = data_strategi.compare_with_kolada_group(client, goals)
    assert client.calls == ["strategi"]
    d = diff.set_index("kpi")
    assert d.loc["N66077", "difference"] == "bara i yaml" and d.loc["N66077", "label"] == "20"
    assert d.loc["U01424", "difference"] == "bara i Kolada"
    assert "finns i Koladas grupp men inte i" in d.loc["U01424", "message"]
    assert d.loc[members[0]["member_id"], "difference"] == "olika titel"
    assert len(diff) == 3 and (d["group_id"].isin(["G1", ""])).all()
    full = data_strategi.compare_with_kolada_group(client, goals, only_differences=False)
    assert len(full) == len(set(ours["kpi"])) + 1


def test_compare_with_kolada_group_without_a_group():
    diff = data_strategi.compare_with_kolada_group(FakeClient([]), goal_file.load_goals())
    assert len(diff) == 1 and "Ingen KPI-grupp" in diff["message"].iloc[0]


# --------------------------------------------------------------------------- display, trends
def test_status_display_and_trend_data(case_goals, case_table):
    st = strategi.goal_status(case_table, case_goals, FALUN)
    disp = text_strategi.status_display(st)
    row = disp.set_index("Mål").loc["2"]
    assert row["Basvärde"] == "50,0\u00a0%" and row["Förändring"].startswith("+3,0")
    assert row["Status"] == "✓ Målet är nått eller överträffat"
    assert "12" in set(disp["Mål"])  # single-sex KPI shown although sex is kvinnor
    both = text_strategi.status_display(st, sexes=("kvinnor", "män"))
    assert "Test N00001 (kvinnor)" in set(both["Indikator"])

    t = _table(
        [(FALUN, y, "N00001", 50.0 + i) for i, y in enumerate((2017, 2018))]
        + [(p, 2018, "N00001", 40.0) for p in PEERS]
        + [(DALARNA, 2018, "N00001", 45.0), (RIKET, 2018, "N00001", 47.0)]
    )
    g = case_goals[case_goals["kpi"] == "N00001"]
    tr = strategi_compare.trend_data(t, g, FALUN, _groups())
    assert set(tr["series"]) == {"område", "län", "riket", "liknande"}
    peer = tr[(tr["series"] == "liknande") & (tr["period"] == 2018)].iloc[0]
    assert (peer["value"], peer["n"]) == (40.0, 7)


def test_status_counts_cover_all_areas(case_goals, case_table):
    counts = strategi.status_counts(strategi.goal_status(case_table, case_goals, FALUN))
    assert list(counts.index) == list(goal_file.AREAS)
    assert list(counts.columns) == list(strategi.STATUSES)
    assert counts.loc["Hållbart och uthålligt", strategi.STATUS_REACHED] == 1


def test_goals_from_dict_does_not_modify_its_input():
    spec, cat = _split(_spec(_goal(1, _ind("N00001"))))
    before = copy.deepcopy(spec)
    goal_file.goals_from_dict(spec, catalogue=cat)
    assert spec == before


# --------------------------------------------------------------------------- recorded real data
def test_goal_19_on_recorded_real_kolada_data(reference_dir):
    """Goal 19 (life expectancy) for Arboga on real Kolada values and real municipality groups."""
    kolada_dir = reference_dir / "kolada"
    frames = []
    for kpi, name in [("N00925", "kvinnor"), ("N00923", "man")]:
        raw = pd.read_csv(
            kolada_dir / f"v2_flat_{kpi}_medellivslangd_{name}_T_excluding_lan20.csv",
            dtype={"geo": str},
        )
        frames.append(
            pd.DataFrame(
                {
                    "gender": "T",
                    "count": 1,
                    "status": "",
                    "value": raw[kpi.lower()],
                    "kpi": kpi,
                    "year": raw["year"],
                    "municipality_id": raw["geo"],
                }
            )
        )
    flat = pd.concat(frames, ignore_index=True)
    from helpers.sources import kolada_tables

    # the column names of kolada_tables.flatten_values
    table = kolada_tables.to_indicator_table(
        flat.rename(columns={"municipality_id": "municipality", "year": "period"})
    )
    groups = json.loads((kolada_dir / "v3_municipality_groups.json").read_text("utf-8"))["values"]
    goals = goal_file.load_goals()
    goals19 = goals[goals["goal"] == 19]
    arboga = "1984"

    status = strategi.goal_status(table, goals19, arboga)
    assert set(status["sex"]) == {"kvinnor", "män"}
    latest = int(flat["year"].max())
    for kpi, sex in [("N00925", "kvinnor"), ("N00923", "män")]:
        row = status[(status["kpi"] == kpi) & (status["sex"] == sex)].iloc[0]
        own = flat[(flat["kpi"] == kpi) & (flat["municipality_id"] == arboga)].set_index("year")
        assert row["latest_year"] == latest
        assert row["latest"] == pytest.approx(own.loc[latest, "value"])
        base = int(row["baseline_year"])
        assert row["baseline"] == pytest.approx(own.loc[base, "value"])
        assert row["change"] == pytest.approx(own.loc[latest, "value"] - own.loc[base, "value"])

    comp = strategi_compare.comparisons(table, goals19, arboga, groups)
    women = comp[(comp["kpi"] == "N00925") & (comp["sex"] == "kvinnor")].set_index("comparison")
    year = int(women.loc["riket", "period"])
    values = flat[(flat["kpi"] == "N00925") & (flat["year"] == year)].set_index("municipality_id")
    assert women.loc["riket", "ref_value"] == pytest.approx(values.loc["0000", "value"])
    assert women.loc["län", "ref_code"] == "0019"  # Västmanland
    assert women.loc["län", "ref_value"] == pytest.approx(values.loc["0019", "value"])
    # "Liknande kommuner socioekonomi, Arboga" has 7 members; Avesta (Dalarna) is not in the
    # recording, so the mean is over the 6 others, and Arboga itself is never a member.
    group = next(
        g for g in groups if g["title"].startswith("Liknande kommuner socioekonomi, Arboga")
    )
    members = [m["member_id"] for m in group["members"]]
    have = [m for m in members if m in values.index and m != arboga]
    assert women.loc["liknande", "n_ref"] == len(have) == 6
    assert women.loc["liknande", "ref_value"] == pytest.approx(values.loc[have, "value"].mean())
    assert women.loc["liknande", "diff"] == pytest.approx(
        women.loc["liknande", "value"] - values.loc[have, "value"].mean()
    )
