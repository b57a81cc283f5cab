"""Synthetic deaths, population and life expectancy by education, shaped like SCB's tables.

Everything here is *synthetic* (seeded, reproducible) and only meant to make the
workbook run offline and in workshops; no value is a real statistic. The frames
have the exact columns of the real SCB extracts, so the same code reads both:

* :func:`deaths` – ``kommunkod, kommun, year, sex, age, deaths`` (SCB BE0101D9
  shape), all 290 kommuner, single ages 0–100 (100 = 100+), men/women,
  2010–2024;
* :func:`population` – ``kommunkod, kommun, year, sex, age, population``, stock on
  31 December (SCB BE0101N1 shape), 2009–2024 (2009 so that the mean population
  of 2010 can be formed);
* :func:`e30_by_education` – remaining life expectancy at 30 by education
  level (förgymnasial, gymnasial, eftergymnasial, totalt), sex, Sweden and every
  county, rolling five-year periods 1991–1995 … 2020–2024 (shape of SCB
  TAB4879 / the reference file's ``period, sex, education, e30``), and
  :func:`e30_indicator_table`, the same as a tidy indicator table.

Calibration constants are hard-coded below (the project must run without any
reference data) and come from published SCB figures:

* national life expectancy at birth per year and sex (SCB, BE0101 "Medellivslängd
  i Sverige"; rounded): women about 83.5 in 2010 rising to about 85 in 2024, men
  79.5 → 82, with the 2020 (covid-19) dip;
* the age pattern of mortality is Gompertz–Makeham with a Kannisto-type
  levelling at the highest ages, an infant rate of about 2 per 1 000 and a young
  men's accident hump; kommuner differ by a log-hazard effect (county + kommun;
  about 3 years of e0 between the kommuner of a county, as in Region Dalarna's
  analyses);
* kommun sizes: as :func:`helpers.sources.demo.base.kommun_population` (Dalarna's kommuner at
  about their real size, 5 000–60 000; others log-normal), with Stockholm,
  Göteborg and Malmö at about their real size, so sizes span ~2 500–1 000 000;
* e30 by education: SCB's published points (SCB 2017-09-13 and 2018-10-09
  statistical news, the table "Återstående medellivslängd vid 30 års ålder efter
  utbildningsnivå 2000–2021", Hemström EPC 2016/2020): women förgymnasial flat
  about 51, eftergymnasial rising from about 54 (mid-1990s) to 57.7 (2021);
  men förgymnasial 45.6 → 48.7, eftergymnasial 49.6 → 54.6; the gap widens
  from about 3 (women) / 4 (men) in the mid-1990s to 5.5–6 around 2016.

:func:`write_mortality_demo` writes the three tables as gzip-compressed CSV to
``data/raw/demo`` through :class:`helpers.core.cache.RawCache` (once per seed).
"""

from __future__ import annotations

import gzip
import io

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from helpers.core import indicators, lookup
from helpers.core.cache import Entry, RawCache
from helpers.core.fmt import SYNTHETIC_LABEL
from helpers.sources.demo import base as demo
from helpers.stats.lifetable_chiang import SINGLE_AGES, chiang

SEED = demo.SEED
DEATH_YEARS: tuple[int, int] = (2010, 2024)
POPULATION_YEARS: tuple[int, int] = (2009, 2024)
AGES = np.arange(101)  # 100 = 100+
SEXES: tuple[str, str] = ("women", "men")  # as in SCB's extracts
EDUCATION_LEVELS: tuple[str, ...] = ("forgymnasial", "gymnasial", "eftergymnasial", "totalt")
E30_PERIODS: list[tuple[int, int]] = [(y, y + 4) for y in range(1991, 2021)]
E30_INDICATOR = "e30_utb"
EDUCATION_LABELS: dict[str, str] = {
    "forgymnasial": "förgymnasial",
    "gymnasial": "gymnasial",
    "eftergymnasial": "eftergymnasial",
    "totalt": indicators.ALL_GROUPS,
}
SEX_LABELS: dict[str, str] = {"women": "kvinnor", "men": "män"}

