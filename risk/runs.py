"""Stored score runs: record.json + scores.csv under runs/<run_id>/, listed and reloaded."""

from __future__ import annotations

import io
import subprocess
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.errors import NotFoundError
from geo.workspace import Workspace
from risk.results import RunRecord, ScoreTable

RUNS = Path("runs")
#: Record fields stored as JSON lists but held as tuples.
_TUPLES = ("breaks", "notes", "quality")


@dataclass(frozen=True)
class ScoreRun:
    """A stored (or storable) run: its record and its score table."""

    record: RunRecord
    table: ScoreTable
    communes: gpd.GeoDataFrame | None = None  # the commune polygons scored, when at hand


def save_run(ws: Workspace, run: ScoreRun, *, actor: str = "cli") -> None:
    """Store a run's table, then its record (which marks it complete), under runs/<run_id>/."""
    folder = RUNS / run.record.run_id
    ws.write_text(folder / "scores.csv", run.table.frame.to_csv(index=False), actor=actor)
    ws.write_json(folder / "record.json", asdict(run.record), actor=actor)


def list_runs(ws: Workspace) -> list[RunRecord]:
    """Every completed run in ``ws``, oldest first."""
    known = {f.name for f in fields(RunRecord)}
    records = []
    for path in sorted((ws.root / RUNS).glob("*/record.json")):
        data = ws.read_json(path.relative_to(ws.root))
        data = {k: tuple(v) if k in _TUPLES else v for k, v in data.items() if k in known}
        records.append(RunRecord(**data))
    return sorted(records, key=lambda r: (r.created_at, r.run_id))


def load_run(ws: Workspace, profile: str | None, run_id: str | None = None) -> ScoreRun:
    """The run ``run_id`` (of any profile if ``profile`` is None), or the latest of ``profile``.

    Raises
    ------
    NotFoundError
        If there is no such run.
    """
    runs = [r for r in list_runs(ws) if profile in (None, r.profile) and run_id in (None, r.run_id)]
    if not runs:
        what = f"run {run_id}" if run_id else "run"
        of = f' of profile "{profile}"' if profile else ""
        hint = "list them with 'riskmap runs'"
        if profile and not run_id:
            hint = f"score it first with 'riskmap score --profile {profile}'"
        raise NotFoundError(f"no {what}{of} in workspace {ws.root}; {hint}")
    record = runs[-1]
    text = (ws.root / RUNS / record.run_id / "scores.csv").read_text(encoding="utf-8")
    frame = pd.read_csv(io.StringIO(text), dtype={"commune_code": str, "hotspot": str})
    table = ScoreTable(
        frame, record.weights, record.breaks, record.notes, record.quality, record.treatments
    )
    return ScoreRun(record, table)


def run_layer(ws: Workspace, record: RunRecord, name: str) -> pd.DataFrame | None:
    """Layer ``name`` as the run scored it (its recorded version, archived if since replaced).

    None when the run had no such layer, so a re-drawn run never shows a layer added later.
    """
    version = record.layer_versions.get(name)
    return None if version is None else ws.read_layer(name, version)


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
