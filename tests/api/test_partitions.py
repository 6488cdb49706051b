"""Layers uploaded province by province: each province's key replaces its own rows only."""

import json
import sqlite3
import threading
from contextlib import closing

import httpx2
import pyogrio
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.keys import create_key
from api.settings import Settings
from benchmarks.load import serving
from geo.ingest import IngestOptions, ingest_file
from geo.partitions import row_provinces
from geo.workspace import HISTORY_TABLE, PARTS_TABLE, VERSIONS_TABLE, Raster, Workspace
from risk.inputs import read_inputs
from risk.pipeline import score_workspace
from risk.profiles import load_profile
from risk.store import list_runs, run_layer
from tests.factories import METRIC, make_communes, make_layers, make_population
from tests.geo.conftest import write_csv
from tests.helpers import riskmap

BH, SL = "Biên Hải", "Sơn Lâm"
VENUE_HEADER = ["Tên", "Loại", "Kinh độ", "Vĩ độ"]
REPS_HEADER = ["Mã xã", "Kỳ", "Số người"]


def auth(key):
    return {"Authorization": f"Bearer {key}"}


def two_provinces(root) -> Workspace:
    """12 communes: the northern six (90001-90006) in Biên Hải, the southern six in Sơn Lâm."""
    communes = make_communes()
    communes["province_name"] = [BH] * 6 + [SL] * 6
    layers = make_layers(communes)
    layers["repatriations"]["commune_code"] = ["90001", "90012"] * 5
    values, transform = make_population(communes)
    ws = Workspace(root)
    ws.write_layers(
        layers, rasters={"population": Raster(values, transform, METRIC)}, source="test fixture"
    )
    return ws


@pytest.fixture
def ws(tmp_path):
    return two_provinces(tmp_path / "ws")


def venues_csv(path, ws, codes, *, per_commune=1):
    """Venues at the interior point of each commune of ``codes`` (lon/lat columns)."""
    communes = ws.read_layer("communes").set_index("commune_code")
    rows = []
    for code in codes:
        point = communes.loc[[code]].representative_point().iloc[0]
        rows += [[f"Karaoke {code}-{i}", "karaoke", point.x, point.y] for i in range(per_commune)]
    return write_csv(path, [VENUE_HEADER, *rows])


def provinces_of(ws, name):
    return provinces_of_frame(ws.read_layer(name), ws, name)


def provinces_of_frame(frame, ws, name="venues"):
    return row_provinces(frame, name, ws.read_layer("communes")).value_counts().to_dict()


def post(client_or_base, layer, path, key):
    with open(path, "rb") as fh:
        files = {"file": (path.name, fh.read())}
    if isinstance(client_or_base, str):
        return httpx2.post(
            f"{client_or_base}/layers/{layer}", files=files, headers=auth(key), timeout=300
        )
    return client_or_base.post(f"/layers/{layer}", files=files, headers=auth(key))


