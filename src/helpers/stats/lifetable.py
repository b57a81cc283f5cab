"""Life tables and life expectancy with confidence intervals (Chiang II).

The method is that of PHEindicatormethods' ``phe_life_expectancy`` (UK Health
Security Agency), re-implemented independently and checked against the
package's own test fixtures:

* abridged bands 0, 1–4, 5–9, …, 85–89 and an open band 90+ (or any other set
  of band starts, e.g. single years 0, 1, …, 99, 100+ – the last band is always
  open);
* fraction of the band lived by those who die: ``a = 0.1`` at age 0, ``0.5``
  elsewhere;
* ``q = n·M / (1 + n·M·(1 − a))``, set to 1 when ``deaths > population / n / a``
  (i.e. ``M > 1/(n·a)``), and 1 in the open band;
* person-years in the open band ``L = l / M``;
* Chiang's variance of the probability of dying, with Silcocks et al.'s extra
  term for the open band, ``4 / (D·M²)`` weighted by ``(l/2)²``;
* life expectancy and its standard error at every band start, confidence
  interval ``e ± z·se`` for any level.

Validity rules (as in the R package; every one gives a Swedish reason):

* no result for an area whose total population (person-years) is at most
  5 000, or that has negative deaths, a population ≤ 0 or more deaths than
  population in any band, or no deaths in the open band;
* the value is withheld (flag ``undertryckt``) but the confidence interval kept
  when the 95 % interval is wider than 20 years.

By default (``on_invalid="flag"``) a group that breaks a rule is reported with
flag ``undertryckt`` and the reason, so one odd kommun does not stop a
290-kommun run; ``on_invalid="raise"`` turns the same rules into
:class:`~helpers.core.errors.DataError`. Values are flagged ``osäker`` when the 95 %
interval is wider than 10 years, when q had to be set to 1 in a band at or above
the age, or when the mean population of a year was approximated (see
:func:`pool_periods`). Structural problems – missing columns, non-numeric or
missing counts, unknown, missing or duplicated age bands, areas or years that
do not match between the deaths and population tables, negative raw counts –
always raise :class:`~helpers.core.errors.DataError`, in Swedish, naming the table,
the group (area, sex, period) and the band; row numbers are as in a CSV file with
a header row (first data row = row 2).

Single-year tables (0, 1, …, 100+) follow the same method with ``n = 1``. For
kommuner they often break a validity rule at 95+ (no population, more deaths
than mean population, no deaths at 100+); close the table earlier with
:func:`single_year_ages` (e.g. ``open_age=90``) or use the abridged table.

The counts come as a long table, one row per group (area × sex × period …) and
band, with columns ``age`` (band start, e.g. ``0``, ``1``, ``5`` …, or a label
such as ``"1-4"`` / ``"90+"``), ``deaths`` and ``population``. All arithmetic is
done on arrays of shape ``(n_groups, n_bands)``, so thousands of areas ×
sexes × periods take milliseconds.

Helpers build that table from SCB-shaped single-year counts: :func:`pool_periods`
sums deaths and mean populations (mean of the stocks on 31 December of the
previous and the current year) over five-year periods, and :func:`to_abridged`
aggregates single ages into the abridged bands.

References
----------
Chiang CL. The Life Table and its Construction. In: Introduction to Stochastic
Processes in Biostatistics. Wiley, 1968.
Silcocks PBS, Jenner DA, Reza R. Life expectancy as a summary of mortality in a
population. J Epidemiol Community Health 2001;55:38–43.
PHEindicatormethods (R), ``phe_life_expectancy``, v2.1.0.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy.stats import norm

from helpers.core import fmt, indicators, lookup
from helpers.core.errors import DataError, Problem
from helpers.stats.ci import confidence_level, z_value

#: Start ages of the abridged bands 0, 1–4, 5–9, …, 85–89, 90+.
ABRIDGED_AGES: tuple[int, ...] = (0, 1, *range(5, 95, 5))
#: Start ages of the single-year table 0, 1, …, 99, 100+.
SINGLE_AGES: tuple[int, ...] = tuple(range(101))
#: An area needs more than this many person-years for a life table.
MIN_POPULATION = 5000.0
#: Values are withheld when the 95 % confidence interval is wider than this (years).
MAX_CI_WIDTH = 20.0
#: Values are marked uncertain when the 95 % confidence interval is wider than this (years).
UNCERTAIN_CI_WIDTH = 10.0
#: Radix of the life table (l at age 0).
RADIX = 100_000.0
#: Default table name used in error messages.
TABLE = "dödsfall och folkmängd"

_Z95 = float(norm.ppf(0.975))
_KEY_CANDIDATES = ("area_code", "area_name", "area_type", "sex", "group", "period", "period_label")
_KEY_LABELS = {
    "area_code": "område",
    "area_name": "namn",
    "sex": "kön",
    "group": "grupp",
    "period": "period",
    "period_label": "period",
}
_SEX_MAP = {
    "men": "män",
    "man": "män",
    "män": "män",
    "male": "män",
    "1": "män",
    "women": "kvinnor",
    "woman": "kvinnor",
    "kvinnor": "kvinnor",
    "female": "kvinnor",
    "2": "kvinnor",
    "totalt": "totalt",
    "total": "totalt",
    "both": "totalt",
    "1+2": "totalt",
}
_SEXES = ("kvinnor", "män", "totalt")
_MAX_LISTED = 20


# --------------------------------------------------------------------------------------
# Small public helpers
# --------------------------------------------------------------------------------------
def single_year_ages(open_age: int = 100) -> tuple[int, ...]:
    """Return band starts 0, 1, …, ``open_age`` (the last band is open).

    Parameters
    ----------
    open_age : int
        Start of the open band, e.g. 100 for ``100+`` or 90 for ``90+``.
    """
    if open_age < 1:
        raise DataError(f"Den öppna åldersgruppen måste börja vid minst 1 år, inte {open_age}")
    return tuple(range(open_age + 1))


def age_labels(ages: Sequence[int]) -> list[str]:
    """Return Swedish band labels: ``"0"``, ``"1–4"``, …, ``"90+"`` (single years: ``"7"``)."""
    ages = [int(a) for a in ages]
    out = []
    for i, start in enumerate(ages):
        if i == len(ages) - 1:
            out.append(f"{start}+")
        elif ages[i + 1] - start == 1:
            out.append(str(start))
        else:
            out.append(f"{start}–{ages[i + 1] - 1}")
    return out


def indicator_id(age: int, prefix: str = "e") -> str:
    """Return the indicator id of life expectancy at ``age`` (``"e0"``, ``"e30"``)."""
    return f"{prefix}{int(age)}"


def period_label(first_year: int, last_year: int) -> str:
    """Return the label of a multi-year period, ``"2015–2019"`` (en dash)."""
    return str(last_year) if first_year == last_year else f"{first_year}–{last_year}"


def _check_ages(ages: Sequence[int]) -> np.ndarray:
    arr = np.asarray([int(a) for a in ages], dtype=int)
    if len(arr) < 2:
        raise DataError("Livstabellen behöver minst två åldersgrupper")
    if arr[0] != 0:
        raise DataError(f"Den första åldersgruppen måste börja vid 0 år, inte {arr[0]}")
    if np.any(np.diff(arr) <= 0):
        bad = [int(x) for x, d in zip(arr[1:], np.diff(arr), strict=True) if d <= 0]
        raise DataError(
            "Åldersgrupperna måste anges i stigande ordning; i fel ordning: "
            + ", ".join(map(str, bad))
        )
    return arr


# --------------------------------------------------------------------------------------
# The array core
# --------------------------------------------------------------------------------------
def chiang(
    deaths: np.ndarray, population: np.ndarray, ages: Sequence[int], radix: float = RADIX
) -> dict[str, np.ndarray]:
    """Compute Chiang II life tables for many groups at once (pure array arithmetic).

    Parameters
    ----------
    deaths, population : numpy.ndarray
        Arrays of shape ``(n_groups, n_bands)``; bands in the order of ``ages``.
        No validity checks are made here (see :func:`life_table`); degenerate
        groups give ``inf``/``nan`` without warnings.
    ages : sequence of int
        Band starts, first 0, strictly increasing; the last band is open.
    radix : float
        ``l`` at age 0.

    Returns
    -------
    dict of str to numpy.ndarray
        ``nx`` (band width, NaN for the open band), ``ax``, ``mx``, ``qx``, ``px``,
        ``lx``, ``dx``, ``Lx``, ``Tx``, ``ex`` (life expectancy at the band start),
        ``var_ex`` (its variance), ``se_ex`` and ``q_capped`` (q set to 1 in a
        closed band), each ``(n_groups, n_bands)``.
    """
    age = _check_ages(ages).astype(float)
    D = np.atleast_2d(np.asarray(deaths, dtype=float))
    P = np.atleast_2d(np.asarray(population, dtype=float))
    if D.shape != P.shape or D.shape[1] != len(age):
        raise ValueError(f"shape mismatch: deaths {D.shape}, population {P.shape}, {len(age)} ages")
    G, B = D.shape
    n = np.append(np.diff(age), np.nan)
    a = np.where(age == 0, 0.1, 0.5)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        M = D / P
        nc, ac = n[:-1], a[:-1]
        Mc = M[:, :-1]
        rule = D[:, :-1] <= P[:, :-1] / nc / ac
        q = np.ones_like(M)
        q[:, :-1] = np.where(rule, Mc * nc / (1 + Mc * nc * (1 - ac)), 1.0)
        q_capped = np.zeros(M.shape, dtype=bool)
        q_capped[:, :-1] = ~rule
        p = 1.0 - q
        lx = np.empty_like(M)
        lx[:, 0] = radix
        lx[:, 1:] = radix * np.cumprod(p[:, :-1], axis=1)
        l_next = np.zeros_like(lx)
        l_next[:, :-1] = lx[:, 1:]
        dx = lx - l_next
        Lx = np.empty_like(M)
        Lx[:, :-1] = nc * (l_next[:, :-1] + ac * dx[:, :-1])
        Lx[:, -1] = lx[:, -1] / M[:, -1]
        Tx = np.cumsum(Lx[:, ::-1], axis=1)[:, ::-1]
        ex = np.where(lx == 0, 0.0, Tx / lx)
        # Chiang's variance of q (zero where nobody dies in the table) ...
        spi = np.where(dx == 0, 0.0, q**2 * (1 - q) / D)
        # ... and Silcocks' term for the open band (mean survival 1/M).
        spi[:, -1] = 4.0 / (D[:, -1] * M[:, -1] ** 2)
        e_next = np.zeros_like(ex)
        e_next[:, :-1] = ex[:, 1:]
        W = np.empty_like(M)
        W[:, :-1] = spi[:, :-1] * lx[:, :-1] ** 2 * ((1 - ac) * nc + e_next[:, :-1]) ** 2
        W[:, -1] = (lx[:, -1] / 2) ** 2 * spi[:, -1]
        ST = np.cumsum(W[:, ::-1], axis=1)[:, ::-1]
        var = ST / lx**2
        se = np.sqrt(var)
    return {
        "nx": np.broadcast_to(n, (G, B)).copy(),
        "ax": np.broadcast_to(a, (G, B)).copy(),
        "mx": M,
        "qx": q,
        "px": p,
        "lx": lx,
        "dx": dx,
        "Lx": Lx,
        "Tx": Tx,
        "ex": ex,
        "var_ex": var,
        "se_ex": se,
        "q_capped": q_capped,
    }


# --------------------------------------------------------------------------------------
# From a long table to arrays (with validation)
# --------------------------------------------------------------------------------------
def _parse_age(values: pd.Series) -> pd.Series:
    """Leading integer of an age or band label (``"85-89"`` → 85, ``"90+"`` → 90)."""
    if pd.api.types.is_numeric_dtype(values):
        num = pd.to_numeric(values, errors="coerce")
        ok = num.notna() & (num == np.floor(num))
        return num.where(ok).astype("Int64")
    text = values.astype("string").str.strip()
    lead = text.str.extract(r"^\D*?(\d+)", expand=False)
    return pd.to_numeric(lead, errors="coerce").astype("Int64")


def _describe_keys(keys: pd.DataFrame) -> pd.Series:
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


def _numeric_column(df: pd.DataFrame, col: str, table: str, problems: list[Problem]) -> np.ndarray:
    raw = df[col]
    num = pd.to_numeric(raw, errors="coerce")
    bad = num.isna().to_numpy() | ~np.isfinite(num.to_numpy(dtype=float, na_value=np.nan))
    if bad.any():
        idx = np.flatnonzero(bad)
        for i in idx[:_MAX_LISTED]:
            val = raw.iloc[i]
            msg = (
                "värde saknas"
                if pd.isna(val)
                else f"'{val}' är inte ett tal (antal måste vara numeriska)"
            )
            problems.append(Problem(msg, table, int(i) + 2, col))
        if len(idx) > _MAX_LISTED:
            problems.append(Problem(f"… och {len(idx) - _MAX_LISTED} rader till", table, None, col))
    return num.to_numpy(dtype=float, na_value=np.nan)


def _to_arrays(
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
    missing = [c for c in (*by, age_col, deaths_col, population_col) if c not in counts.columns]
    if missing:
        raise DataError(Problem(f"kolumner saknas: {', '.join(missing)}", table))
    if len(counts) == 0:
        raise DataError(Problem("tabellen är tom", table))
    problems: list[Problem] = []
    deaths = _numeric_column(counts, deaths_col, table, problems)
    pop = _numeric_column(counts, population_col, table, problems)
    age = _parse_age(counts[age_col])
    band_of = {int(a): i for i, a in enumerate(ages)}
    band = age.map(band_of, na_action="ignore").astype("Int64")
    labels = age_labels(ages)
    unknown = band.isna().to_numpy()
    if unknown.any():
        idx = np.flatnonzero(unknown)
        allowed = ", ".join(labels)
        for i in idx[:_MAX_LISTED]:
            problems.append(
                Problem(
                    f"okänd åldersgrupp '{counts[age_col].iloc[i]}' (förväntade början av: {allowed})",
                    table,
                    int(i) + 2,
                    age_col,
                )
            )
        if len(idx) > _MAX_LISTED:
            problems.append(Problem(f"… och {len(idx) - _MAX_LISTED} rader till", table))
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
    desc = _describe_keys(keys)
    if (seen > 1).any():
        dup = np.argwhere(seen > 1)
        for g, j in dup[:_MAX_LISTED]:
            problems.append(
                Problem(f"{desc.iloc[g]}: åldersgruppen {labels[j]} förekommer flera gånger", table)
            )
        if len(dup) > _MAX_LISTED:
            problems.append(Problem(f"… och {len(dup) - _MAX_LISTED} dubbletter till", table))
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


def _default_by(counts: pd.DataFrame) -> list[str]:
    return [c for c in _KEY_CANDIDATES if c in counts.columns]


def _validity(
    D: np.ndarray, P: np.ndarray, labels: Sequence[str], min_population: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per group: is it valid, the Swedish reason (empty when valid), and the offending band."""
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
    fill(
        D > P,
        None,
        lambda g, j: (
            f"fler döda ({n0(D[g, j])}) än folkmängd ({n0(P[g, j])}) i åldersgruppen {lab[j]}"
        ),
    )
    total = P.sum(axis=1)
    fill(
        None,
        total <= min_population,
        lambda g, j: (
            f"för liten befolkning: {n0(total[g])} personår (mer än {n0(min_population)} krävs)"
        ),
    )
    fill(
        None,
        D[:, -1] == 0,
        lambda g, j: (
            f"inga döda i den öppna åldersgruppen {lab[-1]} – livslängden kan inte beräknas"
        ),
        at=B - 1,
    )
    return reason == "", reason, band


