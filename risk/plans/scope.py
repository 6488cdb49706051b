"""Plans for one province: only its communes, and the sites and border near them."""

from __future__ import annotations

import geopandas as gpd
import shapely

from risk.errors import PlanError

#: Crossings and border this close to a province's communes belong to its plans, km: a border
#: line from another source lies 1-8 km off the communes, and crossings are drawn on it.
NEAR_KM = 10.0


def province_communes(communes: gpd.GeoDataFrame, province: str | None) -> gpd.GeoDataFrame:
    """The communes of ``province`` (all when None); an error when it has none."""
    if province is None:
        return communes
    if "province_name" not in communes.columns:
        raise PlanError(f'plans for province "{province}": the communes have no province_name')
    mine = communes[communes["province_name"].astype(str) == province]
    if mine.empty:
        raise PlanError(f'plans for province "{province}": no commune of it in this workspace')
    return mine


def near(frame: gpd.GeoDataFrame, communes: gpd.GeoDataFrame, km: float = NEAR_KM):
    """Rows of ``frame`` within ``km`` of ``communes`` (both in one metric CRS)."""
    area = shapely.union_all(communes.geometry.values).buffer(km * 1000.0)
    return frame[shapely.intersects(frame.geometry.values, area)]
