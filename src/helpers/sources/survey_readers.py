"""Read survey extracts as they are (CSV, XLSX, SPSS), or refuse them in Swedish.

* :func:`read_table` / :func:`read_any` – a file as the user sees it
  (:class:`RawTable`): CSV in the Swedish Excel dialect (``;`` separator,
  decimal comma; the encoding is detected, see :func:`_decode`), XLSX (first
  sheet unless one is named; formulas without a saved value, Excel error
  values and percent-formatted cells are recorded per cell) and SPSS ``.sav``
  (with value labels). Files are only ever opened for reading, and every
  failure to read one is a :class:`~helpers.core.errors.DataError` in Swedish.
* :func:`open_table` – the table and the collector of its problems, for the
  column conversion in :mod:`helpers.sources.survey_columns`.

Rows are numbered as the user sees them: the header is row 1 in CSV and
Excel, so the first data row is row 2; in a ``.sav`` file the row is the case
number. Used by :mod:`helpers.sources.survey_files` (microdata, population)
and :mod:`helpers.sources.survey_aggregated` (aggregated tables).
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from helpers.config.survey_cells import EXCEL_ERRORS, Problems, code_key, is_blank, suggest

logger = logging.getLogger(__name__)

_CSV_SUFFIXES = (".csv", ".txt")
_XLSX_SUFFIXES = (".xlsx", ".xlsm")
_SAV_SUFFIXES = (".sav", ".zsav")
_OTHER_SEPARATORS = (",", "\t", "|", ";")
_SEPARATOR_NAMES = {",": "komma", "\t": "tabb", "|": "lodstreck", ";": "semikolon"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: A valid UTF-8 sequence of two or more bytes (a non-ASCII character written as UTF-8).
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
#: Non-ASCII characters a Swedish data file in Windows-1252 plausibly holds.
_CP1252_PLAUSIBLE = frozenset("åäöÅÄÖéÉèÈêëüÜáÁàíóúñçøØæÆ–—‘’“”«»…°½¼¾§µ€£×·´\u00a0")
#: A merged cell range in a sheet's XML.
_MERGED = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')
#: A formula element in a sheet's XML.
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
#: UTF-8 read as Windows-1252 and saved again ("Ã¶" for "ö").
_MOJIBAKE = re.compile(
    "[ÃÂ][" + re.escape(bytes(range(0x80, 0xC0)).decode("cp1252", errors="ignore")) + "]"
)


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
        from Excel and SPSS; an Excel SANT/FALSKT is the text ``"SANT"``/``"FALSKT"``),
        one column per (first occurrence of a) header name.
    rows : numpy.ndarray
        Row number as the user sees it, for every row of ``data``.
    labels : dict
        SPSS value labels per column (code key -> label); empty for CSV/XLSX.
    encoding : str, optional
        Detected text encoding (CSV only).
    percent_cells : dict
        Column -> positions (in ``data``) of numeric Excel cells with a percent
        number format (0,0607 shown as 6,07 %).
    cell_problems : dict
        Column -> position -> Swedish message, for cells that have no usable
        value (an Excel formula never calculated, an Excel error value);
        reported by :func:`apply_column` when the column is used.
    """

    file: str
    kind: str
    header: list[str]
    header_row: int
    data: pd.DataFrame
    rows: np.ndarray
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    encoding: str | None = None
    percent_cells: dict[str, list[int]] = field(default_factory=dict)
    cell_problems: dict[str, dict[int, str]] = field(default_factory=dict)

    def label(self, column: str, value: object) -> str | None:
        """Return the SPSS value label of ``value`` in ``column``, if any."""
        labels = self.labels.get(column)
        if not labels:
            return None
        return labels.get(code_key(value) or "")


def _line_of(content: bytes, position: int) -> int:
    return content[:position].count(b"\n") + 1


