"""Raster zonal statistics: per-polygon sums of a raster (population per commune)."""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
import shapely
from numpy.typing import NDArray

from geo.errors import WorkspaceError

logger = logging.getLogger(__name__)

ENGINES = ("rasterstats",)
#: Nodata value assumed for rasters that declare none (no pixel holds a negative population).
MISSING = -1.0
#: Share of a polygon's area that must lie inside the raster's extent.
MIN_INSIDE = 0.99


def zonal_sum(
    raster: str | Path, polygons: gpd.GeoSeries | gpd.GeoDataFrame, *, engine: str = "rasterstats"
) -> NDArray[np.float64]:
    """Sum of raster values inside each polygon (raster units, e.g. people).

    Polygons are reprojected to the raster's CRS first. Pixels count when their centre lies in
    the polygon; a polygon too small to hold any pixel centre is summed over every pixel it
    touches instead. A polygon less than 99 % inside the raster's extent gets NaN, for the
    caller to report: rasterstats would silently count the missing part as zero people.

    Raises
    ------
    WorkspaceError
        If the raster cannot be read.
    ValueError
        If ``engine`` is not one of :data:`ENGINES`.
    """
    if engine not in ENGINES:
        raise ValueError(f'engine was "{engine}" but is expected to be one of {ENGINES}')
    geoms = polygons.geometry if isinstance(polygons, gpd.GeoDataFrame) else polygons
    try:
        with rasterio.open(raster) as src:
            crs, extent, nodata = src.crs, shapely.box(*src.bounds), src.nodata
    except rasterio.errors.RasterioIOError as err:
        raise WorkspaceError(f"cannot read raster {raster}: {err}") from None
    geoms = geoms.to_crs(crs)
    nodata = MISSING if nodata is None else nodata
    sums = _rasterstats_sum(raster, geoms, nodata=nodata, all_touched=False)
    empty = np.isnan(sums)
    if empty.any():
        logger.info("%d polygons hold no pixel centre; summing touched pixels", empty.sum())
        sums[empty] = _rasterstats_sum(raster, geoms[empty], nodata=nodata, all_touched=True)
    inside = shapely.area(shapely.intersection(geoms.values, extent)) / shapely.area(geoms.values)
    sums[~(inside >= MIN_INSIDE)] = np.nan
    return sums


def _rasterstats_sum(
    raster, geoms: gpd.GeoSeries, *, nodata: float, all_touched: bool
) -> NDArray[np.float64]:
    from rasterstats import zonal_stats

    stats = zonal_stats(
        list(geoms.values), str(raster), stats=["sum"], nodata=nodata, all_touched=all_touched
    )
    return np.array([np.nan if s["sum"] is None else s["sum"] for s in stats], dtype=float)
