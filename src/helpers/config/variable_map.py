"""Variable maps: which column of a survey extract is which, and how its codes map.

A region's survey extract (Hälsa på lika villkor, Lupp, school surveys) has its
own column names and codes. A *variable map* in ``params/`` (YAML, read with the
strict reader :func:`helpers.config.yamlfile.read_yaml`: duplicate keys are
refused and codes such as ``0180`` stay text) says where each canonical
variable comes from and which codes mean yes, no and missing for each answer
variable; see :func:`parse_variable_map` for the schema. Every problem is
reported at once, in Swedish, with the key path and the line of the file.

The map's ``label`` of an answer is the extract's own description; what a
report shows as the indicator's name comes from the indicator catalogue
(:mod:`helpers.config.catalogue`, recipe ``survey_variable``).

Where the extract itself cannot say how it is written, the map states it:
``decimal``/``thousands`` (how numbers are written as text), ``missing`` of a
stratum or PSU column (what a missing value becomes) and ``inverted`` of an
answer (a reversed question, where a file label ``Nej`` is rightly counted as
yes). Without them the readers refuse what is ambiguous instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from helpers.config.survey_cells import (
    CANONICAL_COLUMNS,
    EDUCATION_LEVELS,
    EDUCATION_SYNONYMS,
    REQUIRED_VARIABLES,
    SEX_SYNONYMS,
    SEXES,
    NumberFormat,
    Problems,
    code_key,
    kommun_codes,
    kommun_text,
    parse_number,
    suggest,
)
from helpers.config.yamlfile import NOT_A_MAPPING, SYNTAX_PREFIX, read_yaml
from helpers.core.errors import DataError, Problem

_ANSWER_NAME = re.compile(r"[a-z_][a-z0-9_]*")
_NOT_A_MAPPING = "variabelkartan ska vara en YAML-mappning med nycklarna 'variables' och 'answers'."


@dataclass(frozen=True)
class VariableSpec:
    """Where one canonical variable comes from.

    Attributes
    ----------
    name : str
        Canonical name (one of :data:`CANONICAL_COLUMNS`).
    column : str, optional
        Column in the extract; ``None`` when ``value`` is given.
    value : object, optional
        A constant for the whole file (e.g. the survey year of a one-year file).
    codes : dict, optional
        Raw code (as :func:`code_key` text) -> canonical value.
    missing : str, optional
        For ``stratum`` and ``psu``: the value a missing cell (blank, ``NA``,
        ``.`` …) becomes; without it a missing value is an error.
    """

    name: str
    column: str | None = None
    value: Any = None
    codes: Mapping[str, str] | None = None
    missing: str | None = None


@dataclass(frozen=True)
class AnswerSpec:
    """How one yes/no answer variable is coded.

    Attributes
    ----------
    name : str
        Name of the output column (e.g. ``"daily_smoking"``).
    column : str
        Column in the extract.
    yes, no, missing : frozenset of str
        Codes (compared as text, case-insensitively; SPSS value labels also match).
    label : str
        Swedish description for tables and charts.
    inverted : bool
        The question is reversed: SPSS labels ``Nej`` are expected on the yes
        codes and ``Ja`` on the no codes (see
        :func:`helpers.sources.survey_columns.check_labels`).
    """

    name: str
    column: str
    yes: frozenset[str]
    no: frozenset[str]
    missing: frozenset[str] = frozenset()
    label: str = ""
    inverted: bool = False


@dataclass(frozen=True)
class VariableMap:
    """A validated variable map: which column is which and how codes map.

    Attributes
    ----------
    variables : dict of str to VariableSpec
        The canonical variables (see :data:`REQUIRED_VARIABLES`, plus optional ``psu``).
    answers : dict of str to AnswerSpec
        The yes/no answer variables, in map order.
    name : str
        Human-readable name of the extract.
    sheet : str, optional
        Excel sheet to read.
    separator : str
        CSV separator.
    file : str
        Name of the YAML file (for messages).
    decimal, thousands : str, optional
        How numbers written as text are separated (see
        :class:`helpers.config.survey_cells.NumberFormat`); ``None`` when not stated.
    """

    variables: Mapping[str, VariableSpec]
    answers: Mapping[str, AnswerSpec]
    name: str = ""
    sheet: str | None = None
    separator: str = ";"
    file: str = ""
    decimal: str | None = None
    thousands: str | None = None

    @property
    def numbers(self) -> NumberFormat:
        """The stated number format (decimal and thousands separators) of the extract."""
        return NumberFormat(self.decimal, self.thousands)


_TOP_KEYS = (
    "name",
    "description",
    "sheet",
    "separator",
    "decimal",
    "thousands",
    "variables",
    "answers",
)
#: Variables a map may give beyond the canonical columns: the population size per stratum
#: (finite population correction; :class:`helpers.stats.survey_design.SurveyDesign`).
_KNOWN_VARIABLES = (*CANONICAL_COLUMNS, "fpc")
_VARIABLE_KEYS = ("column", "value", "codes", "label", "missing")
_ANSWER_KEYS = ("column", "yes", "no", "missing", "label", "inverted")
_ANSWER_ALIASES = {
    True: "yes",
    False: "no",
    "ja": "yes",
    "nej": "no",
    "saknas": "missing",
    "omvänd": "inverted",
}
_THOUSANDS = {" ": " ", "mellanslag": " ", ".": ".", ",": ",", "": "", "ingen": "", "inget": ""}
_CODED = ("kommun", "sex", "age_group", "education")


def _yaml_lines(text: str) -> dict[tuple[str, ...], int]:
    """Map key paths of a YAML document to their 1-based line numbers."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    lines: dict[tuple[str, ...], int] = {}

    def walk(n: yaml.Node | None, path: tuple[str, ...]) -> None:
        if isinstance(n, yaml.MappingNode):
            for key, val in n.value:
                p = (*path, str(code_key(key.value) or key.value))
                lines[p] = key.start_mark.line + 1
                walk(val, p)

    walk(node, ())
    return lines


