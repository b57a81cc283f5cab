"""Synthetic life expectancy at birth in Kolada's v3 shape, computed from the demo counts.

Kolada publishes life expectancy at birth as five-year averages (N00923 men,
N00925 women; the period is labelled by its last year) for every kommun, the
21 regions and Riket. The demo serves the same shape, but the values are not
drawn by a generator of their own: they are *computed* from the synthetic
deaths and population of :mod:`helpers.sources.demo.mortality` with
:func:`helpers.sources.mortality.kommun_life_expectancy` – the very function the
report's life-table section uses. So a kommun, sex and period has the same
life expectancy in every chart, sentence and table of a demo report.

Periods
-------
The demo counts cover deaths 2010–2024 (population 2009–2024), so the series
runs from 2010–2014 (period 2014) to 2020–2024 (period 2024); earlier Kolada
periods have no data object, just as a KPI that starts later has none.

Precision
---------
Real Kolada values have two decimals; the demo serves the life-table value
unrounded. Rounding it (even to a value that shows the same one-decimal text)
made derived numbers disagree between sections: a kommun 0,4 years below the
county in the life-table section could be 0,5 below it in the summary, because
differences, ranks and changes were computed from the rounded values.

Cache
-----
The envelopes are written once to ``data/raw/demo`` under a pseudo-URL that
contains :data:`GENERATOR_VERSION` and a checksum of the values computed from
the current counts, so new counts or a new generator never meet stale files.
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd

from helpers.config import catalogue
from helpers.core import lookup
from helpers.core.cache import Entry, RawCache
from helpers.sources import mortality_counts
from helpers.sources.demo import base as demo

#: Catalogue entry served in Kolada's shape.
INDICATOR = "e0"
#: Bump when the computation or the envelope changes.
GENERATOR_VERSION = 2
#: Decimals of Kolada's values and of the values the workbook shows.


def kpis() -> dict[str, str]:
    """Return ``{kpi: sex}`` of the served KPIs from the catalogue (N00923 män, N00925 kvinnor)."""
    return {kpi: sex for sex, kpi in catalogue.get(INDICATOR).kpis("kolada").items()}


def values(data_source: str = "demo") -> pd.DataFrame:
    """Compute the Kolada-shaped life expectancy at birth from the demo counts.

    Parameters
    ----------
    data_source : str
        Source of the counts (the demo; kept as a parameter for tests).

    Returns
    -------
    pandas.DataFrame
        ``kpi`` (N00923/N00925), ``municipality`` (Kolada id: kommun code,
        ``"00"`` + län code, ``"0000"``), ``period`` (last year of the
        five-year period) and ``value`` (the life-table value, unrounded; NaN
        where the life table has none), sorted.
    """
    le = mortality_counts.kommun_life_expectancy(data_source)
    le = le[le["indicator"] == INDICATOR]
    by_sex = {sex: kpi for kpi, sex in kpis().items()}
    out = pd.DataFrame(
        {
            "kpi": le["sex"].astype(str).map(by_sex).to_numpy(),
            "municipality": le["area_code"].astype(str).to_numpy(),
            "period": le["period"].astype(int).to_numpy(),
            "value": le["value"].astype(float).to_numpy(),
        }
    )
    areas = set(lookup.areas()["area_code"])
    out = out[out["kpi"].notna() & out["municipality"].isin(areas)]
    return out.sort_values(["kpi", "municipality", "period"], ignore_index=True)


def digest(table: pd.DataFrame) -> str:
    """Return a short checksum of computed values (part of the pseudo-URL)."""
    text = table.to_csv(index=False, lineterminator="\n", float_format="%.2f")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def url(kpi: str, table: pd.DataFrame) -> str:
    """Return the pseudo-URL of a served KPI: generator version and checksum of the values.

    The checksum is taken of the values computed from the current counts, so
    new counts give new addresses and an old file is never read as new data.
    """
    return (
        f"{demo.DEMO_URL_PREFIX}kolada/v3/data/kpi/{kpi}"
        f"?set=livstabell&v={GENERATOR_VERSION}&sha={digest(table)}"
    )


def write_life_expectancy(cache: RawCache | None = None) -> list[Entry]:
    """Write the Kolada-shaped KPIs (N00923, N00925) to ``data/raw/demo`` if not cached yet.

    The values are computed from the demo counts (built first if missing; the
    life tables are memoized by :mod:`helpers.sources.mortality`), so this is
    cheap once the counts and their life tables exist.

    Returns
    -------
    list of helpers.core.cache.Entry
        One entry per KPI, in the order of :func:`kpis`.
    """
    cache = cache or demo.demo_cache()
    table = values()
    entries = []
    for kpi in kpis():
        address = url(kpi, table)
        entry = cache.lookup(address)
        if entry is None:
            body = json.dumps(
                demo.to_kolada_envelope(table[table["kpi"] == kpi]), ensure_ascii=False
            )
            entry = cache.put(
                address,
                body.encode("utf-8"),
                note=(
                    f"SYNTETISKA DEMODATA i Koladas v3-format – inte verkliga värden: {kpi} "
                    "beräknad med livstabell från demodatans döda och folkmängd"
                ),
            )
        entries.append(entry)
    return entries


def read_envelopes(entries: list[Entry], cache: RawCache | None = None) -> list[dict]:
    """Return the v3 data objects of the written files (all KPIs together)."""
    cache = cache or demo.demo_cache()
    out: list[dict] = []
    for entry in entries:
        out.extend(json.loads(cache.path(entry).read_bytes())["values"])
    return out


__all__ = [
    "GENERATOR_VERSION",
    "INDICATOR",
    "digest",
    "kpis",
    "read_envelopes",
    "url",
    "values",
    "write_life_expectancy",
]
