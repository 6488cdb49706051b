"""Coordinate reference systems: storage in EPSG:4326, measurement in a metric CRS, VN-2000.

VN-2000 data is reprojected with one pinned datum transformation, "VN-2000 to WGS 84 (2)"
(the 7-parameter Helmert set of Decision 05/2007/QĐ-BTNMT), so that results do not change when
PROJ's preference between its two 1 m transformations does. Files whose ``.prj`` carries its
own ``TOWGS84`` parameters keep them.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from pyproj.crs import ProjectedCRS
from pyproj.crs.coordinate_operation import TransverseMercatorConversion
from pyproj.exceptions import CRSError as ProjCRSError
from pyproj.transformer import Transformer, TransformerGroup

from geo.errors import CRSError

STORAGE_CRS = "EPSG:4326"
VN2000_GEOGRAPHIC = "EPSG:4756"
#: VN-2000 / UTM zone 48N (central meridian 105 E) and 49N (111 E).
VN2000_UTM48 = "EPSG:3405"
VN2000_UTM49 = "EPSG:3406"
#: VN-2000 / TM-3 (k0 = 0.9999) zones in the EPSG database, by central meridian (degrees E).
VN2000_TM3 = {
    102.0: 5896,
    103.0: 9205,
    104.0: 9206,
    104.5: 9207,
    104.75: 9208,
    105.0: 5897,
    105.5: 9209,
    105.75: 9210,
    106.0: 9211,
    106.25: 9212,
    106.5: 9213,
    107.0: 9214,
    107.25: 9215,
    107.5: 9216,
    107.75: 5899,
    108.0: 5898,
    108.25: 9217,
    108.5: 9218,
}
PINNED_VN2000 = "VN-2000 to WGS 84 (2)"
#: Longitude/latitude box around Vietnam's territory (mainland and islands), degrees.
VIETNAM_BOUNDS = (102.0, 8.0, 117.5, 23.5)
CRS_FORMS = (
    "EPSG:4326, EPSG:3405 (VN-2000 / UTM 48N), VN2000 (geographic), VN2000:UTM48, "
    "VN2000:UTM49 or VN2000:TM3:<central meridian> (e.g. VN2000:TM3:105.75 or 105-45)"
)
_TM3 = re.compile(r"^VN-?2000[:/ ]*(TM-?3)?[:/ ]*(\d{3})(?:[.,](\d+)|-(\d{2}))?$")


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


def vn2000_tm3(central_meridian: float) -> CRS:
    """VN-2000 / TM-3 CRS (k0 0.9999, false easting 500 km) for a central meridian in degrees."""
    code = VN2000_TM3.get(round(central_meridian, 4))
    if code is not None:
        return CRS.from_epsg(code)
    if not 100.0 <= central_meridian <= 118.0:
        raise CRSError(None, f"central meridian {central_meridian} is not in Vietnam (100-118 E)")
    conversion = TransverseMercatorConversion(0.0, central_meridian, 500_000.0, 0.0, 0.9999)
    return ProjectedCRS(
        conversion,
        name=f"VN-2000 / TM-3 {central_meridian:g}",
        geodetic_crs=CRS(VN2000_GEOGRAPHIC),
    )


def parse_crs(text: str) -> CRS:
    """CRS from a ``--crs`` value: an EPSG code, a WKT/PROJ string, or a VN-2000 shorthand."""
    key = text.strip().upper().replace("_", "")
    named = {"VN2000": VN2000_GEOGRAPHIC, "VN2000:UTM48": VN2000_UTM48}
    named["VN2000:UTM49"] = VN2000_UTM49
    if key in named:
        return CRS(named[key])
    match = _TM3.match(key)
    if match:
        degrees, decimals, minutes = match.group(2), match.group(3), match.group(4)
        meridian = float(degrees) + (int(minutes) / 60 if minutes else 0.0)
        if decimals:
            meridian = float(f"{degrees}.{decimals}")
        return vn2000_tm3(meridian)
    try:
        return CRS.from_user_input(text.strip())
    except ProjCRSError:
        raise CRSError(None, f'"{text}" is not a CRS riskmap knows; use {CRS_FORMS}') from None


def is_vn2000(crs: CRS | None) -> bool:
    """Whether ``crs`` is on the VN-2000 datum."""
    return crs is not None and crs.datum is not None and "Vietnam 2000" in crs.datum.name


def _pinned_transformer(crs: CRS) -> Transformer | None:
    """The pinned VN-2000 → WGS 84 transformer for ``crs``, or None to use the default."""
    if not is_vn2000(crs) or crs.is_bound:
        return None
    group = TransformerGroup(crs, STORAGE_CRS, always_xy=True)
    for transformer in group.transformers:
        if PINNED_VN2000 in transformer.description:
            return transformer
    raise CRSError(None, f'PROJ does not offer "{PINNED_VN2000}" for {crs.name}')


def to_storage(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``gdf`` in EPSG:4326; VN-2000 input goes through the pinned datum transformation."""
    if gdf.crs is None:
        raise CRSError(None, "geometry has no coordinate reference system", column="geometry")
    transformer = _pinned_transformer(gdf.crs)
    if transformer is None:
        return gdf.to_crs(STORAGE_CRS)
    out = gdf.copy()
    geoms = shapely.transform(
        out.geometry.to_numpy(),
        lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])),
    )
    return out.set_geometry(gpd.GeoSeries(geoms, index=out.index), crs=STORAGE_CRS)


def xy_to_lonlat(x: np.ndarray, y: np.ndarray, crs: CRS) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude (degrees, EPSG:4326) of coordinates ``x``, ``y`` in ``crs``."""
    transformer = _pinned_transformer(crs) or Transformer.from_crs(crs, STORAGE_CRS, always_xy=True)
    lon, lat = transformer.transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lon), np.asarray(lat)


def inside(lon: np.ndarray, lat: np.ndarray, bounds=VIETNAM_BOUNDS) -> np.ndarray:
    """Whether each lon/lat (degrees) lies in ``bounds`` (default: Vietnam's box)."""
    west, south, east, north = bounds
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    return (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)


def swapped(x: np.ndarray, y: np.ndarray, crs: CRS) -> np.ndarray:
    """Whether each point lies outside Vietnam as given but inside with x and y swapped."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    with np.errstate(invalid="ignore"):
        as_given = inside(*xy_to_lonlat(x, y, crs))
        flipped = inside(*xy_to_lonlat(y, x, crs))
    return ~as_given & flipped
