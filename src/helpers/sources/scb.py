"""Client for Statistics Sweden's PxWebApi 2.0 and a json-stat2 parser.

Base URL ``https://statistikdatabasen.scb.se/api/v2/``. The client reads the
API's published limits from ``/config`` (``maxDataCells``,
``maxCallsPerTimeWindow``, ``timeWindow``), throttles to them, and splits a
data query by its largest dimension until each request stays under the cell
limit; the json-stat2 answers are parsed by
:func:`helpers.sources.jsonstat.jsonstat2_to_frame` into a tidy long frame and
concatenated.

Every answer is checked completely *before* it is written to the raw cache
(JSON content type and UTF-8, no NaN/Infinity, the documented shape, for data
the codes asked for and a json-stat2 dataset whose every value is a finite
number or null, no cell twice), so a malformed answer is never pinned and a
later run fetches again. Requests and redirects stay on the configured host.

Why not ``pxwebpy``
-------------------
``pxwebpy`` 0.6 (installed, ``import pxweb``) does speak PxWebApi 2.0 and splits
large queries, but it does not fit the workbook's rules, so this module is
written on :mod:`helpers.core.http` instead:

* caching is an in-memory ``requests_cache`` session (one hour), not the
  write-once :class:`helpers.core.cache.RawCache` with a provenance manifest, and
  its internal client cannot be given another cache without patching private
  code;
* errors are English ``requests.HTTPError``/``ValueError`` texts, not
  :class:`helpers.core.errors.SourceError` in Swedish; only 429 is retried
  (connection errors and 5xx are not), with no configurable backoff;
* constructing ``PxApi`` makes two network calls (``/config`` and ``/tables``);
* its json-stat2 unpacking yields either codes *or* labels per dimension (not
  both) and ignores the ``status`` field and the sparse (object) form of
  ``value``.

Table versions: when the lock file (:mod:`helpers.sources.scb_tables`) pins a
table with SCB's ``updated`` date, that date is part of the cache key of the
table's metadata and data (:meth:`ScbClient.pinned_version`), so a table that
SCB changed and that was re-pinned with ``--update-lock`` is downloaded again
instead of mixing old cached answers with the new pin.

The json-stat2 row order is row-major: the last dimension in ``id`` varies
fastest. SCB adds a small random noise (Cell Key Method) to population
figures from reference year 2025; the table notes say so and are kept in
``frame.attrs["note"]``.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import pandas as pd

from helpers.core.cache import RawCache, query_json, query_key
from helpers.core.errors import DataError, SourceError
from helpers.core.http import DEFAULT_DEADLINE, DEFAULT_MAX_BYTES, HttpClient, Throttle
from helpers.core.jsonbody import decode_checked
from helpers.sources import scb_tables
from helpers.sources.jsonstat import dimension_codes, jsonstat2_to_frame

DEFAULT_BASE_URL = "https://statistikdatabasen.scb.se/api/v2/"
SOURCE = "Källa: SCB"

#: Remaining life expectancy at age 30 by education level, sex and county, five-year
#: periods (v1 ``START/BE/BE0701/LivslUtbLan``).
TAB_E30_EDUCATION_LAN = "TAB4879"
#: Population per month by region, age and sex (the recorded example table).
TAB_POPULATION_MONTH = "TAB6471"

# Deaths and population by single age, sex, kommun and year: the v1 paths and
# content codes. Their PxWebApi 2.0 ids are pinned in params/scb_tables.lock.yaml
# (helpers.sources.scb_tables), resolved and confirmed by `python -m helpers.fetch`.
#: v1 path of deaths by region, age, sex and year (content code :data:`DEATHS_CONTENTS_CODE`).
V1_DEATHS_KOMMUN = "BE/BE0101/BE0101I/DodaFodelsearK"
DEATHS_CONTENTS_CODE = "BE0101D9"
DEATHS_QUERY = "döda efter region ålder kön år"
#: v1 path of population 31 December by region, age, sex and year (content code
#: :data:`POPULATION_CONTENTS_CODE`).
V1_POPULATION_KOMMUN = "BE/BE0101/BE0101A/BefolkningNy"
POPULATION_CONTENTS_CODE = "BE0101N1"
POPULATION_QUERY = "folkmängd efter region ålder kön år"

#: Used before ``/config`` has been read (SCB's published limits in 2026).
DEFAULT_MAX_CALLS = 3
DEFAULT_TIME_WINDOW = 1.0
MAX_SEARCH_PAGES = 50

_TABLE_ID = re.compile(r"[A-Za-z0-9_]+")


def scb_cache() -> RawCache:
    """Return the raw cache for SCB responses (``data/raw/scb``)."""
    return RawCache("scb", SOURCE)


# -- query planning ----------------------------------------------------------------------
def count_cells(selection: Mapping[str, Sequence[str]]) -> int:
    """Return the number of data cells a selection asks for (product of its lengths)."""
    return math.prod(len(v) for v in selection.values())


def split_selection(
    selection: Mapping[str, Sequence[str]], max_cells: int
) -> list[dict[str, list[str]]]:
    """Split a selection so that every part asks for at most ``max_cells`` cells.

    The largest dimension is split first, into as few parts as possible; if one
    value of it is still too many cells, the parts are split further by the next
    largest dimension, and so on.

    Parameters
    ----------
    selection : mapping of str to sequence of str
        Dimension id -> value codes.
    max_cells : int
        The API's cell limit.

    Returns
    -------
    list of dict
        Parts whose union is the selection, in the order of the codes.

    Raises
    ------
    DataError
        If ``max_cells`` is smaller than 1.
    """
    if max_cells < 1:
        raise DataError("Cellgränsen måste vara minst 1")
    sel = {k: list(v) for k, v in selection.items()}
    total = count_cells(sel)
    if total <= max_cells:
        return [sel]
    splittable = [k for k, v in sel.items() if len(v) > 1]
    if not splittable:  # pragma: no cover - a single cell is never above a limit >= 1
        return [sel]
    largest = max(splittable, key=lambda k: len(sel[k]))
    other = total // len(sel[largest])
    step = max(1, max_cells // other)
    parts: list[dict[str, list[str]]] = []
    for i in range(0, len(sel[largest]), step):
        part = dict(sel)
        part[largest] = sel[largest][i : i + step]
        parts.extend(split_selection(part, max_cells))
    return parts


@dataclass(frozen=True)
class Limits:
    """The API limits published in ``/config``."""

    max_data_cells: int
    max_calls: int
    time_window: float


class ScbClient:
    """Client for SCB's PxWebApi 2.0 with limits from ``/config``, splitting and a raw cache.

    Parameters
    ----------
    base_url : str
        API root, ``https://statistikdatabasen.scb.se/api/v2/`` by default.
    cache : RawCache, optional
        Where raw responses are stored; ``RawCache("scb", "Källa: SCB")`` by default.
    use_cache : bool
        Read a response from the cache when the same request is cached (no request
        is made). This includes ``/config``, so the split of a query, and hence the
        cached parts, stay the same between runs. ``False`` always fetches.
    lang : {"sv", "en"}
        Language of labels.
    http : HttpClient, optional
        HTTP layer; otherwise one is built from ``timeout``, ``retries`` and
        ``backoff``. Its throttle is replaced by the limits in ``/config``.
    timeout, retries, backoff, deadline, max_bytes
        Passed to :class:`helpers.core.http.HttpClient` (30 s socket timeout, 4
        retries, 1 s base delay, 60 s per answer, 50 MB by default).
    max_data_cells : int, optional
        A lower cell limit than the published one (never a higher one).
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        cache: RawCache | None = None,
        *,
        use_cache: bool = True,
        lang: str = "sv",
        http: HttpClient | None = None,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 1.0,
        max_data_cells: int | None = None,
        deadline: float = DEFAULT_DEADLINE,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ):
        self.base_url = base_url.rstrip("/") + "/"
        self.cache = cache if cache is not None else scb_cache()
        self.use_cache = use_cache
        self.lang = lang
        self.http = http or HttpClient(
            timeout=timeout,
            retries=retries,
            backoff=backoff,
            throttle=Throttle(DEFAULT_MAX_CALLS, DEFAULT_TIME_WINDOW),
            deadline=deadline,
            max_bytes=max_bytes,
        )
        self.max_data_cells = max_data_cells
        self._config: dict[str, Any] | None = None
        self._metadata: dict[str, dict[str, Any]] = {}

    # -- transport -----------------------------------------------------------------
    def url(self, path: str, **params: Any) -> str:
        """Return the absolute URL of ``path`` with ``lang`` and other query parameters."""
        query = {"lang": self.lang, **{k: v for k, v in params.items() if v is not None}}
        return f"{self.base_url}{path.lstrip('/')}?{urlencode(query, quote_via=quote)}"

    @staticmethod
    def pinned_version(table_id: str) -> str:
        """Return the cache-key fragment of a table's pinned version (``""`` if not pinned).

        ``"pinned-updated=<date>"`` when the lock file
        (:mod:`helpers.sources.scb_tables`) pins ``table_id`` with SCB's
        ``updated`` date. It is part of the cache key of the table's metadata
        and data (a URL fragment, never sent), so answers cached under an older
        version of a table are never mixed with a newer pin: after
        ``--update-lock`` the table is downloaded again.
        """
        updated = scb_tables.pinned_updated(table_id)
        return f"pinned-updated={updated}" if updated else ""

    def _get(
        self, url: str, check: Callable[[Any], None] | None = None, *, key: str | None = None
    ) -> Any:
        """GET JSON from the cache or SCB; ``check`` runs before a fetched body is cached.

        ``key`` is the cache key (default ``url``; it may add a fragment, which is never sent).
        """
        key = key or url
        return self.cache.through(
            key,
            url,
            lambda: self.http.get(url, same_origin_as=self.base_url),
            lambda content: decode_checked(content, url, check),
            use_cache=self.use_cache,
            note="SCB PxWebApi 2.0",
        )

    def _post(
        self, url: str, body: dict[str, Any], check: Callable[[Any], None], *, version: str = ""
    ) -> Any:
        """POST a query, or read its answer from the cache.

        The cache key is the URL plus a fragment with the sha256 of the canonical
        query body (the fragment is never sent) and the table's pinned
        ``version`` (:meth:`pinned_version`), if any; the body itself goes in the note.
        """
        text = query_json(body)
        key = query_key(url, text, "selection")
        if version:
            key += f"&{version}"
        return self.cache.through(
            key,
            url,
            lambda: self.http.post(url, body, same_origin_as=self.base_url),
            lambda content: decode_checked(content, url, check),
            use_cache=self.use_cache,
            note=f"SCB PxWebApi 2.0 POST {text}",
            method="POST",
            body=text,
        )

    # -- config --------------------------------------------------------------------
    def config(self) -> dict[str, Any]:
        """Return ``/config`` and apply its limits (throttle; cell limit for :meth:`data`).

        Raises
        ------
        SourceError
            If ``maxDataCells``, ``maxCallsPerTimeWindow`` or ``timeWindow`` is
            missing or not a number.
        """
        if self._config is None:
            url = self.url("config")
            cfg = self._get(url, lambda c: _check_config(c, url))
            _check_config(cfg, url)
            self._config = cfg
            lim = self.limits()
            self.http.throttle = Throttle(lim.max_calls, lim.time_window)
        return dict(self._config)

    def limits(self) -> Limits:
        """Return the limits in force: cell limit (lowered by ``max_data_cells``) and call rate."""
        cfg = self._config if self._config is not None else self.config()
        cells = int(cfg["maxDataCells"])
        if self.max_data_cells is not None:
            cells = min(cells, int(self.max_data_cells))
        return Limits(cells, int(cfg["maxCallsPerTimeWindow"]), float(cfg["timeWindow"]))

    # -- tables ----------------------------------------------------------------------
    def search_tables(
        self, query: str, *, include_discontinued: bool = False, page_size: int = 100
    ) -> pd.DataFrame:
        """Search tables (``/tables?query=``), all result pages.

        Parameters
        ----------
        query : str
            Search words, e.g. ``"folkmängd region ålder kön"``.
        include_discontinued : bool
            Also return discontinued tables.
        page_size : int
            Results per page requested.

        Returns
        -------
        pandas.DataFrame
            ``id``, ``label``, ``description``, ``updated``, ``first_period``,
            ``last_period``, ``time_unit``, ``variable_names``, ``subject_code``,
            ``discontinued``.
        """
        if not isinstance(query, str) or not query.strip():
            raise DataError("Ange ett sökord för SCB:s tabellsökning")
        self.config()
        rows: list[dict[str, Any]] = []
        page = 1
        while True:
            url = self.url(
                "tables",
                query=query.strip(),
                pageSize=page_size,
                pageNumber=page,
                includeDiscontinued="true" if include_discontinued else None,
            )
            obj = self._get(url, lambda o, url=url: _check_search(o, url))
            _check_search(obj, url)
            tables = obj["tables"]
            for t in tables:
                rows.append(
                    {
                        "id": t["id"],
                        "label": t.get("label", ""),
                        "description": t.get("description", ""),
                        "updated": t.get("updated"),
                        "first_period": t.get("firstPeriod"),
                        "last_period": t.get("lastPeriod"),
                        "time_unit": t.get("timeUnit"),
                        "variable_names": list(t.get("variableNames") or []),
                        "subject_code": t.get("subjectCode"),
                        "discontinued": bool(t.get("discontinued") or False),
                    }
                )
            info = obj.get("page") or {}
            total_pages = info.get("totalPages") if isinstance(info, dict) else None
            if not isinstance(total_pages, int) or page >= total_pages or not tables:
                break
            page += 1
            if page > MAX_SEARCH_PAGES:
                raise SourceError(
                    f"SCB:s tabellsökning gav fler än {MAX_SEARCH_PAGES} sidor för '{query}'."
                )
        columns = [
            "id",
            "label",
            "description",
            "updated",
            "first_period",
            "last_period",
            "time_unit",
            "variable_names",
            "subject_code",
            "discontinued",
        ]
        return pd.DataFrame(rows, columns=columns).drop_duplicates("id").reset_index(drop=True)

    def metadata(self, table_id: str) -> dict[str, Any]:
        """Return a table's metadata (json-stat2 without values) from ``/tables/{id}/metadata``."""
        table_id = _check_table_id(table_id)
        if table_id not in self._metadata:
            self.config()
            url = self.url(f"tables/{table_id}/metadata")
            version = self.pinned_version(table_id)
            key = f"{url}#{version}" if version else url
            meta = self._get(url, lambda m: _check_metadata(m, url), key=key)
            _check_metadata(meta, url)
            self._metadata[table_id] = meta
        return self._metadata[table_id]

    def dimensions(self, table_id: str) -> dict[str, dict[str, Any]]:
        """Return per dimension: ``label``, ``codes`` (in order), ``labels``, ``elimination``."""
        meta = self.metadata(table_id)
        sizes = meta.get("size") or [None] * len(meta["id"])
        out = {}
        for dim_id, size in zip(meta["id"], sizes, strict=True):
            dim = meta["dimension"].get(dim_id)
            n = (
                size
                if isinstance(size, int)
                else len(((dim or {}).get("category") or {}).get("label") or {})
            )
            codes, labels = dimension_codes(dim_id, dim, n, f"metadata för {table_id}")
            out[dim_id] = {
                "label": dim.get("label", dim_id),
                "codes": codes,
                "labels": dict(zip(codes, labels, strict=True)),
                "elimination": bool((dim.get("extension") or {}).get("elimination", False)),
            }
        return out

    def _resolve_selection(
        self,
        table_id: str,
        selection: Mapping[str, Sequence[str] | str],
        codelists: Mapping[str, str],
    ) -> dict[str, list[str]]:
        """Validate a selection against the metadata, expand wildcards, order by the table."""
        dims = self.dimensions(table_id)
        problems: list[str] = []
        unknown = [d for d in selection if d not in dims]
        if unknown:
            problems.append(
                f"okända variabler {', '.join(unknown)} (tabellen har {', '.join(dims)})"
            )
        for d in codelists:
            if d not in selection:
                problems.append(f"kodlista angiven för '{d}' som inte är vald")
        out: dict[str, list[str]] = {}
        for dim_id, info in dims.items():
            if dim_id not in selection:
                if not info["elimination"]:
                    problems.append(f"variabeln '{dim_id}' ({info['label']}) måste väljas")
                continue
            raw = selection[dim_id]
            codes = [raw] if isinstance(raw, str) else list(raw)
            if not codes or not all(isinstance(c, str) for c in codes):
                problems.append(f"'{dim_id}': ange minst en kod, som text")
                continue
            if dim_id in codelists:
                if any("*" in c for c in codes):
                    problems.append(
                        f"'{dim_id}': jokertecken (*) går inte med kodlista – lista koderna"
                    )
                out[dim_id] = list(dict.fromkeys(codes))
                continue
            expanded: list[str] = []
            for c in codes:
                if c == "*":
                    expanded.extend(info["codes"])
                elif c.endswith("*") and c.count("*") == 1:
                    expanded.extend(k for k in info["codes"] if k.startswith(c[:-1]))
                elif c.startswith("*") and c.count("*") == 1:
                    expanded.extend(k for k in info["codes"] if k.endswith(c[1:]))
                else:
                    expanded.append(c)
            expanded = list(dict.fromkeys(expanded))
            bad = [c for c in expanded if c not in info["labels"]]
            if bad:
                problems.append(f"'{dim_id}': okända koder {', '.join(bad[:10])}")
            if not expanded:
                problems.append(f"'{dim_id}': inga koder matchar {codes}")
            out[dim_id] = expanded
        if problems:
            raise DataError(
                f"Urvalet för SCB-tabell {table_id} går inte att använda: {'; '.join(problems)}"
            )
        return out

    def data_raw(
        self,
        table_id: str,
        selection: Mapping[str, Sequence[str] | str],
        codelists: Mapping[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        """Fetch a selection as json-stat2 objects, one per request part (see :meth:`data`)."""
        return [obj for obj, _ in self._data_parts(table_id, selection, codelists)]

    def _data_parts(
        self,
        table_id: str,
        selection: Mapping[str, Sequence[str] | str],
        codelists: Mapping[str, str] | None,
    ) -> list[tuple[dict[str, Any], pd.DataFrame]]:
        """Fetch every request part; return each json-stat2 object with its parsed frame.

        Each answer is parsed (:func:`jsonstat2_to_frame`) and checked for the
        codes asked for and repeated cells before it is cached.
        """
        codelists = dict(codelists or {})
        sel = self._resolve_selection(table_id, selection, codelists)
        limits = self.limits()
        url = self.url(f"tables/{table_id}/data", outputFormat="json-stat2")
        out: list[tuple[dict[str, Any], pd.DataFrame]] = []
        for part in split_selection(sel, limits.max_data_cells):
            parsed: list[pd.DataFrame] = []

            def check(
                o: Any,
                part: Mapping[str, Sequence[str]] = part,
                parsed: list[pd.DataFrame] = parsed,
            ) -> None:
                _check_answer(o, part, url)
                frame = jsonstat2_to_frame(o, url)
                if frame.duplicated(frame.attrs["dimensions"]).any():
                    raise SourceError(
                        f"SCB:s svar från {url} innehåller samma cell flera gånger; "
                        "vilket värde som gäller går inte att avgöra."
                    )
                parsed.append(frame)

            body = {
                "selection": [
                    {
                        "variableCode": d,
                        "valueCodes": codes,
                        **({"codelist": codelists[d]} if d in codelists else {}),
                    }
                    for d, codes in part.items()
                ]
            }
            obj = self._post(url, body, check, version=self.pinned_version(table_id))
            out.append((obj, parsed[-1]))
        return out

    def data(
        self,
        table_id: str,
        selection: Mapping[str, Sequence[str] | str],
        codelists: Mapping[str, str] | None = None,
    ) -> pd.DataFrame:
        """Fetch table data as a tidy long frame.

        The selection is checked against the table's metadata (unknown variables
        or codes raise :class:`DataError`), wildcards (``"*"``, ``"01*"``) are
        expanded, and the query is split by its largest dimension until every
        request stays within ``maxDataCells``; the parts are concatenated.

        Parameters
        ----------
        table_id : str
            PxWebApi 2.0 table id, e.g. ``"TAB6471"`` (not a v1 path).
        selection : dict of str to list of str
            Variable code -> value codes. Variables left out are eliminated
            (allowed only where the table says so).
        codelists : dict of str to str, optional
            Variable code -> code list id (e.g. ``{"Region": "vs_RegionKommun07"}``).

        Returns
        -------
        pandas.DataFrame
            As :func:`jsonstat2_to_frame`: one column of codes and one ``_label``
            column per dimension, ``value`` and ``status``; ``attrs["source"]`` is
            ``"Källa: SCB"``.
        """
        frames = [frame for _, frame in self._data_parts(table_id, selection, codelists)]
        attrs = dict(frames[0].attrs)
        out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        dims = attrs["dimensions"]
        if out.duplicated(dims).any():
            raise SourceError(f"SCB:s svar för {table_id} innehåller samma cell flera gånger.")
        attrs.update({"source": SOURCE, "table_id": table_id, "requests": len(frames)})
        out.attrs = attrs
        return out


def _check_config(cfg: Any, url: str) -> None:
    """Raise :class:`SourceError` unless ``/config`` carries usable limits."""
    if not isinstance(cfg, dict):
        raise SourceError(f"SCB:s {url} gav inget konfigurationsobjekt.")
    problems = []
    for key in ("maxDataCells", "maxCallsPerTimeWindow", "timeWindow"):
        val = cfg.get(key)
        if not isinstance(val, int | float) or isinstance(val, bool) or val < 0:
            problems.append(f"'{key}' saknas eller är inget tal ({val!r})")
    if not problems and cfg["maxDataCells"] < 1:
        problems.append("'maxDataCells' är 0")
    if problems:
        raise SourceError(
            f"SCB:s konfiguration ({url}) är inte som dokumenterat: {'; '.join(problems)}."
        )


def _check_search(obj: Any, url: str) -> None:
    """Raise :class:`SourceError` unless a search answer has a ``tables`` list with ids."""
    tables = obj.get("tables") if isinstance(obj, dict) else None
    if not isinstance(tables, list) or not all(
        isinstance(t, dict) and isinstance(t.get("id"), str) for t in tables
    ):
        raise SourceError(
            f"SCB:s tabellsökning ({url}) svarade inte som dokumenterat: 'tables' saknas eller saknar id."
        )


def _check_metadata(meta: Any, url: str) -> None:
    """Raise :class:`SourceError` unless metadata has ``id`` and ``dimension``."""
    if (
        not isinstance(meta, dict)
        or not isinstance(meta.get("dimension"), dict)
        or not isinstance(meta.get("id"), list)
    ):
        raise SourceError(f"SCB:s metadata ({url}) saknar 'id' eller 'dimension'.")


def _check_table_id(table_id: str) -> str:
    if not isinstance(table_id, str) or "/" in table_id or not _TABLE_ID.fullmatch(table_id):
        raise DataError(
            f"'{table_id}' är inget tabell-id i PxWebApi 2.0 (t.ex. 'TAB4879'); "
            "v1-sökvägar som 'BE/BE0101/...' fungerar inte – använd resolve_table_id"
        )
    return table_id


def _check_answer(obj: Any, part: Mapping[str, Sequence[str]], url: str) -> None:
    """Check that a json-stat2 answer holds exactly the codes asked for."""
    if not isinstance(obj, dict) or not isinstance(obj.get("dimension"), dict):
        raise SourceError(f"SCB:s svar från {url} är inget json-stat2-dataset.")
    for dim_id, codes in part.items():
        dim = obj["dimension"].get(dim_id)
        if not isinstance(dim, dict):
            raise SourceError(f"SCB:s svar från {url} saknar variabeln '{dim_id}'.")
        cat = dim.get("category") or {}
        index = cat.get("index")
        got = set(index) if isinstance(index, dict | list) else set(cat.get("label") or {})
        if got != set(codes):
            missing = sorted(set(codes) - got)[:5]
            extra = sorted(got - set(codes))[:5]
            raise SourceError(
                f"SCB:s svar från {url} har andra koder för '{dim_id}' än de som efterfrågades "
                f"(saknas: {missing}, oväntade: {extra})."
            )


def resolve_table_id(
    query: str,
    client: ScbClient | None = None,
    *,
    label_contains: str | Iterable[str] | None = None,
    include_discontinued: bool = False,
) -> str:
    """Find the PxWebApi 2.0 id of a table with the search endpoint.

    ``python -m helpers.fetch`` resolves the workbook's tables this way and pins
    them in ``params/scb_tables.lock.yaml`` (:mod:`helpers.sources.scb_tables`).

    Parameters
    ----------
    query : str
        Search words.
    client : ScbClient, optional
        Client to use; a default one otherwise.
    label_contains : str or iterable of str, optional
        Words that must all occur in the table's label (case-insensitive).
    include_discontinued : bool
        Also consider discontinued tables.

    Returns
    -------
    str
        The id of the single matching table.

    Raises
    ------
    SourceError
        If no table matches.
    DataError
        If several tables match (they are listed; narrow with ``label_contains``).
    """
    client = client or ScbClient()
    found = client.search_tables(query, include_discontinued=include_discontinued)
    if not include_discontinued:
        found = found[~found["discontinued"]]
    words = [label_contains] if isinstance(label_contains, str) else list(label_contains or [])
    for w in words:
        found = found[found["label"].str.casefold().str.contains(w.casefold(), regex=False)]
    if found.empty:
        raise SourceError(
            f"SCB:s tabellsökning hittade ingen tabell för '{query}'"
            + (f" med {words}" if words else "")
            + "."
        )
    if len(found) > 1:
        listing = "; ".join(f"{r.id}: {r.label}" for r in itertools.islice(found.itertuples(), 10))
        raise DataError(
            f"{len(found)} SCB-tabeller matchar '{query}' – ange label_contains eller välj id själv: {listing}"
        )
    return str(found["id"].iloc[0])
