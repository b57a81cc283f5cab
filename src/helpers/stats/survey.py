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
* :func:`difference` / :func:`compare_periods` – change between two periods;
* :func:`compare_with_parent` – each kommun against its county or Sweden;
* :func:`rank_colours` – Kolada-style red/yellow/green ranks.

Input shape
-----------
One row per respondent: ``kommun`` (4-digit str), ``year`` (int), ``sex``
("kvinnor"/"män"), ``age_group``, ``education``, ``weight`` (> 0), ``stratum``,
optional ``psu``, and 0/1 answer variables (nullable) such as ``daily_smoking``.

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
  formula (R's default).
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
  for the item), with the design kept intact.

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
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import special

from helpers.core import indicators, lookup
from helpers.core.errors import DataError, Problem, first_bad_row
from helpers.stats import reliability
from helpers.stats.ci import confidence_level
from helpers.stats.disclosure import suppress_small_cells
from helpers.stats.proportions import korn_graubard

Direction = Literal["higher_is_better", "lower_is_better"] | None

SINGLETON_METHODS: tuple[str, ...] = ("center", "skip")
#: Derived grouping column: the 2-digit län code (first two digits of ``kommun``).
LAN = "lan"
#: Area levels understood by :func:`estimate_indicator`.
LEVELS: tuple[str, ...] = ("kommun", "lan", "riket")

VERDICT_DECREASE = "statistiskt säkerställd minskning"
VERDICT_INCREASE = "statistiskt säkerställd ökning"
VERDICT_NO_CHANGE = "ingen statistiskt säkerställd förändring"

COLOUR_GREEN = "grön"
COLOUR_YELLOW = "gul"
COLOUR_RED = "röd"
COLOUR_MISSING = "grå"

#: Why a kommun can be red in Kolada's ranking and still "likartad" in the significance test.
RANK_VS_SIGNIFICANCE_NOTE = (
    "Färgen visar bara kommunens plats i rangordningen bland alla kommuner, medan jämförelsen "
    "med länet och riket visar om skillnaden är större än vad slumpen i urvalet kan förklara – "
    "därför kan en kommun vara röd eller grön men ändå ”likartad” när skattningen är osäker, "
    "och små men säkra skillnader kan ge gul färg."
)

#: Columns of the design frame, after the grouping columns.
DESIGN_COLUMNS: tuple[str, ...] = (
    "period",
    "period_label",
    "first_year",
    "n",
    "yes",
    "weighted_n",
    "p",
    "se",
    "deff",
    "n_eff",
    "n_eff_df",
    "df",
    "n_psu",
    "n_strata",
    "ci_lower",
    "ci_upper",
    "ci_level",
)


# ---------------------------------------------------------------------------
# design and linearization (internal)
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _Design:
    """Integer-coded design: stratum ``h`` and PSU ``j`` per row, PSUs per stratum."""

    h: np.ndarray
    j: np.ndarray
    psu_stratum: np.ndarray
    n_h: np.ndarray
    w: np.ndarray
    year: np.ndarray

    @property
    def n_psu_total(self) -> int:
        return len(self.psu_stratum)

    @property
    def n_strata_total(self) -> int:
        return len(self.n_h)


@dataclass(frozen=True)
class _Scores:
    """Linearized domain statistics: per domain, per (domain, PSU) and per (domain, stratum)."""

    n: np.ndarray
    yes: np.ndarray
    wsum: np.ndarray
    p: np.ndarray
    var: np.ndarray
    n_psu: np.ndarray
    n_strata: np.ndarray
    key_gj: np.ndarray  # sorted g * J + j
    z: np.ndarray
    key_gh: np.ndarray  # sorted g * H + h
    s1: np.ndarray
    first_row: np.ndarray  # a row index of each domain (to read its labels)

    @property
    def df(self) -> np.ndarray:
        return (self.n_psu - self.n_strata).astype(float)


