"""Input checks and validity rules of the life table (as in PHEindicatormethods).

:func:`to_arrays` validates a long count table (columns, numbers, age bands,
duplicates, gaps) and reshapes it to ``(n_groups, n_bands)`` arrays;
:func:`validity` applies the rules that decide whether a group gets a life
table at all (negative deaths, population ≤ 0, more deaths than population,
too few person-years, no deaths in the open band), each with a Swedish
reason; :func:`raise_invalid` turns those reasons into a
:class:`~helpers.core.errors.DataError` naming the group and the CSV row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from helpers.core import fmt
from helpers.core.errors import DataError, Problem
from helpers.stats.lifetable_chiang import age_labels

#: An area needs more than this many person-years for a life table.
MIN_POPULATION = 5000.0
#: Values are withheld when the 95 % confidence interval is wider than this (years).
MAX_CI_WIDTH = 20.0
#: Values are marked uncertain when the 95 % confidence interval is wider than this (years).
UNCERTAIN_CI_WIDTH = 10.0
#: Default table name used in error messages.
TABLE = "dödsfall och folkmängd"

_KEY_CANDIDATES = ("area_code", "area_name", "area_type", "sex", "group", "period", "period_label")
_KEY_LABELS = {
    "area_code": "område",
    "area_name": "namn",
    "sex": "kön",
    "group": "grupp",
    "period": "period",
    "period_label": "period",
}
_MAX_LISTED = 20


def listed(
    items: Sequence[Any],
    problem: Callable[[Any], Problem],
    table: str,
    rest: str | None = None,
    column: str | None = None,
) -> list[Problem]:
    """Return the problems of the first :data:`_MAX_LISTED` items, then count the rest.

    Parameters
    ----------
    items : sequence
        The bad rows (0-based positions), groups or cells, in the order to show them.
    problem : callable
        ``problem(item)`` returns the :class:`Problem` of one item.
    table : str
        Table name for the closing count.
    rest : str, optional
        What the items are called in the closing "… och N {rest} till"
        (e.g. ``"rader"``); None: the items beyond the first are not counted.
    column : str, optional
        Column named by the closing count.

    Returns
    -------
    list of Problem
    """
    out = [problem(x) for x in items[:_MAX_LISTED]]
    if rest is not None and len(items) > _MAX_LISTED:
        out.append(Problem(f"… och {len(items) - _MAX_LISTED} {rest} till", table, None, column))
    return out


def parse_age(values: pd.Series) -> pd.Series:
    """Leading integer of an age or band label (``"85-89"`` → 85, ``"90+"`` → 90)."""
    if pd.api.types.is_numeric_dtype(values):
        num = pd.to_numeric(values, errors="coerce")
        ok = num.notna() & (num == np.floor(num))
        return num.where(ok).astype("Int64")
    text = values.astype("string").str.strip()
    lead = text.str.extract(r"^\D*?(\d+)", expand=False)
    return pd.to_numeric(lead, errors="coerce").astype("Int64")


def describe_keys(keys: pd.DataFrame) -> pd.Series:
    """One Swedish description per group row, e.g. ``"område 2080, kön kvinnor, period 2015–2019"``."""
    if keys.shape[1] == 0:
        return pd.Series(["hela tabellen"] * len(keys), index=keys.index, dtype="string")
    cols = [c for c in keys.columns if c not in ("area_name", "area_type")]
    if "period_label" in cols and "period" in cols:
        cols.remove("period")
    parts = [
        _KEY_LABELS.get(c, c) + " " + keys[c].astype("string").fillna("–")
        for c in cols or keys.columns
    ]
    out = parts[0]
    for p in parts[1:]:
        out = out + ", " + p
    return out


def require_columns(df: pd.DataFrame, columns: Sequence[str], table: str) -> None:
    """Refuse a table that lacks any of ``columns`` or has no rows (Swedish :class:`DataError`)."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataError(Problem(f"kolumner saknas: {', '.join(missing)}", table))
    if len(df) == 0:
        raise DataError(Problem("tabellen är tom", table))


