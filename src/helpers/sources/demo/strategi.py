"""Synthetic demo data for the Strategi för hälsa follow-up, in Kolada v3 shape.

For every KPI in ``params/strategi_for_halsa.yaml`` (and its *Osäkerhetstal*)
this module generates seeded, plausible values for all 290 kommuner, the 21
regions and Riket over 2012–2024, and writes them as Kolada API v3 data
envelopes (one file per KPI) to ``data/raw/demo/`` through
:class:`helpers.core.cache.RawCache`, with a manifest note saying they are
synthetic. It also writes synthetic "Liknande kommuner socioekonomi,
<Kommun>, 2024" groups (seven members each, chosen by a seeded similarity that
ignores the county) and "Liknande regioner socioekonomi, <Region>, 2024"
groups, as a v3 ``/municipality_groups`` envelope.

What the data look like (so the follow-up has something to find):

* shares in %, rates per 100 000, life expectancy in years, patient-survey
  indices 0–100; a national trend, a county effect, a shared socioeconomic
  factor (which also drives the similarity groups), a kommun effect and noise
  that grows as the population shrinks;
* KPIs of Kolada type L (regions only) have no kommun values;
* missing years (no data object at all, e.g. dental data for 2020, the
  biennial patient survey, the pupil survey only from 2023) and v3 null rows
  (``value`` null with ``count`` 0) for small kommuner, non-participating
  kommuner and kommuner not surveyed that year;
* sex splits (genders ``T``, ``K``, ``M``) where the KPI is divided by sex;
* survey KPIs with an uncertainty KPI get a pooled four-year sample size per
  area and an *Osäkerhetstal* ``u = 1,96·√(deff·p(1−p)/n)`` (in
  percentage points), with the value drawn around the true share with that
  uncertainty; areas with fewer than 80 respondents are null.

One synthetic population: life expectancy (N00923/N00925) is not generated
here but taken from the demo's Kolada-shaped series, which is computed from
the demo deaths and population (:mod:`helpers.sources.demo.strategi_derived`), and the survey KPIs that the
demo microdata can answer are, for the areas the extract covers, the survey
section's own estimates. A kommun, sex and period therefore has the
same value in the Strategi section as in the life-table and survey sections.

This module only generates (and caches) the demo data; :func:`helpers.sources.strategi.load`
reads them – or the real values from Kolada – as the same tidy table and group list.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from helpers.core import indicators, lookup
from helpers.core.cache import Entry, RawCache
from helpers.core.memo import Memo
from helpers.sources.demo import base as demo
from helpers.sources.demo import strategi_derived as derived

SEED = 20171219  # SKR's board adopted the strategy in December 2017
FIRST_YEAR, LAST_YEAR = 2012, 2024
#: Bump when the generator changes, so cached files from an older generator are not reused.
#: (KPIs derived from other demo data carry a checksum of their values in the address too.)
GENERATOR_VERSION = 2
GROUP_EDITION = 2024
N_SIMILAR = 7
MIN_RESPONDENTS = 80
_DEFF = 1.4  # design effect of the weighted population survey
_Z = 1.96


@dataclass(frozen=True)
class Profile:
    """How one synthetic KPI behaves.

    Attributes
    ----------
    start, end : float
        Riket's (true) value in 2012 and 2024; the trend is linear between them.
    sd : float
        Spread between kommuner (or regions for region-only KPIs).
    sex_gap : float
        Women minus men.
    noise : float
        Year-to-year noise (SD) for a kommun of 20 000 inhabitants; scales with
        ``sqrt(20 000 / population)``. Ignored for survey KPIs with uncertainty.
    lo, hi : float
        Bounds of the value.
    decimals : int
        Rounding.
    years : tuple of int, optional
        Years with data objects (default 2012–2024).
    min_pop : float
        Kommuner smaller than this get null values (suppression).
    missing_share : float
        Share of kommun-years that are null (non-participation).
    alternate : bool
        Kommuner are surveyed every other year (half of them each year).
    shift_from : int, optional
        First year of a new definition; values jump by ``shift``.
    shift : float
        Jump at ``shift_from``.
    respondents_per_1000 : float
        Respondents per 1 000 inhabitants in a pooled value (survey KPIs).
    """

    start: float
    end: float
    sd: float
    sex_gap: float = 0.0
    noise: float = 1.0
    lo: float = 0.0
    hi: float = 100.0
    decimals: int = 1
    years: tuple[int, ...] | None = None
    min_pop: float = 0.0
    missing_share: float = 0.0
    alternate: bool = False
    shift_from: int | None = None
    shift: float = 0.0
    respondents_per_1000: float = 12.0


def _years(first: int = FIRST_YEAR, last: int = LAST_YEAR, skip: Iterable[int] = ()) -> tuple:
    return tuple(y for y in range(first, last + 1) if y not in set(skip))


#: Plausible behaviour of each KPI in the goal file (Riket levels from published figures,
#: rounded; spreads and noise chosen so that small kommuner vary as in Kolada).
PROFILES: dict[str, Profile] = {
    "N80401": Profile(95.6, 95.0, 1.4, 0.3, 0.4, 80, 100, years=_years(skip=[2020])),
    "N15428": Profile(86.6, 84.8, 4.0, 1.6, 2.0),
    "N17461": Profile(72.0, 74.0, 5.5, 4.0, 2.5, years=_years(last=2023)),
    "N33871": Profile(31.0, 37.0, 9.0, 0.0, 5.0, years=_years(2013, 2023), min_pop=15_000),
    "N00973": Profile(31.0, 46.0, 9.0, -14.0, 6.0, min_pop=8_000),
    "N02797": Profile(8.2, 6.6, 2.0, -0.8, 0.8, years=_years(last=2023)),
    "U01429": Profile(62.5, 65.5, 3.0, 1.0, respondents_per_1000=12.0),
    "N20402": Profile(4300, 3950, 550, 650, 250, 1500, 9000, decimals=0),
    "N15613": Profile(87.0, 86.0, 4.0, -1.0, 3.0, years=_years(2023), alternate=True),
    "N15623": Profile(84.0, 83.0, 4.0, 0.5, 3.0, years=_years(2023), alternate=True),
    "N15602": Profile(74.0, 70.0, 5.0, 1.5, 3.5, years=_years(2023), alternate=True),
    "U21454": Profile(80.0, 82.0, 3.5, -0.5, 2.5, missing_share=0.04, shift_from=2023, shift=9.0),
    "U23505": Profile(78.0, 80.0, 4.0, -0.5, 3.5, missing_share=0.08, shift_from=2023, shift=9.5),
    "U30453": Profile(70.0, 72.0, 7.0, 0.0, 6.0, years=_years(2014), missing_share=0.35),
    "U28663": Profile(81.0, 83.0, 6.0, 0.0, 5.0, years=_years(2015), missing_share=0.3),
    "U71455": Profile(
        77.0, 75.5, 1.8, -0.6, 0.6, years=_years(2013, 2023, skip=range(2012, 2024, 2))
    ),
    "U71454": Profile(
        88.0, 87.0, 1.2, -0.3, 0.5, years=_years(2013, 2023, skip=range(2012, 2024, 2))
    ),
    "U71452": Profile(
        80.5, 79.0, 1.6, -0.8, 0.6, years=_years(2013, 2023, skip=range(2012, 2024, 2))
    ),
    "N00925": Profile(83.6, 84.9, 0.8, 0.0, 0.35, 75, 90, decimals=2),
    "N00923": Profile(79.9, 81.6, 1.0, 0.0, 0.45, 70, 88, decimals=2),
    "N66077": Profile(19.5, 18.0, 5.0, 0.0, 0.8, years=_years(last=2023)),
    "U01405": Profile(70.0, 71.5, 3.2, -2.5, respondents_per_1000=12.0),
    "U01413": Profile(29.5, 27.0, 4.0, -1.0, respondents_per_1000=12.0),
}

_FALLBACK: dict[str, Profile] = {
    "procent": Profile(60.0, 62.0, 5.0, 0.0, 2.0),
    "per 1000": Profile(40.0, 38.0, 6.0, 0.0, 3.0, 0, 1000),
    "per 100 000": Profile(4000, 3800, 500, 0.0, 300, 0, 100_000, decimals=0),
    "år": Profile(82.0, 83.5, 1.0, 0.0, 0.4, 60, 95, decimals=2),
    "index": Profile(80.0, 80.0, 2.0, 0.0, 0.6),
}


def profile_for(kpi: str, unit: str) -> Profile:
    """Return the profile of a KPI (a neutral one by unit for KPIs not listed)."""
    return PROFILES.get(kpi, _FALLBACK.get(unit, _FALLBACK["procent"]))


# --------------------------------------------------------------------------- areas
@dataclass(frozen=True)
class _Areas:
    codes: np.ndarray  # kommun codes
    lan: np.ndarray  # län code per kommun
    pop: np.ndarray  # population per kommun
    socio: np.ndarray  # socioeconomic factor (higher = more advantaged)
    other: np.ndarray  # second similarity factor (settlement structure)
    lan_codes: list[str]


def _areas(seed: int) -> _Areas:
    rng = np.random.default_rng([seed, 1])
    kom = lookup.kommuner()
    pop = demo.kommun_population().reindex(kom["kommun_code"]).to_numpy(dtype=float)
    logpop = (np.log(pop) - np.log(pop).mean()) / np.log(pop).std()
    socio = 0.45 * logpop + rng.normal(0.0, 0.9, size=len(pop))
    socio = (socio - socio.mean()) / socio.std()
    other = 0.7 * logpop + rng.normal(0.0, 0.7, size=len(pop))
    return _Areas(
        codes=kom["kommun_code"].to_numpy(),
        lan=kom["lan_code"].to_numpy(),
        pop=pop,
        socio=socio,
        other=other,
        lan_codes=sorted(kom["lan_code"].unique()),
    )


def _rng(seed: int, kpi: str) -> np.random.Generator:
    return np.random.default_rng([seed, *kpi.encode()])


# --------------------------------------------------------------------------- values
def kpi_values(goal: Any, seed: int = SEED, uncertainty_kpi: str | None = None) -> pd.DataFrame:
    """Generate one KPI (and its uncertainty KPI) for all areas and years.

    Parameters
    ----------
    goal : row of the goal table
        Needs ``kpi``, ``unit``, ``level``, ``direction``, ``divided_by_sex``.
    seed : int
        Random seed.
    uncertainty_kpi : str, optional
        Id of the *Osäkerhetstal* KPI to generate alongside.

    Returns
    -------
    pandas.DataFrame
        Columns ``kpi``, ``municipality``, ``period``, ``gender`` (T/K/M) and
        ``value`` (NaN = a v3 null value). Years without a data object are
        absent.
    """
    years = range(FIRST_YEAR, LAST_YEAR + 1)
    if goal.kpi in derived.life_expectancy_kpis():
        return derived.life_expectancy_values(goal.kpi, years)
    generated = _generated_values(goal, seed, uncertainty_kpi)
    if goal.kpi in derived.SURVEY_KPIS:
        return derived.with_survey_estimates(generated, goal, uncertainty_kpi, years)
    return generated


def _generated_values(goal: Any, seed: int, uncertainty_kpi: str | None) -> pd.DataFrame:
    """Draw one KPI (and its uncertainty KPI) from its :class:`Profile`."""
    prof = profile_for(goal.kpi, goal.unit)
    rng = _rng(seed, goal.kpi)
    areas = _areas(seed)
    years = np.array(prof.years or _years())
    t = (years - FIRST_YEAR) / (LAST_YEAR - FIRST_YEAR)
    national = prof.start + (prof.end - prof.start) * t
    if prof.shift_from is not None:
        national = national + np.where(years >= prof.shift_from, prof.shift, 0.0)
    sign = 1.0 if goal.direction == "higher" else -1.0
    lan_effect = dict(
        zip(areas.lan_codes, rng.normal(0, 0.3 * prof.sd, len(areas.lan_codes)), strict=True)
    )
    sexes = {"T": 0.0}
    if goal.divided_by_sex:
        sexes |= {"K": prof.sex_gap / 2, "M": -prof.sex_gap / 2}
    survey = uncertainty_kpi is not None
    frames = []
    if goal.level == "region":
        reg_pop = pd.Series(areas.pop).groupby(areas.lan).sum()
        reg_socio = pd.Series(areas.socio * areas.pop).groupby(areas.lan).sum() / reg_pop
        z = (reg_socio - reg_socio.mean()) / max(reg_socio.std(), 1e-9)
        own = rng.normal(0, 0.85 * prof.sd, len(areas.lan_codes))
        effect = 0.5 * prof.sd * sign * z.reindex(areas.lan_codes).to_numpy() + own
        slope = rng.normal(0, 0.25 * prof.sd, len(areas.lan_codes))
        true = national[None, :] + effect[:, None] + slope[:, None] * (t[None, :] - 0.5)
        w = reg_pop.reindex(areas.lan_codes).to_numpy()
        noise_sd = prof.noise * np.sqrt(200_000 / w)
        for g, off in sexes.items():
            vals = true + off + rng.normal(0, 1, true.shape) * noise_sd[:, None]
            vals = np.clip(vals, prof.lo, prof.hi)
            riket = (vals * w[:, None]).sum(0) / w.sum()
            frames.append(
                _frame(
                    goal.kpi, [lookup.region_code_of(c) for c in areas.lan_codes], years, g, vals
                )
            )
            frames.append(_frame(goal.kpi, [lookup.RIKET_CODE], years, g, riket[None, :]))
        return _round(pd.concat(frames, ignore_index=True), prof.decimals)

    n = len(areas.codes)
    own = rng.normal(0, np.sqrt(0.5) * prof.sd, n)
    effect = 0.6 * prof.sd * sign * areas.socio + np.array([lan_effect[c] for c in areas.lan]) + own
    slope = rng.normal(0, 0.25 * prof.sd, n)
    true_t = national[None, :] + effect[:, None] + slope[:, None] * (t[None, :] - 0.5)
    pop = areas.pop
    null = np.zeros((n, len(years)), dtype=bool)
    null |= (pop < prof.min_pop)[:, None]
    null |= rng.random((n, len(years))) < prof.missing_share
    if prof.alternate:
        parity = np.array([int(c) % 2 for c in areas.codes])
        null |= (years[None, :] + parity[:, None]) % 2 == 1
    resp = None
    if survey:
        window = rng.uniform(0.7, 1.4, (n, len(years)))
        resp = pop[:, None] / 1000 * prof.respondents_per_1000 * window
        null |= resp < MIN_RESPONDENTS
    lan_idx = {c: np.flatnonzero(areas.lan == c) for c in areas.lan_codes}
    unc_frames = []
    for g, off in sexes.items():
        true = np.clip(true_t + off, prof.lo, prof.hi)
        if survey:
            share = resp / (1.0 if g == "T" else 2.0)
            u_k = _uncertainty(true, share)
            vals = true + rng.normal(0, 1, true.shape) * u_k / _Z
        else:
            noise_sd = prof.noise * np.sqrt(20_000 / pop)
            vals = true + rng.normal(0, 1, true.shape) * noise_sd[:, None]
        vals = np.clip(vals, prof.lo, prof.hi)
        reg_vals, reg_u = [], []
        for c in areas.lan_codes:
            i = lan_idx[c]
            w = pop[i][:, None] * np.ones(len(years))
            reg_true = (true[i] * w).sum(0) / w.sum(0)
            if survey:
                reg_n = share[i].sum(0)
                u_r = _uncertainty(reg_true, reg_n)
                reg_vals.append(reg_true + rng.normal(0, 1, len(years)) * u_r / _Z)
                reg_u.append(u_r)
            else:
                reg_vals.append((vals[i] * w).sum(0) / w.sum(0))
        reg_vals = np.clip(np.array(reg_vals), prof.lo, prof.hi)
        wts = pop[:, None] * np.ones(len(years))
        riket_true = (true * wts).sum(0) / wts.sum(0)
        if survey:
            riket_u = _uncertainty(riket_true, share.sum(0))
            riket = riket_true + rng.normal(0, 1, len(years)) * riket_u / _Z
        else:
            riket = (vals * wts).sum(0) / wts.sum(0)
        hidden = null | (share < MIN_RESPONDENTS) if survey else null
        shown = np.where(hidden, np.nan, vals)
        frames.append(_frame(goal.kpi, list(areas.codes), years, g, shown))
        frames.append(
            _frame(
                goal.kpi, [lookup.region_code_of(c) for c in areas.lan_codes], years, g, reg_vals
            )
        )
        frames.append(_frame(goal.kpi, [lookup.RIKET_CODE], years, g, riket[None, :]))
        if survey:
            unc_frames.append(
                _frame(uncertainty_kpi, list(areas.codes), years, g, np.where(hidden, np.nan, u_k))
            )
            unc_frames.append(
                _frame(
                    uncertainty_kpi,
                    [lookup.region_code_of(c) for c in areas.lan_codes],
                    years,
                    g,
                    np.array(reg_u),
                )
            )
            unc_frames.append(
                _frame(uncertainty_kpi, [lookup.RIKET_CODE], years, g, riket_u[None, :])
            )
    out = _round(pd.concat(frames, ignore_index=True), prof.decimals)
    if unc_frames:
        out = pd.concat(
            [out, _round(pd.concat(unc_frames, ignore_index=True), 1)], ignore_index=True
        )
    return out


def _uncertainty(p: np.ndarray, n: np.ndarray) -> np.ndarray:
    """95 % half-width in percentage points of a share ``p`` (%) from ``n`` respondents."""
    q = np.clip(p, 1.0, 99.0) / 100.0
    return _Z * np.sqrt(_DEFF * q * (1 - q) / np.maximum(n, 1.0)) * 100.0


def _frame(
    kpi: str, codes: Sequence[str], years: np.ndarray, gender: str, vals: np.ndarray
) -> pd.DataFrame:
    vals = np.asarray(vals, dtype=float)
    return pd.DataFrame(
        {
            "kpi": kpi,
            "municipality": np.repeat(np.asarray(codes, dtype=object), len(years)),
            "period": np.tile(years, len(codes)).astype(int),
            "gender": gender,
            "value": vals.reshape(-1),
        }
    )


def _round(df: pd.DataFrame, decimals: int) -> pd.DataFrame:
    df["value"] = df["value"].round(decimals)
    return df


def to_kolada_envelope(values: pd.DataFrame) -> dict:
    """Wrap value rows in a Kolada API v3 data envelope, with genders T, K and M.

    Extends :func:`helpers.sources.demo.base.to_kolada_envelope` to several genders: one data
    object per KPI, municipality and period, one entry per gender in its
    ``values``. Null values get ``count`` 0, as in v3.

    Parameters
    ----------
    values : pandas.DataFrame
        Columns ``kpi``, ``municipality``, ``period``, ``gender``, ``value``.

    Returns
    -------
    dict
        ``{"values": [...], "count": n, "next_url": None, "previous_url": None}``.
    """
    order = {"T": 0, "K": 1, "M": 2}
    df = values.assign(_g=values["gender"].map(order)).sort_values(
        ["kpi", "municipality", "period", "_g"], kind="stable"
    )
    objs: list[dict] = []
    last: tuple | None = None
    for kpi, mun, period, gender, value in zip(
        df["kpi"].tolist(),
        df["municipality"].tolist(),
        df["period"].tolist(),
        df["gender"].tolist(),
        df["value"].tolist(),
        strict=True,
    ):
        key = (kpi, mun, period)
        if key != last:
            objs.append({"kpi": kpi, "municipality": mun, "period": int(period), "values": []})
            last = key
        missing = value != value  # NaN
        objs[-1]["values"].append(
            {
                "gender": gender,
                "count": 0 if missing else 1,
                "status": "",
                "value": None if missing else float(value),
                "isdeleted": False,
            }
        )
    return {"values": objs, "count": len(objs), "next_url": None, "previous_url": None}


# --------------------------------------------------------------------------- groups
def similar_groups(seed: int = SEED) -> list[dict]:
    """Synthetic "Liknande kommuner/regioner socioekonomi, <namn>, 2024" groups.

    Each kommun gets its seven nearest kommuner (anywhere in Sweden) on the
    same seeded factors that drive the synthetic KPIs (socioeconomic factor
    and settlement structure); each region its seven nearest regions. The
    kommun or region itself is never a member.

    Returns
    -------
    list of dict
        v3 municipality groups ``{id, title, members: [{member_id, member_title}]}``.
    """
    areas = _areas(seed)
    names = lookup.kommuner().set_index("kommun_code")["kommun_name"]
    feats = np.column_stack(
        [areas.socio, 0.6 * (areas.other - areas.other.mean()) / areas.other.std()]
    )
    dist = np.sqrt(((feats[:, None, :] - feats[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(dist, np.inf)
    groups = []
    for i, code in enumerate(areas.codes):
        near = np.argsort(dist[i], kind="stable")[:N_SIMILAR]
        members = sorted(areas.codes[near])
        groups.append(
            {
                "id": f"G9{i + 1:05d}",
                "title": f"Liknande kommuner socioekonomi, {names[code]}, {GROUP_EDITION}",
                "members": [{"member_id": m, "member_title": names[m]} for m in members],
            }
        )
    lan = lookup.lan().set_index("lan_code")
    reg_pop = pd.Series(areas.pop).groupby(areas.lan).sum()
    reg_socio = (pd.Series(areas.socio * areas.pop).groupby(areas.lan).sum() / reg_pop).reindex(
        areas.lan_codes
    )
    reg_size = np.log(reg_pop.reindex(areas.lan_codes).to_numpy())
    rf = np.column_stack(
        [
            (reg_socio - reg_socio.mean()) / reg_socio.std(),
            0.6 * (reg_size - reg_size.mean()) / reg_size.std(),
        ]
    )
    rdist = np.sqrt(((rf[:, None, :] - rf[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(rdist, np.inf)
    for i, c in enumerate(areas.lan_codes):
        near = np.argsort(rdist[i], kind="stable")[:N_SIMILAR]
        members = sorted(lookup.region_code_of(areas.lan_codes[j]) for j in near)
        groups.append(
            {
                "id": f"G99{i + 1:04d}",
                "title": f"Liknande regioner socioekonomi, {lan.loc[c, 'region_name']}, {GROUP_EDITION}",
                "members": [
                    {"member_id": m, "member_title": lan.loc[m[2:], "region_name"]} for m in members
                ],
            }
        )
    return groups


# --------------------------------------------------------------------------- cache
def kpi_url(kpi: str, seed: int = SEED, digest: str | None = None) -> str:
    """Return the pseudo-URL under which a synthetic KPI is cached.

    ``digest`` (:func:`helpers.sources.demo.strategi_derived.digest`) is added for KPIs derived from other
    demo data, so that new inputs give a new address.
    """
    url = f"{demo.DEMO_URL_PREFIX}kolada/v3/data/kpi/{kpi}?set=strategi&v={GENERATOR_VERSION}&seed={seed}"
    return f"{url}&sha={digest}" if digest else url


def groups_url(seed: int = SEED) -> str:
    """Return the pseudo-URL under which the synthetic municipality groups are cached."""
    return (
        f"{demo.DEMO_URL_PREFIX}kolada/v3/municipality_groups"
        f"?set=strategi&v={GENERATOR_VERSION}&seed={seed}"
    )


def _note(what: str, seed: int) -> str:
    return f"SYNTETISKA DEMODATA (seed {seed}) i Koladas v3-format – inte verkliga värden: {what}"


def _goal_table(goals: pd.DataFrame | None) -> pd.DataFrame:
    from helpers.config import goals as goal_file

    return goal_file.load_goals() if goals is None else goals


def write_all(
    cache: RawCache | None = None, seed: int = SEED, goals: pd.DataFrame | None = None
) -> list[Entry]:
    """Write every synthetic KPI file and the groups file that is not cached yet.

    Parameters
    ----------
    cache : RawCache, optional
        Default :func:`helpers.sources.demo.base.demo_cache` (``data/raw/demo``).
    seed : int
        Random seed.
    goals : pandas.DataFrame, optional
        Goal table (default: the goal file).

    Returns
    -------
    list of helpers.core.cache.Entry
        One entry per KPI file (in goal order) and, last, the groups file.
    """
    cache = cache or demo.demo_cache()
    goals = _goal_table(goals)
    entries = []
    for g in goals.dropna(subset=["kpi"]).drop_duplicates("kpi").itertuples(index=False):
        ukpi = g.uncertainty_kpi if isinstance(g.uncertainty_kpi, str) else None
        values = kpi_values(g, seed, ukpi) if derived.is_derived(g.kpi) else None
        url = kpi_url(g.kpi, seed, derived.digest(values) if values is not None else None)
        entry = cache.lookup(url)
        if entry is None:
            values = kpi_values(g, seed, ukpi) if values is None else values
            body = json.dumps(to_kolada_envelope(values), ensure_ascii=False, separators=(",", ":"))
            what = f"{g.kpi}" + (f" och osäkerhetstalet {ukpi}" if ukpi else "")
            entry = cache.put(url, body.encode("utf-8"), note=_note(what, seed))
        entries.append(entry)
    url = groups_url(seed)
    entry = cache.lookup(url)
    if entry is None:
        body = json.dumps(
            {
                "values": (grp := similar_groups(seed)),
                "count": len(grp),
                "next_url": None,
                "previous_url": None,
            },
            ensure_ascii=False,
        )
        entry = cache.put(url, body.encode("utf-8"), note=_note("liknande kommuner/regioner", seed))
    entries.append(entry)
    return entries


_MEMO = Memo("strategi_demo")


def load_table(seed: int = SEED, goals: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the synthetic Strategi-för-hälsa KPIs as the tidy indicator table.

    Builds the files if needed, parses the v3 envelopes with
    :func:`helpers.sources.strategi.to_indicator_table`, and memoizes the result in
    memory and in ``data/processed`` (keyed by the raw files' sha256).

    Parameters
    ----------
    seed, goals
        As for :func:`write_all`.

    Returns
    -------
    pandas.DataFrame
        Indicator table with the KPIs and their *Osäkerhetstal* KPIs, source
        :data:`helpers.core.fmt.SYNTHETIC_LABEL`.
    """
    from helpers.sources import strategi as data_strategi

    goals = _goal_table(goals)
    cache = demo.demo_cache()
    entries = write_all(cache, seed, goals)[:-1]

    def make() -> pd.DataFrame:
        frames = []
        for entry in entries:
            envelope = json.loads(cache.path(entry).read_bytes())
            frames.append(data_strategi.to_indicator_table(envelope["values"], goals))
        return indicators.concat(frames)

    key = hashlib.sha256("".join(e.sha256 for e in entries).encode()).hexdigest()[:16]
    table = _MEMO.frame(key, make, persist=True)
    return indicators.validate(table.astype(indicators.COLUMNS))


def load_groups(seed: int = SEED) -> list[dict]:
    """Return the synthetic municipality groups (building them if needed)."""
    cache = demo.demo_cache()
    entry = cache.lookup(groups_url(seed))
    if entry is None:
        entry = write_all(cache, seed)[-1]
    return json.loads(cache.path(entry).read_bytes())["values"]


def main() -> None:
    """Command-line entry point: build the synthetic Strategi-för-hälsa data."""
    entries = write_all()
    print(
        f"Syntetiska demodata för Strategi för hälsa i {demo.demo_cache().dir}: {len(entries)} filer"
    )


if __name__ == "__main__":
    main()


__all__ = [
    "PROFILES",
    "Profile",
    "kpi_values",
    "load_groups",
    "load_table",
    "profile_for",
    "similar_groups",
    "to_kolada_envelope",
    "write_all",
]
