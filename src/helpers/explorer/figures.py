"""The explorer's figures: the chart over time and the county map (matplotlib, no pyplot).

Figures are made with :class:`matplotlib.figure.Figure` (never registered with
pyplot) and shown as PNG (:func:`figure_png`), so the explorer works the same
in JupyterLab, in Voilà and in a plain kernel.
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from helpers.core import geo, lookup
from helpers.core.fmt import SEX_LABELS
from helpers.explorer import explore
from helpers.explorer.specs import IndicatorSpec
from helpers.plots import common as plots
from helpers.plots import maps, scaffold

#: Resolution of the PNG images shown in the explorer (exports use :data:`EXPORT_DPI`).
SCREEN_DPI = 96
EXPORT_DPI = 150


def _short(spec: IndicatorSpec) -> str:
    return spec.label.split(" (")[0]


def _axes(ax: Any, figsize: tuple[float, float]) -> Any:
    """Return ``ax``, or the axes of a new figure not registered with pyplot."""
    return Figure(figsize=figsize, layout="constrained").subplots() if ax is None else ax


def chart_figure(
    comparison_data: pd.DataFrame,
    spec: IndicatorSpec,
    kommun: str,
    sex: str,
    period: int | None = None,
    ax: Any = None,
) -> Figure:
    """Draw the kommun against its comparisons over time, with confidence intervals.

    Parameters
    ----------
    comparison_data : pandas.DataFrame
        Output of :func:`helpers.explorer.explore.comparison_frame`.
    spec : IndicatorSpec
        Indicator (axis label, title).
    kommun : str
        Kommun code (drawn thickest).
    sex : str
        Sex shown.
    period : int, optional
        Selected period, marked with a dotted vertical line.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure (not registered with pyplot) otherwise.

    Returns
    -------
    matplotlib.figure.Figure
    """
    ax = _axes(ax, (8.0, 4.8))
    title = f"{_short(spec)} – {lookup.area_name(kommun)}"
    fig = plots.timeseries(
        explore.chart_frame(comparison_data), kommun, ax=ax, sexes=(sex,), title=title
    )
    ax.set_ylabel(spec.axis_label)
    peers = comparison_data[comparison_data["role"] == "liknande"]
    if len(peers):
        scaffold.add_footer(
            fig,
            [],
            [
                f"{peers['area_name'].iloc[0]}: oviktat medelvärde av de liknande kommunernas "
                "värden (Koladas grupp Liknande kommuner socioekonomi); osäkerheten är inte beräknad."
            ],
        )
    if comparison_data["period"].nunique() <= 8:  # few periods (surveys): show the points
        for line in ax.get_lines():
            if str(line.get_gid() or "").startswith("line-"):
                line.set_marker("o")
                line.set_markersize(4)
    if period is not None:
        ax.axvline(int(period), color="#9E9E9E", lw=1.0, ls=":", zorder=0, gid="vald-period")
    return fig


def map_figure(
    map_data: pd.DataFrame,
    spec: IndicatorSpec,
    lan_code: str,
    kommun: str,
    ax: Any = None,
) -> Figure:
    """Draw the county's kommuner in one period, the selected kommun outlined.

    Parameters
    ----------
    map_data : pandas.DataFrame
        Output of :func:`helpers.explorer.explore.map_frame`.
    spec : IndicatorSpec
        Indicator (title, unit).
    lan_code : str
        County.
    kommun : str
        Kommun to outline.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure (not registered with pyplot) otherwise.

    Returns
    -------
    matplotlib.figure.Figure
    """
    ax = _axes(ax, (6.6, 5.8))
    shapes = geo.join_kommuner(map_data, lan_code)
    title = _short(spec)
    if len(map_data):
        sex = str(map_data["sex"].iloc[0])
        title += f", {SEX_LABELS.get(sex, sex).lower()} {map_data['period_label'].iloc[0]}"
    return maps.choropleth(shapes, highlight=kommun, ax=ax, title=title, unit=spec.unit)


def figure_png(fig: Figure, dpi: int = SCREEN_DPI) -> bytes:
    """Return a figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
