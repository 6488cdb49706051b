"""Files that attack the reader: VRTs in disguise, network paths, bombs, XXE, huge rasters."""

import http.server
import io
import sqlite3
import threading
import zipfile
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import rasterio
from rasterio.transform import from_origin

from geo.errors import InputFileError
from geo.filetypes import check_format, harden_pyogrio, public_reason, sniff
from geo.limits import Limits
from geo.readers import read_file, read_raster
from tests.factories import make_communes
from tests.geo.conftest import write_xlsx

PASSWD_VRT = (
    "<OGRVRTDataSource>\n"
    '  <OGRVRTLayer name="passwd">\n'
    "    <SrcDataSource>CSV:/etc/passwd</SrcDataSource>\n"
    "  </OGRVRTLayer>\n"
    "</OGRVRTDataSource>\n"
)


@pytest.fixture
def web_server():
    """A local HTTP server that records every path it is asked for."""
    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"name,kind\nA,opening\n")

        do_HEAD = do_GET

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", asked
    server.shutdown()


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"PK\x03\x04rest", "zip"),
        (b"SQLite format 3\x00...", "sqlite"),
        (b"II*\x00\x08", "tiff"),
        (b"\x00\x00\x27\x0a\x00", "shp"),
        (b'\xef\xbb\xbf{"type": "FeatureCollection"}', "json"),
        (b'<?xml version="1.0"?><kml>', "xml"),
        (PASSWD_VRT.encode(), "vrt"),
        (b"  <VRTDataset rasterXSize='1'>", "vrt"),
        ("Tên,Loại\nCửa khẩu,lối mở\n".encode(), "text"),
        (bytes(range(256)) * 4, "binary"),
        (b"", "empty"),
    ],
    ids=[
        "zip",
        "gpkg",
        "tiff",
        "shp",
        "geojson-bom",
        "kml",
        "ogr-vrt",
        "raster-vrt",
        "csv",
        "binary",
        "empty",
    ],
)
def test_sniff_names_what_the_bytes_are(head, kind):
    assert sniff(head) == kind


def test_a_vrt_saved_as_geojson_never_reads_etc_passwd(tmp_path):
    path = tmp_path / "venues.geojson"
    path.write_text(PASSWD_VRT)
    with pytest.raises(InputFileError, match=r"^venues\.geojson: the file's bytes are a GDAL VRT"):
        read_file(path)


def test_a_vrt_inside_a_zip_is_refused(tmp_path):
    path = tmp_path / "venues.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("venues.geojson", PASSWD_VRT)
    with pytest.raises(InputFileError, match=r'archive member "venues.geojson" are a GDAL VRT'):
        read_file(path)


def test_a_vrt_pointing_at_a_url_fetches_nothing(tmp_path, web_server):
    url, asked = web_server
    path = tmp_path / "crossings.geojson"
    path.write_text(PASSWD_VRT.replace("CSV:/etc/passwd", f"/vsicurl/{url}/x.csv"))
    with pytest.raises(InputFileError, match="GDAL VRT"):
        read_file(path)
    assert asked == []


def test_gdal_itself_makes_no_network_request(web_server):
    url, asked = web_server
    harden_pyogrio()
    with pytest.raises(pyogrio.errors.DataSourceError):
        pyogrio.read_info(f"/vsicurl/{url}/x.geojson")
    assert asked == []


@pytest.mark.parametrize("text", ["/vsicurl/http://example.org/x.geojson", "/vsizip/a.zip/x.shp"])
def test_vsi_paths_are_refused(text):
    with pytest.raises(InputFileError, match=r"GDAL virtual paths \(/vsi\.\.\.\) are not read"):
        check_format(Path(text))


def test_a_plain_sqlite_database_named_gpkg_is_refused(tmp_path):
    path = tmp_path / "xa.gpkg"
    with sqlite3.connect(path) as db:
        db.execute("create table xa (name text)")
        db.execute("insert into xa values ('Nà Lũng')")
    with pytest.raises(InputFileError, match=r"^xa\.gpkg: not a readable GeoPackage"):
        read_file(path)


def test_a_geopackage_named_geojson_is_refused(tmp_path):
    path = tmp_path / "xa.geojson"
    make_communes().to_file(path, driver="GPKG")
    with pytest.raises(InputFileError, match=r"are a SQLite/GeoPackage database, not JSON"):
        read_file(path)


