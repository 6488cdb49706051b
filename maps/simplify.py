"""Lighter commune polygons for web maps: topology-preserving simplification and rounding."""

from __future__ import annotations

import logging
import math

import geopandas as gpd
import numpy as np
import shapely

from geo.crs import STORAGE_CRS, to_metric

logger = logging.getLogger(__name__)

#: Coordinates are rounded to 1e-5 degrees (about 1 m) in the map file.
PRECISION_DEG = 1e-5
#: Simplification never goes below 10 m nor above 200 m, whatever the extent.
MIN_TOLERANCE_M, MAX_TOLERANCE_M = 10.0, 200.0
#: Detail is kept for this many zoom levels beyond the one that fits the whole map.
DETAIL_ZOOMS = 3
_TILE_M = 156_543.034  # metres per pixel at zoom 0 on the equator (Web Mercator)


def fit_zoom(bounds: tuple[float, float, float, float], *, width_px: int = 1000) -> int:
    """Web-map zoom (0-18) at which lon/lat ``bounds`` fit ``width_px`` pixels."""
    west, south, east, north = bounds
    span = max(east - west, (north - south) / max(math.cos(math.radians((north + south) / 2)), 0.1))
    if span <= 0:
        return 18
    return int(np.clip(math.floor(math.log2(360 * width_px / 256 / span)), 0, 18))


def tolerance_for_zoom(zoom: int, latitude: float) -> float:
    """Simplification tolerance (m): one screen pixel at ``zoom`` and ``latitude``, clamped."""
    metres = _TILE_M * math.cos(math.radians(latitude)) / 2**zoom
    return float(np.clip(metres, MIN_TOLERANCE_M, MAX_TOLERANCE_M))


def map_tolerance(communes: gpd.GeoDataFrame) -> float:
    """Tolerance (m) keeping pixel detail :data:`DETAIL_ZOOMS` levels past the fitting zoom."""
    bounds = tuple(communes.to_crs(STORAGE_CRS).total_bounds)
    return tolerance_for_zoom(fit_zoom(bounds) + DETAIL_ZOOMS, (bounds[1] + bounds[3]) / 2)


def simplify_coverage(
    communes: gpd.GeoDataFrame, tolerance_m: float | None = None
) -> gpd.GeoDataFrame:
    """Communes (EPSG:4326) simplified to ``tolerance_m`` without gaps or slivers between them.

    Uses ``shapely.coverage_simplify`` in a metric CRS, so shared edges are simplified once and
    stay shared; coordinates are then rounded to :data:`PRECISION_DEG`. A layer that is not a
    valid coverage (overlaps, mismatched edges) is simplified polygon by polygon instead, keeping
    each one valid (real outlines never are a clean coverage: the ingest report says so once,
    so here it is only a debug line).
    """
    tolerance = map_tolerance(communes) if tolerance_m is None else float(tolerance_m)
    metric = to_metric(communes)
    geoms = shapely.set_precision(metric.geometry.to_numpy(), 0.01)
    if shapely.coverage_is_valid(geoms):
        simple = shapely.coverage_simplify(geoms, tolerance)
    else:
        logger.debug("communes do not form a clean coverage; simplifying each one on its own")
        simple = shapely.simplify(geoms, tolerance, preserve_topology=True)
    out = metric.set_geometry(gpd.GeoSeries(simple, index=metric.index, crs=metric.crs))
    out = out.to_crs(STORAGE_CRS)
    before = out.geometry.to_numpy()
    rounded = shapely.set_precision(before, PRECISION_DEG)
    collapsed = shapely.is_empty(rounded) & ~shapely.is_empty(before)
    rounded[collapsed] = before[collapsed]  # a commune smaller than 1 m keeps its coordinates
    return out.set_geometry(gpd.GeoSeries(rounded, index=out.index, crs=STORAGE_CRS))
