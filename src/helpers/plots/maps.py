"""County maps (choropleths) with honest uncertainty: weak estimates are never coloured as solid.

:func:`choropleth` colours kommuner in classes (``mapclassify``); values
flagged ``osäker`` are grey and hatched, missing values white, and the legend
and footer say which is which (:mod:`helpers.plots.scaffold`).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence

import geopandas as gpd
import mapclassify
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from shapely.geometry.polygon import orient

from helpers.core import indicators
from helpers.core.errors import DataError
from helpers.core.fmt import num
from helpers.plots.scaffold import (
    LABEL_MISSING,
    LABEL_UNCERTAIN,
    MAP_CMAP,
    MISSING_FACE,
    NOTE_NOT_ASSESSED,
    NOTE_UNCERTAIN_MAP,
    UNCERTAIN_FACE,
    UNCERTAIN_HATCH,
    UNCERTAIN_HATCH_COLOR,
    add_footer,
    indicator_name,
    legend,
    new_axes,
    not_assessed,
    sex_label,
    sources,
)
from helpers.plots.scaffold import title as set_title

_SCHEME_NAMES = {
    "FisherJenks": "naturliga brytpunkter (Fisher–Jenks)",
    "Quantiles": "kvantiler",
    "EqualInterval": "lika breda klasser",
}


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
    fig, ax = new_axes(ax, (7.4, 6.6))
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
    if not_assessed(flagged):
        notes.append(NOTE_NOT_ASSESSED)
    ax.autoscale_view()
    ax.set_aspect("equal")
    ax.set_axis_off()
    if title is None:
        title = indicator_name(gdf) if "indicator" in gdf.columns else str(column)
        sexes = gdf.loc[ok, "sex"].dropna().unique() if "sex" in gdf.columns else []
        labels = gdf.loc[ok, "period_label"].dropna().unique() if "period_label" in gdf else []
        if len(sexes) == 1:
            title += f", {sex_label(str(sexes[0])).lower()}"
        if len(labels) == 1:
            title += f" {labels[0]}"
    set_title(ax, title)
    legend(
        ax,
        handles,
        loc="upper left",
        bbox_to_anchor=(0.98, 1.0),
        title=unit.capitalize() if unit else None,
        title_fontsize=8.5,
        alignment="left",
    )
    add_footer(fig, sources(gdf), notes)
    return fig
