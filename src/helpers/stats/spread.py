"""The uncertainty of a range between areas (longest minus shortest life expectancy), by simulation.

Region Dalarna's report says that life expectancy differs by "ca 3 år" between
the shortest- and longest-lived kommun. The range of 15 noisy estimates is
itself an estimate: :func:`range_simulation` draws every kommun's value from
a normal distribution around its estimate with its standard error (from its
95 % CI), takes max − min in every draw and reports the percentiles – a
parametric bootstrap of the range statistic. Because the largest of several
noisy values tends to be too large and the smallest too small, the simulated
ranges centre *above* the observed one; the interval therefore says how much
the range could move by chance, not that the true range lies inside it.
:func:`county_range_uncertainty` applies it per sex and period to an indicator
table. Pure functions; the random generator is seeded.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from helpers.core import indicators, lookup
from helpers.core.errors import DataError
from helpers.stats.survey_compare import se_from_ci

#: Default number of simulated draws.
N_SIM = 20_000
#: Default seed (results are reproducible).
SEED = 20_260_612


def range_simulation(
    values: ArrayLike,
    se: ArrayLike,
    *,
    n_sim: int = N_SIM,
    seed: int = SEED,
    confidence: float = 0.95,
) -> pd.Series:
    """Simulate the range (max − min) of estimates with normal errors.

    Parameters
    ----------
    values, se : array_like
        Estimates and their standard errors (same units), at least two.
    n_sim : int
        Number of draws.
    seed : int
        Seed of :func:`numpy.random.default_rng`.
    confidence : float
        Coverage of the percentile interval.

    Returns
    -------
    pandas.Series
        ``observed`` (max − min of ``values``), ``lower``/``upper`` (the
        percentile interval of the simulated ranges), ``median`` and
        ``p_same_ends`` (share of draws in which the same two areas are the
        lowest and the highest as observed).

    Raises
    ------
    DataError
        Fewer than two values, or a missing or negative SE.
    """
    v = np.asarray(values, dtype=float)
    s = np.asarray(se, dtype=float)
    if v.ndim != 1 or len(v) < 2 or v.shape != s.shape:
        raise DataError("spannet behöver minst två värden med var sitt standardfel")
    if not (np.isfinite(v).all() and np.isfinite(s).all() and (s >= 0).all()):
        raise DataError("spannet kan inte simuleras: ett värde eller standardfel saknas")
    rng = np.random.default_rng(seed)
    draws = rng.normal(v, s, size=(int(n_sim), len(v)))
    ranges = draws.max(axis=1) - draws.min(axis=1)
    alpha = (1 - confidence) / 2
    same = (draws.argmax(axis=1) == v.argmax()) & (draws.argmin(axis=1) == v.argmin())
    return pd.Series(
        {
            "observed": float(v.max() - v.min()),
            "lower": float(np.quantile(ranges, alpha)),
            "upper": float(np.quantile(ranges, 1 - alpha)),
            "median": float(np.median(ranges)),
            "p_same_ends": float(same.mean()),
        }
    )


def county_range_uncertainty(
    table: pd.DataFrame,
    lan_code: str,
    period: int,
    *,
    n_sim: int = N_SIM,
    seed: int = SEED,
) -> pd.DataFrame:
    """Return the range between a county's kommuner per sex, with its simulated uncertainty.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table of one indicator (e.g. e0) with 95 % CIs for the kommuner.
    lan_code : str
        Two-digit län code.
    period : int
        Period (last year).
    n_sim, seed : int
        As in :func:`range_simulation`.

    Returns
    -------
    pandas.DataFrame
        One row per sex: ``sex``, ``period_label``, ``n_kommuner``,
        ``min_name``, ``min_value``, ``max_name``, ``max_value`` and the
        columns of :func:`range_simulation`.

    Raises
    ------
    DataError
        A usable kommun value without a CI (the range cannot be simulated).
    """
    codes = set(lookup.kommuner_in(lan_code)["kommun_code"])
    rows = table[
        table["area_code"].isin(codes) & (table["period"] == period) & indicators.usable(table)
    ]
    out = []
    for sex, g in rows.groupby("sex", sort=False):
        if g["ci_lower"].isna().any():
            raise DataError(f"konfidensintervall saknas för någon kommun ({sex}, {period})")
        g = g.reset_index(drop=True)
        se = se_from_ci(g["ci_lower"], g["ci_upper"], g["ci_level"].fillna(0.95))
        sim = range_simulation(g["value"].to_numpy(float), se, n_sim=n_sim, seed=seed)
        lo, hi = int(g["value"].idxmin()), int(g["value"].idxmax())
        out.append(
            {
                "sex": str(sex),
                "period_label": str(g["period_label"].iloc[0]),
                "n_kommuner": len(g),
                "min_name": str(g["area_name"].iloc[lo]),
                "min_value": float(g["value"].iloc[lo]),
                "max_name": str(g["area_name"].iloc[hi]),
                "max_value": float(g["value"].iloc[hi]),
                **sim.to_dict(),
            }
        )
    return pd.DataFrame(out)
