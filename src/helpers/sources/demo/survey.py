"""Synthetic survey microdata for Dalarna, in the shape of a real regional extract.

SYNTETISKA DEMODATA – inte verkliga värden. The workbook's survey chapters
and the workshop run offline on this seeded extract, which looks like what a
region receives for *Hälsa på lika villkor* with its supplementary sample:

* Dalarna (län ``"20"``), its 15 kommuner, four survey years
  (:data:`YEARS`), about 15 000 respondents aged 16–84;
* stratified by kommun, with small kommuner oversampled (the net sample per
  kommun grows with the square root of its population, not proportionally);
* non-response that depends on age, sex and education: older, highly educated
  women answer far more often than young men with a short education (as in
  the real survey, where the response rate was about 50 % in 2012 and lower since);
* calibration weights: population / respondents per kommun, raked on
  sex × age group and education, with some individual variation as from the
  further calibration variables of the real survey, and finally scaled so that
  they sum exactly to the 16–84 population of each kommun × sex;
* four yes/no answers with plausible patterns: daily smoking (about 5–15 %,
  higher with a short education, falling over time), risky alcohol habits
  (AUDIT-C), good self-rated health (five-level question) and a sedentary
  leisure time (four-level question); item non-response is coded 9 or left empty.

The extract uses raw column names and codes (``LopNr;Kommun;Ar;Kon;...``) and
is written as a Swedish Excel CSV (``;``, decimal comma, UTF-8 with BOM) to
``data/raw/demo`` through :class:`helpers.core.cache.RawCache`, together with the
population by kommun × sex × age group × education used to compare
respondents with the population. ``params/survey_variables_demo.yaml`` maps
the extract for :func:`helpers.sources.survey_files.read_microdata`.

Calibration (not read at run time): population sizes are those of
:func:`helpers.sources.demo.base.kommun_population` (approximately the real ones); the
16–84 share, age, sex and education structure are rounded from SCB's
population and education registers for Dalarna and are only meant to look
familiar.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core import lookup, paths
from helpers.core.cache import Entry, RawCache
from helpers.core.fmt import excel_csv
from helpers.sources.demo.base import DEMO_URL_PREFIX, demo_cache, kommun_population

#: Default seed of the demo extract.
DEMO_SEED = 20241017
#: Survey years.
YEARS: tuple[int, ...] = (2012, 2016, 2020, 2024)
#: The demo county.
LAN_CODE = "20"
#: Age groups (canonical labels, as in the variable map).
AGE_GROUPS: tuple[str, ...] = ("16–29", "30–44", "45–64", "65–84")
#: Sexes, education levels (canonical labels).
SEXES: tuple[str, ...] = ("män", "kvinnor")
EDUCATION: tuple[str, ...] = ("förgymnasial", "gymnasial", "eftergymnasial", "okänd")
#: Total number of respondents aimed at (over all years).
N_RESPONDENTS = 15_000
#: Bump when the generator changes, so a new file is cached next to the old one.
GENERATOR_VERSION = 1
URL_PREFIX = DEMO_URL_PREFIX
#: Name of the variable map in ``params/``.
VARIABLE_MAP_NAME = "survey_variables_demo.yaml"

#: Raw codes written to the extract (must agree with the variable map).
SEX_CODES: dict[str, int] = {"män": 1, "kvinnor": 2}
AGE_CODES: dict[str, int] = {a: i + 1 for i, a in enumerate(AGE_GROUPS)}
EDUCATION_CODES: dict[str, int] = {
    "förgymnasial": 1,
    "gymnasial": 2,
    "eftergymnasial": 3,
    "okänd": 9,
}
#: Answer variable -> raw column.
ANSWER_COLUMNS: dict[str, str] = {
    "daily_smoking": "Tobak_dagl",
    "risk_alcohol": "Alk_risk",
    "good_health": "Halsa",
    "physical_inactivity": "Fysakt_fritid",
}
RAW_COLUMNS: tuple[str, ...] = (
    "LopNr",
    "Kommun",
    "Ar",
    "Kon",
    "Aldersgrupp",
    "Utbniva",
    "Vikt",
    "Stratum",
    *ANSWER_COLUMNS.values(),
)

# Share of the population aged 16–84, and age structure within 16–84 for the
# most urban (Falun) and the most rural kommuner; others are interpolated.
_SHARE_16_84 = 0.78
_AGE_URBAN = np.array([0.22, 0.23, 0.31, 0.24])
_AGE_RURAL = np.array([0.16, 0.18, 0.32, 0.34])
_MALE_SHARE = np.array([0.52, 0.52, 0.51, 0.48])
# Education shares (förgymnasial, gymnasial, eftergymnasial, okänd) in 2020 by age group.
_EDU_2020 = {
    "män": np.array(
        [[0.20, 0.55, 0.22, 0.03], [0.09, 0.52, 0.36, 0.03], [0.13, 0.56, 0.29, 0.02], [0.31, 0.44, 0.24, 0.01]]
    ),
    "kvinnor": np.array(
        [[0.17, 0.48, 0.32, 0.03], [0.06, 0.38, 0.53, 0.03], [0.09, 0.46, 0.44, 0.01], [0.30, 0.41, 0.28, 0.01]]
    ),
}  # fmt: skip

# Response propensity (logit scale).
_RESPONSE_YEAR = {2012: 0.10, 2016: -0.05, 2020: -0.20, 2024: -0.35}
_RESPONSE_SEX = {"män": -0.15, "kvinnor": 0.15}
_RESPONSE_AGE = np.array([-0.85, -0.40, 0.10, 0.65])
_RESPONSE_EDU = {"förgymnasial": -0.45, "gymnasial": 0.0, "eftergymnasial": 0.45, "okänd": -0.70}

# Answer models (logit scale): intercept by year, then sex, age and education effects.
_ANSWER_MODELS: dict[str, dict[str, object]] = {
    "daily_smoking": {
        "year": {2012: -2.05, 2016: -2.25, 2020: -2.50, 2024: -2.75},
        "sex": {"män": -0.03, "kvinnor": 0.03},
        "age": np.array([-0.30, 0.00, 0.25, -0.20]),
        "edu": {"förgymnasial": 0.40, "gymnasial": 0.08, "eftergymnasial": -0.36, "okänd": 0.15},
    },
    "risk_alcohol": {
        "year": {2012: -1.75, 2016: -1.80, 2020: -1.85, 2024: -1.95},
        "sex": {"män": 0.25, "kvinnor": -0.25},
        "age": np.array([0.70, 0.00, -0.10, -0.50]),
        "edu": {"förgymnasial": -0.10, "gymnasial": 0.05, "eftergymnasial": 0.00, "okänd": 0.00},
    },
    "good_health": {
        "year": {2012: 0.95, 2016: 1.00, 2020: 1.00, 2024: 0.95},
        "sex": {"män": 0.05, "kvinnor": -0.05},
        "age": np.array([1.00, 0.60, 0.00, -0.50]),
        "edu": {"förgymnasial": -0.60, "gymnasial": -0.10, "eftergymnasial": 0.45, "okänd": -0.40},
    },
    "physical_inactivity": {
        "year": {2012: -2.05, 2016: -2.10, 2020: -2.10, 2024: -2.15},
        "sex": {"män": 0.05, "kvinnor": -0.05},
        "age": np.array([0.15, -0.05, -0.10, 0.25]),
        "edu": {"förgymnasial": 0.55, "gymnasial": 0.10, "eftergymnasial": -0.35, "okänd": 0.30},
    },
}
_ITEM_NONRESPONSE = 0.02


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _rngs(seed: int) -> list[np.random.Generator]:
    """Independent generators for population, sample, weights and answers."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(4)]


