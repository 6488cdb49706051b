"""Layers over HTTP: list, read (GeoJSON / rows), upload through the CLI's validation."""

import io
import json
import zipfile

import pytest
from fastapi.testclient import TestClient
from geojson_pydantic import FeatureCollection

from api.app import create_app
from api.keys import create_key
from api.settings import Settings
from geo.workspace import Raster, Workspace
from risk.pipeline import score_workspace
from risk.profiles import load_profile
from tests.factories import METRIC, make_communes, make_layers, make_population
from tests.geo.conftest import write_csv
from tests.helpers import riskmap

CROSSINGS_HEADER = ["Tên", "Loại", "Kinh độ", "Vĩ độ"]


def auth(key):
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def keys(scored_workspace):
    return {
        role: create_key(scored_workspace, role=role, label=f"{role} office")[0]
        for role in ("viewer", "analyst", "admin")
    }


def crossings_csv(tmp_path, rows, name="cua_khau.csv"):
    return write_csv(tmp_path / name, [CROSSINGS_HEADER, *rows])


def upload(client, layer, path, key, **form):
    with open(path, "rb") as fh:
        return client.post(
            f"/layers/{layer}",
            files={"file": (path.name, fh.read())},
            data=form,
            headers=auth(key) if key else {},
        )


def test_layers_lists_every_stored_layer_with_version_and_count(client, scored_workspace):
    listed = {layer["name"]: layer for layer in client.get("/layers").json()}
    versions = scored_workspace.versions()
    assert set(listed) == set(versions)
    assert listed["communes"]["kind"] == "vector" and listed["communes"]["features"] == 12
    assert listed["repatriations"]["kind"] == "table"
    assert listed["population"]["kind"] == "raster"
    assert all(listed[n]["version"] == v.version for n, v in versions.items())
    assert listed["communes"]["source"] == "test fixture" and listed["communes"]["written_at"]


def test_a_vector_layer_is_rfc7946_geojson_with_paging(client):
    response = client.get("/layers/communes", params={"limit": 5})
    assert response.headers["content-type"].startswith("application/geo+json")
    body = response.json()
    collection = FeatureCollection.model_validate(body)
    assert body["numberMatched"] == 12 and body["numberReturned"] == 5 == len(collection.features)
    x, y = collection.features[0].geometry.coordinates[0][0][:2]
    assert 102 < x < 110 and 8 < y < 24  # lon, lat in WGS 84 as RFC 7946 demands
    next_url = next(link["href"] for link in body["links"] if link["rel"] == "next")
    last = client.get(next_url.replace("offset=5", "offset=10")).json()
    assert last["numberReturned"] == 2 and not any(lk["rel"] == "next" for lk in last["links"])
    boxed = client.get("/layers/crossings", params={"bbox": "0,0,1,1"}).json()
    assert boxed["numberMatched"] == 0 and boxed["features"] == []


def test_the_counts_table_is_rows_for_analysts_and_refused_to_viewers(client, keys):
    analyst = client.get("/layers/repatriations", headers=auth(keys["analyst"]))
    assert analyst.headers["content-type"].startswith("application/json")
    exact = [row["count"] for row in analyst.json()["rows"]]
    assert any(0 < n < 5 for n in exact)  # the fixture has small counts a viewer must not see
    refused = client.get("/layers/repatriations", headers=auth(keys["viewer"]))
    assert refused.status_code == 403
    assert "rows are for analysts" in refused.json()["detail"]
    assert client.get("/layers/repatriations").status_code == 401  # keys exist: no key, no rows


def test_unknown_and_raster_layers_are_404(client):
    assert client.get("/layers/roads").status_code == 404
    raster = client.get("/layers/population")
    assert raster.status_code == 404 and "raster" in raster.json()["detail"]
    assert client.get("/layers/Communes!").status_code == 422


def test_an_analyst_upload_becomes_the_next_version_and_is_audited(
    client, keys, scored_workspace, tmp_path
):
    before = scored_workspace.versions()["crossings"]
    path = crossings_csv(tmp_path, [["Cửa khẩu Mới", "lối mở", 106.95, 21.69]])
    response = upload(client, "crossings", path, keys["analyst"])
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == "/layers/crossings"
    assert body["rows_stored"] == 1 and body["version"] != before.version
    assert body["report"]["file"] == "cua_khau.csv"  # never the server's temp path
    now = scored_workspace.versions()["crossings"]
    assert now.version == body["version"] and now.source == "cua_khau.csv"
    assert now.actor == "api:analyst office"
    served = client.get("/layers/crossings", headers=auth(keys["analyst"])).json()
    assert [f["properties"]["name"] for f in served["features"]] == ["Cửa khẩu Mới"]
    assert served["version"] == now.version
    audit = [json.loads(line) for line in (scored_workspace.root / "audit.log").open()]
    assert any(e.get("endpoint") == "POST /layers/crossings" and e["status"] == 201 for e in audit)
    assert any(e.get("layer") == "crossings" and e.get("version") == now.version for e in audit)


