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

Figures made without ``ax`` are created through :mod:`matplotlib.pyplot`
(so notebooks display them); close them with ``plt.close(fig)`` in loops.
"""

from __future__ import annotations

import textwrap
import warnings
from collections.abc import Iterable, Sequence

import geopandas as gpd
import mapclassify
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine, TightLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.ticker import FuncFormatter
from matplotlib.transforms import blended_transform_factory, offset_copy
from shapely.geometry.polygon import orient

from helpers.core import indicators
from helpers.core.errors import DataError
from helpers.core.fmt import SEX_LABELS, SYNTHETIC_LABEL, decimal_comma_formatter, num
from helpers.stats import lifeexp

#: Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO: dict[str, str] = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}
#: Colour per area type in comparisons (the kommun stands out).
AREA_COLORS: dict[str, str] = {
    "kommun": OKABE_ITO["blue"],
    "region": OKABE_ITO["orange"],
    "riket": "#595959",
}
#: Colour per sex where sexes are compared.
SEX_COLORS: dict[str, str] = {
    "kvinnor": OKABE_ITO["reddish_purple"],
    "män": OKABE_ITO["bluish_green"],
    "totalt": "#333333",
}
MAP_CMAP = "YlGnBu"
UNCERTAIN_FACE = "#D9D9D9"
UNCERTAIN_HATCH = "////"
UNCERTAIN_HATCH_COLOR = "#7F7F7F"
MISSING_FACE = "#FFFFFF"
TEXT_COLOR = "#262626"
MUTED = "#6B6B6B"

NOTE_NOT_ASSESSED = "Osäkerhet ej angiven i källan."
NOTE_UNCERTAIN_CHART = "Ofyllda symboler: osäker skattning – läs med försiktighet."
NOTE_UNCERTAIN_MAP = "Grå streckade kommuner: osäker skattning – färgsätts inte som säkra värden."
LABEL_UNCERTAIN = "Osäker skattning"
LABEL_MISSING = "Värde saknas/undertryckt"
LE_INDICATORS = {"N00923", "N00925"}

_SCHEME_NAMES = {
    "FisherJenks": "naturliga brytpunkter (Fisher–Jenks)",
    "Quantiles": "kvantiler",
    "EqualInterval": "lika breda klasser",
}
_FOOTER = "_folkhalsa_footer"
_FOOTER_FONTSIZE = 7.5


# -- shared helpers -----------------------------------------------------------------------------
def _new_axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    fig.get_layout_engine().set(w_pad=0.08, h_pad=0.06)
    return fig, ax


def quiet_axes(ax: Axes, grid: str = "y") -> None:
    """Apply the workbook's quiet axis style: no top/right spines, grey ticks, light grid.

    Shared by the chart modules (:mod:`helpers.plots.lifetable`,
    :mod:`helpers.plots.survey`).
    """
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#8C8C8C")
    ax.tick_params(colors=TEXT_COLOR, labelsize=9, length=3, color="#8C8C8C")
    ax.set_axisbelow(True)
    if grid:
        ax.grid(axis=grid, color="#E5E5E5", linewidth=0.8)


def _style_axes(ax: Axes, grid: str = "y") -> None:
    """Apply :func:`quiet_axes` and colour the axis labels like the text."""
    quiet_axes(ax, grid)
    ax.xaxis.label.set_color(TEXT_COLOR)
    ax.yaxis.label.set_color(TEXT_COLOR)


def _title(ax: Axes, title: str, pad: float = 10) -> None:
    ax.set_title(title, loc="left", fontsize=11.5, fontweight="bold", color=TEXT_COLOR, pad=pad)


def _sources(df: pd.DataFrame) -> list[str]:
    if "source" not in df.columns:
        return []
    return [str(s) for s in dict.fromkeys(df["source"].dropna()) if str(s)]


def _indicator_name(df: pd.DataFrame) -> str:
    inds = set(df["indicator"].dropna()) if "indicator" in df.columns else set()
    if inds and inds <= LE_INDICATORS:
        return "Medellivslängd"
    return ", ".join(sorted(map(str, inds))) or "Värde"


def _sex_label(sex: str) -> str:
    return SEX_LABELS.get(sex, str(sex))


def _years_text(years: Iterable[int]) -> str:
    """Compress years to ``"2000–2002, 2005"``."""
    ys = sorted({int(y) for y in years})
    parts: list[str] = []
    i = 0
    while i < len(ys):
        j = i
        while j + 1 < len(ys) and ys[j + 1] == ys[j] + 1:
            j += 1
        parts.append(str(ys[i]) if i == j else f"{ys[i]}–{ys[j]}")
        i = j + 1
    return ", ".join(parts)


def _year_axis(ax: Axes, years: Sequence[int]) -> None:
    """Put year ticks every few years, always including the last year."""
    first, last = min(years), max(years)
    step = max(1, int(np.ceil((last - first) / 7)))
    if step > 2:
        step = 5 if step > 4 else 4
    ticks = list(range(last, first - 1, -step))[::-1]
    ax.set_xticks(ticks)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x:.0f}"))


def _period_axis_label(df: pd.DataFrame) -> str:
    last = df.sort_values("period").iloc[-1]
    label, period = str(last["period_label"]), int(last["period"])
    if label != str(period):
        return f"Periodens sista år ({period} = {label})"
    return "År"


def _ci_label(df: pd.DataFrame) -> str:
    levels = df["ci_level"].dropna().unique() if "ci_level" in df.columns else []
    if len(levels) == 1:
        return f"{num(float(levels[0]) * 100, 0)}\u00a0% konfidensintervall"
    return "Konfidensintervall"


def _has_ci(df: pd.DataFrame) -> bool:
    return bool((df["ci_lower"].notna() & df["ci_upper"].notna()).any())


def _uncertain(df: pd.DataFrame) -> pd.Series:
    return indicators.usable(df) & (df["flag"] == indicators.FLAG_UNCERTAIN)


def _not_assessed(df: pd.DataFrame) -> bool:
    return bool((indicators.usable(df) & (df["flag"] == indicators.FLAG_NOT_ASSESSED)).any())


def _dodge(values: Sequence[float], min_gap: float) -> list[float]:
    """Spread label positions so that neighbours are at least ``min_gap`` apart."""
    order = np.argsort(values)
    pos = np.asarray(values, dtype=float)[order].copy()
    for i in range(1, len(pos)):
        pos[i] = max(pos[i], pos[i - 1] + min_gap)
    shift = (pos.mean() - np.asarray(values, dtype=float)[order].mean()) if len(pos) else 0
    pos -= shift / 2
    out = np.empty_like(pos)
    out[order] = pos
    return list(out)


def add_footer(fig: Figure, sources: Iterable[str], notes: Iterable[str] = ()) -> None:
    """Add footnotes and source lines under a figure, shared by all its axes.

    Calling it again (e.g. for a second chart on the same figure) merges the new
    lines with those already shown, without repeating any.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Figure to annotate.
    sources : iterable of str
        Source lines (``"Källa: Kolada"``; the synthetic-data label is set in bold).
    notes : iterable of str
        Footnotes in Swedish, shown above the source.
    """
    state = getattr(fig, _FOOTER, None)
    if state is None:
        state = {"notes": [], "sources": [], "artists": [], "bottom": fig.subplotpars.bottom}
        setattr(fig, _FOOTER, state)
    for key, items in (("notes", notes), ("sources", sources)):
        for item in items:
            if item and item not in state[key]:
                state[key].append(item)
    for artist in state["artists"]:
        artist.remove()
    state["artists"] = []

    width_chars = max(40, int((fig.get_figwidth() * 72 - 24) / (_FOOTER_FONTSIZE * 0.6)))
    lines: list[tuple[str, bool]] = [(s, SYNTHETIC_LABEL in s) for s in state["sources"]]
    note_lines = [
        w for n in state["notes"] for w in textwrap.wrap(n, width_chars, break_on_hyphens=False)
    ]
    line_pt = _FOOTER_FONTSIZE * 1.35
    y_pt = 3.0
    # Bottom-up: sources last (lowest), notes above them.
    for text, strong in reversed([(n, False) for n in note_lines] + lines):
        artist = fig.text(
            0.012,
            0.0,
            text,
            transform=offset_copy(fig.transFigure, fig=fig, x=0, y=y_pt, units="points"),
            ha="left",
            va="bottom",
            fontsize=_FOOTER_FONTSIZE,
            color=TEXT_COLOR if strong else MUTED,
            fontweight="bold" if strong else "normal",
            gid="folkhalsa-source" if (text, strong) in lines else "folkhalsa-note",
        )
        state["artists"].append(artist)
        y_pt += line_pt
    frac = min(0.45, (y_pt + 4.0) / 72 / fig.get_figheight())
    engine = fig.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        engine.set(rect=(0, frac, 1, 1 - frac))
    elif isinstance(engine, TightLayoutEngine):
        engine.set(rect=(0, frac, 1, 1))
    else:
        fig.subplots_adjust(bottom=min(0.6, state["bottom"] + frac))


def _legend(ax: Axes, handles: list, **kwargs: object) -> None:
    if not handles:
        return
    opts: dict[str, object] = {"frameon": False, "fontsize": 8.5, "labelcolor": TEXT_COLOR}
    opts.update(kwargs)
    ax.legend(handles=handles, **opts)


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
    codes = {"kommun": highlight, "region": "00" + highlight[:2], "riket": "0000"}
    rows = table[table["area_code"].isin(codes.values()) & table["sex"].isin(sexes)]
    if rows.loc[rows["area_code"] == highlight].empty:
        raise DataError(f"Kommunen '{highlight}' finns inte i data för diagrammet")
    fig, ax = _new_axes(ax, (8.0, 4.8))
    _style_axes(ax)
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
                gaps.append(f"{name}, {_sex_label(sex).lower()}: {_years_text(missing_years)}")
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
                ax.plot(
                    x[unc.to_numpy()],
                    y[unc].to_numpy(dtype=float),
                    ls="none",
                    marker="o",
                    ms=5.5,
                    mfc="white",
                    mec=color,
                    mew=1.4,
                    zorder=style["zorder"] + 1,
                    gid="osaker",
                )
                uncertain_drawn = True
            last = y.dropna()
            if not last.empty:
                end_values.setdefault(sex, []).append(float(last.iloc[-1]))
        handles.insert(0, Line2D([], [], color=color, lw=style["lw"], ls=style["ls"], label=name))
    if ci_drawn:
        handles.append(Patch(facecolor="#8C8C8C", alpha=0.3, label=_ci_label(rows)))
    if uncertain_drawn:
        handles.append(
            Line2D(
                [], [], ls="none", marker="o", mfc="white", mec=TEXT_COLOR, label=LABEL_UNCERTAIN
            )
        )
        notes.append(NOTE_UNCERTAIN_CHART)
    if gaps:
        notes.append(
            "Luckor i linjerna: värde saknas eller är undertryckt (" + "; ".join(gaps) + ")."
        )
    if _not_assessed(rows[ok]):
        notes.append(NOTE_NOT_ASSESSED)

    # Direct sex labels at the right end of each group of lines.
    ax.set_xlim(min(all_periods) - 0.5, max(all_periods) + 0.5)
    ymin, ymax = ax.get_ylim()
    keys = [s for s in sexes if s in end_values]
    ys = _dodge([float(np.mean(end_values[s])) for s in keys], (ymax - ymin) * 0.07)
    right = blended_transform_factory(ax.transAxes, ax.transData)
    for sex, y in zip(keys, ys, strict=True):
        ax.text(
            1.01,
            y,
            _sex_label(sex),
            va="center",
            ha="left",
            fontsize=9.5,
            fontweight="bold",
            color=TEXT_COLOR,
            transform=right,
        )
    _year_axis(ax, all_periods)
    ax.yaxis.set_major_formatter(decimal_comma_formatter(1))
    ax.set_xlabel(_period_axis_label(rows))
    ax.set_ylabel(f"{_indicator_name(rows)} (år)")
    kommun_name = str(rows.loc[rows["area_code"] == highlight, "area_name"].iloc[0])
    _title(
        ax,
        title or f"{_indicator_name(rows)} vid födelsen – {kommun_name}, länet och riket",
        pad=30,
    )
    _legend(
        ax,
        handles,
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncols=len(handles),
        borderaxespad=0.2,
        handlelength=2.2,
    )
    add_footer(fig, _sources(rows), notes)
    return fig


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
    fig, ax = _new_axes(ax, (8.0, 4.6))
    _style_axes(ax)
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
            ax.plot(
                x[unc],
                y[unc],
                ls="none",
                marker="o",
                ms=6,
                mfc="white",
                mec=color,
                mew=1.4,
                zorder=5,
                gid="osaker",
            )
        handles.append(Line2D([], [], color=color, lw=2.2, label=_sex_label(str(sex))))
        last = rows.dropna(subset=["range"])
        if not last.empty:
            r = last.iloc[-1]
            labels.append(
                (
                    f"{_sex_label(str(sex))}: {num(r['range'], 1, 'år')}\n"
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
    ys = _dodge([y for _, y, _ in labels], top * 1.18 * 0.2)
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
        handles.append(
            Line2D(
                [],
                [],
                ls="none",
                marker="o",
                mfc="white",
                mec=TEXT_COLOR,
                label="Bygger på osäkra skattningar",
            )
        )
        notes.append(
            "Ofyllda punkter: någon av kommunernas skattningar är osäker – läs med försiktighet."
        )
    missing = range_df[range_df["n_missing"] > 0]
    if not missing.empty:
        parts = [
            f"{names} ({_years_text(g['period'])})"
            for names, g in missing.groupby("missing_kommuner", sort=False)
        ]
        notes.append("Kommuner utan värde ingår inte i skillnaden: " + "; ".join(parts) + ".")
    if range_df["range"].isna().any():
        notes.append("Luckor: färre än två kommuner med värde – ingen skillnad kan beräknas.")
    if (range_df["n_not_assessed"] > 0).any():
        notes.append(NOTE_NOT_ASSESSED)
    notes.append("Skillnad = högsta minus lägsta kommunvärde, beräknad på oavrundade värden.")
    _year_axis(ax, [int(p) for p in range_df["period"]])
    ax.yaxis.set_major_formatter(decimal_comma_formatter(1))
    ax.set_xlabel(_period_axis_label(range_df))
    ax.set_ylabel("Skillnad mellan kommunerna (år)")
    # Sexes are named at the line ends; the legend only explains extra symbols.
    extra = handles[range_df["sex"].nunique() :]
    _title(
        ax,
        title or f"{_indicator_name(range_df)}: skillnad mellan länets kommuner",
        pad=30 if extra else 10,
    )
    _legend(ax, extra, loc="lower left", bbox_to_anchor=(0.0, 1.0), borderaxespad=0.2)
    add_footer(fig, _sources(range_df), notes)
    return fig


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
    fig, ax = _new_axes(ax, (7.2, 0.3 * n + 2.0))
    _style_axes(ax, grid="x")
    ok = indicators.usable(ranked).to_numpy()
    unc = _uncertain(ranked).to_numpy()
    y = np.arange(n)[::-1].astype(float)  # rank 1 at the top
    values = ranked["value"].to_numpy(dtype=float)
    is_hl = (ranked["area_code"] == highlight).to_numpy() if highlight else np.zeros(n, bool)
    colors = np.where(is_hl, AREA_COLORS["kommun"], "#4D4D4D")
    handles: list = []
    notes: list[str] = []

    rows_guide = blended_transform_factory(ax.transAxes, ax.transData)
    ax.hlines(y, 0, 1, transform=rows_guide, color="#F0F0F0", lw=0.8, zorder=0)
    if _has_ci(ranked):
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
            Line2D([], [], color="#4D4D4D", marker="|", ms=8, lw=1.3, label=_ci_label(ranked))
        )
    solid = ok & ~unc
    ax.scatter(
        values[solid],
        y[solid],
        s=np.where(is_hl[solid], 70, 42),
        color=colors[solid],
        zorder=3,
        gid="solid",
    )
    if unc.any():
        ax.scatter(
            values[unc],
            y[unc],
            s=np.where(is_hl[unc], 70, 42),
            facecolors="white",
            edgecolors=colors[unc],
            linewidths=1.5,
            zorder=3,
            gid="osaker",
        )
        handles.append(
            Line2D([], [], ls="none", marker="o", mfc="white", mec="#4D4D4D", label=LABEL_UNCERTAIN)
        )
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
    if _has_ci(ranked):
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
    ax.set_yticks(y)
    ax.set_yticklabels(ranked["area_name"].astype(str))
    for label, hl in zip(ax.get_yticklabels(), is_hl, strict=True):
        if hl:
            label.set_fontweight("bold")
            label.set_color(AREA_COLORS["kommun"])
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    right = blended_transform_factory(ax.transAxes, ax.transData)
    for i in range(n):
        text = num(values[i], 1) if ok[i] else "saknas"
        ax.text(
            1.01,
            y[i],
            text,
            transform=right,
            va="center",
            ha="left",
            fontsize=8.5,
            color=AREA_COLORS["kommun"] if is_hl[i] else (TEXT_COLOR if ok[i] else MUTED),
            fontweight="bold" if is_hl[i] else "normal",
            fontstyle="normal" if ok[i] else "italic",
        )
    if (~ok).any():
        names = ranked.loc[~ok, "area_name"].astype(str).tolist()
        notes.append(
            f"Värde saknas eller är undertryckt för {', '.join(names)} – ingår inte i rangordningen."
        )
    if _not_assessed(ranked):
        notes.append(NOTE_NOT_ASSESSED)
    ax.xaxis.set_major_formatter(decimal_comma_formatter(1))
    ax.set_xlabel(f"{_indicator_name(ranked)} (år)")
    label = str(ranked["period_label"].iloc[0])
    _title(
        ax,
        title or f"{_indicator_name(ranked)}, {_sex_label(sex).lower()} {label}",
        pad=10 + 17 * int(np.ceil(len(handles) / 3)),
    )
    _legend(
        ax,
        handles,
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncols=min(3, max(1, len(handles))),
        borderaxespad=0.2,
        handlelength=1.8,
    )
    add_footer(fig, _sources(rows), notes)
    return fig


# -- choropleth ---------------------------------------------------------------------------------
def _geom_path(geom: object) -> MplPath:
    """Return a matplotlib path for a (multi)polygon, holes included."""
    polys = getattr(geom, "geoms", [geom])
    verts: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for poly in polys:
        poly = orient(poly, 1.0)  # exterior counter-clockwise, holes clockwise
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords)[:, :2]
            c = np.full(len(xy), MplPath.LINETO, dtype=MplPath.code_type)
            c[0], c[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            verts.append(xy)
            codes.append(c)
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def _draw_polygons(
    ax: Axes, geoms: Iterable[object], gid: str, **kwargs: object
) -> PatchCollection:
    """Draw polygons as one collection (fast; no implicit redraws) and return it."""
    coll = PatchCollection([PathPatch(_geom_path(g)) for g in geoms], **kwargs)
    coll.set_gid(gid)
    ax.add_collection(coll, autolim=True)
    return coll


def _class_labels(lower: float, bins: Sequence[float]) -> list[str]:
    """Legend labels ``"80,5–81,0"`` (one number when a class holds a single value)."""
    labels = []
    for upper in bins:
        a, b = num(lower, 1), num(float(upper), 1)
        labels.append(a if a == b else f"{a}–{b}")
        lower = float(upper)
    return labels


def choropleth(
    gdf: gpd.GeoDataFrame,
    column: str = "value",
    highlight: str | None = None,
    ax: Axes | None = None,
    *,
    scheme: str = "FisherJenks",
    k: int = 5,
    cmap: str = MAP_CMAP,
    title: str | None = None,
    unit: str = "år",
) -> Figure:
    """Draw a county map coloured in classes, with weak estimates never coloured as solid.

    Kommuner with a usable value flagged ``"tillförlitlig"`` or ``"ej bedömd"``
    are coloured by class (``mapclassify``); kommuner flagged ``"osäker"`` are
    grey and hatched (and left out of the classification); kommuner without a
    value are white. The legend says which is which, and the highlighted kommun
    is outlined and named.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        One row per kommun, e.g. from :func:`helpers.core.geo.join_kommuner` (needs
        ``area_code``, ``area_name``, ``flag`` and, for the footer, ``source``).
    column : str
        Column to map.
    highlight : str, optional
        Kommun code to outline.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when omitted.
    scheme : str
        A ``mapclassify`` scheme (``"FisherJenks"``, ``"Quantiles"``, ``"EqualInterval"`` …).
    k : int
        Number of classes (fewer when there are fewer distinct values).
    cmap : str
        Sequential colour map (default ColorBrewer ``YlGnBu``, colour-blind safe).
    title : str, optional
        Map title; default names indicator, sex and period.
    unit : str
        Unit, shown as the legend title.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.
    """
    if gdf.empty:
        raise DataError("Kartan har inga kommuner att visa")
    fig, ax = _new_axes(ax, (7.4, 6.6))
    values = gdf[column].astype(float)
    flagged = gdf.assign(value=values)
    ok = indicators.usable(flagged).to_numpy()
    unc = ok & (gdf["flag"] == indicators.FLAG_UNCERTAIN).to_numpy()
    solid = ok & ~unc
    geoms = gdf.geometry.to_numpy()
    names = gdf["area_name"].astype(str).to_numpy()
    handles: list = []
    notes: list[str] = []

    y = values.to_numpy()[solid]
    if len(y):
        k_eff = int(min(k, len(np.unique(y))))
        if k_eff >= 2:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="Numba not installed")
                classifier = mapclassify.classify(y, scheme, k=k_eff)
            bins = np.asarray(classifier.bins, dtype=float)
            classes = np.asarray(classifier.yb, dtype=int)
        else:
            bins, classes = np.array([y.max()]), np.zeros(len(y), dtype=int)
        colours = plt.get_cmap(cmap)(np.linspace(0.15, 0.92, len(bins)))
        _draw_polygons(
            ax,
            geoms[solid],
            "solid",
            facecolors=colours[classes],
            edgecolors="white",
            linewidths=0.7,
        )
        for colour, label in zip(colours, _class_labels(float(y.min()), bins), strict=True):
            handles.append(Patch(facecolor=colour, edgecolor="none", label=label))
        notes.append(f"Klassindelning: {_SCHEME_NAMES.get(scheme, scheme)}, {len(bins)} klasser.")
    if unc.any():
        coll = _draw_polygons(
            ax,
            geoms[unc],
            "osaker",
            facecolors=UNCERTAIN_FACE,
            edgecolors="white",
            linewidths=0.7,
            hatch=UNCERTAIN_HATCH,
        )
        if hasattr(coll, "set_hatchcolor"):
            coll.set_hatchcolor(UNCERTAIN_HATCH_COLOR)
        handles.append(
            Patch(
                facecolor=UNCERTAIN_FACE,
                edgecolor=UNCERTAIN_HATCH_COLOR,
                hatch=UNCERTAIN_HATCH,
                label=LABEL_UNCERTAIN,
            )
        )
        notes.append(f"{NOTE_UNCERTAIN_MAP} ({', '.join(names[unc])})")
    if (~ok).any():
        _draw_polygons(
            ax,
            geoms[~ok],
            "saknas",
            facecolors=MISSING_FACE,
            edgecolors="#9E9E9E",
            linewidths=0.7,
        )
        handles.append(Patch(facecolor=MISSING_FACE, edgecolor="#9E9E9E", label=LABEL_MISSING))
        notes.append(f"Vita kommuner: värde saknas eller är undertryckt ({', '.join(names[~ok])}).")
    if highlight is not None:
        is_hl = (gdf["area_code"] == highlight).to_numpy()
        if is_hl.any():
            _draw_polygons(
                ax,
                geoms[is_hl],
                "highlight",
                facecolors="none",
                edgecolors="black",
                linewidths=2.2,
                zorder=5,
            )
            point = geoms[is_hl][0].representative_point()
            ax.annotate(
                names[is_hl][0],
                (point.x, point.y),
                ha="center",
                va="center",
                fontsize=9.5,
                fontweight="bold",
                color="black",
                path_effects=[patheffects.withStroke(linewidth=3, foreground="white")],
                zorder=6,
            )
            handles.append(
                Patch(
                    facecolor="none",
                    edgecolor="black",
                    linewidth=2.0,
                    label=f"{names[is_hl][0]} (vald kommun)",
                )
            )
    if _not_assessed(flagged):
        notes.append(NOTE_NOT_ASSESSED)
    ax.autoscale_view()
    ax.set_aspect("equal")
    ax.set_axis_off()
    if title is None:
        title = _indicator_name(gdf) if "indicator" in gdf.columns else str(column)
        sexes = gdf.loc[ok, "sex"].dropna().unique() if "sex" in gdf.columns else []
        labels = gdf.loc[ok, "period_label"].dropna().unique() if "period_label" in gdf else []
        if len(sexes) == 1:
            title += f", {_sex_label(str(sexes[0])).lower()}"
        if len(labels) == 1:
            title += f" {labels[0]}"
    _title(ax, title)
    _legend(
        ax,
        handles,
        loc="upper left",
        bbox_to_anchor=(0.98, 1.0),
        title=unit.capitalize() if unit else None,
        title_fontsize=8.5,
        alignment="left",
    )
    add_footer(fig, _sources(gdf), notes)
    return fig
