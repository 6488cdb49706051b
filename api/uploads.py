"""Uploaded files: safe names, staging outside the workspace and zip checks.

An upload is copied into a private temporary folder under a checked plain file name, with its
size counted as it is copied; zip containers (zipped shapefiles, KMZ, XLSX) have their declared
sizes checked before anything is unpacked. Only then does :func:`geo.ingest.ingest_file` read
it, and only the workspace's atomic write can make it a stored layer version.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from geo.errors import InputFileError, RiskmapError
from geo.limits import Limits
from geo.report import ValidationReport

#: Letters (any script), digits, space and ``_ - . ( )``; no folders, no leading dot.
_PLAIN_NAME = re.compile(r"^[^\W][\w\-. ()]*$")
MAX_NAME_CHARS = 200
_CHUNK = 1 << 20


class UploadError(InputFileError):
    """An upload that cannot be read at all: no file, or an unsafe file name (HTTP 422)."""


class UploadTooLargeError(RiskmapError, ValueError):
    """An upload larger than the server accepts (HTTP 413)."""


class RejectedUploadError(RiskmapError, ValueError):
    """A file that failed validation; carries the row-level report (HTTP 422)."""

    def __init__(self, report: ValidationReport, workspace: Path) -> None:
        self.report = report
        self.workspace = workspace
        counts = report.counts()
        first = report.lines()[0] if report.problems else ""
        super().__init__(
            f"{Path(report.file).name} was not stored: {counts['errors']} errors in "
            f"{counts['rows_rejected']} of {counts['rows_read']} rows"
            + (f"; first: {first}" if first else "")
            + "; the report lists every problem by row and column"
        )

    def report_dict(self) -> dict:
        """The report as JSON, with paths shown relative to the workspace."""
        return public_report(self.report, self.workspace)


def public_report(report: ValidationReport, workspace: Path) -> dict:
    """``report.to_dict()`` without server paths: the file's name, the rejects' workspace path."""
    body = report.to_dict()
    body["file"] = Path(report.file).name
    if report.rejected_file:
        body["rejected_file"] = str(Path(report.rejected_file).relative_to(workspace))
    return body


def safe_filename(name: str | None) -> str:
    """``name`` if it is a plain file name (no folders, no ``..``); else :class:`UploadError`."""
    if not name:
        raise UploadError(None, "the upload has no file name; send the file as form field 'file'")
    shown = name if len(name) <= 60 else name[:57] + "..."
    if len(name) > MAX_NAME_CHARS or not _PLAIN_NAME.match(unicodedata.normalize("NFC", name)):
        raise UploadError(
            None,
            f'file name "{shown}" is not a plain file name: it must not hold folders ("/", "\\"), '
            f'start with "." or be longer than {MAX_NAME_CHARS} characters (e.g. "xa_2025.gpkg")',
        )
    return unicodedata.normalize("NFC", name)


@contextmanager
def staged(
    source: BinaryIO, filename: str | None, *, max_bytes: int, limits: Limits
) -> Iterator[Path]:
    """The upload copied to a private temp folder as ``filename``; the folder goes afterwards."""
    name = safe_filename(filename)
    folder = Path(tempfile.mkdtemp(prefix="riskmap-upload-"))
    try:
        path = folder / name
        _copy_capped(source, path, max_bytes)
        if zipfile.is_zipfile(path):
            check_zip(path, limits)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _copy_capped(source: BinaryIO, path: Path, max_bytes: int) -> None:
    written = 0
    with open(path, "wb") as out:
        while block := source.read(_CHUNK):
            written += len(block)
            if written > max_bytes:
                raise UploadTooLargeError(
                    f"{path.name} is over the upload limit of {max_bytes:,} bytes "
                    "(RISKMAP_MAX_UPLOAD_MB)"
                )
            out.write(block)
    if written == 0:
        raise UploadError(path, "the uploaded file is empty")


def check_zip(path: Path, limits: Limits) -> None:
    """Refuse a zip whose declared member sizes, ratios or paths are unsafe, before unpacking."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = [(i.filename, i.file_size, i.compress_size) for i in archive.infolist()]
    except zipfile.BadZipFile:
        raise InputFileError(path, "not a readable zip archive") from None
    limits.check_zip(str(path), members)
