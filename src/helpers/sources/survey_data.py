"""Survey microdata for the survey chapters: the synthetic demo extract or a user's own extract.

Notebooks and report sections call :func:`survey_microdata` with the
``data_source`` parameter and get the same canonical frames whichever source is
used, so an analysis written on the demo data runs unchanged on a region's own
extract:

The accepted sources are the registry's (:mod:`helpers.config.sources`) whose
catalogue recipe for a survey indicator is a ``survey_variable``
(:func:`survey_sources`; today ``demo`` and ``extrakt``); any other source is
refused in Swedish by :func:`helpers.config.sources.check_source`. Names and
directions of the survey indicators come from the catalogue
(:func:`indicator_for`); the variable map's ``label`` is only the extract's own
description, used for answer variables the catalogue does not know.

* ``data_source="demo"`` reads (and if needed builds) the synthetic Dalarna
  extract of :mod:`helpers.sources.demo.survey` with ``params/survey_variables_demo.yaml``,
  together with its population table (SYNTETISKA DEMODATA – inte verkliga värden);
* ``data_source="extrakt"`` (with ``extract_path``) or a path given directly as
  ``data_source`` reads a user's microdata file (CSV in the Swedish Excel dialect,
  XLSX or SPSS ``.sav``) through :func:`helpers.sources.survey_files.read_microdata` with the
  user's variable map. A population table (:func:`helpers.sources.survey_files.read_population`)
  is optional; without one, the calibrated weights stand in for the population
  when the response pattern is judged.

Relative paths are taken from the project root (:func:`helpers.core.paths.project_root`),
never from the working directory, so the same parameters work from JupyterLab,
papermill (which runs notebooks in ``notebooks/``) and the command line; files
shipped with the workbook (the demo variable map) are found in its checkout
when the root is elsewhere.

The sampling design (strata, PSUs/clusters, finite population correction) is
built once from the variable map (:meth:`helpers.stats.survey_design.SurveyDesign.from_variable_map`)
and travels with the data as :attr:`SurveyData.design` – also recorded on the
microdata frame itself (``attrs``), so every estimator given these microdata
uses the mapped PSU column even where a caller does not pass the design.

Results are memoized in-process (:class:`helpers.core.memo.Memo`) on the files' paths, sizes and modification
times (and the project root), so report sections that ask for the same extract
for every kommun read it once. Callers get copies and cannot change the memo.

:func:`riket_reference` supplies national values to compare with when the
extract covers only one county (a regional extract cannot estimate Sweden).
For the demo these are synthetic, written once to ``data/raw/demo`` as an
aggregated table and read back with :func:`helpers.sources.survey_files.read_aggregated`.

:func:`notebook_parameters` reads and checks a parameter file for
``notebooks/03_levnadsvanor_enkat.ipynb`` (e.g.
``params/survey_egen_extrakt_exempel.yaml``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from helpers.config import catalogue, survey_input
from helpers.config import sources as source_registry
from helpers.config.catalogue import Indicator
from helpers.config.variable_map import VariableMap, load_variable_map
from helpers.core import indicators, lookup, paths
from helpers.core.cache import RawCache, sha256_bytes
from helpers.core.errors import DataError, Problem
from helpers.core.fmt import SYNTHETIC_LABEL, excel_csv
from helpers.core.memo import Memo
from helpers.sources import survey_aggregated
from helpers.sources import survey_files as survey_io
from helpers.sources.demo import survey as demo_survey
from helpers.stats import survey_design
from helpers.stats.survey_design import SurveyDesign

#: What the survey sources serve, for :func:`helpers.config.sources.check_source`.
SURVEY_WHAT = "enkätdata"
#: Extract file suffixes accepted when ``data_source`` is the path of an extract itself.
_EXTRACT_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm", ".sav", ".zsav")
#: Default variable map (relative to the project root).
DEFAULT_VARIABLE_MAP = f"params/{demo_survey.VARIABLE_MAP_NAME}"
#: The survey notebook whose parameters :func:`notebook_parameters` checks.
SURVEY_NOTEBOOK = "notebooks/03_levnadsvanor_enkat.ipynb"
#: Parameters of the survey notebook and their types (``min_n`` = ``disclosure.min_n``).
NOTEBOOK_PARAMETERS: dict[str, type] = {
    "lan_code": str,
    "data_source": str,
    "extract_path": str,
    "variable_map": str,
    "variables": list,
    "min_n": int,
    "pool_years": int,
    "survey_input": dict,
}
#: Kind of data (the answer to "register eller enkät?").
KIND_SURVEY = "enkät (urvalsundersökning)"

# Synthetic national values for the demo (percent), only meant to look familiar.
_DEMO_RIKET_PERCENT: dict[str, dict[int, float]] = {
    "daily_smoking": {2012: 11.0, 2016: 9.0, 2020: 7.4, 2024: 5.8},
    "risk_alcohol": {2012: 16.6, 2016: 16.2, 2020: 15.8, 2024: 15.1},
    "good_health": {2012: 72.2, 2016: 73.4, 2020: 74.1, 2024: 73.2},
    "physical_inactivity": {2012: 13.4, 2016: 13.1, 2020: 13.3, 2024: 12.6},
}
_DEMO_RIKET_N = {2012: 41_000, 2016: 39_000, 2020: 37_000, 2024: 35_000}
_DEMO_RIKET_DEFF = 1.6
_DEMO_RIKET_VERSION = 1

_MEMO = Memo("enkat_mikrodata")


@dataclass(frozen=True)
class SurveyData:
    """Canonical survey microdata with its population and what is known about its origin.

    Attributes
    ----------
    microdata : pandas.DataFrame
        One row per respondent (:func:`helpers.sources.survey_files.read_microdata`).
    population : pandas.DataFrame or None
        Population by year, kommun, sex, age group and education
        (:func:`helpers.sources.survey_files.read_population`), if available.
    source : str
        Attribution for tables and charts (the synthetic label for the demo).
    labels : dict of str to str
        Swedish label of each answer variable.
    origin : dict of str to str
        ``name`` (the extract as named in the variable map), ``file``,
        ``variable_map``, ``population_file``, ``kind`` (register or survey)
        and ``sha256`` of the extract file.
    data_source : str
        ``"demo"`` or ``"extrakt"``.
    design : SurveyDesign
        The sampling design from the variable map (weight, strata, PSU, fpc);
        pass it to the estimators (it is also on ``microdata.attrs``).
    key : tuple
        Identity of the inputs (paths, sizes, modification times), for memoizing
        analyses built on these data.
    """

    microdata: pd.DataFrame
    population: pd.DataFrame | None
    source: str
    labels: dict[str, str]
    origin: dict[str, str]
    data_source: str
    design: SurveyDesign = field(default_factory=SurveyDesign)
    key: tuple = field(default=(), compare=False)

    def __post_init__(self) -> None:
        self.design.attach(self.microdata)

    @property
    def is_demo(self) -> bool:
        """True for the synthetic demo extract."""
        return self.data_source == "demo"

    @property
    def lan_codes(self) -> list[str]:
        """Two-digit codes of the counties the extract covers, sorted."""
        return sorted(set(lookup.lan_code_of(self.microdata["kommun"].astype(str))))

    @property
    def years(self) -> list[int]:
        """Survey years in the extract, sorted."""
        return sorted(int(y) for y in self.microdata["year"].unique())

    @property
    def answer_variables(self) -> list[str]:
        """Names of the yes/no answer columns."""
        return list(self.labels)

    def label(self, variable: str) -> str:
        """Return the Swedish name of ``variable``: the catalogue's, else the map's label, else the name."""
        ind = indicator_for(variable, self.data_source)
        if ind is not None:
            return ind.name
        return self.labels.get(variable) or variable

    def indicator(self, variable: str) -> Indicator | None:
        """Return the catalogue entry whose ``survey_variable`` recipe is ``variable`` (or None)."""
        return indicator_for(variable, self.data_source)

    def copy(self) -> SurveyData:
        """Return a copy whose frames can be changed without touching the memo."""
        return SurveyData(
            microdata=self.microdata.copy(),
            population=None if self.population is None else self.population.copy(),
            source=self.source,
            labels=dict(self.labels),
            origin=dict(self.origin),
            data_source=self.data_source,
            design=self.design,
            key=self.key,
        )

    def answered(self, variable: str) -> int:
        """Return how many respondents answered ``variable`` (0 when every answer is missing)."""
        return int(pd.to_numeric(self.microdata[variable], errors="coerce").notna().sum())


def survey_indicators() -> list[Indicator]:
    """Return the catalogue's survey indicators (a ``survey_variable`` recipe for some source)."""
    return [
        ind
        for ind in catalogue.load()
        if any("survey_variable" in recipe for recipe in ind.sources.values())
    ]