# National life expectancy at birth (SCB, rounded), targets of the demo mortality.
_E0_TARGET: dict[str, dict[int, float]] = {
    "women": {
        2010: 83.5, 2011: 83.7, 2012: 83.5, 2013: 83.7, 2014: 84.1, 2015: 84.0, 2016: 84.1,
        2017: 84.1, 2018: 84.3, 2019: 84.7, 2020: 84.3, 2021: 84.8, 2022: 84.7, 2023: 84.8,
        2024: 85.2,
    },
    "men": {
        2010: 79.5, 2011: 79.8, 2012: 79.9, 2013: 80.1, 2014: 80.4, 2015: 80.3, 2016: 80.6,
        2017: 80.7, 2018: 80.8, 2019: 81.3, 2020: 80.7, 2021: 81.2, 2022: 81.3, 2023: 81.7,
        2024: 82.0,
    },
}  # fmt: skip

# Real approximate sizes (thousands) of the three metropolitan kommuner.
_METRO_POP_K = {"0180": 980.0, "1480": 590.0, "1280": 350.0}

# e30 anchors per sex at the middle year of a five-year period: (förgymnasial, gymnasial,
# eftergymnasial, totalt). Sources: see the module docstring.
_E30_ANCHORS: dict[int, dict[str, tuple[float, float, float, float]]] = {
    1993: {"women": (51.0, 53.0, 54.0, 52.4), "men": (45.6, 47.8, 49.6, 47.5)},
    2000: {"women": (50.9, 53.4, 55.2, 53.0), "men": (46.6, 48.9, 51.4, 48.6)},
    2011: {"women": (51.3, 54.2, 56.5, 54.1), "men": (48.1, 50.7, 53.4, 50.6)},
    2015: {"women": (51.2, 54.5, 56.9, 54.5), "men": (48.0, 51.2, 54.1, 51.2)},
    2017: {"women": (51.0, 54.5, 57.0, 54.6), "men": (48.3, 51.5, 54.3, 51.5)},
    2021: {"women": (50.9, 55.0, 57.7, 54.9), "men": (48.7, 51.9, 54.6, 51.7)},
    2022: {"women": (50.9, 55.1, 57.8, 55.0), "men": (48.7, 52.0, 54.7, 51.8)},
}

# Relative birth-cohort sizes in Sweden (approximate), used for the 2009 age structure.
_COHORT_YEARS = [1905, 1920, 1935, 1945, 1955, 1965, 1975, 1985, 1991, 1998, 2005, 2009]
_COHORT_SIZE = [0.80, 0.95, 0.85, 1.20, 1.00, 1.10, 0.95, 0.95, 1.22, 0.82, 0.98, 1.05]


def _schedule(sex: str) -> np.ndarray:
    """Baseline mortality rates by single age 0–100 (before the yearly scaling)."""
    x = AGES.astype(float)
    if sex == "women":
        infant, makeham, b, c, hump = 0.0021, 0.00012, 0.000021, 0.108, 0.00008
    else:
        infant, makeham, b, c, hump = 0.0025, 0.00020, 0.000048, 0.100, 0.00045
    gomp = b * np.exp(c * x)
    adult = makeham + gomp / (1 + 0.35 * gomp)  # levelling at the highest ages
    child = 0.00022 * np.exp(-0.35 * x)
    accident = hump * np.exp(-(((x - 22) / 6) ** 2))
    m = adult + child + accident
    m[0] = infant
    return m


def _e0(m: np.ndarray) -> float:
    pop = np.full(len(m), 1e9)
    return float(chiang(m * pop, pop, SINGLE_AGES)["ex"][0, 0])


def national_mortality() -> dict[str, np.ndarray]:
    """Return the national demo mortality rates, ``{sex: array (n_years, 101)}``.

    Each year's baseline schedule is scaled (same factor at every age) so that
    life expectancy at birth hits the hard-coded SCB value for that year.
    """
    years = range(DEATH_YEARS[0], DEATH_YEARS[1] + 1)
    out = {}
    for sex in SEXES:
        base = _schedule(sex)
        rows = []
        for y in years:
            target = _E0_TARGET[sex][y]
            f = brentq(lambda k, base=base, t=target: _e0(base * k) - t, 0.2, 5.0, xtol=1e-10)
            rows.append(base * f)
        out[sex] = np.array(rows)
    return out


def kommun_sizes(seed: int = SEED) -> pd.Series:
    """Return the synthetic total population per kommun (index = kommun code).

    As :func:`helpers.sources.demo.base.kommun_population`, with Stockholm, Göteborg and
    Malmö at about their real size.
    """
    s = demo.kommun_population(seed).copy()
    for code, k in _METRO_POP_K.items():
        s[code] = k * 1000
    return s


