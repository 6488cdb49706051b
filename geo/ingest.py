"""Files → validated layers in a workspace, all or nothing, with a report of every problem.

:func:`check_file` reads a user's file and runs every check, collecting problems row by row;
:func:`ingest_file` stores the result as a new layer version when it is clean (or, with
``skip_invalid``, stores the good rows and writes the rejected ones, with reasons, to
``<workspace>/rejected/``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.coordinates import place_problems, points_from_columns
from geo.crosswalk import apply_crosswalk, area_shares, crosswalk_table
from geo.crs import parse_crs, to_storage
from geo.errors import CRSError, InputFileError, LayerError
from geo.geometry import coverage_problems, repair
from geo.identifiers import identifier_problems
from geo.kml import is_placemark_frame, kinds_from_placemarks
from geo.limits import Limits
from geo.matching import attach_codes
from geo.names import map_headers
from geo.partitions import is_partitioned, outside_reason
from geo.placement import coverage_note, place_points
from geo.plausibility import implausible_values, raster_extent_problems
from geo.progress import Progress, no_progress
from geo.readers import read_file, read_raster
from geo.report import Problem, ValidationReport
from geo.schema import LAYERS, check_layer, row_numbers
from geo.values import normalise_values, storage_dtypes
from geo.workspace import LayerVersion, Workspace

RASTER_LAYERS = ("population",)
POLYGON_LAYERS = ("communes", "industrial_zones")


@dataclass(frozen=True)
class IngestOptions:
    """How to read a file: CRS, renames, swap fix, rejects, limits, crosswalk, actor, province."""

    crs: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    fix_swapped: bool = False
    skip_invalid: bool = False
    limits: Limits = field(default_factory=Limits)
    crosswalk: Path | None = None
    actor: str = "cli"
    #: Replace only this province's rows (refusing rows of any other); None: the whole layer.
    province: str | None = None
    progress: Progress = field(default=no_progress, repr=False, compare=False)


@dataclass
class Checked:
    """A checked file: its report, the raw rows, the converted rows (None if unreadable)."""

    report: ValidationReport
    raw: pd.DataFrame | None = None
    frame: pd.DataFrame | None = None
    sha256: str = ""


def parse_column_map(text: str | None) -> dict[str, str]:
    """``"Tên=name,Loại=kind"`` → ``{"Tên": "name", "Loại": "kind"}``."""
    pairs = {}
    for item in filter(None, (part.strip() for part in (text or "").split(","))):
        source, sep, target = item.partition("=")
        if not sep or not source.strip() or not target.strip():
            raise LayerError(None, f'--columns item "{item}" is not SOURCE=COLUMN')
        pairs[source.strip()] = target.strip()
    return pairs


def check_file(
    path: str | Path,
    layer: str,
    *,
    communes: gpd.GeoDataFrame | None = None,
    options: IngestOptions | None = None,
) -> Checked:
    """Read ``path`` as layer ``layer`` and report every problem (nothing is written)."""
    options = options or IngestOptions()
    if layer not in (*LAYERS, *RASTER_LAYERS):
        raise LayerError(
            None, f'layer "{layer}" is not one of {", ".join((*LAYERS, *RASTER_LAYERS))}'
        )
    report = ValidationReport(str(path), layer)
    if layer in RASTER_LAYERS:
        return _check_raster(Path(path), report, options, communes)
    try:
        raw = read_file(path, limits=options.limits)
    except InputFileError as err:
        report.add([Problem(err.reason, err.row, err.column)])
        return Checked(report)
    report.rows_read = len(raw.frame)
    report.notes.extend(raw.notes)
    try:
        frame = _prepare(raw.frame, layer, communes, options, report)
    except InputFileError as err:
        other_file = err.path is not None and Path(err.path) != Path(path)
        problem = Problem(str(err)) if other_file else Problem(err.reason, err.row, err.column)
        report.add([problem])
        return Checked(report, raw.frame, None, raw.sha256)
    report.add(check_layer(layer, frame))
    report.add(identifier_problems(frame, layer))
    report.add(implausible_values(frame, layer, today=datetime.now(UTC).date()))
    return Checked(report, raw.frame, frame, raw.sha256)


def _check_raster(
    path: Path, report: ValidationReport, options: IngestOptions, communes
) -> Checked:
    try:
        raster, sha = read_raster(path, limits=options.limits)
    except InputFileError as err:
        report.add([Problem(err.reason, err.row, err.column)])
        return Checked(report)
    report.add(raster_extent_problems(raster, communes))
    report.rows_read = 1
    report.notes.append(f"raster {raster.values.shape[1]}×{raster.values.shape[0]}, {raster.crs}")
    return Checked(report, None, raster, sha)


def _prepare(raw, layer, communes, options, report) -> pd.DataFrame:
    geometry = raw.geometry.name if isinstance(raw, gpd.GeoDataFrame) else None
    headers = [c for c in raw.columns if c != geometry]
    renames = map_headers(headers, layer, options.columns)
    mapped = [f"{k} → {v}" for k, v in renames.items() if k != v]
    if mapped:
        report.notes.append("columns: " + ", ".join(mapped))
    frame = raw.rename(columns=renames)
    if is_placemark_frame(frame) and "kind" in LAYERS[layer].required:
        frame = kinds_from_placemarks(frame, layer, None)
    frame, problems = normalise_values(frame, layer)
    report.add(problems)
    if LAYERS[layer].geometry:
        frame = _geometry(frame, layer, options, report)
    elif isinstance(frame, gpd.GeoDataFrame):
        frame = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    if options.crosswalk is not None:
        frame = _rekey(frame, layer, communes, options, report)
    frame = _communes(frame, layer, communes, report)
    if layer == "communes":
        coverage = coverage_problems(frame)
        report.add(coverage.problems)
        report.notes.extend(coverage_note(coverage.overlaps, coverage.gaps))
    return frame


def _rekey(frame, layer, communes, options, report) -> pd.DataFrame:
    """Counts keyed to old communes re-keyed onto the workspace's communes (``--crosswalk``)."""
    if layer != "repatriations":
        raise LayerError(None, "--crosswalk re-keys counts; use it with --layer repatriations")
    path = str(options.crosswalk)
    raw = read_file(options.crosswalk, limits=options.limits).frame
    polygons = isinstance(raw, gpd.GeoDataFrame) and raw.geometry.notna().any()
    if polygons:
        if communes is None:
            raise LayerError(path, "old commune polygons need a workspace with a communes layer")
        old = raw.rename(columns=map_headers(raw.columns, "communes"))
        if "commune_code" not in old.columns:
            raise LayerError(path, "old communes need a commune code column", column="commune_code")
        old["commune_code"] = old["commune_code"].astype(str)
        table = area_shares(to_storage(old), communes)
        partial = table[table.duplicated("old_code", keep=False)]
        report.notes.extend(
            f"area share: old {r.old_code} → new {r.new_code}: {r.share:.3f}"
            for r in partial.itertuples()
        )
    else:
        table = crosswalk_table(raw, path)
    known = set(communes["commune_code"].astype(str)) if communes is not None else None
    frame, notes, problems = apply_crosswalk(frame, table, new_codes=known)
    report.notes.extend(notes)
    report.add(problems)
    return frame


