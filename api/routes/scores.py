"""Scores of a stored run as GeoJSON."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import ProfileDep, WorkspaceDep
from api.responses import GeoJSONResponse
from risk.pipeline import load_run, scored_communes

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
]


@router.get("/scores", response_class=GeoJSONResponse)
def get_scores(ws: WorkspaceDep, profile: ProfileDep) -> GeoJSONResponse:
    """Every commune's score, class and rank from the latest stored run of ``profile``."""
    run = load_run(ws, profile.name)
    gdf = scored_communes(ws, run)
    gdf = gdf[[c for c in PROPERTIES if c in gdf.columns] + ["geometry"]]
    gdf = gdf.rename(columns={"class_label_vi": "class_label"})
    gdf["score"] = gdf["score"].round(2)
    collection = gdf.to_geo_dict(drop_id=True)
    collection.update(
        profile=profile.name, run_id=run.record.run_id, synthetic=run.record.synthetic
    )
    return GeoJSONResponse(collection)
