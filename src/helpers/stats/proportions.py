"""Confidence intervals for proportions: Wilson, Clopper–Pearson, Korn–Graubard, Kolada.

Three kinds of input reach the workbook and each gets its own interval:

* **Aggregated counts** (``x`` events out of ``n``, e.g. from a register):
  :func:`wilson` gives the Wilson score interval exactly as the R package
  PHEindicatormethods (``phe_proportion``, ``wilson_lower/upper``) computes it,
  so results can be checked against the UKHSA reference test data.
* **Survey estimates** (a weighted proportion with a design-based standard
  error): :func:`korn_graubard` gives the Korn–Graubard interval — a
  Clopper–Pearson interval on the degrees-of-freedom-adjusted effective sample
  size — as required by the NCHS Data Presentation Standards for Proportions
  (Parker et al. 2017) and as computed by NCHS's SAS macro (the same rule as
  ``svy``'s ``ci_method="korn-graubard"``). :func:`clopper_pearson` is the exact
  binomial interval it builds on.
* **Kolada survey KPIs** published as "value ± Osäkerhetstal": Kolada pairs
  each survey KPI (e.g. U01402, daily smoking) with an "Osäkerhetstal" KPI
  (U01508) and describes the interval only as "punktskattning ±
  osäkerhetstal"; the confidence level is *not stated*. :func:`ci_from_osakerhetstal`
  and :func:`apply_osakerhetstal` treat it as a symmetric 95 % interval
  (:data:`OSAKERHETSTAL_ASSUMED_LEVEL`) — the convention of the underlying
  national survey (Hälsa på lika villkor) — and clip it to the 0–100 % range.
  Treat that level as an assumption, not a fact from the source.

All functions are vectorized (scalars, arrays or Series in, arrays out) and pure.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import special

from helpers.core.errors import DataError, Problem
from helpers.stats.ci import confidence_level, z_value

#: Confidence level assumed for Kolada's "Osäkerhetstal" (the source does not state it).
OSAKERHETSTAL_ASSUMED_LEVEL = 0.95


def wilson(
    x: ArrayLike,
    n: ArrayLike,
    confidence: float = 0.95,
    multiplier: float = 1.0,
) -> pd.DataFrame:
    """Wilson score interval for aggregated counts, as PHEindicatormethods' ``phe_proportion``.

    ``lower = (2x + z² − z·sqrt(z² + 4x(1 − x/n))) / (2(n + z²))`` and likewise
    ``upper`` with ``+``, with ``z`` the two-sided normal quantile. Missing
    ``x`` or ``n`` give NaN (like PHE's NA rows); non-integer ``x`` is allowed.

    Parameters
    ----------
    x : array_like
        Numerator (events), ``0 <= x <= n``.
    n : array_like
        Denominator, ``n > 0``.
    confidence : float
        Confidence level, 0.95 or 95 (both accepted, as in PHE); 0.998 for PHE's 99.8 %.
    multiplier : float
        1 for a proportion, 100 for a percentage.

    Returns
    -------
    pandas.DataFrame
        Columns ``value`` (``x/n·multiplier``), ``ci_lower``, ``ci_upper``, ``ci_level``.

    Raises
    ------
    DataError
        If any row has ``x < 0``, ``n <= 0`` or ``x > n`` (all such rows listed).
    """
    xa = np.atleast_1d(np.asarray(x, dtype=float))
    na = np.atleast_1d(np.asarray(n, dtype=float))
    xa, na = np.broadcast_arrays(xa, na)
    _check_counts(xa, na)
    conf = confidence_level(confidence)
    z = z_value(conf)
    z2 = z * z
    with np.errstate(invalid="ignore", divide="ignore"):
        root = z * np.sqrt(z2 + 4 * xa * (1 - xa / na))
        lower = (2 * xa + z2 - root) / (2 * (na + z2))
        upper = (2 * xa + z2 + root) / (2 * (na + z2))
        value = xa / na
    return pd.DataFrame(
        {
            "value": value * multiplier,
            "ci_lower": lower * multiplier,
            "ci_upper": upper * multiplier,
            "ci_level": conf,
        }
    )


def _check_counts(x: np.ndarray, n: np.ndarray) -> None:
    problems = []
    for i in np.flatnonzero(x < 0):
        problems.append(Problem(f"täljaren är negativ ({x[i]:g})", row=int(i) + 1, column="x"))
    for i in np.flatnonzero(n <= 0):
        problems.append(
            Problem(f"nämnaren måste vara större än 0 ({n[i]:g})", row=int(i) + 1, column="n")
        )
    for i in np.flatnonzero((x > n) & (n > 0)):
        problems.append(
            Problem(
                f"täljaren ({x[i]:g}) är större än nämnaren ({n[i]:g})", row=int(i) + 1, column="x"
            )
        )
    if problems:
        raise DataError(problems)


def clopper_pearson(
    x: ArrayLike, n: ArrayLike, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Clopper–Pearson) binomial interval, for real-valued ``x`` and ``n``.

    ``lower = B⁻¹(α/2; x, n − x + 1)`` (0 when ``x = 0``) and
    ``upper = B⁻¹(1 − α/2; x + 1, n − x)`` (1 when ``x = n``), with ``B⁻¹`` the
    beta quantile. Real-valued arguments are what the Korn–Graubard interval needs.

    Parameters
    ----------
    x, n : array_like
        Events and trials (``0 <= x <= n``, ``n > 0``); may be non-integer.
    confidence : float
        Confidence level (0.95 or 95).

    Returns
    -------
    tuple of numpy.ndarray
        ``(lower, upper)`` as proportions; NaN where an input is NaN or ``n <= 0``.
    """
    alpha = 1 - confidence_level(confidence)
    xa = np.asarray(x, dtype=float)
    na = np.asarray(n, dtype=float)
    xa, na = np.broadcast_arrays(np.atleast_1d(xa), np.atleast_1d(na))
    ok = np.isfinite(xa) & np.isfinite(na) & (na > 0)
    lower = np.full(xa.shape, np.nan)
    upper = np.full(xa.shape, np.nan)
    lo_pos = ok & (xa > 0)
    hi_pos = ok & (na - xa > 0)
    lower[ok & ~lo_pos] = 0.0
    upper[ok & ~hi_pos] = 1.0
    lower[lo_pos] = special.betaincinv(xa[lo_pos], na[lo_pos] - xa[lo_pos] + 1, alpha / 2)
    upper[hi_pos] = special.betaincinv(xa[hi_pos] + 1, na[hi_pos] - xa[hi_pos], 1 - alpha / 2)
    return lower, upper


def korn_graubard(
    p: ArrayLike,
    se: ArrayLike,
    n: ArrayLike,
    df: ArrayLike,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Korn–Graubard interval for a survey proportion (NCHS 2017 / NCHS SAS macro).

    1. Effective sample size ``n_eff = p(1 − p) / se²`` (Korn & Graubard 1998, eq. 2.1).
    2. Degrees-of-freedom adjustment, truncated at the sample size:
       ``n_eff_df = min(n, n_eff · (t[n−1] / t[df])²)`` with ``t[k]`` the
       two-sided t quantile with ``k`` degrees of freedom (no adjustment when
       ``n = 1``).
    3. Clopper–Pearson interval with ``x = n_eff_df · p`` events out of ``n_eff_df``.

    Boundary cases (as the NCHS macro and ``svy``): when ``p`` is 0 or 1 the
    standard error carries no information, so ``n`` is used as the effective
    sample size before the df adjustment (one-sided interval ``[0, u]`` or
    ``[l, 1]``); when ``se = 0`` with ``0 < p < 1`` the effective size is
    likewise ``n`` (``svy`` returns the degenerate ``(p, p)`` instead); with
    ``df <= 0`` the interval is undefined (NaN).

    Parameters
    ----------
    p : array_like
        Estimated proportions (0–1).
    se : array_like
        Design-based standard errors.
    n : array_like
        Unweighted number of respondents in the domain.
    df : array_like
        Design degrees of freedom (PSUs − strata in the domain).
    confidence : float
        Confidence level (0.95 or 95).

    Returns
    -------
    pandas.DataFrame
        ``ci_lower``, ``ci_upper`` (proportions), ``n_eff_df`` (the adjusted
        effective sample size used) and ``ci_level``.

    References
    ----------
    Korn EL, Graubard BI (1998). Confidence intervals for proportions with small
    expected number of positive counts estimated from survey data. *Survey
    Methodology* 24(2):193–201. Parker JD, Talih M, Malec DJ, et al. (2017).
    National Center for Health Statistics Data Presentation Standards for
    Proportions. *Vital Health Stat* 2(175).
    """
    conf = confidence_level(confidence)
    alpha = 1 - conf
    pa, sea, na, dfa = (np.atleast_1d(np.asarray(a, dtype=float)) for a in (p, se, n, df))
    pa, sea, na, dfa = np.broadcast_arrays(pa, sea, na, dfa)
    tol = 1e-12
    boundary = (pa <= tol) | (pa >= 1 - tol)
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = np.where(boundary | (sea <= tol), na, pa * (1 - pa) / sea**2)
        t_n = special.stdtrit(np.where(na > 1, na - 1, 1.0), 1 - alpha / 2)
        t_df = special.stdtrit(np.where(dfa > 0, dfa, 1.0), 1 - alpha / 2)
        adj = np.where(na > 1, (t_n / t_df) ** 2, 1.0)
    n_eff_df = np.minimum(na, raw * adj)
    pb = np.where(pa <= tol, 0.0, np.where(pa >= 1 - tol, 1.0, pa))
    lower, upper = clopper_pearson(n_eff_df * pb, n_eff_df, conf)
    bad = ~(dfa > 0) | ~np.isfinite(pa) | ~np.isfinite(sea) | ~(na > 0)
    lower[bad] = np.nan
    upper[bad] = np.nan
    n_eff_df = np.where(bad, np.nan, n_eff_df)
    return pd.DataFrame(
        {"ci_lower": lower, "ci_upper": upper, "n_eff_df": n_eff_df, "ci_level": conf}
    )


def ci_from_osakerhetstal(
    value: ArrayLike,
    osakerhetstal: ArrayLike,
    lower_bound: float | None = 0.0,
    upper_bound: float | None = 100.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Turn Kolada's "value ± Osäkerhetstal" into interval limits.

    ``ci_lower = value − osäkerhetstal`` and ``ci_upper = value + osäkerhetstal``,
    clipped to ``[lower_bound, upper_bound]`` (0–100 for a percentage). The
    confidence level is not stated by Kolada; the workbook assumes
    :data:`OSAKERHETSTAL_ASSUMED_LEVEL` (95 %).

    Parameters
    ----------
    value : array_like
        Point estimates (e.g. percent).
    osakerhetstal : array_like
        Half-widths from the paired "Osäkerhetstal" KPI (``>= 0``).
    lower_bound, upper_bound : float or None
        Clip limits; ``None`` disables clipping on that side.

    Returns
    -------
    tuple of numpy.ndarray
        ``(ci_lower, ci_upper)``; NaN where either input is NaN.

    Raises
    ------
    DataError
        If an osäkerhetstal is negative.
    """
    v = np.atleast_1d(np.asarray(value, dtype=float))
    u = np.atleast_1d(np.asarray(osakerhetstal, dtype=float))
    v, u = np.broadcast_arrays(v, u)
    neg = np.flatnonzero(u < 0)
    if len(neg):
        raise DataError(
            [
                Problem(
                    f"osäkerhetstalet är negativt ({u[i]:g})",
                    row=int(i) + 1,
                    column="osakerhetstal",
                )
                for i in neg
            ]
        )
    lo, hi = v - u, v + u
    if lower_bound is not None:
        lo = np.where(np.isnan(lo), lo, np.maximum(lo, lower_bound))
    if upper_bound is not None:
        hi = np.where(np.isnan(hi), hi, np.minimum(hi, upper_bound))
    return lo, hi


def se_from_osakerhetstal(
    osakerhetstal: ArrayLike, level: float = OSAKERHETSTAL_ASSUMED_LEVEL
) -> np.ndarray:
    """Approximate standard error behind an osäkerhetstal: ``osäkerhetstal / z(level)``.

    Only valid under the assumption that the osäkerhetstal is a symmetric
    normal-theory half-width at ``level`` (default 95 %, i.e. divide by 1.96).
    """
    return np.asarray(osakerhetstal, dtype=float) / z_value(level)


def apply_osakerhetstal(
    table: pd.DataFrame,
    osakerhet: pd.DataFrame,
    keys: Sequence[str] = ("area_code", "period", "sex", "group"),
    level: float = OSAKERHETSTAL_ASSUMED_LEVEL,
    lower_bound: float | None = 0.0,
    upper_bound: float | None = 100.0,
) -> pd.DataFrame:
    """Fill ``ci_lower``/``ci_upper``/``ci_level`` of an indicator table from a Kolada osäkerhetstal table.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table with the survey KPI (e.g. U01402).
    osakerhet : pandas.DataFrame
        Table with ``keys`` and a ``value`` column holding the osäkerhetstal
        (e.g. KPI U01508 loaded as an indicator table).
    keys : sequence of str
        Columns that pair a value with its osäkerhetstal.
    level : float
        Confidence level recorded in ``ci_level`` (assumed; Kolada does not state it).
    lower_bound, upper_bound : float or None
        Clip limits for the interval.

    Returns
    -------
    pandas.DataFrame
        A copy of ``table``; rows without a matching osäkerhetstal keep their
        previous interval.
    """
    keys = list(keys)
    u = osakerhet[keys + ["value"]].rename(columns={"value": "_osakerhet"})
    u = u.drop_duplicates(keys)
    merged = table.merge(u, on=keys, how="left")
    has = merged["_osakerhet"].notna() & merged["value"].notna()
    lo, hi = ci_from_osakerhetstal(
        merged.loc[has, "value"], merged.loc[has, "_osakerhet"], lower_bound, upper_bound
    )
    out = table.copy()
    mask = has.to_numpy()
    out.loc[mask, "ci_lower"] = lo
    out.loc[mask, "ci_upper"] = hi
    out.loc[mask, "ci_level"] = confidence_level(level)
    return out
