"""Stored layers: list them, read one (GeoJSON or JSON rows), upload a new version (analysts).

An upload goes through :func:`geo.ingest.ingest_file`, exactly as ``riskmap ingest`` does; a
rejected file is a 422 problem carrying the row-level report. Uploads of one layer are
serialised by a lock in the workspace; readers keep getting the previous complete version
until the new one is swapped in.
"""

from __future__ import annotations

from typing import Annotated, Any

import geopandas as gpd
import pandas as pd
from fastapi import APIRouter, File, Form, Path, Query, Request, Response, UploadFile

from api.deps import SettingsDep, WorkspaceDep
from api.responses import GeoJSONResponse
from api.schemas import LayerOut, UploadOut
from api.security import AnalystDep, PermissionDeniedError, Principal, PrincipalDep, in_scope
from api.uploads import (
    RejectedUploadError,
    describe_rows,
    outside_rows,
    public_report,
    staged,
)
from geo.errors import NotFoundError, QueryError
from geo.ingest import RASTER_LAYERS, IngestOptions, check_file, ingest_file, parse_column_map
from geo.limits import Limits
from geo.query import MAX_LIMIT, parse_bbox, query
from geo.schema import LAYERS
from geo.workspace import Workspace

router = APIRouter(tags=["layers"])

KNOWN = (*LAYERS, *RASTER_LAYERS)
#: Layers that count people per commune and period: their rows are for analysts only.
SENSITIVE = frozenset({"repatriations"})
MAX_OFFSET = 10_000_000
LayerName = Annotated[
    str, Path(pattern=r"^[a-z_]{1,40}$", description=f"Layer: {', '.join(KNOWN)}")
]


@router.get("/layers", response_model=list[LayerOut])
def get_layers(ws: WorkspaceDep, principal: PrincipalDep) -> list[LayerOut]:
    """Every stored layer: kind, current version, feature count, when and from which file.

    For a key limited to a province the count is of that province's features and rows.
    """
    return [
        LayerOut(
            name=v.name,
            kind=ws.kind(v.name),
            version=v.version,
            features=_count(ws, v.name, principal) if principal.province else v.rows,
            written_at=v.written_at,
            source=v.source,
        )
        for v in sorted(ws.versions().values(), key=lambda v: v.name)
    ]


def _count(ws: Workspace, name: str, principal: Principal) -> int:
    """Features or rows of layer ``name`` the caller may see (1 for a raster)."""
    if ws.kind(name) == "raster":
        return 1
    return len(_for_caller(ws, ws.read_layer(name), principal))


