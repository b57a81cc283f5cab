"""Deaths and population by single age, and life expectancy per kommun with CIs.

Which sources can serve this
----------------------------
Life expectancy computed from deaths and population can only come from the
sources whose recipe for ``e0`` in the indicator catalogue
(``params/indicators.yaml``) is a ``life_table``: :data:`LIFE_TABLE_SOURCES`
(``demo``, ``scb``, ``referens``). Every function here validates its
``data_source`` once with :func:`helpers.config.sources.check_source` against
that list; any other source (for example ``kolada``, which has no deaths or
population by single age) is refused with a Swedish message – it is never
silently replaced by another source.

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
    SCB's PxWebApi 2.0 through :class:`helpers.sources.scb.ScbClient` (cached in
    ``data/raw/scb``; ``python -m helpers.fetch`` downloads it). The v2 ids of the
    two count tables (v1 ``BE0101D9``/``BE0101N1``) are pinned in
    ``params/scb_tables.lock.yaml`` (:mod:`helpers.sources.scb_tables`; the fetch
    confirms them with SCB's search and refuses a table that changed); they can
    be overridden with ``table_ids={"deaths": "TAB…", "population": "TAB…"}`` or
    :data:`SCB_COUNT_TABLES`.

Life expectancy per kommun
--------------------------
:func:`kommun_life_expectancy` pools the counts over five-year periods
(:func:`helpers.stats.lifetable_pooling.pool_periods`: deaths summed, risk time =
the sum of the yearly mean populations, each the mean of the stocks on 31
December of the previous and the current year) and adds the county (region)
and Riket by summing the kommuner's counts (:func:`single_year_counts`). Two
methods (``method=``):

``"scb"`` (default)
    SCB's method (:mod:`helpers.stats.lifetable_scb`): single-year ages 0–89
    from the kommun's own counts, closed at 90 with the county's remaining
    life expectancy at 90 for the same sex and period (from the county's
    single-year rates up to 100+); counties and Riket get their full
    single-year table. On SCB's counts this reproduces SCB's published kommun
    e0 with median absolute difference 0,015 years and maximum 0,12 years
    (every kommun outside Dalarna, 2010–2014 … 2015–2019).
``"chiang"``
    The abridged table 0, 1–4, …, 85–89, 90+ with the kommun's own open 90+
    band and Chiang II intervals, exactly as PHEindicatormethods
    (:func:`helpers.stats.lifetable.life_expectancy`, on :func:`abridged_counts`):
    for comparisons with English PHE/OHID figures. Against SCB it misses by up
    to 0,73 years in the smallest kommuner (the open band's 1/M is noisy).

The first year of a period needs the stock of 31 December the year before;
the reference data start on 31 December 2010, so 2010–2014 needs
``first_year="stock"`` (the 2010 mean population is then the stock of 31
December 2010; the value carries a note and the flag ``osäker``; measured
against SCB it is as close as the other periods: median 0,016, max 0,124 years).

Everything heavy is memoized in the process with :class:`helpers.core.memo.Memo`
(and, for ``demo``/``referens``, the pooled counts are stored in
``data/processed`` under a name derived from the raw files), so a warm kernel
making one report per kommun computes the county once.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from helpers.config import catalogue
from helpers.config import sources as registry
from helpers.core import lookup, paths
from helpers.core.cache import RawCache
from helpers.core.errors import DataError, Problem, SourceError
from helpers.core.fmt import SYNTHETIC_LABEL
from helpers.core.memo import Memo
from helpers.sources import scb
from helpers.sources import scb_tables as table_lock
from helpers.sources.demo import mortality as demo_mortality
from helpers.stats import lifetable as lt
from helpers.stats import lifetable_chiang, lifetable_pooling, lifetable_scb

#: What the life-table sources serve (used in the Swedish refusal of other sources).
LIFE_TABLE_WHAT = "medellivslängd beräknad från antal döda och folkmängd"


class SourcesWith(Sequence[str]):
    """The sources whose catalogue recipe for one indicator is of one kind (read when used).

    A read-only sequence of source names taken from the indicator catalogue
    each time it is used, so this module keeps no list of sources of its own
    and importing it does not read ``params/indicators.yaml``.

    Parameters
    ----------
    indicator : str
        Catalogue id (``"e0"``).
    kind : str
        Recipe kind (``"life_table"``, ``"scb_table"`` …).
    """

    def __init__(self, indicator: str, kind: str):
        self.indicator = indicator
        self.kind = kind

    def _names(self) -> tuple[str, ...]:
        recipes = catalogue.get(self.indicator).sources
        return tuple(name for name, recipe in recipes.items() if self.kind in recipe)

    def __getitem__(self, i):  # type: ignore[override]
        return self._names()[i]

    def __len__(self) -> int:
        return len(self._names())

    def __repr__(self) -> str:
        return f"SourcesWith({self.indicator!r}, {self.kind!r})"


#: Sources that can serve deaths and population: those whose catalogue recipe
#: for ``e0`` is a life table (``demo``, ``scb``, ``referens``).
LIFE_TABLE_SOURCES: Sequence[str] = SourcesWith("e0", "life_table")
#: PxWebApi 2.0 ids of deaths (v1 BE0101D9) and population 31 Dec (v1 BE0101N1) by
#: kommun, single age, sex and year, overriding the lock file. ``None`` = take the id
#: pinned in ``params/scb_tables.lock.yaml`` (:func:`scb_count_table_ids`).
SCB_COUNT_TABLES: dict[str, str | None] = {"deaths": None, "population": None}


def scb_count_table_ids() -> dict[str, str | None]:
    """Return the ids of the two count tables: :data:`SCB_COUNT_TABLES`, else the lock file."""
    return {k: SCB_COUNT_TABLES.get(k) or table_lock.table_id(k) for k in table_lock.COUNT_KEYS}


#: The command that downloads and pins the SCB tables (shown in messages).
FETCH_HINT = (
    "make fetch PARAMS=<körfil> (eller python -m helpers.fetch --params <körfil> --med scb)"
)
#: Reference files (in ``<reference_dir>/scb``).
REFERENCE_FILES: dict[str, str] = {
    "deaths": "scb_deaths_kommun_single_age.csv.gz",
    "population": "scb_population_31dec_kommun_single_age.csv.gz",
    "e0": "scb_e0_kommun_5yr_excluding_lan20.csv",
    "e30": "scb_e30_by_education_published_points.csv",
}
#: Indicator id of e30 by education (as in :mod:`helpers.sources.demo.mortality`).

#: Life-table methods of :func:`kommun_life_expectancy` (the first is the default).
METHODS: tuple[str, ...] = ("scb", "chiang")
#: Catalogue CI method (``helpers.config.catalogue.CI_METHODS``) describing each method.
METHOD_CI: dict[str, str] = {"scb": "scb_single_year", "chiang": "chiang_ii"}
#: What to do when the stock of 31 December before a period's first year is missing.
FIRST_YEAR_CHOICES: tuple[str, ...] = ("require", "stock")

_SEX_CODES = {"1": "men", "2": "women"}
_CACHE_VERSION = "2"
_COUNTS = Memo("dodlighet_antal")
_LIFE_EXPECTANCY = Memo("dodlighet_livslangd")
_TABLES = Memo("dodlighet_scb_tabeller")
#: Pooled counts, one parquet-backed memo per kind and source (file names
#: ``dodlighet_femar_<source>_<digest>.parquet`` for abridged bands,
#: ``dodlighet_ettarig_<source>_<digest>.parquet`` for single years).
_POOLED: dict[tuple[str, str], Memo] = {}


def _pooled_memo(kind: str, source: str) -> Memo:
    if (kind, source) not in _POOLED:
        _POOLED[(kind, source)] = Memo(f"dodlighet_{kind}_{source}")
    return _POOLED[(kind, source)]


def check_method(method: object) -> str:
    """Return ``method`` if it is one of :data:`METHODS`; raise a Swedish :class:`DataError`."""
    if method not in METHODS:
        raise DataError(
            f"Okänd livstabellsmetod '{method}' (tillåtna: {', '.join(METHODS)}: "
            "'scb' = ettåriga åldrar stängda vid 90 år med länet, som SCB; "
            "'chiang' = förkortad tabell 0, 1–4, …, 90+ som PHEindicatormethods)"
        )
    return str(method)


def check_first_year(first_year: object) -> str:
    """Return ``first_year`` if it is one of :data:`FIRST_YEAR_CHOICES`; refuse in Swedish."""
    if first_year not in FIRST_YEAR_CHOICES:
        raise DataError(
            f"first_year måste vara 'require' eller 'stock', inte '{first_year}' "
            "('stock': medelfolkmängden för periodens första år skattas med folkmängden "
            "31 december samma år när året före saknas)"
        )
    return str(first_year)


class Counts(NamedTuple):
    """Deaths and population in SCB's shape, and the source line."""

    deaths: pd.DataFrame
    population: pd.DataFrame
    source: str


