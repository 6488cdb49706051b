"""Score a workspace: read layers → measures → indicators → score → analyses → stored run."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import to_metric
from geo.schema import VECTOR_LAYERS
from geo.workspace import Workspace
from geo.zonal import DEFAULT_ENGINE, zonal_sum
from risk.backtest import Denominators, backtest
from risk.errors import ScoringError
from risk.hotspots import getis_ord, queen_neighbours
from risk.indicators import compute_indicators
from risk.profiles import METHOD_PARAMETERS, Profile
from risk.rates import period_years, total_counts
from risk.results import RunRecord, ScoreTable
from risk.runs import RUNS, ScoreRun, code_version, list_runs, load_run, save_run
from risk.scoring import score
from risk.sensitivity import sensitivity

__all__ = [
    "RUNS",
    "Inputs",
    "ScoreRun",
    "backtest_workspace",
    "cached_inputs",
    "code_version",
    "list_runs",
    "load_run",
    "read_inputs",
    "save_run",
    "score_workspace",
    "scored_communes",
]

logger = logging.getLogger(__name__)
#: Indicator frames kept in memory (per workspace, layer versions, parameters and engine).
CACHE_SIZE = 8
_cache: OrderedDict[tuple, Inputs] = OrderedDict()
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class Inputs:
    """What scoring needs from a workspace: indicators, population, neighbours, versions."""

    indicators: pd.DataFrame
    population: np.ndarray
    notes: tuple[str, ...]
    layer_versions: dict[str, str]
    synthetic: bool
    communes: gpd.GeoDataFrame  # the stored layer, EPSG:4326
    neighbours: Any  # queen contiguity (libpysal W), for hot spots
    repatriations_total: np.ndarray  # people recorded per commune, all periods, undecayed

    def input_hash(self) -> str:
        """Short hash of the indicator values and population: equal hashes, equal model inputs."""
        blob = self.indicators.to_csv().encode() + self.population.tobytes()
        return hashlib.sha256(blob).hexdigest()[:12]


def read_inputs(
    ws: Workspace,
    profile: Profile,
    *,
    zonal_engine: str = DEFAULT_ENGINE,
    tables: Mapping[str, pd.DataFrame] | None = None,
) -> Inputs:
    """Read every layer of ``ws`` and compute the indicators ``profile``'s parameters define.

    ``tables`` replaces stored tables (e.g. repatriations before a backtest's holdout year).
    """
    versions = ws.versions()
    stored = ws.read_layer("communes")
    communes = to_metric(stored)
    _check_areas(communes)
    population = _population(ws, communes, "population" in versions, zonal_engine)
    layers = _metric_layers(ws, [n for n in VECTOR_LAYERS if n in versions], communes.crs)
    layers.update(tables or {})
    indicators, notes = compute_indicators(communes, layers, population, profile.parameters)
    reps = layers.get("repatriations")
    codes = communes["commune_code"].astype(str)
    return Inputs(
        indicators=indicators,
        population=population,
        notes=tuple(notes),
        layer_versions={name: v.version for name, v in sorted(versions.items())},
        synthetic=any(v.source.startswith("SYNTHETIC") for v in versions.values()),
        communes=stored,
        neighbours=queen_neighbours(communes.geometry),
        repatriations_total=np.zeros(len(codes)) if reps is None else total_counts(reps, codes),
    )


def cached_inputs(ws: Workspace, profile: Profile, *, zonal_engine: str = DEFAULT_ENGINE) -> Inputs:
    """:func:`read_inputs`, kept in memory until a layer of ``ws`` or a parameter changes.

    Method parameters (normalisation, aggregation, ...) do not change the indicators, so
    re-scoring with other weights or methods only re-weights the cached frame.
    """
    versions = ws.versions()
    indicator_params = {k: v for k, v in profile.parameters.items() if k not in METHOD_PARAMETERS}
    key = (
        str(ws.root.resolve()),
        tuple(sorted((name, v.version, v.written_at) for name, v in versions.items())),
        json.dumps(indicator_params, sort_keys=True),
        zonal_engine,
    )
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    inputs = read_inputs(ws, profile, zonal_engine=zonal_engine)
    with _cache_lock:
        _cache[key] = inputs
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return inputs


def score_workspace(
    ws: Workspace,
    profile: Profile,
    *,
    zonal_engine: str = DEFAULT_ENGINE,
    store: bool = True,
    actor: str = "cli",
    seed: int = 0,
) -> ScoreRun:
    """Score every commune of ``ws`` with ``profile``; store the run unless ``store`` is False.

    The score table gets the analyses of the run: rank interval and top-k probability
    (sensitivity, seeded by ``seed``), Gi* hot-spot class and people recorded in total.
    """
    inputs = cached_inputs(ws, profile, zonal_engine=zonal_engine)
    table = score(inputs.indicators, profile, notes=inputs.notes)
    k = analyse(table, inputs, profile, seed=seed)
    run = ScoreRun(_record(profile, inputs, table, top_k=k, seed=seed), table, inputs.communes)
    if store:
        save_run(ws, run, actor=actor)
    return run


def analyse(table: ScoreTable, inputs: Inputs, profile: Profile, *, seed: int = 0) -> int:
    """Add population, sensitivity, hot-spot and total-count columns to ``table``; returns k."""
    frame = table.frame
    frame.insert(1, "population", inputs.population.round(1))
    sens = sensitivity(
        inputs.indicators[list(table.weights)], table.weights, profile.parameters, seed=seed
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
    result = backtest(table.frame["score"].to_numpy(), baselines, events, denominators, seed=seed)
    about = {"profile": profile.name, "holdout_period": holdout, "synthetic": inputs.synthetic}
    return {**about, "weights": dict(table.weights), "code_version": code_version(), **result}


def scored_communes(
    ws: Workspace, run: ScoreRun, communes: gpd.GeoDataFrame | None = None
) -> gpd.GeoDataFrame:
    """Commune polygons (EPSG:4326, ``communes`` or the stored ones) joined with scores, by rank."""
    communes = ws.read_layer("communes") if communes is None else communes
    keep = [
        c
        for c in ("commune_code", "commune_name", "district_name", "province_name", "geometry")
        if c in communes.columns
    ]
    joined = communes[keep].merge(run.table.frame, on="commune_code", how="inner", validate="1:1")
    return joined.sort_values("rank").reset_index(drop=True)


def _metric_layers(ws: Workspace, names: list[str], crs) -> dict[str, pd.DataFrame]:
    """Every layer but communes, vector ones reprojected to ``crs``."""
    layers = {}
    for name in names:
        if name != "communes":
            frame = ws.read_layer(name)
            layers[name] = frame.to_crs(crs) if isinstance(frame, gpd.GeoDataFrame) else frame
    return layers


def _check_areas(communes: gpd.GeoDataFrame) -> None:
    """A commune without area (empty or degenerate polygon) cannot be scored: say which."""
    flat = ~(shapely.area(communes.geometry.values) > 0)
    if flat.any():
        raise ScoringError(
            f"commune {communes['commune_code'].iloc[flat.argmax()]} (row {flat.argmax() + 1} "
            "of the communes layer) has zero area: fix or remove its polygon"
        )


def _population(ws: Workspace, communes: gpd.GeoDataFrame, has_raster: bool, engine: str):
    if has_raster:
        people = zonal_sum(ws.raster_path("population"), communes, engine=engine)
    elif "population" in communes.columns:
        people = pd.to_numeric(communes["population"], errors="coerce").to_numpy(dtype=float)
    else:
        raise ScoringError(
            "no population: add a population raster or a population column to the communes layer"
        )
    bad = ~np.isfinite(people) | (people < 0)
    if bad.any():
        raise ScoringError(
            f"commune {communes['commune_code'].iloc[bad.argmax()]} has no "
            "population value (is it outside the population raster?)"
        )
    return people


def _record(
    profile: Profile, inputs: Inputs, table: ScoreTable, *, top_k: int, seed: int
) -> RunRecord:
    code = code_version()
    key = json.dumps(
        [profile.name, profile.weights_hash(), inputs.layer_versions, code, seed], sort_keys=True
    )
    return RunRecord(
        run_id=hashlib.sha256(key.encode()).hexdigest()[:12],
        profile=profile.name,
        weights=dict(table.weights),
        parameters=dict(profile.parameters),
        weights_hash=profile.weights_hash(),
        layer_versions=inputs.layer_versions,
        code_version=code,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
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
