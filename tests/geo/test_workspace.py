import logging
import shutil

import pytest

from geo.errors import LayerError, NotFoundError, WorkspaceError
from geo.workspace import SECRET_FILE, Workspace
from tests.factories import make_communes


def test_layers_round_trip_with_content_versions(tmp_workspace, layers):
    versions = tmp_workspace.versions()
    assert set(versions) == {*layers, "population"}
    communes = tmp_workspace.read_layer("communes")
    assert communes.crs.to_epsg() == 4326
    assert communes["commune_code"].tolist() == layers["communes"]["commune_code"].tolist()
    assert communes["commune_name"].iloc[0] == "Xã Nà Lũng"
    reps = tmp_workspace.read_layer("repatriations")
    assert reps["count"].sum() == layers["repatriations"]["count"].sum()
    again = Workspace(tmp_workspace.root.parent / "again")  # same secret key, same versions
    again.root.mkdir()
    shutil.copy2(tmp_workspace.root / SECRET_FILE, again.root / SECRET_FILE)
    again.write_layers(layers, source="test")
    assert {n: v.version for n, v in again.versions().items()} == {
        n: v.version for n, v in versions.items() if n != "population"
    }


def test_a_rejected_layer_leaves_the_previous_version_in_place(tmp_workspace, layers):
    before = tmp_workspace.versions()
    bad = layers["crossings"].copy()
    bad.loc[1, "kind"] = "tunnel"
    changed = make_communes(seed=99)
    with pytest.raises(LayerError, match=r'row 2, column "kind": "tunnel" is not one of'):
        tmp_workspace.write_layers({"communes": changed, "crossings": bad}, source="test")
    assert tmp_workspace.versions() == before
    assert not list(tmp_workspace.root.glob(".*.tmp*"))


def test_every_write_is_audited(tmp_path, layers, caplog):
    with caplog.at_level(logging.INFO, logger="riskmap.audit"):
        Workspace(tmp_path / "ws").write_layers(
            {"communes": layers["communes"]}, source="test", actor="tester"
        )
    (record,) = [r for r in caplog.records if r.name == "riskmap.audit"]
    assert (record.layer, record.rows, record.actor) == ("communes", 12, "tester")


def test_missing_and_corrupt_workspaces_are_clear_errors(tmp_path):
    with pytest.raises(WorkspaceError, match="does not exist"):
        Workspace.open(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(WorkspaceError, match=r"has no layers\.gpkg"):
        Workspace.open(tmp_path / "empty")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "layers.gpkg").write_text("not a geopackage")
    with pytest.raises(WorkspaceError, match="is not a readable GeoPackage"):
        Workspace.open(tmp_path / "bad")


def test_unknown_layer_and_json_files(tmp_workspace):
    with pytest.raises(NotFoundError, match='layer "venues_2019" is not in workspace'):
        tmp_workspace.read_layer("venues_2019")
    tmp_workspace.write_json("runs/x/record.json", {"b": 1, "a": "Xã"})
    assert tmp_workspace.read_json("runs/x/record.json") == {"a": "Xã", "b": 1}
    (tmp_workspace.root / "runs/x/record.json").write_text("{broken")
    with pytest.raises(WorkspaceError, match=r"record\.json is corrupt"):
        tmp_workspace.read_json("runs/x/record.json")
    with pytest.raises(ValueError, match="Out of range float"):
        tmp_workspace.write_json("nan.json", {"x": float("nan")})
    assert not (tmp_workspace.root / "nan.json").exists()


def test_each_write_is_a_version_with_history_and_rollback(tmp_path, layers):
    ws = Workspace(tmp_path / "ws")
    first = ws.write_layers({"communes": layers["communes"]}, source="a.gpkg", source_sha256="aa")
    changed = make_communes(seed=5)
    second = ws.write_layers({"communes": changed}, source="b.gpkg", actor="lan")
    v1, v2 = first["communes"].version, second["communes"].version
    assert v1 != v2 and ws.versions()["communes"].version == v2
    history = ws.history("communes")
    assert [(h.version, h.source, h.action) for h in history] == [
        (v1, "a.gpkg", "write"),
        (v2, "b.gpkg", "write"),
    ]
    assert history[0].source_sha256 == "aa" and history[1].actor == "lan"
    assert ws.read_layer("communes", v1)["population"].tolist() == (
        layers["communes"]["population"].tolist()
    )
    back = ws.rollback("communes", v1, actor="lan")
    assert (back.version, back.action, back.source) == (v1, "rollback", "a.gpkg")
    assert ws.read_layer("communes")["population"].tolist() == (
        layers["communes"]["population"].tolist()
    )
    assert ws.rollback("communes", v2).version == v2  # the replaced version was archived too
    with pytest.raises(NotFoundError, match=r'layer "communes" has no version abc \(known: '):
        ws.rollback("communes", "abc")


def test_raster_versions_roll_back(tmp_workspace, layers):
    from geo.workspace import Raster
    from tests.factories import METRIC, make_population

    old = tmp_workspace.versions()["population"].version
    values, transform = make_population(layers["communes"], per_pixel=9.0)
    tmp_workspace.write_layers(
        {}, rasters={"population": Raster(values, transform, METRIC)}, source="new.tif"
    )
    assert tmp_workspace.versions()["population"].version != old
    tmp_workspace.rollback("population", old)
    import rasterio

    with rasterio.open(tmp_workspace.raster_path("population")) as src:
        assert float(src.read(1).max()) == 4.0


def test_init_creates_an_empty_workspace_and_refuses_other_folders(tmp_path):
    ws = Workspace.init(tmp_path / "new")
    assert ws.versions() == {} and Workspace.open(tmp_path / "new", require=()).root == ws.root
    with pytest.raises(WorkspaceError, match="has no communes layer; load it with 'riskmap ingest"):
        Workspace.open(tmp_path / "new")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("keep")
    with pytest.raises(WorkspaceError, match="is a folder with other files"):
        Workspace.init(tmp_path / "other")
