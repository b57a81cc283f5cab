"""Convert the columns of a survey extract cell by cell, refusing what cannot be read with certainty.

A :class:`~helpers.sources.survey_readers.RawTable` holds a user's cells as
they are. This module turns one column at a time into canonical values:

* :func:`apply_column` – the one conversion path. It reports the cells the
  reader marked (an Excel formula never calculated, an Excel error value),
  refuses Excel error texts anywhere, and for numeric columns first reads the
  numbers written as text with
  :func:`helpers.config.survey_cells.decide_numbers` (``"2.105"`` is never
  guessed; ``"inf"``, dates, booleans and a lone ``"-"`` are refused; ``"NA"``,
  ``"NaN"``, ``"NULL"`` and ``"."`` are missing). Each bad cell is reported
  with the row as the user sees it (the header is row 1 in CSV and Excel;
  in a ``.sav`` file the row is the case number) and the column.
* the converters :func:`coded`, :func:`kommun_func`, :func:`year_cell`,
  :func:`required_text` – a missing-value spelling (``NA``, ``NaN``, ``.``,
  ``NULL``, ``-``) is never a category, a stratum or a PSU;
* :func:`check_labels` – SPSS value labels that contradict the variable map;
* :func:`check_columns` and :func:`check_duplicates` – missing columns (with
  the closest name) and repeated keys.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from helpers.config.survey_cells import (
    DASH_TOKENS,
    EXCEL_ERRORS,
    NON_FINITE_TOKENS,
    NumberFormat,
    Percent,
    Problems,
    age_start,
    answer_meaning,
    code_key,
    decide_numbers,
    education_meaning,
    fmt_number,
    is_missing,
    kommun_codes,
    kommun_meaning,
    kommun_text,
    parse_number,
    sex_meaning,
    shown,
    suggest,
    text_key,
)
from helpers.config.variable_map import AnswerSpec, VariableSpec
from helpers.sources.survey_readers import RawTable

logger = logging.getLogger(__name__)

Result = tuple[Any, str | None]
_SKIP = object()  # a cell already reported


def _excel_error(u: object) -> str | None:
    if isinstance(u, str) and u.strip().casefold() in EXCEL_ERRORS:
        return (
            f"värdet '{u.strip()}' är ett felvärde från Excel (en formel som inte gick att räkna "
            "ut) – rätta formeln i Excel, eller töm cellen om värdet saknas."
        )
    return None


def _number_cell(u: object, percent: bool) -> tuple[str, Any]:
    """Classify one distinct cell of a numeric column: ``("value"|"text"|"error", …)``."""
    if isinstance(u, Percent):
        if percent:
            return "value", u
        return "error", (
            f"cellen är formaterad som procent i Excel (visas som {u.text}); här väntas ett "
            "vanligt tal – ändra cellformatet till Tal."
        )
    if isinstance(u, bool | np.bool_):
        return "error", f"'{u}' är ett sanningsvärde, inte ett tal."
    if isinstance(u, dt.date | dt.time | dt.timedelta | pd.Timestamp | np.datetime64):
        return "error", (
            f"'{u}' är ett datum eller klockslag (cellformatet är Datum i Excel), inte ett tal – "
            "ändra cellformatet till Tal."
        )
    if isinstance(u, int | float | np.integer | np.floating):
        x = float(u)
        if math.isnan(x):
            return "value", math.nan
        if not math.isfinite(x):
            return "error", f"'{u}' är inte ett ändligt tal."
        return "value", x
    if not isinstance(u, str):
        return "text", u
    text = " ".join(u.split())
    if text in DASH_TOKENS:
        return "error", (
            f"'{text}' kan betyda noll eller att värdet saknas – skriv 0, lämna cellen tom "
            "(saknas) eller skriv '..' om värdet är undertryckt."
        )
    if is_missing(text):
        return "value", math.nan
    if text.casefold().replace(" ", "") in NON_FINITE_TOKENS:
        return "error", f"'{text}' är inte ett ändligt tal – ange ett vanligt tal."
    if text.endswith("%"):
        if not percent:
            return "error", f"'{text}' är en procentsats; här väntas ett tal utan %-tecken."
        return "percent", text[:-1].strip()
    return "number", text


def _numbers(
    raw: RawTable,
    column: str,
    uniques: list[object],
    first: np.ndarray,
    fmt: NumberFormat,
    percent: bool,
    coll: Problems,
) -> tuple[list[object], list[str | None]]:
    """Read the distinct cells of a numeric column: values (or the cell) and errors."""
    kinds = [_number_cell(u, percent) for u in uniques]
    texts: dict[str, int] = {}
    for (kind, v), j in zip(kinds, first, strict=True):
        if kind in ("number", "percent"):
            texts.setdefault(v, int(raw.rows[j]))
    reading = decide_numbers(texts, fmt)
    if reading.conflict is not None:
        message, row = reading.conflict
        coll.add(message, row=row, column=column, kind="talformat")
    elif reading.note:
        logger.info("%s, kolumn '%s': %s.", raw.file, column, reading.note)
    out: list[tuple[object, str | None]] = []
    for u, (kind, v) in zip(uniques, kinds, strict=True):
        if kind == "error":
            out.append((_SKIP, v))
        elif kind in ("value", "text"):
            out.append((v, None))
        elif reading.conflict is not None:
            out.append((_SKIP, None))
        elif v in reading.errors:
            out.append((_SKIP, reading.errors[v]))
        elif v not in reading.values:
            out.append((u, None))  # not a number: the converter says so
        elif kind == "percent":
            out.append((Percent(reading.values[v], str(u).strip()), None))
        else:
            out.append((reading.values[v], None))
    return [v for v, _ in out], [e for _, e in out]


def apply_column(
    raw: RawTable,
    column: str,
    func: Callable[[object], Result],
    coll: Problems,
    kind: str,
    *,
    numbers: NumberFormat | None = None,
    percent: bool = False,
) -> np.ndarray:
    """Apply ``func`` to every distinct cell of ``column``; report errors per row.

    Parameters
    ----------
    raw : RawTable
        The table.
    column : str
        The column.
    func : callable
        Converter of one cell: ``(value, None)`` or ``(None, Swedish message)``.
    coll : Problems
        Collects the problems.
    kind : str
        Groups the problems of this column (repeats are counted).
    numbers : NumberFormat, optional
        Given for a numeric column: text cells are read as numbers first (see
        :func:`_numbers`); ``func`` then receives floats (NaN when missing),
        texts that are not numbers, and :class:`Percent` cells when ``percent``.
    percent : bool
        Whether cells stating percent (Excel percent format, ``"6,07 %"``) are allowed.
    """
    cells = raw.data[column].to_numpy(dtype=object)
    special = raw.cell_problems.get(column, {})
    marked = raw.percent_cells.get(column, []) if numbers is not None else []
    if special or marked:
        cells = cells.copy()
        for i in marked:
            pct = float(np.format_float_positional(float(cells[i]) * 100, precision=12, trim="-"))
            cells[i] = Percent(pct, f"{fmt_number(pct)} %")
        for i, message in special.items():
            coll.add(message, row=raw.rows[i], column=column, kind="Excel-cell")
            cells[i] = _SKIP
    codes, uniques_arr = pd.factorize(cells, use_na_sentinel=True)
    uniques = list(uniques_arr)
    n_u = len(uniques)
    pre_err: list[str | None] = [_excel_error(u) for u in uniques]
    if numbers is not None:
        first = np.full(n_u, 0, dtype=int)
        seen = codes >= 0
        if n_u:
            order = np.flatnonzero(seen)
            _, where = np.unique(codes[order], return_index=True)
            first = order[where]
        uniques, num_err = _numbers(raw, column, uniques, first, numbers, percent, coll)
        pre_err = [a or b for a, b in zip(pre_err, num_err, strict=True)]
    vals = np.empty(n_u + 1, dtype=object)
    errs = np.empty(n_u + 1, dtype=object)
    for j, u in enumerate([*uniques, None]):
        if j < n_u and (pre_err[j] is not None or u is _SKIP):
            vals[j], errs[j] = None, pre_err[j]
        else:
            vals[j], errs[j] = func(u)
    idx = np.where(codes < 0, n_u, codes)
    out, err = vals[idx], errs[idx]
    for i in np.flatnonzero([e is not None for e in err]):
        coll.add(err[i], row=raw.rows[i], column=column, kind=kind)
    return out


def spec_values(
    raw: RawTable,
    spec: VariableSpec,
    func: Callable[[object], Result],
    coll: Problems,
    kind: str,
    *,
    numbers: NumberFormat | None = None,
) -> np.ndarray:
    """Convert the column of ``spec``, or repeat its constant (checked with the map)."""
    if spec.column is None:
        value, _ = func(spec.value)  # constants were checked with the map
        out = np.empty(len(raw.data), dtype=object)
        out[:] = [value] * len(raw.data)
        return out
    return apply_column(raw, spec.column, func, coll, kind, numbers=numbers)


def _codes_text(codes: Mapping[str, str]) -> str:
    return "variabelkartan anger " + ", ".join(f"{k} = {v}" for k, v in codes.items())


def coded(
    raw: RawTable,
    spec: VariableSpec,
    what: str,
    synonyms: Mapping[str, str] | None,
    blank: Result,
) -> Callable[[object], Result]:
    """Return a converter for a coded variable: map codes, then SPSS labels, then known names.

    A code the map lists wins; otherwise a missing-value spelling (``NA``,
    ``NaN``, ``.``, ``NULL``, ``-``) is a blank cell (``blank``), never a category.
    """
    codes = spec.codes or {}
    column = spec.column or ""
    if codes:
        allowed = _codes_text(codes)
    elif synonyms is not None:
        allowed = "tillåtna värden: " + ", ".join(sorted(set(synonyms.values())))
    else:
        allowed = ""

    def func(u: object) -> Result:
        key = code_key(u)
        if key is not None and key in codes:
            return codes[key], None
        if is_missing(u):
            return blank
        label = raw.label(column, u) if spec.column else None
        keys = [key, code_key(label) if label else None]
        for k in keys:
            if k is not None and k in codes:
                return codes[k], None
        if synonyms is not None:
            for k in keys:
                if k is not None and k in synonyms:
                    return synonyms[k], None
        elif not codes:
            return (label or text_key(u)), None
        return None, f"oväntad kod {shown(u, label)} för {what} – {allowed}."

    return func


def kommun_func(raw: RawTable, spec: VariableSpec) -> Callable[[object], Result]:
    """Return a converter for kommun codes: map codes, SPSS labels, then 4-digit codes."""
    codes = spec.codes or {}
    column = spec.column or ""

    def func(u: object) -> Result:
        if (code_key(u) or "") not in codes and is_missing(u):
            return None, "kommunkoden saknas."
        label = raw.label(column, u) if spec.column else None
        for k in (code_key(u), code_key(label) if label else None):
            if k is not None and k in codes:
                return codes[k], None
        text = kommun_text(u)
        if text in kommun_codes():
            return text, None
        return None, (
            f"okänd kommunkod {shown(u, label)} – ange kommunkoden med fyra siffror, "
            "t.ex. 2080 för Falun."
        )

    return func


def year_cell(u: object) -> Result:
    """Convert a survey year (1900–2100)."""
    x = parse_number(u)
    if x is not None and math.isnan(x):
        return None, "undersökningsåret saknas."
    if x is None or not x.is_integer() or not 1900 <= x <= 2100:
        return None, f"{shown(u)} är inget årtal (ange t.ex. 2024)."
    return int(x), None


def required_text(
    what: str, missing: str | None = None, advice: str = ""
) -> Callable[[object], Result]:
    """Return a converter for a text that must not be missing (``what`` names it in the message).

    A missing-value spelling (``NA``, ``NaN``, ``.``, ``NULL``, ``-``) is missing,
    never a value; ``missing`` (stated in the variable map) replaces it when
    given, otherwise the message ends with ``advice``.
    """

    def func(u: object) -> Result:
        if is_missing(u):
            if missing is not None:
                return missing, None
            spelled = f" ('{str(u).strip()}' räknas som saknat värde)" if text_key(u) else ""
            return None, f"{what} saknas{spelled}{advice}."
        return text_key(u), None

    return func


_ANSWER_WORD = {"yes": "ja", "no": "nej", "missing": "saknat svar"}


def _label_meaning(var: str, label: str) -> str | None:
    if var == "sex":
        return sex_meaning(label)
    if var == "education":
        return education_meaning(label)
    if var == "kommun":
        return kommun_meaning(label)
    return None


def check_labels(
    raw: RawTable,
    variables: Mapping[str, VariableSpec],
    answers: Mapping[str, AnswerSpec],
    coll: Problems,
) -> None:
    """Report SPSS value labels that contradict what the variable map says a code means.

    For every code that occurs in a labelled column (a ``.sav`` file): when the
    map gives the code a meaning (``codes`` of kön, åldersgrupp, utbildning,
    kommun; ``yes``/``no``/``missing`` of an answer) and the file's label
    clearly names another (``Kvinna`` for a code the map calls ``män``; ``Nej``
    for a code counted as yes; ``Uppgift saknas`` for a code counted as no;
    ``30–44 år`` for ``16–29``), the file and the map disagree and one of them
    is wrong: an error naming the code, both meanings, the rows and what to
    change. Labels that agree (case, spacing and Swedish synonyms such as
    Man/Män/Pojke, Kvinna/Kvinnor/Flicka aside), and labels that say nothing
    the workbook can compare (``Ja, ibland``), pass. An answer whose question
    is reversed (``Nej`` rightly counted as yes) states ``inverted: true``.
    """
    jobs: list[tuple[str, str, Callable[[str, str], tuple[str, str, str] | None]]] = []
    for var, spec in variables.items():
        if spec.column and spec.column in raw.labels and var in _LABEL_VARS:
            jobs.append((spec.column, var, _variable_check(var, spec)))
    for spec in answers.values():
        if spec.column in raw.labels:
            jobs.append((spec.column, f"svarsvariabeln {spec.name}", _answer_check(spec)))
    for column, _, check in jobs:
        if column not in raw.data.columns:
            continue
        codes, uniques = pd.factorize(raw.data[column].to_numpy(dtype=object))
        keys = np.array([code_key(u) or "" for u in uniques] + [""], dtype=object)[codes]
        for code, label in raw.labels[column].items():
            hit = np.flatnonzero(keys == code)
            if not len(hit) or not code:
                continue
            found = check(code, label)
            if found is None:
                continue
            file_says, map_says, fix = found
            n = len(hit)
            coll.add(
                f"koden {code} har värdeetiketten '{label}' i SPSS-filen ({file_says}), men "
                f"{map_says} ({n} {'rad' if n == 1 else 'rader'} har koden). Filen och "
                "variabelkartan säger emot varandra, så inget räknas fram – kontrollera vilken "
                f"som stämmer och {fix}.",
                row=raw.rows[hit[0]],
                column=column,
                kind="etikett mot variabelkarta",
            )


_LABEL_VARS = ("sex", "age_group", "education", "kommun")
_WHAT = {
    "sex": "kön",
    "age_group": "åldersgrupp",
    "education": "utbildningsnivå",
    "kommun": "kommun",
}


def _variable_check(
    var: str, spec: VariableSpec
) -> Callable[[str, str], tuple[str, str, str] | None]:
    codes = spec.codes or {}

    def check(code: str, label: str) -> tuple[str, str, str] | None:
        if code in codes:
            meant = codes[code]
        elif var == "kommun" and kommun_text(code) in kommun_codes():
            meant = kommun_text(code)
        else:
            return None
        if var == "age_group":
            a, b = age_start(label), age_start(meant)
            if a is None or b is None or a == b:
                return None
            says = f"åldersgruppen börjar vid {a} år"
        else:
            said = _label_meaning(var, label)
            if said is None or said == meant:
                return None
            says = f"{_WHAT[var]}: {said}"
        if code in codes:
            where = f"rätta variables.{var}.codes i variabelkartan"
        else:
            where = f"ange koderna under variables.{var}.codes i variabelkartan"
        return says, f"variabelkartan anger {code} = {meant} ({_WHAT[var]})", where

    return check


def _answer_check(spec: AnswerSpec) -> Callable[[str, str], tuple[str, str, str] | None]:
    flip = {"yes": "no", "no": "yes", "missing": "missing"}

    def check(code: str, label: str) -> tuple[str, str, str] | None:
        meant = next(
            (
                m
                for m, s in (("yes", spec.yes), ("no", spec.no), ("missing", spec.missing))
                if code in s
            ),
            None,
        )
        said = answer_meaning(label)
        if meant is None or said is None:
            return None
        expected = flip[said] if spec.inverted else said
        if expected == meant:
            return None
        hint = f"rätta yes/no/missing under answers.{spec.name} i variabelkartan" + (
            ""
            if spec.inverted or "missing" in (said, meant)
            else " (är frågan omvänd, så att ett 'Nej' ska räknas som ja, anger du inverted: true)"
        )
        return (
            f"alltså {_ANSWER_WORD[said]}",
            f"variabelkartan räknar {code} som {_ANSWER_WORD[meant]} i svarsvariabeln "
            f"{spec.name}{' (inverted: true)' if spec.inverted else ''}",
            hint,
        )

    return check


def check_columns(raw: RawTable, needed: list[tuple[str, str]], coll: Problems) -> set[str]:
    """Report every ``(column, purpose)`` missing from ``raw`` (with the closest name); return the header."""
    present = set(raw.data.columns)
    used = {column for column, _ in needed}
    unused = [h for h in raw.header if h not in used]
    for column, purpose in needed:
        if column not in present:
            coll.add(
                f"kolumnen '{column}' saknas (behövs för {purpose}).{suggest(column, unused)}",
                row=raw.header_row or None,
                column=column,
            )
    return present


def check_duplicates(
    raw: RawTable,
    keys: list[tuple[Any, ...]],
    column: str | None,
    coll: Problems,
    message: Callable[[tuple[Any, ...], int], str],
    kind: str,
) -> None:
    """Report every row whose key (without ``None``) already occurred, naming the first row."""
    first: dict[tuple[Any, ...], int] = {}
    for i, key in enumerate(keys):
        if any(k is None for k in key):
            continue
        if key in first:
            coll.add(message(key, int(raw.rows[first[key]])), raw.rows[i], column, kind)
        else:
            first[key] = i
