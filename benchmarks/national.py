"""National-scale synthetic data for benchmarks, generated on the fly and never committed.

At ``scale=1``: about 10,600 communes (the pre-2025 map), 300 crossings, 1,000,000 venues,
400 industrial zones, 5 years of repatriation counts and a population GeoTIFF of about
101 million 100 m pixels. ``scale`` shrinks every count (and the raster area) by that factor.

``structure="2025"`` draws the communes as Viet Nam has had them since July 2025: 3,321
communes and wards in 34 provinces, no district (at ``scale=1``); the other layers are drawn
the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from rasterio.transform import from_origin
from rasterio.windows import Window

from geo.schema import CROSSING_KINDS, VENUE_KINDS

CRS = "EPSG:32648"
FULL = {"communes": 10_600, "crossings": 300, "venues": 1_000_000, "zones": 400}
#: The structure since 1 July 2025 at scale 1: communes and wards, provinces (no district).
FULL_2025 = {"communes": 3_321, "provinces": 34}
STRUCTURES = ("2009", "2025")
WIDTH_M, HEIGHT_M = 700_000.0, 1_450_000.0  # 7,000 × 14,500 pixels of 100 m at scale 1
ORIGIN = (180_000.0, 950_000.0)  # south-west corner in UTM 48N, about 102 E 8.6 N
PIXEL_M = 100.0
BLOCK = 512
NOTE = "SYNTHETIC national benchmark data (riskmap benchmarks); not real"


@dataclass(frozen=True)
class National:
    """The generated layers (metric CRS) and the path of the population raster."""

    layers: dict[str, pd.DataFrame]
    raster: Path
    pixels: int


def make_national(
    folder: Path, *, scale: float = 1.0, seed: int = 0, structure: str = "2009"
) -> National:
    """Generate every layer at ``scale`` and write the population raster into ``folder``.

    ``structure`` is ``"2009"`` (about 10,600 communes in districts) or ``"2025"`` (3,321
    communes and wards in 34 provinces, no district), both counts at ``scale=1``.
    """
    if structure not in STRUCTURES:
        raise ValueError(f'structure was "{structure}" but is expected to be one of {STRUCTURES}')
    rng = np.random.default_rng(seed)
    side = np.sqrt(scale)
    width, height = (np.round(m * side / PIXEL_M) * PIXEL_M for m in (WIDTH_M, HEIGHT_M))
    box = shapely.box(ORIGIN[0], ORIGIN[1], ORIGIN[0] + width, ORIGIN[1] + height)  # whole pixels
    country = _country(box, side)
    cities = _uniform(rng, country, max(4, round(80 * side)))
    if structure == "2025":
        communes = _communes_2025(rng, country, cities, scale)
    else:
        communes = _communes(rng, country, cities, round(FULL["communes"] * scale))
    border = _border(country, box)
    layers = {
        "communes": communes,
        "border": border,
        "crossings": _crossings(rng, border, round(FULL["crossings"] * scale)),
        "venues": _venues(rng, country, cities, round(FULL["venues"] * scale)),
        "industrial_zones": _zones(rng, country, cities, round(FULL["zones"] * scale)),
        "repatriations": _repatriations(rng, communes["commune_code"].to_numpy()),
    }
    folder.mkdir(parents=True, exist_ok=True)
    raster = folder / "population.tif"
    pixels = _write_population(raster, box, cities, rng)
    return National(layers, raster, pixels)


def _country(box: shapely.Polygon, side: float) -> shapely.Geometry:
    """A long S-shaped country of about a third of the raster box (like Vietnam in its bbox)."""
    west, south, east, north = box.bounds
    w, h = east - west, north - south
    path = shapely.LineString(
        [
            (west + fx * w, south + fy * h)
            for fx, fy in [(0.5, 0.97), (0.3, 0.75), (0.6, 0.5), (0.75, 0.25), (0.4, 0.03)]
        ]
    )
    return shapely.intersection(path.buffer(115_000 * side), box)


def _uniform(rng, area: shapely.Geometry, n: int) -> np.ndarray:
    """``n`` points uniformly inside ``area`` (rejection sampling in its bounding box)."""
    west, south, east, north = area.bounds
    out = np.empty((0, 2))
    while len(out) < n:
        xy = np.column_stack([rng.uniform(west, east, 2 * n), rng.uniform(south, north, 2 * n)])
        out = np.vstack([out, xy[shapely.contains_xy(area, xy[:, 0], xy[:, 1])]])
    return out[:n]


def _clustered(rng, area, cities, n: int, share: float, sigma: float) -> np.ndarray:
    """``n`` points in ``area``: ``share`` gaussian around cities, the rest uniform."""
    near = int(n * share)
    centre = cities[rng.integers(0, len(cities), near)]
    xy = centre + rng.normal(0, sigma, (near, 2))
    inside = shapely.contains_xy(area, xy[:, 0], xy[:, 1])
    return np.vstack([xy[inside], _uniform(rng, area, n - int(inside.sum()))])


def _communes(rng, country, cities, n: int) -> gpd.GeoDataFrame:
    """Voronoi cells of seeds denser around cities: a realistic mix of small and large communes."""
    seeds = _clustered(rng, country, cities, n, share=0.35, sigma=12_000)
    cells = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=country, ordered=True)
    geoms = shapely.make_valid(shapely.intersection(np.asarray(shapely.get_parts(cells)), country))
    codes = np.array([f"{i:05d}" for i in range(1, n + 1)])
    west, south, _, _ = country.bounds
    col = ((seeds[:, 0] - west) // 60_000).astype(int)
    row = ((seeds[:, 1] - south) // 60_000).astype(int)
    return gpd.GeoDataFrame(
        {
            "commune_code": codes,
            "commune_name": [f"Xã Mô Phỏng {i}" for i in range(1, n + 1)],
            "district_name": [f"Huyện {r}-{c}" for r, c in zip(row, col, strict=True)],
            "province_name": [f"Tỉnh {r // 4}-{c // 3}" for r, c in zip(row, col, strict=True)],
            "poverty_rate": rng.beta(2, 6, n).round(3),
            "ethnic_minority_share": rng.beta(1, 3, n).round(3),
            "data_source": NOTE,
        },
        geometry=geoms,
        crs=CRS,
    )


def _communes_2025(rng, country, cities, scale: float) -> gpd.GeoDataFrame:
    """Communes and wards since July 2025: provinces of nearby communes, no district."""
    n = max(2, round(FULL_2025["communes"] * scale))
    seeds = _clustered(rng, country, cities, n, share=0.35, sigma=12_000)
    cells = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=country, ordered=True)
    geoms = shapely.make_valid(shapely.intersection(np.asarray(shapely.get_parts(cells)), country))
    provinces = min(n, max(1, round(FULL_2025["provinces"] * scale)), FULL_2025["provinces"])
    centres = seeds[rng.choice(n, provinces, replace=False)]  # each holds its own commune
    nearest = np.argmin(((seeds[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2), axis=1)
    ward = rng.uniform(size=n) < 0.2
    return gpd.GeoDataFrame(
        {
            "commune_code": [f"{i:05d}" for i in range(1, n + 1)],
            "commune_name": [
                f"{'Phường' if w else 'Xã'} Mô Phỏng {i}" for i, w in enumerate(ward, start=1)
            ],
            "province_name": [f"Tỉnh Mô Phỏng {k + 1}" for k in nearest],
            "poverty_rate": rng.beta(2, 6, n).round(3),
            "ethnic_minority_share": rng.beta(1, 3, n).round(3),
            "data_source": NOTE,
        },
        geometry=geoms,
        crs=CRS,
    )


def _border(country: shapely.Geometry, box: shapely.Polygon) -> gpd.GeoDataFrame:
    """The land border: the country's outline in the northern third of the box."""
    west, south, east, north = box.bounds
    top = shapely.box(west, south + 0.67 * (north - south), east, north - 1)
    line = shapely.line_merge(shapely.intersection(country.exterior, top))
    return gpd.GeoDataFrame(
        {"country": ["China"], "kind": ["land"], "data_source": NOTE}, geometry=[line], crs=CRS
    )