def indicator_for(variable: str, source: str | None = None) -> Indicator | None:
    """Return the catalogue indicator whose ``survey_variable`` is ``variable`` (for ``source``).

    Parameters
    ----------
    variable : str
        Answer variable of the variable map (e.g. ``"daily_smoking"``).
    source : str, optional
        Only recipes of this source count (default: any source).

    Returns
    -------
    Indicator or None
        None for answer variables the catalogue does not know (e.g. a region's own questions).
    """
    for ind in survey_indicators():
        for name, recipe in ind.sources.items():
            if (source is None or name == source) and recipe.get("survey_variable") == variable:
                return ind
    return None


def survey_sources(variables: Sequence[str] = ()) -> tuple[str, ...]:
    """Return the sources that can serve survey estimates (for ``variables``, if given).

    A source qualifies when its catalogue recipe for the survey indicators is a
    ``survey_variable`` – for every requested variable the catalogue knows, or
    for some survey indicator when none is known (a region's own questions).
    """
    known = [ind for ind in (indicator_for(v) for v in variables) if ind is not None]
    inds = known or survey_indicators()
    test = all if known else any
    return tuple(
        s
        for s in source_registry.names()
        if test("survey_variable" in ind.sources.get(s, {}) for ind in inds)
    )


def check_survey_source(data_source: object, variables: Sequence[str] = ()) -> str:
    """Validate ``data_source`` for survey data through the registry (Swedish error otherwise)."""
    return source_registry.check_source(
        data_source, allowed=survey_sources(variables), what=SURVEY_WHAT
    )


