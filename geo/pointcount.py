"""Weighted point counts per polygon for point layers too large to hold in memory at once.

The layer stays in the workspace's GeoPackage: each task receives its path, a range of rows,
the polygon layer's name and the metric CRS, reads those rows and the polygons itself (the
polygons once per worker process), and returns one weighted count per polygon and distance.
Counts are additive over row ranges, so the sums equal one pass over the whole layer (up to
floating-point summation order, about 1e-15 relative).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyogrio
from numpy.typing import NDArray

from geo import measures
from geo.parallel import Executor

#: Rows of the point layer read by one task (about 100 MB of memory per task).
CHUNK_ROWS = 250_000


def chunked_point_sums(
    gpkg: str | Path,
    layer: str,
    rows: int,
    *,
    polygons: str,
    crs: str,
    weight_column: str,
    weights: Mapping[str, float],
    distances_m: Sequence[float],
    executor: Executor,
    chunk_rows: int | None = None,
) -> NDArray[np.float64]:
    """Sum of point weights inside (distance 0) or within each distance of each polygon.

    Parameters
    ----------
    gpkg, layer, rows
        The GeoPackage, its point layer and how many rows it has.
    polygons
        Name of the polygon layer in the same GeoPackage (e.g. ``"communes"``).
    crs
        Metric CRS (any pyproj input) in which distances are measured, in metres.
    weight_column, weights
        Each point weighs ``weights[value of weight_column]`` (0 for values not listed).
    distances_m
        Distances in metres; 0 counts each point in exactly one polygon (the one it lies in,
        else the nearest within :data:`geo.measures.ASSIGN_TOLERANCE_M`; see
        :func:`geo.measures.assign_points`).

    Returns
    -------
    numpy.ndarray
        ``len(distances_m)`` × polygons array of weighted counts.
    """
    step, path = chunk_rows or CHUNK_ROWS, str(Path(gpkg).resolve())
    wkt = _wkt(crs)
    tasks = [
        (
            path,
            layer,
            skip,
            step,
            polygons,
            wkt,
            weight_column,
            dict(weights),
            tuple(distances_m),
        )
        for skip in range(0, rows, step)
    ]
    parts = executor.map(_count_rows, tasks)
    return np.sum(parts, axis=0) if parts else np.zeros((len(distances_m), 0))


def _wkt(crs) -> str:
    """``EPSG:code`` when the CRS has one (so workers pick the same datum shift), else WKT."""
    from pyproj import CRS

    crs = CRS.from_user_input(crs)
    authority = crs.to_authority()
    return ":".join(authority) if authority else crs.to_wkt()


def _count_rows(task: tuple) -> NDArray[np.float64]:
    """Weighted counts of one row range of the point layer (runs on a worker)."""
    gpkg, layer, skip, count, polygons, wkt, column, weights, distances = task
    polys = _polygons(gpkg, polygons, wkt, os.stat(gpkg).st_mtime_ns)
    points = pyogrio.read_dataframe(
        gpkg, layer=layer, columns=[column], skip_features=skip, max_features=count
    ).to_crs(wkt)
    w = points[column].map(weights).fillna(0.0).to_numpy(dtype=float)
    return np.stack(
        [
            measures.weighted_points_within(polys, points.geometry.values, w, distance_m=d)
            for d in distances
        ]
    )


@lru_cache(maxsize=2)
def _polygons(gpkg: str, layer: str, wkt: str, _mtime: int) -> NDArray:
    """The polygon layer in the metric CRS, read once per worker and file version."""
    frame = pyogrio.read_dataframe(gpkg, layer=layer, columns=[])
    return frame.to_crs(wkt).geometry.values
