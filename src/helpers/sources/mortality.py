"""Deaths and population, life expectancy per kommun with CIs, and e30 by education.

The public entry point for everything computed from deaths and population
(the code lives in three modules, re-exported here):

:mod:`helpers.sources.mortality_counts`
    :func:`deaths_population` (counts by kommun, sex, single age and year),
    :func:`abridged_counts`, :func:`kommun_life_expectancy` (Chiang II life
    tables with CIs for every kommun, region and Riket), :func:`counts_available`
    and the source check: only the sources whose catalogue recipe for ``e0``
    is a life table (:data:`LIFE_TABLE_SOURCES`) can serve this – ``kolada``
    is refused in Swedish, never read as another source.
:mod:`helpers.sources.mortality_compare`
    :func:`compare_with_county` (kommun versus county and Riket, taking the
    overlap into account; the method is in :mod:`helpers.stats.lifetable_compare`,
    with :func:`county_range` and :func:`parent_difference`).
:mod:`helpers.sources.mortality_education`
    :func:`e30_by_education` (remaining life expectancy at 30 by education).

This module itself holds the published reference values (:func:`published_e0`),
provenance helpers and the parameter file of notebook 02.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from helpers.core import indicators, lookup, paths
from helpers.core.errors import DataError, Problem
from helpers.sources import scb
from helpers.sources.demo import mortality as demo_mortality
from helpers.sources.mortality_compare import compare_with_county
from helpers.sources.mortality_counts import (
    LIFE_TABLE_SOURCES,
    LIFE_TABLE_WHAT,
    REFERENCE_FILES,
    SCB_COUNT_TABLES,
    Counts,
    _reference_file,
    abridged_counts,
    check_source,
    counts_available,
    deaths_population,
    kommun_life_expectancy,
    normalize_periods,
    scb_counts,
    source_label,
    unavailable_reason,
)
from helpers.sources.mortality_education import (
    E30_INDICATOR,
    E30_SOURCES,
    EDUCATION_LEVELS,
    check_e30_source,
    e30_by_education,
    e30_from_scb_frame,
    e30_source_label,
)
from helpers.stats.lifetable_compare import (
    RANGE_CI_COLUMNS,
    VERDICT_HIGHER,
    VERDICT_LOWER,
    VERDICT_NONE,
    VERDICT_SAME,
    county_range,
    parent_difference,
)

#: The sources :func:`notebook_parameters` accepts: those of the catalogue (not a
#: list of its own; see :data:`helpers.sources.mortality_counts.LIFE_TABLE_SOURCES`).
DATA_SOURCES: Sequence[str] = LIFE_TABLE_SOURCES
#: Indicator id of published e0 per kommun (reference file).
PUBLISHED_E0_INDICATOR = "e0_publicerad"
#: Parameters of notebook 02 and their types (validated by :func:`notebook_parameters`).
NOTEBOOK_PARAMETERS: dict[str, type] = {"lan_code": str, "data_source": str}


def clear_memo() -> None:
    """Forget everything memoized by the mortality loaders (tests; after new raw data)."""
    from helpers.sources import mortality_compare, mortality_counts, mortality_education

    for module in (mortality_counts, mortality_compare, mortality_education):
        module.clear_memo()


# -- published values (reference data) -------------------------------------------------------------
def published_e0(lan_code: str | None = None) -> pd.DataFrame:
    """Return SCB's published e0 per kommun (five-year periods) from the reference data.

    The file covers every county except Dalarna (län 20); for Dalarna the
    result is empty.

    Parameters
    ----------
    lan_code : str, optional
        Keep one county's kommuner.

    Returns
    -------
    pandas.DataFrame
        Indicator table, indicator :data:`PUBLISHED_E0_INDICATOR`, flag ``ej bedömd``.

    Raises
    ------
    DataError
        If the reference folder is absent.
    """
    df = pd.read_csv(_reference_file("e0"), dtype={"kommunkod": str})
    if lan_code is not None:
        lookup.region_code(lan_code)
        df = df[df["kommunkod"].str[:2] == lan_code]
    years = df["period"].str.extract(r"(\d{4})\D+(\d{4})")
    out = pd.DataFrame(
        {
            "area_code": df["kommunkod"],
            "area_name": df["kommun"],
            "area_type": "kommun",
            "period": years[1].astype(int),
            "period_label": years[0] + "–" + years[1],
            "sex": df["sex"].map(demo_mortality.SEX_LABELS),
            "indicator": PUBLISHED_E0_INDICATOR,
            "value": df["e0"].astype(float),
            "flag": indicators.FLAG_NOT_ASSESSED,
        }
    )
    if out.empty:
        return indicators.empty()
    return indicators.make(out, source=e30_source_label("referens"))


# -- provenance -----------------------------------------------------------------------------------
def provenance_url_parts(data_source: str) -> list[str]:
    """Return URL fragments of the raw files used (for :func:`helpers.core.provenance.collect`)."""
    source = check_source(data_source)
    if source == "demo":
        return list(demo_mortality.demo_urls().values())
    if source == "scb":
        return [scb.TAB_E30_EDUCATION_LAN, *[t for t in SCB_COUNT_TABLES.values() if t]]
    return []


def reference_files_markdown(data_source: str) -> str:
    """Return a Swedish Markdown list of the reference files read in place (empty otherwise).

    Reference files are not in the raw cache (they are never copied into the
    project), so their sha256 is listed here for the report's provenance.
    """
    if check_source(data_source) != "referens":
        return ""
    lines = ["**Referensfiler** (lästa där de ligger, ../shared/reference/scb):", ""]
    for key in ("deaths", "population", "e30"):
        path = _reference_file(key)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        lines.append(f"- `{path.name}` (sha256 `{digest}`)")
    return "\n".join(lines)


# -- notebook parameters ------------------------------------------------------------------------
def notebook_parameters(path: str | Path) -> dict[str, str]:
    """Read and validate a parameter file for notebook 02 (e.g. ``params/referens_scb.yaml``).

    Parameters
    ----------
    path : str or Path
        YAML mapping with ``lan_code`` (two digits, quoted) and ``data_source``
        (one of :data:`DATA_SOURCES`); relative paths are taken from the project root.

    Returns
    -------
    dict of str to str
        The parameters, ready for ``papermill.execute_notebook(parameters=...)``.

    Raises
    ------
    DataError
        Every problem at once (unknown keys, wrong types, unknown län or source),
        naming the file and line.
    """
    from helpers.config import params

    p = Path(path)
    p = p if p.is_absolute() else paths.project_root() / p
    doc = params.read_yaml(p)
    lines = getattr(doc, "lines", {}) or {}
    problems: list[Problem] = []
    if not isinstance(doc, dict):
        raise DataError(Problem("filen ska innehålla nyckel: värde-par", file=p.name))
    for key, value in doc.items():
        row = lines.get(key)
        if key not in NOTEBOOK_PARAMETERS:
            problems.append(
                Problem(
                    f"okänd nyckel '{key}' (tillåtna: {', '.join(NOTEBOOK_PARAMETERS)})",
                    p.name,
                    row,
                )
            )
        elif not isinstance(value, NOTEBOOK_PARAMETERS[key]):
            problems.append(Problem(f"'{key}' ska vara text inom citattecken", p.name, row))
        elif key == "lan_code" and value not in set(lookup.lan()["lan_code"]):
            problems.append(Problem(f"okänd länskod '{value}'", p.name, row))
        elif key == "data_source" and value not in DATA_SOURCES:
            problems.append(
                Problem(
                    f"okänd datakälla '{value}' (välj en av: {', '.join(DATA_SOURCES)})",
                    p.name,
                    row,
                )
            )
    if problems:
        raise DataError(problems)
    return {str(k): str(v) for k, v in doc.items()}


__all__ = [
    "DATA_SOURCES",
    "E30_INDICATOR",
    "E30_SOURCES",
    "EDUCATION_LEVELS",
    "LIFE_TABLE_SOURCES",
    "LIFE_TABLE_WHAT",
    "RANGE_CI_COLUMNS",
    "REFERENCE_FILES",
    "SCB_COUNT_TABLES",
    "VERDICT_HIGHER",
    "VERDICT_LOWER",
    "VERDICT_NONE",
    "VERDICT_SAME",
    "Counts",
    "abridged_counts",
    "check_e30_source",
    "check_source",
    "clear_memo",
    "compare_with_county",
    "counts_available",
    "county_range",
    "deaths_population",
    "e30_by_education",
    "e30_from_scb_frame",
    "e30_source_label",
    "kommun_life_expectancy",
    "normalize_periods",
    "notebook_parameters",
    "parent_difference",
    "provenance_url_parts",
    "published_e0",
    "reference_files_markdown",
    "scb_counts",
    "source_label",
    "unavailable_reason",
]
