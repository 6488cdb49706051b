"""Small seeded layers for tests: a grid of square communes and layers around it (EPSG:32648)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from rasterio.transform import from_origin

METRIC = "EPSG:32648"
X0, Y0 = 700_000.0, 2_400_000.0  # UTM 48N, about 106.9 E 21.7 N
NAMES = [
    "Nà Lũng",
    "Pác Bó",
    "Khuổi Mạ",
    "Đồng Tâm",
    "Tân Yên",
    "Hồng Quang",
    "Phú Sơn",
    "Yên Thịnh",
    "Quảng Lạc",
    "Thượng Hà",
    "Xuân Mai",
    "Bình Minh",
]


def make_communes(
    nx: int = 4, ny: int = 3, *, size_km: float = 5.0, seed: int = 0, crs: str = "EPSG:4326"
) -> gpd.GeoDataFrame:
    """``nx × ny`` square communes of ``size_km`` sides; row 0 is the northern (border) row."""
    rng = np.random.default_rng(seed)
    size = size_km * 1000
    cells = [
        shapely.box(X0 + i * size, Y0 - (j + 1) * size, X0 + (i + 1) * size, Y0 - j * size)
        for j in range(ny)
        for i in range(nx)
    ]
    n = len(cells)
    frame = gpd.GeoDataFrame(
        {
            "commune_code": [f"{90001 + k}" for k in range(n)],
            "commune_name": [
                f"Xã {NAMES[k % len(NAMES)]} {k // len(NAMES) or ''}".strip() for k in range(n)
            ],
            "district_name": [f"Huyện {'Bắc' if k < n / 2 else 'Nam'} Sơn" for k in range(n)],
            "province_name": "Biên Hải",
            "population": rng.integers(1_000, 20_000, n).astype(float),
            "poverty_rate": rng.uniform(0.05, 0.6, n).round(3),
            "ethnic_minority_share": rng.uniform(0, 1, n).round(3),
        },
        geometry=cells,
        crs=METRIC,
    )
    return frame.to_crs(crs)


def make_layers(communes: gpd.GeoDataFrame, *, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Border along the northern edge, crossings on it, venues, one zone, repatriations."""
    rng = np.random.default_rng(seed)
    metric = communes.to_crs(METRIC)
    west, south, east, north = metric.total_bounds
    border = gpd.GeoDataFrame(
        {"country": ["China"], "kind": ["land"]},
        geometry=[shapely.LineString([(west, north), (east, north)])],
        crs=METRIC,
    )
    kinds = ["international", "opening", "trail"]
    xs = np.linspace(west + 2000, east - 2000, len(kinds))
    crossings = gpd.GeoDataFrame(
        {"name": [f"Cửa khẩu {i}" for i in range(len(kinds))], "kind": kinds},
        geometry=shapely.points(xs, np.full(3, north)),
        crs=METRIC,
    )
    n = 40
    venues = gpd.GeoDataFrame(
        {
            "kind": rng.choice(["karaoke", "massage", "guesthouse"], n),
            "name": [f"Karaoke {i}" for i in range(n)],
        },
        geometry=shapely.points(rng.uniform(west, east, n), rng.uniform(south, north, n)),
        crs=METRIC,
    )
    zone = shapely.box(west + 500, south + 500, west + 2500, south + 1500)
    zones = gpd.GeoDataFrame(
        {"name": ["Khu công nghiệp Tân Yên"], "workers": [5000], "kind": ["kcn"]},
        geometry=[zone],
        crs=METRIC,
    )
    codes = communes["commune_code"].to_numpy()
    reps = pd.DataFrame(
        {
            "commune_code": rng.choice(codes[:4], 10),
            "period": rng.choice(["2021", "2022", "2023", "2024", "2025"], 10),
            "category": "deported",
            "count": rng.integers(1, 6, 10),
        }
    )
    return {
        "communes": communes,
        "border": border.to_crs(4326),
        "crossings": crossings.to_crs(4326),
        "venues": venues.to_crs(4326),
        "industrial_zones": zones.to_crs(4326),
        "repatriations": reps,
    }


def make_population(
    communes: gpd.GeoDataFrame, *, pixel_m: float = 100.0, per_pixel: float = 4.0
) -> tuple[np.ndarray, object]:
    """A uniform population raster over the communes' extent: ``per_pixel`` people per pixel."""
    west, south, east, north = communes.to_crs(METRIC).total_bounds
    cols, rows = int(np.ceil((east - west) / pixel_m)), int(np.ceil((north - south) / pixel_m))
    values = np.full((rows, cols), per_pixel, dtype=np.float32)
    return values, from_origin(west, north, pixel_m, pixel_m)


def make_effort_repatriations(codes, *, seed: int = 3) -> pd.DataFrame:
    """Counts 2022-2025 for every commune with patrol days; records follow the patrols."""
    rng = np.random.default_rng(seed)
    days = dict(zip(codes, rng.uniform(5, 60, len(codes)).round(1), strict=True))
    rows = [
        {"commune_code": c, "period": str(y), "count": int(rng.poisson(days[c] / 10))}
        for y in (2022, 2023, 2024, 2025)
        for c in codes
    ]
    return pd.DataFrame(rows).assign(enforcement_days=lambda f: f["commune_code"].map(days))
