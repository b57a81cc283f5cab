"""Benchmark: life tables for all 290 kommuner × 2 sexes × every five-year period.

Uses SCB's real counts from ``../shared/reference/scb`` when present, otherwise the
synthetic demo counts (:mod:`helpers.sources.demo.mortality`). Prints the time of each
step; the target is < 1 s for the life-table computation itself.

Run: ``.venv/bin/python benchmarks/bench_lifetable.py``
"""

from __future__ import annotations

import time

import pandas as pd

from helpers.core import paths
from helpers.stats import lifetable as lt
from helpers.stats import lifetable_chiang, lifetable_pooling, lifetable_scb


def load() -> tuple[pd.DataFrame, pd.DataFrame, str]:
    ref = paths.reference_dir()
    if ref is not None and (ref / "scb" / "scb_deaths_kommun_single_age.csv.gz").exists():
        scb = ref / "scb"
        d = pd.read_csv(scb / "scb_deaths_kommun_single_age.csv.gz", dtype={"kommunkod": str})
        p = pd.read_csv(
            scb / "scb_population_31dec_kommun_single_age.csv.gz", dtype={"kommunkod": str}
        )
        return d, p, "SCB (referensdata)"
    from helpers.sources.demo import mortality as demo_mortality

    d, p = demo_mortality.deaths_and_population()
    return d, p, "syntetiska demodata"


def timed(label: str, fn, repeat: int = 5):
    best = float("inf")
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    print(f"{label:<58s} {best * 1000:8.1f} ms (bästa av {repeat})")
    return out, best


def main() -> None:
    t0 = time.perf_counter()
    deaths, population, source = load()
    print(f"Data: {source}, inläst på {time.perf_counter() - t0:.1f} s")
    counts, _ = timed(
        "pool_periods (alla rullande femårsperioder)",
        lambda: lifetable_pooling.pool_periods(deaths, population),
        1,
    )
    n_groups = counts.groupby(["area_code", "sex", "period"]).ngroups
    periods = ", ".join(counts["period_label"].unique())
    print(f"{n_groups} grupper (kommun × kön × period): {periods}")
    abridged, _ = timed(
        "to_abridged (0, 1–4, …, 90+)", lambda: lifetable_pooling.to_abridged(counts), 1
    )
    _, t_table = timed(
        "life_table, förkortad tabell (Chiang II, KI)", lambda: lt.life_table(abridged)
    )
    _, t_le = timed(
        "life_expectancy e0/e30/e65, förkortad -> indikatortabell",
        lambda: lt.life_expectancy(abridged, at_ages=[0, 30, 65]),
    )
    _, t_single = timed(
        "life_table, ettårsklasser 0–100+",
        lambda: lt.life_table(counts, ages=lifetable_chiang.SINGLE_AGES),
    )
    _, t_scb = timed(
        "life_expectancy_scb e0/e30/e65, ettårig stängd vid 90 (SCB)",
        lambda: lifetable_scb.life_expectancy_scb(counts, at_ages=[0, 30, 65]),
    )
    worst = max(t_table, t_le, t_single, t_scb)
    verdict = "OK" if worst < 1.0 else "FÖR LÅNGSAMT"
    print(f"Livstabellsberäkningen: högst {worst:.3f} s (mål < 1 s): {verdict}")


if __name__ == "__main__":
    main()
