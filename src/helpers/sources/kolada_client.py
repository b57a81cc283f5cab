"""HTTP client for the Kolada API v3 (RKA): chunking, paging, validation and the raw cache.

Kolada (https://api.kolada.se/v3/) publishes key performance indicators
(KPIs) per kommun, region and Riket. This module talks to v3 only (v2 was shut
down on 31 March 2026 and answers HTTP 410) and follows the API as documented:

* every response is an envelope ``{"values": [...], "count": <items on this
  page>, "next_url": <url, null or "">}``; pages are followed through
  ``next_url`` (``per_page=5000``);
* at most 25 ids per comma-separated path segment, so requests are chunked
  over the cartesian product of KPI, municipality and year chunks and merged;
  a failing chunk fails the whole call (never a partial result);
* data objects ``{"kpi", "municipality", "period", "values": [{"gender",
  "count", "status", "value"}]}`` are validated, and a response that does not
  look like that raises :class:`helpers.core.errors.SourceError` in Swedish;
* ids are strings: kommun ``"0180"`` (leading zero kept), region ``"0020"``,
  Riket ``"0000"``, municipality groups ``"G176199"``.

Every raw response body is stored through :class:`helpers.core.cache.RawCache`
(``data/raw/kolada``, with URL, time and sha256 in the manifest) only after it
has been validated: JSON content type and UTF-8, no NaN/Infinity, the envelope,
every data object (numbers finite, no contradicting duplicates) and a
``next_url`` on the same scheme, host and port as the configured base URL (a
page pointing elsewhere is refused and nothing from it is cached). With ``use_cache=True`` (the default) a URL already in the
cache is read from there and no request is made, which pins the numbers a
report used (Kolada revises values without notice); ``use_cache=False``
fetches again and stores the new version next to the old one.

The conversion of the data objects to the indicator table is in
:mod:`helpers.sources.kolada_tables`; :mod:`helpers.sources.kolada` gathers both.
"""

from __future__ import annotations

import itertools
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlencode

import numpy as np
import pandas as pd

from helpers.core.cache import RawCache
from helpers.core.errors import DataError, SourceError
from helpers.core.http import (
    DEFAULT_DEADLINE,
    DEFAULT_MAX_BYTES,
    HttpClient,
    check_same_origin,
)
from helpers.core.jsonbody import decode_json, json_type_sv

DEFAULT_BASE_URL = "https://api.kolada.se/v3/"
#: Environment variable that replaces :data:`DEFAULT_BASE_URL` for clients built without
#: ``base_url`` (a mirror, or the replay server that notebook tests run against).
BASE_URL_ENV = "FOLKHALSA_KOLADA_URL"
SOURCE = "Källa: Kolada"
#: Documented maximum number of ids in one comma-separated path segment.
MAX_IDS_PER_SEGMENT = 25
#: Documented default and maximum page size.
PER_PAGE = 5000
#: Safety stop when following ``next_url``.
MAX_PAGES = 1000

GENDERS: dict[str, str] = {"T": "totalt", "K": "kvinnor", "M": "män"}

KPI_FIELDS: tuple[str, ...] = (
    "id",
    "title",
    "description",
    "is_divided_by_gender",
    "municipality_type",
    "auspice",
    "operating_area",
    "perspective",
    "prel_publication_date",
    "publication_date",
    "publ_period",
    "has_ou_data",
)

_KPI_ID = re.compile(r"[NU]\d{5}")
_AREA_ID = re.compile(r"\d{4}|G\d+")
_MAX_LISTED_PROBLEMS = 5

#: A validator of one page's items: ``check(values, url)`` raises :class:`SourceError`.
PageCheck = Callable[[list[Any], str], None]


def default_base_url() -> str:
    """Return the API root used when none is given: ``$FOLKHALSA_KOLADA_URL`` or the public v3 API."""
    return os.environ.get(BASE_URL_ENV, "").strip() or DEFAULT_BASE_URL


def kolada_cache() -> RawCache:
    """Return the raw cache for Kolada responses (``data/raw/kolada``)."""
    return RawCache("kolada", SOURCE)


