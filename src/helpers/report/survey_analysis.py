"""The survey analyses of the workbook, assembled from :mod:`helpers.stats.survey`: pure functions.

Region Dalarna's report asked: *can we say with certainty that the share of daily
smokers has fallen, when the analysis rests on 59 smokers?* And: who sent the
data, register or survey, how high was the response rate, were calibration
weights used, were the figures tested for significance, and what does it mean
that older, highly educated women answer more often than young, less educated
men? This module answers those questions from microdata in numbers; the
Swedish sentences are written by :mod:`helpers.text.survey` and the tables for
readers by :mod:`helpers.report.survey_tables`:

* :func:`estimate_variable` – design-based prevalences for kommuner and county
  (and Sweden when the extract covers it) by sex and education, with NCHS flags
  and disclosure control (:func:`helpers.stats.survey.estimate_indicator`);
* :func:`change_table` – the change between two periods with its confidence
  interval, the verdict and the **unweighted number of yes-answers** each
  estimate rests on ("59 smokers"; in words: :func:`helpers.text.survey.change_answer`);
* :func:`kommun_comparison` – each kommun against its county and Sweden by a
  significance test, beside Kolada-style rank colours
  (:data:`helpers.text.survey.RANK_VS_SIGNIFICANCE_NOTE` explains why they can differ);
* :func:`response_pattern` – respondents by age, sex and education against the
  population, shares side by side.

The design
----------
:func:`estimate_variable` and :func:`kommun_comparison` take the sampling
design as one object (:class:`helpers.stats.survey_design.SurveyDesign`, from
:attr:`helpers.sources.survey_data.SurveyData.design`) and hand it to every
estimator call; without it they use the design the microdata frame carries.

Disclosure control
------------------
Nothing leaves this module without passing
:func:`helpers.stats.disclosure.suppress_small_cells`: estimates through
``estimate_indicator(params=...)``, and every derived table (changes,
comparisons, response pattern) directly (:func:`controlled`), with its ``n``
being the smallest number of respondents behind the row. Text columns that
would reveal a hidden row (verdicts) are emptied with it, and the flag reason
says why. Comparisons are only shown for estimates that are shown themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from helpers.config import catalogue
from helpers.core import indicators, lookup
from helpers.core.errors import DataError
from helpers.stats import survey
from helpers.stats import survey_compare as stats_survey_compare
from helpers.stats.ci import z_value
from helpers.stats.disclosure import suppress_small_cells
from helpers.stats.survey import CONFIDENCE, SurveyDesign
from helpers.stats.survey_compare import compare_labels
from helpers.text import survey as survey_text

#: Labels of the response-pattern blocks (the ``indicator`` column of :func:`response_pattern`).
PATTERN_BLOCKS: dict[str, str] = {"ålder": "age_group", "utbildning": "education"}
_VERDICT_COLUMNS = ("verdict", "verdict_lan", "verdict_riket")


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def _params(min_n: int) -> dict[str, dict[str, int]]:
    return {"disclosure": {"min_n": int(min_n)}}


def controlled(table: pd.DataFrame, min_n: int, *, complementary: bool = True) -> pd.DataFrame:
    """Run disclosure control and empty the verdict texts of hidden rows."""
    out = suppress_small_cells(
        table, min_n, complementary=complementary, catalogue=catalogue.load()
    )
    hidden = (out["flag"] == indicators.FLAG_SUPPRESSED).to_numpy()
    for col in _VERDICT_COLUMNS:
        if col in out.columns:
            out[col] = out[col].astype(object)
            out.loc[hidden, col] = ""
    return out.reset_index(drop=True)


def estimate_variable(
    data: pd.DataFrame,
    variable: str,
    *,
    source: str,
    min_n: int = 5,
    pool_years: int = 0,
    confidence: float = CONFIDENCE,
    design: SurveyDesign | None = None,
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
    design : SurveyDesign, optional
        The sampling design (:attr:`helpers.sources.survey_data.SurveyData.design`);
        default the one the frame carries (:meth:`SurveyDesign.of`).

    Returns
    -------
    helpers.stats.survey.SurveyEstimate
        ``table`` (indicator table: percent, flags, disclosure control applied)
        and ``design`` (design statistics, not disclosure-controlled – do not show).
    """
    return survey.estimate_indicator(
        data,
        variable,
        variable,
        source,
        levels=survey.levels_for(data["kommun"]),
        pool_years=int(pool_years) or None,
        confidence=confidence,
        design=SurveyDesign.of(data) if design is None else design,
        params=_params(min_n),
        catalogue=catalogue.load(),
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
    ref = suppress_small_cells(ref, min_n, catalogue=catalogue.load())
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


def _change_flags(
    m: pd.DataFrame,
    ok_b: pd.Series,
    ok_a: pd.Series,
    show: np.ndarray,
    missing_period: dict[str, object] | None = None,
) -> tuple[list[str], list[str]]:
    """Return the flag and the Swedish reason of each change row (before/after merged in ``m``).

    A change is suppressed when either end cannot be shown, uncertain when
    either end is; the reason names each weak end. With ``missing_period``
    (``{"before": …, "after": …}``) an end without a row says which period is
    missing instead of its (absent) label.
    """
    flags, reasons = [], []
    for i in range(len(m)):
        r = m.iloc[i]
        why = []
        for when, ok in (("before", ok_b.iloc[i]), ("after", ok_a.iloc[i])):
            label = r[f"period_label_{when}"]
            if missing_period is not None and pd.isna(label):
                why.append(f"värde saknas för {missing_period[when]}")
            elif not ok:
                why.append(f"{label} undertryckt: {r[f'flag_reason_{when}'] or 'värde saknas'}")
            elif r[f"flag_{when}"] == indicators.FLAG_UNCERTAIN:
                why.append(f"{label} osäker: {r[f'flag_reason_{when}']}")
        reasons.append("; ".join(why))
        if not show[i]:
            flags.append(indicators.FLAG_SUPPRESSED)
        elif indicators.FLAG_UNCERTAIN in (r["flag_before"], r["flag_after"]):
            flags.append(indicators.FLAG_UNCERTAIN)
        else:
            flags.append(indicators.FLAG_OK)
    return flags, reasons


def _period_parts(
    rows: pd.DataFrame, keys: list[str], cols: list[str], before: int, after: int
) -> dict[str, pd.DataFrame]:
    """Split estimate rows into the ``before`` and ``after`` period, columns suffixed by it.

    ``numerator`` becomes ``yes_<when>`` (the change tables' name for it).
    """
    parts = {}
    for when, period in (("before", before), ("after", after)):
        t = rows[rows["period"] == period][[*keys, "area_name", "period_label", *cols]]
        t = t.rename(columns={c: f"{c}_{when}" for c in [*cols, "period_label", "area_name"]})
        parts[when] = t.rename(columns={f"numerator_{when}": f"yes_{when}"})
    return parts


def _change_frame(
    m: pd.DataFrame,
    res: pd.DataFrame,
    show: np.ndarray,
    flags: np.ndarray,
    reasons: np.ndarray,
    *,
    before: int,
    after: int,
    confidence: float,
    n: Any,
    source: str,
) -> pd.DataFrame:
    """Return a change table from the merged periods ``m`` and the test results ``res``.

    One layout for :func:`change_table` (microdata) and :func:`aggregated_changes` (CIs only):
    the change columns are blank where ``show`` is False; a period the area lacks keeps the
    period's year as its label and the flag ``saknas``.
    """
    return pd.DataFrame(
        {
            "area_code": m["area_code"].astype(str),
            "area_name": m["area_name_after"].fillna(m["area_name_before"]).astype(str),
            "area_type": m["area_type"].astype(str),
            "indicator": m["indicator"].astype(str),
            "sex": m["sex"].astype(str),
            "group": m["group"].astype(str),
            "period": int(after),
            "period_label": m["period_label_after"].astype(str),
            "period_label_before": m["period_label_before"].fillna(str(before)).astype(str),
            **{
                f"{col}_{when}": m[f"{col}_{when}"].to_numpy(dtype=float)
                if col != "flag"
                else m[f"{col}_{when}"].fillna(indicators.FLAG_MISSING).astype(str)
                for when in ("before", "after")
                for col in ("value", "ci_lower", "ci_upper", "n", "yes", "flag")
            },
            "diff_pp": np.where(show, res["diff_pp"], np.nan),
            "ci_lower_pp": np.where(show, res["ci_lower_pp"], np.nan),
            "ci_upper_pp": np.where(show, res["ci_upper_pp"], np.nan),
            "p_value": np.where(show, res["p_value"], np.nan),
            "verdict": np.where(show, res["verdict"].astype(str), ""),
            "flag": flags,
            "flag_reason": reasons,
            "n": n,
            "ci_level": float(confidence),
            "source": source,
        }
    )


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
    cmp = stats_survey_compare.compare_periods(
        design[sel], before, after, keys=keys, confidence=confidence
    )
    shown = table[sel.to_numpy()]
    cols = ["value", "ci_lower", "ci_upper", "n", "numerator", "flag", "flag_reason"]
    parts = _period_parts(shown, keys, cols, before, after)
    m = cmp[[*keys, "diff_pp", "ci_lower_pp", "ci_upper_pp", "p_value", "verdict"]].merge(
        parts["before"], on=keys, how="left"
    )
    m = m.merge(parts["after"], on=keys, how="left")
    ok_b = m["value_before"].notna() & ~m["flag_before"].isin(_HIDDEN)
    ok_a = m["value_after"].notna() & ~m["flag_after"].isin(_HIDDEN)
    show = (ok_b & ok_a).to_numpy()
    flags, reasons = _change_flags(m, ok_b, ok_a, show)
    out = _change_frame(
        m, m, show, flags, reasons,
        before=before, after=after, confidence=confidence,
        n=np.fmin(m["n_before"].to_numpy(dtype=float), m["n_after"].to_numpy(dtype=float)),
        source=str(table["source"].iloc[0]) if len(table) else "",
    )  # fmt: skip
    order = {"riket": 0, "region": 1, "kommun": 2}
    out = out.sort_values(
        ["area_type", "area_name"], key=lambda s: s.map(order) if s.name == "area_type" else s
    )
    return controlled(out, min_n)


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
    res = stats_survey_compare.difference(
        ref_value / 100, se_ref, p, se, np.full(len(p), np.inf), df, confidence=confidence
    )
    low, same, high = compare_labels(direction)
    mapping = {
        stats_survey_compare.VERDICT_DECREASE: low,
        stats_survey_compare.VERDICT_NO_CHANGE: same,
        stats_survey_compare.VERDICT_INCREASE: high,
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
    design: SurveyDesign | None = None,
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
    design : SurveyDesign, optional
        As in :func:`estimate_variable` (must be the same).

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
    design_spec = SurveyDesign.of(data) if design is None else design
    table, design_frame = estimate.table, estimate.design
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
    des = design_frame[sel].reset_index(drop=True)
    rows = rows.reset_index(drop=True)
    pool = int(pool_years) or None
    n_rows = len(rows)
    nan = np.full(n_rows, np.nan)
    out = rows.copy()
    codes = out["area_code"].astype(str).to_numpy()
    lan_cmp = stats_survey_compare.compare_with_parent(
        data,
        variable,
        "lan",
        direction=direction,
        design=design_spec,
        pool_years=pool,
        confidence=confidence,
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
    lans = lookup.lan_code_of(data["kommun"].astype("string")).dropna().unique()
    if len(lans) > 1:
        rk = stats_survey_compare.compare_with_parent(
            data,
            variable,
            "riket",
            direction=direction,
            design=design_spec,
            pool_years=pool,
            confidence=confidence,
        )
        # The county against Sweden: the county as one pseudo-kommun ("20" + "00").
        county = data.assign(kommun=lookup.lan_code_of(data["kommun"].astype("string")) + "00")
        rc = stats_survey_compare.compare_with_parent(
            county,
            variable,
            "riket",
            direction=direction,
            design=design_spec,
            pool_years=pool,
            confidence=confidence,
        )
        rc["kommun"] = lookup.region_code_of(rc["kommun"].astype(str))
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
        ranked = stats_survey_compare.rank_colours(rows, direction)
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
    return controlled(out, min_n)


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
    lans = {lookup.lan_code_of(c) for c in codes}
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
    out.insert(1, "area_name", survey_text.area_label(area))
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
    return controlled(out, min_n)


# ---------------------------------------------------------------------------
# aggregated tables without microdata (a region's HLV spreadsheet)
# ---------------------------------------------------------------------------
_HIDDEN = (indicators.FLAG_SUPPRESSED, indicators.FLAG_MISSING)


def _ci_verdicts(verdicts: pd.Series | np.ndarray, direction: str | None) -> np.ndarray:
    low, same, high = compare_labels(direction)  # type: ignore[arg-type]
    mapping = {
        stats_survey_compare.VERDICT_DECREASE: low,
        stats_survey_compare.VERDICT_NO_CHANGE: same,
        stats_survey_compare.VERDICT_INCREASE: high,
        "": "",
    }
    return np.array([mapping[str(v)] for v in verdicts], dtype=object)


def aggregated_periods(table: pd.DataFrame, variable: str) -> tuple[int, int] | None:
    """Return the two latest periods in which the kommuner of an aggregated table have values.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table (e.g. :func:`helpers.sources.survey_hlv.read_hlv`).
    variable : str
        Indicator.

    Returns
    -------
    tuple of int or None
        ``(before, after)`` (2014, 2021 for Region Dalarna's workbook, whose
        2018 has only the county and Riket), or ``None`` with fewer than two.
    """
    sel = (table["indicator"] == variable) & (table["area_type"] == "kommun")
    periods = sorted({int(p) for p in table.loc[sel, "period"]})
    return (periods[-2], periods[-1]) if len(periods) >= 2 else None


def aggregated_comparison(
    table: pd.DataFrame,
    variable: str,
    lan_code: str,
    *,
    period: int | None = None,
    direction: str | None = None,
    confidence: float = CONFIDENCE,
) -> pd.DataFrame:
    """Each kommun of an aggregated table against its county and Riket, from the CIs alone.

    Same columns as :func:`kommun_comparison`. Without microdata the estimates
    are compared as independent (:func:`helpers.stats.survey_compare.compare_ci`:
    SE = half-width / 1,96, z-test on the difference); a kommun's respondents
    are part of the county's, so the test is conservative. Sex ``"totalt"``,
    group ``"alla"``; comparisons only for estimates that are shown.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table with the county's kommuner, the region and Riket.
    variable : str
        Indicator.
    lan_code : str
        Two-digit län code.
    period : int, optional
        Period (default the latest with kommun values).
    direction : {"lower_is_better", "higher_is_better"} or None
        What is good; without it verdicts are "lägre/likartad/högre" and no colours.
    confidence : float
        Level of the test.

    Returns
    -------
    pandas.DataFrame
        County row, then the kommuner (as :func:`kommun_comparison`), ``riket_basis``
        ``"referens"`` when Riket has a value.
    """
    region = lookup.region_code(lan_code)
    kommuner = set(lookup.kommuner_in(lan_code)["kommun_code"])
    base = table[
        (table["indicator"] == variable)
        & (table["sex"] == "totalt")
        & (table["group"] == indicators.ALL_GROUPS)
    ]
    if period is None:
        kp = base.loc[base["area_code"].isin(kommuner), "period"]
        if kp.empty:
            raise DataError(f"Inga kommunvärden för {variable} i länet {lan_code}")
        period = int(kp.max())
    base = base[base["period"] == period]
    rows = base[base["area_code"].isin(kommuner | {region})]
    rows = rows.reset_index(drop=True).copy()
    if rows.empty:
        raise DataError(f"Inga skattningar för perioden {period}")
    n_rows = len(rows)
    nan = np.full(n_rows, np.nan)
    out = rows.copy()
    usable = indicators.usable(out).to_numpy()

    def against(ref: pd.DataFrame) -> pd.DataFrame | None:
        if len(ref) != 1 or not indicators.usable(ref).iloc[0]:
            return None
        r = ref.iloc[0]
        level = float(r["ci_level"]) if pd.notna(r["ci_level"]) else 0.95
        res = stats_survey_compare.compare_ci(
            np.full(n_rows, float(r["value"])),
            np.full(n_rows, float(r["ci_lower"])),
            np.full(n_rows, float(r["ci_upper"])),
            out["value"].to_numpy(dtype=float),
            out["ci_lower"].to_numpy(dtype=float),
            out["ci_upper"].to_numpy(dtype=float),
            level,
            out["ci_level"].fillna(0.95).to_numpy(dtype=float),
            confidence=confidence,
        )
        res["verdict"] = _ci_verdicts(res["verdict"], direction)
        res["ref_value"] = float(r["value"])
        return res

    lan = against(base[base["area_code"] == region])
    riket = against(base[base["area_code"] == lookup.RIKET_CODE])
    is_region = (out["area_code"] == region).to_numpy()
    for suffix, res in (("lan", lan), ("riket", riket)):
        cols = {
            f"diff_{suffix}_pp": "diff_pp",
            f"ci_lower_{suffix}_pp": "ci_lower_pp",
            f"ci_upper_{suffix}_pp": "ci_upper_pp",
            f"p_value_{suffix}": "p_value",
        }
        for col, src in cols.items():
            out[col] = nan if res is None else res[src].to_numpy(dtype=float)
        out[f"verdict_{suffix}"] = "" if res is None else res["verdict"].to_numpy()
    out["riket_value"] = nan if riket is None else riket["ref_value"].to_numpy()
    out["riket_basis"] = "" if riket is None else "referens"
    # the county against itself is no comparison
    for col in ("diff_lan_pp", "ci_lower_lan_pp", "ci_upper_lan_pp", "p_value_lan"):
        out.loc[is_region, col] = np.nan
    out.loc[is_region, "verdict_lan"] = ""
    out["rank"] = nan
    out["n_ranked"] = nan
    out["colour"] = ""
    if direction is not None:
        ranked = stats_survey_compare.rank_colours(rows, direction)  # type: ignore[arg-type]
        out["rank"] = ranked["rank"].to_numpy()
        out["n_ranked"] = ranked["n_ranked"].to_numpy()
        out["colour"] = ranked["colour"].to_numpy()
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
        out.loc[~usable, col] = np.nan
    out.loc[~usable, ["verdict_lan", "verdict_riket"]] = ""
    order = np.argsort(~is_region, kind="stable")
    return out.iloc[order].reset_index(drop=True)


def aggregated_changes(
    table: pd.DataFrame,
    variable: str,
    before: int,
    after: int,
    *,
    area_codes: Sequence[str] | None = None,
    sex: str = "totalt",
    group: str = indicators.ALL_GROUPS,
    confidence: float = CONFIDENCE,
) -> pd.DataFrame:
    """Change between two periods of an aggregated table, from the two CIs alone.

    Same columns as :func:`change_table` (``n_*``, ``yes_*`` and ``n`` missing:
    the table has no counts). The two survey years are independent samples;
    the test is :func:`helpers.stats.survey_compare.compare_ci`.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table.
    variable : str
        Indicator.
    before, after : int
        Periods to compare.
    area_codes : sequence of str, optional
        Areas to keep (default every area with a row in ``after``).
    sex, group : str
        Breakdown.
    confidence : float
        Level of the interval of the change and of the test.

    Returns
    -------
    pandas.DataFrame
        One row per area, Riket and the region first.
    """
    base = table[
        (table["indicator"] == variable) & (table["sex"] == sex) & (table["group"] == group)
    ]
    keys = ["area_code", "area_type", "sex", "group", "indicator"]
    cols = ["value", "ci_lower", "ci_upper", "ci_level", "n", "numerator", "flag", "flag_reason"]
    parts = _period_parts(base, keys, cols, before, after)
    m = parts["after"].merge(parts["before"], on=keys, how="left")
    if area_codes is not None:
        m = m[m["area_code"].isin(list(area_codes))]
    m = m.reset_index(drop=True)
    ok_b = m["value_before"].notna() & ~m["flag_before"].isin(_HIDDEN)
    ok_a = m["value_after"].notna() & ~m["flag_after"].isin(_HIDDEN)
    show = (ok_b & ok_a).to_numpy()
    res = stats_survey_compare.compare_ci(
        m["value_before"].to_numpy(dtype=float),
        m["ci_lower_before"].to_numpy(dtype=float),
        m["ci_upper_before"].to_numpy(dtype=float),
        m["value_after"].to_numpy(dtype=float),
        m["ci_lower_after"].to_numpy(dtype=float),
        m["ci_upper_after"].to_numpy(dtype=float),
        m["ci_level_before"].fillna(0.95).to_numpy(dtype=float),
        m["ci_level_after"].fillna(0.95).to_numpy(dtype=float),
        confidence=confidence,
    )
    flags, reasons = _change_flags(
        m, ok_b, ok_a, show, missing_period={"before": before, "after": after}
    )
    out = _change_frame(
        m, res, show, flags, reasons,
        before=before, after=after, confidence=confidence, n=np.nan,
        source=str(base["source"].iloc[0]) if len(base) else "",
    )  # fmt: skip
    order = {"riket": 0, "region": 1, "kommun": 2}
    out = out.sort_values(
        ["area_type", "area_name"], key=lambda s: s.map(order) if s.name == "area_type" else s
    )
    return out.reset_index(drop=True)