def _resolve(path: str | Path) -> Path:
    """Return ``path`` as an absolute path; relative paths are taken from the project root.

    A relative path that does not exist under the project root but does in the
    workbook's own checkout (e.g. ``params/survey_variables_demo.yaml`` when
    ``FOLKHALSA_ROOT`` points elsewhere) is taken from the checkout.
    """
    return paths.project_file(Path(path).expanduser())


def _stamp(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return (str(path), st.st_size, st.st_mtime_ns)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(paths.project_root().resolve()))
    except ValueError:
        return str(path)


def _check_file(path: Path, what: str, parameter: str) -> None:
    if not path.is_file():
        raise DataError(
            Problem(
                f"{what} finns inte (parametern {parameter}; relativa sökvägar räknas från "
                f"projektets rot {paths.project_root()}).",
                file=_shown(path),
            )
        )


def survey_microdata(
    data_source: str = "demo",
    variable_map: str | Path | None = None,
    *,
    extract_path: str | Path | None = None,
    population_path: str | Path | None = None,
) -> SurveyData:
    """Return survey microdata (and population, if known) from the demo or a user's extract.

    Parameters
    ----------
    data_source : str
        ``"demo"`` for the synthetic Dalarna extract; ``"extrakt"`` for the file
        in ``extract_path``; or the path of an extract itself.
    variable_map : str or Path, optional
        The variable map (YAML). Default :data:`DEFAULT_VARIABLE_MAP`; required in
        practice for a user's extract, whose column names and codes are its own.
    extract_path : str or Path, optional
        The extract when ``data_source="extrakt"``.
    population_path : str or Path, optional
        Population table for an extract (columns
        :data:`helpers.sources.survey_files.POPULATION_COLUMNS`). The demo has its own.

    Returns
    -------
    SurveyData
        Microdata, population, source line, labels and origin. Memoized; the
        frames are copies.

    Raises
    ------
    DataError
        Unknown data source, missing files (naming the parameter), or any
        problem in the extract, the variable map or the population table.
    """
    source = str(data_source).strip() if isinstance(data_source, str | Path) else data_source
    if isinstance(data_source, Path) or (
        isinstance(source, str)
        and source not in source_registry.SOURCES
        and Path(source).suffix.lower() in _EXTRACT_SUFFIXES
    ):
        path: Path | None = _resolve(source)  # the path of an extract given as data_source
        source = "extrakt"
    else:
        check_survey_source(source)
        path = None
    vmap_path = _resolve(variable_map or DEFAULT_VARIABLE_MAP)
    _check_file(vmap_path, "variabelkartan", "variable_map")
    root = str(paths.project_root())
    if source == "demo":
        if extract_path:
            raise DataError(
                "extract_path är angiven men data_source är 'demo' – sätt data_source = "
                "'extrakt' för att läsa ditt eget extrakt, eller töm extract_path"
            )
        key: tuple = ("demo", root, _stamp(vmap_path), demo_survey.DEMO_SEED)

        def make_demo() -> SurveyData:
            vmap = load_variable_map(vmap_path)
            micro, pop = demo_survey.load_survey_demo(variable_map=vmap_path)
            extract_entry = demo_survey.write_survey_demo()[0]
            return SurveyData(
                microdata=micro,
                population=pop,
                source=SYNTHETIC_LABEL,
                labels=dict(micro.attrs.get("labels", {})),
                origin={
                    "name": "Syntetiskt HLV-extrakt, Region Dalarna (helpers.sources.demo.survey)",
                    "file": str(micro.attrs.get("file", "")),
                    "variable_map": _shown(vmap_path),
                    "population_file": "demobefolkning 16–84 år (helpers.sources.demo.survey)",
                    "kind": KIND_SURVEY,
                    "sha256": extract_entry.sha256,
                },
                data_source="demo",
                design=SurveyDesign.from_variable_map(vmap),
                key=key,
            )

        return _MEMO.get(key, make_demo).copy()

    if path is None:
        if not extract_path:
            raise DataError(
                "data_source är 'extrakt' men extract_path är tom – ange sökvägen till extraktet"
            )
        path = _resolve(extract_path)
    _check_file(path, "extraktet", "extract_path")
    pop_path = _resolve(population_path) if population_path else None
    if pop_path is not None:
        _check_file(pop_path, "befolkningstabellen", "population_path")
    key = (
        "extrakt",
        root,
        _stamp(path),
        _stamp(vmap_path),
        _stamp(pop_path) if pop_path else None,
    )

    def make_extract() -> SurveyData:
        vmap = load_variable_map(vmap_path)
        micro = survey_io.read_microdata(path, vmap)
        design = SurveyDesign.from_variable_map(vmap)
        _check_design(micro, design, vmap, path.name)
        pop = survey_io.read_population(pop_path) if pop_path else None
        name = vmap.name or path.name
        return SurveyData(
            microdata=micro,
            population=pop,
            source=f"Källa: {name}",
            labels={a.name: a.label for a in vmap.answers.values()},
            origin={
                "name": name,
                "file": path.name,
                "variable_map": _shown(vmap_path),
                "population_file": pop_path.name if pop_path else "",
                "kind": KIND_SURVEY,
                "sha256": sha256_bytes(path.read_bytes()),
            },
            data_source="extrakt",
            design=design,
            key=key,
        )

    return _MEMO.get(key, make_extract).copy()


