"""Kolada API v3 (RKA): the client and the conversion to the tidy indicator table.

This module gathers :mod:`helpers.sources.kolada_client` (HTTP client with
chunking, paging, validation and the raw cache) and
:mod:`helpers.sources.kolada_tables` (data objects to the indicator table,
municipality-group means and "Liknande kommuner" groups), and adds
:func:`load_kpis`, which does both: fetch (or read from the cache) and convert.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from helpers.sources.kolada_client import (
    DEFAULT_BASE_URL,
    GENDERS,
    KPI_FIELDS,
    MAX_IDS_PER_SEGMENT,
    MAX_PAGES,
    PER_PAGE,
    SOURCE,
    KoladaClient,
    PageCheck,
    check_data_objects,
    kolada_cache,
    parse_envelope,
)
from helpers.sources.kolada_tables import (
    FLAG_REASON_MISSING,
    FLAG_REASON_NOT_ASSESSED,
    FLAT_COLUMNS,
    MULTI_YEAR_KPIS,
    SIMILAR_GROUP_PREFIX,
    SimilarGroup,
    find_similar_group,
    flatten_values,
    group_values,
    period_label,
    to_indicator_table,
)


def load_kpis(
    kpis: str | Iterable[str],
    municipalities: str | Iterable[str],
    years: int | Iterable[int],
    client: KoladaClient | None = None,
    *,
    multi_year: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """Fetch KPIs from Kolada (or the raw cache) and return the tidy indicator table.

    Parameters
    ----------
    kpis, municipalities, years
        As for :meth:`KoladaClient.values`.
    client : KoladaClient, optional
        Client to use; a default one (live API, ``data/raw/kolada`` cache) otherwise.
    multi_year : mapping, optional
        See :func:`to_indicator_table`.

    Returns
    -------
    pandas.DataFrame
        Indicator table for the kommuner/regions/Riket asked for.
    """
    client = client or KoladaClient()
    return to_indicator_table(client.values(kpis, municipalities, years), multi_year=multi_year)


__all__ = [
    "DEFAULT_BASE_URL",
    "FLAG_REASON_MISSING",
    "FLAG_REASON_NOT_ASSESSED",
    "FLAT_COLUMNS",
    "GENDERS",
    "KPI_FIELDS",
    "MAX_IDS_PER_SEGMENT",
    "MAX_PAGES",
    "MULTI_YEAR_KPIS",
    "PER_PAGE",
    "SIMILAR_GROUP_PREFIX",
    "SOURCE",
    "KoladaClient",
    "PageCheck",
    "SimilarGroup",
    "check_data_objects",
    "find_similar_group",
    "flatten_values",
    "group_values",
    "kolada_cache",
    "load_kpis",
    "parse_envelope",
    "period_label",
    "to_indicator_table",
]
