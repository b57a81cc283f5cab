"""Every kommun's life expectancy compared with its county and Riket, with CIs.

:func:`compare_with_county` computes, from the pooled counts of
:mod:`helpers.sources.mortality_counts`, the difference between each kommun and
its county (and Riket) with the covariance that comes from the kommun being
part of both (:func:`helpers.stats.lifetable_compare.parent_difference`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from helpers.core import lookup
from helpers.core.memo import Memo
from helpers.sources.mortality_counts import (
    _all_life_expectancy,
    _raw_identity,
    abridged_counts,
    check_source,
    normalize_periods,
    source_label,
)
from helpers.stats import lifetable_chiang
from helpers.stats.ci import confidence_level, z_value
from helpers.stats.lifetable_compare import parent_difference, verdict

_MEMO = Memo("dodlighet_jamforelse")


def clear_memo() -> None:
    """Forget the memoized comparisons."""
    _MEMO.clear()


def _band_arrays(counts: pd.DataFrame, codes: Sequence[str], keys: pd.DataFrame):
    """Deaths/population arrays (len(keys), n_bands) for the given area codes and key rows."""
    ages = np.sort(counts["age"].unique())
    idx = pd.MultiIndex.from_frame(counts[["area_code", "sex", "period", "age"]])
    d = pd.Series(counts["deaths"].to_numpy(float), index=idx)
    p = pd.Series(counts["population"].to_numpy(float), index=idx)
    want = pd.MultiIndex.from_arrays(
        [
            np.repeat(np.asarray(codes, dtype=object), len(ages)),
            np.repeat(keys["sex"].to_numpy(dtype=object), len(ages)),
            np.repeat(keys["period"].to_numpy(), len(ages)),
            np.tile(ages, len(keys)),
        ]
    )
    shape = (len(keys), len(ages))
    return (
        d.reindex(want).to_numpy().reshape(shape),
        p.reindex(want).to_numpy().reshape(shape),
        ages,
    )


def compare_with_county(
    data_source: str = "demo",
    lan_code: str | None = None,
    periods: Iterable[int | tuple[int, int]] | None = None,
    ages: Sequence[int] = (0, 30),
    confidence: float = 0.95,
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
    per = normalize_periods(periods)
    ages_t = tuple(int(a) for a in ages)
    key = ("compare", source, _raw_identity(source), per, ages_t, float(confidence))
    out = _MEMO.get(key, lambda: _compare_all(source, per, ages_t, confidence))
    if lan_code is not None:
        lookup.region_code(lan_code)
        out = out[lookup.lan_code_of(out["area_code"]) == lan_code]
    return out.reset_index(drop=True).copy()


def _compare_all(
    source: str, per: tuple | None, ages: tuple[int, ...], confidence: float
) -> pd.DataFrame:
    counts = abridged_counts(source, per)
    le = _all_life_expectancy(source, per, ages)
    z = z_value(confidence)
    kom = counts[counts["area_type"] == "kommun"]
    keys = kom[["area_code", "area_name", "sex", "period", "period_label"]].drop_duplicates(
        ["area_code", "sex", "period"]
    )
    keys = keys.sort_values(["area_code", "sex", "period"]).reset_index(drop=True)
    Dk, Pk, band_ages = _band_arrays(counts, keys["area_code"].tolist(), keys)
    frames = []
    parents = {
        "region": lookup.region_code_of(keys["area_code"]).tolist(),
        "riket": [lookup.RIKET_CODE] * len(keys),
    }
    results = {}
    for name, codes in parents.items():
        Dc, Pc, _ = _band_arrays(counts, codes, keys)
        results[name] = (codes, parent_difference(Dk, Pk, Dc, Pc, band_ages, ages))
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
        for name, (codes, res) in results.items():
            plook = pd.MultiIndex.from_arrays(
                [codes, frame["sex"], frame["period"], frame["indicator"]]
            )
            pv = le_idx.reindex(plook)["value"].to_numpy()
            diff = np.where(ok & ~np.isnan(pv), res["diff"][:, j], np.nan)
            se = np.where(np.isnan(diff), np.nan, res["se_diff"][:, j])
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
    out["source"] = source_label(source)
    return out.sort_values(["indicator", "sex", "period", "area_code"]).reset_index(drop=True)
