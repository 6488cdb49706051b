"""Feature queries for serving layers: bounding-box filter, property filters and paging (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import shapely

from geo.errors import QueryError

MAX_LIMIT = 1_000


@dataclass(frozen=True)
class Page:
    """One page of features and how many matched in all."""

    features: gpd.GeoDataFrame
    matched: int
    offset: int
    limit: int

    @property
    def next_offset(self) -> int | None:
        """Offset of the next page, or None on the last page."""
        end = self.offset + len(self.features)
        return end if end < self.matched else None

    @property
    def prev_offset(self) -> int | None:
        """Offset of the previous page, or None on the first page."""
        return max(self.offset - self.limit, 0) if self.offset > 0 else None


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """``"minx,miny,maxx,maxy"`` in degrees → a tuple; None when absent."""
    if text is None or text == "":
        return None
    parts = text.split(",")
    try:
        box = tuple(float(p) for p in parts)
    except ValueError:
        box = ()
    if len(box) != 4 or not all(map(_finite, box)):
        raise QueryError(f'bbox "{text}" is not four numbers minx,miny,maxx,maxy')
    if box[0] > box[2] or box[1] > box[3]:
        raise QueryError(f'bbox "{text}" has a minimum greater than its maximum')
    return box  # type: ignore[return-value]


def query(
    gdf: gpd.GeoDataFrame,
    *,
    bbox: tuple[float, float, float, float] | None = None,
    equals: Mapping[str, str] | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Page:
    """Features intersecting ``bbox`` (lon/lat) whose columns equal ``equals``, one page of them.

    ``limit`` is clamped to 1..:data:`MAX_LIMIT`; a negative ``offset`` is an error.
    """
    if offset < 0:
        raise QueryError(f"offset is {offset}, expected 0 or more")
    limit = min(max(limit, 1), MAX_LIMIT)
    keep = gdf
    if bbox is not None:
        keep = keep[keep.geometry.intersects(shapely.box(*bbox))]
    for column, value in (equals or {}).items():
        if column in keep.columns:
            keep = keep[keep[column].astype(str) == str(value)]
    return Page(keep.iloc[offset : offset + limit], len(keep), offset, limit)


def _finite(x: float) -> bool:
    return x == x and abs(x) != float("inf")
