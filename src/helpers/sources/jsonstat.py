"""json-stat2 datasets (SCB's PxWebApi 2.0 answers) to a tidy long frame.

:func:`jsonstat2_to_frame` checks the dataset before it returns anything: the
sizes, ids and category indexes must agree, and every value must be a finite
number or null – text such as ``"12,3"``, ``NaN`` or an infinite value is
refused with a :class:`helpers.core.errors.SourceError` naming the source, the
position and the cell (its category codes). The row order is row-major: the
last dimension in ``id`` varies fastest.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from helpers.core.errors import SourceError
from helpers.core.jsonbody import json_type_sv


def _jsonstat_error(what: str, where: str | None) -> SourceError:
    place = f" från {where}" if where else ""
    return SourceError(f"SCB:s json-stat2-svar{place} kan inte läsas: {what}.")


def dimension_codes(
    dim_id: str, dim: Any, size: int, where: str | None
) -> tuple[list[str], list[str]]:
    """Return the codes in index order and their labels for one json-stat2 dimension."""
    if not isinstance(dim, dict) or not isinstance(dim.get("category"), dict):
        raise _jsonstat_error(f"dimensionen '{dim_id}' saknar 'category'", where)
    cat = dim["category"]
    labels = cat.get("label") or {}
    if not isinstance(labels, dict):
        raise _jsonstat_error(f"'category.label' i '{dim_id}' är inget objekt", where)
    index = cat.get("index")
    if index is None:
        codes = list(labels)
    elif isinstance(index, list):
        codes = [str(c) for c in index]
    elif isinstance(index, dict):
        positions = sorted(index.items(), key=lambda kv: kv[1])
        if [p for _, p in positions] != list(range(len(positions))):
            raise _jsonstat_error(f"'category.index' i '{dim_id}' är inte 0, 1, 2, …", where)
        codes = [str(c) for c, _ in positions]
    else:
        raise _jsonstat_error(f"'category.index' i '{dim_id}' är varken lista eller objekt", where)
    if len(codes) != size:
        raise _jsonstat_error(
            f"'{dim_id}' har {len(codes)} kategorier men 'size' säger {size}", where
        )
    return codes, [str(labels.get(c, c)) for c in codes]


def _expand(field: Any, n: int, name: str, where: str | None) -> list[Any]:
    """Return a dense list of ``n`` items from a json-stat2 array, object or scalar field."""
    if field is None:
        return [None] * n
    if isinstance(field, list):
        if len(field) != n:
            raise _jsonstat_error(
                f"'{name}' har {len(field)} element men dimensionerna ger {n} celler", where
            )
        return field
    if isinstance(field, dict):
        out: list[Any] = [None] * n
        for key, val in field.items():
            try:
                pos = int(key)
            except (TypeError, ValueError):
                raise _jsonstat_error(f"'{name}' har en ogiltig position {key!r}", where) from None
            if not 0 <= pos < n:
                raise _jsonstat_error(f"'{name}' har position {pos} utanför 0–{n - 1}", where)
            out[pos] = val
        return out
    if name == "status" and isinstance(field, str):
        return [field] * n
    raise _jsonstat_error(f"'{name}' är {json_type_sv(field)}, varken lista eller objekt", where)


def jsonstat2_to_frame(obj: Mapping[str, Any], where: str | None = None) -> pd.DataFrame:
    """Parse a json-stat2 dataset into a tidy long DataFrame.

    Parameters
    ----------
    obj : mapping
        A decoded json-stat2 ``dataset`` (``id``, ``size``, ``dimension``, ``value``,
        optional ``status``).
    where : str, optional
        Where it came from (URL or file), for error messages.

    Returns
    -------
    pandas.DataFrame
        One row per cell in json-stat2 (row-major) order: a column per dimension
        holding the category codes, a ``<dimension>_label`` column per dimension,
        ``value`` (float, NaN where the value is null) and ``status`` (the cell's
        status symbol, ``""`` when none). ``attrs`` holds ``label``, ``source``,
        ``updated``, ``note`` and the dimension ids (``dimensions``).

    Raises
    ------
    SourceError
        If the object is not a json-stat2 dataset or its parts disagree (sizes,
        index, number of values).
    """
    if not isinstance(obj, Mapping):
        raise _jsonstat_error("svaret är inget objekt", where)
    if obj.get("class", "dataset") != "dataset":
        raise _jsonstat_error(f"klassen är '{obj.get('class')}', inte 'dataset'", where)
    ids, sizes, dims = obj.get("id"), obj.get("size"), obj.get("dimension")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise _jsonstat_error("'id' saknas eller är ingen lista av namn", where)
    if not isinstance(sizes, list) or not all(
        isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in sizes
    ):
        raise _jsonstat_error("'size' saknas eller är ingen lista av heltal", where)
    if len(ids) != len(sizes):
        raise _jsonstat_error(f"'id' har {len(ids)} namn men 'size' {len(sizes)} storlekar", where)
    if not isinstance(dims, dict):
        raise _jsonstat_error("'dimension' saknas", where)
    reserved = {"value", "status"}
    clash = [d for d in ids if d in reserved or f"{d}_label" in ids]
    if clash:
        raise _jsonstat_error(f"dimensionsnamn krockar med kolumnnamn: {', '.join(clash)}", where)
    n = math.prod(sizes)
    if "value" not in obj:
        raise _jsonstat_error("'value' saknas", where)
    raw_values = _expand(obj["value"], n, "value", where)
    for pos, v in enumerate(raw_values):
        if v is None:
            continue
        if not isinstance(v, int | float) or isinstance(v, bool):
            raise _jsonstat_error(
                f"'value' på position {pos}{_cell(obj, ids, sizes, pos)} är {v!r}, inte ett tal "
                "eller null (text som '12,3' omvandlas inte)",
                where,
            )
        if not math.isfinite(v):
            raise _jsonstat_error(
                f"'value' på position {pos}{_cell(obj, ids, sizes, pos)} är {v!r}, inte ett "
                "ändligt tal",
                where,
            )
    status = _expand(obj.get("status"), n, "status", where)

    columns: dict[str, Any] = {}
    repeat_after = n
    for dim_id, size in zip(ids, sizes, strict=True):
        if dim_id not in dims:
            raise _jsonstat_error(f"dimensionen '{dim_id}' saknas i 'dimension'", where)
        codes, labels = dimension_codes(dim_id, dims[dim_id], size, where)
        repeat_after = repeat_after // size if size else 0
        tiles = n // (size * repeat_after) if size and repeat_after else 0
        pos = np.tile(np.repeat(np.arange(size), repeat_after), tiles)
        columns[dim_id] = pd.array(
            np.asarray(codes, dtype=object)[pos] if size else [], dtype="string"
        )
        columns[f"{dim_id}_label"] = pd.array(
            np.asarray(labels, dtype=object)[pos] if size else [], dtype="string"
        )
    order = [*ids, *(f"{d}_label" for d in ids)]
    frame = pd.DataFrame({c: columns[c] for c in order})
    frame["value"] = np.array(
        [np.nan if v is None else float(v) for v in raw_values], dtype="float64"
    )
    frame["status"] = pd.array(["" if s is None else str(s) for s in status], dtype="string")
    frame.attrs.update(
        {
            "label": obj.get("label", ""),
            "source": obj.get("source", ""),
            "updated": obj.get("updated", ""),
            "note": list(obj.get("note") or []),
            "dimensions": list(ids),
        }
    )
    return frame


def _cell(obj: Mapping[str, Any], ids: Sequence[str], sizes: Sequence[int], pos: int) -> str:
    """Return ``" (Region=0180, Tid=2024)"`` for a row-major position, or ``""`` if unknown."""
    parts = []
    rest = pos
    dims = obj.get("dimension") if isinstance(obj.get("dimension"), Mapping) else {}
    for dim_id, size in reversed(list(zip(ids, sizes, strict=True))):
        if not size:
            return ""
        rest, k = divmod(rest, size)
        try:
            code = dimension_codes(dim_id, dims.get(dim_id), size, None)[0][k]
        except SourceError:
            code = str(k)
        parts.append(f"{dim_id}={code}")
    return f" ({', '.join(reversed(parts))})"
