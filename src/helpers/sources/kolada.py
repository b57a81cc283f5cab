"""Kolada API v3 (RKA): the client and the conversion to the tidy indicator table.

The HTTP client (chunking, paging, validation, the raw cache) is
:mod:`helpers.sources.kolada_client`; the conversion of data objects to the
indicator table, municipality-group means and "Liknande kommuner" groups is
:mod:`helpers.sources.kolada_tables`. This module adds :func:`load_kpis`, which
does both: fetch (or read from the cache) and convert.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from helpers.sources.kolada_client import KoladaClient
from helpers.sources.kolada_tables import to_indicator_table


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
    "load_kpis",
]
