"""Figures for life tables with confidence intervals and life expectancy by education.

Every function takes data (an indicator table or a result of
:mod:`helpers.stats.education` / :mod:`helpers.sources.mortality`) and an optional
``ax`` (or a sequence of axes for figures with one panel per sex), draws on it
or on a new figure, and returns the matplotlib :class:`~matplotlib.figure.Figure`.
Nothing is computed here that a reader would need to trust.

Conventions (as in :mod:`helpers.plots.common`): Swedish text, decimal comma,
Okabe–Ito colours (colour-blind safe), title, legend and the source line under
the chart (:data:`helpers.core.fmt.SYNTHETIC_LABEL` in bold for demo data) set by
:mod:`helpers.plots.scaffold`, confidence intervals as whiskers or bands,
values flagged ``osäker`` drawn hollow, ``undertryckt``/``saknas`` left out
and named in a footnote, ``ej bedömd`` explained in a footnote.

Figures
-------
:func:`education_lines` – Region Dalarna's figure 1.1: e30 per education level,
one panel per sex, the county (solid) and Sweden (dashed).
:func:`gap_trend` – the gap eftergymnasial − förgymnasial over time with the
fitted trend and its confidence band.
:func:`sii_over_time` – SII across the education levels per period.
:func:`ranked_ci` – the county's kommuner ranked, with CIs, coloured by
whether they differ significantly from the county.
:func:`range_ci_over_time` – the range between the county's kommuner with its
interval and the range that chance alone would give.
:func:`kommun_map` – a map of one indicator, uncertain values hatched
(:func:`helpers.plots.maps.choropleth`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from helpers.core import geo, indicators, lookup
from helpers.core.errors import DataError
from helpers.core.fmt import SEX_LABELS, decimal_comma_formatter, num
from helpers.plots import scaffold
from helpers.plots.maps import choropleth
from helpers.sources.mortality_education import E30_INDICATOR
from helpers.stats import education
from helpers.stats import lifetable_compare as compare

#: Colour per education level (Okabe–Ito).
LEVEL_COLORS: dict[str, str] = {
    "förgymnasial": scaffold.OKABE_ITO["vermillion"],
    "gymnasial": scaffold.OKABE_ITO["bluish_green"],
    "eftergymnasial": scaffold.OKABE_ITO["blue"],
    indicators.ALL_GROUPS: "#595959",
}
LEVEL_LABELS: dict[str, str] = {
    "förgymnasial": "Förgymnasial",
    "gymnasial": "Gymnasial",
    "eftergymnasial": "Eftergymnasial",
    indicators.ALL_GROUPS: "Alla",
}
#: Colour of a kommun by its comparison with the county.
VERDICT_COLORS: dict[str, str] = {
    compare.VERDICT_HIGHER: scaffold.OKABE_ITO["blue"],
    compare.VERDICT_LOWER: scaffold.OKABE_ITO["vermillion"],
    compare.VERDICT_SAME: "#7F7F7F",
    compare.VERDICT_NONE: "#BDBDBD",
}
VERDICT_LABELS: dict[str, str] = {
    compare.VERDICT_HIGHER: "Säkert högre än länet",
    compare.VERDICT_LOWER: "Säkert lägre än länet",
    compare.VERDICT_SAME: "Ingen säkerställd skillnad",
    compare.VERDICT_NONE: "Kan inte bedömas",
}
INDICATOR_NAMES: dict[str, str] = {
    "e0": "Medellivslängd vid födelsen",
    "e30": "Återstående medellivslängd vid 30 år",
    E30_INDICATOR: "Återstående medellivslängd vid 30 år",
}
NOTE_GAP = "Skillnad = eftergymnasial minus förgymnasial utbildning, beräknad på oavrundade värden."
_TEXT = scaffold.TEXT_COLOR


# -- helpers -----------------------------------------------------------------------------------
_panels = scaffold.panels
_style = scaffold.quiet_axes
_sources = scaffold.sources
_period_label = scaffold.period_axis_label


def _year_axis(ax: Axes) -> None:
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=7))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x:.0f}"))


def _indicator_name(indicator: str) -> str:
    return INDICATOR_NAMES.get(str(indicator), str(indicator))


def _one_period(
    table: pd.DataFrame, indicator: str, sex: str, period: int | None
) -> tuple[pd.DataFrame, int]:
    """Return the rows of one indicator and sex in ``period`` (default: the latest), and it."""
    t = table[(table["indicator"] == indicator) & (table["sex"] == sex)]
    if t.empty:
        raise DataError(f"Inga värden för {indicator}, {sex}")
    period = int(period if period is not None else t["period"].max())
    return t[t["period"] == period], period


def _sex_list(df: pd.DataFrame, sexes: Sequence[str]) -> list[str]:
    present = [s for s in sexes if (df["sex"] == s).any()]
    if not present:
        raise DataError(f"Inga värden för {', '.join(sexes)} att visa")
    return present


# -- figure 1.1 ----------------------------------------------------------------------------------
def education_lines(
    table: pd.DataFrame,
    lan_code: str | None = None,
    ax: Axes | Sequence[Axes] | None = None,
    *,
    sexes: Sequence[str] = ("kvinnor", "män"),
    levels: Sequence[str] = education.LEVELS,
    title: str | None = None,
) -> Figure:
    """Draw e30 by education level: one panel per sex, the county solid and Sweden dashed.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table of e30 by education (e.g.
        :func:`helpers.sources.mortality.e30_by_education`).
    lan_code : str, optional
        County to draw (its region ``"00" + lan_code``); default: the only
        region in the table, if any. Sweden (``"0000"``) is drawn when present.
    ax : Axes or sequence of Axes, optional
        One axes per sex; a new figure is made when omitted.
    sexes : sequence of str
        Panels.
    levels : sequence of str
        Education levels (lines).
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.
    """
    rows = table[table["group"].isin(levels) & indicators.usable(table)]
    regions = sorted(rows.loc[rows["area_type"] == "region", "area_code"].unique())
    region = (
        lookup.region_code_of(lan_code) if lan_code else (regions[0] if len(regions) == 1 else None)
    )
    sexes = _sex_list(rows, sexes)
    fig, axes = _panels(ax, len(sexes), (10.5, 4.6))
    notes: list[str] = []
    region_rows = rows[rows["area_code"] == region] if region else rows.iloc[:0]
    riket_rows = rows[rows["area_code"] == "0000"]
    if region and region_rows.empty:
        notes.append("Länets värden saknas i datakällan; figuren visar riket.")
    for axis, sex in zip(axes, sexes, strict=True):
        _style(axis)
        for code_rows, style in (
            (riket_rows, {"ls": (0, (4, 2)), "lw": 1.4, "alpha": 0.85}),
            (region_rows, {"ls": "-", "lw": 2.2, "alpha": 1.0}),
        ):
            s = code_rows[code_rows["sex"] == sex]
            for level in levels:
                line = s[s["group"] == level].sort_values("period")
                if line.empty:
                    continue
                x, y = line["period"].to_numpy(float), line["value"].to_numpy(float)
                marker = "o" if len(line) < 8 else None
                axis.plot(
                    x,
                    y,
                    color=LEVEL_COLORS[level],
                    marker=marker,
                    ms=4,
                    gid=f"line-{level}",
                    **style,
                )
                if line["ci_lower"].notna().any():
                    axis.fill_between(
                        x,
                        line["ci_lower"].to_numpy(float),
                        line["ci_upper"].to_numpy(float),
                        color=LEVEL_COLORS[level],
                        alpha=0.15,
                        lw=0,
                    )
        scaffold.title(axis, SEX_LABELS.get(sex, sex), pad=8, size=11)
        axis.yaxis.set_major_formatter(decimal_comma_formatter(0))
        _year_axis(axis)
        axis.set_xlabel(_period_label(rows))
    axes[0].set_ylabel("Återstående medellivslängd vid 30 år (år)")
    handles = [
        Line2D([], [], color=LEVEL_COLORS[lv], lw=2.2, label=LEVEL_LABELS[lv])
        for lv in levels
        if (rows["group"] == lv).any()
    ]
    if not region_rows.empty:
        handles.append(
            Line2D([], [], color=_TEXT, lw=2.2, label=str(region_rows["area_name"].iloc[0]))
        )
    if not riket_rows.empty:
        handles.append(Line2D([], [], color=_TEXT, lw=1.4, ls=(0, (4, 2)), label="Riket"))
    if (rows["flag"] == indicators.FLAG_NOT_ASSESSED).any():
        notes.append(scaffold.NOTE_NOT_ASSESSED)
    return scaffold.finish_figure(
        fig,
        axes,
        title or "Återstående medellivslängd vid 30 år efter utbildningsnivå",
        handles=handles,
        sources=_sources(rows),
        notes=notes,
    )


# -- the gap and its trend -----------------------------------------------------------------------
def gap_trend(
    gap_table: pd.DataFrame,
    band: pd.DataFrame | None = None,
    ax: Axes | Sequence[Axes] | None = None,
    *,
    sexes: Sequence[str] = ("kvinnor", "män"),
    title: str | None = None,
) -> Figure:
    """Draw the gap between long and short education over time, with its trend and band.

    Parameters
    ----------
    gap_table : pandas.DataFrame
        Result of :func:`helpers.stats.education.gap` (one or more areas).
    band : pandas.DataFrame, optional
        Result of :func:`helpers.stats.education.trend_band` for the same table; the
        trend line and its confidence band are drawn when given.
    ax : Axes or sequence of Axes, optional
        One axes per sex.
    sexes : sequence of str
        Panels.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.
    """
    rows = gap_table[indicators.usable(gap_table)]
    sexes = _sex_list(rows, sexes)
    fig, axes = _panels(ax, len(sexes), (10.5, 4.4))
    notes = [NOTE_GAP]
    handles: list = []
    area_styles = {
        "region": {"color": scaffold.AREA_COLORS["region"], "ls": "-", "lw": 2.0},
        "riket": {"color": scaffold.AREA_COLORS["riket"], "ls": (0, (4, 2)), "lw": 1.4},
    }
    for axis, sex in zip(axes, sexes, strict=True):
        _style(axis)
        for area_type, style in area_styles.items():
            s = rows[(rows["sex"] == sex) & (rows["area_type"] == area_type)]
            for _code, line in s.groupby("area_code"):
                line = line.sort_values("period")
                x = line["period"].to_numpy(float)
                y = line["value"].to_numpy(float)
                axis.plot(x, y, marker="o", ms=3.5, gid=f"gap-{area_type}", **style)
                if line["ci_lower"].notna().any():
                    lo = y - line["ci_lower"].to_numpy(float)
                    hi = line["ci_upper"].to_numpy(float) - y
                    axis.errorbar(
                        x, y, yerr=[lo, hi], fmt="none", ecolor=style["color"], elinewidth=1
                    )
                if band is not None and not band.empty:
                    b = band[
                        (band["sex"] == sex) & (band["area_code"] == line["area_code"].iloc[0])
                    ].sort_values("period")
                    if not b.empty:
                        bx = b["period"].to_numpy(float)
                        axis.plot(
                            bx,
                            b["fit"].to_numpy(float),
                            color=style["color"],
                            lw=1.0,
                            ls=":",
                            gid="trend",
                        )
                        axis.fill_between(
                            bx,
                            b["fit_lower"].to_numpy(float),
                            b["fit_upper"].to_numpy(float),
                            color=style["color"],
                            alpha=0.18,
                            lw=0,
                            gid="trend-band",
                        )
        scaffold.title(axis, SEX_LABELS.get(sex, sex), pad=8, size=11)
        axis.yaxis.set_major_formatter(decimal_comma_formatter(1))
        axis.set_ylim(bottom=0)
        _year_axis(axis)
        axis.set_xlabel(_period_label(rows))
    axes[0].set_ylabel("Skillnad (år)")
    for area_type, style in area_styles.items():
        s = rows[rows["area_type"] == area_type]
        for name in dict.fromkeys(s["area_name"].astype(str)):
            handles.append(Line2D([], [], marker="o", ms=3.5, label=name, **style))
    if band is not None and not band.empty:
        handles.append(Line2D([], [], color=_TEXT, lw=1.0, ls=":", label="Linjär trend"))
        handles.append(
            Patch(facecolor="#8C8C8C", alpha=0.3, label="95\u00a0% konfidensband för trenden")
        )
        notes.append(
            "Trendens konfidensband tar hänsyn till att femårsperioderna överlappar "
            "(Newey–West-standardfel)."
        )
    if (rows["flag"] == indicators.FLAG_NOT_ASSESSED).any():
        notes.append("Källan anger ingen osäkerhet för de enskilda värdena.")
    return scaffold.finish_figure(
        fig,
        axes,
        title or "Skillnad mellan lång och kort utbildning",
        handles=handles,
        sources=_sources(rows),
        notes=notes,
    )


def sii_over_time(
    sii_table: pd.DataFrame,
    ax: Axes | None = None,
    *,
    sexes: Sequence[str] = ("kvinnor", "män"),
    title: str | None = None,
) -> Figure:
    """Draw the slope index of inequality (SII) across education levels over time.

    Parameters
    ----------
    sii_table : pandas.DataFrame
        Result of :func:`helpers.stats.education.sii_by_period`.
    ax : Axes, optional
        Axes to draw on.
    sexes : sequence of str
        Sexes (colours).
    title : str, optional
        Chart title.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.
    """
    if sii_table.empty:
        raise DataError("Inget lutningsindex att visa – tabellen är tom")
    fig, (axis,) = _panels(ax, 1, (8.0, 4.4))
    _style(axis)
    handles: list = []
    for sex in _sex_list(sii_table, sexes):
        color = scaffold.SEX_COLORS.get(sex, _TEXT)
        for area_type, ls, lw in (("riket", (0, (4, 2)), 1.4), ("region", "-", 2.2)):
            s = sii_table[(sii_table["sex"] == sex) & (sii_table["area_type"] == area_type)]
            for _code, line in s.groupby("area_code"):
                line = line.sort_values("period")
                x = line["period"].to_numpy(float)
                axis.plot(
                    x, line["sii"].to_numpy(float), color=color, ls=ls, lw=lw, marker="o", ms=3
                )
                if line["sii_lower"].notna().any():
                    axis.fill_between(
                        x,
                        line["sii_lower"].to_numpy(float),
                        line["sii_upper"].to_numpy(float),
                        color=color,
                        alpha=0.15,
                        lw=0,
                    )
                handles.append(
                    Line2D(
                        [],
                        [],
                        color=color,
                        ls=ls,
                        lw=lw,
                        label=f"{line['area_name'].iloc[0]}, {sex}",
                    )
                )
    axis.yaxis.set_major_formatter(decimal_comma_formatter(1))
    axis.set_ylim(bottom=0)
    _year_axis(axis)
    axis.set_xlabel(_period_label(sii_table))
    axis.set_ylabel("SII (år)")
    shares = ", ".join(dict.fromkeys(sii_table["shares"].astype(str)))
    notes = [
        "SII = skillnaden i år mellan högsta och lägsta utbildningsnivå enligt en viktad "
        "regression över befolkningsandelarna (förgymnasial/gymnasial/eftergymnasial: "
        f"{shares} %, antagna andelar).",
    ]
    if sii_table["sii_lower"].isna().all():
        notes.append("Källan anger ingen osäkerhet, så SII saknar konfidensintervall.")
    return scaffold.finish(
        axis,
        title or "Lutningsindex för ojämlikhet (SII) mellan utbildningsnivåer",
        handles=handles,
        sources=_sources(sii_table),
        notes=notes,
        pad=8,
        size=11,
        loc="lower right",
    )


# -- kommuner ------------------------------------------------------------------------------------
def ranked_ci(
    table: pd.DataFrame,
    highlight: str | None = None,
    ax: Axes | None = None,
    *,
    period: int | None = None,
    sex: str = "kvinnor",
    indicator: str = "e0",
    comparison: pd.DataFrame | None = None,
    title: str | None = None,
) -> Figure:
    """Draw the county's kommuner ranked by life expectancy, with 95 % CIs.

    Kommuner flagged ``osäker`` are hollow; ``undertryckt``/``saknas`` are
    left out of the ranking and named in a footnote. With ``comparison``
    (:func:`helpers.sources.mortality.compare_with_county`) each kommun is
    coloured by whether it differs significantly from the county. The county
    is drawn as a line with its CI as a band, Riket as a dashed line.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table with CIs (e.g. :func:`helpers.sources.mortality.kommun_life_expectancy`).
    highlight : str, optional
        Kommun code to emphasise (bold name, larger dot).
    ax : Axes, optional
        Axes to draw on.
    period : int, optional
        Period (last year; default the latest).
    sex : str
        Sex to show.
    indicator : str
        ``"e0"`` or ``"e30"``.
    comparison : pandas.DataFrame, optional
        Comparison with the county for the colours.
    title : str, optional
        Chart title.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.
    """
    t, period = _one_period(table, indicator, sex, period)
    kom = t[t["area_type"] == "kommun"]
    if kom.empty:
        raise DataError(f"Inga kommuner för {indicator}, {sex}, {period}")
    ok = indicators.usable(kom)
    shown = kom[ok].sort_values("value", ascending=True).reset_index(drop=True)
    hidden = kom[~ok].sort_values("area_name")
    n = len(shown)
    fig, (axis,) = _panels(ax, 1, (7.4, 0.32 * max(n, 4) + 2.2))
    _style(axis, grid="x")
    y = np.arange(n, dtype=float)
    verdicts = pd.Series(compare.VERDICT_SAME, index=shown.index)
    if comparison is not None:
        c = comparison[
            (comparison["indicator"] == indicator)
            & (comparison["sex"] == sex)
            & (comparison["period"] == period)
        ].set_index("area_code")["verdict_region"]
        verdicts = shown["area_code"].map(c).fillna(compare.VERDICT_NONE)
    colors = verdicts.map(VERDICT_COLORS).to_numpy()
    is_hl = (shown["area_code"] == highlight).to_numpy() if highlight else np.zeros(n, bool)
    unc = (shown["flag"] == indicators.FLAG_UNCERTAIN).to_numpy()
    region = t[(t["area_type"] == "region") & indicators.usable(t)]
    riket = t[(t["area_type"] == "riket") & indicators.usable(t)]
    handles: list = []
    notes: list[str] = []
    if not region.empty:
        r = region.iloc[0]
        axis.axvline(r["value"], color=scaffold.AREA_COLORS["region"], lw=1.4, zorder=1)
        if pd.notna(r["ci_lower"]):
            axis.axvspan(
                r["ci_lower"], r["ci_upper"], color=scaffold.AREA_COLORS["region"], alpha=0.15, lw=0
            )
        handles.append(
            Line2D(
                [],
                [],
                color=scaffold.AREA_COLORS["region"],
                lw=1.4,
                label=f"{r['area_name']} {num(float(r['value']), 1)}",
            )
        )
    if not riket.empty:
        r = riket.iloc[0]
        axis.axvline(r["value"], color=scaffold.AREA_COLORS["riket"], lw=1.2, ls=(0, (4, 2)))
        handles.append(
            Line2D(
                [],
                [],
                color=scaffold.AREA_COLORS["riket"],
                lw=1.2,
                ls=(0, (4, 2)),
                label=f"Riket {num(float(r['value']), 1)}",
            )
        )
    values = shown["value"].to_numpy(float)
    lo = values - shown["ci_lower"].to_numpy(float)
    hi = shown["ci_upper"].to_numpy(float) - values
    lw = np.where(is_hl, 1.6, 1.1)
    axis.hlines(
        y, values - lo, values + hi, colors=colors, linewidths=lw, zorder=2, gid="ci-whisker"
    )
    for end in (values - lo, values + hi):
        axis.scatter(end, y, marker="|", s=30, c=colors, linewidths=lw, zorder=2)
    scaffold.flagged_dots(
        axis,
        values,
        y,
        sizes=np.where(is_hl, 70, 40),
        colors=colors,
        solid=~unc,
        hollow=unc,
    )
    if unc.any():
        handles.append(scaffold.hollow_handle("#4D4D4D"))
        names = ", ".join(shown.loc[unc, "area_name"].astype(str))
        notes.append(f"{scaffold.NOTE_UNCERTAIN_CHART} ({names})")
    handles.append(
        Line2D([], [], color="#4D4D4D", marker="|", ms=8, lw=1.2, label=scaffold.ci_label(shown))
    )
    if comparison is not None:
        for verdict in dict.fromkeys(verdicts):
            handles.append(
                Line2D(
                    [],
                    [],
                    ls="none",
                    marker="o",
                    color=VERDICT_COLORS[verdict],
                    label=VERDICT_LABELS[verdict],
                )
            )
        notes.append(
            "Färg: skillnaden mot länet med 95\u00a0% konfidensintervall, där hänsyn tas till att "
            "kommunen ingår i länet."
        )
    if not hidden.empty:
        parts = [f"{row.area_name} ({row.flag_reason or row.flag})" for row in hidden.itertuples()]
        notes.append("Visas inte (värdet undertryckt eller saknas): " + "; ".join(parts) + ".")
    scaffold.row_labels(axis, y, shown["area_name"].astype(str), is_hl)
    axis.spines["left"].set_visible(False)
    axis.set_ylim(-0.7, max(n, 1) - 0.3)
    scaffold.value_column(
        axis,
        y,
        [num(v, 1) for v in values],
        weights=["bold" if hl else "normal" for hl in is_hl],
    )
    axis.xaxis.set_major_formatter(decimal_comma_formatter(1))
    axis.set_xlabel(f"{_indicator_name(indicator)} (år)")
    label = str(t["period_label"].iloc[0])
    return scaffold.finish(
        axis,
        title or f"{_indicator_name(indicator)}, {sex} {label}",
        handles=handles,
        sources=_sources(t),
        notes=notes,
        pad=10 + 15 * int(np.ceil(len(handles) / 2)),
        size=11,
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncols=2,
        fontsize=8,
        borderaxespad=0.2,
    )


def range_ci_over_time(
    range_table: pd.DataFrame,
    ax: Axes | None = None,
    *,
    indicator: str = "e0",
    sexes: Sequence[str] = ("kvinnor", "män"),
    title: str | None = None,
) -> Figure:
    """Draw the range between the county's kommuner over time, with its interval and the chance level.

    Parameters
    ----------
    range_table : pandas.DataFrame
        Result of :func:`helpers.sources.mortality.county_range`.
    ax : Axes, optional
        Axes to draw on.
    indicator : str
        ``"e0"`` or ``"e30"``.
    sexes : sequence of str
        Sexes (colours).
    title : str, optional
        Chart title.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.
    """
    r = range_table[range_table["indicator"] == indicator]
    if r.empty:
        raise DataError(f"Ingen skillnad mellan kommunerna att visa för {indicator}")
    fig, (axis,) = _panels(ax, 1, (8.0, 4.6))
    _style(axis)
    handles: list = []
    for sex in _sex_list(r, sexes):
        s = r[r["sex"] == sex].sort_values("period")
        color = scaffold.SEX_COLORS.get(sex, _TEXT)
        x = s["period"].to_numpy(float)
        axis.fill_between(
            x,
            s["range_lower"].to_numpy(float),
            s["range_upper"].to_numpy(float),
            color=color,
            alpha=0.15,
            lw=0,
            gid="range-ci",
        )
        axis.plot(x, s["range"].to_numpy(float), color=color, lw=2.2, marker="o", ms=3.5)
        axis.plot(x, s["null_range"].to_numpy(float), color=color, lw=1.1, ls=(0, (2, 2)))
        handles.append(Line2D([], [], color=color, lw=2.2, label=f"{SEX_LABELS.get(sex, sex)}"))
    handles.append(
        Patch(facecolor="#8C8C8C", alpha=0.3, label="95\u00a0% KI för högsta minus lägsta")
    )
    handles.append(
        Line2D([], [], color="#4D4D4D", lw=1.1, ls=(0, (2, 2)), label="Väntad skillnad av slumpen")
    )
    axis.set_ylim(bottom=0)
    axis.yaxis.set_major_formatter(decimal_comma_formatter(1))
    _year_axis(axis)
    axis.set_xlabel(_period_label(r))
    axis.set_ylabel("Skillnad mellan kommunerna (år)")
    notes = [
        "Skillnad = högsta minus lägsta kommunvärde. Intervallet behandlar de två kommunerna som "
        "oberoende; eftersom de valts för att de är extrema är det optimistiskt.",
        "Väntad skillnad av slumpen: den skillnad som slumpen ensam skulle ge om alla kommuner "
        "hade samma medellivslängd (simulering med varje kommuns osäkerhet).",
    ]
    if (r["n_suppressed"] > 0).any():
        names = ", ".join(
            sorted({n for v in r["suppressed_kommuner"] for n in str(v).split(", ") if n})
        )
        notes.append(f"Undertryckta värden ingår inte: {names}.")
    return scaffold.finish(
        axis,
        title or f"{_indicator_name(indicator)}: skillnad mellan länets kommuner",
        handles=handles,
        sources=_sources(r),
        notes=notes,
        pad=10 + 16 * int(np.ceil(len(handles) / 2)),
        size=11,
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncols=2,
        borderaxespad=0.2,
    )


def kommun_map(
    table: pd.DataFrame,
    lan_code: str,
    ax: Axes | None = None,
    *,
    period: int | None = None,
    sex: str = "kvinnor",
    indicator: str = "e0",
    highlight: str | None = None,
    title: str | None = None,
) -> Figure:
    """Draw a map of one indicator for the county's kommuner; uncertain values are hatched.

    Uses :func:`helpers.plots.maps.choropleth`, whose legend names the flags:
    ``osäker`` grey and hatched, ``undertryckt``/``saknas`` white.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table (e.g. :func:`helpers.sources.mortality.kommun_life_expectancy`).
    lan_code : str
        County.
    ax : Axes, optional
        Axes to draw on.
    period : int, optional
        Period (default the latest).
    sex : str
        Sex.
    indicator : str
        Indicator.
    highlight : str, optional
        Kommun to outline.
    title : str, optional
        Map title.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.
    """
    t, period = _one_period(table, indicator, sex, period)
    t = t[t["area_type"] == "kommun"]
    shapes = geo.join_kommuner(t, lan_code)
    label = str(t["period_label"].iloc[0]) if len(t) else str(period)
    fig = choropleth(
        shapes,
        highlight=highlight,
        ax=ax,
        title=title or f"{_indicator_name(indicator)}, {sex} {label}",
    )
    scaffold.add_footer(
        fig, [], ["Kartan visar punktskattningar; konfidensintervallen visas i rangordningen."]
    )
    return fig


__all__ = [
    "LEVEL_COLORS",
    "VERDICT_COLORS",
    "education_lines",
    "gap_trend",
    "kommun_map",
    "range_ci_over_time",
    "ranked_ci",
    "sii_over_time",
]
