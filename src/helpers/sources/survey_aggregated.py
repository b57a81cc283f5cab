"""Aggregated survey tables and Kolada survey KPIs as the tidy indicator table.

**Aggregated tables** (:func:`read_aggregated`) – per area, group and year the
unweighted number of respondents and either the number answering yes or a
weighted share, optionally with a confidence interval. They become the
tidy indicator table (:mod:`helpers.core.indicators`). Whether a share is
written in percent (6,07) or as a proportion (0,0607) is stated (``scale``)
or decided only when it cannot be wrong (see :func:`read_aggregated`).

**Kolada survey KPIs** (:func:`kolada_with_uncertainty`) – a value KPI and its
paired *osäkerhetstal* KPI (e.g. ``U01402`` daily smoking with ``U01508``)
become one indicator with a confidence interval and a reliability flag.

Reliability rule (our choice, modelled on the NCHS data presentation standards
for proportions): a value is flagged :data:`helpers.core.indicators.FLAG_UNCERTAIN`
when the half-width of its confidence interval is at least
:data:`MAX_ABSOLUTE_HALF_WIDTH` percentage points or more than
:data:`MAX_RELATIVE_HALF_WIDTH` of the value; see :func:`uncertainty_flag`.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from helpers.config.survey_cells import (
    MAX_PROBLEMS,
    SEX_SYNONYMS,
    TOTAL_SYNONYMS,
    NumberFormat,
    Percent,
    Problems,
    code_key,
    fmt_number,
    is_blank,
    is_missing,
    parse_number,
    shown,
    suggest,
    text_key,
)
from helpers.config.variable_map import VariableSpec
from helpers.core import indicators, lookup
from helpers.core.errors import DataError, Problem
from helpers.core.fmt import num
from helpers.core.memo import Memo
from helpers.sources.survey_columns import (
    Result,
    apply_column,
    check_columns,
    check_duplicates,
    check_labels,
    required_text,
    year_cell,
)
from helpers.sources.survey_readers import RawTable, open_table
from helpers.stats.proportions import wilson

#: Flag as uncertain when the CI half-width is at least this many percentage points.
MAX_ABSOLUTE_HALF_WIDTH = 15.0
#: Flag as uncertain when the CI half-width is more than this share of the value.
MAX_RELATIVE_HALF_WIDTH = 0.5
#: Kolada survey KPIs and their paired "osäkerhetstal" KPI.
KOLADA_UNCERTAINTY_KPIS: dict[str, str] = {"U01402": "U01508"}
#: Default column names of an aggregated extract (canonical key -> column in the file).
AGGREGATED_COLUMNS: dict[str, str] = {
    "area_code": "område",
    "period": "år",
    "sex": "kön",
    "group": "grupp",
    "indicator": "indikator",
    "n": "antal_svarande",
    "numerator": "antal_ja",
    "value": "andel",
    "ci_lower": "ki_nedre",
    "ci_upper": "ki_övre",
}
#: Cell texts that mean "suppressed in the source" in an aggregated extract.
SUPPRESSED_TOKENS: frozenset[str] = frozenset({"..", "x", "…", "-x-"})
#: How shares are written: ``procent`` (0–100) or ``andel`` (0–1), and accepted spellings.
SCALES: dict[str, str] = {
    "procent": "procent",
    "percent": "procent",
    "%": "procent",
    "andel": "andel",
    "andelar": "andel",
    "proportion": "andel",
    "share": "andel",
}
_MEMO = Memo("enkat_omraden")
logger = logging.getLogger(__name__)


def _area_lookup() -> tuple[frozenset[str], dict[str, str]]:
    return _MEMO.get("areas", _read_areas)


def _read_areas() -> tuple[frozenset[str], dict[str, str]]:
    areas = lookup.areas()
    names = {
        code_key(n) or "": c for n, c in zip(areas["area_name"], areas["area_code"], strict=True)
    }
    return frozenset(areas["area_code"]), names


def _wilson_percent(
    yes: np.ndarray, n: np.ndarray, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson limits in percent (:func:`helpers.stats.proportions.wilson`); NaN where n is 0 or missing.

    The limits are clipped to 0–100 and exact at the extremes (0 when no one
    answered yes, 100 when everyone did), where floating point could leave 1e-15.
    """
    lower = np.full(len(n), np.nan)
    upper = np.full(len(n), np.nan)
    ok = np.isfinite(yes) & np.isfinite(n) & (n > 0)
    if ok.any():
        w = wilson(yes[ok], n[ok], confidence, multiplier=100)
        lower[ok] = np.clip(w["ci_lower"].to_numpy(), 0, 100)
        upper[ok] = np.clip(w["ci_upper"].to_numpy(), 0, 100)
    lower = np.where(ok & (yes == 0), 0.0, lower)
    upper = np.where(ok & (yes == n), 100.0, upper)
    return lower, upper


