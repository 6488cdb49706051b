"""KML (Google Earth, Google My Maps) placemarks → a GeoDataFrame, parsed with the standard library.

GDAL's LIBKML driver mangles non-ASCII ``ExtendedData`` field names ("Loại" becomes
"Lo___i"), which loses exactly the Vietnamese headers we need, so placemarks are read here:
name, description, every ``Data``/``SimpleData`` field, the folder it sits in, its icon, and
Point/LineString/Polygon/MultiGeometry coordinates (KML is always WGS 84 longitude, latitude).

People who draw points put an attribute wherever the tool lets them: in ExtendedData, as
``Key: value`` lines or an HTML table (``<tr><td>Loại</td><td>Cửa khẩu phụ</td></tr>``) in the
description, in the folder's name, or only as the icon. :func:`parse_kml` turns the
description's key/value pairs into columns (ExtendedData wins on a clash) and keeps the
innermost folder name (``kml_folder``) and the icon's file name (``kml_icon``);
:func:`kinds_from_placemarks` then reads a kind from those when the file has no kind column.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import geopandas as gpd
import pandas as pd
import shapely

from geo.errors import InputFileError
from geo.names import kind_value

FOLDER, ICON = "kml_folder", "kml_icon"
#: Where a kind is looked for, in order, when the file has no kind column.
KIND_SOURCES = ("description", FOLDER, ICON, "name")
_KEY_VALUE = re.compile(r"^\s*([^:=]{1,40}?)\s*[:=]\s*(.+?)\s*$")
_ICON_STEM = re.compile(r"([^/\\?#]+?)(?:\.\w{2,4})?(?:[?#].*)?$")
#: Icon names of Google's own palettes ("placemark_circle", "icon-1899-0288D1") say nothing.
SHOWN_ROWS = 10


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) == name]


def _descendants(element: ET.Element, name: str) -> list[ET.Element]:
    return [node for node in element.iter() if _local(node.tag) == name]


def _text(element: ET.Element, name: str) -> str | None:
    nodes = _children(element, name)
    return (nodes[0].text or "").strip() if nodes else None


def _coords(element: ET.Element) -> list[tuple[float, float]]:
    nodes = _descendants(element, "coordinates")
    text = nodes[0].text or "" if nodes else ""
    points = []
    for token in text.split():
        parts = token.split(",")
        points.append((float(parts[0]), float(parts[1])))
    return points


def _geometry(element: ET.Element):
    kind = _local(element.tag)
    if kind == "Point":
        points = _coords(element)
        return shapely.Point(points[0]) if points else shapely.Point()
    if kind == "LineString":
        return shapely.LineString(_coords(element))
    if kind == "Polygon":
        outer = _descendants(element, "outerBoundaryIs")
        inner = _descendants(element, "innerBoundaryIs")
        return shapely.Polygon(_coords(outer[0]), [_coords(ring) for ring in inner])
    if kind == "MultiGeometry":
        parts = [_geometry(child) for child in element if _geometry_tag(child)]
        return shapely.GeometryCollection(parts).union_all() if parts else shapely.Point()
    return None


def _geometry_tag(element: ET.Element) -> bool:
    return _local(element.tag) in {"Point", "LineString", "Polygon", "MultiGeometry"}


class _Cells(HTMLParser):
    """Text of an HTML description: table rows as lists of cells, other text as lines."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.lines: list[str] = [""]
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag in ("br", "p", "div", "li"):
            self.lines.append("")

    def handle_endtag(self, tag) -> None:
        if tag in ("td", "th") and self._cell is not None:
            if self.rows:
                self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data) -> None:
        if self._cell is not None:
            self._cell.append(data)
        else:
            self.lines[-1] += data


def description_fields(text: str | None) -> dict[str, str]:
    """Key/value pairs of a description: two-cell HTML table rows and ``Key: value`` lines."""
    if not text:
        return {}
    cells = _Cells()
    cells.feed(text)
    fields = {row[0]: row[1] for row in cells.rows if len(row) == 2 and row[0] and row[1]}
    for line in (part for chunk in cells.lines for part in chunk.splitlines()):
        match = _KEY_VALUE.match(line)
        if match and match.group(1) not in fields:
            fields[match.group(1)] = match.group(2)
    return fields


def _styles(root: ET.Element) -> dict[str, str]:
    """Icon file stem of every shared ``Style`` (and ``StyleMap``, by its normal style), by id."""
    icons = {}
    for style in _descendants(root, "Style"):
        hrefs = [h.text or "" for h in _descendants(style, "href")]
        if style.get("id") and hrefs:
            icons[style.get("id")] = _icon_stem(hrefs[0])
    for style_map in _descendants(root, "StyleMap"):
        for pair in _descendants(style_map, "Pair"):
            url = (_text(pair, "styleUrl") or "").lstrip("#")
            if _text(pair, "key") == "normal" and url in icons and style_map.get("id"):
                icons[style_map.get("id")] = icons[url]
    return icons