@router.get("/layers/{name}", response_class=GeoJSONResponse)
def get_layer(
    name: LayerName,
    request: Request,
    ws: WorkspaceDep,
    principal: PrincipalDep,
    bbox: Annotated[str | None, Query(description="minx,miny,maxx,maxy in degrees")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size")] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip")] = 0,
) -> GeoJSONResponse:
    """One layer in the caller's province: GeoJSON features (RFC 7946), or rows for a table."""
    if name not in KNOWN or not ws.has_layer(name):
        raise NotFoundError(f'layer "{name}" is not in this workspace (see GET /layers)')
    if ws.kind(name) == "raster":
        raise NotFoundError(f'layer "{name}" is a raster; it is not served as features or rows')
    if name in SENSITIVE and principal.read_rule() is not None:
        raise PermissionDeniedError(
            f'layer "{name}" counts people per commune and period: its rows are for analysts, '
            "since two rows or a row and a commune total could reveal a small count; viewers "
            "see suppressed commune totals in GET /scores"
        )
    version, frame = ws.read_current(name)
    frame = _for_caller(ws, frame, principal)
    table = not isinstance(frame, gpd.GeoDataFrame)
    if table and bbox:
        raise QueryError(f'bbox filters features; layer "{name}" is a table without geometry')
    if table:
        frame = gpd.GeoDataFrame(frame, geometry=[None] * len(frame), crs=4326)
    page = query(frame, bbox=parse_bbox(bbox), limit=limit, offset=offset)
    body = _rows(page.features) if table else page.features.to_crs(4326).to_geo_dict(drop_id=True)
    links = [{"href": str(request.url), "rel": "self"}]
    for rel, at in (("next", page.next_offset), ("prev", page.prev_offset)):
        if at is not None:
            url = request.url.include_query_params(offset=at, limit=page.limit)
            links.append({"href": str(url), "rel": rel})
    body.update(
        layer=name,
        version=version.version,
        numberMatched=page.matched,
        numberReturned=len(page.features),
        links=links,
    )
    return GeoJSONResponse(body, media_type="application/json" if table else None)


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
    """Check an uploaded file like ``riskmap ingest`` and store it as the layer's new version."""
    if name not in KNOWN:
        raise NotFoundError(f'layer "{name}" is not one of {", ".join(KNOWN)}')
    options = IngestOptions(
        crs=crs or None,
        columns=parse_column_map(columns),
        fix_swapped=fix_swapped,
        skip_invalid=skip_invalid,
        limits=Limits(max_file_mb=settings.max_upload_mb),
        actor=f"api:{principal.label or principal.key_id}",
    )
    max_bytes = int(settings.max_upload_mb * 1024 * 1024)
    with (
        ws.layer_lock(name),
        staged(file.file, file.filename, max_bytes=max_bytes, limits=options.limits) as path,
    ):
        if principal.province is not None:
            _check_province(ws, principal, name, path, options)
        report = ingest_file(ws.root, path, name, options=options)
    if not report.rows_stored:
        raise RejectedUploadError(report, ws.root)
    response.headers["Location"] = f"/layers/{name}"
    return UploadOut(
        layer=name,
        version=str(report.version),
        rows_stored=report.rows_stored,
        report=public_report(report, ws.root),
    )


def _for_caller(ws: Workspace, frame: pd.DataFrame, principal: Principal) -> pd.DataFrame:
    """Rows of the caller's province (viewers never get the rows of a SENSITIVE layer)."""
    if principal.province is None:
        return frame
    if "province_name" in frame.columns:
        return in_scope(frame, principal)
    return frame.drop(index=outside_rows(frame, principal.province, ws.read_layer("communes")))


def _rows(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    """A table's rows as JSON objects (missing values as null)."""
    rows = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    for column in rows.select_dtypes(include=["datetime", "datetimetz"]).columns:
        rows[column] = rows[column].astype(str)
    rows = rows.astype(object).where(rows.notna(), None)
    return {"type": "Table", "rows": rows.to_dict(orient="records")}


def _check_province(
    ws: Workspace, principal: Principal, name: str, path, options: IngestOptions
) -> None:
    """Refuse a province-scoped upload that would add or replace another province's rows."""
    province = str(principal.province)
    communes = ws.read_layer("communes")
    others = sorted(set(communes["province_name"].astype(str)) - {province})
    if name in RASTER_LAYERS:
        if others:
            raise PermissionDeniedError(
                f'layer "{name}" covers other provinces ({", ".join(others)}); a key limited '
                f'to "{province}" cannot replace it'
            )
        return
    checked = check_file(path, name, communes=communes, options=options)
    if checked.frame is not None:
        frame = checked.frame.drop(index=checked.report.rejected_rows, errors="ignore")
        foreign = outside_rows(frame, province, communes)
        if len(foreign):
            raise PermissionDeniedError(
                f'{path.name}, {describe_rows(foreign)}: outside province "{province}", the '
                "only province this key may change; remove those rows or use a key for theirs"
            )
    if ws.has_layer(name) and len(outside_rows(ws.read_layer(name), province, communes)):
        raise PermissionDeniedError(
            f'the stored layer "{name}" holds rows of other provinces; a key limited to '
            f'"{province}" cannot replace it (ask an analyst without a province scope)'
        )
