"""A kommun against one benchmark, over all indicators: significance, trend and the overview table.

Pure functions on the tidy indicator table (:mod:`helpers.core.indicators`),
used by the first screen of a kommun report (the spine chart and the key
messages) and by the county overview of a run (``helpers.run.overview``,
through :func:`classify_frame`): one rule, one set of words.

Significance against a benchmark (PHE Fingertips' rule)
-------------------------------------------------------
A kommun's value differs *with certainty* from the benchmark (its county or
Riket) when the benchmark's value lies outside the kommun's confidence
interval. The benchmark is treated as a fixed value, as Fingertips does: it
rests on many more people than the kommun, and a kommun is part of its county,
so adding the two variances would overstate the uncertainty of the difference
(see :mod:`helpers.stats.lifetable_compare`). The difference's direction is
judged with the catalogue's direction of "better" (``higher`` / ``lower``);
without a direction the result is only higher or lower. A value whose source
gives no uncertainty is *not compared* (never called significant), and a
missing or suppressed value is *missing*.

Trend
-----
:func:`trend` fits a straight line (ordinary least squares; weighted by
1/SE² when every point has a confidence interval) to the kommun's last up to
five **non-overlapping** periods (five-year averages are taken five years
apart, so no death is counted twice) and calls the trend certain when the
slope's two-sided p-value is below 0,05. At least three points are needed.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import statsmodels.api as sm

from helpers.core import indicators
from helpers.stats.ci import z_value

#: Significance categories (the words the reader sees come from :mod:`helpers.text.overview`).
BETTER = "bättre"
WORSE = "sämre"
HIGHER = "högre"
LOWER = "lägre"
SAME = "inte säkert skild"
#: The same category under the name the county overview uses.
SIMILAR = SAME
NOT_COMPARED = "ej jämförd"
MISSING = "saknas"
CATEGORIES: tuple[str, ...] = (BETTER, WORSE, HIGHER, LOWER, SAME, NOT_COMPARED, MISSING)
#: The directions of "better" the catalogue may give.
DIRECTIONS: tuple[str, ...] = ("higher", "lower", "none")

#: Trend categories.
TREND_UP = "ökar"
TREND_DOWN = "minskar"
TREND_FLAT = "ingen säker förändring"
TREND_SHORT = "för kort serie"
TRENDS: tuple[str, ...] = (TREND_UP, TREND_DOWN, TREND_FLAT, TREND_SHORT)
#: Points used by :func:`trend` (the latest, then one per ``pooled_years`` back).
TREND_POINTS = 5
TREND_MIN_POINTS = 3
TREND_ALPHA = 0.05
#: Kommuner with a value needed to show the county's range.
MIN_RANGE_KOMMUNER = 3


def significance(
    value: np.ndarray | pd.Series | float,
    lower: np.ndarray | pd.Series | float,
    upper: np.ndarray | pd.Series | float,
    reference: np.ndarray | pd.Series | float,
    better: np.ndarray | pd.Series | str,
) -> np.ndarray:
    """Classify values against a benchmark by whether the benchmark lies outside their CI.

    Parameters
    ----------
    value, lower, upper : array-like of float
        The kommun's value and confidence interval (NaN when missing or not given).
    reference : array-like of float
        The benchmark's value (county or Riket, same indicator, sex and period).
    better : array-like of str or str
        The catalogue's direction: ``"higher"``, ``"lower"`` or ``"none"``.

    Returns
    -------
    numpy.ndarray of str
        One of :data:`CATEGORIES` per value: :data:`BETTER` / :data:`WORSE`
        (benchmark outside the CI, direction known), :data:`HIGHER` /
        :data:`LOWER` (outside, no direction), :data:`SAME` (inside, limits
        included), :data:`NOT_COMPARED` (no CI) or :data:`MISSING` (no value or
        no benchmark).

    Examples
    --------
    >>> significance(8.0, 6.0, 10.0, 12.0, "lower").tolist()
    ['bättre']
    """
    v, lo, hi, ref = (
        np.atleast_1d(np.asarray(x, dtype=float)) for x in (value, lower, upper, reference)
    )
    v, lo, hi, ref = np.broadcast_arrays(v, lo, hi, ref)
    direction = np.broadcast_to(np.atleast_1d(np.asarray(better, dtype=object)), v.shape)
    missing = np.isnan(v) | np.isnan(ref)
    no_ci = np.isnan(lo) | np.isnan(hi)
    with np.errstate(invalid="ignore"):
        above = ref < lo  # the kommun lies above the benchmark
        below = ref > hi
    higher_better = direction == "higher"
    lower_better = direction == "lower"
    return np.select(
        [
            missing,
            no_ci,
            above & higher_better,
            above & lower_better,
            below & higher_better,
            below & lower_better,
            above,
            below,
        ],
        [MISSING, NOT_COMPARED, BETTER, WORSE, WORSE, BETTER, HIGHER, LOWER],
        SAME,
    )


def classify(
    value: float | None,
    lo: float | None,
    hi: float | None,
    ref: float | None,
    direction: str | None,
) -> str:
    """Classify one value with its confidence interval against a benchmark.

    The scalar form of :func:`significance` (the same rule), with checks of
    its arguments.

    Parameters
    ----------
    value, lo, hi : float or None
        The value and its confidence limits (missing value: :data:`MISSING`;
        missing limits: :data:`NOT_COMPARED`).
    ref : float or None
        The benchmark's value (missing: :data:`MISSING`).
    direction : str or None
        ``"higher"`` (higher is better), ``"lower"`` or ``"none"``/None.

    Returns
    -------
    str
        One of :data:`CATEGORIES`.

    Raises
    ------
    ValueError
        For an unknown direction or an interval with ``lo > hi``.
    """
    direction = "none" if direction is None else direction
    if direction not in DIRECTIONS:
        raise ValueError(f"Okänd riktning {direction!r}: ska vara higher, lower eller none")
    nums = [np.nan if x is None or x is pd.NA else float(x) for x in (value, lo, hi, ref)]
    if not np.isnan(nums[1]) and not np.isnan(nums[2]) and nums[1] > nums[2]:
        raise ValueError(f"Konfidensintervallet är omvänt: nedre {nums[1]} > övre {nums[2]}")
    return str(significance(*nums, direction)[0])


def classify_frame(
    df: pd.DataFrame,
    ref: pd.Series | float,
    direction: str | None,
    *,
    value: str = "value",
    lo: str = "ci_lower",
    hi: str = "ci_upper",
) -> pd.Series:
    """Return :func:`classify` for every row of ``df`` (benchmark per row or one for all)."""
    refs = ref if isinstance(ref, pd.Series) else pd.Series(ref, index=df.index)
    out = [
        classify(v, a, b, r, direction)
        for v, a, b, r in zip(
            df[value].astype("float64"),
            df[lo].astype("float64"),
            df[hi].astype("float64"),
            refs.astype("float64").to_numpy(),
            strict=True,
        )
    ]
    return pd.Series(np.array(out, dtype=object), index=df.index, dtype="string")


def trend(series: pd.DataFrame, pooled_years: int = 1, ci_level: float = 0.95) -> dict:
    """Test for a linear trend in one area's series (see the module docstring).

    Parameters
    ----------
    series : pandas.DataFrame
        Rows of one area, indicator, sex and group: ``period``, ``value`` and
        optionally ``ci_lower``/``ci_upper``; unusable rows (flag
        ``undertryckt``/``saknas`` or no value) are ignored.
    pooled_years : int
        Years one value summarises (the catalogue's ``pooled_years``): points
        are taken this many years apart, from the latest back.
    ci_level : float
        Level of the given intervals (for the weights).

    Returns
    -------
    dict
        ``trend`` (one of :data:`TRENDS`), ``slope`` (per year), ``p_value``,
        ``n_points`` and ``periods`` (the years used, oldest first).
    """
    out = {"trend": TREND_SHORT, "slope": np.nan, "p_value": np.nan, "n_points": 0, "periods": []}
    if series.empty:
        return out
    s = series[series["value"].notna()]
    if "flag" in s:
        s = s[indicators.usable(s)]
    s = s.drop_duplicates("period").set_index("period").sort_index()
    if s.empty:
        return out
    step = max(int(pooled_years), 1)
    latest = int(s.index.max())
    wanted = [latest - k * step for k in range(TREND_POINTS)]
    pts = s.loc[[p for p in wanted if p in s.index]].sort_index()
    out["n_points"] = len(pts)
    out["periods"] = [int(p) for p in pts.index]
    if len(pts) < TREND_MIN_POINTS:
        return out
    x = sm.add_constant(pts.index.to_numpy(dtype=float))
    y = pts["value"].to_numpy(dtype=float)
    have_ci = {"ci_lower", "ci_upper"} <= set(pts.columns)
    se = (
        (pts["ci_upper"] - pts["ci_lower"]).to_numpy(dtype=float) / (2 * z_value(ci_level))
        if have_ci
        else np.full(len(pts), np.nan)
    )
    if np.isfinite(se).all() and (se > 0).all():
        # Known sampling variances: weighted fit, slope SE from the weights alone.
        fit = sm.WLS(y, x, weights=1.0 / se**2).fit(cov_type="fixed scale")
    else:
        fit = sm.OLS(y, x).fit()
    slope, p = float(fit.params[1]), float(fit.pvalues[1])
    out["slope"], out["p_value"] = slope, p
    if not np.isfinite(p) or p >= TREND_ALPHA:
        out["trend"] = TREND_FLAT
    else:
        out["trend"] = TREND_UP if slope > 0 else TREND_DOWN
    return out


def trend_is_better(trend_word: str, better: str) -> bool | None:
    """Return True when a certain trend goes the better way, False when worse, else None."""
    if trend_word not in (TREND_UP, TREND_DOWN) or better not in ("higher", "lower"):
        return None
    return (trend_word == TREND_UP) == (better == "higher")


#: Columns of :func:`overview`.
OVERVIEW_COLUMNS: tuple[str, ...] = (
    "indicator",
    "sex",
    "period",
    "period_label",
    "value",
    "ci_lower",
    "ci_upper",
    "flag",
    "flag_reason",
    "county_value",
    "riket_value",
    "benchmark",
    "benchmark_value",
    "min_value",
    "max_value",
    "min_code",
    "max_code",
    "n_kommuner",
    "significance",
    "trend",
    "trend_slope",
    "trend_p",
    "trend_periods",
    "better",
    "decimals",
    "unit",
)


def _at(table: pd.DataFrame, area: str, sex: str, period: int) -> pd.Series | None:
    rows = table[(table["area_code"] == area) & (table["sex"] == sex) & (table["period"] == period)]
    return None if rows.empty else rows.iloc[0]


def overview(
    table: pd.DataFrame,
    kommun: str,
    region: str,
    kommuner: list[str],
    meta: Mapping[str, Mapping],
    benchmark: str = "län",
    riket: str = "0000",
) -> pd.DataFrame:
    """One row per indicator and sex: the kommun's latest value against its county and Riket.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table (group ``alla`` is used) with the kommun, its county,
        Riket and the county's kommuner; one row per fact.
    kommun, region, riket : str
        Area codes.
    kommuner : list of str
        The county's kommuner (for the range).
    meta : mapping
        Per indicator id: ``better``, ``decimals``, ``unit``, ``pooled_years``
        (from the catalogue), in the order rows should come.
    benchmark : {"län", "riket"}
        What the kommun is compared with.

    Returns
    -------
    pandas.DataFrame
        :data:`OVERVIEW_COLUMNS`. Per indicator the sex ``totalt`` when the
        kommun has it, otherwise one row per sex. The period is the kommun's
        latest with a value (a suppressed value keeps its row, without value);
        the range among the county's kommuner needs :data:`MIN_RANGE_KOMMUNER`.
    """
    if benchmark not in ("län", "riket"):
        raise ValueError(f"benchmark ska vara 'län' eller 'riket', inte {benchmark!r}")
    t = table[table["group"] == indicators.ALL_GROUPS]
    rows = []
    for ind, m in meta.items():
        ti = t[t["indicator"] == ind]
        own = ti[ti["area_code"] == kommun]
        # The latest period with a value (a suppressed value keeps its row; "saknas" does not).
        own = own[own["value"].notna() | (own["flag"] == indicators.FLAG_SUPPRESSED)]
        if own.empty:
            continue
        sexes = ["totalt"] if (own["sex"] == "totalt").any() else sorted(own["sex"].unique())
        for sex in sexes:
            mine = own[own["sex"] == sex]
            period = int(mine["period"].max())
            r = _at(ti, kommun, sex, period)
            county = _at(ti, region, sex, period)
            nation = _at(ti, riket, sex, period)
            peers = ti[
                ti["area_code"].isin(kommuner)
                & (ti["sex"] == sex)
                & (ti["period"] == period)
                & ti["value"].notna()
            ]
            county_value = np.nan if county is None else float(county["value"])
            riket_value = np.nan if nation is None else float(nation["value"])
            bench_value = county_value if benchmark == "län" else riket_value
            tr = trend(mine, int(m.get("pooled_years", 1)))
            sig = significance(r["value"], r["ci_lower"], r["ci_upper"], bench_value, m["better"])
            # A range needs a few kommuner with a value (one value is no range).
            has_range = len(peers) >= MIN_RANGE_KOMMUNER
            lo = peers.loc[peers["value"].idxmin()] if has_range else None
            hi = peers.loc[peers["value"].idxmax()] if has_range else None
            rows.append(
                {
                    "indicator": ind,
                    "sex": sex,
                    "period": period,
                    "period_label": str(r["period_label"]),
                    "value": float(r["value"]) if pd.notna(r["value"]) else np.nan,
                    "ci_lower": float(r["ci_lower"]) if pd.notna(r["ci_lower"]) else np.nan,
                    "ci_upper": float(r["ci_upper"]) if pd.notna(r["ci_upper"]) else np.nan,
                    "flag": str(r["flag"]),
                    "flag_reason": "" if pd.isna(r["flag_reason"]) else str(r["flag_reason"]),
                    "county_value": county_value,
                    "riket_value": riket_value,
                    "benchmark": benchmark,
                    "benchmark_value": bench_value,
                    "min_value": np.nan if lo is None else float(lo["value"]),
                    "max_value": np.nan if hi is None else float(hi["value"]),
                    "min_code": "" if lo is None else str(lo["area_code"]),
                    "max_code": "" if hi is None else str(hi["area_code"]),
                    "n_kommuner": len(peers),
                    "significance": str(sig[0]),
                    "trend": tr["trend"],
                    "trend_slope": tr["slope"],
                    "trend_p": tr["p_value"],
                    "trend_periods": tr["periods"],
                    "better": m["better"],
                    "decimals": int(m["decimals"]),
                    "unit": str(m["unit"]),
                }
            )
    return pd.DataFrame(rows, columns=list(OVERVIEW_COLUMNS))


def spine_position(ov: pd.DataFrame) -> pd.DataFrame:
    """Scale each row so the benchmark is 0 and the farthest value ±1, better to the right.

    Returns
    -------
    pandas.DataFrame
        ``x_value``, ``x_min``, ``x_max``, ``x_county``, ``x_riket`` (NaN where
        missing), index as ``ov``. Rows without a direction keep higher to the right.
    """
    cols = ["value", "min_value", "max_value", "county_value", "riket_value"]
    b = ov["benchmark_value"].to_numpy(dtype=float)
    dev = np.abs(ov[cols].to_numpy(dtype=float) - b[:, None])
    with np.errstate(invalid="ignore"):
        half = np.nanmax(np.where(np.isnan(dev), -np.inf, dev), axis=1)
    half = np.where(~np.isfinite(half) | (half <= 0), 1.0, half)
    sign = np.where(ov["better"].to_numpy() == "lower", -1.0, 1.0)
    out = {}
    for col, name in zip(cols, ["x_value", "x_min", "x_max", "x_county", "x_riket"], strict=True):
        out[name] = (ov[col].to_numpy(dtype=float) - b) / half * sign
    frame = pd.DataFrame(out, index=ov.index)
    flipped = sign < 0
    frame.loc[flipped, ["x_min", "x_max"]] = frame.loc[flipped, ["x_max", "x_min"]].to_numpy()
    return frame
