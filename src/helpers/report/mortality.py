"""Section builders for the kommun report: life expectancy with CIs, and by education.

The report template only *calls* these functions; each returns a small
:class:`Section` with the figures, tables and Swedish sentences of one part
of the report, all generated from the same numbers (decimal comma, via
:mod:`helpers.core.fmt`).

``mortality_section(kommun, data_source, year)``
    Life expectancy at birth and at 30 for the kommun, its county and Riket
    (five-year period ending ``year``) with 95 % confidence intervals computed
    from deaths and population; whether the kommun differs significantly from
    the county and Riket (the overlap of kommun and county is taken into
    account, see :mod:`helpers.sources.mortality`); the range between the
    county's kommuner with its uncertainty; ranked charts and maps.

``education_section(lan_code, data_source)``
    Region Dalarna's figure 1.1: e30 by education level for the county and
    Sweden; the gap between long and short education over time with its trend;
    which groups gained; SII/RII across the three levels.

The heavy parts (life tables for every kommun, comparisons, the county's range
and the education analyses) are memoized per data source and county, so a
warm kernel making one report per kommun computes them once; after the first
call a section takes well under half a second.

The sentence functions (``*_sentence``) are public and pure: they take rows
of the result tables, so the wording can be tested on hand-made numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from helpers.core import indicators, lookup
from helpers.core.errors import DataError
from helpers.core.fmt import join_names, num
from helpers.plots import lifetable as pl
from helpers.sources import mortality as data_mortality
from helpers.stats import education

SEXES: tuple[str, str] = ("kvinnor", "män")
NOUNS: dict[str, str] = {
    "e0": "medellivslängden vid födelsen",
    "e30": "återstående medellivslängd vid 30 år",
    data_mortality.E30_INDICATOR: "återstående medellivslängd vid 30 år",
}
LEVEL_PHRASES: dict[str, str] = {
    "förgymnasial": "förgymnasial utbildning",
    "gymnasial": "gymnasial utbildning",
    "eftergymnasial": "eftergymnasial utbildning",
    indicators.ALL_GROUPS: "alla utbildningsnivåer",
}
_MEMO: dict[tuple, Any] = {}


@dataclass
class Section:
    """One part of a report: title, Swedish sentences, figures, tables and footnotes.

    Attributes
    ----------
    title : str
        Heading of the section.
    sentences : list of str
        Key results in Swedish, generated from the numbers.
    figures : dict of str to Figure
        Figures by name (e.g. ``"rangordning"``); the caller shows and closes them.
    tables : dict of str to DataFrame
        Tables by name, formatted for display (strings with decimal comma) or raw.
    notes : list of str
        Footnotes on method and data.
    source : str
        Source line.
    period_label : str
        The period the section describes (empty when several).
    """

    title: str
    sentences: list[str] = field(default_factory=list)
    figures: dict[str, Figure] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    source: str = ""
    period_label: str = ""

    def markdown(self) -> str:
        """Return the sentences as a Markdown bullet list."""
        return "\n".join(f"- {s}" for s in self.sentences if s)

    def notes_markdown(self) -> str:
        """Return the notes as a Markdown bullet list."""
        return "\n".join(f"- {s}" for s in self.notes if s)


def clear_memo() -> None:
    """Forget the memoized county computations (and those of :mod:`helpers.sources.mortality`)."""
    _MEMO.clear()
    data_mortality.clear_memo()


# -- formatting -------------------------------------------------------------------------------
def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or bool(pd.isna(x))


def years(value: float) -> str:
    """``81,3 år`` (decimal comma, non-breaking space)."""
    return num(float(value), 1, "år")


def ci_text(lower: float, upper: float) -> str:
    """``"95 % KI 80,1–82,3"``; for intervals that include negative numbers ``"från −0,6 till 0,4"``."""
    if _missing(lower) or _missing(upper):
        return ""
    if lower < 0 or upper < 0:
        return f"95\u00a0% KI från {num(lower, 1)} till {num(upper, 1)}"
    return f"95\u00a0% KI {num(lower, 1)}–{num(upper, 1)}"


def p_text(p: float) -> str:
    """``"p = 0,15"``, ``"p = 0,003"``, ``"p < 0,001"``."""
    if _missing(p):
        return ""
    if p < 0.001:
        return "p < 0,001"
    return f"p = {num(p, 3 if p < 0.01 else 2)}"


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
    where = "I riket" if row.get("area_type") == "riket" else f"I {row['area_name']}"
    if _missing(row["value"]):
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
    if verdict == data_mortality.VERDICT_NONE or _missing(row[f"diff_{parent}"]):
        return f"Jämförelsen med värdet {where} kan inte göras (värde saknas eller är undertryckt)."
    diff = float(row[f"diff_{parent}"])
    ci = ci_text(row[f"diff_{parent}_lower"], row[f"diff_{parent}_upper"])
    ref = years(row[f"{parent}_value"])
    if abs(diff) < 0.05:
        head = f"Det är ungefär lika högt som {where} ({ref})"
    else:
        word = "högre" if diff > 0 else "lägre"
        head = f"Det är {years(abs(diff))} {word} än {where} ({ref})"
    if verdict == data_mortality.VERDICT_SAME:
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
    if _missing(row["range"]):
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
    hi = c.loc[c["verdict_region"] == data_mortality.VERDICT_HIGHER, "area_name"].astype(str)
    lo = c.loc[c["verdict_region"] == data_mortality.VERDICT_LOWER, "area_name"].astype(str)
    rest = int((c["verdict_region"] == data_mortality.VERDICT_SAME).sum())
    none = c.loc[c["verdict_region"] == data_mortality.VERDICT_NONE, "area_name"].astype(str)
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
    where = "I riket" if trend_row["area_type"] == "riket" else f"I {trend_row['area_name']}"
    text = (
        f"{where} var skillnaden i återstående medellivslängd vid 30 år mellan "
        f"{trend_row['sex']} med eftergymnasial och förgymnasial utbildning "
        f"{years(trend_row['first_value'])} {trend_row['first_label']} och "
        f"{years(trend_row['last_value'])} {trend_row['last_label']}."
    )
    if _missing(trend_row["change"]):
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
    where = "I riket" if r0["area_type"] == "riket" else f"I {r0['area_name']}"
    spans = g["first_label"].astype(str) + "|" + g["last_label"].astype(str)
    common = spans.mode().iloc[0]
    first, last = common.split("|")
    span = f"mellan {first} och {last}"
    not_gained = g[g["verdict"] != education.GAINED]

    def who(r: pd.Series) -> str:
        own = f"{r['first_label']}|{r['last_label']}"
        when = "" if own == common else f"från {r['first_label']} till {r['last_label']}: "
        if _missing(r["change"]):
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


# -- memoized county computations ---------------------------------------------------------------------
def _county(data_source: str, lan_code: str) -> dict[str, pd.DataFrame]:
    source = data_mortality.check_source(data_source)
    key = ("county", source, lan_code)
    if key not in _MEMO:
        le = data_mortality.kommun_life_expectancy(source, lan_code)
        _MEMO[key] = {
            "le": le,
            "compare": data_mortality.compare_with_county(source, lan_code),
            "range": data_mortality.county_range(le, lan_code),
        }
    return _MEMO[key]


def _education(data_source: str, lan_code: str) -> dict[str, pd.DataFrame]:
    source = data_mortality.check_source(data_source)
    key = ("education", source, lan_code)
    if key not in _MEMO:
        e30 = data_mortality.e30_by_education(source, lan_code)
        gaps = education.gap(e30)
        _MEMO[key] = {
            "e30": e30,
            "gap": gaps,
            "trend": education.linear_trend(gaps),
            "band": education.trend_band(gaps),
            "gains": education.gains(e30),
            "sii": education.sii_by_period(e30),
        }
    return _MEMO[key]


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
            if r.empty or _missing(r["value"].iloc[0]):
                return "–"
            r = r.iloc[0]
            return f"{num(r['value'], 1)} ({num(r['ci_lower'], 1)}–{num(r['ci_upper'], 1)})"

        def diff(parent: str, c: pd.Series = c) -> str:
            if _missing(c[f"diff_{parent}"]):
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
    data_source : {"demo", "referens", "scb", "kolada"}
        Source of the counts (``"kolada"`` reads real counts from SCB).
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
        of the period); ``sentences`` in Swedish.
    """
    if isinstance(kommun, int):
        kommun = f"{kommun:04d}"
    lan_code = lookup.lan_of(kommun)
    data = _county(data_source, lan_code)
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
    lan_code = kommun[:2]
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
            if not c.empty and not _missing(r.iloc[0]["value"]):
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
        figs["skillnad"] = pl.range_ci_over_time(ranges)
        if maps:
            fig, axes = plt.subplots(1, 2, figsize=(10.5, 4.9), layout="constrained")
            for ax, sex in zip(axes, SEXES, strict=True):
                pl.kommun_map(now, lan_code, ax=ax, period=period, sex=sex, highlight=kommun)
            figs["karta"] = fig
    notes = [
        "Medellivslängden är beräknad med en förkortad livstabell (0, 1–4, …, 90+ år) från döda "
        "och medelfolkmängd under femårsperioden, med 95\u00a0% konfidensintervall (Chiang II).",
        "Skillnaden mot länet tar hänsyn till att kommunen själv ingår i länet.",
        "Värden från färre än 5\u00a0000 personår visas inte; värden med konfidensintervall "
        "bredare än 10 år markeras som osäkra.",
    ]
    return Section(
        title=f"Medellivslängd med osäkerhet – {name}",
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
    )