def _decode(content: bytes, file: str, coll: Problems) -> tuple[str, str] | None:
    """Decode CSV bytes, or refuse them; never garble a label.

    * UTF-8 with a BOM, UTF-16 with a BOM, or UTF-8 without one: read. A UTF-8
      text that holds UTF-8 already misread as Windows-1252 (``"Ã¶"`` for
      ``"ö"``) is refused: the workbook cannot know what was meant.
    * Not valid UTF-8 but holding valid UTF-8 sequences (a file half UTF-8,
      half Windows-1252, e.g. rows pasted from two sources): refused, naming
      the first line that is not UTF-8.
    * Not valid UTF-8 and no UTF-8 sequence at all: read as Windows-1252 (the
      "ANSI" of Swedish Excel) when every non-ASCII byte then is a Swedish
      letter or common punctuation (å, ä, ö, é, –, ’, NBSP …); the decision is
      logged. Any other byte (or one Windows-1252 does not define) is refused
      with its line.
    """
    if content.startswith(codecs.BOM_UTF8):
        try:
            return _no_mojibake(content[3:].decode("utf-8"), coll), "utf-8-sig"
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
        return _no_mojibake(content.decode("utf-8"), coll), "utf-8"
    except UnicodeDecodeError as exc:
        bad = exc.start
    good = _UTF8_MULTIBYTE.search(content)
    if good is not None:
        coll.add(
            f"filen blandar teckenkodningar: rad {_line_of(content, good.start())} är skriven som "
            f"UTF-8, men på rad {_line_of(content, bad)} finns byte 0x{content[bad]:02X} som inte "
            "är UTF-8 (troligen Windows-1252/ANSI, t.ex. rader inklistrade från en annan fil). "
            "Filen läses inte eftersom texten skulle bli förvanskad. Spara om hela filen som "
            "'CSV UTF-8' (i Excel: Spara som > CSV UTF-8) och kontrollera å, ä och ö.",
            row=_line_of(content, bad),
        )
        return None
    try:
        text = content.decode("cp1252")
    except UnicodeDecodeError as exc:
        coll.add(
            f"texten går inte att tolka (byte 0x{content[exc.start]:02X} är varken UTF-8 eller "
            "Windows-1252). Spara filen på nytt som 'CSV UTF-8' i Excel.",
            row=_line_of(content, exc.start),
        )
        return None
    odd = next(
        (i for i, ch in enumerate(text) if ord(ch) > 127 and ch not in _CP1252_PLAUSIBLE), None
    )
    if odd is not None:
        coll.add(
            f"filen är inte UTF-8, och läst som Windows-1252 blir byte 0x{ord(text[odd].encode('cp1252')):02X} "
            f"tecknet '{text[odd]}', som inte hör hemma i en svensk datafil – teckenkodningen går "
            "inte att avgöra säkert. Spara filen på nytt som 'CSV UTF-8' i Excel.",
            row=text[:odd].count("\n") + 1,
        )
        return None
    first = next(i for i, ch in enumerate(text) if ord(ch) > 127)
    logger.info(
        "%s: filen är inte UTF-8 och läses som Windows-1252 (ANSI) – alla tecken utanför ASCII "
        "blir då svenska bokstäver eller vanliga skiljetecken (första: '%s' på rad %d).",
        file,
        text[first],
        text[:first].count("\n") + 1,
    )
    return text, "cp1252"


def _no_mojibake(text: str, coll: Problems) -> str:
    """Return ``text``; add a problem to ``coll`` when it holds 'Ã¶'-style garbling."""
    m = _MOJIBAKE.search(text)
    if m is None:
        return text
    try:
        meant = m.group().encode("cp1252").decode("utf-8")
    except UnicodeError:
        meant = "?"
    coll.add(
        f"texten är förvanskad redan i filen: '{m.group()}' är troligen '{meant}' som har "
        "sparats om med fel teckenkodning. Arbetsboken gissar inte vad som avsågs – ta fram "
        "en ny fil från källan och spara den som 'CSV UTF-8'.",
        row=text[: m.start()].count("\n") + 1,
    )
    return text


