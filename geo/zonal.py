"""Raster zonal statistics: per-polygon sums of a raster (population per commune).

Two engines: ``exactextract`` (default) weighs every pixel by the share of it the polygon
covers, so small communes keep their partial pixels and the sums add up to the raster total;
``rasterstats`` counts whole pixels whose centre lies in the polygon (kept as a cross-check).
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import rasterio
import rasterio.windows
import shapely
from numpy.typing import NDArray
from rasterio.windows import Window

from geo.errors import CRSError, InputFileError, WorkspaceError
from geo.filetypes import open_raster
from geo.parallel import Executor

logger = logging.getLogger(__name__)

ENGINES = ("exactextract", "rasterstats")
DEFAULT_ENGINE = "exactextract"
#: Nodata value assumed for rasters that declare none (no pixel holds a negative population).
MISSING = -1.0
#: Share of a polygon's area that must lie inside the raster's extent.
MIN_INSIDE = 0.99
#: Polygons per task when an executor splits the work (a band of the raster each).
CHUNK = 500
#: Raster windows read ahead of the one exactextract is summing (local path; memory bound).
READ_AHEAD = 2


@dataclass(frozen=True)
class ZonalResult:
    """Per polygon: raster sum, pixels with data covered, and share of area inside the raster."""

    sums: NDArray[np.float64]  # raster units (e.g. people); 0 where no pixel has data
    valid: NDArray[np.float64]  # pixels with data (exactextract: coverage fractions summed)
    inside: NDArray[np.float64]  # 0-1


def zonal_sum(
    raster: str | Path,
    polygons: gpd.GeoSeries | gpd.GeoDataFrame,
    *,
    engine: str = DEFAULT_ENGINE,
    executor: Executor | None = None,
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
    executor
        None sums every polygon here: exactextract band by band of :data:`CHUNK` polygons,
        each band's pixel window read once (the next ones on a reader thread meanwhile);
        rasterstats in one pass over the file. An executor (see :mod:`geo.parallel`) gets
        the same spatial chunks as tasks: each receives the raster's path, a pixel window
        and its polygons as WKB, reads the window itself and returns the same sums.

    Returns
    -------
    numpy.ndarray
        One sum per polygon. NaN for a polygon less than 99 % inside the raster's extent, or
        with no pixel holding data (nodata everywhere): both engines would silently give 0.
        :func:`zonal_stats` tells the two apart.

    Raises
    ------
    WorkspaceError
        If the raster cannot be read.
    InputFileError
        If the raster has no CRS or does not overlap any polygon (both extents are named).
    ValueError
        If ``engine`` is not one of :data:`ENGINES`.
    """
    result = zonal_stats(raster, polygons, engine=engine, executor=executor)
    sums = result.sums.copy()
    sums[~(result.inside >= MIN_INSIDE) | ~(result.valid > 0)] = np.nan
    return sums


def zonal_stats(
    raster: str | Path,
    polygons: gpd.GeoSeries | gpd.GeoDataFrame,
    *,
    engine: str = DEFAULT_ENGINE,
    executor: Executor | None = None,
    chunk: int = CHUNK,
) -> ZonalResult:
    """Per polygon: sum, pixels with data and share inside the raster (see :func:`zonal_sum`)."""
    if engine not in ENGINES:
        raise ValueError(f'engine was "{engine}" but is expected to be one of {ENGINES}')
    geoms = polygons.geometry if isinstance(polygons, gpd.GeoDataFrame) else polygons
    info = _raster_info(raster)
    geoms = geoms.to_crs(info.crs)
    inside = _inside(geoms.values, info.extent)
    if len(geoms) and not (inside > 0).any():
        raise InputFileError(
            raster,
            f"the raster covers {_extent(info.extent.bounds)} but the polygons cover "
            f"{_extent(geoms.total_bounds)} (both in {info.crs}): it does not overlap any of "
            "them; check the raster's CRS and that it is the right area",
        )
    if executor is None and engine == "exactextract":
        sums, valid = _windowed(raster, geoms.values, info, chunk)
    elif executor is None:
        sums, valid = _sum_count(str(raster), geoms.values, engine, info.nodata, info.crs)
    else:
        sums, valid = _chunked(raster, geoms.values, engine, info, executor, chunk)
    return ZonalResult(sums, valid, inside)


@dataclass(frozen=True)
class _Info:
    crs: Any
    extent: shapely.Polygon
    nodata: float | None
    transform: Any
    shape: tuple[int, int]


