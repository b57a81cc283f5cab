"""Collection of the notebooks by nbval: skip those that need ../shared/reference when it is absent.

The project rule is that anything reading ``../shared/reference`` skips without it;
nbval has no skip marker for a whole notebook, so the notebook is not collected.
"""

from __future__ import annotations

from pathlib import Path

from helpers.core import paths

#: Notebooks that read ``../shared/reference`` (the Dalarna reproduction).
NEEDS_REFERENCE = frozenset({"05_dalarna_referens.ipynb"})


def pytest_ignore_collect(collection_path: Path, config: object) -> bool | None:
    """Do not collect a notebook that needs the reference data when they are absent."""
    if collection_path.name in NEEDS_REFERENCE and paths.reference_dir() is None:
        return True
    return None
