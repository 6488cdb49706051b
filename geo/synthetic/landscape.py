"""The synthetic province's skeleton in metres: outline, border, coast, towns, crossings, roads.

Also the shared fields and samplers the other layers are drawn from: remoteness, gaussian bells,
uniform draws inside a shape and Poisson-disc thinning. All coordinates are WGS 84 / UTM 48N.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
import shapely.affinity
from numpy.random import Generator

from geo.synthetic.names import NameBook

METRIC_CRS = "EPSG:32648"

_ORIGIN = (700_000.0, 2_360_000.0)  # south-west corner, metres (about 106.93 E, 21.33 N)
_SIZE = (110_000.0, 70_000.0)  # width, height, metres
_N_DISTRICTS = 9  # rural districts; the provincial city is one more
_CROSSING_WORD = {"international": "Cửa khẩu quốc tế", "main": "Cửa khẩu chính",
                  "secondary": "Cửa khẩu phụ", "opening": "Lối mở", "trail": "Đường mòn",
                  "seaport": "Cảng"}  # fmt: skip
_TRAFFIC = {"international": (2000, 5000), "main": (800, 2000), "secondary": (200, 600),
            "opening": (40, 200), "trail": (5, 40), "seaport": (500, 1500)}  # fmt: skip


@dataclass(frozen=True)
class Land:
    """The metric skeleton every layer hangs on; coordinates in metres (EPSG:32648)."""

    province: shapely.Polygon
    border: shapely.LineString  # land border with China, west to east, along the communes
    coast: shapely.LineString  # coastline, north to south-west
    towns: np.ndarray  # (n, 2); row 0 the provincial city, then one town per district
    roads: np.ndarray  # object array of LineStrings
    border_source: shapely.LineString  # the border layer: generalised, 1-8 km off ``border``
    islands: np.ndarray  # object array of island Polygons off the coast


def metric_frame(columns: dict, geometry: object) -> gpd.GeoDataFrame:
    """Frame of ``columns`` over ``geometry`` in metres (EPSG:32648)."""
    return gpd.GeoDataFrame(columns, geometry=geometry, crs=METRIC_CRS)


def _wiggle(rng: Generator, n: int, amplitude: float) -> np.ndarray:
    """Smoothed random walk pinned to 0 at both ends with peak ``|offset| = amplitude``, metres."""
    walk = np.convolve(np.cumsum(rng.normal(size=n + 8)), np.ones(9) / 9, mode="valid")
    walk -= np.linspace(walk[0], walk[-1], n)
    return amplitude * walk / max(np.abs(walk).max(), 1e-9)


def _wiggly_path(rng: Generator, corners: list, amplitude: float) -> np.ndarray:
    """Vertices every ~1 km along ``corners``, pushed sideways by a random walk; metres."""
    pieces = []
    for a, b in zip(np.asarray(corners[:-1]), np.asarray(corners[1:]), strict=True):
        n = int(np.hypot(*(b - a)) // 1000) + 1
        t = np.linspace(0.0, 1.0, n)[:, None]
        normal = np.array([a[1] - b[1], b[0] - a[0]]) / np.hypot(*(b - a))
        pieces.append((a + t * (b - a) + _wiggle(rng, n, amplitude)[:, None] * normal)[:-1])
    return np.vstack([*pieces, corners[-1]])


def draw_outline(
    rng: Generator,
) -> tuple[shapely.Polygon, shapely.LineString, shapely.LineString]:
    """Province polygon, land border (north) and coastline (east, south-east); metres."""
    (x0, y0), (w, h) = _ORIGIN, _SIZE
    border = _wiggly_path(rng, [(x0, y0 + h), (x0 + w, y0 + h)], 3500.0)
    bend = (x0 + w, y0 + 0.45 * h)
    coast = _wiggly_path(rng, [(x0 + w, y0 + h), bend, (x0 + 0.7 * w, y0)], 2500.0)
    province = shapely.Polygon([(x0, y0), *border, *coast[1:]])
    if not province.is_valid:
        raise RuntimeError(f"synthetic outline is invalid: {shapely.is_valid_reason(province)}")
    return province, shapely.LineString(border), shapely.LineString(coast)


def place_towns(rng: Generator, province: shapely.Polygon, coast: shapely.LineString) -> np.ndarray:
    """Provincial city (row 0, 6 km inland from the coast) and one town per district; metres."""
    on_coast = np.array(coast.interpolate(0.55, normalized=True).coords[0])
    inland = np.array(province.centroid.coords[0]) - on_coast
    city = on_coast + 6000.0 * inland / np.hypot(*inland)
    candidates = uniform_in(rng, province.buffer(-5000.0), 4000)
    towns = thin(candidates, np.full(len(candidates), 16_000.0), city[None, :])
    if len(towns) < _N_DISTRICTS + 1:
        raise RuntimeError(f"only {len(towns) - 1} district towns fit; expected {_N_DISTRICTS}")
    return towns[: _N_DISTRICTS + 1]


def uniform_in(rng: Generator, area: shapely.Geometry, n: int) -> np.ndarray:
    """``n`` draws in the bounding box of ``area``, keeping those inside it; metres."""
    west, south, east, north = area.bounds
    pts = rng.uniform((west, south), (east, north), size=(n, 2))
    return pts[shapely.contains_xy(area, pts[:, 0], pts[:, 1])]


def exactly_in(rng: Generator, area: shapely.Geometry, n: int) -> np.ndarray:
    """``n`` points inside ``area`` (metres): :func:`uniform_in`, drawn again while short."""
    pts = uniform_in(rng, area, n)
    while len(pts) < n:
        pts = np.concatenate([pts, uniform_in(rng, area, n)])
    return pts[:n]


def thin(candidates: np.ndarray, radius: np.ndarray, fixed: np.ndarray) -> np.ndarray:
    """Greedy Poisson-disc thinning: keep a candidate if no kept point is nearer than the radii."""
    kept = np.empty((len(fixed) + len(candidates), 2))
    kept_r = np.empty(len(kept))
    kept[: len(fixed)], kept_r[: len(fixed)] = fixed, radius.min()
    n = len(fixed)
    for point, r in zip(candidates, radius, strict=True):
        gap = np.hypot(kept[:n, 0] - point[0], kept[:n, 1] - point[1])
        if np.all(gap >= (kept_r[:n] + r) / 2):
            kept[n], kept_r[n] = point, r
            n += 1
    return kept[:n]


def remoteness(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Remoteness 0-1 at metric ``x, y`` (broadcast): 1 in the north-west hills, 0 at the coast."""
    (x0, y0), (w, h) = _ORIGIN, _SIZE
    return np.clip(((y - y0) / h + (x0 + w - x) / w) / 2, 0.0, 1.0)