def _codes(frame: pd.DataFrame, cols: Sequence[str]) -> np.ndarray:
    """Dense int64 codes of the combination of ``cols``; -1 where any column is missing."""
    if not cols:
        return np.zeros(len(frame), dtype=np.int64)
    code = np.zeros(len(frame), dtype=np.int64)
    bad = np.zeros(len(frame), dtype=bool)
    for c in cols:
        cc, uniq = pd.factorize(frame[c], sort=True)
        bad |= cc < 0
        code = code * (len(uniq) + 1) + cc
    _, dense = np.unique(code, return_inverse=True)
    dense = dense.astype(np.int64)
    if bad.any():
        dense[bad] = -1
        _, d2 = np.unique(dense[~bad], return_inverse=True)
        dense[~bad] = d2
    return dense


def _build_design(
    data: pd.DataFrame, weight: str, stratum: str, psu: str | None, year: str
) -> _Design:
    h = _codes(data, [year, stratum])
    if psu is None:
        j = np.arange(len(data), dtype=np.int64)
    else:
        j = _codes(data, [year, stratum, psu])
    n_psu = int(j.max()) + 1 if len(j) else 0
    psu_stratum = np.zeros(n_psu, dtype=np.int64)
    psu_stratum[j] = h
    n_h = np.bincount(psu_stratum, minlength=int(h.max()) + 1 if len(h) else 0)
    return _Design(
        h=h,
        j=j,
        psu_stratum=psu_stratum,
        n_h=n_h,
        w=data[weight].to_numpy(dtype=float),
        year=pd.to_numeric(data[year]).to_numpy(dtype=np.int64),
    )


def _stratum_terms(
    prod: np.ndarray, s1a: np.ndarray, s1b: np.ndarray, nh: np.ndarray, singleton: str
) -> np.ndarray:
    """Per-(domain, stratum) contribution ``n_h/(n_h−1)(Σ a·b − S_a S_b / n_h)``, singletons handled."""
    with np.errstate(divide="ignore", invalid="ignore"):
        regular = nh / (nh - 1.0) * (prod - s1a * s1b / nh)
    single = prod if singleton == "center" else np.zeros_like(prod)
    return np.where(nh > 1, regular, single)


def _linearize(design: _Design, g: np.ndarray, y: np.ndarray, singleton: str) -> _Scores:
    """Domain prevalences and Taylor variances for domain codes ``g`` (-1 = outside every domain)."""
    inside = (g >= 0) & ~np.isnan(y)
    gi = g[inside]
    n_dom = int(g.max()) + 1 if len(g) and g.max() >= 0 else 0
    wi, yi, ji = design.w[inside], y[inside], design.j[inside]
    n = np.bincount(gi, minlength=n_dom).astype(float)
    yes = np.bincount(gi, weights=yi, minlength=n_dom)
    wsum = np.bincount(gi, weights=wi, minlength=n_dom)
    wy = np.bincount(gi, weights=wi * yi, minlength=n_dom)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = wy / wsum
    n_j = np.int64(max(design.n_psu_total, 1))
    n_hh = np.int64(max(design.n_strata_total, 1))

    key_gj, inv = np.unique(gi * n_j + ji, return_inverse=True)
    w_gj = np.bincount(inv, weights=wi)
    t_gj = np.bincount(inv, weights=wi * yi)
    g_of = key_gj // n_j
    j_of = key_gj % n_j
    z = (t_gj - p[g_of] * w_gj) / wsum[g_of]

    h_of = design.psu_stratum[j_of]
    key_gh, inv2 = np.unique(g_of * n_hh + h_of, return_inverse=True)
    s1 = np.bincount(inv2, weights=z)
    s2 = np.bincount(inv2, weights=z * z)
    m = np.bincount(inv2).astype(float)
    g2 = key_gh // n_hh
    nh = design.n_h[key_gh % n_hh].astype(float)
    contrib = _stratum_terms(s2, s1, s1, nh, singleton)
    var = np.bincount(g2, weights=contrib, minlength=n_dom)
    var = np.maximum(var, 0.0)
    n_psu = np.bincount(g2, weights=m, minlength=n_dom)
    n_strata = np.bincount(g2, minlength=n_dom).astype(float)

    rows = np.flatnonzero(inside)
    first = np.full(n_dom, -1, dtype=np.int64)
    present, idx = np.unique(gi, return_index=True)
    first[present] = rows[idx]
    return _Scores(
        n=n,
        yes=yes,
        wsum=wsum,
        p=p,
        var=var,
        n_psu=n_psu,
        n_strata=n_strata,
        key_gj=key_gj,
        z=z,
        key_gh=key_gh,
        s1=s1,
        first_row=first,
    )


