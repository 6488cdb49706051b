"""A corpus of realistic bad files, generated here: each yields its specific, actionable error."""

import unicodedata
import zipfile

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj.transformer import TransformerGroup

from geo.crs import PINNED_VN2000, parse_crs
from geo.ingest import IngestOptions, check_file, ingest_file, validate_file
from tests.factories import make_communes
from tests.geo.conftest import VENUE_HEADER, write_csv, write_xlsx


def messages(report):
    return [f"{p.where(report.file)}: {p.reason}" for p in report.problems]


def one_error(report, text):
    errors = [f"{p.where(report.file)}: {p.reason}" for p in report.errors]
    assert any(text in e for e in errors), "\n".join(report.lines())
    return errors


def inside(ws, code="90001"):
    communes = ws.read_layer("communes")
    point = communes.loc[communes["commune_code"] == code].representative_point().iloc[0]
    return round(point.x, 6), round(point.y, 6)


def venue_rows(ws):
    lon, lat = inside(ws)
    return [
        VENUE_HEADER,
        [1, "Karaoke Hoa Mai", "Karaoke", "Thôn Nà Lũng", "Nà Lũng", "Bắc Sơn", lon, lat],
        [2, "Nhà nghỉ Bình An", "nhà nghỉ", "Thôn 2", "Xã Pác Bó", "Huyện Bắc Sơn", None, None],
        [3, "Massage Sen", "Mát xa", "Thôn 3", "TT. Pác Bó", "", lat, lon],
        [4, "Cà phê Gió", "cà phê", "", "Khuổi Mạ", "", lon, lat],
    ]


def test_messy_venue_register_loads_with_only_the_bad_row_reported(tmp_path, ws):
    path = write_xlsx(tmp_path / "co_so.xlsx", venue_rows(ws), title="DANH SÁCH CƠ SỞ KINH DOANH")
    report = ingest_file(ws.root, path, "venues")
    assert messages(report) == [
        'co_so.xlsx, row 6, column "geometry": x and y (longitude and latitude) look swapped: '
        "swapped they fall in Vietnam; fix the file or pass --fix-swapped",
        'co_so.xlsx, row 7, column "commune_name": the point lies in commune 90001, not in '
        "commune 90003 as this row says; placed by its point",
    ]
    assert report.rows_stored == 0 and "nothing stored" in report.notes[-1]
    fixed = ingest_file(ws.root, path, "venues", options=IngestOptions(fix_swapped=True))
    assert fixed.clean and fixed.rows_stored == 4 and len(fixed.warnings) == 3
    venues = ws.read_layer("venues")
    assert venues["kind"].tolist() == ["karaoke", "guesthouse", "massage", "cafe"]
    # rows with a point are placed by it: their names only cross-check (a warning)
    assert venues["commune_code"].tolist() == ["90001", "90002", "90001", "90001"]
    assert venues["location"].tolist() == ["coordinates", "commune", "coordinates", "coordinates"]
    assert "STT" in venues.columns  # unknown columns are kept


@pytest.mark.parametrize(
    "encoding", ["utf-8-sig", "cp1258", "utf-16"], ids=["bom", "cp1258", "utf16"]
)
def test_csv_encodings_and_nfd_names_store_the_same_nfc_text(tmp_path, ws, encoding):
    rows = venue_rows(ws)[:3]
    rows = [[unicodedata.normalize("NFD", v) if isinstance(v, str) else v for v in r] for r in rows]
    report = ingest_file(ws.root, write_csv(tmp_path / "v.csv", rows, encoding=encoding), "venues")
    assert report.clean, report.lines()
    venues = ws.read_layer("venues")
    assert venues["name"].tolist() == ["Karaoke Hoa Mai", "Nhà nghỉ Bình An"]
    assert all(unicodedata.is_normalized("NFC", v) for v in venues["address"])


