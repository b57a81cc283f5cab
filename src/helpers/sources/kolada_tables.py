"""Kolada data objects to the tidy indicator table, and Kolada's municipality groups.

:func:`to_indicator_table` turns raw data objects (from
:meth:`helpers.sources.kolada_client.KoladaClient.values`) into the workbook's
tidy indicator table (kommuner, regions and Riket only; municipality-group
means are returned separately by :func:`group_values`). Kolada gives no
uncertainty, so values are flagged ``"ej bedömd"``; its ``count`` is the
number of contributing units, not respondents, so ``n`` stays NaN.
:func:`find_similar_group` finds a kommun's "Liknande kommuner socioekonomi" group.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from helpers.core import indicators, lookup
from helpers.core.errors import DataError, SourceError, first_bad_row
from helpers.sources.kolada_client import GENDERS, SOURCE, check_data_objects

#: KPIs whose value for year T covers several years (T-k+1 ... T): KPI id -> k.
#: N00923/N00925 (life expectancy, SCB) are five-year averages: 2024 means 2020–2024.
#: U01402 (daily smoking) is *not* listed: its description says T-3...T for most of the
#: country but year T for the Liv & Hälsa regions, so the span depends on the area.
MULTI_YEAR_KPIS: dict[str, int] = {"N00923": 5, "N00925": 5}

FLAG_REASON_NOT_ASSESSED = "Källan anger ingen osäkerhet"
FLAG_REASON_MISSING = "Kolada saknar värde"


SIMILAR_GROUP_PREFIX = "Liknande kommuner socioekonomi"
_GROUP_TITLE = re.compile(rf"{SIMILAR_GROUP_PREFIX},\s*(?P<name>.+?),\s*(?P<edition>\d{{4}})")


# -- conversion ----------------------------------------------------------------------
FLAT_COLUMNS: tuple[str, ...] = (
    "kpi",
    "municipality",
    "period",
    "gender",
    "count",
    "status",
    "value",
)


_KEY = ["kpi", "municipality", "period", "gender"]


def _one_row_per_key(df: pd.DataFrame, where: str, error: type[Exception]) -> pd.DataFrame:
    """Drop exact duplicate data points; refuse the same point with different contents."""
    compare = [c for c in ("value", "count", "status") if c in df]
    exact = df.drop_duplicates(_KEY + compare)
    clash = exact.duplicated(_KEY, keep=False)
    if clash.any():
        first = exact[clash].iloc[0]
        same = exact[clash & (exact[_KEY] == first[_KEY]).all(axis=1)]
        shown = " och ".join(repr(v) for v in same["value"].tolist()[:3])
        raise error(
            f"{where} har samma datapunkt flera gånger med olika innehåll: "
            f"{first['kpi']}/{first['municipality']}/{first['period']} kön {first['gender']} "
            f"(värden {shown}; {int(clash.sum())} rader berörs). Vilket som gäller går inte att "
            "avgöra, så inget väljs – hämta datan på nytt eller rätta tabellen."
        )
    return exact.reset_index(drop=True)


def flatten_values(raw_values: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Unnest v3 data objects into one row per object and gender.

    The objects are checked with
    :func:`helpers.sources.kolada_client.check_data_objects` first (a value that
    is text, NaN or infinite is refused, never converted); a data point
    (KPI, area, period, gender) given twice is kept once when identical and
    refused when the two differ.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FLAT_COLUMNS`; ``value`` is float (null -> NaN).

    Raises
    ------
    SourceError
        If an object is not as documented or a data point contradicts another.
    """
    raw_values = list(raw_values)
    check_data_objects(raw_values, "dataobjekten")
    rows = [
        (
            obj["kpi"],
            obj["municipality"],
            int(obj["period"]),
            v["gender"],
            v.get("count"),
            v.get("status") or "",
            np.nan if v.get("value") is None else float(v["value"]),
        )
        for obj in raw_values
        for v in obj["values"]
    ]
    df = pd.DataFrame(rows, columns=list(FLAT_COLUMNS))
    df["period"] = df["period"].astype("int64")
    df["value"] = df["value"].astype("float64")
    return _one_row_per_key(df, "Koladas svar", SourceError)


def period_label(kpi: str, period: int, multi_year: Mapping[str, int] | None = None) -> str:
    """Return the label of a Kolada period: ``"2020–2024"`` for N00923 2024, else ``"2024"``.

    Parameters
    ----------
    kpi : str
        KPI id.
    period : int
        Kolada's period (the last year of a multi-year period).
    multi_year : mapping, optional
        KPI id -> number of years covered; :data:`MULTI_YEAR_KPIS` by default.
    """
    span = (MULTI_YEAR_KPIS if multi_year is None else multi_year).get(kpi, 1)
    return f"{period - span + 1}–{period}" if span > 1 else str(period)


