"""Field exports: KML 2.2 and KMZ for Google Earth, GPX 1.1 for OsmAnd and handheld GPS.

Pure builders: a ranked, already suppressed score frame and the plan layers in, text out
(:mod:`maps.export` writes it, zipped as ``doc.kml`` for KMZ). Only what a viewer may see goes
in: communes' names, scores, classes and ranks (:data:`COMMUNE_FIELDS`, a whitelist), patrol
bases and coverage, border segments and crossings, never a count of people. Every text is
NFC, stripped of the characters XML 1.0 cannot hold and escaped by ElementTree; KML
descriptions are HTML balloons, so their values are HTML-escaped before that.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import NamedTuple
from xml.etree import ElementTree as ET

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from maps.style import CLASS_COLOURS
from risk.labels import site_kind_label, word, words
from risk.results import CHANGE_COLUMNS

KML_NS = "http://www.opengis.net/kml/2.2"
GPX_NS = "http://www.topografix.com/GPX/1/1"
FIELD_FORMATS = ("kml", "kmz", "gpx")
#: Communes exported when the request names no ``top``.
DEFAULT_TOP = 20
#: Longest name a handheld GPS is given (longer ones end in "…").
NAME_LENGTH = 60
#: The commune columns a field export may carry: places, scores, classes, ranks. No counts.
COMMUNE_FIELDS = (
    "commune_code",
    "commune_name",
    "district_name",
    "province_name",
    "score",
    "class",
    "class_label_vi",
    "class_label_en",
    "rank",
    "rank_p05",
    "rank_p95",
    *CHANGE_COLUMNS,  # when exported --against another run: scores and ranks, never counts
)
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


@dataclass(frozen=True)
class FieldContent:
    """What a field export holds: title, about text, the top communes, the plan layers."""

    title: str
    about: str
    communes: gpd.GeoDataFrame  # ranked, EPSG:4326, suppressed (a viewer's variant)
    layers: Mapping[str, gpd.GeoDataFrame]
    lang: str = "vi"


def clean(value: object) -> str:
    """``value`` as NFC text without the control characters XML 1.0 cannot hold."""
    return _BAD_XML.sub("", unicodedata.normalize("NFC", str(value)))


def short(value: object) -> str:
    """A name a GPS shows: clean, at most :data:`NAME_LENGTH` characters."""
    text = " ".join(clean(value).split())
    return text if len(text) <= NAME_LENGTH else text[: NAME_LENGTH - 1] + "…"


def _w(key: str, lang: str, **values: object) -> str:
    return word(f"field.{key}", lang).format(**values)


# --- what each feature is called and says ---------------------------------------------------


def commune_facts(row: pd.Series, lang: str) -> list[tuple[str, str]]:
    """Label-value pairs shown for a commune: rank, score, class, rank interval, place, code."""
    facts = [
        (_w("rank", lang), str(int(row["rank"]))),
        (_w("score", lang), f"{float(row['score']):.1f}"),
        (_w("class", lang), str(row[f"class_label_{lang}"])),
    ]
    if pd.notna(row.get("rank_p05")) and pd.notna(row.get("rank_p95")):
        interval = f"{int(row['rank_p05'])}-{int(row['rank_p95'])}"
        facts.append((_w("rank_interval", lang), interval))
    for column, key in (("district_name", "district"), ("province_name", "province")):
        if pd.notna(row.get(column)) and str(row.get(column)):
            facts.append((_w(key, lang), str(row[column])))
    facts.append((_w("commune_code", lang), str(row["commune_code"])))
    return facts + change_facts(row, lang)


def change_facts(row: pd.Series, lang: str) -> list[tuple[str, str]]:
    """Compared with the previous period (when exported against another run): rank and score."""
    facts = []
    if pd.notna(row.get("rank_change")) and pd.notna(row.get("previous_rank")):
        moved = f"{int(row['rank_change']):+d}"
        facts.append((_w("previous_rank", lang), f"{int(row['previous_rank'])} ({moved})"))
    if pd.notna(row.get("score_change")):
        facts.append((_w("score_change", lang), f"{float(row['score_change']):+.1f}"))
    return facts


def site_facts(row: pd.Series, lang: str) -> list[tuple[str, str]]:
    """Label-value pairs of a base, crossing or segment: kind, radius, score, rank, share."""
    facts = []
    if pd.notna(row.get("kind")):
        facts.append((_w("kind", lang), kind_label(str(row["kind"]), lang)))
    if pd.notna(row.get("radius_km")):
        facts.append((_w("radius", lang), f"{float(row['radius_km']):g}"))
    if pd.notna(row.get("score")):
        facts.append((_w("score", lang), f"{float(row['score']):.1f}"))
    if pd.notna(row.get("rank")):
        facts.append((_w("rank", lang), str(int(row["rank"]))))
    if pd.notna(row.get("frequency")):
        facts.append(("", _w("in_plan", lang, share=f"{float(row['frequency']):.0%}")))
    return facts


def site_name(layer: str, row: pd.Series, n: int, lang: str) -> str:
    """Name of feature ``n`` (from 1) of plan or map layer ``layer``."""
    name = row.get("name")
    name = str(name).strip() if pd.notna(name) else ""
    if layer in ("patrol_bases", "patrol_coverage"):
        base = _w("base", lang, n=n)
        if layer == "patrol_coverage":
            return _w("coverage_of", lang, name=base)
        return f"{base}: {name}" if name else base
    if layer == "border_segments" and pd.notna(row.get("segment")):
        return _w("segment", lang, segment=row["segment"])
    return name or _w("crossing", lang, n=n)


def kind_label(kind: str, lang: str) -> str:
    """A crossing's or base's kind in words (a base at a commune centre, a border post...)."""
    own = words("field", lang).get(f"kind_{kind}")
    return own or site_kind_label(kind, lang)


class Feature(NamedTuple):
    """One feature of a field file: its folder (layer key), name, facts, geometry and style."""

    key: str
    name: str
    facts: list[tuple[str, str]]
    geometry: BaseGeometry
    style: str


def features(content: FieldContent) -> Iterator[Feature]:
    """Every feature of the export with a geometry, folder by folder."""
    lang = content.lang
    communes = content.communes
    for _, row in communes[~(communes.geometry.isna() | communes.geometry.is_empty)].iterrows():
        facts = commune_facts(row, lang)
        style = f"class{int(row['class'])}"
        yield Feature("communes", str(row["commune_name"]), facts, row.geometry, style)
    for layer in _layer_order(content.layers):
        frame = content.layers[layer]
        frame = frame[~(frame.geometry.isna() | frame.geometry.is_empty)]
        style = {"patrol_coverage": "coverage", "border": "border"}.get(layer, "site")
        for n, (_, row) in enumerate(frame.iterrows(), start=1):
            name = site_name(layer, row, n, lang)
            yield Feature(layer, name, site_facts(row, lang), row.geometry, style)


def _layer_order(layers: Mapping[str, gpd.GeoDataFrame]) -> list[str]:
    """Layers exported, in folder order (ranked crossings and segments replace the plain ones)."""
    order = ["patrol_bases", "patrol_coverage", "border_segments", "crossing_ranking"]
    if "border_segments" not in layers:
        order.insert(2, "border")
    if "crossing_ranking" not in layers:
        order.append("crossings")
    return [name for name in order if name in layers and not layers[name].empty]


def folder_title(key: str, content: FieldContent) -> str:
    """The folder (KML) or type (GPX) name of ``key``'s features."""
    key = {"crossing_ranking": "crossings"}.get(key, key)
    return _w(key, content.lang, top=len(content.communes))


