"""The survey analyses of the workbook, assembled from :mod:`helpers.stats.survey`: pure functions.

Region Dalarna's report asked: *can we say with certainty that the share of daily
smokers has fallen, when the analysis rests on 59 smokers?* And: who sent the
data, register or survey, how high was the response rate, were calibration
weights used, were the figures tested for significance, and what does it mean
that older, highly educated women answer more often than young, less educated
men? This module answers those questions from microdata, in numbers and in
Swedish sentences:

* :func:`estimate_variable` – design-based prevalences for kommuner and county
  (and Sweden when the extract covers it) by sex and education, with NCHS flags
  and disclosure control (:func:`helpers.stats.survey.estimate_indicator`);
* :func:`change_table` and :func:`change_answer` – the change between two
  periods with its confidence interval, the verdict in words and the
  **unweighted number of yes-answers** each estimate rests on ("59 smokers");
* :func:`kommun_comparison` – each kommun against its county and Sweden by a
  significance test, beside Kolada-style rank colours
  (:data:`helpers.stats.survey.RANK_VS_SIGNIFICANCE_NOTE` explains why they can differ);
* :func:`response_pattern` and :func:`response_sentences` – respondents by
  age, sex and education against the population, shares side by side;
* :func:`questions_table` – the questions to ask of any number, answered for
  these data;
* :func:`display_table` and the other ``*_display`` functions – tables for
  readers: value with CI (decimal comma), n, flag and reason.

Disclosure control
------------------
Nothing leaves this module without passing
:func:`helpers.stats.disclosure.suppress_small_cells`: estimates through
``estimate_indicator(params=...)``, and every derived table (changes,
comparisons, response pattern, display tables) directly, with its ``n`` being
the smallest number of respondents behind the row. Text columns that would
reveal a hidden row (verdicts) are emptied with it, and the flag reason says
why. Comparisons are only shown for estimates that are shown themselves.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers.core import indicators, lookup
from helpers.core.errors import DataError
from helpers.core.fmt import SEX_LABELS, join_names, num, signed
from helpers.stats import survey
from helpers.stats.ci import z_value
from helpers.stats.disclosure import suppress_small_cells
from helpers.text.narrative import ordinal

#: Default confidence level.
CONFIDENCE = 0.95
#: What a "yes" is called in sentences, for the variables the workbook knows.
YES_NOUNS: dict[str, str] = {
    "daily_smoking": "som röker dagligen",
    "risk_alcohol": "med riskabla alkoholvanor",
    "good_health": "med bra eller mycket bra hälsa",
    "physical_inactivity": "med stillasittande fritid",
}
#: Labels of the response-pattern blocks (the ``indicator`` column of :func:`response_pattern`).
PATTERN_BLOCKS: dict[str, str] = {"ålder": "age_group", "utbildning": "education"}
#: Why the weights cannot repair everything (shown with the response pattern).
NONRESPONSE_NOTE = (
    "Att vissa grupper svarar oftare betyder att de svarande inte är ett slumpmässigt urval av "
    "befolkningen. Kalibreringsvikterna räknar upp svaren från grupper som svarar sällan, så att "
    "de vägda andelarna stämmer med befolkningen efter kön, ålder och utbildning. Men vikterna "
    "rättar bara för skillnader *mellan* grupperna: om de unga män som svarar röker mindre än de "
    "unga män som inte svarar blir andelen rökare ändå för låg – och det syns inte i "
    "konfidensintervallet, som bara mäter slumpen i urvalet. Stora vikter gör dessutom "
    "skattningarna osäkrare."
)
#: How the tests are made (answer to "were the figures tested for significance?").
SIGNIFICANCE_NOTE = (
    "Förändringar mellan perioder och skillnader mot länet och riket prövas med t-test på "
    "designbaserade standardfel (Taylorlinearisering med vikter och strata) på 5 %-nivån; "
    "andelarna har Korn–Graubard-intervall och flaggas enligt NCHS standard (2017). Prövas "
    "många skillnader samtidigt, t.ex. alla länets kommuner, blir ungefär 1 av 20 "
    "”signifikant” av en slump fast ingen verklig skillnad finns."
)

_VERDICT_COLUMNS = ("verdict", "verdict_lan", "verdict_riket")


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def _params(min_n: int) -> dict[str, dict[str, int]]:
    return {"disclosure": {"min_n": int(min_n)}}


def _controlled(table: pd.DataFrame, min_n: int, *, complementary: bool = True) -> pd.DataFrame:
    """Run disclosure control and empty verdict texts of hidden rows."""
    out = suppress_small_cells(table, min_n, complementary=complementary)
    hidden = (out["flag"] == indicators.FLAG_SUPPRESSED).to_numpy()
    for col in _VERDICT_COLUMNS:
        if col in out.columns:
            out[col] = out[col].astype(object)
            out.loc[hidden, col] = ""
    return out.reset_index(drop=True)


def _pct(value: float, decimals: int = 1) -> str:
    return num(float(value), decimals, "%")


def _p_text(p: float) -> str:
    if p is None or not np.isfinite(p):
        return "p okänt"
    if p < 0.001:
        return "p < 0,001"
    return f"p = {num(p, 3)}"


def _diff_ci(lo: float, hi: float) -> str:
    return f"{signed(lo, 1)} till {signed(hi, 1)}"


def _level(confidence: float) -> str:
    return f"{num(confidence * 100, 0)}\u00a0%"


def _count(value: float) -> str:
    return num(float(value), 0)


def area_label(area_code: str) -> str:
    """Return the name of an area (kommun, region, Riket) or the code when unknown."""
    try:
        return lookup.area_name(str(area_code))
    except DataError:
        return str(area_code)


def estimate_variable(
    data: pd.DataFrame,
    variable: str,
    *,
    source: str,
    min_n: int = 5,
    pool_years: int = 0,
    confidence: float = CONFIDENCE,
) -> survey.SurveyEstimate:
    """Estimate one yes/no variable for kommuner and county (and Sweden), disclosure-controlled.

    Sweden (``"0000"``) is estimated only when the extract covers more than one
    county; a regional extract says nothing about Sweden.

    Parameters
    ----------
    data : pandas.DataFrame
        Canonical microdata (:func:`helpers.sources.survey_data.survey_microdata`).
    variable : str
        0/1 answer column; also the indicator id.
    source : str
        Attribution line for the table.
    min_n : int
        Disclosure threshold (``disclosure.min_n``).
    pool_years : int
        0 for one estimate per survey year, else pool the survey years of each
        window of this many calendar years.
    confidence : float
        Confidence level.

    Returns
    -------
    helpers.stats.survey.SurveyEstimate
        ``table`` (indicator table: percent, flags, disclosure control applied)
        and ``design`` (design statistics, not disclosure-controlled – do not show).
    """
    lans = data["kommun"].astype("string").str[:2].dropna().unique()
    levels = ("kommun", "lan", "riket") if len(lans) > 1 else ("kommun", "lan")
    return survey.estimate_indicator(
        data,
        variable,
        variable,
        source,
        levels=levels,
        pool_years=int(pool_years) or None,
        confidence=confidence,
        params=_params(min_n),
    )


def with_reference(table: pd.DataFrame, reference: pd.DataFrame, min_n: int) -> pd.DataFrame:
    """Append national reference rows (same indicator, not already in ``table``) to a table.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table from :func:`estimate_variable`.
    reference : pandas.DataFrame
        Indicator table with Riket rows (e.g. :func:`helpers.sources.survey_data.riket_reference`).
    min_n : int
        Disclosure threshold applied to the reference rows too.

    Returns
    -------
    pandas.DataFrame
        Validated indicator table.
    """
    if reference is None or reference.empty:
        return table
    keys = ["area_code", "period", "sex", "group", "indicator"]
    ref = reference[reference["indicator"].isin(table["indicator"].unique())]
    have = table[keys].astype(str).agg("|".join, axis=1)
    ref = ref[~ref[keys].astype(str).agg("|".join, axis=1).isin(set(have))]
    if ref.empty:
        return table
    ref = suppress_small_cells(ref, min_n)
    return indicators.concat([table, ref])


def pick_periods(
    design: pd.DataFrame, before: int | None = None, after: int | None = None
) -> tuple[int, int] | None:
    """Choose two periods to compare: the latest and the latest earlier one that does not overlap.

    Parameters
    ----------
    design : pandas.DataFrame
        Design frame (``period`` and ``first_year`` columns).
    before, after : int, optional
        Fix either period (its last year).

    Returns
    -------
    tuple of int or None
        ``(before, after)``, or ``None`` when no two non-overlapping periods exist
        (e.g. when long pooling windows overlap).
    """
    spans = design[["period", "first_year"]].drop_duplicates().sort_values("period")
    first = dict(zip(spans["period"].astype(int), spans["first_year"].astype(int), strict=True))
    if after is None:
        after = max(first) if first else None
    if after is None or int(after) not in first:
        return None
    after = int(after)
    if before is not None:
        return (int(before), after) if int(before) in first else None
    earlier = [p for p in first if p < first[after]]
    return (max(earlier), after) if earlier else None


# ---------------------------------------------------------------------------
# change between two periods ("59 smokers")
# ---------------------------------------------------------------------------
def change_table(
    estimate: survey.SurveyEstimate,
    before: int,
    after: int,
    *,
    min_n: int = 5,
    area_codes: Sequence[str] | None = None,
    sex: str = "totalt",
    group: str = indicators.ALL_GROUPS,
    confidence: float = CONFIDENCE,
) -> pd.DataFrame:
    """Change between two periods for every area, with CI, verdict and the counts behind it.

    Design-based test for independent samples (:func:`helpers.stats.survey.compare_periods`).
    A change is shown only when both estimates are shown; otherwise its
    ``flag`` is "undertryckt" and ``flag_reason`` says which estimate is hidden and why.

    Parameters
    ----------
    estimate : helpers.stats.survey.SurveyEstimate
        From :func:`estimate_variable`.
    before, after : int
        Periods (last year) to compare; they must not share survey years.
    min_n : int
        Disclosure threshold.
    area_codes : sequence of str, optional
        Areas to keep (default all).
    sex, group : str
        Breakdown to compare.
    confidence : float
        Confidence level of the interval of the change.

    Returns
    -------
    pandas.DataFrame
        One row per area: ``area_code``, ``area_name``, ``area_type``,
        ``indicator``, ``sex``, ``group``, ``period`` (= ``after``),
        ``period_label``, ``period_label_before``, ``value_before``,
        ``ci_lower_before``, ``ci_upper_before``, ``n_before``, ``yes_before``,
        ``flag_before``, the same ``*_after``, ``diff_pp``, ``ci_lower_pp``,
        ``ci_upper_pp`` (percentage points), ``p_value``, ``verdict``, ``flag``,
        ``flag_reason``, ``n`` (the smaller number of respondents), ``ci_level``
        and ``source``; disclosure-controlled.
    """
    design, table = estimate.design, estimate.table
    sel = (design["sex"] == sex) & (design["group"] == group)
    if area_codes is not None:
        sel &= design["area_code"].isin(list(area_codes))
    keys = ["area_code", "area_type", "sex", "group", "indicator"]
    cmp = survey.compare_periods(design[sel], before, after, keys=keys, confidence=confidence)
    shown = table[sel.to_numpy()]
    cols = ["value", "ci_lower", "ci_upper", "n", "numerator", "flag", "flag_reason"]
    parts = {}
    for when, period in (("before", before), ("after", after)):
        t = shown[shown["period"] == period][[*keys, "area_name", "period_label", *cols]]
        t = t.rename(columns={c: f"{c}_{when}" for c in [*cols, "period_label", "area_name"]})
        parts[when] = t.rename(columns={f"numerator_{when}": f"yes_{when}"})
    m = cmp[[*keys, "diff_pp", "ci_lower_pp", "ci_upper_pp", "p_value", "verdict"]].merge(
        parts["before"], on=keys, how="left"
    )
    m = m.merge(parts["after"], on=keys, how="left")
    ok_b = m["value_before"].notna() & ~m["flag_before"].isin(
        [indicators.FLAG_SUPPRESSED, indicators.FLAG_MISSING]
    )
    ok_a = m["value_after"].notna() & ~m["flag_after"].isin(
        [indicators.FLAG_SUPPRESSED, indicators.FLAG_MISSING]
    )
    show = (ok_b & ok_a).to_numpy()
    reasons = []
    flags = []
    for i in range(len(m)):
        r = m.iloc[i]
        parts_r = []
        for when, ok in (("before", ok_b.iloc[i]), ("after", ok_a.iloc[i])):
            label = r[f"period_label_{when}"]
            if not ok:
                parts_r.append(f"{label} undertryckt: {r[f'flag_reason_{when}'] or 'värde saknas'}")
            elif r[f"flag_{when}"] == indicators.FLAG_UNCERTAIN:
                parts_r.append(f"{label} osäker: {r[f'flag_reason_{when}']}")
        reasons.append("; ".join(parts_r))
        if not show[i]:
            flags.append(indicators.FLAG_SUPPRESSED)
        elif indicators.FLAG_UNCERTAIN in (r["flag_before"], r["flag_after"]):
            flags.append(indicators.FLAG_UNCERTAIN)
        else:
            flags.append(indicators.FLAG_OK)
    out = pd.DataFrame(
        {
            "area_code": m["area_code"].astype(str),
            "area_name": m["area_name_after"].fillna(m["area_name_before"]).astype(str),
            "area_type": m["area_type"].astype(str),
            "indicator": m["indicator"].astype(str),
            "sex": m["sex"].astype(str),
            "group": m["group"].astype(str),
            "period": int(after),
            "period_label": m["period_label_after"].astype(str),
            "period_label_before": m["period_label_before"].astype(str),
            "value_before": m["value_before"].to_numpy(dtype=float),
            "ci_lower_before": m["ci_lower_before"].to_numpy(dtype=float),
            "ci_upper_before": m["ci_upper_before"].to_numpy(dtype=float),
            "n_before": m["n_before"].to_numpy(dtype=float),
            "yes_before": m["yes_before"].to_numpy(dtype=float),
            "flag_before": m["flag_before"].astype(str),
            "value_after": m["value_after"].to_numpy(dtype=float),
            "ci_lower_after": m["ci_lower_after"].to_numpy(dtype=float),
            "ci_upper_after": m["ci_upper_after"].to_numpy(dtype=float),
            "n_after": m["n_after"].to_numpy(dtype=float),
            "yes_after": m["yes_after"].to_numpy(dtype=float),
            "flag_after": m["flag_after"].astype(str),
            "diff_pp": np.where(show, m["diff_pp"], np.nan),
            "ci_lower_pp": np.where(show, m["ci_lower_pp"], np.nan),
            "ci_upper_pp": np.where(show, m["ci_upper_pp"], np.nan),
            "p_value": np.where(show, m["p_value"], np.nan),
            "verdict": np.where(show, m["verdict"].astype(str), ""),
            "flag": flags,
            "flag_reason": reasons,
            "n": np.fmin(m["n_before"].to_numpy(dtype=float), m["n_after"].to_numpy(dtype=float)),
            "ci_level": float(confidence),
            "source": str(table["source"].iloc[0]) if len(table) else "",
        }
    )
    order = {"riket": 0, "region": 1, "kommun": 2}
    out = out.sort_values(
        ["area_type", "area_name"], key=lambda s: s.map(order) if s.name == "area_type" else s
    )
    return _controlled(out, min_n)


@dataclass(frozen=True)
class ChangeAnswer:
    """The answer to "has the share fallen?" for one area, in numbers and words.

    Attributes
    ----------
    row : pandas.Series
        The area's row of :func:`change_table` (disclosure-controlled).
    sentences : list of str
        Swedish sentences: the two estimates, the change with its CI and
        verdict, the counts behind them, and the answer.
    verdict : str
        :data:`helpers.stats.survey.VERDICT_DECREASE`, ``VERDICT_INCREASE``,
        ``VERDICT_NO_CHANGE`` or ``""`` when the change is not shown.
    significant : bool
        Whether the change is statistically significant.
    """

    row: pd.Series
    sentences: list[str] = field(default_factory=list)
    verdict: str = ""
    significant: bool = False

    @property
    def markdown(self) -> str:
        """The sentences as one Markdown paragraph."""
        return " ".join(self.sentences)


def change_answer(
    changes: pd.DataFrame,
    area_code: str,
    *,
    label: str,
    variable: str | None = None,
    confidence: float = CONFIDENCE,
) -> ChangeAnswer:
    """Answer "can we say with certainty that the share has fallen?" for one area.

    Parameters
    ----------
    changes : pandas.DataFrame
        Output of :func:`change_table`.
    area_code : str
        Area (e.g. the county ``"0020"``).
    label : str
        Swedish label of the variable (e.g. "Röker dagligen").
    variable : str, optional
        Variable name, to describe the yes-answers (:data:`YES_NOUNS`).
    confidence : float
        Confidence level (for the text).

    Returns
    -------
    ChangeAnswer

    Raises
    ------
    DataError
        If the area is not in ``changes``.
    """
    rows = changes[changes["area_code"] == area_code]
    if len(rows) != 1:
        raise DataError(f"Hittade {len(rows)} rader för område {area_code} – väntade exakt en")
    r = rows.iloc[0]
    name = str(r["area_name"])
    b, a = str(r["period_label_before"]), str(r["period_label"])
    who = YES_NOUNS.get(variable or "", f"som svarat ja ({label.lower()})")
    lvl = _level(confidence)
    sentences: list[str] = []
    if r["flag"] == indicators.FLAG_SUPPRESSED or pd.isna(r["diff_pp"]):
        why = str(r["flag_reason"]) or "en av skattningarna saknas"
        sentences.append(
            f"{label}, {name}: förändringen mellan {b} och {a} kan inte redovisas ({why})."
        )
        sentences.append(
            "Svar: Nej – underlaget räcker inte för att säga något om förändringen. "
            "Slå ihop flera undersökningsår (pool_years) eller redovisa en större grupp."
        )
        return ChangeAnswer(row=r, sentences=sentences, verdict="", significant=False)
    sentences.append(
        f"{label}, {name}: andelen var {_pct(r['value_before'])} "
        f"({lvl} KI {num(r['ci_lower_before'])}–{num(r['ci_upper_before'])}) {b} och "
        f"{_pct(r['value_after'])} ({num(r['ci_lower_after'])}–{num(r['ci_upper_after'])}) {a}."
    )
    sentences.append(
        f"Förändringen är {signed(r['diff_pp'], 1, 'procentenheter')} ({lvl} KI "
        f"{_diff_ci(r['ci_lower_pp'], r['ci_upper_pp'])}; {_p_text(r['p_value'])}): "
        f"{r['verdict']}."
    )
    sentences.append(
        f"Skattningen {a} vilar på {_count(r['yes_after'])} svarande {who} av "
        f"{_count(r['n_after'])} som besvarade frågan, {b} på {_count(r['yes_before'])} av "
        f"{_count(r['n_before'])} (ovägda antal)."
    )
    verdict = str(r["verdict"])
    significant = verdict in (survey.VERDICT_DECREASE, survey.VERDICT_INCREASE)
    ci_text = _diff_ci(r["ci_lower_pp"], r["ci_upper_pp"])
    if verdict == survey.VERDICT_DECREASE:
        answer = (
            f"Svar: Ja – hela konfidensintervallet för förändringen ({ci_text} procentenheter) "
            "ligger under noll, så minskningen är större än vad slumpen i urvalet kan förklara. "
            f"Det är intervallet, inte antalet svarande {who}, som avgör: få ja-svar ger ett brett "
            "intervall, och här är det ändå tillräckligt smalt."
        )
    elif verdict == survey.VERDICT_INCREASE:
        answer = (
            f"Svar: Nej, andelen har inte minskat – hela konfidensintervallet för förändringen "
            f"({ci_text} procentenheter) ligger över noll, så andelen har ökat."
        )
    else:
        answer = (
            f"Svar: Nej – vi kan inte med säkerhet säga att andelen har förändrats: "
            f"konfidensintervallet för förändringen ({ci_text} procentenheter) rymmer noll, så "
            "skillnaden kan bero på slumpen i vilka som kom med i urvalet. Det betyder inte att "
            "andelen är oförändrad, bara att underlaget inte räcker för att visa en förändring."
        )
    sentences.append(answer)
    sentences.append(
        "Intervallet mäter bara slumpen i urvalet – inte felet som uppstår om de som inte "
        "svarar skiljer sig från dem som svarar (se svarsmönstret)."
    )
    return ChangeAnswer(row=r, sentences=sentences, verdict=verdict, significant=significant)


def change_sentence(
    changes: pd.DataFrame,
    area_code: str,
    *,
    label: str,
    variable: str | None = None,
    confidence: float = CONFIDENCE,
) -> str:
    """Describe one area's change between two periods in one sentence, with the counts behind it.

    Parameters
    ----------
    changes : pandas.DataFrame
        Output of :func:`change_table`.
    area_code : str
        Area to describe.
    label : str
        Swedish label of the variable.
    variable : str, optional
        Variable name (:data:`YES_NOUNS`).
    confidence : float
        Confidence level (for the text).

    Returns
    -------
    str
        The sentence; ``""`` when the area is not in ``changes``.
    """
    rows = changes[changes["area_code"] == area_code]
    if len(rows) != 1:
        return ""
    r = rows.iloc[0]
    b, a = str(r["period_label_before"]), str(r["period_label"])
    head = f"{label}, {r['area_name']}: förändringen {b}–{a}"
    if r["flag"] == indicators.FLAG_SUPPRESSED or pd.isna(r["diff_pp"]):
        return f"{head} kan inte redovisas ({r['flag_reason'] or 'en skattning saknas'})."
    who = YES_NOUNS.get(variable or "", "som svarat ja")
    return (
        f"{head} är {signed(r['diff_pp'], 1, 'procentenheter')} ({_level(confidence)} KI "
        f"{_diff_ci(r['ci_lower_pp'], r['ci_upper_pp'])}; {_p_text(r['p_value'])}): "
        f"{r['verdict']}. Skattningen {a} vilar på {_count(r['yes_after'])} svarande {who} av "
        f"{_count(r['n_after'])} (ovägda antal)."
    )


# ---------------------------------------------------------------------------
# kommun vs county and Sweden, beside rank colours
# ---------------------------------------------------------------------------
def _verdict_labels(direction: str | None) -> tuple[str, str, str]:
    if direction == "lower_is_better":
        return ("bättre", "likartad", "sämre")
    if direction == "higher_is_better":
        return ("sämre", "likartad", "bättre")
    return ("lägre", "likartad", "högre")


def _independent(
    p: np.ndarray,
    se: np.ndarray,
    df: np.ndarray,
    ref_value: np.ndarray,
    ref_lower: np.ndarray,
    ref_upper: np.ndarray,
    ref_level: np.ndarray,
    direction: str | None,
    confidence: float,
) -> pd.DataFrame:
    """Test estimates against an independent reference given as percent with a CI."""
    z = np.array([z_value(lv) for lv in ref_level])
    se_ref = (ref_upper - ref_lower) / 100 / (2 * z)
    res = survey.difference(
        ref_value / 100, se_ref, p, se, np.full(len(p), np.inf), df, confidence=confidence
    )
    low, same, high = _verdict_labels(direction)
    mapping = {
        survey.VERDICT_DECREASE: low,
        survey.VERDICT_NO_CHANGE: same,
        survey.VERDICT_INCREASE: high,
        "": "",
    }
    res["verdict"] = res["verdict"].map(mapping)
    return res


def _aligned(frame: pd.DataFrame, codes: np.ndarray) -> pd.DataFrame:
    """Rows of a :func:`helpers.stats.survey.compare_with_parent` result in the order of ``codes``."""
    keyed = frame.assign(area_code=frame["kommun"].astype(str)).drop_duplicates("area_code")
    return pd.DataFrame({"area_code": codes}).merge(keyed, on="area_code", how="left")


def kommun_comparison(
    data: pd.DataFrame,
    estimate: survey.SurveyEstimate,
    variable: str,
    *,
    min_n: int = 5,
    period: int | None = None,
    direction: str | None = None,
    riket: pd.DataFrame | None = None,
    pool_years: int = 0,
    confidence: float = CONFIDENCE,
) -> pd.DataFrame:
    """Each kommun against its county and Sweden by significance, beside Kolada-style colours.

    * County: the kommun is part of the county, so the difference is linearized
      with its covariance (:func:`helpers.stats.survey.compare_with_parent`).
    * Sweden: from the microdata when the extract covers several counties;
      otherwise against ``riket`` (national values with a CI, e.g.
      :func:`helpers.sources.survey_data.riket_reference`) as independent samples – a
      kommun's share of the national sample is small, and ignoring the small
      positive covariance makes the test slightly conservative.
    * Colours: :func:`helpers.stats.survey.rank_colours` among the kommuner in the
      table (best third green, worst third red). Kolada ranks all 290 kommuner;
      a regional extract can only rank the county's.

    Everything is for sex ``"totalt"`` and group ``"alla"``. Comparisons are
    shown only for estimates that are shown.

    Parameters
    ----------
    data : pandas.DataFrame
        Canonical microdata.
    estimate : helpers.stats.survey.SurveyEstimate
        From :func:`estimate_variable` for ``variable``.
    variable : str
        0/1 answer column.
    min_n : int
        Disclosure threshold.
    period : int, optional
        Period (last year); default the latest.
    direction : {"lower_is_better", "higher_is_better"} or None
        What is good; without it verdicts are "lägre/likartad/högre" and no colours are given.
    riket : pandas.DataFrame, optional
        National reference rows (indicator table, percent with CI).
    pool_years : int
        As in :func:`estimate_variable` (must be the same).
    confidence : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        The county row, then one row per kommun: the indicator-table columns of
        the estimate, ``diff_lan_pp``, ``ci_lower_lan_pp``, ``ci_upper_lan_pp``,
        ``p_value_lan``, ``verdict_lan``, ``riket_value``, ``diff_riket_pp``,
        ``ci_lower_riket_pp``, ``ci_upper_riket_pp``, ``p_value_riket``,
        ``verdict_riket``, ``riket_basis`` ("mikrodata", "referens" or ""),
        ``rank``, ``n_ranked`` and ``colour``; disclosure-controlled.
    """
    table, design = estimate.table, estimate.design
    if period is None:
        period = int(table["period"].max())
    sel = (
        (table["period"] == period)
        & (table["sex"] == "totalt")
        & (table["group"] == indicators.ALL_GROUPS)
        & table["area_type"].isin(["kommun", "region"])
    ).to_numpy()
    rows = table[sel].copy()
    if rows.empty:
        raise DataError(f"Inga skattningar för perioden {period}")
    des = design[sel].reset_index(drop=True)
    rows = rows.reset_index(drop=True)
    pool = int(pool_years) or None
    n_rows = len(rows)
    nan = np.full(n_rows, np.nan)
    out = rows.copy()
    codes = out["area_code"].astype(str).to_numpy()
    lan_cmp = survey.compare_with_parent(
        data, variable, "lan", direction=direction, pool_years=pool, confidence=confidence
    )
    lan_cmp = _aligned(lan_cmp[lan_cmp["period"] == period], codes)
    out["diff_lan_pp"] = lan_cmp["diff_pp"].to_numpy(dtype=float)
    out["ci_lower_lan_pp"] = lan_cmp["ci_lower_pp"].to_numpy(dtype=float)
    out["ci_upper_lan_pp"] = lan_cmp["ci_upper_pp"].to_numpy(dtype=float)
    out["p_value_lan"] = lan_cmp["p_value"].to_numpy(dtype=float)
    out["verdict_lan"] = lan_cmp["verdict"].fillna("").astype(str).to_numpy()

    # Sweden
    for col in ("riket_value", "diff_riket_pp", "ci_lower_riket_pp", "ci_upper_riket_pp"):
        out[col] = nan
    out["p_value_riket"] = nan
    out["verdict_riket"] = ""
    out["riket_basis"] = ""
    lans = data["kommun"].astype("string").str[:2].dropna().unique()
    if len(lans) > 1:
        rk = survey.compare_with_parent(
            data, variable, "riket", direction=direction, pool_years=pool, confidence=confidence
        )
        # The county against Sweden: the county as one pseudo-kommun ("20" + "00").
        county = data.assign(kommun=data["kommun"].astype("string").str[:2] + "00")
        rc = survey.compare_with_parent(
            county, variable, "riket", direction=direction, pool_years=pool, confidence=confidence
        )
        rc["kommun"] = "00" + rc["kommun"].astype(str).str[:2]
        both = pd.concat([rk, rc], ignore_index=True)
        both = _aligned(both[both["period"] == period], codes)
        out["riket_value"] = both["p_parent"].to_numpy(dtype=float) * 100
        out["diff_riket_pp"] = both["diff_pp"].to_numpy(dtype=float)
        out["ci_lower_riket_pp"] = both["ci_lower_pp"].to_numpy(dtype=float)
        out["ci_upper_riket_pp"] = both["ci_upper_pp"].to_numpy(dtype=float)
        out["p_value_riket"] = both["p_value"].to_numpy(dtype=float)
        out["verdict_riket"] = both["verdict"].fillna("").astype(str).to_numpy()
        out["riket_basis"] = np.where(both["diff_pp"].notna(), "mikrodata", "")
    elif riket is not None and not riket.empty:
        period_label = str(rows["period_label"].iloc[0])
        ref = riket[
            (riket["indicator"] == variable)
            & (riket["area_code"] == lookup.RIKET_CODE)
            & (riket["period"] == period)
            & (riket["period_label"].astype(str) == period_label)
            & (riket["sex"] == "totalt")
            & (riket["group"] == indicators.ALL_GROUPS)
            & indicators.usable(riket)
            & riket["ci_lower"].notna()
        ]
        if len(ref) == 1:
            r = ref.iloc[0]
            res = _independent(
                des["p"].to_numpy(dtype=float),
                des["se"].to_numpy(dtype=float),
                des["df"].to_numpy(dtype=float),
                np.full(n_rows, float(r["value"])),
                np.full(n_rows, float(r["ci_lower"])),
                np.full(n_rows, float(r["ci_upper"])),
                np.full(n_rows, float(r["ci_level"]) if pd.notna(r["ci_level"]) else 0.95),
                direction,
                confidence,
            )
            out["riket_value"] = float(r["value"])
            out["diff_riket_pp"] = res["diff_pp"].to_numpy()
            out["ci_lower_riket_pp"] = res["ci_lower_pp"].to_numpy()
            out["ci_upper_riket_pp"] = res["ci_upper_pp"].to_numpy()
            out["p_value_riket"] = res["p_value"].to_numpy()
            out["verdict_riket"] = res["verdict"].to_numpy()
            out["riket_basis"] = "referens"

    # Rank colours among the kommuner (Kolada style)
    out["rank"] = nan
    out["n_ranked"] = nan
    out["colour"] = ""
    if direction is not None:
        ranked = survey.rank_colours(rows, direction)
        out["rank"] = ranked["rank"].to_numpy()
        out["n_ranked"] = ranked["n_ranked"].to_numpy()
        out["colour"] = ranked["colour"].to_numpy()

    # Hide comparisons of estimates that are not shown.
    hidden = ~indicators.usable(out).to_numpy()
    for col in (
        "diff_lan_pp",
        "ci_lower_lan_pp",
        "ci_upper_lan_pp",
        "p_value_lan",
        "diff_riket_pp",
        "ci_lower_riket_pp",
        "ci_upper_riket_pp",
        "p_value_riket",
    ):
        out.loc[hidden, col] = np.nan
    out.loc[hidden, ["verdict_lan", "verdict_riket"]] = ""
    order = np.argsort((out["area_type"] != "region").to_numpy(), kind="stable")
    out = out.iloc[order].reset_index(drop=True)
    return _controlled(out, min_n)


def comparison_sentences(
    comparison: pd.DataFrame, kommun: str | None = None, *, label: str = ""
) -> list[str]:
    """Describe the kommun-vs-county/Sweden comparison in Swedish.

    Parameters
    ----------
    comparison : pandas.DataFrame
        Output of :func:`kommun_comparison`.
    kommun : str, optional
        Describe this kommun; default a summary over the county's kommuner.
    label : str
        Swedish label of the variable.

    Returns
    -------
    list of str
        Sentences; the last one is :data:`helpers.stats.survey.RANK_VS_SIGNIFICANCE_NOTE`
        when colours are given.
    """
    out: list[str] = []
    what = f"{label}: " if label else ""
    kom = comparison[comparison["area_type"] == "kommun"]
    if comparison.empty:
        return out
    period_label = str(comparison["period_label"].iloc[0])
    has_riket = bool((comparison["riket_basis"] != "").any())
    if kommun is not None:
        r = comparison[comparison["area_code"] == kommun]
        if r.empty:
            return [f"{what}{area_label(kommun)} finns inte i enkätdata."]
        r = r.iloc[0]
        name = str(r["area_name"])
        if not indicators.usable(r.to_frame().T).iloc[0]:
            out.append(
                f"{what}{name} {period_label}: skattningen redovisas inte ({r['flag_reason']}), "
                "så kommunen jämförs inte med länet eller riket."
            )
        else:
            text = (
                f"{what}{name} {period_label}: {_pct(r['value'])} "
                f"({num(r['ci_lower'])}–{num(r['ci_upper'])}). Jämfört med länet: "
                f"{r['verdict_lan']} ({signed(r['diff_lan_pp'], 1, 'procentenheter')}, "
                f"{_p_text(r['p_value_lan'])})"
            )
            if r["verdict_riket"]:
                text += (
                    f"; jämfört med riket: {r['verdict_riket']} "
                    f"({signed(r['diff_riket_pp'], 1, 'procentenheter')}, "
                    f"{_p_text(r['p_value_riket'])})"
                )
            text += "."
            if r["colour"] and r["colour"] != survey.COLOUR_MISSING:
                text += (
                    f" I rangordningen bland länets {int(r['n_ranked'])} redovisade kommuner är den "
                    f"{ordinal(int(r['rank']))} och får färgen {r['colour']}."
                )
            if r["flag"] == indicators.FLAG_UNCERTAIN:
                text += f" Skattningen är osäker ({r['flag_reason']})."
            out.append(text)
    else:
        shown = kom[indicators.usable(kom)]
        hidden = kom[~indicators.usable(kom)]
        differ = shown[~shown["verdict_lan"].isin(["likartad", ""])]
        out.append(
            f"{what}{len(shown)} av {len(kom)} kommuner har en skattning som redovisas "
            f"{period_label}; {len(differ)} av dem skiljer sig statistiskt säkerställt från länet"
            + (
                f" ({join_names([f'{n}: {v}' for n, v in zip(differ['area_name'], differ['verdict_lan'], strict=True)])})."
                if len(differ)
                else "."
            )
        )
        if len(hidden):
            out.append(
                f"Redovisas inte (för osäkra eller för få svarande): {join_names(hidden['area_name'].astype(str).tolist())}."
            )
    if not has_riket:
        out.append(
            "Jämförelse med riket saknas: extraktet omfattar bara ett län och inga nationella "
            "värden har angetts."
        )
    if (comparison["colour"] != "").any():
        out.append(survey.RANK_VS_SIGNIFICANCE_NOTE)
    return out


# ---------------------------------------------------------------------------
# response pattern
# ---------------------------------------------------------------------------
def response_pattern(
    data: pd.DataFrame,
    population: pd.DataFrame | None = None,
    *,
    year: int | None = None,
    kommuner: Sequence[str] | None = None,
    min_n: int = 5,
) -> pd.DataFrame:
    """Respondents by sex × age group and sex × education against the population.

    Shares are of all respondents (or of the whole population) in the chosen
    year and kommuner, so the cells of a block add up to 100 %. The weighted
    share is what the calibration weights make of the respondents; with a
    population table the population share is given too.

    Parameters
    ----------
    data : pandas.DataFrame
        Canonical microdata.
    population : pandas.DataFrame, optional
        Population table (:data:`helpers.sources.survey_files.POPULATION_COLUMNS`).
    year : int, optional
        Survey year; default the latest.
    kommuner : sequence of str, optional
        Kommuner to include; default all in the extract.
    min_n : int
        Disclosure threshold for the respondent counts.

    Returns
    -------
    pandas.DataFrame
        Columns ``area_code``, ``area_name``, ``period``, ``indicator`` (block:
        "ålder" or "utbildning"), ``sex`` (kvinnor/män/totalt), ``group`` (age
        group or education level, "alla" for the margin), ``n`` (respondents),
        ``share_respondents``, ``share_weighted``, ``share_population`` (percent,
        NaN without a population table), ``ratio`` (share of respondents / share
        of the population, or of the weighted share when there is no population),
        ``flag`` and ``flag_reason``; disclosure-controlled.
    """
    year = int(data["year"].max()) if year is None else int(year)
    d = data[data["year"] == year]
    if kommuner is not None:
        d = d[d["kommun"].isin(list(kommuner))]
    if d.empty:
        raise DataError(f"Inga svarande år {year} i de valda kommunerna")
    codes = sorted(set(d["kommun"].astype(str)))
    lans = {c[:2] for c in codes}
    if len(codes) == 1:
        area = codes[0]
    elif len(lans) == 1:
        area = lookup.region_code(next(iter(lans)))
    else:
        area = lookup.RIKET_CODE
    pop = None
    if population is not None and not population.empty:
        pop = population[(population["year"] == year) & population["kommun"].isin(codes)]
        if pop.empty:
            pop = None
    frames = []
    for block, col in PATTERN_BLOCKS.items():
        resp = d.groupby(["sex", col], observed=True).agg(n=("weight", "size"), w=("weight", "sum"))
        resp = resp.reset_index().rename(columns={col: "group"})
        if pop is not None:
            pp = pop.groupby(["sex", col], observed=True)["population"].sum().reset_index()
            resp = resp.merge(pp.rename(columns={col: "group"}), on=["sex", "group"], how="outer")
        else:
            resp["population"] = np.nan
        resp[["n", "w"]] = resp[["n", "w"]].fillna(0.0)
        parts = [resp]
        by_sex = resp.groupby("sex", as_index=False)[["n", "w", "population"]].sum(min_count=1)
        parts.append(by_sex.assign(group=indicators.ALL_GROUPS))
        by_group = resp.groupby("group", as_index=False)[["n", "w", "population"]].sum(min_count=1)
        parts.append(by_group.assign(sex="totalt"))
        total = resp[["n", "w", "population"]].sum(min_count=1).to_frame().T
        parts.append(total.assign(sex="totalt", group=indicators.ALL_GROUPS))
        t = pd.concat(parts, ignore_index=True)
        t["indicator"] = block
        t["share_respondents"] = t["n"] / resp["n"].sum() * 100
        t["share_weighted"] = t["w"] / resp["w"].sum() * 100
        pop_total = resp["population"].sum(min_count=1)
        t["share_population"] = t["population"] / pop_total * 100
        frames.append(t)
    out = pd.concat(frames, ignore_index=True)
    base = np.where(out["share_population"].notna(), out["share_population"], out["share_weighted"])
    with np.errstate(divide="ignore", invalid="ignore"):
        out["ratio"] = out["share_respondents"].to_numpy(dtype=float) / base
    sex_order = {"kvinnor": 0, "män": 1, "totalt": 2}
    cats = {
        "ålder": sorted(set(d["age_group"].astype(str))),
        "utbildning": [
            e
            for e in ("förgymnasial", "gymnasial", "eftergymnasial", "okänd")
            if e in set(out["group"])
        ],
    }
    out["_s"] = out["sex"].map(sex_order)
    out["_g"] = [
        (cats[b].index(g) if g in cats[b] else len(cats[b]) + (g == indicators.ALL_GROUPS))
        for b, g in zip(out["indicator"], out["group"].astype(str), strict=True)
    ]
    out["_b"] = out["indicator"].map({b: i for i, b in enumerate(PATTERN_BLOCKS)})
    out = out.sort_values(["_b", "_s", "_g"]).drop(columns=["_b", "_s", "_g", "w", "population"])
    out.insert(0, "area_code", area)
    out.insert(1, "area_name", area_label(area))
    out.insert(2, "period", year)
    out["flag"] = indicators.FLAG_OK
    out["flag_reason"] = ""
    out = out[
        [
            "area_code",
            "area_name",
            "period",
            "indicator",
            "sex",
            "group",
            "n",
            "share_respondents",
            "share_weighted",
            "share_population",
            "ratio",
            "flag",
            "flag_reason",
        ]
    ]
    out["sex"] = out["sex"].astype(str)
    out["group"] = out["group"].astype(str)
    return _controlled(out, min_n)


def _cell_name(sex: str, group: str, block: str) -> str:
    sex_text = {"kvinnor": "kvinnor", "män": "män", "totalt": "personer"}[sex]
    if block == "ålder":
        return f"{sex_text} {group} år"
    return (
        f"{sex_text} med {group} utbildning"
        if group != "okänd"
        else f"{sex_text} med okänd utbildning"
    )


def response_sentences(pattern: pd.DataFrame) -> list[str]:
    """Describe the response pattern: which groups are over- and under-represented.

    Parameters
    ----------
    pattern : pandas.DataFrame
        Output of :func:`response_pattern`.

    Returns
    -------
    list of str
        Swedish sentences, then :data:`NONRESPONSE_NOTE`.
    """
    out: list[str] = []
    if pattern.empty:
        return out
    year = int(pattern["period"].iloc[0])
    has_pop = bool(pattern["share_population"].notna().any())
    against = "av befolkningen" if has_pop else "av den vägda befolkningen (vikterna)"
    base_col = "share_population" if has_pop else "share_weighted"
    for block, sex_filter in (("ålder", ("kvinnor", "män")), ("utbildning", ("totalt",))):
        cells = pattern[
            (pattern["indicator"] == block)
            & pattern["sex"].isin(sex_filter)
            & (pattern["group"] != indicators.ALL_GROUPS)
            & (pattern["group"] != "okänd")
            & pattern["ratio"].notna()
        ]
        if len(cells) < 2:
            continue
        hi = cells.loc[cells["ratio"].idxmax()]
        lo = cells.loc[cells["ratio"].idxmin()]
        out.append(
            f"{year}: {_cell_name(hi['sex'], hi['group'], block).capitalize()} är "
            f"{_pct(hi['share_respondents'])} av de svarande men {_pct(hi[base_col])} {against} "
            f"({num(hi['ratio'], 1)} gånger sin andel), medan {_cell_name(lo['sex'], lo['group'], block)} "
            f"är {_pct(lo['share_respondents'])} av de svarande men {_pct(lo[base_col])} "
            f"({num(lo['ratio'], 1)} gånger sin andel)."
        )
    out.append(NONRESPONSE_NOTE)
    return out


# ---------------------------------------------------------------------------
# weights and the questions to ask of any number
# ---------------------------------------------------------------------------
def weights_summary(data: pd.DataFrame, population: pd.DataFrame | None = None) -> dict[str, float]:
    """Describe the weights of the latest survey year.

    Parameters
    ----------
    data : pandas.DataFrame
        Canonical microdata.
    population : pandas.DataFrame, optional
        Population table.

    Returns
    -------
    dict
        ``year``, ``min``, ``max``, ``ratio`` (max/min), ``cv`` (coefficient of
        variation), ``equal`` (True when all weights are equal), ``kish_deff``
        (Kish's design effect of unequal weights, ``1 + cv²``) and
        ``sum_vs_population`` (sum of weights / population of the extract's
        kommuner; NaN without a population).
    """
    year = int(data["year"].max())
    w = data.loc[data["year"] == year, "weight"].to_numpy(dtype=float)
    cv = float(np.std(w) / np.mean(w))
    vs = float("nan")
    if population is not None and not population.empty:
        codes = set(data.loc[data["year"] == year, "kommun"].astype(str))
        pop = population[(population["year"] == year) & population["kommun"].isin(codes)]
        total = float(pop["population"].sum())
        vs = float(w.sum() / total) if total > 0 else float("nan")
    return {
        "year": year,
        "min": float(w.min()),
        "max": float(w.max()),
        "ratio": float(w.max() / w.min()),
        "cv": cv,
        "equal": bool(np.allclose(w, w[0])),
        "kish_deff": 1 + cv**2,
        "sum_vs_population": vs,
    }


def describe_weights(data: pd.DataFrame, population: pd.DataFrame | None = None) -> str:
    """Answer "were calibration weights used?" from the weights themselves.

    Parameters
    ----------
    data : pandas.DataFrame
        Canonical microdata.
    population : pandas.DataFrame, optional
        Population table.

    Returns
    -------
    str
        Swedish sentences.
    """
    s = weights_summary(data, population)
    if s["equal"]:
        return (
            "Nej: alla svarande har samma vikt, så skattningarna är ovägda och rättar inte för "
            "att olika grupper svarar olika ofta."
        )
    text = (
        f"Vikter finns: {s['year']} varierar de mellan {num(s['min'], 1)} och {num(s['max'], 1)} "
        f"(den största är {num(s['ratio'], 0)} gånger den minsta). Olika vikter gör skattningarna "
        f"osäkrare – enbart av vikterna blir designeffekten ungefär {num(s['kish_deff'], 2)}."
    )
    if math.isfinite(s["sum_vs_population"]):
        text += (
            f" Vikterna summerar till {_pct(s['sum_vs_population'] * 100)} av befolkningen i "
            "extraktets kommuner, vilket tyder på att de är kalibrerade mot befolkningen; fråga "
            "leverantören vilka kalibreringsvariabler som använts."
        )
    else:
        text += (
            " Utan befolkningstabell går det inte att se om vikterna är kalibrerade mot "
            "befolkningen – fråga leverantören."
        )
    return text


def questions_table(
    data: pd.DataFrame,
    origin: Mapping[str, str],
    population: pd.DataFrame | None = None,
    *,
    answer: ChangeAnswer | None = None,
    demo: bool = False,
) -> pd.DataFrame:
    """Answer the questions to ask of any number, for these survey data.

    Parameters
    ----------
    data : pandas.DataFrame
        Canonical microdata.
    origin : mapping
        ``name``, ``file``, ``variable_map``, ``kind`` (from
        :class:`helpers.sources.survey_data.SurveyData`).
    population : pandas.DataFrame, optional
        Population table.
    answer : ChangeAnswer, optional
        The county's answer, to say how many answers the latest estimate rests on.
    demo : bool
        The data are the synthetic demo.

    Returns
    -------
    pandas.DataFrame
        Columns ``Fråga`` and ``Svar`` (Swedish).
    """
    per_year = data.groupby("year").size()
    counts = ", ".join(f"{_count(n)} ({y})" for y, n in per_year.items())
    who = f"{origin.get('name', '')} – fil {origin.get('file', '')}, variabelkarta {origin.get('variable_map', '')}."
    if demo:
        who += " Syntetiska demodata – inte verkliga värden."
    response = (
        "Framgår inte av extraktet, som bara innehåller de som svarade – fråga leverantören hur "
        f"stort urvalet var och hur många som svarade varje år. Antal svarande: {counts}."
    )
    if demo:
        response += (
            " I demodata är svarsbenägenheten modellerad: äldre, högutbildade kvinnor svarar "
            "oftare än unga män med kort utbildning, och färre svarar för varje undersökning."
        )
    rows = [
        ("Vem har skickat uppgifterna?", who),
        (
            "Register eller enkät?",
            f"{str(origin.get('kind') or 'enkät').capitalize()}: bara de som valts ut och svarat "
            "ingår, så andelarna "
            "är skattningar för befolkningen med en felmarginal (konfidensintervall). "
            "Registeruppgifter (t.ex. befolkning, dödsorsaker) omfattar alla och har ingen "
            "urvalsosäkerhet.",
        ),
        ("Hur hög var svarsfrekvensen?", response),
        ("Har kalibreringsvikter använts?", describe_weights(data, population)),
        ("Är siffrorna signifikansprövade?", SIGNIFICANCE_NOTE),
    ]
    if answer is not None and answer.row is not None and pd.notna(answer.row.get("yes_after")):
        r = answer.row
        rows.append(
            (
                "Hur många svar vilar siffran på?",
                f"{r['area_name']} {r['period_label']}: {_count(r['yes_after'])} ja-svar av "
                f"{_count(r['n_after'])} svarande (ovägda antal). Tabellerna visar antalet "
                "svarande (n) för varje skattning; skattningar med för få svarande eller för "
                "brett intervall visas inte.",
            )
        )
    rows.append(
        (
            "Vad betyder det att vissa grupper svarar oftare?",
            "Se svarsmönstret: vikterna rättar för skillnader i kön, ålder och utbildning, men "
            "inte för skillnader mellan dem som svarar och dem som inte svarar inom samma grupp.",
        )
    )
    return pd.DataFrame(rows, columns=["Fråga", "Svar"])


def questions_markdown(questions: pd.DataFrame) -> str:
    """Render :func:`questions_table` as a Markdown list (question in bold, then the answer).

    Parameters
    ----------
    questions : pandas.DataFrame
        Output of :func:`questions_table`.

    Returns
    -------
    str
        Markdown text.
    """
    return "\n".join(
        f"- **{q}** {a}" for q, a in zip(questions["Fråga"], questions["Svar"], strict=True)
    )


# ---------------------------------------------------------------------------
# display tables
# ---------------------------------------------------------------------------
def _value_ci(value: float, lo: float, hi: float, decimals: int = 1) -> str:
    if value is None or pd.isna(value):
        return ""
    text = num(float(value), decimals)
    if pd.notna(lo) and pd.notna(hi):
        text += f" ({num(float(lo), decimals)}–{num(float(hi), decimals)})"
    return text


def _int_text(value: float) -> str:
    return "" if value is None or pd.isna(value) else _count(value)


def _group_text(group: str) -> str:
    return "Alla" if group == indicators.ALL_GROUPS else str(group).capitalize()


_AREA_ORDER = {"riket": 0, "region": 1, "kommun": 2}
_SEX_ORDER = {"totalt": 0, "kvinnor": 1, "män": 2}
_GROUP_ORDER = {
    indicators.ALL_GROUPS: 0,
    "förgymnasial": 1,
    "gymnasial": 2,
    "eftergymnasial": 3,
    "okänd": 4,
}


def order_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Sort an indicator table for reading: Riket, county, kommuner by name; then everyone by sex, then groups.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table.

    Returns
    -------
    pandas.DataFrame
        The rows in reading order (index reset).
    """
    if table.empty:
        return table.reset_index(drop=True)
    keys = pd.DataFrame(
        {
            "_a": table["area_type"].map(_AREA_ORDER).fillna(9).to_numpy(),
            "_n": table["area_name"].astype(str).to_numpy(),
            "_p": table["period"].to_numpy(),
            "_all": (table["group"] != indicators.ALL_GROUPS).to_numpy(),
            "_s": table["sex"].map(_SEX_ORDER).fillna(9).to_numpy(),
            "_g": table["group"].map(_GROUP_ORDER).fillna(9).to_numpy(),
        }
    )
    order = keys.sort_values(["_a", "_n", "_p", "_all", "_g", "_s"], kind="stable").index.to_numpy()
    return table.iloc[order].reset_index(drop=True)


def display_table(
    table: pd.DataFrame,
    *,
    min_n: int = 5,
    decimals: int = 1,
    columns: Sequence[str] = ("area_name", "sex", "group", "period_label"),
    sort: bool = True,
) -> pd.DataFrame:
    """Format an indicator table for readers: value with CI, n, flag and reason.

    The table passes :func:`helpers.stats.disclosure.suppress_small_cells` again
    first (idempotent), so a display can never show a cell below ``min_n``.
    Suppressed rows show an empty value and the reason.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table (percent).
    min_n : int
        Disclosure threshold.
    decimals : int
        Decimals of value and CI.
    columns : sequence of str
        Identifying columns to show (of ``area_name``, ``sex``, ``group``,
        ``period_label``, ``indicator``).
    sort : bool
        Put the rows in reading order (:func:`order_rows`).

    Returns
    -------
    pandas.DataFrame
        Text columns in Swedish: e.g. ``Område``, ``Kön``, ``Grupp``, ``Period``,
        ``Andel, % (95 % KI)``, ``Svarande (n)``, ``Ja-svar``, ``Flagga``, ``Förklaring``.
    """
    t = suppress_small_cells(table, min_n) if len(table) else table
    if sort:
        t = order_rows(t)
    names = {
        "area_name": "Område",
        "sex": "Kön",
        "group": "Grupp",
        "period_label": "Period",
        "indicator": "Indikator",
    }
    levels = t["ci_level"].dropna().unique() if "ci_level" in t.columns else []
    lvl = _level(float(levels[0])) if len(levels) == 1 else "KI"
    out = pd.DataFrame(index=range(len(t)))
    for c in columns:
        vals = t[c].astype(str).to_numpy()
        if c == "sex":
            vals = [SEX_LABELS.get(v, v) for v in vals]
        elif c == "group":
            vals = [_group_text(v) for v in vals]
        out[names.get(c, c)] = vals
    shown = indicators.usable(t).to_numpy()
    out[f"Andel, % ({lvl} KI)" if lvl != "KI" else "Andel, % (KI)"] = [
        _value_ci(v, lo, hi, decimals) if ok else ""
        for v, lo, hi, ok in zip(t["value"], t["ci_lower"], t["ci_upper"], shown, strict=True)
    ]
    out["Svarande (n)"] = [_int_text(v) for v in t["n"]]
    out["Ja-svar"] = [_int_text(v) for v in t["numerator"]]
    out["Flagga"] = t["flag"].astype(str).to_numpy()
    out["Förklaring"] = t["flag_reason"].fillna("").astype(str).to_numpy()
    return out


def change_display(changes: pd.DataFrame, *, min_n: int = 5) -> pd.DataFrame:
    """Format :func:`change_table` for readers (decimal comma, counts, verdict, reason).

    Parameters
    ----------
    changes : pandas.DataFrame
        Output of :func:`change_table`.
    min_n : int
        Disclosure threshold (applied again).

    Returns
    -------
    pandas.DataFrame
        Swedish text columns.
    """
    c = _controlled(changes, min_n) if len(changes) else changes
    if c.empty:
        return pd.DataFrame()
    b, a = str(c["period_label_before"].iloc[0]), str(c["period_label"].iloc[0])
    out = pd.DataFrame(
        {
            "Område": c["area_name"].astype(str).to_numpy(),
            f"Andel {b}, %": [
                _value_ci(v, lo, hi) if f not in ("undertryckt", "saknas") else ""
                for v, lo, hi, f in zip(
                    c["value_before"],
                    c["ci_lower_before"],
                    c["ci_upper_before"],
                    c["flag_before"],
                    strict=True,
                )
            ],
            f"Ja-svar/svarande {b}": [
                f"{_int_text(y)}/{_int_text(n)}" if pd.notna(n) else ""
                for y, n in zip(c["yes_before"], c["n_before"], strict=True)
            ],
            f"Andel {a}, %": [
                _value_ci(v, lo, hi) if f not in ("undertryckt", "saknas") else ""
                for v, lo, hi, f in zip(
                    c["value_after"],
                    c["ci_lower_after"],
                    c["ci_upper_after"],
                    c["flag_after"],
                    strict=True,
                )
            ],
            f"Ja-svar/svarande {a}": [
                f"{_int_text(y)}/{_int_text(n)}" if pd.notna(n) else ""
                for y, n in zip(c["yes_after"], c["n_after"], strict=True)
            ],
            "Förändring, procentenheter (KI)": [
                f"{signed(d, 1)} ({_diff_ci(lo, hi)})" if pd.notna(d) else ""
                for d, lo, hi in zip(c["diff_pp"], c["ci_lower_pp"], c["ci_upper_pp"], strict=True)
            ],
            "Bedömning": c["verdict"].astype(str).to_numpy(),
            "Flagga": c["flag"].astype(str).to_numpy(),
            "Förklaring": c["flag_reason"].fillna("").astype(str).to_numpy(),
        }
    )
    return out


def comparison_display(comparison: pd.DataFrame, *, min_n: int = 5) -> pd.DataFrame:
    """Format :func:`kommun_comparison` for readers: value, verdicts and colour side by side.

    Parameters
    ----------
    comparison : pandas.DataFrame
        Output of :func:`kommun_comparison`.
    min_n : int
        Disclosure threshold (applied again).

    Returns
    -------
    pandas.DataFrame
        Swedish text columns: ``Område``, ``Andel, % (KI)``, ``n``, ``Jämfört med länet``,
        ``Jämfört med riket``, ``Kolada-färg (rang)``, ``Flagga``, ``Förklaring``.
    """
    c = _controlled(comparison, min_n) if len(comparison) else comparison
    shown = indicators.usable(c).to_numpy()

    def verdict(v: str, d: float, p: float) -> str:
        if not v:
            return ""
        return f"{v} ({signed(d, 1)} p.e., {_p_text(p)})"

    colours = []
    for col, rank, n in zip(c["colour"], c["rank"], c["n_ranked"], strict=True):
        if not col:
            colours.append("")
        elif pd.isna(rank):
            colours.append(str(col))
        else:
            colours.append(f"{col} ({int(rank)} av {int(n)})")
    return pd.DataFrame(
        {
            "Område": c["area_name"].astype(str).to_numpy(),
            "Andel, % (KI)": [
                _value_ci(v, lo, hi) if ok else ""
                for v, lo, hi, ok in zip(
                    c["value"], c["ci_lower"], c["ci_upper"], shown, strict=True
                )
            ],
            "Svarande (n)": [_int_text(v) for v in c["n"]],
            "Jämfört med länet": [
                verdict(v, d, p)
                for v, d, p in zip(
                    c["verdict_lan"], c["diff_lan_pp"], c["p_value_lan"], strict=True
                )
            ],
            "Jämfört med riket": [
                verdict(v, d, p)
                for v, d, p in zip(
                    c["verdict_riket"], c["diff_riket_pp"], c["p_value_riket"], strict=True
                )
            ],
            "Kolada-färg (rang)": colours,
            "Flagga": c["flag"].astype(str).to_numpy(),
            "Förklaring": c["flag_reason"].fillna("").astype(str).to_numpy(),
        }
    )


def response_display(pattern: pd.DataFrame, *, min_n: int = 5) -> pd.DataFrame:
    """Format :func:`response_pattern` for readers: shares side by side.

    Parameters
    ----------
    pattern : pandas.DataFrame
        Output of :func:`response_pattern`.
    min_n : int
        Disclosure threshold (applied again).

    Returns
    -------
    pandas.DataFrame
        Swedish text columns: block, sex, group, respondents, the three shares,
        the ratio, flag and reason.
    """
    p = _controlled(pattern, min_n) if len(pattern) else pattern
    has_pop = bool(p["share_population"].notna().any())
    out = pd.DataFrame(
        {
            "Indelning": p["indicator"].astype(str).str.capitalize().to_numpy(),
            "Kön": [SEX_LABELS.get(s, s) for s in p["sex"].astype(str)],
            "Grupp": [_group_text(g) for g in p["group"].astype(str)],
            "Svarande (n)": [_int_text(v) for v in p["n"]],
            "Andel av svarande, %": [
                "" if pd.isna(v) else num(v, 1) for v in p["share_respondents"]
            ],
            "Vägd andel, %": ["" if pd.isna(v) else num(v, 1) for v in p["share_weighted"]],
        }
    )
    if has_pop:
        out["Andel av befolkningen, %"] = [
            "" if pd.isna(v) else num(v, 1) for v in p["share_population"]
        ]
    out["Svarande/befolkning" if has_pop else "Svarande/vägd andel"] = [
        "" if pd.isna(v) else num(v, 2) for v in p["ratio"]
    ]
    out["Förklaring"] = p["flag_reason"].fillna("").astype(str).to_numpy()
    return out
