"""Strategi-för-hälsa KPIs the demo takes from its other data instead of generating them.

One synthetic population: a kommun, sex and period must have the same value in
the Strategi section as in the life-table and survey sections of a demo report.

* Life expectancy (N00923 men, N00925 women) is the demo's Kolada-shaped
  series (:func:`helpers.sources.life_expectancy.life_expectancy` ``("demo")``),
  which is computed from the demo deaths and population with the report's own
  life table.
* Survey KPIs that the demo microdata can answer (:data:`SURVEY_KPIS`) are, for
  the areas the extract covers (Dalarna's kommuner and Region Dalarna), the
  estimates of the report's survey section; other areas keep generated values.

Their cache addresses carry :func:`digest` of the values, so new inputs never
meet an old file.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd

from helpers.core import indicators
from helpers.stats.disclosure import DEFAULT_MIN_N

#: Survey KPIs the demo microdata can answer: Kolada KPI -> answer variable of the demo
#: extract. U01405 (bra självskattat hälsotillstånd, HLV) is the extract's ``good_health``.
#: U01429 (fysiskt aktiva minst 150 min/vecka) and U01413 (avsaknad av tillit) have no
#: counterpart: the extract's ``physical_inactivity`` is *stillasittande fritid*, another
#: question, so they stay generated.
SURVEY_KPIS: dict[str, str] = {"U01405": "good_health"}
#: Disclosure threshold of the survey estimates: the workbook's one default
#: (:data:`helpers.stats.disclosure.DEFAULT_MIN_N`, the report's default ``min_n``).
SURVEY_MIN_N = DEFAULT_MIN_N


def is_derived(kpi: str) -> bool:
    """Return True for KPIs taken from other demo data (life expectancy, survey estimates)."""
    return kpi in SURVEY_KPIS or kpi in life_expectancy_kpis()


def life_expectancy_kpis() -> dict[str, str]:
    """Return ``{kpi: sex}`` of the life-expectancy KPIs (from the catalogue)."""
    from helpers.sources import life_expectancy

    return life_expectancy.kpis()


def life_expectancy_values(kpi: str, years: range) -> pd.DataFrame:
    """Return N00923/N00925 exactly as the demo serves them in Kolada's shape.

    They come from :func:`helpers.sources.life_expectancy.life_expectancy` (the
    demo's life tables from its deaths and population), so goal 19 shows the
    same value as every other life-expectancy chart and sentence of the demo.
    Periods before the first complete five-year period of the counts have no
    data object.
    """
    from helpers.sources import life_expectancy

    le = life_expectancy.life_expectancy("demo", years=years)
    le = le[le["indicator"] == kpi]
    return pd.DataFrame(
        {
            "kpi": kpi,
            "municipality": le["area_code"].astype(str).to_numpy(),
            "period": le["period"].astype(int).to_numpy(),
            "gender": "T",
            "value": le["value"].astype(float).to_numpy(),
        }
    ).reset_index(drop=True)


def survey_estimates(variable: str, min_n: int = SURVEY_MIN_N) -> pd.DataFrame:
    """Estimate a yes/no variable from the demo survey microdata as the survey section does.

    Same data (:func:`helpers.sources.survey_data.survey_microdata` ``("demo")``),
    same estimator and arguments as the report's survey section
    (:func:`helpers.stats.survey.estimate_indicator` with kommun and county
    levels for a one-county extract, sex × education, one estimate per survey
    year, 95 % Korn–Graubard intervals, disclosure control with ``min_n`` by the
    workbook's one rule, :func:`helpers.stats.disclosure.suppress_small_cells`,
    honouring the catalogue's ``disclosure`` flag).

    Returns
    -------
    pandas.DataFrame
        The indicator table of the estimates (percent).
    """
    from helpers.config import catalogue
    from helpers.sources import survey_data
    from helpers.stats import survey

    data = survey_data.survey_microdata("demo")
    micro = data.microdata
    return survey.estimate_indicator(
        micro,
        variable,
        variable,
        data.source,
        levels=survey.levels_for(micro["kommun"]),
        pool_years=None,
        confidence=0.95,
        params={"disclosure": {"min_n": min_n}},
        catalogue=catalogue.load(),
    ).table


def with_survey_estimates(
    generated: pd.DataFrame, goal: Any, uncertainty_kpi: str | None, years: range
) -> pd.DataFrame:
    """Replace the generated values of the surveyed areas with the microdata estimates.

    For every area the demo extract covers (Dalarna's kommuner and Region
    Dalarna), Kolada's value for period ``T`` – pooled over the survey years
    ``T − pooled_years + 1 … T`` – is the estimate from the demo respondents of
    those years. The demo's survey years are four years apart, so a four-year
    window holds exactly one survey year and the value is that year's estimate
    (one decimal, as in Kolada); a window without exactly one survey year gets
    a null value. The *Osäkerhetstal* is half the width of the 95 % interval.
    Estimates the survey section suppresses are null here too.
    """
    table = survey_estimates(SURVEY_KPIS[goal.kpi])
    table = table[table["group"] == indicators.ALL_GROUPS]
    genders = {"totalt": "T", "kvinnor": "K", "män": "M"}
    if not bool(goal.divided_by_sex):
        genders = {"totalt": "T"}
    table = table[table["sex"].isin(list(genders))]
    survey_years = sorted(int(y) for y in table["period"].unique())
    pooled = max(int(getattr(goal, "pooled_years", 1) or 1), 1)
    est = table.set_index(["area_code", "sex", "period"])
    keys = sorted(set(zip(table["area_code"].astype(str), table["sex"].astype(str), strict=True)))
    rows, unc_rows = [], []
    for period in years:
        inside = [y for y in survey_years if period - pooled < y <= period]
        for area, sex in keys:
            value = u = np.nan
            if len(inside) == 1 and (area, sex, inside[0]) in est.index:
                r = est.loc[(area, sex, inside[0])]
                value = round(float(r["value"]), 1)
                u = round((float(r["ci_upper"]) - float(r["ci_lower"])) / 2, 1)
                if np.isnan(value):
                    u = np.nan
            rows.append((goal.kpi, area, period, genders[sex], value))
            if uncertainty_kpi:
                unc_rows.append((uncertainty_kpi, area, period, genders[sex], u))
    cols = ["kpi", "municipality", "period", "gender", "value"]
    surveyed = {area for area, _ in keys}
    kept = generated[~generated["municipality"].isin(surveyed)]
    out = pd.concat([kept, pd.DataFrame(rows + unc_rows, columns=cols)], ignore_index=True)
    out["value"] = out["value"].astype(float)
    return out


def digest(values: pd.DataFrame) -> str:
    """Return a short checksum of derived KPI values (part of their pseudo-URL)."""
    text = values.to_csv(index=False, lineterminator="\n", float_format="%.4f")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


__all__ = [
    "SURVEY_KPIS",
    "SURVEY_MIN_N",
    "digest",
    "is_derived",
    "life_expectancy_kpis",
    "life_expectancy_values",
    "survey_estimates",
    "with_survey_estimates",
]
