"""Indicator tables for the explorer from raw inputs (pure functions, no I/O).

* :func:`life_table_indicator` – life expectancy with confidence intervals
  from deaths and population (kommuner plus their county and Sweden);
* :func:`survey_indicator` – survey prevalence with reliability flags and
  disclosure control;
* :func:`survey_significance` – each kommun against its county.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from helpers.config import catalogue
from helpers.core import lookup
from helpers.core.errors import DataError
from helpers.explorer.specs import FAMILY_SURVEY, IndicatorSpec
from helpers.stats import lifetable_pooling, lifetable_scb, survey, survey_compare


def _with_aggregates(counts: pd.DataFrame, value: str) -> pd.DataFrame:
    """Add län (``"00"`` + code) and Riket (``"0000"``) rows as sums of the kommun rows."""
    k = counts.rename(columns={"kommunkod": "area_code"}).copy()
    k["area_code"] = k["area_code"].astype(str)
    keys = ["year", "sex", "age"]
    region = k.assign(area_code=lookup.region_code_of(k["area_code"]))
    region = region.groupby(["area_code", *keys], as_index=False)[value].sum()
    riket = k.groupby(keys, as_index=False)[value].sum().assign(area_code=lookup.RIKET_CODE)
    cols = ["area_code", *keys, value]
    return pd.concat([k[cols], region[cols], riket[cols]], ignore_index=True)


def life_table_indicator(
    deaths: pd.DataFrame,
    population: pd.DataFrame,
    source: str,
    *,
    lan_codes: Iterable[str] | None = None,
    at_ages: Iterable[int] = (0,),
) -> pd.DataFrame:
    """Return life expectancy with confidence intervals for kommuner, their län and Riket.

    Deaths and year-end population by single age (SCB's shape, as
    :func:`helpers.sources.demo.mortality.deaths_and_population`) are summed to län and
    Riket, pooled into rolling five-year periods (:func:`helpers.stats.lifetable.pool_periods`),
    and turned into life tables by SCB's method – single years 0–89, closed at 90
    with the county's remaining life expectancy
    (:func:`helpers.stats.lifetable_scb.life_expectancy_scb`, the same function as
    :func:`helpers.sources.mortality_counts.kommun_life_expectancy`, so the explorer
    and the report show the same value).

    Parameters
    ----------
    deaths, population : pandas.DataFrame
        ``kommunkod, year, sex, age, deaths`` and ``kommunkod, year, sex, age,
        population`` (stock on 31 December).
    source : str
        Attribution written to ``source`` (for demo data include
        :data:`helpers.core.fmt.SYNTHETIC_LABEL`, so charts say so).
    lan_codes : iterable of str, optional
        Keep only these counties' kommuner (their län rows and Riket are always
        computed from all the kommuner in the input).
    at_ages : iterable of int
        Ages at which life expectancy is reported (0 = at birth, 30 …).

    Returns
    -------
    pandas.DataFrame
        Indicator table, indicators ``"e0"``, ``"e30"`` … (one per age), sex kvinnor/män.
    """
    d = _with_aggregates(deaths, "deaths")
    p = _with_aggregates(population, "population")
    if lan_codes is not None:
        keep = set(lan_codes)
        wanted = {lookup.region_code(c) for c in keep} | {lookup.RIKET_CODE}
        for frame in (d, p):
            code = frame["area_code"]
            is_kommun = ~code.str.startswith("00")
            frame["_keep"] = (is_kommun & lookup.lan_code_of(code).isin(keep)) | code.isin(wanted)
        d = d[d.pop("_keep")]
        p = p[p.pop("_keep")]
    pooled = lifetable_pooling.pool_periods(d, p)
    names = lookup.areas().set_index("area_code")["area_name"]
    pooled["area_name"] = pooled["area_code"].map(names).fillna(pooled["area_code"])
    return lifetable_scb.life_expectancy_scb(pooled, at_ages=tuple(at_ages), source=source)


def survey_indicator(
    microdata: pd.DataFrame,
    spec: IndicatorSpec,
    source: str,
    params: Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """Estimate a survey indicator for kommuner and län (and Riket for national extracts).

    Wraps :func:`helpers.stats.survey.estimate_indicator`: design-based prevalence with
    Korn–Graubard intervals, NCHS reliability flags and disclosure control
    (``params["disclosure"]["min_n"]``). Riket is only estimated when the
    extract covers more than one county – a county's own extract says nothing
    about Sweden.

    Parameters
    ----------
    microdata : pandas.DataFrame
        Respondent-level microdata (:func:`helpers.sources.survey_files.read_microdata`).
    spec : IndicatorSpec
        A survey indicator (``spec.variable`` is the answer column).
    source : str
        Attribution.
    params : mapping, optional
        Workbook parameters (``disclosure.min_n``).

    Returns
    -------
    pandas.DataFrame
        Indicator table in percent, by sex (totalt, kvinnor, män), group ``"alla"``.
    """
    if spec.family != FAMILY_SURVEY or not spec.variable:
        raise DataError(f"'{spec.label}' är ingen enkätindikator")
    if spec.variable not in microdata.columns:
        raise DataError(f"Enkätdata saknar variabeln '{spec.variable}' ({spec.label})")
    counties = lookup.lan_code_of(microdata["kommun"].astype(str)).nunique()
    levels = ("kommun", "lan", "riket") if counties > 1 else ("kommun", "lan")
    est = survey.estimate_indicator(
        microdata,
        spec.variable,
        spec.indicator_ids[0],
        source,
        levels=levels,
        group=None,
        params=params,
        catalogue=catalogue.load(),
    )
    return est.table


def survey_significance(microdata: pd.DataFrame, spec: IndicatorSpec) -> pd.DataFrame:
    """Compare every kommun with its county, for all sexes together and per sex.

    Uses :func:`helpers.stats.survey.compare_with_parent` (the covariance between a
    kommun and the county it belongs to is taken into account).

    Returns
    -------
    pandas.DataFrame
        ``area_code``, ``sex``, ``period``, ``diff_pp`` (kommun − län, percentage
        points) and ``verdict`` (Swedish: bättre/likartad/sämre or högre/likartad/lägre).
    """
    frames = []
    for by in ((), ("sex",)):
        c = survey_compare.compare_with_parent(
            microdata, spec.variable, "lan", by=by, direction=spec.direction
        )
        c["sex"] = c["sex"].astype(str) if by else "totalt"
        frames.append(c)
    out = pd.concat(frames, ignore_index=True)
    out["area_code"] = out["kommun"].astype(str)
    return out[["area_code", "sex", "period", "diff_pp", "verdict"]].reset_index(drop=True)