def _doc_lines(data: object) -> dict[tuple[str, ...], int]:
    """Map key paths to lines from the ``lines`` that :func:`read_yaml` keeps on each mapping."""
    lines: dict[tuple[str, ...], int] = {}

    def walk(node: object, path: tuple[str, ...]) -> None:
        if not isinstance(node, Mapping):
            return
        known = getattr(node, "lines", {})
        for key, value in node.items():
            name = _ANSWER_ALIASES.get(key, key) if isinstance(key, bool) else key
            p = (*path, str(code_key(name) or name))
            if key in known:
                lines[p] = known[key]
            walk(value, p)

    walk(data, ())
    return lines


class _MapProblems(Problems):
    def __init__(self, file: str, lines: dict[tuple[str, ...], int]):
        super().__init__(file)
        self.lines = lines

    def at(self, path: tuple[str, ...], message: str) -> None:
        line = None
        for k in range(len(path), 0, -1):
            line = self.lines.get(tuple(str(code_key(p) or p) for p in path[:k]))
            if line is not None:
                break
        where = ".".join(str(p) for p in path)
        self.add(f"under '{where}': {message}" if where else message, row=line)


def _scalar(value: object) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _parse_column(spec: Mapping[str, Any], path: tuple[str, ...], mp: _MapProblems) -> str | None:
    col = spec.get("column")
    if isinstance(col, int) and not isinstance(col, bool):
        col = str(col)
    if not isinstance(col, str) or not col.strip():
        mp.at((*path, "column"), "'column' ska vara ett kolumnnamn (text).")
        return None
    return col.strip()


def _parse_codes(
    name: str, codes: object, path: tuple[str, ...], mp: _MapProblems
) -> dict[str, str] | None:
    if not isinstance(codes, Mapping) or not codes:
        mp.at(path, "'codes' ska vara en mappning kod: värde, t.ex. {1: män, 2: kvinnor}.")
        return None
    out: dict[str, str] = {}
    for raw_code, target in codes.items():
        p = (*path, str(raw_code))
        key = code_key(raw_code) if _scalar(raw_code) else None
        if key is None:
            mp.at(p, f"koden {raw_code!r} ska vara ett tal eller en text.")
            continue
        if key in out:
            mp.at(p, f"koden '{raw_code}' förekommer två gånger.")
            continue
        if not _scalar(target) or not str(target).strip():
            mp.at(p, f"värdet för kod '{raw_code}' ska vara en text.")
            continue
        value = str(target).strip()
        if name == "sex":
            canon = SEX_SYNONYMS.get(code_key(value) or "")
            if canon is None:
                mp.at(p, f"okänt kön '{value}' – tillåtna värden: {', '.join(SEXES)}.")
                continue
            value = canon
        elif name == "education":
            canon = EDUCATION_SYNONYMS.get(code_key(value) or "")
            if canon is None:
                mp.at(
                    p,
                    f"okänd utbildningsnivå '{value}' – tillåtna värden: "
                    f"{', '.join(EDUCATION_LEVELS)}.",
                )
                continue
            value = canon
        elif name == "kommun":
            value = kommun_text(value)
            if value not in kommun_codes():
                mp.at(p, f"okänd kommunkod '{target}' – ange fyra siffror, t.ex. 2080 för Falun.")
                continue
        out[key] = value
    return out


