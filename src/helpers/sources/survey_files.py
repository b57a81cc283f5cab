"""Read and validate survey microdata and population tables into canonical frames.

**Microdata** (:func:`read_microdata`) – one row per respondent, as a region
receives it for *Hälsa på lika villkor* (HLV) with its supplementary sample,
or for Lupp and school surveys. A *variable map* (YAML in ``params/``, see
:mod:`helpers.config.variable_map`) says which column is which and how the
region's codes map to the workbook's categories, so each region's own column
names and codes work unchanged. The result is a canonical frame with the
columns :data:`CANONICAL_COLUMNS` plus one nullable 0/1 column per answer variable.

**Population** (:func:`read_population`) – population by year, kommun, sex,
age group and education, to compare the respondents with.

Files are read by :mod:`helpers.sources.survey_readers` (CSV in the Swedish
Excel dialect, XLSX, SPSS ``.sav``); aggregated tables and Kolada survey KPIs
are read by :mod:`helpers.sources.survey_aggregated`.

Validation collects *all* problems and raises one
:class:`helpers.core.errors.DataError` whose Swedish message names the file, the
row as the user sees it and the column. The same problem on many rows is shown
for the first :data:`MAX_ROWS_PER_PROBLEM` rows and then counted, and the whole
list is capped at :data:`MAX_PROBLEMS` entries with a closing "… och N problem till".
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.config.survey_cells import (
    EDUCATION_SYNONYMS,
    SEX_SYNONYMS,
    NumberFormat,
    code_key,
    fmt_number,
    is_missing,
    parse_number,
    shown,
)
from helpers.config.variable_map import (
    AnswerSpec,
    VariableMap,
    VariableSpec,
    load_variable_map,
)
from helpers.sources.survey_columns import (
    Result,
    apply_column,
    check_columns,
    check_duplicates,
    check_labels,
    coded,
    kommun_func,
    required_text,
    spec_values,
    year_cell,
)
from helpers.sources.survey_readers import RawTable, open_table

logger = logging.getLogger(__name__)

__all__ = [
    "POPULATION_COLUMNS",
    "read_microdata",
    "read_population",
]

_PURPOSE: dict[str, str] = {
    "respondent_id": "löpnummer",
    "kommun": "kommun",
    "year": "undersökningsår",
    "sex": "kön",
    "age_group": "åldersgrupp",
    "education": "utbildningsnivå",
    "weight": "vikt",
    "stratum": "stratum",
    "psu": "PSU (primär urvalsenhet)",
    "fpc": "populationsstorlek per stratum (fpc)",
}


#: Coded person variables: what they are called, their known names, a blank cell, the problem kind.
_CODED: dict[str, tuple[str, dict[str, str] | None, Result, str]] = {
    "sex": ("kön", SEX_SYNONYMS, (None, "kön saknas."), "oväntat kön"),
    "age_group": ("åldersgrupp", None, (None, "åldersgruppen saknas."), "oväntad åldersgrupp"),
    "education": (
        "utbildningsnivå",
        EDUCATION_SYNONYMS,
        ("okänd", None),
        "oväntad utbildningsnivå",
    ),
}


def _coded(raw: RawTable, spec: VariableSpec, var: str) -> tuple[Callable[[object], Result], str]:
    """Return the converter and problem kind of the coded variable ``var`` (see ``_CODED``)."""
    what, synonyms, blank, kind = _CODED[var]
    return coded(raw, spec, what, synonyms, blank), kind


def _weight(u: object) -> Result:
    x = parse_number(u)
    if x is not None and math.isnan(x):
        return None, "vikten saknas – varje svarande behöver en kalibreringsvikt större än 0."
    if x is None:
        return None, f"{shown(u)} är inte ett tal (vikten skrivs t.ex. 12,75)."
    if x <= 0:
        return None, f"vikten måste vara större än 0 (är {fmt_number(x)})."
    return x, None


def _population_size(u: object) -> Result:
    """Convert the population size of the stratum (fpc): a number greater than 0."""
    x = parse_number(u)
    if x is None or math.isnan(x) or x <= 0:
        return None, f"{shown(u)} är ingen populationsstorlek (fpc) – ange ett tal större än 0."
    return x, None


def _answer_func(raw: RawTable, spec: AnswerSpec) -> Callable[[object], Result]:
    def fmt(codes: frozenset[str]) -> str:
        return ", ".join(sorted(codes)) or "–"

    allowed = (
        f"ja: {fmt(spec.yes)}, nej: {fmt(spec.no)}, saknas: {fmt(spec.missing)} eller tom cell"
    )

    listed = spec.yes | spec.no | spec.missing

    def func(u: object) -> Result:
        if (code_key(u) or "") not in listed and is_missing(u):
            return pd.NA, None
        label = raw.label(spec.column, u)
        for k in (code_key(u), code_key(label) if label else None):
            if k is None:
                continue
            if k in spec.yes:
                return 1, None
            if k in spec.no:
                return 0, None
            if k in spec.missing:
                return pd.NA, None
        return None, (
            f"oväntad kod {shown(u, label)} i svarsvariabeln {spec.name} – variabelkartan "
            f"anger {allowed}."
        )

    return func


def _log_missing_design(
    raw: RawTable, spec: VariableSpec | None, present: set[str], what: str
) -> None:
    """Log how many missing design cells became the map's ``missing`` value."""
    if spec is None or spec.missing is None or spec.column not in present:
        return
    count = sum(is_missing(x) for x in raw.data[spec.column].to_numpy(dtype=object))
    if count:
        logger.info(
            "%s: %d rader saknar %s och får värdet '%s' enligt variabelkartan (missing).",
            raw.file,
            count,
            what,
            spec.missing,
        )