def education_section(lan_code: str, data_source: str = "demo", *, figures: bool = True) -> Section:
    """Build the report section on life expectancy at 30 by education for a county.

    Parameters
    ----------
    lan_code : str
        Two-digit län code.
    data_source : {"demo", "scb", "referens", "kolada"}
        Source (``"kolada"`` reads SCB's TAB4879).
    figures : bool
        Whether to draw the figures.

    Returns
    -------
    Section
        ``figures``: ``"figur_1_1"`` (e30 by education, county and Sweden),
        ``"skillnad"`` (the gap with its trend) and ``"sii"``; ``tables``:
        ``"skillnad"`` (gap, first and last period), ``"trend"``, ``"förändring"``
        (who gained) and ``"sii"``; ``sentences`` in Swedish.
    """
    lookup.region_code(lan_code)
    data = _education(data_source, lan_code)
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
        figs["figur_1_1"] = pl.education_lines(e30, lan_code)
        if not data["gap"].empty and indicators.usable(data["gap"]).any():
            figs["skillnad"] = pl.gap_trend(data["gap"], data["band"])
        if not sii.empty:
            figs["sii"] = pl.sii_over_time(sii)
    gap_table = trend[
        ["area_name", "sex", "first_label", "first_value", "last_label", "last_value", "change"]
    ].rename(
        columns={
            "area_name": "Område",
            "sex": "Kön",
            "first_label": "Första period",
            "first_value": "Skillnad första",
            "last_label": "Senaste period",
            "last_value": "Skillnad senaste",
            "change": "Trendens förändring",
        }
    )
    change_table = gains[gains["group"].isin(education.LEVELS)][
        ["area_name", "sex", "group", "first_value", "last_value", "change", "verdict"]
    ].rename(
        columns={
            "area_name": "Område",
            "sex": "Kön",
            "group": "Utbildning",
            "first_value": "Första",
            "last_value": "Senaste",
            "change": "Trendens förändring",
            "verdict": "Bedömning",
        }
    )
    notes = [
        "Skillnaden är eftergymnasial minus förgymnasial utbildning. Källan anger ingen "
        "osäkerhet för e30 efter utbildning; trendens konfidensintervall bygger på hur mycket "
        "värdena varierar kring trenden, med hänsyn till att femårsperioderna överlappar.",
        "SII/RII bygger på antagna befolkningsandelar per utbildningsnivå "
        f"({', '.join(dict.fromkeys(sii['shares'].astype(str))) or '–'} %).",
    ]
    return Section(
        title="Återstående medellivslängd vid 30 år efter utbildning",
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
    )


__all__ = [
    "Section",
    "build_education_section",
    "build_mortality_section",
    "ci_text",
    "clear_memo",
    "compare_sentence",
    "education_section",
    "gains_sentence",
    "gap_sentence",
    "key_figures",
    "mortality_section",
    "p_text",
    "range_sentence",
    "significant_sentence",
    "sii_sentence",
    "value_sentence",
    "years",
]
