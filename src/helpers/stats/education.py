"""Life expectancy by education: the gap, its trend, who gained, and SII/RII (pure functions).

Region Dalarna's figure 1.1 shows remaining life expectancy at 30 (e30) by
education level – förgymnasial (compulsory school only), gymnasial and
eftergymnasial (post-secondary) – for women and men. Its finding: e30 grew for
every level except women with only compulsory schooling, and the gap between
long and short education widened (SCB, 2016: about 5,5 years for women and 6
for men, from about 3 and 4 in the mid-1990s).

Every function takes the tidy indicator table (:mod:`helpers.core.indicators`),
e.g. :func:`helpers.sources.mortality.e30_by_education`, and returns a new
DataFrame; nothing reads files or prints.

The gap
    :func:`gap` = eftergymnasial − förgymnasial per area, sex and period, via
    :func:`helpers.stats.inequality.group_gap`: a CI when the inputs have one; SCB
    publishes e30 by education without uncertainty, so the gap is then flagged
    ``ej bedömd`` with an empty CI.

The trend
    :func:`linear_trend` fits value = a + b·year per series with statsmodels
    (WLS with weights 1/se² when every value has a CI, else OLS). Rolling
    five-year periods overlap (four of five years are shared by neighbours),
    so their residuals are autocorrelated and ordinary standard errors would
    be too small; the standard errors are then Newey–West (HAC) with
    ``maxlags`` = the number of overlapping neighbours (4 for five-year
    periods one year apart), with t-based intervals. Non-overlapping points
    use ordinary standard errors. The summary gives the slope per year and the
    change over the whole span (slope × years), each with a CI.
    :func:`trend_band` gives the fitted line with its confidence band.

Who gained
    :func:`gains` classifies each education level and sex: ``"ökat"`` when the
    fitted change over the span is at least ``min_change`` years (0,5) and its
    CI lies above 0, ``"minskat"`` in the mirror case, otherwise
    ``"ingen tydlig förändring"``.

SII and RII
    :func:`sii_by_period` gives the slope and relative index of inequality
    across the three levels, ordered förgymnasial (rank 0, "most deprived")
    to eftergymnasial, each level placed at the midpoint of its cumulative
    population share. The arithmetic is that of
    :func:`helpers.stats.inequality.sii` (PHEindicatormethods' ``phe_sii``, value
    type 0, no transformation): weighted least squares on the relative rank,
    SII = fitted value at rank 1 minus rank 0 (years), RII = their ratio, and
    simulated confidence limits when the values have CIs.
    :func:`helpers.stats.inequality.sii` itself requires 5–100 quantiles (the
    ``phe_sii`` rule), so three education levels cannot go through it;
    :func:`slope_index` is the same computation for any number of ordered
    groups and is checked against :func:`helpers.stats.inequality.sii` in the
    tests. The population shares of the levels are *assumptions* unless given:
    :data:`DEFAULT_SHARES` are SCB's shares of the population 25–64 years in
    2017 (12 % förgymnasial, 44 % gymnasial, 43 % eftergymnasial), held fixed
    over periods and areas, so SII changes only when e30 changes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import OLS, WLS
from statsmodels.tools.tools import add_constant

from helpers.core import indicators
from helpers.core.errors import DataError
from helpers.stats import inequality
from helpers.stats.ci import confidence_level

#: Education levels from short to long, as in the ``group`` column.
LEVELS: tuple[str, ...] = ("förgymnasial", "gymnasial", "eftergymnasial")
SHORT, LONG = LEVELS[0], LEVELS[-1]
#: Group label of the gap rows (as written by :func:`helpers.stats.inequality.group_gap`).
GAP_GROUP = f"{LONG} − {SHORT}"
#: Assumed population shares per level (SCB, population 25–64 years, 2017).
DEFAULT_SHARES: dict[str, float] = {"förgymnasial": 0.12, "gymnasial": 0.44, "eftergymnasial": 0.43}
#: Changes smaller than this (years) over the whole span do not count as a gain or loss.
MIN_CHANGE = 0.5
GAINED, LOST, UNCLEAR = "ökat", "minskat", "ingen tydlig förändring"
SERIES_KEYS: list[str] = ["area_code", "area_name", "area_type", "indicator", "sex", "group"]

TREND_COLUMNS: list[str] = [
    *SERIES_KEYS,
    "n_periods",
    "first_period",
    "first_label",
    "first_value",
    "last_period",
    "last_label",
    "last_value",
    "slope",
    "slope_lower",
    "slope_upper",
    "change",
    "change_lower",
    "change_upper",
    "p_value",
    "method",
    "ci_level",
    "source",
]


def period_length(label: str) -> int:
    """Return the number of years a period label covers (``"1991–1995"`` → 5, ``"2016"`` → 1)."""
    years = [int(y) for y in re.findall(r"\d{4}", str(label))]
    return years[-1] - years[0] + 1 if years else 1


# -- the gap --------------------------------------------------------------------------------------
def gap(
    table: pd.DataFrame, long: str = LONG, short: str = SHORT, confidence: float = 0.95
) -> pd.DataFrame:
    """Return the gap ``long − short`` per area, sex and period (default eftergymnasial − förgymnasial).

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table with ``group`` holding education levels.
    long, short : str
        The two levels compared.
    confidence : float
        Level of the gap's interval (when the inputs have CIs).

    Returns
    -------
    pandas.DataFrame
        Indicator table (indicator ``<id>_diff``, group ``"eftergymnasial − förgymnasial"``),
        flags as in :func:`helpers.stats.inequality.group_gap`.
    """
    return inequality.group_gap(table, long, short, confidence=confidence)


# -- trends ---------------------------------------------------------------------------------------
def _fit(
    x: np.ndarray, y: np.ndarray, se: np.ndarray | None, labels: Sequence[str]
) -> tuple[object, str]:
    """Fit y = a + b·(x − x̄); return the statsmodels result and a Swedish method text."""
    length = max(period_length(lab) for lab in labels)
    steps = np.diff(np.sort(x))
    step = int(steps.min()) if len(steps) else 1
    lags = int(np.ceil(length / max(step, 1))) - 1 if step < length else 0
    X = add_constant(x - x.mean())
    if se is not None:
        model = WLS(y, X, weights=1.0 / se**2)
        what = "viktad regression (1/se²)"
    else:
        model = OLS(y, X)
        what = "linjär regression"
    if lags > 0 and len(x) > lags + 2:
        res = model.fit(cov_type="HAC", cov_kwds={"maxlags": lags}, use_t=True)
        return res, f"{what}, Newey–West-standardfel ({lags} överlappande perioder)"
    return model.fit(), f"{what}, vanliga standardfel"


def _series(table: pd.DataFrame) -> pd.core.groupby.DataFrameGroupBy:
    ok = table[indicators.usable(table)]
    return ok.sort_values("period").groupby(SERIES_KEYS, sort=True, dropna=False)


def linear_trend(table: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Fit a linear trend over the periods of every series (area, indicator, sex, group).

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table (e.g. :func:`gap` or e30 by education); missing and
        suppressed values are left out.
    confidence : float
        Level of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per series, columns :data:`TREND_COLUMNS`: ``slope`` (years
        per year) and ``change`` (slope × (last − first period)) with their
        CIs, the two-sided ``p_value`` of the slope, the first and last
        observed values and the ``method``. Series with fewer than three
        periods get NaN.
    """
    conf = confidence_level(confidence)
    rows = []
    for key, g in _series(table):
        x = g["period"].to_numpy(float)
        y = g["value"].to_numpy(float)
        row = dict(zip(SERIES_KEYS, key, strict=True))
        row.update(
            n_periods=len(g),
            first_period=int(x[0]),
            first_label=str(g["period_label"].iloc[0]),
            first_value=float(y[0]),
            last_period=int(x[-1]),
            last_label=str(g["period_label"].iloc[-1]),
            last_value=float(y[-1]),
            ci_level=conf,
            source=str(g["source"].iloc[0]),
        )
        if len(g) >= 3:
            have_ci = g["ci_lower"].notna().all() and g["ci_upper"].notna().all()
            se = (
                inequality.se_from_ci(g["ci_lower"], g["ci_upper"], g["ci_level"])
                if have_ci
                else None
            )
            if se is not None and not (np.asarray(se) > 0).all():
                se = None
            res, method = _fit(x, y, se, g["period_label"].astype(str).tolist())
            lo, hi = np.asarray(res.conf_int(alpha=1 - conf))[1]
            span = x[-1] - x[0]
            b = float(np.asarray(res.params)[1])
            row.update(
                slope=b,
                slope_lower=float(lo),
                slope_upper=float(hi),
                change=b * span,
                change_lower=float(lo) * span,
                change_upper=float(hi) * span,
                p_value=float(np.asarray(res.pvalues)[1]),
                method=method,
            )
        else:
            row["method"] = "för få perioder för en trend (minst 3 behövs)"
        rows.append(row)
    return pd.DataFrame(rows).reindex(columns=TREND_COLUMNS)


