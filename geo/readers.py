"""User files → raw frames: CSV/XLSX (encodings, title rows), vector files, KML/KMZ, GeoTIFF.

A raw frame has the file's own headers (NFC) and text values, and its index, named ``row``,
holds each row's number as the user sees it (the Excel row, the CSV line, the feature number).
Nothing is renamed or converted here beyond text decoding; :mod:`geo.ingest` does the rest.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
from pyogrio.errors import DataSourceError
from rasterio.errors import RasterioIOError

from geo.errors import CRSError, InputFileError
from geo.filetypes import check_format, open_raster, public_errors
from geo.kml import parse_kml
from geo.limits import Limits
from geo.names import canonical_header, nfc
from geo.workspace import Raster

TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")
VECTOR_SUFFIXES = (".gpkg", ".shp", ".zip", ".geojson", ".json", ".kml", ".kmz")
RASTER_SUFFIXES = (".tif", ".tiff")
_HEADER_SCAN_ROWS = 20
_ARCHIVE_MEMBERS = (".shp", ".gpkg", ".geojson", ".json", ".kml")


@dataclass
class RawFile:
    """What was read from one file: the frame, its SHA-256, and notes on how it was read."""

    path: Path
    frame: pd.DataFrame
    sha256: str
    notes: list[str] = field(default_factory=list)


@public_errors
def read_file(path: str | Path, *, limits: Limits | None = None) -> RawFile:
    """Read a user's vector or table file into a raw frame (see the module docstring)."""
    path = Path(path)
    limits = limits or Limits()
    if not path.is_file():
        raise InputFileError(path, "file does not exist")
    limits.check_size(str(path), path.stat().st_size)
    check_format(path, limits=limits)
    suffix = path.suffix.lower()
    digest = file_sha256(path)
    if suffix in (".csv", ".txt", ".tsv"):
        frame, notes = _read_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        frame, notes = _read_xlsx(path)
    elif suffix in VECTOR_SUFFIXES:
        frame, notes = _read_vector(path, limits)
    elif suffix == ".xls":
        raise InputFileError(path, "old Excel .xls files are not read; save it as .xlsx")
    else:
        known = ", ".join((*TABLE_SUFFIXES, *VECTOR_SUFFIXES, *RASTER_SUFFIXES))
        raise InputFileError(path, f'"{suffix}" files are not read (known: {known})')
    limits.check_features(str(path), len(frame))
    if frame.empty:
        raise InputFileError(path, "holds no rows or features: there is nothing to store")
    return RawFile(path, _nfc_frame(frame), digest, notes)


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def decode_text(data: bytes) -> tuple[str, str]:
    """Text of a CSV's bytes and the encoding used: UTF-8 (BOM or not), UTF-16, Windows-1258."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "UTF-8 with BOM"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "UTF-16"
    head = data[:2000]
    if head and head.count(b"\x00") > len(head) // 4:
        codec = "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
        return data.decode(codec), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return data.decode("cp1258"), "Windows-1258"


def _read_csv(path: Path) -> tuple[pd.DataFrame, list[str]]:
    text, encoding = decode_text(path.read_bytes())
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
        sep = dialect.delimiter
    except csv.Error:
        sep = ","
    try:
        grid = pd.read_csv(
            io.StringIO(text),
            header=None,
            dtype=str,
            sep=sep,
            skip_blank_lines=False,
            keep_default_na=False,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise InputFileError(path, f"not a readable CSV table ({err})") from None
    frame, header_row = _table_from_grid(grid, path)
    return frame, [f"read as {encoding}, delimiter {sep!r}, header on row {header_row}"]


def _read_xlsx(path: Path) -> tuple[pd.DataFrame, list[str]]:
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=str, engine="openpyxl")
    except (ValueError, OSError, KeyError, zipfile.BadZipFile) as err:
        raise InputFileError(path, f"not a readable Excel workbook ({err})") from None
    name, grid = next(
        ((n, g) for n, g in sheets.items() if not g.dropna(how="all").empty), (None, None)
    )
    if grid is None:
        raise InputFileError(path, "every sheet of the workbook is empty")
    frame, header_row = _table_from_grid(grid, path)
    notes = [f'read sheet "{name}", header on row {header_row}']
    if len(sheets) > 1:
        notes.append(f"other sheets not read: {', '.join(str(n) for n in sheets if n != name)}")
    return frame, notes


def _table_from_grid(grid: pd.DataFrame, path: Path) -> tuple[pd.DataFrame, int]:
    """Header row found, data below it; index = the row number the user sees (1-based)."""
    grid = grid.replace("", np.nan)
    header_at = _header_index(grid)
    headers = _unique_headers(grid.iloc[header_at].tolist())
    body = grid.iloc[header_at + 1 :].copy()
    body.columns = headers
    body.index = pd.Index(np.arange(header_at + 2, header_at + 2 + len(body)), name="row")
    body = body.dropna(how="all")
    if body.empty:
        raise InputFileError(path, f"no data rows below the header on row {header_at + 1}")
    keep = [c for c in body.columns if not (c.startswith("(column ") and body[c].isna().all())]
    if not keep:
        raise InputFileError(path, "the table has no columns")
    return body[keep], header_at + 1


def _header_index(grid: pd.DataFrame) -> int:
    """Position of the header row: the early row naming the most known columns."""
    best, best_hits = None, 0
    for position in range(min(_HEADER_SCAN_ROWS, len(grid))):
        cells = grid.iloc[position].dropna()
        hits = sum(canonical_header(cell) is not None for cell in cells)
        if hits > best_hits:
            best, best_hits = position, hits
    if best is not None:
        return best
    filled = grid.notna().sum(axis=1).to_numpy()
    return int(np.argmax(filled > 0))


def _unique_headers(cells: list) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for number, cell in enumerate(cells):
        name = nfc(str(cell)) if isinstance(cell, str) and cell.strip() else ""
        name = name or f"(column {_excel_letter(number)})"
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def _excel_letter(number: int) -> str:
    letters = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _read_vector(path: Path, limits: Limits) -> tuple[gpd.GeoDataFrame, list[str]]:
    suffix = path.suffix.lower()
    if suffix in (".zip", ".kmz"):
        return _read_archive(path, limits)
    if suffix == ".kml":
        return parse_kml(path.read_bytes(), str(path)), ["read as KML"]
    notes = []
    cpg = None
    if suffix == ".shp":
        if not path.with_suffix(".prj").exists():
            notes.append("no .prj beside the shapefile: its CRS is unknown")
        if path.with_suffix(".cpg").exists():
            cpg = path.with_suffix(".cpg").read_bytes()
    return _pyogrio_read(str(path), path, limits, cpg=cpg), notes


def _pyogrio_read(
    source: str, path: Path, limits: Limits, *, cpg: bytes | None = None
) -> gpd.GeoDataFrame:
    shapefile = source.lower().endswith(".shp")
    try:
        layers = pyogrio.list_layers(source)
        if len(layers) == 0:
            raise InputFileError(path, "the file holds no layer")
        layer = layers[0][0]
        encoding = "latin1" if shapefile else None  # DBF bytes as they are; decoded below
        info = pyogrio.read_info(source, layer=layer, encoding=encoding)
        limits.check_features(str(path), info["features"])
        frame = pyogrio.read_dataframe(source, layer=layer, encoding=encoding)
    except DataSourceError as err:
        raise InputFileError(path, f"not a readable vector file ({err})") from None
    if not isinstance(frame, gpd.GeoDataFrame):
        frame = gpd.GeoDataFrame(frame, geometry=[None] * len(frame))
    if shapefile:
        frame = _recode(frame, _dbf_codec(frame, cpg))
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="row")
    return frame


def _dbf_codec(frame: gpd.GeoDataFrame, cpg: bytes | None) -> str:
    """The text encoding of a shapefile's DBF: its .cpg, else UTF-8 or else Windows-1258.

    Without a .cpg, UTF-8 is taken when every text decodes as UTF-8; otherwise Windows-1258,
    what Vietnamese offices' Windows writes.
    """
    declared = (cpg or b"").decode("ascii", "ignore").strip().upper().replace("CP", "")
    if "UTF" in declared and "8" in declared:
        return "utf-8"
    if declared.isdigit():
        return f"cp{declared}"
    texts = [str(c) for c in frame.columns] + [
        v for c in frame.columns if frame[c].dtype == object for v in frame[c] if isinstance(v, str)
    ]
    try:
        "".join(texts).encode("latin1").decode("utf-8")
    except UnicodeDecodeError:
        return "cp1258"
    return "utf-8"


def _recode(frame: gpd.GeoDataFrame, codec: str) -> gpd.GeoDataFrame:
    """Decode a shapefile's text read byte-for-byte as Latin-1.

    GDAL's own CP1258 recoding (through iconv, which holds back each last character in case
    a combining tone mark follows) drops the last letter of every field name and value, and
    a UTF-8 field name cut at the DBF's 10 bytes in the middle of a letter ("Tên huyện" →
    "Tên huy" + half of "ệ") stops GDAL from reading the file at all, so the bytes are decoded
    here instead (a cut letter is dropped).
    """

    def fix(value):
        if not isinstance(value, str):
            return value
        return value.encode("latin1").decode(codec, errors="ignore")

    geometry = frame.geometry.name
    frame = frame.rename(columns=lambda c: c if c == geometry else fix(c))
    for column in frame.columns:
        if column != geometry and frame[column].dtype in (object, "string", "str"):
            frame[column] = frame[column].map(fix)
    return frame


def _read_archive(path: Path, limits: Limits) -> tuple[gpd.GeoDataFrame, list[str]]:
    """A zipped shapefile (or GeoPackage/GeoJSON/KML), or a KMZ, after checking the zip."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            limits.check_zip(str(path), [(i.filename, i.file_size, i.compress_size) for i in infos])
            names = [i.filename for i in infos if not i.is_dir()]
            member = _archive_member(path, names)
            if member.lower().endswith(".kml"):
                data = archive.read(member)
                return parse_kml(data, str(path)), [f"read {member} from the archive"]
            cpg_name = member[:-4] + ".cpg"
            cpg = archive.read(cpg_name) if cpg_name in names else None
    except zipfile.BadZipFile:
        raise InputFileError(path, "not a readable zip archive") from None
    notes = [f"read {member} from the archive"]
    if member.lower().endswith(".shp") and member[:-4] + ".prj" not in names:
        notes.append("no .prj beside the shapefile: its CRS is unknown")
    return _pyogrio_read(f"/vsizip/{path}/{member}", path, limits, cpg=cpg), notes


