"""Report sections: life expectancy at birth between the county's kommuner (Kolada-shaped e0).

The kommun profile (``notebooks/templates/kommunprofil.ipynb``) and notebook
01 call these builders instead of computing inline. One call loads and
analyses the data (:func:`kommun_data` for a kommun, :func:`county_data` for a
county); :func:`check_results` verifies the results (a pure function that
raises a Swedish :class:`~helpers.core.errors.DataError`); then one builder
per report part returns a :class:`~helpers.report.section.Section` with its
sentences (:mod:`helpers.text.narrative`), figure (:mod:`helpers.plots.common`),
tables and ``facts`` (the indicator-table rows behind every number shown):

- :func:`summary_section` – the kommun against county and Riket, the range
  between the county's kommuner and the key-figure table;
- :func:`timeseries_section` – the kommun, county and Riket over time;
- :func:`range_section` – the range between the county's kommuner over time;
- :func:`rank_section` – the county's kommuner ranked (one panel per sex);
- :func:`map_section` – a map per sex;
- :func:`change_section` – the change since the first period (notebook 01).

Name, unit and decimals of the indicator come from the catalogue entry
``e0`` (:func:`helpers.config.catalogue.get`). Figures are drawn when a
builder is called, so a notebook shows each in its own cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import pandas as pd

from helpers.config import catalogue
from helpers.core import geo, indicators, lookup
from helpers.core.errors import DataError, Problem
from helpers.core.fmt import num
from helpers.plots import common as plots
from helpers.plots import inline, maps
from helpers.report.section import Section
from helpers.sources import life_expectancy as data
from helpers.stats import lifeexp
from helpers.text import narrative

#: The catalogue id of the indicator these sections show.
INDICATOR = "e0"
SEXES: tuple[str, str] = ("kvinnor", "män")


@dataclass(frozen=True)
class LifeExpectancy:
    """The data and analyses behind the life-expectancy sections of one county (and kommun).

    Attributes
    ----------
    table : pandas.DataFrame
        Indicator table of the county's kommuner, the region and Riket.
    lan_code, region_code, region_name : str
        The county.
    n_kommuner : int
        Number of kommuner in the county (lookup tables).
    period, first_period : int
        The chosen (last) period and the first one in the data.
    period_label : str
        Label of the chosen period (``"2020–2024"``).
    source : str
        Source line of the table.
    ranges, changes : pandas.DataFrame
        :func:`helpers.stats.lifeexp.county_range` and :func:`~helpers.stats.lifeexp.change`
        (first to chosen period).
    kommun, kommun_name : str
        The kommun (empty for a county report).
    comparison, rank : pandas.DataFrame or None
        :func:`helpers.stats.lifeexp.compare_areas` and
        :func:`~helpers.stats.lifeexp.kommun_rank` (None without a kommun).
    """

    table: pd.DataFrame
    lan_code: str
    region_code: str
    region_name: str
    n_kommuner: int
    period: int
    first_period: int
    period_label: str
    source: str
    ranges: pd.DataFrame
    changes: pd.DataFrame
    kommun: str = ""
    kommun_name: str = ""
    comparison: pd.DataFrame | None = None
    rank: pd.DataFrame | None = None


def analyse(
    table: pd.DataFrame, lan_code: str, year: int, kommun: str | None = None
) -> LifeExpectancy:
    """Analyse a county's indicator table (pure; :func:`county_data` and :func:`kommun_data` load it).

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table of the county's kommuner, region and Riket.
    lan_code : str
        Two-digit län code.
    year : int
        Last year of the period to describe.
    kommun : str, optional
        Kommun code: also compare and rank it.

    Raises
    ------
    DataError
        The year is not in the table, or the kommun is not.
    """
    period = lifeexp.check_period(table, year)
    first_period = lifeexp.periods(table)[0]
    region_code = lookup.region_code(lan_code)
    extra: dict[str, object] = {}
    if kommun:
        extra = {
            "kommun": kommun,
            "kommun_name": lookup.area_name(kommun),
            "comparison": lifeexp.compare_areas(table, kommun),
            "rank": lifeexp.kommun_rank(table, kommun),
        }
    return LifeExpectancy(
        table=table,
        lan_code=lan_code,
        region_code=region_code,
        region_name=lookup.area_name(region_code),
        n_kommuner=len(lookup.kommuner_in(lan_code)),
        period=period,
        first_period=first_period,
        period_label=str(lifeexp.select(table, period=period)["period_label"].iloc[0]),
        source=str(table["source"].iloc[0]),
        ranges=lifeexp.county_range(table, lan_code),
        changes=lifeexp.change(table, first_period, period),
        **extra,  # type: ignore[arg-type]
    )


def county_data(lan_code: str, data_source: str = "demo", year: int = 2024) -> LifeExpectancy:
    """Load life expectancy at birth for a county (:mod:`helpers.sources.life_expectancy`) and analyse it."""
    table = data.life_expectancy(data_source, lan_code=lan_code)
    return analyse(table, lan_code, year)


def kommun_data(kommun: str | int, data_source: str = "demo", year: int = 2024) -> LifeExpectancy:
    """Load life expectancy at birth for a kommun's county and analyse it for the kommun."""
    if isinstance(kommun, int):  # e.g. `papermill -p kommun 2080` passes a number
        kommun = lookup.pad_kommun(kommun)
    lan_code = lookup.lan_of(kommun)
    table = data.life_expectancy(data_source, lan_code=lan_code)
    return analyse(table, lan_code, year, kommun)