def trend_band(table: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Return the fitted trend line and its confidence band at every observed period.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table (as for :func:`linear_trend`).
    confidence : float
        Level of the band.

    Returns
    -------
    pandas.DataFrame
        Series keys, ``period``, ``period_label``, ``value`` (observed), ``fit``,
        ``fit_lower`` and ``fit_upper``; only series with at least three periods.
    """
    conf = confidence_level(confidence)
    frames = []
    for _key, g in _series(table):
        if len(g) < 3:
            continue
        x = g["period"].to_numpy(float)
        have_ci = g["ci_lower"].notna().all() and g["ci_upper"].notna().all()
        se = inequality.se_from_ci(g["ci_lower"], g["ci_upper"], g["ci_level"]) if have_ci else None
        if se is not None and not (np.asarray(se) > 0).all():
            se = None
        res, _ = _fit(x, g["value"].to_numpy(float), se, g["period_label"].astype(str).tolist())
        pred = res.get_prediction(add_constant(x - x.mean())).summary_frame(alpha=1 - conf)
        f = g[[*SERIES_KEYS, "period", "period_label", "value"]].copy()
        f["fit"] = pred["mean"].to_numpy()
        f["fit_lower"] = pred["mean_ci_lower"].to_numpy()
        f["fit_upper"] = pred["mean_ci_upper"].to_numpy()
        frames.append(f)
    cols = [*SERIES_KEYS, "period", "period_label", "value", "fit", "fit_lower", "fit_upper"]
    if not frames:
        return pd.DataFrame(columns=cols)
    return pd.concat(frames, ignore_index=True)[cols]


def gains(
    table: pd.DataFrame, min_change: float = MIN_CHANGE, confidence: float = 0.95
) -> pd.DataFrame:
    """Classify which groups gained, lost or did not change over the periods.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table of levels (e.g. e30 by education).
    min_change : float
        Smallest change over the whole span (years) that counts.
    confidence : float
        Level of the trend's interval.

    Returns
    -------
    pandas.DataFrame
        :func:`linear_trend`'s columns plus ``observed_change`` (last − first
        value) and ``verdict``: ``"ökat"``, ``"minskat"`` or
        ``"ingen tydlig förändring"`` (also when there are too few periods).
    """
    t = linear_trend(table, confidence)
    t["observed_change"] = t["last_value"] - t["first_value"]
    up = (t["change_lower"] > 0) & (t["change"] >= min_change)
    down = (t["change_upper"] < 0) & (t["change"] <= -min_change)
    t["verdict"] = np.select([up.fillna(False), down.fillna(False)], [GAINED, LOST], UNCLEAR)
    return t


# -- SII / RII ------------------------------------------------------------------------------------
def _order_stat(sorted_x: np.ndarray, reps: int, conf: float) -> tuple[float, float]:
    """Limits at positions round(reps·(1−q)) and round(reps·q), q = conf + (1−conf)/2 (phe_sii)."""
    upper_q = conf + (1 - conf) / 2
    lo = min(max(int(np.round(reps * (1 - upper_q))), 1), reps)
    hi = min(max(int(np.round(reps * upper_q)), 1), reps)
    return float(sorted_x[lo - 1]), float(sorted_x[hi - 1])


def slope_index(
    values: Sequence[float],
    population: Sequence[float],
    se: Sequence[float] | None = None,
    *,
    confidence: float = 0.95,
    reps: int = 10_000,
    seed: int | np.random.Generator | None = None,
) -> dict[str, float]:
    """Slope and relative index of inequality for ordered groups (phe_sii, value type 0).

    Parameters
    ----------
    values : sequence of float
        Values of the groups, ordered from most deprived (rank 0) upwards.
    population : sequence of float
        Their population sizes or shares (> 0).
    se : sequence of float, optional
        Standard errors of the values; without them the limits are NaN.
    confidence : float
        Level of the simulated limits.
    reps : int
        Simulations (at least 1 000).
    seed : int or numpy.random.Generator, optional
        Seed; the same seed gives the same limits as :func:`helpers.stats.inequality.sii`.

    Returns
    -------
    dict of str to float
        ``sii``, ``sii_lower``, ``sii_upper``, ``rii``, ``rii_lower``,
        ``rii_upper`` and ``intercept`` (fitted value at rank 0).
    """
    v = np.asarray(values, dtype=float)
    p = np.asarray(population, dtype=float)
    if v.ndim != 1 or len(v) < 2 or len(p) != len(v):
        raise DataError("SII kräver minst två ordnade grupper med lika många befolkningstal")
    if not (p > 0).all() or not np.isfinite(v).all():
        raise DataError("SII kräver värden för alla grupper och befolkningstal större än 0")
    if int(reps) < 1000:
        raise DataError(f"reps måste vara minst 1 000, inte {reps}")
    sqrt_a = np.sqrt(p / p.sum())
    b = inequality.ridit_midpoints(p)
    X = np.column_stack([sqrt_a, b * sqrt_a])
    H = np.linalg.solve(X.T @ X, X.T)
    b0, b1 = H @ (v * sqrt_a)
    out = {
        "sii": float(b1),
        "rii": float((b0 + b1) / b0),
        "intercept": float(b0),
        "sii_lower": np.nan,
        "sii_upper": np.nan,
        "rii_lower": np.nan,
        "rii_upper": np.nan,
    }
    if se is not None:
        s = np.asarray(se, dtype=float)
        if np.isfinite(s).all() and (s >= 0).all():
            conf = confidence_level(confidence)
            rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
            draws = rng.standard_normal((int(reps), len(v))) * s + v
            coef = (draws * sqrt_a) @ H.T
            s0, s1 = coef[:, 0], coef[:, 1]
            out["sii_lower"], out["sii_upper"] = _order_stat(np.sort(s1), int(reps), conf)
            out["rii_lower"], out["rii_upper"] = _order_stat(
                np.sort((s0 + s1) / s0), int(reps), conf
            )
    return out


def _shares_for(shares: pd.DataFrame | Mapping[str, float] | None) -> pd.DataFrame:
    if shares is None:
        shares = DEFAULT_SHARES
    if isinstance(shares, Mapping):
        return pd.DataFrame({"group": list(shares), "share": list(shares.values())})
    need = {"group", "share"}
    if not need <= set(shares.columns):
        raise DataError(
            "Tabellen med andelar per utbildningsnivå behöver kolumnerna group och share"
        )
    return shares


SII_COLUMNS: list[str] = [
    "area_code",
    "area_name",
    "area_type",
    "indicator",
    "sex",
    "period",
    "period_label",
    "sii",
    "sii_lower",
    "sii_upper",
    "rii",
    "rii_lower",
    "rii_upper",
    "intercept",
    "n_levels",
    "shares",
    "ci_level",
    "source",
]


def sii_by_period(
    table: pd.DataFrame,
    shares: pd.DataFrame | Mapping[str, float] | None = None,
    *,
    levels: Sequence[str] = LEVELS,
    confidence: float = 0.95,
    reps: int = 10_000,
    seed: int = 1,
) -> pd.DataFrame:
    """Return SII and RII across the education levels per area, sex and period.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table with ``group`` holding ``levels``.
    shares : DataFrame or mapping, optional
        Population share of each level: a mapping ``{level: share}`` or a frame
        with ``group``, ``share`` and optionally ``area_code``, ``sex`` and/or
        ``period`` to vary them; default :data:`DEFAULT_SHARES` (assumed).
    levels : sequence of str
        Levels from short to long education (rank 0 to 1).
    confidence, reps, seed
        As for :func:`slope_index` (limits only when every value has a CI).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SII_COLUMNS`; ``shares`` describes the shares used, e.g.
        ``"12/44/43"`` (percent, in the order of ``levels``). Slices missing a
        level are left out.
    """
    conf = confidence_level(confidence)
    sh = _shares_for(shares)
    on = [c for c in ("area_code", "sex", "period") if c in sh.columns]
    t = table[table["group"].isin(levels) & indicators.usable(table)].copy()
    t = t.merge(sh[[*on, "group", "share"]], on=[*on, "group"], how="left")
    keys = ["area_code", "area_name", "area_type", "indicator", "sex", "period", "period_label"]
    rng = np.random.default_rng(seed)
    rows = []
    order = {lvl: i for i, lvl in enumerate(levels)}
    for key, g in t.groupby(keys, sort=True):
        if len(g) != len(levels) or g["share"].isna().any():
            continue
        g = g.sort_values("group", key=lambda s: s.map(order))
        have_ci = g["ci_lower"].notna().all() and g["ci_upper"].notna().all()
        se = inequality.se_from_ci(g["ci_lower"], g["ci_upper"], g["ci_level"]) if have_ci else None
        res = slope_index(
            g["value"].to_numpy(float),
            g["share"].to_numpy(float),
            se,
            confidence=conf,
            reps=reps,
            seed=rng,
        )
        share = g["share"].to_numpy(float)
        row = dict(zip(keys, key, strict=True))
        row.update(res)
        row.update(
            n_levels=len(g),
            shares="/".join(f"{100 * s / share.sum():.0f}" for s in share),
            ci_level=conf,
            source=str(g["source"].iloc[0]),
        )
        rows.append(row)
    return pd.DataFrame(rows).reindex(columns=SII_COLUMNS)


__all__ = [
    "DEFAULT_SHARES",
    "GAINED",
    "GAP_GROUP",
    "LEVELS",
    "LONG",
    "LOST",
    "MIN_CHANGE",
    "SHORT",
    "SII_COLUMNS",
    "TREND_COLUMNS",
    "UNCLEAR",
    "gains",
    "gap",
    "linear_trend",
    "period_length",
    "sii_by_period",
    "slope_index",
    "trend_band",
]
