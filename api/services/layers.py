"""Stored layers as the caller may see them, and uploads checked against the caller's province.

The service behind ``/layers``: it picks the rows of the key's province, pages a layer as GeoJSON
features or JSON rows, and stores an upload through :func:`geo.ingest.ingest_file`. A key
limited to a province replaces that province's rows only (a new version of the province's part,
see :meth:`geo.workspace.Workspace.write_partition`) and is refused rows of any other.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO

import geopandas as gpd
import pandas as pd

from api.paging import GEOJSON, Page, page_of
from api.schemas import LayerOut, ProvinceVersionOut
from api.security import PermissionDeniedError, Principal, in_scope
from api.uploads import RejectedUploadError, public_report, staged
from geo.errors import NotFoundError, QueryError
from geo.ingest import RASTER_LAYERS, IngestOptions, check_file, ingest_file
from geo.names import province_key
from geo.partitions import in_partition, is_partitioned, outside_reason, row_provinces
from geo.places import outside_rows
from geo.query import matching, parse_bbox
from geo.report import ValidationReport
from geo.schema import LAYERS
from geo.workspace import LayerVersion, Workspace
from risk.privacy import viewer_repatriations

KNOWN = (*LAYERS, *RASTER_LAYERS)
#: Layers that count people per commune and period: their rows are for analysts only.
SENSITIVE = frozenset({"repatriations"})


def visible_count(ws: Workspace, name: str, principal: Principal) -> int:
    """Features or rows of layer ``name`` the caller may see (1 for a raster).

    For a viewer, a layer that counts people has as many rows as its viewer view (one per
    commune and category with people shown): its stored rows would tell how the people split
    over periods, sexes and ages.
    """
    if ws.kind(name) == "raster":
        return 1
    rule = principal.read_rule()
    if principal.province is None and (rule is None or name not in SENSITIVE):
        return ws.versions()[name].rows
    frame = for_caller(ws, ws.read_layer(name), principal, name)
    return len(
        frame if rule is None or name not in SENSITIVE else viewer_repatriations(frame, rule)
    )


def layer_list(ws: Workspace, principal: Principal) -> list[LayerOut]:
    """Every stored layer's current version, and each province's the caller may see."""
    parts = ws.parts()
    return [
        _layer_out(ws, v, parts.get(v.name, {}), principal)
        for v in sorted(ws.versions().values(), key=lambda v: v.name)
    ]


def _layer_out(
    ws: Workspace, whole: LayerVersion, parts: dict[str, LayerVersion], principal: Principal
) -> LayerOut:
    """One layer as the caller sees it: a province key gets its own province's upload only."""
    shown = [p for name, p in sorted(parts.items()) if _sees(principal, name)]
    version, written_at, source = whole.version, whole.written_at, whole.source
    if parts and principal.province is not None:  # not another province's file, time, version
        mine = shown[0] if shown else None
        version, written_at, source = (
            (mine.version, mine.written_at, mine.source) if mine else ("", "", "")
        )
    return LayerOut(
        name=whole.name,
        kind=ws.kind(whole.name),
        version=version,
        features=visible_count(ws, whole.name, principal),
        written_at=written_at,
        source=source,
        provinces=[_province_out(p, principal) for p in shown],
    )


def _sees(principal: Principal, province: str) -> bool:
    return principal.province is None or province_key(province) == province_key(principal.province)


def _province_out(part: LayerVersion, principal: Principal) -> ProvinceVersionOut:
    """A province's version; who uploaded it and the file's hash for analysts only."""
    analyst = principal.allows("analyst")
    counts = part.name in SENSITIVE and not analyst
    return ProvinceVersionOut(
        province=part.province,
        version=part.version,
        rows=None if counts else part.rows,
        written_at=part.written_at,
        action=part.action,
        source=None if counts else part.source,
        actor=part.actor if analyst else None,
        source_sha256=(part.source_sha256 or None) if analyst else None,
    )


def for_caller(
    ws: Workspace, frame: pd.DataFrame, principal: Principal, name: str = ""
) -> pd.DataFrame:
    """Rows of the caller's province: by commune code or geometry, else by ``province_name``.

    A layer uploaded by province keeps the rows :mod:`geo.partitions` gives the province, so
    what a province key sees is what its uploads replace.
    """
    if principal.province is None:
        return frame
    if is_partitioned(name):
        owners = row_provinces(frame, name, ws.read_layer("communes"))
        return frame[in_partition(owners, principal.province)]
    if "province_name" in frame.columns:
        return in_scope(frame, principal)
    return frame.drop(index=outside_rows(frame, principal.province, ws.read_layer("communes")))


