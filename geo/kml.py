"""KML (Google Earth) placemarks → a GeoDataFrame, parsed with the standard library.

GDAL's LIBKML driver mangles non-ASCII ``ExtendedData`` field names ("Loại" becomes
"Lo___i"), which loses exactly the Vietnamese headers we need, so placemarks are read here:
name, description, every ``Data``/``SimpleData`` field, and Point/LineString/Polygon/
MultiGeometry coordinates (KML is always WGS 84 longitude, latitude).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import geopandas as gpd
import pandas as pd
import shapely

from geo.errors import InputFileError


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) == name]


def _descendants(element: ET.Element, name: str) -> list[ET.Element]:
    return [node for node in element.iter() if _local(node.tag) == name]


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


def _placemark(element: ET.Element) -> tuple[dict[str, str | None], object]:
    record: dict[str, str | None] = {}
    for field in ("name", "description"):
        nodes = _children(element, field)
        record[field] = (nodes[0].text or "").strip() if nodes else None
    for data in _descendants(element, "Data"):
        values = _children(data, "value")
        record[data.get("name", "")] = (values[0].text or "").strip() if values else None
    for data in _descendants(element, "SimpleData"):
        record[data.get("name", "")] = (data.text or "").strip()
    geoms = [_geometry(child) for child in element if _geometry_tag(child)]
    return record, (geoms[0] if geoms else None)


def parse_kml(data: bytes, path: str) -> gpd.GeoDataFrame:
    """Placemarks of a KML document in document order, EPSG:4326; index is 1, 2, … ("row")."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as err:
        raise InputFileError(path, f"not a readable KML document ({err})") from None
    records, geoms = [], []
    for number, element in enumerate(_descendants(root, "Placemark"), start=1):
        try:
            record, geom = _placemark(element)
        except (ValueError, IndexError) as err:
            raise InputFileError(
                path, f"placemark {number} has unreadable coordinates ({err})"
            ) from None
        records.append(record)
        geoms.append(geom)
    frame = pd.DataFrame.from_records(records)
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="row")
    return gpd.GeoDataFrame(frame, geometry=geoms, crs="EPSG:4326")
