"""HTTP client for Folkhälsomyndigheten's Folkhälsodata (PxWeb API v1): checks and the raw cache.

The transport half of :mod:`helpers.sources.fohm` (which reads the HLV tables
into the indicator table and lists what a run needs). **No recording of the
real API exists in this project**: the shapes checked here are the documented
PxWeb v1 shapes –

``GET <folder>/``
    A list ``[{"id", "type": "l" | "t", "text", "updated"?}]`` (``l`` = folder,
    ``t`` = table); :meth:`FohmClient.folder`.
``GET <table>.px``
    Metadata ``{"title", "variables": [{"code", "text", "values", "valueTexts",
    "elimination"?, "time"?}]}``; :meth:`FohmClient.metadata`.
``POST <table>.px``
    Body ``{"query": [{"code", "selection": {"filter": "item", "values"}}],
    "response": {"format": "json-stat2"}}``; the json-stat2 answer is read by
    :func:`helpers.sources.jsonstat.jsonstat2_to_frame` (finite numbers or null
    only; PxWeb's missing marker ``".."`` arrives as null with status ``".."``);
    :meth:`FohmClient.data`.

As for SCB and Kolada (:mod:`helpers.core.http`): requests and redirects stay
on the configured scheme, host and port; one answer may take at most 60 s and
50 MB; every answer is checked in full (documented shape, exactly the codes
asked for, no cell twice) *before* it is written to the raw cache
(``data/raw/fohm``, manifest with URL, time, sha256 and the licence from
:mod:`helpers.config.sources`); a POST is cached under its URL plus the sha256
of the query, and the query is recorded so ``python -m helpers.cache --repair``
can fetch it again. A query is split by its largest dimension
(:func:`helpers.sources.scb.split_selection`) so that no request asks for more
than ``max_cells`` cells (1 000 by default: a conservative figure, the
instance's published limit was not verified here).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from helpers.config import sources as data_sources
from helpers.core.cache import RawCache, query_json, query_key
from helpers.core.errors import DataError, SourceError
from helpers.core.http import DEFAULT_DEADLINE, DEFAULT_MAX_BYTES, HttpClient, Throttle
from helpers.core.jsonbody import decode_checked, decode_json, json_type_sv
from helpers.sources.jsonstat import jsonstat2_to_frame
from helpers.sources.scb import split_selection

DEFAULT_BASE_URL = "https://fohm-app.folkhalsomyndigheten.se/Folkhalsodata/api/v1/sv/"
#: Licence recorded in the raw-cache manifest, from the source registry (terms: see A30).
LICENCE = data_sources.SOURCES["fohm"].licence
#: Cells per request (conservative; the instance's published limit was not verified).
DEFAULT_MAX_CELLS = 1000
#: Requests per second (conservative throttle).
DEFAULT_MAX_PER_SECOND = 5.0

_SEGMENT = re.compile(r"[A-Za-z0-9_.\-]+")


def fohm_cache() -> RawCache:
    """Return the raw cache for Folkhälsodata responses (``data/raw/fohm``)."""
    return RawCache("fohm", LICENCE)


def check_path(path: str, *, table: bool) -> str:
    """Validate a database path such as ``A_Folkhalsodata/B_HLV/dPsykhals/hlv1psyxreg.px``.

    Raises
    ------
    DataError
        If the path is not relative, has an empty, ``..`` or unexpected segment,
        or (for a table) does not end in ``.px``.
    """
    text = str(path).strip().strip("/") if isinstance(path, str) else ""
    segments = text.split("/") if text else []
    bad = [s for s in segments if s in (".", "..") or not _SEGMENT.fullmatch(s)]
    if (table and not segments) or bad or (table and not text.endswith(".px")):
        example = "A_Folkhalsodata/B_HLV/dPsykhals/hlv1psyxreg.px"
        raise DataError(
            f"'{path}' är ingen {'tabell' if table else 'mapp'} i Folkhälsodata – ange sökvägen "
            f"under api/v1/sv/ med bokstäver, siffror, _ . - och /"
            + (f", som slutar på .px (t.ex. '{example}')" if table else "")
        )
    return text


class FohmClient:
    """Client for Folkhälsodata's PxWeb v1 API with validation, splitting and a raw cache.

    Parameters
    ----------
    base_url : str
        API root, :data:`DEFAULT_BASE_URL` by default (tests use a replay server).
    cache : RawCache, optional
        ``RawCache("fohm", LICENCE)`` (``data/raw/fohm``) by default.
    use_cache : bool
        Read an answer from the cache when the same request is cached (no
        request is made); ``False`` always fetches and stores the new version.
    http : HttpClient, optional
        HTTP layer; otherwise one is built from the parameters below.
    timeout, retries, backoff, deadline, max_bytes
        Passed to :class:`helpers.core.http.HttpClient`.
    max_per_second : float
        Throttle (requests per second).
    max_cells : int
        Largest number of cells asked for in one data request.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        cache: RawCache | None = None,
        *,
        use_cache: bool = True,
        http: HttpClient | None = None,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 1.0,
        max_per_second: float | None = DEFAULT_MAX_PER_SECOND,
        deadline: float = DEFAULT_DEADLINE,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_cells: int = DEFAULT_MAX_CELLS,
    ):
        if max_cells < 1:
            raise ValueError("max_cells must be >= 1")
        self.base_url = base_url.rstrip("/") + "/"
        self.cache = cache if cache is not None else fohm_cache()
        self.use_cache = use_cache
        self.http = http or HttpClient(
            timeout=timeout,
            retries=retries,
            backoff=backoff,
            throttle=Throttle.per_second(max_per_second),
            deadline=deadline,
            max_bytes=max_bytes,
        )
        self.max_cells = int(max_cells)
        self._metadata: dict[str, dict[str, Any]] = {}

    # -- transport -----------------------------------------------------------------
    def url(self, path: str, *, table: bool = True) -> str:
        """Return the absolute URL of a table (``.px``) or folder path."""
        text = check_path(path, table=table)
        return self.base_url + text + ("" if table or not text else "/")

    def _get(self, url: str, check: Callable[[Any], None]) -> Any:
        """GET JSON from the cache or the API; ``check`` runs before a fetched body is cached."""
        return self.cache.through(
            url,
            url,
            lambda: self.http.get(url, same_origin_as=self.base_url),
            lambda content: decode_checked(content, url, check),
            use_cache=self.use_cache,
            note="Folkhälsodata PxWeb v1",
        )

    def _post(self, url: str, body: dict[str, Any], check: Callable[[Any], None]) -> Any:
        """POST a query, or read its answer from the cache (key: URL + sha256 of the query)."""
        text = query_json(body)
        key = query_key(url, text, "query")
        return self.cache.through(
            key,
            url,
            lambda: self.http.post(url, body, same_origin_as=self.base_url),
            lambda content: decode_checked(content, url, check),
            use_cache=self.use_cache,
            note=f"Folkhälsodata PxWeb v1 POST {text}",
            method="POST",
            body=text,
        )

    # -- folders and metadata ---------------------------------------------------------
    def folder(self, path: str = "") -> pd.DataFrame:
        """List a folder: ``id``, ``type`` (``"l"`` folder, ``"t"`` table), ``text``, ``updated``, ``path``."""
        url = self.url(path, table=False)
        items = self._get(url, lambda o: check_folder(o, url))
        prefix = check_path(path, table=False)
        rows = [
            {
                "id": it["id"],
                "type": it["type"],
                "text": it["text"],
                "updated": it.get("updated"),
                "path": f"{prefix}/{it['id']}" if prefix else it["id"],
            }
            for it in items
        ]
        return pd.DataFrame(rows, columns=["id", "type", "text", "updated", "path"])

    def metadata(self, path: str) -> dict[str, Any]:
        """Return a table's metadata ``{"title", "variables": [...]}``, checked."""
        url = self.url(path)
        if url not in self._metadata:
            self._metadata[url] = self._get(url, lambda o: check_metadata(o, url))
        return self._metadata[url]

    # -- data ------------------------------------------------------------------------
    def data(self, path: str, selection: Mapping[str, Sequence[str]]) -> pd.DataFrame:
        """Fetch a selection as json-stat2 and return one tidy frame (see :func:`jsonstat2_to_frame`).

        Every variable of the table must be selected, with codes from its
        metadata; the query is split so that no request asks for more than
        ``max_cells`` cells. Each answer must hold exactly the codes asked for,
        every cell once, before it is cached.
        """
        url = self.url(path)
        meta = self.metadata(path)
        codes = {v["code"]: v for v in meta["variables"]}
        problems = [f"okänd variabel '{c}'" for c in selection if c not in codes]
        for code, var in codes.items():
            wanted = list(selection.get(code, []))
            if not wanted:
                problems.append(f"variabeln '{code}' ({var['text']}) är inte vald")
                continue
            unknown = [w for w in wanted if w not in var["values"]]
            if unknown:
                problems.append(f"'{code}': okända koder {', '.join(unknown[:10])}")
        if problems:
            raise DataError(f"Urvalet för {url} går inte att använda: {'; '.join(problems)}.")
        ordered = {c: list(dict.fromkeys(selection[c])) for c in codes}
        frames = []
        for part in split_selection(ordered, self.max_cells):
            parsed: list[pd.DataFrame] = []

            def check(o: Any, part: Mapping[str, list[str]] = part, parsed: list = parsed) -> None:
                parsed.append(check_answer(o, part, url))

            body = {
                "query": [
                    {"code": c, "selection": {"filter": "item", "values": v}}
                    for c, v in part.items()
                ],
                "response": {"format": "json-stat2"},
            }
            self._post(url, body, check)
            frames.append(parsed[-1])
        out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        dims = list(codes)
        if out.duplicated(dims).any():
            raise SourceError(f"Folkhälsomyndighetens svar från {url} har samma cell flera gånger.")
        out.attrs = {**frames[0].attrs, "url": url, "requests": len(frames)}
        return out


