"""Swedish sentences about remaining life expectancy at 30 by education level.

Each function takes rows of the results of :mod:`helpers.stats.education`
(the gap between long and short education and its trend, who gained, SII/RII)
and returns a sentence with decimal comma (:mod:`helpers.core.fmt`).
"""

from __future__ import annotations

import pandas as pd

from helpers.core import indicators
from helpers.core.fmt import join_names, num
from helpers.stats import education
from helpers.text.phrases import ci_text, in_area, missing, years

#: How each education level is named inside a sentence.
LEVEL_PHRASES: dict[str, str] = {
    "förgymnasial": "förgymnasial utbildning",
    "gymnasial": "gymnasial utbildning",
    "eftergymnasial": "eftergymnasial utbildning",
    indicators.ALL_GROUPS: "alla utbildningsnivåer",
}


# -- sentences: education ------------------------------------------------------------------------
def gap_sentence(trend_row: pd.Series) -> str:
    """Describe the gap between long and short education: first, last and its trend.

    Parameters
    ----------
    trend_row : pandas.Series
        A row of :func:`helpers.stats.education.linear_trend` applied to :func:`helpers.stats.education.gap`.

    Returns
    -------
    str
        E.g. ``"I Region Dalarna var skillnaden i återstående medellivslängd vid 30 år
        mellan kvinnor med eftergymnasial och förgymnasial utbildning 3,0 år
        1991–1995 och 6,4 år 2020–2024. Enligt en linjär trend ökade skillnaden
        med 3,2 år (95 % KI 2,6–3,9) över perioden."``
    """
    where = in_area(trend_row)
    text = (
        f"{where} var skillnaden i återstående medellivslängd vid 30 år mellan "
        f"{trend_row['sex']} med eftergymnasial och förgymnasial utbildning "
        f"{years(trend_row['first_value'])} {trend_row['first_label']} och "
        f"{years(trend_row['last_value'])} {trend_row['last_label']}."
    )
    if missing(trend_row["change"]):
        return text + " För få perioder för att skatta en trend."
    ci = ci_text(trend_row["change_lower"], trend_row["change_upper"])
    change = float(trend_row["change"])
    if trend_row["change_lower"] > 0:
        return (
            text
            + f" Enligt en linjär trend ökade skillnaden med {years(change)} ({ci}) över perioden."
        )
    if trend_row["change_upper"] < 0:
        return (
            text
            + f" Enligt en linjär trend minskade skillnaden med {years(abs(change))} ({ci}) över perioden."
        )
    return text + f" Trenden visar ingen säkerställd förändring ({num(change, 1)} år, {ci})."


def gains_sentence(gains_table: pd.DataFrame, area_code: str) -> str:
    """Say for which education levels and sexes e30 increased, and for which it did not.

    Parameters
    ----------
    gains_table : pandas.DataFrame
        Result of :func:`helpers.stats.education.gains`.
    area_code : str
        Region or Riket code.

    Returns
    -------
    str
        E.g. ``"I Region Dalarna ökade återstående medellivslängd vid 30 år mellan
        1991–1995 och 2020–2024 för alla utbildningsnivåer utom för kvinnor med
        förgymnasial utbildning (0,2 år, 95 % KI 0,1–0,4)."``
    """
    g = gains_table[
        (gains_table["area_code"] == area_code) & gains_table["group"].isin(education.LEVELS)
    ]
    if g.empty:
        return ""
    r0 = g.iloc[0]
    where = in_area(r0)
    spans = g["first_label"].astype(str) + "|" + g["last_label"].astype(str)
    common = spans.mode().iloc[0]
    first, last = common.split("|")
    span = f"mellan {first} och {last}"
    not_gained = g[g["verdict"] != education.GAINED]

    def who(r: pd.Series) -> str:
        own = f"{r['first_label']}|{r['last_label']}"
        when = "" if own == common else f"från {r['first_label']} till {r['last_label']}: "
        if missing(r["change"]):
            return f"{r['sex']} med {LEVEL_PHRASES[r['group']]} ({when}för få perioder)"
        ci = ci_text(r["change_lower"], r["change_upper"])
        return (
            f"{r['sex']} med {LEVEL_PHRASES[r['group']]} "
            f"({when}{num(float(r['change']), 1)} år, {ci})"
        )

    rule = f" En ökning räknas när trenden ger minst {years(education.MIN_CHANGE)} med ett konfidensintervall över noll."
    if not_gained.empty:
        return (
            f"{where} ökade återstående medellivslängd vid 30 år {span} för alla "
            "utbildningsnivåer, för både kvinnor och män." + rule
        )
    named = join_names([who(r) for _, r in not_gained.iterrows()])
    if len(not_gained) == len(g):
        return (
            f"{where} ökade återstående medellivslängd vid 30 år {span} inte tydligt för någon "
            f"utbildningsnivå: {named}." + rule
        )
    text = (
        f"{where} ökade återstående medellivslängd vid 30 år {span} för alla utbildningsnivåer "
        f"utom för {named}."
    )
    lost = not_gained[not_gained["verdict"] == education.LOST]
    if not lost.empty:
        groups = [f"{r['sex']} med {LEVEL_PHRASES[r['group']]}" for _, r in lost.iterrows()]
        text += f" För {join_names(groups)} minskade den."
    return text + rule


def sii_sentence(sii_table: pd.DataFrame, area_code: str, sex: str) -> str:
    """Describe the slope (and relative) index of inequality in the first and last period.

    Parameters
    ----------
    sii_table : pandas.DataFrame
        Result of :func:`helpers.stats.education.sii_by_period`.
    area_code : str
        Region or Riket code.
    sex : str
        Sex.

    Returns
    -------
    str
        E.g. ``"För kvinnor i Region Dalarna var lutningsindexet (SII) 3,0 år
        1991–1995 och 7,2 år 2020–2024, och det relativa indexet (RII) 1,06 och
        1,14."``
    """
    s = sii_table[(sii_table["area_code"] == area_code) & (sii_table["sex"] == sex)]
    if s.empty:
        return ""
    s = s.sort_values("period")
    a, b = s.iloc[0], s.iloc[-1]
    where = "riket" if a["area_type"] == "riket" else str(a["area_name"])
    ci_b = ci_text(b["sii_lower"], b["sii_upper"])
    return (
        f"För {sex} i {where} var lutningsindexet (SII) {years(a['sii'])} {a['period_label']} "
        f"och {years(b['sii'])}{f' ({ci_b})' if ci_b else ''} {b['period_label']}, och det relativa "
        f"indexet (RII) {num(a['rii'], 2)} och {num(b['rii'], 2)}."
    )
