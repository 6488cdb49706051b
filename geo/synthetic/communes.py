"""Synthetic communes: Voronoi cells of uneven size, grouped into districts, thinned one by one."""

from __future__ import annotations

import heapq

import geopandas as gpd
import numpy as np
import shapely
from numpy.random import Generator

from geo.synthetic.landscape import Land, bell, metric_frame, remoteness, thin, uniform_in
from geo.synthetic.names import NameBook, realistic_names

PROVINCE_NAME = "Biên Hải"

_AREA_KM2 = (1.5, 450.0)
_SPACING_M = (1500.0, 17_000.0)  # seed spacing in the delta and on the mountain border


def _spacing(land: Land, xy: np.ndarray) -> np.ndarray:
    """Seed spacing (m): small delta and town communes, large mountain ones along the border."""
    gap = np.hypot(*(xy[:, None, :] - land.towns).transpose(2, 0, 1)).min(axis=1)
    near_town = bell(gap, 0.0, 5000.0)
    d_border = shapely.distance(land.border, shapely.points(xy))
    upland = 0.7 * remoteness(xy[:, 0], xy[:, 1]) + 0.6 * np.exp(-d_border / 15_000.0)
    low, high = _SPACING_M
    return low * (high / low) ** np.clip(upland, 0, 1) * (1 - 0.5 * near_town)


def _commune_cells(rng: Generator, land: Land) -> np.ndarray:
    """Voronoi commune polygons covering the province, 1.5-450 km²: many small in the delta."""
    candidates = uniform_in(rng, land.province, 30_000)
    spacing = _spacing(land, candidates)
    keep = rng.uniform(size=len(spacing)) < np.clip((3 * _SPACING_M[0] / spacing) ** 2, 0.03, 1)
    seeds = thin(candidates[keep], spacing[keep], land.towns)
    for _ in range(60):
        cells = _clip_cells(land.province, seeds)
        area = shapely.area(cells) / 1e6
        small, large = area < _AREA_KM2[0], area > _AREA_KM2[1]
        if not (small.any() or large.any()) and shapely.coverage_is_valid(cells):
            return cells
        extra = [uniform_in(rng, cell, 200)[0] for cell in cells[large]]
        seeds = np.vstack([seeds[~small], *extra]) if extra else seeds[~small]
    raise RuntimeError(f"communes did not settle into a coverage of {_AREA_KM2} km² polygons")


def _clip_cells(province: shapely.Polygon, seeds: np.ndarray) -> np.ndarray:
    """Voronoi cells of ``seeds`` clipped to ``province``; detached slivers join a neighbour."""
    diagram = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=province, ordered=True)
    clipped = shapely.intersection(shapely.get_parts(diagram), province)
    parts, owner = shapely.get_parts(clipped, return_index=True)
    main = shapely.intersects(parts, shapely.points(seeds[owner]))
    for i in np.flatnonzero(~main):
        shared = shapely.length(shapely.intersection(parts[i].boundary, parts[main].boundary))
        if shared.max() > 0:
            owner[i] = owner[main][np.argmax(shared)]
    cells = np.empty(len(seeds), dtype=object)
    for k in range(len(seeds)):
        own = parts[owner == k]
        cells[k] = own[0] if len(own) == 1 else shapely.coverage_union_all(own)
    return cells


def draw_communes(
    rng: Generator, names: NameBook, land: Land
) -> tuple[gpd.GeoDataFrame, np.ndarray, list[np.ndarray]]:
    """Communes (codes, names, districts, rates; outlines thinned on their own), clean cells, edges.

    The clean cells (a coverage, islands joined to coastal communes) are the generator's truth;
    the frame's outlines overlap and leave gaps like real boundaries thinned one by one. Metres.
    """
    cells = _with_islands(_commune_cells(rng, land), land.islands)
    anchor = shapely.get_coordinates(shapely.point_on_surface(cells))
    town_cell = containing(cells, land.towns)
    neighbours = _neighbours(cells)
    district = _districts(neighbours, anchor, land.towns, town_cell)
    near_city = np.hypot(*(anchor - land.towns[0]).T) < 6000.0
    prefix = np.where((district == 0) & near_city, "Phường ", "Xã ").astype(object)
    prefix[town_cell] = ["Phường ", *["Thị trấn "] * (len(town_cell) - 1)]
    order = np.lexsort((anchor[:, 0], -anchor[:, 1], district))
    rank = np.argsort(order)
    cells, anchor, district, prefix = cells[order], anchor[order], district[order], prefix[order]
    neighbours = [rank[neighbours[i]] for i in order]
    upland = remoteness(anchor[:, 0], anchor[:, 1])
    heads = ["Thành phố ", *["Huyện "] * (len(land.towns) - 1)]
    districts = [
        h + names.take(u > 0.55) for h, u in zip(heads, remoteness(*land.towns.T), strict=True)
    ]
    stems = realistic_names(rng, [names.take(u > 0.55) for u in upland], district, prefix)
    frame = metric_frame(
        {
            "commune_code": [f"9{i:04d}" for i in range(1, len(cells) + 1)],
            "commune_name": [p + stem for p, stem in zip(prefix, stems, strict=True)],
            "district_name": [districts[k] for k in district],
            "province_name": PROVINCE_NAME,
            **_rates(rng, land, anchor, prefix != "Xã "),
        },
        thinned_one_by_one(rng, cells),
    )
    return frame.assign(area_km2=frame.area / 1e6), cells, neighbours