# -- checks -----------------------------------------------------------------------------------
def check_results(le: LifeExpectancy) -> None:
    """Check the analyses against the input values; raise a Swedish DataError if one fails.

    For each sex in the chosen period: the county's range is the largest minus
    the smallest usable kommun value (NaN with fewer than two), and its ends
    are those values; every kommun of the county is either in the range or
    counted as missing; and, for a kommun, its rank lies between 1 and the
    number of ranked kommuner (the same number as in the range) and its
    difference from the county is its value minus the county's.

    Raises
    ------
    DataError
        Every failed check, in Swedish.
    """
    problems: list[str] = []
    rows = lifeexp.select(le.table, period=le.period, area_type="kommun")
    for sex in SEXES:
        where = f"{sex} {le.period_label}"
        values = rows.loc[(rows["sex"] == sex) & indicators.usable(rows), "value"]
        r = le.ranges[(le.ranges["sex"] == sex) & (le.ranges["period"] == le.period)]
        if r.empty:
            problems.append(f"skillnaden mellan länets kommuner saknas för {where}")
            continue
        r = r.iloc[0]
        if len(values) >= 2:
            if abs(r["range"] - (values.max() - values.min())) >= 1e-9 or not (
                r["min_value"] == values.min() and r["max_value"] == values.max()
            ):
                problems.append(
                    f"skillnaden mellan länets kommuner för {where} är inte högsta minus lägsta "
                    "kommunvärde"
                )
        elif not pd.isna(r["range"]):
            problems.append(f"färre än två kommuner har värde för {where}, men en skillnad anges")
        if r["n_kommuner"] + r["n_missing"] != le.n_kommuner:
            problems.append(
                f"{r['n_kommuner']} kommuner med värde och {r['n_missing']} utan värde för {where}"
                f", men länet har {le.n_kommuner} kommuner"
            )
        if le.rank is not None:
            k = le.rank[(le.rank["sex"] == sex) & (le.rank["period"] == le.period)].iloc[0]
            if not (pd.isna(k["rank"]) or 1 <= k["rank"] <= k["n_kommuner"] == r["n_kommuner"]):
                problems.append(
                    f"placeringen i länet för {where} stämmer inte med antalet kommuner"
                )
        if le.comparison is not None:
            c = le.comparison
            c = c[(c["sex"] == sex) & (c["period"] == le.period)].iloc[0]
            if not (
                pd.isna(c["diff_region"])
                or abs(c["value"] - c["region_value"] - c["diff_region"]) < 1e-9
            ):
                problems.append(
                    f"skillnaden mot länet för {where} är inte kommunens värde minus länets"
                )
    if problems:
        raise DataError(
            [Problem("Kontrollen av beräkningarna misslyckades: " + p) for p in problems]
        )


