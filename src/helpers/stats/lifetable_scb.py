"""Life tables as SCB computes them for kommuner: single years, closed at 90 with the county.

The method
----------
SCB publishes life expectancy per kommun from single-year risks (risk time =
the sum of the yearly mean populations, each the mean of the stocks on 31
December of the previous and the current year, see
:func:`helpers.stats.lifetable_pooling.pool_periods`) and model-based risks at
the highest ages. A kommun has too few deaths above 90 for its own rates to
mean much (16–56 deaths aged 90+ in a small kommun over five years), so the
table here is:

* single-year ages 0, 1, …, 89 from the area's **own** deaths and person-years
  (Chiang's ``q = M / (1 + (1 − a)·M)``, ``a = 0,1`` at age 0 and ``0,5``
  elsewhere, as in :func:`helpers.stats.lifetable_chiang.chiang` with ``n = 1``);
* closed at :data:`CLOSE_AGE` (90) with the remaining life expectancy at 90
  of the area's **closing area** for the same sex and period: for a kommun
  its county (the county's rows if present in the counts, otherwise the sum
  of its kommuner), for a county or Riket the area itself. The closing
  area's e90 comes from its own single-year rates 90, 91, …, up to the open
  top band (100+), with ``L = l/M`` in the open band.

A county or Riket is therefore simply its full single-year table 0–100+.
On SCB's counts (all kommuner outside Dalarna, rolling periods 2010–2014 …
2015–2019) the kommun e0 agree with SCB's published values with median
absolute difference 0,015 years and maximum 0,124 years; the error has a
sharp minimum at a switch-over age of 90 (0,032/0,029 years median at 89/91),
which is strong evidence that this is what SCB does.

Variance (for the confidence interval)
--------------------------------------
Chiang's delta method, band by band, for the own ages 0–89 (``q²(1 − q)/D``
weighted by ``l²((1 − a) + e_{x+1})²``, where ``e_90`` is the borrowed value),
plus the borrowed part: the variance of the closing area's e90 (itself a
Chiang variance over 90, 91, …, 99 with Silcocks' term for 100+) weighted by
``l_90²`` of the kommun's own table::

    var(e_x) = ( Σ_{y=x}^{89} W_y  +  l_90² · var(e90_county) ) / l_x²

The two parts are independent (the kommun's deaths below 90 are not in the
county's e90). The county's e90 rests on many more deaths than the kommun's
own 90+ would, so this borrowed term is small – and it is *not* zero, which
an interval that treated e90 as known would pretend. When a kommun is
compared with its county (:func:`helpers.stats.lifetable_compare.table_difference`)
the shared e90 is perfectly correlated: the band's "deaths" for the
correlation are the closing area's deaths 90+ (:data:`ScbTables` ``res["band_deaths"]``).

Validity rules
--------------
As for the abridged table (:mod:`helpers.stats.lifetable_checks`), but only
where the area's own counts are used:

* ages 0–89 of every area: no negative deaths, population > 0, no more deaths
  than population;
* more than ``min_population`` person-years (all the area's own ages);
* ages 90+ are **not** checked for a kommun that borrows them (its own 90+
  counts are not used, so neither "no deaths in the open band" nor any other
  rule fires there). For the closing area (county, Riket) ages 90+ need
  deaths ≥ 0, population > 0 and deaths in the open band; single-year rates
  above 1 at 95–100 are real (Blekinge men aged 99: 13 deaths, 11 person-years)
  and are allowed (q is set to 1 when ``M > 2``, which makes the value
  ``osäker``, as in the abridged table);
* a kommun whose closing area breaks a rule gets no value, with the reason.

Suppression and flags are those of :func:`helpers.stats.lifetable.life_expectancy`
(shared code: :func:`helpers.stats.lifetable.indicator_rows`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd
from scipy.stats import norm

from helpers.core import lookup
from helpers.core.errors import DataError, Problem
from helpers.stats.ci import confidence_level
from helpers.stats.lifetable import indicator_by, indicator_rows, wanted_ages
from helpers.stats.lifetable_checks import (
    MIN_POPULATION,
    TABLE,
    UNCERTAIN_CI_WIDTH,
    default_by,
    parse_age,
    raise_invalid,
    to_arrays,
    validity,
)
from helpers.stats.lifetable_chiang import age_labels, chiang, single_year_ages

#: Age at which a kommun's table is closed with its county's remaining life expectancy.
CLOSE_AGE = 90
#: Source line of values computed with this method (override with ``source=``).
SOURCE = "Egen beräkning (ettårig livstabell, stängd vid 90 år med länets medellivslängd)"

_AREA_KEYS = ("area_code", "area_name", "area_type")


class ScbTables(NamedTuple):
    """Closed single-year life tables of every group (see the module docstring).

    Attributes
    ----------
    keys : pandas.DataFrame
        One row per group (the group columns).
    ages : numpy.ndarray
        Band starts 0, 1, …, :data:`CLOSE_AGE`; the last band (``"90+"``) is
        closed with the closing area's value.
    res : dict of str to numpy.ndarray
        ``(n_groups, n_bands)``: ``ex``, ``var_ex``, ``se_ex``, ``lx``,
        ``q_capped``; ``_D``/``_P`` the group's own deaths and person-years
        (last band = its own 90+); ``band_deaths`` the deaths each band's
        estimate rests on (last band = the closing area's deaths 90+).
    valid, reason : numpy.ndarray
        Per group: valid, and the Swedish reason when not.
    closing : numpy.ndarray
        Per group: the row in ``keys`` of its closing area (−1 when the
        closing area was summed from kommuner and is not itself a group).
    """

    keys: pd.DataFrame
    ages: np.ndarray
    res: dict[str, np.ndarray]
    valid: np.ndarray
    reason: np.ndarray
    closing: np.ndarray


def closing_areas(codes: Iterable[str]) -> list[str]:
    """Return each area's default closing area: a kommun's county (region code), else itself.

    ``"2080"`` → ``"0020"``; ``"0020"`` and ``"0000"`` (Riket) close themselves.
    """
    out = []
    for code in codes:
        code = str(code)
        kommun = len(code) == 4 and code.isdigit() and not code.startswith("00")
        out.append(lookup.region_code_of(code) if kommun else code)
    return out


def _closing_codes(codes: list[str], closing: Mapping[str, str] | None) -> list[str]:
    default = closing_areas(codes)
    if closing is None:
        return default
    return [str(closing.get(c, c)) for c in codes]


def _name_of(code: str, names: Mapping[str, str]) -> str:
    if code in names:
        return str(names[code])
    try:
        return lookup.area_name(code)
    except Exception:  # noqa: BLE001 - any unknown code is shown as itself
        return code


def _summed_closers(
    keys: pd.DataFrame,
    rest: list[str],
    close_code: list[str],
    missing: np.ndarray,
    D: np.ndarray,
    P: np.ndarray,
    close_age: int,
    table: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sum the kommuner of closing areas absent from the counts (all must be present).

    Returns the extra deaths and population rows and, per group in
    ``missing``, the row of its summed closing area among the extras.
    """
    codes = keys["area_code"].astype(str).to_numpy()
    present = set(codes.tolist())
    problems: list[Problem] = []
    for code in sorted({close_code[g] for g in missing}):
        lan = code[2:] if len(code) == 4 and code.startswith("00") else None
        wanted = set()
        if lan is not None and lan in set(lookup.lan()["lan_code"]):
            wanted = set(lookup.kommuner_in(lan)["kommun_code"])
        lacking = sorted(wanted - present)
        if not wanted or lacking:
            what = f"saknas: {', '.join(lacking[:10])}" if lacking else "okänt område"
            problems.append(
                Problem(
                    f"området {code}, vars återstående medellivslängd vid {close_age} år "
                    f"livstabellen stängs med, finns inte i tabellen och kan inte summeras "
                    f"från sina kommuner ({what})",
                    table,
                )
            )
    if problems:
        raise DataError(problems)

    # One summed closing area per (closing code, sex, period …) of the groups that miss it.
    wanted_keys = pd.DataFrame({"_close": close_code, **{c: keys[c].to_numpy() for c in rest}})
    wanted_keys = wanted_keys.astype({c: "string" for c in wanted_keys.columns})
    uniq = wanted_keys.iloc[missing].drop_duplicates().reset_index(drop=True)
    index = pd.MultiIndex.from_frame(uniq)
    slot = index.get_indexer(pd.MultiIndex.from_frame(wanted_keys.iloc[missing]))
    # Members: the kommuner that borrow from a summed area (same sex, period …).
    member_slot = index.get_indexer(pd.MultiIndex.from_frame(wanted_keys))
    member = (member_slot >= 0) & (codes != np.asarray(close_code, dtype=object))
    Dx = np.zeros((len(uniq), D.shape[1]))
    Px = np.zeros((len(uniq), D.shape[1]))
    np.add.at(Dx, member_slot[member], D[member])
    np.add.at(Px, member_slot[member], P[member])
    return Dx, Px, slot


def scb_tables(
    counts: pd.DataFrame,
    *,
    closing: Mapping[str, str] | None = None,
    close_age: int = CLOSE_AGE,
    by: Sequence[str] | None = None,
    age_col: str = "age",
    deaths_col: str = "deaths",
    population_col: str = "population",
    min_population: float = MIN_POPULATION,
    on_invalid: Literal["flag", "raise"] = "flag",
    table: str = TABLE,
) -> ScbTables:
    """Compute the closed single-year life tables of every group (the module's method).

    Parameters
    ----------
    counts : pandas.DataFrame
        Long table with single-year ages 0, 1, …, top (top = the open band,
        e.g. 100 for 100+; top ≥ ``close_age``), group columns (at least
        ``area_code``), ``deaths`` and ``population`` (person-years).
        Kommuner, their counties and Riket may all be present.
    closing : mapping, optional
        ``{area_code: closing area code}``; default :func:`closing_areas`
        (a kommun's county, everything else itself). A closing area that is
        not in ``counts`` is summed from its kommuner when all of them are.
    close_age : int
        Age at which the table is closed (default :data:`CLOSE_AGE`).
    by, age_col, deaths_col, population_col, min_population, on_invalid, table
        As for :func:`helpers.stats.lifetable.life_table`.

    Returns
    -------
    ScbTables

    Raises
    ------
    DataError
        Structural problems of the counts (as for the abridged table), a
        closing area that is neither present nor summable, or (with
        ``on_invalid="raise"``) a broken validity rule.
    """
    if on_invalid not in ("flag", "raise"):
        raise DataError(f"on_invalid måste vara 'flag' eller 'raise', inte '{on_invalid}'")
    by = default_by(counts) if by is None else list(by)
    if "area_code" not in by:
        raise DataError(Problem("kolumnen 'area_code' behövs för att hitta länet", table))
    if age_col not in counts.columns:
        raise DataError(Problem(f"kolumner saknas: {age_col}", table))
    age = parse_age(counts[age_col])
    top = int(age.max()) if age.notna().any() else -1
    if top < close_age:
        raise DataError(
            Problem(
                f"högsta åldern är {top}, men livstabellen stängs vid {close_age} år "
                f"(ettåriga åldrar 0–{close_age} och uppåt behövs)",
                table,
                None,
                age_col,
            )
        )
    ages_full = np.asarray(single_year_ages(top), dtype=int)
    keys, D, P, rows = to_arrays(counts, by, ages_full, age_col, deaths_col, population_col, table)
    G = len(keys)
    codes = keys["area_code"].astype(str).tolist()
    close_code = _closing_codes(codes, closing)
    rest = [c for c in by if c not in _AREA_KEYS]
    # Row of each group's closing area among the groups (−1: not present).
    own = pd.DataFrame({"_code": codes, **{c: keys[c].to_numpy() for c in rest}})
    index = pd.MultiIndex.from_frame(own) if rest else pd.Index(own["_code"])
    want = pd.DataFrame({"_code": close_code, **{c: keys[c].to_numpy() for c in rest}})
    wanted = pd.MultiIndex.from_frame(want) if rest else pd.Index(want["_code"])
    closing_row = index.get_indexer(wanted)
    missing = np.flatnonzero(closing_row < 0)
    Dall, Pall, close_at = D, P, closing_row.copy()
    if len(missing):
        Dx, Px, slot = _summed_closers(keys, rest, close_code, missing, D, P, close_age, table)
        Dall = np.vstack([D, Dx])
        Pall = np.vstack([P, Px])
        close_at[missing] = G + slot
    labels = age_labels(ages_full)
    head = close_age
    # Closing areas: their full single-year table (rules: ratio only below close_age).
    closers = np.unique(close_at)
    cv, creason, _cband = validity(
        Dall[closers], Pall[closers], labels, min_population, ratio_bands=head
    )
    Dc = np.where(cv[:, None], Dall[closers], 1.0)
    Pc = np.where(cv[:, None], Pall[closers], 2.0)
    full = chiang(Dc, Pc, ages_full)
    pos = np.searchsorted(closers, close_at)
    e_close = full["ex"][pos, head]
    v_close = full["var_ex"][pos, head]
    tail_capped = full["q_capped"][pos, head:].any(axis=1)
    tail_deaths = Dall[close_at, head:].sum(axis=1)
    # Every group: own ages 0..close_age-1, closed with its closing area's value.
    valid, reason, band = validity(
        D[:, :head],
        P[:, :head],
        labels[:head],
        min_population,
        open_band=False,
        total=P.sum(axis=1),
    )
    names = (
        dict(zip(codes, keys["area_name"].astype(str), strict=True))
        if "area_name" in keys.columns
        else {}
    )
    bad_closer = ~cv[pos] & valid
    for g in np.flatnonzero(bad_closer):
        if close_at[g] == g:  # its own table above close_age breaks a rule
            reason[g] = creason[pos[g]]
        else:
            reason[g] = (
                f"återstående medellivslängd vid {close_age} år i "
                f"{_name_of(close_code[g], names)} (som livstabellen stängs med) kan inte "
                f"beräknas: {creason[pos[g]]}"
            )
        band[g] = -1
    valid = valid & cv[pos]
    if on_invalid == "raise":
        raise_invalid(keys, valid, reason, band, rows, table)
    Dh = np.where(valid[:, None], D[:, : head + 1], 1.0)
    Ph = np.where(valid[:, None], P[:, : head + 1], 2.0)
    ages = ages_full[: head + 1]
    res = chiang(
        Dh,
        Ph,
        ages,
        open_ex=np.where(valid, e_close, 1.0),
        open_var=np.where(valid, v_close, 0.0),
    )
    res["q_capped"][:, head] = tail_capped & valid
    own_D = np.concatenate([D[:, :head], D[:, head:].sum(axis=1, keepdims=True)], axis=1)
    own_P = np.concatenate([P[:, :head], P[:, head:].sum(axis=1, keepdims=True)], axis=1)
    res["_D"], res["_P"] = own_D, own_P
    band_deaths = own_D.copy()
    band_deaths[:, head] = tail_deaths
    res["band_deaths"] = band_deaths
    for col in ("ex", "var_ex", "se_ex", "lx"):
        res[col] = np.where(valid[:, None], res[col], np.nan)
    res["q_capped"] = res["q_capped"] & valid[:, None]
    return ScbTables(
        keys, ages, res, valid, reason, np.where(close_at < G, close_at, -1).astype(int)
    )


def life_expectancy_scb(
    counts: pd.DataFrame,
    *,
    closing: Mapping[str, str] | None = None,
    close_age: int = CLOSE_AGE,
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
    source: str = SOURCE,
    table: str = TABLE,
    **constants: object,
) -> pd.DataFrame:
    """Return life expectancy with CIs by SCB's method as a tidy indicator table.

    Single-year counts in, one row per group and requested age out, flagged
    and suppressed by the rules of :func:`helpers.stats.lifetable.life_expectancy`
    (see the module docstring for the method, its variance and which
    validity rules apply).

    Parameters
    ----------
    counts : pandas.DataFrame
        Single-year counts (see :func:`scb_tables`) with ``area_code`` and
        ``period`` among the group columns.
    closing, close_age
        As for :func:`scb_tables`.
    at_ages : iterable of int or "all"
        Ages 0 … ``close_age`` to report (``"all"`` = every one).
    by, confidence, age_col, deaths_col, population_col, note_col, min_population,
    uncertain_ci_width, on_invalid, indicator_prefix, source, table, **constants
        As for :func:`helpers.stats.lifetable.life_expectancy`.
        ``numerator``/``denominator`` are the area's *own* deaths and
        person-years from that age up (all ages, 90+ included).

    Returns
    -------
    pandas.DataFrame
        A validated indicator table.
    """
    by = indicator_by(counts, by, table)
    tables = scb_tables(
        counts,
        closing=closing,
        close_age=close_age,
        by=by,
        age_col=age_col,
        deaths_col=deaths_col,
        population_col=population_col,
        min_population=min_population,
        on_invalid=on_invalid,
        table=table,
    )
    return indicator_table(
        counts,
        tables,
        by=by,
        at_ages=at_ages,
        confidence=confidence,
        note_col=note_col,
        uncertain_ci_width=uncertain_ci_width,
        indicator_prefix=indicator_prefix,
        source=source,
        **constants,
    )


def indicator_table(
    counts: pd.DataFrame,
    tables: ScbTables,
    *,
    by: Sequence[str] | None = None,
    at_ages: Iterable[int] | Literal["all"] = (0,),
    confidence: float = 0.95,
    note_col: str = "note",
    uncertain_ci_width: float | None = UNCERTAIN_CI_WIDTH,
    indicator_prefix: str = "e",
    source: str = SOURCE,
    table: str = TABLE,
    **constants: object,
) -> pd.DataFrame:
    """Return the indicator table of tables already computed by :func:`scb_tables`.

    ``counts`` and ``by`` must be those the tables were computed from (the
    notes are read from ``counts``). Parameters as for :func:`life_expectancy_scb`.
    """
    by = indicator_by(counts, by, table)
    want = wanted_ages(tables.ages, at_ages)
    conf = confidence_level(confidence)
    z = float(norm.ppf(0.5 + conf / 2))
    return indicator_rows(
        counts,
        by,
        tables.keys,
        tables.res,
        tables.valid,
        tables.reason,
        tables.ages,
        want,
        z,
        conf,
        note_col=note_col,
        uncertain_ci_width=uncertain_ci_width,
        indicator_prefix=indicator_prefix,
        source=source,
        **constants,
    )


__all__ = [
    "CLOSE_AGE",
    "SOURCE",
    "ScbTables",
    "closing_areas",
    "indicator_table",
    "life_expectancy_scb",
    "scb_tables",
]
