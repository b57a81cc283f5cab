"""The at-a-glance spine chart of a kommun report (after PHE Fingertips' spine chart).

One row per indicator: on the left the indicator, its period and the values
of the kommun, the county and Riket as text; in the middle the "spine": the
benchmark (county or Riket, stated in the title) is the centre line, the grey
bar spans the county's kommuner from lowest to highest, and the kommun's
marker is placed on it with better always to the right. The marker's **shape
and colour** both say the significance against the benchmark (so the chart
reads in greyscale and for colour-blind readers: Okabe–Ito colours), hollow
when the value is flagged ``osäker``; on the right the trend in words.

The chart takes the overview table of :func:`helpers.stats.benchmark.overview`
with reader's names and display columns added by the caller; it computes no
statistics itself.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from helpers.plots import scaffold
from helpers.stats import benchmark as bm

#: Marker (shape, face colour) per significance category: shape alone tells them apart.
MARKERS: dict[str, tuple[str, str]] = {
    bm.BETTER: ("^", scaffold.OKABE_ITO["blue"]),
    bm.WORSE: ("v", scaffold.OKABE_ITO["vermillion"]),
    bm.HIGHER: (">", scaffold.OKABE_ITO["reddish_purple"]),
    bm.LOWER: ("<", scaffold.OKABE_ITO["reddish_purple"]),
    bm.SAME: ("o", "#FFFFFF"),
    bm.NOT_COMPARED: ("D", "#BFBFBF"),
    bm.MISSING: ("x", "#7F7F7F"),
}
RANGE_COLOR = "#D9D9D9"
OTHER_REF_COLOR = scaffold.OKABE_ITO["orange"]
ROW_HEIGHT = 0.42


def markers(palette: Mapping[str, str] | None = None) -> dict[str, tuple[str, str]]:
    """Return the marker (shape, face colour) per category, with a palette's colours.

    ``palette`` maps ``better``, ``worse``, ``no_direction``, ``same`` and
    ``not_compared`` to colours (:data:`helpers.config.theme.PALETTES`); the shapes
    never change, so the chart reads in greyscale whatever the palette.
    """
    if not palette:
        return dict(MARKERS)
    roles = {
        bm.BETTER: "better",
        bm.WORSE: "worse",
        bm.HIGHER: "no_direction",
        bm.LOWER: "no_direction",
        bm.SAME: "same",
        bm.NOT_COMPARED: "not_compared",
    }
    return {c: (shape, palette.get(roles.get(c, ""), face)) for c, (shape, face) in MARKERS.items()}


def spine_chart(
    rows: pd.DataFrame,
    legend_words: Mapping[str, str],
    *,
    title: str,
    other_ref_label: str,
    sources: Iterable[str] = (),
    notes: Iterable[str] = (),
    palette: Mapping[str, str] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Draw the spine chart.

    Parameters
    ----------
    rows : pandas.DataFrame
        One row per indicator and sex, in display order, with ``label``
        (indicator name), ``period_label``, ``value_text``, ``county_text``,
        ``riket_text``, ``trend_text``, ``significance``, ``flag`` and the
        positions of :func:`helpers.stats.benchmark.spine_position`
        (``x_value``, ``x_min``, ``x_max``, ``x_other``: the reference that is
        not the benchmark).
    legend_words : mapping
        Significance category to its legend text ("Säkert bättre än länet").
    title : str
        Chart title (names the kommun and the benchmark).
    other_ref_label : str
        Legend text of the other reference ("Riket").
    sources, notes : iterable of str
        Footer lines (:func:`helpers.plots.scaffold.add_footer`).
    palette : mapping, optional
        Colours by role (:data:`helpers.config.theme.PALETTES`; default Okabe–Ito).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (a new figure otherwise).

    Returns
    -------
    matplotlib.figure.Figure
    """
    marks = markers(palette)
    range_color = (palette or {}).get("range", RANGE_COLOR)
    other_color = (palette or {}).get("other_ref", OTHER_REF_COLOR)
    n = len(rows)
    height = 1.9 + ROW_HEIGHT * max(n, 1)
    fig, ax = scaffold.new_axes(ax, (12.5, height))
    ax.set_xlim(-5.15, 2.5)
    ax.set_ylim(n - 0.4, -1.1)
    ax.axis("off")
    # Column headings (x in data units; the spine spans -1 … 1).
    cols = {
        "label": (-5.1, "left", "Indikator"),
        "period": (-2.9, "left", "Period"),
        "value": (-1.75, "right", "Kommunen"),
        "county": (-1.45, "right", "Länet"),
        "riket": (-1.15, "right", "Riket"),
        "trend": (1.15, "left", "Utveckling i kommunen"),
    }
    for x, ha, text in cols.values():
        ax.text(
            x,
            -0.9,
            text,
            ha=ha,
            va="center",
            fontsize=8.5,
            fontweight="bold",
            color=scaffold.TEXT_COLOR,
        )
    ax.text(-1.0, -0.9, "Sämre", ha="left", va="center", fontsize=8.5, color=scaffold.MUTED)
    ax.text(1.0, -0.9, "Bättre", ha="right", va="center", fontsize=8.5, color=scaffold.MUTED)
    ax.plot([0, 0], [-0.6, n - 0.5], color=scaffold.TEXT_COLOR, lw=1.2, zorder=2)
    for i, r in enumerate(rows.itertuples(index=False)):
        if i % 2 == 0:
            ax.axhspan(i - 0.5, i + 0.5, xmin=0, xmax=1, color="#F4F4F4", zorder=0, lw=0)
        # One text per column, at the heading's position and alignment.
        cells = (
            (
                "label",
                textwrap.fill(str(r.label), 50, break_on_hyphens=False),
                {"linespacing": 0.95},
            ),
            ("period", str(r.period_label), {}),
            ("value", str(r.value_text), {"fontweight": "bold"}),
            ("county", str(r.county_text), {}),
            ("riket", str(r.riket_text), {}),
            ("trend", str(r.trend_text), {"fontsize": 8.0}),
        )
        for key, text, style in cells:
            x, ha, _ = cols[key]
            style = {"fontsize": 8.5, "color": scaffold.TEXT_COLOR} | style
            ax.text(x, i, text, ha=ha, va="center", **style)
        if np.isfinite(r.x_min) and np.isfinite(r.x_max):
            ax.barh(i, r.x_max - r.x_min, left=r.x_min, height=0.45, color=range_color, zorder=1)
        if np.isfinite(r.x_other):
            ax.plot(r.x_other, i, marker="|", ms=13, mew=2.2, color=other_color, zorder=3)
        shape, face = marks.get(str(r.significance), marks[bm.MISSING])
        if np.isfinite(r.x_value):
            hollow = str(r.flag) == "osäker"
            ax.plot(
                r.x_value,
                i,
                marker=shape,
                ms=10,
                mec=scaffold.TEXT_COLOR,
                mew=1.1,
                mfc="none" if hollow else face,
                zorder=4,
                ls="none",
            )
    used = [
        c for c in marks if c in set(rows["significance"]) and c in legend_words and c != bm.MISSING
    ]
    handles = [
        Line2D(
            [],
            [],
            marker=marks[c][0],
            ls="none",
            ms=9,
            mec=scaffold.TEXT_COLOR,
            mfc=marks[c][1],
            label=legend_words[c],
        )
        for c in used
    ]
    handles += [
        Line2D([], [], color=scaffold.TEXT_COLOR, lw=1.2, label=legend_words.get("benchmark", "")),
        Line2D(
            [],
            [],
            marker="|",
            ls="none",
            ms=12,
            mew=2.2,
            color=other_color,
            label=other_ref_label,
        ),
        Patch(color=range_color, label="Länets kommuner, lägst–högst"),
    ]
    if (rows["flag"] == "osäker").any():
        handles.append(scaffold.hollow_handle())
    scaffold.title(ax, title, pad=4)
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.0, 0.0),
        ncol=3,
        frameon=False,
        fontsize=8.5,
        labelcolor=scaffold.TEXT_COLOR,
    )
    scaffold.add_footer(fig, list(sources), list(notes))
    return fig