def _raise_invalid(
    keys: pd.DataFrame,
    valid: np.ndarray,
    reason: np.ndarray,
    band: np.ndarray,
    rows: np.ndarray,
    table: str,
) -> None:
    bad = np.flatnonzero(~valid)
    if len(bad) == 0:
        return
    desc = _describe_keys(keys)
    problems = [
        Problem(
            f"{desc.iloc[g]}: {reason[g]}",
            table,
            int(rows[g, band[g]]) if band[g] >= 0 else None,
        )
        for g in bad[:_MAX_LISTED]
    ]
    if len(bad) > _MAX_LISTED:
        problems.append(Problem(f"… och {len(bad) - _MAX_LISTED} grupper till", table))
    raise DataError(problems)


# --------------------------------------------------------------------------------------
# Public table functions
# --------------------------------------------------------------------------------------
def life_table(
    counts: pd.DataFrame,
    *,
    ages: Sequence[int] = ABRIDGED_AGES,
    by: Sequence[str] | None = None,
    confidence: float = 0.95,
    age_col: str = "age",
    deaths_col: str = "deaths",
    population_col: str = "population",
    min_population: float = MIN_POPULATION,
    on_invalid: Literal["flag", "raise"] = "flag",
    table: str = TABLE,
) -> pd.DataFrame:
    """Return the full Chiang II life table of every group, one row per group and band.

    Parameters
    ----------
    counts : pandas.DataFrame
        Long table: group columns (``by``), ``age`` (band start or label),
        ``deaths`` and ``population`` (person-years, e.g. mean population).
    ages : sequence of int
        Band starts (:data:`ABRIDGED_AGES`, :data:`SINGLE_AGES` or
        :func:`single_year_ages`); every group must have each band exactly once.
    by : sequence of str, optional
        Group columns; default those of ``area_code, area_name, area_type, sex,
        group, period, period_label`` present in ``counts``.
    confidence : float
        Level of ``ci_lower``/``ci_upper`` (0.95 or 95).
    age_col, deaths_col, population_col : str
        Column names in ``counts``.
    min_population : float
        Groups with at most this many person-years get no table.
    on_invalid : {"flag", "raise"}
        ``"flag"`` (default): groups that break a validity rule get NaN and a
        reason; ``"raise"``: raise :class:`~helpers.core.errors.DataError` instead.
    table : str
        Name of the table in error messages.

    Returns
    -------
    pandas.DataFrame
        Group columns, ``age``, ``age_label``, ``deaths``, ``population``, ``nx``,
        ``ax``, ``mx``, ``qx``, ``px``, ``lx``, ``dx``, ``Lx``, ``Tx``, ``ex``,
        ``var_ex``, ``se_ex``, ``ci_lower``, ``ci_upper``, ``ci_level``,
        ``ci_over_20`` (95 % CI wider than 20 years), ``q_capped``, ``valid``
        and ``reason`` (Swedish, empty when valid). Invalid groups have NaN in
        every computed column.

    Raises
    ------
    DataError
        Missing columns, non-numeric or missing counts, unknown, missing or
        duplicated age bands; with ``on_invalid="raise"`` also the validity rules.
    """
    keys, res, valid, reason, _rows, ages_arr, z, conf = _compute(
        counts,
        ages,
        by,
        confidence,
        age_col,
        deaths_col,
        population_col,
        min_population,
        on_invalid,
        table,
    )
    G, B = res["ex"].shape
    out = keys.loc[np.repeat(np.arange(G), B)].reset_index(drop=True)
    out["age"] = np.tile(ages_arr, G)
    out["age_label"] = np.tile(np.asarray(age_labels(ages_arr), dtype=object), G)
    out["deaths"] = res["_D"].ravel()
    out["population"] = res["_P"].ravel()
    mask = np.repeat(~valid, B)
    for col in ("nx", "ax", "mx", "qx", "px", "lx", "dx", "Lx", "Tx", "ex", "var_ex", "se_ex"):
        v = res[col].ravel().astype(float)
        if col not in ("nx", "ax"):
            v = np.where(mask, np.nan, v)
        out[col] = v
    out["ex"] = out["ex"].where(np.isfinite(out["ex"]))
    out["ci_lower"] = out["ex"] - z * out["se_ex"]
    out["ci_upper"] = out["ex"] + z * out["se_ex"]
    out["ci_level"] = conf
    out["ci_over_20"] = (_Z95 * out["se_ex"] > MAX_CI_WIDTH / 2).to_numpy()
    out["q_capped"] = np.where(mask, False, res["q_capped"].ravel())
    out["valid"] = np.repeat(valid, B)
    out["reason"] = np.repeat(reason, B)
    return out


