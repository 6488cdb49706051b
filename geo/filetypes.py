"""What a user's file really is: its leading bytes checked against its extension.

A file is read only when its bytes are the format its name says (a GDAL VRT named
``.geojson`` is refused, so it can never point GDAL at ``/etc/passwd`` or a URL), GDAL opens it
only with the driver riskmap reads for that format, and GDAL runs with no network, no VRT
Python or raw bands, no ``.aux.xml`` side files and no directory listing. Text is checked to
be text in one encoding; XML (KML, the parts of an XLSX) is refused when it declares a DTD,
so no external or expanding entity is ever seen by a parser.
"""

from __future__ import annotations

import functools
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from geo.errors import InputFileError
from geo.limits import Limits

T = TypeVar("T")

#: What each extension must hold, and the GDAL driver that may open it (None: not GDAL).
EXTENSIONS: dict[str, tuple[str, str | None]] = {
    ".csv": ("text", None),
    ".txt": ("text", None),
    ".tsv": ("text", None),
    ".xlsx": ("zip", None),
    ".xlsm": ("zip", None),
    ".zip": ("zip", None),
    ".kmz": ("zip", None),
    ".kml": ("xml", None),
    ".gpkg": ("sqlite", "GPKG"),
    ".geojson": ("json", "GeoJSON"),
    ".json": ("json", "GeoJSON"),
    ".shp": ("shp", "ESRI Shapefile"),
    ".tif": ("tiff", "GTiff"),
    ".tiff": ("tiff", "GTiff"),
}
#: The formats riskmap reads, as a user names them.
KNOWN = (
    "CSV/TXT/TSV text, Excel .xlsx, GeoPackage .gpkg, GeoJSON .geojson/.json, KML .kml, "
    "KMZ .kmz, shapefile .shp or zipped .zip, GeoTIFF .tif"
)
_NAMES = {
    "text": "text (CSV)",
    "zip": "a zip archive",
    "xml": "XML",
    "sqlite": "a SQLite/GeoPackage database",
    "json": "JSON",
    "shp": "a shapefile",
    "tiff": "a TIFF image",
    "vrt": "a GDAL VRT (a file that points at other files)",
    "ole2": "an old Excel .xls workbook",
    "gzip": "gzip data",
    "pdf": "a PDF document",
    "binary": "binary data",
    "empty": "nothing (the file is empty)",
}
_SIGNATURES = (
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"SQLite format 3\x00", "sqlite"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"II+\x00", "tiff"),
    (b"MM\x00+", "tiff"),
    (b"\x00\x00\x27\x0a", "shp"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole2"),
    (b"\x1f\x8b", "gzip"),
    (b"%PDF", "pdf"),
)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_VRT = re.compile(rb"<\s*(OGRVRTDataSource|VRTDataset)\b", re.IGNORECASE)
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x19\x1b-\x1f]")
_NOT_CONTROL = bytes(b for b in range(256) if not _CONTROL.match(bytes([b])))
#: A Vietnamese letter in UTF-8: two bytes (â, đ, ơ, ư ...) or three (U+1EA0-U+1EF9: ạ ... ỹ).
_UTF8_LETTER = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|\xe1[\xba\xbb][\x80-\xbf]")
#: Share of control bytes above which a "text" file is taken for binary data.
MAX_CONTROL_SHARE = 0.01
_HEAD = 8192
_DTD_MARKS = tuple(
    mark.encode(codec)
    for mark in ("<!DOCTYPE", "<!ENTITY", "<!doctype", "<!entity")
    for codec in ("utf-8", "utf-16-le", "utf-16-be")
)
_XML_MEMBERS = (".xml", ".rels", ".kml", ".vml")
_MEMBER_KINDS = {".shp": "shp", ".gpkg": "sqlite", ".geojson": "json", ".json": "json"}
_MEMBER_KINDS[".kml"] = "xml"
#: Drivers GDAL may pick for a format (all pure JSON for GeoJSON: none reads other files).
_DRIVERS = {"GeoJSON": ("GeoJSON", "ESRIJSON", "TopoJSON")}
_LABELS = {"GPKG": "GeoPackage", "GeoJSON": "GeoJSON file", "ESRI Shapefile": "shapefile"}

#: GDAL settings for every user file: no network, no VRT code or raw bands, no side files.
GDAL_OPTIONS = {
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    "GDAL_PAM_ENABLED": "NO",
    "GDAL_VRT_ENABLE_PYTHON": "NO",
    "GDAL_VRT_ENABLE_RAWRASTERBAND": "NO",
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".riskmap-no-network",
    "GDAL_HTTP_NETRC": "NO",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "GDAL_HTTP_MAX_RETRY": "0",
}


def sniff(head: bytes) -> str:
    """The kind of data ``head`` (a file's first bytes) starts with: "zip", "json", "text"…."""
    if not head:
        return "empty"
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    if _VRT.search(head):
        return "vrt"
    text = _text_head(head)
    if text is None:
        return "binary"
    stripped = text.lstrip()
    if stripped.startswith("<"):
        return "xml"
    if stripped.startswith(("{", "[")):
        return "json"
    return "text"


