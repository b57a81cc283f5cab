"""Deaths, population and life expectancy by education, and life expectancy per kommun with CIs.

Loaders
-------
:func:`deaths_population` returns deaths and year-end population by kommun ×
sex × single age × year in SCB's shape (``kommunkod, kommun, year, sex, age,
deaths|population``), whichever source is used:

``"demo"``
    The synthetic tables of :mod:`helpers.sources.demo.mortality`, read from the raw
    cache ``data/raw/demo`` (built there once if missing).
``"referens"``
    Real SCB extracts in ``../shared/reference/scb`` (deaths 2000–2019,
    population 2010–2019; see :func:`helpers.core.paths.reference_dir`). They are
    read in place – never copied into the project – and only exist on
    machines that have the shared reference folder; otherwise a Swedish
    :class:`~helpers.core.errors.DataError` says so.
``"scb"``
    SCB's PxWebApi 2.0 through :class:`helpers.sources.scb.ScbClient` (online, cached
    in ``data/raw/scb``). The v2 ids of the two count tables (v1
    ``BE0101D9``/``BE0101N1``) could not be confirmed offline, so they must be
    given (``table_ids={"deaths": "TAB…", "population": "TAB…"}``) or pinned in
    :data:`SCB_COUNT_TABLES` after confirming them online with
    :func:`helpers.sources.scb.resolve_table_id`. The conversion of the json-stat2
    answer is tested offline with a fake client.

:func:`e30_by_education` returns remaining life expectancy at 30 by education
level as the tidy indicator table (:mod:`helpers.core.indicators`): demo from
:func:`helpers.sources.demo.mortality.e30_indicator_table`, ``"scb"`` from TAB4879
(county × sex × education, five-year periods), ``"referens"`` from SCB's
published one-year points for Sweden (the only reference there is; no county
values).

Life expectancy per kommun
--------------------------
:func:`kommun_life_expectancy` pools the counts over five-year periods
(:func:`helpers.stats.lifetable.pool_periods`: deaths summed, mean population = mean
of the stocks on 31 December of the previous and the current year), adds the
county (region) and Riket by summing the kommuner's counts, aggregates to the
abridged bands 0, 1–4, …, 85–89, 90+ and computes life expectancy with Chiang
II confidence intervals and validity flags (:func:`helpers.stats.lifetable.life_expectancy`).
On SCB's counts this reproduces SCB's published kommun values (median absolute
difference below 0,1 year for 2015–2019).

Comparisons that need the counts
--------------------------------
:func:`compare_with_county` tests each kommun against its county (and Riket).
A kommun is *part* of its county, so the two estimates are positively
correlated and the usual ``sqrt(se_k² + se_c²)`` would overstate the standard
error of the difference. The covariance is derived with the same delta method
as Chiang's variance: the variance of e(x) is a sum over bands of terms
``W_y / l_x²``; the county's rate in a band contains the kommun's deaths, and
under Poisson deaths the correlation of the kommun's and the county's rate in
band ``y`` is ``sqrt(D_k,y / D_c,y)``. Hence

``cov(e_k, e_c) = Σ_y sqrt(W_k,y · W_c,y) · sqrt(D_k,y / D_c,y) / (l_k,x · l_c,x)``

and ``var(e_k − e_c) = var_k + var_c − 2 cov``. A county of one kommun
(Gotland) gives a difference of exactly 0 with standard error 0; a kommun that
is a tiny part of Riket gives almost the independent formula.

:func:`county_range` describes the range between the county's kommuner with
its uncertainty (a pure function of the indicator table); see its docstring.

Everything heavy is memoized in the process (and, for ``demo``/``referens``,
stored in ``data/processed`` under a name derived from the raw files), so a
warm kernel making one report per kommun computes the county once.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy.stats import chi2

from helpers.core import indicators, lookup, paths
from helpers.core.cache import RawCache
from helpers.core.errors import DataError, Problem, SourceError
from helpers.core.fmt import SYNTHETIC_LABEL
from helpers.sources import scb
from helpers.sources.demo import mortality as demo_mortality
from helpers.stats import lifetable as lt
from helpers.stats.ci import confidence_level, z_value

#: Data sources understood by this module.
DATA_SOURCES: tuple[str, ...] = ("demo", "scb", "referens")
#: Where the counts come from for each data source of the workbook (Kolada has no
#: deaths by single age, so real counts for a Kolada report come from SCB).
COUNT_SOURCES: dict[str, str] = {
    "demo": "demo",
    "kolada": "scb",
    "scb": "scb",
    "referens": "referens",
}
#: Source lines of computed life expectancy.
SOURCE_LABELS: dict[str, str] = {
    "demo": SYNTHETIC_LABEL,
    "scb": "Källa: SCB (egen beräkning, livstabell Chiang II)",
    "referens": "Källa: SCB (referensdata, egen beräkning, livstabell Chiang II)",
}
#: Source lines of e30 by education (published values, not computed here).
E30_SOURCE_LABELS: dict[str, str] = {
    "demo": SYNTHETIC_LABEL,
    "scb": "Källa: SCB (TAB4879)",
    "referens": "Källa: SCB (publicerade värden, referensdata)",
}
#: PxWebApi 2.0 ids of deaths (v1 BE0101D9) and population 31 Dec (v1 BE0101N1) by
#: kommun, single age, sex and year. ``None`` = not confirmed yet (see module docstring).
SCB_COUNT_TABLES: dict[str, str | None] = {"deaths": None, "population": None}
#: Reference files (in ``<reference_dir>/scb``).
REFERENCE_FILES: dict[str, str] = {
    "deaths": "scb_deaths_kommun_single_age.csv.gz",
    "population": "scb_population_31dec_kommun_single_age.csv.gz",
    "e0": "scb_e0_kommun_5yr_excluding_lan20.csv",
    "e30": "scb_e30_by_education_published_points.csv",
}
#: Indicator id of e30 by education (as in :mod:`helpers.sources.demo.mortality`).
E30_INDICATOR = demo_mortality.E30_INDICATOR
#: Indicator id of published e0 per kommun (reference file).
PUBLISHED_E0_INDICATOR = "e0_publicerad"
#: Education levels, lowest first, as in the ``group`` column.
EDUCATION_LEVELS: tuple[str, ...] = ("förgymnasial", "gymnasial", "eftergymnasial")
#: Parameters of notebook 02 and their types (validated by :func:`notebook_parameters`).
NOTEBOOK_PARAMETERS: dict[str, type] = {"lan_code": str, "data_source": str}

_SEX_CODES = {"1": "men", "2": "women"}
_MEMO: dict[tuple, Any] = {}
_CACHE_VERSION = "1"


class Counts(NamedTuple):
    """Deaths and population in SCB's shape, and the source line."""

    deaths: pd.DataFrame
    population: pd.DataFrame
    source: str


