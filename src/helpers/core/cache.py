"""Immutable raw-data cache with a provenance manifest.

Every raw download (Kolada, SCB) and every generated demo file is stored under
``data/raw/<source>/`` exactly as received, under a content-addressed name, and
described by one line in ``data/raw/<source>/manifest.jsonl``: source URL,
retrieval time (UTC), sha256, size and licence. Files are written once,
atomically, and made read-only; a refresh writes a *new* file and a new
manifest line, so nothing already cached is ever modified or lost.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from helpers.core import paths

MANIFEST_NAME = "manifest.jsonl"


@dataclass(frozen=True)
class Entry:
    """One manifest line: where a raw file came from and what it holds."""

    file: str
    url: str
    retrieved: str
    sha256: str
    bytes: int
    licence: str
    source: str
    note: str = ""


def sha256_bytes(content: bytes) -> str:
    """Return the hex sha256 of ``content``."""
    return hashlib.sha256(content).hexdigest()


def _slug(text: str, limit: int = 60) -> str:
    text = re.sub(r"^[a-z]+://[^/]+/", "", text)
    text = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")
    return text[:limit] or "raw"


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

    # -- reading -----------------------------------------------------------------
    def entries(self) -> list[Entry]:
        """Return all manifest entries, oldest first."""
        if not self.manifest_path.exists():
            return []
        out = []
        with self.manifest_path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    out.append(Entry(**json.loads(line)))
        return out

    def manifest(self) -> pd.DataFrame:
        """Return the manifest as a DataFrame (one row per cached file)."""
        return pd.DataFrame(
            [asdict(e) for e in self.entries()], columns=list(Entry.__annotations__)
        )

    def lookup(self, url: str) -> Entry | None:
        """Return the newest entry for ``url`` whose file exists and matches its sha256."""
        for entry in reversed(self.entries()):
            if entry.url == url:
                path = self.dir / entry.file
                if path.exists() and sha256_bytes(path.read_bytes()) == entry.sha256:
                    return entry
        return None

    def get(self, url: str) -> bytes | None:
        """Return the cached bytes for ``url``, or ``None`` if not cached."""
        entry = self.lookup(url)
        return (self.dir / entry.file).read_bytes() if entry else None

    def path(self, entry: Entry) -> Path:
        """Return the absolute path of a cached file."""
        return self.dir / entry.file

    # -- writing -----------------------------------------------------------------
    def put(self, url: str, content: bytes, suffix: str = ".json", note: str = "") -> Entry:
        """Store ``content`` for ``url`` and append a manifest line.

        The file name holds the first 12 hex digits of the content's sha256, so the
        same content is stored once and different content never overwrites old.

        Returns
        -------
        Entry
            The manifest entry written.
        """
        self.dir.mkdir(parents=True, exist_ok=True)
        digest = sha256_bytes(content)
        name = f"{_slug(url)}-{digest[:12]}{suffix}"
        target = self.dir / name
        if not target.exists():
            fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
            os.chmod(tmp, 0o444)
            os.replace(tmp, target)
        entry = Entry(
            file=name,
            url=url,
            retrieved=datetime.now(UTC).isoformat(timespec="seconds"),
            sha256=digest,
            bytes=len(content),
            licence=self.licence,
            source=self.source,
            note=note,
        )
        with self.manifest_path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(asdict(entry), ensure_ascii=False) + "\n")
        return entry


def all_manifests(root: Path | None = None) -> pd.DataFrame:
    """Return the manifests of every source under ``data/raw`` in one frame."""
    base = root or paths.raw_dir()
    frames = []
    for mf in sorted(base.glob(f"*/{MANIFEST_NAME}")):
        frames.append(RawCache(mf.parent.name, "", root=base).manifest())
    if not frames:
        return pd.DataFrame(columns=list(Entry.__annotations__))
    return pd.concat(frames, ignore_index=True)
