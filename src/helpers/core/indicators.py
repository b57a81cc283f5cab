"""The one tidy indicator table that flows through the whole workbook.

Every loader (Kolada, SCB, survey extracts, demo data) returns, and every
calculation, chart, map and table takes, a DataFrame with exactly these
columns. The reliability flag travels with each value and is never dropped.

Columns
-------
area_code : str
    Kolada/SCB id as a string: kommun ``"2080"``, region ``"0020"``, Riket ``"0000"``.
area_name : str
    Name as shown to users (``"Falun"``, ``"Region Dalarna"``, ``"Riket"``).
area_type : {"kommun", "region", "riket"}
period : int
    Reference year; for multi-year periods the last year (Kolada's convention).
period_label : str
    What the period covers, e.g. ``"2020"`` or ``"2020–2024"``.
sex : {"totalt", "kvinnor", "män"}
group : str
    Sub-group (e.g. education level) or ``"alla"``.
indicator : str
    Indicator id (Kolada KPI id such as ``"N00925"`` or a workbook id).
value : float
    Point estimate (NaN when missing or suppressed).
ci_lower, ci_upper : float
    Confidence interval (NaN when unknown).
ci_level : float
    Confidence level of the interval (e.g. 0.95), NaN when unknown.
numerator, denominator : float
    Counts behind a rate or share where known.
n : float
    Unweighted number of observations (respondents, persons) where known.
flag : str
    Reliability flag, one of :data:`FLAGS`.
flag_reason : str
    Short Swedish reason for the flag (empty when reliable).
source : str
    Attribution shown on charts, e.g. ``"Källa: Kolada"``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from helpers.core.errors import DataError, Problem

#: The value can be used as it is.
FLAG_OK = "tillförlitlig"
#: The value may be shown but must be read with care (footnote / review).
FLAG_UNCERTAIN = "osäker"
#: The value is too weak or too small to show; ``value`` is NaN.
FLAG_SUPPRESSED = "undertryckt"
#: No value exists.
FLAG_MISSING = "saknas"
#: The source gives no uncertainty; the value cannot be judged.
FLAG_NOT_ASSESSED = "ej bedömd"

FLAGS: tuple[str, ...] = (FLAG_OK, FLAG_UNCERTAIN, FLAG_SUPPRESSED, FLAG_MISSING, FLAG_NOT_ASSESSED)
AREA_TYPES: tuple[str, ...] = ("kommun", "region", "riket")
SEXES: tuple[str, ...] = ("totalt", "kvinnor", "män")
ALL_GROUPS = "alla"

COLUMNS: dict[str, str] = {
    "area_code": "string",
    "area_name": "string",
    "area_type": "string",
    "period": "Int64",
    "period_label": "string",
    "sex": "string",
    "group": "string",
    "indicator": "string",
    "value": "float64",
    "ci_lower": "float64",
    "ci_upper": "float64",
    "ci_level": "float64",
    "numerator": "float64",
    "denominator": "float64",
    "n": "float64",
    "flag": "string",
    "flag_reason": "string",
    "source": "string",
}

#: The interval and count columns of a value that has none (all NaN), in table order.
NO_UNCERTAINTY: dict[str, float] = dict.fromkeys(
    ("ci_lower", "ci_upper", "ci_level", "numerator", "denominator", "n"), np.nan
)

_DEFAULTS: dict[str, object] = {
    "group": ALL_GROUPS,
    "sex": "totalt",
    **NO_UNCERTAINTY,
    "flag_reason": "",
}


def empty() -> pd.DataFrame:
    """Return an empty indicator table with the right columns and dtypes."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in COLUMNS.items()})


def make(df: pd.DataFrame, **constants: object) -> pd.DataFrame:
    """Bring a frame into the indicator-table shape.

    Missing optional columns get their defaults; ``constants`` fill or override
    whole columns (e.g. ``source="Källa: Kolada"``). ``period_label`` defaults to
    the period, and ``flag`` defaults to :data:`FLAG_MISSING` where the value is
    missing and :data:`FLAG_NOT_ASSESSED` elsewhere.

    Parameters
    ----------
    df : pandas.DataFrame
        Frame with at least ``area_code``, ``area_type``, ``period``, ``indicator``
        and ``value`` (after ``constants`` are applied).
    **constants
        Column values applied to every row.

    Returns
    -------
    pandas.DataFrame
        A validated indicator table (columns in canonical order).
    """
    out = df.copy()
    for key, val in constants.items():
        out[key] = val
    for key, val in _DEFAULTS.items():
        if key not in out.columns:
            out[key] = val
    if "area_name" not in out.columns:
        out["area_name"] = out["area_code"]
    if "period_label" not in out.columns:
        out["period_label"] = out["period"].astype("Int64").astype("string")
    if "flag" not in out.columns:
        out["flag"] = np.where(out["value"].isna(), FLAG_MISSING, FLAG_NOT_ASSESSED)
    missing = [c for c in COLUMNS if c not in out.columns]
    if missing:
        raise DataError(f"Indikatortabellen saknar kolumnerna: {', '.join(missing)}")
    out = out[list(COLUMNS)].astype(COLUMNS)
    out["flag_reason"] = out["flag_reason"].fillna("")
    validate(out)
    return out.reset_index(drop=True)