def uncertainty_flag(value: Any, half_width: Any) -> tuple[np.ndarray, np.ndarray]:
    """Reliability flag from a value and the half-width of its confidence interval.

    Our rule, modelled on the NCHS data presentation standards for
    proportions (Parker et al. 2017) but simpler: a value in percent is
    :data:`~helpers.core.indicators.FLAG_UNCERTAIN` when the half-width is at least
    :data:`MAX_ABSOLUTE_HALF_WIDTH` percentage points or more than
    :data:`MAX_RELATIVE_HALF_WIDTH` of the value (a value of 0 with a
    positive half-width is therefore uncertain), otherwise
    :data:`~helpers.core.indicators.FLAG_OK`. A missing value gives
    :data:`~helpers.core.indicators.FLAG_MISSING`; a missing half-width
    :data:`~helpers.core.indicators.FLAG_NOT_ASSESSED`.

    Parameters
    ----------
    value, half_width : array-like of float
        Values in percent and half-widths in percentage points.

    Returns
    -------
    flags, reasons : numpy.ndarray of str
        The flag and a short Swedish reason (empty when reliable).
    """
    v = np.atleast_1d(np.asarray(value, dtype=float))
    h = np.atleast_1d(np.asarray(half_width, dtype=float))
    flags = np.full(v.shape, indicators.FLAG_OK, dtype=object)
    reasons = np.full(v.shape, "", dtype=object)
    for i in range(len(v)):
        if np.isnan(v[i]):
            flags[i], reasons[i] = indicators.FLAG_MISSING, "värde saknas"
        elif np.isnan(h[i]):
            flags[i], reasons[i] = indicators.FLAG_NOT_ASSESSED, "osäkerhet saknas"
        elif h[i] >= MAX_ABSOLUTE_HALF_WIDTH:
            flags[i] = indicators.FLAG_UNCERTAIN
            reasons[i] = (
                f"konfidensintervallet är ±{num(h[i])} procentenheter "
                f"(gräns {num(MAX_ABSOLUTE_HALF_WIDTH, 0)})"
            )
        elif h[i] > MAX_RELATIVE_HALF_WIDTH * v[i]:
            flags[i] = indicators.FLAG_UNCERTAIN
            reasons[i] = f"konfidensintervallet (±{num(h[i])}) är mer än hälften av värdet"
    return flags, reasons


def _area(u: object) -> Result:
    text = text_key(u)
    if text is None:
        return None, "området saknas."
    codes, names = _area_lookup()
    if text.isdigit():
        if len(text) == 2:
            text = lookup.region_code_of(text)
        elif len(text) == 3:
            text = lookup.pad_kommun(text)
    if text in codes:
        return text, None
    code = names.get(code_key(text) or "")
    if code is not None:
        return code, None
    return None, (
        f"okänd områdeskod {shown(u)} – ange kommunkod (t.ex. 2080), regionkod "
        "(t.ex. 0020) eller 0000 för riket."
    )


def _period(u: object) -> Result:
    text = text_key(u)
    if text is None:
        return None, "året saknas."
    m = re.fullmatch(r"(\d{4})\s*[-–—]\s*(\d{4})", text)
    if m and int(m.group(1)) <= int(m.group(2)):
        return (int(m.group(2)), f"{m.group(1)}–{m.group(2)}"), None
    year, err = year_cell(u)
    if err:
        return (
            None,
            f"{shown(u)} är inget år eller årsintervall (ange t.ex. 2024 eller 2021–2024).",
        )
    return (year, str(year)), None


def _count(what: str) -> Callable[[object], Result]:
    def func(u: object) -> Result:
        x = parse_number(u)
        if x is not None and math.isnan(x):
            return None, f"{what} saknas."
        if x is None:
            return None, f"{shown(u)} är inte ett tal ({what})."
        if x < 0:
            return None, f"{what} kan inte vara negativt (är {fmt_number(x)})."
        if not x.is_integer():
            return None, f"{what} ska vara ett heltal (är {fmt_number(x)})."
        return x, None

    return func