def _check_design(micro: pd.DataFrame, design: SurveyDesign, vmap: VariableMap, file: str) -> None:
    """Refuse an fpc that is not one population size per stratum, naming the extract's column.

    Checked when the extract is read (not first when a number is estimated), with
    :func:`helpers.stats.survey_design.build_design`: the same rules the estimator applies.
    """
    if design.fpc is None:
        return
    try:
        survey_design.build_design(micro.reset_index(drop=True), design, file)
    except DataError as exc:
        column = vmap.variables["fpc"].column or "fpc"
        raise DataError(
            [
                dataclasses.replace(p, column=column) if p.column == design.fpc else p
                for p in exc.problems
            ]
        ) from None


def clear_memo() -> None:
    """Forget every memoized extract (tests, or after replacing a file in place)."""
    _MEMO.clear()


def check_variables(data: SurveyData, variables: Sequence[str]) -> list[str]:
    """Check that every requested variable is a yes/no answer of the extract.

    Parameters
    ----------
    data : SurveyData
        The loaded extract.
    variables : sequence of str
        Answer variables asked for (e.g. the notebook's ``variables``).

    Returns
    -------
    list of str
        The variables, in the order given, without duplicates.

    Raises
    ------
    DataError
        Naming every unknown variable and the ones the variable map defines.
    """
    if isinstance(variables, str):
        variables = [variables]
    wanted = list(dict.fromkeys(str(v) for v in variables))
    if not wanted:
        raise DataError("Ange minst en svarsvariabel i variables, t.ex. ['daily_smoking']")
    known = data.answer_variables
    bad = [v for v in wanted if v not in known]
    if bad:
        raise DataError(
            [
                Problem(
                    f"svarsvariabeln '{v}' finns inte i variabelkartan (kartan har: "
                    f"{', '.join(known) or 'inga'})",
                    file=data.origin.get("variable_map"),
                    column="answers",
                )
                for v in bad
            ]
        )
    return wanted


def direction(variable: str) -> str | None:
    """Return ``"lower_is_better"``/``"higher_is_better"`` from the catalogue's ``better``, else None."""
    ind = indicator_for(variable)
    if ind is None or ind.higher_is_better is None:
        return None
    return "higher_is_better" if ind.higher_is_better else "lower_is_better"