def _is_plain_number(v: Any) -> bool:
    """Return True for a number (not bool, not text) or a missing value."""
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return True
    return isinstance(v, int | float | np.integer | np.floating) and not isinstance(
        v, bool | np.bool_
    )


def _check_column(df: pd.DataFrame, column: str, mask: Any, what: str) -> None:
    problem = first_bad_row(
        mask,
        lambda i, n: (
            f"{what} ({df[column].iloc[i]!r} för {df['kpi'].iloc[i]}/"
            f"{df['municipality'].iloc[i]}); {n} rader berörs. Inget gissas – rätta tabellen."
        ),
        file="Kolada-tabellen",
        column=column,
    )
    if problem is not None:
        raise DataError(problem)


def _flat(raw_values: Iterable[Mapping[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    if not isinstance(raw_values, pd.DataFrame):
        return flatten_values(raw_values)
    missing = [
        c for c in ("kpi", "municipality", "period", "gender", "value") if c not in raw_values
    ]
    if missing:
        raise DataError(f"Kolada-tabellen saknar kolumnerna: {', '.join(missing)}")
    df = raw_values.reset_index(drop=True).copy()
    if not df["municipality"].map(lambda v: isinstance(v, str)).all():
        raise DataError(
            "Kolada-tabellens kolumn 'municipality' ska vara text med inledande nolla (t.ex. '0180')"
        )
    if "status" not in df:
        df["status"] = ""
    df["status"] = df["status"].fillna("").astype(str)
    _check_column(
        df,
        "value",
        ~df["value"].map(_is_plain_number).to_numpy(dtype=bool),
        "värdet är inget tal (text som '12,3' omvandlas inte)",
    )
    df["value"] = pd.to_numeric(df["value"]).astype("float64")
    _check_column(df, "value", np.isinf(df["value"]).to_numpy(), "värdet är oändligt")
    period = pd.to_numeric(df["period"], errors="coerce")
    _check_column(
        df,
        "period",
        (period.isna() | (period != period.round())).to_numpy(dtype=bool),
        "perioden är inget årtal",
    )
    df["period"] = period.astype("int64")
    return _one_row_per_key(df, "Kolada-tabellen", DataError)


def to_indicator_table(
    raw_values: Iterable[Mapping[str, Any]] | pd.DataFrame,
    kpi_meta: pd.DataFrame | None = None,
    *,
    multi_year: Mapping[str, int] | None = None,
    source: str = SOURCE,
) -> pd.DataFrame:
    """Convert Kolada data objects into the tidy indicator table.

    Only kommuner, regions and Riket are kept (group ids ``G...`` are left out;
    see :func:`group_values`). ``sex`` is T -> totalt, K -> kvinnor, M -> män;
    ``group`` is ``"alla"``; ``indicator`` is the KPI id; a null value becomes NaN
    with flag ``"saknas"``; other values get flag ``"ej bedömd"`` ("Källan anger
    ingen osäkerhet"), plus Kolada's ``status`` in ``flag_reason`` when set.
    ``n`` stays NaN: Kolada's ``count`` is the number of contributing units.

    Parameters
    ----------
    raw_values : list of dict or pandas.DataFrame
        Data objects from :meth:`KoladaClient.values`, or a frame as returned by
        :func:`flatten_values`.
    kpi_meta : pandas.DataFrame, optional
        KPI metadata (:meth:`KoladaClient.kpis`); when given, every KPI in the data
        must be in it.
    multi_year : mapping, optional
        KPI id -> years covered, for ``period_label``; :data:`MULTI_YEAR_KPIS` by default.
    source : str
        Attribution for the ``source`` column.

    Returns
    -------
    pandas.DataFrame
        A validated indicator table (:func:`helpers.core.indicators.make`).

    Raises
    ------
    SourceError
        If an area id is unknown, or a KPI is missing from ``kpi_meta``.
    """
    df = _flat(raw_values)
    df = df[~df["municipality"].str.startswith("G")]
    if df.empty:
        return indicators.empty()
    if kpi_meta is not None:
        unknown_kpis = sorted(set(df["kpi"]) - set(kpi_meta["id"]))
        if unknown_kpis:
            raise SourceError(f"KPI saknas i Koladas metadata: {', '.join(unknown_kpis)}")
    areas = lookup.areas().set_index("area_code")
    unknown = sorted(set(df["municipality"]) - set(areas.index))
    if unknown:
        raise SourceError(
            f"Kolada gav värden för okända områdeskoder: {', '.join(unknown[:10])} "
            "(kommun-/regionlistan i helpers.core.lookup känner inte till dem)"
        )
    bad_gender = sorted(set(df["gender"]) - set(GENDERS))
    if bad_gender:
        raise SourceError(f"Kolada gav okända kön: {', '.join(map(str, bad_gender))}")
    missing = df["value"].isna()
    reason = np.where(missing, FLAG_REASON_MISSING, FLAG_REASON_NOT_ASSESSED).astype(object)
    status = df["status"].fillna("").astype(str).str.strip().to_numpy()
    with_status = status != ""
    reason[with_status] = [
        f"{r}; Kolada-status: {s}"
        for r, s in zip(reason[with_status], status[with_status], strict=True)
    ]
    labels = {
        (k, p): period_label(k, p, multi_year)
        for k, p in df[["kpi", "period"]].drop_duplicates().itertuples(index=False)
    }
    out = pd.DataFrame(
        {
            "area_code": df["municipality"].to_numpy(),
            "area_name": areas.loc[df["municipality"], "area_name"].to_numpy(),
            "area_type": areas.loc[df["municipality"], "area_type"].to_numpy(),
            "period": df["period"].to_numpy(),
            "period_label": [labels[(k, p)] for k, p in zip(df["kpi"], df["period"], strict=True)],
            "sex": df["gender"].map(GENDERS).to_numpy(),
            "group": indicators.ALL_GROUPS,
            "indicator": df["kpi"].to_numpy(),
            "value": df["value"].to_numpy(),
            "n": np.nan,
            "flag": np.where(missing, indicators.FLAG_MISSING, indicators.FLAG_NOT_ASSESSED),
            "flag_reason": reason,
        }
    )
    out = out.sort_values(["indicator", "area_code", "period", "sex"], kind="stable")
    return indicators.make(out, source=source)


def group_values(raw_values: Iterable[Mapping[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    """Return the municipality-group rows (ids ``G...``): Kolada's unweighted member means.

    Returns
    -------
    pandas.DataFrame
        Columns ``group_id``, ``indicator``, ``period``, ``sex``, ``value`` and
        ``n_members`` (Kolada's ``count``: members that contributed).
    """
    df = _flat(raw_values)
    df = df[df["municipality"].str.startswith("G")]
    out = pd.DataFrame(
        {
            "group_id": df["municipality"].astype("string"),
            "indicator": df["kpi"].astype("string"),
            "period": df["period"].astype("int64"),
            "sex": df["gender"].map(GENDERS).astype("string"),
            "value": df["value"].astype("float64"),
            "n_members": pd.to_numeric(df["count"] if "count" in df else np.nan).astype("float64"),
        }
    )
    return out.sort_values(["indicator", "group_id", "period", "sex"]).reset_index(drop=True)


@cache
def _kommun_names() -> dict[str, str]:
    k = lookup.kommuner()
    return dict(zip(k["kommun_code"], k["kommun_name"], strict=True))


@dataclass(frozen=True)
class SimilarGroup:
    """A Kolada "Liknande kommuner socioekonomi" group for one kommun."""

    id: str
    title: str
    edition: int
    members: tuple[str, ...]


def find_similar_group(
    kommun_code: str, groups: pd.DataFrame | Iterable[Mapping[str, Any]]
) -> SimilarGroup:
    """Find the newest "Liknande kommuner socioekonomi, <Kommun>, <year>" group of a kommun.

    Group ids change between editions, so the group is found by title.

    Parameters
    ----------
    kommun_code : str
        Four-digit kommun code, e.g. ``"1984"`` (Arboga).
    groups : pandas.DataFrame or iterable of dict
        Municipality groups with ``id``, ``title`` and ``members`` (as from
        :meth:`KoladaClient.municipality_groups`).

    Returns
    -------
    SimilarGroup
        The group of the newest edition; ``members`` are the member ids (the
        kommun itself is not a member).

    Raises
    ------
    DataError
        If the kommun code is unknown.
    SourceError
        If no such group exists.
    """
    names = _kommun_names()
    if kommun_code not in names:
        lookup.lan_of(kommun_code)  # raises the lookup's DataError (in Swedish)
    name = names[kommun_code]
    records = groups.to_dict("records") if isinstance(groups, pd.DataFrame) else list(groups)
    found: list[tuple[int, dict[str, Any]]] = []
    for rec in records:
        title = str(rec.get("title", ""))
        if not title.startswith(SIMILAR_GROUP_PREFIX):
            continue
        m = _GROUP_TITLE.fullmatch(" ".join(title.split()))
        if m and m.group("name").casefold() == name.casefold():
            found.append((int(m.group("edition")), dict(rec)))
    if not found:
        raise SourceError(
            f"Kolada har ingen kommungrupp '{SIMILAR_GROUP_PREFIX}, {name}, <år>' "
            f"för {name} ({kommun_code})."
        )
    edition, rec = max(found, key=lambda t: t[0])
    members = tuple(
        m["member_id"] if isinstance(m, Mapping) else str(m) for m in (rec.get("members") or [])
    )
    return SimilarGroup(
        id=str(rec["id"]), title=str(rec["title"]), edition=edition, members=members
    )