def read_microdata(
    path: str | Path, variable_map: VariableMap | str | Path, *, sheet: str | None = None
) -> pd.DataFrame:
    """Read a survey microdata extract into the canonical frame.

    Parameters
    ----------
    path : str or Path
        A ``.csv`` (Swedish Excel dialect), ``.xlsx`` or ``.sav`` file; opened read-only.
    variable_map : VariableMap or str or Path
        The map, or the path of its YAML file (see :func:`parse_variable_map`).
    sheet : str, optional
        Excel sheet; overrides the map's ``sheet``.

    Returns
    -------
    pandas.DataFrame
        One row per respondent in file order, with columns ``respondent_id``
        (string), ``kommun`` (4-digit string), ``year`` (int64), ``sex``
        (``"kvinnor"``/``"män"``), ``age_group`` (string), ``education`` (one of
        :data:`EDUCATION_LEVELS`; a blank cell is ``"okänd"``), ``weight``
        (float64, > 0), ``stratum`` (string), ``psu`` (string, NA when not
        given), ``fpc`` (float64, population size per stratum; only when the map
        gives it), then one ``Int64`` 0/1/NA column per answer variable.
        ``attrs`` holds ``file``, ``variable_map`` and the answer ``labels``.

    Raises
    ------
    DataError
        Listing every problem (file, row, column): missing or misnamed
        columns (with the closest name), unknown kommun codes, missing,
        non-numeric or non-positive weights, numbers that can be read two
        ways (``"2.105"`` without ``decimal:`` in the map), unexpected codes,
        SPSS value labels that contradict the map, missing strata or PSUs
        (``NA``, ``.`` … included) unless the map gives ``missing:``, Excel
        formulas without a saved value, error values and merged cells,
        respondent ids repeated within a survey year, empty, undecodable or
        mixed-encoding files.

    Notes
    -----
    Respondent ids are checked for uniqueness *within* a survey year, since
    some producers number respondents afresh every year. A missing-value
    spelling in an answer column (``NA``, ``NaN``, ``.``, ``NULL``, ``-``) is a
    missing answer, like an empty cell, unless the map lists it as a code.
    """
    vmap = (
        variable_map if isinstance(variable_map, VariableMap) else load_variable_map(variable_map)
    )
    path = Path(path)
    raw, coll = open_table(path, sheet=sheet or vmap.sheet, separator=vmap.separator)
    needed = [(s.column, _PURPOSE[v]) for v, s in vmap.variables.items() if s.column]
    needed += [(a.column, f"svarsvariabeln {a.name}") for a in vmap.answers.values()]
    present = check_columns(raw, needed, coll)
    n = len(raw.data)
    v = vmap.variables
    check_labels(raw, {k: s for k, s in v.items() if s.column in present}, vmap.answers, coll)
    numbers = vmap.numbers

    def convert(
        var: str, func: Callable[[object], Result], kind: str, number: bool = False
    ) -> np.ndarray | None:
        spec = v.get(var)
        if spec is None or (spec.column is not None and spec.column not in present):
            return None
        return spec_values(raw, spec, func, coll, kind, numbers=numbers if number else None)

    out: dict[str, np.ndarray | None] = {
        "respondent_id": convert("respondent_id", required_text("löpnumret"), "löpnummer saknas"),
        "kommun": convert("kommun", kommun_func(raw, v["kommun"]), "okänd kommun")
        if "kommun" in v
        else None,
        "year": convert("year", year_cell, "ogiltigt årtal", number=True),
    }
    for var in _CODED:
        out[var] = convert(var, *_coded(raw, v[var], var)) if var in v else None
    out["weight"] = convert("weight", _weight, "ogiltig vikt", number=True)
    for var, what in (("stratum", "stratum"), ("psu", "PSU")):
        spec = v.get(var)
        advice = (
            f" – ange {what} på varje rad, eller ange i variabelkartan vad ett saknat värde ska "
            f"bli (variables.{var}.missing)"
        )
        func = required_text(what, spec and spec.missing, advice)
        out[var] = convert(var, func, f"{what} saknas")
        _log_missing_design(raw, spec, present, what)
    fpc = convert("fpc", _population_size, "ogiltig populationsstorlek", number=True)
    answers: dict[str, np.ndarray] = {}
    for spec in vmap.answers.values():
        if spec.column in present:
            answers[spec.name] = apply_column(
                raw, spec.column, _answer_func(raw, spec), coll, "oväntad svarskod"
            )
    ids = out["respondent_id"]
    if ids is not None:
        years = out["year"] if out["year"] is not None else np.full(n, 0, dtype=object)
        id_col = v["respondent_id"].column
        check_duplicates(
            raw,
            list(zip(years, ids, strict=True)),
            id_col,
            coll,
            lambda key, first: (
                f"löpnumret '{key[1]}' förekommer redan på rad {first} (samma undersökningsår) – "
                "varje svarande ska bara finnas på en rad."
            ),
            "dubblerat löpnummer",
        )
    coll.raise_if_any()
    frame = pd.DataFrame(
        {
            "respondent_id": pd.array(out["respondent_id"], dtype="string"),
            "kommun": pd.array(out["kommun"], dtype="string"),
            "year": np.asarray(out["year"], dtype="int64"),
            "sex": pd.array(out["sex"], dtype="string"),
            "age_group": pd.array(out["age_group"], dtype="string"),
            "education": pd.array(out["education"], dtype="string"),
            "weight": np.asarray(out["weight"], dtype="float64"),
            "stratum": pd.array(out["stratum"], dtype="string"),
            "psu": pd.array(out["psu"] if out["psu"] is not None else [pd.NA] * n, dtype="string"),
        }
    )
    if fpc is not None:  # only when the map gives it (finite population correction)
        frame["fpc"] = np.asarray(fpc, dtype="float64")
    for name, values in answers.items():
        frame[name] = pd.array(values, dtype="Int64")
    frame.attrs = {
        "file": path.name,
        "variable_map": vmap.file or vmap.name,
        "labels": {a.name: a.label for a in vmap.answers.values()},
    }
    return frame