# -- sources ----------------------------------------------------------------------------------
def check_source(data_source: object) -> str:
    """Return ``data_source`` if it can serve deaths and population; refuse in Swedish otherwise.

    Validated once with :func:`helpers.config.sources.check_source` against
    :data:`LIFE_TABLE_SOURCES`. ``"kolada"`` is refused: Kolada has no deaths
    or population by single age, so life expectancy cannot be computed from it.
    """
    return registry.check_source(data_source, allowed=LIFE_TABLE_SOURCES, what=LIFE_TABLE_WHAT)


def source_label(data_source: str, method: str = METHODS[0]) -> str:
    """Return the source line of life expectancy computed from ``data_source``'s counts.

    The synthetic label for demo data; otherwise the registry's label of the
    source and the catalogue's description of the method
    (:data:`METHOD_CI`; for the default method that is the ``ci_method`` of ``e0``).
    """
    source = check_source(data_source)
    check_method(method)
    if registry.is_synthetic(source):
        return SYNTHETIC_LABEL
    label = registry.label(source)
    origin = label if label.startswith("SCB") else f"SCB, {label[0].lower()}{label[1:]}"
    return f"Källa: {origin}, egen beräkning: {catalogue.CI_METHODS[METHOD_CI[method]]}"


def counts_available(data_source: str) -> bool:
    """Return True if counts for ``data_source`` can be loaded here without an error.

    ``demo``: always; ``referens``: when ``../shared/reference/scb`` exists;
    ``scb``: when the PxWebApi 2.0 ids in :data:`SCB_COUNT_TABLES` are pinned
    (a network connection is still needed for the first download); a known
    source without a life-table recipe (``kolada``): False. An unknown source
    name raises :class:`DataError`.
    """
    return not unavailable_reason(data_source)


