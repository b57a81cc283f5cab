"""Every table a reader sees, through one renderer: Swedish HTML, decimal comma, no index.

:func:`render` turns any report table (a section's display table or a slice of
the tidy indicator table, :mod:`helpers.core.indicators`) into a
:class:`Table` that Jupyter shows as HTML (``display(render(df))``):

* no index column: a default ``RangeIndex`` is dropped, a meaningful index
  (e.g. ``Kön``) becomes an ordinary first column;
* numbers with decimal comma and non-breaking thousands (:func:`helpers.core.fmt.num`),
  with the decimals asked for (``decimals``: one number or per column) – never
  ``54.0`` or ``3.587097``;
* Swedish headers: the indicator-table columns get Swedish names
  (:data:`HEADERS`), and a unit is written in the header (``Värde (år)``);
* text is wrapped, never truncated: the whole string is written (pandas'
  ``max_colwidth`` and its ``…`` do not apply);
* flags as words and symbols (:data:`FLAG_TEXT`) with a legend under the table
  for the flags that occur;
* a source line (``Källa: …``) under the table.

:func:`indicator_table` formats a slice of the indicator table (value with
confidence interval, n, flag and reason) before rendering, for sections that
show indicator rows directly.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.core import fmt, indicators

#: Swedish headers of the indicator-table columns (and a few common English names).
HEADERS: dict[str, str] = {
    "area_code": "Kod",
    "area_name": "Område",
    "area_type": "Områdestyp",
    "period": "År",
    "period_label": "Period",
    "sex": "Kön",
    "group": "Grupp",
    "indicator": "Indikator",
    "value": "Värde",
    "ci_lower": "Konfidensintervall, nedre",
    "ci_upper": "Konfidensintervall, övre",
    "ci_level": "Konfidensnivå",
    "numerator": "Täljare",
    "denominator": "Nämnare",
    "n": "Antal (n)",
    "flag": "Flagga",
    "flag_reason": "Förklaring",
    "source": "Källa",
    "section": "Avsnitt",
}

#: How a reliability flag is written in a table: a symbol (readable in greyscale) and the word.
FLAG_TEXT: dict[str, str] = {
    indicators.FLAG_OK: "● tillförlitlig",
    indicators.FLAG_UNCERTAIN: "◐ osäker",
    indicators.FLAG_SUPPRESSED: "✕ undertryckt",
    indicators.FLAG_MISSING: "– saknas",
    indicators.FLAG_NOT_ASSESSED: "○ ej bedömd",
}

#: What each flag means, for the legend under a table.
FLAG_MEANING: dict[str, str] = {
    indicators.FLAG_OK: "värdet kan användas som det är",
    indicators.FLAG_UNCERTAIN: "läs värdet med försiktighet, osäkerheten är stor",
    indicators.FLAG_SUPPRESSED: "för få svar eller för osäkert, värdet visas inte",
    indicators.FLAG_MISSING: "inget värde finns",
    indicators.FLAG_NOT_ASSESSED: "källan anger ingen osäkerhet, värdet kan inte bedömas",
}

#: Columns whose values are sexes (``kvinnor`` is written ``Kvinnor``).
SEX_COLUMNS: tuple[str, ...] = ("sex", "Kön")

#: Header of the flag column (input columns named ``flag`` or ``Flagga`` are written as flags).
FLAG_COLUMNS: tuple[str, ...] = ("flag", "Flagga")

#: Styles of a rendered table; prefixed with JupyterLab's class so they win over its
#: table styles (which right-align every cell and fix the layout) in nbconvert's HTML.
_T = ":is(.jp-RenderedHTMLCommon, body) table.fh-table"
CSS = (
    "<style>"
    f"{_T}{{border-collapse:collapse;margin:.4rem 0 .2rem;font-size:.92em;"
    "max-width:100%;table-layout:auto;margin-left:0;width:auto}"
    f"{_T} th,{_T} td{{padding:.3rem .55rem;border-bottom:1px solid #ddd;"
    "vertical-align:top;text-align:left;white-space:normal;overflow-wrap:break-word;"
    "max-width:24rem;min-width:2.5rem}"
    f"{_T} th{{background:#f3f3f3;font-weight:600}}"
    f"{_T} td.num{{text-align:right;white-space:nowrap}}{_T} th.num{{text-align:right}}"
    f"{_T}.fh-wide{{font-size:.78em}}{_T}.fh-wide td,{_T}.fh-wide th{{padding:.25rem .35rem}}"
    "p.fh-source,p.fh-legend{font-size:.85em;color:#444;margin:.1rem 0 .9rem}"
    "</style>"
)


@dataclass(frozen=True)
class Table:
    """A rendered table: the HTML and the text frame it shows.

    Attributes
    ----------
    html : str
        The ``<table>`` with its source line and flag legend.
    frame : pandas.DataFrame
        The cells as shown (text), with the headers as shown and a ``RangeIndex``.
    """

    html: str
    frame: pd.DataFrame

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


def _header(name: object, units: Mapping[str, str], headers: Mapping[str, str]) -> str:
    key = str(name)
    text = headers.get(key, HEADERS.get(key, key))
    unit = units.get(key, "")
    return f"{text} ({unit})" if unit and f"({unit})" not in text else text


_NUMBER_TEXT = re.compile(r"^[−+-]?\d[\d\u00a0 ]*(,\d+)?(\u00a0?(%|år))?$")


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _cell(value: object, decimals: int) -> tuple[str, bool]:
    """Return the text of one cell and whether it is a number."""
    if _is_missing(value):
        return "", False
    if isinstance(value, bool | np.bool_):
        return ("ja" if value else "nej"), False
    if isinstance(value, int | np.integer):
        return fmt.num(float(value), 0), True
    if isinstance(value, float | np.floating):
        return fmt.num(float(value), decimals), True
    return str(value), False


def _year_column(name: str) -> bool:
    low = name.lower()
    return low in ("period", "år", "year") or low.endswith("år") or low.startswith("period")


def _year(value: object) -> object:
    """Write a whole number that is a year as text (``2017``, never ``2 017``)."""
    if isinstance(value, int | np.integer | float | np.floating) and not _is_missing(value):
        v = float(value)
        if v.is_integer() and 1000 <= v <= 2999:
            return str(int(v))
    return value


def _flat(df: pd.DataFrame) -> pd.DataFrame:
    """Drop a default index; turn a meaningful one into columns; flatten column levels."""
    out = df.copy()
    if isinstance(out.columns, pd.MultiIndex):
        out.columns = [" ".join(str(p) for p in c if str(p)) for c in out.columns]
    default = isinstance(out.index, pd.RangeIndex) and out.index.name is None
    if not default and any(n is not None for n in out.index.names):
        out = out.reset_index()
    return out.reset_index(drop=True)


def render(
    df: pd.DataFrame,
    *,
    source: str = "",
    caption: str = "",
    decimals: int | Mapping[str, int] = 1,
    units: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    notes: list[str] | None = None,
) -> Table:
    """Render a table for readers (Swedish HTML, decimal comma, no index, wrapped text).

    Parameters
    ----------
    df : pandas.DataFrame
        Any report table: text cells are written as they are, numbers with
        :func:`helpers.core.fmt.num`.
    source : str
        The source line (``"Källa: …"`` is added when it does not start so).
    caption : str
        A heading above the table.
    decimals : int or mapping of str to int
        Decimals of float columns (one for all, or by input column name; default 1).
    units : mapping of str to str, optional
        Unit per input column, written in its header (``{"value": "år"}`` gives ``Värde (år)``).
    headers : mapping of str to str, optional
        Header per input column, overriding :data:`HEADERS`.
    notes : list of str, optional
        Lines written under the table (before the source line).

    Returns
    -------
    Table
        Displayable in Jupyter; ``frame`` is the text shown.
    """
    units = dict(units or {})
    headers = dict(headers or {})
    flat = _flat(df)
    shown: dict[str, list[str]] = {}
    numeric: dict[str, bool] = {}
    flags_seen: list[str] = []
    for col in flat.columns:
        key = str(col)
        d = decimals.get(key, 1) if isinstance(decimals, Mapping) else int(decimals)
        if key in FLAG_COLUMNS:
            vals = ["" if _is_missing(v) else str(v) for v in flat[col]]
            for v in vals:
                if v in FLAG_TEXT and v not in flags_seen:
                    flags_seen.append(v)
            shown[_header(key, units, headers)] = [FLAG_TEXT.get(v, v) for v in vals]
            numeric[_header(key, units, headers)] = False
            continue
        values = flat[col].tolist()
        if key in SEX_COLUMNS:
            values = [fmt.SEX_LABELS.get(v, v) if isinstance(v, str) else v for v in values]
        if _year_column(key):
            values = [_year(v) for v in values]
        cells = [_cell(v, d) for v in values]
        head = _header(key, units, headers)
        shown[head] = [c[0] for c in cells]
        numeric[head] = (
            bool(cells)
            and any(c[0] not in ("", "–") for c in cells)
            and all(c[1] or c[0] in ("", "–") or _NUMBER_TEXT.match(c[0]) for c in cells)
        )
    frame = pd.DataFrame(shown, index=pd.RangeIndex(len(flat)))
    esc = html.escape
    parts = [CSS]
    if caption:
        parts.append(f"<p><b>{esc(caption)}</b></p>")
    wide = " fh-wide" if len(frame.columns) > 8 else ""  # many columns: smaller type, no scrolling
    parts.append(f'<table class="fh-table{wide}"><thead><tr>')
    parts += [
        f'<th class="num">{esc(h)}</th>' if numeric[h] else f"<th>{esc(h)}</th>"
        for h in frame.columns
    ]
    parts.append("</tr></thead><tbody>")
    for row in frame.itertuples(index=False):
        parts.append("<tr>")
        for head, text in zip(frame.columns, row, strict=True):
            cls = ' class="num"' if numeric[head] else ""
            parts.append(f"<td{cls}>{esc(str(text))}</td>")
        parts.append("</tr>")
    parts.append("</tbody></table>")
    legend = [f"{FLAG_TEXT[f]}: {FLAG_MEANING[f]}" for f in flags_seen if f != indicators.FLAG_OK]
    if legend:
        parts.append(f'<p class="fh-legend">Flaggor: {esc("; ".join(legend))}.</p>')
    for note in notes or []:
        parts.append(f'<p class="fh-legend">{esc(note)}</p>')
    if source:
        text = source if source.lower().startswith("källa") else f"Källa: {source}"
        parts.append(f'<p class="fh-source">{esc(text.rstrip("."))}.</p>')
    return Table(html="".join(parts), frame=frame)


def indicator_table(
    rows: pd.DataFrame,
    *,
    unit: str = "",
    decimals: int = 1,
    columns: tuple[str, ...] = ("area_name", "sex", "group", "period_label"),
) -> pd.DataFrame:
    """Format a slice of the indicator table for :func:`render`: value, interval, n, flag, reason.

    A row that is not usable (suppressed or missing) shows no value, interval or n.

    Parameters
    ----------
    rows : pandas.DataFrame
        Indicator-table rows.
    unit : str
        Unit of the value (in the header).
    decimals : int
        Decimals of value and interval.
    columns : tuple of str
        Identifying columns to show.

    Returns
    -------
    pandas.DataFrame
        Text columns with Swedish headers, a ``RangeIndex`` and a ``Flagga`` column.
    """
    usable = indicators.usable(rows).to_numpy()
    out = pd.DataFrame(index=range(len(rows)))
    for c in columns:
        vals = rows[c].astype("string").fillna("").tolist()
        if c == "sex":
            vals = [fmt.SEX_LABELS.get(v, v) for v in vals]
        out[HEADERS.get(c, c)] = vals
    head = f"Värde ({unit})" if unit else "Värde"
    out[head] = [
        fmt.num(v, decimals) if ok else "" for v, ok in zip(rows["value"], usable, strict=True)
    ]
    out["95 % konfidensintervall"] = [
        fmt.ci(lo, hi, decimals).strip("()") if ok else ""
        for lo, hi, ok in zip(rows["ci_lower"], rows["ci_upper"], usable, strict=True)
    ]
    out["Antal (n)"] = [
        fmt.num(v, 0) if ok and not _is_missing(v) else ""
        for v, ok in zip(rows["n"].astype("float64"), usable, strict=True)
    ]
    out["Flagga"] = rows["flag"].astype("string").fillna("").tolist()
    out["Förklaring"] = rows["flag_reason"].astype("string").fillna("").tolist()
    return out


def show(section_table: pd.DataFrame, section: object = None, **kwargs: object) -> Table:
    """Render a section's table with the section's source line (``section.source``) by default."""
    if section is not None and "source" not in kwargs:
        kwargs["source"] = str(getattr(section, "source", "") or "")
    return render(section_table, **kwargs)  # type: ignore[arg-type]
