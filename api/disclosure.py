"""What a caller may see of scored communes: province scope, filters, paging, small counts.

Every read path (``/scores``, ``/rankings``, ``/communes``, ``/maps``, ``/exports``, OGC score
collections) goes through :func:`narrow` and :func:`disclose`, so a province key never sees another
province and a viewer never sees an exact small count or its rate.

Filter values: a ``province`` outside the key's scope is refused (403, whatever the name, so the
answer says nothing about other provinces); a ``province`` or ``district`` that names no commune
the caller can see is 404 with the names it could have used; a ``class`` (1-5) or ``bbox`` that
matches nothing is an empty page with ``numberMatched: 0``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Annotated

import geopandas as gpd
import pandas as pd
import shapely
from fastapi import Depends, Query

from api.security import Principal, check_province, in_scope
from geo.errors import NotFoundError, QueryError
from geo.query import parse_bbox
from risk.privacy import Suppression, apply_suppression

#: Largest ``offset`` accepted (beyond it a request is an error, not an empty page).
MAX_OFFSET = 1_000_000


@dataclass(frozen=True)
class Filters:
    """Property filters, bounding box and paging of a read request."""

    province: str | None = None
    district: str | None = None
    class_: int | None = None
    bbox: str | None = None
    limit: int | None = None
    offset: int = 0


@dataclass(frozen=True)
class Selection:
    """One page of communes and how many matched the filters in all."""

    frame: pd.DataFrame
    matched: int
    offset: int
    limit: int | None

    @property
    def next_offset(self) -> int | None:
        """Offset of the next page, or None on the last page."""
        end = self.offset + len(self.frame)
        return end if end < self.matched else None

    @property
    def prev_offset(self) -> int | None:
        """Offset of the previous page, or None on the first page."""
        if self.offset <= 0:
            return None
        return max(self.offset - (self.limit or self.offset), 0)


def name_key(name: object) -> str:
    """NFC, case- and space-insensitive key of a place name (accents still count)."""
    return " ".join(unicodedata.normalize("NFC", str(name)).casefold().split())


def narrow(frame: pd.DataFrame, principal: Principal, filters: Filters) -> Selection:
    """The caller's communes of ``frame`` that pass ``filters``, one page of them (by rank)."""
    check_province(principal, filters.province)
    if filters.offset < 0 or filters.offset > MAX_OFFSET:
        raise QueryError(f"offset was {filters.offset} but is expected to be 0-{MAX_OFFSET:,}")
    if filters.limit is not None and filters.limit < 1:
        raise QueryError(f"limit was {filters.limit} but is expected to be 1 or more")
    box = parse_bbox(filters.bbox)
    keep = in_scope(frame, principal)
    keep = _by_name(keep, "province_name", filters.province)
    keep = _by_name(keep, "district_name", filters.district)
    if filters.class_ is not None:
        keep = keep[keep["class"].astype(int) == int(filters.class_)]
    if box is not None:
        keep = keep[gpd.GeoSeries(keep.geometry).intersects(shapely.box(*box))]
    matched = len(keep)
    if filters.offset > matched:
        raise QueryError(
            f"offset was {filters.offset} but only {matched} communes match; "
            f"use an offset from 0 to {matched}"
        )
    end = None if filters.limit is None else filters.offset + filters.limit
    return Selection(keep.iloc[filters.offset : end], matched, filters.offset, filters.limit)


def _by_name(frame: pd.DataFrame, column: str, wanted: str | None) -> pd.DataFrame:
    """Rows whose ``column`` names ``wanted``; NotFoundError listing the names there are."""
    if wanted is None:
        return frame
    what = column.removesuffix("_name")
    if column not in frame.columns:
        raise NotFoundError(f'the communes layer has no {column}, so {what} "{wanted}" is unknown')
    names = frame[column].astype(str)
    keep = names.map(name_key) == name_key(wanted)
    if not keep.any():
        known = ", ".join(sorted(names.unique())[:20]) or "none"
        raise NotFoundError(f'{what} "{wanted}" has no commune you can see; known: {known}')
    return frame[keep]


def disclose(frame: pd.DataFrame, rule: Suppression | None) -> pd.DataFrame:
    """``frame`` with counts of people shown under ``rule`` (None: exact, for analysts)."""
    return frame if rule is None else apply_suppression(frame, rule)


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts: NaN and missing values become None, numpy scalars Python ones."""
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")


def place_params(
    province: Annotated[
        str | None, Query(max_length=200, description="Only this province (as the data spell it)")
    ] = None,
    district: Annotated[str | None, Query(max_length=200, description="Only this district")] = None,
    class_: Annotated[
        int | None, Query(alias="class", ge=1, le=5, description="Only this risk class (1-5)")
    ] = None,
    bbox: Annotated[
        str | None,
        Query(max_length=200, description="Only communes meeting minx,miny,maxx,maxy (degrees)"),
    ] = None,
) -> Filters:
    """The property filters and bounding box of a request."""
    return Filters(province=province, district=district, class_=class_, bbox=bbox)


PlaceDep = Annotated[Filters, Depends(place_params)]
