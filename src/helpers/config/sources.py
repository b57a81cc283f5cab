"""The data-source registry: the one list of sources a run or notebook may name.

Every module that takes a ``data_source`` validates it here, once, and asks the
indicator catalogue (:mod:`helpers.config.catalogue`) whether that source can
serve the indicator it needs. No module keeps its own list of sources, and a
source that cannot serve an indicator says so in Swedish instead of quietly
switching to another source (the old mortality loader turned ``kolada`` into
``scb`` without a word).

The sources
-----------
``demo``
    The bundled synthetic data (one seeded population; offline).
``kolada``
    Kolada's API v3 (key figures per kommun, region and Riket).
``scb``
    SCB's PxWebApi 2.0 (deaths and population by single age, e30 by education).
``referens``
    Real data from ``../shared/reference`` beside the project (tests and the
    Dalarna reproduction; never needed by the workbook itself).
``extrakt``
    The analyst's own survey extract, described by a variable map in ``params/``.
``fohm``
    Folkhälsomyndigheten's Folkhälsodata (PxWeb API v1): the HLV survey tables
    by county and kommun (share, confidence interval, respondents), through
    :mod:`helpers.sources.fohm` (cached in ``data/raw/fohm``).

Each source carries the licence or attribution recorded with every file it
downloads into the raw cache (``licence``).

Dispatch from a source to the loader function lives in
:mod:`helpers.sources.registry` (it needs the loaders, which sit a layer up).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from helpers.core.errors import DataError


@dataclass(frozen=True)
class Source:
    """One data source the workbook can read.

    Attributes
    ----------
    name : str
        The name used in run files and notebook parameters (``data_source``).
    label : str
        Swedish name for readers (chart source lines, provenance).
    offline : bool
        True when it needs no network once built (demo, reference files, own extract).
    synthetic : bool
        True for the synthetic demo data (every chart says so).
    licence : str
        Licence or attribution of the source's data, as recorded in the raw-cache
        manifest (empty for data the workbook makes or the analyst brings).
    """

    name: str
    label: str
    offline: bool
    synthetic: bool = False
    licence: str = ""


SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source("demo", "Syntetiska demodata", offline=True, synthetic=True),
        Source("kolada", "Kolada (RKA, API v3)", offline=False, licence="Källa: Kolada"),
        Source("scb", "SCB (PxWebApi 2.0)", offline=False, licence="Källa: SCB"),
        Source("referens", "Referensdata (../shared/reference)", offline=True),
        Source("extrakt", "Eget enkätextrakt", offline=True),
        Source(
            "fohm",
            "Folkhälsomyndigheten, Folkhälsodata (PxWeb API v1)",
            offline=False,
            # Folkhälsomyndigheten lets its statistics be used freely with the source named;
            # the exact terms were not verified from this project (docs/assumptions.md, A30).
            licence="Källa: Folkhälsomyndigheten, Folkhälsodata (fri användning med angiven källa)",
        ),
    )
}

#: Sources a run file may set as ``data_source`` for a whole kommun report (the
#: report template's sections can be served by these).
RUN_SOURCES: tuple[str, ...] = ("demo", "kolada", "referens")
#: Sources the interactive explorer offers (``referens`` is for tests and the Dalarna
#: reproduction only, and needs ``../shared/reference``).
EXPLORER_RUN_SOURCES: tuple[str, ...] = ("demo", "kolada")


def names() -> tuple[str, ...]:
    """Return the names of all sources, in registry order."""
    return tuple(SOURCES)


def check_source(
    name: object, *, allowed: Iterable[str] | None = None, what: str | None = None
) -> str:
    """Validate a source name once, with a Swedish message that lists the choices.

    Parameters
    ----------
    name : object
        The value given by the user (run file, notebook parameter, widget).
    allowed : iterable of str, optional
        The sources that can serve what the caller needs (for example the
        catalogue's sources for one indicator). Default: every source.
    what : str, optional
        Swedish description of what is needed, used in the message
        ("medellivslängd från antal döda och folkmängd").

    Returns
    -------
    str
        ``name`` unchanged.

    Raises
    ------
    DataError
        Unknown source, or a known source that cannot serve ``what``.
    """
    choices = tuple(allowed) if allowed is not None else names()
    if not isinstance(name, str) or name not in SOURCES:
        raise DataError(f"Okänd datakälla {name!r} – välj en av: {', '.join(names())}.")
    if name not in choices:
        need = f" {what}" if what else " det som efterfrågas"
        raise DataError(
            f"Datakällan '{name}' kan inte ge{need}. "
            f"Välj en av: {', '.join(choices) if choices else '(ingen)'}."
        )
    return name


def label(name: str) -> str:
    """Return the Swedish label of a source (after :func:`check_source`)."""
    return SOURCES[check_source(name)].label


def is_synthetic(name: str) -> bool:
    """Return True for the synthetic demo source."""
    return SOURCES[check_source(name)].synthetic
