"""A real province's files, built from the real communes: every row a person would accept loads."""

import re

import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely

from geo.crs import to_metric
from geo.ingest import check_file, ingest_file
from geo.workspace import Workspace
from tests.realfiles import (
    KIND_WORDS,
    crossing_points,
    real_border,
    real_communes,
    register_rows,
    requires_realdata,
    write_border_geojson,
    write_communes_zip,
    write_counts_csv,
    write_crossings_kml,
    write_population_tif,
    write_register,
    write_zones_cp1258,
)

pytestmark = requires_realdata


@pytest.fixture(scope="module")
def nghe_an():
    return real_communes("Nghệ An")


@pytest.fixture(scope="module")
def nghe_an_ws(tmp_path_factory, nghe_an):
    """A workspace holding the 480 real communes of Nghệ An, from a cp1258 VN-2000 shapefile."""
    tmp = tmp_path_factory.mktemp("nghe_an")
    report = ingest_file(tmp / "ws", write_communes_zip(nghe_an, tmp / "xa.zip"), "communes")
    assert report.clean and report.rows_stored == 480, report.lines()[-3:]
    return Workspace.open(tmp / "ws"), report


def test_land_office_shapefile_with_census_codes_loads_every_commune(nghe_an_ws, nghe_an):
    ws, report = nghe_an_ws
    (codes,) = [p for p in report.warnings if p.row is None and p.column == "commune_code"]
    assert codes.reason == (
        '480 commune codes are not 5-digit GSO codes (e.g. "4030101", "4030103", "4030105"; '
        "they look like 7-digit census codes (2009)): stored as given, as text; tables keyed by "
        "another scheme need --crosswalk"
    )
    stored = ws.read_layer("communes")
    assert stored["commune_code"].tolist() == nghe_an["commune_code"].tolist()
    assert stored["commune_name"].tolist() == nghe_an["commune_name"].tolist()
    assert stored["district_name"].tolist() == nghe_an["district_name"].tolist()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # GDAL cuts names
@pytest.mark.parametrize("encoding", ["cp1258", "utf-8"])
def test_shapefile_names_cut_at_ten_bytes_are_read_in_both_encodings(tmp_path, encoding):
    communes = real_communes("Tây Ninh")
    path = write_communes_zip(communes, tmp_path / "xa.zip", encoding=encoding, crs="EPSG:9210")
    checked = check_file(path, "communes")
    assert checked.report.clean, checked.report.lines()[-3:]
    assert checked.frame["district_name"].tolist() == communes["district_name"].tolist()
    assert checked.frame["province_name"].eq("Tây Ninh").all()


def test_police_register_with_homonyms_accents_and_tone_placement_loads_every_row(
    tmp_path, nghe_an_ws, nghe_an
):
    ws, _ = nghe_an_ws
    rows = register_rows(nghe_an, per_commune=3)
    report = ingest_file(ws.root, write_register(rows, tmp_path / "co_so.xlsx"), "venues")
    assert report.clean and report.rows_stored == 1440, report.lines()[:5]
    assert report.assignment == {"inside": 720, "overlap": 0, "nearest": 0, "unassigned": 0}
    venues = ws.read_layer("venues")
    expected = [code for code in nghe_an["commune_code"] for _ in range(3)]
    assert venues["commune_code"].tolist() == expected
    by_name = dict(zip(nghe_an["commune_name"], nghe_an["commune_code"], strict=False))
    for near in ("Xã Châu Bính", "Xã Châu Bình", "Xã Nậm Cắn", "Xã Nậm Càn"):
        spelled = venues.loc[venues["address"].str.endswith(near), "commune_code"]
        assert set(spelled) == {by_name[near]}


def test_register_points_scattered_over_real_communes_are_placed_once_and_overlaps_explained(
    tmp_path, nghe_an_ws, nghe_an
):
    ws, _ = nghe_an_ws
    rows = register_rows(nghe_an, per_commune=3, scatter=True)
    checked = check_file(
        write_register(rows, tmp_path / "co_so.xlsx"), "venues", communes=ws.read_layer("communes")
    )
    report = checked.report
    assert report.clean and report.assignment == {
        "inside": 710,
        "overlap": 10,
        "nearest": 0,
        "unassigned": 0,
    }
    pattern = (
        r"the point lies where communes overlap; counted in commune \d{7} \(whose interior "
        r"point is nearest\), not in commune \d{7} as this row says"
    )
    assert len(report.warnings) == 3
    assert all(re.fullmatch(pattern, w.reason) for w in report.warnings), report.lines()[:3]


