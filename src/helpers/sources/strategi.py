"""Strategi för hälsa: the KPI values and municipality groups for one data source.

The goal table (:func:`helpers.config.goals.load_goals`) names the catalogue
indicator of every goal; the catalogue (:mod:`helpers.config.catalogue`) says
which data sources can serve each indicator. :func:`load` validates the
requested source once with :func:`helpers.config.sources.check_source` against
the sources that can serve *every* goal indicator (and that this module can
read), and refuses in Swedish otherwise – it never switches source quietly.

``demo``
    The synthetic values in Kolada's shape from :mod:`helpers.sources.demo.strategi`.
``kolada``
    The goal KPIs and their *Osäkerhetstal* for all kommuner, regions and Riket
    2012–2024 and the municipality groups, through :mod:`helpers.sources.kolada_client`
    (cached in ``data/raw/kolada``).
``referens``
    Kolada's values of the 16 goal KPIs kept in ``../shared/reference/kolada/strategi_ddf/``
    (DDF files, scraped August 2024) and the recorded v3 municipality groups, read
    straight from the files. Only the goal indicators whose catalogue entry has a
    ``referens`` recipe are read; the other goal KPIs have no rows and come out as
    missing ("data saknas"), as a KPI absent from Kolada does (assumption A69).

:func:`load_groups` returns only the municipality groups (for the explorer's
similar kommuner).

:func:`compare_with_kolada_group` compares the goal file with Kolada's own KPI
group "Strategi för hälsa".
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from helpers.config import catalogue as catalogue_mod
from helpers.config import goals as goal_file
from helpers.config.sources import check_source, is_synthetic
from helpers.core import lookup, paths
from helpers.core.errors import DataError, Problem, SourceError
from helpers.core.fmt import SYNTHETIC_LABEL
from helpers.stats.strategi_kolada import norm_title

FIRST_YEAR, LAST_YEAR = 2012, 2024
WHAT = "nyckeltalen för Strategi för hälsa"
#: Sources that serve only some goal indicators (those with a recipe in the catalogue);
#: the other goal KPIs have no rows and are reported as missing.
PARTIAL_SOURCES: tuple[str, ...] = ("referens",)
#: The reference folder's Strategi files (``FOLKHALSA_REFERENCE`` or ``../shared/reference``).
REFERENCE_DDF = Path("kolada") / "strategi_ddf"
REFERENCE_GROUPS = Path("kolada") / "v3_municipality_groups.json"
REFERENCE_LABEL = "Källa: Kolada (referensdata, hämtade augusti 2024)"
_GEO = re.compile(r"^(0|\d{2}|\d{4})$")
_DDF_GENDER = {"k": "K", "m": "M"}


def _goal_table(goals: pd.DataFrame | None) -> pd.DataFrame:
    return goal_file.load_goals() if goals is None else goals


def allowed_sources(
    goals: pd.DataFrame, catalogue: catalogue_mod.Catalogue | None = None
) -> tuple[str, ...]:
    """Return the sources that can serve the goal indicators (and that :func:`load` reads).

    A source must serve every goal indicator, except a partial source
    (:data:`PARTIAL_SOURCES`), which must serve at least one; the goal KPIs it
    does not serve have no rows and are reported as missing.

    Parameters
    ----------
    goals : pandas.DataFrame
        Goal table.
    catalogue : helpers.config.catalogue.Catalogue, optional
        Default ``params/indicators.yaml``.
    """
    cat = catalogue if catalogue is not None else catalogue_mod.load()
    allowed = list(_LOADERS)
    ids = goals["indicator"].dropna().unique() if "indicator" in goals.columns else []
    known = [i for i in ids if i in cat]
    for ind_id in known:
        served = cat.get(ind_id).sources
        allowed = [s for s in allowed if s in served or s in PARTIAL_SOURCES]
    # a partial source must still serve at least one goal indicator
    return tuple(
        s
        for s in allowed
        if s not in PARTIAL_SOURCES or any(s in cat.get(i).sources for i in known)
    )


def source_label(data_source: str) -> str:
    """Return the attribution for a data source (the synthetic one says so)."""
    from helpers.sources import kolada_client

    if data_source == "referens":
        return REFERENCE_LABEL
    return SYNTHETIC_LABEL if is_synthetic(data_source) else kolada_client.SOURCE


def to_indicator_table(
    values: Any, goals: pd.DataFrame, source: str = SYNTHETIC_LABEL
) -> pd.DataFrame:
    """Turn Kolada v3 data objects of the goal KPIs into the indicator table.

    Values that summarise several years (``pooled_years`` > 1 in the goal
    table, from the catalogue) get a period label such as ``"2021–2024"``.
    """
    from helpers.sources import kolada_tables

    goals = goals.dropna(subset=["kpi"])
    pooled = {g.kpi: int(g.pooled_years) for g in goals.itertuples() if int(g.pooled_years) > 1}
    pooled |= {
        g.uncertainty_kpi: int(g.pooled_years)
        for g in goals.dropna(subset=["uncertainty_kpi"]).itertuples()
        if int(g.pooled_years) > 1
    }
    return kolada_tables.to_indicator_table(values, multi_year=pooled, source=source)


def _demo_table(goals: pd.DataFrame, client: Any) -> pd.DataFrame:
    from helpers.sources.demo import strategi as demo_strategi

    return demo_strategi.load_table(goals=goals)


def _kolada_table(goals: pd.DataFrame, client: Any) -> pd.DataFrame:
    from helpers.sources import kolada_client

    client = client or kolada_client.KoladaClient()
    kpis = sorted(set(goals["kpi"].dropna()) | set(goals["uncertainty_kpi"].dropna()))
    codes = lookup.areas()["area_code"].tolist()
    try:
        raw = client.values(kpis, codes, list(range(FIRST_YEAR, LAST_YEAR + 1)))
    except (OSError, SourceError) as exc:
        raise SourceError(f"Kunde inte hämta Strategi för hälsa-data från Kolada: {exc}") from exc
    return to_indicator_table(raw, goals, source=kolada_client.SOURCE)


def reference_available() -> bool:
    """Return whether the reference folder with the Strategi values exists on this computer."""
    root = paths.reference_dir()
    return root is not None and (root / REFERENCE_DDF).is_dir()


def reference_folder() -> Path:
    """Return the reference folder of the Strategi values, refusing in Swedish if absent."""
    root = paths.reference_dir()
    if root is None or not reference_available():
        raise DataError(
            "Referensdata saknas: katalogen ../shared/reference/kolada/strategi_ddf finns inte "
            "på den här datorn. Välj data_source='demo' eller 'kolada', eller ange katalogen "
            "med FOLKHALSA_REFERENCE."
        )
    return root


def _ddf_rows(path: Path, kpi: str, gendered: bool) -> list[tuple]:
    """Return the v3 flat rows of one DDF file, refusing a malformed row in Swedish."""
    column = kpi.lower()
    wanted = ["geo", "gender", "year", column] if gendered else ["geo", "year", column]
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise DataError(Problem(f"filen kunde inte läsas: {exc}", file=str(path))) from exc
    if list(df.columns) != wanted:
        raise DataError(
            Problem(
                f"kolumnerna ska vara {', '.join(wanted)} men är {', '.join(df.columns)}",
                file=str(path),
                row=1,
            )
        )

    def bad(i: int, col: str, text: str) -> DataError:
        return DataError(
            Problem(
                f"{text} – rätta filen eller hämta om referensdata",
                file=str(path),
                row=i + 2,
                column=col,
            )
        )

    rows = []
    for i, rec in enumerate(df.itertuples(index=False)):
        rec = dict(zip(wanted, rec, strict=True))
        geo = rec["geo"].strip()
        if not _GEO.match(geo):
            raise bad(i, "geo", f"okänd områdeskod '{rec['geo']}' (0, två eller fyra siffror)")
        area = "0000" if geo == "0" else ("00" + geo if len(geo) == 2 else geo)
        year = rec["year"].strip()
        if not year.isdigit() or not 1900 <= int(year) <= 2100:
            raise bad(i, "year", f"ogiltigt år '{rec['year']}'")
        gender = "T"
        if gendered:
            gender = _DDF_GENDER.get(rec["gender"].strip())
            if gender is None:
                raise bad(i, "gender", f"okänt kön '{rec['gender']}' (k eller m)")
        try:
            value = float(rec[column])
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise bad(i, column, f"ogiltigt värde '{rec[column]}'")
        rows.append((kpi, area, int(year), gender, 1, "", value))
    return rows


def _referens_table(goals: pd.DataFrame, client: Any) -> pd.DataFrame:
    from helpers.sources import kolada_tables

    folder = reference_folder() / REFERENCE_DDF
    cat = catalogue_mod.load()
    served = goals.dropna(subset=["kpi"])
    served = served[
        served["indicator"].map(
            lambda i: (
                i in cat
                and cat.get(i).serves("referens")
                and "kpi" in cat.get(i).recipe("referens")
            )
        )
    ]  # e0 (goal 19) is served by referens as a life table elsewhere, not as a Kolada KPI
    rows: list[tuple] = []
    for kpi in sorted(set(served["kpi"])):
        total = folder / f"ddf--datapoints--{kpi.lower()}--by--geo--year.csv"
        if not total.is_file():
            raise DataError(
                Problem(
                    f"referensfilen för {kpi} saknas (katalogen anger källan referens för den)",
                    file=str(total),
                )
            )
        rows += _ddf_rows(total, kpi, gendered=False)
        by_sex = folder / f"ddf--datapoints--{kpi.lower()}--by--geo--gender--year.csv"
        if by_sex.is_file():  # some KPIs are published for the total only
            rows += _ddf_rows(by_sex, kpi, gendered=True)
    flat = pd.DataFrame(rows, columns=list(kolada_tables.FLAT_COLUMNS))
    flat = flat[flat["period"].between(FIRST_YEAR, LAST_YEAR)]
    dup = flat.duplicated(["kpi", "municipality", "period", "gender"])
    if dup.any():
        r = flat[dup].iloc[0]
        raise DataError(
            Problem(
                f"{r.kpi} har två värden för {r.municipality}, {r.period}, kön {r.gender}",
                file=str(folder),
            )
        )
    return to_indicator_table(flat.reset_index(drop=True), goals, source=REFERENCE_LABEL)


def _referens_groups(client: Any) -> list[dict]:
    path = reference_folder() / REFERENCE_GROUPS
    try:
        groups = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(Problem(f"filen kunde inte läsas: {exc}", file=str(path))) from exc
    # as Kolada's ``/municipality_groups?title=socioekonomi`` in _kolada_groups
    return [g for g in _records(groups) if "socioekonomi" in str(g.get("title", "")).lower()]


def _demo_groups(client: Any) -> list[dict]:
    from helpers.sources.demo import strategi as demo_strategi

    return demo_strategi.load_groups()


def _kolada_groups(client: Any) -> list[dict]:
    from helpers.sources import kolada_client

    client = client or kolada_client.KoladaClient()
    try:
        groups = client.municipality_groups(title="socioekonomi")
    except (OSError, SourceError) as exc:
        raise SourceError(f"Kunde inte hämta Strategi för hälsa-data från Kolada: {exc}") from exc
    return _records(groups)


#: How each source is read (a source must also serve every goal indicator in the catalogue).
_LOADERS: dict[str, Callable[[pd.DataFrame, Any], pd.DataFrame]] = {
    "demo": _demo_table,
    "kolada": _kolada_table,
    "referens": _referens_table,
}
#: Where each source's "Liknande kommuner/regioner socioekonomi" groups come from.
_GROUP_LOADERS: dict[str, Callable[[Any], list[dict]]] = {
    "demo": _demo_groups,
    "kolada": _kolada_groups,
    "referens": _referens_groups,
}


def load_groups(data_source: str = "demo", client: Any = None) -> list[dict]:
    """Return the v3 "Liknande kommuner/regioner socioekonomi" groups of a data source.

    Parameters
    ----------
    data_source : str
        ``"demo"`` (the synthetic groups), ``"kolada"`` or ``"referens"`` (the recorded
        groups in ``../shared/reference``); others are refused in Swedish.
    client : helpers.sources.kolada_client.KoladaClient, optional
        Client for ``"kolada"``.

    Raises
    ------
    DataError
        A source without municipality groups.
    SourceError
        Kolada could not be reached and nothing is cached.
    """
    check_source(data_source, allowed=tuple(_GROUP_LOADERS), what="kommungrupperna")
    return _GROUP_LOADERS[data_source](client)


def load(
    data_source: str = "demo",
    lan_code: str | None = None,
    goals: pd.DataFrame | None = None,
    client: Any = None,
    catalogue: catalogue_mod.Catalogue | None = None,
) -> tuple[pd.DataFrame, list[dict]]:
    """Return the Strategi-för-hälsa indicator table and the municipality groups.

    Parameters
    ----------
    data_source : str
        A source that can serve every goal indicator, or a partial source
        (:data:`PARTIAL_SOURCES`) that serves some of them (see :func:`allowed_sources`;
        ``"demo"``, ``"kolada"`` and ``"referens"`` for the shipped goal file).
    lan_code : str, optional
        Keep only this county's kommuner, its region and Riket. All areas are
        needed for rank colours and similar kommuner, so filter afterwards if
        you need both.
    goals : pandas.DataFrame, optional
        Goal table (default: the goal file).
    client : helpers.sources.kolada_client.KoladaClient, optional
        Client for ``"kolada"``.
    catalogue : helpers.config.catalogue.Catalogue, optional
        Default ``params/indicators.yaml``.

    Returns
    -------
    (pandas.DataFrame, list of dict)
        Indicator table (KPIs and their *Osäkerhetstal*) and the v3 municipality groups.

    Raises
    ------
    DataError
        Unknown source, or one that cannot serve every goal indicator (Swedish).
    SourceError
        Kolada could not be reached and nothing is cached.
    """
    goals = _goal_table(goals)
    check_source(data_source, allowed=allowed_sources(goals, catalogue), what=WHAT)
    table = _LOADERS[data_source](goals, client)
    groups = _GROUP_LOADERS[data_source](client)
    if lan_code is not None:
        codes = {
            *lookup.kommuner_in(lan_code)["kommun_code"],
            lookup.region_code(lan_code),
            lookup.RIKET_CODE,
        }
        table = table[table["area_code"].isin(codes)].reset_index(drop=True)
    return table, groups


def _records(result: Any) -> list[dict]:
    """Return a v3 answer (list, envelope with ``values`` or DataFrame) as a list of dicts."""
    if result is None:
        return []
    if isinstance(result, pd.DataFrame):
        return result.to_dict("records")
    if isinstance(result, Mapping):
        return list(result.get("values") or [])
    return list(result)


def compare_with_kolada_group(
    client: Any, goals: pd.DataFrame | None = None, only_differences: bool = True
) -> pd.DataFrame:
    """Compare the goal file with Kolada's KPI group "Strategi för hälsa".

    Calls ``client.kpi_groups(title="strategi")`` (Kolada v3 ``/kpi_groups``),
    keeps the groups whose title contains "Strategi för hälsa" and lists the
    KPIs that are only in Kolada's group, only in the goal file, or in both
    with different titles (the title in the catalogue's Kolada recipe).

    Parameters
    ----------
    client : object
        Anything with a ``kpi_groups(title=...)`` method returning v3 KPI groups:
        a list of ``{id, title, members: [{member_id, member_title}]}`` (or an
        envelope with ``values``, or a DataFrame of such records).
    goals : pandas.DataFrame, optional
        Goal table; default :func:`helpers.config.goals.load_goals`.
    only_differences : bool
        Drop the KPIs found in both with the same title.

    Returns
    -------
    pandas.DataFrame
        Columns ``kpi``, ``goal``, ``label``, ``yaml_title``, ``kolada_title``,
        ``group_id``, ``group_title``, ``difference``, ``message`` (Swedish).
    """
    goals = _goal_table(goals)
    file = goal_file.PARAMS_FILE
    columns = [
        "kpi",
        "goal",
        "label",
        "yaml_title",
        "kolada_title",
        "group_id",
        "group_title",
        "difference",
        "message",
    ]
    groups = [
        g
        for g in _records(client.kpi_groups(title="strategi"))
        if "strategi för hälsa" in norm_title(g.get("title", ""))
    ]
    if not groups:
        msg = "Ingen KPI-grupp med 'Strategi för hälsa' i titeln hittades i Kolada."
        return pd.DataFrame([dict.fromkeys(columns, "") | {"message": msg}], columns=columns)
    members: dict[str, tuple[str, str, str]] = {}
    for grp in groups:
        for m in grp.get("members") or []:
            members.setdefault(
                str(m.get("member_id")), (str(m.get("member_title") or ""), grp["id"], grp["title"])
            )
    ours = goals.dropna(subset=["kpi"])
    ours = {r.kpi: r for r in ours.itertuples(index=False)}
    rows = []
    for kpi in sorted(set(members) | set(ours)):
        mine, theirs = ours.get(kpi), members.get(kpi)
        row = {
            "kpi": kpi,
            "goal": mine.goal if mine is not None else pd.NA,
            "label": mine.label if mine is not None else "",
            "yaml_title": mine.title if mine is not None else "",
            "kolada_title": theirs[0] if theirs else "",
            "group_id": theirs[1] if theirs else "",
            "group_title": theirs[2] if theirs else "",
        }
        if mine is None:
            row["difference"] = "bara i Kolada"
            row["message"] = f"KPI {kpi} ('{theirs[0]}') finns i Koladas grupp men inte i {file}."
        elif theirs is None:
            row["difference"] = "bara i yaml"
            row["message"] = (
                f"KPI {kpi} (mål {mine.label}) finns i {file} men inte i Koladas grupp "
                f"'{groups[0]['title']}'."
            )
        elif theirs[0] and norm_title(theirs[0]) != norm_title(mine.title):
            row["difference"] = "olika titel"
            row["message"] = f"KPI {kpi}: titeln i Kolada är '{theirs[0]}'."
        else:
            row["difference"] = ""
            row["message"] = ""
        rows.append(row)
    out = pd.DataFrame(rows, columns=columns)
    if only_differences:
        out = out[out["difference"] != ""]
    return out.reset_index(drop=True)
