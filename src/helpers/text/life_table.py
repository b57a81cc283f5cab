"""Swedish sentences about life expectancy computed with life tables (with CIs).

Each function takes rows of the result tables of
:func:`helpers.sources.mortality.kommun_life_expectancy`,
:func:`helpers.sources.mortality.compare_with_county` and
:func:`helpers.stats.lifetable_compare.county_range` and returns one or a few
sentences, with numbers formatted by :mod:`helpers.core.fmt` (decimal comma,
non-breaking space before the unit). They are pure, so the wording can be
tested on hand-made numbers.
"""

from __future__ import annotations

import pandas as pd

from helpers.core import indicators
from helpers.core.fmt import join_names, num
from helpers.sources.mortality_education import E30_INDICATOR
from helpers.stats.lifetable_compare import (
    VERDICT_HIGHER,
    VERDICT_LOWER,
    VERDICT_NONE,
    VERDICT_SAME,
)
from helpers.text.phrases import ci_text, in_area, missing, p_text, relative, years

#: What each indicator is called inside a sentence.
NOUNS: dict[str, str] = {
    "e0": "medellivslängden vid födelsen",
    "e30": "återstående medellivslängd vid 30 år",
    E30_INDICATOR: "återstående medellivslängd vid 30 år",
}


# -- sentences: kommun life expectancy ---------------------------------------------------------------
def value_sentence(row: pd.Series, noun: str | None = None) -> str:
    """Describe one area's life expectancy with its CI and flag.

    Parameters
    ----------
    row : pandas.Series
        A row of the indicator table (``area_name``, ``sex``, ``indicator``,
        ``period_label``, ``value``, ``ci_lower``, ``ci_upper``, ``flag``,
        ``flag_reason``).
    noun : str, optional
        What is described (default from the indicator).

    Returns
    -------
    str
        E.g. ``"I Falun var medellivslängden vid födelsen för kvinnor 84,0 år
        (95 % KI 83,4–84,6) 2020–2024."``
    """
    noun = noun or NOUNS.get(str(row["indicator"]), str(row["indicator"]))
    where = in_area(row)
    if missing(row["value"]):
        reason = f": {row['flag_reason']}" if str(row.get("flag_reason", "") or "") else ""
        return (
            f"{where} visas inget värde för {noun} för {row['sex']} {row['period_label']}"
            f" ({row['flag']}{reason})."
        )
    ci = ci_text(row["ci_lower"], row["ci_upper"])
    text = (
        f"{where} var {noun} för {row['sex']} {years(row['value'])}"
        f"{f' ({ci})' if ci else ''} {row['period_label']}."
    )
    if row["flag"] == indicators.FLAG_UNCERTAIN:
        text += (
            f" Värdet är en osäker skattning ({row['flag_reason']}) och bör läsas med försiktighet."
        )
    return text


def compare_sentence(row: pd.Series, parent: str = "region") -> str:
    """Describe a kommun's difference from its county (``parent="region"``) or Riket.

    Parameters
    ----------
    row : pandas.Series
        A row of :func:`helpers.sources.mortality.compare_with_county`.
    parent : {"region", "riket"}
        Which comparison.

    Returns
    -------
    str
        E.g. ``"Det är 0,6 år lägre än i länet (84,1 år), en statistiskt
        säkerställd skillnad (95 % KI från −1,1 till −0,1)."``
    """
    where = "i länet" if parent == "region" else "i riket"
    verdict = row[f"verdict_{parent}"]
    if verdict == VERDICT_NONE or missing(row[f"diff_{parent}"]):
        return f"Jämförelsen med värdet {where} kan inte göras (värde saknas eller är undertryckt)."
    diff = float(row[f"diff_{parent}"])
    ci = ci_text(row[f"diff_{parent}_lower"], row[f"diff_{parent}_upper"])
    ref = years(row[f"{parent}_value"])
    head = f"Det är {relative(diff, where, 'ungefär lika högt som')} ({ref})"
    if verdict == VERDICT_SAME:
        return f"{head}; skillnaden är inte statistiskt säkerställd ({ci})."
    return f"{head}, en statistiskt säkerställd skillnad ({ci})."


def range_sentence(row: pd.Series) -> str:
    """Describe the range between the county's kommuner and whether chance can explain it.

    Parameters
    ----------
    row : pandas.Series
        A row of :func:`helpers.sources.mortality.county_range`.

    Returns
    -------
    str
        Two or three sentences: the range with the two kommuner and the
        interval; what chance alone would give and the test of equal values;
        the kommuner left out.
    """
    noun = NOUNS.get(str(row["indicator"]), str(row["indicator"]))
    sex, label = row["sex"], row["period_label"]
    if missing(row["range"]):
        text = (
            f"För {sex} {label} har färre än två av länets kommuner ett värde för {noun}, "
            "så ingen skillnad kan beräknas."
        )
    else:
        text = (
            f"Mellan länets kommuner skilde {noun} för {sex} {years(row['range'])} {label}, "
            f"från {years(row['min_value'])} i {row['min_kommun']} till "
            f"{years(row['max_value'])} i {row['max_kommun']} "
            f"({ci_text(row['range_lower'], row['range_upper'])})."
        )
        chance = (
            f" Om alla kommuner hade samma värde skulle slumpen ensam ge en skillnad på omkring "
            f"{years(row['null_range'])}"
        )
        if row["q_p_value"] < 0.05:
            text += (
                chance + "; skillnaderna mellan kommunerna är större än vad slumpen kan förklara "
                f"({p_text(row['q_p_value'])})."
            )
        else:
            text += (
                chance + "; skillnaderna mellan kommunerna går inte att skilja från slumpen "
                f"({p_text(row['q_p_value'])})."
            )
    if int(row["n_suppressed"] or 0):
        text += f" Utan värde (undertryckt): {row['suppressed_kommuner']}."
    if int(row["n_uncertain"] or 0):
        text += f" Osäkra skattningar: {row['uncertain_kommuner']}."
    return text


