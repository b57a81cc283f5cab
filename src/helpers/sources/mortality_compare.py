"""Every kommun's life expectancy compared with its county and Riket, with CIs.

:func:`compare_with_county` computes, from the life tables of
:mod:`helpers.sources.mortality_counts` (the same tables, by the same method,
as :func:`~helpers.sources.mortality_counts.kommun_life_expectancy`), the
difference between each kommun and its county (and Riket) with the covariance
that comes from the kommun being part of both
(:func:`helpers.stats.lifetable_compare.table_difference`). With the default
SCB method the kommun and its county share the county's e90 exactly, which
the covariance takes into account (correlation 1 in that band).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from helpers.core import lookup
from helpers.core.memo import Memo
from helpers.sources.mortality_counts import (
    METHODS,
    _all_life_expectancy,
    _raw_identity,
    abridged_counts,
    check_ages,
    check_first_year,
    check_method,
    check_source,
    normalize_periods,
    scb_tables,
    source_label,
)
from helpers.stats import lifetable_checks, lifetable_chiang
from helpers.stats.ci import confidence_level, z_value
from helpers.stats.lifetable_compare import table_difference, verdict

_MEMO = Memo("dodlighet_jamforelse")


def clear_memo() -> None:
    """Forget the memoized comparisons."""
    _MEMO.clear()


def _tables(
    source: str, per: tuple | None, method: str, first_year: str
) -> tuple[pd.DataFrame, dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Group keys, life tables, band deaths (for the correlation) and band starts."""
    if method == "scb":
        t = scb_tables(source, per, first_year=first_year)
        return t.keys, t.res, t.res["band_deaths"], t.ages
    counts = abridged_counts(source, per, first_year=first_year)
    ages = np.asarray(lifetable_chiang.ABRIDGED_AGES)
    keys, D, P, _rows = lifetable_checks.to_arrays(
        counts,
        lifetable_checks.default_by(counts),
        ages,
        "age",
        "deaths",
        "population",
        lifetable_checks.TABLE,
    )
    return keys, lifetable_chiang.chiang(D, P, ages), D, ages


def compare_with_county(
    data_source: str = "demo",
    lan_code: str | None = None,
    periods: Iterable[int | tuple[int, int]] | None = None,
    ages: Sequence[int] = (0, 30),
    confidence: float = 0.95,
    *,
    method: str = METHODS[0],
    first_year: str = "require",
) -> pd.DataFrame:
    """Compare every kommun's life expectancy with its county and with Riket, with CIs.

    The kommun is part of both, so the covariance is taken into account (see
    the module docstring). Values that are suppressed in
    :func:`kommun_life_expectancy` give no comparison (verdict
    ``"kan inte bedömas"``).

    Parameters
    ----------
    data_source : {"demo", "referens", "scb"}
        Source of the counts.
    lan_code : str, optional
        Keep that county's kommuner (default all).
    periods : iterable, optional
        Five-year periods (default all).
    ages : sequence of int
        Ages (indicators ``e0``, ``e30`` …).
    confidence : float
        Level of the difference's interval.
    method, first_year
        As for :func:`helpers.sources.mortality_counts.kommun_life_expectancy`
        (the values compared are that function's).

    Returns
    -------
    pandas.DataFrame
        One row per kommun, sex, period and indicator: ``area_code``,
        ``area_name``, ``sex``, ``period``, ``period_label``, ``indicator``,
        ``value``, ``flag``, then for ``region`` and ``riket``: ``<p>_code``,
        ``<p>_value``, ``diff_<p>`` (kommun − parent), ``diff_<p>_se``,
        ``diff_<p>_lower``, ``diff_<p>_upper`` and ``verdict_<p>``
        (``"högre"``, ``"lägre"``, ``"ingen säkerställd skillnad"`` or
        ``"kan inte bedömas"``); ``ci_level`` and ``source``.
    """
    source = check_source(data_source)
    method = check_method(method)
    first = check_first_year(first_year)
    per = normalize_periods(periods)
    ages_t = check_ages(ages, method)
    key = ("compare", source, _raw_identity(source), per, ages_t, float(confidence), method, first)
    out = _MEMO.get(key, lambda: _compare_all(source, per, ages_t, confidence, method, first))
    if lan_code is not None:
        lookup.region_code(lan_code)
        out = out[lookup.lan_code_of(out["area_code"]) == lan_code]
    return out.reset_index(drop=True).copy()


