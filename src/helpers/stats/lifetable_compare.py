"""Comparing life expectancies that share deaths, and the range between a county's kommuner.

Pure functions (arrays and indicator tables in, arrays and tables out).

Kommun versus its county
------------------------
:func:`parent_difference` tests an area against an area that contains it (a
kommun against its county or Riket). A kommun is *part* of its county, so the
two estimates are positively correlated and the usual ``sqrt(se_k² + se_c²)``
would overstate the standard error of the difference. The covariance is
derived with the same delta method as Chiang's variance: the variance of e(x)
is a sum over bands of terms ``W_y / l_x²``; the county's rate in a band
contains the kommun's deaths, and under Poisson deaths the correlation of the
kommun's and the county's rate in band ``y`` is ``sqrt(D_k,y / D_c,y)``. Hence

``cov(e_k, e_c) = Σ_y sqrt(W_k,y · W_c,y) · sqrt(D_k,y / D_c,y) / (l_k,x · l_c,x)``

and ``var(e_k − e_c) = var_k + var_c − 2 cov``. A county of one kommun
(Gotland) gives a difference of exactly 0 with standard error 0; a kommun that
is a tiny part of Riket gives almost the independent formula. :func:`verdict`
turns the difference's interval into one of the :data:`VERDICTS`.

The county's range
------------------
:func:`county_range` describes the range between the county's kommuner with
its uncertainty; see its docstring.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import chi2

from helpers.core import indicators, lookup
from helpers.stats.ci import confidence_level, z_value
from helpers.stats.lifetable_chiang import chiang


def parent_difference(
    child_deaths: np.ndarray,
    child_population: np.ndarray,
    parent_deaths: np.ndarray,
    parent_population: np.ndarray,
    ages: Sequence[int],
    at_ages: Sequence[int] = (0,),
) -> dict[str, np.ndarray]:
    """Difference in life expectancy between an area and an area that contains it.

    Pure array function (see the module docstring for the covariance).

    Parameters
    ----------
    child_deaths, child_population : numpy.ndarray
        Counts of the part (e.g. kommun), shape ``(n_groups, n_bands)``.
    parent_deaths, parent_population : numpy.ndarray
        Counts of the whole (e.g. county), same shape; must include the part.
    ages : sequence of int
        Band starts (last band open).
    at_ages : sequence of int
        Band starts at which to report.

    Returns
    -------
    dict of str to numpy.ndarray
        Each ``(n_groups, len(at_ages))``: ``child``, ``parent`` (life
        expectancies), ``diff`` (child − parent), ``se_child``, ``se_parent``,
        ``cov`` and ``se_diff``.
    """
    ages_arr = np.asarray(ages, dtype=int)
    idx = np.searchsorted(ages_arr, [int(a) for a in at_ages])
    Dk = np.atleast_2d(np.asarray(child_deaths, float))
    Dc = np.atleast_2d(np.asarray(parent_deaths, float))
    rk = chiang(Dk, np.atleast_2d(np.asarray(child_population, float)), ages_arr)
    rc = chiang(Dc, np.atleast_2d(np.asarray(parent_population, float)), ages_arr)
    return table_difference(rk, rc, Dk, Dc, idx)


def table_difference(
    child: Mapping[str, np.ndarray],
    parent: Mapping[str, np.ndarray],
    child_deaths: np.ndarray,
    parent_deaths: np.ndarray,
    idx: Sequence[int],
) -> dict[str, np.ndarray]:
    """Difference between two computed life tables, the child part of the parent.

    The array core of :func:`parent_difference`, for tables computed by any
    method that gives Chiang-type variances (for example the closed tables of
    :func:`helpers.stats.lifetable_scb.scb_tables`, whose last band carries
    the borrowed variance and, as ``child_deaths``, the deaths of the area the
    value is borrowed from – so a kommun and its county, which share that
    value exactly, get correlation 1 there).

    Parameters
    ----------
    child, parent : mapping of str to numpy.ndarray
        ``ex``, ``var_ex``, ``se_ex`` and ``lx``, each ``(n_groups, n_bands)``.
    child_deaths, parent_deaths : numpy.ndarray
        Deaths each band's estimate rests on (for the correlation
        ``sqrt(D_child / D_parent)``), ``(n_groups, n_bands)``.
    idx : sequence of int
        Band positions at which to report.

    Returns
    -------
    dict of str to numpy.ndarray
        As :func:`parent_difference`.
    """
    idx = np.asarray(idx, dtype=int)
    rk, rc = child, parent
    Dk = np.atleast_2d(np.asarray(child_deaths, float))
    Dc = np.atleast_2d(np.asarray(parent_deaths, float))

    def band_terms(res: Mapping[str, np.ndarray]) -> np.ndarray:
        st = res["var_ex"] * res["lx"] ** 2  # Σ_{y>=x} W_y
        w = st.copy()
        w[:, :-1] = st[:, :-1] - st[:, 1:]
        return np.clip(np.nan_to_num(w), 0.0, None)

    wk, wc = band_terms(rk), band_terms(rc)
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = np.where(Dc > 0, np.sqrt(np.clip(Dk / Dc, 0.0, 1.0)), 0.0)
        terms = np.sqrt(wk * wc) * rho
        tail = np.cumsum(terms[:, ::-1], axis=1)[:, ::-1]
        cov = tail[:, idx] / (rk["lx"][:, idx] * rc["lx"][:, idx])
    ek, ec = rk["ex"][:, idx], rc["ex"][:, idx]
    sk, sc = rk["se_ex"][:, idx], rc["se_ex"][:, idx]
    var = np.clip(sk**2 + sc**2 - 2 * cov, 0.0, None)
    return {
        "child": ek,
        "parent": ec,
        "diff": ek - ec,
        "se_child": sk,
        "se_parent": sc,
        "cov": cov,
        "se_diff": np.sqrt(var),
    }


#: Verdicts of a comparison (difference CI above 0, below 0, or containing 0).
VERDICT_HIGHER = "högre"
VERDICT_LOWER = "lägre"
VERDICT_SAME = "ingen säkerställd skillnad"
VERDICT_NONE = "kan inte bedömas"


#: All verdicts, in the order of a legend.
VERDICTS: tuple[str, ...] = (VERDICT_HIGHER, VERDICT_LOWER, VERDICT_SAME, VERDICT_NONE)


def verdict(lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Return the verdict per interval: above 0, below 0, containing 0, or missing."""
    return np.select(
        [np.isnan(lower) | np.isnan(upper), lower > 0, upper < 0],
        [VERDICT_NONE, VERDICT_HIGHER, VERDICT_LOWER],
        VERDICT_SAME,
    )


