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
:func:`single_year_ages` (e.g. ``open_age=90``), use the abridged table, or –
as SCB does for its published kommun values – close it at 90 with the county's
remaining life expectancy (:mod:`helpers.stats.lifetable_scb`, the workbook's
default for kommuner; it shares the flagging of :func:`indicator_rows`).

The counts come as a long table, one row per group (area × sex × period …) and
band, with columns ``age`` (band start, e.g. ``0``, ``1``, ``5`` …, or a label
such as ``"1-4"`` / ``"90+"``), ``deaths`` and ``population``. All arithmetic is
done on arrays of shape ``(n_groups, n_bands)``, so thousands of areas ×
sexes × periods take milliseconds.

Helpers build that table from SCB-shaped single-year counts (in
:mod:`helpers.stats.lifetable_pooling`): :func:`pool_periods`
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

from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy.stats import norm

from helpers.core import indicators, lookup
from helpers.core.errors import DataError, Problem
from helpers.stats.ci import confidence_level
from helpers.stats.lifetable_checks import (
    MAX_CI_WIDTH,
    MIN_POPULATION,
    TABLE,
    UNCERTAIN_CI_WIDTH,
    default_by,
    raise_invalid,
    to_arrays,
    validity,
)
from helpers.stats.lifetable_chiang import (
    ABRIDGED_AGES,
    _check_ages,
    age_labels,
    chiang,
    indicator_id,
)

_Z95 = float(norm.ppf(0.975))


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
        by = default_by(counts)
    keys, D, P, rows = to_arrays(
        counts, list(by), ages_arr, age_col, deaths_col, population_col, table
    )
    valid, reason, band = validity(D, P, age_labels(ages_arr), min_population)
    if on_invalid == "raise":
        raise_invalid(keys, valid, reason, band, rows, table)
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
    want = wanted_ages(ages_arr, at_ages)
    by = indicator_by(counts, by, table)
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
    return indicator_rows(
        counts,
        by,
        keys,
        res,
        valid,
        reason,
        ages_arr,
        want,
        z,
        conf,
        note_col=note_col,
        uncertain_ci_width=uncertain_ci_width,
        indicator_prefix=indicator_prefix,
        source=source,
        **constants,
    )


def wanted_ages(ages_arr: np.ndarray, at_ages: Iterable[int] | str) -> list[int]:
    """Return the reported ages (``"all"`` = every band start); refuse other ages in Swedish."""
    if isinstance(at_ages, str):
        if at_ages != "all":
            raise DataError(f"at_ages måste vara en lista med åldrar eller 'all', inte '{at_ages}'")
        want = [int(a) for a in ages_arr]
    else:
        want = [int(a) for a in at_ages]
    unknown = [a for a in want if a not in set(ages_arr.tolist())]
    if unknown:
        raise DataError(
            f"Åldrarna {', '.join(map(str, unknown))} är inte början på någon åldersgrupp "
            f"({', '.join(age_labels(ages_arr))})"
        )
    return want


def indicator_by(counts: pd.DataFrame, by: Sequence[str] | None, table: str) -> list[str]:
    """Return the group columns of an indicator table (must include area and period)."""
    by = default_by(counts) if by is None else list(by)
    for col in ("area_code", "period"):
        if col not in by:
            raise DataError(Problem(f"kolumnen '{col}' behövs för indikatortabellen", table))
    return by


def indicator_rows(
    counts: pd.DataFrame,
    by: list[str],
    keys: pd.DataFrame,
    res: dict[str, np.ndarray],
    valid: np.ndarray,
    reason: np.ndarray,
    ages_arr: np.ndarray,
    want: list[int],
    z: float,
    conf: float,
    *,
    note_col: str = "note",
    uncertain_ci_width: float | None = UNCERTAIN_CI_WIDTH,
    indicator_prefix: str = "e",
    source: str = "Egen beräkning (livstabell)",
    **constants: object,
) -> pd.DataFrame:
    """Turn computed life tables into the indicator table, with flags and reasons.

    Shared by :func:`life_expectancy` and
    :func:`helpers.stats.lifetable_scb.life_expectancy_scb`, so both methods
    flag and suppress by the same rules.

    Parameters
    ----------
    counts : pandas.DataFrame
        The input counts (for the ``note`` column).
    by : list of str
        Group columns.
    keys : pandas.DataFrame
        One row per group (the ``by`` columns).
    res : dict of str to numpy.ndarray
        ``(n_groups, n_bands)`` arrays ``ex``, ``se_ex``, ``lx``, ``q_capped``
        and the counts ``_D``, ``_P`` (numerator/denominator from each age up).
    valid, reason : numpy.ndarray
        Per group: valid, and the Swedish reason when not.
    ages_arr : numpy.ndarray
        Band starts (the columns of ``res``).
    want : list of int
        Band starts to report.
    z, conf : float
        Normal quantile and level of the intervals.
    note_col, uncertain_ci_width, indicator_prefix, source, **constants
        As for :func:`life_expectancy`.

    Returns
    -------
    pandas.DataFrame
        A validated indicator table.
    """
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


__all__ = [
    "indicator_by",
    "indicator_rows",
    "life_expectancy",
    "life_table",
    "wanted_ages",
]