def test_many_small_members_are_counted_by_their_real_bytes(tmp_path):
    """300 members of 1 MB each pack to 300 KB: each is under 1 MB, all together a bomb."""
    path = tmp_path / "xa.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for number in range(300):
            archive.writestr(f"pad{number:03d}.txt", b"\0" * 999_999)
    assert path.stat().st_size < 400_000
    with pytest.raises(InputFileError, match=r"zip unpacks to 300\.0 MB, \d+× its packed size"):
        read_file(path)


def test_a_member_lying_about_its_size_is_refused(tmp_path):
    buffer = io.BytesIO()
    member = b'{"type": "FeatureCollection", "features": []}' * 1000
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xa.geojson", member)
    data = bytearray(buffer.getvalue())
    # shrink the declared size in both headers: the member then unpacks to more than it says
    real = len(member).to_bytes(4, "little")
    for at in [i for i in range(len(data)) if data[i : i + 4] == real]:
        data[at : at + 4] = (100).to_bytes(4, "little")
    path = tmp_path / "xa.zip"
    path.write_bytes(bytes(data))
    with pytest.raises(
        InputFileError, match=r"^xa\.zip: (zip member .* unpacks to more|not a read)"
    ):
        Limits().check_zip_file(path)


def _xlsx(tmp_path):
    return write_xlsx(tmp_path / "good.xlsx", [["Tên", "Loại"], ["Cửa khẩu A", "lối mở"]])


def test_xlsx_with_an_external_entity_is_refused_unresolved(tmp_path):
    good = _xlsx(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-LINE")
    path = tmp_path / "xxe.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                doctype = f'<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file://{secret}">]>'
                data = doctype.encode() + data.replace("Cửa khẩu A".encode(), b"&x;")
                data = data.replace(b"C&#7917;a kh&#7849;u A", b"&x;")
            dst.writestr(item, data)
    with pytest.raises(InputFileError, match=r"sheet1\.xml declares a DTD or entities") as err:
        read_file(path)
    assert "TOP-SECRET" not in str(err.value) and str(tmp_path) not in str(err.value)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"Ten,Loai\nA,B\n", "the file's bytes are text \\(CSV\\), not a zip archive"),
        (b"PK\x03\x04" + b"\0" * 40, "not a readable zip archive"),
        (b"zipped", "not a zip archive"),
    ],
    ids=["csv-as-xlsx", "truncated", "garbage"],
)
def test_malformed_xlsx_is_a_clear_error(tmp_path, data, reason):
    path = tmp_path / "dang_ky.xlsx"
    path.write_bytes(data)
    with pytest.raises(InputFileError, match=rf"^dang_ky\.xlsx: .*{reason}"):
        read_file(path)


def test_a_zip_that_is_not_a_workbook_is_refused_as_xlsx(tmp_path):
    path = tmp_path / "dang_ky.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("sheet.csv", "Ten,Loai\n")
    with pytest.raises(InputFileError, match="is a zip archive but not an Excel workbook"):
        read_file(path)


def test_truncated_geopackage_names_no_folder(tmp_path):
    good = tmp_path / "xa.gpkg"
    make_communes().to_file(good, driver="GPKG")
    path = tmp_path / "cut.gpkg"
    path.write_bytes(good.read_bytes()[:30_000])
    with pytest.raises(InputFileError, match=r"^cut\.gpkg: not a readable GeoPackage") as err:
        read_file(path)
    assert str(tmp_path) not in str(err.value)


def test_public_reason_drops_folders_only():
    assert public_reason("/tmp/riskmap-upload-x1/xa.gpkg: bad") == "xa.gpkg: bad"
    assert public_reason("/vsizip//tmp/a/xa.zip/xa.shp broke") == "xa.shp broke"
    assert public_reason("lon/lat swapped, 3/5 rows") == "lon/lat swapped, 3/5 rows"


def _sparse_tiff(path, width, height):
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=width,
        height=height,
        count=1,
        dtype="float32",
        crs="EPSG:4326",
        transform=from_origin(102, 23, 1e-5, 1e-5),
        tiled=True,
        blockxsize=8192,
        blockysize=8192,
        sparse_ok=True,
    ):
        pass
    return path