def _text_head(head: bytes) -> str | None:
    """``head`` as text if it looks like text (UTF-8/16 or Windows-1258), else None."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head[2:].decode("utf-16-le" if head[0] == 0xFF else "utf-16-be", "replace")
    body = head[3:] if head.startswith(_BOMS[0]) else head
    if len(_CONTROL.findall(body)) > MAX_CONTROL_SHARE * len(body):
        return None
    return body.decode("utf-8", "replace")


def check_format(path: Path, *, limits: Limits | None = None) -> str:
    """Raise :class:`InputFileError` unless ``path`` holds the format its extension names.

    Returns the kind found ("text", "zip", "json", ...). Refuses ``/vsi`` paths, unknown
    extensions (naming the formats read), bytes of another format (a VRT above all), text that
    is binary or mixes encodings, XML with a DTD, zips over the unpacking caps (real bytes,
    every member), and vector files GDAL would open with another driver.
    """
    limits = limits or Limits()
    if "/vsi" in str(path).lower():
        raise InputFileError(path, "GDAL virtual paths (/vsi...) are not read; give a plain file")
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise InputFileError(path, "old Excel .xls files are not read; save it as .xlsx")
    if suffix not in EXTENSIONS:
        raise InputFileError(
            path, f'"{suffix or path.name}" files are not read; riskmap reads {KNOWN}'
        )
    expected, driver = EXTENSIONS[suffix]
    with open(path, "rb") as fh:
        head = fh.read(_HEAD)
    _expect(path, suffix, expected, sniff(head))
    if expected == "text":
        check_text(path, path.read_bytes())
    elif expected == "xml":
        _no_dtd(path, path.name, path.read_bytes())
    elif expected == "zip":
        _check_zip(path, suffix, limits)
    harden_pyogrio()
    if driver is not None and expected != "tiff":
        check_vector_driver(str(path), path, driver)
    return expected


def _expect(path: Path, suffix: str, expected: str, found: str, member: str = "") -> None:
    textual = expected == "text" and found in ("json", "xml")
    if found == expected or textual:
        return
    where = f'archive member "{member}"' if member else "the file's bytes"
    raise InputFileError(
        path,
        f"{where} are {_NAMES[found]}, not {_NAMES[expected]} as its extension {suffix} says; "
        f"riskmap reads {KNOWN}",
    )


def check_text(path: Path, data: bytes) -> None:
    """Raise unless ``data`` is text in one encoding (UTF-8, UTF-16 or Windows-1258).

    Names (in the reason: the file cannot be read, so no row of it is stored) the first line
    that is binary, neither UTF-8 nor Windows-1258, or UTF-8 in a file whose other lines are
    Windows-1258 (a file pasted together from two sources).
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return
    body = data[3:] if data.startswith(_BOMS[0]) else data
    if body.translate(None, _NOT_CONTROL):
        at = _CONTROL.search(body).start()
        raise InputFileError(path, f"row {_row(body, at)} holds binary data, not text")
    try:
        body.decode("utf-8")
        return  # one encoding throughout
    except UnicodeDecodeError as err:
        other = _row(body, err.start)
    try:
        body.decode("cp1258")
    except UnicodeDecodeError as err:
        raise InputFileError(
            path,
            f"row {_row(body, err.start)}: byte 0x{body[err.start]:02x} is neither UTF-8 nor "
            "Windows-1258 text; save the file as UTF-8 CSV",
        ) from None
    utf8 = _utf8_row(body)
    if utf8 is not None:
        raise InputFileError(
            path,
            f"mixes encodings: row {utf8} is UTF-8 but row {other} is Windows-1258; save the "
            "whole file in one encoding (UTF-8)",
        )


def _row(data: bytes, at: int) -> int:
    return data.count(b"\n", 0, at) + 1


def _utf8_row(body: bytes, tries: int = 1000) -> int | None:
    """First line that is UTF-8 with a multi-byte letter, in a file that is not all UTF-8."""
    checked = 0
    for number, match in enumerate(_UTF8_LETTER.finditer(body)):
        if number > tries:
            break
        if match.start() < checked:
            continue
        start = body.rfind(b"\n", 0, match.start()) + 1
        end = body.find(b"\n", match.end())
        end = len(body) if end < 0 else end
        checked = end
        try:
            body[start:end].decode("utf-8")
        except UnicodeDecodeError:
            continue
        return _row(body, start)
    return None


def _no_dtd(path: Path, name: str, data: bytes) -> None:
    """Raise if XML ``data`` declares a DTD or entities (XXE, entity expansion)."""
    if any(mark in data for mark in _DTD_MARKS):
        raise InputFileError(
            path,
            f"{name} declares a DTD or entities (<!DOCTYPE/<!ENTITY); riskmap does not read "
            "XML that can pull in other files or expand entities",
        )