def numeric_column(df: pd.DataFrame, col: str, table: str, problems: list[Problem]) -> np.ndarray:
    """Return ``df[col]`` as floats; append a Swedish :class:`Problem` per non-numeric cell."""
    raw = df[col]
    num = pd.to_numeric(raw, errors="coerce")
    bad = num.isna().to_numpy() | ~np.isfinite(num.to_numpy(dtype=float, na_value=np.nan))

    def problem(i: int) -> Problem:
        val = raw.iloc[i]
        msg = (
            "värde saknas"
            if pd.isna(val)
            else f"'{val}' är inte ett tal (antal måste vara numeriska)"
        )
        return Problem(msg, table, int(i) + 2, col)

    problems += listed(np.flatnonzero(bad), problem, table, "rader", col)
    return num.to_numpy(dtype=float, na_value=np.nan)


def to_arrays(
    counts: pd.DataFrame,
    by: Sequence[str],
    ages: np.ndarray,
    age_col: str,
    deaths_col: str,
    population_col: str,
    table: str,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """Validate a long count table and reshape it to ``(n_groups, n_bands)`` arrays.

    Returns the group keys (one row per group), deaths, population and, per
    group, the row number (as in a CSV file with header) of each cell.
    """
    require_columns(counts, (*by, age_col, deaths_col, population_col), table)
    problems: list[Problem] = []
    deaths = numeric_column(counts, deaths_col, table, problems)
    pop = numeric_column(counts, population_col, table, problems)
    age = parse_age(counts[age_col])
    band_of = {int(a): i for i, a in enumerate(ages)}
    band = age.map(band_of, na_action="ignore").astype("Int64")
    labels = age_labels(ages)
    allowed = ", ".join(labels)
    problems += listed(
        np.flatnonzero(band.isna().to_numpy()),
        lambda i: Problem(
            f"okänd åldersgrupp '{counts[age_col].iloc[i]}' (förväntade början av: {allowed})",
            table,
            int(i) + 2,
            age_col,
        ),
        table,
        "rader",
    )
    if problems:
        raise DataError(problems)
    if by:
        gid = counts.groupby(list(by), sort=False, dropna=False).ngroup().to_numpy()
        first = pd.Series(np.arange(len(counts))).groupby(gid).first().to_numpy()
        keys = counts[list(by)].iloc[first].reset_index(drop=True)
    else:
        gid = np.zeros(len(counts), dtype=int)
        keys = pd.DataFrame(index=[0])
    G, B = len(keys), len(ages)
    b = band.to_numpy(dtype=int)
    flat = gid * B + b
    seen = np.bincount(flat, minlength=G * B).reshape(G, B)
    desc = describe_keys(keys)
    problems += listed(
        np.argwhere(seen > 1),
        lambda gj: Problem(
            f"{desc.iloc[gj[0]]}: åldersgruppen {labels[gj[1]]} förekommer flera gånger", table
        ),
        table,
        "dubbletter",
    )
    if (seen == 0).any():
        gaps = np.argwhere(seen == 0)
        shown = 0
        for g in np.unique(gaps[:, 0])[:_MAX_LISTED]:
            miss = [labels[j] for j in gaps[gaps[:, 0] == g, 1]]
            problems.append(
                Problem(f"{desc.iloc[g]}: åldersgrupper saknas: {', '.join(miss)}", table)
            )
            shown += 1
        n_groups = len(np.unique(gaps[:, 0]))
        if n_groups > shown:
            problems.append(
                Problem(f"… och {n_groups - shown} grupper till saknar åldersgrupper", table)
            )
    if problems:
        raise DataError(problems)
    D = np.empty(G * B)
    P = np.empty(G * B)
    rows = np.empty(G * B, dtype=int)
    D[flat] = deaths
    P[flat] = pop
    rows[flat] = np.arange(len(counts)) + 2
    return keys, D.reshape(G, B), P.reshape(G, B), rows.reshape(G, B)


def default_by(counts: pd.DataFrame) -> list[str]:
    """Return the usual group columns (area, sex, group, period) present in ``counts``."""
    return [c for c in _KEY_CANDIDATES if c in counts.columns]


def validity(
    D: np.ndarray,
    P: np.ndarray,
    labels: Sequence[str],
    min_population: float,
    *,
    ratio_bands: int | None = None,
    open_band: bool = True,
    total: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per group: is it valid, the Swedish reason (empty when valid), and the offending band.

    Parameters
    ----------
    D, P : numpy.ndarray
        Deaths and person-years, ``(n_groups, n_bands)``.
    labels : sequence of str
        Band labels (for the reasons).
    min_population : float
        A group needs more person-years than this.
    ratio_bands : int, optional
        Apply "more deaths than population" only to the first ``ratio_bands``
        bands (default all). Single-year tables at the highest ages (where
        one-year rates above 1 are real, see :mod:`helpers.stats.lifetable_scb`)
        only need deaths ≥ 0 and population > 0.
    open_band : bool
        Whether the last band is the table's own open band, which needs
        deaths (False when the table is closed with a borrowed value).
    total : numpy.ndarray, optional
        Person-years per group for the population rule (default the sum of ``P``).
    """
    G, B = D.shape
    lab = np.asarray(labels, dtype=object)
    reason = np.full(G, "", dtype=object)
    band = np.full(G, -1)

    def fill(mask_2d: np.ndarray | None, mask_1d: np.ndarray | None, make, at: int = -1) -> None:
        if mask_2d is not None:
            hit = mask_2d.any(axis=1) & (reason == "")
            j = mask_2d.argmax(axis=1)
        else:
            hit = mask_1d & (reason == "")
            j = np.full(G, at)
        if hit.any():
            idx = np.flatnonzero(hit)
            reason[idx] = [make(g, j[g]) for g in idx]
            band[idx] = j[idx]

    def n0(x: float) -> str:
        return fmt.num(float(x), 0 if float(x).is_integer() else 1)

    fill(D < 0, None, lambda g, j: f"negativt antal döda ({n0(D[g, j])}) i åldersgruppen {lab[j]}")
    fill(P <= 0, None, lambda g, j: f"folkmängden är {n0(P[g, j])} (≤ 0) i åldersgruppen {lab[j]}")
    ratio = D > P
    if ratio_bands is not None:
        ratio[:, ratio_bands:] = False
    fill(
        ratio,
        None,
        lambda g, j: (
            f"fler döda ({n0(D[g, j])}) än folkmängd ({n0(P[g, j])}) i åldersgruppen {lab[j]}"
        ),
    )
    total = P.sum(axis=1) if total is None else np.asarray(total, dtype=float)
    fill(
        None,
        total <= min_population,
        lambda g, j: (
            f"för liten befolkning: {n0(total[g])} personår (mer än {n0(min_population)} krävs)"
        ),
    )
    fill(
        None,
        (D[:, -1] == 0) & open_band,
        lambda g, j: (
            f"inga döda i den öppna åldersgruppen {lab[-1]} – livslängden kan inte beräknas"
        ),
        at=B - 1,
    )
    return reason == "", reason, band


def raise_invalid(
    keys: pd.DataFrame,
    valid: np.ndarray,
    reason: np.ndarray,
    band: np.ndarray,
    rows: np.ndarray,
    table: str,
) -> None:
    """Raise a :class:`DataError` listing every invalid group (with its CSV row), if any."""
    bad = np.flatnonzero(~valid)
    if len(bad) == 0:
        return
    desc = describe_keys(keys)
    problems = listed(
        bad,
        lambda g: Problem(
            f"{desc.iloc[g]}: {reason[g]}",
            table,
            int(rows[g, band[g]]) if band[g] >= 0 else None,
        ),
        table,
        "grupper",
    )
    raise DataError(problems)