def _crossings(rng, border: gpd.GeoDataFrame, n: int) -> gpd.GeoDataFrame:
    line = border.geometry.iloc[0]
    points = shapely.line_interpolate_point(line, rng.uniform(0, line.length, n))
    if isinstance(line, shapely.MultiLineString):  # interpolate along the longest part
        longest = max(line.geoms, key=lambda g: g.length)
        points = shapely.line_interpolate_point(longest, rng.uniform(0, longest.length, n))
    kinds = np.array(CROSSING_KINDS)[np.arange(n) % len(CROSSING_KINDS)]
    return gpd.GeoDataFrame(
        {"name": [f"Cửa khẩu {i}" for i in range(n)], "kind": kinds, "data_source": NOTE},
        geometry=points,
        crs=CRS,
    )


def _venues(rng, country, cities, n: int) -> gpd.GeoDataFrame:
    xy = _clustered(rng, country, cities, n, share=0.8, sigma=15_000)
    kinds = rng.choice(np.array(VENUE_KINDS), n, p=[0.25, 0.1, 0.25, 0.1, 0.08, 0.06, 0.12, 0.04])
    return gpd.GeoDataFrame({"kind": kinds}, geometry=shapely.points(xy), crs=CRS)


def _zones(rng, country, cities, n: int) -> gpd.GeoDataFrame:
    centre = _clustered(rng, country, cities, n, share=0.9, sigma=10_000)
    half = rng.uniform(500, 1_000, (n, 2))
    geoms = shapely.box(*(centre - half).T, *(centre + half).T)
    return gpd.GeoDataFrame(
        {
            "name": [f"Khu công nghiệp {i}" for i in range(n)],
            "kind": rng.choice(["kcn", "ccn", "kkt"], n),
            "workers": rng.integers(300, 20_000, n),
            "data_source": NOTE,
        },
        geometry=geoms,
        crs=CRS,
    )


