"""Report section: life expectancy with CIs computed from deaths and population.

``mortality_section(kommun, data_source, year)``
    Life expectancy at birth and at 30 for the kommun, its county and Riket
    (five-year period ending ``year``) with 95 % confidence intervals computed
    from deaths and population; whether the kommun differs significantly from
    the county and Riket (the overlap of kommun and county is taken into
    account, see :mod:`helpers.stats.lifetable_compare`); the range between the
    county's kommuner with its uncertainty; ranked charts and maps.

Only the sources whose catalogue recipe for ``e0`` is a life table can serve
this section (:data:`helpers.sources.mortality.LIFE_TABLE_SOURCES`). For any
other source – ``kolada`` has no deaths or population by single age – the
section is returned with ``available=False`` and one Swedish sentence saying
why; it is never computed from another source.

The section on e30 by education is in :mod:`helpers.report.education`.
The heavy county computations are memoized
(:class:`helpers.core.memo.Memo`), so a warm kernel making one report per
kommun computes them once. Sentences come from :mod:`helpers.text.life_table`.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from helpers.core import indicators, lookup
from helpers.core.errors import DataError
from helpers.core.fmt import num
from helpers.core.memo import Memo
from helpers.plots import inline
from helpers.plots import lifetable as pl
from helpers.report import education as report_education
from helpers.report.section import Section
from helpers.sources import mortality as data_mortality
from helpers.sources import mortality_compare, mortality_counts
from helpers.stats import lifetable_compare as stats_lifetable_compare
from helpers.text.life_table import (
    compare_sentence,
    range_sentence,
    significant_sentence,
    value_sentence,
)
from helpers.text.phrases import missing

SEXES: tuple[str, str] = ("kvinnor", "män")
#: Heading of the section (the kommun's name is appended when known).
TITLE = "Medellivslängd med osäkerhet"
_MEMO = Memo("avsnitt_livstabell")


def clear_memo() -> None:
    """Forget the memoized county computations (sections and :mod:`helpers.sources.mortality`)."""
    _MEMO.clear()
    report_education.clear_memo()
    data_mortality.clear_memo()


def unavailable_section(data_source: str) -> Section | None:
    """Return a ``Section(available=False)`` saying why ``data_source`` cannot serve it, or None.

    Raises
    ------
    DataError
        ``data_source`` is not a source of the registry at all.
    """
    reason = mortality_counts.unavailable_reason(data_source)
    if not reason:
        return None
    return Section(title=TITLE, sentences=[reason], available=False)


def _county(source: str, lan_code: str) -> dict[str, pd.DataFrame]:
    def make() -> dict[str, pd.DataFrame]:
        le = mortality_counts.kommun_life_expectancy(source, lan_code)
        return {
            "le": le,
            "compare": mortality_compare.compare_with_county(source, lan_code),
            "range": stats_lifetable_compare.county_range(le, lan_code),
        }

    # Shared by every kommun of the county: computed once per batch, kept in data/processed
    # keyed by the raw counts' checksums (helpers.core.memo.Memo.stored).
    key = ("county", source, lan_code, mortality_counts.raw_identity(source))
    return _MEMO.stored(key, make, persist=source != "scb")


# -- sections -------------------------------------------------------------------------------------
def _check_year(table: pd.DataFrame, year: int | None) -> int:
    available = sorted(int(p) for p in table["period"].unique())
    if year is None:
        return available[-1]
    if int(year) not in available:
        raise DataError(
            f"Perioden som slutar {year} finns inte i dödlighetsdata "
            f"(tillgängliga: {available[0]}–{available[-1]})"
        )
    return int(year)


def key_figures(
    le: pd.DataFrame, comparison: pd.DataFrame, kommun: str, period: int, indicator: str = "e0"
) -> pd.DataFrame:
    """Return the key-figure table of a kommun: values with CIs, county, Riket and the differences.

    Returns
    -------
    pandas.DataFrame
        Index ``Kön`` (Kvinnor, Män); text columns with decimal comma.
    """
    rows = {}
    for sex in SEXES:
        t = le[(le["indicator"] == indicator) & (le["sex"] == sex) & (le["period"] == period)]
        c = comparison[
            (comparison["area_code"] == kommun)
            & (comparison["indicator"] == indicator)
            & (comparison["sex"] == sex)
            & (comparison["period"] == period)
        ]
        if c.empty:
            continue
        c = c.iloc[0]

        def cell(code: str, t: pd.DataFrame = t) -> str:
            r = t[t["area_code"] == code]
            if r.empty or missing(r["value"].iloc[0]):
                return "–"
            r = r.iloc[0]
            return f"{num(r['value'], 1)} ({num(r['ci_lower'], 1)}–{num(r['ci_upper'], 1)})"

        def diff(parent: str, c: pd.Series = c) -> str:
            if missing(c[f"diff_{parent}"]):
                return "–"
            return (
                f"{num(c[f'diff_{parent}'], 1)} ({num(c[f'diff_{parent}_lower'], 1)} till "
                f"{num(c[f'diff_{parent}_upper'], 1)}): {c[f'verdict_{parent}']}"
            )

        rows[sex.capitalize()] = {
            str(c["area_name"]): cell(kommun),
            "Länet": cell(str(c["region_code"])),
            "Riket": cell(lookup.RIKET_CODE),
            "Skillnad mot länet": diff("region"),
            "Skillnad mot riket": diff("riket"),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("Kön")


def facts_of(le: pd.DataFrame, period: int) -> pd.DataFrame:
    """Return the indicator-table rows behind the section's numbers.

    Every area's e0 and e30 in the period (values, key figures, ranking and
    map) and the kommuner's e0 in every period (the range over time).
    """
    keep = (le["period"] == period) | ((le["indicator"] == "e0") & (le["area_type"] == "kommun"))
    return le.loc[keep, list(indicators.COLUMNS)].reset_index(drop=True)


def mortality_section(
    kommun: str,
    data_source: str = "demo",
    year: int | None = None,
    *,
    maps: bool = True,
) -> Section:
    """Build the report section on life expectancy with confidence intervals for one kommun.

    Parameters
    ----------
    kommun : str
        Four-digit kommun code.
    data_source : str
        Source of the counts: one of :data:`helpers.sources.mortality_counts.LIFE_TABLE_SOURCES`.
        Any other known source (``"kolada"``) gives ``available=False`` with the reason.
    year : int, optional
        Last year of the five-year period (default the latest available).
    maps : bool
        Also draw the maps (two small figures).

    Returns
    -------
    Section
        ``figures``: ``"rangordning"`` (ranked kommuner, women and men, with
        CIs, coloured by the comparison with the county), ``"skillnad"`` (the
        range over time with its uncertainty) and, with ``maps``, ``"karta"``;
        ``tables``: ``"nyckeltal"`` (e0), ``"nyckeltal_e30"``, ``"jämförelse"``
        (raw comparison rows of the kommun) and ``"skillnad"`` (the range rows
        of the period); ``sentences`` in Swedish; ``facts`` (:func:`facts_of`).
    """
    if isinstance(kommun, int):
        kommun = lookup.pad_kommun(kommun)
    lan_code = lookup.lan_of(kommun)
    refused = unavailable_section(data_source)
    if refused is not None:
        return refused
    data = _county(mortality_counts.check_source(data_source), lan_code)
    return build_mortality_section(
        kommun, data["le"], data["compare"], data["range"], year, maps=maps
    )


def build_mortality_section(
    kommun: str,
    le: pd.DataFrame,
    comparison: pd.DataFrame,
    ranges: pd.DataFrame,
    year: int | None = None,
    *,
    maps: bool = True,
    figures: bool = True,
) -> Section:
    """Build :func:`mortality_section` from its tables (pure; used by tests with hand-made data).

    Parameters
    ----------
    kommun : str
        Kommun code.
    le : pandas.DataFrame
        :func:`helpers.sources.mortality.kommun_life_expectancy` for the county.
    comparison : pandas.DataFrame
        :func:`helpers.sources.mortality.compare_with_county` for the county.
    ranges : pandas.DataFrame
        :func:`helpers.sources.mortality.county_range` for the county.
    year : int, optional
        Period (last year); default the latest.
    maps, figures : bool
        Whether to draw the maps / any figure.

    Returns
    -------
    Section
        See :func:`mortality_section`.
    """
    period = _check_year(le, year)
    lan_code = lookup.lan_code_of(kommun)
    now = le[le["period"] == period].reset_index(drop=True)
    cmp_now = comparison[comparison["period"] == period].reset_index(drop=True)
    rng_now = ranges[ranges["period"] == period]
    label = str(now["period_label"].iloc[0])
    own = now[now["area_code"] == kommun]
    if own.empty:
        raise DataError(f"Kommunen '{kommun}' finns inte i dödlighetsdata")
    name = str(own["area_name"].iloc[0])
    sentences: list[str] = []
    for sex in SEXES:
        for ind in ("e0", "e30"):
            r = own[(own["sex"] == sex) & (own["indicator"] == ind)]
            if r.empty:
                continue
            text = value_sentence(r.iloc[0])
            c = cmp_now[
                (cmp_now["area_code"] == kommun)
                & (cmp_now["sex"] == sex)
                & (cmp_now["indicator"] == ind)
            ]
            if not c.empty and not missing(r.iloc[0]["value"]):
                text += " " + compare_sentence(c.iloc[0], "region")
            sentences.append(text)
    for sex in SEXES:
        rr = rng_now[(rng_now["sex"] == sex) & (rng_now["indicator"] == "e0")]
        if not rr.empty:
            sentences.append(range_sentence(rr.iloc[0]))
    for sex in SEXES:
        sentences.append(significant_sentence(cmp_now, sex, "e0"))
    sentences = [s for s in sentences if s]
    figs: dict[str, Figure] = {}
    if figures:
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 2, figsize=(11.0, 6.8), layout="constrained")
        for ax, sex in zip(axes, SEXES, strict=True):
            pl.ranked_ci(now, kommun, ax=ax, period=period, sex=sex, comparison=cmp_now)
        figs["rangordning"] = fig
        figs["skillnad"] = inline.shared(pl.range_ci_over_time, ranges)  # county-wide
        if maps:
            fig, axes = plt.subplots(1, 2, figsize=(10.5, 4.9), layout="constrained")
            for ax, sex in zip(axes, SEXES, strict=True):
                pl.kommun_map(now, lan_code, ax=ax, period=period, sex=sex, highlight=kommun)
            figs["karta"] = fig
    notes = [
        "Medellivslängden är beräknad som SCB gör: en ettårig livstabell 0–89 år från kommunens "
        "döda och medelfolkmängd under femårsperioden, stängd vid 90 år med länets återstående "
        "medellivslängd, med 95\u00a0% konfidensintervall (Chiang).",
        "Skillnaden mot länet tar hänsyn till att kommunen själv ingår i länet.",
        "Värden från färre än 5\u00a0000 personår visas inte; värden med konfidensintervall "
        "bredare än 10 år markeras som osäkra.",
    ]
    return Section(
        title=f"{TITLE} – {name}",
        sentences=sentences,
        figures=figs,
        tables={
            "nyckeltal": key_figures(now, cmp_now, kommun, period, "e0"),
            "nyckeltal_e30": key_figures(now, cmp_now, kommun, period, "e30"),
            "jämförelse": cmp_now[cmp_now["area_code"] == kommun].reset_index(drop=True),
            "skillnad": rng_now.reset_index(drop=True),
        },
        notes=notes,
        source=str(now["source"].iloc[0]),
        period_label=label,
        facts=facts_of(le, period),
    )


__all__ = [
    "SEXES",
    "TITLE",
    "build_mortality_section",
    "clear_memo",
    "facts_of",
    "key_figures",
    "mortality_section",
    "unavailable_section",
]
