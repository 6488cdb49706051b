"""Score a workspace: read layers → measures → indicators → score → stored, reproducible run."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import subprocess
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.crs import to_metric
from geo.errors import NotFoundError
from geo.schema import VECTOR_LAYERS
from geo.workspace import Workspace
from geo.zonal import zonal_sum
from risk.errors import ScoringError
from risk.indicators import compute_indicators
from risk.profiles import Profile
from risk.results import RunRecord, ScoreTable
from risk.scoring import score

logger = logging.getLogger(__name__)
RUNS = Path("runs")


@dataclass(frozen=True)
class Inputs:
    """What scoring needs from a workspace: indicators, population and layer versions."""

    indicators: pd.DataFrame
    population: np.ndarray
    notes: tuple[str, ...]
    layer_versions: dict[str, str]
    synthetic: bool


@dataclass(frozen=True)
class ScoreRun:
    """A stored (or storable) run: its record and its score table."""

    record: RunRecord
    table: ScoreTable


def read_inputs(ws: Workspace, profile: Profile, *, zonal_engine: str = "rasterstats") -> Inputs:
    """Read every layer of ``ws`` and compute the indicators ``profile``'s parameters define."""
    versions = ws.versions()
    communes = to_metric(ws.read_layer("communes"))
    population = _population(ws, communes, "population" in versions, zonal_engine)
    layers = _metric_layers(ws, [n for n in VECTOR_LAYERS if n in versions], communes.crs)
    indicators, notes = compute_indicators(communes, layers, population, profile.parameters)
    return Inputs(
        indicators=indicators,
        population=population,
        notes=tuple(notes),
        layer_versions={name: v.version for name, v in sorted(versions.items())},
        synthetic=any(v.source.startswith("SYNTHETIC") for v in versions.values()),
    )


def _metric_layers(ws: Workspace, names: list[str], crs) -> dict[str, pd.DataFrame]:
    """Every layer but communes, vector ones reprojected to ``crs``."""
    layers = {}
    for name in names:
        if name != "communes":
            frame = ws.read_layer(name)
            layers[name] = frame.to_crs(crs) if isinstance(frame, gpd.GeoDataFrame) else frame
    return layers


def score_workspace(
    ws: Workspace,
    profile: Profile,
    *,
    zonal_engine: str = "rasterstats",
    store: bool = True,
    actor: str = "cli",
) -> ScoreRun:
    """Score every commune of ``ws`` with ``profile``; store the run unless ``store`` is False."""
    inputs = read_inputs(ws, profile, zonal_engine=zonal_engine)
    table = score(inputs.indicators, profile, notes=inputs.notes)
    table.frame.insert(1, "population", inputs.population.round(1))
    run = ScoreRun(_record(profile, inputs, table), table)
    if store:
        save_run(ws, run, actor=actor)
    return run


def save_run(ws: Workspace, run: ScoreRun, *, actor: str = "cli") -> None:
    """Store a run's table, then its record (which marks it complete), under runs/<run_id>/."""
    folder = RUNS / run.record.run_id
    ws.write_text(folder / "scores.csv", run.table.frame.to_csv(index=False), actor=actor)
    ws.write_json(folder / "record.json", asdict(run.record), actor=actor)


def list_runs(ws: Workspace) -> list[RunRecord]:
    """Every completed run in ``ws``, oldest first."""
    records = []
    for path in sorted((ws.root / RUNS).glob("*/record.json")):
        data = ws.read_json(path.relative_to(ws.root))
        records.append(
            RunRecord(**{**data, "breaks": tuple(data["breaks"]), "notes": tuple(data["notes"])})
        )
    return sorted(records, key=lambda r: (r.created_at, r.run_id))


def load_run(ws: Workspace, profile: str, run_id: str | None = None) -> ScoreRun:
    """The run ``run_id``, or the latest run of ``profile``; NotFoundError if there is none."""
    runs = [r for r in list_runs(ws) if r.profile == profile and run_id in (None, r.run_id)]
    if not runs:
        what = f"run {run_id}" if run_id else "run"
        raise NotFoundError(
            f'no {what} of profile "{profile}" in workspace {ws.root}; '
            f"score it first with 'riskmap score --profile {profile}'"
        )
    record = runs[-1]
    text = (ws.root / RUNS / record.run_id / "scores.csv").read_text(encoding="utf-8")
    frame = pd.read_csv(io.StringIO(text), dtype={"commune_code": str})
    table = ScoreTable(frame, record.weights, record.breaks, record.notes)
    return ScoreRun(record, table)


def scored_communes(ws: Workspace, run: ScoreRun) -> gpd.GeoDataFrame:
    """Commune polygons (EPSG:4326) joined with a run's scores, in rank order."""
    communes = ws.read_layer("communes")
    keep = [
        c
        for c in ("commune_code", "commune_name", "district_name", "province_name", "geometry")
        if c in communes.columns
    ]
    joined = communes[keep].merge(run.table.frame, on="commune_code", how="inner", validate="1:1")
    return joined.sort_values("rank").reset_index(drop=True)


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


def _record(profile: Profile, inputs: Inputs, table: ScoreTable) -> RunRecord:
    code = code_version()
    key = json.dumps(
        [profile.name, profile.weights_hash(), inputs.layer_versions, code], sort_keys=True
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
    )


@lru_cache(maxsize=1)
def code_version() -> str:
    """Riskmap's version, plus the git commit when run from a checkout."""
    try:
        base = version("riskmap")
    except PackageNotFoundError:
        base = "0+unknown"
    root = Path(__file__).resolve().parents[1]
    try:
        sha = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short=10", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return base
    return f"{base}+g{sha}" if sha else base