def test_unknown_kind_and_unmatched_or_ambiguous_communes(tmp_path, ws):
    communes = ws.read_layer("communes")
    communes.loc[7, "commune_name"] = "Xã Nà Lũng"  # a second Nà Lũng, in Huyện Nam Sơn
    ws.write_layers({"communes": communes}, source="test")
    rows = [
        VENUE_HEADER,
        [1, "Bida 8", "bida", "", "Pác Bó", "", None, None],
        [2, "Karaoke A", "karaoke", "", "Nà Lũng", "", None, None],
        [3, "Karaoke B", "karaoke", "", "Nà Lũng", "Nam Sơn", None, None],
        [4, "Karaoke C", "karaoke", "", "Pác Bi", "", None, None],
    ]
    report = check_file(
        write_csv(tmp_path / "v.csv", rows), "venues", communes=ws.read_layer("communes")
    ).report
    errors = one_error(report, 'v.csv, row 2, column "kind": is not a known kind (expected karaoke')
    one_error(
        report,
        'row 3, column "commune_name": matches several communes (Xã Nà Lũng (Huyện '
        "Bắc Sơn); Xã Nà Lũng (Huyện Nam Sơn)); fill in the district (Huyện) of this row",
    )
    one_error(
        report,
        'row 5, column "commune_name": is not a commune of the workspace (closest: '
        "Xã Pác Bó (Huyện Bắc Sơn)",
    )
    assert report.rejected_rows == [2, 3, 5]  # row 4 is resolved by its district
    assert len(errors) == 5  # rows 3 and 5 also have no place (no coordinates, no commune)


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_missing_prj_needs_crs_and_vn2000_tm3_is_reprojected_with_the_pinned_shift(tmp_path, ws):
    original = make_communes()
    tm3 = parse_crs("VN2000:TM3:105.75")
    group = TransformerGroup("EPSG:4326", tm3, always_xy=True)
    forward = next(t for t in group.transformers if PINNED_VN2000 in t.description)
    moved = shapely.transform(
        original.geometry.to_numpy(),
        lambda xy: np.column_stack(forward.transform(xy[:, 0], xy[:, 1])),
    )
    shp = original.rename(
        columns={
            "commune_code": "MA_XA",
            "commune_name": "TEN_XA",
            "district_name": "TEN_HUYEN",
            "province_name": "TEN_TINH",
            "population": "DAN_SO",
        }
    )
    shp = gpd.GeoDataFrame(
        shp[["MA_XA", "TEN_XA", "TEN_HUYEN", "TEN_TINH", "DAN_SO"]], geometry=moved, crs=None
    )
    shp.to_file(tmp_path / "xa.shp", encoding="utf-8")
    report = ingest_file(tmp_path / "new", tmp_path / "xa.shp", "communes")
    assert (
        report.file_errors
        and "has no coordinate reference system (a shapefile needs its .prj); give it with --crs"
        in report.file_errors[0].reason
    )
    assert not (tmp_path / "new").exists()  # nothing was created
    report = ingest_file(
        tmp_path / "new",
        tmp_path / "xa.shp",
        "communes",
        options=IngestOptions(crs="VN2000:TM3:105.75"),
    )
    assert report.clean, report.lines()
    stored = gpd.read_file(tmp_path / "new" / "layers.gpkg", layer="communes")
    assert stored["commune_code"].tolist() == original["commune_code"].tolist()
    assert stored["population"].tolist() == original["population"].tolist()
    gaps = shapely.hausdorff_distance(stored.geometry.to_numpy(), original.geometry.to_numpy())
    assert gaps.max() < 1e-8  # degrees: well under a millimetre


def test_metre_columns_without_crs_and_points_outside_vietnam(tmp_path, ws):
    rows = [["Tên", "Loại", "X", "Y"], ["Cửa khẩu A", "lối mở", 520000, 2400000]]
    report = check_file(write_csv(tmp_path / "c.csv", rows), "crossings").report
    assert "look like metres (up to 2400000); say which CRS they are in with --crs" in (
        report.file_errors[0].reason
    )
    rows = [
        ["Tên", "Loại", "Kinh độ", "Vĩ độ"],
        ["Cửa khẩu B", "lối mở", 2.35, 48.85],
        ["Cửa khẩu C", "đường mòn", "", ""],
        ["Cửa khẩu D", "đường mòn", "106,9", ""],
    ]
    report = check_file(write_csv(tmp_path / "d.csv", rows, sep=";"), "crossings").report
    one_error(
        report,
        'row 2, column "geometry": lies outside Vietnam (longitude 2.3500, latitude 48.8500)',
    )
    one_error(report, 'row 3, column "geometry": geometry is empty')
    one_error(report, 'row 4, column "lat": value is empty but the other coordinate is given')


