"""One in-process memo (optionally backed by a parquet file in ``data/processed/``).

Report sections and loaders compute county-wide pieces once per process and
reuse them for every kommun of a batch. Before, seven modules kept their own
``_MEMO`` dicts and their own parquet logic; they now all use :class:`Memo`,
and :func:`clear_all` forgets everything (tests and the warm-kernel runner).

Keys must be hashable and should contain everything the value depends on
(source, file checksums, parameters). A parquet-backed entry is written
atomically (temporary file, then rename) so an interrupted run never leaves a
half-written file that a later run would trust.

Shared work of a report batch
-----------------------------
:meth:`Memo.stored` keeps any picklable value (a dict of frames, say, the
county's life tables with their comparisons) in
``data/processed/<name>_<digest>.pkl``. The digest covers the key (which must
contain the raw inputs' checksums) and :func:`code_digest`, a checksum of the
``helpers`` package's source, so a changed input *or* a changed computation
makes a new file instead of reusing an old one. Report worker processes that
need the same value at the same time take a file lock: one computes and writes
it, the others wait and read it, so a county's shared work is done once per
batch and reused by the next run. The files are disposable (``make clean``).
"""

from __future__ import annotations

import hashlib
import os
import pickle
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

    def stored(self, key: Hashable, make: Callable[[], T], *, persist: bool = True) -> T:
        """Like :meth:`get`, kept as a pickle in ``data/processed`` and computed once across processes.

        Parameters
        ----------
        key : hashable
            Must identify the inputs completely (include checksums of raw files);
            :func:`code_digest` is added here.
        make : callable
            Computes the value when neither the memo nor the file has it.
        persist : bool
            False: an in-process memo only (e.g. for data fetched over the network).
        """
        if key in self._values:
            return self._values[key]
        if not persist:
            return self.get(key, make)
        digest = hashlib.sha256(repr((key, code_digest())).encode("utf-8")).hexdigest()[:16]
        path = paths.processed_dir() / f"{self.name}_{digest}.pkl"
        value = _read_pickle(path)
        if value is _MISSING:
            with _file_lock(path):
                value = _read_pickle(path)  # another process may have made it meanwhile
                if value is _MISSING:
                    value = make()
                    _write_pickle(value, path)
        self._values[key] = value
        return value

    def clear(self) -> None:
        """Forget every value of this memo."""
        self._values.clear()


_MISSING = object()
_CODE_DIGEST: list[str] = []


def code_digest() -> str:
    """Return a checksum of the source of the ``helpers`` package (computed once per process).

    Part of every :meth:`Memo.stored` key, so a stored value is never reused by
    code that would compute it differently.
    """
    if not _CODE_DIGEST:
        package = Path(__file__).resolve().parents[1]
        h = hashlib.sha256()
        for file in sorted(package.rglob("*.py")):
            h.update(str(file.relative_to(package)).encode("utf-8"))
            h.update(file.read_bytes())
        _CODE_DIGEST.append(h.hexdigest()[:16])
    return _CODE_DIGEST[0]


def file_digest(*files: str | Path) -> str:
    """Return a sha256 (16 hex digits) of the contents of ``files``, for memo keys."""
    h = hashlib.sha256()
    for file in files:
        h.update(Path(file).read_bytes())
    return h.hexdigest()[:16]


class _file_lock:  # noqa: N801 - a context manager used like a function
    """An exclusive lock on ``<path>.lock`` (POSIX ``flock``; no lock where unavailable)."""

    def __init__(self, path: Path):
        self.path = path.with_name(f".{path.name}.lock")
        self.fh: Any = None

    def __enter__(self) -> _file_lock:
        try:
            import fcntl

            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.fh = self.path.open("a")
            fcntl.flock(self.fh.fileno(), fcntl.LOCK_EX)
        except (ImportError, OSError):  # Windows or a read-only disk: each process computes
            self.fh = None
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fh is not None:
            self.fh.close()  # releases the lock


def _read_pickle(path: Path) -> Any:
    if not path.is_file():
        return _MISSING
    try:
        with path.open("rb") as fh:
            return pickle.load(fh)  # our own file in data/processed, written by _write_pickle
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError):
        return _MISSING  # a damaged or outdated disposable file is simply rebuilt


def _write_pickle(value: Any, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except (OSError, pickle.PicklingError):  # disposable: a read-only disk only costs speed
        return


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
