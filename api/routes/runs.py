"""Stored score runs: what was scored, with which weights, inputs and code."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Path

from api.deps import WorkspaceDep
from api.schemas import RunOut
from risk.pipeline import list_runs, load_run
from risk.summary import run_summary

router = APIRouter(tags=["runs"])


@router.get("/runs", response_model=list[RunOut])
def get_runs(ws: WorkspaceDep) -> list[RunOut]:
    """Every stored run, oldest first: id, time, profile, weights, layer and code versions."""
    return [RunOut.model_validate(asdict(r)) for r in list_runs(ws)]


@router.get("/runs/{run_id}", response_model=RunOut)
def get_run(
    ws: WorkspaceDep, run_id: str = Path(pattern=r"^[0-9a-f]{6,64}$", description="Run id")
) -> RunOut:
    """One stored run's record with its quality flags, notes and top communes."""
    return RunOut.model_validate(run_summary(load_run(ws, None, run_id)))
