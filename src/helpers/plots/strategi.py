"""Charts for the Strategi för hälsa follow-up (status matrix and small multiples).

Both functions take results of :mod:`helpers.stats.strategi` (nothing is computed
here that a reader needs to trust) and an optional ``ax``/``axes``, and return
the matplotlib :class:`~matplotlib.figure.Figure`. They follow the
conventions of :mod:`helpers.plots.common`: Swedish text, decimal comma,
colour-blind-safe Okabe–Ito colours, and a footer with the source line (the
synthetic-data label in bold for demo data). Status cells carry a symbol as
well as a colour (:data:`helpers.stats.strategi.STATUS_SYMBOLS`), so the matrix also
reads in greyscale.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator

from helpers.config import goals as goal_file
from helpers.core.fmt import SEX_LABELS, decimal_comma_formatter
from helpers.plots.scaffold import (
    MUTED,
    OKABE_ITO,
    SEX_COLORS,
    TEXT_COLOR,
    add_footer,
    figure_title,
    with_gaps,
)
from helpers.plots.scaffold import title as scaffold_title
from helpers.stats import strategi

#: Face colour, symbol colour and hatch per status.
STATUS_STYLE: dict[str, dict[str, str]] = {
    strategi.STATUS_REACHED: {"face": OKABE_ITO["bluish_green"], "text": "#FFFFFF", "hatch": ""},
    strategi.STATUS_CLOSER: {"face": OKABE_ITO["sky_blue"], "text": "#000000", "hatch": ""},
    strategi.STATUS_WORSE: {"face": OKABE_ITO["vermillion"], "text": "#FFFFFF", "hatch": ""},
    strategi.STATUS_WITHIN_MARGIN: {"face": "#E3E3E3", "text": "#000000", "hatch": ""},
    strategi.STATUS_NOT_COMPARABLE: {"face": "#FFFFFF", "text": "#000000", "hatch": "...."},
    strategi.STATUS_NO_DATA: {"face": "#FFFFFF", "text": "#7F7F7F", "hatch": ""},
    strategi.STATUS_NOT_ASSESSED: {"face": "#BDBDBD", "text": "#000000", "hatch": "////"},
}
#: Line style per series in the small multiples.
SERIES_STYLE: dict[str, dict[str, object]] = {
    "område": {"color": OKABE_ITO["blue"], "lw": 2.2, "ls": "-", "zorder": 5},
    "län": {"color": OKABE_ITO["orange"], "lw": 1.4, "ls": "-", "zorder": 4},
    "riket": {"color": "#404040", "lw": 1.3, "ls": ":", "zorder": 3},
    "liknande": {"color": OKABE_ITO["vermillion"], "lw": 1.4, "ls": "-.", "zorder": 3},
}
SERIES_LABELS: dict[str, str] = {
    "område": "Kommunen (eller regionen)",
    "län": "Länet (regionen)",
    "riket": "Riket",
    "liknande": "Liknande kommuner/regioner (medel)",
}
_COLOURED_SYMBOLS = (strategi.STATUS_REACHED, strategi.STATUS_CLOSER, strategi.STATUS_WORSE)
NOTE_STATUS = (
    "Status: förändring från basåret (oftast 2017) till senaste året med värde, jämförd med "
    "SKR:s mål till 2022. ≈ = förändringen är inte större än felmarginalen."
)
NOTE_REGION = "Mål 2 och 16–18 följs på regionnivå: kommunerna visar sin regions status."


def _keep_sex(status: pd.DataFrame, sex: str) -> pd.DataFrame:
    single = status.groupby("kpi")["sex"].transform(lambda x: "totalt" not in set(x))
    return status[(status["sex"] == sex) | single.astype(bool)]


def _label_order(labels: Sequence[str]) -> list[str]:
    def key(label: str) -> tuple[int, str]:
        digits = "".join(ch for ch in label if ch.isdigit())
        return int(digits or 0), label

    return sorted(dict.fromkeys(labels), key=key)


def status_matrix(
    status: pd.DataFrame,
    ax: Axes | None = None,
    *,
    sex: str = "totalt",
    source: str = "Källa: Kolada",
    title: str | None = None,
) -> Figure:
    """Draw a kommun × goal matrix of target statuses, grouped by SKR's three areas.

    Parameters
    ----------
    status : pandas.DataFrame
        From :func:`helpers.stats.strategi.goal_status` for several kommuner.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure otherwise.
    sex : str
        Sex to show (KPIs for one sex only, such as life expectancy, are always shown).
    source : str
        Source line (use :func:`helpers.sources.life_expectancy.source_label`; the demo label says synthetic).
    title : str, optional
        Chart title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    s = _keep_sex(status, sex)
    labels = _label_order(s["label"].astype(str))
    areas = s.drop_duplicates("area_code").sort_values("area_code")
    names = areas["area_name"].tolist()
    codes = areas["area_code"].tolist()
    if ax is None:
        fig, ax = plt.subplots(
            figsize=(max(7.5, 0.42 * len(labels) + 2.6), max(3.2, 0.34 * len(codes) + 2.4)),
            layout="constrained",
        )
    fig = ax.figure
    cell = s.set_index(["area_code", "label"])["status"]
    cell = cell[~cell.index.duplicated()]
    for i, code in enumerate(codes):
        for j, label in enumerate(labels):
            st = cell.get((code, label), strategi.STATUS_NO_DATA)
            style = STATUS_STYLE[st]
            ax.add_patch(
                Rectangle(
                    (j, i),
                    1,
                    1,
                    facecolor=style["face"],
                    edgecolor="#FFFFFF" if not style["hatch"] else "#9E9E9E",
                    hatch=style["hatch"],
                    linewidth=1.0,
                )
            )
            ax.text(
                j + 0.5,
                i + 0.52,
                strategi.STATUS_SYMBOLS[st],
                ha="center",
                va="center",
                fontsize=9,
                color=style["text"],
                fontweight="bold",
            )
    ax.set_xlim(0, len(labels))
    ax.set_ylim(len(codes), 0)
    ax.set_yticks(np.arange(len(codes)) + 0.5, names, fontsize=8.5, color=TEXT_COLOR)
    ax.set_xticks(np.arange(len(labels)) + 0.5, labels, fontsize=8, color=TEXT_COLOR)
    ax.tick_params(length=0)
    ax.xaxis.tick_top()
    for side in ax.spines.values():
        side.set_visible(False)
    # Area bands above the goal numbers.
    goal_area = s.drop_duplicates("label").set_index("label")["goal_area"]
    for area in goal_file.AREAS:
        cols = [j for j, lab in enumerate(labels) if goal_area.get(lab) == area]
        if not cols:
            continue
        lo, hi = min(cols), max(cols) + 1
        ax.annotate(
            "",
            xy=(lo + 0.05, -1.05),
            xytext=(hi - 0.05, -1.05),
            xycoords="data",
            annotation_clip=False,
            arrowprops={"arrowstyle": "-", "color": MUTED, "lw": 1.0},
        )
        ax.text(
            (lo + hi) / 2,
            -1.25,
            "\n".join(textwrap.wrap(area, max(8, int(2.4 * (hi - lo))))),
            ha="center",
            va="bottom",
            fontsize=8.5,
            color=TEXT_COLOR,
            fontweight="bold",
            clip_on=False,
        )
        if lo > 0:
            ax.axvline(lo, color="#FFFFFF", lw=3)
    present = [st for st in strategi.STATUSES if (s["status"] == st).any()]
    handles = [
        Patch(
            facecolor=STATUS_STYLE[st]["face"],
            edgecolor="#9E9E9E",
            hatch=STATUS_STYLE[st]["hatch"],
            label=f"{strategi.STATUS_SYMBOLS[st]}  {st}",
        )
        for st in present
    ]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.02),
        ncol=min(3, len(handles)) or 1,
        frameon=False,
        fontsize=8,
        labelcolor=TEXT_COLOR,
    )
    sex_text = "" if sex == "totalt" else f" – {SEX_LABELS.get(sex, sex).lower()}"
    scaffold_title(ax, title or f"Strategi för hälsa: status per kommun och mål{sex_text}", pad=62)
    notes = [NOTE_STATUS]
    if (s["value_area_code"] != s["area_code"]).any():
        notes.append(NOTE_REGION)
    add_footer(fig, [source], notes)
    return fig


