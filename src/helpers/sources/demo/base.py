"""Synthetic demo data in exactly the shape of the real sources.

The out-of-the-box run and the workshop use these seeded, synthetic data, so
that everything works offline. Every file is written to ``data/raw/demo/``
through :class:`helpers.core.cache.RawCache` with a manifest line that says it is
synthetic, and every chart made from it carries
:data:`helpers.core.fmt.SYNTHETIC_LABEL`.

Life expectancy (Kolada N00923 men, N00925 women, five-year averages) is
written as Kolada API v3 response envelopes, so the *same* parser reads the
demo and the real data. Calibration (not read at run time): Sweden's life
expectancy at birth was about 82,0 (women) and 77,4 (men) in 1996–2000 and
about 84,8 and 81,3 in 2015–2019 (SCB); kommuner within a county differ by
about 3 years (Region Dalarna's analysis). Further shapes (deaths and
population by age, survey microdata) live in ``demo_mortality`` and
``demo_survey``.

Run ``python -m helpers.demo`` to (re)build all demo data; it is idempotent.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from helpers.core import lookup
from helpers.core.cache import RawCache
from helpers.core.fmt import SYNTHETIC_LABEL

SEED = 20240520
LE_KPIS: dict[str, str] = {"N00923": "män", "N00925": "kvinnor"}
FIRST_YEAR, LAST_YEAR = 2000, 2024
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


def life_expectancy_values(seed: int = SEED) -> pd.DataFrame:
    """Generate synthetic five-year-average life expectancy at birth.

    Returns
    -------
    pandas.DataFrame
        Columns ``kpi``, ``municipality`` (Kolada id), ``period`` (last year of the
        five-year period) and ``value`` (NaN where Kolada would have no value),
        for all 290 kommuner, 21 regions and Riket, 2000–2024.
    """
    rng = np.random.default_rng(seed)
    kom = lookup.kommuner()
    pop = kommun_population(seed).reindex(kom["kommun_code"]).to_numpy()
    annual_years = np.arange(FIRST_YEAR - 4, LAST_YEAR + 1)
    t = (annual_years - annual_years[0]) / (annual_years[-1] - annual_years[0])
    lan_codes = sorted(kom["lan_code"].unique())
    lan_effect = dict(zip(lan_codes, rng.normal(0.0, 0.45, size=len(lan_codes)), strict=True))
    shared_effect = rng.normal(0.0, 0.65, size=len(kom))
    rows = []
    for kpi, sex in LE_KPIS.items():
        start, end = (82.0, 84.9) if sex == "kvinnor" else (77.4, 81.6)
        national = start + (end - start) * (t + 0.15 * np.sin(np.pi * t))
        kommun_effect = shared_effect + rng.normal(0.0, 0.35, size=len(kom))
        slope_effect = rng.normal(0.0, 0.35, size=len(kom))
        base = (
            national[None, :]
            + np.array([lan_effect[c] for c in kom["lan_code"]])[:, None]
            + kommun_effect[:, None]
            + slope_effect[:, None] * (t[None, :] - 0.5)
        )
        # Yearly noise shrinks with population size: small kommuner are noisier.
        noise_sd = 9.0 / np.sqrt(pop)[:, None] * np.sqrt(20_000 / 6.0)
        annual = base + rng.normal(0.0, 1.0, size=base.shape) * noise_sd * 0.18
        five = pd.DataFrame(annual).T.rolling(5).mean().T.to_numpy()[:, 4:]
        years = annual_years[4:]
        weights = pop[:, None] * np.ones_like(five)
        frame = pd.DataFrame(five, index=kom["kommun_code"], columns=years)
        for code, lan_code in zip(kom["kommun_code"], kom["lan_code"], strict=True):
            rows.append((kpi, code, lan_code, frame.loc[code].to_numpy()))
        for lan_code in lan_codes:
            mask = (kom["lan_code"] == lan_code).to_numpy()
            reg = (five[mask] * weights[mask]).sum(0) / weights[mask].sum(0)
            rows.append((kpi, "00" + lan_code, lan_code, reg))
        rows.append((kpi, lookup.RIKET_CODE, "", (five * weights).sum(0) / weights.sum(0)))
    out = pd.DataFrame(
        [
            (kpi, code, int(y), float(v))
            for kpi, code, _lan, vals in rows
            for y, v in zip(years, vals, strict=True)
        ],
        columns=["kpi", "municipality", "period", "value"],
    )
    out["value"] = out["value"].round(2)
    # Like Knivsta (0330) in the real data: a kommun formed in 2003 has no early values.
    out.loc[(out["municipality"] == "0330") & (out["period"] <= 2002), "value"] = np.nan
    return out


def to_kolada_envelope(values: pd.DataFrame) -> dict:
    """Wrap value rows in a Kolada API v3 data envelope (gender ``T`` only).

    Null values get ``count`` 0, as v3 does.
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


def life_expectancy_url(kpi: str, seed: int = SEED) -> str:
    """Return the pseudo-URL under which a demo KPI is cached."""
    return f"{DEMO_URL_PREFIX}kolada/v3/data/kpi/{kpi}?seed={seed}"


def write_life_expectancy(cache: RawCache | None = None, seed: int = SEED) -> list:
    """Write the demo life-expectancy KPIs as Kolada v3 envelopes, if not cached yet.

    Returns
    -------
    list of helpers.core.cache.Entry
        The manifest entries of the two KPI files.
    """
    cache = cache or demo_cache()
    entries = []
    values = None
    for kpi in LE_KPIS:
        url = life_expectancy_url(kpi, seed)
        entry = cache.lookup(url)
        if entry is None:
            if values is None:
                values = life_expectancy_values(seed)
            body = json.dumps(to_kolada_envelope(values[values["kpi"] == kpi]), ensure_ascii=False)
            entry = cache.put(
                url,
                body.encode("utf-8"),
                note=f"SYNTETISKA DEMODATA (seed {seed}) i Koladas v3-format – inte verkliga värden",
            )
        entries.append(entry)
    return entries


def build_all(seed: int = SEED) -> dict[str, list]:
    """Build every demo dataset that is not cached yet; return manifest entries per dataset."""
    cache = demo_cache()
    from helpers.sources.demo import mortality as demo_mortality
    from helpers.sources.demo import strategi as demo_strategi
    from helpers.sources.demo import survey as demo_survey

    return {
        "medellivslangd": write_life_expectancy(cache, seed),
        "dodlighet": list(demo_mortality.write_mortality_demo(cache)),
        "enkat": list(demo_survey.write_survey_demo(cache)),
        "strategi": list(demo_strategi.write_all(cache)),
    }


def main() -> None:
    """Command-line entry point: build the demo data and say where it is."""
    built = build_all()
    cache = demo_cache()
    print(f"Demodata (syntetiska) i {cache.dir}:")
    for name, entries in built.items():
        print(f"  {name}: {len(entries)} fil(er)")


if __name__ == "__main__":
    main()
