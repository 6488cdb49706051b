"""Stored score runs: what was scored, with which weights, inputs and code."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from api.deps import SettingsDep, WorkspaceDep, executor_from
from api.schemas import RunOut, RunRequest
from api.schemas_compare import ComparisonOut
from api.security import AnalystDep, PermissionDeniedError, Principal, PrincipalDep
from api.services.runs import comparison_out, summary_for
from geo.progress import logged
from geo.workspace import Workspace
from risk.pipeline import score_workspace
from risk.privacy import VIEW_RULES
from risk.profiles import load_profile
from risk.store import list_runs, load_run
from risk.summary import run_summary

router = APIRouter(tags=["runs"])
PROGRESS_LOG = logging.getLogger("riskmap.progress")


@router.get("/runs", response_model=list[RunOut])
def get_runs(ws: WorkspaceDep) -> list[RunOut]:
    """Every stored run, oldest first: id, time, profile, weights, layer and code versions.

    Viewers get only the runs over all records: as-of runs (``as_of`` set) are analysts' runs.
    """
    return [RunOut.model_validate(asdict(r)) for r in list_runs(ws)]


@router.get("/runs/{run_id}", response_model=RunOut)
def get_run(
    ws: WorkspaceDep,
    principal: PrincipalDep,
    run_id: str = Path(pattern=r"^[0-9a-f]{6,64}$", description="Run id"),
) -> RunOut:
    """One stored run's record with its quality flags, notes and top communes (the key's).

    An as-of run is refused to viewers (403): as-of runs are for analysts.
    """
    return RunOut.model_validate(summary_for(load_run(ws, None, run_id), principal))


@router.get("/runs/{run_id}/compare/{other}", response_model=ComparisonOut)
def get_comparison(
    ws: WorkspaceDep,
    principal: PrincipalDep,
    run_id: str = Path(pattern=r"^[0-9a-f]{6,64}$", description="Run id"),
    other: str = Path(pattern=r"^[0-9a-f]{6,64}$", description="Run id to compare with"),
    top: Annotated[int | None, Query(ge=1, le=10_000, description="top k (default: run's)")] = None,
    lang: Literal["vi", "en"] = "vi",
) -> ComparisonOut:
    """Run ``run_id`` compared with run ``other``: changes per commune, risers, fallers, top k.

    Viewers compare the runs' viewer variants and see suppressed counts (a change hidden when
    either count is small or it is itself 1-4 people); a province key sees only its communes.
    A viewer naming an as-of run, on either side, is refused (403): as-of runs are for analysts.
    """
    return ComparisonOut.model_validate(comparison_out(ws, run_id, other, principal, top, lang))


@router.post("/runs", response_model=RunOut, status_code=201)
def post_run(
    body: RunRequest,
    response: Response,
    ws: WorkspaceDep,
    settings: SettingsDep,
    principal: AnalystDep,
) -> RunOut:
    """Score every commune with a profile (and custom weights) and store the run (analysts)."""
    _check_whole_workspace(ws, principal)
    profile = load_profile(body.profile, settings.profiles_dir)
    if body.weights is not None:
        profile = profile.with_weights(body.weights)
    actor = f"api:{principal.label or principal.key_id}"
    engine, executor = settings.zonal_engine, executor_from(settings)
    progress = logged(PROGRESS_LOG, f"POST /runs {profile.name}")
    views = (*VIEW_RULES, principal.suppression)  # the server's own rule kept for its viewers
    run = score_workspace(
        ws,
        profile,
        zonal_engine=engine,
        actor=actor,
        executor=executor,
        views=views,
        progress=progress,
        as_of=body.as_of or "",
    )
    response.headers["Location"] = f"/runs/{run.record.run_id}"
    return RunOut.model_validate(run_summary(run))


def _check_whole_workspace(ws: Workspace, principal: Principal) -> None:
    """A run scores every commune: a province key may store one only if they are all its own."""
    if principal.province is None:
        return
    provinces = set(ws.read_layer("communes")["province_name"].astype(str))
    others = sorted(provinces - {principal.province})
    if others:
        raise PermissionDeniedError(
            f"a run scores every commune of the workspace, including {', '.join(others)}; "
            f'a key limited to "{principal.province}" cannot store one'
        )
