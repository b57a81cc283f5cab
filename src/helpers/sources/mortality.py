"""Deaths and population, life expectancy per kommun with CIs, and e30 by education.

The public entry point for everything computed from deaths and population
(the code lives in three modules; import from them):

:mod:`helpers.sources.mortality_counts`
    :func:`deaths_population` (counts by kommun, sex, single age and year),
    :func:`single_year_counts`, :func:`abridged_counts`, :func:`kommun_life_expectancy`
    (life tables with CIs for every kommun, region and Riket: by default as SCB –
    single years 0–89 closed at 90 with the county, ``method="scb"`` – or the
    abridged PHE table, ``method="chiang"``), :func:`counts_available`
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
provenance helpers and the parameter-file check of notebook 02.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from helpers.core import indicators, lookup
from helpers.sources.demo import mortality as demo_mortality
from helpers.sources.mortality_counts import (
    LIFE_TABLE_SOURCES,
    LIFE_TABLE_WHAT,
    _reference_file,
    check_source,
    scb_count_table_ids,
)
from helpers.sources.mortality_education import (
    e30_source_label,
    e30_table_id,
)

#: Indicator id of published e0 per kommun (reference file).
PUBLISHED_E0_INDICATOR = "e0_publicerad"
#: Notebook 02, whose ``parameters`` cell :func:`notebook_parameters` checks a file against.
NOTEBOOK = "notebooks/02_medellivslangd_utbildning.ipynb"


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
        df = df[lookup.lan_code_of(df["kommunkod"]) == lan_code]
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
        return [e30_table_id(), *[t for t in scb_count_table_ids().values() if t]]
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
def notebook_parameters(path: str | Path) -> dict[str, object]:
    """Read and validate a parameter file for notebook 02 (e.g. ``params/referens_scb.yaml``).

    The keys and types come from the notebook's ``parameters`` cell and the
    sources from the catalogue (:data:`helpers.sources.mortality_counts.LIFE_TABLE_SOURCES`);
    see :func:`helpers.config.notebook_params.load_notebook_parameters`.
    """
    from helpers.config.notebook_params import load_notebook_parameters

    return load_notebook_parameters(
        path, NOTEBOOK, allowed_sources=LIFE_TABLE_SOURCES, what=LIFE_TABLE_WHAT
    )


__all__ = [
    "NOTEBOOK",
    "clear_memo",
    "notebook_parameters",
    "provenance_url_parts",
    "published_e0",
    "reference_files_markdown",
]
