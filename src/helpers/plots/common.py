"""Charts and maps for the workbook, with Swedish labels and honest uncertainty.

Every figure function takes data (the indicator table, a result of
:mod:`helpers.stats.lifeexp` or a GeoDataFrame from :func:`helpers.core.geo.join_kommuner`)
and an optional ``ax``, draws on it (or on a new figure) and returns the
matplotlib :class:`~matplotlib.figure.Figure`. Nothing is computed here that a
reader would need to trust: numbers come from :mod:`helpers.stats.lifeexp`.

Conventions shared by all charts
--------------------------------
- Swedish text; numbers with decimal comma (:func:`helpers.core.fmt.decimal_comma_formatter`).
- Colour-blind-safe Okabe–Ito colours (:data:`OKABE_ITO`) and ColorBrewer's
  sequential ``YlGnBu`` for maps.
- A footer under the chart with footnotes and the source line (the table's
  ``source``; for demo data :data:`helpers.core.fmt.SYNTHETIC_LABEL`, in bold).
  Several charts drawn on one figure share one footer.
- Uncertainty is shown, never hidden: confidence intervals as bands or
  whiskers; values flagged ``"osäker"`` drawn hollow (charts) or grey and
  hatched (maps) with a legend entry; ``"undertryckt"``/``"saknas"`` as gaps
  with a footnote; ``"ej bedömd"`` as the footnote :data:`NOTE_NOT_ASSESSED`.

Scaffolding shared by all charts (colours, axes style, titles, legends, the
footer, the flag legend) is in :mod:`helpers.plots.scaffold` and maps in
:mod:`helpers.plots.maps`; import those names from there.

Figures made without ``ax`` are created through :mod:`matplotlib.pyplot`
(so notebooks display them); close them with ``plt.close(fig)`` in loops.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory

from helpers.core import indicators, lookup
from helpers.core.errors import DataError
from helpers.core.fmt import decimal_comma_formatter, num
from helpers.plots.scaffold import (
    AREA_COLORS,
    MUTED,
    NOTE_NOT_ASSESSED,
    NOTE_UNCERTAIN_CHART,
    SEX_COLORS,
    TEXT_COLOR,
    ci_label,
    dodge,
    finish,
    flagged_dots,
    has_ci,
    hollow_handle,
    hollow_line_points,
    indicator_name,
    new_axes,
    not_assessed,
    period_axis_label,
    row_labels,
    sex_label,
    sources,
    style_axes,
    uncertain,
    value_column,
    year_axis,
    years_text,
)
from helpers.stats import lifeexp


# -- time series -------------------------------------------------------------------------------
def timeseries(
    table: pd.DataFrame,
    highlight: str,
    ax: Axes | None = None,
    *,
    sexes: Sequence[str] = ("kvinnor", "män"),
    title: str | None = None,
) -> Figure:
    """Draw a kommun against its county and Riket over time, women and men.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table holding the kommun, its region (``"00"`` + län code)
        and Riket (``"0000"``).
    highlight : str
        Kommun code, e.g. ``"2080"``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when omitted.
    sexes : sequence of str
        Sexes to draw (one line per area and sex, labelled at the right end).
    title : str, optional
        Chart title; default names the indicator and the kommun.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.
    """
    codes = {"kommun": highlight, "region": lookup.region_code_of(highlight), "riket": "0000"}
    rows = table[table["area_code"].isin(codes.values()) & table["sex"].isin(sexes)]
    if rows.loc[rows["area_code"] == highlight].empty:
        raise DataError(f"Kommunen '{highlight}' finns inte i data för diagrammet")
    fig, ax = new_axes(ax, (8.0, 4.8))
    style_axes(ax)
    all_periods = lifeexp.periods(table)
    ok = indicators.usable(rows)
    notes: list[str] = []
    handles: list = []
    gaps: list[str] = []
    end_values: dict[str, list[float]] = {}
    ci_drawn = uncertain_drawn = False
    for area_type in ("riket", "region", "kommun"):
        code = codes[area_type]
        area_rows = rows[rows["area_code"] == code]
        if area_rows.empty:
            continue
        name = str(area_rows["area_name"].iloc[0])
        color = AREA_COLORS[area_type]
        style = {
            "kommun": {"lw": 2.4, "ls": "-", "zorder": 4},
            "region": {"lw": 1.7, "ls": "-", "zorder": 3},
            "riket": {"lw": 1.5, "ls": (0, (4, 2)), "zorder": 2},
        }[area_type]
        for sex in sexes:
            s = area_rows[area_rows["sex"] == sex].set_index("period")
            if s.empty:
                continue
            s = s.reindex(all_periods)
            valid = indicators.usable(s.assign(flag=s["flag"].fillna(indicators.FLAG_MISSING)))
            y = s["value"].where(valid)
            x = np.asarray(all_periods, dtype=float)
            missing_years = [p for p, v in zip(all_periods, valid, strict=True) if not v]
            if missing_years and valid.any():
                gaps.append(f"{name}, {sex_label(sex).lower()}: {years_text(missing_years)}")
            if s["ci_lower"].notna().any():
                ax.fill_between(
                    x,
                    s["ci_lower"].where(valid).to_numpy(dtype=float),
                    s["ci_upper"].where(valid).to_numpy(dtype=float),
                    color=color,
                    alpha=0.18,
                    linewidth=0,
                    zorder=style["zorder"] - 1,
                    gid="ci-band",
                )
                ci_drawn = True
            ax.plot(x, y.to_numpy(dtype=float), color=color, gid=f"line-{area_type}-{sex}", **style)
            unc = valid & (s["flag"] == indicators.FLAG_UNCERTAIN).fillna(False)
            if unc.any():
                hollow_line_points(
                    ax,
                    x[unc.to_numpy()],
                    y[unc].to_numpy(dtype=float),
                    color,
                    ms=5.5,
                    zorder=style["zorder"] + 1,
                )
                uncertain_drawn = True
            last = y.dropna()
            if not last.empty:
                end_values.setdefault(sex, []).append(float(last.iloc[-1]))
        handles.insert(0, Line2D([], [], color=color, lw=style["lw"], ls=style["ls"], label=name))
    if ci_drawn:
        handles.append(Patch(facecolor="#8C8C8C", alpha=0.3, label=ci_label(rows)))
    if uncertain_drawn:
        handles.append(hollow_handle())
        notes.append(NOTE_UNCERTAIN_CHART)
    if gaps:
        notes.append(
            "Luckor i linjerna: värde saknas eller är undertryckt (" + "; ".join(gaps) + ")."
        )
    if not_assessed(rows[ok]):
        notes.append(NOTE_NOT_ASSESSED)

    # Direct sex labels at the right end of each group of lines.
    ax.set_xlim(min(all_periods) - 0.5, max(all_periods) + 0.5)
    ymin, ymax = ax.get_ylim()
    keys = [s for s in sexes if s in end_values]
    ys = dodge([float(np.mean(end_values[s])) for s in keys], (ymax - ymin) * 0.07)
    right = blended_transform_factory(ax.transAxes, ax.transData)
    for sex, y in zip(keys, ys, strict=True):
        ax.text(
            1.01,
            y,
            sex_label(sex),
            va="center",
            ha="left",
            fontsize=9.5,
            fontweight="bold",
            color=TEXT_COLOR,
            transform=right,
        )
    year_axis(ax, all_periods)
    ax.yaxis.set_major_formatter(decimal_comma_formatter(1))
    ax.set_xlabel(period_axis_label(rows))
    ax.set_ylabel(f"{indicator_name(rows)} (år)")
    kommun_name = str(rows.loc[rows["area_code"] == highlight, "area_name"].iloc[0])
    return finish(
        ax,
        title or f"{indicator_name(rows)} vid födelsen – {kommun_name}, länet och riket",
        handles=handles,
        sources=sources(rows),
        notes=notes,
        pad=30,
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncols=len(handles),
        borderaxespad=0.2,
        handlelength=2.2,
    )


# -- county range ----------------------------------------------------------------------------------
def range_over_time(
    range_df: pd.DataFrame, ax: Axes | None = None, *, title: str | None = None
) -> Figure:
    """Draw the range (max − min) between the county's kommuner over time, per sex.

    Parameters
    ----------
    range_df : pandas.DataFrame
        Result of :func:`helpers.stats.lifeexp.county_range`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when omitted.
    title : str, optional
        Chart title.

    Returns
    -------
    matplotlib.figure.Figure
        The figure; the latest period is labelled with the range and the
        shortest- and longest-lived kommun.
    """
    if range_df.empty:
        raise DataError("Ingen skillnad att visa – tabellen är tom")
    fig, ax = new_axes(ax, (8.0, 4.6))
    style_axes(ax)
    notes: list[str] = []
    handles: list = []
    labels: list[tuple[str, float, str]] = []
    x_last = int(range_df["period"].max())
    for sex, rows in range_df.groupby("sex", sort=False):
        rows = rows.sort_values("period")
        color = SEX_COLORS.get(str(sex), TEXT_COLOR)
        x = rows["period"].to_numpy(dtype=float)
        y = rows["range"].to_numpy(dtype=float)
        ax.plot(x, y, color=color, lw=2.2, marker="o", ms=3.2, gid=f"range-{sex}")
        unc = (rows["n_uncertain"] > 0).to_numpy() & ~np.isnan(y)
        if unc.any():
            hollow_line_points(ax, x[unc], y[unc], color, ms=6, zorder=5)
        handles.append(Line2D([], [], color=color, lw=2.2, label=sex_label(str(sex))))
        last = rows.dropna(subset=["range"])
        if not last.empty:
            r = last.iloc[-1]
            labels.append(
                (
                    f"{sex_label(str(sex))}: {num(r['range'], 1, 'år')}\n"
                    f"kortast: {r['min_kommun']}\nlängst: {r['max_kommun']}",
                    float(r["range"]),
                    color,
                )
            )
    top = (
        float(np.nanmax(range_df["range"].to_numpy(dtype=float)))
        if range_df["range"].notna().any()
        else 1.0
    )
    ax.set_ylim(0, top * 1.18)
    ax.set_xlim(float(range_df["period"].min()) - 0.5, x_last + 0.5)
    ys = dodge([y for _, y, _ in labels], top * 1.18 * 0.2)
    right = blended_transform_factory(ax.transAxes, ax.transData)
    for (text, _y, color), y in zip(labels, ys, strict=True):
        head, tail = text.split("\n", 1)
        ax.annotate(
            head,
            (1.01, y),
            xycoords=right,
            va="bottom",
            ha="left",
            fontsize=9,
            color=color,
            fontweight="bold",
        )
        ax.annotate(
            tail,
            (1.01, y),
            xycoords=right,
            xytext=(0, -1),
            textcoords="offset points",
            va="top",
            ha="left",
            fontsize=8,
            color=TEXT_COLOR,
            linespacing=1.25,
        )
    if (range_df["n_uncertain"] > 0).any():
        handles.append(hollow_handle(label="Bygger på osäkra skattningar"))
        notes.append(
            "Ofyllda punkter: någon av kommunernas skattningar är osäker – läs med försiktighet."
        )
    missing = range_df[range_df["n_missing"] > 0]
    if not missing.empty:
        parts = [
            f"{names} ({years_text(g['period'])})"
            for names, g in missing.groupby("missing_kommuner", sort=False)
        ]
        notes.append("Kommuner utan värde ingår inte i skillnaden: " + "; ".join(parts) + ".")
    if range_df["range"].isna().any():
        notes.append("Luckor: färre än två kommuner med värde – ingen skillnad kan beräknas.")
    if (range_df["n_not_assessed"] > 0).any():
        notes.append(NOTE_NOT_ASSESSED)
    notes.append("Skillnad = högsta minus lägsta kommunvärde, beräknad på oavrundade värden.")
    year_axis(ax, [int(p) for p in range_df["period"]])
    ax.yaxis.set_major_formatter(decimal_comma_formatter(1))
    ax.set_xlabel(period_axis_label(range_df))
    ax.set_ylabel("Skillnad mellan kommunerna (år)")
    # Sexes are named at the line ends; the legend only explains extra symbols.
    extra = handles[range_df["sex"].nunique() :]
    return finish(
        ax,
        title or f"{indicator_name(range_df)}: skillnad mellan länets kommuner",
        handles=extra,
        sources=sources(range_df),
        notes=notes,
        pad=30 if extra else 10,
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        borderaxespad=0.2,
    )


# -- ranked chart -----------------------------------------------------------------------------------
def _one_slice(table: pd.DataFrame, period: int | None, sex: str | None) -> tuple[int, str]:
    period = lifeexp.check_period(
        table, period if period is not None else max(lifeexp.periods(table))
    )
    if sex is None:
        sexes = list(dict.fromkeys(table["sex"]))
        if len(sexes) != 1:
            raise DataError(f"Välj ett kön för diagrammet (data har: {', '.join(sexes)})")
        sex = sexes[0]
    return period, sex


def ranked_bars(
    table: pd.DataFrame,
    highlight: str | None = None,
    ax: Axes | None = None,
    *,
    period: int | None = None,
    sex: str | None = None,
    title: str | None = None,
) -> Figure:
    """Draw the county's kommuner ranked by value, as a dot chart with CI whiskers.

    Life expectancy varies over a few years around 80, so bars (which must start
    at zero) would hide the differences; each kommun is a dot on a common scale
    instead, with its confidence interval as whiskers when the table has one.
    The region and Riket (when in the table) are drawn as reference lines.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table (kommun rows are ranked; region/Riket rows become references).
    highlight : str, optional
        Kommun code to emphasise.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when omitted.
    period : int, optional
        Period to show (default: the latest).
    sex : str, optional
        Sex to show; required when the table has more than one.
    title : str, optional
        Chart title.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.
    """
    period, sex = _one_slice(table, period, sex)
    rows = lifeexp.select(table, period=period, sex=sex)
    ranked = lifeexp.county_ranks(rows)
    if ranked.empty:
        raise DataError(f"Inga kommuner att rangordna för {sex} {period}")
    n = len(ranked)
    fig, ax = new_axes(ax, (7.2, 0.3 * n + 2.0))
    style_axes(ax, grid="x")
    ok = indicators.usable(ranked).to_numpy()
    unc = uncertain(ranked).to_numpy()
    y = np.arange(n)[::-1].astype(float)  # rank 1 at the top
    values = ranked["value"].to_numpy(dtype=float)
    is_hl = (ranked["area_code"] == highlight).to_numpy() if highlight else np.zeros(n, bool)
    colors = np.where(is_hl, AREA_COLORS["kommun"], "#4D4D4D")
    handles: list = []
    notes: list[str] = []

    rows_guide = blended_transform_factory(ax.transAxes, ax.transData)
    ax.hlines(y, 0, 1, transform=rows_guide, color="#F0F0F0", lw=0.8, zorder=0)
    if has_ci(ranked):
        has = ok & ranked["ci_lower"].notna().to_numpy() & ranked["ci_upper"].notna().to_numpy()
        lo = values - ranked["ci_lower"].to_numpy(dtype=float)
        hi = ranked["ci_upper"].to_numpy(dtype=float) - values
        for i in np.flatnonzero(has):
            ax.errorbar(
                values[i],
                y[i],
                xerr=[[lo[i]], [hi[i]]],
                fmt="none",
                ecolor=colors[i],
                elinewidth=1.3,
                capsize=2.5,
                alpha=0.85,
                zorder=2,
                gid="ci-whisker",
            )
        handles.append(
            Line2D([], [], color="#4D4D4D", marker="|", ms=8, lw=1.3, label=ci_label(ranked))
        )
    flagged_dots(
        ax,
        values,
        y,
        sizes=np.where(is_hl, 70, 42),
        colors=colors,
        solid=ok & ~unc,
        hollow=unc,
    )
    if unc.any():
        handles.append(hollow_handle("#4D4D4D"))
        notes.append(NOTE_UNCERTAIN_CHART)

    # Region and Riket as reference lines.
    refs = rows[rows["area_type"].isin(["region", "riket"]) & indicators.usable(rows)]
    for _, ref in refs.sort_values("area_type").iterrows():
        color = AREA_COLORS[str(ref["area_type"])]
        ls = "-" if ref["area_type"] == "region" else (0, (4, 2))
        ax.axvline(ref["value"], color=color, lw=1.4, ls=ls, zorder=1)
        handles.append(
            Line2D(
                [],
                [],
                color=color,
                lw=1.4,
                ls=ls,
                label=f"{ref['area_name']} {num(float(ref['value']), 1)}",
            )
        )

    # Axis limits from what is drawn (values and CIs), with room for labels.
    lows = [values[ok]]
    highs = [values[ok]]
    if has_ci(ranked):
        lows.append(ranked["ci_lower"].to_numpy(dtype=float)[ok])
        highs.append(ranked["ci_upper"].to_numpy(dtype=float)[ok])
    if not refs.empty:
        lows.append(refs["value"].to_numpy(dtype=float))
        highs.append(refs["value"].to_numpy(dtype=float))
    lo_all = np.nanmin(np.concatenate(lows)) if ok.any() else 0.0
    hi_all = np.nanmax(np.concatenate(highs)) if ok.any() else 1.0
    pad = max(0.25, (hi_all - lo_all) * 0.08)
    ax.set_xlim(lo_all - pad, hi_all + pad)
    ax.set_ylim(-0.7, n - 0.3)

    # Names on the left, values in a column on the right.
    row_labels(ax, y, ranked["area_name"].astype(str), is_hl, AREA_COLORS["kommun"])
    ax.spines["left"].set_visible(False)
    value_column(
        ax,
        y,
        [num(values[i], 1) if ok[i] else "saknas" for i in range(n)],
        colors=[
            AREA_COLORS["kommun"] if is_hl[i] else (TEXT_COLOR if ok[i] else MUTED)
            for i in range(n)
        ],
        weights=["bold" if hl else "normal" for hl in is_hl],
        styles=["normal" if good else "italic" for good in ok],
    )
    if (~ok).any():
        names = ranked.loc[~ok, "area_name"].astype(str).tolist()
        notes.append(
            f"Värde saknas eller är undertryckt för {', '.join(names)} – ingår inte i rangordningen."
        )
    if not_assessed(ranked):
        notes.append(NOTE_NOT_ASSESSED)
    ax.xaxis.set_major_formatter(decimal_comma_formatter(1))
    ax.set_xlabel(f"{indicator_name(ranked)} (år)")
    label = str(ranked["period_label"].iloc[0])
    return finish(
        ax,
        title or f"{indicator_name(ranked)}, {sex_label(sex).lower()} {label}",
        handles=handles,
        sources=sources(rows),
        notes=notes,
        pad=10 + 17 * int(np.ceil(len(handles) / 3)),
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncols=min(3, max(1, len(handles))),
        borderaxespad=0.2,
        handlelength=1.8,
    )


__all__ = ["range_over_time", "ranked_bars", "timeseries"]