def test_near_homonym_written_exactly_wins_and_accent_free_is_ambiguous(tmp_path, nghe_an_ws):
    ws, _ = nghe_an_ws
    rows = [
        [1, "Karaoke A", "Karaoke", "", "Xã Nậm Cắn", "Huyện Kỳ Sơn", None, None],
        [2, "Karaoke B", "Karaoke", "", "nậm càn", "Kỳ Sơn", None, None],
        [3, "Karaoke C", "Karaoke", "", "Nam Can", "Huyện Kỳ Sơn", None, None],
        [4, "Karaoke D", "Karaoke", "", "Phường Nghi Thủy", "Thị xã Cửa Lò", None, None],
    ]
    checked = check_file(
        write_register(rows, tmp_path / "r.xlsx"), "venues", communes=ws.read_layer("communes")
    )
    codes = checked.frame["commune_code"].tolist()
    assert codes[:2] == ["4030917", "4030941"] and codes[3] is not None
    (error,) = [p for p in checked.report.errors if p.column == "commune_name"]
    assert error.row == 6
    assert error.reason == (
        "matches several communes (Xã Nậm Cắn (Huyện Kỳ Sơn); Xã Nậm Càn (Huyện Kỳ Sơn)); "
        "give the commune code (commune_code column)"
    )


def overlap_and_gap_points(communes):
    """A point in an overlap of two real communes and one in a gap between them, lon/lat."""
    metric = to_metric(communes)
    geoms = metric.geometry.to_numpy()
    left, right = shapely.STRtree(geoms).query(geoms, predicate="overlaps")
    pieces = shapely.intersection(geoms[left], geoms[right])
    overlap = pieces[np.argmax(shapely.area(pieces))].representative_point()
    union = shapely.union_all(geoms)
    holes = [shapely.Polygon(ring) for part in shapely.get_parts(union) for ring in part.interiors]
    gap = max(holes, key=lambda h: h.area).representative_point()
    points = pd.Series([overlap, gap])
    import geopandas as gpd

    return gpd.GeoSeries(points, crs=metric.crs).to_crs("EPSG:4326")


def test_points_in_overlaps_gaps_and_beyond_are_each_counted_once_by_a_named_rule(
    tmp_path, nghe_an_ws, nghe_an
):
    ws, _ = nghe_an_ws
    overlap, gap = overlap_and_gap_points(nghe_an)
    rows = [
        [1, "Nhà nghỉ A", "Nhà nghỉ", "", None, None, round(overlap.x, 7), round(overlap.y, 7)],
        [2, "Nhà nghỉ B", "Nhà nghỉ", "", None, None, round(gap.x, 7), round(gap.y, 7)],
        [3, "Nhà nghỉ C", "Nhà nghỉ", "", None, None, 103.0, 19.5],  # in Laos, ~60 km out
    ]
    report = ingest_file(ws.root, write_register(rows, tmp_path / "r.xlsx"), "venues")
    assert report.assignment == {"inside": 0, "overlap": 1, "nearest": 1, "unassigned": 1}
    assert (
        "points: 1 in an overlap of communes (given to the one whose interior point is nearest); "
        "1 in a gap or just outside (given to the nearest commune within 2 km); 1 farther than "
        "2 km from every commune (counted in none)"
    ) in report.notes
    (far,) = report.warnings
    assert far.row == 6 and far.column == "geometry"
    assert far.reason.endswith(
        "km outside the province's communes (more than 2 km): counted in no commune; check the "
        "coordinates"
    )
    venues = ws.read_layer("venues")
    assert venues["commune_code"].notna().tolist() == [True, True, False]


def test_crossings_drawn_in_google_earth_load_with_kinds_from_description_folder_and_icon(
    tmp_path, nghe_an_ws, nghe_an
):
    ws, _ = nghe_an_ws
    points = crossing_points(nghe_an, real_border(), n=12)
    kinds = [list(KIND_WORDS)[i % 5] for i in range(12)]
    report = ingest_file(
        ws.root, write_crossings_kml(points, kinds, tmp_path / "ck.kml"), "crossings"
    )
    assert report.clean and report.rows_stored == 12, report.lines()
    assert report.assignment["unassigned"] == 0 and report.assignment["nearest"] > 0
    stored = ws.read_layer("crossings").set_index("name")["kind"]
    assert stored.to_dict() == {f"Điểm {i + 1}": kind for i, kind in enumerate(kinds)}


