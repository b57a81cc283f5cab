"""Measures of inequality: gaps between two groups, and the slope/relative index of inequality.

Gaps
----
:func:`difference` and :func:`ratio` compare two independent estimates from
their standard errors (or, via :func:`se_from_ci`, their confidence intervals):

* absolute gap ``a − b`` with ``se = sqrt(se_a² + se_b²)``;
* relative gap ``a / b`` with the interval computed on the log scale,
  ``se(log a/b) = sqrt((se_a/a)² + (se_b/b)²)`` (delta method).

:func:`group_gap` applies them to the tidy indicator table, e.g. life
expectancy at 30 of the highest minus the lowest education level, with flags
carried over.

Slope and relative index of inequality
--------------------------------------
:func:`sii` follows PHEindicatormethods' ``phe_sii`` (re-implemented
independently and checked against the package's test fixtures):

* quantiles are ordered from 1 (most deprived) upwards; each gets the midpoint
  of its range in the cumulative population share (its relative rank ``b``);
* weighted least squares with weights ``a`` = population share, fitted as
  ``y·√a = β0·√a + β1·b·√a`` (no free intercept); SII = ``β1`` (the fitted value
  at rank 1 minus that at rank 0), RII = ``(β0 + β1) / β0``;
* confidence limits by simulation: each quantile's value is drawn ``reps`` times
  from a normal distribution with its standard error – on the log scale for
  rates (``value_type=1``) and the logit scale for proportions
  (``value_type=2``), then transformed back – the regression is refitted and the
  limits are order statistics of the simulated SIIs/RIIs;
* ``transform=True`` (rates/proportions) fits on the log/logit scale instead and
  transforms SII, RII and their limits back through the fitted values at rank 0
  and 1;
* a negative ``multiplier`` reverses the polarity: SII is multiplied and the RII
  inverted.

The simulation is reproducible with ``seed``. Point estimates are exact; the
simulated limits agree with the R package's within Monte Carlo error.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import norm

from helpers.core import indicators
from helpers.core.errors import DataError, Problem
from helpers.stats.ci import confidence_level

_Z95 = float(norm.ppf(0.975))
_KEYS = ["area_code", "period", "sex", "group", "indicator"]


def _z(confidence: float) -> float:
    return float(norm.ppf(0.5 + confidence_level(confidence) / 2))


# --------------------------------------------------------------------------------------
# Gaps between two groups
# --------------------------------------------------------------------------------------
def se_from_ci(
    lower: np.ndarray | float,
    upper: np.ndarray | float,
    confidence: np.ndarray | float = 0.95,
    log: bool = False,
) -> np.ndarray:
    """Return the standard error implied by a symmetric confidence interval.

    Parameters
    ----------
    lower, upper : array_like
        Confidence limits.
    confidence : array_like
        Their level(s), e.g. 0.95.
    log : bool
        If True, the interval is symmetric on the log scale and the SE of the log
        is returned.

    Returns
    -------
    numpy.ndarray
        ``(upper − lower) / (2·z)`` (on the log scale if ``log``).
    """
    lo = np.asarray(lower, dtype=float)
    hi = np.asarray(upper, dtype=float)
    conf = np.asarray(confidence, dtype=float)
    conf = np.where(conf > 1, conf / 100, conf)
    z = norm.ppf(0.5 + conf / 2)
    if log:
        with np.errstate(divide="ignore", invalid="ignore"):
            return (np.log(hi) - np.log(lo)) / (2 * z)
    return (hi - lo) / (2 * z)


def difference(
    value_a: np.ndarray | float,
    se_a: np.ndarray | float,
    value_b: np.ndarray | float,
    se_b: np.ndarray | float,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Absolute gap ``a − b`` between independent estimates, with a normal CI.

    Parameters
    ----------
    value_a, se_a, value_b, se_b : array_like
        Estimates and standard errors of the two groups.
    confidence : float
        Level of the interval.

    Returns
    -------
    pandas.DataFrame
        ``value``, ``se``, ``ci_lower``, ``ci_upper``, ``ci_level``.
    """
    a, b = np.asarray(value_a, float), np.asarray(value_b, float)
    se = np.sqrt(np.asarray(se_a, float) ** 2 + np.asarray(se_b, float) ** 2)
    z = _z(confidence)
    diff = np.atleast_1d(a - b)
    se = np.atleast_1d(se) * np.ones_like(diff)
    return pd.DataFrame(
        {
            "value": diff,
            "se": se,
            "ci_lower": diff - z * se,
            "ci_upper": diff + z * se,
            "ci_level": confidence_level(confidence),
        }
    )