class _Sim:
    """Generated deaths and stocks, arrays over (kommun, sex, age, year)."""

    def __init__(self, seed: int):
        rng = np.random.default_rng([seed, 7001])
        kom = lookup.kommuner().sort_values("kommun_code").reset_index(drop=True)
        self.kom = kom
        K, S, A = len(kom), len(SEXES), len(AGES)
        size = kommun_sizes(seed).reindex(kom["kommun_code"]).to_numpy(dtype=float)
        logsize = np.log10(size)
        lan_codes = sorted(kom["lan_code"].unique())
        lan_eff = dict(zip(lan_codes, rng.normal(0, 0.05, len(lan_codes)), strict=True))
        shared = rng.normal(0, 0.065, K)
        eff = np.empty((K, S))
        for s in range(S):
            eff[:, s] = (
                np.array([lan_eff[c] for c in kom["lan_code"]]) + shared + rng.normal(0, 0.03, K)
            )
        # Centre on the population-weighted mean so that Sweden hits the target.
        eff -= (eff * size[:, None]).sum(0) / size.sum()
        slope = rng.normal(0, 0.004, (K, S))
        nat = national_mortality()
        years_d = np.arange(DEATH_YEARS[0], DEATH_YEARS[1] + 1)
        years_p = np.arange(POPULATION_YEARS[0], POPULATION_YEARS[1] + 1)

        # Initial stock 31 Dec 2009: cohort sizes × survival × an age tilt (small kommuner older).
        tilt = -0.28 * (logsize - 4.3) + rng.normal(0, 0.08, K)
        cohort = np.interp(2009 - AGES, _COHORT_YEARS, _COHORT_SIZE)
        stock0 = np.empty((K, S, A))
        for s, sex in enumerate(SEXES):
            m = nat[sex][0]
            surv = np.exp(-np.concatenate([[0.0], np.cumsum(m[:-1])]))
            surv[-1] = surv[-1] / (1 - np.exp(-m[-1]))  # open 100+ collects later ages
            shape = cohort * surv * np.where((AGES < 60) & (sex == "men"), 1.03, 1.0)
            w = shape[None, :] * np.exp(tilt[:, None] * (AGES[None, :] - 45) / 45)
            stock0[:, s, :] = w / w.sum(1, keepdims=True) * size[:, None] * 0.5
        stock = np.empty((K, S, A, len(years_p)))
        stock[..., 0] = rng.poisson(stock0)
        deaths = np.empty((K, S, A, len(years_d)))
        # Net migration: young adults leave small kommuner for large ones; everyone
        # gains a little from immigration.
        pull = np.clip((logsize - 4.45) * 0.9, -1.0, 1.0) + rng.normal(0, 0.15, K)
        young = np.exp(-(((AGES - 23) / 4.5) ** 2)) * 0.035
        immig = 0.004 * np.exp(-(((AGES - 30) / 12) ** 2))
        mig_rate = pull[:, None] * young[None, :] + immig[None, :]
        for t, year in enumerate(years_d):
            prev = stock[..., t]
            rate = np.empty((K, S, A))
            for s, sex in enumerate(SEXES):
                hazard = nat[sex][t][None, :] * np.exp(
                    eff[:, s, None] + slope[:, s, None] * (year - 2017)
                )
                rate[:, s, :] = hazard
            p_surv = np.exp(-rate)
            survivors = rng.binomial(prev.astype(np.int64), p_surv)
            new = np.zeros_like(prev)
            new[..., 1:] = survivors[..., :-1]
            new[..., -1] += survivors[..., -1]
            women_fertile = prev[:, 0, 20:45].sum(axis=1)
            births = rng.poisson(0.058 * women_fertile)
            boys = rng.binomial(births, 0.512)
            new[:, 1, 0] = boys
            new[:, 0, 0] = births - boys
            new[..., 0] = rng.binomial(new[..., 0].astype(np.int64), np.exp(-rate[..., 0] * 0.3))
            mig_mean = mig_rate[:, None, :] * prev
            mig = np.rint(rng.normal(mig_mean, np.sqrt(np.abs(mig_mean) + 0.25)))
            cur = np.maximum(new + mig, 0)
            stock[..., t + 1] = cur
            exposure = (prev + cur) / 2
            deaths[..., t] = rng.poisson(rate * exposure)
        self.deaths = deaths
        self.stock = stock
        self.years_d = years_d
        self.years_p = years_p