def _raster_info(raster) -> _Info:
    try:
        with open_raster(raster) as src:
            info = _Info(src.crs, shapely.box(*src.bounds), src.nodata, src.transform, src.shape)
    except rasterio.errors.RasterioIOError as err:
        raise WorkspaceError(f"cannot read raster {raster}: {err}") from None
    if info.crs is None:
        raise CRSError(raster, "the raster has no CRS; write it as a GeoTIFF with its CRS set")
    return info


def _inside(geoms: NDArray, extent: shapely.Polygon) -> NDArray[np.float64]:
    """Share (0-1) of each polygon's area inside ``extent``; 1 without a cut if its box is."""
    bounds = shapely.bounds(geoms)
    x0, y0, x1, y1 = extent.bounds
    within = (bounds[:, 0] >= x0) & (bounds[:, 1] >= y0) & (bounds[:, 2] <= x1)
    within &= bounds[:, 3] <= y1
    inside = np.ones(len(geoms))
    cut = ~within
    if cut.any():
        part = shapely.area(shapely.intersection(geoms[cut], extent))
        inside[cut] = part / shapely.area(geoms[cut])
    return inside


def _extent(bounds) -> str:
    x0, y0, x1, y1 = bounds
    return f"x {x0:.6g} to {x1:.6g}, y {y0:.6g} to {y1:.6g}"


def _sum_count(source, geoms: NDArray, engine: str, nodata: float | None, crs):
    """Sums and pixels with data of ``geoms`` (in ``crs``) over ``source`` (path or NumPy)."""
    if engine == "exactextract":
        from exactextract import exact_extract

        features = _wkb_source()(geoms, crs)
        stats = exact_extract(source, features, ["sum", "count"], output="pandas")
        return (
            stats["sum"].to_numpy(dtype=float, copy=True),
            stats["count"].to_numpy(dtype=float, copy=True),
        )
    return _centre_sum(source, geoms, MISSING if nodata is None else nodata)


@functools.cache
def _wkb_source() -> type:
    """An exactextract feature source over WKB (the GeoDataFrame one goes through GeoJSON)."""
    from exactextract.feature import Feature, FeatureSource

    class WKBFeature(Feature):
        def __init__(self, wkb: bytes) -> None:
            Feature.__init__(self)
            self.wkb, self.values = wkb, {}

        def geometry(self) -> bytes:
            return self.wkb

        def get(self, name: str) -> Any:
            return self.values[name]

        def set(self, name: str, value: Any) -> None:
            self.values[name] = value

        def fields(self) -> list[str]:
            return list(self.values)

    class WKBSource(FeatureSource):
        def __init__(self, geoms: NDArray, crs: Any) -> None:
            super().__init__()
            self.wkb, self.wkt = shapely.to_wkb(geoms), crs.to_wkt() if crs else None

        def count(self) -> int:
            return len(self.wkb)

        def __iter__(self) -> Iterator[Any]:
            return (WKBFeature(wkb) for wkb in self.wkb)

        def srs_wkt(self) -> str | None:
            return self.wkt

    return WKBSource


def _bands(geoms: NDArray, chunk: int) -> tuple[NDArray, list[NDArray]]:
    """Polygon bounds and positions cut into chunks of ``chunk``, north to south, west to east."""
    bounds = shapely.bounds(geoms)
    order = np.lexsort(((bounds[:, 0] + bounds[:, 2]), -(bounds[:, 1] + bounds[:, 3])))
    return bounds, [order[a : a + chunk] for a in range(0, len(order), max(1, chunk))]


def _windowed(raster, geoms: NDArray, info: _Info, chunk: int) -> tuple[NDArray, NDArray]:
    """Sums and counts band by band, each window read once (a thread reads the next ones).

    The reader inflates the next windows while exactextract sums the current one; the
    exactextract call holds the GIL, the read does not.
    """
    bounds, parts = _bands(geoms, chunk)
    windows = [_window(bounds[part], info) for part in parts]
    sums, valid = np.zeros(len(geoms)), np.zeros(len(geoms))
    with open_raster(raster) as src, ThreadPoolExecutor(1) as reader:
        read = [reader.submit(_read, src, w) for w in windows[:READ_AHEAD]]
        for k, (part, window) in enumerate(zip(parts, windows, strict=True)):
            if k + READ_AHEAD < len(windows):
                read.append(reader.submit(_read, src, windows[k + READ_AHEAD]))
            values = read[k].result()
            read[k] = None  # let the window go once summed
            if window is not None:
                sums[part], valid[part] = _sum_window(values, window, geoms[part], info)
    return sums, valid