def test_two_provinces_upload_at_once_and_neither_loses_the_others_rows(ws, tmp_path):
    keys = {
        p: create_key(ws, role="analyst", province=p, label=f"analyst {p}")[0] for p in (BH, SL)
    }
    files = {
        BH: venues_csv(tmp_path / "bh.csv", ws, ["90001", "90002"], per_commune=30),
        SL: venues_csv(tmp_path / "sl.csv", ws, ["90011", "90012"], per_commune=20),
    }
    answers: dict = {}

    def upload(province):
        answers[province] = post(base, "venues", files[province], keys[province])

    with serving(ws.root) as base:
        threads = [threading.Thread(target=upload, args=(p,)) for p in (BH, SL)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        listed = httpx2.get(f"{base}/layers", headers=auth(keys[SL])).json()
    assert {p: a.status_code for p, a in answers.items()} == {BH: 201, SL: 201}, answers
    assert provinces_of(ws, "venues") == {BH: 60, SL: 40}  # the fixture's 40 venues replaced
    parts = ws.parts()["venues"]
    assert {p: v.version for p, v in parts.items()} == {
        p: answers[p].json()["version"] for p in (BH, SL)
    }
    assert parts[BH].actor == f"api:analyst {BH}" and parts[SL].rows == 40
    whole = ws.versions()["venues"]
    assert json.loads(whole.parts) == {p: v.version for p, v in parts.items()}
    venues = next(x for x in listed if x["name"] == "venues")
    assert [p["province"] for p in venues["provinces"]] == [SL]  # its own province only
    assert venues["source"] == "sl.csv" and venues["features"] == 40


@pytest.fixture
def scoped(ws):
    app = create_app(Settings(workspace=ws.root, require_keys=True))
    keys = {
        "analyst_bh": create_key(ws, role="analyst", province=BH, label="BH office")[0],
        "analyst_sl": create_key(ws, role="analyst", province=SL, label="SL office")[0],
        "viewer_sl": create_key(ws, role="viewer", province=SL)[0],
        "viewer": create_key(ws, role="viewer")[0],
        "analyst": create_key(ws, role="analyst")[0],
    }
    with TestClient(app) as client:
        yield client, keys


def test_a_venue_of_another_province_is_refused_with_its_row_and_nothing_is_stored(
    scoped, ws, tmp_path
):
    client, keys = scoped
    before, history = ws.versions(), ws.history()
    path = venues_csv(tmp_path / "co_so.csv", ws, ["90001", "90012", "90003", "90007"])
    refused = post(client, "venues", path, keys["analyst_bh"])
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith('co_so.csv, rows 3, 5: outside province "Biên Hải"')
    assert ws.versions() == before and ws.history() == history and ws.parts() == {}


def test_a_province_key_cannot_replace_a_national_layer(scoped, ws, tmp_path):
    client, keys = scoped
    border = tmp_path / "bien_gioi.geojson"
    pyogrio.write_dataframe(ws.read_layer("border"), border, driver="GeoJSON")
    refused = post(client, "border", border, keys["analyst_bh"])
    assert refused.status_code == 403
    assert 'layer "border" is national' in refused.json()["detail"]
    assert post(client, "border", border, keys["analyst"]).status_code == 201


def test_viewers_and_other_provinces_do_not_see_who_uploaded_counts(scoped, ws, tmp_path):
    client, keys = scoped
    bh = write_csv(tmp_path / "bh.csv", [REPS_HEADER, ["90001", "2024", 3], ["90002", "2025", 1]])
    sl = write_csv(tmp_path / "sl.csv", [REPS_HEADER, ["90012", "2024", 7]])
    assert post(client, "repatriations", bh, keys["analyst_bh"]).status_code == 201
    assert post(client, "repatriations", sl, keys["analyst_sl"]).status_code == 201

    def listed(key):
        answer = client.get("/layers", headers=auth(key)).json()
        return next(x for x in answer if x["name"] == "repatriations")

    national = listed(keys["analyst"])
    assert [p["province"] for p in national["provinces"]] == [BH, SL]
    assert all(p["actor"] and len(p["source_sha256"]) == 64 for p in national["provinces"])
    assert national["provinces"][0]["rows"] == 2
    viewer = listed(keys["viewer"])
    assert [p["province"] for p in viewer["provinces"]] == [BH, SL]
    hidden = ("rows", "source", "actor", "source_sha256")
    assert all(p[f] is None for p in viewer["provinces"] for f in hidden)
    mine = listed(keys["viewer_sl"])
    assert [p["province"] for p in mine["provinces"]] == [SL]  # not Biên Hải's upload
    assert mine["source"] == "sl.csv" and "bh.csv" not in json.dumps(mine)
    assert all(mine["provinces"][0][f] is None for f in hidden)
    other = listed(keys["analyst_sl"])
    assert [p["province"] for p in other["provinces"]] == [SL]
    assert other["provinces"][0]["source_sha256"] and "bh.csv" not in json.dumps(other)


def test_cli_ingest_and_rollback_by_province_leave_the_other_province_alone(ws, tmp_path):
    bh = venues_csv(tmp_path / "bh.csv", ws, ["90001"], per_commune=3)
    sl = venues_csv(tmp_path / "sl.csv", ws, ["90012"], per_commune=2)
    for path, province in ((bh, "bien hai"), (sl, "Tỉnh Sơn Lâm")):
        stored = riskmap(
            "ingest", path, "--workspace", ws.root, "--layer", "venues", "--province", province
        )
        assert stored.returncode == 0, stored.stderr
        assert f"stored venues of province {province} version" in stored.stderr
    assert provinces_of(ws, "venues") == {BH: 3, SL: 2}
    sl_now = ws.parts()["venues"][SL]
    split = next(e for e in ws.history("venues") if e.province == BH and e.action == "split")
    assert split.rows == 27  # Biên Hải's 27 fixture venues, before its first own upload
    listing = riskmap("layers", "--workspace", ws.root, "--province", BH).stdout
    lines = [line for line in listing.splitlines() if line.endswith(f"province {BH}")]
    assert len(lines) == 2 and split.version in lines[0] and lines[1].startswith("* venues ")
    assert f"province {SL}" not in listing
    back = riskmap(
        "rollback", "-w", ws.root, "--layer", "venues", "--province", BH, "--to", split.version
    )
    assert back.returncode == 0, back.stderr
    assert f"venues of province {BH} is now version {split.version}" in back.stderr
    assert provinces_of(ws, "venues") == {BH: 27, SL: 2}
    assert ws.parts()["venues"][SL] == sl_now  # Sơn Lâm's version untouched
    audit = [json.loads(line) for line in ws.audit_log.read_text().splitlines()]
    rolled = [e for e in audit if e.get("province") == BH and e.get("layer") == "venues"]
    assert rolled[-1]["version"] == split.version and rolled[-1]["actor"] == "cli"


def test_a_rollback_to_a_version_the_province_never_had_is_refused(ws, tmp_path):
    options = IngestOptions(province=SL)
    ingest_file(ws.root, venues_csv(tmp_path / "sl.csv", ws, ["90012"]), "venues", options=options)
    bh_versions = [e.version for e in ws.history("venues") if e.province == BH]
    sl_version = ws.parts()["venues"][SL].version
    with pytest.raises(LookupError, match=f'no version {sl_version} for province "Biên Hải"'):
        ws.rollback("venues", sl_version, province=BH)
    assert bh_versions == [e.version for e in ws.history("venues") if e.province == BH]


def test_a_national_run_uses_every_provinces_current_version(ws, tmp_path):
    for codes, province in ((["90001"], BH), (["90012"], SL)):
        path = venues_csv(tmp_path / f"{province}.csv", ws, codes, per_commune=4)
        ingest_file(ws.root, path, "venues", options=IngestOptions(province=province))
    run = score_workspace(ws, load_profile("patrol"))
    record = run.record
    assert record.layer_versions["venues"] == ws.versions()["venues"].version
    parts = {p: v.version for p, v in ws.parts()["venues"].items()}
    assert record.layer_parts == {"venues": parts} and set(parts) == {BH, SL}
    assert len(run_layer(ws, record, "venues")) == 8
    assert provinces_of_frame(run_layer(ws, record, "venues"), ws) == {BH: 4, SL: 4}
    pressure = read_inputs(ws, load_profile("patrol"), cache=False).indicators["venue_pressure"]
    assert pressure["90001"] > 0 and pressure["90012"] > 0 and len(run.table.frame) == 12
    listed = next(r for r in list_runs(ws) if r.run_id == record.run_id)
    assert listed.layer_parts == {"venues": parts}


def old_format(ws: Workspace) -> None:
    """Rewrite ``ws``'s version tables as riskmap wrote them before uploads by province."""
    old = ["name", "version", "rows", "written_at", "source", "actor", "source_sha256", "action"]
    for table in (VERSIONS_TABLE, HISTORY_TABLE):
        frame = pyogrio.read_dataframe(ws.gpkg, layer=table)[old]
        pyogrio.write_dataframe(frame, ws.gpkg, layer=table, driver="GPKG")
    with closing(sqlite3.connect(ws.gpkg)) as db, db:
        db.execute(f"DROP TABLE {PARTS_TABLE}")
        db.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (PARTS_TABLE,))
    assert PARTS_TABLE not in pyogrio.list_layers(ws.gpkg)[:, 0]


