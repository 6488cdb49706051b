"""Geometry checks: invalid polygons repaired with ``make_valid``; commune overlaps and gaps.

Areas are measured in the metric CRS chosen from the data's extent (see :mod:`geo.crs`) and
reported in hectares.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from geo.crs import to_metric
from geo.report import WARNING, Problem
from geo.schema import row_numbers

#: Overlaps and gaps smaller than this (m²) are digitising noise and not reported.
MIN_REPORTED_M2 = 1.0
#: Overlaps (and gaps) named one by one in a report, largest first; the rest are counted.
LISTED = 10


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


@dataclass(frozen=True)
class Coverage:
    """Overlaps and gaps between communes: how many, and the warnings that list the largest."""

    overlaps: int
    gaps: int
    problems: list[Problem]


def coverage_problems(communes: gpd.GeoDataFrame, *, listed: int = LISTED) -> Coverage:
    """Overlaps and gaps between communes, ha: counted, and the ``listed`` largest of each named.

    Real outlines overlap and leave gaps by the thousand in a province; a line per pair would
    bury every other warning, so each kind is one summary line plus its largest cases.
    """
    present = communes[~(communes.geometry.isna() | communes.geometry.is_empty)]
    if len(present) < 2:
        return Coverage(0, 0, [])
    metric = to_metric(present)
    geoms = metric.geometry.to_numpy()
    rows = row_numbers(present)
    codes = present.get("commune_code", present.index.to_series()).astype(str).to_numpy()
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pairs = left < right
    left, right = left[pairs], right[pairs]
    areas = shapely.area(shapely.intersection(geoms[left], geoms[right]))
    kept = np.flatnonzero(areas >= MIN_REPORTED_M2)
    largest = kept[np.argsort(-areas[kept], kind="stable")][:listed]
    problems = _summary("pairs of communes overlap", areas[kept], listed)
    problems += [
        Problem(
            f"overlaps commune {codes[right[k]]} (row {rows[right[k]]}) by {areas[k] / 1e4:.2f} ha",
            int(rows[left[k]]),
            "geometry",
            severity=WARNING,
        )
        for k in largest
    ]
    gaps, gap_problems = _gaps(metric, listed)
    return Coverage(len(kept), gaps, problems + gap_problems)


def _summary(what: str, areas: np.ndarray, listed: int) -> list[Problem]:
    """One line counting all cases when there are more than ``listed`` of them."""
    if len(areas) <= listed:
        return []
    return [
        Problem(
            f"{len(areas)} {what}, {areas.sum() / 1e4:.0f} ha in all (real boundaries are not a "
            f"clean coverage); the {listed} largest are listed",
            column="geometry",
            severity=WARNING,
        )
    ]


def _gaps(metric: gpd.GeoDataFrame, listed: int) -> tuple[int, list[Problem]]:
    union = shapely.union_all(metric.geometry.to_numpy())
    holes = [
        shapely.Polygon(ring)
        for part in shapely.get_parts(union)
        if part.geom_type == "Polygon"
        for ring in part.interiors
    ]
    holes = sorted((h for h in holes if h.area >= MIN_REPORTED_M2), key=lambda h: -h.area)
    if not holes:
        return 0, []
    shown = holes[:listed]
    points = gpd.GeoSeries([h.representative_point() for h in shown], crs=metric.crs)
    lonlat = points.to_crs("EPSG:4326")
    summary = _summary("gaps between communes", np.array([h.area for h in holes]), listed)
    return len(holes), summary + [
        Problem(
            f"gap of {hole.area / 1e4:.2f} ha between communes near longitude "
            f"{p.x:.5f}, latitude {p.y:.5f} (no commune covers it)",
            column="geometry",
            severity=WARNING,
        )
        for hole, p in zip(shown, lonlat, strict=True)
    ]
