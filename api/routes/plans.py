"""Patrol and outreach plans computed from a stored run (not stored: reads never write)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from api.deps import ProfileDep, WorkspaceDep
from risk.plans import outreach_plan, patrol_plan

router = APIRouter(prefix="/plans", tags=["plans"])


@router.get("/patrol")
def get_patrol_plan(
    ws: WorkspaceDep,
    profile: ProfileDep,
    k: Annotated[int, Query(ge=1, le=100, description="Number of patrol bases")] = 5,
    radius_km: Annotated[float, Query(gt=0, le=200, description="Reach of a base, km")] = 15,
    method: Literal["greedy", "exact"] = "greedy",
    candidates: Literal["crossings", "communes", "crossings+communes"] = "crossings+communes",
    run_id: str | None = None,
) -> dict[str, Any]:
    """The k bases covering the most risk within the radius, with the top-k-communes baseline."""
    plan = patrol_plan(
        ws,
        profile.name,
        k=k,
        radius_km=radius_km,
        method=method,
        candidates=candidates,
        run_id=run_id,
    )
    return plan.to_dict()


@router.get("/outreach")
def get_outreach_plan(
    ws: WorkspaceDep,
    profile: ProfileDep,
    budget: Annotated[float, Query(gt=0, description="Budget, in the unit of the costs")],
    fixed_cost: Annotated[float, Query(ge=0)] = 20.0,
    cost_per_1000: Annotated[float, Query(ge=0)] = 2.0,
    per_district: bool = False,
    run_id: str | None = None,
) -> dict[str, Any]:
    """The communes a budget reaches with the most risk-weighted vulnerable people."""
    plan = outreach_plan(
        ws,
        profile.name,
        budget=budget,
        fixed_cost=fixed_cost,
        cost_per_1000=cost_per_1000,
        per_district=per_district,
        run_id=run_id,
    )
    return plan.to_dict()