def unavailable_reason(data_source: str) -> str:
    """Return why counts cannot be loaded for ``data_source`` (Swedish), or ``""`` when they can.

    Raises
    ------
    DataError
        ``data_source`` is not a source of the registry at all.
    """
    registry.check_source(data_source)
    try:
        source = check_source(data_source)
    except DataError as err:
        return str(err)
    if source == "referens":
        ref = paths.reference_dir()
        if ref is None or not all(
            (ref / "scb" / REFERENCE_FILES[k]).is_file() for k in ("deaths", "population")
        ):
            return (
                "Referensdata saknas: antal döda och folkmängd finns inte i "
                "../shared/reference/scb på den här datorn."
            )
    if source == "scb" and not all(scb_count_table_ids().values()):
        return (
            "SCB:s tabell-id för antal döda och folkmängd per ettårsklass är inte låsta "
            f"(params/scb_tables.lock.yaml); kör `{FETCH_HINT}`."
        )
    return ""


def clear_memo() -> None:
    """Forget everything memoized in this process (tests; after new raw data)."""
    for memo in (_COUNTS, _LIFE_EXPECTANCY, _TABLES, *_POOLED.values()):
        memo.clear()


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
    return df[lookup.lan_code_of(df["kommunkod"]) == lan_code].reset_index(drop=True)


def _raw_identity(source: str) -> str:
    """Return a short key that changes whenever the raw count files change."""
    if source == "demo":
        entries = demo_mortality.write_mortality_demo()
        return "-".join(e.sha256[:12] for e in entries[:2])
    if source == "referens":
        return "-".join(_file_key(_reference_file(k)) for k in ("deaths", "population"))
    ids = scb_count_table_ids()
    return "scb-" + "-".join(
        f"{ids[k]}@{table_lock.pinned_updated(str(ids[k]))}" for k in ("deaths", "population")
    )


def raw_identity(source: str) -> str:
    """Return a key that changes whenever any raw mortality file of ``source`` changes.

    Deaths, population and (where the source has one) e30 by education: the
    checksums that key the county-wide report work stored in ``data/processed``
    (:meth:`helpers.core.memo.Memo.stored`).
    """
    if source == "demo":
        return "-".join(e.sha256[:12] for e in demo_mortality.write_mortality_demo())
    if source == "referens":
        keys = []
        for kind in ("deaths", "population", "e30"):
            try:
                keys.append(_file_key(_reference_file(kind)))
            except (DataError, OSError, KeyError):
                keys.append(f"{kind}-saknas")
        return "-".join(keys)
    return _raw_identity(source)


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
    df["kommunkod"] = lookup.pad_kommun(df["kommunkod"])
    return df[need]