def _compute(
    counts: pd.DataFrame,
    ages: Sequence[int],
    by: Sequence[str] | None,
    confidence: float,
    age_col: str,
    deaths_col: str,
    population_col: str,
    min_population: float,
    on_invalid: str,
    table: str,
) -> tuple:
    """Validate, assess and compute; shared by :func:`life_table` and :func:`life_expectancy`."""
    if on_invalid not in ("flag", "raise"):
        raise DataError(f"on_invalid måste vara 'flag' eller 'raise', inte '{on_invalid}'")
    ages_arr = _check_ages(ages)
    conf = confidence_level(confidence)
    z = float(norm.ppf(0.5 + conf / 2))
    if by is None:
        by = _default_by(counts)
    keys, D, P, rows = _to_arrays(
        counts, list(by), ages_arr, age_col, deaths_col, population_col, table
    )
    valid, reason, band = _validity(D, P, age_labels(ages_arr), min_population)
    if on_invalid == "raise":
        _raise_invalid(keys, valid, reason, band, rows, table)
    # Compute on harmless stand-ins for invalid groups, then blank them.
    Dc = np.where(valid[:, None], D, 1.0)
    Pc = np.where(valid[:, None], P, 2.0)
    res = chiang(Dc, Pc, ages_arr)
    res["_D"], res["_P"] = D, P
    return keys, res, valid, reason, rows, ages_arr, z, conf


