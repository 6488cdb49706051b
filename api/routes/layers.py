"""Stored layers: list them, read one (GeoJSON or JSON rows), upload a new version (analysts).

An upload goes through :func:`geo.ingest.ingest_file`, exactly as ``riskmap ingest`` does; a
rejected file is a 422 problem carrying the row-level report. Uploads of one layer are
serialised by a lock in the workspace; readers keep getting the previous complete version
until the new one is swapped in.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, Request, Response, UploadFile

from api.deps import SettingsDep, WorkspaceDep
from api.paging import MAX_LIMIT, MAX_OFFSET, page_links
from api.responses import GeoJSONResponse
from api.schemas import BBOX_PATTERN, LayerOut, UploadOut
from api.security import AnalystDep, PrincipalDep
from api.services.layers import KNOWN, layer_list, layer_page, store_upload, upload_report
from geo.ingest import IngestOptions, parse_column_map
from geo.limits import Limits
from geo.progress import logged

router = APIRouter(tags=["layers"])

LayerName = Annotated[
    str, Path(pattern=r"^[a-z_]{1,40}$", description=f"Layer: {', '.join(KNOWN)}")
]


@router.get("/layers", response_model=list[LayerOut])
def get_layers(ws: WorkspaceDep, principal: PrincipalDep) -> list[LayerOut]:
    """Every stored layer: kind, current version, feature count, when and from which file.

    A layer uploaded province by province lists each province's current version
    (``provinces``). For a key limited to a province the count is of that province's features
    and rows, and only its own province's upload is listed.
    """
    return layer_list(ws, principal)


@router.get(
    "/layers/{name}",
    response_class=GeoJSONResponse,
    responses={200: {"content": {"application/json": {}}, "description": "Features, or rows"}},
)
def get_layer(
    name: LayerName,
    request: Request,
    ws: WorkspaceDep,
    principal: PrincipalDep,
    bbox: Annotated[
        str | None, Query(pattern=BBOX_PATTERN, description="minx,miny,maxx,maxy in degrees")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size")] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip")] = 0,
) -> GeoJSONResponse:
    """One layer in the caller's province: GeoJSON features (RFC 7946), or rows for a table."""
    body, page, media_type = layer_page(ws, name, principal, bbox=bbox, limit=limit, offset=offset)
    body["links"] = page_links(request.url, page, media_type)
    return GeoJSONResponse(body, media_type=media_type)


@router.post("/layers/{name}", response_model=UploadOut, status_code=201)
def post_layer(
    name: LayerName,
    response: Response,
    ws: WorkspaceDep,
    principal: AnalystDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="CSV, XLSX, GPKG, GeoJSON, KML, zipped SHP")],
    crs: Annotated[str | None, Form(description="CRS of a file without one")] = None,
    columns: Annotated[str | None, Form(description='Column names: "Tên=name,Loại=kind"')] = None,
    fix_swapped: Annotated[bool, Form(description="Swap back x/y found swapped")] = False,
    skip_invalid: Annotated[bool, Form(description="Store the good rows only")] = False,
) -> UploadOut:
    """Check an uploaded file like ``riskmap ingest`` and store it as the layer's new version.

    A key limited to a province replaces that province's rows only (the others stay), as a
    new version of the province's rows; a row of another province is refused (403, listing
    the rows), and so is a national layer (border, population).
    """
    options = IngestOptions(
        crs=crs or None,
        columns=parse_column_map(columns),
        fix_swapped=fix_swapped,
        skip_invalid=skip_invalid,
        limits=Limits(max_file_mb=settings.max_upload_mb),
        actor=f"api:{principal.label or principal.key_id}",
        progress=logged(logging.getLogger("riskmap.progress"), f"POST /layers/{name}"),
    )
    max_bytes = int(settings.max_upload_mb * 1024 * 1024)
    report = store_upload(
        ws, name, principal, (file.file, file.filename), options=options, max_bytes=max_bytes
    )
    response.headers["Location"] = f"/layers/{name}"
    return UploadOut(
        layer=name,
        version=str(report.version),
        rows_stored=report.rows_stored,
        province=principal.province,
        report=upload_report(ws, report),
    )