def _all_counts(source: str, **scb_kwargs: Any) -> Counts:
    """Return the counts of all kommuner (memoized per raw files)."""
    key = ("counts", source, _raw_identity(source))
    if source == "scb" and scb_kwargs.get("table_ids"):
        key = (*key, tuple(sorted(scb_kwargs["table_ids"].items())))
    if key in _COUNTS:
        return _COUNTS.get(key, lambda: None)
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
    out = Counts(deaths, population, source_label(source))
    if source != "scb" or not scb_kwargs.get("client"):
        _COUNTS.put(key, out)
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
        Where the counts come from (see the module docstring); any other source
        (e.g. ``"kolada"``) is refused in Swedish.
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
    ids = {**scb_count_table_ids(), **dict(table_ids or {})}
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
    kom["lan_code"] = lookup.lan_code_of(kom["area_code"])
    keys = ["sex", "period", "period_label", "note", "age"]
    reg = kom.groupby(["lan_code", *keys], as_index=False, observed=True)[
        ["deaths", "population"]
    ].sum()
    regions = lookup.lan().set_index("lan_code")
    reg["area_code"] = lookup.region_code_of(reg["lan_code"])
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


def _string_columns(out: pd.DataFrame) -> pd.DataFrame:
    for c in ("area_code", "area_name", "area_type", "sex", "period_label", "note"):
        if out[c].dtype != "string":
            out[c] = out[c].astype("string")
    return out


def single_year_counts(
    data_source: str = "demo",
    periods: Iterable[int | tuple[int, int]] | None = None,
    *,
    first_year: str = "require",
) -> pd.DataFrame:
    """Return pooled counts by single age for every kommun, region and Riket.

    Parameters
    ----------
    data_source : {"demo", "referens", "scb"}
        Source of the counts.
    periods : iterable, optional
        Five-year periods as ``(first, last)`` or last years; default every
        period the counts cover (with ``first_year="require"``: only periods
        whose year before the first year has a 31 December stock).
    first_year : {"require", "stock"}
        When the stock of 31 December before a period's first year is missing
        (2009 in the reference data): ``"require"`` refuses in Swedish,
        ``"stock"`` uses the stock of 31 December of the first year as that
        year's mean population and notes it (value flagged ``osäker``), see
        :func:`helpers.stats.lifetable_pooling.pool_periods`.

    Returns
    -------
    pandas.DataFrame
        ``area_code, area_name, area_type, sex`` (kvinnor/män), ``period``,
        ``period_label, note, age`` (0, 1, …, 100 = 100+), ``deaths``,
        ``population`` (person-years = sum of the yearly mean populations).
        The regions and Riket are the sums of their kommuner. Memoized; for
        demo/referens also stored in ``data/processed``.
    """
    source = check_source(data_source)
    per = normalize_periods(periods)
    first = check_first_year(first_year)

    def make() -> pd.DataFrame:
        counts = _all_counts(source)
        pooled = lifetable_pooling.pool_periods(
            counts.deaths, counts.population, per, first_year=first
        )
        out = _with_aggregates(pooled)
        return out.sort_values(["area_code", "sex", "period", "age"]).reset_index(drop=True)

    key = (_CACHE_VERSION, source, _raw_identity(source), per, first)
    return _string_columns(
        _pooled_memo("ettarig", source).frame(key, make, persist=source != "scb")
    )