def _repatriations(rng, codes: np.ndarray) -> pd.DataFrame:
    latent = rng.gamma(0.3, 1.0, len(codes))
    frames = []
    for year in range(2021, 2026):
        counts = rng.poisson(latent * 0.15)
        hit = counts > 0
        frames.append(
            pd.DataFrame(
                {
                    "commune_code": codes[hit],
                    "period": str(year),
                    "category": "deported",
                    "count": counts[hit],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _write_population(path: Path, box, cities, rng) -> int:
    """Write people per 100 m pixel block by block (never the whole array in memory)."""
    west, south, east, north = box.bounds
    width, height = round((east - west) / PIXEL_M), round((north - south) / PIXEL_M)
    transform = from_origin(west, north, PIXEL_M, PIXEL_M)
    weight = rng.uniform(20, 200, len(cities))
    profile = {
        "driver": "GTiff",
        "width": width,
        "height": height,
        "count": 1,
        "dtype": "float32",
        "crs": CRS,
        "transform": transform,
        "tiled": True,
        "blockxsize": BLOCK,
        "blockysize": BLOCK,
        "compress": "deflate",
        "predictor": 3,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.update_tags(DESCRIPTION=NOTE)
        for row in range(0, height, BLOCK):
            for col in range(0, width, BLOCK):
                window = Window(col, row, min(BLOCK, width - col), min(BLOCK, height - row))
                dst.write(_block(window, west, north, cities, weight), 1, window=window)
    return width * height


def _block(window: Window, west: float, north: float, cities, weight) -> np.ndarray:
    xs = west + (window.col_off + np.arange(window.width) + 0.5) * PIXEL_M
    ys = north - (window.row_off + np.arange(window.height) + 0.5) * PIXEL_M
    values = np.full((window.height, window.width), 0.4, dtype=np.float32)
    near = (np.abs(cities[:, 0] - xs.mean()) < 120_000) & (
        np.abs(cities[:, 1] - ys.mean()) < 120_000
    )
    for (cx, cy), w in zip(cities[near], weight[near], strict=True):
        gx = np.exp(-0.5 * ((xs - cx) / 15_000) ** 2)
        gy = np.exp(-0.5 * ((ys - cy) / 15_000) ** 2)
        values += (w * np.outer(gy, gx)).astype(np.float32)
    return values