# -- helpers ----------------------------------------------------------------------------------
def _rows(le: LifeExpectancy, *, period: bool, areas: str) -> pd.DataFrame:
    """Indicator-table rows (facts): the chosen period or all; ``areas`` "county" or "own"."""
    t = le.table
    if period:
        t = t[t["period"] == le.period]
    if areas == "own":
        t = t[t["area_code"].isin([le.kommun, le.region_code, lookup.RIKET_CODE])]
    elif areas == "kommuner":
        t = t[t["area_type"] == "kommun"]
    return t[list(indicators.COLUMNS)].reset_index(drop=True)


def _value(x: object, decimals: int) -> str:
    return num(x, decimals)  # type: ignore[arg-type]


# -- sections ---------------------------------------------------------------------------------
def key_figures(le: LifeExpectancy) -> pd.DataFrame:
    """Return the key-figure table of the kommun (values, county, Riket, rank, range).

    Returns
    -------
    pandas.DataFrame
        Index ``Kön`` (Kvinnor, Män); text with the catalogue's decimals and decimal comma.
    """
    if le.comparison is None or le.rank is None:
        raise DataError("Nyckeltalen gäller en kommun – använd kommun_data(kommun, ...)")
    d = catalogue.get(INDICATOR).decimals
    cmp_now = le.comparison[le.comparison["period"] == le.period].set_index("sex")
    rank_now = le.rank[le.rank["period"] == le.period].set_index("sex")
    rng_now = le.ranges[le.ranges["period"] == le.period].set_index("sex")
    return pd.DataFrame(
        {
            le.kommun_name: [_value(cmp_now.loc[s, "value"], d) for s in SEXES],
            "Länet": [_value(cmp_now.loc[s, "region_value"], d) for s in SEXES],
            "Riket": [_value(cmp_now.loc[s, "riket_value"], d) for s in SEXES],
            "Placering i länet": [
                "–"
                if pd.isna(rank_now.loc[s, "rank"])
                else f"{rank_now.loc[s, 'rank']} av {rank_now.loc[s, 'n_kommuner']}"
                for s in SEXES
            ],
            "Skillnad mellan länets kommuner": [_value(rng_now.loc[s, "range"], d) for s in SEXES],
        },
        index=pd.Index([s.capitalize() for s in SEXES], name="Kön"),
    )


def summary_section(le: LifeExpectancy) -> Section:
    """Build the summary: sentences per sex and, for a kommun, the key-figure table.

    For a kommun: how it compares with the county and Riket, and the range
    between the county's kommuner; ``tables["nyckeltal"]`` (:func:`key_figures`)
    and ``notes[0]`` its heading. For a county: the range and the county's
    change since the first period.
    """
    ind = catalogue.get(INDICATOR)
    sentences: list[str] = []
    tables: dict[str, pd.DataFrame] = {}
    notes: list[str] = []
    if le.kommun:
        for sex in SEXES:
            sentences += [
                narrative.compare_sentence(le.comparison, sex, le.period),
                narrative.range_sentence(le.ranges, sex, le.period),
            ]
        tables["nyckeltal"] = key_figures(le)
        notes.append(f"**Nyckeltal {le.period_label}** ({ind.unit})")
        facts = _rows(le, period=True, areas="county")
    else:
        sentences = [narrative.range_sentence(le.ranges, sex, le.period) for sex in SEXES]
        sentences += [narrative.change_sentence(le.changes, le.region_code, sex) for sex in SEXES]
        facts = pd.concat(
            [
                _rows(le, period=True, areas="kommuner"),
                le.table.loc[
                    (le.table["area_code"] == le.region_code)
                    & le.table["period"].isin([le.first_period, le.period]),
                    list(indicators.COLUMNS),
                ],
            ],
            ignore_index=True,
        )
    return Section(
        title="Sammanfattning",
        sentences=[s for s in sentences if s],
        tables=tables,
        notes=notes,
        source=le.source,
        period_label=le.period_label,
        facts=facts,
    )


