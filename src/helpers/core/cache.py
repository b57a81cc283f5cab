"""Immutable raw-data cache with a provenance manifest.

Every raw download (Kolada, SCB) and every generated demo file is stored under
``data/raw/<source>/`` exactly as received, under a content-addressed name, and
described by one line in ``data/raw/<source>/manifest.jsonl``: source URL,
retrieval time (UTC), sha256, size, licence and, from now on, the request
(``method`` and, for a POST, ``body``) so that the file can be fetched again.
Nothing already cached is ever modified or lost:

* a content file is written to a temporary file in the same folder and moved
  into place with :func:`os.replace`, then made read-only, so a crash never
  leaves half a file under the final name;
* a manifest line is built in full (with its newline) and written with one
  :func:`os.write` on a file opened with ``O_APPEND``, under an exclusive
  :func:`fcntl.flock` on ``.manifest.lock`` (several report workers may write at
  once); if the manifest does not end in a newline (a line cut off by a crash)
  a newline is written first, so a new line is never glued onto a broken one;
* the manifest is read by one tolerant reader (:func:`read_manifest`): a bad
  line is skipped with a Swedish warning naming the file and line and is
  reported (:meth:`RawCache.problems`), the rest stays readable; unknown extra
  fields are ignored (with one warning per manifest);
* a cached file whose sha256 no longer matches its manifest line is never
  served and never deleted: a fresh copy replaces it and the damaged one is
  moved aside to ``data/raw/<source>/_karantan/<name>.korrupt-<time>``;
  offline, the download error says which cached copy is damaged and to run
  ``python -m helpers.cache --verify`` (see :mod:`helpers.core.cache_check`);
* permission, disk-full and "a file where a folder should be" problems raise
  :class:`CacheError` with a Swedish message naming the path and what to do.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from helpers.core import paths
from helpers.core.errors import DataError, Problem, SourceError

T = TypeVar("T")


def query_json(body: Any) -> str:
    """Return the canonical JSON text of a POST query (sorted keys, no spaces, UTF-8 kept)."""
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def query_key(url: str, text: str, name: str = "query") -> str:
    """Return the cache key of a POST answer: ``url#<name>-sha256=<16 hex of the query text>``.

    The fragment is never sent; it keeps the answers of different queries to one URL apart.
    """
    return f"{url}#{name}-sha256={hashlib.sha256(text.encode()).hexdigest()[:16]}"


try:  # POSIX; on Windows the manifest is written without a lock
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.jsonl"
#: Lock file next to the manifest (exclusive for writers, shared for readers).
LOCK_NAME = ".manifest.lock"
#: Folder (inside a source's folder) where damaged files are kept.
QUARANTINE_DIR = "_karantan"
#: The command that checks (and with ``--repair`` fixes) the cache.
VERIFY_COMMAND = "python -m helpers.cache --verify"

#: Required manifest fields and their types.
REQUIRED_FIELDS: dict[str, type] = {
    "file": str,
    "url": str,
    "retrieved": str,
    "sha256": str,
    "bytes": int,
    "licence": str,
    "source": str,
}
#: Optional manifest fields and their types (absent in lines written by older versions).
OPTIONAL_FIELDS: dict[str, type] = {"note": str, "method": str, "body": str}

_SHA256 = re.compile(r"[0-9a-f]{64}")
_TYPE_NAMES = {
    str: "text",
    int: "heltal",
    float: "decimaltal",
    bool: "sant/falskt",
    list: "en lista",
    dict: "ett objekt",
    type(None): "null",
}


class CacheError(DataError):
    """The raw cache cannot be read or written; the Swedish message names the path."""


@dataclass(frozen=True)
class Entry:
    """One manifest line: where a raw file came from and what it holds.

    ``method`` is ``""`` in lines written before the request was recorded (those
    were GET requests, except SCB queries whose URL carries a
    ``#selection-sha256=`` fragment); ``body`` is the JSON text of a POST.
    """

    file: str
    url: str
    retrieved: str
    sha256: str
    bytes: int
    licence: str
    source: str
    note: str = ""
    method: str = ""
    body: str = ""


def sha256_bytes(content: bytes) -> str:
    """Return the hex sha256 of ``content``."""
    return hashlib.sha256(content).hexdigest()


def _slug(text: str, limit: int = 60) -> str:
    text = re.sub(r"^[a-z]+://[^/]+/", "", text)
    text = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")
    return text[:limit] or "raw"


def file_suffix(name: str) -> str:
    """Return the suffix a cached file was stored with (``".json"``, ``".csv.gz"``)."""
    match = re.search(r"-[0-9a-f]{12}(\.[^/]*)?$", name)
    return (match.group(1) or "") if match else Path(name).suffix


# -- OS problems -> Swedish ---------------------------------------------------------
def _blocking_file(path: Path) -> Path:
    """Return the first existing ancestor of ``path`` (or itself) that is not a folder."""
    for candidate in (path, *path.parents):
        with suppress(OSError):
            if candidate.exists() and not candidate.is_dir():
                return candidate
    return path


def os_error(exc: OSError, path: Path, doing: str, *, write: bool = True) -> CacheError:
    """Return a :class:`CacheError` describing ``exc`` in Swedish.

    Parameters
    ----------
    exc : OSError
        The error raised by the operating system.
    path : Path
        The file or folder that was being read or written.
    doing : str
        What was being done, as a Swedish verb phrase (``"skriva"``, ``"läsa"``).
    write : bool
        Whether the operation was a write (changes the advice for permissions).
    """
    code = exc.errno
    where = str(path)
    folder = path.parent
    with suppress(OSError):
        folder = path if path.is_dir() else path.parent
    if isinstance(exc, FileExistsError | NotADirectoryError) or code == errno.ENOTDIR:
        text = (
            f"{_blocking_file(path)} är en fil, men cachen behöver en mapp där. Flytta eller "
            "byt namn på filen (den tas inte bort automatiskt) och kör igen."
        )
    elif code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        text = (
            f"Disken är full (eller diskkvoten slut): kunde inte {doing} {where}. Frigör "
            "utrymme och kör igen; inget som redan fanns i cachen har ändrats."
        )
    elif code == errno.EROFS:
        text = (
            f"Filsystemet är skrivskyddat: kunde inte {doing} {where}. Kör arbetsboken i en "
            "skrivbar mapp eller ange en annan projektmapp med miljövariabeln FOLKHALSA_ROOT."
        )
    elif isinstance(exc, PermissionError) or code in (errno.EACCES, errno.EPERM):
        if write:
            text = (
                f"Behörighet saknas: kunde inte {doing} {where}. Mappen {folder} i rådatacachen "
                "måste vara skrivbar för den som kör arbetsboken (filerna i den ska vara "
                f"skrivskyddade, mappen inte) – ge skrivrätt, t.ex. `chmod u+w {folder}`, eller "
                "ange en annan projektmapp med miljövariabeln FOLKHALSA_ROOT."
            )
        else:
            text = (
                f"Behörighet saknas: kunde inte {doing} {where}. Ge den som kör arbetsboken "
                f"läsrätt, t.ex. `chmod u+r {where}`."
            )
    elif isinstance(exc, IsADirectoryError) or code == errno.EISDIR:
        text = (
            f"{where} är en mapp, men ska vara en fil i rådatacachen. Flytta eller byt namn på "
            "mappen och kör igen."
        )
    else:
        name = errno.errorcode.get(code, "okänt") if code is not None else "okänt"
        text = f"Kunde inte {doing} {where} (systemfel {name}: {exc.strerror or exc})."
    return CacheError(Problem(text))


# -- locking and atomic writes --------------------------------------------------------
@contextmanager
def _locked(folder: Path, *, shared: bool = False) -> Iterator[None]:
    """Hold a lock on ``folder/.manifest.lock`` (exclusive, or shared for readers).

    A writer creates the lock file (an error propagates); a reader uses it only if
    it exists and can be opened, so a read-only cache stays readable.
    """
    fd = None
    if fcntl is not None:
        lock = folder / LOCK_NAME
        if shared:
            with suppress(OSError):
                fd = os.open(lock, os.O_RDONLY)
        else:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        if fd is not None:
            os.close(fd)  # releases the lock


def _append_line(manifest: Path, line: bytes) -> None:
    """Append one complete manifest line with a single write (call under the lock)."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)
    fd = os.open(manifest, flags, 0o644)
    try:
        if os.fstat(fd).st_size:
            with open(manifest, "rb") as fh:
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) != b"\n":
                    line = b"\n" + line  # the last line was cut off: never glue onto it
        written = os.write(fd, line)
        if written != len(line):
            raise OSError(errno.ENOSPC, "kort skrivning", str(manifest))
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_file(target: Path, content: bytes) -> None:
    """Write ``content`` to ``target`` atomically (temp file, fsync, replace), read-only."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o444)
        os.replace(tmp, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)  # our own half-written temporary file, never a cached file
        raise


# -- the one manifest reader ------------------------------------------------------------
_PARSED: dict[Path, tuple[tuple[int, ...], list[Entry], list[Problem]]] = {}
_WARNED: set[tuple[str, ...]] = set()


def _warn_once(key: tuple[str, ...], text: str) -> None:
    if key not in _WARNED:
        _WARNED.add(key)
        log.warning(text)


def _type_name(value: object) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"fältet '{key}' förekommer två gånger")
        out[key] = value
    return out


def _no_constant(name: str) -> object:
    raise ValueError(f"raden innehåller {name}, som inte är ett giltigt JSON-värde")


def _field_problem(name: str, value: object) -> str | None:
    """Return why ``value`` is not a valid manifest field ``name``, or None."""
    want = REQUIRED_FIELDS.get(name) or OPTIONAL_FIELDS[name]
    if want is int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return f"fältet '{name}' ska vara ett heltal ≥ 0, inte {_type_name(value)} {value!r}"
        return None
    if not isinstance(value, str):
        return f"fältet '{name}' ska vara text, inte {_type_name(value)} ({value!r})"
    if name == "sha256" and not _SHA256.fullmatch(value):
        return f"fältet 'sha256' är ingen sha256-kontrollsumma (64 hexadecimala tecken): {value!r}"
    if name == "file" and (
        value in ("", ".", "..") or any(c in value for c in "/\\\0") or value == MANIFEST_NAME
    ):
        return f"fältet 'file' är inget filnamn i källans mapp: {value!r}"
    if name == "retrieved":
        try:
            datetime.fromisoformat(value)
        except ValueError:
            return f"fältet 'retrieved' är ingen tidpunkt (ISO 8601): {value!r}"
    if name == "method" and value not in ("", "GET", "POST"):
        return f"fältet 'method' ska vara GET eller POST, inte {value!r}"
    return None


def parse_line(raw: bytes) -> tuple[Entry | None, str | None, list[str]]:
    """Parse one manifest line.

    Returns
    -------
    tuple
        ``(entry, None, extra_fields)`` for a good line, ``(None, reason, [])``
        for a bad one (``reason`` in Swedish).
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"raden är inte giltig UTF-8-text (byte {exc.start + 1})", []
    try:
        obj = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        end = len(text.rstrip())
        if exc.pos >= end - 1 or exc.msg.startswith("Unterminated string"):
            return None, f"raden är avbruten (ofullständig JSON, slutar efter {end} tecken)", []
        return None, f"raden är inte giltig JSON (fel vid tecken {exc.pos + 1} av {end})", []
    except (ValueError, RecursionError) as exc:
        return None, str(exc), []
    if not isinstance(obj, dict):
        return None, f"raden är inte ett JSON-objekt utan {_type_name(obj)}", []
    missing = [name for name in REQUIRED_FIELDS if name not in obj]
    if missing:
        names = ", ".join(f"'{m}'" for m in missing)
        return None, f"obligatoriska fält saknas: {names}", []
    known = {k: v for k, v in obj.items() if k in REQUIRED_FIELDS or k in OPTIONAL_FIELDS}
    for name, value in known.items():
        reason = _field_problem(name, value)
        if reason:
            return None, reason, []
    extra = [k for k in obj if k not in known]
    return Entry(**known), None, extra