# -- sources ----------------------------------------------------------------------------------
def check_source(data_source: str) -> str:
    """Return the counts source for ``data_source``; raise :class:`DataError` if unknown.

    ``"kolada"`` (the workbook's real-data source) maps to ``"scb"``, since
    Kolada has no deaths by single age.
    """
    if data_source not in COUNT_SOURCES:
        raise DataError(
            f"Okänd datakälla '{data_source}' för dödlighet – välj en av: {', '.join(DATA_SOURCES)}"
        )
    return COUNT_SOURCES[data_source]


def source_label(data_source: str) -> str:
    """Return the source line of life expectancy computed from ``data_source``'s counts."""
    return SOURCE_LABELS[check_source(data_source)]


def counts_available(data_source: str) -> bool:
    """Return True if counts for ``data_source`` can be loaded here without an error.

    ``demo``: always; ``referens``: when ``../shared/reference/scb`` exists;
    ``scb``/``kolada``: when the PxWebApi 2.0 ids in :data:`SCB_COUNT_TABLES` are pinned
    (a network connection is still needed for the first download).
    """
    source = check_source(data_source)
    if source == "demo":
        return True
    if source == "referens":
        ref = paths.reference_dir()
        return ref is not None and all(
            (ref / "scb" / REFERENCE_FILES[k]).is_file() for k in ("deaths", "population")
        )
    return all(SCB_COUNT_TABLES.get(k) for k in ("deaths", "population"))


def clear_memo() -> None:
    """Forget everything memoized in this process (tests; after new raw data)."""
    _MEMO.clear()


def _reference_scb_dir() -> Path:
    ref = paths.reference_dir()
    folder = ref / "scb" if ref is not None else None
    if folder is None or not folder.is_dir():
        raise DataError(
            "Referensdata saknas: katalogen ../shared/reference/scb finns inte på den här datorn. "
            "Välj data_source='demo' eller 'scb', eller ange katalogen med FOLKHALSA_REFERENCE."
        )
    return folder


def _reference_file(key: str) -> Path:
    path = _reference_scb_dir() / REFERENCE_FILES[key]
    if not path.is_file():
        raise DataError(Problem("referensfilen saknas", file=str(path)))
    return path