def test_duplicate_codes_invalid_polygons_overlaps_and_gaps(tmp_path):
    communes = make_communes()
    communes.loc[2, "commune_code"] = "90001"
    communes.loc[3, "geometry"] = shapely.Polygon(
        [(106.99, 21.60), (107.03, 21.64), (107.03, 21.60), (106.99, 21.64)]
    )  # bowtie
    communes.loc[5, "geometry"] = communes.geometry[5].buffer(0.002)  # overlaps its neighbours
    communes.loc[6, "geometry"] = communes.geometry[6].buffer(-0.003)  # leaves a gap
    communes.to_file(tmp_path / "xa.gpkg")
    report = check_file(tmp_path / "xa.gpkg", "communes").report
    errors = one_error(
        report,
        'xa.gpkg, row 3, column "commune_code": "90001" appears twice '
        "(first in row 1); commune codes must be unique",
    )
    assert len(errors) == 1
    warnings = [p.reason for p in report.warnings]
    assert any(w.startswith("invalid geometry (Self-intersection") for w in warnings)
    assert any(w.startswith("overlaps commune") and w.endswith(" ha") for w in warnings)
    assert any(w.startswith("gap of ") and "ha between communes" in w for w in warnings)


def test_repatriation_counts_periods_and_names(tmp_path, ws):
    rows = [
        ["Xã", "Huyện", "Năm", "Số người", "Đối tượng"],
        ["Nà Lũng", "Bắc Sơn", 2023, 4, "bị trục xuất"],
        ["Pác Bó", "", "05/2024", -2, "nạn nhân"],
        ["Đồng Tâm", "", 2024, "ba", "trục xuất"],
        ["Khuổi Mạ", "", "2024-13", 1, "trục xuất"],
    ]
    path = write_xlsx(tmp_path / "tra_ve.xlsx", rows)
    report = ingest_file(ws.root, path, "repatriations", options=IngestOptions(skip_invalid=True))
    assert messages(report) == [
        'tra_ve.xlsx, row 3, column "count": is not a whole number of people >= 0',
        'tra_ve.xlsx, row 4, column "count": is not a whole number of people >= 0',
        'tra_ve.xlsx, row 5, column "period": "2024-13" is not a year (YYYY) or month (YYYY-MM)',
    ]
    stored = ws.read_layer("repatriations")
    assert stored[["commune_code", "period", "count", "category"]].values.tolist() == [
        ["90001", "2023", 4, "deported"]
    ]
    rejected = pd.read_csv(report.rejected_file, encoding="utf-8-sig", dtype=str)
    assert rejected["row"].tolist() == ["3", "4", "5"] and rejected["Xã"].tolist()[0] == "Pác Bó"
    assert "count: is not a whole number" in rejected["reason"].iloc[0]


@pytest.mark.parametrize(
    "column, values, why",
    [
        ("Họ và tên", ["Nguyễn Văn A"], ""),
        ("Số CCCD", ["001203004567"], ""),
        ("Ghi chú", ["038 203 004 567"], " (values look like CMND/CCCD ID numbers)"),
        ("Liên hệ", ["0912 345 678"], " (values look like phone numbers)"),
        ("Ngày sinh", ["01/02/1990"], ""),
    ],
    ids=["name", "cccd", "id-in-notes", "phone", "birth"],
)
def test_repatriations_with_personal_identifiers_are_refused(tmp_path, ws, column, values, why):
    rows = [["Mã xã", "Năm", "Số người", column], ["90001", "2023", 1, *values]]
    report = ingest_file(
        ws.root,
        write_csv(tmp_path / "r.csv", rows),
        "repatriations",
        options=IngestOptions(skip_invalid=True),
    )
    assert report.file_errors[0].reason == (
        "personal identifiers are never stored; remove this column and keep only counts" + why
    )
    assert report.file_errors[0].column == column
    assert report.rows_stored == 0 and not ws.has_layer("repatriations")