def _long(arr: np.ndarray, years: np.ndarray, kom: pd.DataFrame, value: str) -> pd.DataFrame:
    K, S, A, Y = arr.shape
    ik, is_, ia, iy = (
        m.ravel()
        for m in np.meshgrid(np.arange(K), np.arange(S), np.arange(A), np.arange(Y), indexing="ij")
    )
    return pd.DataFrame(
        {
            "kommunkod": kom["kommun_code"].to_numpy()[ik],
            "kommun": kom["kommun_name"].to_numpy()[ik],
            "year": years[iy].astype(int),
            "sex": np.asarray(SEXES)[is_],
            "age": AGES[ia].astype(int),
            value: arr.reshape(-1).astype(np.int64),
        }
    )


def deaths_and_population(seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return synthetic deaths and year-end population in SCB's shape.

    Parameters
    ----------
    seed : int
        Random seed; the same seed always gives the same frames.

    Returns
    -------
    tuple of pandas.DataFrame
        ``deaths`` (``kommunkod, kommun, year, sex, age, deaths``; 2010–2024) and
        ``population`` (``kommunkod, kommun, year, sex, age, population``; stock on
        31 December, 2009–2024); 290 kommuner, ``sex`` ``women``/``men``, ages
        0–100 (100 = 100+).
    """
    sim = _Sim(seed)
    return (
        _long(sim.deaths, sim.years_d, sim.kom, "deaths"),
        _long(sim.stock, sim.years_p, sim.kom, "population"),
    )


def deaths(seed: int = SEED) -> pd.DataFrame:
    """Return synthetic deaths by kommun, year, sex and single age (see :func:`deaths_and_population`)."""
    return deaths_and_population(seed)[0]


def population(seed: int = SEED) -> pd.DataFrame:
    """Return the synthetic population on 31 December (see :func:`deaths_and_population`)."""
    return deaths_and_population(seed)[1]


def e30_by_education(seed: int = SEED) -> pd.DataFrame:
    """Return synthetic remaining life expectancy at 30 by education, sex and region.

    Parameters
    ----------
    seed : int
        Random seed.

    Returns
    -------
    pandas.DataFrame
        ``region`` (``"0000"`` Sweden or ``"00"`` + län code), ``region_name``,
        ``period`` (``"1991-1995"`` … ``"2020-2024"``), ``sex`` (``women``/``men``),
        ``education`` (``forgymnasial``, ``gymnasial``, ``eftergymnasial``,
        ``totalt``) and ``e30`` (years, one decimal). Sweden follows the anchors
        exactly; counties add a county effect and noise that grows as the county
        gets smaller.
    """
    rng = np.random.default_rng([seed, 7030])
    lan = lookup.lan().sort_values("lan_code").reset_index(drop=True)
    kom = lookup.kommuner()
    size = kommun_sizes(seed).reindex(kom["kommun_code"]).to_numpy()
    lan_size = pd.Series(size).groupby(kom["lan_code"].to_numpy()).sum()
    mids = np.array([(a + b) / 2 for a, b in E30_PERIODS])
    regions = [(lookup.RIKET_CODE, lookup.RIKET_NAME, np.inf)] + [
        (r.region_code, r.region_name, float(lan_size[r.lan_code])) for r in lan.itertuples()
    ]
    region_eff = rng.normal(0, 0.35, len(regions))
    region_eff[0] = 0.0
    rows = []
    for sex in SEXES:
        ay = np.array(sorted(_E30_ANCHORS))
        levels = np.array([_E30_ANCHORS[y][sex] for y in ay])  # (n_anchor, 4)
        nat = np.column_stack([np.interp(mids, ay, levels[:, j]) for j in range(4)])
        for r, (code, name, pop) in enumerate(regions):
            if np.isinf(pop):
                vals = nat
            else:
                sd = 0.9 / np.sqrt(pop / 20_000)  # smaller county → noisier cell
                edu_sd = np.array([1.6, 1.0, 1.2, 0.6]) * sd
                noise = rng.normal(0, 1, (len(mids), 4)) * edu_sd
                smooth = (
                    pd.DataFrame(noise).rolling(3, min_periods=1, center=True).mean().to_numpy()
                )
                vals = nat + region_eff[r] + smooth
            for p, (a, b) in enumerate(E30_PERIODS):
                for j, edu in enumerate(EDUCATION_LEVELS):
                    rows.append((code, name, f"{a}-{b}", sex, edu, round(float(vals[p, j]), 1)))
    return pd.DataFrame(
        rows, columns=["region", "region_name", "period", "sex", "education", "e30"]
    )


def e30_indicator_table(e30: pd.DataFrame | None = None, seed: int = SEED) -> pd.DataFrame:
    """Return the e30-by-education table as a tidy indicator table.

    Parameters
    ----------
    e30 : pandas.DataFrame, optional
        Output of :func:`e30_by_education` (or the same shape from SCB);
        generated with ``seed`` when omitted.
    seed : int
        Seed used when ``e30`` is omitted.

    Returns
    -------
    pandas.DataFrame
        Indicator ``"e30_utb"``, ``group`` = education level (``"alla"`` for
        totalt), ``sex`` kvinnor/män, ``period`` = last year and ``period_label``
        ``"1991–1995"``; no CI, flag ``ej bedömd``; source marked synthetic.
    """
    df = e30_by_education(seed) if e30 is None else e30
    first_last = df["period"].astype(str).str.extract(r"(\d{4})\D+(\d{4})")
    out = pd.DataFrame(
        {
            "area_code": df["region"].astype(str),
            "area_name": df["region_name"].astype(str),
            "area_type": np.where(df["region"].astype(str) == lookup.RIKET_CODE, "riket", "region"),
            "period": first_last[1].astype(int),
            "period_label": first_last[0] + "–" + first_last[1],
            "sex": df["sex"].map(SEX_LABELS),
            "group": df["education"].map(EDUCATION_LABELS),
            "indicator": E30_INDICATOR,
            "value": df["e30"].astype(float),
            "flag": indicators.FLAG_NOT_ASSESSED,
            "flag_reason": "osäkerhetsmått saknas",
        }
    )
    return indicators.make(out, source=SYNTHETIC_LABEL)


def _csv_gz(df: pd.DataFrame) -> bytes:
    """CSV bytes, gzip-compressed deterministically (no timestamp), so equal data hash equally."""
    text = df.to_csv(index=False, lineterminator="\n").encode("utf-8")
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=6, mtime=0) as fh:
        fh.write(text)
    return buf.getvalue()


def demo_urls(seed: int = SEED) -> dict[str, str]:
    """Return the pseudo-URLs under which the mortality demo files are cached."""
    base = f"{demo.DEMO_URL_PREFIX}scb/"
    return {
        "deaths": f"{base}doda_kommun_ettarsklasser?seed={seed}",
        "population": f"{base}folkmangd_31dec_kommun_ettarsklasser?seed={seed}",
        "e30": f"{base}livslangd_30_utbildning_lan?seed={seed}",
    }


def write_mortality_demo(cache: RawCache | None = None, seed: int = SEED) -> list[Entry]:
    """Write the synthetic deaths, population and e30 tables to ``data/raw/demo`` (once).

    Parameters
    ----------
    cache : helpers.core.cache.RawCache, optional
        Default :func:`helpers.sources.demo.base.demo_cache` (``data/raw/demo``).
    seed : int
        Random seed.

    Returns
    -------
    list of helpers.core.cache.Entry
        Manifest entries of the three files (existing entries are reused).
    """
    cache = cache or demo.demo_cache()
    urls = demo_urls(seed)
    entries: dict[str, Entry] = {}
    for key, url in urls.items():
        found = cache.lookup(url)
        if found is not None:
            entries[key] = found
    if len(entries) < len(urls):
        frames: dict[str, pd.DataFrame] = {}
        if "deaths" not in entries or "population" not in entries:
            frames["deaths"], frames["population"] = deaths_and_population(seed)
        if "e30" not in entries:
            frames["e30"] = e30_by_education(seed)
        what = {
            "deaths": "döda efter kommun, år, kön och ettårsklass (SCB BE0101D9-format)",
            "population": "folkmängd 31 december efter kommun, år, kön och ettårsklass (SCB-format)",
            "e30": "återstående medellivslängd vid 30 år efter utbildning, kön och län (SCB-format)",
        }
        for key, frame in frames.items():
            if key in entries:
                continue
            entries[key] = cache.put(
                urls[key],
                _csv_gz(frame),
                suffix=".csv.gz",
                note=f"SYNTETISKA DEMODATA (seed {seed}): {what[key]} – inte verkliga värden",
            )
    return [entries[k] for k in urls]


__all__ = [
    "DEATH_YEARS",
    "E30_INDICATOR",
    "E30_PERIODS",
    "EDUCATION_LEVELS",
    "POPULATION_YEARS",
    "SEED",
    "deaths",
    "deaths_and_population",
    "demo_urls",
    "e30_by_education",
    "e30_indicator_table",
    "kommun_sizes",
    "national_mortality",
    "population",
    "write_mortality_demo",
]
