"""Score a workspace: read layers → measures → indicators → score → analyses → stored run.

An adapter: :mod:`risk.inputs` reads the workspace, :mod:`risk.scoring`, :mod:`risk.sensitivity`
and :mod:`risk.hotspots` compute, :mod:`risk.store` saves the run.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geo.crs import to_metric
from geo.parallel import Executor
from geo.progress import Progress, no_progress
from geo.workspace import Workspace
from geo.zonal import DEFAULT_ENGINE
from risk.backtest import Denominators, backtest, holdout_effort
from risk.errors import ScoringError
from risk.hotspots import getis_ord
from risk.inputs import Inputs, cached_inputs, read_inputs
from risk.profiles import Profile
from risk.rates import period_years, total_counts
from risk.results import RunRecord, ScoreTable
from risk.runs import ScoreRun
from risk.scoring import score
from risk.sensitivity import sensitivity
from risk.store import run_layer, save_run
from risk.version import code_version

__all__ = ["analyse", "backtest_workspace", "score_workspace", "scored_communes"]

logger = logging.getLogger(__name__)


def score_workspace(
    ws: Workspace,
    profile: Profile,
    *,
    zonal_engine: str = DEFAULT_ENGINE,
    store: bool = True,
    actor: str = "cli",
    seed: int = 0,
    executor: Executor | None = None,
    progress: Progress = no_progress,
) -> ScoreRun:
    """Score every commune of ``ws`` with ``profile``; store the run unless ``store`` is False.

    The score table gets the analyses of the run: rank interval and top-k probability
    (sensitivity, seeded by ``seed``), Gi* hot-spot class and people recorded in total.
    ``executor`` (see :mod:`geo.parallel`) runs zonal statistics and Monte Carlo draws in
    chunks; the results are the same as without it.
    """
    progress("layers read and summed over communes", 0, 1)
    inputs = cached_inputs(ws, profile, zonal_engine=zonal_engine, executor=executor)
    progress("layers read and summed over communes", 1, 1)
    table = score(inputs.indicators, profile, notes=inputs.notes)
    progress("communes scored", len(table.frame), len(table.frame))
    k = analyse(table, inputs, profile, seed=seed, executor=executor, progress=progress)
    run = ScoreRun(_record(profile, inputs, table, top_k=k, seed=seed), table, inputs.communes)
    if store:
        save_run(ws, run, actor=actor)
        progress("run stored", 1, 1)
    return run


def analyse(
    table: ScoreTable,
    inputs: Inputs,
    profile: Profile,
    *,
    seed: int = 0,
    executor: Executor | None = None,
    progress: Progress = no_progress,
) -> int:
    """Add population, sensitivity, hot-spot and total-count columns to ``table``; returns k."""
    frame = table.frame
    frame.insert(1, "population", inputs.population.round(1))
    chosen = inputs.indicators[list(table.weights)]
    sens = sensitivity(
        chosen, table.weights, profile.parameters, seed=seed, executor=executor, progress=progress
    )
    frame["rank_p05"], frame["rank_p95"] = sens.rank_p05, sens.rank_p95
    frame["p_top_k"] = sens.p_top_k.round(4)
    frame["hotspot"] = getis_ord(frame["score"].to_numpy(), inputs.neighbours).classes
    frame["repatriations_total"] = inputs.repatriations_total.round().astype(np.int64)
    return sens.k


def backtest_workspace(
    ws: Workspace,
    profile: Profile,
    holdout: int,
    *,
    zonal_engine: str = DEFAULT_ENGINE,
    seed: int = 0,
) -> dict[str, Any]:
    """Score with repatriations before ``holdout`` (a year) and test against that year's counts.

    Baselines: the counts of the year before alone (``prior_counts``), venue pressure alone
    (``venue_density``) and random rankings. See :func:`risk.backtest.backtest`.
    """
    reps = ws.read_layer("repatriations")
    year = np.floor(period_years(reps["period"])).astype(int)
    if not ((year == holdout).any() and (year < holdout).any()):
        raise ScoringError(
            f"holdout period {holdout}: the repatriations layer needs counts in {holdout} and "
            f"before it (it has {year.min()}-{year.max()})"
        )
    past = {"repatriations": reps[year < holdout]}
    inputs = read_inputs(ws, profile, zonal_engine=zonal_engine, tables=past)
    codes = inputs.communes["commune_code"].astype(str)
    table = score(inputs.indicators, profile, notes=inputs.notes)
    baselines = {"prior_counts": total_counts(reps[year == holdout - 1], codes)}
    if "venue_pressure" in inputs.indicators:
        baselines["venue_density"] = inputs.indicators["venue_pressure"].to_numpy()
    area = shapely.area(to_metric(inputs.communes).geometry.values) / 1e6
    events = total_counts(reps[year == holdout], codes)
    denominators = Denominators(area, inputs.population)
    effort = holdout_effort(reps, holdout, codes)
    model = table.frame["score"].to_numpy()
    result = backtest(model, baselines, events, denominators, effort=effort, seed=seed)
    about = {"profile": profile.name, "holdout_period": holdout, "synthetic": inputs.synthetic}
    return {**about, "weights": dict(table.weights), "code_version": code_version(), **result}


def scored_communes(
    ws: Workspace, run: ScoreRun, communes: gpd.GeoDataFrame | None = None
) -> gpd.GeoDataFrame:
    """Commune polygons (EPSG:4326, ``communes`` or the stored ones) joined with scores, by rank."""
    communes = run_layer(ws, run.record, "communes") if communes is None else communes
    keep = [
        c
        for c in ("commune_code", "commune_name", "district_name", "province_name", "geometry")
        if c in communes.columns
    ]
    joined = communes[keep].merge(run.table.frame, on="commune_code", how="inner", validate="1:1")
    return joined.sort_values("rank").reset_index(drop=True)


def _record(
    profile: Profile, inputs: Inputs, table: ScoreTable, *, top_k: int, seed: int
) -> RunRecord:
    code = code_version()
    key = json.dumps(
        [profile.name, profile.model_hash(), inputs.layer_versions, code, seed], sort_keys=True
    )
    return RunRecord(
        run_id=hashlib.sha256(key.encode()).hexdigest()[:12],
        profile=profile.name,
        weights=dict(table.weights),
        parameters=dict(profile.parameters),
        weights_hash=profile.model_hash(),
        layer_versions=inputs.layer_versions,
        code_version=code,
        created_at=datetime.now(UTC).isoformat(timespec="milliseconds"),  # orders fast runs
        breaks=table.breaks,
        notes=table.notes,
        synthetic=inputs.synthetic,
        communes=len(table.frame),
        top_k=top_k,
        quality=table.quality,
        treatments=dict(table.treatments),
        input_hash=inputs.input_hash(),
        seed=seed,
    )