def abridged_counts(
    data_source: str = "demo",
    periods: Iterable[int | tuple[int, int]] | None = None,
    *,
    first_year: str = "require",
) -> pd.DataFrame:
    """Return pooled counts in abridged bands for every kommun, region and Riket.

    The bands 0, 1–4, …, 85–89, 90+ of :func:`single_year_counts` (the
    ``method="chiang"`` table of :func:`kommun_life_expectancy`).

    Parameters
    ----------
    data_source : {"demo", "referens", "scb"}
        Source of the counts.
    periods : iterable, optional
        Five-year periods as ``(first, last)`` or last years; default every
        period the counts cover (with the stock of 31 December before the
        first year).
    first_year : {"require", "stock"}
        As for :func:`single_year_counts`.

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
    first = check_first_year(first_year)

    def make() -> pd.DataFrame:
        single = single_year_counts(source, per, first_year=first)
        ab = lifetable_pooling.to_abridged(single, count_cols=("deaths", "population"))
        return ab.sort_values(["area_code", "sex", "period", "age"]).reset_index(drop=True)

    key = (_CACHE_VERSION, source, _raw_identity(source), per, first)
    return _string_columns(_pooled_memo("femar", source).frame(key, make, persist=source != "scb"))


def check_ages(ages: Sequence[int], method: str) -> tuple[int, ...]:
    """Return ``ages`` as ints if the method can report them; refuse in Swedish otherwise.

    ``"scb"``: any age 0–90; ``"chiang"``: band starts 0, 1, 5, 10, …, 90.
    """
    ages_t = tuple(int(a) for a in ages)
    allowed = (
        range(lifetable_scb.CLOSE_AGE + 1) if method == "scb" else lifetable_chiang.ABRIDGED_AGES
    )
    bad = [a for a in ages_t if a not in allowed]
    if bad:
        raise DataError(
            f"Medellivslängd kan inte redovisas vid {', '.join(map(str, bad))} år med metoden "
            f"'{method}' (tillåtet: "
            + ("0–90 år" if method == "scb" else "0, 1, 5, 10, …, 90 år")
            + ")"
        )
    return ages_t


def scb_tables(
    data_source: str = "demo",
    periods: Iterable[int | tuple[int, int]] | None = None,
    *,
    first_year: str = "require",
) -> lifetable_scb.ScbTables:
    """Return SCB-method life tables of every kommun, region and Riket (memoized).

    :func:`helpers.stats.lifetable_scb.scb_tables` on :func:`single_year_counts`;
    the tables behind ``method="scb"`` of :func:`kommun_life_expectancy` and
    :func:`helpers.sources.mortality_compare.compare_with_county`.
    """
    source = check_source(data_source)
    per = normalize_periods(periods)
    first = check_first_year(first_year)
    key = ("tables", source, _raw_identity(source), per, first)
    return _TABLES.get(
        key, lambda: lifetable_scb.scb_tables(single_year_counts(source, per, first_year=first))
    )


def _all_life_expectancy(
    source: str,
    per: tuple | None,
    ages: tuple[int, ...],
    method: str = METHODS[0],
    first_year: str = "require",
) -> pd.DataFrame:
    key = ("le", source, _raw_identity(source), per, ages, method, first_year)

    def make() -> pd.DataFrame:
        label = source_label(source, method)
        if method == "chiang":
            counts = abridged_counts(source, per, first_year=first_year)
            return lt.life_expectancy(counts, at_ages=ages, source=label)
        counts = single_year_counts(source, per, first_year=first_year)
        tables = scb_tables(source, per, first_year=first_year)
        return lifetable_scb.indicator_table(counts, tables, at_ages=ages, source=label)

    return _LIFE_EXPECTANCY.get(key, make)


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
    *,
    method: str = METHODS[0],
    first_year: str = "require",
) -> pd.DataFrame:
    """Return life expectancy with 95 % CIs for every kommun, the county and Riket.

    Parameters
    ----------
    data_source : {"demo", "referens", "scb"}
        Source of the counts (any other source is refused in Swedish).
    lan_code : str, optional
        Keep the county's kommuner, its region and Riket (default all areas).
    periods : iterable, optional
        Five-year periods as ``(first, last)`` (e.g. ``[(2010, 2014)]``) or
        last years (default all that the counts cover).
    ages : sequence of int
        Ages at which life expectancy is reported; indicators ``"e0"``,
        ``"e30"``, … (``"scb"``: 0–90; ``"chiang"``: 0, 1, 5, 10, …, 90).
    method : {"scb", "chiang"}
        ``"scb"`` (default): single years 0–89 closed at 90 with the county
        (:mod:`helpers.stats.lifetable_scb`), as SCB publishes per kommun;
        ``"chiang"``: the abridged PHE table with the kommun's own 90+ band
        (see the module docstring).
    first_year : {"require", "stock"}
        ``"stock"`` makes periods computable whose first year lacks the stock
        of 31 December the year before (2010–2014 from the reference data):
        that year's mean population is the stock of 31 December of the first
        year, and the values are flagged ``osäker`` with a note saying so.
        With ``periods=None`` such periods are then included.

    Returns
    -------
    pandas.DataFrame
        Indicator table with flags from
        :func:`helpers.stats.lifetable.indicator_rows` (``osäker`` when the
        95 % CI is wider than 10 years, ``undertryckt`` for fewer than 5 000
        person-years or a CI wider than 20 years); ``numerator``/``denominator``
        are the area's own deaths and person-years from that age up.
    """
    source = check_source(data_source)
    method = check_method(method)
    first = check_first_year(first_year)
    ages_t = check_ages(ages, method)
    table = _all_life_expectancy(source, normalize_periods(periods), ages_t, method, first)
    wanted = _areas_of(lan_code)
    if wanted is not None:
        table = table[table["area_code"].isin(wanted)]
    return table.reset_index(drop=True).copy()
