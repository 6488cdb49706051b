"""``riskmap ingest``: check a user's file and store it as a new version of a layer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from api.logs import audit_to
from api.options import LayerOpt, WorkspaceOpt, say
from geo.errors import LayerError
from geo.ingest import RASTER_LAYERS, IngestOptions, parse_column_map
from geo.limits import Limits
from geo.report import ValidationReport
from geo.schema import LAYERS

FileArg = Annotated[Path, typer.Argument(help="The file to read (CSV, XLSX, GPKG, SHP, ...).")]
CrsOpt = Annotated[
    str | None, typer.Option(help="CRS of a file without one, e.g. EPSG:4326, VN2000:TM3:105.75.")
]
ColumnsOpt = Annotated[
    str | None, typer.Option(help='Explicit column names: "Tên=name,Loại=kind".')
]
FixSwappedOpt = Annotated[bool, typer.Option(help="Swap back x/y found swapped.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]
MaxMbOpt = Annotated[float, typer.Option(help="Largest file read, MB.")]
MaxFeaturesOpt = Annotated[int, typer.Option(help="Most features or rows read.")]
MaxVerticesOpt = Annotated[int, typer.Option(help="Most vertices per geometry.")]


def options_from(crs, columns, fix_swapped, max_file_mb, max_features, max_vertices, **extra):
    """IngestOptions from command-line values; a bad --layer or --columns is a usage error."""
    try:
        column_map = parse_column_map(columns)
    except LayerError as err:
        raise typer.BadParameter(err.reason, param_hint="--columns") from None
    limits = Limits(max_file_mb=max_file_mb, max_features=max_features, max_vertices=max_vertices)
    return IngestOptions(crs, column_map, fix_swapped, limits=limits, **extra)


def check_layer_name(layer: str) -> None:
    """Usage error unless ``layer`` is a layer riskmap stores."""
    if layer not in (*LAYERS, *RASTER_LAYERS):
        raise typer.BadParameter(
            f'"{layer}" is not one of {", ".join((*LAYERS, *RASTER_LAYERS))}', param_hint="--layer"
        )


def show(report: ValidationReport, as_json: bool) -> None:
    """The report on stdout, as text lines or JSON."""
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        for line in report.lines():
            typer.echo(line)


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
    as_json: JsonOpt = False,
    max_file_mb: MaxMbOpt = Limits.max_file_mb,
    max_features: MaxFeaturesOpt = Limits.max_features,
    max_vertices: MaxVerticesOpt = Limits.max_vertices,
) -> None:
    """Check FILE and store it as a new version of a layer (nothing stored on errors)."""
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
    with audit_to(workspace):
        report = ingest_file(workspace, file, layer, options=opts)
    show(report, as_json)
    if not report.rows_stored:
        raise typer.Exit(1)
    rejected = f"; rejected rows in {report.rejected_file}" if report.rejected_file else ""
    say(f"stored {layer} version {report.version} ({report.rows_stored} rows){rejected}")