_SUPPRESSED = object()


def _share(what: str) -> Callable[[object], Result]:
    """Return the converter of a share cell: a number, a :class:`Percent`, NaN or suppressed (scaled later)."""

    def func(u: object) -> Result:
        if isinstance(u, str) and u.strip().casefold() in SUPPRESSED_TOKENS:
            return _SUPPRESSED, None
        if isinstance(u, Percent):
            return u, None
        x = parse_number(u)
        if x is not None and math.isnan(x):
            return math.nan, None
        if x is None:
            return None, f"{shown(u)} är inte ett tal ({what})."
        return x, None

    return func


_SHARE_WHAT = {"value": "andelen", "ci_lower": "KI:s nedre gräns", "ci_upper": "KI:s övre gräns"}


def _scaled(
    raw: RawTable,
    cells: Mapping[str, tuple[str, np.ndarray]],
    scale: str | None,
    coll: Problems,
) -> dict[str, np.ndarray]:
    """Turn share cells (value and CI columns) into percent, or report why that is not certain.

    ``cells`` maps a key (``value``, ``ci_lower``, ``ci_upper``) to its column
    name and the cells from :func:`_share`. A cell in Excel's percent format
    or written with ``%`` is percent whatever the scale. The other cells are
    percent or proportions as ``scale`` says; without it, a value above 1
    anywhere means percent (logged), and values that are all between 0 and 1
    are refused as ambiguous (0,0607 can be 6,07 % or 0,0607 %).
    """
    plain = [
        (key, i, float(x))
        for key, (_, arr) in cells.items()
        for i, x in enumerate(arr)
        if isinstance(x, float) and not math.isnan(x)
    ]
    used = scale
    if used is None:
        big = next(((k, i, x) for k, i, x in plain if x > 1), None)
        small = next(((k, i, x) for k, i, x in plain if 0 < x <= 1), None)
        if big is not None:
            used = "procent"
            k, i, x = big
            logger.info(
                "%s: andelarna läses som procent (0–100) eftersom kolumnen '%s' har värdet %s "
                "på rad %d; ange scale för att slippa gissningen.",
                raw.file,
                cells[k][0],
                fmt_number(x),
                raw.rows[i],
            )
        elif small is not None:
            k, i, x = small
            coll.add(
                "alla andelar i tabellen ligger mellan 0 och 1 (t.ex. "
                f"{fmt_number(x)}) – det kan vara andelar ({fmt_number(100 * x)} %) eller "
                f"procent ({fmt_number(x)} %). Arbetsboken gissar inte: ange skalan när "
                'tabellen läses, scale="andel" (0–1) eller scale="procent" (0–100).',
                row=raw.rows[i],
                column=cells[k][0],
                kind="oklar skala",
            )
            return {key: np.full(len(arr), np.nan) for key, (_, arr) in cells.items()}
    factor = 100.0 if used == "andel" else 1.0
    out: dict[str, np.ndarray] = {}
    for key, (column, arr) in cells.items():
        what = _SHARE_WHAT[key]
        values = np.full(len(arr), np.nan)
        marked = 0
        for i, x in enumerate(arr):
            if isinstance(x, Percent):
                marked += 1
                pct, shown_as = x.value, x.text
            elif isinstance(x, float):
                pct, shown_as = round(x * factor, 10), fmt_number(x)
            else:
                continue
            if math.isnan(pct):
                continue
            if not 0 <= pct <= 100:
                coll.add(
                    f"{what} {shown_as} ligger utanför 0–100 procent."
                    if used != "andel" or isinstance(x, Percent)
                    else f"{what} {shown_as} ligger utanför 0–1, men tabellen anges som "
                    'andelar (scale="andel").',
                    row=raw.rows[i],
                    column=column,
                    kind="ogiltig andel",
                )
                continue
            values[i] = pct
        if marked:
            logger.info(
                "%s, kolumn '%s': %d celler har procentformat i Excel och läses som procent "
                "(0,0607 visas som 6,07 %% och blir 6,07).",
                raw.file,
                column,
                marked,
            )
        out[key] = values
    return out