def _check_zip(path: Path, suffix: str, limits: Limits) -> None:
    """Unpacking caps on real bytes, then each member's format and XML parts' DTDs."""
    limits.check_zip_file(path)
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if suffix in (".xlsx", ".xlsm") and "[Content_Types].xml" not in names:
                raise InputFileError(path, "is a zip archive but not an Excel workbook")
            for name in names:
                _check_member(path, archive, name, xml=suffix != ".zip")
    except (zipfile.BadZipFile, EOFError):
        raise InputFileError(path, "not a readable zip archive (truncated or corrupt)") from None


def _check_member(path: Path, archive: zipfile.ZipFile, name: str, *, xml: bool) -> None:
    """A member riskmap may read holds its extension's format; XML parts declare no DTD.

    Only KML members of a plain zip are parsed as XML (a shapefile's ``.shp.xml`` metadata is
    never read, and ArcGIS writes a commented-out DOCTYPE into it); in an XLSX or KMZ every
    XML part is.
    """
    suffix = Path(name).suffix.lower()
    if suffix in _MEMBER_KINDS:
        with archive.open(name) as member:
            head = member.read(_HEAD)
        _expect(path, suffix, _MEMBER_KINDS[suffix], sniff(head), name)
    if suffix == ".kml" or (xml and suffix in _XML_MEMBERS):
        _no_dtd(path, name, archive.read(name))


def check_vector_driver(source: str, path: Path, driver: str) -> None:
    """Raise unless GDAL opens ``source`` with ``driver`` (and no other driver)."""
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    harden_pyogrio()
    allowed = _DRIVERS.get(driver, (driver,))
    try:
        found = pyogrio.read_info(source)["driver"]
    except (DataSourceError, DataLayerError):
        raise InputFileError(
            path, f"not a readable {_LABELS[driver]} (truncated or corrupt)"
        ) from None
    if found not in allowed:
        raise InputFileError(path, f"GDAL reads it as {found}, not as {_LABELS[driver]}; refused")


def harden_pyogrio() -> None:
    """Apply :data:`GDAL_OPTIONS` to pyogrio's GDAL (process-wide; riskmap never needs more)."""
    import pyogrio

    pyogrio.set_gdal_config_options(GDAL_OPTIONS)


@contextmanager
def open_raster(path: Path, *, max_mb: float | None = None) -> Iterator:
    """``rasterio.open(path)`` as a GeoTIFF only, without network, VRT or side files.

    With ``max_mb``, a raster whose first band would take more memory than that (width ×
    height × bytes per pixel) is refused before anything is read.
    """
    import rasterio

    with rasterio.Env(**GDAL_OPTIONS), rasterio.open(path, driver="GTiff") as src:
        if max_mb is not None:
            need = src.width * src.height * (_itemsize(src.dtypes[0]) + 1)  # values + mask
            if need > max_mb * 1e6:
                raise InputFileError(
                    path,
                    f"the raster is {src.width} × {src.height} pixels of {src.dtypes[0]}: "
                    f"reading it needs {need / 1e9:,.1f} GB, over the {max_mb:g} MB limit; "
                    "crop it to the province",
                )
        yield src


def _itemsize(dtype: str) -> int:
    import numpy as np

    return np.dtype(dtype).itemsize


_DIRECTORY = re.compile(r"""(?<![\w.])(?:/vsi\w+/)?/(?:[^/\s'"()]+/)+""")


def public_reason(reason: str) -> str:
    """``reason`` on one line without folder names (uploads are staged in a temp folder)."""
    return " ".join(_DIRECTORY.sub("", reason).split())


def _library_errors() -> tuple[type[BaseException], ...]:
    import sqlite3
    import xml.etree.ElementTree as ET
    import zlib

    import pandas as pd
    from openpyxl.utils.exceptions import InvalidFileException
    from pyogrio.errors import DataLayerError, DataSourceError
    from rasterio.errors import RasterioError

    return (
        DataSourceError,
        DataLayerError,
        RasterioError,
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        UnicodeDecodeError,
        ET.ParseError,
        sqlite3.DatabaseError,
        InvalidFileException,
        pd.errors.ParserError,
        pd.errors.EmptyDataError,
    )


def public_errors(read: Callable[..., T]) -> Callable[..., T]:
    """Decorate a reader of user files: its errors name the file, never a server folder.

    An :class:`InputFileError` keeps its row and column with folders taken out of its reason;
    a parsing library's own error on a malformed file becomes an ``InputFileError``.
    """

    @functools.wraps(read)
    def reader(path, *args, **kwargs):
        try:
            return read(path, *args, **kwargs)
        except InputFileError as err:
            raise type(err)(
                err.path, public_reason(err.reason), row=err.row, column=err.column
            ) from None
        except _library_errors() as err:
            detail = public_reason(str(err) or type(err).__name__)
            raise InputFileError(
                path, f"not a readable {Path(path).suffix or ''} file ({detail})"
            ) from None

    return reader
