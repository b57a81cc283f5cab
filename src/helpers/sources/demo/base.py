"""What the synthetic demo generators share: seed, population sizes, cache and addresses.

The out-of-the-box run and the workshop use seeded, synthetic data in exactly
the shape of the real sources, so that everything works offline. They form
*one* synthetic population:

* :mod:`helpers.sources.demo.mortality` – deaths and population by kommun, sex,
  single age and year (SCB's shape): the synthetic truth about mortality;
* :mod:`helpers.sources.demo.life_expectancy` – life expectancy at birth in
  Kolada's v3 shape (N00923/N00925), *computed* from those counts with the
  workbook's own life table;
* :mod:`helpers.sources.demo.survey` – survey microdata for Dalarna;
* :mod:`helpers.sources.demo.strategi` – the Strategi-för-hälsa KPIs in Kolada's
  shape; life expectancy and the survey KPIs the microdata can answer are
  taken from the two above, the rest is generated.

Each generator depends only on this module (and on the workbook's stats and
source functions); :mod:`helpers.sources.demo.build` builds them in dependency
order (``python -m helpers.demo``).

Every file is written to ``data/raw/demo/`` through
:class:`helpers.core.cache.RawCache` (write-once, keyed by a pseudo-URL under
:data:`DEMO_URL_PREFIX`) with a manifest line that says it is synthetic, and
every chart made from it carries :data:`helpers.core.fmt.SYNTHETIC_LABEL`. A
generator whose output changes must change its pseudo-URLs (a version tag, or
the checksum of its inputs), so that an old cache is never read as new data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.core import lookup
from helpers.core.cache import RawCache
from helpers.core.fmt import SYNTHETIC_LABEL

SEED = 20240520
DEMO_URL_PREFIX = "synthetic://helpers.sources.demo.base/"

# Approximate real population (thousands) of Dalarna's kommuner, so the demo
# county looks familiar; other kommuner get seeded log-normal sizes.
_DALARNA_POP_K = {
    "2021": 6.7, "2023": 10.1, "2026": 10.2, "2029": 15.9, "2031": 10.9, "2034": 6.9,
    "2039": 7.1, "2061": 10.7, "2062": 20.3, "2080": 59.6, "2081": 52.2, "2082": 11.1,
    "2083": 15.3, "2084": 23.0, "2085": 26.0,
}  # fmt: skip


def kommun_population(seed: int = SEED) -> pd.Series:
    """Return a synthetic population size per kommun (index = kommun code).

    Dalarna's kommuner get their approximate real sizes; the others a seeded
    log-normal size between about 2 500 and 1 000 000.
    """
    rng = np.random.default_rng(seed)
    codes = lookup.kommuner()["kommun_code"].to_numpy()
    pop = np.exp(rng.normal(np.log(16_000), 1.0, size=len(codes)))
    pop = np.clip(pop, 2_500, 1_000_000)
    s = pd.Series(pop.round(), index=codes, name="population")
    for code, k in _DALARNA_POP_K.items():
        s[code] = k * 1000
    return s


def to_kolada_envelope(values: pd.DataFrame) -> dict:
    """Wrap value rows in a Kolada API v3 data envelope (gender ``T`` only).

    Parameters
    ----------
    values : pandas.DataFrame
        Columns ``kpi``, ``municipality``, ``period``, ``value`` (NaN = null).

    Returns
    -------
    dict
        ``{"values": [...], "count": n, "next_url": None, "previous_url": None}``;
        null values get ``count`` 0, as v3 does.
    """
    objs = []
    for row in values.itertuples(index=False):
        missing = bool(np.isnan(row.value))
        objs.append(
            {
                "kpi": row.kpi,
                "municipality": row.municipality,
                "period": int(row.period),
                "values": [
                    {
                        "gender": "T",
                        "count": 0 if missing else 1,
                        "status": "",
                        "value": None if missing else float(row.value),
                        "isdeleted": False,
                    }
                ],
            }
        )
    return {"values": objs, "count": len(objs), "next_url": None, "previous_url": None}


def demo_cache() -> RawCache:
    """Return the raw cache for demo files (``data/raw/demo``)."""
    return RawCache("demo", SYNTHETIC_LABEL)


__all__ = ["DEMO_URL_PREFIX", "SEED", "demo_cache", "kommun_population", "to_kolada_envelope"]
