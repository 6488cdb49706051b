"""``riskmap export``: a stored run as PNG, PDF, GeoPackage, GeoJSON, CSV, KML/KMZ or GPX."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from api.commands.map import RunOpt, RunProfileOpt, profile_for
from api.commands.progress import progress_bar, stage
from api.logs import audit_to
from api.options import (
    DEFAULT_WS,
    LangOpt,
    OverwriteOpt,
    WorkspaceOpt,
    refuse_clobber,
    say,
)
from geo.workspace import Workspace


class Format(StrEnum):
    """Export formats."""

    png = "png"
    pdf = "pdf"
    gpkg = "gpkg"
    geojson = "geojson"
    csv = "csv"
    xlsx = "xlsx"
    docx = "docx"
    kml = "kml"
    kmz = "kmz"
    gpx = "gpx"


def export(
    output: Annotated[Path, typer.Option("--output", "-o", help="Output file.")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="File format.")],
    workspace: WorkspaceOpt = DEFAULT_WS,
    profile: RunProfileOpt = None,
    run: RunOpt = None,
    province: Annotated[str | None, typer.Option(help="Only this province.")] = None,
    district: Annotated[str | None, typer.Option(help="Only this district.")] = None,
    top: Annotated[int | None, typer.Option(min=1, help="Communes in the table / file.")] = None,
    dpi: Annotated[int, typer.Option(min=72, max=600, help="PNG resolution.")] = 200,
    lang: LangOpt = "vi",
    overwrite: OverwriteOpt = False,
    against: Annotated[
        str | None,
        typer.Option(help="Compare with this run: change columns, change map, a section."),
    ] = None,
    template: Annotated[
        Path | None, typer.Option(help="Word template (.docx/.dotx) for --format docx.")
    ] = None,
) -> None:
    """Export a stored run for a report (map, ranked table, method, stamp): its own scores."""
    from api.render import write_run_export
    from maps.export import ExportRequest

    refuse_clobber(output, overwrite)
    if template is not None and fmt is not Format.docx:
        raise typer.BadParameter("applies to --format docx only", param_hint="--template")
    request = ExportRequest(
        fmt=fmt.value,
        lang=lang,
        province=province,
        district=district,
        top=top,
        dpi=dpi,
        template=template,
    )
    ws = Workspace.open(workspace)
    chosen = profile_for(ws, profile, run)
    with audit_to(ws.root), progress_bar() as progress, stage(progress, f"{fmt.value} export"):
        path = write_run_export(ws, chosen, output, request, run_id=run, against=against)
    say(f"{fmt.value} export written to {path} ({path.stat().st_size / 1e6:.2f} MB)")
