"""Vectorised spatial measures on shapely 2 geometries in a metric CRS (metres in, km out)."""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

M_PER_KM = 1000.0


def _geoms(values: ArrayLike) -> NDArray[np.object_]:
    return np.asarray(getattr(values, "values", values), dtype=object)


def distance_to_km(polygons: ArrayLike, targets: ArrayLike) -> NDArray[np.float64]:
    """Distance from each polygon to the nearest target geometry, km (0 if they touch)."""
    polys, union = _geoms(polygons), shapely.union_all(_geoms(targets))
    if shapely.is_empty(union):
        return np.full(len(polys), np.inf)
    return shapely.distance(polys, union) / M_PER_KM


def length_inside_km(
    polygons: ArrayLike, lines: ArrayLike, *, tolerance_m: float = 50.0
) -> NDArray[np.float64]:
    """Length of ``lines`` inside or along each polygon (within ``tolerance_m``), km."""
    polys, union = _geoms(polygons), shapely.union_all(_geoms(lines))
    if shapely.is_empty(union):
        return np.zeros(len(polys))
    grown = shapely.buffer(polys, tolerance_m)
    return shapely.length(shapely.intersection(grown, union)) / M_PER_KM


def distance_matrix_km(polygons: ArrayLike, points: ArrayLike) -> NDArray[np.float64]:
    """Distances from every polygon (rows) to every point (columns), km; 0 for points inside."""
    polys, pts = _geoms(polygons), _geoms(points)
    return shapely.distance(polys[:, None], pts[None, :]) / M_PER_KM


def weighted_points_within(
    polygons: ArrayLike,
    points: ArrayLike,
    weights: ArrayLike | None = None,
    *,
    distance_m: float = 0.0,
) -> NDArray[np.float64]:
    """Sum of point ``weights`` (default 1) inside or within ``distance_m`` of each polygon."""
    polys, pts = _geoms(polygons), _geoms(points)
    w = np.ones(len(pts)) if weights is None else np.asarray(weights, dtype=float)
    if len(pts) == 0:
        return np.zeros(len(polys))
    tree = shapely.STRtree(pts)
    if distance_m > 0:
        ipoly, ipt = tree.query(polys, predicate="dwithin", distance=distance_m)
    else:
        ipoly, ipt = tree.query(polys, predicate="intersects")
    return np.bincount(ipoly, weights=w[ipt], minlength=len(polys))


def area_share(polygons: ArrayLike, cover: ArrayLike) -> NDArray[np.float64]:
    """Share (0-1) of each polygon's area covered by the union of ``cover`` polygons."""
    polys, union = _geoms(polygons), shapely.union_all(_geoms(cover))
    area = shapely.area(polys)
    covered = (
        np.zeros(len(polys))
        if shapely.is_empty(union)
        else shapely.area(shapely.intersection(polys, union))
    )
    return np.divide(covered, area, out=np.zeros(len(polys)), where=area > 0)


def area_km2(polygons: ArrayLike) -> NDArray[np.float64]:
    """Area of each polygon, km²."""
    return shapely.area(_geoms(polygons)) / M_PER_KM**2
