"""The whole path on the synthetic province: demo build, determinism, and a served API."""

import socket
import subprocess
import time

import httpx2 as httpx
import pytest
import rasterio

from api.demo import build_demo
from geo.workspace import Workspace
from risk.store import list_runs, load_run
from tests.helpers import RISKMAP, riskmap

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo") / "ws"
    result = riskmap("demo", "--no-serve", "--workspace", root)
    assert result.returncode == 0, result.stderr
    return Workspace.open(root)


def scores(ws, profile):
    return (ws.root / "runs" / load_run(ws, profile).record.run_id / "scores.csv").read_text()


def test_demo_builds_a_plausible_synthetic_province(demo):
    versions = demo.versions()
    assert set(versions) == {
        "communes",
        "border",
        "crossings",
        "venues",
        "industrial_zones",
        "repatriations",
        "population",
    }
    assert all(v.source.startswith("SYNTHETIC") for v in versions.values())
    assert 250 <= versions["communes"].rows <= 600
    with rasterio.open(demo.raster_path("population")) as src:
        assert src.res == (100.0, 100.0) and "SYNTHETIC" in src.tags()["DESCRIPTION"]
    assert "SYNTHETIC" in (demo.root / "README.txt").read_text()
    for profile in ("patrol", "outreach"):
        run = load_run(demo, profile)
        assert run.record.synthetic and run.record.layer_versions["communes"]
        people = run.table.frame["population"]
        assert (people == 0).sum() >= 1  # a few communes hold nobody, as in the 2009 census
        assert people[people > 0].between(300, 45_000).mean() > 0.95
        assert (demo.root / "maps" / f"{profile}.html").stat().st_size > 10_000
    assert {r.profile for r in list_runs(demo)} == {"patrol", "outreach"}


def test_same_seed_same_scores_other_seed_other_scores(demo, tmp_path):
    again = build_demo(tmp_path / "again", seed=20261123)
    other = build_demo(tmp_path / "other", seed=7)
    ws_again, ws_other = Workspace.open(again.workspace), Workspace.open(other.workspace)
    for profile in ("patrol", "outreach"):
        assert scores(ws_again, profile) == scores(demo, profile)
        assert scores(ws_other, profile) != scores(demo, profile)
    # versions are keyed by each workspace's own secret: the same layers, other versions
    assert ws_again.versions().keys() == demo.versions().keys()
    for name in ("communes", "crossings", "repatriations"):
        assert ws_again.read_layer(name).equals(demo.read_layer(name))


def test_rebuilding_the_demo_replaces_it_whole(demo, tmp_path):
    target = tmp_path / "ws"
    build_demo(target, seed=1)
    first = Workspace.open(target).versions()["communes"].version
    build_demo(target, seed=2)
    assert Workspace.open(target).versions()["communes"].version != first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ws"]  # no staging left behind


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_over_http_until_killed(demo):
    port = free_port()
    server = subprocess.Popen(
        [RISKMAP, "serve", "-w", str(demo.root), "--port", str(port)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                health = httpx.get(f"{base}/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("server did not start")
        assert health.json()["workspace_ok"] is True
        body = httpx.get(f"{base}/scores", params={"profile": "outreach"}).json()
        assert len(body["features"]) == demo.versions()["communes"].rows
        assert httpx.get(f"{base}/maps/patrol").status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize("k, radius", [(3, 10), (5, 15), (8, 20)])
def test_greedy_patrol_bases_beat_the_top_k_communes_on_the_demo(demo, k, radius):
    from risk.plans.patrol import patrol_plan

    plan = patrol_plan(demo, "patrol", k=k, radius_km=radius)
    assert plan.covered_share >= plan.baseline_covered_share
    exact = patrol_plan(demo, "patrol", k=k, radius_km=radius, method="exact")
    assert plan.covered_share >= 0.95 * exact.covered_share


@pytest.fixture(scope="module")
def demo2025(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo2025") / "ws"
    result = riskmap("demo", "--admin", "2025", "--no-serve", "--workspace", root)
    assert result.returncode == 0, result.stderr
    return Workspace.open(root)


def test_2025_demo_has_merged_communes_without_districts_and_rekeyed_history(demo, demo2025):
    import pandas as pd

    old, new = demo.read_layer("communes"), demo2025.read_layer("communes")
    assert "district_name" not in new.columns and "district_name" in old.columns
    assert len(new) < 0.7 * len(old)
    assert new["commune_name"].is_unique  # names are told apart by the province alone
    assert "2025" in (demo2025.root / "README.txt").read_text()
    crosswalk = pd.read_csv(demo2025.root / "inputs" / "bang_chuyen_doi_2025.csv", dtype=str)
    history = pd.read_csv(
        demo2025.root / "inputs" / "tra_ve_xa_cu.csv", dtype={"commune_code": str}
    )
    assert set(crosswalk["old_code"]) == set(old["commune_code"])
    assert set(crosswalk["new_code"]) == set(new["commune_code"])
    assert set(history["commune_code"]) <= set(old["commune_code"])
    rekeyed = demo2025.read_layer("repatriations")
    assert set(rekeyed["commune_code"]) <= set(new["commune_code"])
    assert (
        rekeyed["count"].sum()
        == history["count"].sum()
        == demo.read_layer("repatriations")["count"].sum()
    )


@pytest.mark.parametrize("fmt", ["pdf", "png", "csv", "gpkg"])
def test_every_export_works_on_the_2025_demo(demo2025, tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    result = riskmap("export", "-w", demo2025.root, "--format", fmt, "--output", out)
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 1000
    if fmt == "csv":
        header = out.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
        assert "district_name" not in header and "commune_name" in header


def test_the_2025_report_table_has_no_district_column(demo2025):
    from maps.export import ranked_table
    from risk.store import load_run

    run = load_run(demo2025, "patrol")
    names = demo2025.read_layer("communes")[["commune_code", "commune_name", "province_name"]]
    scored = run.table.frame.merge(names, on="commune_code").sort_values("rank")
    info = type("Info", (), {"weights": run.record.weights})()
    table = ranked_table(scored, info, lang="vi", top=20)
    assert "district_name" not in table.columns
    assert list(table.columns[:2]) == ["rank", "commune_name"]


def test_score_plan_and_backtest_run_on_the_2025_demo(demo2025):
    for args in (
        ("score", "--profile", "outreach"),
        ("plan", "patrol", "--k", "5", "--radius-km", "15"),
        ("backtest", "--profile", "patrol"),
        ("map", "--profile", "patrol"),
    ):
        result = riskmap(*args, "-w", demo2025.root)
        assert result.returncode == 0, (args, result.stderr)


def test_the_api_serves_the_2025_demo(demo2025):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings

    with TestClient(create_app(Settings(workspace=demo2025.root))) as client:
        features = client.get("/scores", params={"profile": "patrol"}).json()["features"]
        assert len(features) == demo2025.versions()["communes"].rows
        assert all("district_name" not in f["properties"] for f in features)
        code = features[0]["properties"]["commune_code"]
        detail = client.get(f"/communes/{code}", params={"profile": "patrol"})
        assert detail.status_code == 200, detail.text
        rankings = client.get("/rankings", params={"profile": "patrol"})
        assert rankings.status_code == 200, rankings.text
        assert client.get("/plans/patrol", params={"profile": "patrol"}).status_code == 200
