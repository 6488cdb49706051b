"""The Dask path (``geo.parallel``) next to the local one: zonal sums and Monte Carlo draws.

Each run starts a ``LocalCluster`` of 1 and then 2 single-threaded worker processes, times the
same work as the local stages and checks the results are identical. At this machine's size
the cluster mostly costs start-up and serialisation; the figures say so honestly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks.stages import PROFILE, say, timed

WORKERS = (1, 2)


def dask(ws: Any, *, repeat: int, seed: int) -> dict[str, Any]:
    """Zonal sums and 1,000 Monte Carlo draws on Dask (1 and 2 workers) vs local; s."""
    from geo.crs import to_metric
    from geo.parallel import executor_for
    from geo.zonal import zonal_sum
    from risk.inputs import cached_inputs
    from risk.profiles import load_profile
    from risk.scoring import score
    from risk.sensitivity import sensitivity

    profile = load_profile(PROFILE)
    inputs = cached_inputs(ws, profile)
    weights = score(inputs.indicators, profile).weights
    frame = inputs.indicators[list(weights)]
    params = {**profile.parameters, "sensitivity_draws": 1000}
    communes = to_metric(ws.read_layer("communes"))
    raster = ws.raster_path("population")
    runs = max(3, repeat)
    zonal_local_s, local_sums = timed(lambda: zonal_sum(raster, communes))
    say("zonal exactextract local", zonal_local_s, "same conditions as the Dask runs")
    mc_local_s, local_mc = timed(
        lambda: sensitivity(frame, weights, params, seed=seed), repeat=runs
    )
    say("Monte Carlo local", mc_local_s, f"median of {mc_local_s.runs}")
    out: dict[str, Any] = {
        "dask_identical": True,
        "zonal_local_s": zonal_local_s,
        "montecarlo_local_s": mc_local_s,
    }
    for n in WORKERS:
        start_s, cluster = timed(lambda n=n: _started(executor_for("dask", workers=n)))
        say(f"dask cluster start, {n}w", start_s)
        with cluster as ex:
            zonal_s, sums = timed(lambda ex=ex: zonal_sum(raster, communes, executor=ex))
            say(f"zonal exactextract dask {n}w", zonal_s, f"{len(communes)} communes")
            mc_s, mc = timed(
                lambda ex=ex: sensitivity(frame, weights, params, seed=seed, executor=ex),
                repeat=runs,
            )
            say(f"Monte Carlo dask {n}w", mc_s, f"median of {mc_s.runs}")
        same = np.allclose(sums, local_sums, rtol=1e-9, equal_nan=True) and all(
            np.array_equal(getattr(mc, k), getattr(local_mc, k))
            for k in ("rank_p05", "rank_p95", "p_top_k")
        )
        out["dask_identical"] = out["dask_identical"] and bool(same)
        out.update(
            {
                f"dask_cluster_start_{n}w_s": start_s,
                f"zonal_dask_{n}w_s": zonal_s,
                f"montecarlo_dask_{n}w_s": mc_s,
            }
        )
    return out


class _started:
    """An executor context already entered (so its start-up is timed apart from the work)."""

    def __init__(self, context: Any) -> None:
        self._context = context
        self._executor = context.__enter__()

    def __enter__(self) -> Any:
        return self._executor

    def __exit__(self, *exc: object) -> None:
        self._context.__exit__(*exc)
