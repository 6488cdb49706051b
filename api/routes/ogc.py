"""OGC API - Features Part 1 (Core) over the workspace's layers and latest score runs.

QGIS and ArcGIS add ``http://host:port/ogc`` as a live layer source. Collections are the vector
layers (never the repatriation table) and ``scores-<profile>`` for every stored run.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import geopandas as gpd
from fastapi import APIRouter, Query, Request

from api.deps import WorkspaceDep
from api.disclosure import disclose
from api.paging import MAX_LIMIT, MAX_OFFSET, Page, page_links, page_of
from api.responses import GeoJSONResponse
from api.schemas import BBOX_PATTERN
from api.security import Principal, PrincipalDep, in_scope
from geo.errors import NotFoundError
from geo.places import touching
from geo.query import matching, parse_bbox
from geo.workspace import Workspace
from risk.labels import word
from risk.pipeline import scored_communes
from risk.store import list_runs, load_run

router = APIRouter(prefix="/ogc", tags=["ogc"])

GEOJSON = "application/geo+json"
JSON = "application/json"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
SERVED_LAYERS = ("communes", "border", "crossings", "venues", "industrial_zones")
#: Collection titles in both languages, from the catalogue section ``layers``.
TITLES = {n: f"{word(f'layers.{n}', 'vi')} / {word(f'layers.{n}', 'en')}" for n in SERVED_LAYERS}
SCORES_TITLE = f"{word('layers.scores', 'vi')} / {word('layers.scores', 'en')}"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


def _link(href: str, rel: str, type_: str = JSON, title: str | None = None) -> dict[str, str]:
    link = {"href": href, "rel": rel, "type": type_}
    return link | ({"title": title} if title else {})


@router.get("")
def landing(request: Request) -> dict[str, Any]:
    """Landing page: links to the API definition, conformance and collections."""
    base = str(request.base_url).rstrip("/")
    return {
        "title": "riskmap",
        "description": "Commune-level trafficking-risk layers and scores",
        "links": [
            _link(f"{base}/ogc", "self"),
            _link(
                f"{base}/openapi.json",
                "service-desc",
                "application/vnd.oai.openapi+json;version=3.0",
            ),
            _link(f"{base}/docs", "service-doc", "text/html"),
            _link(f"{base}/ogc/conformance", "conformance"),
            _link(f"{base}/ogc/collections", "data"),
        ],
    }


@router.get("/conformance")
def conformance() -> dict[str, list[str]]:
    """The conformance classes riskmap implements."""
    return {"conformsTo": CONFORMANCE}


@router.get("/collections")
def collections(request: Request, ws: WorkspaceDep) -> dict[str, Any]:
    """Every served collection with its extent and links."""
    base = str(request.base_url).rstrip("/")
    return {
        "links": [_link(f"{base}/ogc/collections", "self")],
        "collections": [_describe(base, cid, ws) for cid in _collection_ids(ws)],
    }


@router.get("/collections/{collection_id}")
def collection(collection_id: str, request: Request, ws: WorkspaceDep) -> dict[str, Any]:
    """One collection's description."""
    if collection_id not in _collection_ids(ws):
        raise NotFoundError(f'collection "{collection_id}" does not exist')
    return _describe(str(request.base_url).rstrip("/"), collection_id, ws)


@router.get("/collections/{collection_id}/items", response_class=GeoJSONResponse)
def items(
    collection_id: str,
    request: Request,
    ws: WorkspaceDep,
    principal: PrincipalDep,
    bbox: Annotated[
        str | None, Query(pattern=BBOX_PATTERN, description="minx,miny,maxx,maxy in degrees")
    ] = None,
    limit: Annotated[
        int, Query(ge=1, description=f"Page size, at least 1; above {MAX_LIMIT} clamped")
    ] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Features to skip")] = 0,
) -> GeoJSONResponse:
    """Features of a collection, filtered by ``bbox`` and paged with ``limit``/``offset``."""
    gdf = _features(ws, collection_id, principal)
    page = page_of(matching(gdf, bbox=parse_bbox(bbox)), offset=offset, limit=min(limit, MAX_LIMIT))
    return GeoJSONResponse(_feature_collection(request, collection_id, page))


