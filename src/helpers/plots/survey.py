"""Charts and maps for survey prevalences, with weak estimates visibly marked.

Every function takes a table from :mod:`helpers.report.survey_analysis` (or an
indicator table from :func:`helpers.report.survey_analysis.estimate_variable`), an
optional ``ax``, and returns the matplotlib :class:`~matplotlib.figure.Figure`.
The conventions of :mod:`helpers.plots.common` apply (Swedish text, decimal comma,
Okabe–Ito colours; title, legend and footer with notes and source – the
synthetic-data label in bold – set by :mod:`helpers.plots.scaffold`), and in addition:

* **Disclosure control first.** Each function passes its table through
  :func:`helpers.stats.disclosure.suppress_small_cells` (``min_n``, the
  catalogue's ``disclosure`` flag) before drawing – the one rule of the
  workbook, so a figure never shows a cell, a count ("n = …", "(3 av 118)") or a
  complement that a table would hide.
* **Reliable** estimates are filled bars (or dots) with CI whiskers;
  **uncertain** ("osäker") ones are hatched and hollow, with a legend entry;
  **suppressed** or missing ones are left blank and the reason is written on
  the row, so the reader sees *that* and *why* a value is missing.
* The **map** reuses :func:`helpers.plots.maps.choropleth`, which colours only
  reliable values, draws uncertain kommuner grey and hatched and suppressed ones
  white; the reasons for suppression are added to its footer.

Figures made without ``ax`` are created through :mod:`matplotlib.pyplot` (so
notebooks show them); report sections pass axes of their own figures.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import blended_transform_factory

from helpers.core import geo, indicators, lookup
from helpers.core.errors import DataError
from helpers.core.fmt import SEX_LABELS, decimal_comma_formatter, num, signed
from helpers.plots import scaffold
from helpers.plots.maps import choropleth
from helpers.stats.disclosure import DEFAULT_MIN_N, suppress_small_cells

#: Bar colour of ordinary areas, of the highlighted kommun, the county and Sweden.
BAR_COLOR = "#7A8FA6"
HIGHLIGHT_COLOR = scaffold.AREA_COLORS["kommun"]
REGION_COLOR = scaffold.AREA_COLORS["region"]
RIKET_COLOR = scaffold.AREA_COLORS["riket"]
POPULATION_COLOR = "#BDBDBD"
HATCH = "////"

NOTE_UNCERTAIN = "Streckade, ofyllda staplar: osäker skattning – läs med försiktighet."
NOTE_SUPPRESSED = (
    "Rader utan stapel: skattningen redovisas inte (för osäker, för få svarande eller "
    "röjandekontroll) – skälet står på raden."
)
NOTE_N = "n = antal svarande (ovägt)."
LABEL_SOLID = "Tillförlitlig skattning"


# -- helpers ------------------------------------------------------------------------------------
def _style(ax: Axes, grid: str = "x") -> None:
    scaffold.quiet_axes(ax, grid)
    # Whole-number ticks, so that a 0-decimal formatter never rounds a tick label.
    ax.xaxis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 5, 10], integer=True))


def _ci_note(df: pd.DataFrame) -> str:
    return f"Strecken visar {scaffold.ci_label(df).lower()}."


def _controlled(df: pd.DataFrame, min_n: int) -> pd.DataFrame:
    """Return the figure's data after the workbook's one disclosure rule (catalogue flag honoured)."""
    if df.empty:
        return df.reset_index(drop=True)
    return suppress_small_cells(df, min_n).reset_index(drop=True)


def _shown(df: pd.DataFrame) -> np.ndarray:
    return (
        df["value"].notna()
        & ~df["flag"].isin([indicators.FLAG_SUPPRESSED, indicators.FLAG_MISSING])
    ).to_numpy()


def _n_text(n: float) -> str:
    return "" if pd.isna(n) else f"n = {num(float(n), 0)}"


def _group_label(sex: str, group: str) -> str:
    sex_text = SEX_LABELS.get(sex, str(sex))
    if group == indicators.ALL_GROUPS:
        return sex_text
    if sex == "totalt":
        return str(group).capitalize()
    if group[:1].isdigit():
        return f"{sex_text} {group} år"
    return f"{sex_text}, {group}"


def _reason_text(reason: str, flag: str) -> str:
    reason = str(reason or "").strip()
    if flag == indicators.FLAG_MISSING and not reason:
        return "värde saknas"
    return f"redovisas inte: {reason}" if reason else "redovisas inte"


# -- bars -----------------------------------------------------------------------------------
def prevalence_bars(
    table: pd.DataFrame,
    ax: Axes | None = None,
    *,
    labels: Sequence[str] | None = None,
    highlight: str | None = None,
    reference: pd.DataFrame | None = None,
    notes: Sequence[str] | None = None,
    right_text: Sequence[str] | None = None,
    title: str | None = None,
    uniform_color: bool = False,
    min_n: int = DEFAULT_MIN_N,
) -> Figure:
    """Draw prevalences as horizontal bars with CI whiskers, top to bottom in table order.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator-table rows (percent) to draw, one bar per row.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when omitted.
    labels : sequence of str, optional
        Row labels; default ``area_name``.
    highlight : str, optional
        Area code drawn in the highlight colour (e.g. the report's kommun).
    reference : pandas.DataFrame, optional
        Rows (county, Sweden) drawn as vertical reference lines.
    notes : sequence of str, optional
        Extra footnotes.
    right_text : sequence of str, optional
        Text after the value on each row (e.g. a verdict); default the number
        of respondents.
    title : str, optional
        Chart title.
    uniform_color : bool
        Draw every bar in the same colour (e.g. one area's subgroups) instead of
        colouring the county, Sweden and the highlighted kommun.
    min_n : int
        Disclosure threshold applied before drawing.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.
    """
    if table.empty:
        raise DataError("Inga skattningar att visa i diagrammet")
    t = _controlled(table, min_n)
    n = len(t)
    fig, ax = scaffold.new_axes(ax, (7.6, 0.34 * n + 2.2))
    _style(ax)
    shown = _shown(t)
    unc = shown & (t["flag"] == indicators.FLAG_UNCERTAIN).to_numpy()
    solid = shown & ~unc
    y = np.arange(n)[::-1].astype(float)
    values = t["value"].to_numpy(dtype=float)
    codes = t["area_code"].astype(str).to_numpy()
    kinds = t["area_type"].astype(str).to_numpy()
    colors = np.array(
        [
            HIGHLIGHT_COLOR
            if highlight is not None and c == highlight
            else REGION_COLOR
            if k == "region"
            else RIKET_COLOR
            if k == "riket"
            else BAR_COLOR
            for c, k in zip(codes, kinds, strict=True)
        ],
        dtype=object,
    )
    if uniform_color:
        colors[:] = BAR_COLOR
    handles: list = []
    foot: list[str] = list(notes or [])
    if solid.any():
        ax.barh(
            y[solid], values[solid], height=0.62, color=list(colors[solid]), zorder=2, gid="solid"
        )
        handles.append(Patch(facecolor=BAR_COLOR, label=LABEL_SOLID))
    if unc.any():
        ax.barh(
            y[unc],
            values[unc],
            height=0.62,
            facecolor="white",
            edgecolor=list(colors[unc]),
            hatch=HATCH,
            linewidth=1.2,
            zorder=2,
            gid="osaker",
        )
        handles.append(
            Patch(
                facecolor="white", edgecolor=BAR_COLOR, hatch=HATCH, label=scaffold.LABEL_UNCERTAIN
            )
        )
        foot.append(NOTE_UNCERTAIN)
    has_ci = shown & t["ci_lower"].notna().to_numpy() & t["ci_upper"].notna().to_numpy()
    if has_ci.any():
        lo = values - t["ci_lower"].to_numpy(dtype=float)
        hi = t["ci_upper"].to_numpy(dtype=float) - values
        ax.errorbar(
            values[has_ci],
            y[has_ci],
            xerr=[lo[has_ci], hi[has_ci]],
            fmt="none",
            ecolor="#262626",
            elinewidth=1.1,
            capsize=2.5,
            zorder=3,
            gid="ci-whisker",
        )
        handles.append(
            Line2D([], [], color="#262626", marker="|", lw=1.1, label="Konfidensintervall")
        )
        foot.append(_ci_note(t))
    if reference is not None and not reference.empty:
        ref = _controlled(reference, min_n)
        ref = ref[_shown(ref)]
        for _, r in ref.iterrows():
            color = REGION_COLOR if r["area_type"] == "region" else RIKET_COLOR
            ls = "-" if r["area_type"] == "region" else (0, (4, 2))
            ax.axvline(float(r["value"]), color=color, lw=1.4, ls=ls, zorder=4)
            handles.append(
                Line2D(
                    [],
                    [],
                    color=color,
                    lw=1.4,
                    ls=ls,
                    label=f"{r['area_name']} {num(float(r['value']), 1, '%')}",
                )
            )
    upper = (
        np.nanmax(
            np.concatenate(
                [
                    values[shown],
                    t["ci_upper"].to_numpy(dtype=float)[shown],
                    []
                    if reference is None or reference.empty
                    else reference["value"].to_numpy(dtype=float),
                ]
            )
        )
        if shown.any()
        else 10.0
    )
    xmax = max(1.0, float(upper) * 1.08)
    ax.set_xlim(0, xmax)
    ax.set_ylim(-0.7, n - 0.3)
    scaffold.row_labels(
        ax,
        y,
        list(labels) if labels is not None else t["area_name"].astype(str).tolist(),
        codes == highlight if highlight is not None else np.zeros(n, bool),
        HIGHLIGHT_COLOR,
    )
    # Reasons on empty rows; value and n (or the caller's text) in a column on the right.
    for i in np.flatnonzero(~shown):
        ax.text(
            xmax * 0.01,
            y[i],
            _reason_text(t["flag_reason"].iloc[i], str(t["flag"].iloc[i])),
            va="center",
            ha="left",
            fontsize=8,
            color=scaffold.MUTED,
            fontstyle="italic",
            gid="reason",
            zorder=5,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0},
        )
    extra = list(right_text) if right_text is not None else [_n_text(v) for v in t["n"]]
    scaffold.value_column(
        ax,
        y,
        [
            (num(values[i], 1, "%") if shown[i] else "–") + (f"  {extra[i]}" if extra[i] else "")
            for i in range(n)
        ],
        colors=[scaffold.TEXT_COLOR if ok else scaffold.MUTED for ok in shown],
    )
    if (~shown).any():
        foot.append(NOTE_SUPPRESSED)
    if right_text is None:
        foot.append(NOTE_N)
    ax.xaxis.set_major_formatter(decimal_comma_formatter(0))
    ax.set_xlabel("Andel (%)")
    return scaffold.finish(
        ax,
        title or f"{t['indicator'].iloc[0]} {t['period_label'].iloc[0]}",
        handles=handles,
        sources=scaffold.sources(t),
        notes=list(dict.fromkeys(foot)),
        pad=10 + 17 * int(np.ceil(len(handles) / 3)),
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncols=min(3, max(1, len(handles))),
        borderaxespad=0.2,
    )


def kommun_bars(
    table: pd.DataFrame,
    ax: Axes | None = None,
    *,
    period: int | None = None,
    highlight: str | None = None,
    comparison: pd.DataFrame | None = None,
    label: str = "",
    min_n: int = DEFAULT_MIN_N,
) -> Figure:
    """Draw every kommun's prevalence (totalt, alla) sorted by value, county and Sweden as lines.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table of one indicator (kommun, region and optionally Riket rows).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    period : int, optional
        Period (default the latest).
    highlight : str, optional
        Kommun to emphasise.
    comparison : pandas.DataFrame, optional
        :func:`helpers.report.survey_analysis.kommun_comparison` for the same period: the
        verdict against the county is written on each row.
    label : str
        Swedish label of the indicator (for the title).
    min_n : int
        Disclosure threshold applied before drawing.

    Returns
    -------
    matplotlib.figure.Figure
    """
    period = int(table["period"].max()) if period is None else int(period)
    sel = (
        (table["period"] == period)
        & (table["sex"] == "totalt")
        & (table["group"] == indicators.ALL_GROUPS)
    )
    rows = _controlled(table[sel], min_n)
    kom = rows[rows["area_type"] == "kommun"].copy()
    if kom.empty:
        raise DataError(f"Inga kommuner att visa för {period}")
    kom["_shown"] = _shown(kom)
    kom = kom.sort_values(["_shown", "value", "area_name"], ascending=[False, True, True])
    kom = kom.drop(columns="_shown")
    ref = rows[rows["area_type"].isin(["region", "riket"])]
    right = None
    if comparison is not None and not comparison.empty:
        verdicts = comparison.set_index(comparison["area_code"].astype(str))["verdict_lan"]
        right = [
            f"{_n_text(n)}  {verdicts.get(c, '')} jämfört med länet".rstrip()
            if verdicts.get(c, "")
            else _n_text(n)
            for c, n in zip(kom["area_code"].astype(str), kom["n"], strict=True)
        ]
    name = label or str(kom["indicator"].iloc[0])
    return prevalence_bars(
        kom,
        ax,
        highlight=highlight,
        reference=ref,
        right_text=right,
        notes=[NOTE_N] if right is not None else None,
        title=f"{name}, {kom['period_label'].iloc[0]}: länets kommuner",
        min_n=min_n,
    )


def group_bars(
    table: pd.DataFrame,
    area_code: str,
    ax: Axes | None = None,
    *,
    period: int | None = None,
    label: str = "",
    min_n: int = DEFAULT_MIN_N,
) -> Figure:
    """Draw one area's prevalence for everyone, by sex and by education level.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table of one indicator.
    area_code : str
        Kommun or region code.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    period : int, optional
        Period (default the latest).
    label : str
        Swedish label of the indicator.
    min_n : int
        Disclosure threshold applied before drawing.

    Returns
    -------
    matplotlib.figure.Figure
    """
    period = int(table["period"].max()) if period is None else int(period)
    area = table[(table["area_code"] == area_code) & (table["period"] == period)]
    if area.empty:
        raise DataError(f"Område {area_code} saknas i skattningarna för {period}")
    area = _controlled(area, min_n)
    by_sex = area[area["group"] == indicators.ALL_GROUPS]
    by_sex = (
        by_sex.set_index("sex")
        .reindex([s for s in ("totalt", "kvinnor", "män") if s in set(by_sex["sex"])])
        .reset_index()
    )
    order = ["förgymnasial", "gymnasial", "eftergymnasial", "okänd"]
    edu = area[(area["sex"] == "totalt") & (area["group"] != indicators.ALL_GROUPS)].copy()
    edu["_o"] = edu["group"].map({g: i for i, g in enumerate(order)}).fillna(len(order))
    edu = edu.sort_values(["_o", "group"]).drop(columns="_o")
    rows = pd.concat([by_sex, edu], ignore_index=True)
    labels = [_group_label(s, g) for s, g in zip(rows["sex"], rows["group"], strict=True)]
    name = label or str(rows["indicator"].iloc[0])
    return prevalence_bars(
        rows,
        ax,
        labels=labels,
        uniform_color=True,
        title=f"{name}, {rows['area_name'].iloc[0]} {rows['period_label'].iloc[0]}: kön och utbildning",
        min_n=min_n,
    )


# -- change between periods -------------------------------------------------------------------
def change_points(
    changes: pd.DataFrame,
    ax: Axes | None = None,
    *,
    highlight: str | None = None,
    label: str = "",
    min_n: int = DEFAULT_MIN_N,
) -> Figure:
    """Draw the change between two periods per area: a dot with its CI and the yes-counts.

    A whisker that crosses the zero line means "no statistically significant
    change". Significant changes are filled (blue for a decrease, vermillion for
    an increase), others grey; uncertain changes are hollow; changes that
    cannot be shown are blank with the reason. The right column gives the
    number of yes-answers and respondents behind the latest estimate.

    Parameters
    ----------
    changes : pandas.DataFrame
        :func:`helpers.report.survey_analysis.change_table`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    highlight : str, optional
        Area code to emphasise.
    label : str
        Swedish label of the indicator.
    min_n : int
        Disclosure threshold applied before drawing.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if changes.empty:
        raise DataError("Inga förändringar att visa")
    c = _controlled(changes, min_n)
    n = len(c)
    fig, ax = scaffold.new_axes(ax, (7.6, 0.34 * n + 2.3))
    _style(ax)
    y = np.arange(n)[::-1].astype(float)
    d = c["diff_pp"].to_numpy(dtype=float)
    shown = np.isfinite(d) & (c["flag"] != indicators.FLAG_SUPPRESSED).to_numpy()
    unc = shown & (c["flag"] == indicators.FLAG_UNCERTAIN).to_numpy()
    verdict = c["verdict"].astype(str).to_numpy()
    colors = np.where(
        verdict == "statistiskt säkerställd minskning",
        scaffold.OKABE_ITO["blue"],
        np.where(
            verdict == "statistiskt säkerställd ökning", scaffold.OKABE_ITO["vermillion"], "#8C8C8C"
        ),
    )
    lo = d - c["ci_lower_pp"].to_numpy(dtype=float)
    hi = c["ci_upper_pp"].to_numpy(dtype=float) - d
    ax.axvline(0, color="#262626", lw=1.0, zorder=1)
    for i in np.flatnonzero(shown):
        ax.errorbar(
            d[i], y[i], xerr=[[lo[i]], [hi[i]]], fmt="none", ecolor=colors[i], elinewidth=1.4,
            capsize=2.5, zorder=2, gid="ci-whisker",
        )  # fmt: skip
        ax.scatter(
            [d[i]],
            [y[i]],
            s=48,
            facecolors="white" if unc[i] else colors[i],
            edgecolors=colors[i],
            linewidths=1.5,
            zorder=3,
            gid="osaker" if unc[i] else "solid",
        )
    span = np.concatenate(
        [
            c["ci_lower_pp"].to_numpy(dtype=float)[shown],
            c["ci_upper_pp"].to_numpy(dtype=float)[shown],
            [0.0],
        ]
    )
    lim = max(1.0, float(np.nanmax(np.abs(span)))) * 1.1
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-0.7, n - 0.3)
    codes = c["area_code"].astype(str).to_numpy()
    scaffold.row_labels(
        ax,
        y,
        c["area_name"].astype(str).tolist(),
        codes == highlight if highlight is not None else np.zeros(n, bool),
        HIGHLIGHT_COLOR,
    )
    for i in np.flatnonzero(~shown):
        ax.text(
            -lim * 0.98, y[i], _reason_text(c["flag_reason"].iloc[i], indicators.FLAG_SUPPRESSED),
            va="center", ha="left", fontsize=7.5, color=scaffold.MUTED, fontstyle="italic", gid="reason", zorder=5,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0},
        )  # fmt: skip
    after = str(c["period_label"].iloc[0])
    before = str(c["period_label_before"].iloc[0])
    texts = []
    for i in range(n):
        yes, tot = c["yes_after"].iloc[i], c["n_after"].iloc[i]
        count = (
            f"{num(float(yes), 0)} av {num(float(tot), 0)}"
            if pd.notna(yes) and pd.notna(tot)
            else ""
        )
        texts.append((signed(d[i], 1) if shown[i] else "–") + (f"  ({count})" if count else ""))
    scaffold.value_column(
        ax, y, texts, colors=[scaffold.TEXT_COLOR if ok else scaffold.MUTED for ok in shown]
    )
    ax.xaxis.set_major_formatter(decimal_comma_formatter(0))
    span = f"{before} till {after}" if "–" in f"{before}{after}" else f"{before}–{after}"
    ax.set_xlabel(f"Förändring {span}, procentenheter")
    handles = [
        Line2D([], [], ls="none", marker="o", color=scaffold.OKABE_ITO["blue"], label="Säkerställd minskning"),
        Line2D([], [], ls="none", marker="o", color=scaffold.OKABE_ITO["vermillion"], label="Säkerställd ökning"),
        Line2D([], [], ls="none", marker="o", color="#8C8C8C", label="Ingen säkerställd förändring"),
    ]  # fmt: skip
    notes = [
        f"Förändring från {before} till {after} med konfidensintervall; ett intervall som korsar "
        "nollstrecket betyder att förändringen kan bero på slumpen.",
        f"Inom parentes: antal ja-svar av antal svarande {after} (ovägda antal).",
    ]
    if unc.any():
        notes.append("Ofyllda punkter: någon av skattningarna är osäker.")
    if (~shown).any():
        notes.append(NOTE_SUPPRESSED)
    name = label or str(c["indicator"].iloc[0])
    return scaffold.finish(
        ax, f"{name}: förändring {span}", handles=handles,
        sources=scaffold.sources(changes), notes=notes, pad=27,
        loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=3, borderaxespad=0.2,
    )  # fmt: skip