def _wrap(text: str, width: int = 34) -> str:
    return "\n".join(textwrap.wrap(text, width)[:3])


def _with_gaps(line: pd.DataFrame) -> pd.DataFrame:
    """Return one series sorted by period, one row per period.

    Gaps are broken where the series is drawn (:func:`helpers.plots.scaffold.with_gaps`,
    which knows the series' own step, so a survey every other year is not cut
    into single points).
    """
    if line.empty:
        return line
    return line.drop_duplicates("period").sort_values("period").reset_index(drop=True)


def goal_trends(
    trends: pd.DataFrame,
    status: pd.DataFrame | None = None,
    axes: Sequence[Axes] | np.ndarray | None = None,
    *,
    sex: str = "totalt",
    show_sexes: bool = True,
    ncols: int = 4,
    source: str = "Källa: Kolada",
    title: str | None = None,
) -> Figure:
    """Draw small multiples, one panel per goal KPI: the area, county, Sweden and similar peers.

    Each panel shows the area (thick blue, with its uncertainty band where
    known), its county, Riket and the mean of its similar kommuner (or
    regions), for ``sex``; with ``show_sexes`` also the area's women and men
    (thin dashed lines). With ``status`` the baseline is marked with a ring and
    the target for 2022 with a star.

    Parameters
    ----------
    trends : pandas.DataFrame
        From :func:`helpers.stats.strategi_compare.trend_data`.
    status : pandas.DataFrame, optional
        From :func:`helpers.stats.strategi.goal_status` for the same area.
    axes : sequence of matplotlib.axes.Axes, optional
        One axes per panel (at least as many as KPIs); a new figure otherwise.
    sex : str
        Sex of the comparison lines.
    show_sexes : bool
        Add the area's women and men where the KPI is divided by sex.
    ncols : int
        Panels per row for a new figure.
    source : str
        Source line.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    labels = _label_order(trends["label"].astype(str))
    if axes is None:
        nrows = max(1, math.ceil(len(labels) / ncols))
        fig, grid = plt.subplots(
            nrows,
            ncols,
            figsize=(3.1 * ncols, 2.55 * nrows + 0.9),
            layout="constrained",
            squeeze=False,
        )
        axes_list = list(grid.ravel())
        for extra in axes_list[len(labels) :]:
            extra.set_visible(False)
    else:
        axes_list = list(np.ravel(axes))
        if len(axes_list) < len(labels):
            raise ValueError(f"need {len(labels)} axes, got {len(axes_list)}")
        fig = axes_list[0].figure
    sexes_used: set[str] = set()
    has_band = False
    for ax, label in zip(axes_list, labels, strict=False):
        d = trends[trends["label"].astype(str) == label]
        present = set(d["sex"])
        main_sex = sex if sex in present else sorted(present)[0]
        for series in ("liknande", "riket", "län", "område"):
            line = _with_gaps(d[(d["series"] == series) & (d["sex"] == main_sex)])
            if line.empty:
                continue
            st = SERIES_STYLE[series]
            gx, gy = with_gaps(line["period"], line["value"])  # no line across missing years
            ax.plot(
                gx,
                gy,
                color=st["color"],
                lw=st["lw"],
                ls=st["ls"],
                zorder=st["zorder"],
                marker="o" if len(line) < 4 or np.isnan(gy).any() else None,
                ms=3,
            )
            if series == "område" and line["ci_lower"].notna().any():
                ax.fill_between(
                    line["period"],
                    line["ci_lower"],
                    line["ci_upper"],
                    color=st["color"],
                    alpha=0.15,
                    lw=0,
                    zorder=2,
                )
                has_band = True
        if show_sexes and main_sex == "totalt":
            for s2 in ("kvinnor", "män"):
                line = _with_gaps(d[(d["series"] == "område") & (d["sex"] == s2)])
                if line.empty:
                    continue
                sexes_used.add(s2)
                ax.plot(
                    *with_gaps(line["period"], line["value"]),
                    color=SEX_COLORS[s2],
                    lw=1.0,
                    ls="--",
                    zorder=4,
                )
        if status is not None:
            r = status[(status["label"].astype(str) == label) & (status["sex"] == main_sex)]
            if len(r):
                r = r.iloc[0]
                if pd.notna(r["baseline"]):
                    ax.plot(
                        [r["baseline_year"]],
                        [r["baseline"]],
                        "o",
                        mfc="none",
                        mec=TEXT_COLOR,
                        ms=7,
                        zorder=6,
                    )
                    if pd.notna(r["target"]):
                        ax.plot(
                            [2022],
                            [
                                r["baseline"]
                                + abs(r["target"]) * goal_file.DIRECTIONS[r["direction"]]
                            ],
                            "*",
                            color=TEXT_COLOR,
                            ms=9,
                            zorder=6,
                        )
                symbol = strategi.STATUS_SYMBOLS[r["status"]]
                ax.text(
                    1.0,
                    1.0,
                    symbol,
                    transform=ax.transAxes,
                    ha="right",
                    va="bottom",
                    fontsize=11,
                    fontweight="bold",
                    color=STATUS_STYLE[r["status"]]["face"]
                    if r["status"] in _COLOURED_SYMBOLS
                    else TEXT_COLOR,
                )
        name = d["short_name"].iloc[0] if len(d) else ""
        ax.set_title(_wrap(f"{label}. {name}"), loc="left", fontsize=8.5, color=TEXT_COLOR)
        unit = d["unit"].iloc[0] if len(d) else ""
        vunit = goal_file.UNITS.get(unit, ("", ""))[0]
        if vunit:
            ax.set_ylabel(vunit, fontsize=7.5, color=MUTED)
        ax.yaxis.set_major_formatter(decimal_comma_formatter(0 if unit == "per 100 000" else 1))
        ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda x, _pos: f"{x:.0f}"))
        ax.tick_params(labelsize=7.5, colors=TEXT_COLOR, length=2)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.grid(axis="y", color="#E5E5E5", lw=0.7)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    handles = [
        Line2D(
            [],
            [],
            color=SERIES_STYLE[k]["color"],
            lw=SERIES_STYLE[k]["lw"],
            ls=SERIES_STYLE[k]["ls"],
            label=v,
        )
        for k, v in SERIES_LABELS.items()
    ]
    handles += [
        Line2D([], [], color=SEX_COLORS[s2], lw=1.0, ls="--", label=f"Kommunen, {s2}")
        for s2 in ("kvinnor", "män")
        if s2 in sexes_used
    ]
    if status is not None:
        handles += [
            Line2D([], [], marker="o", mfc="none", mec=TEXT_COLOR, ls="", label="Basår"),
            Line2D([], [], marker="*", color=TEXT_COLOR, ls="", ms=9, label="Mål 2022"),
        ]
    if has_band:
        handles.append(
            Patch(facecolor=SERIES_STYLE["område"]["color"], alpha=0.15, label="± osäkerhetstal")
        )
    # The legend goes in an empty panel when there is one, else right of the panels: never
    # over the figure title above them or the footer below them.
    spare = [a for a in axes_list[len(labels) :] if not a.get_visible()]
    if spare:
        spare[0].set_visible(True)
        spare[0].axis("off")
        spare[0].legend(
            handles=handles,
            loc="center",
            ncol=1,
            frameon=False,
            fontsize=8,
            labelcolor=TEXT_COLOR,
        )
    else:
        fig.legend(
            handles=handles,
            loc="outside right upper" if fig.get_layout_engine() is not None else "upper right",
            ncol=1,
            frameon=False,
            fontsize=8,
            labelcolor=TEXT_COLOR,
        )
    if title:
        figure_title(fig, title)
    notes = [
        "Symbol uppe till höger: målstatus (✓ nått, ↗ närmare/oförändrat, ✗ försämring, "
        "≈ inom felmarginalen, ≠ ej jämförbar, – data saknas)."
    ]
    add_footer(fig, [source], notes)
    return fig
