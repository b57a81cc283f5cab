"""What a run downloads, per source, and the offline check before a run.

Each remote source registers one plain function (:func:`register`) that takes
the run (:class:`RunNeeds`: data source, county, kommuner) and returns a list
of :class:`Download` – "what this run needs from me". A download is a Swedish
description, the source's API root and a ``load`` function that fetches
through the source's own client and raw cache (so a second call reads the
cache and makes no request). Two users:

* ``python -m helpers.fetch`` (:mod:`helpers.fetch`) runs every download with
  a progress bar, skipping what is already cached;
* the report runner calls :func:`check_offline_ready` once, before the
  kommun batch: each download is tried against the raw cache only
  (:func:`helpers.core.http.cache_only`, no connection at all); when something
  is missing, *one* connection check per API root follows, and if that fails
  the run stops at once with a Swedish :class:`DataError` naming what is
  missing and the fetch command – instead of every kommun retrying the network.

Adding a source: write ``def my_needs(run: RunNeeds) -> list[Download]`` in its
module or here and decorate it with ``@register("name")`` (the registry is
:data:`REGISTRY`; the module defining it must be imported, see
:data:`NEEDS_MODULES`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from helpers.core import http, lookup
from helpers.core.errors import DataError

#: The fetch command shown in messages (``{params}`` is the run file).
FETCH_COMMAND = "make fetch PARAMS={params}  (utan make: python -m helpers.fetch --params {params})"


@dataclass(frozen=True)
class RunNeeds:
    """The parts of a run that decide what must be downloaded.

    Attributes
    ----------
    data_source : str
        The run's ``data_source`` (``"demo"``, ``"kolada"``, ``"scb"`` …).
    lan_codes : tuple of str
        The two-digit county codes of the run's kommuner.
    kommuner : tuple of str
        The kommun codes of the run.
    extra_sources : frozenset of str
        Sources to fetch in addition to what ``data_source`` uses
        (``helpers.fetch --med scb``).
    params_path : str
        The run file, as shown in messages.
    """

    data_source: str
    lan_codes: tuple[str, ...]
    kommuner: tuple[str, ...] = ()
    extra_sources: frozenset[str] = field(default_factory=frozenset)
    params_path: str = "params/<körfil>.yaml"

    def wants(self, source: str) -> bool:
        """Return True if the run uses ``source`` or it was asked for explicitly."""
        return self.data_source == source or source in self.extra_sources


@dataclass(frozen=True)
class Download:
    """One thing a run needs from a remote source.

    Attributes
    ----------
    source : str
        Source name (``"kolada"``, ``"scb"``, ``"fohm"`` …).
    what : str
        Swedish description (``"Kolada: medellivslängd N00923/N00925, Dalarnas län"``).
    base_url : str
        The source's API root (used for the one connection check).
    load : callable
        Fetches through the source's client and raw cache; the return value is ignored.
    """

    source: str
    what: str
    base_url: str
    load: Callable[[], object]


NeedsFunction = Callable[[RunNeeds], list[Download]]
#: Source name -> its "what does this run need" function.
REGISTRY: dict[str, NeedsFunction] = {}
#: Modules that register needs functions (imported by :func:`plan`).
NEEDS_MODULES: list[str] = ["helpers.sources.needs"]


def register(source: str) -> Callable[[NeedsFunction], NeedsFunction]:
    """Register ``func`` as the needs function of ``source`` (a decorator)."""

    def deco(func: NeedsFunction) -> NeedsFunction:
        REGISTRY[source] = func
        return func

    return deco


def run_needs(
    spec: object,
    data_source: str | None,
    extra: Iterable[str] = (),
    params_path: str | Path | None = None,
) -> RunNeeds:
    """Return the :class:`RunNeeds` of a validated run file (:class:`helpers.config.params.RunSpec`).

    ``params_path`` is the run file as the user wrote it (shown in messages);
    default the spec's own path.
    """
    kommuner = tuple(getattr(spec, "kommuner", ()) or ())
    lans = tuple(sorted({lookup.lan_code_of(k) for k in kommuner}))
    shown = (
        params_path if params_path is not None else getattr(spec, "path", "params/<körfil>.yaml")
    )
    return RunNeeds(
        data_source=str(data_source or "demo"),
        lan_codes=lans,
        kommuner=kommuner,
        extra_sources=frozenset(extra),
        params_path=str(shown),
    )


def plan(run: RunNeeds) -> list[Download]:
    """Return every download the run needs, source by source (registry order)."""
    for module in NEEDS_MODULES:
        importlib.import_module(module)
    out: list[Download] = []
    for func in REGISTRY.values():
        out.extend(func(run))
    return out


@dataclass(frozen=True)
class Probe:
    """What trying a download against the raw cache alone showed.

    Attributes
    ----------
    cached : bool
        Everything was read from the cache.
    missing_url : str or None
        The first URL not in the cache (``None`` if none was missing).
    error : str or None
        Another error met while reading the cache (e.g. a cached answer that
        fails its checks), in Swedish.
    """

    cached: bool
    missing_url: str | None = None
    error: str | None = None


def probe(download: Download) -> Probe:
    """Run ``download.load`` inside :func:`helpers.core.http.cache_only` (no connection)."""
    try:
        with http.cache_only():
            download.load()
    except Exception as exc:  # noqa: BLE001 - any failure means "not complete offline"
        cause: BaseException | None = exc
        while cause is not None:
            if isinstance(cause, http.NotCached):
                return Probe(False, missing_url=cause.url)
            cause = cause.__cause__ or cause.__context__
        return Probe(False, error=str(exc))
    return Probe(True)


def missing_url(download: Download) -> str | None:
    """Return the first URL ``download`` lacks in the raw cache, or ``None``.

    Errors other than a missing cached answer are not decided here (``None``):
    the run reports them where they occur.
    """
    return probe(download).missing_url


def _short(url: str, limit: int = 90) -> str:
    return url if len(url) <= limit else url[: limit - 1] + "…"


def fetch_command(params_path: str) -> str:
    """Return the Swedish fetch instruction for ``params_path``."""
    return FETCH_COMMAND.format(params=params_path)


def check_offline_ready(
    run: RunNeeds,
    downloads: Sequence[Download] | None = None,
    *,
    timeout: float = 1.5,
    check: Callable[[str, float], str | None] | None = None,
) -> list[Download]:
    """Before a run: refuse at once, in Swedish, if data are missing and the network is down.

    Every download is tried against the raw cache only (no connection). If
    something is missing, each distinct API root is tried *once*
    (:func:`helpers.core.http.connection_check`, ``timeout`` seconds, no retries).
    Reachable: the run goes on and downloads as usual. Not reachable: a
    :class:`DataError` names what is missing and the fetch command.

    Returns
    -------
    list of Download
        What is missing from the cache (empty when the run can work offline).

    Raises
    ------
    DataError
        Something is missing and its source cannot be reached.
    """
    check = check or http.connection_check
    downloads = plan(run) if downloads is None else list(downloads)
    missing = [(d, url) for d in downloads if (url := missing_url(d)) is not None]
    if not missing:
        return []
    unreachable: dict[str, str] = {}
    for base in dict.fromkeys(d.base_url for d, _ in missing):
        reason = check(base, timeout)
        if reason is not None:
            unreachable[base] = reason
    lost = [(d, url) for d, url in missing if d.base_url in unreachable]
    if not lost:
        return [d for d, _ in missing]
    hosts = "; ".join(f"{http.origin_text(b)}: {r}" for b, r in unreachable.items())
    lines = "\n".join(f"  – {d.what} (första som saknas: {_short(url)})" for d, url in lost)
    raise DataError(
        f"Körningen behöver data som inte finns i cachen (data/raw), och källan går inte att nå "
        f"({hosts}). Det här saknas:\n{lines}\n"
        f"Hämta allt en gång när datorn är uppkopplad:\n  {fetch_command(run.params_path)}\n"
        "Sedan fungerar körningen utan nätverk."
    )


# -- the sources the workbook has clients for ------------------------------------------------
def _lan_name(lan: str) -> str:
    return lookup.area_name(lookup.region_code(lan))


@register("kolada")
def kolada_needs(run: RunNeeds) -> list[Download]:
    """Kolada v3: life expectancy N00923/N00925 per county and the Strategi KPIs and groups."""
    if not run.wants("kolada"):
        return []
    from helpers.config import goals as goal_file
    from helpers.sources import kolada_client, life_expectancy, strategi

    base = kolada_client.KoladaClient().base_url
    out = [
        Download(
            "kolada",
            f"Kolada: medellivslängd (N00923, N00925), {_lan_name(lan)}",
            base,
            lambda lan=lan: life_expectancy.life_expectancy("kolada", lan_code=lan),
        )
        for lan in run.lan_codes
    ]
    out.append(
        Download(
            "kolada",
            "Kolada: Strategi för hälsa (nyckeltal och kommungrupper, alla kommuner)",
            base,
            lambda: strategi.load("kolada", goals=goal_file.load_goals()),
        )
    )
    return out


@register("scb")
def scb_needs(run: RunNeeds) -> list[Download]:
    """SCB PxWebApi 2.0: deaths and population by single age (all kommuner) and TAB4879."""
    if not run.wants("scb"):
        return []
    from helpers.sources import mortality_counts, mortality_education, scb

    base = scb.ScbClient().base_url
    ids = mortality_counts.scb_count_table_ids()
    return [
        Download(
            "scb",
            f"SCB: döda ({ids['deaths']}) och folkmängd ({ids['population']}) per kommun och "
            "ettårsklass",
            base,
            lambda: mortality_counts.scb_counts(),
        ),
        Download(
            "scb",
            f"SCB: återstående medellivslängd vid 30 efter utbildning och län "
            f"({mortality_education.e30_table_id()})",
            base,
            lambda: mortality_education.e30_by_education("scb"),
        ),
    ]


@register("fohm")
def fohm_needs(run: RunNeeds) -> list[Download]:
    """Folkhälsodata (PxWeb v1): the HLV tables for the run's counties and kommuner."""
    if not run.wants("fohm"):
        return []
    from helpers.sources import fohm, fohm_client

    out: list[Download] = []
    for lan in run.lan_codes:
        kommuner = [k for k in run.kommuner if lookup.lan_code_of(k) == lan]
        for request in fohm.fohm_requests({"lan": lan, "kommuner": kommuner}):
            out.append(
                Download(
                    "fohm",
                    f"{request.description}, {_lan_name(lan)}",
                    fohm_client.DEFAULT_BASE_URL,
                    lambda request=request: fohm.fetch(request),
                )
            )
    return out


__all__ = [
    "FETCH_COMMAND",
    "NEEDS_MODULES",
    "REGISTRY",
    "Download",
    "NeedsFunction",
    "Probe",
    "RunNeeds",
    "check_offline_ready",
    "fetch_command",
    "missing_url",
    "plan",
    "probe",
    "register",
    "run_needs",
]
