"""Response classes and features: GeoJSON that refuses NaN, built and encoded fast (orjson)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import orjson
import pandas as pd
import shapely
from fastapi.responses import JSONResponse

_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


class Features(list):
    """Features made by :func:`features`: numbers already checked, so rendering skips them."""


class GeoJSONResponse(JSONResponse):
    """RFC 7946 GeoJSON (``application/geo+json``), refusing NaN and infinity (orjson)."""

    media_type = "application/geo+json"

    def render(self, content: Any) -> bytes:
        """Encode ``content`` as compact UTF-8 JSON; a NaN raises instead of becoming invalid."""
        _refuse_nan(content)
        return orjson.dumps(content, option=_OPTIONS)


def _refuse_nan(content: Any) -> None:
    """Raise ValueError at the first NaN or infinite number of ``content`` (Features skipped)."""
    stack = [content]
    while stack:
        item = stack.pop()
        if isinstance(item, Features):
            continue
        if isinstance(item, float):
            if not math.isfinite(item):
                raise ValueError(f"{item!r} is not a JSON number (NaN and infinity are refused)")
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, np.ndarray) and item.dtype.kind == "f":
            if not np.isfinite(item).all():
                raise ValueError("an array holds NaN or infinity (not JSON numbers)")


def features(
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    geometry: bool = True,
    precision: float | None = None,
) -> Features:
    """GeoJSON features of ``frame``'s rows: ``columns`` as properties (NaN and missing: null).

    Without ``geometry`` every feature's geometry is null (RFC 7946 §3.2). Geometries are
    written by GEOS (``shapely.to_geojson``), coordinates rounded to ``precision`` (degrees)
    when given; a NaN or infinite coordinate raises ValueError.
    """
    values = [_column(frame[c]) for c in columns]
    props = [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]
    if not geometry:
        return Features({"type": "Feature", "geometry": None, "properties": p} for p in props)
    shapes = np.asarray(frame.geometry.to_numpy())
    if precision is not None:  # each coordinate on its own: no shape can collapse or move
        shapes = shapely.set_precision(shapes, precision, mode="pointwise")
    if not np.isfinite(shapely.get_coordinates(shapes)).all():
        raise ValueError("a geometry has NaN or infinite coordinates (not JSON numbers)")
    return Features(
        {"type": "Feature", "geometry": None if g is None else orjson.Fragment(g), "properties": p}
        for g, p in zip(shapely.to_geojson(shapes), props, strict=True)
    )


def _column(series: pd.Series) -> list[Any]:
    """A column as Python values, NaN and missing values as None (JSON null)."""
    if series.dtype.kind in "iub" and not series.hasnans:
        return series.tolist()
    if series.dtype.kind == "f":
        out = series.to_numpy(dtype=object)
        out[~np.isfinite(series.to_numpy())] = None
        return out.tolist()
    return series.astype(object).where(series.notna(), None).tolist()
