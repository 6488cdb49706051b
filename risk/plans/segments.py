"""The border-segment plan of a stored run: segments and crossings ranked, as a JSON record.

:func:`plan_segments` is the core (a run, commune polygons, border and crossings in, a
:class:`SegmentPlan` out) over the maths of :mod:`risk.plans.border`; :func:`segments_plan` is
its adapter that reads them from a workspace. Geometries leave as GeoJSON in lon/lat
(EPSG:4326).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import STORAGE_CRS, to_metric
from geo.workspace import Workspace
from risk.demand import DEFAULTS
from risk.errors import PlanError
from risk.plans.border import (
    CROSSING_SHARE,
    DEFAULT_LENGTH_KM,
    DEFAULT_REACH_KM,
    rank_crossings,
    score_segments,
    split_border,
)
from risk.plans.scope import NEAR_KM, near, province_communes
from risk.runs import ScoreRun
from risk.store import load_run

SEGMENT_FIELDS = (
    "segment",
    "kind",
    "start_km",
    "end_km",
    "length_km",
    "risk",
    "communes",
    "crossings",
    "crossing_names",
    "score",
    "rank",
)
CROSSING_FIELDS = ("name", "kind", "weight", "risk", "communes", "segment", "score", "rank")


@dataclass(frozen=True)
class SegmentPlan:
    """Border segments and crossings ranked for patrols (geometries as GeoJSON, lon/lat)."""

    run_id: str
    profile: str
    parameters: dict[str, Any]
    segments: list[dict[str, Any]]
    crossings: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    kind: str = "segments"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record: ``segments`` and ``crossings`` in rank order."""
        return asdict(self)


def segments_plan(
    ws: Workspace,
    profile: str,
    *,
    length_km: float = DEFAULT_LENGTH_KM,
    reach_km: float = DEFAULT_REACH_KM,
    crossing_share: float = CROSSING_SHARE,
    run_id: str | None = None,
    province: str | None = None,
) -> SegmentPlan:
    """Border segments of ``length_km`` and the crossings of ``ws``, ranked for ``profile``'s run.

    Reads the run (default: latest) and the communes, border and crossings layers, then calls
    :func:`plan_segments`.
    """
    if not ws.has_layer("border"):
        raise PlanError(
            "the workspace has no border layer to cut into segments; ingest one "
            "(lines of the land border or coastline) first"
        )
    run = load_run(ws, profile, run_id)
    communes = to_metric(ws.read_layer("communes"))
    border = ws.read_layer("border")
    crossings = ws.read_layer("crossings") if ws.has_layer("crossings") else None
    options = {"length_km": length_km, "reach_km": reach_km, "crossing_share": crossing_share}
    return plan_segments(run, communes, border, crossings, province=province, **options)


def plan_segments(
    run: ScoreRun,
    communes: gpd.GeoDataFrame,
    border: gpd.GeoDataFrame,
    crossings: gpd.GeoDataFrame | None,
    *,
    length_km: float = DEFAULT_LENGTH_KM,
    reach_km: float = DEFAULT_REACH_KM,
    crossing_share: float = CROSSING_SHARE,
    province: str | None = None,
) -> SegmentPlan:
    """Border segments of ``length_km`` and the crossings, ranked (see :mod:`risk.plans.border`).

    ``communes`` are polygons in a metric CRS. Crossing kinds are weighted by the run's
    ``crossing_kind_weights``; communes count with the run's scores when any part of them is
    within ``reach_km`` (km). With ``province``, only its communes count, and only the border
    and crossings near them are ranked.
    """
    communes = province_communes(_scored_polygons(communes, run), province)
    border = border.to_crs(communes.crs)
    if province is not None:
        border = border.clip(shapely.union_all(communes.geometry.values).buffer(NEAR_KM * 1000))
    if crossings is not None:
        crossings = crossings.to_crs(communes.crs)
        crossings = crossings if province is None else near(crossings, communes)
    kinds = dict(run.record.parameters.get("crossing_kind_weights") or {})
    options = {"kind_weights": kinds, "reach_km": reach_km, "crossing_share": crossing_share}
    segments = split_border(border, length_km)
    ranked, notes = score_segments(segments, communes, crossings, **options)
    ranked_crossings = []
    if crossings is not None and not crossings.empty:
        frame = rank_crossings(crossings, communes, segments, **options)
        ranked_crossings = _records(frame, CROSSING_FIELDS)
    params = {"length_km": length_km, "reach_km": reach_km, "crossing_share": crossing_share}
    params["demand"] = DEFAULTS["segments"]  # ranked one by one: summed scores (docs/method.md)
    return SegmentPlan(
        run.record.run_id,
        run.record.profile,
        params,
        _records(ranked, SEGMENT_FIELDS),
        ranked_crossings,
        notes,
    )


def _scored_polygons(communes: gpd.GeoDataFrame, run: ScoreRun) -> gpd.GeoDataFrame:
    """Commune polygons (metric CRS) with their province and run score."""
    communes = communes[[c for c in ("commune_code", "province_name", "geometry") if c in communes]]
    scores = run.table.frame[["commune_code", "score"]]
    return communes.merge(scores, on="commune_code", how="inner", validate="1:1")


def _records(frame: gpd.GeoDataFrame, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    """Rows of ``frame`` by rank as JSON-ready dicts, geometry as GeoJSON in lon/lat."""
    frame = frame.sort_values("rank")
    geoms = shapely.set_precision(frame.geometry.to_crs(STORAGE_CRS).values, 1e-6)
    rows = pd.DataFrame(frame[[c for c in columns if c in frame]]).to_dict("records")
    return [
        {k: v.item() if isinstance(v, np.generic) else v for k, v in row.items()}
        | {"geometry": json.loads(shapely.to_geojson(g))}
        for row, g in zip(rows, geoms, strict=True)
    ]
