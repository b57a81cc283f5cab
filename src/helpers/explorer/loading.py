"""Loading the explorer's data (I/O): demo files, Kolada, the user's survey extract.

Data are loaded when an indicator is first chosen and kept in memory for the
kernel's lifetime (a :class:`helpers.core.memo.Memo` keyed on the project root
and the data source):

* life expectancy: :func:`helpers.sources.life_expectancy.life_expectancy` (demo or Kolada, whose
  downloads are cached in ``data/raw/kolada`` – a cached run needs no network);
* life expectancy with CIs: the demo deaths and population
  (:mod:`helpers.sources.demo.mortality`) through
  :func:`helpers.explorer.indicator_tables.life_table_indicator`;
* survey indicators: the demo extract (:func:`helpers.sources.demo.survey.load_survey_demo`)
  or the user's own extract and variable map (:mod:`helpers.sources.survey_files`).
  The sampling design (strata, PSU, fpc) is built from the variable map
  (:meth:`helpers.stats.survey_design.SurveyDesign.from_variable_map`) and recorded
  on the microdata frame, so the estimates and comparisons of the explorer use the
  same design – and the same intervals – as the report and the survey notebook;
* further Kolada indicators and the similar-kommuner groups:
  :func:`helpers.sources.strategi.load` (demo or Kolada).

The data source is checked against the registry (:mod:`helpers.config.sources`);
an indicator that the source cannot serve is refused in Swedish.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from helpers.core import paths
from helpers.core.errors import DataError, SourceError
from helpers.core.fmt import SYNTHETIC_LABEL
from helpers.core.memo import Memo
from helpers.explorer.indicator_tables import (
    life_table_indicator,
    survey_indicator,
    survey_significance,
)
from helpers.explorer.specs import (
    FAMILY_KOLADA,
    FAMILY_LIFE_EXPECTANCY,
    FAMILY_LIFE_TABLE,
    FAMILY_SURVEY,
    IndicatorSpec,
    available_indicators,
    check_explorer_source,
)
from helpers.sources import life_expectancy as data

_MEMO = Memo("explorer")


def _memo(key: tuple, make: Callable[[], Any]) -> Any:
    """Return ``make()`` once per key and project root (tests switch roots)."""
    return _MEMO.get((str(paths.project_root()), *key), make)


def clear_cache() -> None:
    """Forget every table loaded by the explorers of this kernel."""
    _MEMO.clear()


def load_microdata(
    survey_extract: str | Path | None = None, variable_map: str | Path | None = None
) -> pd.DataFrame:
    """Return survey microdata: the user's extract, or the synthetic demo extract.

    Parameters
    ----------
    survey_extract : str or Path, optional
        A survey extract (CSV, XLSX or SPSS) read with ``variable_map``
        (:func:`helpers.sources.survey_files.read_microdata`); default the demo extract.
    variable_map : str or Path, optional
        The extract's variable map (required with ``survey_extract``).

    Returns
    -------
    pandas.DataFrame
        Canonical microdata carrying the map's
        :class:`~helpers.stats.survey_design.SurveyDesign` (``attrs``), which the
        estimators use.
    """
    from helpers.config import variable_map as config_variable_map
    from helpers.stats.survey_design import SurveyDesign

    if survey_extract is None:
        from helpers.sources.demo import survey as demo_survey

        def demo() -> pd.DataFrame:
            vmap_path = paths.project_file(f"params/{demo_survey.VARIABLE_MAP_NAME}")
            vmap = config_variable_map.load_variable_map(vmap_path)
            micro = demo_survey.load_survey_demo(variable_map=vmap_path)[0]
            return SurveyDesign.from_variable_map(vmap).attach(micro)

        return _memo(("enkat", "demo"), demo)
    if variable_map is None:
        raise DataError("Ange en variabelkarta (variable_map) för enkätextraktet")
    from helpers.sources import survey_files as survey_io

    def read() -> pd.DataFrame:
        vmap = config_variable_map.load_variable_map(variable_map)
        micro = survey_io.read_microdata(survey_extract, vmap)
        return SurveyDesign.from_variable_map(vmap).attach(micro)

    return _memo(("enkat", str(survey_extract), str(variable_map)), read)


def load_table(
    spec: IndicatorSpec,
    data_source: str = "demo",
    *,
    survey_extract: str | Path | None = None,
    variable_map: str | Path | None = None,
    survey_source: str | None = None,
    params: Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """Return the indicator table behind one explorer indicator.

    Parameters
    ----------
    spec : IndicatorSpec
        The indicator (:data:`helpers.explorer.explore.INDICATORS`).
    data_source : {"demo", "kolada"}
        Data source.
    survey_extract, variable_map : str or Path, optional
        A survey extract of the user's own (survey indicators).
    survey_source : str, optional
        Attribution of that extract (default "Källa: eget enkätextrakt").
    params : mapping, optional
        Workbook parameters (``disclosure.min_n`` for survey indicators).

    Returns
    -------
    pandas.DataFrame
        Indicator table (all areas the source has).

    Raises
    ------
    DataError
        The indicator is not available for this data source.
    SourceError
        Kolada could not be reached and nothing is cached.
    """
    check_explorer_source(data_source)
    offered = {s.key for s in available_indicators(data_source, survey_extract is not None)}
    if spec.key not in offered:
        raise DataError(
            f"{spec.label} finns inte för datakällan '{data_source}'"
            + (" – ange ett eget enkätextrakt" if spec.family == FAMILY_SURVEY else "")
        )
    if spec.family == FAMILY_LIFE_EXPECTANCY:
        return _memo(("le", data_source), lambda: data.life_expectancy(data_source))
    if spec.family == FAMILY_LIFE_TABLE:
        return _memo(("livstabell", data_source), _life_table_demo)
    if spec.family == FAMILY_KOLADA:
        table = _memo(("kolada", data_source), lambda: _strategi_table(data_source))
        return table[table["indicator"].isin(spec.indicator_ids)].reset_index(drop=True)
    if spec.family == FAMILY_SURVEY:
        micro = load_microdata(survey_extract, variable_map)
        source = (
            SYNTHETIC_LABEL
            if survey_extract is None
            else (survey_source or "Källa: eget enkätextrakt")
        )
        from helpers.stats.disclosure import min_n_from_params

        key = ("enkat-tabell", str(survey_extract), spec.key, min_n_from_params(params))
        return _memo(key, lambda: survey_indicator(micro, spec, source, params))
    raise DataError(f"Okänd indikatorfamilj '{spec.family}'")


def load_significance(
    spec: IndicatorSpec,
    survey_extract: str | Path | None = None,
    variable_map: str | Path | None = None,
) -> pd.DataFrame | None:
    """Return each kommun against its county for a survey indicator (``None`` for others)."""
    if spec.family != FAMILY_SURVEY:
        return None
    micro = load_microdata(survey_extract, variable_map)
    return _memo(
        ("enkat-jamforelse", str(survey_extract), spec.key),
        lambda: survey_significance(micro, spec),
    )


def _life_table_demo() -> pd.DataFrame:
    from helpers.sources.demo import base as demo
    from helpers.sources.demo import mortality as demo_mortality

    cache = demo.demo_cache()
    deaths_entry, population_entry, _e30 = demo_mortality.write_mortality_demo(cache)
    deaths = pd.read_csv(cache.path(deaths_entry), dtype={"kommunkod": "string"})
    population = pd.read_csv(cache.path(population_entry), dtype={"kommunkod": "string"})
    source = f"{SYNTHETIC_LABEL} (livstabell från döda och folkmängd, som SCB:s)"
    return life_table_indicator(deaths, population, source)


def _strategi_table(data_source: str) -> pd.DataFrame:
    """Return the prepared Strategi-för-hälsa table (the Kolada KPIs the explorer offers)."""
    from helpers.report import strategi as strategi_section

    _goals, table, groups, _ranks = strategi_section.prepared(data_source)
    _MEMO.put((str(paths.project_root()), "grupper", data_source), groups)
    return table


def load_peer_groups(data_source: str = "demo") -> list[dict]:
    """Return Kolada's municipality groups (demo: the synthetic ones).

    Read through :func:`helpers.sources.strategi.load_groups`, kept for the kernel.

    Raises
    ------
    SourceError
        Kolada could not be reached and nothing is cached.
    """

    def make() -> list[dict]:
        from helpers.sources import strategi as data_strategi

        return data_strategi.load_groups(data_source)

    return _memo(("grupper", data_source), make)


def similar_kommuner(kommun: str, data_source: str = "demo") -> tuple[tuple[str, ...], str]:
    """Return the members of the kommun's "Liknande kommuner socioekonomi" group.

    Returns
    -------
    (tuple of str, str)
        Member kommun codes and ``""``, or ``()`` and a Swedish message.
    """
    from helpers.sources import kolada_tables

    try:
        group = kolada_tables.find_similar_group(kommun, load_peer_groups(data_source))
    except (DataError, SourceError, OSError) as exc:
        return (), f"Liknande kommuner kunde inte hämtas: {exc}"
    members = tuple(m for m in group.members if m != kommun)
    if not members:
        return (), f"Gruppen '{group.title}' har inga andra kommuner"
    return members, ""
