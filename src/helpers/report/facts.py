"""The facts behind a report: every number shown, once, in the indicator-table columns.

"One fact, one value": a kommun's figure for an indicator, sex, period and
group is computed in one place and must show the same everywhere in a report
(text, tables, charts, maps, exports). Each :class:`helpers.report.section.Section`
carries ``facts``, the indicator-table rows behind its numbers; this module
puts them together (:func:`combine`), finds any fact that shows two different
values (:func:`conflicts`, compared at the decimals the catalogue says are
shown) and writes them for analysts and for the backtests (:func:`to_csv`).

Indicator ids are normalised to catalogue ids first (Kolada's N00925/N00923 are
the catalogue's ``e0`` for women/men), so that a Kolada-shaped value and a
life-table value of the same fact are compared with each other.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.config import catalogue
from helpers.core import indicators
from helpers.core.errors import DataError, Problem
from helpers.stats.disclosure import suppress_small_cells

#: Mime type under which a notebook hands its facts to the runner (HTML does not show it).
MIMETYPE = "application/vnd.folkhalsa.facts+json"
#: What identifies one fact.
FACT_KEYS: list[str] = ["indicator", "area_code", "sex", "period", "group"]
#: Columns of a facts table: the section it is shown in, then the indicator-table columns.
COLUMNS: list[str] = ["section", *indicators.COLUMNS]


def catalogue_id(indicator: str) -> str:
    """Return the catalogue id for an indicator-table id (Kolada KPI ids mapped; others kept)."""
    cat = catalogue.load()
    if indicator in cat:
        return indicator
    found = cat.by_kpi(indicator)
    return found.id if found is not None else indicator


def _decimals(indicator: str) -> int:
    cat = catalogue.load()
    return cat.get(indicator).decimals if indicator in cat else 2


def combine(sections: Iterable[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    """Stack the facts of several sections, with catalogue ids and a ``section`` column.

    Parameters
    ----------
    sections : iterable of (str, DataFrame)
        ``(section title, facts)`` pairs; empty facts are skipped.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`, one row per shown number and section.
    """
    frames = []
    for title, facts in sections:
        if facts is None or facts.empty:
            continue
        f = indicators.make(facts.copy())
        f.insert(0, "section", title)
        frames.append(f)
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    out["source_indicator"] = out["indicator"]
    ids = {i: catalogue_id(str(i)) for i in out["indicator"].unique()}
    out["indicator"] = out["indicator"].map(ids).astype("string")
    return out


def conflicts(facts: pd.DataFrame) -> pd.DataFrame:
    """Return the facts that show more than one value at the decimals shown.

    Missing values (suppressed or absent) do not conflict with anything; a
    value shown in one section and suppressed in another is reported by the
    disclosure checks, not here.

    Returns
    -------
    pandas.DataFrame
        One row per conflicting fact: :data:`FACT_KEYS`, ``values`` (sorted,
        rounded), ``sections`` (where each is shown).
    """
    if facts.empty:
        return pd.DataFrame(columns=[*FACT_KEYS, "values", "sections"])
    f = facts[facts["value"].notna()].copy()
    # A pooled period ("2020–2024") is another fact than the single year 2024 that ends it.
    keys_by = [*FACT_KEYS, "period_label"] if "period_label" in f.columns else FACT_KEYS
    decimals = {i: _decimals(str(i)) for i in f["indicator"].unique()}
    f["shown"] = [
        round(float(v), decimals[i]) for v, i in zip(f["value"], f["indicator"], strict=True)
    ]
    rows = []
    keys = f[keys_by].astype("string").fillna("")
    for key, idx in keys.groupby(keys_by, sort=True).groups.items():
        shown = f.loc[idx, "shown"]
        if shown.nunique() > 1:
            rows.append(
                {
                    **dict(zip(FACT_KEYS, key[: len(FACT_KEYS)], strict=True)),
                    "values": sorted(shown.unique().tolist()),
                    "sections": sorted(f.loc[idx, "section"].unique().tolist()),
                }
            )
    return pd.DataFrame(rows, columns=[*FACT_KEYS, "values", "sections"])


def check_one_value(facts: pd.DataFrame, where: str = "rapporten") -> None:
    """Raise a Swedish :class:`DataError` if any fact shows two different values.

    Raises
    ------
    DataError
        Naming each conflicting fact and the sections that disagree.
    """
    bad = conflicts(facts)
    if bad.empty:
        return
    problems = [
        Problem(
            f"{where}: {r.indicator} för {r.area_code}, {r.sex}, {r.period}, grupp {r.group} "
            f"visas med olika värden {', '.join(_sv(v) for v in r.values)} "
            f"(avsnitt: {', '.join(r.sections)})"
        )
        for r in bad.itertuples(index=False)
    ]
    raise DataError(problems)


def _sv(value: float) -> str:
    return f"{value}".replace(".", ",")


def unique_facts(facts: pd.DataFrame) -> pd.DataFrame:
    """Return one row per fact (the first section, in report order, that shows it), sorted by keys."""
    if facts.empty:
        return facts
    out = facts.drop_duplicates(FACT_KEYS)
    return out.sort_values(FACT_KEYS, kind="stable").reset_index(drop=True)


def disclosed(facts: pd.DataFrame, min_n: int | None = None) -> pd.DataFrame:
    """Return facts as they may be handed out: disclosure control applied, hidden rows blank.

    The rows pass :func:`helpers.stats.disclosure.suppress_small_cells` (row by
    row, the catalogue's ``disclosure`` flag honoured; threshold ``min_n``), and
    a suppressed row (flag ``undertryckt``) keeps no value, CI, numerator,
    denominator or n, whatever the frame holds.
    """
    out = suppress_small_cells(facts, min_n, complementary=False) if len(facts) else facts.copy()
    hidden = out["flag"] == indicators.FLAG_SUPPRESSED
    for col in ("value", "ci_lower", "ci_upper", "numerator", "denominator", "n"):
        if col in out:
            out[col] = out[col].astype("float64")
            out.loc[hidden, col] = np.nan
    return out


def to_xlsx(facts: pd.DataFrame, path: str | Path, min_n: int | None = None) -> Path:
    """Write facts as an Excel workbook (openpyxl), with the same rows as :func:`to_csv`.

    One sheet ``Fakta`` with the columns :data:`COLUMNS`; numbers are stored as
    numbers (Excel shows them with the reader's decimal separator), a
    suppressed row has empty number cells.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    out = disclosed(facts, min_n)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    plain = out.astype(object).where(out.notna(), None)
    # openpyxl's streaming mode: a third of the time of pandas.ExcelWriter (0,14 against
    # 0,47 s for a report's 1 500 rows), the same cells; the header bold as pandas writes it.
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Fakta")
    header = []
    for name in plain.columns:
        cell = WriteOnlyCell(sheet, value=str(name))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in plain.itertuples(index=False, name=None):
        sheet.append(list(row))
    book.save(tmp)
    tmp.replace(path)
    return path


def to_csv(facts: pd.DataFrame, path: str | Path, min_n: int | None = None) -> Path:
    """Write facts as CSV in the Swedish Excel dialect (``;``, decimal comma, UTF-8 with BOM).

    The rows pass the workbook's disclosure rule
    (:func:`helpers.stats.disclosure.suppress_small_cells`, row by row, the
    catalogue's ``disclosure`` flag honoured; threshold ``min_n``, default
    :data:`~helpers.stats.disclosure.DEFAULT_MIN_N`) before they are written, and
    a suppressed row (flag ``undertryckt``) is written without value, CI,
    numerator, denominator or n, whatever the frame holds. Numbers are written
    with 12 significant digits, so floating-point noise (``64,10000000000001``
    for 67,9 − 3,8) does not reach the analyst's spreadsheet.
    """
    out = disclosed(facts, min_n)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, sep=";", decimal=",", index=False, encoding="utf-8-sig", float_format="%.12g")
    return path


def to_records(facts: pd.DataFrame) -> list[dict]:
    """Return facts as JSON-ready records (missing values as ``None``).

    Used to hand a report's facts from the notebook kernel to the runner, which
    writes them beside the report (:func:`from_records`, :func:`to_csv`).
    """
    out = facts.astype(object).where(facts.notna(), None)
    return [{k: _plain(v) for k, v in row.items()} for row in out.to_dict(orient="records")]


def _plain(value: object) -> object:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def from_records(records: list[dict]) -> pd.DataFrame:
    """Rebuild a facts table from :func:`to_records` output (columns in :data:`COLUMNS` order)."""
    frame = pd.DataFrame.from_records(records)
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    # Not indicators.make: one fact is shown in several sections, so keys repeat by design.
    missing = [c for c in ["section", *indicators.COLUMNS] if c not in frame.columns]
    if missing:
        raise DataError(f"Rapportens fakta saknar kolumnerna: {', '.join(missing)}")
    out = frame.astype({c: t for c, t in indicators.COLUMNS.items()})
    out["section"] = out["section"].astype("string")
    extra = [c for c in out.columns if c not in COLUMNS]
    return out[[*COLUMNS, *extra]].reset_index(drop=True)
