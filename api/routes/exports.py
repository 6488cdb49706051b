"""Report exports of a profile's stored run: PNG, A4 PDF, GeoPackage, GeoJSON, CSV.

An export holds only the key's province, and counts of people are suppressed for everyone
(the server's ``suppression_mode``) unless an analyst asks for ``exact=true``; a viewer asking for
exact counts gets 403. Every export is recorded in the audit trail with the rule it used.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from fastapi.responses import Response

from api.deps import SettingsDep, WorkspaceDep
from api.security import PrincipalDep
from api.services.exports import MEDIA_TYPES, ExportAsk, export_run

router = APIRouter(tags=["exports"])


@router.get(
    "/exports/{profile}.{fmt}",
    response_class=Response,
    responses={200: {"content": {t: {} for t in MEDIA_TYPES.values()}}},
)
def get_export(
    profile: Annotated[str, PathParam(pattern=r"^[a-z][a-z0-9_-]{0,39}$")],
    fmt: Literal["png", "pdf", "gpkg", "geojson", "csv", "xlsx", "docx", "kml", "kmz", "gpx"],
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
    against: Annotated[
        str | None, Query(pattern=r"^[0-9a-f]{6,64}$", description="Run id to compare with")
    ] = None,
) -> Response:
    """A stored run exported for a report; small counts of people are suppressed."""
    ask = ExportAsk(fmt, province, district, top, lang, run, exact, against)
    out = export_run(
        ws, settings.profiles_dir, principal, profile, ask, template=settings.docx_template
    )
    return Response(
        out.body,
        media_type=out.media_type,
        headers={"Content-Disposition": f'attachment; filename="{out.filename}"'},
    )
