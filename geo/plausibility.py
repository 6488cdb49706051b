"""Values that parse but cannot be true: future periods, huge counts, rasters elsewhere.

A period after this month, a count beyond any commune, a raster outside Viet Nam or beside
the communes. The layer contract (:mod:`geo.schema`) checks that a period is a year or month
and a count a whole number; here such values are checked against the world they describe.
"""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import VIETNAM_BOUNDS
from geo.report import Problem

#: Most people one row may count (one commune, one period, one category). Viet Nam records
#: a few thousand people returned or deported a year nationwide, and its most populous
#: commune-level unit has a few hundred thousand residents: a count above this is a typo or a
#: unit error (a total of the province, a sum of money), never a commune's returnees.
MAX_COUNT = 100_000


def implausible_values(frame: pd.DataFrame, layer: str, *, today: date) -> list[Problem]:
    """Row problems for periods after ``today``'s month and counts over :data:`MAX_COUNT`."""
    if layer != "repatriations":
        return []
    rows = frame.index.to_numpy() if frame.index.name == "row" else np.arange(1, len(frame) + 1)
    problems = []
    if "period" in frame.columns:
        problems += _future_periods(frame["period"], rows, today)
    if "count" in frame.columns:
        counts = pd.to_numeric(frame["count"], errors="coerce").to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            over = counts > MAX_COUNT
        problems += [
            Problem(
                f"{value:,.0f} people in one row is not plausible (at most {MAX_COUNT:,} per "
                "commune and period); check the unit and the column",
                row=int(row),
                column="count",
                value=f"{value:.0f}",
            )
            for row, value in zip(rows[over], counts[over], strict=True)
        ]
    return problems


def _future_periods(periods: pd.Series, rows: np.ndarray, today: date) -> list[Problem]:
    text = periods.map(lambda v: str(v).strip() if v is not None and v == v else "")
    year = pd.to_numeric(text.str.slice(0, 4), errors="coerce").to_numpy(dtype=float)
    month = pd.to_numeric(text.str.slice(5, 7), errors="coerce").fillna(1).to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        future = (year > today.year) | ((year == today.year) & (month > today.month))
    return [
        Problem(
            f"period {value} is in the future (today is {today:%Y-%m})",
            row=int(row),
            column="period",
            value=value,
        )
        for row, value in zip(rows[future], text.to_numpy()[future], strict=True)
    ]


def raster_extent_problems(raster, communes: gpd.GeoDataFrame | None) -> list[Problem]:
    """A file problem when a :class:`~geo.storage.Raster` misses Viet Nam or the communes."""
    from rasterio.transform import array_bounds

    bounds = array_bounds(*raster.values.shape, raster.transform)
    box = gpd.GeoSeries([shapely.box(*bounds)], crs=raster.crs).to_crs(4326)
    west, south, east, north = box.total_bounds
    shown = f"lon {west:.2f} to {east:.2f}, lat {south:.2f} to {north:.2f}"
    if not box.intersects(shapely.box(*VIETNAM_BOUNDS)).any():
        vw, vs, ve, vn = VIETNAM_BOUNDS
        return [
            Problem(
                f"the raster covers {shown}, outside Viet Nam (lon {vw:g} to {ve:g}, lat "
                f"{vs:g} to {vn:g}); check its CRS and that it is the right area"
            )
        ]
    if communes is not None and len(communes):
        area = communes.to_crs(4326).total_bounds
        if not box.intersects(shapely.box(*area)).any():
            return [
                Problem(
                    f"the raster covers {shown} but the communes lie at lon {area[0]:.2f} to "
                    f"{area[2]:.2f}, lat {area[1]:.2f} to {area[3]:.2f}: it covers none of them"
                )
            ]
    return []
