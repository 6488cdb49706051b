"""The layer contract: layer names, required columns, geometry types and allowed kinds."""

from __future__ import annotations

import re
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from geo.errors import LayerError

CROSSING_KINDS = ("international", "main", "secondary", "opening", "trail", "seaport")
VENUE_KINDS = ("karaoke", "massage", "guesthouse", "hotel", "homestay", "bar", "cafe", "other")
ZONE_KINDS = ("kcn", "kkt", "ccn")
BORDER_KINDS = ("land", "sea")
REPATRIATION_CATEGORIES = ("deported", "victim_returned", "case")

#: Column names that identify a person; a layer carrying one is refused outright.
PERSONAL_ID_COLUMNS = frozenset(
    {
        "full_name",
        "ho_ten",
        "ho_va_ten",
        "cccd",
        "cmnd",
        "id_number",
        "passport",
        "so_ho_chieu",
        "date_of_birth",
        "ngay_sinh",
        "phone",
        "so_dien_thoai",
    }
)

_PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")
_CODE = re.compile(r"^\d{5}$")


@dataclass(frozen=True)
class LayerSpec:
    """What one layer must hold: geometry types (empty = table) and columns."""

    name: str
    geometry: tuple[str, ...]
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()


LAYERS: dict[str, LayerSpec] = {
    spec.name: spec
    for spec in (
        LayerSpec(
            "communes",
            ("Polygon", "MultiPolygon"),
            ("commune_code", "commune_name", "province_name"),
            ("district_name", "population", "poverty_rate", "ethnic_minority_share", "area_km2"),
        ),
        LayerSpec(
            "border", ("LineString", "MultiLineString"), (), ("country", "kind"), BORDER_KINDS
        ),
        LayerSpec(
            "crossings", ("Point",), ("name", "kind"), ("country", "daily_traffic"), CROSSING_KINDS
        ),
        LayerSpec(
            "venues",
            ("Point",),
            ("kind",),
            ("name", "licence_no", "address", "commune_code", "commune_name"),
            VENUE_KINDS,
        ),
        LayerSpec(
            "industrial_zones",
            ("Polygon", "MultiPolygon", "Point"),
            ("name",),
            ("workers", "migrant_share", "kind"),
            ZONE_KINDS,
        ),
        LayerSpec(
            "repatriations",
            (),
            ("commune_code", "period", "count"),
            ("category", "sex", "age_band"),
            REPATRIATION_CATEGORIES,
        ),
    )
}

VECTOR_LAYERS = tuple(LAYERS)
REQUIRED_LAYERS = ("communes",)


def validate_layer(name: str, frame: pd.DataFrame, *, path: str | None = None) -> pd.DataFrame:
    """Return ``frame`` unchanged if it honours the contract of layer ``name``; else raise.

    Raises
    ------
    LayerError
        Naming the file (``path``, else the layer), the 1-based row and the column at fault.
    """
    spec = _spec(name)
    source = path or f"layer {name}"
    _check_no_personal_ids(frame, source)
    _check_columns(spec, frame, source)
    if spec.geometry:
        _check_geometry(spec, frame, source)
    if spec.kinds:
        _check_kinds(spec, frame, source)
    if name == "communes":
        _check_commune_codes(frame, source)
    if name == "repatriations":
        _check_repatriations(frame, source)
    return frame


def _spec(name: str) -> LayerSpec:
    if name not in LAYERS:
        raise LayerError(None, f'layer "{name}" is not one of {", ".join(LAYERS)}')
    return LAYERS[name]


def _check_no_personal_ids(frame: pd.DataFrame, source: str) -> None:
    found = sorted(PERSONAL_ID_COLUMNS.intersection(map(str.lower, frame.columns)))
    if found:
        raise LayerError(
            source,
            "personal identifiers are never stored; remove this column and keep only counts",
            column=found[0],
        )


def _check_columns(spec: LayerSpec, frame: pd.DataFrame, source: str) -> None:
    for column in spec.required:
        if column not in frame.columns:
            raise LayerError(
                source,
                f"required column is missing (have: {', '.join(map(str, frame.columns))})",
                column=column,
            )
        nulls = frame[column].isna().to_numpy()
        if nulls.any():
            raise LayerError(source, "value is empty", row=_row(nulls), column=column)


def _check_geometry(spec: LayerSpec, frame: pd.DataFrame, source: str) -> None:
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame.columns:
        raise LayerError(source, f"layer {spec.name} needs a geometry column")
    if frame.crs is None:
        raise LayerError(source, "geometry has no coordinate reference system", column="geometry")
    geoms = frame.geometry
    empty = (geoms.isna() | geoms.is_empty).to_numpy()
    if empty.any():
        raise LayerError(source, "geometry is empty", row=_row(empty), column="geometry")
    wrong = ~geoms.geom_type.isin(spec.geometry).to_numpy()
    if wrong.any():
        got = geoms.geom_type.iloc[_row(wrong) - 1]
        raise LayerError(
            source,
            f"geometry is {got}, expected {' or '.join(spec.geometry)}",
            row=_row(wrong),
            column="geometry",
        )


def _check_kinds(spec: LayerSpec, frame: pd.DataFrame, source: str) -> None:
    column = "category" if spec.name == "repatriations" else "kind"
    if column not in frame.columns:
        return
    values = frame[column]
    bad = (values.notna() & ~values.isin(spec.kinds)).to_numpy()
    if bad.any():
        value = values.iloc[_row(bad) - 1]
        raise LayerError(
            source, f'"{value}" is not one of {", ".join(spec.kinds)}', row=_row(bad), column=column
        )


def _check_commune_codes(frame: pd.DataFrame, source: str) -> None:
    codes = frame["commune_code"].astype(str)
    bad = ~codes.str.fullmatch(_CODE).to_numpy()
    if bad.any():
        raise LayerError(
            source,
            f'"{codes.iloc[_row(bad) - 1]}" is not a 5-digit GSO commune code',
            row=_row(bad),
            column="commune_code",
        )
    dup = codes.duplicated().to_numpy()
    if dup.any():
        raise LayerError(
            source,
            f'"{codes.iloc[_row(dup) - 1]}" appears twice; commune codes must be unique',
            row=_row(dup),
            column="commune_code",
        )


def _check_repatriations(frame: pd.DataFrame, source: str) -> None:
    counts = pd.to_numeric(frame["count"], errors="coerce")
    bad = (counts.isna() | (counts < 0) | (counts % 1 != 0)).to_numpy()
    if bad.any():
        raise LayerError(
            source,
            f'"{frame["count"].iloc[_row(bad) - 1]}" is not a whole number of people >= 0',
            row=_row(bad),
            column="count",
        )
    periods = frame["period"].astype(str)
    bad = ~periods.str.fullmatch(_PERIOD).to_numpy()
    if bad.any():
        raise LayerError(
            source,
            f'"{periods.iloc[_row(bad) - 1]}" is not a year (YYYY) or month (YYYY-MM)',
            row=_row(bad),
            column="period",
        )


def _row(mask) -> int:
    """1-based row number of the first True in ``mask`` (as a clerk counts rows)."""
    return int(mask.argmax()) + 1
