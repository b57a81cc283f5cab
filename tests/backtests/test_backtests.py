"""Backtests: the key figures of four demo reports, and one value per fact in all 15 of Dalarna.

The golden files in ``tests/backtests/golden/`` hold the key figures
(:func:`helpers.report.profile.key_facts`) of the demo reports for Falun (2080),
a large kommun (Stockholm 0180), a small one (Vansbro 2021) and a county with a
single kommun (Gotland 0980). They change only by an explicit command:

    .venv/bin/python tests/backtests/regenerate.py     # or: make golden

A difference is either a bug or an intended change; in the second case
regenerate and say why in the commit.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.core import lookup
from helpers.report import facts, profile
from helpers.sources.demo import build

pytestmark = pytest.mark.slow

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
GOLDEN = {"2080": "falun", "0180": "stockholm", "2021": "vansbro", "0980": "gotland"}
NUMBERS = ["value", "ci_lower", "ci_upper", "numerator", "denominator", "n"]
TEXTS = ["section", "area_name", "area_type", "period_label", "flag", "flag_reason"]


def golden_path(kommun: str) -> Path:
    return GOLDEN_DIR / f"{kommun}_{GOLDEN[kommun]}.csv"


def read_golden(path: Path) -> pd.DataFrame:
    return pd.read_csv(
        path,
        sep=";",
        decimal=",",
        encoding="utf-8-sig",
        dtype={c: str for c in ["area_code", "sex", "group", "indicator", *TEXTS]},
        keep_default_na=False,
        na_values={c: [""] for c in NUMBERS},
    )


@pytest.fixture(scope="module")
def profiles() -> dict[str, profile.Profile]:
    build.build_all()
    return {}


def _profile(cache: dict, kommun: str) -> profile.Profile:
    if kommun not in cache:
        cache[kommun] = profile.build(kommun, "demo", 2024, 5)
    return cache[kommun]


@pytest.mark.parametrize("kommun", list(GOLDEN))
def test_key_figures_match_the_golden_file(profiles, kommun, tmp_path):
    path = golden_path(kommun)
    assert path.is_file(), f"{path} saknas – kör tests/backtests/regenerate.py"
    now_path = facts.to_csv(profile.key_facts(_profile(profiles, kommun)), tmp_path / "nu.csv")
    now, gold = read_golden(now_path), read_golden(path)
    keys = facts.FACT_KEYS
    assert len(now) == len(gold) > 50
    merged = gold.merge(now, on=keys, how="outer", suffixes=("_golden", "_nu"), indicator=True)
    only = merged[merged["_merge"] != "both"][[*keys, "_merge"]]
    assert only.empty, f"fakta finns bara på ena sidan:\n{only.to_string()}"
    for col in NUMBERS:
        a, b = merged[f"{col}_golden"].to_numpy(float), merged[f"{col}_nu"].to_numpy(float)
        same = (np.isnan(a) & np.isnan(b)) | np.isclose(a, b, rtol=0, atol=1e-6)
        assert same.all(), (
            f"{col} skiljer:\n{merged.loc[~same, [*keys, f'{col}_golden', f'{col}_nu']]}"
        )
    for col in TEXTS:
        diff = merged[f"{col}_golden"] != merged[f"{col}_nu"]
        assert not diff.any(), (
            f"{col} skiljer:\n{merged.loc[diff, [*keys, f'{col}_golden', f'{col}_nu']]}"
        )


def test_all_dalarna_reports_show_one_value_per_fact(profiles):
    """Every demo report of Dalarna, and all of them together, show each fact with one value."""
    codes = lookup.kommuner_in("20")["kommun_code"].tolist()
    assert len(codes) == 15
    every = []
    for code in codes:
        p = _profile(profiles, code)
        profile.check(p)  # within the report
        f = p.facts.copy()
        f["section"] = code + " " + p.facts["section"]
        every.append(f)
    together = pd.concat(every, ignore_index=True)
    assert facts.conflicts(together).empty, facts.conflicts(together).to_string()
    # the same fact is really shown in several places: life expectancy of each kommun
    # appears in the Kolada-shaped sections and in the life-table section
    e0 = together[(together["indicator"] == "e0") & (together["area_code"] == "2021")]
    shown_in = e0.groupby(["sex", "period"])["source_indicator"].nunique()
    assert (shown_in.loc[(slice(None), 2024)] == 2).all()
    vansbro_men = e0[(e0["sex"] == "män") & (e0["period"] == 2024)]["value"].round(1).unique()
    assert len(vansbro_men) == 1