def validate(df: pd.DataFrame, name: str = "indikatortabellen") -> pd.DataFrame:
    """Check that ``df`` is a valid indicator table; raise :class:`DataError` otherwise.

    Checks columns, allowed area types, sexes and flags, that a suppressed or
    missing value is NaN, that every number is finite (or missing), that counts
    are not negative and the numerator not above the denominator, that CIs are
    ordered and contain the value, and that there are no duplicated keys.

    Parameters
    ----------
    df : pandas.DataFrame
        Candidate indicator table.
    name : str
        Name used in error messages.

    Returns
    -------
    pandas.DataFrame
        ``df`` unchanged, for chaining.
    """
    problems: list[Problem] = []
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise DataError(Problem(f"saknade kolumner: {', '.join(missing)}", file=name))
    for col, allowed in (("area_type", AREA_TYPES), ("sex", SEXES), ("flag", FLAGS)):
        bad = ~df[col].isin(allowed)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            problems.append(
                Problem(
                    f"okänt värde '{df[col].iloc[i]}' (tillåtna: {', '.join(allowed)})",
                    file=name,
                    row=i + 1,
                    column=col,
                )
            )
    hidden = df["flag"].isin([FLAG_SUPPRESSED, FLAG_MISSING]) & df["value"].notna()
    if hidden.any():
        i = int(np.flatnonzero(hidden.to_numpy())[0])
        problems.append(
            Problem("värdet ska vara tomt när flaggan är undertryckt/saknas", name, i + 1, "value")
        )
    for col in ("value", "ci_lower", "ci_upper", "numerator", "denominator", "n"):
        numbers = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
        infinite = np.isinf(numbers)
        if infinite.any():
            i = int(np.flatnonzero(infinite)[0])
            problems.append(Problem("talet är inte ändligt (oändligt)", name, i + 1, col))
        if col in ("numerator", "denominator", "n"):
            negative = numbers < 0
            if negative.any():
                i = int(np.flatnonzero(negative)[0])
                problems.append(Problem("ett antal kan inte vara negativt", name, i + 1, col))
    # No "numerator <= denominator" rule here: rates (deaths per person-year at
    # 90+, visits per inhabitant) may exceed one. Shares are checked where they
    # are read (survey readers: yes-count <= respondents).
    tol = 1e-9
    crossed = (df["ci_lower"] > df["ci_upper"] + tol).to_numpy()
    if crossed.any():
        i = int(np.flatnonzero(crossed)[0])
        problems.append(
            Problem(
                "konfidensintervallets nedre gräns är större än den övre", name, i + 1, "ci_lower"
            )
        )
    outside = (df["ci_lower"] > df["value"] + tol) | (df["ci_upper"] < df["value"] - tol)
    if outside.any():
        i = int(np.flatnonzero(outside.to_numpy())[0])
        problems.append(
            Problem("konfidensintervallet omsluter inte värdet", name, i + 1, "ci_lower")
        )
    keys = ["area_code", "period", "sex", "group", "indicator"]
    dup = df.duplicated(keys, keep=False)
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        problems.append(
            Problem(
                "samma område, period, kön, grupp och indikator förekommer flera gånger",
                name,
                i + 1,
            )
        )
    if problems:
        raise DataError(problems)
    return df


def concat(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate indicator tables and validate the result."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty()
    out = pd.concat(frames, ignore_index=True).astype(COLUMNS)
    return validate(out)


def usable(df: pd.DataFrame) -> pd.Series:
    """Boolean mask of rows whose value may be shown (not suppressed or missing)."""
    return df["value"].notna() & ~df["flag"].isin([FLAG_SUPPRESSED, FLAG_MISSING])
