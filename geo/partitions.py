"""Which province each row of a layer belongs to, so each province can replace only its own rows.

Pure: a layer's frame and the communes in, one province name per row out. A row belongs to
the province of its ``commune_code``, else to the province of the commune its point (or a
polygon's representative point) counts in by the rules of :mod:`geo.placement`, else to the
province it names (``province_name``); a commune to the province it names. Names match
accent-, case- and prefix-free (:func:`geo.names.province_key`). The border and the population
raster are national: they have no province rows, and only a key without a province replaces them.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import metric_crs_for
from geo.names import province_key
from geo.placement import place_points
from geo.places import describe_rows

#: Share of either commune's area beyond which a new commune overlapping another province's
#: stored commune claims its territory (real boundaries overlap a little where they were thinned).
OVERLAP_SHARE = 0.05

#: Layers whose rows belong to one province each; the others are national.
PARTITIONED = ("communes", "venues", "crossings", "industrial_zones", "repatriations")


def is_partitioned(layer: str) -> bool:
    """Whether ``layer``'s rows belong to provinces (a province key may replace its own)."""
    return layer in PARTITIONED


def row_provinces(frame: pd.DataFrame, layer: str, communes: pd.DataFrame | None) -> pd.Series:
    """The province name of each row of ``frame`` (None: no province could be told).

    A commune's province is its ``province_name``. Any other row's is the province of its
    ``commune_code``, else of the commune its point falls in; its own ``province_name`` only
    when neither places it (row by row: a blank name tells nothing).
    """
    declared = _declared(frame)
    if layer == "communes":
        return declared
    placed = _placed(frame, layer, communes)
    return _none_for_missing(placed.where(placed.notna(), declared))


def disagreeing_rows(frame: pd.DataFrame, layer: str, communes: pd.DataFrame | None) -> pd.Index:
    """Index labels of rows whose ``province_name`` is not the province their code/point tells."""
    if layer == "communes" or "province_name" not in frame.columns:
        return frame.index[:0]
    declared, placed = _declared(frame), _placed(frame, layer, communes)
    both = (declared.notna() & placed.notna()).to_numpy()
    differ = both & (_keys(declared) != _keys(placed)).to_numpy()
    return frame.index[differ]


def _declared(frame: pd.DataFrame) -> pd.Series:
    """Each row's own ``province_name`` (None where blank or absent)."""
    if "province_name" not in frame.columns:
        return pd.Series(None, index=frame.index, dtype=object)
    names = frame["province_name"].astype(object)
    return _none_for_missing(names.where(names.astype(str).str.strip() != ""))


def _placed(frame: pd.DataFrame, layer: str, communes: pd.DataFrame | None) -> pd.Series:
    """The province of each row's commune code, else of the commune its point falls in."""
    owner = pd.Series(None, index=frame.index, dtype=object)
    if communes is None or communes.empty or "province_name" not in communes.columns:
        return owner
    of_code = dict(
        zip(communes["commune_code"].astype(str), communes["province_name"], strict=True)
    )
    if "commune_code" in frame.columns:
        owner = _none_for_missing(frame["commune_code"].astype(str).map(of_code))
    if isinstance(frame, gpd.GeoDataFrame):
        unknown = owner.isna().to_numpy() & _present(frame)
        if unknown.any():
            points = frame.loc[unknown]
            points = points.set_geometry(points.geometry.representative_point())
            codes = place_points(points, layer, communes).codes
            owner.loc[unknown] = codes.map(of_code).to_numpy()
    return _none_for_missing(owner)


def _none_for_missing(owner: pd.Series) -> pd.Series:
    """``owner`` as objects, with None (never NaN) where no province was told."""
    owner = owner.astype(object)
    return owner.where(owner.notna(), None)


def _present(frame: gpd.GeoDataFrame) -> np.ndarray:
    geoms = frame.geometry
    return (geoms.notna() & ~geoms.is_empty).to_numpy()


def in_partition(owners: pd.Series, province: str) -> np.ndarray:
    """Boolean mask: which ``owners`` (from :func:`row_provinces`) spell ``province``."""
    return (_keys(owners) == province_key(province)).to_numpy()


def _keys(owners: pd.Series) -> pd.Series:
    """Each owner's province key (None for none), folding each distinct name once."""
    names = owners.dropna().unique()
    return owners.map(dict(zip(names, map(province_key, names), strict=True))).astype(object)


