"""Preparing counts for the life table: SCB-shaped single-year tables → pooled periods → bands.

:func:`pool_periods` sums deaths and mean populations (mean of the stocks on
31 December of the previous and the current year) over multi-year periods;
:func:`to_abridged` aggregates single ages into the abridged bands 0, 1–4, …,
85–89, 90+; :func:`rolling_periods` lists the five-year periods a set of
years covers. Every problem with the counts is a Swedish
:class:`~helpers.core.errors.DataError` naming the table, row and column.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from helpers.core import lookup
from helpers.core.errors import DataError, Problem
from helpers.stats.lifetable_checks import (
    _MAX_LISTED,
    TABLE,
    describe_keys,
    listed,
    numeric_column,
    parse_age,
    require_columns,
)
from helpers.stats.lifetable_chiang import ABRIDGED_AGES, _check_ages, period_label

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


def _bad_ages(age: pd.Series, raw: pd.Series, table: str, column: str) -> list[Problem]:
    """Problems of the ages that :func:`parse_age` could not read (first rows only)."""
    return listed(
        np.flatnonzero(age.isna().to_numpy()),
        lambda i: Problem(f"ogiltig ålder '{raw.iloc[i]}'", table, int(i) + 2, column),
        table,
    )


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
    require_columns(out, ("area_code", "sex", "year", "age", value_col), table)
    problems: list[Problem] = []
    values = numeric_column(out, value_col, table, problems)
    problems += listed(
        np.flatnonzero(values < 0),
        lambda i: Problem(
            f"negativt antal ({values[i]:g}) för område {out['area_code'].iloc[i]}, "
            f"år {out['year'].iloc[i]}, ålder {out['age'].iloc[i]}",
            table,
            int(i) + 2,
            value_col,
        ),
        table,
        "negativa värden",
    )
    year = pd.to_numeric(out["year"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    problems += listed(
        np.flatnonzero(~np.isfinite(year) | (year != np.floor(year))),
        lambda i: Problem(f"ogiltigt år '{out['year'].iloc[i]}'", table, int(i) + 2, "year"),
        table,
    )
    age = parse_age(out["age"])
    problems += _bad_ages(age, out["age"], table, "age")
    sex_codes, sex_uniques = pd.factorize(out["sex"], use_na_sentinel=True)
    sex_map = [_SEX_MAP.get(str(s).strip().lower()) for s in sex_uniques]
    bad_sex = [k for k, m in enumerate(sex_map) if m is None]
    problems += listed(
        np.flatnonzero(np.isin(sex_codes, bad_sex) | (sex_codes < 0)),
        lambda i: Problem(
            f"okänt kön '{out['sex'].iloc[i]}' (tillåtna: män/men, kvinnor/women, totalt)",
            table,
            int(i) + 2,
            "sex",
        ),
        table,
    )
    code = out["area_code"]
    if pd.api.types.is_numeric_dtype(code):
        code = lookup.pad_kommun(code.astype("Int64"))
    area_idx, area_uniques = pd.factorize(code, use_na_sentinel=True)
    problems += listed(
        np.flatnonzero(area_idx < 0),
        lambda i: Problem("områdeskod saknas", table, int(i) + 2, "area_code"),
        table,
    )
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
        problems += listed(
            np.argwhere(mask),
            lambda h, kind=kind: Problem(
                f"område {areas[h[0]]}, {sexes[h[1]]}, ålder {ages[h[2]]}, år {years[h[3]]}: {kind}",
                table,
            ),
            table,
            "fall",
        )
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
    age = parse_age(counts[age_col])
    problems: list[Problem] = _bad_ages(age, counts[age_col], table, age_col)
    for col in count_cols:
        numeric_column(counts, col, table, problems)
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
            describe_keys(
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