def demo_population(seed: int = DEMO_SEED) -> pd.DataFrame:
    """Generate the 16–84 population of Dalarna by kommun, sex, age group and education.

    Parameters
    ----------
    seed : int
        Seed (the population varies slightly with it).

    Returns
    -------
    pandas.DataFrame
        Columns ``year`` (int), ``kommun`` (4-digit string), ``sex``,
        ``age_group``, ``education`` (canonical labels) and ``population``
        (int): 4 years × 15 kommuner × 2 × 4 × 4 = 1 920 rows. Education
        shifts upwards over time; rural kommuner are older and have fewer
        with a post-secondary education.
    """
    rng = _rngs(seed)[0]
    kommuner = lookup.kommuner_in(LAN_CODE)["kommun_code"].tolist()
    total = kommun_population().reindex(kommuner).to_numpy(dtype=float)
    urban = np.clip((np.log(total) - np.log(6_500)) / (np.log(60_000) - np.log(6_500)), 0, 1)
    rows = []
    for k, code in enumerate(kommuner):
        n_16_84 = total[k] * _SHARE_16_84 * np.exp(rng.normal(0, 0.01))
        age = urban[k] * _AGE_URBAN + (1 - urban[k]) * _AGE_RURAL
        age = age * np.exp(rng.normal(0, 0.03, size=4))
        age = age / age.sum()
        for year in YEARS:
            for sex in SEXES:
                sex_share = _MALE_SHARE if sex == "män" else 1 - _MALE_SHARE
                for a, age_group in enumerate(AGE_GROUPS):
                    edu = _EDU_2020[sex][a].copy()
                    shift = edu[0] * 0.05 * (2020 - year) / 4
                    edu[0] += shift
                    edu[2] -= shift
                    less_post = edu[2] * 0.25 * (1 - urban[k])
                    edu[2] -= less_post
                    edu[1] += less_post
                    cells = n_16_84 * age[a] * sex_share[a] * edu
                    for e, level in enumerate(EDUCATION):
                        rows.append((year, code, sex, age_group, level, int(round(cells[e]))))
    return pd.DataFrame(
        rows, columns=["year", "kommun", "sex", "age_group", "education", "population"]
    ).astype({"year": "int64", "population": "int64"})