# -- checks of the answers ------------------------------------------------------------------
def _fohm_error(url: str, problems: list[str]) -> SourceError:
    shown = "; ".join(problems[:5]) + (
        f"; och {len(problems) - 5} fel till" if len(problems) > 5 else ""
    )
    return SourceError(f"Folkhälsomyndighetens svar från {url} är inte som dokumenterat: {shown}.")


def check_folder(obj: Any, url: str) -> None:
    """Raise :class:`SourceError` unless a folder answer is a list of ``{id, type, text}``."""
    if not isinstance(obj, list):
        raise _fohm_error(url, [f"en mapp ska vara en lista, svaret är {json_type_sv(obj)}"])
    problems = []
    for i, it in enumerate(obj):
        if not isinstance(it, dict):
            problems.append(f"post {i + 1} är inget objekt")
            continue
        for key in ("id", "text"):
            if not isinstance(it.get(key), str) or not it.get(key):
                problems.append(f"post {i + 1}: '{key}' saknas eller är inte text")
        if it.get("type") not in ("l", "t"):
            problems.append(f"post {i + 1}: 'type' är {it.get('type')!r}, inte 'l' eller 't'")
    if problems:
        raise _fohm_error(url, problems)


def check_metadata(obj: Any, url: str) -> None:
    """Raise :class:`SourceError` unless table metadata has the documented v1 shape."""
    if not isinstance(obj, dict) or not isinstance(obj.get("variables"), list):
        raise _fohm_error(url, ["metadata ska ha 'title' och en lista 'variables'"])
    problems = []
    seen: set[str] = set()
    for i, var in enumerate(obj["variables"]):
        where = f"variabel {i + 1}"
        if not isinstance(var, dict):
            problems.append(f"{where} är inget objekt")
            continue
        code, values, texts = var.get("code"), var.get("values"), var.get("valueTexts")
        if not isinstance(code, str) or not code or code in seen:
            problems.append(f"{where}: 'code' saknas, är inte text eller finns två gånger")
        else:
            seen.add(code)
        if not isinstance(var.get("text"), str):
            problems.append(f"{where}: 'text' saknas")
        if not (isinstance(values, list) and all(isinstance(v, str) for v in values)):
            problems.append(f"{where}: 'values' är ingen lista av koder")
        elif len(set(values)) != len(values):
            problems.append(f"{where}: samma kod förekommer två gånger i 'values'")
        if not (isinstance(texts, list) and all(isinstance(v, str) for v in texts)):
            problems.append(f"{where}: 'valueTexts' är ingen lista av text")
        elif isinstance(values, list) and len(texts) != len(values):
            problems.append(
                f"{where}: {len(values)} koder men {len(texts)} texter ('values'/'valueTexts')"
            )
        for flag in ("elimination", "time"):
            if flag in var and not isinstance(var[flag], bool):
                problems.append(f"{where}: '{flag}' är inte true/false")
    if problems:
        raise _fohm_error(url, problems)