def test_zip_with_parent_paths_is_reported_not_opened(tmp_path, ws):
    with zipfile.ZipFile(tmp_path / "xa.zip", "w") as archive:
        archive.writestr("../xa.shp", b"x")
    report = validate_file(tmp_path / "xa.zip", "communes", workspace=ws.root)
    assert report.file_errors[0].reason.startswith('zip member "../xa.shp" points outside')


def test_round_trip_keeps_values_and_vietnamese_text(tmp_path, ws):
    rows = venue_rows(ws)
    rows[3] = rows[3][:6] + rows[3][6:][::-1]
    ingest_file(ws.root, write_xlsx(tmp_path / "v.xlsx", rows), "venues")
    first = ws.read_layer("venues")
    first.drop(columns="location").to_file(tmp_path / "export.gpkg")
    table = pd.DataFrame(first.drop(columns=["geometry", "location"]))
    table = table.assign(lon=first.geometry.x, lat=first.geometry.y)
    table.to_excel(tmp_path / "export.xlsx", index=False)
    for exported in ("export.gpkg", "export.xlsx"):
        report = ingest_file(ws.root, tmp_path / exported, "venues")
        assert report.clean, report.lines()
        again = ws.read_layer("venues")
        for column in ("name", "kind", "address", "commune_code", "commune_name"):
            assert again[column].tolist() == first[column].tolist(), column
        assert shapely.equals_exact(
            again.geometry.to_numpy(), first.geometry.to_numpy(), 1e-9
        ).all()


def test_vertex_limit_and_population_raster(tmp_path, ws):
    from geo.limits import Limits

    communes = make_communes()
    communes.to_file(tmp_path / "xa.gpkg")
    report = check_file(
        tmp_path / "xa.gpkg", "communes", options=IngestOptions(limits=Limits(max_vertices=4))
    ).report
    one_error(report, 'row 1, column "geometry": geometry has 5 vertices, over the 4 limit')
    import rasterio
    from rasterio.transform import from_origin

    with rasterio.open(
        tmp_path / "dan_so.tif",
        "w",
        driver="GTiff",
        width=3,
        height=2,
        count=1,
        dtype="float32",
        crs="EPSG:32648",
        transform=from_origin(7e5, 2.4e6, 100, 100),
    ) as dst:
        dst.write(np.full((2, 3), 5, dtype="float32"), 1)
    report = ingest_file(ws.root, tmp_path / "dan_so.tif", "population")
    assert report.rows_stored == 1 and ws.versions()["population"].source == "dan_so.tif"


def test_commune_codes_are_text_with_leading_zeros_kept_from_xlsx_and_shapefiles(tmp_path):
    communes = make_communes(2, 1).assign(commune_code=["01234", "4010101"])
    shp = communes.assign(commune_code=[1234.0, 4010101.0])  # a numeric DBF field
    shp = shp[["commune_code", "commune_name", "province_name", "geometry"]].rename(
        columns={"commune_code": "MA_XA", "commune_name": "TEN_XA", "province_name": "TEN_TINH"}
    )
    shp.to_file(tmp_path / "xa.shp")
    checked = check_file(tmp_path / "xa.shp", "communes")
    assert checked.report.clean, checked.report.lines()
    assert checked.frame["commune_code"].tolist() == ["01234", "4010101"]
    rows = [
        ["Mã xã", "Năm", "Số người"],
        ["01234", 2023, 2],
        [4010101.0, 2023, 3],
        [4010101, 2024, 1],
    ]
    path = write_xlsx(tmp_path / "tra_ve.xlsx", rows)
    checked = check_file(path, "repatriations", communes=communes)
    assert checked.report.clean, checked.report.lines()
    assert checked.frame["commune_code"].tolist() == ["01234", "4010101", "4010101"]
