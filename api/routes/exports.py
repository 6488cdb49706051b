"""Report exports of a profile's stored run: PNG, A4 PDF, GeoPackage, GeoJSON, CSV.

An export holds only the key's province, and counts of people are suppressed for everyone
(the server's ``suppression_mode``) unless an analyst asks for ``exact=true``; a viewer asking for
exact counts gets 403. Every export is recorded in the audit trail with the rule it used.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from fastapi.responses import Response

from api.deps import SettingsDep, WorkspaceDep
from api.security import PrincipalDep, check_province
from maps.export import ExportRequest
from risk.profiles import load_profile

router = APIRouter(tags=["exports"])

MEDIA_TYPES = {
    "png": "image/png",
    "pdf": "application/pdf",
    "gpkg": "application/geopackage+sqlite3",
    "geojson": "application/geo+json",
    "csv": "text/csv; charset=utf-8",
}


@router.get(
    "/exports/{profile}.{fmt}",
    response_class=Response,
    responses={200: {"content": {t: {} for t in MEDIA_TYPES.values()}}},
)
def get_export(
    profile: Annotated[str, PathParam(pattern=r"^[a-z][a-z0-9_-]{0,39}$")],
    fmt: Literal["png", "pdf", "gpkg", "geojson", "csv"],
    ws: WorkspaceDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    province: Annotated[str | None, Query(max_length=200)] = None,
    district: Annotated[str | None, Query(max_length=200)] = None,
    top: Annotated[int | None, Query(ge=1, le=10_000)] = None,
    lang: Literal["vi", "en"] = "vi",
    run: Annotated[str | None, Query(pattern=r"^[0-9a-f]{6,64}$")] = None,
    exact: Annotated[
        bool, Query(description="Exact counts of people (analysts only; default suppressed)")
    ] = False,
) -> Response:
    """A stored run exported for a report; small counts of people are suppressed."""
    from api.render import write_run_export

    check_province(principal, province)
    rule = principal.export_rule(exact=exact)
    loaded = load_profile(profile, settings.profiles_dir)
    request = ExportRequest(
        fmt=fmt, lang=lang, province=province, district=district, top=top, suppression=rule
    )
    with tempfile.TemporaryDirectory(prefix="riskmap-export-") as tmp:
        path = write_run_export(
            ws,
            loaded,
            Path(tmp) / f"{loaded.name}.{fmt}",
            request,
            run_id=run,
            province=principal.province,
            actor=principal.label,
        )
        body = path.read_bytes()
    filename = f"riskmap-{loaded.name}.{fmt}"
    return Response(
        body,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