def significant_sentence(comparison: pd.DataFrame, sex: str, indicator: str = "e0") -> str:
    """Name the kommuner whose value is significantly above or below the county.

    Parameters
    ----------
    comparison : pandas.DataFrame
        Rows of :func:`helpers.sources.mortality.compare_with_county` for one
        county and period.
    sex : str
        Sex.
    indicator : str
        Indicator.

    Returns
    -------
    str
        E.g. ``"För män låg medellivslängden vid födelsen statistiskt säkerställt
        högre än länets i Hedemora och Ludvika och lägre i Rättvik; för övriga 12
        kommuner är skillnaden mot länet inte säkerställd."``
    """
    c = comparison[(comparison["sex"] == sex) & (comparison["indicator"] == indicator)]
    if c.empty:
        return ""
    noun = NOUNS.get(indicator, indicator)
    hi = c.loc[c["verdict_region"] == VERDICT_HIGHER, "area_name"].astype(str)
    lo = c.loc[c["verdict_region"] == VERDICT_LOWER, "area_name"].astype(str)
    rest = int((c["verdict_region"] == VERDICT_SAME).sum())
    none = c.loc[c["verdict_region"] == VERDICT_NONE, "area_name"].astype(str)
    if hi.empty and lo.empty:
        which = (
            "den kommun som kunde bedömas"
            if rest == 1
            else f"någon av de {rest} kommunerna som kunde bedömas"
        )
        text = f"För {sex} skilde sig {noun} inte statistiskt säkerställt från länets i {which}."
    else:
        parts = []
        if not hi.empty:
            parts.append(f"högre än länets i {join_names(sorted(hi))}")
        if not lo.empty:
            parts.append(
                f"lägre i {join_names(sorted(lo))}"
                if parts
                else f"lägre än länets i {join_names(sorted(lo))}"
            )
        text = f"För {sex} var {noun} statistiskt säkerställt " + " och ".join(parts)
        if rest == 1:
            text += "; för den övriga kommunen är skillnaden mot länet inte säkerställd."
        elif rest:
            text += f"; för övriga {rest} kommuner är skillnaden mot länet inte säkerställd."
        else:
            text += "."
    if not none.empty:
        text += f" Kan inte bedömas: {join_names(sorted(none))}."
    return text


def _period_years(label: str) -> int:
    """Years in a period label: 5 for ``"2020–2024"``, 1 for ``"2024"``."""
    first, _, last = str(label).partition("–")
    return int(last) - int(first) + 1 if last else 1


def flags_sentence(table: pd.DataFrame, period: int) -> str:
    """Say how many kommun values are flagged, which kommuner are smallest and whose CI is widest.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`helpers.sources.mortality_counts.kommun_life_expectancy` for a county
        (all periods; ``denominator`` = person-years).
    period : int
        The period whose smallest kommuner and widest interval are named.

    Returns
    -------
    str
        E.g. ``"3 av 450 kommunvärden är osäkra eller undertryckta. De minsta kommunerna
        2020–2024 är Vansbro (6 500 invånare i genomsnitt), … Bredast konfidensintervall
        har Vansbro (e0, män: 4,1 år)."``
    """
    kommun_rows = table[table["area_type"] == "kommun"]
    n_flagged = int((kommun_rows["flag"] != indicators.FLAG_OK).sum())
    text = (
        f"{n_flagged} av {len(kommun_rows)} kommunvärden är osäkra eller undertryckta."
        if n_flagged
        else f"Inget av länets {len(kommun_rows)} kommunvärden är osäkert eller undertryckt."
    )
    now = kommun_rows[kommun_rows["period"] == int(period)]
    if now.empty:
        return text
    label = str(now["period_label"].iloc[0])
    smallest = (
        now[now["indicator"] == "e0"]
        .groupby("area_name")["denominator"]
        .sum()
        .sort_values()
        .head(3)
    )
    per_year = _period_years(label)
    text += (
        f" De minsta kommunerna {label} är "
        + ", ".join(
            f"{name} ({num(py / per_year, 0)} invånare i genomsnitt)"
            for name, py in smallest.items()
        )
        + "."
    )
    shown = now[indicators.usable(now)]
    if not shown.empty:
        widest = shown.assign(width=shown["ci_upper"] - shown["ci_lower"])
        w = widest.sort_values("width", ascending=False).iloc[0]
        text += (
            f" Bredast konfidensintervall har {w['area_name']} ({w['indicator']}, "
            f"{w['sex']}: {num(w['width'], 1)} år)."
        )
    return text