def _area_type(code: pd.Series) -> pd.Series:
    code = code.astype("string")
    return pd.Series(
        np.where(
            code == lookup.RIKET_CODE,
            "riket",
            np.where(code.str.startswith("00") & (code.str.len() == 4), "region", "kommun"),
        ),
        index=code.index,
    )


def life_expectancy(
    counts: pd.DataFrame,
    *,
    ages: Sequence[int] = ABRIDGED_AGES,
    at_ages: Iterable[int] | Literal["all"] = (0,),
    by: Sequence[str] | None = None,
    confidence: float = 0.95,
    age_col: str = "age",
    deaths_col: str = "deaths",
    population_col: str = "population",
    note_col: str = "note",
    min_population: float = MIN_POPULATION,
    uncertain_ci_width: float | None = UNCERTAIN_CI_WIDTH,
    on_invalid: Literal["flag", "raise"] = "flag",
    indicator_prefix: str = "e",
    source: str = "Egen beräkning (livstabell, Chiang II)",
    table: str = TABLE,
    **constants: object,
) -> pd.DataFrame:
    """Return life expectancy with confidence intervals as a tidy indicator table.

    One row per group and requested age, indicator ``"e0"``, ``"e30"`` …
    (:func:`indicator_id`). ``numerator``/``denominator`` are the deaths and
    person-years from that age upwards (what the estimate rests on).

    Parameters
    ----------
    counts : pandas.DataFrame
        Long table as for :func:`life_table`, with at least ``area_code`` and
        ``period`` among the group columns; ``sex``, ``group``, ``area_name``,
        ``area_type`` and ``period_label`` are used when present (``area_type``
        and ``area_name`` are otherwise derived from the code). A column
        ``note`` (from :func:`pool_periods`) makes a value ``osäker``.
    ages : sequence of int
        Band starts of the table.
    at_ages : iterable of int or "all"
        Ages (band starts) to report.
    by, confidence, age_col, deaths_col, population_col, min_population, on_invalid, table
        As for :func:`life_table`.
    note_col : str
        Column with a per-group note (non-empty → flag ``osäker``).
    uncertain_ci_width : float or None
        Values whose 95 % CI is wider than this many years are flagged
        ``osäker`` (default 10, half the suppression limit); ``None`` turns it off.
    indicator_prefix : str
        Prefix of the indicator id.
    source : str
        Attribution (``source`` column).
    **constants
        Further columns for :func:`helpers.core.indicators.make` (override).

    Returns
    -------
    pandas.DataFrame
        A validated indicator table. Flags: ``tillförlitlig``; ``osäker`` (wide
        CI, q set to 1 in a band at or above the age, or a note); ``undertryckt``
        with the reason (validity rule broken → value and CI NaN; 95 % CI wider
        than 20 years → value NaN, CI kept).
    """
    ages_arr = _check_ages(ages)
    if isinstance(at_ages, str):
        if at_ages != "all":
            raise DataError(f"at_ages måste vara en lista med åldrar eller 'all', inte '{at_ages}'")
        want = list(ages_arr)
    else:
        want = [int(a) for a in at_ages]
    unknown = [a for a in want if a not in set(ages_arr.tolist())]
    if unknown:
        raise DataError(
            f"Åldrarna {', '.join(map(str, unknown))} är inte början på någon åldersgrupp "
            f"({', '.join(age_labels(ages_arr))})"
        )
    if by is None:
        by = _default_by(counts)
    for col in ("area_code", "period"):
        if col not in by:
            raise DataError(Problem(f"kolumnen '{col}' behövs för indikatortabellen", table))
    keys, res, valid, reason, _rows, ages_arr, z, conf = _compute(
        counts,
        ages_arr,
        by,
        confidence,
        age_col,
        deaths_col,
        population_col,
        min_population,
        on_invalid,
        table,
    )
    G, B = res["ex"].shape
    idx = np.searchsorted(ages_arr, want)
    K = len(idx)
    D, P = res["_D"], res["_P"]
    cumD = np.cumsum(D[:, ::-1], axis=1)[:, ::-1]
    cumP = np.cumsum(P[:, ::-1], axis=1)[:, ::-1]
    e = res["ex"][:, idx]
    se = res["se_ex"][:, idx]
    lx = res["lx"][:, idx]
    # First band at or above each reported age where q was set to 1 (B = none).
    cap_pos = np.where(res["q_capped"], np.arange(B), B)
    next_cap = np.minimum.accumulate(cap_pos[:, ::-1], axis=1)[:, ::-1][:, idx].ravel()
    g_valid = np.repeat(valid, K)
    value = e.ravel().astype(float)
    sev = se.ravel().astype(float)
    dead_end = ~np.isfinite(value) | (lx.ravel() == 0) | ~np.isfinite(sev)
    over20 = _Z95 * sev > MAX_CI_WIDTH / 2
    lower = value - z * sev
    upper = value + z * sev
    labels = np.asarray(age_labels(ages_arr), dtype=object)

    flag = np.full(G * K, indicators.FLAG_OK, dtype=object)
    why = np.full(G * K, "", dtype=object)
    # Uncertain (lowest priority, several reasons may join).
    unc_parts: list[np.ndarray] = []
    if uncertain_ci_width is not None:
        wide = 2 * _Z95 * sev > uncertain_ci_width
        unc_parts.append(
            np.where(
                wide, f"konfidensintervallet (95 %) är bredare än {uncertain_ci_width:g} år", ""
            )
        )
    cap_lab = np.append(labels, "")[next_cap]
    unc_parts.append(
        np.where(next_cap < B, "dödsrisken sattes till 1 i åldersgruppen " + cap_lab, "")
    )
    if note_col in counts.columns:
        note = _group_note(counts, list(by), note_col, keys)
        unc_parts.append(np.repeat(note, K))
    unc = unc_parts[0].astype(object)
    for part in unc_parts[1:]:
        part = part.astype(object)
        unc = np.where(
            (unc != "") & (part != ""), unc + "; " + part, np.where(unc != "", unc, part)
        )
    is_unc = unc != ""
    flag[is_unc] = indicators.FLAG_UNCERTAIN
    why[is_unc] = unc[is_unc]
    # Suppressed, CI kept.
    flag[over20] = indicators.FLAG_SUPPRESSED
    why[over20] = "konfidensintervallet (95 %) är bredare än 20 år – värdet visas inte"
    value = np.where(over20, np.nan, value)
    # No survivors / no finite value.
    ages_rep = np.tile(np.asarray(want), G)
    flag[dead_end] = indicators.FLAG_SUPPRESSED
    why[dead_end] = [
        f"inga överlevande kvar i livstabellen vid {a} års ålder" for a in ages_rep[dead_end]
    ]
    value = np.where(dead_end, np.nan, value)
    lower = np.where(dead_end, np.nan, lower)
    upper = np.where(dead_end, np.nan, upper)
    # Invalid group.
    flag[~g_valid] = indicators.FLAG_SUPPRESSED
    why[~g_valid] = np.repeat(reason, K)[~g_valid]
    value = np.where(g_valid, value, np.nan)
    lower = np.where(g_valid, lower, np.nan)
    upper = np.where(g_valid, upper, np.nan)

    out = keys.loc[np.repeat(np.arange(G), K)].reset_index(drop=True)
    out["indicator"] = [indicator_id(a, indicator_prefix) for a in ages_rep]
    out["value"] = value
    out["ci_lower"] = lower
    out["ci_upper"] = upper
    out["ci_level"] = conf
    out["numerator"] = cumD[:, idx].ravel()
    out["denominator"] = cumP[:, idx].ravel()
    out["n"] = np.nan
    out["flag"] = flag
    out["flag_reason"] = why
    out["area_code"] = out["area_code"].astype("string")
    if "area_type" not in out.columns:
        out["area_type"] = _area_type(out["area_code"])
    if "area_name" not in out.columns:
        names = lookup.areas().set_index("area_code")["area_name"]
        out["area_name"] = out["area_code"].map(names).fillna(out["area_code"])
    if "period_label" not in out.columns:
        out["period_label"] = out["period"].astype("Int64").astype("string")
    out["source"] = source
    extra = [c for c in by if c not in indicators.COLUMNS]
    out = out.drop(columns=extra)
    return indicators.make(out, **constants)


