"""Shared by ``riskmap ingest`` and ``validate``: file-reading options and report printing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, NoReturn

import typer

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


def refuse(report: ValidationReport, outcome: str) -> NoReturn:
    """The first error of ``report`` as one line on stderr (the report is on stdout); exit 1."""
    first = report.errors[0] if report.errors else None
    detail = f"{first.where(report.file)}: {first.reason}" if first else Path(report.file).name
    more = len(report.errors) - 1
    also = f" (and {more} more errors, listed above)" if more > 0 else ""
    typer.echo(f"riskmap: error: {detail}{also}; {outcome}", err=True)
    raise typer.Exit(1)