def _code_set(
    values: object, path: tuple[str, ...], mp: _MapProblems, required: bool
) -> frozenset[str]:
    if values is None:
        if required:
            mp.at(path, "saknas – ange en lista med koder, t.ex. [1].")
        return frozenset()
    items = values if isinstance(values, list) else [values]
    out = set()
    for item in items:
        key = code_key(item) if _scalar(item) else None
        if key is None:
            mp.at(path, f"koden {item!r} ska vara ett tal eller en text.")
            continue
        out.add(key)
    if required and not out and not mp:
        mp.at(path, "listan är tom – ange minst en kod.")
    return frozenset(out)


def parse_variable_map(data: object, file: str = "variabelkarta", text: str = "") -> VariableMap:
    """Validate a variable map given as parsed YAML and return it.

    Schema (``variables`` and ``answers`` are required)::

        name: Hälsa på lika villkor 2024, Region X          # optional
        sheet: Data                                        # optional, Excel sheet
        separator: ";"                                     # optional, CSV separator
        decimal: ","                 # optional: decimal separator of numbers written as text
        thousands: "."               # optional: thousands separator ("" = none, " " = space)
        variables:
          respondent_id: {column: LopNr}
          kommun: {column: Kommun}                         # or {value: "2080"}
          year: {column: Ar}                               # or {value: 2024}
          sex: {column: Kon, codes: {1: män, 2: kvinnor}}  # codes optional (labels)
          age_group: {column: Aldgr, codes: {1: "16–29"}}  # codes optional
          education: {column: Utb, codes: {1: förgymnasial, 2: gymnasial,
                                           3: eftergymnasial, 9: okänd}}
          weight: {column: Vikt}
          stratum: {column: Stratum}                       # + missing: okänt (optional)
          psu: {column: PSU}                               # optional (+ missing: …)
        answers:
          daily_smoking: {column: Tobak1, yes: [1], no: [2], missing: [9],
                          label: Röker dagligen}
          inactivity: {column: Motion, yes: [2], no: [1],
                       inverted: true}             # "Motionerar du?" 2 = Nej counts as yes

    A plain string is short for ``{column: ...}``. YAML reads unquoted
    ``yes``/``no`` keys as booleans; they are accepted, as are ``ja``/``nej``/``saknas``
    and ``omvänd`` for ``inverted``. Without ``decimal``/``thousands`` a number
    that can be read two ways (``2.105``) is refused; without ``missing`` a
    missing stratum or PSU (blank, ``NA``, ``.`` …) is refused; without
    ``inverted`` an SPSS label ``Nej`` on a yes code is refused.

    Parameters
    ----------
    data : object
        The parsed YAML (:func:`helpers.config.yamlfile.read_yaml`, whose mappings
        carry their lines, or ``yaml.safe_load`` together with ``text``).
    file : str
        Name used in messages.
    text : str
        The YAML text, used to report line numbers (not needed for ``read_yaml`` output).

    Returns
    -------
    VariableMap

    Raises
    ------
    DataError
        Listing every problem in Swedish (key path and line).
    """
    mp = _MapProblems(file, _yaml_lines(text) if text else _doc_lines(data))
    if not isinstance(data, Mapping):
        mp.add(_NOT_A_MAPPING)
        mp.raise_if_any()
    assert isinstance(data, Mapping)
    for key in data:
        if key not in _TOP_KEYS:
            mp.at((str(key),), f"okänd nyckel.{suggest(str(key), list(_TOP_KEYS))}")
    sheet = data.get("sheet")
    if sheet is not None and not _scalar(sheet):
        mp.at(("sheet",), "'sheet' ska vara bladets namn.")
    separator = data.get("separator", ";")
    if not isinstance(separator, str) or len(separator) != 1:
        mp.at(("separator",), "'separator' ska vara ett enda tecken, t.ex. ';'.")
        separator = ";"
    decimal, thousands = _number_format(data, mp)
    name = data.get("name", "")
    variables: dict[str, VariableSpec] = {}
    raw_vars = data.get("variables")
    if not isinstance(raw_vars, Mapping):
        mp.at(("variables",), "saknas eller är ingen mappning – ange en kolumn per variabel.")
        raw_vars = {}
    elif raw_vars:
        for var in REQUIRED_VARIABLES:
            if var not in raw_vars:
                mp.at(("variables",), f"obligatorisk variabel '{var}' saknas.")
    for var, spec in raw_vars.items():
        path = ("variables", str(var))
        if var not in _KNOWN_VARIABLES:
            mp.at(path, f"okänd variabel.{suggest(str(var), list(_KNOWN_VARIABLES))}")
            continue
        if isinstance(spec, str):
            spec = {"column": spec}
        if not isinstance(spec, Mapping):
            mp.at(path, "ska vara en mappning, t.ex. {column: Kon}.")
            continue
        for key in spec:
            if key not in _VARIABLE_KEYS:
                mp.at((*path, str(key)), f"okänd nyckel.{suggest(str(key), list(_VARIABLE_KEYS))}")
        has_col, has_val = "column" in spec, "value" in spec
        if has_col == has_val:
            mp.at(
                path, "ange antingen 'column' (en kolumn i filen) eller 'value' (ett fast värde)."
            )
            continue
        if has_val and var in ("respondent_id",):
            mp.at(path, "löpnumret måste komma från en kolumn ('column').")
            continue
        column = _parse_column(spec, path, mp) if has_col else None
        codes = None
        if "codes" in spec:
            if var not in _CODED:
                mp.at((*path, "codes"), f"'codes' är inte tillåtet för {var}.")
            else:
                codes = _parse_codes(var, spec["codes"], (*path, "codes"), mp)
        value = spec.get("value")
        if has_val:
            value = _check_constant(var, value, codes, path, mp)
        missing = None
        if "missing" in spec:
            if var not in ("stratum", "psu"):
                mp.at(
                    (*path, "missing"),
                    f"'missing' är bara tillåtet för stratum och psu, inte för {var}.",
                )
            elif not _scalar(spec["missing"]) or not str(spec["missing"]).strip():
                mp.at(
                    (*path, "missing"),
                    "'missing' ska vara det värde (en text) som saknade värden får, t.ex. okänt.",
                )
            else:
                missing = str(spec["missing"]).strip()
        variables[var] = VariableSpec(var, column, value, codes, missing)
    answers: dict[str, AnswerSpec] = {}
    raw_answers = data.get("answers")
    if not isinstance(raw_answers, Mapping) or not raw_answers:
        mp.at(("answers",), "saknas – ange minst en svarsvariabel, t.ex. daily_smoking.")
        raw_answers = {}
    for ans, spec in raw_answers.items():
        path = ("answers", str(ans))
        if not isinstance(ans, str) or not _ANSWER_NAME.fullmatch(ans):
            mp.at(
                path, "namnet ska bestå av små bokstäver a–z, siffror och _ (t.ex. daily_smoking)."
            )
            continue
        if ans in _KNOWN_VARIABLES:
            mp.at(path, "namnet är upptaget av en grundvariabel – välj ett annat.")
            continue
        if not isinstance(spec, Mapping):
            mp.at(path, "ska vara en mappning, t.ex. {column: Tobak1, yes: [1], no: [2]}.")
            continue
        spec = {_ANSWER_ALIASES.get(k, k): v for k, v in spec.items()}
        for key in spec:
            if key not in _ANSWER_KEYS:
                mp.at((*path, str(key)), f"okänd nyckel.{suggest(str(key), list(_ANSWER_KEYS))}")
        column = _parse_column(spec, path, mp)
        yes = _code_set(spec.get("yes"), (*path, "yes"), mp, required=True)
        no = _code_set(spec.get("no"), (*path, "no"), mp, required=True)
        missing = _code_set(spec.get("missing"), (*path, "missing"), mp, required=False)
        for a, b, sa, sb in (
            (yes, no, "yes", "no"),
            (yes, missing, "yes", "missing"),
            (no, missing, "no", "missing"),
        ):
            both = sorted(a & b)
            if both:
                mp.at(path, f"koden {', '.join(both)} står både under '{sa}' och '{sb}'.")
        label = spec.get("label", "")
        if not isinstance(label, str):
            mp.at((*path, "label"), "'label' ska vara en text.")
            label = ""
        inverted = spec.get("inverted", False)
        if not isinstance(inverted, bool):
            mp.at((*path, "inverted"), "'inverted' ska vara true eller false.")
            inverted = False
        if column is not None:
            answers[ans] = AnswerSpec(ans, column, yes, no, missing, label, inverted)
    mp.raise_if_any()
    return VariableMap(
        variables=variables,
        answers=answers,
        name=str(name or ""),
        sheet=None if sheet is None else str(sheet),
        separator=separator,
        file=file,
        decimal=decimal,
        thousands=thousands,
    )


