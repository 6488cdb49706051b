"""Vectorised spatial measures on shapely 2 geometries in a metric CRS (metres in, km out).

Real commune boundaries are not a clean coverage (neighbours overlap, gaps lie between them,
another source's border line lies 1-8 km off), so a point is counted in exactly one commune by
:func:`assign_points`:

1. **inside**: the point lies in one commune (on its boundary counts as in it);
2. **overlap**: it lies in several; it goes to the one whose interior point
   (``shapely.point_on_surface``) is nearest, ties to the first in layer order;
3. **nearest**: it lies in none (a gap, or just outside); it goes to the commune whose
   outline is nearest, if that is within ``tolerance_m`` (default 2 km);
4. **unassigned**: farther than that from every commune; it is counted nowhere (and the ingest
   report names it).
"""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

M_PER_KM = 1000.0
#: How far outside every commune (m) a point is still counted in the nearest one.
ASSIGN_TOLERANCE_M = 2000.0
INSIDE, OVERLAP, NEAREST, UNASSIGNED = "inside", "overlap", "nearest", "unassigned"
ASSIGN_RULES = (INSIDE, OVERLAP, NEAREST, UNASSIGNED)


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


def assign_points(
    polygons: ArrayLike, points: ArrayLike, *, tolerance_m: float = ASSIGN_TOLERANCE_M
) -> tuple[NDArray[np.int64], NDArray[np.object_], NDArray[np.float64]]:
    """The one polygon each point counts in (-1: none), the rule used, and the distance, m.

    Rules, in order: inside one polygon; in an overlap, the polygon whose interior point is
    nearest; in a gap or outside, the nearest polygon within ``tolerance_m``; else none
    (see the module docstring). Missing, empty or non-finite points are "unassigned".
    """
    polys, pts = _geoms(polygons), _geoms(points)
    owner = np.full(len(pts), -1, dtype=np.int64)
    rule = np.full(len(pts), UNASSIGNED, dtype=object)
    dist = np.full(len(pts), np.inf)
    present = np.isfinite(shapely.bounds(pts)).all(axis=1) if len(pts) else owner < 0
    if len(pts) == 0 or len(polys) == 0 or not present.any():
        return owner, rule, dist
    tree = shapely.STRtree(polys)
    ipt, ipoly = tree.query(np.where(present, pts, None), predicate="intersects")
    hits = np.bincount(ipt, minlength=len(pts))
    anchor = shapely.distance(pts[ipt], shapely.point_on_surface(polys)[ipoly])
    order = np.lexsort((ipoly, anchor, ipt))
    first = order[np.r_[True, ipt[order][1:] != ipt[order][:-1]]] if len(order) else order
    owner[ipt[first]] = ipoly[first]
    dist[ipt[first]] = 0.0
    rule[hits == 1], rule[hits > 1] = INSIDE, OVERLAP
    rest = np.flatnonzero(present & (hits == 0))
    if rest.size:
        near_pt, near_poly = tree.query_nearest(pts[rest], max_distance=tolerance_m)
        taken = rest[near_pt]
        owner[taken] = near_poly
        dist[taken] = shapely.distance(pts[taken], polys[near_poly])
        rule[taken] = NEAREST
        far = rest[~np.isin(np.arange(rest.size), near_pt)]
        dist[far] = shapely.distance(pts[far], shapely.union_all(polys))
    return owner, rule, dist


def weighted_points_within(
    polygons: ArrayLike,
    points: ArrayLike,
    weights: ArrayLike | None = None,
    *,
    distance_m: float = 0.0,
    tolerance_m: float = ASSIGN_TOLERANCE_M,
) -> NDArray[np.float64]:
    """Sum of point ``weights`` (default 1) in each polygon, or within ``distance_m`` of it.

    With ``distance_m`` 0 every point counts in exactly one polygon (:func:`assign_points`,
    up to ``tolerance_m`` outside); with a distance, in every polygon within it and in the one
    it counts in, so the sum within a distance is never below the sum inside.
    """
    polys, pts = _geoms(polygons), _geoms(points)
    w = np.ones(len(pts)) if weights is None else np.asarray(weights, dtype=float)
    if len(pts) == 0:
        return np.zeros(len(polys))
    owner, _, _ = assign_points(polys, pts, tolerance_m=tolerance_m)
    ipt = np.flatnonzero(owner >= 0)
    ipoly = owner[ipt]
    if distance_m > 0:
        near_poly, near_pt = shapely.STRtree(pts).query(
            polys, predicate="dwithin", distance=distance_m
        )
        pairs = np.unique(np.stack([np.r_[ipoly, near_poly], np.r_[ipt, near_pt]]), axis=1)
        ipoly, ipt = pairs
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