def test_a_rejected_file_is_a_422_with_the_cli_report_and_nothing_stored(
    client, keys, scored_workspace, tmp_path
):
    before = scored_workspace.versions()
    path = crossings_csv(
        tmp_path,
        [["Cửa khẩu A", "hầm", 106.9, 21.7], ["Cửa khẩu B", "lối mở", 21.7, 106.9]],
        name="bad.csv",
    )
    response = upload(client, "crossings", path, keys["analyst"])
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["detail"].startswith("bad.csv was not stored: 2 errors in 2 of 2 rows")
    report = body["report"]
    assert report["file"] == "bad.csv" and report["rows_stored"] == 0
    cli = json.loads(
        riskmap(
            "validate", path, "--layer", "crossings", "-w", scored_workspace.root, "--json"
        ).stdout
    )
    assert report["problems"] == cli["problems"]  # the same checks as the command line
    assert report["problems"][0]["row"] == 2 and report["problems"][0]["column"] == "kind"
    assert scored_workspace.versions() == before


def test_skip_invalid_stores_the_good_rows_and_reports_the_rest(
    client, keys, scored_workspace, tmp_path
):
    path = crossings_csv(
        tmp_path, [["Cửa khẩu A", "hầm", 106.9, 21.7], ["Cửa khẩu B", "lối mở", 106.91, 21.7]]
    )
    body = upload(client, "crossings", path, keys["analyst"], skip_invalid="true").json()
    assert body["rows_stored"] == 1 and body["report"]["rows_rejected"] == 1
    assert body["report"]["rejected_file"].startswith("rejected/crossings-")


def test_only_analysts_and_admins_upload(client, keys, tmp_path, scored_workspace):
    before = scored_workspace.versions()
    path = crossings_csv(tmp_path, [["Cửa khẩu A", "lối mở", 106.9, 21.7]])
    anonymous = upload(client, "crossings", path, None)
    assert anonymous.status_code == 401 and "needs an API key" in anonymous.json()["detail"]
    viewer = upload(client, "crossings", path, keys["viewer"])
    assert viewer.status_code == 403 and "the viewer role cannot" in viewer.json()["detail"]
    assert scored_workspace.versions() == before
    assert upload(client, "crossings", path, keys["admin"]).status_code == 201


@pytest.mark.parametrize(
    "name",
    ["../../evil.csv", "..\\..\\evil.csv", "/etc/evil.csv", ".hidden.csv", "a/b.csv", "x" * 300],
    ids=["dotdot", "backslash", "absolute", "hidden", "folder", "long"],
)
def test_file_names_with_folders_are_refused(client, keys, tmp_path, scored_workspace, name):
    before = scored_workspace.versions()
    response = client.post(
        "/layers/crossings",
        files={"file": (name, b"name,kind,lon,lat\nA,opening,106.9,21.7\n")},
        headers=auth(keys["analyst"]),
    )
    assert response.status_code == 422
    assert "is not a plain file name" in response.json()["detail"]
    assert scored_workspace.versions() == before
    assert not (tmp_path / "evil.csv").exists() and not (tmp_path.parent / "evil.csv").exists()


def zipped(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("members", "detail"),
    [
        ({"xa.shp": b"\0" * 30_000_000}, "refusing a possible decompression bomb"),
        ({"../../xa.shp": b"x"}, "points outside the archive"),
    ],
    ids=["bomb", "traversal"],
)
def test_unsafe_zips_are_refused_before_unpacking(client, keys, scored_workspace, members, detail):
    before = scored_workspace.versions()
    response = client.post(
        "/layers/communes",
        files={"file": ("xa.zip", zipped(members))},
        headers=auth(keys["analyst"]),
    )
    assert response.status_code == 422 and detail in response.json()["detail"]
    assert response.json()["detail"].startswith("xa.zip: zip")
    assert scored_workspace.versions() == before


def test_a_zipped_shapefile_upload_is_read(client, keys, scored_workspace, tmp_path):
    folder = tmp_path / "shp"
    folder.mkdir()
    short = {"commune_code": "MA_XA", "commune_name": "TEN_XA", "province_name": "TEN_TINH"}
    shp = make_communes(seed=5).rename(columns=short)
    shp[[*short.values(), "geometry"]].to_file(folder / "xa.shp", encoding="utf-8")
    data = zipped({p.name: p.read_bytes() for p in folder.iterdir()})
    response = client.post(
        "/layers/communes", files={"file": ("xa.zip", data)}, headers=auth(keys["analyst"])
    )
    assert response.status_code == 201, response.text
    assert response.json()["rows_stored"] == 12


