"""Significance against a benchmark, Fingertips style: better, similar or worse than the county.

A value is compared with a benchmark (the county's or Riket's value) through
its confidence interval: when the interval excludes the benchmark the value is
significantly higher or lower, and the catalogue's direction of "better"
(``params/indicators.yaml``: ``higher``, ``lower`` or ``none``) turns that into
better or worse. A value without an interval (a source that gives no
uncertainty) or without a benchmark is not compared. This is the rule of PHE
Fingertips' "compared with benchmark" colours (95 % intervals).

:func:`classify` is one comparison (pure, scalar); :func:`classify_frame` the
same for the rows of a table. Used by the county overview (``helpers.run.index``)
and meant for any other at-a-glance view (e.g. the report's spine chart).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

BETTER = "bättre"
SIMILAR = "ingen säker skillnad"
WORSE = "sämre"
HIGHER = "högre"
LOWER = "lägre"
NOT_COMPARED = "ej jämförd"
#: Every category, in reading order.
CATEGORIES: tuple[str, ...] = (BETTER, SIMILAR, WORSE, HIGHER, LOWER, NOT_COMPARED)
DIRECTIONS: tuple[str, ...] = ("higher", "lower", "none")


def _missing(x: object) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def classify(
    value: float | None,
    lo: float | None,
    hi: float | None,
    ref: float | None,
    direction: str | None,
) -> str:
    """Classify a value with its confidence interval against a benchmark.

    Parameters
    ----------
    value : float or None
        The value (missing: :data:`NOT_COMPARED`).
    lo, hi : float or None
        Its confidence limits (missing: :data:`NOT_COMPARED`).
    ref : float or None
        The benchmark's value (missing: :data:`NOT_COMPARED`).
    direction : str or None
        ``"higher"`` (higher is better), ``"lower"`` or ``"none"``/None.

    Returns
    -------
    str
        :data:`BETTER`, :data:`WORSE` or :data:`SIMILAR` with a direction;
        :data:`HIGHER`, :data:`LOWER` or :data:`SIMILAR` without one;
        :data:`NOT_COMPARED` when something is missing.

    Raises
    ------
    ValueError
        For an unknown direction or an interval with ``lo > hi``.
    """
    if direction is None:
        direction = "none"
    if direction not in DIRECTIONS:
        raise ValueError(f"Okänd riktning {direction!r}: ska vara higher, lower eller none")
    if any(_missing(x) for x in (value, lo, hi, ref)):
        return NOT_COMPARED
    lo, hi, ref = float(lo), float(hi), float(ref)  # type: ignore[arg-type]
    if lo > hi:
        raise ValueError(f"Konfidensintervallet är omvänt: nedre {lo} > övre {hi}")
    if lo > ref:
        side = HIGHER
    elif hi < ref:
        side = LOWER
    else:
        return SIMILAR
    if direction == "none":
        return side
    good = (side == HIGHER) == (direction == "higher")
    return BETTER if good else WORSE


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
