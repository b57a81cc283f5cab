"""Verify and repair the raw-data cache (``python -m helpers.cache --verify [--repair]``).

:func:`verify` checks that every manifest entry's file exists and matches its
sha256 and lists the manifest lines that cannot be read and the files that
have no manifest line. :func:`repair` fetches again what fails, through a
``fetch`` function given by the caller (the entry point :mod:`helpers.cache`
passes the same HTTP client and response checks the source clients use), and
never deletes anything: a damaged file is moved to
``data/raw/<source>/_karantan/`` and the new copy gets a new manifest line.

Statuses of a manifest entry
----------------------------
``ok``
    The file exists and matches its sha256.
``saknas``
    The file does not exist.
``fel kontrollsumma``
    The file exists but its content has changed since it was stored.
``oläsbar``
    The file exists but cannot be read (permissions).
``ersatt``
    The file is missing (e.g. moved to quarantine), but a newer entry for the same
    address is intact and is what the cache uses. Not a failure.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

from helpers.core import paths
from helpers.core.cache import (
    MANIFEST_NAME,
    QUARANTINE_DIR,
    VERIFY_COMMAND,
    CacheError,
    Entry,
    RawCache,
    file_suffix,
    os_error,
    sha256_bytes,
    source_dirs,
)
from helpers.core.errors import DataError, Problem, SourceError

OK = "ok"
MISSING = "saknas"
BAD_SUM = "fel kontrollsumma"
UNREADABLE = "oläsbar"
SUPERSEDED = "ersatt"
#: Statuses that make the check fail (exit code 1).
FAILING: frozenset[str] = frozenset({MISSING, BAD_SUM, UNREADABLE})
STATUSES: tuple[str, ...] = (OK, MISSING, BAD_SUM, UNREADABLE, SUPERSEDED)
REPAIR_COMMAND = f"{VERIFY_COMMAND} --repair"

_SELECTION = re.compile(r"selection-sha256=([0-9a-f]+)")


@dataclass(frozen=True)
class Check:
    """The state of one manifest entry's file."""

    source: str
    entry: Entry
    status: str
    detail: str
    path: Path