def test_a_workspace_written_before_uploads_by_province_still_works(ws, tmp_path):
    run = score_workspace(ws, load_profile("patrol"))
    record = ws.run_file(run.record.run_id, "record.json")
    stored = json.loads(ws.read_text(record))
    del stored["layer_parts"]  # as runs were stored before
    ws.write_json(record, stored)
    old_format(ws)
    fresh = Workspace.open(ws.root)
    original = fresh.versions()["repatriations"].version
    assert {r.run_id for r in list_runs(fresh)} == {run.record.run_id}
    assert list_runs(fresh)[0].layer_parts == {}
    path = write_csv(tmp_path / "sl.csv", [REPS_HEADER, ["90012", "2024", 7]])
    report = ingest_file(ws.root, path, "repatriations", options=IngestOptions(province=SL))
    assert report.rows_stored == 1 and provinces_of(fresh, "repatriations") == {BH: 5, SL: 1}
    assert fresh.parts()["repatriations"][BH].action == "split"
    fresh.rollback("repatriations", original)  # the whole layer, as before
    assert provinces_of(fresh, "repatriations") == {BH: 5, SL: 5}
    assert fresh.parts() == {} and fresh.versions()["repatriations"].version == original


def test_a_province_key_cannot_count_people_in_another_provinces_commune_by_naming_itself(
    scoped, ws, tmp_path
):
    client, keys = scoped
    before, reps = ws.versions(), ws.read_layer("repatriations")
    header = ["commune_code", "period", "category", "count", "province_name"]
    attack = write_csv(tmp_path / "rep.csv", [header, ["90012", "2024", "deported", 40, BH]])
    refused = post(client, "repatriations", attack, keys["analyst_bh"])
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("rep.csv, row 2: province_name disagrees")
    venues = venues_csv(tmp_path / "v.csv", ws, ["90012"])
    rows = [[*row, BH] for row in read_rows(venues)[1:]]
    named = write_csv(tmp_path / "named.csv", [[*VENUE_HEADER, "province_name"], *rows])
    assert post(client, "venues", named, keys["analyst_bh"]).status_code == 403
    cli = riskmap("ingest", attack, "-w", ws.root, "--layer", "repatriations", "--province", BH)
    assert cli.returncode != 0 and "row 2: province_name disagrees" in cli.stderr
    assert ws.versions() == before
    assert ws.read_layer("repatriations").equals(reps)


