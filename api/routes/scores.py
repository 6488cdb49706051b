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
from geo.errors import QueryError
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
FieldsQuery = Annotated[
    str | None,
    Query(
        max_length=500,
        description="Comma-separated properties to answer (default: all), e.g. "
        '"commune_code,score,class,class_label,class_label_en,rank" to re-colour a map',
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
    fields: FieldsQuery = None,
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
    rule = principal.read_rule()
    out = _collection(page, run, rule, stored=False, geometry=geometry, fields=fields)
    return GeoJSONResponse(out | {"links": page_links(request.url, page)})


def _collection(
    page: Page,
    run: ScoreRun,
    rule,
    *,
    stored: bool,
    geometry: bool = True,
    fields: str | None = None,
) -> dict[str, Any]:
    """A FeatureCollection of the result columns (or ``fields``), the run's profile on top."""
    columns = _columns(page.frame.columns, fields)
    frame = disclose(page.frame[[*columns, "geometry"]], rule)
    frame = frame.rename(columns={"class_label_vi": "class_label"})
    if "score" in frame.columns:
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


def _columns(present, fields: str | None) -> list[str]:
    """The result columns of ``present`` that ``fields`` asks for (answer names; None: all)."""
    columns = [c for c in RESULT_COLUMNS if c in present]
    if fields is None:
        return columns
    named = {("class_label" if c == "class_label_vi" else c): c for c in columns}
    asked = list(dict.fromkeys(f.strip() for f in fields.split(",") if f.strip()))
    unknown = [f for f in asked if f not in named]
    if unknown or not asked:
        raise QueryError(
            f'fields was "{fields}" but is expected to be a comma-separated list of '
            f"{', '.join(named)}" + (f" (unknown: {', '.join(unknown)})" if unknown else "")
        )
    return [named[f] for f in asked]