def _read_csv(path: Path, separator: str, coll: Problems) -> RawTable | None:
    content = path.read_bytes()  # read-only; the file is never modified
    if not content.strip(b" \t\r\n") or content.strip(b" \t\r\n") == codecs.BOM_UTF8:
        coll.add("filen är tom.")
        return None
    decoded = _decode(content, path.name, coll)
    if decoded is None or coll:
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
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    except csv.Error:
        coll.add(
            "filen går inte att läsa som CSV: ett fält är orimligt långt (ofta ett citattecken "
            "som aldrig avslutas). Kontrollera citattecknen i filen."
        )
        return None
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
    seen: dict[str, str] = {}
    for pos, name in enumerate(header, start=1):
        key = " ".join(name.casefold().split())
        if not name:
            coll.add(f"kolumn nummer {pos} saknar rubrik.", row=header_row)
        elif key in seen:
            same = "" if seen[key] == name else f" (som '{seen[key]}')"
            coll.add(
                f"kolumnnamnet '{name}' förekommer flera gånger i rubrikraden{same} – "
                "döp om den ena kolumnen, annars går det inte att veta vilken som avses.",
                row=header_row,
                column=name,
            )
        seen.setdefault(key, name)


def _make_table(
    file: str,
    kind: str,
    header: list[str],
    header_row: int,
    data_rows: list[list[Any]],
    row_numbers: list[int],
    labels: dict[str, dict[str, str]] | None = None,
    encoding: str | None = None,
    cell_notes: dict[tuple[int, int], str] | None = None,
    percent: set[tuple[int, int]] | None = None,
) -> RawTable:
    keep = [i for i, name in enumerate(header) if name and name not in header[:i]]
    columns = [header[i] for i in keep]
    matrix = np.empty((len(data_rows), len(keep)), dtype=object)
    for r, rec in enumerate(data_rows):
        for c, i in enumerate(keep):
            matrix[r, c] = rec[i] if i < len(rec) else None
    data = pd.DataFrame(matrix, columns=columns, dtype=object)
    name_of = {i: header[i] for i in keep}
    problems: dict[str, dict[int, str]] = {}
    for (r, i), message in (cell_notes or {}).items():
        if i in name_of:
            problems.setdefault(name_of[i], {})[r] = message
    percent_cells: dict[str, list[int]] = {}
    for r, i in sorted(percent or ()):
        if i in name_of:
            percent_cells.setdefault(name_of[i], []).append(r)
    return RawTable(
        file=file,
        kind=kind,
        header=header,
        header_row=header_row,
        data=data,
        rows=np.asarray(row_numbers, dtype=int),
        labels=labels or {},
        encoding=encoding,
        percent_cells=percent_cells,
        cell_problems=problems,
    )


def _is_percent_format(number_format: str) -> bool:
    """Return whether an Excel number format shows the value times 100 (a ``%`` not in quotes)."""
    return "%" in re.sub(r'"[^"]*"|\\.', "", number_format)


def _sheet_xml_facts(path: Path, sheet_xml: str | None) -> tuple[list[tuple[int, ...]], bool]:
    """Return a sheet's merged ranges and whether it holds any formula, read from its XML.

    Ranges are (min_col, min_row, max_col, max_row), 1-based. Without the XML's
    path: no ranges, and formulas are assumed (so they are looked for).
    """
    import zipfile

    from openpyxl.utils import range_boundaries

    if not sheet_xml:
        return [], True
    with zipfile.ZipFile(path) as archive, archive.open(sheet_xml.lstrip("/")) as xml:
        content = xml.read()
    refs = _MERGED.findall(content)
    return [range_boundaries(r.decode("ascii")) for r in refs], bool(_FORMULA.search(content))