def test_a_small_sparse_geotiff_asking_for_terabytes_is_refused_before_reading(tmp_path):
    path = _sparse_tiff(tmp_path / "dan_so.tif", 2_000_000, 1_000_000)
    assert path.stat().st_size < 5_000_000  # 8 TB of float32 once read
    with pytest.raises(InputFileError, match=r"2000000 × 1000000 pixels .* over the 1000 MB limit"):
        read_raster(path)


def test_the_raster_cap_is_a_limit(tmp_path):
    path = tmp_path / "dan_so.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=1000,
        height=1000,
        count=1,
        dtype="float32",
        crs="EPSG:4326",
        transform=from_origin(105, 21, 1e-3, 1e-3),
    ) as dst:
        dst.write(np.ones((1000, 1000), dtype="float32"), 1)
    with pytest.raises(InputFileError, match=r"needs 0\.0 GB, over the 1 MB limit"):
        read_raster(path, limits=Limits(max_raster_mb=1))
    assert read_raster(path, limits=Limits(max_raster_mb=10))[0].values.shape == (1000, 1000)


def test_a_raster_vrt_named_tif_is_refused(tmp_path):
    path = tmp_path / "dan_so.tif"
    path.write_text(
        '<VRTDataset rasterXSize="2000000" rasterYSize="1000000"><SRS>EPSG:4326</SRS>'
        '<VRTRasterBand dataType="Float32" band="1"/></VRTDataset>'
    )
    with pytest.raises(InputFileError, match=r"^dan_so\.tif: the file's bytes are a GDAL VRT"):
        read_raster(path)


def _good_files(tmp_path):
    communes = make_communes()
    communes.to_file(tmp_path / "xa.gpkg", driver="GPKG")
    (tmp_path / "xa.geojson").write_text(communes.to_json())
    communes[["commune_code", "geometry"]].to_file(tmp_path / "xa.shp")
    with zipfile.ZipFile(tmp_path / "xa.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for part in tmp_path.glob("xa.*"):
            if part.suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
                archive.write(part, part.name)
    write_xlsx(tmp_path / "ds.xlsx", [["Tên", "Loại"], ["Cửa khẩu A", "lối mở"]])
    (tmp_path / "ds.csv").write_text("Tên,Loại,Kinh độ,Vĩ độ\nCửa khẩu A,lối mở,106.9,21.7\n")
    (tmp_path / "ds.kml").write_text(
        '<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        "<Placemark><name>A</name><Point><coordinates>106.9,21.7</coordinates></Point>"
        "</Placemark></Document></kml>"
    )
    with rasterio.open(
        tmp_path / "ds.tif",
        "w",
        driver="GTiff",
        width=50,
        height=50,
        count=1,
        dtype="float32",
        crs="EPSG:4326",
        transform=from_origin(105, 21, 0.01, 0.01),
    ) as dst:
        dst.write(np.ones((50, 50), dtype="float32"), 1)
    names = ("xa.gpkg", "xa.geojson", "xa.zip", "ds.xlsx", "ds.csv", "ds.kml", "ds.tif")
    return [tmp_path / name for name in names]


def test_any_corruption_of_a_good_file_is_an_input_error_naming_no_folder(tmp_path):
    """Truncated, overwritten or spliced bytes: never a traceback, never a server folder."""
    rng = np.random.default_rng(7)
    for good in _good_files(tmp_path):
        data = good.read_bytes()
        for trial in range(12):
            cut = int(rng.integers(1, len(data)))
            if trial % 3 == 0:
                bad = data[:cut]
            elif trial % 3 == 1:
                noise = rng.integers(0, 256, 16, dtype=np.uint8).tobytes()
                bad = data[:cut] + noise + data[cut + 16 :]
            else:
                bad = data[:cut] + rng.integers(0, 256, 64, dtype=np.uint8).tobytes() + data[cut:]
            path = tmp_path / "bad" / f"m{good.suffix}"
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(bad)
            try:
                (read_raster if good.suffix == ".tif" else read_file)(path)
            except InputFileError as err:
                assert str(tmp_path) not in str(err) and "\n" not in str(err), str(err)