def _covariance(
    design: _Design, a: _Scores, b: _Scores, a_to_b: np.ndarray, singleton: str
) -> np.ndarray:
    """Covariance of each domain of ``a`` with the domain ``a_to_b[g]`` of ``b`` (same sample)."""
    n_j = np.int64(max(design.n_psu_total, 1))
    n_hh = np.int64(max(design.n_strata_total, 1))
    ga = a.key_gj // n_j
    ja = a.key_gj % n_j
    gb = a_to_b[ga]
    kb = gb * n_j + ja
    pos = np.searchsorted(b.key_gj, kb)
    pos = np.minimum(pos, len(b.key_gj) - 1)
    found = b.key_gj[pos] == kb
    zb = np.where(found, b.z[pos], 0.0)
    ha = design.psu_stratum[ja]
    # Σ_j z_a z_b per (g_a, h): aligned with a.key_gh (same (g, h) set as a's scores)
    key_ah = ga * n_hh + ha
    idx = np.searchsorted(a.key_gh, key_ah)
    prod = np.bincount(idx, weights=a.z * zb, minlength=len(a.key_gh))
    g_ah = a.key_gh // n_hh
    h_ah = a.key_gh % n_hh
    kbh = a_to_b[g_ah] * n_hh + h_ah
    posb = np.minimum(np.searchsorted(b.key_gh, kbh), len(b.key_gh) - 1)
    s1b = np.where(b.key_gh[posb] == kbh, b.s1[posb], 0.0)
    nh = design.n_h[h_ah].astype(float)
    contrib = _stratum_terms(prod, a.s1, s1b, nh, singleton)
    return np.bincount(g_ah, weights=contrib, minlength=len(a.n))


# ---------------------------------------------------------------------------
# validation and helpers
# ---------------------------------------------------------------------------
def _validate(
    data: pd.DataFrame,
    variables: Sequence[str],
    columns: Iterable[str],
    weight: str,
    name: str,
    complete: Sequence[str] = (),
    year: str | None = None,
) -> None:
    problems: list[Problem] = []
    missing = [c for c in dict.fromkeys(columns) if c not in data.columns]
    for c in missing:
        problems.append(Problem("kolumnen saknas i mikrodata", file=name, column=c))
    if problems:
        raise DataError(problems)
    w = pd.to_numeric(data[weight], errors="coerce").to_numpy(dtype=float)
    found = [
        first_bad_row(
            ~(np.isfinite(w) & (w > 0)),
            lambda i, n: (
                f"vikten måste vara ett tal större än 0 ({n} rader fel, t.ex. '{data[weight].iloc[i]}')"
            ),
            file=name,
            column=weight,
        )
    ]
    found += [
        first_bad_row(
            data[c].isna().to_numpy(),
            lambda i, n: f"designvariabeln saknar värde på {n} rader",
            file=name,
            column=c,
        )
        for c in complete
    ]
    if year is not None:
        yr = pd.to_numeric(data[year], errors="coerce")
        found.append(
            first_bad_row(
                (yr.isna() | (yr % 1 != 0)).to_numpy() & data[year].notna().to_numpy(),
                lambda i, n: f"året ska vara ett heltal, inte '{data[year].iloc[i]}'",
                file=name,
                column=year,
            )
        )
    problems += [p for p in found if p is not None]
    for v in variables:
        vals = pd.to_numeric(data[v], errors="coerce")
        problem = first_bad_row(
            ((vals.isna() & data[v].notna()) | (vals.notna() & ~vals.isin([0, 1]))).to_numpy(),
            lambda i, n, v=v: (
                f"svaren ska vara 0, 1 eller tomma ({n} rader fel, t.ex. '{data[v].iloc[i]}')"
            ),
            file=name,
            column=v,
        )
        if problem is not None:
            problems.append(problem)
    if problems:
        raise DataError(problems)