def _file_key(path: Path) -> str:
    st = path.stat()
    return hashlib.sha256(f"{path}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()[:12]


def _filter_lan(df: pd.DataFrame, lan_code: str | None) -> pd.DataFrame:
    if lan_code is None:
        return df.reset_index(drop=True)
    lookup.region_code(lan_code)  # validates
    return df[df["kommunkod"].str[:2] == lan_code].reset_index(drop=True)


def _raw_identity(source: str) -> str:
    """Return a short key that changes whenever the raw count files change."""
    if source == "demo":
        entries = demo_mortality.write_mortality_demo()
        return "-".join(e.sha256[:12] for e in entries[:2])
    if source == "referens":
        return "-".join(_file_key(_reference_file(k)) for k in ("deaths", "population"))
    return "scb-" + "-".join(str(SCB_COUNT_TABLES.get(k)) for k in ("deaths", "population"))


# -- deaths and population ----------------------------------------------------------------------
def _read_counts_csv(path: Path, value: str) -> pd.DataFrame:
    df = pd.read_csv(
        path,
        dtype={"kommunkod": str, "kommun": str, "sex": str},
        compression="gzip" if path.suffix == ".gz" else None,
    )
    need = ["kommunkod", "kommun", "year", "sex", "age", value]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise DataError(Problem(f"kolumner saknas: {', '.join(missing)}", file=path.name))
    df["kommunkod"] = df["kommunkod"].str.zfill(4)
    return df[need]


def _all_counts(source: str, **scb_kwargs: Any) -> Counts:
    """Return the counts of all kommuner (memoized per raw files)."""
    key = ("counts", source, _raw_identity(source))
    if source == "scb" and scb_kwargs.get("table_ids"):
        key = (*key, tuple(sorted(scb_kwargs["table_ids"].items())))
    if key in _MEMO:
        return _MEMO[key]
    if source == "demo":
        entries = demo_mortality.write_mortality_demo()
        cache = RawCache("demo", SYNTHETIC_LABEL)
        deaths = _read_counts_csv(cache.path(entries[0]), "deaths")
        population = _read_counts_csv(cache.path(entries[1]), "population")
    elif source == "referens":
        deaths = _read_counts_csv(_reference_file("deaths"), "deaths")
        population = _read_counts_csv(_reference_file("population"), "population")
    else:
        deaths, population = scb_counts(**scb_kwargs)
    out = Counts(deaths, population, SOURCE_LABELS[source])
    if source != "scb" or not scb_kwargs.get("client"):
        _MEMO[key] = out
    return out


def deaths_population(
    data_source: str = "demo",
    lan_code: str | None = None,
    *,
    client: scb.ScbClient | None = None,
    table_ids: Mapping[str, str] | None = None,
) -> Counts:
    """Return deaths and year-end population by kommun, sex, single age and year.

    Parameters
    ----------
    data_source : {"demo", "referens", "scb"}
        Where the counts come from (see the module docstring); ``"kolada"`` is
        read as ``"scb"``.
    lan_code : str, optional
        Two-digit län code: keep that county's kommuner (default all 290).
    client : helpers.sources.scb.ScbClient, optional
        Client for ``"scb"`` (default a new one).
    table_ids : mapping, optional
        For ``"scb"``: PxWebApi 2.0 ids ``{"deaths": ..., "population": ...}``.

    Returns
    -------
    Counts
        ``deaths`` (``kommunkod, kommun, year, sex, age, deaths``), ``population``
        (``kommunkod, kommun, year, sex, age, population``; stock on 31 December)
        – ``sex`` is ``men``/``women``, ages 0–100 (100 = 100+) – and ``source``.

    Raises
    ------
    DataError
        Unknown source or län, or (``"referens"``) the reference folder is absent.
    SourceError
        (``"scb"``) the table ids are not confirmed, or SCB answers unexpectedly.
    """
    source = check_source(data_source)
    kwargs = {"client": client, "table_ids": table_ids} if source == "scb" else {}
    counts = _all_counts(source, **kwargs)
    return Counts(
        _filter_lan(counts.deaths, lan_code).copy(),
        _filter_lan(counts.population, lan_code).copy(),
        counts.source,
    )


def _find_dimension(dims: Mapping[str, Mapping[str, Any]], words: Sequence[str], what: str) -> str:
    for dim_id, info in dims.items():
        text = f"{dim_id} {info.get('label', '')}".casefold()
        if any(w in text for w in words):
            return dim_id
    raise SourceError(f"SCB-tabellen saknar en variabel för {what} (variabler: {', '.join(dims)}).")


def _scb_count_table(
    client: scb.ScbClient, table_id: str, value: str, kommun_codes: Sequence[str]
) -> pd.DataFrame:
    """Fetch one count table (all kommuner, single ages, both sexes, all years) in SCB's shape."""
    dims = client.dimensions(table_id)
    region = _find_dimension(dims, ("region",), "region")
    age = _find_dimension(dims, ("alder", "ålder"), "ålder")
    sex = _find_dimension(dims, ("kon", "kön"), "kön")
    time = _find_dimension(dims, ("tid", " år"), "år")
    regions = [c for c in dims[region]["codes"] if c in set(kommun_codes)]
    ages = [c for c in dims[age]["codes"] if re.fullmatch(r"\d+\+?", c)]
    if not regions or not ages:
        raise SourceError(
            f"SCB-tabellen {table_id} har inga kommunkoder eller ettårsåldrar att hämta."
        )
    selection: dict[str, list[str]] = {
        region: regions,
        age: ages,
        sex: [c for c in ("1", "2") if c in dims[sex]["codes"]],
        time: list(dims[time]["codes"]),
    }
    for dim_id, info in dims.items():
        if dim_id not in selection and not info["elimination"]:
            selection[dim_id] = list(info["codes"])[:1]  # ContentsCode: the single content
    frame = client.data(table_id, selection)
    out = pd.DataFrame(
        {
            "kommunkod": frame[region].astype(str),
            "kommun": frame[f"{region}_label"].astype(str),
            "year": pd.to_numeric(frame[time], errors="coerce").astype("Int64"),
            "sex": frame[sex].map(_SEX_CODES),
            "age": frame[age].str.rstrip("+").astype(int),
            value: frame["value"],
        }
    )
    if out[["year", "sex", value]].isna().any().any():
        raise SourceError(
            f"SCB-tabellen {table_id} har tomma värden, år eller kön som inte känns igen."
        )
    out["year"] = out["year"].astype(int)
    top = out["age"].max()
    out = out.groupby(["kommunkod", "kommun", "year", "sex", "age"], as_index=False)[value].sum()
    return out[out["age"] <= top].reset_index(drop=True)


def scb_counts(
    client: scb.ScbClient | None = None, table_ids: Mapping[str, str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fetch deaths and population 31 December by kommun and single age from SCB (online).

    Parameters
    ----------
    client : helpers.sources.scb.ScbClient, optional
        Client (default a new one, with the raw cache ``data/raw/scb``).
    table_ids : mapping, optional
        PxWebApi 2.0 ids ``{"deaths": ..., "population": ...}``; default
        :data:`SCB_COUNT_TABLES`.

    Returns
    -------
    tuple of pandas.DataFrame
        Deaths and population in SCB's shape (see :func:`deaths_population`).

    Raises
    ------
    SourceError
        If the ids are not confirmed (``None``) or SCB's answer lacks the
        expected variables.
    """
    ids = {**SCB_COUNT_TABLES, **dict(table_ids or {})}
    missing = [k for k in ("deaths", "population") if not ids.get(k)]
    if missing:
        raise SourceError(
            "SCB:s tabell-id i PxWebApi 2.0 för "
            + " och ".join({"deaths": "döda", "population": "folkmängd"}[k] for k in missing)
            + " efter kommun och ettårsklass är inte bekräftade. Slå upp dem en gång med "
            "helpers.sources.scb.resolve_table_id(scb.DEATHS_QUERY, label_contains='döda') respektive "
            "(scb.POPULATION_QUERY, label_contains='folkmängd') och ange table_ids={...}."
        )
    client = client or scb.ScbClient()
    codes = lookup.kommuner()["kommun_code"].tolist()
    deaths = _scb_count_table(client, str(ids["deaths"]), "deaths", codes)
    population = _scb_count_table(client, str(ids["population"]), "population", codes)
    return deaths, population


# -- e30 by education ---------------------------------------------------------------------------
def _education_label(text: str) -> str | None:
    t = text.casefold()
    if "eftergymn" in t:
        return "eftergymnasial"
    if "förgymn" in t or "forgymn" in t:
        return "förgymnasial"
    if "gymn" in t:
        return "gymnasial"
    if "total" in t or "samtliga" in t or "alla" in t:
        return indicators.ALL_GROUPS
    return None


def e30_from_scb_frame(frame: pd.DataFrame, dims: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """Convert a TAB4879 answer (:meth:`helpers.sources.scb.ScbClient.data`) to the indicator table.

    Dimensions are recognised by their labels (region, utbildningsnivå, kön,
    period/år), education levels by their label text and periods by the first
    and last four-digit year in the period code or label.

    Parameters
    ----------
    frame : pandas.DataFrame
        Output of :meth:`helpers.sources.scb.ScbClient.data` for TAB4879.
    dims : mapping
        Output of :meth:`helpers.sources.scb.ScbClient.dimensions` for the same table.

    Returns
    -------
    pandas.DataFrame
        Indicator table, indicator :data:`E30_INDICATOR`, flag ``ej bedömd``.
    """
    region = _find_dimension(dims, ("region",), "region")
    edu = _find_dimension(dims, ("utbildn",), "utbildningsnivå")
    sex = _find_dimension(dims, ("kon", "kön"), "kön")
    time = _find_dimension(dims, ("tid", "period", " år"), "period")
    code = frame[region].astype(str)
    label = frame[f"{region}_label"].astype(str)
    is_riket = (code == "00") | label.str.casefold().str.contains("riket|sverige")
    area = np.where(is_riket, lookup.RIKET_CODE, "00" + code.str.zfill(2))
    years = (frame[time].astype(str) + " " + frame[f"{time}_label"].astype(str)).str.findall(
        r"(?:19|20)\d{2}"
    )
    first = years.str[0].astype(int)
    last = years.str[-1].astype(int)
    names = lookup.areas().set_index("area_code")["area_name"]
    out = pd.DataFrame(
        {
            "area_code": area,
            "area_type": np.where(is_riket, "riket", "region"),
            "period": last,
            "period_label": [lt.period_label(a, b) for a, b in zip(first, last, strict=True)],
            "sex": frame[sex].astype(str).map(_SEX_CODES).map(demo_mortality.SEX_LABELS),
            "group": frame[f"{edu}_label"].astype(str).map(_education_label),
            "indicator": E30_INDICATOR,
            "value": frame["value"].astype(float),
            "flag": np.where(
                frame["value"].isna(), indicators.FLAG_MISSING, indicators.FLAG_NOT_ASSESSED
            ),
            "flag_reason": "osäkerhetsmått saknas",
        }
    )
    out["area_name"] = out["area_code"].map(names).fillna(out["area_code"])
    out = out.dropna(subset=["sex", "group"])
    return indicators.make(out, source=E30_SOURCE_LABELS["scb"])


def _e30_scb(client: scb.ScbClient | None) -> pd.DataFrame:
    client = client or scb.ScbClient()
    table = scb.TAB_E30_EDUCATION_LAN
    dims = client.dimensions(table)
    selection = {
        d: ["1", "2"] if d == _find_dimension(dims, ("kon", "kön"), "kön") else ["*"] for d in dims
    }
    frame = client.data(table, selection)
    return e30_from_scb_frame(frame, dims)


def _e30_reference() -> pd.DataFrame:
    """SCB's published one-year e30 points for Sweden (persons born in Sweden)."""
    path = _reference_file("e30")
    df = pd.read_csv(path, dtype={"period": str})
    keep = (
        (df["kind"] == "level")
        & df["sex"].isin(["women", "men"])
        & df["period"].str.fullmatch(r"\d{4}")
    )
    df = df[keep].drop_duplicates(["period", "sex", "education"], keep="first")
    out = pd.DataFrame(
        {
            "area_code": lookup.RIKET_CODE,
            "area_name": lookup.RIKET_NAME,
            "area_type": "riket",
            "period": df["period"].astype(int),
            "period_label": df["period"],
            "sex": df["sex"].map(demo_mortality.SEX_LABELS),
            "group": df["education"].map(demo_mortality.EDUCATION_LABELS),
            "indicator": E30_INDICATOR,
            "value": df["e30"].astype(float),
            "flag": indicators.FLAG_NOT_ASSESSED,
            "flag_reason": "publicerat ettårsvärde, osäkerhetsmått saknas",
        }
    )
    return indicators.make(out, source=E30_SOURCE_LABELS["referens"])


def e30_by_education(
    data_source: str = "demo",
    lan_code: str | None = None,
    *,
    client: scb.ScbClient | None = None,
) -> pd.DataFrame:
    """Return remaining life expectancy at 30 by education level (county and Sweden).

    Parameters
    ----------
    data_source : {"demo", "scb", "referens"}
        ``"demo"``: synthetic, every county, rolling five-year periods
        1991–1995 … 2020–2024. ``"scb"``: TAB4879 (online). ``"referens"``:
        SCB's published one-year points for Sweden only (2000, 2012, 2016,
        2017, 2020, 2021; not every level every year).
    lan_code : str, optional
        Keep that county's region and Riket (default every region and Riket).
    client : helpers.sources.scb.ScbClient, optional
        Client for ``"scb"``.

    Returns
    -------
    pandas.DataFrame
        Indicator table: indicator ``"e30_utb"``, ``group`` förgymnasial /
        gymnasial / eftergymnasial / ``"alla"``, ``sex`` kvinnor/män; the
        sources give no uncertainty, so the flag is ``ej bedömd`` and the CI empty.
    """
    source = check_source(data_source)
    if source == "demo":
        entries = demo_mortality.write_mortality_demo()
        key = ("e30", "demo", entries[2].sha256)
        if key not in _MEMO:
            cache = RawCache("demo", SYNTHETIC_LABEL)
            raw = pd.read_csv(cache.path(entries[2]), dtype={"region": str})
            _MEMO[key] = demo_mortality.e30_indicator_table(raw)
        table = _MEMO[key]
    elif source == "referens":
        key = ("e30", "referens", _file_key(_reference_file("e30")))
        if key not in _MEMO:
            _MEMO[key] = _e30_reference()
        table = _MEMO[key]
    else:
        table = _e30_scb(client)
    if lan_code is not None:
        table = table[table["area_code"].isin([lookup.region_code(lan_code), lookup.RIKET_CODE])]
    return table.reset_index(drop=True).copy()


# -- life expectancy per kommun -------------------------------------------------------------------
def normalize_periods(periods: Iterable[int | tuple[int, int]] | None) -> tuple | None:
    """Return periods as a tuple of ``(first, last)`` (an int ``y`` means ``(y − 4, y)``)."""
    if periods is None:
        return None
    out = []
    for p in periods:
        if isinstance(p, int | np.integer):
            out.append((int(p) - 4, int(p)))
        else:
            a, b = p
            out.append((int(a), int(b)))
    return tuple(sorted(set(out), key=lambda t: (t[1], t[0])))


def _with_aggregates(pooled: pd.DataFrame) -> pd.DataFrame:
    """Add the regions and Riket, summed from the kommuner's pooled counts."""
    kom = pooled.copy()
    kom["area_type"] = "kommun"
    kom["lan_code"] = kom["area_code"].str[:2]
    keys = ["sex", "period", "period_label", "note", "age"]
    reg = kom.groupby(["lan_code", *keys], as_index=False, observed=True)[
        ["deaths", "population"]
    ].sum()
    regions = lookup.lan().set_index("lan_code")
    reg["area_code"] = "00" + reg["lan_code"]
    reg["area_name"] = reg["lan_code"].map(regions["region_name"])
    reg["area_type"] = "region"
    rik = kom.groupby(keys, as_index=False, observed=True)[["deaths", "population"]].sum()
    rik["area_code"] = lookup.RIKET_CODE
    rik["area_name"] = lookup.RIKET_NAME
    rik["area_type"] = "riket"
    cols = ["area_code", "area_name", "area_type", *keys, "deaths", "population"]
    out = pd.concat([kom[cols], reg[cols], rik[cols]], ignore_index=True)
    for c in ("area_code", "area_name", "area_type", "sex", "period_label", "note"):
        out[c] = out[c].astype("string")
    return out


def abridged_counts(
    data_source: str = "demo", periods: Iterable[int | tuple[int, int]] | None = None
) -> pd.DataFrame:
    """Return pooled counts in abridged bands for every kommun, region and Riket.

    Parameters
    ----------
    data_source : {"demo", "referens", "scb"}
        Source of the counts.
    periods : iterable, optional
        Five-year periods as ``(first, last)`` or last years; default every
        period the counts cover (with the stock of 31 December before the
        first year).

    Returns
    -------
    pandas.DataFrame
        ``area_code, area_name, area_type, sex`` (kvinnor/män), ``period``,
        ``period_label, note, age`` (band start 0, 1, 5, …, 90), ``deaths``,
        ``population`` (person-years). Memoized; for demo/referens also stored
        in ``data/processed``.
    """
    source = check_source(data_source)
    per = normalize_periods(periods)
    ident = _raw_identity(source)
    key = ("abridged", source, ident, per)
    if key in _MEMO:
        return _MEMO[key]
    digest = hashlib.sha256(repr((_CACHE_VERSION, source, ident, per)).encode()).hexdigest()[:16]
    processed = paths.processed_dir() / f"dodlighet_femar_{source}_{digest}.parquet"
    if source != "scb" and processed.exists():
        out = pd.read_parquet(processed)
    else:
        counts = _all_counts(source)
        pooled = lt.pool_periods(counts.deaths, counts.population, per)
        ab = lt.to_abridged(_with_aggregates(pooled), count_cols=("deaths", "population"))
        out = ab.sort_values(["area_code", "sex", "period", "age"]).reset_index(drop=True)
        if source != "scb":
            processed.parent.mkdir(parents=True, exist_ok=True)
            tmp = processed.with_suffix(f".tmp{os.getpid()}")
            out.to_parquet(tmp, index=False)
            os.replace(tmp, processed)
    for c in ("area_code", "area_name", "area_type", "sex", "period_label", "note"):
        out[c] = out[c].astype("string")
    _MEMO[key] = out
    return out


def _all_life_expectancy(source: str, per: tuple | None, ages: tuple[int, ...]) -> pd.DataFrame:
    key = ("le", source, _raw_identity(source), per, ages)
    if key not in _MEMO:
        counts = abridged_counts(source, per)
        _MEMO[key] = lt.life_expectancy(counts, at_ages=ages, source=SOURCE_LABELS[source])
    return _MEMO[key]


def _areas_of(lan_code: str | None) -> list[str] | None:
    if lan_code is None:
        return None
    kom = lookup.kommuner_in(lan_code)["kommun_code"].tolist()
    return [*kom, lookup.region_code(lan_code), lookup.RIKET_CODE]


def kommun_life_expectancy(
    data_source: str = "demo",
    lan_code: str | None = None,
    periods: Iterable[int | tuple[int, int]] | None = None,
    ages: Sequence[int] = (0, 30),
) -> pd.DataFrame:
    """Return life expectancy with 95 % CIs for every kommun, the county and Riket.

    Parameters
    ----------
    data_source : {"demo", "referens", "scb"}
        Source of the counts (``"kolada"`` is read as ``"scb"``).
    lan_code : str, optional
        Keep the county's kommuner, its region and Riket (default all areas).
    periods : iterable, optional
        Five-year periods as ``(first, last)`` or last years (default all).
    ages : sequence of int
        Ages at which life expectancy is reported (band starts of the abridged
        table: 0, 1, 5, 10, …, 90); indicators ``"e0"``, ``"e30"``, …

    Returns
    -------
    pandas.DataFrame
        Indicator table with flags from :func:`helpers.stats.lifetable.life_expectancy`
        (``osäker`` when the 95 % CI is wider than 10 years, ``undertryckt`` for
        fewer than 5 000 person-years or a CI wider than 20 years);
        ``numerator``/``denominator`` are the deaths and person-years behind
        each value.
    """
    source = check_source(data_source)
    ages_t = tuple(int(a) for a in ages)
    table = _all_life_expectancy(source, normalize_periods(periods), ages_t)
    wanted = _areas_of(lan_code)
    if wanted is not None:
        table = table[table["area_code"].isin(wanted)]
    return table.reset_index(drop=True).copy()


# -- kommun versus its county (and Riket) ------------------------------------------------------------
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


def parent_difference(
    child_deaths: np.ndarray,
    child_population: np.ndarray,
    parent_deaths: np.ndarray,
    parent_population: np.ndarray,
    ages: Sequence[int],
    at_ages: Sequence[int] = (0,),
) -> dict[str, np.ndarray]:
    """Difference in life expectancy between an area and an area that contains it.

    Pure array function (see the module docstring for the covariance).

    Parameters
    ----------
    child_deaths, child_population : numpy.ndarray
        Counts of the part (e.g. kommun), shape ``(n_groups, n_bands)``.
    parent_deaths, parent_population : numpy.ndarray
        Counts of the whole (e.g. county), same shape; must include the part.
    ages : sequence of int
        Band starts (last band open).
    at_ages : sequence of int
        Band starts at which to report.

    Returns
    -------
    dict of str to numpy.ndarray
        Each ``(n_groups, len(at_ages))``: ``child``, ``parent`` (life
        expectancies), ``diff`` (child − parent), ``se_child``, ``se_parent``,
        ``cov`` and ``se_diff``.
    """
    ages_arr = np.asarray(ages, dtype=int)
    idx = np.searchsorted(ages_arr, [int(a) for a in at_ages])
    Dk = np.atleast_2d(np.asarray(child_deaths, float))
    Dc = np.atleast_2d(np.asarray(parent_deaths, float))
    rk = lt.chiang(Dk, np.atleast_2d(np.asarray(child_population, float)), ages_arr)
    rc = lt.chiang(Dc, np.atleast_2d(np.asarray(parent_population, float)), ages_arr)

    def band_terms(res: dict[str, np.ndarray]) -> np.ndarray:
        st = res["var_ex"] * res["lx"] ** 2  # Σ_{y>=x} W_y
        w = st.copy()
        w[:, :-1] = st[:, :-1] - st[:, 1:]
        return np.clip(np.nan_to_num(w), 0.0, None)

    wk, wc = band_terms(rk), band_terms(rc)
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = np.where(Dc > 0, np.sqrt(np.clip(Dk / Dc, 0.0, 1.0)), 0.0)
        terms = np.sqrt(wk * wc) * rho
        tail = np.cumsum(terms[:, ::-1], axis=1)[:, ::-1]
        cov = tail[:, idx] / (rk["lx"][:, idx] * rc["lx"][:, idx])
    ek, ec = rk["ex"][:, idx], rc["ex"][:, idx]
    sk, sc = rk["se_ex"][:, idx], rc["se_ex"][:, idx]
    var = np.clip(sk**2 + sc**2 - 2 * cov, 0.0, None)
    return {
        "child": ek,
        "parent": ec,
        "diff": ek - ec,
        "se_child": sk,
        "se_parent": sc,
        "cov": cov,
        "se_diff": np.sqrt(var),
    }


#: Verdicts of a comparison (difference CI above 0, below 0, or containing 0).
VERDICT_HIGHER = "högre"
VERDICT_LOWER = "lägre"
VERDICT_SAME = "ingen säkerställd skillnad"
VERDICT_NONE = "kan inte bedömas"


def _verdict(lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    return np.select(
        [np.isnan(lower) | np.isnan(upper), lower > 0, upper < 0],
        [VERDICT_NONE, VERDICT_HIGHER, VERDICT_LOWER],
        VERDICT_SAME,
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
    if key not in _MEMO:
        _MEMO[key] = _compare_all(source, per, ages_t, confidence)
    out = _MEMO[key]
    if lan_code is not None:
        lookup.region_code(lan_code)
        out = out[out["area_code"].str[:2] == lan_code]
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
        "region": ("00" + keys["area_code"].str[:2]).tolist(),
        "riket": [lookup.RIKET_CODE] * len(keys),
    }
    results = {}
    for name, codes in parents.items():
        Dc, Pc, _ = _band_arrays(counts, codes, keys)
        results[name] = (codes, parent_difference(Dk, Pk, Dc, Pc, band_ages, ages))
    le_idx = le.set_index(["area_code", "sex", "period", "indicator"])
    for j, age in enumerate(ages):
        ind = lt.indicator_id(age)
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
            frame[f"verdict_{name}"] = _verdict(
                frame[f"diff_{name}_lower"].to_numpy(), frame[f"diff_{name}_upper"].to_numpy()
            )
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out["ci_level"] = confidence_level(confidence)
    out["source"] = SOURCE_LABELS[source]
    return out.sort_values(["indicator", "sex", "period", "area_code"]).reset_index(drop=True)


# -- the county's range with its uncertainty ------------------------------------------------------
RANGE_CI_COLUMNS: list[str] = [
    "indicator",
    "sex",
    "period",
    "period_label",
    "n_kommuner",
    "n_suppressed",
    "suppressed_kommuner",
    "n_uncertain",
    "uncertain_kommuner",
    "min_code",
    "min_kommun",
    "min_value",
    "min_lower",
    "min_upper",
    "max_code",
    "max_kommun",
    "max_value",
    "max_lower",
    "max_upper",
    "range",
    "range_se",
    "range_lower",
    "range_upper",
    "range_significant",
    "widest_kommun",
    "widest_ci",
    "narrowest_kommun",
    "narrowest_ci",
    "q_statistic",
    "q_df",
    "q_p_value",
    "null_range",
    "null_range_upper",
    "ci_level",
    "source",
]


def county_range(
    table: pd.DataFrame,
    lan_code: str | None = None,
    *,
    confidence: float = 0.95,
    n_sim: int = 4000,
    seed: int = 20240520,
) -> pd.DataFrame:
    """Return the range between the county's kommuner with its uncertainty.

    Method (chosen to be simple and honest):

    * the range is the largest minus the smallest point estimate among the
      kommuner with a usable value (suppressed values are left out and named);
    * its interval treats the two kommuner as independent (they are disjoint
      areas): ``se = sqrt(se_max² + se_min²)``, from each kommun's Chiang CI;
      ``range_significant`` says whether that interval excludes 0. The two
      kommuner are picked *because* they are extreme, so this interval is
      optimistic – read it with the next two numbers;
    * Cochran's Q tests whether all kommuner could share one value
      (``Q = Σ (e_i − ē)² / se_i²``, ē the inverse-variance weighted mean,
      chi-square with n − 1 df);
    * ``null_range`` is the mean range that chance alone gives if every
      kommun had the value ē with its own standard error (simulated, seeded),
      ``null_range_upper`` its 95th percentile: an observed range well above
      it is not just noise;
    * the kommuner with the widest and narrowest CI show how unequal the
      precision is (small kommuner have wide intervals).

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table with CIs (e.g. :func:`kommun_life_expectancy`).
    lan_code : str, optional
        Restrict to one county's kommuner.
    confidence : float
        Level of the range's interval.
    n_sim : int
        Simulations for ``null_range``.
    seed : int
        Seed of the simulation.

    Returns
    -------
    pandas.DataFrame
        One row per indicator, sex and period, columns :data:`RANGE_CI_COLUMNS`.
    """
    k = table[table["area_type"] == "kommun"]
    if lan_code is not None:
        k = k[k["area_code"].str[:2] == lan_code]
    z = z_value(confidence)
    rng = np.random.default_rng(seed)
    rows = []
    for (ind, sex, period), g in k.groupby(["indicator", "sex", "period"], sort=True):
        usable = indicators.usable(g)
        u = g[usable]
        se = (
            ((u["ci_upper"] - u["ci_lower"]) / (2 * z_value(u["ci_level"].iloc[0]))).to_numpy(float)
            if len(u)
            else np.array([])
        )
        v = u["value"].to_numpy(float)
        sup = g[~usable].sort_values("area_name")
        unc = u[u["flag"] == indicators.FLAG_UNCERTAIN].sort_values("area_name")
        row: dict[str, Any] = {
            "indicator": ind,
            "sex": sex,
            "period": int(period),
            "period_label": str(g["period_label"].iloc[0]),
            "n_kommuner": len(u),
            "n_suppressed": int((~usable).sum()),
            "suppressed_kommuner": ", ".join(sup["area_name"].astype(str)),
            "n_uncertain": len(unc),
            "uncertain_kommuner": ", ".join(unc["area_name"].astype(str)),
            "ci_level": confidence_level(confidence),
            "source": str(g["source"].iloc[0]),
        }
        if len(u) >= 2 and np.isfinite(se).all():
            i_min, i_max = int(np.argmin(v)), int(np.argmax(v))
            width = 2 * z * se
            w = 1 / se**2
            mean = float((w * v).sum() / w.sum())
            q = float((w * (v - mean) ** 2).sum())
            sims = rng.standard_normal((n_sim, len(v))) * se + mean
            null = sims.max(axis=1) - sims.min(axis=1)
            rse = float(np.hypot(se[i_max], se[i_min]))
            rng_v = float(v[i_max] - v[i_min])
            row.update(
                min_code=str(u["area_code"].iloc[i_min]),
                min_kommun=str(u["area_name"].iloc[i_min]),
                min_value=float(v[i_min]),
                min_lower=float(u["ci_lower"].iloc[i_min]),
                min_upper=float(u["ci_upper"].iloc[i_min]),
                max_code=str(u["area_code"].iloc[i_max]),
                max_kommun=str(u["area_name"].iloc[i_max]),
                max_value=float(v[i_max]),
                max_lower=float(u["ci_lower"].iloc[i_max]),
                max_upper=float(u["ci_upper"].iloc[i_max]),
                range=rng_v,
                range_se=rse,
                range_lower=rng_v - z * rse,
                range_upper=rng_v + z * rse,
                range_significant=bool(rng_v - z * rse > 0),
                widest_kommun=str(u["area_name"].iloc[int(np.argmax(width))]),
                widest_ci=float(width.max()),
                narrowest_kommun=str(u["area_name"].iloc[int(np.argmin(width))]),
                narrowest_ci=float(width.min()),
                q_statistic=q,
                q_df=len(v) - 1,
                q_p_value=float(chi2.sf(q, len(v) - 1)),
                null_range=float(null.mean()),
                null_range_upper=float(np.quantile(null, 0.95)),
            )
        rows.append(row)
    out = pd.DataFrame(rows).reindex(columns=RANGE_CI_COLUMNS)
    out["range_significant"] = out["range_significant"].astype("boolean")
    return out


# -- published values (reference data) -------------------------------------------------------------
def published_e0(lan_code: str | None = None) -> pd.DataFrame:
    """Return SCB's published e0 per kommun (five-year periods) from the reference data.

    The file covers every county except Dalarna (län 20); for Dalarna the
    result is empty.

    Parameters
    ----------
    lan_code : str, optional
        Keep one county's kommuner.

    Returns
    -------
    pandas.DataFrame
        Indicator table, indicator :data:`PUBLISHED_E0_INDICATOR`, flag ``ej bedömd``.

    Raises
    ------
    DataError
        If the reference folder is absent.
    """
    df = pd.read_csv(_reference_file("e0"), dtype={"kommunkod": str})
    if lan_code is not None:
        lookup.region_code(lan_code)
        df = df[df["kommunkod"].str[:2] == lan_code]
    years = df["period"].str.extract(r"(\d{4})\D+(\d{4})")
    out = pd.DataFrame(
        {
            "area_code": df["kommunkod"],
            "area_name": df["kommun"],
            "area_type": "kommun",
            "period": years[1].astype(int),
            "period_label": years[0] + "–" + years[1],
            "sex": df["sex"].map(demo_mortality.SEX_LABELS),
            "indicator": PUBLISHED_E0_INDICATOR,
            "value": df["e0"].astype(float),
            "flag": indicators.FLAG_NOT_ASSESSED,
        }
    )
    if out.empty:
        return indicators.empty()
    return indicators.make(out, source="Källa: SCB (publicerade värden, referensdata)")


# -- provenance -----------------------------------------------------------------------------------
def provenance_url_parts(data_source: str) -> list[str]:
    """Return URL fragments of the raw files used (for :func:`helpers.core.provenance.collect`)."""
    source = check_source(data_source)
    if source == "demo":
        return list(demo_mortality.demo_urls().values())
    if source == "scb":
        return [scb.TAB_E30_EDUCATION_LAN, *[t for t in SCB_COUNT_TABLES.values() if t]]
    return []


def reference_files_markdown(data_source: str) -> str:
    """Return a Swedish Markdown list of the reference files read in place (empty otherwise).

    Reference files are not in the raw cache (they are never copied into the
    project), so their sha256 is listed here for the report's provenance.
    """
    if check_source(data_source) != "referens":
        return ""
    lines = ["**Referensfiler** (lästa där de ligger, ../shared/reference/scb):", ""]
    for key in ("deaths", "population", "e30"):
        path = _reference_file(key)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        lines.append(f"- `{path.name}` (sha256 `{digest}`)")
    return "\n".join(lines)


# -- notebook parameters ------------------------------------------------------------------------
def notebook_parameters(path: str | Path) -> dict[str, str]:
    """Read and validate a parameter file for notebook 02 (e.g. ``params/referens_scb.yaml``).

    Parameters
    ----------
    path : str or Path
        YAML mapping with ``lan_code`` (two digits, quoted) and ``data_source``
        (one of :data:`DATA_SOURCES`); relative paths are taken from the project root.

    Returns
    -------
    dict of str to str
        The parameters, ready for ``papermill.execute_notebook(parameters=...)``.

    Raises
    ------
    DataError
        Every problem at once (unknown keys, wrong types, unknown län or source),
        naming the file and line.
    """
    from helpers.config import params

    p = Path(path)
    p = p if p.is_absolute() else paths.project_root() / p
    doc = params.read_yaml(p)
    lines = getattr(doc, "lines", {}) or {}
    problems: list[Problem] = []
    if not isinstance(doc, dict):
        raise DataError(Problem("filen ska innehålla nyckel: värde-par", file=p.name))
    for key, value in doc.items():
        row = lines.get(key)
        if key not in NOTEBOOK_PARAMETERS:
            problems.append(
                Problem(
                    f"okänd nyckel '{key}' (tillåtna: {', '.join(NOTEBOOK_PARAMETERS)})",
                    p.name,
                    row,
                )
            )
        elif not isinstance(value, NOTEBOOK_PARAMETERS[key]):
            problems.append(Problem(f"'{key}' ska vara text inom citattecken", p.name, row))
        elif key == "lan_code" and value not in set(lookup.lan()["lan_code"]):
            problems.append(Problem(f"okänd länskod '{value}'", p.name, row))
        elif key == "data_source" and value not in DATA_SOURCES:
            problems.append(
                Problem(
                    f"okänd datakälla '{value}' (välj en av: {', '.join(DATA_SOURCES)})",
                    p.name,
                    row,
                )
            )
    if problems:
        raise DataError(problems)
    return {str(k): str(v) for k, v in doc.items()}


__all__ = [
    "COUNT_SOURCES",
    "DATA_SOURCES",
    "EDUCATION_LEVELS",
    "E30_INDICATOR",
    "RANGE_CI_COLUMNS",
    "SCB_COUNT_TABLES",
    "Counts",
    "abridged_counts",
    "check_source",
    "clear_memo",
    "compare_with_county",
    "counts_available",
    "county_range",
    "deaths_population",
    "e30_by_education",
    "e30_from_scb_frame",
    "kommun_life_expectancy",
    "normalize_periods",
    "notebook_parameters",
    "parent_difference",
    "provenance_url_parts",
    "published_e0",
    "reference_files_markdown",
    "scb_counts",
    "source_label",
]