def ratio(
    value_a: np.ndarray | float,
    se_a: np.ndarray | float,
    value_b: np.ndarray | float,
    se_b: np.ndarray | float,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Relative gap ``a / b`` between independent positive estimates, CI on the log scale.

    The parameters are those of :func:`difference`; both estimates must be
    positive (the gap is NaN where one is not).

    Returns
    -------
    pandas.DataFrame
        ``value``, ``se_log`` (SE of ``log(a/b)``), ``ci_lower``, ``ci_upper``, ``ci_level``.
    """
    a, b = np.asarray(value_a, float), np.asarray(value_b, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.atleast_1d(a / b)
        se_log = np.sqrt((np.asarray(se_a, float) / a) ** 2 + (np.asarray(se_b, float) / b) ** 2)
        se_log = np.atleast_1d(se_log) * np.ones_like(r)
        bad = ~((a > 0) & (b > 0)) * np.ones_like(r, dtype=bool)
        r = np.where(bad, np.nan, r)
        se_log = np.where(bad, np.nan, se_log)
        z = _z(confidence)
        return pd.DataFrame(
            {
                "value": r,
                "se_log": se_log,
                "ci_lower": r * np.exp(-z * se_log),
                "ci_upper": r * np.exp(z * se_log),
                "ci_level": confidence_level(confidence),
            }
        )


def group_gap(
    table: pd.DataFrame,
    group_a: str,
    group_b: str,
    *,
    kind: str = "difference",
    column: str = "group",
    confidence: float = 0.95,
    suffix: str | None = None,
) -> pd.DataFrame:
    """Gap between two groups of an indicator table (e.g. eftergymnasial − förgymnasial).

    Rows are paired on area, period, sex/group (the one not compared) and
    indicator. Standard errors come from each row's CI and ``ci_level``
    (symmetric intervals assumed).

    Parameters
    ----------
    table : pandas.DataFrame
        A tidy indicator table (:mod:`helpers.core.indicators`).
    group_a, group_b : str
        The two values of ``column`` to compare (``a − b`` or ``a / b``).
    kind : {"difference", "ratio"}
        Absolute or relative gap.
    column : {"group", "sex"}
        Which column holds the groups.
    confidence : float
        Level of the gap's interval.
    suffix : str, optional
        Appended to the indicator id; default ``"_diff"`` or ``"_ratio"``.

    Returns
    -------
    pandas.DataFrame
        An indicator table: ``group`` is ``"a − b"`` (or ``"a / b"``); when
        ``column="sex"`` the sex is ``"totalt"`` and the group names the
        comparison. Flags: ``tillförlitlig`` or ``osäker`` (if either input is);
        ``undertryckt``/``saknas`` if either value is (value NaN);
        ``ej bedömd`` if either input has no CI (value, no interval).

    Raises
    ------
    DataError
        Unknown ``kind``/``column``, or no pairs found.
    """
    if kind not in ("difference", "ratio"):
        raise DataError(f"kind måste vara 'difference' eller 'ratio', inte '{kind}'")
    if column not in ("group", "sex"):
        raise DataError(f"column måste vara 'group' eller 'sex', inte '{column}'")
    indicators.validate(table)
    keys = [k for k in _KEYS if k != column]
    a = table[table[column] == group_a]
    b = table[table[column] == group_b]
    m = a.merge(b, on=keys, suffixes=("_a", "_b"), how="inner")
    if m.empty:
        raise DataError(
            f"Inga par hittades: '{group_a}' och '{group_b}' finns inte för samma område, "
            f"period och indikator i kolumnen '{column}'"
        )
    se_a = se_from_ci(m["ci_lower_a"], m["ci_upper_a"], m["ci_level_a"])
    se_b = se_from_ci(m["ci_lower_b"], m["ci_upper_b"], m["ci_level_b"])
    fn = difference if kind == "difference" else ratio
    va = m["value_a"].to_numpy(dtype=float, na_value=np.nan)
    vb = m["value_b"].to_numpy(dtype=float, na_value=np.nan)
    res = fn(va, se_a, vb, se_b, confidence)
    sep = " − " if kind == "difference" else " / "
    out = pd.DataFrame(
        {
            "area_code": m["area_code"],
            "area_name": m["area_name_a"],
            "area_type": m["area_type_a"],
            "period": m["period"],
            "period_label": m["period_label_a"],
            "indicator": m["indicator"]
            + (suffix or ("_diff" if kind == "difference" else "_ratio")),
            "source": m["source_a"],
        }
    )
    label = f"{group_a}{sep}{group_b}"
    if column == "group":
        out["sex"] = m["sex"]
        out["group"] = label
    else:
        out["sex"] = "totalt"
        out["group"] = np.where(
            m["group"] == indicators.ALL_GROUPS, label, m["group"] + ": " + label
        )
    value = res["value"].to_numpy()
    lower = res["ci_lower"].to_numpy()
    upper = res["ci_upper"].to_numpy()
    fa, fb = m["flag_a"].to_numpy(dtype=object), m["flag_b"].to_numpy(dtype=object)
    flag = np.full(len(m), indicators.FLAG_OK, dtype=object)
    why = np.full(len(m), "", dtype=object)

    unc = (fa == indicators.FLAG_UNCERTAIN) | (fb == indicators.FLAG_UNCERTAIN)
    flag[unc] = indicators.FLAG_UNCERTAIN
    why[unc] = np.where(
        fa[unc] == indicators.FLAG_UNCERTAIN,
        f"värdet för {group_a} är osäkert",
        f"värdet för {group_b} är osäkert",
    )
    no_ci = np.isnan(se_a) | np.isnan(se_b)
    flag[no_ci] = indicators.FLAG_NOT_ASSESSED
    why[no_ci] = "konfidensintervall saknas för minst en av grupperna"
    lower = np.where(no_ci, np.nan, lower)
    upper = np.where(no_ci, np.nan, upper)
    # A gap needs both values: missing or suppressed inputs give no gap.
    gone_a, gone_b = np.isnan(va), np.isnan(vb)
    supp_a = gone_a & (fa == indicators.FLAG_SUPPRESSED)
    supp_b = gone_b & (fb == indicators.FLAG_SUPPRESSED)
    gone = gone_a | gone_b
    flag[gone] = np.where(
        (supp_a | supp_b)[gone], indicators.FLAG_SUPPRESSED, indicators.FLAG_MISSING
    )
    why[gone] = np.select(
        [supp_a[gone], gone_a[gone], supp_b[gone]],
        [
            f"värdet för {group_a} är undertryckt",
            f"värdet för {group_a} saknas",
            f"värdet för {group_b} är undertryckt",
        ],
        f"värdet för {group_b} saknas",
    )
    hidden = np.isin(flag, [indicators.FLAG_MISSING, indicators.FLAG_SUPPRESSED])
    value = np.where(hidden, np.nan, value)
    lower = np.where(hidden, np.nan, lower)
    upper = np.where(hidden, np.nan, upper)
    out["value"] = value
    out["ci_lower"] = lower
    out["ci_upper"] = upper
    out["ci_level"] = np.where(np.isnan(lower), np.nan, confidence_level(confidence))
    out["flag"] = flag
    out["flag_reason"] = why
    return indicators.make(out.reset_index(drop=True))


# --------------------------------------------------------------------------------------
# Slope index of inequality (phe_sii)
# --------------------------------------------------------------------------------------
def ridit_midpoints(population: np.ndarray) -> np.ndarray:
    """Return the midpoint of each quantile in the cumulative population share.

    Parameters
    ----------
    population : array_like
        Populations of the ordered quantiles; shape ``(n_quantiles,)`` or
        ``(n_groups, n_quantiles)``.

    Returns
    -------
    numpy.ndarray
        ``cumsum(share) − share/2`` (the relative rank, between 0 and 1).
    """
    pop = np.asarray(population, dtype=float)
    share = pop / pop.sum(axis=-1, keepdims=True)
    return np.cumsum(share, axis=-1) - share / 2


def _forward(y: np.ndarray, value_type: int) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        if value_type == 1:
            return np.log(y)
        if value_type == 2:
            return np.log(y / (1 - y))
    return y


def _back(y: np.ndarray, value_type: int) -> np.ndarray:
    if value_type == 1:
        return np.exp(y)
    if value_type == 2:
        return 1 / (1 + np.exp(-y))
    return y


def _order_stat(sorted_x: np.ndarray, reps: int, conf: float) -> tuple[float, float]:
    """Lower/upper limit as R's phe_sii picks them: positions round(reps·(1−c)) and round(reps·c)."""
    upper_q = conf + (1 - conf) / 2
    lo = int(np.round(reps * (1 - upper_q)))
    hi = int(np.round(reps * upper_q))
    lo = min(max(lo, 1), reps)
    hi = min(max(hi, 1), reps)
    return float(sorted_x[lo - 1]), float(sorted_x[hi - 1])


def sii(
    data: pd.DataFrame,
    *,
    quantile: str = "quantile",
    population: str = "population",
    value: str | None = "value",
    count: str | None = None,
    se: str | None = None,
    lower_cl: str | None = None,
    upper_cl: str | None = None,
    by: Sequence[str] | None = None,
    value_type: int = 0,
    transform: bool = False,
    multiplier: float = 1.0,
    confidence: float | Sequence[float] = 0.95,
    reps: int = 100_000,
    seed: int | np.random.Generator | None = None,
    rii: bool = True,
    table: str = "kvantildata",
) -> pd.DataFrame:
    """Slope and relative index of inequality with simulated confidence limits (as ``phe_sii``).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per group (``by``) and quantile.
    quantile : str
        Quantile column; quantiles are ordered ascending, 1 = most deprived.
        Every group must have the same 5–100 quantiles.
    population : str
        Population of each quantile (> 0).
    value : str or None
        Indicator value (for ``value_type=2`` a proportion between 0 and 1).
    count : str, optional
        For proportions without ``value``: numerator, value = count / population.
    se : str, optional
        Standard error of the value (on the log/logit scale for
        ``value_type`` 1/2). Either ``se`` or both CL columns are needed.
    lower_cl, upper_cl : str, optional
        95 % confidence limits of the value (original scale); the SE is
        ``(T(upper) − T(lower)) / (2·1.96)`` with ``T`` = identity, log or logit.
    by : sequence of str, optional
        Group columns; default none (one group).
    value_type : {0, 1, 2}
        0 other (e.g. life expectancy), 1 rate, 2 proportion.
    transform : bool
        Fit on the log (rates) or logit (proportions) scale; needs CLs, not SE.
    multiplier : float
        Scales SII and its limits (e.g. 100 for percentages); negative reverses
        polarity (limits swapped, RII inverted).
    confidence : float or sequence of float
        Level(s) of the limits (0.95 or 95; several give one row each).
    reps : int
        Number of simulations (at least 1 000).
    seed : int or numpy.random.Generator, optional
        Seed for reproducible limits.
    rii : bool
        Also return the RII and its limits.
    table : str
        Table name in error messages.

    Returns
    -------
    pandas.DataFrame
        Group columns, ``confidence``, ``sii``, ``sii_lower``, ``sii_upper``,
        (``rii``, ``rii_lower``, ``rii_upper``), ``intercept`` (fitted value at
        rank 0; for ``transform`` back-transformed and × ``|multiplier|``) and
        ``n_quantiles``; one row per group and confidence level.

    Raises
    ------
    DataError
        Invalid parameters or data (Swedish message naming the table, group and column).
    """
    by = list(by or [])
    problems: list[Problem] = []
    if value_type not in (0, 1, 2):
        raise DataError("value_type måste vara 0 (övrigt), 1 (kvot/rate) eller 2 (andel)")
    if transform and value_type == 0:
        raise DataError("transform=True kräver value_type 1 (rate) eller 2 (andel)")
    if transform and se is not None:
        raise DataError("transform=True kräver konfidensgränser (lower_cl, upper_cl), inte se")
    if se is None and (lower_cl is None or upper_cl is None):
        raise DataError("Ange antingen se eller både lower_cl och upper_cl")
    if value is None and not (count is not None and value_type == 2):
        raise DataError("Ange value, eller count om indikatorn är en andel (value_type=2)")
    if int(reps) < 1000:
        raise DataError(f"reps måste vara minst 1 000, inte {reps}")
    reps = int(reps)
    confs = [confidence_level(c) for c in np.atleast_1d(confidence)]
    cols = [quantile, population, *by]
    cols += [c for c in (value if value is not None else count, se, lower_cl, upper_cl) if c]
    missing = [c for c in dict.fromkeys(cols) if c not in data.columns]
    if missing:
        raise DataError(Problem(f"kolumner saknas: {', '.join(missing)}", table))

    df = data.reset_index(drop=True)

    def numeric(col: str) -> np.ndarray:
        num = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        for i in np.flatnonzero(np.isnan(num))[:10]:
            raw = df[col].iloc[i]
            msg = "värde saknas" if pd.isna(raw) else f"'{raw}' är inte ett tal"
            problems.append(Problem(msg, table, int(i) + 2, col))
        return num

    pop = numeric(population)
    val = numeric(value) if value is not None else None
    cnt = numeric(count) if (value is None and count is not None) else None
    se_v = numeric(se) if se is not None else None
    lo_v = numeric(lower_cl) if lower_cl is not None and se is None else None
    hi_v = numeric(upper_cl) if upper_cl is not None and se is None else None
    if problems:
        raise DataError(problems)
    for i in np.flatnonzero(pop <= 0)[:10]:
        problems.append(
            Problem("befolkningen måste vara större än 0", table, int(i) + 2, population)
        )
    if se_v is not None:
        for i in np.flatnonzero(se_v < 0)[:10]:
            problems.append(Problem("negativt standardfel", table, int(i) + 2, se))
    if val is None:
        for i in np.flatnonzero(cnt <= 0)[:10]:
            problems.append(Problem("antalet måste vara större än 0", table, int(i) + 2, count))
        val = cnt / pop
    if value_type == 1:
        for i in np.flatnonzero(val <= 0)[:10]:
            problems.append(Problem("en rate måste vara större än 0", table, int(i) + 2, value))
    if value_type == 2:
        for i in np.flatnonzero((val <= 0) | (val >= 1))[:10]:
            problems.append(
                Problem("en andel måste ligga mellan 0 och 1", table, int(i) + 2, value or count)
            )
        if lo_v is not None:
            for i in np.flatnonzero((lo_v <= 0) | (lo_v >= 1) | (hi_v <= 0) | (hi_v >= 1))[:10]:
                problems.append(
                    Problem(
                        "konfidensgränserna för en andel måste ligga mellan 0 och 1",
                        table,
                        int(i) + 2,
                        lower_cl,
                    )
                )
    if problems:
        raise DataError(problems)

    # Groups × quantiles, every group with the same set of quantiles.
    q_levels = np.sort(df[quantile].unique())
    nq = len(q_levels)
    if not 5 <= nq <= 100:
        raise DataError(
            Problem(f"antalet kvantiler måste vara 5–100, inte {nq}", table, None, quantile)
        )
    if by:
        gid = df.groupby(by, sort=True, dropna=False).ngroup().to_numpy()
        first = pd.Series(np.arange(len(df))).groupby(gid).first().to_numpy()
        keys = df[by].iloc[first].reset_index(drop=True)
    else:
        gid = np.zeros(len(df), dtype=int)
        keys = pd.DataFrame(index=[0])
    G = len(keys)
    qpos = np.searchsorted(q_levels, df[quantile].to_numpy())
    flat = gid * nq + qpos
    seen = np.bincount(flat, minlength=G * nq).reshape(G, nq)
    for g in np.flatnonzero((seen != 1).any(axis=1))[:10]:
        who = ", ".join(f"{c}={keys[c].iloc[g]}" for c in by) or "hela tabellen"
        miss = [str(q) for q, s in zip(q_levels, seen[g], strict=True) if s == 0]
        dup = [str(q) for q, s in zip(q_levels, seen[g], strict=True) if s > 1]
        text = "; ".join(
            t
            for t in (
                f"kvantiler saknas: {', '.join(miss)}" if miss else "",
                f"kvantiler förekommer flera gånger: {', '.join(dup)}" if dup else "",
            )
            if t
        )
        problems.append(Problem(f"{who}: {text}", table, None, quantile))
    if problems:
        raise DataError(problems)

    def grid(x: np.ndarray) -> np.ndarray:
        out = np.empty(G * nq)
        out[flat] = x
        return out.reshape(G, nq)

    P = grid(pop)
    V = grid(val)
    if se_v is not None:
        SE = grid(se_v)
    else:
        SE = (_forward(grid(hi_v), value_type) - _forward(grid(lo_v), value_type)) / _Z95 / 2
    Vt = _forward(V, value_type)  # value on the simulation scale
    sqrt_a = np.sqrt(P / P.sum(axis=1, keepdims=True))
    b = ridit_midpoints(P)
    y_point = Vt if transform else V
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)

    rows = []
    for g in range(G):  # one small regression + simulation per group
        X = np.column_stack([sqrt_a[g], b[g] * sqrt_a[g]])  # (nq, 2)
        H = np.linalg.solve(X.T @ X, X.T)  # (2, nq)
        b0, b1 = H @ (y_point[g] * sqrt_a[g])
        draws = rng.standard_normal((reps, nq)) * SE[g] + Vt[g]
        ys = draws if transform else _back(draws, value_type)
        coef = (ys * sqrt_a[g]) @ H.T  # (reps, 2)
        s0, s1 = coef[:, 0], coef[:, 1]
        sorted_slope = np.sort(s1 if transform else multiplier * s1)
        sorted_rii = None
        if rii and not transform:
            r = (s0 + s1) / s0
            sorted_rii = np.sort(1 / r if multiplier < 0 else r)
        if transform:
            x_half = b0 + b1 / 2
            lo_end, hi_end = _back(np.array(b0), value_type), _back(np.array(b0 + b1), value_type)
            sii_pt = float((hi_end - lo_end) * multiplier)
            rii_pt = float(hi_end / lo_end)
            rii_pt = 1 / rii_pt if multiplier < 0 else rii_pt
            intercept = float(lo_end * abs(multiplier))
        else:
            sii_pt = float(multiplier * b1)
            rii_pt = float((b0 + b1) / b0)
            rii_pt = 1 / rii_pt if multiplier < 0 else rii_pt
            intercept = float(b0)
        for conf in confs:
            row = {c: keys[c].iloc[g] for c in by}
            lo_s, hi_s = _order_stat(sorted_slope, reps, conf)
            if transform:
                # Limits of the slope on the log/logit scale, back through rank 0 and 1.
                ends = {}
                for name, s in (("lo", lo_s), ("hi", hi_s)):
                    e0 = _back(np.array(x_half - s / 2), value_type)
                    e1 = _back(np.array(x_half + s / 2), value_type)
                    ends[name] = (float(e0), float(e1))
                d_lo = (ends["lo"][1] - ends["lo"][0]) * multiplier
                d_hi = (ends["hi"][1] - ends["hi"][0]) * multiplier
                r_lo = ends["lo"][1] / ends["lo"][0]
                r_hi = ends["hi"][1] / ends["hi"][0]
                if multiplier < 0:
                    sii_lo, sii_hi = d_hi, d_lo
                    rii_lo, rii_hi = 1 / r_hi, 1 / r_lo
                else:
                    sii_lo, sii_hi = d_lo, d_hi
                    rii_lo, rii_hi = r_lo, r_hi
            else:
                sii_lo, sii_hi = lo_s, hi_s
                if sorted_rii is not None:
                    rii_lo, rii_hi = _order_stat(sorted_rii, reps, conf)
            row.update(confidence=conf, sii=sii_pt, sii_lower=sii_lo, sii_upper=sii_hi)
            if rii:
                row.update(rii=rii_pt, rii_lower=rii_lo, rii_upper=rii_hi)
            row.update(intercept=intercept, n_quantiles=nq)
            rows.append(row)
    return pd.DataFrame(rows)


__all__ = [
    "difference",
    "group_gap",
    "ratio",
    "ridit_midpoints",
    "se_from_ci",
    "sii",
]