def _check_kommun(data: pd.DataFrame, name: str) -> None:
    codes = data["kommun"].astype("string")
    bad = codes.notna() & ~codes.str.fullmatch(r"\d{4}").fillna(False)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            Problem(
                f"kommunkoden ska vara fyra siffror som text, t.ex. '2080' ({int(bad.sum())} rader fel, "
                f"t.ex. '{data['kommun'].iloc[i]}')",
                file=name,
                row=i + 2,
                column="kommun",
            )
        )


def _with_lan(data: pd.DataFrame, cols: Iterable[str], kommun: str = "kommun") -> pd.DataFrame:
    if LAN in cols and LAN not in data.columns:
        data = data.assign(**{LAN: data[kommun].astype("string").str[:2]})
    return data


def _windows(years: np.ndarray, pool_years: int | None) -> list[tuple[int, int]]:
    """(first, last) year of each estimation period."""
    uniq = sorted(int(y) for y in np.unique(years))
    if pool_years is None:
        return [(y, y) for y in uniq]
    if int(pool_years) < 1:
        raise DataError(f"pool_years måste vara minst 1, inte {pool_years}")
    k = int(pool_years)
    lo = uniq[0]
    return [(t - k + 1, t) for t in uniq if t - k + 1 >= lo]


def _period_label(first: int, last: int) -> str:
    return str(last) if first == last else f"{first}–{last}"


def _check_singleton(singleton: str) -> None:
    if singleton not in SINGLETON_METHODS:
        raise DataError(
            f"okänd metod för strata med en PSU: '{singleton}' (tillåtna: center, skip)"
        )


