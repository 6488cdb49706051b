"""Raster zonal statistics: per-polygon sums of a raster (population per commune).

Two engines: ``exactextract`` (default) weighs every pixel by the share of it the polygon
covers, so small communes keep their partial pixels and the sums add up to the raster total;
``rasterstats`` counts whole pixels whose centre lies in the polygon (kept as a cross-check).
"""

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

ENGINES = ("exactextract", "rasterstats")
DEFAULT_ENGINE = "exactextract"
#: Nodata value assumed for rasters that declare none (no pixel holds a negative population).
MISSING = -1.0
#: Share of a polygon's area that must lie inside the raster's extent.
MIN_INSIDE = 0.99


def zonal_sum(
    raster: str | Path,
    polygons: gpd.GeoSeries | gpd.GeoDataFrame,
    *,
    engine: str = DEFAULT_ENGINE,
) -> NDArray[np.float64]:
    """Sum of raster values inside each polygon (raster units, e.g. people).

    Parameters
    ----------
    raster
        Path of a single-band raster (GeoTIFF).
    polygons
        Polygons in any CRS; they are reprojected to the raster's CRS before summing.
    engine
        ``"exactextract"``: every pixel weighted by the fraction of it inside the polygon (exact
        for partial pixels). ``"rasterstats"``: pixels whose centre lies in the polygon; a
        polygon too small to hold any centre is summed over every pixel it touches instead.

    Returns
    -------
    numpy.ndarray
        One sum per polygon. A polygon less than 99 % inside the raster's extent gets NaN, for
        the caller to report: both engines would silently count the missing part as zero.

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
    if engine == "exactextract":
        sums = _exact_sum(raster, geoms)
    else:
        sums = _centre_sum(raster, geoms, MISSING if nodata is None else nodata)
    inside = shapely.area(shapely.intersection(geoms.values, extent)) / shapely.area(geoms.values)
    sums[~(inside >= MIN_INSIDE)] = np.nan
    return sums


def _exact_sum(raster, geoms: gpd.GeoSeries) -> NDArray[np.float64]:
    from exactextract import exact_extract

    frame = gpd.GeoDataFrame(geometry=geoms.reset_index(drop=True))
    stats = exact_extract(str(raster), frame, ["sum"], output="pandas")
    return stats["sum"].to_numpy(dtype=float, copy=True)


def _centre_sum(raster, geoms: gpd.GeoSeries, nodata: float) -> NDArray[np.float64]:
    sums = _rasterstats_sum(raster, geoms, nodata=nodata, all_touched=False)
    empty = np.isnan(sums)
    if empty.any():
        logger.info("%d polygons hold no pixel centre; summing touched pixels", empty.sum())
        sums[empty] = _rasterstats_sum(raster, geoms[empty], nodata=nodata, all_touched=True)
    return sums


def _rasterstats_sum(
    raster, geoms: gpd.GeoSeries, *, nodata: float, all_touched: bool
) -> NDArray[np.float64]:
    from rasterstats import zonal_stats

    stats = zonal_stats(
        list(geoms.values), str(raster), stats=["sum"], nodata=nodata, all_touched=all_touched
    )
    return np.array([np.nan if s["sum"] is None else s["sum"] for s in stats], dtype=float)
