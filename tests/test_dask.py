"""The Dask path gives the local path's numbers, on a real LocalCluster with small data."""

import shutil

import numpy as np
import pandas as pd
import pytest

from geo.parallel import ExecutorError, executor_for
from geo.workspace import CACHE as CACHE_DIR
from geo.zonal import zonal_stats, zonal_sum
from risk.inputs import clear_caches
from risk.pipeline import score_workspace
from risk.profiles import load_profile
from risk.sensitivity import sensitivity
from tests.geo.test_zonal import random_cells, write_raster

PATROL = load_profile("patrol")


@pytest.fixture(scope="module")
def cluster():
    """Two single-threaded worker processes: tasks really cross a process boundary."""
    with executor_for("dask", workers=2, processes=True) as ex:
        yield ex


def indicator_frame(n=300, seed=0):
    rng = np.random.default_rng(seed)
    names = ["border_proximity", "crossing_access", "venue_pressure"]
    index = pd.Index([f"{20000 + i}" for i in range(n)], name="commune_code")
    return pd.DataFrame(rng.gamma(1.0, 1.0, (n, 3)), columns=names, index=index)


def test_worker_processes_sum_raster_windows_like_one_local_pass(tmp_path, cluster):
    values = np.random.default_rng(2).gamma(2.0, 10.0, (10, 10))
    values[0, :3] = -1  # nodata pixels in the first row
    raster = write_raster(tmp_path / "pop.tif", values, nodata=-1)
    cells = random_cells(n=60, seed=3)
    local = zonal_stats(raster, cells)
    remote = zonal_stats(raster, cells, executor=cluster, chunk=9)
    assert cluster.workers == 2
    np.testing.assert_allclose(remote.sums, local.sums, rtol=1e-9)
    np.testing.assert_allclose(remote.valid, local.valid, rtol=1e-9)
    assert np.nansum(zonal_sum(raster, cells, executor=cluster)) == pytest.approx(
        values[values >= 0].sum(), rel=1e-6
    )


def test_worker_processes_rank_monte_carlo_draws_like_the_local_path(cluster):
    data = indicator_frame()
    weights = {"border_proximity": 0.3, "crossing_access": 0.5, "venue_pressure": 0.2}
    params = {**PATROL.parameters, "sensitivity_draws": 1100}  # 5 blocks, the last one short
    local = sensitivity(data, weights, params, seed=4)
    remote = sensitivity(data, weights, params, seed=4, executor=cluster)
    assert (remote.rank_p05 == local.rank_p05).all() and (remote.rank_p95 == local.rank_p95).all()
    assert (remote.p_top_k == local.p_top_k).all()


def test_a_whole_scoring_run_on_dask_threads_matches_the_local_run(tmp_workspace):
    clear_caches()
    local = score_workspace(tmp_workspace, PATROL, store=False, executor=None, seed=2)
    clear_caches()
    shutil.rmtree(tmp_workspace.root / CACHE_DIR)  # population is summed again, on Dask
    with executor_for("dask", workers=2, processes=False) as ex:
        remote = score_workspace(tmp_workspace, PATROL, store=False, executor=ex, seed=2)
    pd.testing.assert_frame_equal(remote.table.frame, local.table.frame, check_exact=True)


def test_an_unreachable_scheduler_is_a_clear_error():
    with (
        pytest.raises(
            ExecutorError,
            match=r"cannot reach the Dask scheduler at 'tcp://127\.0\.0\.1:9' within 1 s .*"
            r"'dask scheduler'.*RISKMAP_EXECUTOR=local",
        ),
        executor_for("dask", address="tcp://127.0.0.1:9", timeout=1),
    ):
        pass


def test_an_unknown_executor_kind_is_refused():
    with pytest.raises(ValueError, match=r'executor was "spark" but is expected to be one of'):
        with executor_for("spark"):
            pass


def test_the_service_runs_locally_unless_told_otherwise():
    from api.deps import executor_from
    from api.settings import Settings

    assert executor_from(Settings()) is None


@pytest.mark.slow
def test_the_api_answers_503_when_its_scheduler_is_down(scored_workspace):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings

    settings = Settings(
        workspace=scored_workspace.root, executor="dask", scheduler_address="tcp://127.0.0.1:9"
    )
    with TestClient(create_app(settings)) as client:
        response = client.post("/scores", json={"profile": "patrol", "weights": None})
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "cannot reach the Dask scheduler" in response.json()["detail"]
