"""Shared scaffolding of every chart: colours, quiet axes, titles, legends and the footer.

The chart modules (:mod:`helpers.plots.common`, :mod:`helpers.plots.maps`,
:mod:`helpers.plots.lifetable`, :mod:`helpers.plots.survey`,
:mod:`helpers.plots.strategi`) set up figures, titles, legends and the
source/synthetic-data footer only through these helpers, so every chart looks
and is labelled the same way:

- :func:`new_axes` / :func:`panels` – a new constrained-layout figure, or the
  axes the caller gave;
- :func:`quiet_axes` / :func:`style_axes` – no top/right spines, grey ticks,
  a light grid;
- :func:`title`, :func:`legend` and :func:`add_footer` (footnotes and source
  lines; the synthetic-data label in bold), combined by :func:`finish` (one
  axes) and :func:`finish_figure` (a figure of panels, title over them all);
- :func:`row_labels` and :func:`value_column` – names on the left and values
  on the right of ranked/bar charts;
- :func:`flagged_dots`, :func:`hollow_line_points` and :func:`hollow_handle` –
  values flagged ``osäker`` drawn hollow, and their legend entry;
- the flag legend texts (:data:`LABEL_UNCERTAIN`, :data:`NOTE_UNCERTAIN_CHART`,
  :data:`NOTE_NOT_ASSESSED` …) and colours (:data:`OKABE_ITO`, …).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine, TightLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter
from matplotlib.transforms import blended_transform_factory, offset_copy

from helpers.core import indicators
from helpers.core.errors import DataError
from helpers.core.fmt import SEX_LABELS, SYNTHETIC_LABEL, num

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

_FOOTER = "_folkhalsa_footer"
_FOOTER_FONTSIZE = 7.5


# -- shared helpers -----------------------------------------------------------------------------
def new_axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """Return ``ax`` and its figure, or a new constrained-layout figure with one axes."""
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


def style_axes(ax: Axes, grid: str = "y") -> None:
    """Apply :func:`quiet_axes` and colour the axis labels like the text."""
    quiet_axes(ax, grid)
    ax.xaxis.label.set_color(TEXT_COLOR)
    ax.yaxis.label.set_color(TEXT_COLOR)


def title(ax: Axes, text: str, pad: float = 10, size: float = 11.5) -> None:
    """Set a bold, left-aligned chart title."""
    ax.set_title(text, loc="left", fontsize=size, fontweight="bold", color=TEXT_COLOR, pad=pad)


def sources(*frames: pd.DataFrame | None) -> list[str]:
    """Return the distinct source lines of the frames, in order of appearance."""
    out: list[str] = []
    for df in frames:
        if df is not None and "source" in df.columns:
            out += [str(s) for s in df["source"].dropna().unique() if str(s)]
    return list(dict.fromkeys(out))


def indicator_name(df: pd.DataFrame) -> str:
    """Return the chart name of the table's indicator ('Medellivslängd' for e0)."""
    inds = set(df["indicator"].dropna()) if "indicator" in df.columns else set()
    if inds and inds <= LE_INDICATORS:
        return "Medellivslängd"
    return ", ".join(sorted(map(str, inds))) or "Värde"


def sex_label(sex: str) -> str:
    """Return the capitalised Swedish label of a sex."""
    return SEX_LABELS.get(sex, str(sex))


def years_text(years: Iterable[int]) -> str:
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


