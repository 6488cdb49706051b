"""Report exports of a stored run for one caller: the key's province, counts under its rule.

An export holds only the key's province, and counts of people are suppressed for everyone (the
server's ``suppression_mode``) unless an analyst asks for exact counts; the export is written to a
private temporary folder, read back and recorded in the audit trail (:mod:`api.render`).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from api.security import Principal, check_province
from geo.workspace import Workspace
from maps.export import ExportRequest
from risk.profiles import load_profile

MEDIA_TYPES = {
    "png": "image/png",
    "pdf": "application/pdf",
    "gpkg": "application/geopackage+sqlite3",
    "geojson": "application/geo+json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "kml": "application/vnd.google-earth.kml+xml",
    "kmz": "application/vnd.google-earth.kmz",
    "gpx": "application/gpx+xml",
}


@dataclass(frozen=True)
class ExportAsk:
    """What a caller asked to export: format, place, top rows, language, run, exact counts."""

    fmt: str
    province: str | None = None
    district: str | None = None
    top: int | None = None
    lang: str = "vi"
    run: str | None = None
    exact: bool = False
    against: str | None = None  # run id to compare with (change columns, map, section)


@dataclass(frozen=True)
class ExportFile:
    """An export's bytes, the file name to offer and its media type."""

    body: bytes
    filename: str
    media_type: str


def export_run(
    ws: Workspace,
    profiles_dir: Path,
    principal: Principal,
    profile: str,
    ask: ExportAsk,
    *,
    template: Path | None = None,
) -> ExportFile:
    """Export ``profile``'s stored run as ``ask`` says, limited to the caller's province.

    ``template`` is the server's Word template for docx exports (None: riskmap's own).
    """
    from api.render import write_run_export

    check_province(principal, ask.province)
    rule = principal.export_rule(exact=ask.exact)
    loaded = load_profile(profile, profiles_dir)
    request = ExportRequest(
        fmt=ask.fmt,
        lang=ask.lang,
        province=ask.province,
        district=ask.district,
        top=ask.top,
        suppression=rule,
        template=template,
    )
    with tempfile.TemporaryDirectory(prefix="riskmap-export-") as tmp:
        path = write_run_export(
            ws,
            loaded,
            Path(tmp) / f"{loaded.name}.{ask.fmt}",
            request,
            run_id=ask.run,
            province=principal.province,
            actor=principal.label,
            against=ask.against,
        )
        body = path.read_bytes()
    return ExportFile(body, f"riskmap-{loaded.name}.{ask.fmt}", MEDIA_TYPES[ask.fmt])