def _sex_total(codes: Mapping[str, str], raw: RawTable, column: str) -> Callable[[object], Result]:
    """Return the converter of the sex column: codes, then the cell, then its SPSS label."""

    def func(u: object) -> Result:
        if is_blank(u):
            return "totalt", None
        key = code_key(u) or ""
        label = raw.label(column, u)
        keys = [code_key(codes[key]) or ""] if key in codes else [key, code_key(label) or ""]
        for k in keys:
            if k in TOTAL_SYNONYMS:
                return "totalt", None
            if k in SEX_SYNONYMS:
                return SEX_SYNONYMS[k], None
        return None, f"okänt kön {shown(u, label)} – tillåtna värden: totalt, kvinnor, män."

    return func


def _group(u: object) -> Result:
    """Convert a group cell: blank is all respondents; a missing-value spelling is refused."""
    if is_blank(u):
        return indicators.ALL_GROUPS, None
    if is_missing(u):
        return None, (
            f"gruppen {shown(u)} ser ut som ett saknat värde – lämna cellen tom om raden gäller "
            "alla svarande, annars skriv gruppens namn."
        )
    return text_key(u), None


def read_aggregated(
    path: str | Path,
    columns: Mapping[str, str] | None = None,
    *,
    indicator: str | None = None,
    sex_codes: Mapping[Any, str] | None = None,
    ci_level: float = 0.95,
    source: str = "",
    sheet: str | None = None,
    separator: str = ";",
    scale: str | None = None,
    decimal: str | None = None,
    thousands: str | None = None,
) -> pd.DataFrame:
    """Read an aggregated survey table into the tidy indicator table.

    Each row gives, for one area, period, sex and group, the unweighted number
    of respondents and either the number answering yes or a (weighted)
    share, optionally with a confidence interval on the same scale.

    Nothing is guessed: shares are read as ``scale`` says; without it, a value
    above 1 in the share or interval columns means percent (logged), and a
    table whose shares all lie between 0 and 1 is refused (0,0607 could be
    6,07 % or 0,0607 %). An Excel cell in percent format (0,0607 shown as
    6,07 %) or a text such as ``"6,07 %"`` is read as the percent it shows.
    Numbers written as text follow ``decimal``/``thousands`` or are decided
    per column (:func:`helpers.config.survey_cells.decide_numbers`); ``"2.105"``
    with nothing to tell 2 105 from 2,105 is refused.

    Parameters
    ----------
    path : str or Path
        ``.csv`` (Swedish Excel dialect), ``.xlsx`` or ``.sav``; opened read-only.
    columns : mapping, optional
        Column names in the file by canonical key, overriding
        :data:`AGGREGATED_COLUMNS`. Required: ``area_code``, ``period``, ``n``
        and one of ``numerator`` (yes-count) or ``value`` (percent). Optional:
        ``sex`` (default ``totalt``), ``group`` (default ``alla``),
        ``indicator`` and ``ci_lower``/``ci_upper`` (both or neither). A
        default-named optional column is used when present; one named here
        must exist.
    indicator : str, optional
        Indicator id for every row (needed when the file has no indicator column).
    sex_codes : mapping, optional
        Codes of the sex column, e.g. ``{1: "män", 2: "kvinnor", 3: "totalt"}``.
    ci_level : float
        Level of the file's intervals and of the Wilson intervals computed here.
    source : str
        Attribution for the ``source`` column.
    sheet, separator : str, optional
        Excel sheet and CSV separator (see :func:`~helpers.sources.survey_readers.open_table`).
    scale : {"procent", "andel"}, optional
        How the shares are written: percent (0–100) or proportions (0–1).
    decimal, thousands : str, optional
        Decimal and thousands separators of numbers written as text
        (:class:`helpers.config.survey_cells.NumberFormat`).

    Returns
    -------
    pandas.DataFrame
        Indicator table with ``value`` in percent. The interval is the file's
        when given; for counts without one it is the Wilson score interval;
        a percentage without an interval is flagged "ej bedömd". Flags follow
        :func:`uncertainty_flag`; an empty cell gives "saknas" and ``..``/``x``
        gives "undertryckt".

    Raises
    ------
    DataError
        Listing every problem (file, row, column): missing columns, unknown
        areas, percentages outside 0–100, shares of unknown scale, ambiguous
        numbers, negative or non-integer counts, yes-counts above n,
        intervals that do not contain the value, duplicated rows.
    """
    if scale is not None and str(scale).strip().casefold() not in SCALES:
        raise DataError(
            f'okänd skala \'{scale}\' – ange scale="procent" (0–100) eller scale="andel" (0–1).'
        )
    used_scale = None if scale is None else SCALES[str(scale).strip().casefold()]
    if decimal not in (None, ",", "."):
        raise DataError(f'okänt decimaltecken \'{decimal}\' – ange decimal="," eller decimal=".".')
    numbers = NumberFormat(
        decimal,
        thousands,
        hint='ange talformatet när tabellen läses, t.ex. decimal="," och thousands="."',
    )
    raw, coll = open_table(path, sheet=sheet, separator=separator)
    explicit = dict(columns or {})
    for key in explicit:
        if key not in AGGREGATED_COLUMNS:
            raise DataError(
                f"okänd nyckel '{key}' i columns.{suggest(key, list(AGGREGATED_COLUMNS))}"
            )
    names = {**AGGREGATED_COLUMNS, **explicit}
    header = set(raw.data.columns)
    purposes = {
        "area_code": "område",
        "period": "år",
        "n": "antal svarande",
        "numerator": "antal ja",
        "value": "andel i procent",
        "ci_lower": "konfidensintervallets nedre gräns",
        "ci_upper": "konfidensintervallets övre gräns",
        "sex": "kön",
        "group": "grupp",
        "indicator": "indikator",
    }
    needed = [(names[k], purposes[k]) for k in ("area_code", "period", "n")]
    needed += [(names[k], purposes[k]) for k in explicit if k not in ("area_code", "period", "n")]
    has = {k: names[k] in header for k in names}
    if not (has["numerator"] or has["value"]):
        coll.add(
            f"filen behöver antingen kolumnen '{names['numerator']}' (antal ja) eller "
            f"'{names['value']}' (andel i procent).",
            row=raw.header_row or None,
        )
    if has["ci_lower"] != has["ci_upper"]:
        missing = "ci_upper" if has["ci_lower"] else "ci_lower"
        needed.append((names[missing], purposes[missing]))
    if not has["indicator"] and indicator is None:
        coll.add(
            f"filen har ingen kolumn '{names['indicator']}' – ange indikatorns namn "
            "(argumentet indicator).",
            row=raw.header_row or None,
        )
    check_columns(raw, needed, coll)
    if coll:
        coll.raise_if_any()
    n_rows = len(raw.data)
    area = apply_column(raw, names["area_code"], _area, coll, "okänt område")
    period = apply_column(raw, names["period"], _period, coll, "ogiltigt år")
    n = apply_column(
        raw,
        names["n"],
        _count("antalet svarande"),
        coll,
        "ogiltigt antal svarande",
        numbers=numbers,
    )
    sex_map = {(code_key(k) or ""): str(v) for k, v in (sex_codes or {}).items()}
    if has["sex"] and sex_map:
        canon = {
            k: SEX_SYNONYMS.get(code_key(v) or "", "totalt" if code_key(v) in TOTAL_SYNONYMS else v)
            for k, v in sex_map.items()
        }
        check_labels(raw, {"sex": VariableSpec("sex", names["sex"], codes=canon)}, {}, coll)
    sex = (
        apply_column(raw, names["sex"], _sex_total(sex_map, raw, names["sex"]), coll, "okänt kön")
        if has["sex"]
        else np.full(n_rows, "totalt", dtype=object)
    )
    group = (
        apply_column(raw, names["group"], _group, coll, "ogiltig grupp")
        if has["group"]
        else np.full(n_rows, indicators.ALL_GROUPS, dtype=object)
    )
    ind = (
        apply_column(raw, names["indicator"], required_text("indikatorn"), coll, "indikator saknas")
        if has["indicator"]
        else np.full(n_rows, indicator, dtype=object)
    )
    if has["indicator"] and indicator is not None:
        ind = np.array([indicator if v is None else v for v in ind], dtype=object)
    yes = (
        apply_column(
            raw, names["numerator"], _count("antal ja"), coll, "ogiltigt antal ja", numbers=numbers
        )
        if has["numerator"]
        else None
    )
    share_keys = [k for k in ("value",) if has[k]]
    if has["ci_lower"] and has["ci_upper"]:
        share_keys += ["ci_lower", "ci_upper"]
    shares = {
        k: (
            names[k],
            apply_column(
                raw,
                names[k],
                _share(_SHARE_WHAT[k]),
                coll,
                "ogiltig andel" if k == "value" else "ogiltigt KI",
                numbers=numbers,
                percent=True,
            ),
        )
        for k in share_keys
    }
    scaled = _scaled(raw, shares, used_scale, coll)
    pct = shares["value"][1] if "value" in shares else None
    lo = shares["ci_lower"][1] if "ci_lower" in shares else None

    share_keys_all = ("value", "ci_lower", "ci_upper")

    def fnum(arr: np.ndarray | None) -> np.ndarray:
        if arr is None:
            return np.full(n_rows, np.nan)
        return np.array(
            [np.nan if (a is None or a is _SUPPRESSED) else float(a) for a in arr], dtype=float
        )

    n_f, yes_f = fnum(n), fnum(yes)
    pct_f, lo_f, hi_f = (scaled.get(k, np.full(n_rows, np.nan)) for k in share_keys_all)
    if yes is not None:
        for i in np.flatnonzero(yes_f > n_f):
            coll.add(
                f"antal ja ({num(yes_f[i], 0)}) är större än antalet svarande ({num(n_f[i], 0)}).",
                raw.rows[i],
                names["numerator"],
                "antal ja större än n",
            )
    value = pct_f if pct is not None else np.where(n_f > 0, 100 * yes_f / n_f, np.nan)
    if lo is not None:
        tol = 1e-9
        for i in range(n_rows):
            a, b, x = lo_f[i], hi_f[i], value[i]
            if np.isnan(a) and np.isnan(b):
                continue
            if np.isnan(a) or np.isnan(b):
                coll.add(
                    "bara den ena gränsen av konfidensintervallet är ifylld.",
                    raw.rows[i],
                    names["ci_upper" if np.isnan(b) else "ci_lower"],
                    "ofullständigt KI",
                )
            elif a > b + tol:
                coll.add(
                    f"konfidensintervallets nedre gräns ({num(a)}) är större än den övre ({num(b)}).",
                    raw.rows[i],
                    names["ci_lower"],
                    "ogiltigt KI",
                )
            elif not np.isnan(x) and not (a - tol <= x <= b + tol):
                coll.add(
                    f"konfidensintervallet ({num(a)}–{num(b)}) omsluter inte värdet {num(x)}.",
                    raw.rows[i],
                    names["ci_lower"],
                    "KI omsluter inte värdet",
                )
    check_duplicates(
        raw,
        [
            (a, None if p is None else p[0], s, g, k)
            for a, p, s, g, k in zip(area, period, sex, group, ind, strict=True)
        ],
        None,
        coll,
        lambda key, first: (
            f"samma område, år, kön, grupp och indikator finns redan på rad {first}."
        ),
        "dubblerad rad",
    )
    coll.raise_if_any()

    suppressed = np.zeros(n_rows, dtype=bool)
    for arr in (pct, yes):
        if arr is not None:
            suppressed |= np.array([a is _SUPPRESSED for a in arr])
    if lo is not None:
        lower, upper = lo_f, hi_f
    elif pct is None:
        lower, upper = _wilson_percent(yes_f, n_f, ci_level)
    else:
        lower = upper = np.full(n_rows, np.nan)
    flags, reasons = uncertainty_flag(value, (upper - lower) / 2)
    flags[suppressed] = indicators.FLAG_SUPPRESSED
    reasons[suppressed] = "undertryckt i källan"
    nan_value = np.isnan(value) & ~suppressed
    reasons[nan_value & (n_f == 0)] = "inga svarande"
    reasons[(flags == indicators.FLAG_NOT_ASSESSED)] = "filen anger ingen osäkerhet"
    has_ci = ~np.isnan(lower) & ~np.isnan(value)
    areas = lookup.areas().set_index("area_code")
    area_codes = pd.Index(area.astype(str))
    counts = pct is None
    table = pd.DataFrame(
        {
            "area_code": area_codes,
            "area_name": areas["area_name"].reindex(area_codes).to_numpy(),
            "area_type": areas["area_type"].reindex(area_codes).to_numpy(),
            "period": [p[0] for p in period],
            "period_label": [p[1] for p in period],
            "sex": sex,
            "group": group,
            "indicator": ind,
            "value": np.where(suppressed, np.nan, value),
            "ci_lower": np.where(has_ci, lower, np.nan),
            "ci_upper": np.where(has_ci, upper, np.nan),
            "ci_level": np.where(has_ci, ci_level, np.nan),
            "numerator": yes_f if counts else np.full(n_rows, np.nan),
            "denominator": n_f if counts else np.full(n_rows, np.nan),
            "n": n_f,
            "flag": flags,
            "flag_reason": reasons,
        }
    )
    return indicators.make(table, source=source)


