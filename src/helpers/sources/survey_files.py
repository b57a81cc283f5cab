"""Read and validate regional survey extracts into canonical frames.

Three kinds of input are handled:

**Microdata** (:func:`read_microdata`) – one row per respondent, as a region
receives it for *Hälsa på lika villkor* (HLV) with its supplementary sample,
or for Lupp and school surveys. A *variable map* (YAML in ``params/``, see
:func:`load_variable_map`) says which column is which and how the region's
codes map to the workbook's categories, so each region's own column names and
codes work unchanged. The result is a canonical frame with the columns
:data:`CANONICAL_COLUMNS` plus one nullable 0/1 column per answer variable.

**Aggregated tables** (:func:`read_aggregated`) – per area, group and year the
unweighted number of respondents and either the number answering yes or a
weighted percentage, optionally with a confidence interval. They become the
tidy indicator table (:mod:`helpers.core.indicators`).

**Kolada survey KPIs** (:func:`kolada_with_uncertainty`) – a value KPI and its
paired *osäkerhetstal* KPI (e.g. ``U01402`` daily smoking with ``U01508``)
become one indicator with a confidence interval and a reliability flag.

File formats: CSV in the Swedish Excel dialect (``;`` separator, decimal
comma, UTF-8 with or without BOM, or Windows-1252 – detected), XLSX (first
sheet unless the map names one) and SPSS ``.sav`` (value labels are used
where present). Files are only ever opened for reading.

Validation collects *all* problems and raises one
:class:`helpers.core.errors.DataError` whose Swedish message names the file, the
row as the user sees it (the header is row 1 in CSV and Excel, so the first
data row is row 2; in a ``.sav`` file the row is the case number) and the
column. The same problem on many rows is shown for the first
:data:`MAX_ROWS_PER_PROBLEM` rows and then counted, and the whole list is
capped at :data:`MAX_PROBLEMS` entries with a closing "… och N problem till".

Reliability rule (our choice, modelled on the NCHS data presentation standards
for proportions): a value is flagged :data:`helpers.core.indicators.FLAG_UNCERTAIN`
when the half-width of its confidence interval is at least
:data:`MAX_ABSOLUTE_HALF_WIDTH` percentage points or more than
:data:`MAX_RELATIVE_HALF_WIDTH` of the value; see :func:`uncertainty_flag`.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd
import yaml

from helpers.core import indicators, lookup
from helpers.core.errors import DataError, Problem
from helpers.core.fmt import num

#: Canonical columns of a microdata frame (answer columns follow these).
CANONICAL_COLUMNS: tuple[str, ...] = (
    "respondent_id",
    "kommun",
    "year",
    "sex",
    "age_group",
    "education",
    "weight",
    "stratum",
    "psu",
)
#: Variables a variable map must define (``psu`` is optional).
REQUIRED_VARIABLES: tuple[str, ...] = CANONICAL_COLUMNS[:-1]
#: Sexes in microdata (the indicator table also has ``"totalt"``).
SEXES: tuple[str, ...] = ("kvinnor", "män")
#: Education levels, from lowest to highest, then unknown.
EDUCATION_LEVELS: tuple[str, ...] = ("förgymnasial", "gymnasial", "eftergymnasial", "okänd")
#: At most this many problems are listed in one error.
MAX_PROBLEMS = 50
#: The same kind of problem in one column is listed for this many rows, then counted.
MAX_ROWS_PER_PROBLEM = 5
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

_CSV_SUFFIXES = (".csv", ".txt")
_XLSX_SUFFIXES = (".xlsx", ".xlsm")
_SAV_SUFFIXES = (".sav", ".zsav")
_OTHER_SEPARATORS = (",", "\t", "|", ";")
_SEPARATOR_NAMES = {",": "komma", "\t": "tabb", "|": "lodstreck", ";": "semikolon"}

_SEX_SYNONYMS: dict[str, str] = {
    **dict.fromkeys(
        [
            "kvinnor",
            "kvinna",
            "k",
            "flicka",
            "flickor",
            "tjej",
            "tjejer",
            "female",
            "woman",
            "women",
        ],
        "kvinnor",
    ),
    **dict.fromkeys(
        ["män", "man", "m", "pojke", "pojkar", "kille", "killar", "male", "men"],
        "män",
    ),
}
_TOTAL_SYNONYMS = frozenset({"totalt", "t", "alla", "samtliga", "båda", "båda könen", "total"})
_EDUCATION_SYNONYMS: dict[str, str] = {
    **dict.fromkeys(
        ["förgymnasial", "förgymnasial utbildning", "grundskola", "grundskoleutbildning"],
        "förgymnasial",
    ),
    **dict.fromkeys(
        ["gymnasial", "gymnasial utbildning", "gymnasieutbildning", "gymnasium"], "gymnasial"
    ),
    **dict.fromkeys(
        [
            "eftergymnasial",
            "eftergymnasial utbildning",
            "högskola",
            "högskoleutbildning",
            "universitet",
        ],
        "eftergymnasial",
    ),
    **dict.fromkeys(["okänd", "okänt", "uppgift saknas", "saknas", "vet ej"], "okänd"),
}

_INT_LIKE = re.compile(r"[+-]?\d+(?:[.,]0+)?")
_ANSWER_NAME = re.compile(r"[a-z_][a-z0-9_]*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# -- problem collection ----------------------------------------------------------------
class _Problems:
    """Collect problems for one file; the same kind in one column is counted, not repeated."""

    def __init__(self, file: str):
        self.file = file
        self._items: list[Problem] = []
        self._shown: dict[tuple[str, str | None], int] = {}
        self._hidden: dict[tuple[str, str | None], int] = {}

    def add(
        self, message: str, row: int | None = None, column: str | None = None, kind: str = ""
    ) -> None:
        if kind:
            key = (kind, column)
            if self._shown.get(key, 0) >= MAX_ROWS_PER_PROBLEM:
                self._hidden[key] = self._hidden.get(key, 0) + 1
                return
            self._shown[key] = self._shown.get(key, 0) + 1
        self._items.append(Problem(message, self.file, None if row is None else int(row), column))

    def __bool__(self) -> bool:
        return bool(self._items)

    def problems(self) -> list[Problem]:
        items = sorted(self._items, key=lambda p: -1 if p.row is None else p.row)
        for (kind, column), count in self._hidden.items():
            rows = "rad" if count == 1 else "rader"
            items.append(
                Problem(
                    f"… och {count} {rows} till med samma problem ({kind})", self.file, None, column
                )
            )
        if len(items) > MAX_PROBLEMS:
            rest = len(items) - MAX_PROBLEMS
            items = [*items[:MAX_PROBLEMS], Problem(f"… och {rest} problem till", self.file)]
        return items

    def raise_if_any(self) -> None:
        if self._items:
            raise DataError(self.problems())


def _suggest(name: str, candidates: list[str]) -> str:
    """Return ``" Menade du 'X'?"`` for the closest candidate, or ``""``.

    Close means a difflib ratio of at least 0.7 (case-insensitive), or one name
    starting with the other (at least three letters, e.g. ``Alk``/``Alkohol``).
    """
    lowered = {c.casefold(): c for c in candidates if c}
    key = name.casefold()
    match = difflib.get_close_matches(key, list(lowered), n=1, cutoff=0.7)
    if not match and len(key) >= 3:
        match = [c for c in lowered if len(c) >= 3 and (c.startswith(key) or key.startswith(c))]
    return f" Menade du '{lowered[match[0]]}'?" if match else ""


# -- cell normalisation ------------------------------------------------------------------
def _is_blank(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    if isinstance(value, str):
        return not value.strip().strip("\ufeff\u00a0")
    return bool(pd.isna(value)) if np.isscalar(value) else False


def _text_key(value: object) -> str | None:
    """Text of a cell as an identifier (integers without decimals), ``None`` when blank."""
    if _is_blank(value):
        return None
    if isinstance(value, bool | np.bool_):
        return str(int(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    return str(value).strip().strip("\ufeff\u00a0")


def _code_key(value: object) -> str | None:
    """Return the comparable form of a code: ``1``, ``1.0``, ``"01"`` and ``" 1,0"`` all give ``"1"``."""
    text = _text_key(value)
    if text is None:
        return None
    if _INT_LIKE.fullmatch(text):
        return str(int(re.split(r"[.,]", text)[0]))
    return " ".join(text.casefold().split())


_PLAIN_NUMBER = re.compile(r"[+-]?\d{1,15}(?:[.,]\d{1,15})?")


def _parse_number(value: object) -> float | None:
    """Parse a number written the Swedish or the English way; NaN when blank, None when invalid."""
    if isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value):  # fast path: "12,75", "3"
        return float(value.replace(",", "."))
    if _is_blank(value):
        return math.nan
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, int | float | np.integer | np.floating):
        x = float(value)
        return x if math.isfinite(x) else None
    text = str(value).strip()
    for space in (" ", "\u00a0", "\u202f", "\u2009", "\ufeff"):
        text = text.replace(space, "")
    text = text.replace("−", "-")
    if "," in text:
        if text.count(",") > 1:
            return None
        if "." in text:
            if text.index(".") > text.index(","):
                return None
            text = text.replace(".", "")
        text = text.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?", text, flags=re.IGNORECASE):
        return None
    x = float(text)
    return x if math.isfinite(x) else None


def _fmt(x: float) -> str:
    """Format a number for a message: Swedish decimal comma, no needless decimals."""
    if float(x).is_integer():
        return num(x, 0)
    return num(x, 4).rstrip("0").rstrip(",")


def _shown(value: object, label: str | None = None) -> str:
    text = _text_key(value) or ""
    return f"'{text}' ({label})" if label else f"'{text}'"


# -- raw tables ----------------------------------------------------------------------------
@dataclass
class RawTable:
    """A user's table exactly as read, before any interpretation.

    Attributes
    ----------
    file : str
        File name shown in messages.
    kind : {"csv", "xlsx", "sav"}
        File format.
    header : list of str
        Column names in file order.
    header_row : int
        Row of the header as the user sees it (1 unless blank rows precede it).
    data : pandas.DataFrame
        Cell values (object dtype: ``str`` from CSV; numbers, text or ``None``
        from Excel and SPSS), one column per (first occurrence of a) header name.
    rows : numpy.ndarray
        Row number as the user sees it, for every row of ``data``.
    labels : dict
        SPSS value labels per column (code key -> label); empty for CSV/XLSX.
    encoding : str, optional
        Detected text encoding (CSV only).
    """

    file: str
    kind: str
    header: list[str]
    header_row: int
    data: pd.DataFrame
    rows: np.ndarray
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    encoding: str | None = None

    def label(self, column: str, value: object) -> str | None:
        """Return the SPSS value label of ``value`` in ``column``, if any."""
        labels = self.labels.get(column)
        if not labels:
            return None
        return labels.get(_code_key(value) or "")


def _line_of(content: bytes, position: int) -> int:
    return content[:position].count(b"\n") + 1


def _decode(content: bytes, coll: _Problems) -> tuple[str, str] | None:
    """Decode CSV bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if content.startswith(codecs.BOM_UTF8):
        try:
            return content[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            pos = exc.start + 3
            coll.add(
                f"tecknet (byte 0x{content[pos]:02X}) går inte att läsa som UTF-8 fast filen "
                "börjar med en UTF-8-markering (BOM). Spara filen på nytt som "
                "'CSV UTF-8 (kommaavgränsad)' i Excel.",
                row=_line_of(content, pos),
            )
            return None
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if content.startswith(bom):
            try:
                return content[2:].decode(enc), "utf-16"
            except UnicodeDecodeError:
                coll.add("filen börjar som UTF-16 men går inte att läsa som UTF-16-text.")
                return None
    if b"\x00" in content:
        coll.add(
            "filen är inte en textfil (den innehåller nollbyte). Är det en Excel- eller "
            "SPSS-fil med fel filändelse? Använd .xlsx eller .sav, eller spara som CSV.",
            row=_line_of(content, content.index(b"\x00")),
        )
        return None
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        coll.add(
            f"texten går inte att tolka (byte 0x{content[exc.start]:02X} är varken UTF-8 eller "
            "Windows-1252). Spara filen på nytt som 'CSV UTF-8' i Excel.",
            row=_line_of(content, exc.start),
        )
        return None


def _read_csv(path: Path, separator: str, coll: _Problems) -> RawTable | None:
    content = path.read_bytes()  # read-only; the file is never modified
    if not content.strip(b" \t\r\n") or content.strip(b" \t\r\n") == codecs.BOM_UTF8:
        coll.add("filen är tom.")
        return None
    decoded = _decode(content, coll)
    if decoded is None:
        return None
    text, encoding = decoded
    bad = _CONTROL.search(text)
    if bad:
        coll.add(
            f"filen innehåller ett styrtecken (U+{ord(bad.group()):04X}) som inte hör hemma i en "
            "CSV-fil. Är filen skadad eller en binärfil?",
            row=text[: bad.start()].count("\n") + 1,
        )
        return None
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    first = next((i for i, r in enumerate(records) if any(c.strip() for c in r)), None)
    if first is None:
        coll.add("filen är tom.")
        return None
    header_row = first + 1
    header = [c.strip().strip("\ufeff") for c in records[first]]
    while header and not header[-1]:
        header.pop()
    if len(header) <= 1:
        line = records[first][0] if records[first] else ""
        found = [s for s in _OTHER_SEPARATORS if s != separator and s in line]
        if found:
            coll.add(
                f"rubrikraden innehåller inga {_SEPARATOR_NAMES.get(separator, repr(separator))} "
                f"men {_SEPARATOR_NAMES[found[0]]} ('{found[0]}') – filen verkar ha fel "
                "avgränsare. Spara den som 'CSV (semikolonavgränsad)' i Excel, eller ange "
                f"separator: '{found[0]}' i variabelkartan.",
                row=header_row,
            )
            return None
    _check_header(header, header_row, coll)
    width = len(header)
    data_rows: list[list[str]] = []
    row_numbers: list[int] = []
    for i in range(first + 1, len(records)):
        rec = records[i]
        if not any(c.strip() for c in rec):
            continue
        if len(rec) > width and not any(c.strip() for c in rec[width:]):
            rec = rec[:width]
        if len(rec) != width:
            coll.add(
                f"raden har {len(rec)} fält men rubrikraden har {width} – saknas eller finns "
                f"det ett extra '{separator}' (eller ett citattecken som inte avslutas)?",
                row=i + 1,
                kind="fel antal fält",
            )
            continue
        data_rows.append(rec)
        row_numbers.append(i + 1)
    if not data_rows and not coll:
        coll.add("filen har en rubrikrad men inga datarader.", row=header_row)
    return _make_table(
        path.name, "csv", header, header_row, data_rows, row_numbers, encoding=encoding
    )


def _check_header(header: list[str], header_row: int, coll: _Problems) -> None:
    seen: set[str] = set()
    for pos, name in enumerate(header, start=1):
        if not name:
            coll.add(f"kolumn nummer {pos} saknar rubrik.", row=header_row)
        elif name in seen:
            coll.add(
                f"kolumnnamnet '{name}' förekommer flera gånger i rubrikraden.",
                row=header_row,
                column=name,
            )
        seen.add(name)


def _make_table(
    file: str,
    kind: str,
    header: list[str],
    header_row: int,
    data_rows: list[list[Any]],
    row_numbers: list[int],
    labels: dict[str, dict[str, str]] | None = None,
    encoding: str | None = None,
) -> RawTable:
    keep = [i for i, name in enumerate(header) if name and name not in header[:i]]
    columns = [header[i] for i in keep]
    matrix = np.empty((len(data_rows), len(keep)), dtype=object)
    for r, rec in enumerate(data_rows):
        for c, i in enumerate(keep):
            matrix[r, c] = rec[i] if i < len(rec) else None
    data = pd.DataFrame(matrix, columns=columns, dtype=object)
    return RawTable(
        file=file,
        kind=kind,
        header=header,
        header_row=header_row,
        data=data,
        rows=np.asarray(row_numbers, dtype=int),
        labels=labels or {},
        encoding=encoding,
    )


def _read_xlsx(path: Path, sheet: str | None, coll: _Problems) -> RawTable | None:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        coll.add("filen går inte att öppna som Excel-arbetsbok (.xlsx). Är den skadad?")
        return None
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif sheet in wb.sheetnames:
            ws = wb[sheet]
        else:
            coll.add(
                f"bladet '{sheet}' finns inte i arbetsboken.{_suggest(sheet, wb.sheetnames)} "
                f"Bladen heter: {', '.join(wb.sheetnames)}.",
                column=None,
            )
            return None
        cells = [list(r) for r in ws.iter_rows(min_row=1, values_only=True)]
    finally:
        wb.close()
    first = next((i for i, r in enumerate(cells) if any(not _is_blank(v) for v in r)), None)
    if first is None:
        coll.add(f"bladet '{ws.title}' är tomt.")
        return None
    header = ["" if _is_blank(v) else str(v).strip() for v in cells[first]]
    while header and not header[-1]:
        header.pop()
    _check_header(header, first + 1, coll)
    data_rows, row_numbers = [], []
    for i in range(first + 1, len(cells)):
        rec = cells[i][: len(header)]
        if all(_is_blank(v) for v in rec):
            continue
        data_rows.append([None if _is_blank(v) else v for v in rec])
        row_numbers.append(i + 1)
    if not data_rows:
        coll.add(f"bladet '{ws.title}' har en rubrikrad men inga datarader.", row=first + 1)
    return _make_table(path.name, "xlsx", header, first + 1, data_rows, row_numbers)


def _read_sav(path: Path, coll: _Problems) -> RawTable | None:
    import pyreadstat

    try:
        df, meta = pyreadstat.read_sav(str(path), apply_value_formats=False)
    except Exception:  # pyreadstat raises several private error types
        coll.add("filen går inte att läsa som SPSS-fil (.sav). Är den skadad?")
        return None
    labels = {
        col: {_code_key(k) or "": str(v) for k, v in mapping.items()}
        for col, mapping in meta.variable_value_labels.items()
    }
    header = [str(c) for c in df.columns]
    if len(df) == 0:
        coll.add("SPSS-filen innehåller inga fall (rader).")
    values = df.astype(object).where(df.notna(), None).to_numpy().tolist()
    return _make_table(
        path.name, "sav", header, 0, values, list(range(1, len(df) + 1)), labels=labels
    )


def _read_any(
    path: str | Path, coll: _Problems, *, sheet: str | None = None, separator: str = ";"
) -> RawTable | None:
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        coll.add("filen finns inte (kontrollera sökvägen).")
        return None
    if suffix in _CSV_SUFFIXES:
        return _read_csv(path, separator, coll)
    if suffix in _XLSX_SUFFIXES:
        return _read_xlsx(path, sheet, coll)
    if suffix in _SAV_SUFFIXES:
        return _read_sav(path, coll)
    coll.add(f"okänt filformat '{suffix}' – använd .csv, .xlsx eller .sav.")
    return None


def read_table(path: str | Path, *, sheet: str | None = None, separator: str = ";") -> RawTable:
    """Read a CSV, XLSX or SAV file as it is, without interpreting any column.

    Parameters
    ----------
    path : str or Path
        The file; opened read-only.
    sheet : str, optional
        Excel sheet (default: the first).
    separator : str
        CSV field separator (Swedish Excel: ``";"``).

    Returns
    -------
    RawTable
        The header, the cells and the row numbers as the user sees them.

    Raises
    ------
    DataError
        If the file is missing, empty, undecodable or ragged.
    """
    coll = _Problems(Path(path).name)
    raw = _read_any(path, coll, sheet=sheet, separator=separator)
    coll.raise_if_any()
    assert raw is not None
    return raw


# -- variable maps ---------------------------------------------------------------------------
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
        Raw code (as :func:`_code_key` text) -> canonical value.
    """

    name: str
    column: str | None = None
    value: Any = None
    codes: Mapping[str, str] | None = None


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
    """

    name: str
    column: str
    yes: frozenset[str]
    no: frozenset[str]
    missing: frozenset[str] = frozenset()
    label: str = ""


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
    """

    variables: Mapping[str, VariableSpec]
    answers: Mapping[str, AnswerSpec]
    name: str = ""
    sheet: str | None = None
    separator: str = ";"
    file: str = ""


_TOP_KEYS = ("name", "description", "sheet", "separator", "variables", "answers")
_VARIABLE_KEYS = ("column", "value", "codes", "label")
_ANSWER_KEYS = ("column", "yes", "no", "missing", "label")
_ANSWER_ALIASES = {True: "yes", False: "no", "ja": "yes", "nej": "no", "saknas": "missing"}
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
                p = (*path, str(_code_key(key.value) or key.value))
                lines[p] = key.start_mark.line + 1
                walk(val, p)

    walk(node, ())
    return lines


class _MapProblems(_Problems):
    def __init__(self, file: str, lines: dict[tuple[str, ...], int]):
        super().__init__(file)
        self.lines = lines

    def at(self, path: tuple[str, ...], message: str) -> None:
        line = None
        for k in range(len(path), 0, -1):
            line = self.lines.get(tuple(str(_code_key(p) or p) for p in path[:k]))
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
        key = _code_key(raw_code) if _scalar(raw_code) else None
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
            canon = _SEX_SYNONYMS.get(_code_key(value) or "")
            if canon is None:
                mp.at(p, f"okänt kön '{value}' – tillåtna värden: {', '.join(SEXES)}.")
                continue
            value = canon
        elif name == "education":
            canon = _EDUCATION_SYNONYMS.get(_code_key(value) or "")
            if canon is None:
                mp.at(
                    p,
                    f"okänd utbildningsnivå '{value}' – tillåtna värden: "
                    f"{', '.join(EDUCATION_LEVELS)}.",
                )
                continue
            value = canon
        elif name == "kommun":
            value = _kommun_text(value)
            if value not in _kommun_codes():
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
        key = _code_key(item) if _scalar(item) else None
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
        variables:
          respondent_id: {column: LopNr}
          kommun: {column: Kommun}                         # or {value: "2080"}
          year: {column: Ar}                               # or {value: 2024}
          sex: {column: Kon, codes: {1: män, 2: kvinnor}}  # codes optional (labels)
          age_group: {column: Aldgr, codes: {1: "16–29"}}  # codes optional
          education: {column: Utb, codes: {1: förgymnasial, 2: gymnasial,
                                           3: eftergymnasial, 9: okänd}}
          weight: {column: Vikt}
          stratum: {column: Stratum}
          psu: {column: PSU}                               # optional
        answers:
          daily_smoking: {column: Tobak1, yes: [1], no: [2], missing: [9],
                          label: Röker dagligen}

    A plain string is short for ``{column: ...}``. YAML reads unquoted
    ``yes``/``no`` keys as booleans; they are accepted, as are ``ja``/``nej``/``saknas``.

    Parameters
    ----------
    data : object
        The result of ``yaml.safe_load``.
    file : str
        Name used in messages.
    text : str
        The YAML text, used to report line numbers.

    Returns
    -------
    VariableMap

    Raises
    ------
    DataError
        Listing every problem in Swedish (key path and line).
    """
    mp = _MapProblems(file, _yaml_lines(text) if text else {})
    if not isinstance(data, Mapping):
        mp.add("variabelkartan ska vara en YAML-mappning med nycklarna 'variables' och 'answers'.")
        mp.raise_if_any()
    assert isinstance(data, Mapping)
    for key in data:
        if key not in _TOP_KEYS:
            mp.at((str(key),), f"okänd nyckel.{_suggest(str(key), list(_TOP_KEYS))}")
    sheet = data.get("sheet")
    if sheet is not None and not _scalar(sheet):
        mp.at(("sheet",), "'sheet' ska vara bladets namn.")
    separator = data.get("separator", ";")
    if not isinstance(separator, str) or len(separator) != 1:
        mp.at(("separator",), "'separator' ska vara ett enda tecken, t.ex. ';'.")
        separator = ";"
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
        if var not in CANONICAL_COLUMNS:
            mp.at(path, f"okänd variabel.{_suggest(str(var), list(CANONICAL_COLUMNS))}")
            continue
        if isinstance(spec, str):
            spec = {"column": spec}
        if not isinstance(spec, Mapping):
            mp.at(path, "ska vara en mappning, t.ex. {column: Kon}.")
            continue
        for key in spec:
            if key not in _VARIABLE_KEYS:
                mp.at((*path, str(key)), f"okänd nyckel.{_suggest(str(key), list(_VARIABLE_KEYS))}")
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
        variables[var] = VariableSpec(var, column, value, codes)
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
        if ans in CANONICAL_COLUMNS:
            mp.at(path, "namnet är upptaget av en grundvariabel – välj ett annat.")
            continue
        if not isinstance(spec, Mapping):
            mp.at(path, "ska vara en mappning, t.ex. {column: Tobak1, yes: [1], no: [2]}.")
            continue
        spec = {_ANSWER_ALIASES.get(k, k): v for k, v in spec.items()}
        for key in spec:
            if key not in _ANSWER_KEYS:
                mp.at((*path, str(key)), f"okänd nyckel.{_suggest(str(key), list(_ANSWER_KEYS))}")
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
        if column is not None:
            answers[ans] = AnswerSpec(ans, column, yes, no, missing, label)
    mp.raise_if_any()
    return VariableMap(
        variables=variables,
        answers=answers,
        name=str(name or ""),
        sheet=None if sheet is None else str(sheet),
        separator=separator,
        file=file,
    )


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
        x = _parse_number(value)
        if x is None or not float(x).is_integer() or not 1900 <= x <= 2100:
            mp.at(p, f"'{value}' är inget årtal.")
        return value
    if var == "weight":
        x = _parse_number(value)
        if x is None or not x > 0:
            mp.at(p, f"vikten ska vara ett tal större än 0, inte '{value}'.")
        return value
    if var == "kommun" and not codes and _kommun_text(str(value)) not in _kommun_codes():
        mp.at(p, f"okänd kommunkod '{value}' – ange fyra siffror, t.ex. 2080 för Falun.")
    if var == "sex" and not codes and _SEX_SYNONYMS.get(_code_key(value) or "") is None:
        mp.at(p, f"okänt kön '{value}' – tillåtna värden: {', '.join(SEXES)}.")
    if var == "education" and not codes and _EDUCATION_SYNONYMS.get(_code_key(value) or "") is None:
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
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(
            Problem("variabelkartan ska vara sparad som UTF-8-text.", path.name)
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DataError(
            Problem(
                f"YAML-syntaxfel: {what} (kontrollera indrag, kolon och citattecken).",
                path.name,
                None if mark is None else mark.line + 1,
            )
        ) from None
    return parse_variable_map(data, path.name, text)


# -- column conversion ---------------------------------------------------------------------
_Result = tuple[Any, str | None]

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
}


@cache
def _kommun_codes() -> frozenset[str]:
    return frozenset(lookup.kommuner()["kommun_code"])


@cache
def _area_lookup() -> tuple[frozenset[str], dict[str, str]]:
    areas = lookup.areas()
    names = {
        _code_key(n) or "": c for n, c in zip(areas["area_name"], areas["area_code"], strict=True)
    }
    return frozenset(areas["area_code"]), names


def _kommun_text(value: object) -> str:
    """Kommun code as 4-digit text; restores a leading zero Excel dropped (``180`` -> ``0180``)."""
    text = _text_key(value) or ""
    return text.zfill(4) if text.isdigit() and len(text) == 3 else text


def _apply(
    raw: RawTable, column: str, func: Callable[[object], _Result], coll: _Problems, kind: str
) -> np.ndarray:
    """Apply ``func`` to every distinct cell of ``column``; report errors per row."""
    cells = raw.data[column].to_numpy(dtype=object)
    codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    n_u = len(uniques)
    vals = np.empty(n_u + 1, dtype=object)
    errs = np.empty(n_u + 1, dtype=object)
    for j, u in enumerate([*uniques, None]):
        vals[j], errs[j] = func(u)
    idx = np.where(codes < 0, n_u, codes)
    out, err = vals[idx], errs[idx]
    for i in np.flatnonzero([e is not None for e in err]):
        coll.add(err[i], row=raw.rows[i], column=column, kind=kind)
    return out


def _spec_values(
    raw: RawTable, spec: VariableSpec, func: Callable[[object], _Result], coll: _Problems, kind: str
) -> np.ndarray:
    if spec.column is None:
        value, _ = func(spec.value)  # constants were checked with the map
        out = np.empty(len(raw.data), dtype=object)
        out[:] = [value] * len(raw.data)
        return out
    return _apply(raw, spec.column, func, coll, kind)


def _codes_text(codes: Mapping[str, str]) -> str:
    return "variabelkartan anger " + ", ".join(f"{k} = {v}" for k, v in codes.items())


def _coded(
    raw: RawTable,
    spec: VariableSpec,
    what: str,
    synonyms: Mapping[str, str] | None,
    blank: _Result,
) -> Callable[[object], _Result]:
    """Return a converter for a coded variable: map codes, then SPSS labels, then known names."""
    codes = spec.codes or {}
    column = spec.column or ""
    if codes:
        allowed = _codes_text(codes)
    elif synonyms is not None:
        allowed = "tillåtna värden: " + ", ".join(sorted(set(synonyms.values())))
    else:
        allowed = ""

    def func(u: object) -> _Result:
        if _is_blank(u):
            return blank
        label = raw.label(column, u) if spec.column else None
        keys = [_code_key(u), _code_key(label) if label else None]
        for k in keys:
            if k is not None and k in codes:
                return codes[k], None
        if synonyms is not None:
            for k in keys:
                if k is not None and k in synonyms:
                    return synonyms[k], None
        elif not codes:
            return (label or _text_key(u)), None
        return None, f"oväntad kod {_shown(u, label)} för {what} – {allowed}."

    return func


def _kommun_func(raw: RawTable, spec: VariableSpec) -> Callable[[object], _Result]:
    codes = spec.codes or {}
    column = spec.column or ""

    def func(u: object) -> _Result:
        if _is_blank(u):
            return None, "kommunkoden saknas."
        label = raw.label(column, u) if spec.column else None
        for k in (_code_key(u), _code_key(label) if label else None):
            if k is not None and k in codes:
                return codes[k], None
        text = _kommun_text(u)
        if text in _kommun_codes():
            return text, None
        return None, (
            f"okänd kommunkod {_shown(u, label)} – ange kommunkoden med fyra siffror, "
            "t.ex. 2080 för Falun."
        )

    return func


def _year(u: object) -> _Result:
    x = _parse_number(u)
    if x is not None and math.isnan(x):
        return None, "undersökningsåret saknas."
    if x is None or not x.is_integer() or not 1900 <= x <= 2100:
        return None, f"{_shown(u)} är inget årtal (ange t.ex. 2024)."
    return int(x), None


def _weight(u: object) -> _Result:
    x = _parse_number(u)
    if x is not None and math.isnan(x):
        return None, "vikten saknas – varje svarande behöver en kalibreringsvikt större än 0."
    if x is None:
        return None, f"{_shown(u)} är inte ett tal (vikten skrivs t.ex. 12,75)."
    if x <= 0:
        return None, f"vikten måste vara större än 0 (är {_fmt(x)})."
    return x, None


def _required_text(what: str) -> Callable[[object], _Result]:
    def func(u: object) -> _Result:
        text = _text_key(u)
        return (text, None) if text else (None, f"{what} saknas.")

    return func


def _answer_func(raw: RawTable, spec: AnswerSpec) -> Callable[[object], _Result]:
    def fmt(codes: frozenset[str]) -> str:
        return ", ".join(sorted(codes)) or "–"

    allowed = (
        f"ja: {fmt(spec.yes)}, nej: {fmt(spec.no)}, saknas: {fmt(spec.missing)} eller tom cell"
    )

    def func(u: object) -> _Result:
        if _is_blank(u):
            return pd.NA, None
        label = raw.label(spec.column, u)
        for k in (_code_key(u), _code_key(label) if label else None):
            if k is None:
                continue
            if k in spec.yes:
                return 1, None
            if k in spec.no:
                return 0, None
            if k in spec.missing:
                return pd.NA, None
        return None, (
            f"oväntad kod {_shown(u, label)} i svarsvariabeln {spec.name} – variabelkartan "
            f"anger {allowed}."
        )

    return func


def _check_columns(raw: RawTable, needed: list[tuple[str, str]], coll: _Problems) -> set[str]:
    present = set(raw.data.columns)
    used = {column for column, _ in needed}
    unused = [h for h in raw.header if h not in used]
    for column, purpose in needed:
        if column not in present:
            coll.add(
                f"kolumnen '{column}' saknas (behövs för {purpose}).{_suggest(column, unused)}",
                row=raw.header_row or None,
                column=column,
            )
    return present


def _check_duplicates(
    raw: RawTable,
    keys: list[tuple[Any, ...]],
    column: str | None,
    coll: _Problems,
    message: Callable[[tuple[Any, ...], int], str],
    kind: str,
) -> None:
    first: dict[tuple[Any, ...], int] = {}
    for i, key in enumerate(keys):
        if any(k is None for k in key):
            continue
        if key in first:
            coll.add(message(key, int(raw.rows[first[key]])), raw.rows[i], column, kind)
        else:
            first[key] = i


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
        given), then one ``Int64`` 0/1/NA column per answer variable.
        ``attrs`` holds ``file``, ``variable_map`` and the answer ``labels``.

    Raises
    ------
    DataError
        Listing every problem (file, row, column): missing or misnamed
        columns (with the closest name), unknown kommun codes, missing,
        non-numeric or non-positive weights, unexpected codes, respondent ids
        repeated within a survey year, empty or undecodable files.

    Notes
    -----
    Respondent ids are checked for uniqueness *within* a survey year, since
    some producers number respondents afresh every year.
    """
    vmap = (
        variable_map if isinstance(variable_map, VariableMap) else load_variable_map(variable_map)
    )
    path = Path(path)
    coll = _Problems(path.name)
    raw = _read_any(path, coll, sheet=sheet or vmap.sheet, separator=vmap.separator)
    if raw is None or raw.data.empty:
        coll.raise_if_any()
    assert raw is not None
    needed = [(s.column, _PURPOSE[v]) for v, s in vmap.variables.items() if s.column]
    needed += [(a.column, f"svarsvariabeln {a.name}") for a in vmap.answers.values()]
    present = _check_columns(raw, needed, coll)
    n = len(raw.data)
    v = vmap.variables

    def convert(var: str, func: Callable[[object], _Result], kind: str) -> np.ndarray | None:
        spec = v.get(var)
        if spec is None or (spec.column is not None and spec.column not in present):
            return None
        return _spec_values(raw, spec, func, coll, kind)

    out: dict[str, np.ndarray | None] = {
        "respondent_id": convert("respondent_id", _required_text("löpnumret"), "löpnummer saknas"),
        "kommun": convert("kommun", _kommun_func(raw, v["kommun"]), "okänd kommun")
        if "kommun" in v
        else None,
        "year": convert("year", _year, "ogiltigt årtal"),
        "sex": convert(
            "sex",
            _coded(raw, v["sex"], "kön", _SEX_SYNONYMS, (None, "kön saknas.")),
            "oväntat kön",
        )
        if "sex" in v
        else None,
        "age_group": convert(
            "age_group",
            _coded(raw, v["age_group"], "åldersgrupp", None, (None, "åldersgruppen saknas.")),
            "oväntad åldersgrupp",
        )
        if "age_group" in v
        else None,
        "education": convert(
            "education",
            _coded(raw, v["education"], "utbildningsnivå", _EDUCATION_SYNONYMS, ("okänd", None)),
            "oväntad utbildningsnivå",
        )
        if "education" in v
        else None,
        "weight": convert("weight", _weight, "ogiltig vikt"),
        "stratum": convert("stratum", _required_text("stratum"), "stratum saknas"),
        "psu": convert("psu", _required_text("PSU"), "PSU saknas"),
    }
    answers: dict[str, np.ndarray] = {}
    for spec in vmap.answers.values():
        if spec.column in present:
            answers[spec.name] = _apply(
                raw, spec.column, _answer_func(raw, spec), coll, "oväntad svarskod"
            )
    ids = out["respondent_id"]
    if ids is not None:
        years = out["year"] if out["year"] is not None else np.full(n, 0, dtype=object)
        id_col = v["respondent_id"].column
        _check_duplicates(
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
    path: str | Path, *, sheet: str | None = None, separator: str = ";"
) -> pd.DataFrame:
    """Read a population table by year, kommun, sex, age group and education.

    The file has the columns :data:`POPULATION_COLUMNS` with the canonical
    values (``kvinnor``/``män``, the :data:`EDUCATION_LEVELS`, age groups as
    in the microdata), e.g. as written by :mod:`helpers.sources.demo.survey`.

    Parameters
    ----------
    path : str or Path
        ``.csv`` (Swedish Excel dialect) or ``.xlsx``; opened read-only.
    sheet : str, optional
        Excel sheet.
    separator : str
        CSV separator.

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
    path = Path(path)
    coll = _Problems(path.name)
    raw = _read_any(path, coll, sheet=sheet, separator=separator)
    if raw is None or raw.data.empty:
        coll.raise_if_any()
    assert raw is not None
    present = _check_columns(raw, [(c, c) for c in POPULATION_COLUMNS], coll)
    if coll:
        coll.raise_if_any()

    def count(u: object) -> _Result:
        x = _parse_number(u)
        if x is None or math.isnan(x):
            return None, f"{_shown(u)} är inget antal."
        if x < 0:
            return None, f"antalet kan inte vara negativt (är {_fmt(x)})."
        return x, None

    spec = {c: VariableSpec(c, c) for c in present}
    year = _apply(raw, "year", _year, coll, "ogiltigt årtal")
    kommun = _apply(raw, "kommun", _kommun_func(raw, spec["kommun"]), coll, "okänd kommun")
    sex = _apply(
        raw,
        "sex",
        _coded(raw, spec["sex"], "kön", _SEX_SYNONYMS, (None, "kön saknas.")),
        coll,
        "oväntat kön",
    )
    age = _apply(
        raw,
        "age_group",
        _coded(raw, spec["age_group"], "åldersgrupp", None, (None, "åldersgruppen saknas.")),
        coll,
        "oväntad åldersgrupp",
    )
    edu = _apply(
        raw,
        "education",
        _coded(raw, spec["education"], "utbildningsnivå", _EDUCATION_SYNONYMS, ("okänd", None)),
        coll,
        "oväntad utbildningsnivå",
    )
    pop = _apply(raw, "population", count, coll, "ogiltigt antal")
    _check_duplicates(
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


# -- aggregated extracts --------------------------------------------------------------------
def _wilson(
    x: np.ndarray, n: np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for x successes out of n, as proportions (NaN when n = 0).

    To be replaced by ``helpers.stats.proportions.wilson`` once that module exists.
    """
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
        lower = np.where(n > 0, np.clip(centre - half, 0, 1), np.nan)
        upper = np.where(n > 0, np.clip(centre + half, 0, 1), np.nan)
    # exact bounds at the extremes (floating point may leave 1e-17)
    lower = np.where((x == 0) & (n > 0), 0.0, lower)
    upper = np.where((x == n) & (n > 0), 1.0, upper)
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


def _area(u: object) -> _Result:
    text = _text_key(u)
    if text is None:
        return None, "området saknas."
    codes, names = _area_lookup()
    if text.isdigit():
        if len(text) == 2:
            text = "00" + text
        elif len(text) == 3:
            text = text.zfill(4)
    if text in codes:
        return text, None
    code = names.get(_code_key(text) or "")
    if code is not None:
        return code, None
    return None, (
        f"okänd områdeskod {_shown(u)} – ange kommunkod (t.ex. 2080), regionkod "
        "(t.ex. 0020) eller 0000 för riket."
    )


def _period(u: object) -> _Result:
    text = _text_key(u)
    if text is None:
        return None, "året saknas."
    m = re.fullmatch(r"(\d{4})\s*[-–—]\s*(\d{4})", text)
    if m and int(m.group(1)) <= int(m.group(2)):
        return (int(m.group(2)), f"{m.group(1)}–{m.group(2)}"), None
    year, err = _year(u)
    if err:
        return (
            None,
            f"{_shown(u)} är inget år eller årsintervall (ange t.ex. 2024 eller 2021–2024).",
        )
    return (year, str(year)), None


def _count(what: str) -> Callable[[object], _Result]:
    def func(u: object) -> _Result:
        x = _parse_number(u)
        if x is not None and math.isnan(x):
            return None, f"{what} saknas."
        if x is None:
            return None, f"{_shown(u)} är inte ett tal ({what})."
        if x < 0:
            return None, f"{what} kan inte vara negativt (är {_fmt(x)})."
        if not x.is_integer():
            return None, f"{what} ska vara ett heltal (är {_fmt(x)})."
        return x, None

    return func


_SUPPRESSED = object()


def _percent(what: str) -> Callable[[object], _Result]:
    def func(u: object) -> _Result:
        if isinstance(u, str) and u.strip().casefold() in SUPPRESSED_TOKENS:
            return _SUPPRESSED, None
        x = _parse_number(u)
        if x is not None and math.isnan(x):
            return math.nan, None
        if x is None:
            return None, f"{_shown(u)} är inte ett tal ({what})."
        if not 0 <= x <= 100:
            return None, f"{what} {_fmt(x)} ligger utanför 0–100 procent."
        return x, None

    return func


def _sex_total(codes: Mapping[str, str]) -> Callable[[object], _Result]:
    def func(u: object) -> _Result:
        if _is_blank(u):
            return "totalt", None
        key = _code_key(u) or ""
        if key in codes:
            key = _code_key(codes[key]) or ""
        if key in _TOTAL_SYNONYMS:
            return "totalt", None
        if key in _SEX_SYNONYMS:
            return _SEX_SYNONYMS[key], None
        return None, f"okänt kön {_shown(u)} – tillåtna värden: totalt, kvinnor, män."

    return func


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
) -> pd.DataFrame:
    """Read an aggregated survey table into the tidy indicator table.

    Each row gives, for one area, period, sex and group, the unweighted number
    of respondents and either the number answering yes or a (weighted)
    percentage, optionally with a confidence interval in percent.

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
    sheet : str, optional
        Excel sheet.
    separator : str
        CSV separator.

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
        areas, percentages outside 0–100, negative or non-integer counts,
        yes-counts above n, intervals that do not contain the value,
        duplicated rows.
    """
    path = Path(path)
    coll = _Problems(path.name)
    raw = _read_any(path, coll, sheet=sheet, separator=separator)
    if raw is None or raw.data.empty:
        coll.raise_if_any()
    assert raw is not None
    explicit = dict(columns or {})
    for key in explicit:
        if key not in AGGREGATED_COLUMNS:
            raise DataError(
                f"okänd nyckel '{key}' i columns.{_suggest(key, list(AGGREGATED_COLUMNS))}"
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
    _check_columns(raw, needed, coll)
    if coll:
        coll.raise_if_any()
    n_rows = len(raw.data)
    area = _apply(raw, names["area_code"], _area, coll, "okänt område")
    period = _apply(raw, names["period"], _period, coll, "ogiltigt år")
    n = _apply(raw, names["n"], _count("antalet svarande"), coll, "ogiltigt antal svarande")
    sex_map = {(_code_key(k) or ""): str(v) for k, v in (sex_codes or {}).items()}
    sex = (
        _apply(raw, names["sex"], _sex_total(sex_map), coll, "okänt kön")
        if has["sex"]
        else np.full(n_rows, "totalt", dtype=object)
    )
    group = (
        _apply(
            raw, names["group"], lambda u: (_text_key(u) or indicators.ALL_GROUPS, None), coll, ""
        )
        if has["group"]
        else np.full(n_rows, indicators.ALL_GROUPS, dtype=object)
    )
    ind = (
        _apply(raw, names["indicator"], _required_text("indikatorn"), coll, "indikator saknas")
        if has["indicator"]
        else np.full(n_rows, indicator, dtype=object)
    )
    if has["indicator"] and indicator is not None:
        ind = np.array([indicator if v is None else v for v in ind], dtype=object)
    yes = (
        _apply(raw, names["numerator"], _count("antal ja"), coll, "ogiltigt antal ja")
        if has["numerator"]
        else None
    )
    pct = (
        _apply(raw, names["value"], _percent("andelen"), coll, "ogiltig andel")
        if has["value"]
        else None
    )
    lo = hi = None
    if has["ci_lower"] and has["ci_upper"]:
        lo = _apply(raw, names["ci_lower"], _percent("KI:s nedre gräns"), coll, "ogiltigt KI")
        hi = _apply(raw, names["ci_upper"], _percent("KI:s övre gräns"), coll, "ogiltigt KI")

    def fnum(arr: np.ndarray | None) -> np.ndarray:
        if arr is None:
            return np.full(n_rows, np.nan)
        return np.array(
            [np.nan if (a is None or a is _SUPPRESSED) else float(a) for a in arr], dtype=float
        )

    n_f, yes_f, pct_f, lo_f, hi_f = fnum(n), fnum(yes), fnum(pct), fnum(lo), fnum(hi)
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
    _check_duplicates(
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
        wl, wu = _wilson(yes_f, n_f, ci_level)
        lower, upper = 100 * wl, 100 * wu
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
