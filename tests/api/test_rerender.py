"""A stored run re-renders as the same map and export after the layers change and newer runs."""

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from api.cli import app
from risk.pipeline import score_workspace
from risk.profiles import load_profile
from risk.store import load_run


def riskmap(*args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def changed(tmp_workspace):
    """Run 1 on 12 communes; then the last two merge into 90013 (new version); run 2."""
    patrol = load_profile("patrol")
    first = score_workspace(tmp_workspace, patrol)
    communes = tmp_workspace.read_layer("communes")
    merged = communes.iloc[10:].union_all()
    new = pd.concat(
        [
            communes.iloc[:10],
            gpd.GeoDataFrame(
                {**communes.iloc[[11]].drop(columns="geometry").to_dict("list")},
                geometry=[merged],
                crs=communes.crs,
            ).assign(commune_code="90013", commune_name="Xã Hợp Nhất"),
        ],
        ignore_index=True,
    )
    tmp_workspace.write_layers({"communes": new}, source="merger 2025")
    second = score_workspace(tmp_workspace, patrol.with_settings({"border_proximity": 0.3}))
    assert first.record.run_id != second.record.run_id
    return tmp_workspace, first.record.run_id, second.record.run_id


def stored_scores(ws, run_id, name="view-threshold5.csv"):
    """The scores stored with a run: by default the viewer variant a suppressed export uses."""
    path = ws.path(ws.run_file(run_id, name))
    return pd.read_csv(path, dtype={"commune_code": str}).set_index("commune_code")


def test_export_of_an_old_run_has_its_own_communes_and_stored_scores(changed, tmp_path):
    ws, old, new = changed
    out = tmp_path / "old.csv"
    riskmap("export", "-w", ws.root, "--run", old, "--format", "csv", "-o", out)
    exported = pd.read_csv(out, dtype={"commune_code": str}).set_index("commune_code")
    stored = stored_scores(ws, old)
    assert sorted(exported.index) == sorted(stored.index)  # 90011 and 90012, not 90013
    assert "90012" in exported.index and "90013" not in exported.index
    pd.testing.assert_series_equal(
        exported["score"].sort_index(), stored["score"].sort_index(), check_exact=True
    )
    assert (exported["rank"].sort_index() == stored["rank"].sort_index()).all()
    latest = stored_scores(ws, new)
    assert not latest["score"].reindex(stored.index).equals(stored["score"])  # not a re-score


def test_geopackage_of_an_old_run_keeps_the_polygons_it_scored(changed, tmp_path):
    ws, old, _ = changed
    out = tmp_path / "old.gpkg"
    riskmap("export", "-w", ws.root, "--run", old, "--format", "gpkg", "-o", out)
    exported = gpd.read_file(out, layer="scores").set_index("commune_code")
    before = ws.read_layer("communes", load_run(ws, None, old).record.layer_versions["communes"])
    polygon = before.set_index("commune_code").geometry["90011"]
    assert shapely.equals_exact(
        shapely.normalize(exported.geometry["90011"]), shapely.normalize(polygon), tolerance=1e-9
    )


def test_map_of_an_old_run_draws_its_communes_and_the_latest_run_the_new_ones(changed, tmp_path):
    ws, old, new = changed
    riskmap("map", "-w", ws.root, "--run", old, "-o", tmp_path / "old.html")
    riskmap("map", "-w", ws.root, "-o", tmp_path / "new.html")
    old_html = (tmp_path / "old.html").read_text(encoding="utf-8")
    new_html = (tmp_path / "new.html").read_text(encoding="utf-8")
    assert old in old_html and new in new_html
    assert '"90012"' in old_html and '"90013"' not in old_html
    assert '"90013"' in new_html and '"90012"' not in new_html
    score = stored_scores(ws, old, "scores.csv")["score"]["90012"]
    assert f"{score:.1f}" in old_html


def test_a_run_unknown_to_the_workspace_is_one_clear_error(changed, tmp_path):
    ws, _, _ = changed
    result = CliRunner().invoke(app, ["map", "-w", str(ws.root), "--run", "000000000000"])
    assert result.exit_code != 0 and "no run 000000000000 in workspace" in str(result.exception)


def test_a_run_of_another_profile_re_draws_without_naming_its_profile(changed, tmp_path):
    ws, _, _ = changed
    outreach = score_workspace(ws, load_profile("outreach")).record.run_id
    riskmap("map", "-w", ws.root, "--run", outreach, "-o", tmp_path / "o.html")
    assert outreach in (tmp_path / "o.html").read_text(encoding="utf-8")
    riskmap("export", "-w", ws.root, "--run", outreach, "-f", "csv", "-o", tmp_path / "o.csv")
    exported = pd.read_csv(tmp_path / "o.csv", dtype={"commune_code": str})
    stored = stored_scores(ws, outreach)["score"]
    assert exported.set_index("commune_code")["score"].to_dict() == stored.to_dict()
    wrong = CliRunner().invoke(
        app, ["map", "-w", str(ws.root), "--run", outreach, "-p", "patrol", "-o", "x.html"]
    )
    assert "list them with 'riskmap runs'" in str(wrong.exception)