def _sheet_cells(path: Path, sheet: str | None, data_only: bool, coll: Problems) -> Any:
    """Return ``(title, rows of (value, number_format, data_type), merged ranges)``, or None."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=data_only)
    except Exception:  # zipfile, XML and openpyxl errors: a damaged or encrypted workbook
        coll.add(
            "filen går inte att öppna som Excel-arbetsbok (.xlsx). Är den skadad eller "
            "lösenordsskyddad? Öppna den i Excel och spara den som en vanlig .xlsx-fil."
        )
        return None
    try:
        names = [ws.title for ws in wb.worksheets]
        if not names:
            coll.add("arbetsboken har inga blad med celler.")
            return None
        if sheet is None:
            title = names[0]
        elif sheet in names:
            title = sheet
        else:
            coll.add(
                f"bladet '{sheet}' finns inte i arbetsboken.{suggest(sheet, names)} "
                f"Bladen heter: {', '.join(names)}.",
                column=None,
            )
            return None
        ws = wb[title]
        ws.reset_dimensions()  # trust the cells, not a possibly wrong stored dimension
        rows = [
            [
                (c.value, getattr(c, "number_format", None) or "", getattr(c, "data_type", "n"))
                for c in row
            ]
            for row in ws.iter_rows()
        ]
        facts = _sheet_xml_facts(path, getattr(ws, "_worksheet_path", None)) if data_only else None
        return title, rows, facts
    except Exception:
        coll.add(f"bladet '{sheet or names[0]}' går inte att läsa. Är arbetsboken skadad?")
        return None
    finally:
        wb.close()


def _read_xlsx(path: Path, sheet: str | None, coll: Problems) -> RawTable | None:
    from openpyxl.utils import get_column_letter

    got = _sheet_cells(path, sheet, True, coll)
    if got is None:
        return None
    title, cells, (merged, has_formulas) = got
    values = [
        [("SANT" if v else "FALSKT") if isinstance(v, bool) else v for v, _, _ in r] for r in cells
    ]
    first = next((i for i, r in enumerate(values) if any(not is_blank(v) for v in r)), None)
    if first is None:
        coll.add(f"bladet '{title}' är tomt.")
        return None
    header = ["" if is_blank(v) else str(v).strip() for v in values[first]]
    while header and not header[-1]:
        header.pop()
    _check_header(header, first + 1, coll)
    width = len(header)
    notes: dict[tuple[int, int], str] = {}
    percent: set[tuple[int, int]] = set()
    empty: list[tuple[int, int, int]] = []  # (data position, sheet row, column) of empty cells
    data_rows: list[list[Any]] = []
    row_numbers: list[int] = []
    pos_of: dict[int, int] = {}
    for i in range(first + 1, len(cells)):
        rec = values[i][:width]
        rec += [None] * (width - len(rec))
        pos_of[i] = len(data_rows)
        if all(is_blank(v) for v in rec) and not any(t == "e" for _, _, t in cells[i][:width]):
            empty.extend((len(data_rows), i, c) for c in range(width))
            data_rows.append([None] * width)  # dropped below unless a formula is found
            row_numbers.append(-1 - i)
            continue
        pos = len(data_rows)
        for c, (v, number_format, data_type) in enumerate(cells[i][:width]):
            ref = f"{get_column_letter(c + 1)}{i + 1}"
            if data_type == "e" or (isinstance(v, str) and v.strip().casefold() in EXCEL_ERRORS):
                notes[(pos, c)] = (
                    f"cellen {ref} innehåller Excel-felet '{v}' (en formel som inte gick att "
                    "räkna ut) – rätta formeln i Excel, eller töm cellen om värdet saknas."
                )
            elif v is None:
                empty.append((pos, i, c))
            elif (
                _is_percent_format(number_format)
                and isinstance(v, int | float)
                and not isinstance(v, bool)
            ):
                percent.add((pos, c))
        data_rows.append(rec)
        row_numbers.append(i + 1)
    if empty and has_formulas:
        formulas = _uncached_formulas(path, title, {(i, c) for _, i, c in empty}, coll)
        for pos, i, c in empty:
            if (i, c) in formulas:
                notes[(pos, c)] = (
                    f"cellen {get_column_letter(c + 1)}{i + 1} på bladet '{title}' innehåller en "
                    f"formel ({formulas[(i, c)]}) men inget sparat värde, så värdet går inte att "
                    "läsa (det blir inte ett saknat svar). Öppna filen i Excel och spara den, så "
                    "sparas formlernas värden – eller kopiera kolumnen och klistra in som värden."
                )
                row_numbers[pos] = i + 1
    for min_col, min_row, max_col, max_row in merged:
        top = f"{get_column_letter(min_col)}{min_row}"
        for i in range(max(min_row - 1, first + 1), max_row):
            for c in range(min_col - 1, min(max_col, width)):
                if (i, c) == (min_row - 1, min_col - 1) or i not in pos_of:
                    continue
                notes.setdefault(
                    (pos_of[i], c),
                    f"cellen {get_column_letter(c + 1)}{i + 1} ingår i de sammanfogade cellerna "
                    f"{top}:{get_column_letter(max_col)}{max_row}, så den har inget eget värde "
                    f"(värdet står bara i {top}). Dela upp sammanfogningen i Excel och fyll i "
                    "värdet på varje rad.",
                )
                row_numbers[pos_of[i]] = i + 1
    keep = [p for p, r in enumerate(row_numbers) if r > 0]
    if len(keep) < len(row_numbers):
        index = {p: n for n, p in enumerate(keep)}
        data_rows = [data_rows[p] for p in keep]
        row_numbers = [row_numbers[p] for p in keep]
        notes = {(index[p], c): m for (p, c), m in notes.items() if p in index}
        percent = {(index[p], c) for p, c in percent if p in index}
    if not data_rows:
        coll.add(f"bladet '{title}' har en rubrikrad men inga datarader.", row=first + 1)
    return _make_table(
        path.name,
        "xlsx",
        header,
        first + 1,
        data_rows,
        row_numbers,
        cell_notes=notes,
        percent=percent,
    )


def _uncached_formulas(
    path: Path, title: str, where: set[tuple[int, int]], coll: Problems
) -> dict[tuple[int, int], str]:
    """Formulas (text) at the given (row, column) positions: empty with data_only, a formula without."""
    got = _sheet_cells(path, title, False, Problems(path.name))
    if got is None:
        coll.add("arbetsbokens formler går inte att läsa. Är arbetsboken skadad?")
        return {}
    out = {}
    for i, c in where:
        rows = got[1]
        if i < len(rows) and c < len(rows[i]):
            v = rows[i][c][0]
            text = getattr(v, "text", v)  # ArrayFormula keeps its text in .text
            if isinstance(text, str) and text.startswith("="):
                out[(i, c)] = text if len(text) <= 40 else text[:37] + "…"
    return out


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
    """Read a CSV, XLSX or SAV file into a :class:`RawTable`, collecting problems in ``coll``.

    Every failure (missing, unreadable, damaged file) becomes a Swedish problem in ``coll``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if path.is_dir():
        coll.add("sökvägen är en mapp, inte en fil – ange filens namn.")
        return None
    if not path.is_file():
        coll.add("filen finns inte (kontrollera sökvägen).")
        return None
    try:
        if suffix in _CSV_SUFFIXES:
            return _read_csv(path, separator, coll)
        if suffix in _XLSX_SUFFIXES:
            return _read_xlsx(path, sheet, coll)
        if suffix in _SAV_SUFFIXES:
            return _read_sav(path, coll)
    except PermissionError:
        coll.add("filen går inte att öppna: behörighet saknas. Kontrollera filens rättigheter.")
        return None
    except OSError as exc:
        coll.add(f"filen går inte att läsa ({exc.strerror or 'läsfel'}).")
        return None
    except MemoryError:
        coll.add("filen är för stor för att läsas i minnet. Dela upp den eller läs färre kolumner.")
        return None
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