def _compare_all(
    source: str,
    per: tuple | None,
    ages: tuple[int, ...],
    confidence: float,
    method: str,
    first_year: str,
) -> pd.DataFrame:
    le = _all_life_expectancy(source, per, ages, method, first_year)
    keys_all, res, deaths, band_ages = _tables(source, per, method, first_year)
    z = z_value(confidence)
    kom_rows = np.flatnonzero((keys_all["area_type"] == "kommun").to_numpy())
    keys = keys_all.loc[kom_rows, ["area_code", "area_name", "sex", "period", "period_label"]]
    order = np.lexsort(
        (keys["period"].to_numpy(), keys["sex"].astype(str), keys["area_code"].astype(str))
    )
    kom_rows = kom_rows[order]
    keys = keys.iloc[order].reset_index(drop=True)
    index = pd.MultiIndex.from_frame(
        keys_all[["area_code", "sex", "period"]].astype({"area_code": str, "sex": str})
    )
    idx = np.searchsorted(band_ages, ages)
    cols = ("ex", "var_ex", "se_ex", "lx")
    child = {c: res[c][kom_rows] for c in cols}
    frames = []
    parents = {
        "region": lookup.region_code_of(keys["area_code"].astype(str)).tolist(),
        "riket": [lookup.RIKET_CODE] * len(keys),
    }
    results = {}
    for name, codes in parents.items():
        rows = index.get_indexer(
            pd.MultiIndex.from_arrays(
                [codes, keys["sex"].astype(str).to_numpy(), keys["period"].to_numpy()]
            )
        )
        parent = {c: res[c][rows] for c in cols}
        results[name] = (
            codes,
            table_difference(child, parent, deaths[kom_rows], deaths[rows], idx),
        )
    le_idx = le.set_index(["area_code", "sex", "period", "indicator"])
    for j, age in enumerate(ages):
        ind = lifetable_chiang.indicator_id(age)
        frame = keys.copy()
        frame["indicator"] = ind
        look = pd.MultiIndex.from_arrays(
            [frame["area_code"], frame["sex"], frame["period"], frame["indicator"]]
        )
        own = le_idx.reindex(look)
        frame["value"] = own["value"].to_numpy()
        frame["flag"] = own["flag"].to_numpy()
        ok = frame["value"].notna().to_numpy()
        for name, (codes, dres) in results.items():
            plook = pd.MultiIndex.from_arrays(
                [codes, frame["sex"], frame["period"], frame["indicator"]]
            )
            pv = le_idx.reindex(plook)["value"].to_numpy()
            diff = np.where(ok & ~np.isnan(pv), dres["diff"][:, j], np.nan)
            se = np.where(np.isnan(diff), np.nan, dres["se_diff"][:, j])
            frame[f"{name}_code"] = codes
            frame[f"{name}_value"] = pv
            frame[f"diff_{name}"] = diff
            frame[f"diff_{name}_se"] = se
            frame[f"diff_{name}_lower"] = diff - z * se
            frame[f"diff_{name}_upper"] = diff + z * se
            frame[f"verdict_{name}"] = verdict(
                frame[f"diff_{name}_lower"].to_numpy(), frame[f"diff_{name}_upper"].to_numpy()
            )
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out["ci_level"] = confidence_level(confidence)
    out["source"] = source_label(source, method)
    return out.sort_values(["indicator", "sex", "period", "area_code"]).reset_index(drop=True)
