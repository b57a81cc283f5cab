"""Reliability flags for survey proportions: the NCHS Data Presentation Standards (2017).

The workbook judges every survey proportion with the rules of Parker et al.
(2017), *National Center for Health Statistics Data Presentation Standards for
Proportions*, Vital Health Stat 2(175), applied in this order (widths on the
proportion scale, i.e. 0.05 = 5 percentage points):

1. effective sample size ``n_eff < 30`` → **suppress**;
2. Korn–Graubard CI width ``<= 0.05`` → **present**;
3. CI width ``>= 0.30`` → **suppress**;
4. relative CI width ``width / p > 130 %`` → **suppress**;
5. otherwise **present**, with a **footnote** when the complement is
   unreliable, ``width / (1 − p) > 130 %``.

A presented estimate is also **flagged for review** when the degrees of
freedom are below 8 or when ``p`` is 0 or 1.

Definitions, as in NCHS's own implementation (CDC's R package ``surveytable``,
``.present_prop``): ``n_eff = p(1 − p) / se²`` *without* the df adjustment used
inside the Korn–Graubard interval, truncated at the actual sample size ``n``;
when ``p`` is 0 or 1 (or ``se`` is 0) ``n_eff = n``. For ``p`` of 0 or 1 the
relative widths are undefined and rules 4–5 are not applied (``surveytable``
does the same by treating the width as 0); such estimates are presented with a
review flag if ``n_eff >= 30``. Two additions the standard does not need for
NCHS's large surveys: a proportion whose interval cannot be computed (``df <=
0``) is suppressed, and a missing proportion (no respondents) gets
:data:`~helpers.core.indicators.FLAG_MISSING`.

Mapping to the indicator table: suppress → ``FLAG_SUPPRESSED`` (value and CI
set to NaN by :func:`apply_flags`), footnote or review → ``FLAG_UNCERTAIN``,
present → ``FLAG_OK``; every non-OK flag carries a short Swedish reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from helpers.core.fmt import num
from helpers.core.indicators import FLAG_MISSING, FLAG_OK, FLAG_SUPPRESSED, FLAG_UNCERTAIN

#: Minimum effective sample size.
MIN_N_EFF = 30.0
#: CI width at or below which a proportion is always presented (5 percentage points).
PRESENT_WIDTH = 0.05
#: CI width at or above which a proportion is suppressed (30 percentage points).
SUPPRESS_WIDTH = 0.30
#: Maximum relative CI width (width / p); above it the proportion is suppressed.
MAX_RELATIVE_WIDTH = 1.30
#: Degrees of freedom below which a presented proportion is flagged for review.
MIN_DF = 8

#: Decision codes in the ``rule`` column.
RULES: dict[str, str] = {
    "missing": "no estimate",
    "n_eff": "suppress: effective sample size < 30",
    "no_ci": "suppress: confidence interval cannot be computed",
    "narrow": "present: CI width <= 5 percentage points",
    "wide": "suppress: CI width >= 30 percentage points",
    "relative": "suppress: relative CI width > 130 %",
    "boundary": "present: p is 0 or 1 (relative width undefined)",
    "ok": "present: relative CI width <= 130 %",
}


def effective_n(p: ArrayLike, se: ArrayLike, n: ArrayLike) -> np.ndarray:
    """NCHS effective sample size ``min(n, p(1 − p)/se²)``; ``n`` when ``p`` is 0/1 or ``se`` is 0.

    Parameters
    ----------
    p, se, n : array_like
        Proportion (0–1), its standard error and the unweighted sample size.

    Returns
    -------
    numpy.ndarray
        Effective sample sizes (NaN where ``p`` or ``n`` is NaN).
    """
    pa, sea, na = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(a, dtype=float)) for a in (p, se, n))
    )
    tol = 1e-12
    degenerate = (pa <= tol) | (pa >= 1 - tol) | (sea <= tol)
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = np.where(degenerate, na, pa * (1 - pa) / sea**2)
    out = np.minimum(raw, na)
    out[np.isnan(pa) | np.isnan(na)] = np.nan
    return out


def assess(
    p: ArrayLike,
    n: ArrayLike,
    se: ArrayLike,
    df: ArrayLike,
    ci_lower: ArrayLike,
    ci_upper: ArrayLike,
    n_eff: ArrayLike | None = None,
) -> pd.DataFrame:
    """Apply the NCHS presentation standards for proportions to many estimates at once.

    Parameters
    ----------
    p : array_like
        Estimated proportions on the 0–1 scale.
    n : array_like
        Unweighted sample sizes.
    se : array_like
        Design-based standard errors (0–1 scale).
    df : array_like
        Design degrees of freedom.
    ci_lower, ci_upper : array_like
        Korn–Graubard limits (0–1 scale).
    n_eff : array_like, optional
        Effective sample sizes; computed with :func:`effective_n` when omitted.

    Returns
    -------
    pandas.DataFrame
        One row per estimate: ``n_eff``, ``ci_width``, ``relative_width``,
        ``relative_width_complement``, ``rule`` (a key of :data:`RULES`),
        ``present`` (bool), ``footnote`` (complement unreliable), ``review``
        (df < 8 or p in {0, 1}), ``flag`` and ``flag_reason`` (Swedish).
    """
    pa, na, sea, dfa, lo, hi = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(a, dtype=float)) for a in (p, n, se, df, ci_lower, ci_upper))
    )
    neff = (
        effective_n(pa, sea, na)
        if n_eff is None
        else np.broadcast_to(np.asarray(n_eff, dtype=float), pa.shape)
    )
    width = hi - lo
    tol = 1e-12
    boundary = (pa <= tol) | (pa >= 1 - tol)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(boundary, np.nan, width / pa)
        rel_c = np.where(boundary, np.nan, width / (1 - pa))

    missing = np.isnan(pa)
    few = ~missing & ~(neff >= MIN_N_EFF)  # NaN n_eff counts as too few
    no_ci = ~missing & ~few & ~np.isfinite(width)
    rest = ~missing & ~few & ~no_ci
    narrow = rest & (width <= PRESENT_WIDTH)
    wide = rest & ~narrow & (width >= SUPPRESS_WIDTH)
    rest2 = rest & ~narrow & ~wide
    at_boundary = rest2 & boundary
    relative = rest2 & ~boundary & (rel > MAX_RELATIVE_WIDTH)
    ok = rest2 & ~boundary & ~relative

    rule = np.select(
        [missing, few, no_ci, narrow, wide, at_boundary, relative, ok],
        ["missing", "n_eff", "no_ci", "narrow", "wide", "boundary", "relative", "ok"],
        default="missing",
    )
    present = narrow | at_boundary | ok
    footnote = ok & (rel_c > MAX_RELATIVE_WIDTH)
    low_df = present & ~(dfa >= MIN_DF)
    review = present & (low_df | boundary)
    flag = np.where(
        missing,
        FLAG_MISSING,
        np.where(~present, FLAG_SUPPRESSED, np.where(footnote | review, FLAG_UNCERTAIN, FLAG_OK)),
    )

    reasons = []
    for i in range(len(pa)):
        r = rule[i]
        if r == "missing":
            reasons.append("inga svarande")
        elif r == "n_eff":
            reasons.append(f"för få svarande: effektivt n = {num(np.floor(neff[i]), 0)}")
        elif r == "no_ci":
            reasons.append(f"konfidensintervallet kan inte beräknas (df = {_df_text(dfa[i])})")
        elif r == "wide":
            reasons.append(
                f"för brett konfidensintervall: {num(width[i] * 100, 1, 'procentenheter')}"
            )
        elif r == "relative":
            reasons.append(f"relativ KI-bredd {_percent(rel[i])}")
        else:
            parts = []
            if footnote[i]:
                parts.append(
                    f"osäkert komplement (100 − andelen): relativ KI-bredd {_percent(rel_c[i])}"
                )
            if low_df[i]:
                parts.append(f"få frihetsgrader (df = {_df_text(dfa[i])}) – granska")
            if boundary[i]:
                parts.append(f"andelen är {'0' if pa[i] <= tol else '100'} % – granska")
            reasons.append("; ".join(parts))
    return pd.DataFrame(
        {
            "n_eff": neff,
            "ci_width": width,
            "relative_width": rel,
            "relative_width_complement": rel_c,
            "rule": rule,
            "present": present,
            "footnote": footnote,
            "review": review,
            "flag": flag,
            "flag_reason": reasons,
        }
    )


def _percent(ratio: float) -> str:
    """Format a relative width in percent; one decimal when rounding would hide the excess over 130 %."""
    pct = ratio * 100
    if round(pct) <= MAX_RELATIVE_WIDTH * 100:
        return num(pct, 1, "%")
    return num(pct, 0, "%")


def _df_text(df: float) -> str:
    if np.isnan(df):
        return "okänt"
    return str(int(df)) if float(df).is_integer() else num(df, 1)


def assess_frame(design: pd.DataFrame) -> pd.DataFrame:
    """Run :func:`assess` on a design-statistics frame (columns ``p, n, se, df, ci_lower, ci_upper``).

    Uses the frame's ``n_eff`` column when present.

    Returns
    -------
    pandas.DataFrame
        ``design`` with the assessment columns appended (existing columns of the
        same name are replaced); index preserved.
    """
    res = assess(
        design["p"],
        design["n"],
        design["se"],
        design["df"],
        design["ci_lower"],
        design["ci_upper"],
        n_eff=design["n_eff"] if "n_eff" in design.columns else None,
    )
    res.index = design.index
    out = design.drop(columns=[c for c in res.columns if c in design.columns])
    return pd.concat([out, res], axis=1)


def apply_flags(table: pd.DataFrame, assessment: pd.DataFrame) -> pd.DataFrame:
    """Copy ``flag``/``flag_reason`` into an indicator table; blank suppressed values.

    Rows flagged :data:`~helpers.core.indicators.FLAG_SUPPRESSED` or
    :data:`~helpers.core.indicators.FLAG_MISSING` get ``value``, ``ci_lower`` and
    ``ci_upper`` set to NaN (the counts ``numerator``/``denominator``/``n`` are
    kept: they explain *why* the value is suppressed and are not disclosive at
    these sizes — disclosure control is :mod:`helpers.stats.disclosure`'s job).

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table.
    assessment : pandas.DataFrame
        Output of :func:`assess`, row-aligned with ``table`` (by position).

    Returns
    -------
    pandas.DataFrame
        A copy of ``table``.
    """
    if len(table) != len(assessment):
        raise ValueError("table and assessment must have the same number of rows")
    out = table.copy()
    out["flag"] = assessment["flag"].to_numpy()
    out["flag_reason"] = assessment["flag_reason"].to_numpy()
    hidden = out["flag"].isin([FLAG_SUPPRESSED, FLAG_MISSING]).to_numpy()
    out.loc[hidden, ["value", "ci_lower", "ci_upper"]] = np.nan
    return out


#: Appended to every flag reason of an estimate judged without its number of respondents.
WITHOUT_N_NOTE = (
    "bedömd efter KI:s bredd; n saknas, så effektivt urval och frihetsgrader kunde inte prövas"
)


def assess_without_n(p: ArrayLike, ci_lower: ArrayLike, ci_upper: ArrayLike) -> pd.DataFrame:
    """Apply the NCHS rules that need no sample size to published proportions with a CI.

    An aggregated table (e.g. a region's HLV spreadsheet) gives a share and its
    confidence interval but no number of respondents. Of the NCHS standards
    (see the module docstring) rules 2–5 use only the interval and the share and
    are applied to the *published* interval (not a Korn–Graubard one); rule 1
    (effective sample size) and the degrees-of-freedom review cannot be
    applied, and every ``flag_reason`` says so (:data:`WITHOUT_N_NOTE`), the
    reliable ones included.

    Parameters
    ----------
    p : array_like
        Proportions on the 0–1 scale.
    ci_lower, ci_upper : array_like
        Published limits on the 0–1 scale.

    Returns
    -------
    pandas.DataFrame
        As :func:`assess` (``n_eff`` NaN): ``rule``, ``present``, ``flag`` and
        ``flag_reason`` (Swedish, always ending with :data:`WITHOUT_N_NOTE`).
    """
    pa = np.atleast_1d(np.asarray(p, dtype=float))
    inf = np.full(pa.shape, np.inf)
    res = assess(pa, inf, np.full(pa.shape, np.nan), inf, ci_lower, ci_upper, n_eff=inf)
    res["n_eff"] = np.nan
    res["flag_reason"] = [
        r if rule == "missing" else (f"{r}; {WITHOUT_N_NOTE}" if r else WITHOUT_N_NOTE)
        for r, rule in zip(res["flag_reason"], res["rule"], strict=True)
    ]
    return res