def timeseries_section(le: LifeExpectancy) -> Section:
    """Build the kommun, county and Riket over time (figure ``"tidsserie"``) with change sentences."""
    fig = plots.timeseries(le.table, highlight=le.kommun)
    sentences = [narrative.change_sentence(le.changes, le.kommun, sex) for sex in SEXES]
    sentences += [narrative.change_sentence(le.changes, le.region_code, sex) for sex in SEXES]
    return Section(
        title=f"{catalogue.get(INDICATOR).short_name} över tid",
        sentences=sentences,
        figures={"tidsserie": fig},
        source=le.source,
        facts=_rows(le, period=False, areas="own"),
    )


def range_section(le: LifeExpectancy, *, latest: bool = False) -> Section:
    """Build the range between the county's kommuner over time (figure ``"skillnad"``).

    Parameters
    ----------
    le : LifeExpectancy
        Data and analyses.
    latest : bool
        Also describe the range of the chosen period (the kommun profile has it
        in its summary already).
    """
    fig = inline.shared(plots.range_over_time, le.ranges)  # the same in the whole county
    sentences = [narrative.range_sentence(le.ranges, s, le.period) for s in SEXES] if latest else []
    sentences += [
        narrative.range_change_sentence(le.ranges, sex, le.first_period, le.period) for sex in SEXES
    ]
    return Section(
        title="Skillnaden mellan länets kommuner",
        sentences=sentences,
        figures={"skillnad": fig},
        tables={"skillnad": le.ranges},
        source=le.source,
        facts=_rows(le, period=False, areas="kommuner"),
    )


def rank_section(le: LifeExpectancy) -> Section:
    """Build the ranking of the county's kommuner, one panel per sex (figure ``"placering"``)."""
    fig, axes = plt.subplots(1, 2, figsize=(10.5, 6.6), layout="constrained")
    for ax, sex in zip(axes, SEXES, strict=True):
        plots.ranked_bars(le.table, highlight=le.kommun or None, ax=ax, period=le.period, sex=sex)
    sentences = (
        [narrative.rank_sentence(le.rank, sex, le.period) for sex in SEXES]
        if le.rank is not None
        else []
    )
    return Section(
        title="Kommunens placering i länet",
        sentences=sentences,
        figures={"placering": fig},
        source=le.source,
        period_label=le.period_label,
        facts=_rows(le, period=True, areas="county"),
    )


def map_section(le: LifeExpectancy) -> Section:
    """Build a map per sex of the county's kommuner in the chosen period (figure ``"karta"``)."""
    fig, axes = plt.subplots(1, 2, figsize=(10.5, 4.9), layout="constrained")
    for ax, sex in zip(axes, SEXES, strict=True):
        shapes = geo.join_kommuner(lifeexp.select(le.table, period=le.period, sex=sex), le.lan_code)
        maps.choropleth(shapes, highlight=le.kommun or None, ax=ax)
    return Section(
        title="Karta",
        figures={"karta": fig},
        source=le.source,
        period_label=le.period_label,
        facts=_rows(le, period=True, areas="kommuner"),
    )


def change_section(le: LifeExpectancy) -> Section:
    """Build the change per area since the first period (``tables["förändring"]``, unrounded)."""
    table = (
        le.changes.pivot_table(index="area_name", columns="sex", values="change", sort=False)
        .rename(columns=str.capitalize)[["Kvinnor", "Män"]]
        .rename_axis(index="Område", columns=None)
        .sort_values("Kvinnor", ascending=False)
    )
    t = le.table
    facts = t.loc[t["period"].isin([le.first_period, le.period]), list(indicators.COLUMNS)]
    return Section(
        title=f"Förändring sedan {le.changes['start_label'].iloc[0]}",
        tables={"förändring": table},
        source=le.source,
        facts=facts.reset_index(drop=True),
    )


__all__ = [
    "INDICATOR",
    "SEXES",
    "LifeExpectancy",
    "analyse",
    "change_section",
    "check_results",
    "county_data",
    "key_figures",
    "kommun_data",
    "map_section",
    "range_section",
    "rank_section",
    "summary_section",
    "timeseries_section",
]