def test_oversized_and_empty_uploads_are_refused(scored_workspace, tmp_path):
    key, _ = create_key(scored_workspace, role="analyst")
    app = create_app(Settings(workspace=scored_workspace.root, max_upload_mb=0.01))
    before = scored_workspace.versions()
    big = b"name,kind,lon,lat\n" + b"A,opening,106.9,21.7\n" * 2000
    with TestClient(app) as small:
        declared = small.post(
            "/layers/crossings", files={"file": ("big.csv", big)}, headers=auth(key)
        )
        assert declared.status_code == 413 and "the limit is" in declared.json()["detail"]
        body = (
            b'--rmk\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
            + big
            + b"\r\n--rmk--\r\n"
        )
        chunked = small.post(  # no Content-Length: counted as it streams in
            "/layers/crossings",
            content=(body[i : i + 4096] for i in range(0, len(body), 4096)),
            headers={**auth(key), "content-type": "multipart/form-data; boundary=rmk"},
        )
        assert chunked.status_code == 413 and "the limit is 10,485" in chunked.json()["detail"]
        empty = small.post("/layers/crossings", files={"file": ("e.csv", b"")}, headers=auth(key))
        assert empty.status_code == 422 and "empty" in empty.json()["detail"]
    assert scored_workspace.versions() == before


@pytest.fixture(scope="module")
def two_provinces(tmp_path_factory):
    """12 communes: the northern six in Biên Hải, the southern six in Sơn Lâm."""
    communes = make_communes()
    communes["province_name"] = ["Biên Hải"] * 6 + ["Sơn Lâm"] * 6
    layers = make_layers(communes)
    layers["repatriations"]["commune_code"] = ["90001", "90012"] * 5
    values, transform = make_population(communes)
    ws = Workspace(tmp_path_factory.mktemp("two") / "ws")
    ws.write_layers(
        layers, rasters={"population": Raster(values, transform, METRIC)}, source="test fixture"
    )
    score_workspace(ws, load_profile("patrol"))
    return ws


@pytest.fixture(scope="module")
def scoped(two_provinces):
    app = create_app(Settings(workspace=two_provinces.root, require_keys=True))
    keys = {
        "viewer_bh": create_key(two_provinces, role="viewer", province="Biên Hải")[0],
        "analyst_bh": create_key(two_provinces, role="analyst", province="Biên Hải")[0],
        "analyst": create_key(two_provinces, role="analyst")[0],
    }
    with TestClient(app) as client:
        yield client, keys


def test_a_province_key_reads_only_its_provinces_rows(scoped):
    client, keys = scoped
    mine = client.get("/layers/communes", headers=auth(keys["viewer_bh"])).json()
    assert {f["properties"]["province_name"] for f in mine["features"]} == {"Biên Hải"}
    assert mine["numberMatched"] == 6
    reps = client.get("/layers/repatriations", headers=auth(keys["analyst_bh"])).json()
    assert {row["commune_code"] for row in reps["rows"]} == {"90001"}
    listed = {x["name"]: x for x in client.get("/layers", headers=auth(keys["viewer_bh"])).json()}
    assert listed["communes"]["features"] == 6  # repatriations: the viewer view's rows (one
    assert listed["repatriations"]["features"] == 1  # per commune and category), not the 5 rows
    exact = {x["name"]: x for x in client.get("/layers", headers=auth(keys["analyst_bh"])).json()}
    assert exact["repatriations"]["features"] == 5
    all_venues = client.get("/layers/venues", headers=auth(keys["analyst"])).json()
    my_venues = client.get("/layers/venues", headers=auth(keys["viewer_bh"])).json()
    assert 0 < my_venues["numberMatched"] < all_venues["numberMatched"]


def test_a_province_analyst_cannot_upload_rows_of_another_province(scoped, two_provinces, tmp_path):
    client, keys = scoped
    before = two_provinces.versions()
    path = write_csv(
        tmp_path / "tiep_nhan.csv",
        [
            ["Mã xã", "Kỳ", "Số người"],
            ["90001", "2024", 3],
            ["90012", "2024", 2],
            ["90002", "2025", 1],
            ["90011", "2025", 6],
        ],
    )
    refused = upload(client, "repatriations", path, keys["analyst_bh"])
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith(
        'tiep_nhan.csv, rows 3, 5: outside province "Biên Hải"'
    )
    assert two_provinces.versions() == before
    communes = tmp_path / "xa.gpkg"
    make_communes(seed=9).to_file(communes)  # every commune says province "Biên Hải" ...
    replace = upload(client, "communes", communes, keys["analyst_bh"])
    assert replace.status_code == 422  # ... but six codes are Sơn Lâm's stored communes
    taken = "commune_code 90007, 90008, 90009, 90010, 90011, 90012 already belongs"
    assert f'{taken} to province "Sơn Lâm"' in replace.json()["detail"]
    assert two_provinces.versions() == before  # its own rows: see tests/api/test_partitions.py
