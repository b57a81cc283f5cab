"""Design-based prevalence from survey microdata, with uncertainty and comparisons.

Every survey number the workbook shows carries a Korn–Graubard confidence
interval, its design statistics and a reliability flag (NCHS 2017, see
:mod:`helpers.stats.reliability`). This module turns respondent-level microdata
(as delivered by :mod:`helpers.sources.survey_files`) into

* :func:`prevalence` – a *design frame*: weighted prevalence for any grouping
  (``kommun``, ``lan``, ``sex``, ``age_group``, ``education``, …) per survey year
  or pooled years, with SE, design effect, effective sample size, degrees of
  freedom, unweighted ``n`` and number of "yes";
* :func:`estimate_indicator` – the same for kommun, län and Riket × sex ×
  group, as the tidy indicator table (:mod:`helpers.core.indicators`) with reliability
  flags and disclosure control applied, plus the design frame behind it;
* :func:`difference` / :func:`compare_periods` – change between two periods,
  :func:`compare_with_parent` – each kommun against its county or Sweden and
  :func:`rank_colours` – Kolada-style red/yellow/green ranks, all in
  :mod:`helpers.stats.survey_compare` and importable from here.

The numpy machinery (design codes, Taylor scores, covariances, input checks)
is in :mod:`helpers.stats.survey_design`. The sentences that explain these
numbers to readers are in :mod:`helpers.text.survey`.

Input shape
-----------
One row per respondent: ``kommun`` (4-digit str), ``year`` (int), ``sex``
("kvinnor"/"män"), ``age_group``, ``education``, ``weight`` (> 0), ``stratum``,
optional ``psu`` and ``fpc``, and 0/1 answer variables (nullable) such as
``daily_smoking``.

The design
----------
Every estimator takes the design as one object,
:class:`~helpers.stats.survey_design.SurveyDesign` (weight, strata, PSU, fpc,
year, singleton treatment), built once from the variable map. Without one, the
design the frame carries is used (:meth:`SurveyDesign.of
<helpers.stats.survey_design.SurveyDesign.of>`: ``attrs`` set by the loaders,
else the canonical ``psu``/``fpc`` columns when they hold values). A clustered
sample (pupils in school classes) therefore always gets its cluster variance:
its intervals are wider, its design effect larger and its effective sample
size smaller than if the same answers were treated as a simple random sample,
and the reliability flags follow.

Estimator and variance
----------------------
The prevalence in domain *d* is the ratio ``p_d = Σ w·y·1[d] / Σ w·1[d]``. Its
variance is estimated by Taylor linearization with the score
``z_i = 1[i ∈ d]·w_i·(y_i − p_d) / Σ_d w`` and the with-replacement
(ultimate-cluster) formula ``V = Σ_h n_h/(n_h − 1) Σ_j (z_hj − z̄_h)²``, where
``z_hj`` are PSU totals of the score and ``n_h`` is the number of PSUs in
stratum *h* **in the whole sample**. Domains are estimated correctly: the
design is never subset; respondents outside the domain (or with a missing
answer) keep their PSU and stratum and contribute a zero score, so a PSU
without domain members still enters its stratum mean (the same as R's
``svyby``/``subset`` and ``svy``'s ``by``/``where``).

* **Strata and PSUs** are nested in survey year: the variance stratum is
  ``(year, stratum)`` and the PSU ``(year, stratum, psu)``, so PSU ids may be
  reused across strata and years. Without a ``psu`` column every respondent
  is its own PSU.
* **Survey years** are independent samples. Per-year estimates are domains of
  the year-stratified design, which is the same as analysing each year on its
  own. **Pooled years** (``pool_years=k``: a moving window of ``k`` calendar
  years ending in each survey year, like Kolada's "T−3…T" for ``k=4``) treat the
  years in the window as one sample with year as a stratum component. Weights
  are used as they are; rescaling each year's weights by ``1/k`` (the common
  recipe for pooled totals) does not change a proportion.
* **Singleton strata** (one PSU in the whole sample): ``singleton="center"``
  (default) takes the PSU's deviation from the grand mean of PSU totals
  (R ``lonely.psu="adjust"``, Stata ``singleunit(centered)``, ``svy``
  ``"center"``); for a linearized ratio that mean is 0, so the stratum adds
  ``z_hj²``. It is conservative and keeps the stratum's information.
  ``singleton="skip"`` lets such strata add nothing (R ``"remove"``/
  ``"certainty"``), appropriate for certainty (self-representing) units. A
  stratum with several PSUs but only one in a *domain* uses the ordinary
  formula (R's default). Either way the variance is a number, never NaN; a
  singleton stratum adds no degree of freedom (1 PSU − 1 stratum), so a design
  whose domain rests on singleton strata only has ``df = 0``, no interval, and
  is suppressed by the reliability rules rather than shown as a narrow interval.
* **Finite population correction** (``SurveyDesign.fpc``, the population size
  ``N_h`` of each stratum – PSUs, or persons without PSUs): each stratum's term
  is multiplied by ``1 − n_h/N_h`` (R ``svydesign(fpc=)``, Stata ``fpc()``); a
  census stratum (``N_h = n_h``) adds nothing. Without it the with-replacement
  formula is used. The design effect stays ``V / (p(1 − p)/(n − 1))``.
* **Degrees of freedom** are counted within the domain, as NCHS describes:
  PSUs containing domain members minus strata containing domain members. For
  small areas this is the honest choice (a kommun's estimate rests on the
  kommun's PSUs, not the country's); it also feeds the Korn–Graubard interval
  and the NCHS "df < 8" review rule.
* **Design effect** ``deff = V / (p(1 − p)/(n − 1))``: the design variance over
  the variance of simple random sampling with replacement of the same ``n``
  (R ``survey``'s and ``svy``'s ``deff="wr"``), so equal weights and
  respondent-level PSUs give exactly 1. **Effective sample size** follows NCHS:
  ``n_eff = min(n, p(1 − p)/V)`` (``n`` when p is 0 or 1), which is
  ``(n − 1)/deff`` before truncation.
* **Confidence intervals** are Korn–Graubard (:func:`helpers.stats.proportions.korn_graubard`).
* **Missing answers** are outside the domain of that variable (complete-case
  for the item), with the design kept intact. When *no* respondent has
  answered, the estimators refuse with a Swedish :class:`DataError` naming the
  column (there is no number to show); a domain where nobody answered has no
  row.
* **Boundary and small domains**: when every answer in a domain is yes (or
  no), ``p`` is 1 (or 0) and the linearized variance is 0; the Korn–Graubard
  interval then falls back to Clopper–Pearson on ``n`` (one-sided, e.g.
  ``[0,912; 1]`` for 40 of 40), never ``±0``. A domain of one respondent has
  ``df = 0`` and no interval.

Indicator-table conventions: ``value``, ``ci_lower``, ``ci_upper`` in percent;
``numerator`` = unweighted number of "yes" answers; ``denominator`` = ``n`` =
unweighted number of respondents who answered. The weighted population counts
are in the design frame (``weighted_n``); counts of respondents are what an
analyst needs to judge a number ("the estimate rests on 59 smokers").

Why our own implementation
--------------------------
``svy`` (installed as a development dependency) computes the same Taylor
variances and Korn–Graubard intervals, and the tests use it as the reference
(SEs, Korn–Graubard limits and design effects agree to rounding
error). We do not wrap it because the workbook needs, in one
vectorized pass over pandas frames, many nested domain sets (kommun, län and
Riket × sex × education × years, and pooled windows), the covariance between
*different* domain sets (kommun vs. its county, for :func:`compare_with_parent`),
NCHS's truncated effective sample size and flags, and no run-time dependency
on a young polars/Rust package whose API is still changing. The whole
computation is ~300 lines of numpy on top of ``bincount``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from helpers.core import indicators, lookup
from helpers.core.errors import DataError
from helpers.stats import reliability
from helpers.stats import survey_design as sd
from helpers.stats.ci import confidence_level
from helpers.stats.disclosure import suppress_small_cells
from helpers.stats.proportions import korn_graubard
from helpers.stats.survey_design import DESIGN_COLUMNS, LAN, SurveyDesign

if TYPE_CHECKING:
    from helpers.config.catalogue import Indicator

__all__ = [
    "CONFIDENCE",
    "LEVELS",
    "SurveyDesign",
    "SurveyEstimate",
    "estimate_indicator",
    "levels_for",
    "prevalence",
    "weights_summary",
]

#: Default confidence level of the survey chapters.
CONFIDENCE = 0.95
#: Area levels understood by :func:`estimate_indicator`.
LEVELS: tuple[str, ...] = ("kommun", "lan", "riket")


def levels_for(kommun: pd.Series) -> tuple[str, ...]:
    """Return the area levels to estimate for respondents living in these kommuner.

    Kommun and county always; Riket only when the respondents come from more
    than one county (a one-county extract is no estimate for Sweden).

    Parameters
    ----------
    kommun : pandas.Series
        Kommun codes of the respondents.

    Returns
    -------
    tuple of str
        Levels for :func:`estimate_indicator`.
    """
    lans = lookup.lan_code_of(kommun.astype("string")).dropna().unique()
    return LEVELS if len(lans) > 1 else ("kommun", "lan")


# ---------------------------------------------------------------------------
# public: prevalence (design frame)
# ---------------------------------------------------------------------------
def prevalence(
    data: pd.DataFrame,
    variable: str,
    by: Sequence[str] = ("kommun",),
    *,
    design: SurveyDesign | None = None,
    pool_years: int | None = None,
    confidence: float = 0.95,
    name: str = "mikrodata",
) -> pd.DataFrame:
    """Weighted prevalence with design-based uncertainty for every group of ``by``.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent-level microdata (see module docstring).
    variable : str
        0/1 answer column (missing = did not answer).
    by : sequence of str
        Grouping columns; ``"lan"`` is derived from ``kommun`` when absent. An
        empty sequence gives one estimate for the whole sample (Riket). Survey
        year is always a grouping (or pooling) dimension; do not list it.
    design : SurveyDesign, optional
        Weight, strata, PSU, fpc, year and singleton treatment; default the
        design the frame carries (:meth:`SurveyDesign.of`).
    pool_years : int, optional
        ``None``: one estimate per survey year. ``k``: pool the survey years in
        each window of ``k`` calendar years ending in a survey year (only
        windows that lie within the data's years).
    confidence : float
        Confidence level of the Korn–Graubard interval.
    name : str
        Name of the data in error messages.

    Returns
    -------
    pandas.DataFrame
        The grouping columns followed by :data:`helpers.stats.survey_design.DESIGN_COLUMNS` (proportions,
        SEs and limits on the 0–1 scale), one row per non-empty group and period.

    Raises
    ------
    DataError
        Missing columns, non-positive weights, answers other than 0/1, no
        answers at all, or an fpc that is not one population size per stratum.
    """
    design = SurveyDesign.of(data) if design is None else design
    by = [c for c in by if c != design.year]
    conf = confidence_level(confidence)
    data = sd.with_lan(data, by)
    data, coded, y = sd.prepare(data, variable, by, design, name)
    return _prevalence(data, coded, y, by, pool_years, conf, design.singleton)


def _prevalence(
    data: pd.DataFrame,
    design: sd.CodedDesign,
    y: np.ndarray,
    by: Sequence[str],
    pool_years: int | None,
    conf: float,
    singleton: str,
) -> pd.DataFrame:
    frames = []
    base = sd.codes(data, by)
    for first, last in sd.windows(design.year, pool_years):
        in_window = (design.year >= first) & (design.year <= last)
        g = sd.compact(np.where(in_window, base, -1))
        sc = sd.linearize(design, g, y, singleton)
        frames.append(_design_frame(data, by, sc, first, last, conf))
    if not frames:
        return pd.DataFrame(columns=[*by, *DESIGN_COLUMNS])
    return pd.concat(frames, ignore_index=True)


def _design_frame(
    data: pd.DataFrame, by: Sequence[str], sc: sd.Scores, first: int, last: int, conf: float
) -> pd.DataFrame:
    keep = sc.n > 0
    rows = sc.first_row[keep]
    p = sc.p[keep]
    var = sc.var[keep]
    n = sc.n[keep]
    se = np.sqrt(var)
    df = sc.df[keep]
    with np.errstate(divide="ignore", invalid="ignore"):
        deff = np.where((p > 0) & (p < 1) & (n > 1), var / (p * (1 - p) / (n - 1)), np.nan)
    kg = korn_graubard(p, se, n, df, conf)
    cols: dict[str, object] = {c: data[c].iloc[rows].to_numpy() for c in by}
    cols.update(
        {
            "period": np.full(len(p), last, dtype=np.int64),
            "period_label": sd.period_label(first, last),
            "first_year": np.full(len(p), first, dtype=np.int64),
            "n": n,
            "yes": sc.yes[keep],
            "weighted_n": sc.wsum[keep],
            "p": p,
            "se": se,
            "deff": deff,
            "n_eff": reliability.effective_n(p, se, n),
            "n_eff_df": kg["n_eff_df"].to_numpy(),
            "df": df,
            "n_psu": sc.n_psu[keep],
            "n_strata": sc.n_strata[keep],
            "ci_lower": kg["ci_lower"].to_numpy(),
            "ci_upper": kg["ci_upper"].to_numpy(),
            "ci_level": conf,
        }
    )
    return pd.DataFrame(cols, index=pd.RangeIndex(len(p)))


# ---------------------------------------------------------------------------
# public: indicator table for kommun / län / Riket × sex × group
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class SurveyEstimate:
    """Result of :func:`estimate_indicator`.

    Attributes
    ----------
    table : pandas.DataFrame
        Indicator table (percent), flags and disclosure control applied.
    design : pandas.DataFrame
        Design frame (0–1 scale) with the indicator-table keys, all design
        statistics and the reliability assessment, row-aligned with ``table``.
        It is for analysts and is *not* disclosure-controlled.
    """

    table: pd.DataFrame
    design: pd.DataFrame


def estimate_indicator(
    data: pd.DataFrame,
    variable: str,
    indicator: str,
    source: str,
    *,
    levels: Sequence[str] = LEVELS,
    by_sex: bool = True,
    group: str | None = "education",
    pool_years: int | None = None,
    confidence: float = 0.95,
    design: SurveyDesign | None = None,
    kommun: str = "kommun",
    sex: str = "sex",
    params: Mapping[str, object] | None = None,
    name: str = "mikrodata",
    catalogue: Iterable[Indicator] | None = None,
) -> SurveyEstimate:
    """Estimate one survey indicator for kommuner, län and Riket, by sex and group.

    For every level in ``levels`` the estimates are made for all sexes together
    (``sex="totalt"``) and per sex (if ``by_sex``), for everyone
    (``group="alla"``) and per value of the ``group`` column (if given), and
    their crossings. Reliability flags (:mod:`helpers.stats.reliability`) are then
    applied, and finally disclosure control
    (:func:`helpers.stats.disclosure.suppress_small_cells`, threshold from
    ``params["disclosure"]["min_n"]`` or its default).

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent-level microdata.
    variable : str
        0/1 answer column.
    indicator : str
        Indicator id written to the table.
    source : str
        Attribution, e.g. ``"Källa: Region Dalarna, Liv & hälsa"``.
    levels : sequence of {"kommun", "lan", "riket"}
        Area levels to estimate.
    by_sex : bool
        Also estimate per sex.
    group : str or None
        Column whose values become the table's ``group`` (e.g. ``"education"``).
    pool_years : int, optional
        Pool survey years in moving windows of this many calendar years.
    confidence : float
        Confidence level.
    design : SurveyDesign, optional
        Weight, strata, PSU, fpc, year and singleton treatment; default the
        design the frame carries (:meth:`SurveyDesign.of`). The reliability
        flags use its variance (a clustered design has a smaller effective
        sample size and wider intervals).
    kommun, sex : str
        Column names.
    params : mapping, optional
        Workbook parameters; only ``disclosure.min_n`` is read here.
    name : str
        Name of the data in error messages.
    catalogue : iterable of Indicator, optional
        The indicator catalogue, whose ``disclosure`` flag decides whether the
        indicator is disclosure-controlled
        (:func:`helpers.stats.disclosure.suppress_small_cells`); without it, it is.

    Returns
    -------
    SurveyEstimate
        ``table`` (indicator table) and ``design`` (design frame).
    """
    unknown = [lv for lv in levels if lv not in LEVELS]
    if unknown:
        raise DataError(f"okänd områdesnivå: {', '.join(unknown)} (tillåtna: kommun, lan, riket)")
    design = SurveyDesign.of(data) if design is None else design
    dims = ([sex] if by_sex else []) + ([group] if group else [])
    data = data.rename(columns={kommun: "kommun"}) if kommun != "kommun" else data
    data = data.assign(**{LAN: lookup.lan_code_of(data["kommun"].astype("string"))})
    data, coded, y = sd.prepare(data, variable, dims, design, name, kommun=True)
    singleton = design.singleton
    conf = confidence_level(confidence)
    frames = []
    for level in levels:
        geo = {"kommun": ["kommun"], "lan": [LAN], "riket": []}[level]
        for k in range(len(dims) + 1):
            for combo in combinations(dims, k):
                d = _prevalence(data, coded, y, [*geo, *combo], pool_years, conf, singleton)
                if level == "kommun":
                    d["area_code"] = d["kommun"].astype(str)
                elif level == "lan":
                    d["area_code"] = lookup.region_code_of(d[LAN].astype(str))
                else:
                    d["area_code"] = lookup.RIKET_CODE
                d["area_type"] = {"kommun": "kommun", "lan": "region", "riket": "riket"}[level]
                d["sex"] = d[sex].astype(str) if sex in combo else "totalt"
                d["group"] = (
                    d[group].astype(str) if group and group in combo else indicators.ALL_GROUPS
                )
                frames.append(d[["area_code", "area_type", "sex", "group", *DESIGN_COLUMNS]])
    design = pd.concat(frames, ignore_index=True)
    design.insert(4, "indicator", indicator)
    design = reliability.assess_frame(design)
    names = lookup.areas().set_index("area_code")["area_name"]
    table = pd.DataFrame(
        {
            "area_code": design["area_code"],
            "area_name": design["area_code"].map(names).fillna(design["area_code"]),
            "area_type": design["area_type"],
            "period": design["period"],
            "period_label": design["period_label"],
            "sex": design["sex"],
            "group": design["group"],
            "indicator": indicator,
            "value": design["p"] * 100,
            "ci_lower": design["ci_lower"] * 100,
            "ci_upper": design["ci_upper"] * 100,
            "ci_level": design["ci_level"],
            "numerator": design["yes"],
            "denominator": design["n"],
            "n": design["n"],
            "flag": design["flag"],
            "flag_reason": design["flag_reason"],
        }
    )
    table = reliability.apply_flags(table, design)
    table = indicators.make(table, source=source)
    table = indicators.validate(suppress_small_cells(table, params=params, catalogue=catalogue))
    return SurveyEstimate(table=table, design=design)


# ---------------------------------------------------------------------------
# public: weights
# ---------------------------------------------------------------------------
def weights_summary(data: pd.DataFrame, population: pd.DataFrame | None = None) -> dict[str, float]:
    """Describe the weights of the latest survey year.

    Parameters
    ----------
    data : pandas.DataFrame
        Canonical microdata; reads ``year``, ``kommun`` and ``weight``.
    population : pandas.DataFrame, optional
        Population per ``year`` and ``kommun`` (column ``population``), to
        compare the sum of weights with.

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
