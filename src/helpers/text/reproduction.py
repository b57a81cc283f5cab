"""Swedish sentences that set Region Dalarna's claims beside the numbers from real data.

Used by ``notebooks/05_dalarna_referens.ipynb`` (the Dalarna reproduction).
Every sentence is built from a table; the claims themselves are arguments
(the report's words and numbers), so the verdict follows from the numbers:

* :func:`range_sentences` – "ca 3 år" between the shortest- and longest-lived
  kommun, against :func:`helpers.stats.spread.county_range_uncertainty`;
* :func:`education_sentences` – the education gap at 30 ("5,5 år för kvinnor,
  drygt 6 för män") against SCB's published points
  (:func:`helpers.stats.education.gap`);
* :func:`smoking_sentences` – what the HLV spreadsheet says about daily
  smoking 2014 → 2021 in the county and its kommuner, and whether the change
  can be trusted (:func:`helpers.report.survey_analysis.aggregated_changes`).
"""

from __future__ import annotations

import pandas as pd

from helpers.core import indicators
from helpers.core.fmt import join_names, num
from helpers.stats import survey_compare

#: How close an observed number must be to a claim's "ca" to be called in line with it.
CA_TOLERANCE = 0.5


def _sex_word(sex: str) -> str:
    return {"kvinnor": "kvinnor", "män": "män", "totalt": "alla"}[sex]


def range_sentences(ranges: pd.DataFrame, claim: float = 3.0) -> list[str]:
    """Describe the range between the kommuner per sex beside the claim "ca <claim> år".

    Parameters
    ----------
    ranges : pandas.DataFrame
        :func:`helpers.stats.spread.county_range_uncertainty`.
    claim : float
        The report's number of years.

    Returns
    -------
    list of str
        One sentence per sex and a verdict on the claim.
    """
    out = []
    in_line = []
    for r in ranges.itertuples(index=False):
        within = r.lower <= claim <= r.upper
        close = abs(r.observed - claim) <= CA_TOLERANCE
        in_line.append(within or close)
        out.append(
            f"För {_sex_word(r.sex)} {r.period_label} var skillnaden mellan kommunen med kortast "
            f"och längst medellivslängd {num(r.observed, 1, 'år')} ({r.min_name} "
            f"{num(r.min_value, 1)} år, {r.max_name} {num(r.max_value, 1)} år). Med osäkerheten i "
            f"varje kommuns värde kan skillnaden av en slump variera mellan {num(r.lower, 1)} och "
            f"{num(r.upper, 1, 'år')} (95 % av simuleringarna av de {r.n_kommuner} kommunernas "
            "värden; simulerade skillnader blir i regel större än den observerade, eftersom "
            "slumpen drar ut ytterlägena); "
            f"samma två kommuner hamnar sist och först i {num(100 * r.p_same_ends, 0, '%')} "
            "av simuleringarna."
        )
    verdict = (
        f"Påståendet ”ca {num(claim, 0)} år” stämmer med referensdata för "
        + " och ".join(_sex_word(s) for s, ok in zip(ranges["sex"], in_line, strict=True) if ok)
        + "."
        if all(in_line)
        else f"Påståendet ”ca {num(claim, 0)} år” stämmer inte för "
        + " och ".join(_sex_word(s) for s, ok in zip(ranges["sex"], in_line, strict=True) if not ok)
        + " med referensdata."
    )
    out.append(verdict)
    return out


def education_sentences(gaps: pd.DataFrame, claims: dict[str, tuple[float, str]]) -> list[str]:
    """Set the report's education gap at 30 beside SCB's published gaps.

    Parameters
    ----------
    gaps : pandas.DataFrame
        :func:`helpers.stats.education.gap` (one area, e.g. Riket).
    claims : dict
        ``{sex: (years, words)}``, e.g. ``{"kvinnor": (5.5, "5,5 år"), "män": (6.0, "drygt 6 år")}``.

    Returns
    -------
    list of str
        Per sex: the published gaps by year, the years closest to the claim.
    """
    out = []
    for sex, (years, words) in claims.items():
        g = gaps[(gaps["sex"] == sex) & gaps["value"].notna()].sort_values("period")
        if g.empty:
            out.append(f"För {_sex_word(sex)} finns ingen publicerad skillnad att jämföra med.")
            continue
        area = str(g["area_name"].iloc[0])
        series = ", ".join(
            f"{num(v, 1)} år {p}" for p, v in zip(g["period_label"], g["value"], strict=True)
        )
        dist = (g["value"] - years).abs()
        nearest = g[dist == dist.min()]
        out.append(
            f"Rapporten: {words} för {_sex_word(sex)}. {area} (SCB:s publicerade värden, "
            f"eftergymnasial minus förgymnasial utbildning): {series}. Närmast påståendet: "
            f"{join_names([str(p) for p in nearest['period_label']])} "
            f"({num(float(nearest['value'].iloc[0]), 1, 'år')})."
        )
    return out