def _group_note(
    counts: pd.DataFrame, by: list[str], note_col: str, keys: pd.DataFrame
) -> np.ndarray:
    """First non-empty note per group, aligned with ``keys``."""
    gid = counts.groupby(by, sort=False, dropna=False).ngroup().to_numpy()
    notes = counts[note_col].astype("string").fillna("").to_numpy(dtype=object)
    out = np.full(len(keys), "", dtype=object)
    has = notes != ""
    # later rows overwrite earlier; all rows of a group carry the same note
    out[gid[has]] = notes[has]
    return out


# --------------------------------------------------------------------------------------
# Preparing counts: SCB-shaped single-year tables → pooled periods → abridged bands
# --------------------------------------------------------------------------------------
class _Raw:
    """An SCB-shaped count table, integer-coded for fast pooling."""

    def __init__(self, areas, names, area_idx, sex, year, age, values, rows):
        self.areas = areas  # list of area codes (str)
        self.names = names  # dict code -> name (may be empty)
        self.area_idx = area_idx
        self.sex = sex  # per row: index into _SEXES
        self.year = year
        self.age = age
        self.values = values
        self.rows = rows


def _normalise_raw(df: pd.DataFrame, value_col: str, table: str) -> _Raw:
    """Validate an SCB-shaped count table (``kommunkod, kommun, year, sex, age, <value>``)."""
    ren = {}
    if "area_code" not in df.columns:
        for cand in ("kommunkod", "regionkod", "region", "area"):
            if cand in df.columns:
                ren[cand] = "area_code"
                break
    if "area_name" not in df.columns and "kommun" in df.columns:
        ren["kommun"] = "area_name"
    out = df.rename(columns=ren) if ren else df
    missing = [c for c in ("area_code", "sex", "year", "age", value_col) if c not in out.columns]
    if missing:
        raise DataError(Problem(f"kolumner saknas: {', '.join(missing)}", table))
    if len(out) == 0:
        raise DataError(Problem("tabellen är tom", table))
    problems: list[Problem] = []
    values = _numeric_column(out, value_col, table, problems)
    neg = np.flatnonzero(values < 0)
    for i in neg[:_MAX_LISTED]:
        problems.append(
            Problem(
                f"negativt antal ({values[i]:g}) för område {out['area_code'].iloc[i]}, "
                f"år {out['year'].iloc[i]}, ålder {out['age'].iloc[i]}",
                table,
                int(i) + 2,
                value_col,
            )
        )
    if len(neg) > _MAX_LISTED:
        problems.append(Problem(f"… och {len(neg) - _MAX_LISTED} negativa värden till", table))
    year = pd.to_numeric(out["year"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad_year = np.flatnonzero(~np.isfinite(year) | (year != np.floor(year)))
    for i in bad_year[:_MAX_LISTED]:
        problems.append(Problem(f"ogiltigt år '{out['year'].iloc[i]}'", table, int(i) + 2, "year"))
    age = _parse_age(out["age"])
    for i in np.flatnonzero(age.isna().to_numpy())[:_MAX_LISTED]:
        problems.append(Problem(f"ogiltig ålder '{out['age'].iloc[i]}'", table, int(i) + 2, "age"))
    sex_codes, sex_uniques = pd.factorize(out["sex"], use_na_sentinel=True)
    sex_map = [_SEX_MAP.get(str(s).strip().lower()) for s in sex_uniques]
    bad_sex = [k for k, m in enumerate(sex_map) if m is None]
    bad_rows = np.flatnonzero(np.isin(sex_codes, bad_sex) | (sex_codes < 0))
    for i in bad_rows[:_MAX_LISTED]:
        problems.append(
            Problem(
                f"okänt kön '{out['sex'].iloc[i]}' (tillåtna: män/men, kvinnor/women, totalt)",
                table,
                int(i) + 2,
                "sex",
            )
        )
    code = out["area_code"]
    if pd.api.types.is_numeric_dtype(code):
        code = code.astype("Int64").astype("string").str.zfill(4)
    area_idx, area_uniques = pd.factorize(code, use_na_sentinel=True)
    for i in np.flatnonzero(area_idx < 0)[:_MAX_LISTED]:
        problems.append(Problem("områdeskod saknas", table, int(i) + 2, "area_code"))
    if problems:
        raise DataError(problems)
    names: dict[str, str] = {}
    if "area_name" in out.columns:
        first = pd.Series(np.arange(len(out))).groupby(area_idx).first().to_numpy()
        names = dict(
            zip(
                [str(a) for a in area_uniques],
                out["area_name"].iloc[first].astype("string").tolist(),
                strict=True,
            )
        )
    sex = np.asarray([_SEXES.index(m) for m in sex_map], dtype=int)[sex_codes]
    return _Raw(
        [str(a) for a in area_uniques],
        names,
        area_idx,
        sex,
        year.astype(int),
        age.to_numpy(dtype=int),
        values,
        np.arange(len(out)) + 2,
    )


def rolling_periods(years: Iterable[int], length: int = 5) -> list[tuple[int, int]]:
    """Return every period of ``length`` consecutive years within ``years``.

    Parameters
    ----------
    years : iterable of int
        Available years.
    length : int
        Period length (SCB: 5).

    Returns
    -------
    list of tuple of int
        ``(first_year, last_year)``, oldest first.
    """
    ys = sorted({int(y) for y in years})
    have = set(ys)
    return [(y, y + length - 1) for y in ys if all(y + k in have for k in range(length))]


def _dense(
    raw: _Raw, areas: list[str], sexes: list[str], ages: np.ndarray, years: list[int], table: str
):
    """Scatter a raw table into a dense ``(area, sex, age, year)`` array; report holes and duplicates."""
    a_pos = pd.Index(areas).get_indexer(raw.areas)[raw.area_idx]
    s_pos = pd.Index(sexes).get_indexer(list(_SEXES))[raw.sex]
    g_pos = pd.Index(ages).get_indexer(raw.age)
    y_pos = pd.Index(years).get_indexer(raw.year)
    keep = (y_pos >= 0) & (g_pos >= 0)
    shape = (len(areas), len(sexes), len(ages), len(years))
    flat = np.ravel_multi_index((a_pos[keep], s_pos[keep], g_pos[keep], y_pos[keep]), shape)
    n = np.bincount(flat, minlength=int(np.prod(shape))).reshape(shape)
    arr = np.full(shape, np.nan)
    arr.reshape(-1)[flat] = raw.values[keep]
    problems: list[Problem] = []
    for kind, mask in (("förekommer flera gånger", n > 1), ("värde saknas", n == 0)):
        hits = np.argwhere(mask)
        for i, s, g, y in hits[:_MAX_LISTED]:
            problems.append(
                Problem(
                    f"område {areas[i]}, {sexes[s]}, ålder {ages[g]}, år {years[y]}: {kind}", table
                )
            )
        if len(hits) > _MAX_LISTED:
            problems.append(Problem(f"… och {len(hits) - _MAX_LISTED} fall till", table))
    return arr, problems


def pool_periods(
    deaths: pd.DataFrame,
    population: pd.DataFrame,
    periods: Iterable[tuple[int, int]] | None = None,
    *,
    length: int = 5,
    first_year: Literal["require", "stock"] = "require",
    deaths_table: str = "döda",
    population_table: str = "folkmängd",
) -> pd.DataFrame:
    """Pool deaths and mean population over multi-year periods.

    The mean population of year Y is the mean of the stocks on 31 December Y−1
    and 31 December Y; a period's person-years are the sum over its years.

    Parameters
    ----------
    deaths : pandas.DataFrame
        SCB shape: ``kommunkod`` (or ``area_code``), optional ``kommun``, ``year``,
        ``sex`` (``men``/``women`` or ``män``/``kvinnor``), ``age``, ``deaths``.
    population : pandas.DataFrame
        Same shape with ``population`` (stock on 31 December of ``year``).
    periods : iterable of (int, int), optional
        ``(first_year, last_year)`` pairs; default every rolling period of
        ``length`` years that the two tables cover.
    length : int
        Period length when ``periods`` is not given.
    first_year : {"require", "stock"}
        What to do when the stock of 31 December Y−1 is missing for a year Y
        (typically the first year of the population table): ``"require"``
        (default) raises :class:`DataError` (and such periods are not chosen
        automatically); ``"stock"`` uses the stock of 31 December Y as that
        year's mean population and records it in the ``note`` column, which
        :func:`life_expectancy` turns into the flag ``osäker``.
    deaths_table, population_table : str
        Table names in error messages.

    Returns
    -------
    pandas.DataFrame
        ``area_code``, (``area_name``), ``sex``, ``period`` (last year),
        ``period_label`` (``"2015–2019"``), ``age``, ``deaths``, ``population``
        (person-years) and ``note`` (empty unless a fallback was used); sorted.

    Raises
    ------
    DataError
        Bad counts (non-numeric, missing, negative, duplicated), areas or sexes
        present in one table but not the other, missing years, and missing
        area × sex × age cells.
    """
    if first_year not in ("require", "stock"):
        raise DataError(f"first_year måste vara 'require' eller 'stock', inte '{first_year}'")
    d = _normalise_raw(deaths, "deaths", deaths_table)
    p = _normalise_raw(population, "population", population_table)
    problems: list[Problem] = []
    d_sexes = {_SEXES[i] for i in np.unique(d.sex)}
    p_sexes = {_SEXES[i] for i in np.unique(p.sex)}
    for what, col, dset, pset in (
        ("områden", "area_code", set(d.areas), set(p.areas)),
        ("kön", "sex", d_sexes, p_sexes),
    ):
        only_d, only_p = sorted(dset - pset), sorted(pset - dset)
        if only_d:
            problems.append(
                Problem(
                    f"{what} finns bland döda men inte i folkmängden: {_short_list(only_d)}",
                    deaths_table,
                    None,
                    col,
                )
            )
        if only_p:
            problems.append(
                Problem(
                    f"{what} finns i folkmängden men inte bland döda: {_short_list(only_p)}",
                    population_table,
                    None,
                    col,
                )
            )
    if problems:
        raise DataError(problems)
    d_years = set(np.unique(d.year).tolist())
    p_years = set(np.unique(p.year).tolist())
    if periods is None:
        need_prev = first_year == "require"
        periods = [
            (fy, ly)
            for fy, ly in rolling_periods(d_years, length)
            if set(range(fy - need_prev, ly + 1)) <= p_years
        ]
        if not periods:
            raise DataError(
                f"Inga hela perioder om {length} år finns i båda tabellerna "
                f"(döda: {_year_span(d_years)}, folkmängd 31 december: {_year_span(p_years)})"
            )
    periods = [(int(a), int(b)) for a, b in periods]
    for fy, ly in periods:
        if ly < fy:
            problems.append(Problem(f"perioden {fy}–{ly} slutar före den börjar"))
            continue
        label = period_label(fy, ly)
        miss_d = [y for y in range(fy, ly + 1) if y not in d_years]
        if miss_d:
            problems.append(
                Problem(
                    f"perioden {label}: döda saknas för år {_short_list(miss_d)}",
                    deaths_table,
                    None,
                    "year",
                )
            )
        for y in range(fy, ly + 1):
            if y not in p_years:
                problems.append(
                    Problem(
                        f"perioden {label}: folkmängden 31 december {y} saknas",
                        population_table,
                        None,
                        "year",
                    )
                )
            elif y - 1 not in p_years and first_year == "require":
                problems.append(
                    Problem(
                        f"perioden {label}: folkmängden 31 december {y - 1} saknas "
                        f"(behövs för medelfolkmängden {y}); ange first_year='stock' för att i "
                        f"stället använda folkmängden 31 december {y}",
                        population_table,
                        None,
                        "year",
                    )
                )
    if problems:
        raise DataError(problems)

    areas = sorted(set(d.areas))
    sexes = sorted(d_sexes)
    ages = np.unique(np.concatenate([d.age, p.age]))
    need_d = sorted({y for fy, ly in periods for y in range(fy, ly + 1)})
    need_p = sorted({yy for y in need_d for yy in (y - 1, y)} & p_years)
    D, prob_d = _dense(d, areas, sexes, ages, need_d, deaths_table)
    S, prob_p = _dense(p, areas, sexes, ages, need_p, population_table)
    if prob_d or prob_p:
        raise DataError(prob_d + prob_p)

    dcol = {y: i for i, y in enumerate(need_d)}
    pcol = {y: i for i, y in enumerate(need_p)}
    A, X, K = len(areas), len(sexes), len(ages)
    dsums, psums, notes = [], [], []
    for fy, ly in periods:  # a handful of periods; each sums over all cells at once
        ys = list(range(fy, ly + 1))
        dsums.append(D[..., [dcol[y] for y in ys]].sum(axis=-1))
        ps = np.zeros((A, X, K))
        fallback = []
        for y in ys:
            if y - 1 in pcol:
                ps += (S[..., pcol[y - 1]] + S[..., pcol[y]]) / 2
            else:
                ps += S[..., pcol[y]]
                fallback.append(y)
        psums.append(ps)
        notes.append(
            "; ".join(
                f"medelfolkmängden {y} skattad med folkmängden 31 december {y} "
                f"(31 december {y - 1} saknas)"
                for y in fallback
            )
        )
    n_per = len(periods)
    # order: area, sex, period, age
    dd = np.stack(dsums, axis=2)  # (A, X, n_per, K)
    pp = np.stack(psums, axis=2)
    ia, ix, ip, ig = (
        m.ravel()
        for m in np.meshgrid(
            np.arange(A), np.arange(X), np.arange(n_per), np.arange(K), indexing="ij"
        )
    )
    area_arr = np.asarray(areas, dtype=object)
    out = {"area_code": area_arr[ia]}
    if d.names:
        out["area_name"] = np.asarray([d.names.get(a, a) for a in areas], dtype=object)[ia]
    out["sex"] = np.asarray(sexes, dtype=object)[ix]
    out["period"] = np.asarray([ly for _, ly in periods])[ip]
    out["period_label"] = np.asarray([period_label(fy, ly) for fy, ly in periods], dtype=object)[ip]
    out["age"] = ages[ig]
    out["deaths"] = dd.ravel()
    out["population"] = pp.ravel()
    out["note"] = np.asarray(notes, dtype=object)[ip]
    res = pd.DataFrame(out)
    for col in ("area_code", "area_name", "sex", "period_label", "note"):
        if col in res:
            res[col] = res[col].astype("string")
    return res


def to_abridged(
    counts: pd.DataFrame,
    *,
    ages: Sequence[int] = ABRIDGED_AGES,
    age_col: str = "age",
    count_cols: Sequence[str] = ("deaths", "population"),
    table: str = TABLE,
) -> pd.DataFrame:
    """Aggregate single-year ages into bands (default 0, 1–4, …, 85–89, 90+).

    Parameters
    ----------
    counts : pandas.DataFrame
        Long table with single ages 0, 1, …, top (top = open age, e.g. 100+);
        all other columns except ``count_cols`` identify the groups.
    ages : sequence of int
        Band starts of the result (the last band is open).
    age_col : str
        Age column (integer single ages).
    count_cols : sequence of str
        Columns that are summed.
    table : str
        Table name in error messages.

    Returns
    -------
    pandas.DataFrame
        Same columns, ``age`` now the band start, one row per group and band.

    Raises
    ------
    DataError
        Non-integer ages, groups that do not have every single age from 0 to
        the top age, or a top age below the start of the open band.
    """
    bands = _check_ages(ages)
    missing = [c for c in (age_col, *count_cols) if c not in counts.columns]
    if missing:
        raise DataError(Problem(f"kolumner saknas: {', '.join(missing)}", table))
    age = _parse_age(counts[age_col])
    problems: list[Problem] = []
    for i in np.flatnonzero(age.isna().to_numpy())[:_MAX_LISTED]:
        problems.append(
            Problem(f"ogiltig ålder '{counts[age_col].iloc[i]}'", table, int(i) + 2, age_col)
        )
    for col in count_cols:
        _numeric_column(counts, col, table, problems)
    if problems:
        raise DataError(problems)
    age_np = age.to_numpy(dtype=int)
    top = int(age_np.max())
    if top < bands[-1]:
        raise DataError(
            Problem(
                f"högsta åldern är {top}, men den öppna åldersgruppen börjar vid {bands[-1]}",
                table,
                None,
                age_col,
            )
        )
    keys = [c for c in counts.columns if c not in (age_col, *count_cols)]
    work = counts.copy()
    work[age_col] = age_np
    gid = (
        work.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
        if keys
        else np.zeros(len(work), int)
    )
    G = int(gid.max()) + 1
    seen = np.zeros((G, top + 1), dtype=int)
    np.add.at(seen, (gid, age_np), 1)
    if (seen != 1).any():
        desc = (
            _describe_keys(
                work[keys]
                .iloc[pd.Series(np.arange(len(work))).groupby(gid).first().to_numpy()]
                .reset_index(drop=True)
            )
            if keys
            else pd.Series(["hela tabellen"])
        )
        for g in np.flatnonzero((seen != 1).any(axis=1))[:_MAX_LISTED]:
            miss = np.flatnonzero(seen[g] == 0).tolist()
            dup = np.flatnonzero(seen[g] > 1).tolist()
            parts = []
            if miss:
                parts.append(f"åldrar saknas: {_short_list(miss)}")
            if dup:
                parts.append(f"åldrar förekommer flera gånger: {_short_list(dup)}")
            problems.append(Problem(f"{desc.iloc[g]}: {'; '.join(parts)}", table, None, age_col))
        raise DataError(problems)
    band_start = bands[np.searchsorted(bands, age_np, side="right") - 1]
    work[age_col] = band_start
    for col in count_cols:
        work[col] = pd.to_numeric(work[col])
    out = (
        work.groupby([*keys, age_col], sort=False, dropna=False)[list(count_cols)]
        .sum()
        .reset_index()
    )
    return out[list(counts.columns)]


def _short_list(items: Sequence[object], limit: int = 10) -> str:
    items = list(items)
    text = ", ".join(str(x) for x in items[:limit])
    return text + (f" … (totalt {len(items)})" if len(items) > limit else "")


def _year_span(years: Iterable[int]) -> str:
    ys = sorted(years)
    return f"{ys[0]}–{ys[-1]}" if ys else "inga år"


__all__ = [
    "ABRIDGED_AGES",
    "MAX_CI_WIDTH",
    "MIN_POPULATION",
    "SINGLE_AGES",
    "UNCERTAIN_CI_WIDTH",
    "age_labels",
    "chiang",
    "indicator_id",
    "life_expectancy",
    "life_table",
    "period_label",
    "pool_periods",
    "rolling_periods",
    "single_year_ages",
    "to_abridged",
    "z_value",
]