def _number_format(data: Mapping[str, Any], mp: _MapProblems) -> tuple[str | None, str | None]:
    """Validate the top-level ``decimal`` and ``thousands`` keys."""
    decimal = data.get("decimal")
    if decimal is not None and decimal not in (",", "."):
        mp.at(("decimal",), 'ange decimaltecknet som "," (decimalkomma) eller "." (decimalpunkt).')
        decimal = None
    thousands = data.get("thousands")
    if thousands is not None:
        key = thousands.strip().casefold() or thousands if isinstance(thousands, str) else None
        if key not in _THOUSANDS:
            mp.at(
                ("thousands",),
                'ange tusentalsavgränsaren som " " (mellanslag), ".", "," eller "" (ingen).',
            )
            thousands = None
        else:
            thousands = _THOUSANDS[key]
    if decimal is not None and thousands == decimal:
        mp.at(("thousands",), "decimaltecken och tusentalsavgränsare kan inte vara samma tecken.")
        thousands = None
    return decimal, thousands


def _check_constant(
    var: str,
    value: object,
    codes: Mapping[str, str] | None,
    path: tuple[str, ...],
    mp: _MapProblems,
) -> object:
    p = (*path, "value")
    if not _scalar(value):
        mp.at(p, "'value' ska vara ett tal eller en text.")
        return None
    if var == "year":
        x = parse_number(value)
        if x is None or not float(x).is_integer() or not 1900 <= x <= 2100:
            mp.at(p, f"'{value}' är inget årtal.")
        return value
    if var == "weight":
        x = parse_number(value)
        if x is None or not x > 0:
            mp.at(p, f"vikten ska vara ett tal större än 0, inte '{value}'.")
        return value
    if var == "fpc":
        x = parse_number(value)
        if x is None or not x > 0:
            mp.at(p, f"populationsstorleken (fpc) ska vara ett tal större än 0, inte '{value}'.")
        return value
    if var == "kommun" and not codes and kommun_text(str(value)) not in kommun_codes():
        mp.at(p, f"okänd kommunkod '{value}' – ange fyra siffror, t.ex. 2080 för Falun.")
    if var == "sex" and not codes and SEX_SYNONYMS.get(code_key(value) or "") is None:
        mp.at(p, f"okänt kön '{value}' – tillåtna värden: {', '.join(SEXES)}.")
    if var == "education" and not codes and EDUCATION_SYNONYMS.get(code_key(value) or "") is None:
        mp.at(p, f"okänd utbildningsnivå '{value}'.")
    return value


