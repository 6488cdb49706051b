"""Synthetic communes: Voronoi cells over the province, grouped into districts, with rates."""

from __future__ import annotations

import heapq

import geopandas as gpd
import numpy as np
import shapely
from numpy.random import Generator

from geo.synthetic.landscape import Land, bell, metric_frame, remoteness, thin, uniform_in
from geo.synthetic.names import NameBook

PROVINCE_NAME = "Biên Hải"

_AREA_KM2 = (5.0, 150.0)


def _commune_cells(rng: Generator, land: Land) -> np.ndarray:
    """Voronoi commune polygons covering the province, each 5-150 km², denser near towns."""
    candidates = uniform_in(rng, land.province, 12_000)
    gap = np.hypot(*(candidates[:, None, :] - land.towns).transpose(2, 0, 1)).min(axis=1)
    near = bell(gap, 0.0, 6000.0)
    hills = 0.8 + 0.5 * remoteness(candidates[:, 0], candidates[:, 1])
    seeds = thin(candidates, 5800.0 * hills * (1 - 0.55 * near), land.towns)
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


def draw_communes(rng: Generator, names: NameBook, land: Land) -> gpd.GeoDataFrame:
    """Commune polygons with codes, names, districts and poverty/minority rates; metres."""
    cells = _commune_cells(rng, land)
    anchor = shapely.get_coordinates(shapely.point_on_surface(cells))
    town_cell = containing(cells, land.towns)
    district = _districts(cells, anchor, land.towns, town_cell)
    near_city = np.hypot(*(anchor - land.towns[0]).T) < 8000.0
    prefix = np.where((district == 0) & near_city, "Phường ", "Xã ").astype(object)
    prefix[town_cell] = ["Phường ", *["Thị trấn "] * (len(town_cell) - 1)]
    order = np.lexsort((anchor[:, 0], -anchor[:, 1], district))
    cells, anchor, district, prefix = cells[order], anchor[order], district[order], prefix[order]
    upland = remoteness(anchor[:, 0], anchor[:, 1])
    heads = ["Thành phố ", *["Huyện "] * (len(land.towns) - 1)]
    districts = [
        h + names.take(u > 0.55) for h, u in zip(heads, remoteness(*land.towns.T), strict=True)
    ]
    urban = prefix != "Xã "
    near_border = np.exp(-shapely.distance(land.border, shapely.points(anchor)) / 10_000.0)
    poverty = 0.03 + 0.4 * upland**1.5 + 0.08 * near_border + rng.normal(0, 0.03, len(cells))
    minority = 0.04 + 0.9 * upland**2 + rng.normal(0, 0.06, len(cells))
    return metric_frame(
        {
            "commune_code": [f"9{i:04d}" for i in range(1, len(cells) + 1)],
            "commune_name": [p + names.take(u > 0.55) for p, u in zip(prefix, upland, strict=True)],
            "district_name": [districts[k] for k in district],
            "province_name": PROVINCE_NAME,
            "poverty_rate": np.round(np.clip(poverty, 0.01, 0.85) * np.where(urban, 0.35, 1), 3),
            "ethnic_minority_share": np.round(
                np.clip(minority, 0.0, 0.99) * np.where(urban, 0.5, 1), 3
            ),
            "area_km2": shapely.area(cells) / 1e6,
        },
        cells,
    )


def _districts(
    cells: np.ndarray, anchor: np.ndarray, towns: np.ndarray, town_cell: np.ndarray
) -> np.ndarray:
    """District index per commune, grown from each town's commune across shared edges."""
    left, right = shapely.STRtree(cells).query(cells, predicate="intersects")
    shared = shapely.intersection(shapely.boundary(cells[left]), shapely.boundary(cells[right]))
    edge = (left != right) & (shapely.length(shared) > 0)
    neighbours = [right[edge & (left == i)] for i in range(len(cells))]
    district = np.full(len(cells), -1)
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
    """Index of the first cell holding each point (points on shared edges take one side)."""
    point, cell = shapely.STRtree(cells).query(shapely.points(xy), predicate="intersects")
    first = np.unique(point, return_index=True)[1]
    if len(first) != len(xy):
        raise RuntimeError(f"{len(xy) - len(first)} synthetic points fall outside every commune")
    return cell[first]