def _read_bytes(path: Path) -> bytes | None:
    """Return the manifest's bytes (under a shared lock), or None if there is none."""
    try:
        with _locked(path.parent, shared=True):
            return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise os_error(exc, path, "läsa manifestet", write=False) from None


def read_manifest(path: Path) -> tuple[list[Entry], list[Problem]]:
    """Read a manifest tolerantly: the good entries and one :class:`Problem` per bad line.

    This is the one manifest reader (used by :class:`RawCache`,
    :func:`all_manifests`, :mod:`helpers.core.provenance` and the verify command).
    A bad line (cut off, not JSON, not an object, required fields missing or of
    the wrong type) is skipped with a Swedish warning naming the file and line;
    unknown extra fields are ignored with one warning per manifest.

    Parameters
    ----------
    path : Path
        A ``manifest.jsonl``.

    Returns
    -------
    tuple of (list of Entry, list of Problem)
        Entries oldest first; problems with ``file`` and ``row`` (1-based line).

    Raises
    ------
    CacheError
        If the manifest exists but cannot be read (permissions, a folder, I/O).
    """
    try:
        st = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return [], []
    except OSError as exc:
        raise os_error(exc, path, "läsa manifestet", write=False) from None
    key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    hit = _PARSED.get(path)
    if hit is not None and hit[0] == key:
        return list(hit[1]), list(hit[2])
    data = _read_bytes(path)
    if data is None:
        return [], []
    entries: list[Entry] = []
    problems: list[Problem] = []
    extras: dict[str, int] = {}
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        entry, reason, extra = parse_line(raw)
        if entry is None:
            problem = Problem(
                f"{reason} – raden hoppas över, övriga rader läses (manifestet skrivs aldrig "
                f"om; kör `{VERIFY_COMMAND}` för en översikt)",
                file=str(path),
                row=number,
            )
            problems.append(problem)
            _warn_once((str(path), str(number), sha256_bytes(raw)), str(problem))
            continue
        entries.append(entry)
        for name in extra:
            extras.setdefault(name, number)
    if extras:
        names = ", ".join(f"'{k}' (rad {v})" for k, v in extras.items())
        _warn_once(
            (str(path), "extra", *extras),
            f"{path}: okända fält i manifestet ignoreras: {names}. De kan komma från en nyare "
            "version av arbetsboken; raderna läses ändå.",
        )
    _PARSED[path] = (key, entries, problems)
    return list(entries), list(problems)