def _geometry(frame, layer, options, report) -> gpd.GeoDataFrame:
    crs = parse_crs(options.crs) if options.crs else None
    if not isinstance(frame, gpd.GeoDataFrame):
        frame, problems = points_from_columns(frame, crs=crs)
        report.add(problems)
    elif crs is not None:
        if frame.crs is not None and frame.crs != crs:
            report.notes.append(f"the file says {frame.crs.name}; read as {crs.name} (--crs)")
        frame = frame.set_crs(crs, allow_override=True)
    elif frame.crs is None:
        raise CRSError(
            None,
            "the file has no coordinate reference system (a shapefile needs its .prj); "
            "give it with --crs, e.g. --crs EPSG:4326 or --crs VN2000:TM3:105.75",
            column="geometry",
        )
    frame, problems = repair(frame, polygonal=layer in POLYGON_LAYERS)
    report.add(problems)
    rows = frame.index.to_numpy()
    report.add(options.limits.vertex_problems(frame.geometry.to_numpy(), rows))
    frame, problems = place_problems(frame, fix_swapped=options.fix_swapped)
    report.add(problems)
    return to_storage(frame)


def _communes(frame, layer, communes, report) -> pd.DataFrame:
    names = "commune_name" in frame.columns
    if communes is None:
        if layer == "repatriations" and names and "commune_code" not in frame.columns:
            raise LayerError(
                None,
                "commune names can only be matched to codes against a workspace with a "
                "communes layer; give --workspace (load the communes first)",
                column="commune_name",
            )
        return frame
    placed = overlap = None
    if isinstance(frame, gpd.GeoDataFrame) and layer != "communes":
        placement = place_points(frame, layer, communes)
        placed, overlap = placement.codes, placement.overlap
        report.assignment = placement.counts
        report.notes.extend(placement.notes)
        report.add(placement.problems)
    if layer in ("venues", "repatriations", "industrial_zones") and (
        names or "commune_code" in frame.columns
    ):
        frame, problems = attach_codes(
            frame, communes, **({"placed": placed, "overlap": overlap} if layer == "venues" else {})
        )
        report.add(problems)
    if isinstance(frame, gpd.GeoDataFrame) and layer != "communes":
        frame = _place_by_commune(frame, communes, report)
    return frame


