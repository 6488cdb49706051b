"""Feature queries for serving layers: bounding-box and property filters (pure)."""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import shapely

from geo.errors import QueryError


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """``"minx,miny,maxx,maxy"`` in degrees → a tuple; None when absent."""
    if text is None or text == "":
        return None
    parts = text.split(",")
    try:
        box = tuple(float(p) for p in parts)
    except ValueError:
        box = ()
    if len(box) != 4 or not all(map(_finite, box)):
        raise QueryError(f'bbox "{text}" is not four numbers minx,miny,maxx,maxy')
    if box[0] > box[2] or box[1] > box[3]:
        raise QueryError(f'bbox "{text}" has a minimum greater than its maximum')
    return box  # type: ignore[return-value]


def matching(
    gdf: gpd.GeoDataFrame,
    *,
    bbox: tuple[float, float, float, float] | None = None,
    equals: Mapping[str, str] | None = None,
) -> gpd.GeoDataFrame:
    """Features intersecting ``bbox`` (lon/lat) whose columns equal ``equals`` (paged in api)."""
    keep = gdf
    if bbox is not None:
        keep = keep[keep.geometry.intersects(shapely.box(*bbox))]
    for column, value in (equals or {}).items():
        if column in keep.columns:
            keep = keep[keep[column].astype(str) == str(value)]
    return keep


def _finite(x: float) -> bool:
    return x == x and abs(x) != float("inf")
