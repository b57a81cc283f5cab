"""Read survey extracts as they are (CSV, XLSX, SPSS) and convert their columns cell by cell.

* :func:`read_table` / :func:`read_any` – a file as the user sees it
  (:class:`RawTable`): CSV in the Swedish Excel dialect (``;`` separator,
  decimal comma, UTF-8 with or without BOM, UTF-16 with BOM or Windows-1252 –
  detected), XLSX (first sheet unless one is named) and SPSS ``.sav`` (with
  value labels). Files are only ever opened for reading.
* :func:`apply_column` and the converters (:func:`coded`, :func:`kommun_func`,
  :func:`year_cell`, :func:`required_text`) – one column to canonical values,
  each bad cell reported with the row as the user sees it (the header is row 1
  in CSV and Excel, so the first data row is row 2; in a ``.sav`` file the row
  is the case number) and the column;
* :func:`check_columns` and :func:`check_duplicates` – missing columns (with the
  closest name) and repeated keys.

Used by :mod:`helpers.sources.survey_files` (microdata, population) and
:mod:`helpers.sources.survey_aggregated` (aggregated tables).
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from helpers.config.survey_cells import (
    Problems,
    code_key,
    is_blank,
    kommun_codes,
    kommun_text,
    parse_number,
    shown,
    suggest,
    text_key,
)
from helpers.config.variable_map import VariableSpec

_CSV_SUFFIXES = (".csv", ".txt")
_XLSX_SUFFIXES = (".xlsx", ".xlsm")
_SAV_SUFFIXES = (".sav", ".zsav")
_OTHER_SEPARATORS = (",", "\t", "|", ";")
_SEPARATOR_NAMES = {",": "komma", "\t": "tabb", "|": "lodstreck", ";": "semikolon"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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
        return labels.get(code_key(value) or "")


def _line_of(content: bytes, position: int) -> int:
    return content[:position].count(b"\n") + 1


def _decode(content: bytes, coll: Problems) -> tuple[str, str] | None:
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


def _read_csv(path: Path, separator: str, coll: Problems) -> RawTable | None:
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


def _check_header(header: list[str], header_row: int, coll: Problems) -> None:
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


def _read_xlsx(path: Path, sheet: str | None, coll: Problems) -> RawTable | None:
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
                f"bladet '{sheet}' finns inte i arbetsboken.{suggest(sheet, wb.sheetnames)} "
                f"Bladen heter: {', '.join(wb.sheetnames)}.",
                column=None,
            )
            return None
        cells = [list(r) for r in ws.iter_rows(min_row=1, values_only=True)]
    finally:
        wb.close()
    first = next((i for i, r in enumerate(cells) if any(not is_blank(v) for v in r)), None)
    if first is None:
        coll.add(f"bladet '{ws.title}' är tomt.")
        return None
    header = ["" if is_blank(v) else str(v).strip() for v in cells[first]]
    while header and not header[-1]:
        header.pop()
    _check_header(header, first + 1, coll)
    data_rows, row_numbers = [], []
    for i in range(first + 1, len(cells)):
        rec = cells[i][: len(header)]
        if all(is_blank(v) for v in rec):
            continue
        data_rows.append([None if is_blank(v) else v for v in rec])
        row_numbers.append(i + 1)
    if not data_rows:
        coll.add(f"bladet '{ws.title}' har en rubrikrad men inga datarader.", row=first + 1)
    return _make_table(path.name, "xlsx", header, first + 1, data_rows, row_numbers)


def _read_sav(path: Path, coll: Problems) -> RawTable | None:
    import pyreadstat

    try:
        df, meta = pyreadstat.read_sav(str(path), apply_value_formats=False)
    except Exception:  # pyreadstat raises several private error types
        coll.add("filen går inte att läsa som SPSS-fil (.sav). Är den skadad?")
        return None
    labels = {
        col: {code_key(k) or "": str(v) for k, v in mapping.items()}
        for col, mapping in meta.variable_value_labels.items()
    }
    header = [str(c) for c in df.columns]
    if len(df) == 0:
        coll.add("SPSS-filen innehåller inga fall (rader).")
    values = df.astype(object).where(df.notna(), None).to_numpy().tolist()
    return _make_table(
        path.name, "sav", header, 0, values, list(range(1, len(df) + 1)), labels=labels
    )


def read_any(
    path: str | Path, coll: Problems, *, sheet: str | None = None, separator: str = ";"
) -> RawTable | None:
    """Read a CSV, XLSX or SAV file into a :class:`RawTable`, collecting problems in ``coll``."""
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


def open_table(
    path: str | Path, *, sheet: str | None = None, separator: str = ";"
) -> tuple[RawTable, Problems]:
    """Read a file for validation: its table and the collector of its problems.

    Problems that leave no table (missing, empty, undecodable file) are raised
    at once; the others stay in the collector with the problems the caller
    finds in the cells.

    Parameters
    ----------
    path : str or Path
        A ``.csv`` (Swedish Excel dialect), ``.xlsx`` or ``.sav`` file; opened read-only.
    sheet : str, optional
        Excel sheet (default: the first).
    separator : str
        CSV field separator.

    Returns
    -------
    tuple
        The :class:`RawTable` and the :class:`helpers.config.survey_cells.Problems`
        collector named after the file.

    Raises
    ------
    DataError
        If no table could be read.
    """
    coll = Problems(Path(path).name)
    raw = read_any(path, coll, sheet=sheet, separator=separator)
    if raw is None or raw.data.empty:
        coll.raise_if_any()
    assert raw is not None
    return raw, coll


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
    raw, coll = open_table(path, sheet=sheet, separator=separator)
    coll.raise_if_any()
    return raw


# -- column conversion ---------------------------------------------------------------------
Result = tuple[Any, str | None]


def apply_column(
    raw: RawTable, column: str, func: Callable[[object], Result], coll: Problems, kind: str
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


def spec_values(
    raw: RawTable, spec: VariableSpec, func: Callable[[object], Result], coll: Problems, kind: str
) -> np.ndarray:
    """Convert the column of ``spec``, or repeat its constant (checked with the map)."""
    if spec.column is None:
        value, _ = func(spec.value)  # constants were checked with the map
        out = np.empty(len(raw.data), dtype=object)
        out[:] = [value] * len(raw.data)
        return out
    return apply_column(raw, spec.column, func, coll, kind)


def _codes_text(codes: Mapping[str, str]) -> str:
    return "variabelkartan anger " + ", ".join(f"{k} = {v}" for k, v in codes.items())


def coded(
    raw: RawTable,
    spec: VariableSpec,
    what: str,
    synonyms: Mapping[str, str] | None,
    blank: Result,
) -> Callable[[object], Result]:
    """Return a converter for a coded variable: map codes, then SPSS labels, then known names."""
    codes = spec.codes or {}
    column = spec.column or ""
    if codes:
        allowed = _codes_text(codes)
    elif synonyms is not None:
        allowed = "tillåtna värden: " + ", ".join(sorted(set(synonyms.values())))
    else:
        allowed = ""

    def func(u: object) -> Result:
        if is_blank(u):
            return blank
        label = raw.label(column, u) if spec.column else None
        keys = [code_key(u), code_key(label) if label else None]
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
        if is_blank(u):
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


def required_text(what: str) -> Callable[[object], Result]:
    """Return a converter for a text that must not be blank (``what`` names it in the message)."""

    def func(u: object) -> Result:
        text = text_key(u)
        return (text, None) if text else (None, f"{what} saknas.")

    return func


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
