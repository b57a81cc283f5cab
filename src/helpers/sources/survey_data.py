"""Survey microdata for the survey chapters: the synthetic demo extract or a user's own extract.

Notebooks and report sections call :func:`survey_microdata` with the
``data_source`` parameter and get the same canonical frames whichever source is
used, so an analysis written on the demo data runs unchanged on a region's own
extract:

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

Results are memoized in-process on the files' paths, sizes and modification
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

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from helpers.core import indicators, lookup, paths
from helpers.core.cache import RawCache, sha256_bytes
from helpers.core.errors import DataError, Problem
from helpers.core.fmt import SYNTHETIC_LABEL
from helpers.sources import survey_files as survey_io
from helpers.sources.demo import survey as demo_survey

#: Accepted values of ``data_source`` (besides a path to an extract).
SURVEY_SOURCES: tuple[str, ...] = ("demo", "extrakt")
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
}
#: Which end of the scale is good, for the answer variables the workbook knows.
DIRECTIONS: dict[str, str] = {
    "daily_smoking": "lower_is_better",
    "risk_alcohol": "lower_is_better",
    "physical_inactivity": "lower_is_better",
    "good_health": "higher_is_better",
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

_MEMO: dict[tuple, SurveyData] = {}


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
    key: tuple = field(default=(), compare=False)

    @property
    def is_demo(self) -> bool:
        """True for the synthetic demo extract."""
        return self.data_source == "demo"

    @property
    def lan_codes(self) -> list[str]:
        """Two-digit codes of the counties the extract covers, sorted."""
        return sorted(set(self.microdata["kommun"].astype(str).str[:2]))

    @property
    def years(self) -> list[int]:
        """Survey years in the extract, sorted."""
        return sorted(int(y) for y in self.microdata["year"].unique())

    @property
    def answer_variables(self) -> list[str]:
        """Names of the yes/no answer columns."""
        return list(self.labels)

    def label(self, variable: str) -> str:
        """Return the Swedish label of ``variable`` (the name itself when unlabelled)."""
        return self.labels.get(variable) or variable

    def copy(self) -> SurveyData:
        """Return a copy whose frames can be changed without touching the memo."""
        return SurveyData(
            microdata=self.microdata.copy(),
            population=None if self.population is None else self.population.copy(),
            source=self.source,
            labels=dict(self.labels),
            origin=dict(self.origin),
            data_source=self.data_source,
            key=self.key,
        )


def _resolve(path: str | Path) -> Path:
    """Return ``path`` as an absolute path; relative paths are taken from the project root.

    A relative path that does not exist under the project root but does in the
    workbook's own checkout (e.g. ``params/survey_variables_demo.yaml`` when
    ``FOLKHALSA_ROOT`` points elsewhere) is taken from the checkout.
    """
    p = Path(path).expanduser()
    if p.is_absolute():
        return p
    candidate = paths.project_root() / p
    shipped = paths.PACKAGE_DIR.parent.parent / p
    if not candidate.exists() and shipped.exists():
        return shipped
    return candidate


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
    if not isinstance(data_source, str | Path) or not str(data_source).strip():
        raise DataError(
            f"Okänd datakälla {data_source!r} – välj 'demo', 'extrakt' (med extract_path) "
            "eller ange sökvägen till ett extrakt"
        )
    source = str(data_source).strip()
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
        if key not in _MEMO:
            micro, pop = demo_survey.load_survey_demo(variable_map=vmap_path)
            extract_entry = demo_survey.write_survey_demo()[0]
            _MEMO[key] = SurveyData(
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
                key=key,
            )
        return _MEMO[key].copy()

    if source == "extrakt":
        if not extract_path:
            raise DataError(
                "data_source är 'extrakt' men extract_path är tom – ange sökvägen till extraktet"
            )
        path = _resolve(extract_path)
    elif source in ("kolada",):
        raise DataError(
            "Kolada har inga mikrodata från enkäter – välj data_source 'demo' eller 'extrakt' "
            "(ett eget extrakt med extract_path)"
        )
    else:
        path = _resolve(source)
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
    if key not in _MEMO:
        vmap = survey_io.load_variable_map(vmap_path)
        micro = survey_io.read_microdata(path, vmap)
        pop = survey_io.read_population(pop_path) if pop_path else None
        name = vmap.name or path.name
        _MEMO[key] = SurveyData(
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
            key=key,
        )
    return _MEMO[key].copy()


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
    """Return ``"lower_is_better"``/``"higher_is_better"`` for known variables, else ``None``."""
    return DIRECTIONS.get(variable)


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
    return demo_survey.to_csv_bytes(pd.DataFrame(rows), decimals=2)


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
    table = survey_io.read_aggregated(cache.path(entry), source=SYNTHETIC_LABEL)
    if variables is not None:
        table = table[table["indicator"].isin(list(variables))]
    return indicators.validate(table.reset_index(drop=True))


# -- parameters of the survey notebook --------------------------------------------------------
def notebook_parameters(path: str | Path) -> dict[str, object]:
    """Read and check a parameter file for the survey notebook (``notebooks/03_…``).

    The file holds the notebook's parameters as top-level keys (so it also works
    as ``papermill -f``). The disclosure threshold may be written ``min_n: 5`` or,
    as in run files, ``disclosure: {min_n: 5}``.

    Parameters
    ----------
    path : str or Path
        The YAML file (relative paths from the project root).

    Returns
    -------
    dict
        Parameter name -> value, ready for ``papermill.execute_notebook(parameters=...)``.

    Raises
    ------
    DataError
        Listing every problem: unknown key, wrong type, unknown data source, an
        extract source without ``extract_path``, ``min_n`` below 1 or negative
        ``pool_years``, and an unknown län code.
    """
    p = _resolve(path)
    shown = _shown(p)
    if not p.is_file():
        raise DataError(Problem("parameterfilen finns inte", file=shown))
    try:
        doc = yaml.safe_load(p.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataError(
            Problem(
                "ogiltig YAML (kontrollera indrag, kolon och citattecken)",
                file=shown,
                row=None if mark is None else mark.line + 1,
            )
        ) from None
    if not isinstance(doc, Mapping):
        raise DataError(Problem("filen ska innehålla nycklar som 'data_source:'", file=shown))
    doc = dict(doc)
    problems: list[Problem] = []
    if "disclosure" in doc:
        section = doc.pop("disclosure")
        if isinstance(section, Mapping) and set(section) == {"min_n"} and "min_n" not in doc:
            doc["min_n"] = section["min_n"]
        else:
            problems.append(
                Problem("disclosure ska vara {min_n: heltal} (och min_n anges bara en gång)", shown)
            )
    out: dict[str, object] = {}
    for key, value in doc.items():
        if key not in NOTEBOOK_PARAMETERS:
            problems.append(
                Problem(f"okänd nyckel '{key}' (tillåtna: {', '.join(NOTEBOOK_PARAMETERS)})", shown)
            )
            continue
        expected = NOTEBOOK_PARAMETERS[key]
        if isinstance(value, bool) or not isinstance(value, expected):
            if expected is str and isinstance(value, int):
                hint = f' – skriv "{value}" med citattecken'
            elif expected is list and isinstance(value, str):
                hint = f" – skriv en lista: ['{value}']"
            else:
                hint = ""
            problems.append(
                Problem(f"{key}: {value!r} har fel typ, ska vara {expected.__name__}{hint}", shown)
            )
            continue
        out[key] = value
    if "variables" in out and not all(isinstance(v, str) for v in out["variables"]):  # type: ignore[union-attr]
        problems.append(Problem("variables ska vara en lista med namn (text)", shown))
    if isinstance(out.get("min_n"), int) and out["min_n"] < 1:  # type: ignore[operator]
        problems.append(Problem("min_n (röjandekontroll) måste vara minst 1", shown))
    if isinstance(out.get("pool_years"), int) and out["pool_years"] < 0:  # type: ignore[operator]
        problems.append(Problem("pool_years måste vara 0 (ingen poolning) eller fler år", shown))
    ds = out.get("data_source")
    if ds is not None and ds not in SURVEY_SOURCES:
        problems.append(
            Problem(f"data_source {ds!r} – välj 'demo' eller 'extrakt' (med extract_path)", shown)
        )
    if ds == "extrakt" and not out.get("extract_path"):
        problems.append(Problem("data_source är 'extrakt' men extract_path saknas", shown))
    lan = out.get("lan_code")
    if isinstance(lan, str) and lan not in set(lookup.lan()["lan_code"]):
        problems.append(Problem(f"okänd länskod '{lan}' (två siffror, t.ex. '20')", shown))
    if problems:
        raise DataError(problems)
    return out
