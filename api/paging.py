"""Paging of every list the API serves: one page type, one offset bound, one links builder.

Pages follow OGC API - Features: ``numberMatched``, ``numberReturned`` and ``self``/``next``/
``prev`` links that repeat the request with another ``offset`` (and the same ``limit``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

import pandas as pd
from starlette.datastructures import URL

from geo.errors import QueryError

#: Largest ``offset`` accepted anywhere (beyond it a request is an error, not an empty page).
MAX_OFFSET = 10_000_000
#: Largest page of layer features or OGC items (OGC ``limit`` above it is clamped).
MAX_LIMIT = 1_000
#: Largest page of scored communes (``/scores``, ``/rankings``).
MAX_COMMUNE_LIMIT = 20_000
GEOJSON = "application/geo+json"

FrameT = TypeVar("FrameT", bound=pd.DataFrame)


@dataclass(frozen=True)
class Page(Generic[FrameT]):
    """One page of rows (``frame``) and how many matched in all; ``limit`` None: every row."""

    frame: FrameT
    matched: int
    offset: int
    limit: int | None

    @property
    def returned(self) -> int:
        """Rows on this page."""
        return len(self.frame)

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


def page_of(
    frame: FrameT,
    *,
    offset: int = 0,
    limit: int | None = None,
    past_end: bool = True,
    what: str = "features",
) -> Page[FrameT]:
    """Rows ``offset`` to ``offset + limit`` of ``frame`` (all rows after ``offset`` if no limit).

    ``past_end`` False makes an offset beyond the last row an error naming ``what`` matched,
    instead of an empty page.
    """
    check_paging(offset, limit)
    matched = len(frame)
    if not past_end and offset > matched:
        raise QueryError(
            f"offset was {offset} but only {matched} {what} match; "
            f"use an offset from 0 to {matched}"
        )
    end = None if limit is None else offset + limit
    return Page(frame.iloc[offset:end], matched, offset, limit)


def check_paging(offset: int, limit: int | None) -> None:
    """Refuse an offset outside 0..:data:`MAX_OFFSET` or a limit below 1."""
    if offset < 0 or offset > MAX_OFFSET:
        raise QueryError(f"offset is {offset} but is expected to be 0-{MAX_OFFSET:,}")
    if limit is not None and limit < 1:
        raise QueryError(f"limit was {limit} but is expected to be 1 or more")


def page_links(url: URL, page: Page, media_type: str | None = GEOJSON) -> list[dict[str, str]]:
    """``self``, and ``next``/``prev`` when there are more pages, each of ``media_type``."""
    kind = {} if media_type is None else {"type": media_type}
    links = [{"href": str(url), "rel": "self"} | kind]
    for rel, offset in (("next", page.next_offset), ("prev", page.prev_offset)):
        if offset is not None:
            href = url.include_query_params(offset=offset)
            if page.limit is not None:
                href = href.include_query_params(limit=page.limit)
            links.append({"href": str(href), "rel": rel} | kind)
    return links
