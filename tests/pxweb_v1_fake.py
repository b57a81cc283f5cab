"""A fake PxWeb API v1 (Folkhälsomyndigheten's Folkhälsodata) on a replay server (tests only).

No recording of the real Folkhälsodata API exists in this project: the fake is
built from the documented PxWeb v1 shapes –

* ``GET <folder>/`` -> ``[{"id", "type": "l"|"t", "text", "updated"}]``;
* ``GET <table>.px`` -> ``{"title", "variables": [{"code", "text", "values",
  "valueTexts", "elimination", "time"}]}``;
* ``POST <table>.px`` with ``{"query": [{"code", "selection": {"filter":
  "item", "values"}}], "response": {"format": "json-stat2"}}`` -> a json-stat2
  dataset sliced from the table's cube (``..`` cells as null with status).

It is a helper module, not a test file.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

from replay_server import Recorded, ReplayServer, Reply, jsonstat_cube, slice_cube

PREFIX = "/Folkhalsodata/api/v1/sv/"


def metadata(title: str, variables: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Return v1 table metadata from ``[{"code", "text", "values": {code: text}, "time"?}]``."""
    return {
        "title": title,
        "variables": [
            {
                "code": v["code"],
                "text": v["text"],
                "values": list(v["values"]),
                "valueTexts": list(v["values"].values()),
                "elimination": bool(v.get("elimination", False)),
                **({"time": True} if v.get("time") else {}),
            }
            for v in variables
        ],
    }


def cube(meta: Mapping[str, Any], cell: Any, *, label: str = "Folkhälsodata") -> dict[str, Any]:
    """Return the json-stat2 cube of a table: ``cell(codes_by_variable) -> number | None``.

    ``None`` is PxWeb's missing marker ``..`` (value null, status ``..``).
    """
    variables = meta["variables"]
    dims = {v["code"]: dict(zip(v["values"], v["valueTexts"], strict=True)) for v in variables}
    values: list[float | None] = []
    status: dict[str, str] = {}
    for i, combo in enumerate(itertools.product(*(v["values"] for v in variables))):
        val = cell(dict(zip(dims, combo, strict=True)))
        values.append(val)
        if val is None:
            status[str(i)] = ".."
    out = jsonstat_cube(dims, values, status=status, label=label)
    out["source"] = "Folkhälsomyndigheten"
    return out


class PxWebV1Fake:
    """Folkhälsodata's PxWeb v1 under :data:`PREFIX` on a :class:`ReplayServer`.

    Parameters
    ----------
    server : ReplayServer
        Server to install the handlers on.
    tables : mapping of str to (metadata, cube)
        Table path (``A_Folkhalsodata/.../x.px``) -> (v1 metadata, json-stat2 cube).
    folders : mapping of str to list, optional
        Folder path (``""`` = root) -> its v1 listing.
    max_cells : int
        Cells allowed per POST (more gives HTTP 403, as PxWeb does).
    """

    def __init__(
        self,
        server: ReplayServer,
        tables: Mapping[str, tuple[dict[str, Any], dict[str, Any]]],
        folders: Mapping[str, list[dict[str, Any]]] | None = None,
        max_cells: int = 100_000,
    ):
        self.server = server
        self.tables = dict(tables)
        self.folders = dict(folders or {})
        self.max_cells = max_cells
        server.handle("GET", PREFIX, self._get)
        server.handle("POST", PREFIX, self._post)

    @property
    def base_url(self) -> str:
        """The fake's API root (``.../Folkhalsodata/api/v1/sv/``)."""
        return self.server.url(PREFIX)

    def posts(self) -> list[Recorded]:
        """The recorded data queries."""
        return [r for r in self.server.requests if r.method == "POST"]

    def _get(self, server: ReplayServer, rec: Recorded) -> Reply:
        path = rec.path.removeprefix(PREFIX)
        if path.endswith(".px") and path in self.tables:
            return Reply.json(self.tables[path][0])
        folder = path.strip("/")
        if folder in self.folders:
            return Reply.json(self.folders[folder])
        return Reply.json({"error": "Not found"}, status=404)

    def _post(self, server: ReplayServer, rec: Recorded) -> Reply:
        path = rec.path.removeprefix(PREFIX)
        if path not in self.tables:
            return Reply.json({"error": "Not found"}, status=404)
        body = rec.json
        if body.get("response", {}).get("format") != "json-stat2":
            return Reply.json({"error": "format"}, status=400)
        selection = {q["code"]: q["selection"]["values"] for q in body["query"]}
        if math.prod(len(v) for v in selection.values()) > self.max_cells:
            return Reply.json({"error": "Too many values"}, status=403)
        try:
            return Reply.json(slice_cube(self.tables[path][1], selection))
        except KeyError as exc:
            return Reply.json({"error": f"unknown code {exc}"}, status=400)