# -- Kolada survey KPIs -------------------------------------------------------------------
def kolada_with_uncertainty(
    df: pd.DataFrame,
    value_kpi: str,
    uncertainty_kpi: str | None = None,
    *,
    ci_level: float = 0.95,
) -> pd.DataFrame:
    """Combine a Kolada survey KPI with its paired "osäkerhetstal" KPI.

    Kolada publishes survey-based KPIs (e.g. ``U01402``, daily smoking) with a
    separate KPI holding the uncertainty (e.g. ``U01508``). The interval is
    ``value ∓ osäkerhetstal``, clipped to 0–100. Kolada does not state the
    confidence level; we assume 95 % (``ci_level``), the level the survey
    producers use for their published intervals.

    Parameters
    ----------
    df : pandas.DataFrame
        Indicator table holding both KPIs (e.g. from ``helpers.sources.kolada``).
    value_kpi : str
        The value KPI.
    uncertainty_kpi : str, optional
        Its osäkerhetstal KPI; looked up in :data:`KOLADA_UNCERTAINTY_KPIS` when omitted.
    ci_level : float
        Confidence level recorded for the interval.

    Returns
    -------
    pandas.DataFrame
        Indicator table with the value KPI's rows only, with ``ci_lower``,
        ``ci_upper``, ``ci_level`` and a flag: "undertryckt" when Kolada has
        no value, "ej bedömd" when the osäkerhetstal is missing, otherwise
        per :func:`uncertainty_flag` (half-width = osäkerhetstal).

    Raises
    ------
    DataError
        If a KPI is absent from ``df`` or an osäkerhetstal is negative.
    """
    indicators.validate(df)
    if uncertainty_kpi is None:
        uncertainty_kpi = KOLADA_UNCERTAINTY_KPIS.get(value_kpi)
        if uncertainty_kpi is None:
            raise DataError(
                f"okänt osäkerhetstal för {value_kpi} – ange det med argumentet uncertainty_kpi."
            )
    val = df[df["indicator"] == value_kpi]
    unc = df[df["indicator"] == uncertainty_kpi]
    if val.empty:
        raise DataError(f"KPI {value_kpi} finns inte i tabellen.")
    if unc.empty:
        raise DataError(
            f"osäkerhetstalet {uncertainty_kpi} för {value_kpi} finns inte i tabellen – "
            "hämta båda KPI:erna."
        )
    keys = ["area_code", "period", "sex", "group"]
    merged = val.merge(
        unc[keys].assign(_half=unc["value"].to_numpy(dtype=float)),
        on=keys,
        how="left",
        validate="one_to_one",
    )
    value = merged["value"].to_numpy(dtype=float)
    half = merged["_half"].to_numpy(dtype=float)
    negative = np.flatnonzero(half < 0)
    if len(negative):
        raise DataError(
            [
                Problem(
                    f"negativt osäkerhetstal ({num(half[i])}) för {merged['area_code'].iloc[i]} "
                    f"{merged['period'].iloc[i]}",
                    file=uncertainty_kpi,
                    column="value",
                )
                for i in negative[:MAX_PROBLEMS]
            ]
        )
    flags, reasons = uncertainty_flag(value, half)
    missing_value = np.isnan(value)
    flags[missing_value] = indicators.FLAG_SUPPRESSED
    reasons[missing_value] = "Kolada redovisar inget värde (för få svarande eller uppgift saknas)"
    reasons[flags == indicators.FLAG_NOT_ASSESSED] = f"osäkerhetstal ({uncertainty_kpi}) saknas"
    known = ~missing_value & ~np.isnan(half)
    out = merged.drop(columns="_half")
    out["ci_lower"] = np.where(known, np.clip(value - half, 0, 100), np.nan)
    out["ci_upper"] = np.where(known, np.clip(value + half, 0, 100), np.nan)
    out["ci_level"] = np.where(known, ci_level, np.nan)
    out["flag"] = flags
    out["flag_reason"] = reasons
    return indicators.make(out)
