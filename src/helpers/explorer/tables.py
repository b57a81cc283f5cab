"""The explorer's table as the user sees it, and its export (pure functions, no I/O).

* :func:`controlled` – the workbook's one disclosure rule
  (:func:`helpers.stats.disclosure.suppress_small_cells`, threshold from the
  parameters, the catalogue's ``disclosure`` flag) applied to an explorer
  table; the explorer's data, table, chart, map and export all pass it;
* :func:`format_frame` and :func:`table_html` – Swedish headers, decimal comma,
  the reliability flag and its reason in their own columns;
* :func:`export_frame` – the table after disclosure control (written as
  Swedish Excel CSV by :func:`helpers.core.fmt.excel_csv`);
* :func:`export_stem`, :func:`title_text` and :func:`is_synthetic`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import pandas as pd

from helpers.core import indicators, lookup
from helpers.core.fmt import SEX_LABELS, SYNTHETIC_LABEL, ci, num
from helpers.explorer.specs import FAMILY_LIFE_TABLE, FAMILY_SURVEY, IndicatorSpec
from helpers.stats.disclosure import suppress_small_cells

#: Short Swedish explanations of the flags, shown under the table.
FLAG_EXPLANATIONS: dict[str, str] = {
    indicators.FLAG_OK: "skattningen är tillräckligt säker för att användas",
    indicators.FLAG_UNCERTAIN: "visas men ska läsas med försiktighet",
    indicators.FLAG_SUPPRESSED: "för osäker eller för få svarande – värdet visas inte",
    indicators.FLAG_MISSING: "värde saknas i källan",
    indicators.FLAG_NOT_ASSESSED: "källan anger ingen osäkerhet, så säkerheten kan inte bedömas",
}


def _ci_header(frame: pd.DataFrame) -> str:
    levels = frame["ci_level"].dropna().unique()
    if len(levels) == 1:
        return f"{num(float(levels[0]) * 100, 0)}\u00a0% konfidensintervall"
    if frame["ci_lower"].notna().any():
        return "Osäkerhetsintervall"
    return "Konfidensintervall"


def controlled(frame: pd.DataFrame, params: Mapping[str, object] | None = None) -> pd.DataFrame:
    """Return an explorer table after disclosure control, before anything of it is shown.

    :func:`helpers.stats.disclosure.suppress_small_cells` with the threshold of
    ``params`` (``disclosure.min_n``) and the catalogue's ``disclosure`` flag,
    complementary suppression included (the table holds the county and all
    its kommuner). The comparison with the county (``vs_county``) is emptied
    for any row whose value is hidden. Idempotent; a table without an ``n``
    column (no counts, nothing to control) is returned as a copy.

    Parameters
    ----------
    frame : pandas.DataFrame
        An indicator table, or the output of :func:`helpers.explorer.explore.display_frame`.
    params : mapping, optional
        Workbook parameters.

    Returns
    -------
    pandas.DataFrame
        The controlled copy (index reset).
    """
    if "n" not in frame.columns:
        return frame.reset_index(drop=True)
    out = suppress_small_cells(frame.reset_index(drop=True), params=params)
    if "vs_county" in out.columns:
        out.loc[~indicators.usable(out), "vs_county"] = ""
    return out


def basis_text(row: Mapping[str, object], spec: IndicatorSpec) -> str:
    """Return what a value rests on, in Swedish ("151 svarande, 17 ja"; "219 dödsfall").

    Parameters
    ----------
    row : mapping
        One row of the indicator table.
    spec : IndicatorSpec
        Its indicator.
    """
    n, numerator = row.get("n"), row.get("numerator")
    n_ok = n is not None and not pd.isna(n)
    num_ok = numerator is not None and not pd.isna(numerator)
    if spec.family == FAMILY_SURVEY:
        if not n_ok:
            return "–"
        text = f"{num(float(n), 0)} svarande"
        return text + (f", {num(float(numerator), 0)} ja" if num_ok else "")
    if spec.family == FAMILY_LIFE_TABLE and num_ok:
        return f"{num(float(numerator), 0)} dödsfall"
    return "–"


def format_frame(
    frame: pd.DataFrame, spec: IndicatorSpec, params: Mapping[str, object] | None = None
) -> pd.DataFrame:
    """Return the table as the user sees it: Swedish headers, decimal comma, flag and reason.

    The rows pass :func:`controlled` first, so no hidden value or count is shown.

    Parameters
    ----------
    frame : pandas.DataFrame
        Output of :func:`display_frame`.
    spec : IndicatorSpec
        Its indicator.
    params : mapping, optional
        Workbook parameters (``disclosure.min_n``).

    Returns
    -------
    pandas.DataFrame
        Columns Jämförelse, Område, Period, Värde (unit), the interval, Underlag,
        (Jämfört med länet,) Flagga, Skäl – all strings.
    """
    frame = controlled(frame, params)
    ok = indicators.usable(frame)
    value_header = f"Värde ({spec.unit})"
    out = pd.DataFrame(
        {
            "Jämförelse": frame["role_label"].astype(str),
            "Område": frame["area_name"].astype(str),
            "Period": frame["period_label"].astype(str),
            value_header: [
                num(float(v), spec.decimals) if o else "–"
                for v, o in zip(frame["value"], ok, strict=True)
            ],
            _ci_header(frame): [
                ci(float(lo), float(hi), spec.decimals) or "–"
                for lo, hi in zip(frame["ci_lower"], frame["ci_upper"], strict=True)
            ],
            "Underlag": [basis_text(r, spec) for r in frame.to_dict("records")],
        }
    )
    if spec.family == FAMILY_SURVEY:
        out["Jämfört med länet"] = [s or "–" for s in frame["vs_county"].astype(str)]
    out["Flagga"] = frame["flag"].astype(str).to_numpy()
    out["Skäl"] = [str(s) if str(s) else "–" for s in frame["flag_reason"].fillna("")]
    return out


_COLUMN_IDS = {
    "Jämförelse": "role",
    "Område": "area_name",
    "Period": "period_label",
    "Underlag": "basis",
    "Jämfört med länet": "vs_county",
    "Flagga": "flag",
    "Skäl": "flag_reason",
}


def table_html(
    frame: pd.DataFrame,
    spec: IndicatorSpec,
    caption: str = "",
    params: Mapping[str, object] | None = None,
) -> str:
    """Return the explorer's table as HTML, with the flag and its reason in their own columns.

    The table carries stable markers for tests and styling: ``class`` and
    ``data-testid`` ``"explorer-table"``, ``data-kommun`` (the selected kommun's
    code), ``data-indicator``, ``data-column`` on each header and ``data-role``
    and ``data-flag`` on each row.

    Parameters
    ----------
    frame, spec
        As for :func:`format_frame`.
    caption : str
        Caption above the table (escaped).
    params : mapping, optional
        Workbook parameters (``disclosure.min_n``).

    Returns
    -------
    str
        A self-contained HTML fragment (inline styles only).
    """
    frame = controlled(frame, params)
    shown = format_frame(frame, spec, params)
    kommun = frame.loc[frame["role"] == "kommun", "area_code"]
    kommun_code = str(kommun.iloc[0]) if len(kommun) else ""
    esc = html.escape
    head = "".join(
        f'<th data-column="{_COLUMN_IDS.get(c, "value" if c.startswith("Värde") else "ci")}" '
        f'style="text-align:left;padding:4px 8px;border-bottom:2px solid #595959">{esc(c)}</th>'
        for c in shown.columns
    )
    body = []
    styles = {
        indicators.FLAG_UNCERTAIN: "font-style:italic;",
        indicators.FLAG_SUPPRESSED: "color:#6B6B6B;",
        indicators.FLAG_MISSING: "color:#6B6B6B;",
    }
    for (_, row), role, flag in zip(shown.iterrows(), frame["role"], frame["flag"], strict=True):
        style = styles.get(str(flag), "")
        if role == "kommun":
            style += "font-weight:bold;background:#EAF2FA;"
        elif role in ("lan", "riket", "liknande"):
            style += "background:#F7F7F7;"
        cells = "".join(
            f'<td style="padding:3px 8px;border-bottom:1px solid #E5E5E5">{esc(str(v))}</td>'
            for v in row
        )
        body.append(
            f'<tr data-role="{esc(str(role))}" data-flag="{esc(str(flag))}" '
            f'style="{style}">{cells}</tr>'
        )
    flags = [f for f in FLAG_EXPLANATIONS if f in set(frame["flag"].astype(str))]
    legend = "; ".join(f"<i>{esc(f)}</i> – {esc(FLAG_EXPLANATIONS[f])}" for f in flags)
    cap = (
        f'<caption style="caption-side:top;text-align:left;font-weight:bold;padding:4px 0">'
        f"{esc(caption)}</caption>"
        if caption
        else ""
    )
    return (
        f'<table class="explorer-table" data-testid="explorer-table" '
        f'data-kommun="{esc(kommun_code)}" data-indicator="{esc(spec.key)}" '
        f'style="border-collapse:collapse;font-size:13px">{cap}'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        f'<p class="explorer-flag-legend" style="font-size:12px;color:#4D4D4D">'
        f"<b>Flaggor:</b> {legend}.</p>"
    )


# -- export --------------------------------------------------------------------------------------------
#: Columns of the exported CSV, in order.
EXPORT_COLUMNS: tuple[str, ...] = (
    "role_label",
    *indicators.COLUMNS,
    "vs_county",
)


def export_frame(frame: pd.DataFrame, params: Mapping[str, object] | None = None) -> pd.DataFrame:
    """Return the table to export, after disclosure control.

    The rows come from tables that are already disclosure-controlled; the
    rule is applied once more (:func:`controlled`: threshold
    ``params["disclosure"]["min_n"]``, the catalogue's flag, complements) so
    that no row resting on fewer respondents, and no count of fewer yes- or
    no-answers, ever leaves the workbook, and the comparison with the county is
    blanked for any row whose value is hidden.

    Parameters
    ----------
    frame : pandas.DataFrame
        Output of :func:`display_frame`.
    params : mapping, optional
        Workbook parameters.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`EXPORT_COLUMNS` (``role_label`` renamed ``jamforelse``,
        ``vs_county`` renamed ``jamfort_med_lanet``); counts as whole numbers.
    """
    out = controlled(frame, params)
    out = out[list(EXPORT_COLUMNS)].copy()
    for col in ("numerator", "denominator", "n"):
        out[col] = out[col].round().astype("Int64")
    return out.rename(columns={"role_label": "jamforelse", "vs_county": "jamfort_med_lanet"})


def export_stem(spec: IndicatorSpec, kommun: str, sex: str, period: int) -> str:
    """Return the base file name of an export, e.g. ``"medellivslangd_2080_falun_kvinnor_2024"``."""
    sex_slug = lookup.slug(sex)
    return f"{spec.key}_{kommun}_{lookup.slug(lookup.area_name(kommun))}_{sex_slug}_{int(period)}"


def title_text(spec: IndicatorSpec, kommun: str, sex: str, period_label: str) -> str:
    """Return the explorer's heading, e.g. "Röker dagligen – Falun, totalt, 2024"."""
    return (
        f"{spec.label} – {lookup.area_name(kommun)}, "
        f"{SEX_LABELS.get(sex, sex).lower()}, {period_label}"
    )


def is_synthetic(table: pd.DataFrame) -> bool:
    """Whether any row of ``table`` comes from the synthetic demo data."""
    return bool(table["source"].astype(str).str.contains(SYNTHETIC_LABEL, regex=False).any())
