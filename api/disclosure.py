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

from dataclasses import dataclass
from typing import Annotated

import geopandas as gpd
import pandas as pd
import shapely
from fastapi import Depends, Query

from api.paging import MAX_OFFSET as MAX_OFFSET  # re-exported for api/routes/rankings.py
from api.paging import Page, check_paging, page_of
from api.schemas import BBOX_PATTERN
from api.security import Principal, check_province, in_scope
from geo.places import select_places
from geo.query import parse_bbox
from risk.privacy import Suppression, apply_suppression


@dataclass(frozen=True)
class Filters:
    """Property filters, bounding box and paging of a read request."""

    province: str | None = None
    district: str | None = None
    class_: int | None = None
    bbox: str | None = None
    limit: int | None = None
    offset: int = 0


def narrow(frame: pd.DataFrame, principal: Principal, filters: Filters) -> Page:
    """The caller's communes of ``frame`` that pass ``filters``, one page of them (by rank)."""
    check_province(principal, filters.province)
    check_paging(filters.offset, filters.limit)
    box = parse_bbox(filters.bbox)
    keep = in_scope(frame, principal)
    keep = select_places(keep, province=filters.province, district=filters.district)
    if filters.class_ is not None:
        keep = keep[keep["class"].astype(int) == int(filters.class_)]
    if box is not None:
        keep = keep[gpd.GeoSeries(keep.geometry).intersects(shapely.box(*box))]
    return page_of(
        keep, offset=filters.offset, limit=filters.limit, past_end=False, what="communes"
    )


def disclose(frame: pd.DataFrame, rule: Suppression | None) -> pd.DataFrame:
    """``frame`` with counts of people shown under ``rule`` (None: exact, for analysts)."""
    return frame if rule is None else apply_suppression(frame, rule)


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts: NaN and missing values become None, numpy scalars Python ones."""
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")


def place_params(
    province: Annotated[
        str | None,
        Query(max_length=200, description='Only this province ("Tỉnh", accents optional)'),
    ] = None,
    district: Annotated[
        str | None, Query(max_length=200, description="Only this district (data before 2025)")
    ] = None,
    class_: Annotated[
        int | None, Query(alias="class", ge=1, le=5, description="Only this risk class (1-5)")
    ] = None,
    bbox: Annotated[
        str | None,
        Query(
            max_length=200,
            pattern=BBOX_PATTERN,
            description="Only communes meeting minx,miny,maxx,maxy (degrees)",
        ),
    ] = None,
) -> Filters:
    """The property filters and bounding box of a request."""
    return Filters(province=province, district=district, class_=class_, bbox=bbox)


PlaceDep = Annotated[Filters, Depends(place_params)]