def test_crossings_outside_every_commune_still_weigh_on_the_nearest_border_communes(nghe_an):
    from risk.indicators import compute_indicator
    from risk.profiles import load_profile

    metric = to_metric(nghe_an)
    points = crossing_points(nghe_an, real_border(), n=12).to_crs(metric.crs)
    outside = ~points.intersects(shapely.union_all(metric.geometry.to_numpy()))
    assert outside.sum() >= 4  # the border line lies off the communes
    crossings = pd.DataFrame({"kind": ["trail"] * 12}).set_geometry(points.values, crs=metric.crs)
    params = load_profile("patrol").parameters
    access, _ = compute_indicator(
        "crossing_access", metric, {"crossings": crossings}, np.ones(len(metric)), params
    )
    nearest = metric.distance(points[outside].iloc[0]).idxmin()
    assert access[nearest] > 0.4  # a trail 0-8 km away weighs exp(-d/10 km) on its commune


def test_counts_keyed_by_old_codes_against_new_codes_say_so_and_match_by_name(tmp_path, nghe_an):
    from geo.workspace import Workspace as W

    communes = nghe_an.assign(commune_code=[f"{17000 + i:05d}" for i in range(len(nghe_an))])
    ws = W.init(tmp_path / "ws")  # today's 5-digit codes; the counts keep the census ones
    ws.write_layers({"communes": communes}, source="test")
    old = nghe_an["commune_code"].tolist()[:40]
    path = write_counts_csv(old, tmp_path / "tra_ve.csv")
    report = ingest_file(ws.root, path, "repatriations")
    assert not report.clean
    (scheme,) = [p for p in report.warnings if p.row is None]
    assert scheme.reason.startswith(
        "40 rows have commune codes that are not codes of the workspace's communes (40 "
        'distinct, e.g. "4030101", "4030103", "4030105"): they look like 7-digit census codes '
        "(2009), the workspace's communes use 5-digit GSO codes; re-key them with --crosswalk"
    )
    assert "or give a commune name column (commune_name) to match by name" in scheme.reason
    named = pd.read_csv(path, dtype=str).assign(
        **{"Tên xã": nghe_an["commune_name"][:40], "Huyện": nghe_an["district_name"][:40]}
    )
    named.to_csv(tmp_path / "named.csv", index=False, encoding="utf-8-sig")
    report = ingest_file(ws.root, tmp_path / "named.csv", "repatriations")
    assert report.clean and report.rows_stored == 40, report.lines()[-3:]
    assert "rows whose commune name matches one commune are matched by name instead" in (
        report.warnings[0].reason
    )
    stored = ws.read_layer("repatriations")
    assert stored["commune_code"].tolist() == communes["commune_code"][:40].tolist()


def test_windows_1258_zones_border_geojson_and_population_raster_load(
    tmp_path, nghe_an_ws, nghe_an
):
    ws, _ = nghe_an_ws
    zones = write_zones_cp1258(nghe_an, tmp_path / "khu_cong_nghiep.csv")
    assert b"\xd0" in zones.read_bytes() or b"\xf0" in zones.read_bytes()  # Đ/đ in cp1258
    report = ingest_file(ws.root, zones, "industrial_zones")
    assert report.clean and report.rows_stored == 8, report.lines()[:3]
    assert ws.read_layer("industrial_zones")["name"].str.contains("Vinh|Cửa Lò|Thái Hoà").any()
    border = write_border_geojson(nghe_an, real_border(), tmp_path / "bien_gioi.geojson")
    report = ingest_file(ws.root, border, "border")
    assert report.clean and ws.read_layer("border")["country"].tolist() == ["Laos"]
    tif = write_population_tif(nghe_an, tmp_path / "dan_so.tif")
    with rasterio.open(tif) as src:
        total = float(src.read(1).sum())
    assert total == pytest.approx(nghe_an["population_2009"].sum(), rel=0.01)
    assert ingest_file(ws.root, tif, "population").rows_stored == 1