def _chunks(items: Sequence[Any], size: int = MAX_IDS_PER_SEGMENT) -> list[list[Any]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def _unique(items: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(items))


def _as_list(items: str | int | Iterable[Any]) -> list[Any]:
    if isinstance(items, str | int):
        return [items]
    return list(items)


def _check_ids(
    items: str | Iterable[str], what: str, pattern: re.Pattern[str], example: str
) -> list[str]:
    """Validate ids given by the user: non-empty strings matching ``pattern``."""
    values = _as_list(items)
    if not values:
        raise DataError(f"Ange minst ett {what}.")
    bad_type = [v for v in values if not isinstance(v, str)]
    if bad_type:
        raise DataError(
            f"{what.capitalize()} ska anges som text (t.ex. '{example}'), inte som tal: "
            f"{', '.join(repr(v) for v in bad_type[:5])}"
        )
    bad = [v for v in values if not pattern.fullmatch(v)]
    if bad:
        raise DataError(
            f"Ogiltigt {what} {', '.join(repr(v) for v in bad[:5])} – exempel: '{example}'"
        )
    return _unique(values)


def _check_years(years: int | str | Iterable[int | str]) -> list[int]:
    values = _as_list(years)
    if not values:
        raise DataError("Ange minst ett år.")
    out = []
    for v in values:
        if isinstance(v, bool) or not (
            isinstance(v, int | np.integer) or (isinstance(v, str) and v.isdigit())
        ):
            raise DataError(f"Ogiltigt år {v!r} – ange årtal som heltal, t.ex. 2024")
        year = int(v)
        if not 1900 <= year <= 2100:
            raise DataError(f"Orimligt år {year} – ange årtal som 2024")
        out.append(year)
    return _unique(out)


def _is_number(value: Any) -> bool:
    """Return True for a finite JSON number (not a bool, not NaN or infinite)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _source_error(url: str, problems: list[str]) -> SourceError:
    shown = "; ".join(problems[:_MAX_LISTED_PROBLEMS])
    more = len(problems) - _MAX_LISTED_PROBLEMS
    if more > 0:
        shown += f"; och {more} fel till"
    return SourceError(f"Kolada svarade inte som dokumenterat på {url}: {shown}.")


def parse_envelope(body: bytes | str, url: str) -> dict[str, Any]:
    """Decode and validate one v3 response envelope.

    Parameters
    ----------
    body : bytes or str
        Raw response body.
    url : str
        The URL it came from (for error messages).

    Returns
    -------
    dict
        The envelope, with ``next_url`` normalised to ``None`` when null or empty.

    Raises
    ------
    SourceError
        If the body is not JSON, or ``values`` is not a list, ``count`` is not the
        number of items on the page, or ``next_url`` is missing or not a URL.
    """
    env = decode_json(body, url)
    if not isinstance(env, dict):
        raise _source_error(url, [f"svaret är {json_type_sv(env)}, inte ett objekt med 'values'"])
    problems = []
    values = env.get("values")
    if "values" not in env:
        problems.append("fältet 'values' saknas")
    elif not isinstance(values, list):
        problems.append(f"'values' är {json_type_sv(values)}, inte en lista")
    count = env.get("count")
    if "count" not in env:
        problems.append("fältet 'count' saknas")
    elif not isinstance(count, int) or isinstance(count, bool) or count < 0:
        problems.append(f"'count' är inte ett icke-negativt heltal ({count!r})")
    elif isinstance(values, list) and count != len(values):
        problems.append(f"'count' är {count} men sidan har {len(values)} poster")
    if "next_url" not in env:
        problems.append("fältet 'next_url' saknas")
    else:
        nxt = env["next_url"]
        if nxt is not None and not isinstance(nxt, str):
            problems.append(f"'next_url' är varken text eller null ({nxt!r})")
        elif isinstance(nxt, str) and nxt.strip() and not re.match(r"https?://", nxt.strip()):
            problems.append(f"'next_url' är ingen URL ({nxt!r})")
    if problems:
        raise _source_error(url, problems)
    out = dict(env)
    nxt = env["next_url"]
    out["next_url"] = nxt.strip() if isinstance(nxt, str) and nxt.strip() else None
    return out


def check_data_objects(values: list[Any], url: str) -> None:
    """Validate v3 data objects; raise :class:`SourceError` listing what is wrong.

    Each object must be ``{"kpi": str, "municipality": str, "period": int,
    "values": [{"gender": "T"|"K"|"M", "count": int, "status": str|null,
    "value": number|null}, ...]}``. A value must be a finite number or null (a
    string such as ``"12,3"`` is refused, not converted); one gender may occur
    only once per object unless the entries are identical.
    """
    problems: list[str] = []
    for i, obj in enumerate(values):
        where = f"dataobjekt {i + 1}"
        if not isinstance(obj, dict):
            problems.append(f"{where} är inte ett objekt")
            continue
        for key in ("kpi", "municipality"):
            if not isinstance(obj.get(key), str) or not obj.get(key):
                problems.append(f"{where}: '{key}' saknas eller är inte text ({obj.get(key)!r})")
        period = obj.get("period")
        if not (
            (isinstance(period, int) and not isinstance(period, bool))
            or (isinstance(period, str) and period.isdigit())
        ):
            problems.append(f"{where}: 'period' saknas eller är inget årtal ({period!r})")
        inner = obj.get("values")
        if not isinstance(inner, list):
            problems.append(f"{where}: 'values' saknas eller är ingen lista")
            continue
        seen: dict[Any, dict[str, Any]] = {}
        for j, val in enumerate(inner):
            vwhere = f"{where}, värde {j + 1}"
            if not isinstance(val, dict):
                problems.append(f"{vwhere} är inte ett objekt")
                continue
            gender = val.get("gender")
            if isinstance(gender, str) and gender in seen and seen[gender] != val:
                problems.append(
                    f"{where}: kön {gender} förekommer flera gånger med olika innehåll "
                    f"({seen[gender].get('value')!r} och {val.get('value')!r}) – vilket som "
                    "gäller går inte att avgöra"
                )
            if isinstance(gender, str):
                seen.setdefault(gender, val)
            if val.get("gender") not in GENDERS:
                problems.append(
                    f"{vwhere}: okänt kön 'gender'={val.get('gender')!r} (väntat T, K eller M)"
                )
            cnt = val.get("count")
            if "count" not in val or not (
                isinstance(cnt, int) and not isinstance(cnt, bool) and cnt >= 0
            ):
                problems.append(
                    f"{vwhere}: 'count' saknas eller är inget icke-negativt heltal ({cnt!r})"
                )
            if "status" not in val or not (val["status"] is None or isinstance(val["status"], str)):
                problems.append(f"{vwhere}: 'status' saknas eller är inte text")
            if "value" not in val or not (val["value"] is None or _is_number(val["value"])):
                problems.append(
                    f"{vwhere}: 'value' saknas eller är varken ett ändligt tal eller null "
                    f"({val.get('value')!r}; text som '12,3' omvandlas inte)"
                )
    if problems:
        raise _source_error(url, problems)


def _data_check(
    kpis: Sequence[str], municipalities: Sequence[str], years: Sequence[int]
) -> PageCheck:
    """Return a page check: documented data objects, only for the ids asked for, no clashes.

    The check remembers the objects of earlier pages, so a page that contradicts
    one already read is refused before it is cached.
    """
    k_set, m_set, y_set = set(kpis), set(municipalities), set(years)
    seen: dict[tuple[str, str, int], Any] = {}

    def check(values: list[Any], url: str) -> None:
        check_data_objects(values, url)
        unexpected = [
            f"{o['kpi']}/{o['municipality']}/{o['period']}"
            for o in values
            if o["kpi"] not in k_set
            or o["municipality"] not in m_set
            or int(o["period"]) not in y_set
        ]
        if unexpected:
            raise _source_error(
                url, [f"värden som inte efterfrågades: {', '.join(unexpected[:5])}"]
            )
        for o in values:  # the same point twice (on this or an earlier page), not the same
            key = (o["kpi"], o["municipality"], int(o["period"]))
            if key in seen and seen[key] != o:
                raise _source_error(url, [f"motstridiga dubbletter för {key[0]}/{key[1]}/{key[2]}"])
            seen[key] = o

    return check


def _check_metadata(values: list[Any], url: str, required: Mapping[str, type]) -> None:
    problems = []
    for i, obj in enumerate(values):
        if not isinstance(obj, dict):
            problems.append(f"post {i + 1} är inte ett objekt")
            continue
        for key, typ in required.items():
            if not isinstance(obj.get(key), typ):
                problems.append(
                    f"post {i + 1}: '{key}' saknas eller har fel typ ({obj.get(key)!r})"
                )
    if problems:
        raise _source_error(url, problems)


_GROUP_FIELDS: dict[str, type] = {"id": str, "title": str, "members": list}


def _metadata_check(required: Mapping[str, type], members: bool = False) -> PageCheck:
    """Return a page check for metadata records with the ``required`` fields."""

    def check(values: list[Any], url: str) -> None:
        _check_metadata(values, url, required)
        if members:
            _check_members(values, url)

    return check


def _check_members(values: list[dict[str, Any]], url: str) -> None:
    problems = []
    for i, obj in enumerate(values):
        for j, m in enumerate(obj["members"]):
            if not (isinstance(m, dict) and isinstance(m.get("member_id"), str)):
                problems.append(
                    f"grupp {i + 1} ({obj.get('id')}), medlem {j + 1}: 'member_id' saknas"
                )
    if problems:
        raise _source_error(url, problems)


def _filter_title(df: pd.DataFrame, title: str | None) -> pd.DataFrame:
    """Keep rows whose title contains ``title`` (case-insensitive), whatever the server did."""
    if not title or df.empty:
        return df.reset_index(drop=True)
    mask = df["title"].str.casefold().str.contains(title.casefold(), regex=False)
    return df[mask].reset_index(drop=True)


class KoladaClient:
    """Client for the Kolada API v3 with chunking, paging, validation and a raw cache.

    Parameters
    ----------
    base_url : str, optional
        API root; by default :func:`default_base_url` (``https://api.kolada.se/v3/``
        unless ``FOLKHALSA_KOLADA_URL`` is set; tests point it at a local replay
        server). Requests, redirects and ``next_url`` stay on its host.
    cache : RawCache, optional
        Where raw responses are stored; ``RawCache("kolada", "Källa: Kolada")``
        (``data/raw/kolada``) by default.
    use_cache : bool
        Read responses from the cache when the URL is cached (no request is made).
        ``False`` always fetches, and stores the new version.
    http : HttpClient, optional
        HTTP layer to use; otherwise one is built from the parameters below.
    timeout, retries, backoff, max_per_second, deadline, max_bytes
        Passed to :class:`helpers.core.http.HttpClient` (30 s socket timeout, 4
        retries, 1 s base delay, 5 requests/s, 60 s per answer, 50 MB by default).
    per_page : int
        Page size asked for (the documented maximum 5000 by default).
    """

    def __init__(
        self,
        base_url: str | None = None,
        cache: RawCache | None = None,
        *,
        use_cache: bool = True,
        http: HttpClient | None = None,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 1.0,
        max_per_second: float | None = 5.0,
        per_page: int = PER_PAGE,
        deadline: float = DEFAULT_DEADLINE,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ):
        self.base_url = (base_url or default_base_url()).rstrip("/") + "/"
        self.cache = cache if cache is not None else kolada_cache()
        self.use_cache = use_cache
        self.http = http or HttpClient(
            timeout=timeout,
            retries=retries,
            backoff=backoff,
            max_per_second=max_per_second,
            deadline=deadline,
            max_bytes=max_bytes,
        )
        if not 1 <= per_page <= PER_PAGE:
            raise ValueError(f"per_page must be between 1 and {PER_PAGE}")
        self.per_page = per_page

    # -- transport -----------------------------------------------------------------
    def url(self, path: str, **params: Any) -> str:
        """Return the absolute URL of ``path`` with ``per_page`` and other query parameters."""
        query = {k: v for k, v in params.items() if v is not None}
        query["per_page"] = self.per_page
        return f"{self.base_url}{path.lstrip('/')}?{urlencode(query, quote_via=quote)}"

    def fetch_page(self, url: str, check: PageCheck | None = None) -> dict[str, Any]:
        """Return one validated envelope, from the cache or from Kolada.

        Parameters
        ----------
        url : str
            Page URL (also the cache key).
        check : callable, optional
            ``check(values, url)`` validates the page's items and raises
            :class:`SourceError`; it runs before a fetched body is cached.

        Notes
        -----
        A fetched body is stored in the raw cache only after it has passed
        :func:`helpers.core.jsonbody.check_json_response`, :func:`parse_envelope`,
        the ``next_url`` host check and ``check``, so a broken response is never
        pinned and a later run fetches again.
        """
        return self.cache.through(
            url,
            url,
            lambda: self.http.get(url, same_origin_as=self.base_url),
            lambda body: self._validated(body, url, check),
            use_cache=self.use_cache,
            note="Kolada API v3",
        )

    def _validated(self, body: bytes, url: str, check: PageCheck | None) -> dict[str, Any]:
        """Return the envelope of ``body`` after every check (see :meth:`fetch_page`)."""
        envelope = parse_envelope(body, url)
        if envelope["next_url"]:
            check_same_origin(
                envelope["next_url"],
                self.base_url,
                f"Koladas länk till nästa sida (next_url) i svaret från {url}",
            )
        if check is not None:
            check(envelope["values"], url)
        return envelope

    def get_all(self, url: str, check: PageCheck | None = None) -> list[Any]:
        """Return the ``values`` of every page, following ``next_url`` until it is null/empty.

        ``check`` is applied to every page (see :meth:`fetch_page`).
        """
        out: list[Any] = []
        seen: set[str] = set()
        next_url: str | None = url
        while next_url:
            if next_url in seen:
                raise SourceError(
                    f"Kolada skickade samma sida två gånger ({next_url}); sidbläddringen avbröts."
                )
            if len(seen) >= MAX_PAGES:
                raise SourceError(f"Kolada gav fler än {MAX_PAGES} sidor för {url}; avbröts.")
            seen.add(next_url)
            envelope = self.fetch_page(next_url, check)
            out.extend(envelope["values"])
            next_url = envelope["next_url"]
        return out

    # -- metadata ------------------------------------------------------------------
    def kpis(
        self, ids: str | Iterable[str] | None = None, title: str | None = None
    ) -> pd.DataFrame:
        """Return KPI metadata (``/kpi``, ``/kpi/{ids}``, ``/kpi?title=``).

        Parameters
        ----------
        ids : str or iterable of str, optional
            KPI ids such as ``"N00923"``; chunked 25 per request. Unknown ids raise
            :class:`DataError`.
        title : str, optional
            Case-insensitive substring of the title.

        Returns
        -------
        pandas.DataFrame
            One row per KPI with the documented v3 fields (:data:`KPI_FIELDS`).
        """
        check = _metadata_check({"id": str, "title": str})
        if ids is None:
            records = self.get_all(self.url("kpi", title=title), check)
        else:
            wanted = _check_ids(ids, "KPI-id", _KPI_ID, "N00923")
            records = []
            for chunk in _chunks(wanted):
                url = self.url(f"kpi/{','.join(chunk)}", title=title)
                records.extend(self.get_all(url, check))
        df = pd.DataFrame.from_records(records)
        for col in KPI_FIELDS:
            if col not in df.columns:
                df[col] = None
        df = df[list(KPI_FIELDS) + [c for c in df.columns if c not in KPI_FIELDS]]
        df = df.drop_duplicates("id").reset_index(drop=True)
        df = _filter_title(df, title)
        if ids is not None and title is None:
            missing = [i for i in wanted if i not in set(df["id"])]
            if missing:
                raise DataError(f"Kolada känner inte till KPI {', '.join(missing)}")
        return df

    def kpi_groups(self, title: str | None = None) -> pd.DataFrame:
        """Return KPI groups (``/kpi_groups``): ``id``, ``title``, ``members``.

        ``members`` holds lists of ``{"member_id", "member_title"}`` dicts.
        """
        return self._groups("kpi_groups", title)

    def municipalities(self, region_type: str | None = None) -> pd.DataFrame:
        """Return kommuner, regions and Riket (``/municipality``): ``id``, ``title``, ``type``.

        Parameters
        ----------
        region_type : {"K", "L"}, optional
            ``"K"`` for kommuner, ``"L"`` for regions and Riket.
        """
        if region_type is not None and region_type not in ("K", "L"):
            raise DataError(
                f"Okänd områdestyp '{region_type}' – ange 'K' (kommuner) eller 'L' (regioner)"
            )
        url = self.url("municipality", region_type=region_type)
        records = self.get_all(url, _metadata_check({"id": str, "title": str, "type": str}))
        df = pd.DataFrame.from_records(records, columns=["id", "title", "type"])
        if region_type is not None:
            df = df[df["type"] == region_type]
        return df.reset_index(drop=True)

    def municipality_groups(self, title: str | None = None) -> pd.DataFrame:
        """Return municipality groups (``/municipality_groups``): ``id``, ``title``, ``members``.

        ``members`` holds lists of ``{"member_id", "member_title"}`` dicts.
        """
        return self._groups("municipality_groups", title)

    def _groups(self, endpoint: str, title: str | None) -> pd.DataFrame:
        """Fetch a group endpoint (``id``, ``title``, ``members``), filtered by title."""
        url = self.url(endpoint, title=title)
        records = self.get_all(url, _metadata_check(_GROUP_FIELDS, members=True))
        df = pd.DataFrame.from_records(records, columns=["id", "title", "members"])
        return _filter_title(df, title)

    # -- data ----------------------------------------------------------------------
    def data_url(
        self, kpis: Sequence[str], municipalities: Sequence[str], years: Sequence[int]
    ) -> str:
        """Return the path-form data URL for one chunk (at most 25 ids per segment)."""
        for seg in (kpis, municipalities, years):
            if len(seg) > MAX_IDS_PER_SEGMENT:
                raise ValueError(f"at most {MAX_IDS_PER_SEGMENT} ids per segment")
        path = (
            f"data/kpi/{','.join(kpis)}/municipality/{','.join(municipalities)}"
            f"/year/{','.join(str(y) for y in years)}"
        )
        return self.url(path)

    def values(
        self,
        kpis: str | Iterable[str],
        municipalities: str | Iterable[str],
        years: int | Iterable[int],
    ) -> list[dict[str, Any]]:
        """Return the raw v3 data objects for every KPI x municipality x year.

        Uses ``/data/kpi/{ids}/municipality/{ids}/year/{years}`` with at most 25
        ids per segment (the cartesian product of chunks), follows ``next_url``,
        validates every object and merges. Any failing chunk fails the call.

        Parameters
        ----------
        kpis : str or iterable of str
            KPI ids (``"N00923"``).
        municipalities : str or iterable of str
            Kolada ids as strings: kommun ``"0180"``, region ``"0020"``, Riket
            ``"0000"`` or group ``"G176199"``.
        years : int or iterable of int
            Years (for multi-year KPIs the last year of the period).

        Returns
        -------
        list of dict
            Data objects as documented, merged over all chunks and pages.

        Raises
        ------
        DataError
            If an id is not a string of the right form or a year is not a year.
        SourceError
            If Kolada fails or answers in an undocumented way (including objects
            for ids that were not asked for, or contradictory duplicates).
        """
        k_ids = _check_ids(kpis, "KPI-id", _KPI_ID, "N00923")
        m_ids = _check_ids(municipalities, "område", _AREA_ID, "0180")
        y_ids = _check_years(years)
        merged: dict[tuple[str, str, int], dict[str, Any]] = {}
        for kc, mc, yc in itertools.product(_chunks(k_ids), _chunks(m_ids), _chunks(y_ids)):
            url = self.data_url(kc, mc, yc)
            objects = self.get_all(url, _data_check(kc, mc, yc))
            for obj in objects:
                key = (obj["kpi"], obj["municipality"], int(obj["period"]))
                if key in merged and merged[key] != obj:
                    raise _source_error(
                        url, [f"motstridiga dubbletter för {key[0]}/{key[1]}/{key[2]}"]
                    )
                merged[key] = obj
        return list(merged.values())
