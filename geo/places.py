"""Places: communes of a province or district, and the rows and features outside a province.

Names match by their keys from :mod:`geo.names`, so "Tỉnh Biên Hải", "bien hai" and the NFD
"Biên Hải" are one province, and "Huyện Đông" and "dong" one district. Since July 2025 Viet Nam
has provinces and communes only: a layer without ``district_name`` selects by province alone.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import NotFoundError
from geo.names import district_key, province_key

#: Name column and key function of each level a commune can be selected by.
LEVELS = {"province": ("province_name", province_key), "district": ("district_name", district_key)}
#: How many known names a "not found" message lists.
KNOWN_SHOWN = 20


def same_place(names: pd.Series, wanted: str, level: str = "province") -> pd.Series:
    """Boolean mask: which ``names`` spell ``wanted`` (accent-, case- and prefix-free)."""
    key = LEVELS[level][1]
    return names.astype(str).map(key) == key(wanted)


def in_province(frame: pd.DataFrame, province: str | None) -> pd.DataFrame:
    """Rows of ``frame`` whose ``province_name`` spells ``province`` (None or no column: all)."""
    if province is None or "province_name" not in frame.columns:
        return frame
    return frame[same_place(frame["province_name"], province).to_numpy()]


def select_places(
    frame: pd.DataFrame, *, province: str | None = None, district: str | None = None
) -> pd.DataFrame:
    """Rows of ``frame`` in ``province`` and ``district`` (None: any).

    Raises
    ------
    NotFoundError
        When a name matches no row (the message lists the names there are), or the frame has
        no column for that level (no ``district_name`` since the 2025 reform, for instance).
    """
    for level, wanted in (("province", province), ("district", district)):
        if wanted is not None:
            frame = _select(frame, level, wanted)
    return frame


def _select(frame: pd.DataFrame, level: str, wanted: str) -> pd.DataFrame:
    column = LEVELS[level][0]
    if column not in frame.columns:
        raise NotFoundError(f'the communes layer has no {column}, so {level} "{wanted}" is unknown')
    keep = same_place(frame[column], wanted, level).to_numpy()
    if not keep.any():
        known = ", ".join(sorted(frame[column].astype(str).unique())[:KNOWN_SHOWN]) or "none"
        raise NotFoundError(f'{level} "{wanted}" has no commune you can see; known: {known}')
    return frame[keep]


def province_communes(communes: gpd.GeoDataFrame, province: str | None) -> gpd.GeoDataFrame:
    """The communes of ``province`` (all when None); NotFoundError listing the known names."""
    if province is None:
        return communes
    if "province_name" not in communes.columns:
        raise NotFoundError(f'province "{province}": the communes have no province_name')
    return select_places(communes, province=province)


def touching(frame: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Features of ``frame`` that intersect ``communes`` (compared in ``frame``'s CRS)."""
    return frame[_touches(frame, communes)]


def _touches(frame: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> np.ndarray:
    """Boolean mask of the features of ``frame`` that intersect ``communes``."""
    if frame.empty or communes.empty:
        return np.zeros(len(frame), dtype=bool)
    area = communes.to_crs(frame.crs).union_all()
    return shapely.intersects(frame.geometry.values, area)


def outside_rows(frame: pd.DataFrame, province: str, communes: gpd.GeoDataFrame) -> pd.Index:
    """Index labels of the rows of ``frame`` that belong to a province other than ``province``.

    A row's province is its ``province_name``, else the province of its ``commune_code``, else
    whether its geometry touches the province's communes; rows with none of these are kept.
    """
    if "province_name" in frame.columns:
        return frame.index[~same_place(frame["province_name"], province).to_numpy()]
    mine = in_province(communes, province)
    has_code = np.zeros(len(frame), dtype=bool)
    outside = np.zeros(len(frame), dtype=bool)
    if "commune_code" in frame.columns:
        codes = frame["commune_code"]
        has_code = codes.notna().to_numpy() & (codes.astype(str) != "").to_numpy()
        outside |= has_code & ~codes.astype(str).isin(set(mine["commune_code"].astype(str)))
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
        geoms = frame.geometry
        present = (geoms.notna() & ~geoms.is_empty).to_numpy()
        outside |= ~has_code & present & ~_touches(frame, mine)
    return frame.index[outside]


def describe_rows(rows: pd.Index, limit: int = 10) -> str:
    """``"rows 3, 7, 9"`` (and how many more past ``limit``)."""
    shown = ", ".join(str(r) for r in rows[:limit])
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return f"row{'s' if len(rows) > 1 else ''} {shown}{more}"


def provinces_other_than(communes: pd.DataFrame, province: str) -> list[str]:
    """Names of the provinces in ``communes`` other than ``province``, sorted."""
    if "province_name" not in communes.columns:
        return []
    names = communes["province_name"].astype(str)
    return sorted(set(names[~same_place(names, province).to_numpy()]))
