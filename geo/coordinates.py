"""Coordinate columns → points, and where geometries lie: swapped axes, outside Vietnam.

Pure: frames in, frames and :class:`~geo.report.Problem` lists out. Longitude/latitude
columns are assumed WGS 84 degrees; metre columns (x/y, VN-2000 or UTM) need a CRS.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geo.crs import CRS_FORMS, STORAGE_CRS, inside, swapped, xy_to_lonlat
from geo.errors import CRSError
from geo.report import WARNING, Problem
from geo.schema import row_numbers

_DMS = re.compile(
    r"^\s*(-?\d+(?:\.\d+)?)\s*[°º:d ]\s*(\d+(?:\.\d+)?)?\s*['′:m ]?\s*"
    r"(\d+(?:\.\d+)?)?\s*(?:\"|″|'')?\s*([NSEWnsew])?\s*$"
)


def parse_number(value: object) -> float | None:
    """A coordinate from text: "105.5", "105,5" (decimal comma) or 105°30'00"E; None if not."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip().replace("\u00a0", "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        pass
    match = _DMS.match(text)
    if not match:
        return None
    degrees, minutes, seconds, hemisphere = match.groups()
    number = abs(float(degrees)) + float(minutes or 0) / 60 + float(seconds or 0) / 3600
    negative = degrees.startswith("-") or (hemisphere or "").upper() in ("S", "W")
    return -number if negative else number


def coordinate_columns(frame: pd.DataFrame) -> tuple[str, str] | None:
    """The (x, y) column pair of a table: ("lon", "lat") or ("x", "y"), if present."""
    for pair in (("lon", "lat"), ("x", "y")):
        if set(pair) <= set(frame.columns):
            return pair
    return None


def _parse_column(values: pd.Series) -> pd.Series:
    """:func:`parse_number` of every cell; plain numbers in one vectorised pass."""
    parsed = pd.to_numeric(values, errors="coerce")
    if not pd.api.types.is_numeric_dtype(values):  # "105,5", 105°30'E: parse those one by one
        parsed = parsed.astype(float).mask(values.map(type).eq(bool))  # True is not a number
        rest = parsed.isna() & values.notna()
        parsed[rest] = values[rest].map(parse_number).astype(float)
    return parsed


def points_from_columns(
    frame: pd.DataFrame, *, crs: CRS | None
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """A GeoDataFrame with a point per row that has both coordinates (else no geometry).

    Raises
    ------
    CRSError
        When the coordinates are metres and no ``crs`` was given.
    """
    pair = coordinate_columns(frame)
    if pair is None:
        return gpd.GeoDataFrame(frame, geometry=[None] * len(frame), crs=crs or STORAGE_CRS), []
    problems: list[Problem] = []
    numbers = {}
    for column in pair:
        parsed = _parse_column(frame[column])
        bad = parsed.isna() & frame[column].notna()
        problems += [
            Problem("is not a number (expected decimal degrees or metres)", row, column, str(v))
            for row, v in zip(row_numbers(frame)[bad.to_numpy()], frame[column][bad], strict=True)
        ]
        numbers[column] = parsed.astype(float).to_numpy()
    x, y = numbers[pair[0]], numbers[pair[1]]
    flagged = {p.row for p in problems}
    one_missing = np.isnan(x) ^ np.isnan(y)
    for row, x_missing in zip(
        row_numbers(frame)[one_missing], np.isnan(x)[one_missing], strict=True
    ):
        if row not in flagged:
            column = pair[0] if x_missing else pair[1]
            problems.append(
                Problem("value is empty but the other coordinate is given", int(row), column)
            )
    crs = crs if crs is not None else _implied_crs(x, y, pair)
    geoms = np.where(np.isnan(x) | np.isnan(y), None, shapely.points(np.nan_to_num(x), y))
    keep = frame.drop(columns=list(pair))
    return gpd.GeoDataFrame(keep, geometry=list(geoms), crs=crs), problems


def _implied_crs(x: np.ndarray, y: np.ndarray, pair: tuple[str, str]) -> CRS:
    """WGS 84 when the coordinates are degrees; an error asking for ``--crs`` when metres."""
    values = np.concatenate([x[~np.isnan(x)], y[~np.isnan(y)]])
    if values.size == 0 or np.all(np.abs(values) <= 180):
        return CRS(STORAGE_CRS)
    raise CRSError(
        None,
        f"coordinates in columns {pair[0]}/{pair[1]} look like metres (up to "
        f"{np.nanmax(np.abs(values)):.0f}); say which CRS they are in with --crs, e.g. {CRS_FORMS}",
    )


def place_problems(
    gdf: gpd.GeoDataFrame, *, fix_swapped: bool
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Swapped x/y and geometries outside Vietnam, by row; swaps fixed only if asked.

    Works in the frame's own CRS on each geometry's centroid, so it catches latitude and
    longitude typed the wrong way round as well as VN-2000 northing/easting swapped.
    """
    present = ~(gdf.geometry.isna() | gdf.geometry.is_empty).to_numpy()
    if not present.any():
        return gdf, []
    centroids = shapely.centroid(gdf.geometry.to_numpy()[present])
    x, y = shapely.get_x(centroids), shapely.get_y(centroids)
    rows = row_numbers(gdf)[present]
    flip = swapped(x, y, gdf.crs)
    with np.errstate(invalid="ignore"):
        lon, lat = xy_to_lonlat(x, y, gdf.crs)
    outside = ~inside(lon, lat) & ~flip
    problems = [
        Problem(
            f"lies outside Vietnam (longitude {lo:.4f}, latitude {la:.4f}); check the "
            "coordinates and the CRS",
            int(row),
            "geometry",
        )
        for row, lo, la in zip(rows[outside], lon[outside], lat[outside], strict=True)
    ]
    if not flip.any():
        return gdf, problems
    return _swaps(gdf, present, flip, rows, fix_swapped, problems)


def _swaps(gdf, present, flip, rows, fix_swapped, problems):
    if not fix_swapped:
        return gdf, problems + [
            Problem(
                "x and y (longitude and latitude) look swapped: swapped they fall in Vietnam; "
                "fix the file or pass --fix-swapped",
                int(row),
                "geometry",
            )
            for row in rows[flip]
        ]
    index = np.flatnonzero(present)[flip]
    geoms = gdf.geometry.to_numpy().copy()
    geoms[index] = shapely.transform(geoms[index], lambda xy: xy[:, ::-1])
    fixed = gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))
    return fixed, problems + [
        Problem(
            "x and y were swapped; swapped back (--fix-swapped)", int(r), "geometry", None, WARNING
        )
        for r in rows[flip]
    ]