def _archive_member(path: Path, names: list[str]) -> str:
    for suffix in _ARCHIVE_MEMBERS:
        found = [n for n in names if n.lower().endswith(suffix)]
        if len(found) > 1 and suffix == ".shp":
            raise InputFileError(path, f"the archive holds several shapefiles: {', '.join(found)}")
        if found:
            return found[0]
    raise InputFileError(path, "the archive holds no .shp, .gpkg, .geojson or .kml file")


def _nfc_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text cell and header in Unicode NFC."""
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    frame = frame.rename(columns=lambda c: c if c == geometry else nfc(str(c)))
    for column in frame.columns:
        if column != geometry and frame[column].dtype in (object, "string", "str"):
            frame[column] = frame[column].map(lambda v: nfc(v) if isinstance(v, str) else v)
    return frame


@public_errors
def read_raster(path: str | Path, *, limits: Limits | None = None) -> tuple[Raster, str]:
    """A single-band GeoTIFF as a :class:`~geo.workspace.Raster`, and its SHA-256."""
    path = Path(path)
    limits = limits or Limits()
    if not path.is_file():
        raise InputFileError(path, "file does not exist")
    limits.check_size(str(path), path.stat().st_size)
    check_format(path, limits=limits)
    try:
        with open_raster(path, max_mb=limits.max_raster_mb) as src:
            if src.crs is None:
                raise CRSError(path, "the raster has no coordinate reference system")
            values = src.read(1, masked=True)
            transform, crs = src.transform, src.crs.to_string()
    except RasterioIOError as err:
        raise InputFileError(path, f"not a readable GeoTIFF ({err})") from None
    if np.ma.count_masked(values):
        values = values.filled(0)
    values = np.asarray(values)
    if (values < 0).any():
        raise InputFileError(path, "population raster has negative values")
    return Raster(values, transform, crs, f"read from {path.name}"), file_sha256(path)