# -- national reference --------------------------------------------------------------------
def _demo_riket_csv() -> bytes:
    """Synthetic national values as an aggregated table (percent with a 95 % interval)."""
    rows = []
    for variable, series in _DEMO_RIKET_PERCENT.items():
        for year, pct in series.items():
            n = _DEMO_RIKET_N[year]
            p = pct / 100
            half = 1.96 * math.sqrt(_DEMO_RIKET_DEFF * p * (1 - p) / n) * 100
            rows.append(
                {
                    "område": lookup.RIKET_CODE,
                    "år": year,
                    "kön": "totalt",
                    "grupp": indicators.ALL_GROUPS,
                    "indikator": variable,
                    "antal_svarande": n,
                    "andel": round(pct, 1),
                    "ki_nedre": round(pct - half, 2),
                    "ki_övre": round(pct + half, 2),
                }
            )
    return excel_csv(pd.DataFrame(rows), decimals=2)


def demo_riket_url() -> str:
    """Return the pseudo-URL under which the synthetic national values are cached."""
    return f"{demo_survey.URL_PREFIX}survey/riket-referens?v={_DEMO_RIKET_VERSION}"


def riket_reference(data: SurveyData, variables: Sequence[str] | None = None) -> pd.DataFrame:
    """Return national values (Riket, ``"0000"``) to compare kommuner and county with.

    A regional extract cannot estimate Sweden. For the demo, synthetic national
    values (written once to ``data/raw/demo`` as an aggregated table, read with
    :func:`helpers.sources.survey_files.read_aggregated`) are returned. For a user's extract
    covering several counties, Sweden is estimated from the microdata itself
    and nothing is returned here; for a one-county extract the result is empty
    (national results from Folkhälsomyndigheten or Kolada, e.g. U01402 with its
    osäkerhetstal U01508, can be read with :mod:`helpers.sources.survey_files` and passed on).

    Parameters
    ----------
    data : SurveyData
        The loaded extract.
    variables : sequence of str, optional
        Answer variables to keep (default all).

    Returns
    -------
    pandas.DataFrame
        Indicator table (percent, with CI and flags), possibly empty.
    """
    if not data.is_demo:
        return indicators.empty()
    cache = RawCache("demo", SYNTHETIC_LABEL)
    url = demo_riket_url()
    entry = cache.lookup(url)
    if entry is None:
        entry = cache.put(
            url,
            _demo_riket_csv(),
            suffix=".csv",
            note=(
                "SYNTETISKA DEMODATA – inte verkliga värden. Rikets andelar (procent, 95 % KI) "
                "för jämförelse med demoextraktet; läses med survey_io.read_aggregated."
            ),
        )
    table = survey_aggregated.read_aggregated(cache.path(entry), source=SYNTHETIC_LABEL)
    if variables is not None:
        table = table[table["indicator"].isin(list(variables))]
    return indicators.validate(table.reset_index(drop=True))


# -- parameters of the survey notebook --------------------------------------------------------
def notebook_parameters(path: str | Path) -> dict[str, object]:
    """Read and check a parameter file for the survey notebook (``notebooks/03_…``).

    :func:`helpers.config.notebook_params.load_notebook_parameters` against
    :data:`SURVEY_NOTEBOOK` and the survey sources, plus the survey's own checks:
    ``variables`` a list of names, ``pool_years`` not negative, and ``extract_path``
    given when ``data_source`` is ``"extrakt"``. Raises :class:`DataError` listing
    every problem.
    """
    from helpers.config.notebook_params import load_notebook_parameters

    def extra(out: dict[str, object]) -> list[tuple[str, str]]:
        found = []
        if "variables" in out and not all(isinstance(v, str) for v in out["variables"]):  # type: ignore[union-attr]
            found.append(("variables", "ska vara en lista med namn (text)"))
        if isinstance(out.get("pool_years"), int) and out["pool_years"] < 0:  # type: ignore[operator]
            found.append(("pool_years", "måste vara 0 (ingen poolning) eller fler år"))
        if out.get("data_source") == "extrakt" and not out.get("extract_path"):
            found.append(("data_source", "är 'extrakt' men extract_path saknas"))
        for message in survey_input.problems(out.get("survey_input") or {}):
            key, _, text = message.partition(": ")
            found.append((key.replace("survey", "survey_input", 1), text))
        return found

    return load_notebook_parameters(
        _resolve(path),
        SURVEY_NOTEBOOK,
        allowed_sources=survey_sources(),
        what=SURVEY_WHAT,
        extra=extra,
    )