def load_variable_map(path: str | Path) -> VariableMap:
    """Read and validate a variable map YAML file.

    Parameters
    ----------
    path : str or Path
        The YAML file (usually in ``params/``).

    Returns
    -------
    VariableMap
        The map of :func:`parse_variable_map`, named after the file.

    Raises
    ------
    DataError
        If the file is missing, is not valid YAML, or breaks the schema
        (see :func:`parse_variable_map`); messages give the line.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(Problem("variabelkartan finns inte (kontrollera sökvägen).", path.name))
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise DataError(
            Problem("variabelkartan ska vara sparad som UTF-8-text.", path.name)
        ) from None
    try:
        data = read_yaml(path)
    except DataError as exc:
        raise DataError([_yaml_problem(p, path.name) for p in exc.problems]) from None
    return parse_variable_map(data, path.name)


def _yaml_problem(problem: Problem, file: str) -> Problem:
    """Say a problem of :func:`helpers.config.yamlfile.read_yaml` the variable map's way."""
    if NOT_A_MAPPING in problem.message:  # the file is valid YAML (or empty) but not a mapping
        return Problem(_NOT_A_MAPPING, file)
    if not problem.message.startswith(SYNTAX_PREFIX):  # too big, not UTF-8, a binary file
        return Problem(problem.message, file, problem.row)
    reason = problem.message.removeprefix(SYNTAX_PREFIX)
    return Problem(
        f"YAML-syntaxfel: {reason} (kontrollera indrag, kolon och citattecken).", file, problem.row
    )
