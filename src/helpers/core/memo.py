"""One in-process memo (optionally backed by a parquet file in ``data/processed/``).

Report sections and loaders compute county-wide pieces once per process and
reuse them for every kommun of a batch. Before, seven modules kept their own
``_MEMO`` dicts and their own parquet logic; they now all use :class:`Memo`,
and :func:`clear_all` forgets everything (tests and the warm-kernel runner).

Keys must be hashable and should contain everything the value depends on
(source, file checksums, parameters). A parquet-backed entry is written
atomically (temporary file, then rename) so an interrupted run never leaves a
half-written file that a later run would trust.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from helpers.core import paths

T = TypeVar("T")
_ALL: list[Memo] = []


class Memo:
    """A named dict memo; see the module docstring.

    Parameters
    ----------
    name : str
        Short name, used in parquet file names (``<name>_<digest>.parquet``).
    """

    def __init__(self, name: str):
        self.name = name
        self._values: dict[Hashable, Any] = {}
        _ALL.append(self)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._values

    def __len__(self) -> int:
        return len(self._values)

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """Return the value for ``key``, computing it with ``make()`` the first time."""
        if key not in self._values:
            self._values[key] = make()
        return self._values[key]

    def put(self, key: Hashable, value: Any) -> None:
        """Store ``value`` under ``key`` (for values computed elsewhere)."""
        self._values[key] = value

    def frame(
        self, key: Hashable, make: Callable[[], pd.DataFrame], *, persist: bool
    ) -> pd.DataFrame:
        """Like :meth:`get` for a DataFrame, optionally kept as parquet in ``data/processed``.

        Parameters
        ----------
        key : hashable
            Must identify the inputs completely (include checksums of raw files).
        make : callable
            Computes the frame when neither the memo nor the parquet file has it.
        persist : bool
            Read/write ``data/processed/<name>_<digest>.parquet``.
        """
        if key in self._values:
            return self._values[key]
        if not persist:
            return self.get(key, make)
        digest = hashlib.sha256(repr(key).encode("utf-8")).hexdigest()[:16]
        path = paths.processed_dir() / f"{self.name}_{digest}.parquet"
        out = _read_parquet(path)
        if out is None:
            out = make()
            _write_parquet(out, path)
        self._values[key] = out
        return out

    def clear(self) -> None:
        """Forget every value of this memo."""
        self._values.clear()


def _read_parquet(path: Path) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError):  # a damaged disposable file is simply rebuilt
        return None


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except OSError:  # data/processed is disposable: a read-only disk only costs speed
        return


def clear_all() -> None:
    """Forget every memoized value in every :class:`Memo` of the process."""
    for memo in _ALL:
        memo.clear()