def check_answer(obj: Any, part: Mapping[str, Sequence[str]], url: str) -> pd.DataFrame:
    """Parse a json-stat2 answer and check it holds exactly the codes asked for, each cell once."""
    try:
        frame = jsonstat2_to_frame(obj, url)
    except SourceError as exc:  # the reader names SCB; this answer is Folkhälsomyndigheten's
        raise SourceError(
            str(exc).replace("SCB:s json-stat2-svar", "Folkhälsomyndighetens json-stat2-svar")
        ) from exc
    dims = frame.attrs["dimensions"]
    problems = []
    if set(dims) != set(part):
        problems.append(f"variablerna är {', '.join(dims)}, efterfrågat {', '.join(part)}")
    else:
        for code, wanted in part.items():
            got = set(frame[code])
            if got != set(wanted):
                missing, extra = sorted(set(wanted) - got)[:5], sorted(got - set(wanted))[:5]
                problems.append(f"'{code}' har andra koder (saknas: {missing}, oväntade: {extra})")
        if not problems and frame.duplicated(dims).any():
            problems.append("samma cell förekommer flera gånger")
    if problems:
        raise _fohm_error(url, problems)
    return frame


# -- from the table to the indicator table ---------------------------------------------------


def check_body(url: str, method: str, body: str, content: bytes) -> None:
    """Run the client's own checks on a fetched body (for ``python -m helpers.cache --repair``).

    Parameters
    ----------
    url : str
        The request URL (a cache key without its ``#query-sha256=…`` fragment).
    method : str
        ``"GET"`` (a folder or a table's metadata) or ``"POST"`` (a data query).
    body : str
        The JSON query of a POST, as recorded in the manifest.
    content : bytes
        The answer.

    Raises
    ------
    SourceError
        If the answer is not as documented (the same checks as a normal fetch).
    """
    obj = decode_json(content, url)
    if method.upper() == "POST":
        query = json.loads(body)
        part = {q["code"]: q["selection"]["values"] for q in query["query"]}
        check_answer(obj, part, url)
    elif url.endswith(".px"):
        check_metadata(obj, url)
    else:
        check_folder(obj, url)