@router.get("/collections/{collection_id}/items/{feature_id}", response_class=GeoJSONResponse)
def item(
    collection_id: str, feature_id: str, request: Request, ws: WorkspaceDep, principal: PrincipalDep
) -> GeoJSONResponse:
    """One feature by id (commune code for communes and scores, row number otherwise)."""
    gdf = _features(ws, collection_id, principal)
    hit = gdf[gdf["id"] == feature_id]
    if hit.empty:
        raise NotFoundError(f'feature "{feature_id}" is not in collection "{collection_id}"')
    feature = hit.to_geo_dict(drop_id=True)["features"][0]
    feature["id"] = feature["properties"].pop("id")
    base = str(request.base_url).rstrip("/") + f"/ogc/collections/{collection_id}"
    feature["links"] = [
        _link(f"{base}/items/{feature_id}", "self", GEOJSON),
        _link(base, "collection"),
    ]
    return GeoJSONResponse(feature)


def _collection_ids(ws: Workspace) -> list[str]:
    layers = [name for name in SERVED_LAYERS if ws.has_layer(name)]
    profiles = sorted({r.profile for r in list_runs(ws)})
    return layers + [f"scores-{p}" for p in profiles]


def _features(
    ws: Workspace, collection_id: str, principal: Principal | None = None
) -> gpd.GeoDataFrame:
    """A collection's features in EPSG:4326 with a string ``id``, limited to the caller's scope."""
    if collection_id not in _collection_ids(ws):
        raise NotFoundError(f'collection "{collection_id}" does not exist')
    if collection_id.startswith("scores-"):
        run = load_run(ws, collection_id.removeprefix("scores-"))
        gdf = scored_communes(ws, run)
    else:
        gdf = ws.read_layer(collection_id)
    ids = (
        gdf["commune_code"]
        if "commune_code" in gdf and collection_id != "venues"
        else [str(i + 1) for i in range(len(gdf))]
    )
    gdf = gdf.to_crs(4326).assign(id=list(map(str, ids))).reset_index(drop=True)
    if principal is None:
        return gdf
    gdf = _scoped(ws, gdf, principal)
    return disclose(gdf, principal.read_rule()) if collection_id.startswith("scores-") else gdf


def _scoped(ws: Workspace, gdf: gpd.GeoDataFrame, principal: Principal) -> gpd.GeoDataFrame:
    """Features of the caller's province: by column, else those touching its communes."""
    if principal.province is None:
        return gdf
    if "province_name" in gdf.columns:
        return in_scope(gdf, principal)
    return touching(gdf, in_scope(ws.read_layer("communes"), principal))


def _describe(base: str, cid: str, ws: Workspace) -> dict[str, Any]:
    west, south, east, north = (float(v) for v in _features(ws, cid).total_bounds)
    title = TITLES.get(cid, f"{SCORES_TITLE}: {cid.removeprefix('scores-')}")
    return {
        "id": cid,
        "title": title,
        "itemType": "feature",
        "crs": [CRS84],
        "extent": {"spatial": {"bbox": [[west, south, east, north]], "crs": CRS84}},
        "links": [
            _link(f"{base}/ogc/collections/{cid}", "self"),
            _link(f"{base}/ogc/collections/{cid}/items", "items", GEOJSON),
        ],
    }


def _feature_collection(request: Request, cid: str, page: Page) -> dict[str, Any]:
    body = page.frame.to_geo_dict(drop_id=True)
    for feature in body["features"]:
        feature["id"] = feature["properties"].pop("id")
    body.update(
        numberMatched=page.matched,
        numberReturned=page.returned,
        links=page_links(request.url, page),
        timeStamp=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    return body
