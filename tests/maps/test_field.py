"""KML, KMZ and GPX for the field: read back with real parsers, hostile names, no counts."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import replace
from xml.etree import ElementTree as ET

import geopandas as gpd
import gpxpy
import pyogrio
import pytest
from shapely.geometry import LineString, Point, box

from api.render import write_run_export
from geo.errors import RiskmapError
from maps.export import ExportRequest
from maps.field import NAME_LENGTH, FieldContent, field_communes, gpx_document, kml_document
from risk.profiles import load_profile

K = {"k": "http://www.opengis.net/kml/2.2"}
G = {"g": "http://www.topografix.com/GPX/1/1"}
HOSTILE = [
    "<script>alert(1)</script>",
    "Xã ]]> & <b>đậm</b>",
    unicodedata.normalize("NFD", "Xã Nậm Cắn"),
    '=HYPERLINK("http://x")\x07',
    "Thị trấn " + "rất dài " * 12,
]


def content(lang: str = "vi") -> FieldContent:
    """Five communes with hostile names, exact counts beside them, and every plan layer."""
    n = len(HOSTILE)
    communes = gpd.GeoDataFrame(
        {
            "commune_code": [f"9000{i}" for i in range(n)],
            "commune_name": HOSTILE,
            "district_name": ["Huyện <Đông>"] * n,
            "province_name": ["Biên Hải"] * n,
            "score": [91.25, 80.0, 55.5, 30.0, 12.0],
            "class": [5, 5, 3, 2, 1],
            "class_label_vi": ["Rất cao", "Rất cao", "Trung bình", "Thấp", "Rất thấp"],
            "class_label_en": ["Very high", "Very high", "Medium", "Low", "Very low"],
            "rank": [1, 2, 3, 4, 5],
            "rank_p05": [1, 1, 2, 4, 5],
            "rank_p95": [2, 3, 4, 5, 5],
            "repatriations_total": [4321, 987, 3, 0, 17],
            "raw_deported_rate": [12.3456, 1.0, 0.5, 0.0, 2.0],
        },
        geometry=[box(104 + i / 10, 21, 104.09 + i / 10, 21.09) for i in range(n)],
        crs=4326,
    )
    bases = gpd.GeoDataFrame(
        {"name": ["<img src=x onerror=alert(1)>", ""], "kind": ["commune_centre", "post"]},
        geometry=[Point(104.05, 21.05), Point(104.25, 21.05)],
        crs=4326,
    ).assign(radius_km=15.0, frequency=[0.62, 0.3])
    coverage = bases.assign(geometry=bases.to_crs(3405).buffer(15_000).to_crs(4326))
    segments = gpd.GeoDataFrame(
        {"segment": [1, 2], "kind": ["land", "land"], "score": [80.5, 40.0], "rank": [1, 2]},
        geometry=[
            LineString([(104, 21.2), (104.1, 21.25)]),
            LineString([(104.1, 21.25), (104.2, 21.3)]),
        ],
        crs=4326,
    )
    crossings = gpd.GeoDataFrame(
        {"name": ["Cửa `+(document.title='X')+`"], "kind": ["trail"], "daily_traffic": [7777]},
        geometry=[Point(104.1, 21.25)],
        crs=4326,
    )
    layers = {
        "patrol_bases": bases,
        "patrol_coverage": coverage,
        "border_segments": segments,
        "crossings": crossings,
    }
    return FieldContent(
        title="Bản đồ <nguy cơ> & tuần tra",
        about="Lượt chạy abc, 2026-11-26",
        communes=field_communes(communes, None),
        layers=layers,
        lang=lang,
    )


def clean(name: str) -> str:
    return unicodedata.normalize("NFC", name).replace("\x07", "")


def test_kml_opens_as_kml_2_2_with_styles_folders_and_named_placemarks():
    root = ET.fromstring(kml_document(content()).encode())
    assert root.tag == "{http://www.opengis.net/kml/2.2}kml"
    doc = root.find("k:Document", K)
    assert doc.findtext("k:name", namespaces=K) == "Bản đồ <nguy cơ> & tuần tra"
    assert {s.get("id") for s in doc.findall("k:Style", K)} >= {"class1", "class5", "site"}
    folders = [f.findtext("k:name", namespaces=K) for f in doc.findall("k:Folder", K)]
    assert folders == [
        "Xã ưu tiên (hạng 1-5)",
        "Điểm đặt tổ tuần tra",
        "Vùng bao phủ tuần tra",
        "Đoạn biên giới theo điểm",
        "Cửa khẩu, lối mở, đường mòn",
    ]
    communes = doc.findall("k:Folder", K)[0].findall("k:Placemark", K)
    names = [p.findtext("k:name", namespaces=K) for p in communes]
    assert names == [clean(n) for n in HOSTILE]  # every name intact, NFC, in rank order
    first = communes[0]
    assert first.findtext("k:styleUrl", namespaces=K) == "#class5"
    data = {
        d.get("name"): d.findtext("k:value", namespaces=K) for d in first.iter(f"{{{K['k']}}}Data")
    }
    assert data["Hạng"] == "1" and data["Điểm nguy cơ (0-100)"] == "91.2"
    assert data["Khoảng hạng (5-95%)"] == "1-2" and data["Mức nguy cơ"] == "Rất cao"
    assert first.find(".//k:Polygon/k:outerBoundaryIs/k:LinearRing", K) is not None
    bases = [p.findtext("k:name", namespaces=K) for p in doc.findall("k:Folder", K)[1]]
    assert "Tổ tuần tra 1: <img src=x onerror=alert(1)>" in bases and "Tổ tuần tra 2" in bases


def test_kml_balloons_are_escaped_html_and_coordinates_have_six_decimals():
    text = kml_document(content())
    root = ET.fromstring(text.encode())
    for mark in root.iter(f"{{{K['k']}}}Placemark"):
        balloon = mark.findtext("k:description", namespaces=K)
        assert "<script" not in balloon and "<img" not in balloon and "<b>" not in balloon
    balloons = " ".join(d.text for d in root.iter(f"{{{K['k']}}}description"))
    assert "&lt;img src=x onerror=alert(1)&gt;" not in balloons  # bases' names are names only
    assert "Huyện &lt;Đông&gt;" in balloons  # an HTML balloon shows the text, runs nothing
    coords = " ".join(c.text for c in root.iter(f"{{{K['k']}}}coordinates")).split()
    assert coords and all(re.fullmatch(r"-?\d+\.\d{6},-?\d+\.\d{6}", c) for c in coords)
    assert "\x07" not in text and "]]>" not in text


def test_kml_in_english():
    root = ET.fromstring(kml_document(content("en")).encode())
    folders = [f.findtext("k:name", namespaces=K) for f in root.iter(f"{{{K['k']}}}Folder")]
    assert folders[0] == "Priority communes (ranks 1-5)" and "Patrol bases" in folders


def test_gpx_opens_in_a_gps_app_with_waypoints_then_tracks():
    text = gpx_document(content())
    gpx = gpxpy.parse(text)
    assert gpx.version == "1.1" and gpx.name == "Bản đồ <nguy cơ> & tuần tra"
    waypoints = {w.name: w for w in gpx.waypoints}
    assert "Tổ tuần tra 1: <img src=x onerror=alert(1)>" in waypoints
    assert "Cửa `+(document.title='X')+`" in waypoints
    assert all(len(w.name) <= NAME_LENGTH for w in gpx.waypoints)
    assert all(len(t.name) <= NAME_LENGTH for t in gpx.tracks)
    outlines = [t for t in gpx.tracks if t.type == "Xã ưu tiên (hạng 1-5)"]
    assert [t.name for t in outlines][:3] == [clean(n) for n in HOSTILE[:3]]
    ring = outlines[0].segments[0].points
    assert (ring[0].latitude, ring[0].longitude) == (ring[-1].latitude, ring[-1].longitude)
    coverage = [t for t in gpx.tracks if t.type == "Vùng bao phủ tuần tra"]
    assert len(coverage) == 2 and len(coverage[0].segments[0].points) > 32
    root = ET.fromstring(text.encode())
    order = [child.tag.split("}")[1] for child in root]
    assert order == sorted(order, key=["metadata", "wpt", "rte", "trk"].index)
    points = [*root.iter(f"{{{G['g']}}}wpt"), *root.iter(f"{{{G['g']}}}trkpt")]
    assert all(re.fullmatch(r"-?\d+\.\d{6}", p.get(a)) for p in points for a in ("lat", "lon"))


@pytest.mark.parametrize("build", [kml_document, gpx_document], ids=["kml", "gpx"])
def test_no_count_of_people_reaches_a_field_file(build):
    text = build(content())
    text = re.sub(r"<coordinates>[^<]*</coordinates>|(lat|lon)=\"[^\"]*\"", "", text)
    for secret in ("4321", "987", "7777", "12.3456", "repatriations", "deported", "traffic"):
        assert secret not in text


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from tests.api.privacy_world import build_world

    return build_world(tmp_path_factory.mktemp("field"))


@pytest.mark.parametrize("fmt", ["kml", "kmz", "gpx"])
def test_a_province_key_gets_its_province_only(world, fmt):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings
    from tests.api.privacy_world import A, auth

    http = TestClient(create_app(Settings(workspace=world.ws.root, require_keys=True)))
    response = http.get(f"/exports/patrol.{fmt}?top=50", headers=auth(world.keys["viewer_a"]))
    assert response.status_code == 200, response.text
    media = {
        "kml": "application/vnd.google-earth.kml+xml",
        "kmz": "application/vnd.google-earth.kmz",
        "gpx": "application/gpx+xml",
    }[fmt]
    assert response.headers["content-type"].startswith(media)
    body = response.content
    if fmt == "kmz":
        archive = zipfile.ZipFile(io.BytesIO(body))
        assert archive.namelist()[0] == "doc.kml"
        body = archive.read("doc.kml")
    text = body.decode("utf-8")
    inside = set(world.in_province(A))
    for code in world.codes:
        assert (world.names[code] in text) is (code in inside)
    assert "repatriations" not in text and "&lt;5" not in text  # no counts, not even "<5"
    analyst = http.get(f"/exports/patrol.{fmt}?exact=true", headers=auth(world.keys["analyst"]))
    assert analyst.status_code == 400 and "without exact counts" in analyst.text


def test_exact_counts_are_refused_for_field_files(scored_workspace, tmp_path):
    request = ExportRequest(fmt="gpx", suppression=None)
    with pytest.raises(RiskmapError, match=r"gpx files go to the field .* without exact counts"):
        write_run_export(scored_workspace, load_profile("patrol"), tmp_path / "x.gpx", request)
    assert not (tmp_path / "x.gpx").exists()


def test_cli_writes_a_kmz_google_earth_reads(scored_workspace, tmp_path):
    from typer.testing import CliRunner

    from api.cli import app

    out = tmp_path / "patrol.kmz"
    args = ["export", "-w", str(scored_workspace.root), "--profile", "patrol", "-f", "kmz"]
    result = CliRunner().invoke(app, [*args, "-o", str(out), "--lang", "en", "--top", "3"])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == ["doc.kml"]
        root = ET.fromstring(archive.read("doc.kml"))
    folder = root.find("k:Document/k:Folder", K)
    assert folder.findtext("k:name", namespaces=K) == "Priority communes (ranks 1-3)"
    assert len(folder.findall("k:Placemark", K)) == 3
    assert folder.find(".//k:Polygon", K) is not None  # outlines, not points
    layers = dict(pyogrio.list_layers(out))  # GDAL's KML reader, as QGIS opens it
    assert "Priority communes (ranks 1-3)" in layers
    read = pyogrio.read_dataframe(out, layer="Priority communes (ranks 1-3)")
    assert len(read) == 3 and read.geometry.geom_type.str.contains("Polygon").all()


def test_gdal_reads_the_gpx_waypoints_and_tracks(tmp_path):
    path = tmp_path / "field.gpx"
    path.write_text(gpx_document(content()), encoding="utf-8")
    waypoints = pyogrio.read_dataframe(path, layer="waypoints")
    tracks = pyogrio.read_dataframe(path, layer="tracks")
    assert "Tổ tuần tra 2" in set(waypoints["name"]) and len(waypoints) == 3
    assert len(tracks) == 5 + 2 + 2  # outlines, coverage rings, border segments


def test_communes_of_the_same_name_keep_their_own_class_and_empty_shapes_are_left_out():
    field = content()
    communes = field.communes.copy()
    communes["commune_name"] = "Xã Tân Lập"  # the most common commune name in Viet Nam
    communes.loc[communes.index[-1], "geometry"] = None
    root = ET.fromstring(kml_document(replace(field, communes=communes)).encode())
    marks = root.find("k:Document/k:Folder", K).findall("k:Placemark", K)
    styles = [m.findtext("k:styleUrl", namespaces=K) for m in marks]
    assert styles == ["#class5", "#class5", "#class3", "#class2"]


def test_a_comparison_with_the_previous_period_is_shown():
    field = content()
    compared = field.communes.assign(previous_rank=[3, 1, 2, 4, 5], rank_change=[2, -1, -1, 0, 0])
    compared["score_change"] = [12.5, -3.0, 0.0, 0.0, 0.0]
    root = ET.fromstring(kml_document(replace(field, communes=compared)).encode())
    first = root.find("k:Document/k:Folder/k:Placemark", K)
    data = {
        d.get("name"): d.findtext("k:value", namespaces=K) for d in first.iter(f"{{{K['k']}}}Data")
    }
    assert data["Hạng kỳ trước (thay đổi, + là lên hạng)"] == "3 (+2)"
    assert data["Thay đổi điểm so với kỳ trước"] == "+12.5"
