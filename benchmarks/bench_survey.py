"""Benchmark: survey estimation for every kommun × sex × education × year.

Generates synthetic microdata (100 000 respondents spread over all 290
kommuner and four survey years, stratified by kommun, clustered in PSUs,
unequal weights, some missing answers), then times

* :func:`helpers.stats.survey.prevalence` at the finest level (kommun × sex × education × year),
* :func:`helpers.stats.survey.estimate_indicator` for kommun, län and Riket × sex ×
  education (12 domain sets), with reliability flags and disclosure control,
* :func:`helpers.stats.survey.compare_with_parent` (every kommun vs its county).

Run: ``.venv/bin/python benchmarks/bench_survey.py [n_respondents]``. The
target is under 10 s for the whole indicator.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from helpers.core import lookup
from helpers.stats import survey, survey_compare


def synthetic(n: int = 100_000, seed: int = 2024) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    kommuner = lookup.kommuner()["kommun_code"].to_numpy()
    years = np.array([2018, 2020, 2022, 2024])
    kommun = rng.choice(kommuner, n)
    year = rng.choice(years, n)
    psu = rng.integers(0, 8, n)
    level = {k: rng.normal(-2.0, 0.3) for k in kommuner}
    psu_effect = rng.normal(0, 0.3, 8)
    edu = rng.choice(["förgymnasial", "gymnasial", "eftergymnasial"], n, p=[0.15, 0.45, 0.40])
    eta = (
        np.array([level[k] for k in kommun])
        + psu_effect[psu]
        + np.where(edu == "förgymnasial", 0.7, 0.0)
    )
    y = rng.binomial(1, 1 / (1 + np.exp(-eta))).astype(float)
    y[rng.random(n) < 0.03] = np.nan
    return pd.DataFrame(
        {
            "kommun": kommun,
            "year": year,
            "sex": rng.choice(["kvinnor", "män"], n),
            "age_group": rng.choice(["16-29", "30-44", "45-64", "65-84"], n),
            "education": edu,
            "weight": rng.lognormal(4.0, 0.5, n),
            "stratum": kommun,
            "psu": psu,
            "daily_smoking": pd.array(y, dtype="Float64"),
        }
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    data = synthetic(n)
    print(
        f"{len(data):,} respondents, {data['kommun'].nunique()} kommuner, {data['year'].nunique()} years"
    )

    t0 = time.perf_counter()
    fine = survey.prevalence(data, "daily_smoking", ["kommun", "sex", "education"], psu="psu")
    t1 = time.perf_counter()
    print(f"prevalence, kommun × sex × education × year: {len(fine):,} domains in {t1 - t0:.2f} s")

    t0 = time.perf_counter()
    res = survey.estimate_indicator(
        data,
        "daily_smoking",
        "daily_smoking",
        "Syntetiska data",
        psu="psu",
        params={"disclosure": {"min_n": 5}},
    )
    t1 = time.perf_counter()
    print(
        f"estimate_indicator (kommun/län/Riket × sex × education × year): {len(res.table):,} rows in {t1 - t0:.2f} s"
    )
    print(res.table["flag"].value_counts().to_string())

    t0 = time.perf_counter()
    cmp_ = survey_compare.compare_with_parent(
        data, "daily_smoking", "lan", psu="psu", direction="lower_is_better"
    )
    t1 = time.perf_counter()
    print(f"compare_with_parent (kommun vs län × year): {len(cmp_):,} rows in {t1 - t0:.2f} s")


if __name__ == "__main__":
    main()
