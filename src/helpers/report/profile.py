"""The kommun profile: every section of one kommun's report, built in one place.

The report template (``notebooks/templates/kommunprofil.ipynb``) calls
:func:`build` once and then only shows what it returns; the backtests and the
"one fact, one value" checks call the same function, so what they check is
what the report shows. :func:`check` refuses a profile whose sections disagree
about a fact (same indicator, area, sex, period and group shown with two
values at the decimals shown).

Figures are closed after they are built (they stay displayable with
``IPython.display.display``), so building a profile never dumps figures into
the notebook cell that builds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import matplotlib.pyplot as plt
import pandas as pd

from helpers.core import lookup
from helpers.report import education as sections_education
from helpers.report import facts as report_facts
from helpers.report import life_expectancy as sections_e0
from helpers.report import mortality as sections_mortality
from helpers.report import overview as sections_overview
from helpers.report import strategi as sections_strategi
from helpers.report import survey as sections_survey
from helpers.report.section import Section
from helpers.sources import life_expectancy as data

#: The survey answer variables the profile shows.
SURVEY_VARIABLES: tuple[str, ...] = ("daily_smoking",)


@dataclass
class Profile:
    """All sections of one kommun's report, in report order.

    Attributes
    ----------
    kommun, kommun_name, lan_code, region_name : str
        The kommun and its county.
    data_source : str
        The validated source.
    benchmark : str
        What the first screen and the Strategi sentences compare the kommun with.
    life_expectancy : helpers.report.life_expectancy.LifeExpectancy
        Data and analyses behind the life-expectancy sections.
    sections : dict of str to Section
        ``sammanfattning``, ``tidsserie``, ``skillnad``, ``placering``, ``karta``,
        ``dodlighet``, ``utbildning``, ``enkat``, ``strategi`` and ``oversikt`` (the first
        screen: key messages and the spine chart, built last from the others' facts).
    """

    kommun: str
    kommun_name: str
    lan_code: str
    region_name: str
    data_source: str
    life_expectancy: sections_e0.LifeExpectancy
    sections: dict[str, Section] = field(default_factory=dict)
    benchmark: str = "län"

    def __getitem__(self, key: str) -> Section:
        return self.sections[key]

    @cached_property
    def facts(self) -> pd.DataFrame:
        """Every number the report shows (:func:`helpers.report.facts.combine`), combined once."""
        return report_facts.combine((s.title, s.facts) for s in self.sections.values())


def build(
    kommun: str | int,
    data_source: str = "demo",
    year: int = 2024,
    min_n: int = 5,
    survey: dict | None = None,
    benchmark: str = "län",
    palette: str = "okabe_ito",
) -> Profile:
    """Build every section of one kommun's report.

    Parameters
    ----------
    kommun : str or int
        Kommun code (``"2080"``; an int is zero-padded).
    data_source : str
        A source from :data:`helpers.config.sources.RUN_SOURCES`.
    year : int
        Last year of the latest period to show.
    min_n : int
        Disclosure threshold for survey cells.
    survey : dict, optional
        The run's survey input (:mod:`helpers.config.survey_input`); empty or
        None: the survey section uses ``data_source``.
    benchmark : {"län", "riket"}
        What the first screen (key messages, spine chart) compares the kommun with.
    palette : str
        The first screen's palette (:data:`helpers.config.theme.PALETTES`).

    Returns
    -------
    Profile
        With its sections; raises :class:`helpers.core.errors.DataError` when the
        life-expectancy checks fail.
    """
    data.check_source(data_source)
    kommun = lookup.pad_kommun(kommun)
    le = sections_e0.kommun_data(kommun, data_source, year)
    sections_e0.check_results(le)
    sections = {
        "sammanfattning": sections_e0.summary_section(le),
        "tidsserie": sections_e0.timeseries_section(le),
        "skillnad": sections_e0.range_section(le),
        "placering": sections_e0.rank_section(le),
        "karta": sections_e0.map_section(le),
        "dodlighet": sections_mortality.mortality_section(kommun, data_source, year),
        "utbildning": sections_education.education_section(le.lan_code, data_source),
        "enkat": sections_survey.survey_section(
            kommun, data_source, list(SURVEY_VARIABLES), min_n=min_n, survey=survey or None
        ),
        "strategi": sections_strategi.strategi_section(
            kommun, data_source, benchmark=benchmark, report_year=year
        ),
    }
    sections_survey.check_section(sections["enkat"], min_n)
    # Last, so it reuses the facts the sections show (the template shows it first).
    sections["oversikt"] = sections_overview.overview_section(
        kommun, sections, data_source, benchmark=benchmark, palette=palette
    )
    for section in sections.values():
        for fig in section.figures.values():
            plt.close(fig)
    return Profile(
        kommun=kommun,
        kommun_name=lookup.area_name(kommun),
        lan_code=le.lan_code,
        region_name=le.region_name,
        data_source=data_source,
        life_expectancy=le,
        sections=sections,
        benchmark=benchmark,
    )


def check(profile: Profile) -> None:
    """Refuse a profile that shows one fact with two values (Swedish :class:`DataError`)."""
    report_facts.check_one_value(profile.facts, where=f"rapporten för {profile.kommun_name}")


def facts_payload(profile: Profile) -> dict[str, list[dict]]:
    """Return a raw display bundle that hands the facts to the runner.

    ``display(facts_payload(p), raw=True)`` in the template puts the facts
    (JSON records, NaN as null) under :data:`helpers.report.facts.MIMETYPE`,
    which HTML does not show; the runner writes them as the report's data file.
    """
    return {report_facts.MIMETYPE: report_facts.to_records(profile.facts)}


def key_facts(profile: Profile) -> pd.DataFrame:
    """Return the report's key figures: one row per fact about the kommun, its county and Riket.

    Facts about the county's other kommuner (rankings, maps) are left out; each
    fact appears once (the first section that shows it), sorted by the fact keys.
    The backtests store these as golden files. The first screen (``oversikt``)
    only repeats facts of the Strategi table and the sections; its own facts are
    checked by :func:`check`, not stored in the golden files.
    """
    f = profile.facts
    f = f[f["section"] != sections_overview.TITLE]
    areas = {profile.kommun, lookup.region_code(profile.lan_code), lookup.RIKET_CODE}
    own = f[f["area_code"].isin(areas)]
    return report_facts.unique_facts(own)
