"""Report section: remaining life expectancy at 30 by education level (the county).

``education_section(lan_code, data_source)``
    Region Dalarna's figure 1.1: e30 by education level for the county and
    Sweden; the gap between long and short education over time with its trend;
    which groups gained; SII/RII across the three levels.

Only the sources with a recipe for ``e30_utb`` in the catalogue can serve it
(:data:`helpers.sources.mortality.E30_SOURCES`); for any other source
(``kolada``) the section comes back with ``available=False`` and a Swedish
sentence saying why. Sentences come from :mod:`helpers.text.education`; the
analyses are memoized per source and county (:class:`helpers.core.memo.Memo`).
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from helpers.config import sources as registry
from helpers.core import indicators, lookup
from helpers.core.errors import DataError
from helpers.core.memo import Memo
from helpers.plots import inline
from helpers.plots import lifetable as pl
from helpers.report.section import Section
from helpers.sources import mortality_counts, mortality_education
from helpers.stats import education
from helpers.text.education import gains_sentence, gap_sentence, sii_sentence

SEXES: tuple[str, str] = ("kvinnor", "män")
#: Heading of the section.
TITLE = "Återstående medellivslängd vid 30 år efter utbildning"
_MEMO = Memo("avsnitt_utbildning")


def _display(table: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Return ``columns``' keys in that order, renamed to their Swedish headings."""
    return table[list(columns)].rename(columns=columns)


def clear_memo() -> None:
    """Forget the memoized education analyses."""
    _MEMO.clear()


def _education(source: str, lan_code: str) -> dict[str, pd.DataFrame]:
    def make() -> dict[str, pd.DataFrame]:
        e30 = mortality_education.e30_by_education(source, lan_code)
        gaps = education.gap(e30)
        return {
            "e30": e30,
            "gap": gaps,
            "trend": education.linear_trend(gaps),
            "band": education.trend_band(gaps),
            "gains": education.gains(e30),
            "sii": education.sii_by_period(e30),
        }

    key = ("education", source, lan_code, mortality_counts.raw_identity(source))
    return _MEMO.stored(key, make, persist=source != "scb")


def education_section(lan_code: str, data_source: str = "demo", *, figures: bool = True) -> Section:
    """Build the report section on life expectancy at 30 by education for a county.

    Parameters
    ----------
    lan_code : str
        Two-digit län code.
    data_source : str
        One of :data:`helpers.sources.mortality.E30_SOURCES`; any other known
        source (``"kolada"``) gives ``available=False`` with the reason.
    figures : bool
        Whether to draw the figures.

    Returns
    -------
    Section
        ``figures``: ``"figur_1_1"`` (e30 by education, county and Sweden),
        ``"skillnad"`` (the gap with its trend) and ``"sii"``; ``tables``:
        ``"skillnad"`` (gap, first and last period), ``"trend"``, ``"förändring"``
        (who gained) and ``"sii"``; ``sentences`` in Swedish; ``facts`` (the
        e30 rows of the county and Riket).
    """
    lookup.region_code(lan_code)
    registry.check_source(data_source)  # an unknown name is an error, not a section
    try:
        source = mortality_education.check_e30_source(data_source)
    except DataError as err:
        return Section(title=TITLE, sentences=[str(err)], available=False)
    data = _education(source, lan_code)
    return build_education_section(lan_code, data, figures=figures)


def build_education_section(
    lan_code: str, data: dict[str, pd.DataFrame], *, figures: bool = True
) -> Section:
    """Build :func:`education_section` from its tables (pure).

    Parameters
    ----------
    lan_code : str
        County.
    data : dict of str to DataFrame
        ``e30``, ``gap``, ``trend``, ``band``, ``gains`` and ``sii`` as made by
        :mod:`helpers.stats.education` from :func:`helpers.sources.mortality.e30_by_education`.
    figures : bool
        Whether to draw the figures.

    Returns
    -------
    Section
        See :func:`education_section`.
    """
    region = lookup.region_code(lan_code)
    e30, trend, gains, sii = data["e30"], data["trend"], data["gains"], data["sii"]
    areas = [a for a in (region, lookup.RIKET_CODE) if (e30["area_code"] == a).any()]
    sentences: list[str] = []
    if region not in areas:
        sentences.append(
            f"För {lookup.area_name(region)} finns inga värden efter utbildning i datakällan; "
            "avsnittet visar riket."
        )
    for area in areas:
        for sex in SEXES:
            t = trend[(trend["area_code"] == area) & (trend["sex"] == sex)]
            if not t.empty:
                sentences.append(gap_sentence(t.iloc[0]))
    for area in areas:
        sentences.append(gains_sentence(gains, area))
    for area in areas:
        for sex in SEXES:
            sentences.append(sii_sentence(sii, area, sex))
    sentences = [s for s in sentences if s]
    figs: dict[str, Figure] = {}
    if figures:
        # County-level charts: drawn once per county, the same object in every report.
        figs["figur_1_1"] = inline.shared(pl.education_lines, e30, lan_code)
        if not data["gap"].empty and indicators.usable(data["gap"]).any():
            figs["skillnad"] = inline.shared(pl.gap_trend, data["gap"], data["band"])
        if not sii.empty:
            figs["sii"] = inline.shared(pl.sii_over_time, sii)
    gap_table = _display(
        trend,
        {
            "area_name": "Område",
            "sex": "Kön",
            "first_label": "Första period",
            "first_value": "Skillnad första",
            "last_label": "Senaste period",
            "last_value": "Skillnad senaste",
            "change": "Trendens förändring",
        },
    )
    change_table = _display(
        gains[gains["group"].isin(education.LEVELS)],
        {
            "area_name": "Område",
            "sex": "Kön",
            "group": "Utbildning",
            "first_value": "Första",
            "last_value": "Senaste",
            "change": "Trendens förändring",
            "verdict": "Bedömning",
        },
    )
    notes = [
        "Skillnaden är eftergymnasial minus förgymnasial utbildning. Källan anger ingen "
        "osäkerhet för e30 efter utbildning; trendens konfidensintervall bygger på hur mycket "
        "värdena varierar kring trenden, med hänsyn till att femårsperioderna överlappar.",
        "SII/RII bygger på antagna befolkningsandelar per utbildningsnivå "
        f"({', '.join(dict.fromkeys(sii['shares'].astype(str))) or '–'} %).",
    ]
    return Section(
        title=TITLE,
        sentences=sentences,
        figures=figs,
        tables={
            "skillnad": gap_table.reset_index(drop=True),
            "trend": trend,
            "förändring": change_table.reset_index(drop=True),
            "sii": sii,
        },
        notes=notes,
        source=str(e30["source"].iloc[0]) if len(e30) else "",
        facts=e30.loc[e30["area_code"].isin(areas), list(indicators.COLUMNS)].reset_index(
            drop=True
        ),
    )