def read_rows(path):
    return [line.split(",") for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_province_key_sees_its_own_version_and_counts_what_it_may_see(scoped, ws, tmp_path):
    client, keys = scoped
    bh = write_csv(tmp_path / "bh.csv", [REPS_HEADER, ["90001", "2024", 3]])
    assert post(client, "repatriations", bh, keys["analyst_bh"]).status_code == 201

    def listed(key):
        answer = client.get("/layers", headers=auth(key)).json()
        return next(x for x in answer if x["name"] == "repatriations")

    mine = listed(keys["analyst_bh"])
    assert mine["version"] == mine["provinces"][0]["version"]
    assert mine["features"] == mine["provinces"][0]["rows"] == 1
    sl = write_csv(tmp_path / "sl.csv", [REPS_HEADER, ["90012", "2024", 7]])
    assert post(client, "repatriations", sl, keys["analyst_sl"]).status_code == 201
    assert listed(keys["analyst_bh"])["version"] == mine["version"]  # SL's upload not shown
    assert listed(keys["analyst"])["version"] == ws.versions()["repatriations"].version


def test_repeated_uploads_with_a_blank_province_name_replace_rather_than_pile_up(
    scoped, ws, tmp_path
):
    client, keys = scoped
    header = ["commune_code", "period", "category", "count", "province_name"]
    bh = write_csv(tmp_path / "bh.csv", [header, ["90001", "2024", "deported", 3, ""]])
    plain = write_csv(tmp_path / "bh2.csv", [REPS_HEADER, ["90002", "2024", 3]])
    sl = write_csv(tmp_path / "sl.csv", [header, ["90012", "2024", "deported", 7, SL]])
    both = [header, ["90001", "2024", "deported", 3, ""], ["90012", "2024", "deported", 7, ""]]
    national = write_csv(tmp_path / "all.csv", both)
    assert post(client, "repatriations", national, keys["analyst"]).status_code == 201
    for path, key in [(plain, "analyst_bh"), (sl, "analyst_sl"), (plain, "analyst_bh")] * 3:
        assert post(client, "repatriations", path, keys[key]).status_code == 201
    stored = ws.read_layer("repatriations")
    assert stored["count"].astype(int).tolist() == [3, 7]
    assert stored["commune_code"].tolist() == ["90002", "90012"]
    assert sorted(ws.parts()["repatriations"]) == [BH, SL]
    assert post(client, "repatriations", bh, keys["analyst_bh"]).status_code == 201
    assert ws.read_layer("repatriations")["commune_code"].tolist() == ["90001", "90012"]