def _icon_stem(href: str) -> str:
    match = _ICON_STEM.search(href.strip())
    return match.group(1).replace("_", " ").replace("-", " ") if match else ""


def _placemark(element: ET.Element, folder: str | None, icons: dict[str, str]):
    record: dict[str, str | None] = {
        field: _text(element, field) for field in ("name", "description")
    }
    record.update(description_fields(record["description"]))
    for data in _descendants(element, "Data"):
        values = _children(data, "value")
        record[data.get("name", "")] = (values[0].text or "").strip() if values else None
    for data in _descendants(element, "SimpleData"):
        record[data.get("name", "")] = (data.text or "").strip()
    record[FOLDER] = folder
    hrefs = [h.text or "" for h in _descendants(element, "href")]
    url = (_text(element, "styleUrl") or "").lstrip("#")
    record[ICON] = _icon_stem(hrefs[0]) if hrefs else icons.get(url.rsplit("#", 1)[-1])
    geoms = [_geometry(child) for child in element if _geometry_tag(child)]
    return record, (geoms[0] if geoms else None)


def _walk(element: ET.Element, folder: str | None):
    """(placemark, innermost folder name) in document order."""
    for child in element:
        tag = _local(child.tag)
        if tag == "Placemark":
            yield child, folder
        elif tag in ("Folder", "Document"):
            yield from _walk(child, _text(child, "name") or folder if tag == "Folder" else folder)
        elif tag == "kml":
            yield from _walk(child, folder)


def parse_kml(data: bytes, path: str) -> gpd.GeoDataFrame:
    """Placemarks of a KML document in document order, EPSG:4326; index is 1, 2, … ("row")."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as err:
        raise InputFileError(path, f"not a readable KML document ({err})") from None
    icons = _styles(root)
    records, geoms = [], []
    for number, (element, folder) in enumerate(_walk(root, None), start=1):
        try:
            record, geom = _placemark(element, folder, icons)
        except (ValueError, IndexError) as err:
            raise InputFileError(
                path, f"placemark {number} has unreadable coordinates ({err})"
            ) from None
        records.append(record)
        geoms.append(geom)
    frame = pd.DataFrame.from_records(records)
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="row")
    return gpd.GeoDataFrame(frame, geometry=geoms, crs="EPSG:4326")


def is_placemark_frame(frame: pd.DataFrame) -> bool:
    """Whether ``frame`` came from :func:`parse_kml` (it has the folder and icon columns)."""
    return FOLDER in frame.columns and ICON in frame.columns


def kinds_from_placemarks(frame: pd.DataFrame, layer: str, path: str) -> pd.DataFrame:
    """``frame`` with a ``kind`` column read from each placemark's description, folder or icon.

    A blank or missing ``kind`` is filled from the first of :data:`KIND_SOURCES` whose text
    names one kind in the layer's vocabulary (Vietnamese or English); kinds already given are
    kept for the normal check.

    Raises
    ------
    InputFileError
        Naming the placemarks (number and name) whose kind could not be read anywhere.
    """
    kinds = frame["kind"] if "kind" in frame.columns else pd.Series(None, index=frame.index)
    kinds = kinds.astype(object).where(kinds.notna() & (kinds.astype(str).str.strip() != ""))
    for source in KIND_SOURCES:
        if source in frame.columns and kinds.isna().any():
            found = frame[source].map(
                lambda t: kind_value(layer, t) if isinstance(t, str) else None
            )
            kinds = kinds.fillna(found)
    missing = kinds.isna()
    if missing.any():
        raise InputFileError(path, _unread(frame, missing), column="kind")
    return frame.assign(kind=kinds)


def _unread(frame: pd.DataFrame, missing: pd.Series) -> str:
    names = frame.get("name", pd.Series(None, index=frame.index))
    listed = [
        f'{row} "{name}"' if isinstance(name, str) and name else str(row)
        for row, name in zip(frame.index[missing][:SHOWN_ROWS], names[missing], strict=False)
    ]
    more = f" and {int(missing.sum()) - SHOWN_ROWS} more" if missing.sum() > SHOWN_ROWS else ""
    return (
        f"the kind of {int(missing.sum())} of {len(frame)} placemarks could not be read "
        f'(placemarks {", ".join(listed)}{more}): put it in the description (e.g. "Loại: Cửa '
        "khẩu phụ\"), in ExtendedData (Loại), in the folder's name or in the icon's file name"
    )