# --- KML -------------------------------------------------------------------------------------


def kml_document(content: FieldContent) -> str:
    """The export as a KML 2.2 document: Styles, one Folder per layer, named Placemarks."""
    ET.register_namespace("", KML_NS)
    root = ET.Element(f"{{{KML_NS}}}kml")
    doc = _sub(root, "Document")
    _sub(doc, "name", content.title)
    _sub(doc, "description", content.about)
    _kml_styles(doc)
    folders: dict[str, ET.Element] = {}
    for feature in features(content):
        if feature.key not in folders:
            folders[feature.key] = _sub(doc, "Folder")
            _sub(folders[feature.key], "name", folder_title(feature.key, content))
        _placemark(folders[feature.key], feature)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def _sub(parent: ET.Element, tag: str, text: str | None = None, ns: str = KML_NS) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ns}}}{tag}")
    if text is not None:
        element.text = clean(text)
    return element


def _kml_colour(hex_rgb: str, alpha: str) -> str:
    """KML's aabbggrr from ``#rrggbb``."""
    r, g, b = hex_rgb[1:3], hex_rgb[3:5], hex_rgb[5:7]
    return f"{alpha}{b}{g}{r}".lower()


def _kml_styles(doc: ET.Element) -> None:
    """One style per risk class, and one per plan layer."""
    for cls, colour in CLASS_COLOURS.items():
        style = _sub(doc, "Style")
        style.set("id", f"class{cls}")
        line = _sub(style, "LineStyle")
        _sub(line, "color", _kml_colour(colour, "ff"))
        _sub(line, "width", "2")
        _sub(_sub(style, "PolyStyle"), "color", _kml_colour(colour, "66"))
    for key, colour in (("site", "#00441b"), ("border", "#6a3d9a"), ("coverage", "#41ab5d")):
        style = _sub(doc, "Style")
        style.set("id", key)
        line = _sub(style, "LineStyle")
        _sub(line, "color", _kml_colour(colour, "ff"))
        _sub(line, "width", "3" if key == "border" else "2")
        _sub(_sub(style, "PolyStyle"), "color", _kml_colour(colour, "33"))