def _place_by_commune(frame: gpd.GeoDataFrame, communes, report) -> gpd.GeoDataFrame:
    """Rows with a commune but no coordinates get the commune's representative point."""
    missing = (frame.geometry.isna() | frame.geometry.is_empty).to_numpy()
    named = {"commune_code", "commune_name"} & set(frame.columns)
    if not named or not missing.any():
        return frame
    points = dict(
        zip(communes["commune_code"].astype(str), communes.representative_point(), strict=True)
    )
    codes = frame.get("commune_code", pd.Series(None, index=frame.index)).astype(str)
    placeable = missing & codes.isin(points).to_numpy()
    frame = frame.copy()
    frame["location"] = "coordinates"
    frame.loc[placeable, "location"] = "commune"
    frame.loc[missing & ~placeable, "location"] = None
    geoms = frame.geometry.to_numpy().copy()
    geoms[placeable] = [points[c] for c in codes[placeable]]
    frame = frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs))
    if placeable.any():
        report.notes.append(
            f"{int(placeable.sum())} rows without coordinates placed at their commune "
            "(column location = commune)"
        )
    report.add(_unplaced(frame, missing & ~placeable))
    return frame


def _unplaced(frame: gpd.GeoDataFrame, unplaced) -> list[Problem]:
    """Rows with neither coordinates nor a commune of the workspace: one error each, saying so."""
    return [
        Problem(
            "no coordinates, and no commune of the workspace to place it at (see commune_name); "
            "give its longitude/latitude (Kinh độ, Vĩ độ) or a commune name or code the "
            "communes layer holds",
            row=int(row),
            column="geometry",
        )
        for row in row_numbers(frame)[unplaced]
    ]


def validate_file(
    path: str | Path,
    layer: str,
    *,
    workspace: str | Path | None = None,
    options: IngestOptions | None = None,
) -> ValidationReport:
    """The validation report of ``path`` as ``layer`` (against a workspace's communes if given)."""
    communes = _workspace_communes(Workspace.open(workspace, require=())) if workspace else None
    return check_file(path, layer, communes=communes, options=options).report


def _workspace_communes(ws: Workspace) -> gpd.GeoDataFrame | None:
    return ws.read_layer("communes") if ws.has_layer("communes") else None