def layer_page(
    ws: Workspace, name: str, principal: Principal, *, bbox: str | None, limit: int, offset: int
) -> tuple[dict[str, Any], Page, str]:
    """One page of the caller's features (or table rows) of layer ``name``: body, page, type."""
    _check_readable(ws, name, principal)
    version, frame = ws.read_current(name)
    frame = for_caller(ws, frame, principal, name)
    table = not isinstance(frame, gpd.GeoDataFrame)
    if table and bbox:
        raise QueryError(f'bbox filters features; layer "{name}" is a table without geometry')
    if table:
        frame = gpd.GeoDataFrame(frame, geometry=[None] * len(frame), crs=4326)
    page = page_of(matching(frame, bbox=parse_bbox(bbox)), offset=offset, limit=limit)
    body = _rows(page.frame) if table else page.frame.to_crs(4326).to_geo_dict(drop_id=True)
    body.update(
        layer=name,
        version=version.version,
        numberMatched=page.matched,
        numberReturned=page.returned,
    )
    return body, page, "application/json" if table else GEOJSON


def _check_readable(ws: Workspace, name: str, principal: Principal) -> None:
    """Refuse a layer that is unknown, a raster, or counts people and the caller is a viewer."""
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


def _rows(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    """A table's rows as JSON objects (missing values as null)."""
    rows = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    for column in rows.select_dtypes(include=["datetime", "datetimetz"]).columns:
        rows[column] = rows[column].astype(str)
    rows = rows.astype(object).where(rows.notna(), None)
    return {"type": "Table", "rows": rows.to_dict(orient="records")}


def store_upload(
    ws: Workspace,
    name: str,
    principal: Principal,
    upload: tuple[BinaryIO, str | None],
    *,
    options: IngestOptions,
    max_bytes: int,
) -> ValidationReport:
    """Check an uploaded file like ``riskmap ingest`` and store it as layer ``name``'s new version.

    Raises
    ------
    NotFoundError, PermissionDeniedError, RejectedUploadError
        For an unknown layer, rows of another province, or a file with no storable row.
    """
    if name not in KNOWN:
        raise NotFoundError(f'layer "{name}" is not one of {", ".join(KNOWN)}')
    source, filename = upload
    with (
        ws.layer_lock(name),
        staged(source, filename, max_bytes=max_bytes, limits=options.limits) as path,
    ):
        if principal.province is not None:
            check_upload_province(ws, str(principal.province), name, path, options)
            options = replace(options, province=str(principal.province))
        report = ingest_file(ws.root, path, name, options=options)
    if not report.rows_stored:
        raise RejectedUploadError(report, ws.root)
    return report


def upload_report(ws: Workspace, report: ValidationReport) -> dict:
    """The stored upload's report as JSON, paths relative to the workspace."""
    return public_report(report, ws.root)


def check_upload_province(
    ws: Workspace, province: str, name: str, path: Path, options: IngestOptions
) -> None:
    """Refuse a province-scoped upload of a national layer, or with another province's rows.

    Rows belong to a province by their commune code, else the commune their point falls in,
    else their ``province_name`` (:mod:`geo.partitions`); a ``province_name`` that disagrees
    with the code or point is refused. The border and the population raster are national.
    """
    if not is_partitioned(name):
        raise PermissionDeniedError(
            f'layer "{name}" is national (one for every province); a key limited to '
            f'"{province}" cannot replace it (ask an analyst without a province scope)'
        )
    communes = ws.read_layer("communes") if ws.has_layer("communes") else None
    checked = check_file(path, name, communes=communes, options=options)
    if checked.frame is None:
        return  # unreadable: ingest reports why
    frame = checked.frame.drop(index=checked.report.rejected_rows, errors="ignore")
    reason = outside_reason(frame, name, province, communes)
    if reason:
        raise PermissionDeniedError(
            f'{path.name}, {reason}; the only province this key may change is "{province}"; '
            "remove those rows or use a key for theirs"
        )