def smoking_sentences(
    changes: pd.DataFrame, region_code: str, label: str = "Daglig rökning"
) -> list[str]:
    """Describe a change in the county and its kommuner, and whether it can be trusted.

    Parameters
    ----------
    changes : pandas.DataFrame
        :func:`helpers.report.survey_analysis.aggregated_changes` (or ``change_table``).
    region_code : str
        The county's region code (``"0020"``).
    label : str
        Swedish name of the indicator.

    Returns
    -------
    list of str
    """
    out = []
    reg = changes[changes["area_code"] == region_code]
    if len(reg) == 1:
        r = reg.iloc[0]
        out.append(
            f"{label} i {r['area_name']}: {num(r['value_before'], 1, '%')} "
            f"({num(r['ci_lower_before'], 1)}–{num(r['ci_upper_before'], 1)}) "
            f"{r['period_label_before']} och {num(r['value_after'], 1, '%')} "
            f"({num(r['ci_lower_after'], 1)}–{num(r['ci_upper_after'], 1)}) {r['period_label']}, "
            f"en förändring med {num(r['diff_pp'], 1, 'procentenheter')} (95 % KI "
            f"{num(r['ci_lower_pp'], 1)} till {num(r['ci_upper_pp'], 1)}): {r['verdict']}."
        )
    kom = changes[
        (changes["area_type"] == "kommun")
        & indicators.usable(changes.rename(columns={"diff_pp": "value"}))
    ]
    down = kom[kom["verdict"] == survey_compare.VERDICT_DECREASE]
    same = kom[kom["verdict"] == survey_compare.VERDICT_NO_CHANGE]
    up = kom[kom["verdict"] == survey_compare.VERDICT_INCREASE]
    if len(kom):
        text = (
            f"I {len(down)} av {len(kom)} kommuner är minskningen statistiskt säkerställd"
            + (
                f"; i {join_names(same['area_name'].tolist())} kan förändringen bero på slumpen"
                if len(same)
                else ""
            )
            + (f"; ökning i {join_names(up['area_name'].tolist())}" if len(up) else "")
            + "."
        )
        out.append(text)
        biggest = kom.loc[kom["diff_pp"].idxmin()]
        out.append(
            f"Störst minskning: {biggest['area_name']} ({num(biggest['diff_pp'], 1, 'procentenheter')}, "
            f"95 % KI {num(biggest['ci_lower_pp'], 1)} till {num(biggest['ci_upper_pp'], 1)})."
        )
    out.append(
        "Sammanställningen anger inte hur många rökare skattningarna vilar på; om förändringen går "
        "att lita på avgörs av konfidensintervallen (standardfel = halva intervallbredden / 1,96, "
        "oberoende urval 2014 och 2021)."
    )
    return out


def claims_table(
    ranges: pd.DataFrame,
    claim_range: float,
    gaps: pd.DataFrame,
    claims: dict[str, tuple[float, str]],
    changes: pd.DataFrame,
    region_code: str,
) -> pd.DataFrame:
    """One row per claim of Region Dalarna's report beside what the real data say.

    Parameters
    ----------
    ranges, claim_range
        As in :func:`range_sentences`.
    gaps, claims
        As in :func:`education_sentences` (the latest published year is shown).
    changes, region_code
        As in :func:`smoking_sentences`.

    Returns
    -------
    pandas.DataFrame
        Columns ``Påstående``, ``Referensdata`` and ``Källa`` (Swedish text).
    """
    rows = []
    for r in ranges.itertuples(index=False):
        rows.append(
            {
                "Påstående": f"ca {num(claim_range, 0)} år mellan kortast och längst levande "
                f"kommun ({_sex_word(r.sex)})",
                "Referensdata": f"{num(r.observed, 1, 'år')} {r.period_label} "
                f"(simulerat 95 %-intervall {num(r.lower, 1)}–{num(r.upper, 1)})",
                "Källa": "SCB, döda och folkmängd; livstabell som SCB:s",
            }
        )
    for sex, (_, words) in claims.items():
        g = gaps[(gaps["sex"] == sex) & gaps["value"].notna()].sort_values("period")
        if g.empty:
            continue
        last = g.iloc[-1]
        rows.append(
            {
                "Påstående": f"utbildningsskillnad vid 30 år: {words} ({_sex_word(sex)})",
                "Referensdata": f"{last['area_name']} {last['period_label']}: "
                f"{num(float(last['value']), 1, 'år')} "
                f"(spann {num(float(g['value'].min()), 1)}–{num(float(g['value'].max()), 1)} "
                f"{g['period_label'].iloc[0]}–{last['period_label']})",
                "Källa": "SCB, publicerade värden",
            }
        )
    reg = changes[changes["area_code"] == region_code]
    if len(reg) == 1:
        r = reg.iloc[0]
        kom = changes[(changes["area_type"] == "kommun") & changes["diff_pp"].notna()]
        n_down = int((kom["verdict"] == survey_compare.VERDICT_DECREASE).sum())
        rows.append(
            {
                "Påstående": "kan vi säga att den dagliga rökningen har minskat?",
                "Referensdata": f"{r['area_name']}: {num(r['diff_pp'], 1, 'procentenheter')} "
                f"{r['period_label_before']}–{r['period_label']}, {r['verdict']}; "
                f"{n_down} av {len(kom)} kommuner säkerställd minskning",
                "Källa": "FoHM, Hälsa på lika villkor (Region Dalarnas sammanställning)",
            }
        )
    return pd.DataFrame(rows)
