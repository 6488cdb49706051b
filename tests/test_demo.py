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
    assert 150 <= versions["communes"].rows <= 250
    with rasterio.open(demo.raster_path("population")) as src:
        assert src.res == (100.0, 100.0) and "SYNTHETIC" in src.tags()["DESCRIPTION"]
    assert "SYNTHETIC" in (demo.root / "README.txt").read_text()
    for profile in ("patrol", "outreach"):
        run = load_run(demo, profile)
        assert run.record.synthetic and run.record.layer_versions["communes"]
        assert run.table.frame["population"].between(1_000, 30_000).all()
        assert (demo.root / "maps" / f"{profile}.html").stat().st_size > 10_000
    assert {r.profile for r in list_runs(demo)} == {"patrol", "outreach"}


def test_same_seed_same_scores_other_seed_other_scores(demo, tmp_path):
    again = build_demo(tmp_path / "again", seed=20261123)
    other = build_demo(tmp_path / "other", seed=7)
    ws_again, ws_other = Workspace.open(again.workspace), Workspace.open(other.workspace)
    for profile in ("patrol", "outreach"):
        assert scores(ws_again, profile) == scores(demo, profile)
        assert scores(ws_other, profile) != scores(demo, profile)
    assert {n: v.version for n, v in ws_again.versions().items()} == {
        n: v.version for n, v in demo.versions().items()
    }


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
