"""POST /layers/{name} with files built to attack the server: each is a 422 problem, naming the
uploaded file and no server folder, and nothing is stored or fetched."""

import io
import zipfile

import numpy as np
import pytest
import rasterio
from fastapi.testclient import TestClient
from rasterio.transform import from_origin

from api.app import create_app
from api.keys import create_key
from api.settings import Settings
from geo.workspace import Raster, Workspace
from tests.factories import METRIC, make_communes, make_layers, make_population
from tests.geo.conftest import write_xlsx
from tests.geo.test_filetypes import PASSWD_VRT, web_server  # noqa: F401 (fixture)
from tests.helpers import encode_cp1258


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    """A workspace with every layer, an analyst key and a client (attacks change nothing)."""
    communes = make_communes()
    values, transform = make_population(communes)
    ws = Workspace(tmp_path_factory.mktemp("attacks") / "ws")
    ws.write_layers(
        make_layers(communes),
        rasters={"population": Raster(values, transform, METRIC)},
        source="test fixture",
    )
    key = create_key(ws, role="analyst")[0]
    with TestClient(create_app(Settings(workspace=ws.root))) as client:
        yield client, ws, {"Authorization": f"Bearer {key}"}


def refused(service, layer, name, data, detail):
    client, ws, headers = service
    before = ws.versions()
    response = client.post(f"/layers/{layer}", files={"file": (name, data)}, headers=headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["detail"].startswith((f"{name} was not stored", f"{name}: ")), body["detail"]
    assert detail in body["detail"], body["detail"]
    for leak in ("/tmp", "riskmap-upload", "root:x:0:0", str(ws.root)):
        assert leak not in response.text, leak
    assert ws.versions() == before
    return body


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_vrt_named_geojson_does_not_put_etc_passwd_into_venues(service):
    refused(service, "venues", "venues.geojson", PASSWD_VRT.encode(), "are a GDAL VRT")


def test_a_vrt_in_a_zipped_upload_is_refused(service):
    data = zipped({"venues.geojson": PASSWD_VRT.encode()})
    refused(service, "venues", "venues.zip", data, 'archive member "venues.geojson"')


def test_a_vrt_pointing_at_a_url_makes_no_request(service, web_server):  # noqa: F811
    url, asked = web_server
    vrt = PASSWD_VRT.replace("CSV:/etc/passwd", f"/vsicurl/{url}/x.csv")
    refused(service, "crossings", "crossings.geojson", vrt.encode(), "are a GDAL VRT")
    assert asked == []


def test_many_small_zip_members_are_a_decompression_bomb(service):
    members = {f"pad{n:03d}.txt": b"\0" * 999_999 for n in range(300)}
    refused(
        service, "communes", "xa.zip", zipped(members), "refusing a possible decompression bomb"
    )


def test_xlsx_with_xxe_is_a_422_and_the_entity_is_not_resolved(service, tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", [["Tên", "Loại"], ["Cửa khẩu A", "karaoke"]])
    out = io.BytesIO()
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                data = b'<!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + data
            dst.writestr(item, data)
    refused(service, "venues", "dang_ky.xlsx", out.getvalue(), "declares a DTD or entities")


@pytest.mark.parametrize(
    ("name", "data", "detail"),
    [
        ("xa.zip", zipped({"xa.geojson": b"{}" * 5000})[:-30], "not a readable zip archive"),
        ("dang_ky.xlsx", b"Ten,Loai\nA,B\n", "not a zip archive as its extension .xlsx says"),
        ("xa.gpkg", b"SQLite format 3\x00" + b"\x01" * 3000, "not a readable GeoPackage"),
        ("xa.gpkg", b"\x00\x01garbage" * 100, "not a SQLite/GeoPackage database"),
    ],
    ids=["truncated-zip", "xlsx-not-zip", "truncated-gpkg", "garbage-gpkg"],
)
def test_malformed_uploads_are_422_naming_only_the_file(service, name, data, detail):
    layer = "venues" if name.endswith("xlsx") else "communes"
    refused(service, layer, name, data, detail)


def test_a_truncated_real_geopackage_is_422(service, tmp_path):
    path = tmp_path / "xa.gpkg"
    make_communes(seed=4).to_file(path, driver="GPKG")
    refused(service, "communes", "xa.gpkg", path.read_bytes()[:40_000], "not a readable GeoPackage")


def tiff_bytes(tmp_path, *, width, height, west, north, sparse=False):
    path = tmp_path / "dan_so.tif"
    options = {"tiled": True, "blockxsize": 8192, "blockysize": 8192, "sparse_ok": True}
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=width,
        height=height,
        count=1,
        dtype="float32",
        crs="EPSG:4326",
        transform=from_origin(west, north, 1e-5 if sparse else 0.01, 1e-5 if sparse else 0.01),
        **(options if sparse else {}),
    ) as dst:
        if not sparse:
            dst.write(np.full((height, width), 5, dtype="float32"), 1)
    return path.read_bytes()


def test_a_sparse_geotiff_asking_for_terabytes_is_refused(service, tmp_path):
    data = tiff_bytes(tmp_path, width=2_000_000, height=1_000_000, west=102, north=23, sparse=True)
    refused(service, "population", "dan_so.tif", data, "over the 1000 MB limit")


def test_a_raster_vrt_named_tif_is_refused(service):
    vrt = (
        b'<VRTDataset rasterXSize="2000000" rasterYSize="1000000"><SRS>EPSG:4326</SRS></VRTDataset>'
    )
    refused(service, "population", "dan_so.tif", vrt, "are a GDAL VRT")


@pytest.mark.parametrize(
    ("layer", "name", "data", "detail"),
    [
        (
            "crossings",
            "c.csv",
            "Tên,Loại,Kinh độ,Vĩ độ\n".encode(),
            "no data rows below the header",
        ),
        ("crossings", "c.csv", bytes(range(256)) * 8, "binary data, not text (CSV)"),
        (
            "crossings",
            "c.csv",
            "Tên,Loại,Kinh độ,Vĩ độ\nCửa A,lối mở,106.9,21.7\n".encode()
            + encode_cp1258("Cửa Bắc,lối mở,106.8,21.6\n"),
            "mixes encodings",
        ),
        ("crossings", "c.dat", b"x", '".dat" files are not read; riskmap reads CSV'),
        (
            "repatriations",
            "r.csv",
            "Mã xã,Năm,Số người,Ghi chú\n90001,2023,2,CCCD 001099012345\n".encode(),
            'column "Ghi chú": error: row 2 holds what reads as CMND/CCCD ID numbers',
        ),
        (
            "repatriations",
            "r.csv",
            "Mã xã,Năm,Số người\n90001,2099,2\n".encode(),
            'row 2, column "period": error: period 2099 is in the future',
        ),
        (
            "repatriations",
            "r.csv",
            f"Mã xã,Năm,Số người\n90001,2023,{10**15}\n".encode(),
            "people in one row is not plausible",
        ),
    ],
    ids=["header-only", "random", "mixed", "unknown", "cccd", "2099", "1e15"],
)
def test_garbage_uploads_are_one_clear_422(service, layer, name, data, detail):
    body = refused(service, layer, name, data, detail)
    assert "001099012345" not in str(body)


def test_a_raster_on_another_continent_is_refused(service, tmp_path):
    data = tiff_bytes(tmp_path, width=20, height=20, west=2.2, north=48.9)
    refused(service, "population", "dan_so.tif", data, "outside Viet Nam")