@dataclass
class Verification:
    """Result of :func:`verify`.

    Attributes
    ----------
    root : Path
        The ``data/raw`` folder checked.
    checks : list of Check
        One per readable manifest line, in manifest order per source.
    problems : list of Problem
        Manifest lines (or manifests) that cannot be read.
    orphans : list of Path
        Files in a source folder without a readable manifest line (kept, never deleted).
    """

    root: Path
    checks: list[Check] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    orphans: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every file is intact and every manifest line readable."""
        return not self.failing() and not self.problems

    def failing(self) -> list[Check]:
        """Return the checks that fail (missing, damaged or unreadable files)."""
        return [c for c in self.checks if c.status in FAILING]

    def counts(self) -> dict[str, dict[str, int]]:
        """Return ``{source: {status: n, "trasiga rader": n}}``."""
        out: dict[str, dict[str, int]] = {}
        for check in self.checks:
            row = out.setdefault(check.source, dict.fromkeys((*STATUSES, "trasiga rader"), 0))
            row[check.status] += 1
        for problem in self.problems:
            source = Path(problem.file or "").parent.name
            row = out.setdefault(source, dict.fromkeys((*STATUSES, "trasiga rader"), 0))
            row["trasiga rader"] += 1
        return out

    def report(self) -> str:
        """Return a Swedish table per source, the failing files and a summary."""
        return format_verification(self)


def _check_entry(cache: RawCache, entry: Entry, digests: dict[str, str | None]) -> tuple[str, str]:
    """Return ``(status, detail)`` of one entry (before superseded entries are marked)."""
    if entry.file not in digests:
        try:
            content = cache.read(entry)
        except CacheError as exc:
            digests[entry.file] = f"!{exc}"
        else:
            digests[entry.file] = None if content is None else sha256_bytes(content)
    digest = digests[entry.file]
    if digest is None:
        return MISSING, "filen står i manifestet men finns inte"
    if digest.startswith("!"):
        return UNREADABLE, digest[1:]
    if digest != entry.sha256:
        return BAD_SUM, (
            f"filen har ändrats efter hämtningen (sha256 {digest[:12]}… i stället för "
            f"{entry.sha256[:12]}…)"
        )
    return OK, ""


def _quarantined(cache: RawCache, name: str) -> list[Path]:
    folder = cache.dir / QUARANTINE_DIR
    return sorted(folder.glob(f"{glob_escape(name)}.korrupt-*")) if folder.is_dir() else []


def glob_escape(name: str) -> str:
    """Escape the glob characters ``*?[`` in ``name``."""
    return re.sub(r"([*?\[])", r"[\1]", name)


def _verify_source(cache: RawCache, out: Verification) -> None:
    try:
        entries = cache.entries()
        out.problems.extend(cache.problems())
    except CacheError as exc:
        out.problems.extend(exc.problems)
        return
    digests: dict[str, str | None] = {}
    states = [_check_entry(cache, e, digests) for e in entries]
    intact_after: dict[str, int] = {}  # url -> index of its newest intact entry
    for i, (entry, (status, _)) in enumerate(zip(entries, states, strict=True)):
        if status == OK:
            intact_after[entry.url] = i
    for i, (entry, (status, detail)) in enumerate(zip(entries, states, strict=True)):
        newer = intact_after.get(entry.url, -1)
        if status == MISSING and newer > i:
            kept = _quarantined(cache, entry.file)
            where = f"skadad kopia sparad i {kept[-1]}" if kept else "filen finns inte kvar"
            status = SUPERSEDED
            detail = f"en nyare kopia från {entries[newer].retrieved} används; {where}"
        out.checks.append(Check(cache.source, entry, status, detail, cache.path(entry)))
    referenced = {e.file for e in entries}
    try:
        files = sorted(p for p in cache.dir.iterdir() if p.is_file())
    except OSError:
        files = []
    for path in files:
        if path.name in referenced or path.name == MANIFEST_NAME:
            continue
        if path.name.startswith(".") and not path.name.startswith(".tmp-"):
            continue
        out.orphans.append(path)


def verify(root: Path | None = None, sources: Iterable[str] | None = None) -> Verification:
    """Check every manifest entry's file under ``data/raw`` (read-only).

    Parameters
    ----------
    root : Path, optional
        Override of ``data/raw``.
    sources : iterable of str, optional
        Source folders to check (default all with a manifest).

    Returns
    -------
    Verification

    Raises
    ------
    DataError
        If a named source has no manifest under ``data/raw``.
    """
    base = root or paths.raw_dir()
    folders = {d.name: d for d in source_dirs(base)}
    wanted = list(folders) if sources is None else list(dict.fromkeys(sources))
    unknown = [s for s in wanted if s not in folders]
    if unknown:
        have = ", ".join(folders) or "inga"
        raise DataError(
            f"Källan {', '.join(repr(s) for s in unknown)} har ingen cache med manifest i "
            f"{base} (källor som finns: {have})."
        )
    out = Verification(base)
    for name in wanted:
        _verify_source(RawCache(name, "", root=base), out)
    return out


# -- repair ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Request:
    """What to send to fetch a cached file again."""

    method: str
    url: str
    body: str = ""

    @property
    def json(self) -> object:
        """The POST body decoded (``None`` for a GET)."""
        return json.loads(self.body) if self.body else None


@dataclass(frozen=True)
class Repair:
    """What :func:`repair` did for one address."""

    source: str
    url: str
    outcome: str
    detail: str

    @property
    def fixed(self) -> bool:
        """True when the address now has an intact cached copy."""
        return self.outcome in ("återställd", "ny version", "i karantän", "återskapad")


def _body_from_note(entry: Entry, digest: str) -> str:
    """Return a POST body recorded in an older line's note, if its sha256 proves it."""
    _, sep, text = entry.note.partition("POST ")
    text = text.strip()
    if sep and text and hashlib.sha256(text.encode()).hexdigest().startswith(digest):
        return text
    return ""


def request_for(entry: Entry) -> Request | str:
    """Return the request that fetches ``entry`` again, or why it cannot be built (Swedish)."""
    scheme = urlsplit(entry.url).scheme.lower()
    if scheme not in ("http", "https"):
        return f"adressen {entry.url} är ingen webbadress och kan inte hämtas på nytt"
    url, fragment = urldefrag(entry.url)
    selection = _SELECTION.search(fragment)
    method = entry.method or ("POST" if selection else "GET")
    if method == "GET":
        return Request("GET", url)
    body = entry.body or (_body_from_note(entry, selection.group(1)) if selection else "")
    if not body:
        return (
            "manifestraden saknar frågan (POST-innehållet) som behövs för att hämta filen "
            "igen – raden skrevs av en äldre version av arbetsboken. Hämta uppgifterna på nytt "
            "med källans funktion (t.ex. use_cache=False); nya rader sparar frågan"
        )
    if selection and not hashlib.sha256(body.encode()).hexdigest().startswith(selection.group(1)):
        return "frågan i manifestraden stämmer inte med adressens kontrollsumma (selection-sha256)"
    try:
        json.loads(body)
    except ValueError:
        return "frågan (POST-innehållet) i manifestraden är inte giltig JSON"
    return Request("POST", url, body)


#: ``fetch(source, request)`` returns the checked body or raises SourceError/DataError.
Fetch = Callable[[str, Request], bytes]


def _refetch(
    cache: RawCache, entry: Entry, fetch: Fetch, hosts: Mapping[str, Collection[str]]
) -> Repair:
    request = request_for(entry)
    if isinstance(request, str):
        return Repair(cache.source, entry.url, "kan inte repareras", request)
    allowed = hosts.get(cache.source)
    host = (urlsplit(request.url).hostname or "").lower()
    if allowed is None:
        why = f"källan '{cache.source}' har ingen känd adress att hämta från"
        return Repair(cache.source, entry.url, "kan inte repareras", why)
    if host not in {h.lower() for h in allowed}:
        why = f"adressen ligger på {host}, inte på källans värd ({', '.join(sorted(allowed))})"
        return Repair(cache.source, entry.url, "kan inte repareras", why)
    try:
        content = fetch(cache.source, request)
        cache.lookup(entry.url)  # remember the damaged copy so put() moves it aside
        new = cache.put(
            entry.url,
            content,
            suffix=file_suffix(entry.file),
            note=entry.note,
            method=request.method,
            body=request.body,
        )
    except (SourceError, DataError) as exc:
        return Repair(cache.source, entry.url, "misslyckades", str(exc))
    if new.sha256 == entry.sha256:
        return Repair(cache.source, entry.url, "återställd", "samma innehåll som förut")
    changed = (
        f"källan gav nytt innehåll (sha256 {new.sha256[:12]}…), som används från och med nu; "
        f"den gamla versionen ({entry.retrieved}) kan inte återskapas"
    )
    return Repair(cache.source, entry.url, "ny version", changed)


def repair(
    verification: Verification,
    fetch: Fetch,
    *,
    hosts: Mapping[str, Collection[str]] | None = None,
    regenerate: Mapping[str, Callable[[], object]] | None = None,
) -> list[Repair]:
    """Fetch again (or regenerate) every address whose cached file fails; delete nothing.

    Parameters
    ----------
    verification : Verification
        Result of :func:`verify`.
    fetch : callable
        ``fetch(source, request) -> bytes`` sends ``request`` and returns the body
        after the source's checks; raises :class:`SourceError`/:class:`DataError`.
    hosts : mapping, optional
        Host names each source may be fetched from (an address elsewhere is not
        fetched). A source not in it cannot be fetched.
    regenerate : mapping, optional
        Sources whose files are generated, not downloaded (``{"demo": build}``):
        the function is called once and the failing addresses are checked again.

    Returns
    -------
    list of Repair
        One per failing address (the newest failing entry of each address).
    """
    hosts = hosts or {}
    regenerate = regenerate or {}
    groups: dict[tuple[str, str], list[Check]] = {}
    for check in verification.failing():
        groups.setdefault((check.source, check.entry.url), []).append(check)
    intact = {(c.source, c.entry.url) for c in verification.checks if c.status == OK}
    out: list[Repair] = []
    later: dict[str, list[Check]] = {}
    for (source, url), checks in groups.items():
        check = checks[-1]  # the newest failing entry of this address
        cache = RawCache(source, check.entry.licence, root=verification.root)
        if check.status == UNREADABLE:
            out.append(Repair(source, url, "kan inte repareras", check.detail))
            continue
        if (source, url) in intact:
            result = Repair(source, url, "i karantän", "en nyare kopia används")
        elif source in regenerate:
            later.setdefault(source, []).append(check)
            continue
        else:
            result = _refetch(cache, check.entry, fetch, hosts)
        if result.fixed:  # older damaged copies of the same address are set aside too
            try:
                for older in checks:
                    if older.status == BAD_SUM and older.path.is_file():
                        cache.set_aside_if_damaged(older.path, older.entry.sha256)
            except OSError as exc:
                why = str(os_error(exc, check.path, "flytta den skadade filen"))
                out.append(Repair(source, url, "misslyckades", why))
                continue
            moved = [f"skadad fil sparad i {to}" for _, to in cache.quarantined]
            detail = "; ".join(dict.fromkeys([result.detail, *moved]))
            result = Repair(source, url, result.outcome, detail)
        out.append(result)
    for source, checks in later.items():
        regenerate[source]()
        for check in checks:
            cache = RawCache(source, check.entry.licence, root=verification.root)
            if cache.lookup(check.entry.url) is not None:
                out.append(Repair(source, check.entry.url, "återskapad", "genererad på nytt"))
            else:
                why = "filen skapas inte längre av denna version och kan inte återskapas"
                out.append(Repair(source, check.entry.url, "kan inte repareras", why))
    return out


# -- text -----------------------------------------------------------------------------
def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        cells = zip(row, widths, strict=True)
        lines.append("  ".join(str(c).ljust(w) for c, w in cells).rstrip())
    return lines


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def format_verification(v: Verification) -> str:
    """Return the Swedish report of a :class:`Verification` (table, details, summary)."""
    lines = [f"Kontroll av rådatacachen {v.root}", ""]
    counts = v.counts()
    if not counts:
        lines.append("Inga manifest hittades – cachen är tom.")
        return "\n".join(lines)
    header = ["källa", "ok", "saknas", "fel kontrollsumma", "oläsbar", "ersatt", "trasiga rader"]
    rows = [[s, *(str(c[k]) for k in header[1:])] for s, c in counts.items()]
    lines += _table(header, rows)
    failing = v.failing()
    if failing:
        lines += ["", "Filer som inte klarar kontrollen:"]
        for c in failing:
            lines.append(f"  [{c.status}] {c.path}")
            lines.append(f"      {c.detail}; adress {c.entry.url}, hämtad {c.entry.retrieved}")
    superseded = [c for c in v.checks if c.status == SUPERSEDED]
    if superseded:
        lines += ["", "Ersatta filer (en nyare kopia av samma adress används):"]
        lines += [f"  {c.path}: {c.detail}" for c in superseded]
    if v.problems:
        lines += ["", "Trasiga manifestrader (hoppas över; manifestet skrivs aldrig om):"]
        lines += [f"  {str(p).split(' – raden hoppas över')[0]}" for p in v.problems]
        kept = " Filen den beskrev finns kvar (se 'Filer utan manifestrad')." if v.orphans else ""
        lines.append(
            f"  En trasig rad kan inte repareras automatiskt.{kept} Rätta eller ta bort raden "
            "för hand om du vill bli av med varningen."
        )
    if v.orphans:
        lines += ["", "Filer utan manifestrad (behålls; deras ursprung visas inte i rapporter):"]
        lines += [f"  {p}" for p in v.orphans]
    total = {k: sum(c[k] for c in counts.values()) for k in header[1:]}
    lines += [
        "",
        "Sammanfattning: "
        + ", ".join(
            [
                f"{total['ok']} ok",
                f"{total['saknas']} saknas",
                f"{total['fel kontrollsumma']} fel kontrollsumma",
                f"{total['oläsbar']} oläsbara",
                f"{total['ersatt']} ersatta",
                _plural(total["trasiga rader"], "trasig manifestrad", "trasiga manifestrader"),
            ]
        )
        + ".",
    ]
    if v.ok:
        lines.append("Allt i cachen stämmer med manifestet.")
    elif failing:
        lines.append(
            f"Kör `{REPAIR_COMMAND}` när du är uppkopplad för att hämta om det som inte klarar "
            f"kontrollen; inget tas bort (skadade filer sparas i {QUARANTINE_DIR}/)."
        )
    return "\n".join(lines)


def format_repairs(repairs: list[Repair]) -> str:
    """Return a Swedish list of what :func:`repair` did."""
    if not repairs:
        return "Inget att reparera."
    lines = ["Reparation:"]
    for r in repairs:
        lines.append(f"  [{r.outcome}] {r.source}: {r.url}")
        lines.append(f"      {r.detail}")
    fixed = sum(r.fixed for r in repairs)
    lines.append(f"{fixed} av {len(repairs)} adresser reparerade.")
    return "\n".join(lines)