def _entry_line(entry: Entry) -> bytes:
    record = asdict(entry)
    if not record["body"]:
        del record["body"]
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")


class RawCache:
    """Write-once cache of raw responses for one source.

    Parameters
    ----------
    source : str
        Folder name under ``data/raw`` (``"kolada"``, ``"scb"``, ``"demo"``).
    licence : str
        Licence/attribution recorded for every file (e.g. ``"Källa: Kolada"``).
    root : Path, optional
        Override of ``data/raw`` (tests).
    """

    def __init__(self, source: str, licence: str, root: Path | None = None):
        self.source = source
        self.licence = licence
        self.dir = (root or paths.raw_dir()) / source
        self.manifest_path = self.dir / MANIFEST_NAME
        #: URL -> (newest entry, "saknas"/"fel kontrollsumma") seen by :meth:`lookup`.
        self._damaged: dict[str, tuple[Entry, str]] = {}
        #: (damaged file, where it was moved) for every file this instance quarantined.
        self.quarantined: list[tuple[Path, Path]] = []

    # -- reading -----------------------------------------------------------------
    def entries(self) -> list[Entry]:
        """Return all readable manifest entries, oldest first (bad lines are skipped)."""
        return read_manifest(self.manifest_path)[0]

    def problems(self) -> list[Problem]:
        """Return one :class:`Problem` per manifest line that could not be read."""
        return read_manifest(self.manifest_path)[1]

    def manifest(self) -> pd.DataFrame:
        """Return the manifest as a DataFrame (one row per readable manifest line)."""
        return pd.DataFrame(
            [asdict(e) for e in self.entries()], columns=list(Entry.__annotations__)
        )

    def path(self, entry: Entry) -> Path:
        """Return the absolute path of a cached file."""
        return self.dir / entry.file

    def read(self, entry: Entry) -> bytes | None:
        """Return the bytes of ``entry``'s file, or None if the file is missing.

        Raises
        ------
        CacheError
            If the file exists but cannot be read.
        """
        path = self.path(entry)
        try:
            return path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            raise os_error(exc, path, "läsa den cachade filen", write=False) from None

    def _find(self, url: str) -> tuple[Entry, bytes] | None:
        """Return the newest entry for ``url`` and its bytes if that file is intact."""
        newest = next((e for e in reversed(self.entries()) if e.url == url), None)
        if newest is None:
            return None
        content = self.read(newest)
        if content is not None and sha256_bytes(content) == newest.sha256:
            self._damaged.pop(url, None)
            return newest, content
        status = "saknas" if content is None else "fel kontrollsumma"
        self._damaged[url] = (newest, status)
        _warn_once(
            (str(self.path(newest)), status),
            f"Den cachade kopian av {url} ({self.path(newest)}) {self._state_text(status)}; "
            "den används inte, uppgifterna hämtas på nytt om det går.",
        )
        return None

    def lookup(self, url: str) -> Entry | None:
        """Return the newest entry for ``url`` if its file exists and matches its sha256.

        The newest entry decides: when its file is missing or damaged, ``None`` is
        returned (never an older copy) and the damage is remembered, so that a
        fresh download (:meth:`put`) moves the damaged file aside and a failed
        one says so (:meth:`fetching`).
        """
        found = self._find(url)
        return found[0] if found else None

    def get(self, url: str) -> bytes | None:
        """Return the cached bytes for ``url``, or ``None`` if not cached (or damaged)."""
        found = self._find(url)
        return found[1] if found else None

    @staticmethod
    def _state_text(status: str) -> str:
        if status == "saknas":
            return "saknas (filen står i manifestet men finns inte på disken)"
        return "är skadad (kontrollsumman stämmer inte med manifestet)"

    def damage_hint(self, url: str) -> str | None:
        """Return a Swedish sentence about a damaged/missing cached copy of ``url``, if any."""
        damaged = self._damaged.get(url)
        if damaged is None:
            return None
        entry, status = damaged
        return (
            f"Den cachade kopian i {self.path(entry)} {self._state_text(status)} och kan inte "
            f"användas. Kör `{VERIFY_COMMAND}` när du är uppkopplad (med `--repair` hämtas "
            f"filen på nytt; en skadad fil tas aldrig bort utan sparas i {QUARANTINE_DIR}/)."
        )

    @contextmanager
    def fetching(self, url: str) -> Iterator[None]:
        """Wrap a download of ``url``: a failure names a damaged cached copy, if there is one.

        Examples
        --------
        >>> with cache.fetching(url):  # doctest: +SKIP
        ...     response = http.get(url)
        """
        try:
            yield
        except SourceError as exc:
            hint = self.damage_hint(url)
            if hint is None:
                raise
            raise SourceError(f"{exc} {hint}") from exc

    def through(
        self,
        key: str,
        url: str,
        fetch: Callable[[], Any],
        parse: Callable[[bytes], T],
        *,
        use_cache: bool = True,
        note: str = "",
        method: str = "GET",
        body: str = "",
    ) -> T:
        """Return ``parse`` of the cached body for ``key``, or fetch, check and cache it.

        The one read-through sequence of every API client (Kolada, SCB, Folkhälsodata):
        a cached body is parsed (and so checked again); otherwise ``fetch()`` runs
        inside :meth:`fetching` (a failure names a damaged cached copy), the response
        must be a JSON 200 (:func:`helpers.core.jsonbody.check_json_response`), and
        the body is stored with :meth:`put` only after ``parse`` accepted it, so a
        broken response is never pinned.

        Parameters
        ----------
        key : str
            Cache key: ``url``, or ``url`` plus a fragment naming a POST query.
        url : str
            The address, for messages.
        fetch : callable
            Performs the request and returns the HTTP response.
        parse : callable
            Decodes and checks a body (raising :class:`SourceError`), returning the result.
        use_cache : bool
            False: always fetch (the new body is still stored).
        note, method, body : str
            Passed to :meth:`put` (``body``: the JSON text of a POST).
        """
        from helpers.core.jsonbody import check_json_response

        if use_cache:
            cached = self.get(key)
            if cached is not None:
                return parse(cached)
        with self.fetching(key):
            response = fetch()
        content = check_json_response(response, url)
        result = parse(content)
        self.put(key, content, note=note, method=method, body=body)
        return result

    # -- writing -----------------------------------------------------------------
    def quarantine(self, path: Path) -> Path:
        """Move a damaged file to ``_karantan/<name>.korrupt-<UTC time>`` (never deleted).

        Returns
        -------
        Path
            Where the file now is.
        """
        folder = self.dir / QUARANTINE_DIR
        folder.mkdir(exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = folder / f"{path.name}.korrupt-{stamp}"
        n = 1
        while target.exists():
            target = folder / f"{path.name}.korrupt-{stamp}-{n}"
            n += 1
        os.rename(path, target)
        self.quarantined.append((path, target))
        log.warning(
            f"{path} var skadad (kontrollsumman stämmer inte med manifestet); filen är "
            f"flyttad till {target} och behålls där."
        )
        return target

    def set_aside_if_damaged(self, path: Path, sha256: str) -> None:
        """Quarantine ``path`` if it exists and does not hold content with ``sha256``."""
        if path.is_file() and sha256_bytes(path.read_bytes()) != sha256:
            self.quarantine(path)

    def put(
        self,
        url: str,
        content: bytes,
        suffix: str = ".json",
        note: str = "",
        *,
        method: str = "GET",
        body: str = "",
    ) -> Entry:
        """Store ``content`` for ``url`` and append a manifest line.

        The file name holds the first 12 hex digits of the content's sha256, so the
        same content is stored once and different content never overwrites old. A
        damaged file under the same name, or the damaged copy :meth:`lookup` found
        for ``url``, is moved to ``_karantan/`` first (never deleted).

        Parameters
        ----------
        url : str
            The address (cache key) of the content.
        content : bytes
            The raw body, exactly as received.
        suffix : str
            File name suffix.
        note : str
            Free text shown in provenance.
        method, body : str
            The request that produced ``content`` (``body`` = JSON text of a POST),
            recorded so that ``python -m helpers.cache --verify --repair`` can fetch
            the file again.

        Returns
        -------
        Entry
            The manifest entry written.

        Raises
        ------
        CacheError
            If the cache cannot be written (permissions, disk full, a file where a
            folder should be); the message names the path and what to do.
        """
        digest = sha256_bytes(content)
        name = f"{_slug(url)}-{digest[:12]}{suffix}"
        entry = Entry(
            file=name,
            url=url,
            retrieved=datetime.now(UTC).isoformat(timespec="seconds"),
            sha256=digest,
            bytes=len(content),
            licence=self.licence,
            source=self.source,
            note=note,
            method=method.upper(),
            body=body,
        )
        doing, where = "skapa mappen", self.dir
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            doing, where = "skriva i", self.dir
            with _locked(self.dir):
                target = self.dir / name
                self.set_aside_if_damaged(target, digest)
                if not target.exists():
                    doing, where = "skriva filen", target
                    _write_file(target, content)
                damaged = self._damaged.pop(url, None)
                if damaged is not None and damaged[0].file != name:
                    self.set_aside_if_damaged(self.path(damaged[0]), damaged[0].sha256)
                doing, where = "skriva manifestet", self.manifest_path
                _append_line(self.manifest_path, _entry_line(entry))
        except OSError as exc:
            raise os_error(exc, where, doing) from None
        return entry


def source_dirs(root: Path | None = None) -> list[Path]:
    """Return the source folders under ``data/raw`` that have a manifest, sorted by name.

    Raises
    ------
    CacheError
        If ``data/raw`` exists but cannot be listed.
    """
    base = root or paths.raw_dir()
    try:
        children = sorted(base.iterdir()) if base.is_dir() else []
    except OSError as exc:
        raise os_error(exc, base, "läsa mappen", write=False) from None
    return [c for c in children if (c / MANIFEST_NAME).is_file()]


def all_manifests(root: Path | None = None) -> pd.DataFrame:
    """Return the manifests of every source under ``data/raw`` in one frame."""
    base = root or paths.raw_dir()
    frames = [RawCache(d.name, "", root=base).manifest() for d in source_dirs(base)]
    if not frames:
        return pd.DataFrame(columns=list(Entry.__annotations__))
    return pd.concat(frames, ignore_index=True)


def manifest_problems(root: Path | None = None) -> list[Problem]:
    """Return the unreadable manifest lines of every source under ``data/raw``."""
    base = root or paths.raw_dir()
    out: list[Problem] = []
    for folder in source_dirs(base):
        out.extend(read_manifest(folder / MANIFEST_NAME)[1])
    return out