def _rates(rng: Generator, land: Land, anchor: np.ndarray, urban: np.ndarray) -> dict:
    """Published poverty and minority shares (0-1): upland gradients plus survey noise."""
    upland = remoteness(anchor[:, 0], anchor[:, 1])
    near_border = np.exp(-shapely.distance(land.border, shapely.points(anchor)) / 10_000.0)
    poverty = 0.03 + 0.4 * upland**1.5 + 0.08 * near_border + rng.normal(0, 0.05, len(anchor))
    minority = 0.04 + 0.9 * upland**2 + rng.normal(0, 0.06, len(anchor))
    return {
        "poverty_rate": np.round(np.clip(poverty, 0.01, 0.85) * np.where(urban, 0.35, 1), 3),
        "ethnic_minority_share": np.round(
            np.clip(minority, 0.0, 0.99) * np.where(urban, 0.5, 1), 3
        ),
    }


def _with_islands(cells: np.ndarray, islands: np.ndarray) -> np.ndarray:
    """``cells`` with each island joined to the nearest commune (a MultiPolygon); metres."""
    cells = cells.copy()
    for island in islands:
        k = int(np.argmin(shapely.distance(cells, island)))
        cells[k] = shapely.MultiPolygon([*shapely.get_parts(cells[k]), island])
    return cells


def thinned_one_by_one(rng: Generator, cells: np.ndarray) -> np.ndarray:
    """Each outline grown or shrunk (10-80 m) and simplified on its own: overlaps and gaps."""
    size = np.sqrt(shapely.area(cells))  # metres
    grow = np.clip(rng.normal(0.0, 1.0, len(cells)), -2, 2) * np.clip(0.005 * size, 10.0, 80.0)
    grown = shapely.buffer(cells, grow)
    thinned = shapely.simplify(grown, np.clip(0.012 * size, 15.0, 150.0), preserve_topology=True)
    return np.where(shapely.is_empty(thinned), cells, thinned)


def _neighbours(cells: np.ndarray) -> list[np.ndarray]:
    """Indices of the cells sharing an edge with each cell."""
    left, right = shapely.STRtree(cells).query(cells, predicate="intersects")
    shared = shapely.intersection(shapely.boundary(cells[left]), shapely.boundary(cells[right]))
    edge = (left != right) & (shapely.length(shared) > 0)
    return [right[edge & (left == i)] for i in range(len(cells))]


def _districts(
    neighbours: list[np.ndarray], anchor: np.ndarray, towns: np.ndarray, town_cell: np.ndarray
) -> np.ndarray:
    """District index per commune, grown from each town's commune across shared edges."""
    district = np.full(len(anchor), -1)
    queue = [(0.0, int(cell), k) for k, cell in enumerate(town_cell)]
    while queue:
        _, cell, k = heapq.heappop(queue)
        if district[cell] >= 0:
            continue
        district[cell] = k
        for j in neighbours[cell][district[neighbours[cell]] < 0]:
            heapq.heappush(queue, (float(np.hypot(*(anchor[j] - towns[k]))), int(j), k))
    return district


def containing(cells: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Index of the first cell holding each point; points outside every cell take the nearest."""
    tree = shapely.STRtree(cells)
    points = shapely.points(xy)
    point, cell = tree.query(points, predicate="intersects")
    found, first = np.unique(point, return_index=True)
    out = tree.query_nearest(points, all_matches=False)[1]
    out[found] = cell[first]
    return out