def _placemark(folder: ET.Element, feature: Feature) -> None:
    mark = _sub(folder, "Placemark")
    _sub(mark, "name", feature.name)
    _sub(mark, "description", _balloon(feature.facts))
    _sub(mark, "styleUrl", "#" + feature.style)
    data = _sub(mark, "ExtendedData")
    for label, value in feature.facts:
        if label:
            item = _sub(data, "Data")
            item.set("name", clean(label))
            _sub(item, "value", value)
    _kml_geometry(mark, feature.geometry)


def _balloon(facts: list[tuple[str, str]]) -> str:
    """The HTML of a Google Earth balloon: each value HTML-escaped (the XML escapes it again)."""
    rows = "".join(
        f"<tr><td>{html.escape(clean(k))}</td><td>{html.escape(clean(v))}</td></tr>"
        if k
        else f"<tr><td colspan='2'>{html.escape(clean(v))}</td></tr>"
        for k, v in facts
    )
    return f"<table>{rows}</table>"


def _coords(coords) -> str:
    return " ".join(f"{x:.6f},{y:.6f}" for x, y, *_ in coords)


def _kml_geometry(parent: ET.Element, geometry: BaseGeometry) -> None:
    """Point, LineString, Polygon, or a MultiGeometry of them."""
    parts = list(getattr(geometry, "geoms", [geometry]))
    holder = _sub(parent, "MultiGeometry") if len(parts) > 1 else parent
    for part in parts:
        if part.geom_type == "Point":
            _sub(_sub(holder, "Point"), "coordinates", _coords(part.coords))
        elif part.geom_type == "LineString":
            line = _sub(holder, "LineString")
            _sub(line, "tessellate", "1")
            _sub(line, "coordinates", _coords(part.coords))
        elif part.geom_type == "Polygon":
            polygon = _sub(holder, "Polygon")
            _ring(polygon, "outerBoundaryIs", part.exterior)
            for hole in part.interiors:
                _ring(polygon, "innerBoundaryIs", hole)


def _ring(polygon: ET.Element, where: str, ring) -> None:
    _sub(_sub(_sub(polygon, where), "LinearRing"), "coordinates", _coords(ring.coords))


# --- GPX -------------------------------------------------------------------------------------


