"""A tiny threaded HTTP server on 127.0.0.1 that replays scripted responses (tests only).

It is a helper module, not a test file. It serves

* scripted replies per path (a queue: each request takes the next reply and the
  last one repeats), for 429-then-200, 500-until-retries-run-out, truncated
  JSON, dropped connections and undocumented envelopes;
* a fake Kolada API v3 (:class:`KoladaFake`) built from data objects and
  metadata records: it rebuilds the documented envelope ``{"values", "count",
  "next_url", "previous_url"}`` (the recorded files lack it), pages with
  ``page``/``per_page``, and answers HTTP 400 to more than 25 ids in a segment;
* a fake SCB PxWebApi 2.0 (:class:`PxWebFake`): ``/config``, ``/tables``,
  ``/tables/{id}/metadata`` and ``POST /tables/{id}/data``, which slices a
  json-stat2 cube by the posted selection.

Every request is recorded (method, path, query, body) so tests can assert on
what the clients sent.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit


@dataclass
class Reply:
    """A scripted reply.

    ``drop`` sends headers announcing more bytes than are sent, then closes the
    connection (the client sees an incomplete read). ``delay`` waits before the
    status line; ``drip`` sends the body ``drip_size`` bytes at a time with
    ``drip`` seconds between the pieces (a slowly dripping answer);
    ``no_length`` sends no ``Content-Length`` (the body ends when the connection
    closes, so the client cannot know the size in advance).
    """

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    delay: float = 0.0
    drip: float = 0.0
    drip_size: int = 1
    no_length: bool = False

    @classmethod
    def json(cls, obj: Any, status: int = 200, **headers: str) -> Reply:
        """Reply with ``obj`` serialised as JSON."""
        body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
        return cls(status, body, {"Content-Type": "application/json; charset=utf-8", **headers})

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Reply:
        """Reply with an HTTP redirect to ``location``."""
        return cls(status, b"", {"Location": location})


@dataclass
class Recorded:
    """One request the server received."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes

    @property
    def json(self) -> Any:
        """The request body decoded as JSON."""
        return json.loads(self.body)


Handler = Callable[["ReplayServer", Recorded], Reply]


class ReplayServer:
    """Threaded HTTP server on a random free loopback port.

    Routes are matched on the method and the exact path (``/v3/kpi``); a route
    registered with a query (``/v3/kpi?title=x``) matches only that query.
    Prefix handlers (:meth:`handle`) answer every path under a prefix.
    """

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._routes: dict[tuple[str, str], list[Reply]] = {}
        self._handlers: list[tuple[str, str, Handler]] = []
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # silence
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                rec = Recorded(self.command, unquote(parts.path), parse_qs(parts.query), body)
                reply = server._dispatch(rec, parts.query)
                if reply.delay:
                    time.sleep(reply.delay)
                self.send_response(reply.status)
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                announced = len(reply.body) + (1000 if reply.drop else 0)
                if not reply.no_length:
                    self.send_header("Content-Length", str(announced))
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                if not reply.drip:
                    self.wfile.write(reply.body)
                    self.wfile.flush()
                    return
                step = max(1, reply.drip_size)
                for i in range(0, len(reply.body), step):
                    if server._stopping.is_set():
                        return
                    self.wfile.write(reply.body[i : i + step])
                    self.wfile.flush()
                    time.sleep(reply.drip)

            do_GET = _serve
            do_POST = _serve

        class _Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client hanging up mid-answer is what some tests do on purpose

        self._stopping = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        """Absolute URL of ``path`` on this server."""
        return self.base_url + "/" + path.lstrip("/")

    def start(self) -> ReplayServer:
        """Serve in a background thread."""
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    # -- scripting -------------------------------------------------------------------
    def add(self, method: str, path: str, *replies: Reply) -> None:
        """Script replies for ``method path``: consumed in order, the last one repeats."""
        if not replies:
            raise ValueError("at least one reply")
        with self._lock:
            self._routes[(method.upper(), path)] = list(replies)

    def handle(self, method: str, prefix: str, handler: Handler) -> None:
        """Answer every ``method`` request whose path starts with ``prefix`` by ``handler``."""
        with self._lock:
            self._handlers.append((method.upper(), prefix, handler))

    def _dispatch(self, rec: Recorded, raw_query: str) -> Reply:
        with self._lock:
            self.requests.append(rec)
            for key in ((rec.method, f"{rec.path}?{raw_query}"), (rec.method, rec.path)):
                queue = self._routes.get(key)
                if queue:
                    return queue.pop(0) if len(queue) > 1 else queue[0]
            handlers = list(self._handlers)
        for method, prefix, handler in handlers:
            if rec.method == method and rec.path.startswith(prefix):
                try:
                    return handler(self, rec)
                except Exception as exc:  # a bug in a fake must show up in the test
                    return Reply.json({"error": repr(exc)}, status=599)
        return Reply.json({"error": f"no route for {rec.method} {rec.path}"}, status=404)

    # -- inspection ------------------------------------------------------------------
    def paths(self, prefix: str = "") -> list[str]:
        """Paths of the recorded requests (optionally only those under ``prefix``)."""
        return [r.path for r in self.requests if r.path.startswith(prefix)]

    def count(self, prefix: str = "") -> int:
        """Number of recorded requests (optionally only those under ``prefix``)."""
        return len(self.paths(prefix))


PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


def bypass_proxies(monkeypatch: Any) -> None:
    """Make ``requests`` talk to 127.0.0.1 directly even if a proxy is configured."""
    for var in PROXY_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    assert "HTTP_PROXY" not in os.environ


@contextmanager
def serving() -> Iterator[ReplayServer]:
    """Start a :class:`ReplayServer` and stop it afterwards."""
    server = ReplayServer().start()
    try:
        yield server
    finally:
        server.stop()


# -- Kolada v3 ----------------------------------------------------------------------------
def envelope(
    values: list[Any], next_url: str | None = None, previous_url: str | None = None
) -> dict:
    """Return the documented v3 envelope around one page of ``values``."""
    return {
        "values": values,
        "count": len(values),
        "next_url": next_url,
        "previous_url": previous_url,
    }


def kolada_objects_from_flat(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rebuild v3 data objects from flattened rows (rKolada's ``*_values_flat_*`` CSVs).

    Rows need ``kpi``, ``municipality_id``, ``year``, ``gender``, ``count``,
    ``status`` and ``value`` (NaN/None/"" for missing).
    """
    objs: dict[tuple[str, str, int], dict[str, Any]] = {}
    for r in rows:
        key = (str(r["kpi"]), str(r["municipality_id"]), int(r["year"]))
        obj = objs.setdefault(
            key, {"kpi": key[0], "municipality": key[1], "period": key[2], "values": []}
        )
        value = r["value"]
        missing = value is None or value == "" or (isinstance(value, float) and math.isnan(value))
        status = r.get("status")
        if status is None or (isinstance(status, float) and math.isnan(status)):
            status = ""
        obj["values"].append(
            {
                "gender": str(r["gender"]),
                "count": int(r["count"]),
                "status": str(status),
                "value": None if missing else float(value),
                "isdeleted": False,
            }
        )
    return list(objs.values())


class KoladaFake:
    """A fake Kolada v3 on a :class:`ReplayServer` (path form, paging, 25-id limit).

    Parameters
    ----------
    server : ReplayServer
        Server to install the handlers on (under ``/v3/``).
    data : list of dict
        Data objects served by ``/v3/data/...``.
    kpis, municipalities, municipality_groups, kpi_groups : list of dict
        Metadata records served by the metadata endpoints.
    max_per_page : int
        The server's own page-size cap (Kolada's is 5000; tests use small values
        to force several pages).
    """

    def __init__(
        self,
        server: ReplayServer,
        data: list[dict[str, Any]] | None = None,
        *,
        kpis: list[dict[str, Any]] | None = None,
        municipalities: list[dict[str, Any]] | None = None,
        municipality_groups: list[dict[str, Any]] | None = None,
        kpi_groups: list[dict[str, Any]] | None = None,
        max_per_page: int = 5000,
    ):
        self.server = server
        self.data = list(data or [])
        self.meta = {
            "kpi": list(kpis or []),
            "municipality": list(municipalities or []),
            "municipality_groups": list(municipality_groups or []),
            "kpi_groups": list(kpi_groups or []),
        }
        self.max_per_page = max_per_page
        server.handle("GET", "/v3/", self._serve)

    @property
    def base_url(self) -> str:
        """The fake's API root (``.../v3/``)."""
        return self.server.url("/v3/")

    def _page(self, rec: Recorded, items: list[Any]) -> Reply:
        q = {k: v[-1] for k, v in rec.query.items()}
        per_page = min(int(q.get("per_page", 5000)), self.max_per_page)
        page = int(q.get("page", 1))
        chunk = items[(page - 1) * per_page : page * per_page]

        def link(p: int) -> str:
            return self.server.url(rec.path) + "?" + urlencode({**q, "page": p})

        nxt = link(page + 1) if page * per_page < len(items) else None
        prev = link(page - 1) if page > 1 else None
        return Reply.json(envelope(chunk, nxt, prev))

    def _serve(self, server: ReplayServer, rec: Recorded) -> Reply:
        parts = rec.path.removeprefix("/v3/").strip("/").split("/")
        for seg in parts:
            if seg.count(",") >= 25:
                return Reply.json({"detail": "Too many ids in one segment (max 25)"}, status=400)
        q = {k: v[-1] for k, v in rec.query.items()}
        if parts[0] == "data":
            args = dict(zip(parts[1::2], parts[2::2], strict=False))
            kpis = set(args.get("kpi", "").split(",")) if "kpi" in args else None
            muns = set(args.get("municipality", "").split(",")) if "municipality" in args else None
            years = {int(y) for y in args["year"].split(",")} if "year" in args else None
            items = [
                o
                for o in self.data
                if (kpis is None or o["kpi"] in kpis)
                and (muns is None or o["municipality"] in muns)
                and (years is None or int(o["period"]) in years)
            ]
            return self._page(rec, items)
        entity = parts[0]
        if entity not in self.meta:
            return Reply.json({"detail": "Not found"}, status=404)
        items = self.meta[entity]
        if len(parts) > 1:
            ids = set(parts[1].split(","))
            items = [r for r in items if r["id"] in ids]
        if "title" in q:
            items = [r for r in items if q["title"].casefold() in r["title"].casefold()]
        if "region_type" in q:
            items = [r for r in items if r.get("type") == q["region_type"]]
        return self._page(rec, items)


# -- PxWebApi 2.0 -------------------------------------------------------------------------
def jsonstat_cube(
    dimensions: Mapping[str, Mapping[str, str]],
    values: Sequence[float | None],
    *,
    status: Mapping[str, str] | None = None,
    label: str = "Testtabell",
) -> dict[str, Any]:
    """Build a json-stat2 dataset from ``{dim_id: {code: label}}`` and row-major values."""
    ids = list(dimensions)
    sizes = [len(dimensions[d]) for d in ids]
    if math.prod(sizes) != len(values):
        raise ValueError("values do not match the dimension sizes")
    obj: dict[str, Any] = {
        "version": "2.0",
        "class": "dataset",
        "label": label,
        "source": "SCB",
        "id": ids,
        "size": sizes,
        "dimension": {
            d: {
                "label": d.lower(),
                "category": {
                    "index": {c: i for i, c in enumerate(dimensions[d])},
                    "label": dict(dimensions[d]),
                },
                "extension": {"elimination": False},
            }
            for d in ids
        },
        "value": list(values),
    }
    if status:
        obj["status"] = dict(status)
    return obj


def slice_cube(cube: Mapping[str, Any], selection: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """Return the sub-cube of a json-stat2 dataset for ``{dim_id: codes}`` (cube order kept).

    Raises
    ------
    KeyError
        If a selected code is not in the cube.
    """
    ids, sizes = cube["id"], cube["size"]
    keep: list[list[int]] = []
    dims = {}
    for d, size in zip(ids, sizes, strict=True):
        index = cube["dimension"][d]["category"]["index"]
        codes = sorted(index, key=index.get)
        wanted = selection.get(d, codes)
        for c in wanted:
            if c not in index:
                raise KeyError(f"{d}={c}")
        chosen = [c for c in codes if c in set(wanted)]
        keep.append([index[c] for c in chosen])
        dim = json.loads(json.dumps(cube["dimension"][d]))
        dim["category"]["index"] = {c: i for i, c in enumerate(chosen)}
        dim["category"]["label"] = {c: cube["dimension"][d]["category"]["label"][c] for c in chosen}
        dims[d] = dim
        assert len(index) == size
    strides = [math.prod(sizes[i + 1 :]) for i in range(len(sizes))]
    values = cube["value"]
    status = cube.get("status")
    new_values, new_status = [], {}
    for n, combo in enumerate(_product(keep)):
        pos = sum(p * s for p, s in zip(combo, strides, strict=True))
        new_values.append(values[pos])
        if isinstance(status, dict) and str(pos) in status:
            new_status[str(n)] = status[str(pos)]
    out = {k: v for k, v in cube.items() if k not in ("value", "status", "dimension", "size")}
    out.update({"dimension": dims, "size": [len(k) for k in keep], "value": new_values})
    if new_status:
        out["status"] = new_status
    return out


def _product(lists: list[list[int]]) -> Iterator[tuple[int, ...]]:
    return itertools.product(*lists)


class PxWebFake:
    """A fake SCB PxWebApi 2.0 under ``/api/v2/`` on a :class:`ReplayServer`.

    Parameters
    ----------
    server : ReplayServer
        Server to install the handlers on.
    config : dict
        Body of ``/config``.
    tables : dict of str to (metadata, cube)
        Table id -> (metadata json, json-stat2 cube that ``/data`` slices).
    search : dict, optional
        Body of ``/tables`` (search), whatever the query.
    """

    def __init__(
        self,
        server: ReplayServer,
        config: dict[str, Any],
        tables: Mapping[str, tuple[dict[str, Any], dict[str, Any]]],
        search: dict[str, Any] | None = None,
    ):
        self.server = server
        self.config = config
        self.tables = dict(tables)
        self.search = search or {"language": "sv", "tables": [], "page": {"totalPages": 1}}
        server.handle("GET", "/api/v2/", self._get)
        server.handle("POST", "/api/v2/", self._post)

    @property
    def base_url(self) -> str:
        """The fake's API root (``.../api/v2/``)."""
        return self.server.url("/api/v2/")

    def data_requests(self) -> list[Recorded]:
        """The recorded ``POST .../data`` requests."""
        return [r for r in self.server.requests if r.method == "POST" and r.path.endswith("/data")]

    def _get(self, server: ReplayServer, rec: Recorded) -> Reply:
        path = rec.path.removeprefix("/api/v2/").strip("/")
        if path == "config":
            return Reply.json(self.config)
        if path == "tables":
            return Reply.json(self.search)
        parts = path.split("/")
        if (
            len(parts) == 3
            and parts[0] == "tables"
            and parts[2] == "metadata"
            and parts[1] in self.tables
        ):
            return Reply.json(self.tables[parts[1]][0])
        return Reply.json({"title": "Not Found", "status": 404}, status=404)

    def _post(self, server: ReplayServer, rec: Recorded) -> Reply:
        parts = rec.path.removeprefix("/api/v2/").strip("/").split("/")
        if (
            len(parts) != 3
            or parts[0] != "tables"
            or parts[2] != "data"
            or parts[1] not in self.tables
        ):
            return Reply.json({"title": "Not Found", "status": 404}, status=404)
        body = rec.json
        selection = {s["variableCode"]: s["valueCodes"] for s in body["selection"]}
        cells = math.prod(len(v) for v in selection.values())
        if cells > int(self.config["maxDataCells"]):
            return Reply.json({"title": "Too many cells", "status": 403}, status=403)
        try:
            return Reply.json(slice_cube(self.tables[parts[1]][1], selection))
        except KeyError as exc:
            return Reply.json({"title": f"Unknown code {exc}", "status": 400}, status=400)
