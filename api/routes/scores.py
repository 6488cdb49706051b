"""Scores as GeoJSON: a stored run (GET), or custom weights scored on the fly (POST)."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
from fastapi import APIRouter

from api.deps import ProfileDep, SettingsDep, WorkspaceDep
from api.responses import GeoJSONResponse
from api.schemas import ScoreRequest
from risk.pipeline import ScoreRun, load_run, score_workspace, scored_communes
from risk.profiles import load_profile

router = APIRouter(tags=["scores"])

PROPERTIES = [
    "commune_code",
    "commune_name",
    "district_name",
    "province_name",
    "score",
    "class",
    "class_label_vi",
    "class_label_en",
    "rank",
    "rank_p05",
    "rank_p95",
    "p_top_k",
    "hotspot",
]


@router.get("/scores", response_class=GeoJSONResponse)
def get_scores(ws: WorkspaceDep, profile: ProfileDep) -> GeoJSONResponse:
    """Every commune's score, class and rank from the latest stored run of ``profile``."""
    run = load_run(ws, profile.name)
    return GeoJSONResponse(_collection(scored_communes(ws, run), run, stored=True))


@router.post("/scores", response_class=GeoJSONResponse)
def post_scores(body: ScoreRequest, ws: WorkspaceDep, settings: SettingsDep) -> GeoJSONResponse:
    """Score every commune with a profile and custom weights; nothing is stored."""
    profile = load_profile(body.profile, settings.profiles_dir)
    if body.weights is not None:
        profile = profile.with_weights(body.weights)
    run = score_workspace(ws, profile, zonal_engine=settings.zonal_engine, store=False)
    return GeoJSONResponse(_collection(scored_communes(ws, run, run.communes), run, stored=False))


def _collection(gdf: gpd.GeoDataFrame, run: ScoreRun, *, stored: bool) -> dict[str, Any]:
    """A FeatureCollection of the score columns, with the run's profile and weights on top."""
    gdf = gdf[[c for c in PROPERTIES if c in gdf.columns] + ["geometry"]]
    gdf = gdf.rename(columns={"class_label_vi": "class_label"})
    gdf["score"] = gdf["score"].round(2)
    collection = gdf.to_geo_dict(drop_id=True)
    collection.update(
        profile=run.record.profile,
        weights=dict(run.record.weights),
        stored=stored,
        run_id=run.record.run_id if stored else None,
        synthetic=run.record.synthetic,
        notes=list(run.record.notes),
    )
    return collection
