"""Build every synthetic demo dataset, in dependency order (``python -m helpers.demo``).

Order: deaths and population (:mod:`helpers.sources.demo.mortality`) → life
expectancy in Kolada's shape computed from them
(:mod:`helpers.sources.demo.life_expectancy`) → survey microdata
(:mod:`helpers.sources.demo.survey`) → the Strategi-för-hälsa KPIs, which take
life expectancy and the survey KPIs from the two before
(:mod:`helpers.sources.demo.strategi`). Only what is not cached yet is built,
so the command is idempotent.
"""

from __future__ import annotations

from helpers.sources.demo import life_expectancy as demo_life_expectancy
from helpers.sources.demo import mortality as demo_mortality
from helpers.sources.demo import strategi as demo_strategi
from helpers.sources.demo import survey as demo_survey
from helpers.sources.demo.base import demo_cache


def build_all() -> dict[str, list]:
    """Build every demo dataset that is not cached yet; return manifest entries per dataset.

    Returns
    -------
    dict of str to list of helpers.core.cache.Entry
        ``dodlighet``, ``medellivslangd``, ``enkat``, ``strategi`` (in build order).
    """
    cache = demo_cache()
    return {
        "dodlighet": list(demo_mortality.write_mortality_demo(cache)),
        "medellivslangd": list(demo_life_expectancy.write_life_expectancy(cache)),
        "enkat": list(demo_survey.write_survey_demo(cache)),
        "strategi": list(demo_strategi.write_all(cache)),
    }


def main() -> None:
    """Command-line entry point: build the demo data and say where it is."""
    built = build_all()
    print(f"Demodata (syntetiska) i {demo_cache().dir}:")
    for name, entries in built.items():
        print(f"  {name}: {len(entries)} fil(er)")


__all__ = ["build_all", "demo_cache", "main"]

if __name__ == "__main__":
    main()