def _rake(resp: np.ndarray, pop: np.ndarray, iterations: int = 50) -> np.ndarray:
    """Rake per-respondent cell weights on (sex × age) and education margins.

    ``resp`` and ``pop`` are (sex, age, education) arrays of respondent counts
    and population; returns the weight of a respondent in each cell. Margins
    without respondents are skipped; the last step matches sex × age.
    """
    w = np.full(resp.shape, pop.sum() / max(resp.sum(), 1), dtype=float)
    target_sa, target_e = pop.sum(axis=2), pop.sum(axis=(0, 1))
    for _ in range(iterations):
        have_e = (resp * w).sum(axis=(0, 1))
        w *= np.where(have_e > 0, target_e / np.where(have_e > 0, have_e, 1), 1.0)[None, None, :]
        have_sa = (resp * w).sum(axis=2)
        w *= np.where(have_sa > 0, target_sa / np.where(have_sa > 0, have_sa, 1), 1.0)[:, :, None]
    return w


def demo_respondents(
    seed: int = DEMO_SEED,
    n_respondents: int = N_RESPONDENTS,
    population: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Generate the respondents with canonical columns (the truth behind the extract).

    Parameters
    ----------
    seed : int
        Seed; the same seed gives the same frame.
    n_respondents : int
        Expected total number of respondents over all years (the realised
        number varies by a few per cent because response is random).
    population : pandas.DataFrame, optional
        Output of :func:`demo_population` (generated from ``seed`` if omitted).

    Returns
    -------
    pandas.DataFrame
        Columns ``respondent_id`` (string), ``kommun``, ``year``, ``sex``,
        ``age_group``, ``education``, ``weight``, ``stratum`` (= kommun) and
        one nullable 0/1 column per answer variable (:data:`ANSWER_COLUMNS`),
        sorted by year and respondent id.
    """
    _pop_rng, sample_rng, weight_rng, answer_rng = _rngs(seed)
    pop = demo_population(seed) if population is None else population
    shape = (len(SEXES), len(AGE_GROUPS), len(EDUCATION))
    cells_per_block = int(np.prod(shape))
    pop = pop.assign(
        _s=pop["sex"].map({v: i for i, v in enumerate(SEXES)}),
        _a=pop["age_group"].map({v: i for i, v in enumerate(AGE_GROUPS)}),
        _e=pop["education"].map({v: i for i, v in enumerate(EDUCATION)}),
    ).sort_values(["year", "kommun", "_s", "_a", "_e"], ignore_index=True)
    if len(pop) % cells_per_block or pop[["_s", "_a", "_e"]].isna().any().any():
        raise ValueError("population must hold every sex × age group × education cell")
    blocks = pop[["year", "kommun"]].iloc[::cells_per_block].reset_index(drop=True)
    counts = pop["population"].to_numpy(dtype=float).reshape(-1, *shape)
    s_i, a_i, e_i = np.indices(shape)
    eta = (
        np.array([_RESPONSE_SEX[v] for v in SEXES])[s_i]
        + _RESPONSE_AGE[a_i]
        + np.array([_RESPONSE_EDU[v] for v in EDUCATION])[e_i]
    )
    sizes = counts[blocks["year"].to_numpy() == YEARS[0]].sum(axis=(1, 2, 3))
    first_kommuner = blocks.loc[blocks["year"] == YEARS[0], "kommun"].to_numpy()
    alloc = dict(
        zip(
            first_kommuner,
            np.sqrt(sizes) / np.sqrt(sizes).sum() * n_respondents / len(YEARS),
            strict=True,
        )
    )
    cell_ids, weights, block_ids = [], [], []
    for b, (year, kommun) in enumerate(blocks.itertuples(index=False)):
        n_pop = counts[b]
        p = _expit(_RESPONSE_YEAR[year] + eta)
        gross = int(round(alloc[kommun] * n_pop.sum() / (n_pop * p).sum()))
        drawn = sample_rng.multinomial(gross, (n_pop / n_pop.sum()).ravel()).reshape(shape)
        answered = sample_rng.binomial(drawn, p)
        # Calibration weights: rake on the cell level, then individual variation
        # (as from further calibration variables), then exact kommun × sex totals.
        cell_w = _rake(answered, n_pop)
        flat = np.repeat(np.arange(cells_per_block), answered.ravel())
        w = cell_w.ravel()[flat] * np.exp(weight_rng.normal(0, 0.15, size=len(flat)))
        sex_of = s_i.ravel()[flat]
        for si in range(len(SEXES)):
            mask = sex_of == si
            if mask.any():
                w[mask] *= n_pop[si].sum() / w[mask].sum()
        cell_ids.append(flat)
        weights.append(w)
        block_ids.append(np.full(len(flat), b))
    flat = np.concatenate(cell_ids)
    block = np.concatenate(block_ids)
    si, ai, ei = s_i.ravel()[flat], a_i.ravel()[flat], e_i.ravel()[flat]
    years = blocks["year"].to_numpy()[block]
    kommun = blocks["kommun"].to_numpy(dtype=object)[block]
    df = pd.DataFrame(
        {
            "kommun": kommun,
            "year": years,
            "sex": np.array(SEXES, dtype=object)[si],
            "age_group": np.array(AGE_GROUPS, dtype=object)[ai],
            "education": np.array(EDUCATION, dtype=object)[ei],
            "weight": np.concatenate(weights),
        }
    )
    df["stratum"] = df["kommun"]
    kommuner = sorted(set(kommun))
    k_index = pd.Index(kommuner).get_indexer(kommun)
    for name, model in _ANSWER_MODELS.items():
        k_effect = answer_rng.normal(0, 0.12, size=len(kommuner))
        eta_answer = (
            np.array([model["year"][y] for y in YEARS])[np.searchsorted(YEARS, years)]
            + np.array([model["sex"][v] for v in SEXES])[si]
            + np.asarray(model["age"])[ai]
            + np.array([model["edu"][v] for v in EDUCATION])[ei]
            + k_effect[k_index]
        )
        yes = (answer_rng.random(len(df)) < _expit(eta_answer)).astype("int64")
        p_missing = _ITEM_NONRESPONSE * np.where(ai == 3, 1.5, 1.0)
        values = pd.array(yes, dtype="Int64")
        values[answer_rng.random(len(df)) < p_missing] = pd.NA
        df[name] = values
    # Respondent ids: unique over the whole file, in random order within a year.
    order = sample_rng.permutation(len(df))
    df["respondent_id"] = (100_001 + order).astype(str)
    df = df.sort_values(["year", "respondent_id"], kind="stable").reset_index(drop=True)
    cols = ["respondent_id", "kommun", "year", "sex", "age_group", "education", "weight", "stratum"]
    df = df[cols + list(_ANSWER_MODELS)]
    return df.astype(
        {
            "respondent_id": "string",
            "kommun": "string",
            "sex": "string",
            "age_group": "string",
            "education": "string",
            "stratum": "string",
            "year": "int64",
        }
    )


def to_raw_extract(respondents: pd.DataFrame, seed: int = DEMO_SEED) -> pd.DataFrame:
    """Turn canonical respondents into a raw extract with raw column names and codes.

    Answers are coded 1 = ja, 2 = nej, 9 = uppgift saknas; good health is the
    five-level question (1 mycket bra … 5 mycket dåligt) and physical
    inactivity the four-level question (1 = stillasittande). Missing risky
    alcohol answers are left as empty cells, as some producers do.

    Parameters
    ----------
    respondents : pandas.DataFrame
        Output of :func:`demo_respondents`.
    seed : int
        Seed for the choice among the levels of the multi-level questions.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RAW_COLUMNS`.
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(5)[4])
    df = respondents
    n = len(df)
    out = pd.DataFrame(
        {
            "LopNr": df["respondent_id"].astype(int).to_numpy(),
            "Kommun": df["kommun"].astype(str).to_numpy(),
            "Ar": df["year"].to_numpy(),
            "Kon": df["sex"].map(SEX_CODES).astype("int64").to_numpy(),
            "Aldersgrupp": df["age_group"].map(AGE_CODES).astype("int64").to_numpy(),
            "Utbniva": df["education"].map(EDUCATION_CODES).astype("int64").to_numpy(),
            "Vikt": df["weight"].to_numpy(dtype=float),
            "Stratum": df["stratum"].astype(str).to_numpy(),
        }
    )

    def yes_no(
        values: pd.Series,
        yes_codes: list[int],
        p_yes: list[float],
        no_codes: list[int],
        p_no: list[float],
        blank: bool = False,
    ) -> pd.api.extensions.ExtensionArray:
        v = values.to_numpy(dtype="float64", na_value=np.nan)
        code_yes = rng.choice(yes_codes, size=n, p=p_yes)
        code_no = rng.choice(no_codes, size=n, p=p_no)
        codes = np.where(v == 1, code_yes, code_no).astype(float)
        codes[np.isnan(v)] = np.nan if blank else 9
        return pd.array(codes, dtype="Float64").astype("Int64")

    out["Tobak_dagl"] = yes_no(df["daily_smoking"], [1], [1.0], [2], [1.0])
    out["Alk_risk"] = yes_no(df["risk_alcohol"], [1], [1.0], [2], [1.0], blank=True)
    out["Halsa"] = yes_no(df["good_health"], [1, 2], [0.35, 0.65], [3, 4, 5], [0.72, 0.21, 0.07])
    out["Fysakt_fritid"] = yes_no(
        df["physical_inactivity"], [1], [1.0], [2, 3, 4], [0.45, 0.35, 0.20]
    )
    return out[list(RAW_COLUMNS)]


def demo_extract(seed: int = DEMO_SEED, n_respondents: int = N_RESPONDENTS) -> pd.DataFrame:
    """Generate the raw demo extract (raw column names and codes).

    Parameters
    ----------
    seed : int
        Seed.
    n_respondents : int
        Expected number of respondents over all years.

    Returns
    -------
    pandas.DataFrame
        See :func:`to_raw_extract`.
    """
    return to_raw_extract(demo_respondents(seed, n_respondents), seed)


def extract_url(seed: int = DEMO_SEED) -> str:
    """Return the pseudo-URL under which the demo extract is cached."""
    return f"{URL_PREFIX}survey/hlv-dalarna-extrakt?seed={seed}&v={GENERATOR_VERSION}"


def population_url(seed: int = DEMO_SEED) -> str:
    """Return the pseudo-URL under which the demo population is cached."""
    return f"{URL_PREFIX}survey/hlv-dalarna-befolkning?seed={seed}&v={GENERATOR_VERSION}"


def write_survey_demo(cache: RawCache | None = None, seed: int = DEMO_SEED) -> list[Entry]:
    """Write the demo extract and its population to the raw cache, if not cached yet.

    Parameters
    ----------
    cache : RawCache, optional
        Defaults to :func:`helpers.sources.demo.base.demo_cache` (``data/raw/demo``).
    seed : int
        Seed.

    Returns
    -------
    list of helpers.core.cache.Entry
        The manifest entries of the extract and of the population (in that order).
    """
    cache = cache or demo_cache()
    entries = []
    population = None
    for url, what in ((extract_url(seed), "extract"), (population_url(seed), "population")):
        entry = cache.lookup(url)
        if entry is None:
            if population is None:
                population = demo_population(seed)
            if what == "extract":
                body = excel_csv(
                    to_raw_extract(demo_respondents(seed, population=population), seed)
                )
                note = (
                    f"SYNTETISKA DEMODATA (seed {seed}) – inte verkliga värden. Enkätextrakt i "
                    f"samma form som HLV med regionalt tilläggsurval; läses med params/{VARIABLE_MAP_NAME}."
                )
            else:
                body = excel_csv(population)
                note = (
                    f"SYNTETISKA DEMODATA (seed {seed}) – inte verkliga värden. Befolkning 16–84 år "
                    "per kommun, kön, åldersgrupp och utbildning för jämförelse med de svarande."
                )
            entry = cache.put(url, body, suffix=".csv", note=note)
        entries.append(entry)
    return entries


def load_survey_demo(
    cache: RawCache | None = None,
    seed: int = DEMO_SEED,
    variable_map: str | Path | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the demo extract (writing it first if needed) into canonical frames.

    Parameters
    ----------
    cache : RawCache, optional
        Defaults to ``data/raw/demo``.
    seed : int
        Seed.
    variable_map : str or Path, optional
        Defaults to ``params/survey_variables_demo.yaml``.

    Returns
    -------
    microdata, population : pandas.DataFrame
        :func:`helpers.sources.survey_files.read_microdata` and
        :func:`helpers.sources.survey_files.read_population` of the cached files.
    """
    from helpers.config import variable_map as config_variable_map
    from helpers.sources import survey_files as survey_io

    vmap = config_variable_map.load_variable_map(
        variable_map or paths.params_dir() / VARIABLE_MAP_NAME
    )
    cache = cache or demo_cache()
    extract, population = write_survey_demo(cache, seed)
    return (
        survey_io.read_microdata(cache.path(extract), vmap),
        survey_io.read_population(cache.path(population)),
    )
