"""``riskmap validate``: report every problem of a file, row by row, without storing it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
from api.options import LayerOpt
from geo.limits import Limits


def validate(
    file: FileArg,
    layer: LayerOpt,
    workspace: Annotated[
        Path | None, typer.Option("--workspace", "-w", help="Match communes of this workspace.")
    ] = None,
    crs: CrsOpt = None,
    columns: ColumnsOpt = None,
    fix_swapped: FixSwappedOpt = False,
    as_json: JsonOpt = False,
    max_file_mb: MaxMbOpt = Limits.max_file_mb,
    max_features: MaxFeaturesOpt = Limits.max_features,
    max_vertices: MaxVerticesOpt = Limits.max_vertices,
) -> None:
    """Report each problem of FILE (file, row, column, reason); exit 1 if there are errors."""
    from geo.ingest import validate_file

    check_layer_name(layer)
    opts = options_from(crs, columns, fix_swapped, max_file_mb, max_features, max_vertices)
    report = validate_file(file, layer, workspace=workspace, options=opts)
    show(report, as_json)
    if not report.clean:
        refuse(report, "fix the file and validate it again")