# -- the county's range with its uncertainty ------------------------------------------------------
RANGE_CI_COLUMNS: list[str] = [
    "indicator",
    "sex",
    "period",
    "period_label",
    "n_kommuner",
    "n_suppressed",
    "suppressed_kommuner",
    "n_uncertain",
    "uncertain_kommuner",
    "min_code",
    "min_kommun",
    "min_value",
    "min_lower",
    "min_upper",
    "max_code",
    "max_kommun",
    "max_value",
    "max_lower",
    "max_upper",
    "range",
    "range_se",
    "range_lower",
    "range_upper",
    "range_significant",
    "widest_kommun",
    "widest_ci",
    "narrowest_kommun",
    "narrowest_ci",
    "q_statistic",
    "q_df",
    "q_p_value",
    "null_range",
    "null_range_upper",
    "ci_level",
    "source",
]


def county_range(
    table: pd.DataFrame,
    lan_code: str | None = None,
    *,
    confidence: float = 0.95,
    n_sim: int = 4000,
    seed: int = 20240520,
) -> pd.DataFrame:
    """Return the range between the county's kommuner with its uncertainty.

    Method (chosen to be simple and honest):

    * the range is the largest minus the smallest point estimate among the
      kommuner with a usable value (suppressed values are left out and named);
    * its interval treats the two kommuner as independent (they are disjoint
      areas): ``se = sqrt(se_max² + se_min²)``, from each kommun's Chiang CI;
      ``range_significant`` says whether that interval excludes 0. The two
      kommuner are picked *because* they are extreme, so this interval is
      optimistic – read it with the next two numbers;
    * Cochran's Q tests whether all kommuner could share one value
      (``Q = Σ (e_i − ē)² / se_i²``, ē the inverse-variance weighted mean,
      chi-square with n − 1 df);
    * ``null_range`` is the mean range that chance alone gives if every
      kommun had the value ē with its own standard error (simulated, seeded),
      ``null_range_upper`` its 95th percentile: an observed range well above
      it is not just noise;
    * the kommuner with the widest and narrowest CI show how unequal the
      precision is (small kommuner have wide intervals).

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table with CIs (e.g. :func:`kommun_life_expectancy`).
    lan_code : str, optional
        Restrict to one county's kommuner.
    confidence : float
        Level of the range's interval.
    n_sim : int
        Simulations for ``null_range``.
    seed : int
        Seed of the simulation.

    Returns
    -------
    pandas.DataFrame
        One row per indicator, sex and period, columns :data:`RANGE_CI_COLUMNS`.
    """
    k = table[table["area_type"] == "kommun"]
    if lan_code is not None:
        k = k[lookup.lan_code_of(k["area_code"]) == lan_code]
    z = z_value(confidence)
    rng = np.random.default_rng(seed)
    rows = []
    for (ind, sex, period), g in k.groupby(["indicator", "sex", "period"], sort=True):
        usable = indicators.usable(g)
        u = g[usable]
        se = (
            ((u["ci_upper"] - u["ci_lower"]) / (2 * z_value(u["ci_level"].iloc[0]))).to_numpy(float)
            if len(u)
            else np.array([])
        )
        v = u["value"].to_numpy(float)
        sup = g[~usable].sort_values("area_name")
        unc = u[u["flag"] == indicators.FLAG_UNCERTAIN].sort_values("area_name")
        row: dict[str, Any] = {
            "indicator": ind,
            "sex": sex,
            "period": int(period),
            "period_label": str(g["period_label"].iloc[0]),
            "n_kommuner": len(u),
            "n_suppressed": int((~usable).sum()),
            "suppressed_kommuner": ", ".join(sup["area_name"].astype(str)),
            "n_uncertain": len(unc),
            "uncertain_kommuner": ", ".join(unc["area_name"].astype(str)),
            "ci_level": confidence_level(confidence),
            "source": str(g["source"].iloc[0]),
        }
        if len(u) >= 2 and np.isfinite(se).all():
            i_min, i_max = int(np.argmin(v)), int(np.argmax(v))
            width = 2 * z * se
            w = 1 / se**2
            mean = float((w * v).sum() / w.sum())
            q = float((w * (v - mean) ** 2).sum())
            sims = rng.standard_normal((n_sim, len(v))) * se + mean
            null = sims.max(axis=1) - sims.min(axis=1)
            rse = float(np.hypot(se[i_max], se[i_min]))
            rng_v = float(v[i_max] - v[i_min])
            row.update(
                min_code=str(u["area_code"].iloc[i_min]),
                min_kommun=str(u["area_name"].iloc[i_min]),
                min_value=float(v[i_min]),
                min_lower=float(u["ci_lower"].iloc[i_min]),
                min_upper=float(u["ci_upper"].iloc[i_min]),
                max_code=str(u["area_code"].iloc[i_max]),
                max_kommun=str(u["area_name"].iloc[i_max]),
                max_value=float(v[i_max]),
                max_lower=float(u["ci_lower"].iloc[i_max]),
                max_upper=float(u["ci_upper"].iloc[i_max]),
                range=rng_v,
                range_se=rse,
                range_lower=rng_v - z * rse,
                range_upper=rng_v + z * rse,
                range_significant=bool(rng_v - z * rse > 0),
                widest_kommun=str(u["area_name"].iloc[int(np.argmax(width))]),
                widest_ci=float(width.max()),
                narrowest_kommun=str(u["area_name"].iloc[int(np.argmin(width))]),
                narrowest_ci=float(width.min()),
                q_statistic=q,
                q_df=len(v) - 1,
                q_p_value=float(chi2.sf(q, len(v) - 1)),
                null_range=float(null.mean()),
                null_range_upper=float(np.quantile(null, 0.95)),
            )
        rows.append(row)
    out = pd.DataFrame(rows).reindex(columns=RANGE_CI_COLUMNS)
    out["range_significant"] = out["range_significant"].astype("boolean")
    return out
