"""Geometry checks: invalid polygons repaired with ``make_valid``; commune overlaps and gaps.

Areas are measured in the metric CRS chosen from the data's extent (see :mod:`geo.crs`) and
reported in hectares.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from geo.crs import to_metric
from geo.report import WARNING, Problem
from geo.schema import row_numbers

#: Overlaps and gaps smaller than this (m²) are digitising noise and not reported.
MIN_REPORTED_M2 = 1.0


def repair(gdf: gpd.GeoDataFrame, polygonal: bool) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """``gdf`` with invalid geometries made valid (polygon layers keep polygon parts only)."""
    geoms = gdf.geometry.to_numpy()
    present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    invalid = present & ~shapely.is_valid(geoms)
    if not invalid.any():
        return gdf, []
    reasons = shapely.is_valid_reason(geoms[invalid])
    fixed = shapely.make_valid(geoms[invalid])
    if polygonal:
        fixed = np.array([_polygonal(g) for g in fixed], dtype=object)
    geoms = geoms.copy()
    geoms[invalid] = fixed
    problems = [
        Problem(
            f"invalid geometry ({reason}) repaired with make_valid",
            int(row),
            "geometry",
            severity=WARNING,
        )
        for row, reason in zip(row_numbers(gdf)[invalid], reasons, strict=True)
    ]
    out = gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))
    return out, problems


def _polygonal(geom):
    """The polygon parts of a ``make_valid`` result (drops stray lines and points)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def coverage_problems(communes: gpd.GeoDataFrame) -> list[Problem]:
    """Warnings for communes that overlap each other and for gaps between them, with areas."""
    present = communes[~(communes.geometry.isna() | communes.geometry.is_empty)]
    if len(present) < 2:
        return []
    metric = to_metric(present)
    geoms = metric.geometry.to_numpy()
    rows = row_numbers(present)
    codes = present.get("commune_code", present.index.to_series()).astype(str).to_numpy()
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pairs = left < right
    areas = shapely.area(shapely.intersection(geoms[left[pairs]], geoms[right[pairs]]))
    problems = [
        Problem(
            f"overlaps commune {codes[j]} (row {rows[j]}) by {area / 1e4:.2f} ha",
            int(rows[i]),
            "geometry",
            severity=WARNING,
        )
        for i, j, area in zip(left[pairs], right[pairs], areas, strict=True)
        if area >= MIN_REPORTED_M2
    ]
    return problems + _gaps(metric)


def _gaps(metric: gpd.GeoDataFrame) -> list[Problem]:
    union = shapely.union_all(metric.geometry.to_numpy())
    holes = [
        shapely.Polygon(ring)
        for part in shapely.get_parts(union)
        if part.geom_type == "Polygon"
        for ring in part.interiors
    ]
    holes = [h for h in holes if h.area >= MIN_REPORTED_M2]
    if not holes:
        return []
    points = gpd.GeoSeries([h.representative_point() for h in holes], crs=metric.crs)
    lonlat = points.to_crs("EPSG:4326")
    return [
        Problem(
            f"gap of {hole.area / 1e4:.2f} ha between communes near longitude "
            f"{p.x:.5f}, latitude {p.y:.5f} (no commune covers it)",
            column="geometry",
            severity=WARNING,
        )
        for hole, p in zip(holes, lonlat, strict=True)
    ]