def with_gaps(periods: Sequence[float], values: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Return x and y with a NaN where a period is missing, so a line breaks at the gap.

    The expected step is the smallest difference between consecutive periods
    (1 for a yearly series, 2 for a survey every other year); a larger jump is a
    missing period and gets a NaN point in the middle, which matplotlib does not
    connect. A missing value (NaN) stays a break too.

    Examples
    --------
    >>> with_gaps([2017, 2018, 2020], [1.0, 2.0, 3.0])[1].tolist()
    [1.0, 2.0, nan, 3.0]
    """
    x = np.asarray(periods, dtype=float)
    y = np.asarray(values, dtype=float)
    if len(x) < 2:
        return x, y
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    steps = np.diff(x)
    step = steps[steps > 0].min() if (steps > 0).any() else 1.0
    xs, ys = [x[0]], [y[0]]
    for i in range(1, len(x)):
        if x[i] - x[i - 1] > step * 1.5:
            xs.append((x[i] + x[i - 1]) / 2)
            ys.append(np.nan)
        xs.append(x[i])
        ys.append(y[i])
    return np.asarray(xs), np.asarray(ys)


def year_axis(ax: Axes, years: Sequence[int]) -> None:
    """Put year ticks every few years, always including the last year."""
    first, last = min(years), max(years)
    step = max(1, int(np.ceil((last - first) / 7)))
    if step > 2:
        step = 5 if step > 4 else 4
    ticks = list(range(last, first - 1, -step))[::-1]
    ax.set_xticks(ticks)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x:.0f}"))


def period_axis_label(df: pd.DataFrame) -> str:
    """Return the x-axis label: 'Periodens sista år (2024 = 2020–2024)' or 'År'."""
    last = df.sort_values("period").iloc[-1]
    label, period = str(last["period_label"]), int(last["period"])
    if label != str(period):
        return f"Periodens sista år ({period} = {label})"
    return "År"


def ci_label(df: pd.DataFrame) -> str:
    """Return the legend label of the confidence interval ('95 % konfidensintervall')."""
    levels = df["ci_level"].dropna().unique() if "ci_level" in df.columns else []
    if len(levels) == 1:
        return f"{num(float(levels[0]) * 100, 0)}\u00a0% konfidensintervall"
    return "Konfidensintervall"


def has_ci(df: pd.DataFrame) -> bool:
    """Return True if any row has both CI limits."""
    return bool((df["ci_lower"].notna() & df["ci_upper"].notna()).any())


def uncertain(df: pd.DataFrame) -> pd.Series:
    """Return a mask of usable values flagged uncertain."""
    return indicators.usable(df) & (df["flag"] == indicators.FLAG_UNCERTAIN)


def not_assessed(df: pd.DataFrame) -> bool:
    """Return True if any usable value is flagged 'ej bedömd' and has no interval.

    :data:`NOTE_NOT_ASSESSED` says the source gives no uncertainty; a value flagged
    'ej bedömd' that has a confidence interval (a Kolada KPI with its *Osäkerhetstal*)
    does not get that footnote.
    """
    no_ci = df["ci_lower"].isna() | df["ci_upper"].isna() if "ci_lower" in df else True
    flagged = indicators.usable(df) & (df["flag"] == indicators.FLAG_NOT_ASSESSED)
    return bool((flagged & no_ci).any())


def dodge(values: Sequence[float], min_gap: float) -> list[float]:
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


def legend(ax: Axes, handles: list, **kwargs: object) -> None:
    """Draw a frameless legend with the workbook's font (nothing when no handles)."""
    if not handles:
        return
    opts: dict[str, object] = {"frameon": False, "fontsize": 8.5, "labelcolor": TEXT_COLOR}
    opts.update(kwargs)
    ax.legend(handles=handles, **opts)


def panels(
    ax: Axes | Sequence[Axes] | None, n: int, figsize: tuple[float, float], sharey: bool = True
) -> tuple[Figure, list[Axes]]:
    """Return the figure and ``n`` axes: new ones side by side, or those given.

    Raises
    ------
    DataError
        The caller gave a different number of axes than the figure has panels.
    """
    if ax is None:
        fig, axes = plt.subplots(1, n, figsize=figsize, layout="constrained", sharey=sharey)
        return fig, list(np.atleast_1d(axes))
    axes = [ax] if isinstance(ax, Axes) else list(ax)
    if len(axes) != n:
        raise DataError(f"Diagrammet behöver {n} axlar (en per panel), fick {len(axes)}")
    return axes[0].figure, axes


def finish(
    ax: Axes,
    heading: str,
    *,
    handles: Sequence = (),
    sources: Iterable[str] = (),
    notes: Iterable[str] = (),
    pad: float = 10,
    size: float = 11.5,
    **legend_options: object,
) -> Figure:
    """Title, legend and footer of a chart in one call; return the figure.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The chart.
    heading : str
        Title (Swedish).
    handles : sequence
        Legend entries (none: no legend).
    sources, notes : iterable of str
        Source lines and footnotes for :func:`add_footer`.
    pad, size : float
        Title padding and font size.
    **legend_options
        Passed to :func:`legend` (``loc``, ``bbox_to_anchor`` …).
    """
    title(ax, heading, pad=pad, size=size)
    legend(ax, list(handles), **legend_options)
    add_footer(ax.figure, sources, notes)
    return ax.figure


def figure_title(fig: Figure, text: str) -> None:
    """Set a bold, left-aligned title over all panels of a figure."""
    fig.suptitle(text, x=0.01, ha="left", fontsize=12, fontweight="bold", color=TEXT_COLOR)


def finish_figure(
    fig: Figure,
    axes: Sequence[Axes],
    heading: str,
    *,
    handles: Sequence = (),
    sources: Iterable[str] = (),
    notes: Iterable[str] = (),
) -> Figure:
    """Title over the panels, legend right of the last panel and footer; return the figure.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    axes : sequence of Axes
        Its panels (the legend goes right of the last one).
    heading : str
        Title (Swedish).
    handles : sequence
        Legend entries.
    sources, notes : iterable of str
        Source lines and footnotes for :func:`add_footer`.
    """
    legend(axes[-1], list(handles), loc="upper left", bbox_to_anchor=(1.0, 1.0))
    figure_title(fig, heading)
    add_footer(fig, sources, notes)
    return fig


def _each(value: object, i: int) -> object:
    """``value[i]`` for a per-row sequence, ``value`` itself for a scalar."""
    return (
        value
        if isinstance(value, str) or not isinstance(value, Sequence | np.ndarray)
        else value[i]
    )


def row_labels(
    ax: Axes,
    y: Sequence[float],
    names: Sequence[str],
    bold: Sequence[bool],
    color: str | None = None,
) -> None:
    """Name the rows of a horizontal chart; the rows in ``bold`` (the highlight) in bold and ``color``."""
    ax.set_yticks(y)
    ax.set_yticklabels(list(names))
    for label, strong in zip(ax.get_yticklabels(), bold, strict=True):
        if strong:
            label.set_fontweight("bold")
            if color is not None:
                label.set_color(color)
    ax.tick_params(axis="y", length=0)


def value_column(
    ax: Axes,
    y: Sequence[float],
    texts: Sequence[str],
    *,
    colors: str | Sequence[str] = TEXT_COLOR,
    weights: str | Sequence[str] = "normal",
    styles: str | Sequence[str] = "normal",
    fontsize: float = 8.5,
) -> None:
    """Write one text per row in a column right of the axes (values, n, verdicts).

    ``colors``, ``weights`` and ``styles`` are one value for all rows or one per row.
    """
    right = blended_transform_factory(ax.transAxes, ax.transData)
    for i, (yi, text) in enumerate(zip(y, texts, strict=True)):
        ax.text(
            1.01,
            yi,
            text,
            transform=right,
            va="center",
            ha="left",
            fontsize=fontsize,
            color=_each(colors, i),
            fontweight=_each(weights, i),
            fontstyle=_each(styles, i),
        )


def hollow_handle(color: str = TEXT_COLOR, label: str = LABEL_UNCERTAIN) -> Line2D:
    """Legend entry of a hollow marker (values flagged ``osäker``)."""
    return Line2D([], [], ls="none", marker="o", mfc="white", mec=color, label=label)


def hollow_line_points(
    ax: Axes, x: Sequence[float], y: Sequence[float], color: str, *, ms: float, zorder: float
) -> None:
    """Mark points of a line flagged ``osäker`` with hollow circles (gid ``osaker``)."""
    ax.plot(
        x, y, ls="none", marker="o", ms=ms, mfc="white", mec=color, mew=1.4, zorder=zorder,
        gid="osaker",
    )  # fmt: skip


def flagged_dots(
    ax: Axes,
    x: np.ndarray,
    y: np.ndarray,
    *,
    sizes: np.ndarray,
    colors: np.ndarray,
    solid: np.ndarray,
    hollow: np.ndarray,
) -> None:
    """Draw dots: ``solid`` rows filled (gid ``solid``), ``hollow`` (osäker) rows hollow (``osaker``)."""
    ax.scatter(x[solid], y[solid], s=sizes[solid], color=colors[solid], zorder=3, gid="solid")
    if hollow.any():
        ax.scatter(
            x[hollow],
            y[hollow],
            s=sizes[hollow],
            facecolors="white",
            edgecolors=colors[hollow],
            linewidths=1.5,
            zorder=3,
            gid="osaker",
        )