# ---------------------------------------------------------------------------
# public: prevalence (design frame)
# ---------------------------------------------------------------------------
def prevalence(
    data: pd.DataFrame,
    variable: str,
    by: Sequence[str] = ("kommun",),
    *,
    weight: str = "weight",
    stratum: str = "stratum",
    psu: str | None = None,
    year: str = "year",
    pool_years: int | None = None,
    confidence: float = 0.95,
    singleton: str = "center",
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
    weight, stratum, psu, year : str
        Design columns; ``psu=None`` makes each respondent its own PSU.
    pool_years : int, optional
        ``None``: one estimate per survey year. ``k``: pool the survey years in
        each window of ``k`` calendar years ending in a survey year (only
        windows that lie within the data's years).
    confidence : float
        Confidence level of the Korn–Graubard interval.
    singleton : {"center", "skip"}
        Handling of strata with a single PSU (see module docstring).
    name : str
        Name of the data in error messages.

    Returns
    -------
    pandas.DataFrame
        The grouping columns followed by :data:`DESIGN_COLUMNS` (proportions,
        SEs and limits on the 0–1 scale), one row per non-empty group and period.

    Raises
    ------
    DataError
        Missing columns, non-positive weights or answers other than 0/1.
    """
    by = [c for c in by if c != year]
    _check_singleton(singleton)
    conf = confidence_level(confidence)
    data = _with_lan(data, by)
    design_cols = [weight, stratum, year] + ([psu] if psu else [])
    _validate(data, [variable], [variable, *design_cols, *by], weight, name, design_cols, year)
    data = data.reset_index(drop=True)
    design = _build_design(data, weight, stratum, psu, year)
    y = pd.to_numeric(data[variable], errors="coerce").to_numpy(dtype=float)
    return _prevalence(data, design, y, by, pool_years, conf, singleton)


def _prevalence(
    data: pd.DataFrame,
    design: _Design,
    y: np.ndarray,
    by: Sequence[str],
    pool_years: int | None,
    conf: float,
    singleton: str,
) -> pd.DataFrame:
    frames = []
    base = _codes(data, by)
    for first, last in _windows(design.year, pool_years):
        in_window = (design.year >= first) & (design.year <= last)
        g = _compact(np.where(in_window, base, -1))
        sc = _linearize(design, g, y, singleton)
        frames.append(_design_frame(data, by, sc, first, last, conf))
    if not frames:
        return pd.DataFrame(columns=[*by, *DESIGN_COLUMNS])
    return pd.concat(frames, ignore_index=True)


def _compact(g: np.ndarray) -> np.ndarray:
    """Renumber non-negative codes densely (keeps -1)."""
    out = np.full(len(g), -1, dtype=np.int64)
    ok = g >= 0
    if ok.any():
        _, dense = np.unique(g[ok], return_inverse=True)
        out[ok] = dense
    return out


def _design_frame(
    data: pd.DataFrame, by: Sequence[str], sc: _Scores, first: int, last: int, conf: float
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
            "period_label": _period_label(first, last),
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
    singleton: str = "center",
    weight: str = "weight",
    stratum: str = "stratum",
    psu: str | None = None,
    year: str = "year",
    kommun: str = "kommun",
    sex: str = "sex",
    params: Mapping[str, object] | None = None,
    name: str = "mikrodata",
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
    singleton : {"center", "skip"}
        Singleton-stratum handling.
    weight, stratum, psu, year, kommun, sex : str
        Column names.
    params : mapping, optional
        Workbook parameters; only ``disclosure.min_n`` is read here.
    name : str
        Name of the data in error messages.

    Returns
    -------
    SurveyEstimate
        ``table`` (indicator table) and ``design`` (design frame).
    """
    unknown = [lv for lv in levels if lv not in LEVELS]
    if unknown:
        raise DataError(f"okänd områdesnivå: {', '.join(unknown)} (tillåtna: kommun, lan, riket)")
    dims = ([sex] if by_sex else []) + ([group] if group else [])
    data = data.rename(columns={kommun: "kommun"}) if kommun != "kommun" else data
    data = data.assign(**{LAN: data["kommun"].astype("string").str[:2]})
    design_cols = [weight, stratum, year] + ([psu] if psu else [])
    _validate(
        data, [variable], [variable, "kommun", *design_cols, *dims], weight, name, design_cols, year
    )
    _check_kommun(data, name)
    _check_singleton(singleton)
    conf = confidence_level(confidence)
    data = data.reset_index(drop=True)
    design_obj = _build_design(data, weight, stratum, psu, year)
    y = pd.to_numeric(data[variable], errors="coerce").to_numpy(dtype=float)
    frames = []
    for level in levels:
        geo = {"kommun": ["kommun"], "lan": [LAN], "riket": []}[level]
        for k in range(len(dims) + 1):
            for combo in combinations(dims, k):
                d = _prevalence(data, design_obj, y, [*geo, *combo], pool_years, conf, singleton)
                if level == "kommun":
                    d["area_code"] = d["kommun"].astype(str)
                elif level == "lan":
                    d["area_code"] = "00" + d[LAN].astype(str)
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
    table = indicators.validate(suppress_small_cells(table, params=params))
    return SurveyEstimate(table=table, design=design)


# ---------------------------------------------------------------------------
# public: comparisons
# ---------------------------------------------------------------------------
def _p_value(stat: np.ndarray, df: np.ndarray) -> np.ndarray:
    """Two-sided p-value from t(df), normal where df is infinite or missing."""
    normal = 2 * special.ndtr(-np.abs(stat))
    use_t = np.isfinite(df) & (df > 0)
    t = 2 * special.stdtr(np.where(use_t, df, 1.0), -np.abs(stat))
    return np.where(use_t, t, normal)


def _crit(conf: float, df: np.ndarray) -> np.ndarray:
    use_t = np.isfinite(df) & (df > 0)
    z = special.ndtri(1 - (1 - conf) / 2)
    return np.where(use_t, special.stdtrit(np.where(use_t, df, 1.0), 1 - (1 - conf) / 2), z)


def difference(
    p1: ArrayLike,
    se1: ArrayLike,
    p2: ArrayLike,
    se2: ArrayLike,
    df1: ArrayLike | None = None,
    df2: ArrayLike | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Change from estimate 1 to estimate 2 for independent samples (e.g. two survey periods).

    ``diff = p2 − p1`` with ``SE = sqrt(se1² + se2²)``. With degrees of freedom
    the reference distribution is t with Welch–Satterthwaite df
    ``(v1 + v2)² / (v1²/df1 + v2²/df2)``; without, standard normal.

    Parameters
    ----------
    p1, se1, p2, se2 : array_like
        Proportions (0–1) and standard errors of the earlier and later estimate.
    df1, df2 : array_like, optional
        Design degrees of freedom of each estimate.
    confidence : float
        Confidence level of the interval and significance level ``1 − confidence``.

    Returns
    -------
    pandas.DataFrame
        ``diff_pp``, ``se_pp``, ``ci_lower_pp``, ``ci_upper_pp`` (percentage
        points), ``df``, ``statistic``, ``p_value`` and ``verdict`` (Swedish:
        :data:`VERDICT_DECREASE`, :data:`VERDICT_INCREASE` or
        :data:`VERDICT_NO_CHANGE`; empty when an input is missing).
    """
    conf = confidence_level(confidence)
    a = [np.atleast_1d(np.asarray(x, dtype=float)) for x in (p1, se1, p2, se2)]
    p1a, se1a, p2a, se2a = np.broadcast_arrays(*a)
    v1, v2 = se1a**2, se2a**2
    diff = p2a - p1a
    se = np.sqrt(v1 + v2)
    if df1 is None or df2 is None:
        df = np.full(diff.shape, np.inf)
    else:
        d1 = np.broadcast_to(np.asarray(df1, dtype=float), diff.shape)
        d2 = np.broadcast_to(np.asarray(df2, dtype=float), diff.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            df = (v1 + v2) ** 2 / (v1**2 / d1 + v2**2 / d2)
    return _test_frame(diff, se, df, conf, (VERDICT_DECREASE, VERDICT_NO_CHANGE, VERDICT_INCREASE))


def _test_frame(
    diff: np.ndarray, se: np.ndarray, df: np.ndarray, conf: float, labels: tuple[str, str, str]
) -> pd.DataFrame:
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = diff / se
    pval = _p_value(stat, df)
    crit = _crit(conf, df)
    sig = pval < (1 - conf)
    known = np.isfinite(diff) & np.isfinite(se)
    verdict = np.where(
        ~known,
        "",
        np.where(sig & (diff < 0), labels[0], np.where(sig & (diff > 0), labels[2], labels[1])),
    )
    return pd.DataFrame(
        {
            "diff_pp": diff * 100,
            "se_pp": se * 100,
            "ci_lower_pp": (diff - crit * se) * 100,
            "ci_upper_pp": (diff + crit * se) * 100,
            "df": df,
            "statistic": stat,
            "p_value": pval,
            "verdict": verdict,
        }
    )


def compare_periods(
    design: pd.DataFrame,
    before: int,
    after: int,
    keys: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Compare two periods of a design frame, row by row (independent samples).

    Parameters
    ----------
    design : pandas.DataFrame
        Output of :func:`prevalence` or ``estimate_indicator(...).design``.
    before, after : int
        ``period`` values (last year of each period) to compare.
    keys : sequence of str, optional
        Columns that identify the same group in both periods; default: every
        column that is not a design statistic.
    confidence : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        ``keys``, ``p_before``, ``p_after`` (0–1), ``n_before``, ``n_after``,
        ``yes_before``, ``yes_after`` and the columns of :func:`difference`.
        Carries ``flag_before``/``flag_after`` when the design frame has flags.

    Raises
    ------
    DataError
        If a period is missing or the two (pooled) periods share survey years,
        which would violate independence.
    """
    stats = set(DESIGN_COLUMNS) | {
        "present",
        "rule",
        "footnote",
        "review",
        "flag",
        "flag_reason",
        "ci_width",
        "relative_width",
        "relative_width_complement",
    }
    if keys is None:
        keys = [c for c in design.columns if c not in stats]
    keys = list(keys)
    b = design[design["period"] == before]
    a = design[design["period"] == after]
    if b.empty or a.empty:
        raise DataError(f"perioden {before if b.empty else after} finns inte i skattningarna")
    if int(a["first_year"].min()) <= int(b["period"].max()) and int(b["first_year"].min()) <= int(
        a["period"].max()
    ):
        raise DataError(
            f"perioderna {b['period_label'].iloc[0]} och {a['period_label'].iloc[0]} överlappar – "
            "samma svarande kan ingå i båda, så de kan inte jämföras som oberoende urval"
        )
    cols = ["p", "se", "df", "n", "yes"] + (["flag"] if "flag" in design.columns else [])
    m = b[keys + cols].merge(a[keys + cols], on=keys, suffixes=("_before", "_after"))
    res = difference(
        m["p_before"],
        m["se_before"],
        m["p_after"],
        m["se_after"],
        m["df_before"],
        m["df_after"],
        confidence,
    )
    out = m.drop(columns=["se_before", "se_after", "df_before", "df_after"]).reset_index(drop=True)
    return pd.concat([out, res], axis=1)


def _compare_labels(direction: Direction) -> tuple[str, str, str]:
    if direction is None:
        return ("lägre", "likartad", "högre")
    if direction == "lower_is_better":
        return ("bättre", "likartad", "sämre")
    if direction == "higher_is_better":
        return ("sämre", "likartad", "bättre")
    raise DataError(f"okänd riktning '{direction}' (tillåtna: higher_is_better, lower_is_better)")


def compare_with_parent(
    data: pd.DataFrame,
    variable: str,
    parent: Literal["lan", "riket"] = "lan",
    by: Sequence[str] = (),
    *,
    direction: Direction = None,
    weight: str = "weight",
    stratum: str = "stratum",
    psu: str | None = None,
    year: str = "year",
    pool_years: int | None = None,
    confidence: float = 0.95,
    singleton: str = "center",
    name: str = "mikrodata",
) -> pd.DataFrame:
    """Compare every kommun with its county (``parent="lan"``) or with Sweden (``"riket"``).

    The kommun is part of the county, so the two estimates are *not*
    independent and ``sqrt(se_k² + se_c²)`` would be wrong (too wide). We
    linearize the difference itself: ``Var(p_k − p_c) = V_k + V_c − 2·Cov``
    where the covariance comes from the same Taylor scores summed per PSU over
    the shared sample. This is valid for any design (also strata or PSUs that
    cross kommun borders). When strata are kommuner it is equivalent to
    testing the kommun against the *rest* of the county, because
    ``p_k − p_c = (1 − s)(p_k − p_rest)`` with ``s`` the kommun's weight share.
    The test uses t with the kommun's domain degrees of freedom (the smaller,
    conservative choice).

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent-level microdata.
    variable : str
        0/1 answer column.
    parent : {"lan", "riket"}
        What to compare with.
    by : sequence of str
        Further breakdown applied to both (e.g. ``("sex",)``).
    direction : {"higher_is_better", "lower_is_better"} or None
        With a direction the verdicts are "bättre"/"likartad"/"sämre",
        otherwise "högre"/"likartad"/"lägre".
    weight, stratum, psu, year, pool_years, confidence, singleton, name
        As in :func:`prevalence`.

    Returns
    -------
    pandas.DataFrame
        ``kommun``, ``lan``, ``by`` columns, ``period``, ``period_label``,
        ``p``, ``p_parent`` (0–1), ``n``, ``yes``, the columns of
        :func:`difference` for ``p − p_parent`` and ``verdict``.
    """
    if parent not in ("lan", "riket"):
        raise DataError(f"okänd jämförelsenivå '{parent}' (tillåtna: lan, riket)")
    labels = _compare_labels(direction)
    _check_singleton(singleton)
    conf = confidence_level(confidence)
    by = [c for c in by if c not in (year, "kommun", LAN)]
    data = data.assign(**{LAN: data["kommun"].astype("string").str[:2]}).reset_index(drop=True)
    design_cols = [weight, stratum, year] + ([psu] if psu else [])
    _validate(
        data, [variable], [variable, "kommun", *design_cols, *by], weight, name, design_cols, year
    )
    _check_kommun(data, name)
    design = _build_design(data, weight, stratum, psu, year)
    y = pd.to_numeric(data[variable], errors="coerce").to_numpy(dtype=float)
    child_cols = ["kommun", *by]
    parent_cols = ([LAN] if parent == "lan" else []) + list(by)
    base_c = _codes(data, child_cols)
    base_p = _codes(data, parent_cols)
    frames = []
    for first, last in _windows(design.year, pool_years):
        in_window = (design.year >= first) & (design.year <= last)
        gc = _compact(np.where(in_window & (base_p >= 0), base_c, -1))
        gp = _compact(np.where(in_window & (base_c >= 0), base_p, -1))
        sc = _linearize(design, gc, y, singleton)
        sp = _linearize(design, gp, y, singleton)
        c2p = np.full(len(sc.n), -1, dtype=np.int64)
        ok = gc >= 0
        c2p[gc[ok]] = gp[ok]
        cov = _covariance(design, sc, sp, c2p, singleton)
        keep = sc.n > 0
        par = c2p[keep]
        var = np.maximum(sc.var[keep] + sp.var[par] - 2 * cov[keep], 0.0)
        out = data.iloc[sc.first_row[keep]][["kommun", LAN, *by]].reset_index(drop=True)
        out["period"] = last
        out["period_label"] = _period_label(first, last)
        out["p"] = sc.p[keep]
        out["p_parent"] = sp.p[par]
        out["n"] = sc.n[keep]
        out["yes"] = sc.yes[keep]
        res = _test_frame(sc.p[keep] - sp.p[par], np.sqrt(var), sc.df[keep], conf, labels)
        frames.append(pd.concat([out, res], axis=1))
    if not frames:
        raise DataError("inga hela perioder att jämföra – kontrollera pool_years mot åren i data")
    return pd.concat(frames, ignore_index=True)


def rank_colours(
    table: pd.DataFrame,
    direction: Literal["higher_is_better", "lower_is_better"],
    area_type: str = "kommun",
    green_share: float = 1 / 3,
    red_share: float = 1 / 3,
) -> pd.DataFrame:
    """Kolada-style colours: rank all areas of one type per indicator, period, sex and group.

    Areas are ranked best first (ties share the best rank). With ``N`` ranked
    areas and rank ``r``, the position ``q = (r − 1)/N`` gives green when
    ``q < green_share``, red when ``q >= 1 − red_share`` and yellow otherwise;
    areas without a usable value are grey. Kolada's own page says only that
    the best are green, the worst red and the middle yellow; thirds are the
    workbook's default. The colour is relative: it says nothing about whether a
    difference is statistically significant (see :data:`RANK_VS_SIGNIFICANCE_NOTE`).

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table.
    direction : {"higher_is_better", "lower_is_better"}
        Which end of the scale is good (daily smoking: lower is better).
    area_type : str
        Area type to rank (others get no colour).
    green_share, red_share : float
        Shares of areas coloured green and red.

    Returns
    -------
    pandas.DataFrame
        ``table`` with ``rank``, ``n_ranked`` and ``colour`` added (``rank``
        and ``n_ranked`` NaN and ``colour`` empty for other area types).
    """
    if direction not in ("higher_is_better", "lower_is_better"):
        raise DataError(
            f"okänd riktning '{direction}' (tillåtna: higher_is_better, lower_is_better)"
        )
    out = table.copy()
    sel = (out["area_type"] == area_type).to_numpy()
    usable = indicators.usable(out).to_numpy() & sel
    keys = ["indicator", "period", "sex", "group"]
    ranked = out.loc[usable, keys + ["value"]]
    rank = ranked.groupby(keys)["value"].rank(
        method="min", ascending=direction == "lower_is_better"
    )
    n_ranked = ranked.groupby(keys)["value"].transform("size")
    out["rank"] = np.nan
    out["n_ranked"] = np.nan
    out.loc[usable, "rank"] = rank.to_numpy()
    out.loc[usable, "n_ranked"] = n_ranked.to_numpy()
    q = (out["rank"] - 1) / out["n_ranked"]
    colour = np.where(
        q < green_share,
        COLOUR_GREEN,
        np.where(q >= 1 - red_share - 1e-12, COLOUR_RED, COLOUR_YELLOW),
    )
    out["colour"] = np.where(usable, colour, np.where(sel, COLOUR_MISSING, ""))
    return out
