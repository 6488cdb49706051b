"""Coordinate reference systems: storage in EPSG:4326, measurement in a metric CRS."""

from __future__ import annotations

import geopandas as gpd

STORAGE_CRS = "EPSG:4326"
#: VN-2000 / UTM zone 48N (central meridian 105 E) and 49N (111 E).
VN2000_UTM48 = "EPSG:3405"
VN2000_UTM49 = "EPSG:3406"
#: Longitude/latitude box around Vietnam's territory (mainland and islands), degrees.
VIETNAM_BOUNDS = (102.0, 8.0, 117.5, 23.5)


def metric_crs_for(bounds: tuple[float, float, float, float]) -> str:
    """Metric CRS for lon/lat ``bounds``: VN-2000 / UTM inside Vietnam, else WGS 84 / UTM."""
    west, south, east, north = bounds
    lon, lat = (west + east) / 2, (south + north) / 2
    vw, vs, ve, vn = VIETNAM_BOUNDS
    if vw <= lon <= ve and vs <= lat <= vn:
        return VN2000_UTM48 if lon < 108.0 else VN2000_UTM49
    zone = min(int((lon + 180) // 6) + 1, 60)
    return f"EPSG:{32600 + zone if lat >= 0 else 32700 + zone}"


def to_metric(gdf: gpd.GeoDataFrame, crs: str | None = None) -> gpd.GeoDataFrame:
    """``gdf`` reprojected to ``crs`` (default: the metric CRS chosen from its own extent)."""
    if crs is None:
        crs = metric_crs_for(tuple(gdf.to_crs(STORAGE_CRS).total_bounds))
    return gdf.to_crs(crs)