def _sum_window(values: NDArray, window: tuple, geoms: NDArray, info: _Info):
    """Exactextract sums and counts of ``geoms`` over the pixels of one window."""
    from exactextract.raster import NumPyRasterSource

    left, bottom, right, top = rasterio.windows.bounds(Window(*window), info.transform)
    pixels = NumPyRasterSource(values, left, bottom, right, top, nodata=info.nodata)
    return _sum_count(pixels, geoms, "exactextract", info.nodata, info.crs)


def _read(src, window: tuple[int, int, int, int] | None) -> NDArray | None:
    """Pixels of ``window`` of band 1 (None for no window); runs on the reader thread only."""
    return None if window is None else src.read(1, window=Window(*window))


def _chunked(raster, geoms: NDArray, engine: str, info: _Info, executor, chunk: int):
    """Sums and counts computed by ``executor`` over spatial chunks of ``geoms``."""
    bounds, parts = _bands(geoms, chunk)
    tasks = [
        (
            str(Path(raster).resolve()),
            _window(bounds[part], info),
            shapely.to_wkb(geoms[part]),
            engine,
        )
        for part in parts
    ]
    sums, valid = np.zeros(len(geoms)), np.zeros(len(geoms))
    for part, (s, v) in zip(parts, executor.map(_window_task, tasks), strict=True):
        sums[part], valid[part] = s, v
    return sums, valid


def _window(bounds: NDArray, info: _Info) -> tuple[int, int, int, int] | None:
    """Pixel window (col, row, width, height) around ``bounds`` plus a pixel; None if outside."""
    inv = ~info.transform
    x0, y0 = bounds[:, 0].min(), bounds[:, 1].min()
    x1, y1 = bounds[:, 2].max(), bounds[:, 3].max()
    cols, rows = zip(*(inv * (x, y) for x in (x0, x1) for y in (y0, y1)), strict=True)
    c0, r0 = max(0, math.floor(min(cols)) - 1), max(0, math.floor(min(rows)) - 1)
    c1 = min(info.shape[1], math.ceil(max(cols)) + 1)
    r1 = min(info.shape[0], math.ceil(max(rows)) + 1)
    return (c0, r0, c1 - c0, r1 - r0) if c1 > c0 and r1 > r0 else None


def _window_task(task: tuple[str, tuple | None, NDArray, str]) -> tuple[NDArray, NDArray]:
    """Sums and counts of WKB polygons over one window of a raster file (runs on a worker)."""
    path, window, wkb, engine = task
    geoms = shapely.from_wkb(wkb)
    if window is None:
        return np.zeros(len(geoms)), np.zeros(len(geoms))
    if engine != "exactextract":  # rasterstats reads a window per polygon itself
        with open_raster(path) as src:
            nodata = src.nodata
        return _sum_count(path, geoms, engine, nodata, None)
    from exactextract.raster import NumPyRasterSource

    win = Window(*window)
    with open_raster(path) as src:
        values = src.read(1, window=win)
        left, bottom, right, top = rasterio.windows.bounds(win, src.transform)
        source = NumPyRasterSource(values, left, bottom, right, top, nodata=src.nodata)
        return _sum_count(source, geoms, engine, src.nodata, src.crs)


def _centre_sum(raster, geoms: NDArray, nodata: float) -> tuple[NDArray, NDArray]:
    sums, valid = _rasterstats_sum(raster, geoms, nodata=nodata, all_touched=False)
    empty = ~(valid > 0)
    if empty.any():
        logger.info("%d polygons hold no pixel centre; summing touched pixels", empty.sum())
        sums[empty], valid[empty] = _rasterstats_sum(
            raster, geoms[empty], nodata=nodata, all_touched=True
        )
    return sums, valid


def _rasterstats_sum(
    raster, geoms: NDArray, *, nodata: float, all_touched: bool
) -> tuple[NDArray, NDArray]:
    from rasterstats import zonal_stats as rs_zonal_stats

    stats = rs_zonal_stats(
        list(geoms), str(raster), stats=["sum", "count"], nodata=nodata, all_touched=all_touched
    )
    sums = np.array([s["sum"] or 0.0 for s in stats], dtype=float)
    return sums, np.array([s["count"] or 0 for s in stats], dtype=float)
