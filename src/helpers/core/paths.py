"""Project paths, anchored on the installed package (never on the working directory).

All code that reads or writes files takes its locations from here, so that
notebooks run the same from JupyterLab, papermill, pytest or the command line.
The root can be overridden with the environment variable ``FOLKHALSA_ROOT``
(used by tests to work in a temporary directory).
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR: Path = Path(__file__).resolve().parent.parent


def project_root() -> Path:
    """Return the project root directory.

    Returns
    -------
    Path
        ``$FOLKHALSA_ROOT`` if set, otherwise the directory two levels above the
        package (``src/helpers`` -> project root).
    """
    env = os.environ.get("FOLKHALSA_ROOT")
    if env:
        return Path(env).resolve()
    return PACKAGE_DIR.parent.parent


def data_dir() -> Path:
    """Return ``<root>/data``."""
    return project_root() / "data"


def raw_dir(source: str | None = None) -> Path:
    """Return the immutable raw cache, optionally the folder of one source.

    Parameters
    ----------
    source : str, optional
        Sub-folder such as ``"kolada"``, ``"scb"`` or ``"demo"``.
    """
    base = data_dir() / "raw"
    return base / source if source else base


def processed_dir() -> Path:
    """Return ``<root>/data/processed`` (disposable, rebuilt by one command)."""
    return data_dir() / "processed"


def reports_dir() -> Path:
    """Return ``<root>/reports`` (disposable)."""
    return project_root() / "reports"


def notebooks_dir() -> Path:
    """Return ``<root>/notebooks``."""
    return project_root() / "notebooks"


def templates_dir() -> Path:
    """Return ``<root>/notebooks/templates``."""
    return notebooks_dir() / "templates"


def params_dir() -> Path:
    """Return ``<root>/params``."""
    return project_root() / "params"


def project_file(relative: str | Path) -> Path:
    """Return a file of the project: under the project root, else the workbook checkout's own.

    When the root is overridden (``FOLKHALSA_ROOT``, e.g. a run folder or a test)
    and has no such file, the file shipped with the workbook (next to the
    package) is used, so that the catalogue, goals and example maps need not be
    copied into every root. An absolute path is returned unchanged; when neither
    exists, the path under the root is returned (and named in the caller's error).
    """
    path = Path(relative)
    if path.is_absolute():
        return path
    candidate = project_root() / path
    shipped = PACKAGE_DIR.parent.parent / path
    return shipped if not candidate.exists() and shipped.exists() else candidate


def reference_dir() -> Path | None:
    """Return ``../shared/reference`` next to the project if it exists, else ``None``.

    The reference data are only used by tests; the workbook never depends on them.
    """
    env = os.environ.get("FOLKHALSA_REFERENCE")
    candidate = Path(env) if env else PACKAGE_DIR.parent.parent.parent / "shared" / "reference"
    return candidate if candidate.is_dir() else None
