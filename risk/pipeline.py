"""Score a workspace: read layers → measures → indicators → score → analyses → stored run.

An adapter: :mod:`risk.inputs` reads the workspace, :mod:`risk.scoring`, :mod:`risk.sensitivity`
and :mod:`risk.hotspots` compute, :mod:`risk.store` saves the run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.parallel import Executor
from geo.progress import Progress, no_progress
from geo.workspace import Workspace
from geo.zonal import DEFAULT_ENGINE
from risk.backtest import backtest, holdout_effort
from risk.errors import ScoringError
from risk.hotspots import getis_ord
from risk.inputs import Inputs, cached_inputs, dated_tables, read_inputs
from risk.param_grid import decay_grids
from risk.privacy import VIEW_RULES, Suppression, current_view, viewer_repatriations
from risk.profiles import METHOD_PARAMETERS, Profile
from risk.rates import period_years
from risk.results import RunRecord, ScoreTable
from risk.rolling import rolling_backtest, year_inputs
from risk.runs import ScoreRun
from risk.scoring import score
from risk.sensitivity import DataSource, Sensitivity, normalisation_comparison, sensitivity
from risk.store import run_layer, save_run
from risk.version import code_version

__all__ = ["analyse", "backtest_workspace", "score_workspace", "scored_communes"]

logger = logging.getLogger(__name__)
#: Viewer variants scored on demand (runs stored before they were kept), newest last.
_views: OrderedDict[tuple, ScoreRun] = OrderedDict()
_views_lock = threading.Lock()
#: Inputs computed from viewer views (like risk.inputs.cached_inputs), by workspace and rule.
_seen_inputs: OrderedDict[tuple, Inputs] = OrderedDict()


def score_workspace(
    ws: Workspace,
    profile: Profile,
    *,
    zonal_engine: str = DEFAULT_ENGINE,
    store: bool = True,
    actor: str = "cli",
    seed: int = 0,
    executor: Executor | None = None,
    views: Sequence[Suppression] = VIEW_RULES,
    progress: Progress = no_progress,
    as_of: str = "",
    analyses: bool = True,
) -> ScoreRun:
    """Score every commune of ``ws`` with ``profile``; store the run unless ``store`` is False.

    The score table gets the analyses of the run: rank interval and top-k probability
    (sensitivity, seeded by ``seed``), Gi* hot-spot class and people recorded in total.
    ``executor`` (see :mod:`geo.parallel`) runs zonal statistics and Monte Carlo draws in
    chunks; the results are the same as without it. The run keeps a viewer variant for each
    rule of ``views`` (scored from :func:`risk.privacy.viewer_repatriations`); inside
    :func:`risk.privacy.viewing` the returned run is that rule's viewer variant, and an
    unstored one is scored only from what the viewer may see. ``as_of`` (YYYY, YYYY-MM or
    YYYY-MM-DD) scores only the records known by that date (:func:`risk.inputs.dated_tables`);
    the run records it and gets its own id. ``analyses=False`` (an unstored run of today's
    records only: a slider's quick answer) leaves out sensitivity and hot spots.
    """
    as_of = as_of.strip()
    if store and not analyses:
        raise ValueError("a stored run needs its analyses: analyses=False only with store=False")
    if not analyses and not as_of:  # a viewer's quick scoring too uses only what it may see
        inputs = cached_inputs(ws, profile, zonal_engine=zonal_engine, executor=executor)
        return _quick(ws, profile, inputs, current_view(), zonal_engine, executor)
    progress("layers read and summed over communes", 0, 1)
    inputs, reps, grids = _dated_inputs(ws, profile, as_of, zonal_engine, executor)
    progress("layers read and summed over communes", 1, 1)
    active = current_view()
    if not store and active is not None:  # a viewer's custom scoring: its variant, nothing else
        view = _viewer_run(
            ws, profile, inputs, reps, grids, active, seed, executor, zonal_engine, as_of
        )
        return _dated(view, as_of)
    run = _scored(profile, inputs, reps, grids, seed=seed, executor=executor, progress=progress)
    run = _dated(run, as_of)
    parts = ws.layer_parts(inputs.layer_versions)  # the provinces' versions, if by province
    run = replace(run, record=replace(run.record, layer_parts=parts))
    if store:
        rules = {r.key: r for r in (*views, *([active] if active is not None else []))}
        variants = {
            key: _viewer_run(
                ws, profile, inputs, reps, grids, rule, seed, executor, zonal_engine, as_of
            )
            for key, rule in rules.items()
        }
        stamp = {"created_at": run.record.created_at, "run_id": run.record.run_id, "as_of": as_of}
        run = replace(
            run,
            views={k: replace(v, record=replace(v.record, **stamp)) for k, v in variants.items()},
        )
        save_run(ws, run, actor=actor)
        progress("run stored", 1, 1)
    return run if active is None else run.views[active.key]


def _dated_inputs(
    ws: Workspace, profile: Profile, as_of: str, engine: str, executor: Executor | None
) -> tuple[Inputs, pd.DataFrame | None, dict]:
    """Inputs, repatriation rows and decay grids of ``ws`` as known by ``as_of`` ("": today)."""
    if not as_of:
        inputs = cached_inputs(ws, profile, zonal_engine=engine, executor=executor)
        reps = ws.read_layer("repatriations") if "repatriations" in ws.versions() else None
        return inputs, reps, decay_grids(ws, profile, zonal_engine=engine, executor=executor)
    tables, notes = dated_tables(ws, as_of)
    inputs = read_inputs(ws, profile, zonal_engine=engine, tables=tables, executor=executor)
    inputs = replace(inputs, notes=(*inputs.notes, *notes))
    grids = decay_grids(ws, profile, zonal_engine=engine, executor=executor)
    if "industrial_zones" in tables:  # the grid counts today's zones: not the as-of ones
        grids.pop("industrial_workers", None)
    return inputs, tables.get("repatriations"), grids


def _dated(run: ScoreRun, as_of: str) -> ScoreRun:
    """``run`` recorded as of ``as_of``, under an id of its own (unchanged when "")."""
    if not as_of:
        return run
    run_id = hashlib.sha256(f"{run.record.run_id} as of {as_of}".encode()).hexdigest()[:12]
    return replace(run, record=replace(run.record, run_id=run_id, as_of=as_of))


def viewer_variant(ws: Workspace, record: RunRecord, rule: Suppression) -> ScoreRun | None:
    """Stored run ``record`` scored for ``rule``'s viewers from the workspace's current layers.

    None when a layer has changed since the run (its viewer scores could not be the run's).
    Kept in memory per run, rule and layer versions.
    """
    current = {name: v.version for name, v in ws.versions().items()}
    if current != dict(record.layer_versions):
        return None
    key = (str(ws.root.resolve()), record.run_id, rule, json.dumps(current, sort_keys=True))
    return _remembered(_views, key, 16, lambda: _stored_view(ws, record, rule, current))


def _stored_view(ws: Workspace, record: RunRecord, rule: Suppression, current: dict) -> ScoreRun:
    """Stored run ``record`` scored for ``rule``'s viewers, under its own id and time."""
    profile = Profile(record.profile, dict(record.weights), dict(record.parameters))
    as_of = getattr(record, "as_of", "")
    inputs, reps, grids = _dated_inputs(ws, profile, as_of, DEFAULT_ENGINE, None)
    view = _viewer_run(
        ws, profile, inputs, reps, grids, rule, record.seed, None, DEFAULT_ENGINE, as_of
    )
    stamp = {"run_id": record.run_id, "created_at": record.created_at, "as_of": as_of}
    return replace(view, record=replace(view.record, **stamp))


def _remembered(store: OrderedDict, key: object, size: int, make: Callable[[], Any]) -> Any:
    """``store[key]``, made by ``make()`` on a miss; the oldest entries go beyond ``size``."""
    with _views_lock:
        if key in store:
            return store[key]
    value = make()
    with _views_lock:
        store[key] = value
        while len(store) > size:
            store.popitem(last=False)
    return value


def _viewer_run(
    ws: Workspace,
    profile: Profile,
    inputs: Inputs,
    reps: pd.DataFrame | None,
    grids: dict,
    rule: Suppression,
    seed: int,
    executor: Executor | None,
    zonal_engine: str,
    as_of: str = "",
) -> ScoreRun:
    """The run as ``rule``'s viewers get it: scored from :func:`viewer_repatriations` only."""
    seen = _viewer_inputs(ws, profile, inputs, reps, rule, zonal_engine, executor, as_of)
    shown = None if reps is None else viewer_repatriations(reps, rule)
    return _scored(profile, seen, shown, grids, seed=seed, executor=executor)


def _scored(
    profile: Profile,
    inputs: Inputs,
    reps: pd.DataFrame | None,
    grids: dict,
    *,
    seed: int,
    executor: Executor | None,
    progress: Progress = no_progress,
) -> ScoreRun:
    """The run of ``profile`` over ``inputs`` (``reps``: the repatriation rows they came from)."""
    table = score(inputs.indicators, profile, notes=inputs.notes)
    source = DataSource(reps, inputs.population, grids)
    progress("communes scored", len(table.frame), len(table.frame))
    sens = analyse(
        table, inputs, profile, seed=seed, executor=executor, source=source, progress=progress
    )
    record = _record(profile, inputs, table, top_k=sens.k, seed=seed)
    chosen = inputs.indicators[list(table.weights)]
    about = {
        **sens.summary(),
        "normalisation": normalisation_comparison(chosen, table.weights, profile.parameters),
    }
    record = replace(record, extra={**record.extra, "uncertainty": about})
    return ScoreRun(record, table, inputs.communes)


def _quick(
    ws: Workspace,
    profile: Profile,
    inputs: Inputs,
    active: Suppression | None,
    zonal_engine: str,
    executor: Executor | None,
) -> ScoreRun:
    """The run of ``profile`` without analyses (score, class, rank, people); ``active``'s view."""
    if active is not None and "repatriations" in ws.versions():
        reps = ws.read_layer("repatriations")
        inputs = _viewer_inputs(ws, profile, inputs, reps, active, zonal_engine, executor)
    table = score(inputs.indicators, profile, notes=inputs.notes)
    table.frame.insert(1, "population", inputs.population.round(1))
    table.frame["repatriations_total"] = inputs.repatriations_total.round().astype(np.int64)
    record = _record(profile, inputs, table, top_k=0, seed=0)
    return ScoreRun(record, table, inputs.communes)


def _viewer_inputs(
    ws: Workspace,
    profile: Profile,
    inputs: Inputs,
    reps: pd.DataFrame | None,
    rule: Suppression,
    zonal_engine: str,
    executor: Executor | None,
    as_of: str = "",
) -> Inputs:
    """``inputs`` recomputed from the repatriations that ``rule``'s viewers may see."""
    if reps is None:
        return inputs
    seen = _cached_view_inputs(ws, profile, reps, rule, zonal_engine, executor, as_of)
    how = (
        f"rounded down to a multiple of {rule.round_base}"
        if rule.mode == "round"
        else f"1 to {rule.threshold - 1} counted as {rule.stand_in()}"
    )
    note = f"viewers' scores use each commune's people by category ({how}), all periods together"
    return replace(
        seen,
        notes=(*seen.notes[:-1], note),
        repatriations_total=rule.seen(inputs.repatriations_total),
    )


def _cached_view_inputs(
    ws: Workspace,
    profile: Profile,
    reps: pd.DataFrame,
    rule: Suppression,
    zonal_engine: str,
    executor: Executor | None,
    as_of: str = "",
) -> Inputs:
    """Inputs read with ``reps`` replaced by its viewer view, kept like :func:`cached_inputs`.

    ``reps`` are already cut to ``as_of``; the other dated layers are cut here the same way.
    """
    versions = tuple(sorted((n, v.version, v.written_at) for n, v in ws.versions().items()))
    params = {k: v for k, v in profile.parameters.items() if k not in METHOD_PARAMETERS}
    key = (str(ws.root.resolve()), versions, json.dumps(params, sort_keys=True), zonal_engine)
    key = (*key, rule, as_of)

    def read() -> Inputs:  # the view is made only when the inputs are not kept yet
        tables = dated_tables(ws, as_of)[0] if as_of else {}
        view = tables | {"repatriations": viewer_repatriations(reps, rule)}
        return read_inputs(ws, profile, zonal_engine=zonal_engine, tables=view, executor=executor)

    return _remembered(_seen_inputs, key, 8, read)


def analyse(
    table: ScoreTable,
    inputs: Inputs,
    profile: Profile,
    *,
    seed: int = 0,
    executor: Executor | None = None,
    source: DataSource | None = None,
    progress: Progress = no_progress,
) -> Sensitivity:
    """Add population, uncertainty, hot-spot and total-count columns to ``table``."""
    frame = table.frame
    frame.insert(1, "population", inputs.population.round(1))
    chosen = inputs.indicators[list(table.weights)]
    params = profile.parameters
    sens = sensitivity(
        chosen,
        table.weights,
        params,
        seed=seed,
        executor=executor,
        source=source,
        breaks=table.breaks,
        progress=progress,
    )
    frame["rank_p05"], frame["rank_p95"] = sens.rank_p05, sens.rank_p95
    frame["p_top_k"] = sens.p_top_k.round(4)
    frame["class_uncertain"] = sens.class_uncertain
    frame["hotspot"] = getis_ord(frame["score"].to_numpy(), inputs.neighbours, seed=seed).classes
    frame["repatriations_total"] = inputs.repatriations_total.round().astype(np.int64)
    return sens


def backtest_workspace(
    ws: Workspace,
    profile: Profile,
    holdout: int,
    *,
    zonal_engine: str = DEFAULT_ENGINE,
    seed: int = 0,
) -> dict[str, Any]:
    """Score with repatriations before ``holdout`` (a year) and test against that year's counts.

    Baselines with the same information (:mod:`risk.rolling`): the year before's counts
    (``prior_counts``), all earlier counts with the model's decay, the smoothed rate alone,
    venue pressure alone, the model without each indicator and random (its expectation); plus
    ``rolling`` (every holdout year) and ``comparison`` against the strongest baseline.
    """
    reps = ws.read_layer("repatriations")
    year = np.floor(period_years(reps["period"])).astype(int)
    if not ((year == holdout).any() and (year < holdout).any()):
        raise ScoringError(
            f"holdout period {holdout}: the repatriations layer needs counts in {holdout} and "
            f"before it (it has {year.min()}-{year.max()})"
        )
    y = year_inputs(ws, profile, holdout, zonal_engine)
    effort = holdout_effort(reps, holdout, y.codes)
    result = backtest(y.model, y.baselines, y.events, y.denominators, effort=effort, seed=seed)
    result |= rolling_backtest(ws, profile, zonal_engine=zonal_engine, seed=seed, known=(y,))
    about = {"profile": profile.name, "holdout_period": holdout, "synthetic": y.synthetic}
    about["notes"] = list(y.notes)
    return {**about, "weights": y.weights, "code_version": code_version(), **result}


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
    table = run.table.frame
    codes = communes["commune_code"].to_numpy()
    if len(table) == len(codes) and (table["commune_code"].to_numpy() == codes).all():
        scores = table.drop(columns="commune_code").set_axis(communes.index)  # same order: no join
        joined = pd.concat([communes[keep], scores], axis=1)
    else:
        joined = communes[keep].merge(table, on="commune_code", how="inner", validate="1:1")
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