def ingest_file(
    root: str | Path, path: str | Path, layer: str, *, options: IngestOptions | None = None
) -> ValidationReport:
    """Check ``path`` and store it as a new version of ``layer`` in the workspace at ``root``.

    Nothing is stored when the file has errors, unless ``options.skip_invalid``: then the good
    rows are stored and the rejected rows written to ``rejected/`` with their reasons. A new
    folder becomes a workspace on the first ingest.
    """
    options = options or IngestOptions()
    options.progress("rows read and checked", 0, 1)
    existing = Workspace(root).gpkg.is_file()
    ws = Workspace.open(root, require=()) if existing else Workspace(root)
    checked = check_file(
        path, layer, communes=_workspace_communes(ws) if existing else None, options=options
    )
    report = checked.report
    options.progress("rows read and checked", report.rows_read, report.rows_read)
    if report.file_errors or (report.errors and not options.skip_invalid):
        report.rows_stored = 0
        report.notes.append(
            "nothing stored: fix the errors"
            + ("" if report.file_errors else " or pass --skip-invalid to store the good rows")
        )
        return report
    _check_province(checked, layer, options.province, _workspace_communes(ws) if existing else None)
    ws = ws if existing else Workspace.init(root)
    options.progress("rows stored", 0, report.rows_read)
    version = _store(ws, checked, layer, options)
    options.progress("rows stored", version.rows, version.rows)
    report.version = version.version
    report.rows_stored = version.rows
    if report.rejected_rows:
        report.rejected_file = str(_write_rejects(ws, checked, layer))
    return report


def _store(ws: Workspace, checked: Checked, layer: str, options: IngestOptions) -> LayerVersion:
    source = Path(checked.report.file).name
    common = {"source": source, "actor": options.actor, "source_sha256": checked.sha256}
    if layer in RASTER_LAYERS:
        return ws.write_layers({}, rasters={layer: checked.frame}, **common)[layer]
    good = storage_dtypes(checked.frame.drop(index=checked.report.rejected_rows, errors="ignore"))
    if good.empty:
        raise LayerError(checked.report.file, "no valid rows to store")
    if options.province is not None:
        return ws.write_partition(layer, options.province, good, **common)
    return ws.write_layers({layer: good}, **common)[layer]


def _check_province(checked: Checked, layer: str, province: str | None, communes) -> None:
    """Refuse a province's upload of a national layer, or with rows of another province.

    Raises
    ------
    LayerError
        Naming the file and listing the rows outside ``province`` (nothing is stored).
    """
    if province is None:
        return
    if not is_partitioned(layer):
        raise LayerError(
            checked.report.file,
            f'layer "{layer}" is national (one for every province): it is replaced whole, '
            "by an analyst without a province (leave out --province)",
        )
    if layer != "communes" and communes is None:
        raise LayerError(
            checked.report.file,
            f'the rows of layer "{layer}" belong to provinces through their communes; '
            "load the communes first",
        )
    rows = checked.frame.drop(index=checked.report.rejected_rows, errors="ignore")
    reason = outside_reason(rows, layer, province, communes)
    if reason:
        raise LayerError(
            checked.report.file,
            f'{reason}; the only province this upload may change is "{province}"; '
            "remove those rows or upload them for theirs",
        )


def _write_rejects(ws: Workspace, checked: Checked, layer: str) -> Path:
    rows = checked.report.rejected_rows
    reasons: dict[int, list[str]] = {}
    for p in checked.report.errors:
        if p.row is not None:
            reasons.setdefault(p.row, []).append(f"{p.column or ''}: {p.reason}".strip(": "))
    raw = checked.raw.loc[checked.raw.index.intersection(rows)]
    if isinstance(raw, gpd.GeoDataFrame):
        raw = pd.DataFrame(raw.drop(columns=raw.geometry.name))
    table = raw.assign(reason=["; ".join(reasons[r]) for r in raw.index]).reset_index()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    relpath = Path("rejected") / f"{layer}-{stamp}-{checked.sha256[:8]}.csv"
    ws.write_text(relpath, "\ufeff" + table.to_csv(index=False), actor="ingest")
    return ws.root / relpath
