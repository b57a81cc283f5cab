"""A region's HLV spreadsheet (aggregated shares with CIs as text, no n) as the indicator table.

Region Dalarna keeps Folkhälsomyndigheten's *Hälsa på lika villkor* results per
kommun as an Excel workbook (``../shared/reference/fohm_hlv``): one sheet per
breakdown (``Kommunjämförelse`` for the whole population, ``Ålder``,
``Födelseland``, ``Utbildning``), one row per year, area, sex, [group] and
question, with the interval as text (``"57.9 - 66.7  *"``), the answer whose
share is given (``Svar``) and the share in whole percent (``Andel``). There is
no number of respondents.

:func:`read_map` reads the variable map (``params/survey_hlv_dalarna.yaml``):
columns, sheets and their group labels, sex labels, areas that are not kommun
names, and for each variable the question and the answer whose share is the
indicator. :func:`read_hlv` returns the tidy indicator table
(:mod:`helpers.core.indicators`) with ``n``, ``numerator`` and ``denominator``
missing.

The value and the interval
--------------------------
``Andel`` is rounded to whole percent while the interval has one decimal. In
the Dalarna workbook every ``Andel`` equals the rounded midpoint of its
interval (27 232 rows), i.e. the intervals are symmetric around the unrounded
estimate. The value is therefore the **midpoint** of the interval (one
decimal more than ``Andel``), and a row is refused when ``Andel`` is not the
midpoint to within rounding (0,5 + 0,05 percentage points): ``Andel`` 2 with
the interval 2,1–2,8 (midpoint 2,45) is a point at the interval's edge by
rounding, not an error. Limits outside 0–100 (``-0.1 - 1.1``, ``60.3 - 105``:
symmetric Wald intervals on few respondents) are clipped to 0–100 after the
midpoint is taken; the flag is judged on the published width.

Reliability
-----------
Without n only the NCHS rules on the interval's width apply
(:func:`helpers.stats.reliability.assess_without_n`); every ``flag_reason``
says that the effective-n and degrees-of-freedom rules could not be applied.

Everything uncertain is refused with a Swedish :class:`DataError` naming the
file, sheet, row and column: an interval that does not parse, a lower limit
above the upper, an ``Andel`` that is not the interval's midpoint, an unknown
kommun name, sex or group, an answer other than the map's, and a duplicated
fact.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from helpers.config.survey_cells import code_key, is_blank, shown, suggest, text_key
from helpers.config.yamlfile import display_path, read_yaml
from helpers.core import indicators, lookup, paths
from helpers.core.errors import DataError, Problem
from helpers.core.fmt import num
from helpers.core.memo import Memo
from helpers.sources.survey_columns import apply_column, check_columns, check_duplicates, year_cell
from helpers.sources.survey_readers import open_table
from helpers.stats.reliability import assess_without_n

#: The ``kind`` of a survey input in a run file that this module reads.
KIND = "hlv_aggregated"
#: Keys of the variable map.
MAP_KEYS = ("name", "source", "ci_level", "columns", "sexes", "areas", "sheets", "questions")
#: Canonical column keys of the map's ``columns``.
COLUMN_KEYS = ("year", "area", "sex", "question", "interval", "answer", "share")
#: Keys of one sheet and of one question in the map.
SHEET_KEYS = ("group_column", "groups", "blank")
QUESTION_KEYS = ("question", "answer", "label")
#: How far ``Andel`` (whole percent) may lie from the interval's midpoint (rounding of both).
SHARE_TOLERANCE = 0.5 + 0.05 + 1e-9
#: The interval as text: ``"57.9 - 66.7"`` optionally followed by the publisher's ``*``.
_INTERVAL = re.compile(r"^\s*(-?\d+(?:[.,]\d+)?)\s+[-–]\s+(-?\d+(?:[.,]\d+)?)\s*(\*)?\s*$")
_MEMO = Memo("hlv_aggregerat")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SheetSpec:
    """One sheet of the workbook: its group column (None = everyone) and group labels."""

    name: str
    group_column: str | None
    groups: dict[str, str]
    blank: str | None


@dataclass(frozen=True)
class QuestionSpec:
    """One variable: the question (``Fråga``), the answer whose share it is, and a label."""

    variable: str
    question: str
    answer: str
    label: str


@dataclass(frozen=True)
class HlvMap:
    """A validated variable map for an aggregated HLV workbook (see :func:`read_map`)."""

    path: str
    name: str
    source: str
    ci_level: float
    columns: dict[str, str]
    sexes: dict[str, str]
    areas: dict[str, str]
    sheets: dict[str, SheetSpec]
    questions: dict[str, QuestionSpec]

    def label(self, variable: str) -> str:
        """Return the Swedish label of ``variable``."""
        return self.questions[variable].label


def _resolve(path: str | Path) -> Path:
    p = Path(path)
    if not p.is_absolute() and not p.exists():
        candidate = paths.project_root() / p
        if candidate.exists():
            return candidate
    return p


def read_map(path: str | Path) -> HlvMap:
    """Read and validate the variable map of an aggregated HLV workbook.

    Parameters
    ----------
    path : str or Path
        YAML file (relative paths also from the project root), e.g.
        ``params/survey_hlv_dalarna.yaml``.

    Returns
    -------
    HlvMap

    Raises
    ------
    DataError
        Listing every problem (file, line, key): unknown or missing keys, a
        sex other than totalt/kvinnor/män, an area code that does not exist,
        a question without question or answer.
    """
    p = _resolve(path)
    doc = read_yaml(p)
    file = display_path(p)
    lines: dict[str, int] = getattr(doc, "lines", {})
    problems: list[Problem] = []

    def bad(key: str, message: str, row: int | None = None) -> None:
        problems.append(Problem(f"{key}: {message}", file=file, row=row or lines.get(key)))

    for key in doc:
        if key not in MAP_KEYS:
            bad(str(key), f"okänd nyckel (tillåtna: {', '.join(MAP_KEYS)})")
    for key in ("columns", "sexes", "sheets", "questions"):
        if not isinstance(doc.get(key), dict) or not doc.get(key):
            bad(key, "saknas eller är ingen mappning")
    ci_level = doc.get("ci_level", 0.95)
    if isinstance(ci_level, bool) or not isinstance(ci_level, int | float) or not 0 < ci_level < 1:
        bad("ci_level", f"ska vara en konfidensnivå mellan 0 och 1 (t.ex. 0.95), inte {ci_level!r}")
        ci_level = 0.95
    if any(not isinstance(doc.get(k), dict) for k in ("columns", "sexes", "sheets", "questions")):
        raise DataError(problems)
    columns = {str(k): str(v) for k, v in doc["columns"].items()}
    for key in columns:
        if key not in COLUMN_KEYS:
            bad(f"columns.{key}", f"okänd nyckel (tillåtna: {', '.join(COLUMN_KEYS)})")
    for key in COLUMN_KEYS:
        if key not in columns:
            bad("columns", f"kolumnen för '{key}' saknas")
    sexes: dict[str, str] = {}
    for k, v in doc["sexes"].items():
        if v not in indicators.SEXES:
            bad(f"sexes.{k}", f"'{v}' är inget kön (tillåtna: {', '.join(indicators.SEXES)})")
        sexes[code_key(k) or ""] = str(v)
    known = set(lookup.areas()["area_code"])
    areas: dict[str, str] = {}
    for k, v in (doc.get("areas") or {}).items():
        if str(v) not in known:
            bad(f"areas.{k}", f'okänd områdeskod \'{v}\' (t.ex. "0000" riket, "0020" Dalarna)')
        areas[code_key(k) or ""] = str(v)
    sheets: dict[str, SheetSpec] = {}
    for name, spec in doc["sheets"].items():
        spec = spec or {}
        if not isinstance(spec, dict):
            bad(f"sheets.{name}", "ska vara en mappning (group_column, groups, blank)")
            continue
        for k in spec:
            if k not in SHEET_KEYS:
                bad(f"sheets.{name}.{k}", f"okänd nyckel (tillåtna: {', '.join(SHEET_KEYS)})")
        gcol = spec.get("group_column")
        groups = spec.get("groups") or {}
        if gcol and not groups:
            bad(f"sheets.{name}.groups", "saknas: ange filens grupper och deras namn")
        if groups and not gcol:
            bad(f"sheets.{name}.group_column", "saknas men groups är angivet")
        sheets[str(name)] = SheetSpec(
            str(name),
            str(gcol) if gcol else None,
            {code_key(k) or "": str(v) for k, v in groups.items()},
            None if spec.get("blank") is None else str(spec["blank"]),
        )
    questions: dict[str, QuestionSpec] = {}
    for var, spec in doc["questions"].items():
        if not isinstance(spec, dict):
            bad(f"questions.{var}", "ska vara en mappning (question, answer, label)")
            continue
        for k in spec:
            if k not in QUESTION_KEYS:
                bad(f"questions.{var}.{k}", f"okänd nyckel (tillåtna: {', '.join(QUESTION_KEYS)})")
        for k in ("question", "answer"):
            if not spec.get(k):
                bad(f"questions.{var}.{k}", "saknas")
        questions[str(var)] = QuestionSpec(
            str(var),
            str(spec.get("question", "")),
            str(spec.get("answer", "")),
            str(spec.get("label") or spec.get("answer", var)),
        )
    by_question: dict[str, str] = {}
    for q in questions.values():
        key = code_key(q.question) or ""
        if key in by_question:
            bad(
                f"questions.{q.variable}",
                f"frågan '{q.question}' används redan av {by_question[key]}",
            )
        by_question[key] = q.variable
    if problems:
        raise DataError(problems)
    return HlvMap(
        path=str(p),
        name=str(doc.get("name") or p.stem),
        source=str(doc.get("source") or "Källa: Folkhälsomyndigheten, Hälsa på lika villkor"),
        ci_level=float(ci_level),
        columns=columns,
        sexes=sexes,
        areas=areas,
        sheets=sheets,
        questions=questions,
    )


def parse_interval(text: object) -> tuple[tuple[float, float, bool] | None, str | None]:
    """Parse an interval cell such as ``"57.9 - 66.7  *"``.

    Returns
    -------
    tuple
        ``((lower, upper, starred), None)`` or ``(None, Swedish message)``; a
        lower limit above the upper is an error.
    """
    if is_blank(text) or not isinstance(text, str):
        return None, f"{shown(text)} är inget konfidensintervall (väntade t.ex. '57.9 - 66.7')."
    m = _INTERVAL.match(text)
    if not m:
        return None, f"{shown(text)} är inget konfidensintervall (väntade t.ex. '57.9 - 66.7')."
    lo, hi = (float(g.replace(",", ".")) for g in m.group(1, 2))
    if lo > hi:
        return (
            None,
            f"konfidensintervallets nedre gräns ({num(lo)}) är större än den övre ({num(hi)}).",
        )
    return (lo, hi, m.group(3) is not None), None


def _share(u: object) -> tuple[float | None, str | None]:
    if isinstance(u, bool) or u is None:
        return None, f"{shown(u)} är ingen andel i procent."
    x: Any = u
    if isinstance(u, str):
        t = u.strip()
        if not re.fullmatch(r"\d{1,3}", t):
            return None, f"{shown(u)} är ingen andel i hela procent (väntade t.ex. 62)."
        x = int(t)
    if not isinstance(x, int | float) or math.isnan(float(x)):
        return None, f"{shown(u)} är ingen andel i procent."
    if not 0 <= float(x) <= 100:
        return None, f"andelen {num(float(x), 0)} ligger utanför 0–100 procent."
    if not float(x).is_integer():
        return None, f"andelen {shown(u)} är inte hel procent som resten av kolumnen."
    return float(x), None


def _file_key(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return (str(path.resolve()), st.st_size, st.st_mtime_ns)


def read_hlv(
    path: str | Path,
    variable_map: str | Path | HlvMap,
    *,
    sheets: list[str] | None = None,
    variables: list[str] | None = None,
) -> pd.DataFrame:
    """Read an aggregated HLV workbook into the tidy indicator table.

    Parameters
    ----------
    path : str or Path
        The workbook (``.xlsx``; relative paths also from the project root).
    variable_map : str, Path or HlvMap
        The map (:func:`read_map`).
    sheets : list of str, optional
        Sheets to read (default every sheet of the map).
    variables : list of str, optional
        Variables to keep (default every question of the map).

    Returns
    -------
    pandas.DataFrame
        Indicator table: ``indicator`` = the map's variable name, ``value`` the
        interval's midpoint in percent, ``ci_lower``/``ci_upper`` the published
        limits (clipped to 0–100), ``n``/``numerator``/``denominator`` missing,
        flags from :func:`helpers.stats.reliability.assess_without_n`. Memoized
        per file (size and modification time), map and selection.

    Raises
    ------
    DataError
        Every problem, naming file, sheet, row and column (see the module docstring).
    """
    m = variable_map if isinstance(variable_map, HlvMap) else read_map(variable_map)
    p = _resolve(path)
    if not p.is_file():
        raise DataError(
            Problem(
                "enkätfilen finns inte – ange sökvägen till sammanställningen (survey.file)",
                file=str(path),
            )
        )
    chosen = list(m.sheets) if sheets is None else list(sheets)
    for s in chosen:
        if s not in m.sheets:
            raise DataError(
                f"bladet '{s}' finns inte i variabelkartan {Path(m.path).name}.{suggest(s, list(m.sheets))}"
            )
    wanted = list(m.questions) if variables is None else list(variables)
    for v in wanted:
        if v not in m.questions:
            raise DataError(
                f"okänd variabel '{v}' – variabelkartan {Path(m.path).name} har: "
                f"{', '.join(m.questions)}.{suggest(v, list(m.questions))}"
            )
    key = (_file_key(p), _file_key(Path(m.path)), tuple(chosen), tuple(wanted))
    return _MEMO.get(key, lambda: _read(p, m, chosen, wanted)).copy()


def _read(path: Path, m: HlvMap, sheets: list[str], variables: list[str]) -> pd.DataFrame:
    frames = [_read_sheet(path, m, m.sheets[s], variables) for s in sheets]
    return indicators.concat(frames)


def _read_sheet(path: Path, m: HlvMap, sheet: SheetSpec, variables: list[str]) -> pd.DataFrame:
    raw, coll = open_table(path, sheet=sheet.name)
    coll.file = f"{path.name}, blad '{sheet.name}'"
    c = m.columns
    needed = [
        (c["year"], "år"),
        (c["area"], "kommun"),
        (c["sex"], "kön"),
        (c["question"], "fråga"),
        (c["interval"], "konfidensintervall"),
        (c["answer"], "svar"),
        (c["share"], "andel"),
    ]
    if sheet.group_column:
        needed.append((sheet.group_column, "grupp"))
    check_columns(raw, needed, coll)
    coll.raise_if_any()
    by_question = {code_key(q.question) or "": q for q in m.questions.values()}
    qcells = raw.data[c["question"]].to_numpy(dtype=object)
    question = [by_question.get(code_key(u) or "") for u in qcells]
    keep = np.array([q is not None and q.variable in variables for q in question], dtype=bool)
    found = {q.variable for q in question if q is not None}
    for v in variables:
        if v not in found:
            coll.add(
                f"frågan '{m.questions[v].question}' ({v}) finns inte på bladet.",
                column=c["question"],
            )
    coll.raise_if_any()
    sub = raw.data[keep].reset_index(drop=True)
    raw_sub = type(raw)(
        file=raw.file,
        kind=raw.kind,
        header=raw.header,
        header_row=raw.header_row,
        data=sub,
        rows=raw.rows[keep],
        cell_problems={
            col: {
                int(np.flatnonzero(np.flatnonzero(keep) == i)[0]): msg
                for i, msg in cells.items()
                if keep[i]
            }
            for col, cells in raw.cell_problems.items()
        },
    )
    qs = [q for q, k in zip(question, keep, strict=True) if k]
    n_rows = len(sub)
    names_areas = _area_names()

    def area(u: object) -> tuple[str | None, str | None]:
        k = code_key(u)
        if k is None:
            return None, "kommunen saknas."
        if k in m.areas:
            return m.areas[k], None
        code = names_areas.get(k)
        if code is None:
            extra = ", ".join(sorted(m.areas)) if m.areas else "inga"
            return None, (
                f"okänt kommunnamn {shown(u)} – stava som i SCB:s kommunlista (t.ex. Malung-Sälen) "
                f"eller lägg till det under areas i variabelkartan (där finns nu: {extra})."
            )
        return code, None

    def sex(u: object) -> tuple[str | None, str | None]:
        k = code_key(u) or ""
        if k in m.sexes:
            return m.sexes[k], None
        return None, f"okänt kön {shown(u)} – variabelkartan anger: {', '.join(m.sexes)}."

    def group(u: object) -> tuple[str | None, str | None]:
        if is_blank(u):
            if sheet.blank is not None:
                return sheet.blank, None
            return None, (
                "gruppen saknas (tom cell) – ange i variabelkartan vad en tom cell betyder "
                f"(sheets.{sheet.name}.blank) eller rätta filen."
            )
        k = code_key(u) or ""
        if k in sheet.groups:
            return sheet.groups[k], None
        return None, f"okänd grupp {shown(u)} – variabelkartan anger: {', '.join(sheet.groups)}."

    years = apply_column(raw_sub, c["year"], year_cell, coll, "ogiltigt år")
    areas = apply_column(raw_sub, c["area"], area, coll, "okänd kommun")
    sexes = apply_column(raw_sub, c["sex"], sex, coll, "okänt kön")
    groups = (
        apply_column(raw_sub, sheet.group_column, group, coll, "okänd grupp")
        if sheet.group_column
        else np.full(n_rows, indicators.ALL_GROUPS, dtype=object)
    )
    intervals = apply_column(raw_sub, c["interval"], parse_interval, coll, "ogiltigt KI")
    shares = apply_column(raw_sub, c["share"], _share, coll, "ogiltig andel")
    answers = sub[c["answer"]].to_numpy(dtype=object)
    value = np.full(n_rows, np.nan)
    lower = np.full(n_rows, np.nan)
    upper = np.full(n_rows, np.nan)
    for i in range(n_rows):
        q = qs[i]
        if (code_key(answers[i]) or "") != (code_key(q.answer) or ""):
            coll.add(
                f"svaret {shown(answers[i])} är inte det variabelkartan anger för "
                f"{q.variable} ('{q.answer}') – andelen gäller då ett annat svar.",
                raw_sub.rows[i],
                c["answer"],
                "annat svar",
            )
            continue
        iv, share = intervals[i], shares[i]
        if iv is None or share is None:
            continue
        lo, hi, _ = iv
        mid = (lo + hi) / 2
        if abs(mid - share) > SHARE_TOLERANCE:
            coll.add(
                f"andelen {num(share, 0)} är inte intervallets mittpunkt avrundad till hel procent "
                f"({text_key(raw_sub.data[c['interval']].iloc[i])}, mittpunkt {num(mid, 2)}) – "
                "värdet och intervallet hör inte ihop.",
                raw_sub.rows[i],
                c["share"],
                "andel utanför KI",
            )
            continue
        value[i] = round(mid, 2)
        lower[i], upper[i] = lo, hi
    check_duplicates(
        raw_sub,
        [
            (a, y, s, g, q.variable)
            for a, y, s, g, q in zip(areas, years, sexes, groups, qs, strict=True)
        ],
        None,
        coll,
        lambda key, first: (
            f"samma år, område, kön, grupp och fråga ({key[4]}) finns redan på rad {first} – "
            "två värden för samma sak."
        ),
        "dubblerad rad",
    )
    coll.raise_if_any()
    clipped = (lower < 0) | (upper > 100)
    if clipped.any():
        logger.info(
            "%s, blad '%s': %d intervall går utanför 0–100 och kapas där (mittpunkten är tagen "
            "före kapningen).",
            path.name,
            sheet.name,
            int(clipped.sum()),
        )
    res = assess_without_n(value / 100, lower / 100, upper / 100)
    flags = res["flag"].to_numpy(dtype=object)
    reasons = res["flag_reason"].to_numpy(dtype=object)
    hidden = np.isin(flags, [indicators.FLAG_SUPPRESSED, indicators.FLAG_MISSING])
    lo_c, hi_c = np.clip(lower, 0, 100), np.clip(upper, 0, 100)
    lk = lookup.areas().set_index("area_code")
    codes = pd.Index([str(a) for a in areas])
    table = pd.DataFrame(
        {
            "area_code": codes,
            "area_name": lk["area_name"].reindex(codes).to_numpy(),
            "area_type": lk["area_type"].reindex(codes).to_numpy(),
            "period": [int(y) for y in years],
            "period_label": [str(int(y)) for y in years],
            "sex": sexes,
            "group": groups,
            "indicator": [q.variable for q in qs],
            "value": np.where(hidden, np.nan, value),
            "ci_lower": np.where(hidden, np.nan, lo_c),
            "ci_upper": np.where(hidden, np.nan, hi_c),
            "ci_level": np.where(hidden, np.nan, m.ci_level),
            "numerator": np.nan,
            "denominator": np.nan,
            "n": np.nan,
            "flag": flags,
            "flag_reason": reasons,
        }
    )
    return indicators.make(table, source=m.source)


def _area_names() -> dict[str, str]:
    def make() -> dict[str, str]:
        areas = lookup.areas()
        return {
            code_key(n) or "": c
            for n, c in zip(areas["area_name"], areas["area_code"], strict=True)
        }

    return _MEMO.get("area_names", make)