def foreign_rows(
    frame: pd.DataFrame, layer: str, province: str, communes: pd.DataFrame | None
) -> pd.Index:
    """Index labels (file rows) of ``frame`` not in ``province``, in none, or naming another."""
    outside = ~in_partition(row_provinces(frame, layer, communes), province)
    named = _declared(frame)
    elsewhere = named.notna().to_numpy() & ~in_partition(named, province)
    return frame.index[outside | elsewhere]


def outside_reason(
    frame: pd.DataFrame, layer: str, province: str, communes: pd.DataFrame | None
) -> str | None:
    """Why rows of ``frame`` may not be ``province``'s (row numbers named), or None if all are."""
    named = disagreeing_rows(frame, layer, communes)
    if len(named):
        return (
            f"{describe_rows(named)}: province_name disagrees with the province its commune "
            "code or location places the row in; fix or blank that column"
        )
    foreign = foreign_rows(frame, layer, province, communes)
    if len(foreign):
        return f'{describe_rows(foreign)}: outside province "{province}" (or in none)'
    return None


def split_provinces(
    frame: pd.DataFrame, owners: pd.Series
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The rows of each province (by first spelling met), and the rows of none."""
    keys = _keys(owners)
    parts = {}
    for key in keys.dropna().unique():
        mask = (keys == key).to_numpy()
        parts[str(owners[mask].iloc[0])] = frame[mask]
    return parts, frame[keys.isna().to_numpy()]


def spelled_as(province: str, communes: pd.DataFrame | None) -> str:
    """``province`` as the communes layer spells it (the name as given if it has none)."""
    if communes is None or "province_name" not in communes.columns:
        return province
    for name in communes["province_name"].dropna().astype(str).unique():
        if province_key(name) == province_key(province):
            return name
    return province


def merge_parts(unowned: pd.DataFrame, parts: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One layer from the rows of no province, then each province's rows in name-key order.

    The order depends on the provinces' rows only, never on who uploaded first, so the whole
    layer's content (and version) follows from the provinces' versions.
    """
    ordered = [parts[p] for p in sorted(parts, key=province_key)]
    frames = [_plain(f) for f in (unowned, *ordered) if len(f) or f is unowned]
    merged = pd.concat(frames, ignore_index=True)
    geo = next((f for f in frames if isinstance(f, gpd.GeoDataFrame)), None)
    if geo is None:
        return pd.DataFrame(merged)
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=geo.crs)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its geometry column named ``geometry``, in EPSG:4326."""
    if isinstance(frame, gpd.GeoDataFrame):
        frame = frame.to_crs(4326) if frame.crs is not None else frame
        if frame.geometry.name != "geometry":
            frame = frame.rename_geometry("geometry")
    return frame


def overlap_reason(rows: pd.DataFrame, others: dict[str, pd.DataFrame]) -> str | None:
    """Which new communes overlap another province's communes by > :data:`OVERLAP_SHARE` (area)."""
    for province, frame in others.items():
        hits = _overlapping(rows, frame)
        if len(hits):
            return (
                f'{describe_rows(hits)}: overlaps communes of province "{province}" by more than '
                f"{OVERLAP_SHARE:.0%} of either commune's area; a province's communes may not "
                "cover another province's"
            )
    return None


def _overlapping(rows: pd.DataFrame, other: pd.DataFrame) -> pd.Index:
    """Index labels of ``rows`` whose polygon shares > OVERLAP_SHARE of its or a commune's area."""
    if not isinstance(rows, gpd.GeoDataFrame) or not isinstance(other, gpd.GeoDataFrame):
        return rows.index[:0]
    if rows.empty or other.empty:
        return rows.index[:0]
    crs = metric_crs_for(tuple(rows.to_crs(4326).total_bounds))
    new = shapely.make_valid(rows.to_crs(crs).geometry.to_numpy())
    old = shapely.make_valid(other.to_crs(crs).geometry.to_numpy())
    left, right = shapely.STRtree(old).query(new, predicate="intersects")
    if not len(left):
        return rows.index[:0]
    shared = shapely.area(shapely.intersection(new[left], old[right]))
    own, theirs = shapely.area(new[left]), shapely.area(old[right])
    largest = np.maximum(_share(shared, own), _share(shared, theirs))
    return rows.index[np.unique(left[largest > OVERLAP_SHARE])]


def _share(shared: np.ndarray, of: np.ndarray) -> np.ndarray:
    """``shared`` as a share of the areas ``of`` (0 where an area is 0), m²/m²."""
    return np.divide(shared, of, out=np.zeros_like(shared), where=of > 0)