def bell(values: np.ndarray, centre: float, sigma: float) -> np.ndarray:
    """Unit-peak gaussian of ``values`` around ``centre``; same units as ``sigma``."""
    return np.exp(-((values - centre) ** 2) / (2 * sigma**2))


def generalised_border(rng: Generator, border: shapely.LineString) -> shapely.LineString:
    """The border as another source draws it: vertices every 4 km, pushed 1-8 km sideways."""
    n = int(border.length // 4000) + 1
    t = np.linspace(0.0, 1.0, n)
    xy = shapely.get_coordinates(shapely.line_interpolate_point(border, t, normalized=True))
    offset = _wiggle(rng, n, rng.uniform(5000.0, 8000.0))  # smooth, crossing the true line
    step = np.gradient(xy, axis=0)
    normal = np.c_[-step[:, 1], step[:, 0]] / np.hypot(*step.T)[:, None]
    return shapely.LineString(xy + offset[:, None] * normal)


def draw_islands(rng: Generator, coast: shapely.LineString, n: int = 7) -> np.ndarray:
    """``n`` islands of 0.3-8 km², 3-14 km off the southern half of the coast; metres."""
    islands: list[shapely.Polygon] = []
    for _ in range(500):
        at = coast.interpolate(rng.uniform(0.45, 0.95), normalized=True)
        ahead = coast.interpolate(min(coast.project(at) + 50.0, coast.length))
        dx, dy = ahead.x - at.x, ahead.y - at.y
        reach = rng.uniform(3000.0, 14_000.0) / np.hypot(dx, dy)
        centre = shapely.Point(at.x - dy * reach, at.y + dx * reach)  # seaward: left of travel
        radius = np.sqrt(rng.uniform(0.3e6, 8e6) / np.pi)
        blob = centre.buffer(radius, quad_segs=4)
        blob = shapely.affinity.scale(blob, rng.uniform(0.5, 1.6), 1.0)
        if blob.distance(coast) > 1500 and not any(blob.distance(i) < 800 for i in islands):
            islands.append(blob)
        if len(islands) == n:
            return np.array(islands, dtype=object)
    raise RuntimeError(f"only {len(islands)} of {n} synthetic islands fit off the coast")


def place_crossings(
    rng: Generator,
    names: NameBook,
    border: shapely.LineString,
    coast: shapely.LineString,
) -> gpd.GeoDataFrame:
    """Seven crossings on the (generalised) land border line and one seaport; metres."""
    kinds = ["secondary", "secondary", "main", "opening", "opening", "trail"]
    kinds = ["international", *rng.permutation(kinds), "seaport"]
    fracs = 0.05 + 0.75 * (np.arange(6) + rng.uniform(0.2, 0.8, 6)) / 6
    points = [border.interpolate(rng.uniform(0.88, 0.95), normalized=True)]
    points += [border.interpolate(f, normalized=True) for f in fracs]
    points.append(coast.interpolate(rng.uniform(0.45, 0.65), normalized=True))
    upland = remoteness(*shapely.get_coordinates(points).T) > 0.55
    labels = [f"{_CROSSING_WORD[k]} {names.take(u)}" for k, u in zip(kinds, upland, strict=True)]
    return metric_frame(
        {
            "name": labels,
            "kind": kinds,
            "country": ["China"] * 7 + [None],
            "daily_traffic": [int(rng.integers(*_TRAFFIC[k])) for k in kinds],
        },
        points,
    )


def lay_roads(rng: Generator, towns: np.ndarray, crossings: gpd.GeoDataFrame) -> np.ndarray:
    """Gently bent roads: city to every town, and busy land crossings to their nearest town."""
    ends = [(towns[0], town) for town in towns[1:]]
    busy = crossings[crossings["kind"].isin(["international", "main", "secondary"])]
    for point in shapely.get_coordinates(busy.geometry.to_numpy()):
        ends.append((towns[np.argmin(np.hypot(*(towns - point).T))], point))
    t = np.linspace(0.0, 1.0, 16)[:, None]
    roads = []
    for a, b in ends:
        bend = (a + b) / 2 + rng.normal(0, 0.12) * np.array([a[1] - b[1], b[0] - a[0]])
        roads.append(shapely.LineString((1 - t) ** 2 * a + 2 * t * (1 - t) * bend + t**2 * b))
    return np.array(roads, dtype=object)