# -- map ---------------------------------------------------------------------------------------
def prevalence_map(
    table: pd.DataFrame,
    lan_code: str,
    ax: Axes | None = None,
    *,
    period: int | None = None,
    sex: str = "totalt",
    group: str = indicators.ALL_GROUPS,
    highlight: str | None = None,
    label: str = "",
    min_n: int = DEFAULT_MIN_N,
) -> Figure:
    """Draw a county map of a prevalence; weak estimates are grey and hatched, suppressed ones white.

    Uses :func:`helpers.plots.maps.choropleth`, which never colours an uncertain
    value like a reliable one; the reasons for suppressed kommuner are added to
    the footer.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table of one indicator.
    lan_code : str
        Two-digit län code.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    period : int, optional
        Period (default the latest).
    sex, group : str
        Breakdown to map.
    highlight : str, optional
        Kommun to outline.
    label : str
        Swedish label of the indicator.
    min_n : int
        Disclosure threshold applied before drawing.

    Returns
    -------
    matplotlib.figure.Figure
    """
    period = int(table["period"].max()) if period is None else int(period)
    rows = table[
        (table["period"] == period)
        & (table["sex"] == sex)
        & (table["group"] == group)
        & (table["area_type"] == "kommun")
        & (lookup.lan_code_of(table["area_code"].astype(str)) == lan_code)
    ]
    if rows.empty:
        raise DataError(f"Inga kommuner i län {lan_code} att visa på kartan för {period}")
    rows = _controlled(rows, min_n)
    gdf = geo.join_kommuner(rows, lan_code)
    name = label or str(rows["indicator"].iloc[0])
    who = "" if sex == "totalt" else f", {SEX_LABELS.get(sex, sex).lower()}"
    grp = "" if group == indicators.ALL_GROUPS else f", {group}"
    fig = choropleth(
        gdf,
        highlight=highlight,
        ax=ax,
        unit="%",
        title=f"{name}{who}{grp}, {rows['period_label'].iloc[0]}",
    )
    hidden = rows[~_shown(rows)]
    if not hidden.empty:
        reasons = "; ".join(
            f"{a} ({r or 'värde saknas'})"
            for a, r in zip(hidden["area_name"], hidden["flag_reason"].fillna(""), strict=True)
        )
        scaffold.add_footer(fig, [], [f"Redovisas inte: {reasons}."])
    return fig


