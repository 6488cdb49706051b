import logging

import pytest

from geo.errors import LayerError, NotFoundError, WorkspaceError
from geo.workspace import Workspace
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
    again = Workspace(tmp_workspace.root.parent / "again")
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
