"""Patrol, outreach and border-segment plans computed from a stored run (reads never write)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from api.deps import ProfileDep, WorkspaceDep
from api.security import PrincipalDep
from risk.plans.outreach import outreach_plan
from risk.plans.patrol import patrol_plan
from risk.plans.segments import segments_plan

router = APIRouter(prefix="/plans", tags=["plans"])


def _run(
    ws: WorkspaceDep, profile: ProfileDep, principal: PrincipalDep, run_id: str | None = None
) -> dict[str, Any]:
    """What every plan starts from: workspace, profile, run (default: latest), key's province."""
    return {"ws": ws, "profile": profile.name, "run_id": run_id, "province": principal.province}


def _draws(
    draws: Annotated[
        int, Query(ge=0, le=1000, description="Weight draws for each choice's frequency")
    ] = 200,
    seed: Annotated[int, Query(ge=0, description="Seed of the weight draws")] = 0,
) -> dict[str, int]:
    """How many weight draws say how often each choice stays, and their seed."""
    return {"draws": draws, "seed": seed}


RunDep = Annotated[dict[str, Any], Depends(_run)]
DrawsDep = Annotated[dict[str, int], Depends(_draws)]


@router.get("/patrol")
def get_patrol_plan(
    run: RunDep,
    robust: DrawsDep,
    k: Annotated[int, Query(ge=1, le=100, description="Number of patrol bases")] = 5,
    radius_km: Annotated[float, Query(gt=0, le=200, description="Reach of a base, km")] = 15,
    method: Literal["greedy", "exact"] = "greedy",
    candidates: Literal["crossings", "communes", "crossings+communes"] = "crossings+communes",
) -> dict[str, Any]:
    """The k bases covering the most risk within the radius, with the top-k-communes baseline."""
    options = {"k": k, "radius_km": radius_km, "method": method, "candidates": candidates}
    return patrol_plan(**run, **robust, **options).to_dict()


@router.get("/outreach")
def get_outreach_plan(
    run: RunDep,
    robust: DrawsDep,
    budget: Annotated[float, Query(gt=0, description="Budget, in the unit of the costs")],
    fixed_cost: Annotated[float, Query(ge=0, le=1e12)] = 20.0,
    cost_per_1000: Annotated[float, Query(ge=0, le=1e12)] = 2.0,
    per_district: bool = False,
) -> dict[str, Any]:
    """The communes a budget reaches with the most risk-weighted vulnerable people."""
    options = {"fixed_cost": fixed_cost, "cost_per_1000": cost_per_1000}
    return outreach_plan(
        **run, **robust, budget=budget, per_district=per_district, **options
    ).to_dict()


@router.get("/segments")
def get_segment_plan(
    run: RunDep,
    length_km: Annotated[float, Query(ge=0.1, le=500, description="Segment length, km")] = 5,
    reach_km: Annotated[
        float, Query(ge=0, le=200, description="Communes within this distance count, km")
    ] = 10,
) -> dict[str, Any]:
    """Border segments and crossings ranked by the risk around them and the crossings on them."""
    return segments_plan(**run, length_km=length_km, reach_km=reach_km).to_dict()