# -- population -----------------------------------------------------------------------------
#: Columns of a population table (for comparing respondents with the population).
POPULATION_COLUMNS: tuple[str, ...] = (
    "year",
    "kommun",
    "sex",
    "age_group",
    "education",
    "population",
)


def read_population(
    path: str | Path,
    *,
    sheet: str | None = None,
    separator: str = ";",
    decimal: str | None = None,
    thousands: str | None = None,
) -> pd.DataFrame:
    """Read a population table by year, kommun, sex, age group and education.

    The file has the columns :data:`POPULATION_COLUMNS` with the canonical
    values (``kvinnor``/``män``, the :data:`EDUCATION_LEVELS`, age groups as
    in the microdata), e.g. as written by :mod:`helpers.sources.demo.survey`.

    Parameters
    ----------
    path : str or Path
        ``.csv`` (Swedish Excel dialect) or ``.xlsx``; opened read-only.
    sheet, separator : str, optional
        Excel sheet and CSV separator, as in
        :func:`helpers.sources.survey_readers.read_table`.
    decimal, thousands : str, optional
        How numbers written as text are separated
        (:class:`helpers.config.survey_cells.NumberFormat`); by default decided
        per column, and a value that can be read two ways (``"2.105"``) is refused.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`POPULATION_COLUMNS`; ``population`` as float64.

    Raises
    ------
    DataError
        On missing columns, unknown kommuner or categories, negative or
        non-numeric counts and duplicated cells.
    """
    raw, coll = open_table(path, sheet=sheet, separator=separator)
    present = check_columns(raw, [(c, c) for c in POPULATION_COLUMNS], coll)
    if coll:
        coll.raise_if_any()

    def count(u: object) -> Result:
        x = parse_number(u)
        if x is None or math.isnan(x):
            return None, f"{shown(u)} är inget antal."
        if x < 0:
            return None, f"antalet kan inte vara negativt (är {fmt_number(x)})."
        return x, None

    spec = {c: VariableSpec(c, c) for c in present}
    numbers = NumberFormat(
        decimal,
        thousands,
        hint='ange talformatet när tabellen läses, t.ex. decimal="," och thousands="."',
    )
    year = apply_column(raw, "year", year_cell, coll, "ogiltigt årtal", numbers=numbers)
    kommun = apply_column(raw, "kommun", kommun_func(raw, spec["kommun"]), coll, "okänd kommun")
    cats = {}
    for var in _CODED:
        func, kind = _coded(raw, spec[var], var)
        cats[var] = apply_column(raw, var, func, coll, kind)
    sex, age, edu = cats["sex"], cats["age_group"], cats["education"]
    pop = apply_column(raw, "population", count, coll, "ogiltigt antal", numbers=numbers)
    check_duplicates(
        raw,
        list(zip(year, kommun, sex, age, edu, strict=True)),
        None,
        coll,
        lambda key, first: (
            f"samma år, kommun, kön, ålder och utbildning finns redan på rad {first}."
        ),
        "dubblerad cell",
    )
    coll.raise_if_any()
    return pd.DataFrame(
        {
            "year": np.asarray(year, dtype="int64"),
            "kommun": pd.array(kommun, dtype="string"),
            "sex": pd.array(sex, dtype="string"),
            "age_group": pd.array(age, dtype="string"),
            "education": pd.array(edu, dtype="string"),
            "population": np.asarray(pop, dtype="float64"),
        }
    )