def gpx_document(content: FieldContent) -> str:
    """The export as GPX 1.1: waypoints (bases, crossings) first, then tracks.

    GPX has no polygons: a commune's outline and a base's coverage circle are tracks whose
    segments are the polygon's closed rings; border segments are tracks too.
    """
    ET.register_namespace("", GPX_NS)
    root = ET.Element(f"{{{GPX_NS}}}gpx", {"version": "1.1", "creator": "riskmap"})
    meta = _gsub(root, "metadata")
    _gsub(meta, "name", short(content.title))
    _gsub(meta, "desc", content.about)
    items = list(features(content))
    for feature in items:
        if feature.geometry.geom_type == "Point":
            _waypoint(root, feature, content)
    for feature in items:
        if feature.geometry.geom_type != "Point":
            _track(root, feature, content)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def _gsub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    return _sub(parent, tag, text, GPX_NS)


def _plain(facts: list[tuple[str, str]]) -> str:
    return "; ".join(f"{k}: {v}" if k else v for k, v in facts)


def _waypoint(root: ET.Element, feature: Feature, content: FieldContent) -> None:
    wpt = _gsub(root, "wpt")
    wpt.set("lat", f"{feature.geometry.y:.6f}")
    wpt.set("lon", f"{feature.geometry.x:.6f}")
    _gsub(wpt, "name", short(feature.name))
    _gsub(wpt, "desc", _plain(feature.facts))
    _gsub(wpt, "sym", "Flag, Blue" if feature.key == "patrol_bases" else "Crossing")
    _gsub(wpt, "type", folder_title(feature.key, content))


def _track(root: ET.Element, feature: Feature, content: FieldContent) -> None:
    trk = _gsub(root, "trk")
    _gsub(trk, "name", short(feature.name))
    _gsub(trk, "desc", _plain(feature.facts))
    _gsub(trk, "type", folder_title(feature.key, content))
    for line in _lines(feature.geometry):
        segment = _gsub(trk, "trkseg")
        for x, y, *_ in line.coords:
            point = _gsub(segment, "trkpt")
            point.set("lat", f"{y:.6f}")
            point.set("lon", f"{x:.6f}")


def _lines(geometry: BaseGeometry) -> list:
    """Lines of a geometry: a line itself, a polygon's rings (closed)."""
    out = []
    for part in getattr(geometry, "geoms", [geometry]):
        if part.geom_type == "Polygon":
            out += [part.exterior, *part.interiors]
        elif part.geom_type == "LineString":
            out.append(part)
    return out


def field_communes(scored: gpd.GeoDataFrame, top: int | None) -> gpd.GeoDataFrame:
    """The ``top`` communes (default :data:`DEFAULT_TOP`), only :data:`COMMUNE_FIELDS`.

    In EPSG:4326, outlines simplified to about 10 m so that a phone draws them quickly.
    """
    keep = [c for c in COMMUNE_FIELDS if c in scored.columns]
    rows = scored.sort_values("rank").head(top or DEFAULT_TOP)
    out = rows[[*keep, "geometry"]].to_crs(4326)
    simple = shapely.simplify(out.geometry.values, 0.0001, preserve_topology=True)
    return out.set_geometry(gpd.GeoSeries(simple, index=out.index, crs=4326))


def field_file(
    fmt: str,
    scored: gpd.GeoDataFrame,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    title: str,
    about: tuple[str, str],
    lang: str = "vi",
    top: int | None = None,
) -> str:
    """The text of a ``fmt`` file of ``scored`` (suppressed) and ``layers``: GPX or KML.

    For a KMZ it is the KML, which :mod:`maps.export` zips.
    ``about`` is the run id and date; ``top`` the communes to include (default
    :data:`DEFAULT_TOP`).
    """
    run_id, date = about
    content = FieldContent(
        title=title,
        about=_w("about", lang, run=run_id, date=date),
        communes=field_communes(scored, top),
        layers=layers,
        lang=lang,
    )
    return gpx_document(content) if fmt == "gpx" else kml_document(content)
