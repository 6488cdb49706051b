"""Scores as GeoJSON: a stored run (GET), or custom weights scored on the fly (POST).

Both answer with the caller's communes only (a province key sees its province), filtered by
``province``, ``district``, ``class`` and ``bbox`` and paged with ``limit``/``offset`` the way
OGC API - Features pages items (``numberMatched``, ``numberReturned``, ``next``/``prev`` links).
Viewers see small counts of people suppressed. Coordinates are rounded to 1e-6 degrees.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api.deps import ProfileDep, SettingsDep, WorkspaceDep, executor_from
from api.disclosure import PlaceDep, disclose, narrow
from api.paging import MAX_COMMUNE_LIMIT, MAX_OFFSET, Page, page_links
from api.responses import GeoJSONResponse, features
from api.schemas import ScoreRequest
from api.security import PrincipalDep
from risk.pipeline import score_workspace, scored_communes
from risk.profiles import load_profile
from risk.results import RESULT_COLUMNS
from risk.runs import ScoreRun
from risk.store import load_run

router = APIRouter(tags=["scores"])
#: Coordinates of answered communes are rounded to this many degrees (about 0.1 m): the 17
#: digits GEOS would write otherwise double a national answer and say nothing more.
PRECISION_DEG = 1e-6
LimitQuery = Annotated[
    int | None, Query(ge=1, le=MAX_COMMUNE_LIMIT, description="Page size (default: every commune)")
]
OffsetQuery = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Communes to skip")]
GeometryQuery = Annotated[
    bool, Query(description="false: features without geometry (null), for re-colouring a map")
]
AnalysesQuery = Annotated[
    bool,
    Query(
        description="false: score, class and rank only, without sensitivity and hot spots "
        "(a slider's quick answer; ask again with true for them)"
    ),
]


@router.get("/scores", response_class=GeoJSONResponse)
def get_scores(
    request: Request,
    ws: WorkspaceDep,
    profile: ProfileDep,
    principal: PrincipalDep,
    place: PlaceDep,
    limit: LimitQuery = None,
    offset: OffsetQuery = 0,
    geometry: GeometryQuery = True,
) -> GeoJSONResponse:
    """The caller's communes with score, class and rank from ``profile``'s latest stored run."""
    run = load_run(ws, profile.name)
    page = narrow(scored_communes(ws, run), principal, replace(place, limit=limit, offset=offset))
    body = _collection(page, run, principal.read_rule(), stored=True, geometry=geometry)
    return GeoJSONResponse(body | {"links": page_links(request.url, page)})


@router.post("/scores", response_class=GeoJSONResponse)
def post_scores(
    body: ScoreRequest,
    request: Request,
    ws: WorkspaceDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    place: PlaceDep,
    limit: LimitQuery = None,
    offset: OffsetQuery = 0,
    geometry: GeometryQuery = True,
    analyses: AnalysesQuery = True,
) -> GeoJSONResponse:
    """Score every commune with a profile and custom weights; the caller's are returned."""
    profile = load_profile(body.profile, settings.profiles_dir)
    if body.weights is not None:
        profile = profile.with_weights(body.weights)
    run = score_workspace(
        ws,
        profile,
        zonal_engine=settings.zonal_engine,
        store=False,
        executor=executor_from(settings),
        analyses=analyses,
    )
    page = narrow(
        scored_communes(ws, run, run.communes),
        principal,
        replace(place, limit=limit, offset=offset),
    )
    out = _collection(page, run, principal.read_rule(), stored=False, geometry=geometry)
    return GeoJSONResponse(out | {"links": page_links(request.url, page)})


def _collection(
    page: Page, run: ScoreRun, rule, *, stored: bool, geometry: bool = True
) -> dict[str, Any]:
    """A FeatureCollection of the result columns, with the run's profile and weights on top."""
    columns = [c for c in RESULT_COLUMNS if c in page.frame.columns]
    frame = disclose(page.frame[[*columns, "geometry"]], rule)
    frame = frame.rename(columns={"class_label_vi": "class_label"})
    frame["score"] = frame["score"].round(2)
    shown = [c for c in frame.columns if c != "geometry"]
    collection = {
        "type": "FeatureCollection",
        "features": features(frame, shown, geometry=geometry, precision=PRECISION_DEG),
    }
    collection.update(
        numberMatched=page.matched,
        numberReturned=len(frame),
        profile=run.record.profile,
        weights=dict(run.record.weights),
        stored=stored,
        run_id=run.record.run_id if stored else None,
        synthetic=run.record.synthetic,
        notes=list(run.record.notes),
    )
    return collection