# -- response pattern ----------------------------------------------------------------------------
def response_chart(
    pattern: pd.DataFrame,
    ax: Axes | None = None,
    *,
    block: str = "ålder",
    source: str = "",
    min_n: int = DEFAULT_MIN_N,
) -> Figure:
    """Draw who answered: share of respondents beside share of the population, per group.

    Parameters
    ----------
    pattern : pandas.DataFrame
        :func:`helpers.report.survey_analysis.response_pattern`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    block : {"ålder", "utbildning"}
        Sex × age group or sex × education.
    source : str
        Source line for the footer.
    min_n : int
        Disclosure threshold applied before drawing.

    Returns
    -------
    matplotlib.figure.Figure
    """
    p = _controlled(pattern[pattern["indicator"] == block], min_n)
    cells = p[(p["sex"] != "totalt") & (p["group"] != indicators.ALL_GROUPS)].reset_index(drop=True)
    if cells.empty:
        raise DataError(f"Inget svarsmönster att visa för '{block}'")
    has_pop = bool(cells["share_population"].notna().any())
    base_col = "share_population" if has_pop else "share_weighted"
    base_label = "Andel av befolkningen" if has_pop else "Vägd andel (vikterna)"
    n = len(cells)
    fig, ax = scaffold.new_axes(ax, (7.6, 0.42 * n + 2.3))
    _style(ax)
    y = np.arange(n)[::-1].astype(float)
    resp = cells["share_respondents"].to_numpy(dtype=float)
    base = cells[base_col].to_numpy(dtype=float)
    shown = np.isfinite(resp)
    ax.barh(y[shown] + 0.19, resp[shown], height=0.36, color=HIGHLIGHT_COLOR, zorder=2,
            label="Andel av de svarande", gid="respondents")  # fmt: skip
    ax.barh(y[shown] - 0.19, base[shown], height=0.36, color=POPULATION_COLOR, zorder=2,
            label=base_label, gid="population")  # fmt: skip
    for i in np.flatnonzero(~shown):
        ax.text(0.2, y[i], _reason_text(cells["flag_reason"].iloc[i], indicators.FLAG_SUPPRESSED),
                va="center", ha="left", fontsize=8, color=scaffold.MUTED, fontstyle="italic", gid="reason")  # fmt: skip
    ratio = cells["ratio"].to_numpy(dtype=float)
    scaffold.value_column(ax, y, [f"{num(r, 2)}" if np.isfinite(r) else "–" for r in ratio])
    right = blended_transform_factory(ax.transAxes, ax.transData)
    ax.text(1.01, n - 0.45, "kvot", transform=right, va="bottom", ha="left", fontsize=8,
            color=scaffold.MUTED)  # fmt: skip
    labels = [_group_label(s, g) for s, g in zip(cells["sex"], cells["group"], strict=True)]
    scaffold.row_labels(ax, y, labels, np.zeros(n, bool))
    ax.set_ylim(-0.7, n - 0.3)
    ax.xaxis.set_major_formatter(decimal_comma_formatter(0))
    ax.set_xlabel("Andel (%)")
    year = int(p["period"].iloc[0])
    area = str(p["area_name"].iloc[0])
    what = "ålder" if block == "ålder" else "utbildning"
    notes = [
        f"Kvot = andel av de svarande / {base_label.lower()}: över 1 svarar gruppen oftare än "
        "genomsnittet, under 1 mer sällan.",
    ]
    if (~shown).any():
        notes.append(NOTE_SUPPRESSED)
    return scaffold.finish(
        ax, f"Vilka svarade? Kön och {what}, {area} {year}",
        handles=ax.get_legend_handles_labels()[0],
        sources=[source] if source else scaffold.sources(pattern), notes=notes, pad=27,
        loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=2, borderaxespad=0.2,
    )  # fmt: skip
