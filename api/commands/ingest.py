"""``riskmap ingest``: check a user's file and store it as a new version of a layer."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from api.commands.progress import progress_bar
from api.commands.reporting import (
    ColumnsOpt,
    CrsOpt,
    FileArg,
    FixSwappedOpt,
    JsonOpt,
    MaxFeaturesOpt,
    MaxMbOpt,
    MaxVerticesOpt,
    check_layer_name,
    options_from,
    refuse,
    show,
)
from api.logs import audit_to
from api.options import LayerOpt, WorkspaceOpt, say
from geo.limits import Limits


def ingest(
    file: FileArg,
    workspace: WorkspaceOpt,
    layer: LayerOpt,
    crs: CrsOpt = None,
    columns: ColumnsOpt = None,
    fix_swapped: FixSwappedOpt = False,
    skip_invalid: Annotated[
        bool, typer.Option(help="Store the good rows, set aside the rest.")
    ] = False,
    crosswalk: Annotated[Path | None, typer.Option(help="Old→new commune codes table.")] = None,
    province: Annotated[
        str | None,
        typer.Option(help="Replace only this province's rows; refuse rows of any other."),
    ] = None,
    as_json: JsonOpt = False,
    max_file_mb: MaxMbOpt = Limits.max_file_mb,
    max_features: MaxFeaturesOpt = Limits.max_features,
    max_vertices: MaxVerticesOpt = Limits.max_vertices,
) -> None:
    """Check FILE and store it as a new version of a layer, or of one province's rows only."""
    from geo.ingest import ingest_file

    check_layer_name(layer)
    opts = options_from(
        crs,
        columns,
        fix_swapped,
        max_file_mb,
        max_features,
        max_vertices,
        skip_invalid=skip_invalid,
        crosswalk=crosswalk,
    )
    with audit_to(workspace), progress_bar() as progress:
        opts = replace(opts, progress=progress, province=province)
        report = ingest_file(workspace, file, layer, options=opts)
    show(report, as_json)
    if not report.rows_stored:
        refuse(report, "nothing stored")
    rejected = f"; rejected rows in {report.rejected_file}" if report.rejected_file else ""
    whose = f"{layer} of province {province}" if province else layer
    say(f"stored {whose} version {report.version} ({report.rows_stored} rows){rejected}")
