"""Patrol, outreach and border-segment plans computed from a stored run (reads never write).

Defaults and bounds of every parameter come from the request classes of
:mod:`risk.plans.requests`, the same the CLI uses.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from api.deps import ProfileDep, WorkspaceDep
from api.schemas_plans import OutreachPlanOut, PatrolPlanOut, SegmentPlanOut
from api.security import PrincipalDep
from risk.plans.outreach import OUTREACH_RULES, outreach_plan
from risk.plans.patrol import patrol_plan
from risk.plans.requests import (
    BUDGET_BOUNDS,
    DEMAND_RULES,
    DrawsRequest,
    OutreachRequest,
    PatrolRequest,
    SegmentsRequest,
    bounds,
)
from risk.plans.segments import segments_plan

router = APIRouter(prefix="/plans", tags=["plans"])
#: Demand rules (an enum in OpenAPI): see docs/method.md, "Plan demand on real geometry".
PatrolDemand = Literal[DEMAND_RULES]  # type: ignore[valid-type]
OutreachDemand = Literal[OUTREACH_RULES]  # type: ignore[valid-type]
_DEMAND = "What a commune weighs in the plan (risk/demand.py)"


def _query(request: type, name: str, description: str | None = None) -> Any:
    """A query parameter with the bounds ``request`` gives ``name``."""
    return Query(description=description, **bounds(request, name))


def _run(
    ws: WorkspaceDep, profile: ProfileDep, principal: PrincipalDep, run_id: str | None = None
) -> dict[str, Any]:
    """What every plan starts from: workspace, profile, run (default: latest), key's province."""
    return {"ws": ws, "profile": profile.name, "run_id": run_id, "province": principal.province}


def _draws(
    draws: Annotated[
        int, _query(DrawsRequest, "draws", "Weight draws for each choice's frequency")
    ] = DrawsRequest.draws,
    seed: Annotated[int, _query(DrawsRequest, "seed", "Seed of the weight draws")] = (
        DrawsRequest.seed
    ),
) -> dict[str, int]:
    """How many weight draws say how often each choice stays, and their seed."""
    return {"draws": draws, "seed": seed}


RunDep = Annotated[dict[str, Any], Depends(_run)]
DrawsDep = Annotated[dict[str, int], Depends(_draws)]


@router.get("/patrol", response_model=PatrolPlanOut)
def get_patrol_plan(
    run: RunDep,
    robust: DrawsDep,
    k: Annotated[int, _query(PatrolRequest, "k", "Number of patrol bases")] = PatrolRequest.k,
    radius_km: Annotated[
        float, _query(PatrolRequest, "radius_km", "Reach of a base, km")
    ] = PatrolRequest.radius_km,
    method: Literal["greedy", "exact"] = PatrolRequest.method,
    candidates: Literal["crossings", "communes", "crossings+communes"] = PatrolRequest.candidates,
    demand: Annotated[PatrolDemand, Query(description=_DEMAND)] = PatrolRequest.demand,
    explore_share: Annotated[
        float, _query(PatrolRequest, "explore_share", "Share of bases placed away from the top")
    ] = PatrolRequest.explore_share,
) -> PatrolPlanOut:
    """The k bases covering the most demand within the radius, with the top-k baseline."""
    options = {"k": k, "radius_km": radius_km, "method": method, "candidates": candidates}
    options |= {"demand": demand, "explore_share": explore_share}
    return PatrolPlanOut.model_validate(patrol_plan(**run, **robust, **options).to_dict())


@router.get("/outreach", response_model=OutreachPlanOut)
def get_outreach_plan(
    run: RunDep,
    robust: DrawsDep,
    budget: Annotated[
        float, Query(description="Budget, in the unit of the costs", **BUDGET_BOUNDS)
    ],
    fixed_cost: Annotated[
        float, _query(OutreachRequest, "fixed_cost")
    ] = OutreachRequest.fixed_cost,
    cost_per_1000: Annotated[
        float, _query(OutreachRequest, "cost_per_1000")
    ] = OutreachRequest.cost_per_1000,
    per_district: bool = OutreachRequest.per_district,
    demand: Annotated[OutreachDemand, Query(description=_DEMAND)] = OutreachRequest.demand,
) -> OutreachPlanOut:
    """The communes a budget reaches with the most risk-weighted vulnerable people."""
    options = {"fixed_cost": fixed_cost, "cost_per_1000": cost_per_1000, "demand": demand}
    plan = outreach_plan(**run, **robust, budget=budget, per_district=per_district, **options)
    return OutreachPlanOut.model_validate(plan.to_dict())


@router.get("/segments", response_model=SegmentPlanOut)
def get_segment_plan(
    run: RunDep,
    length_km: Annotated[
        float, _query(SegmentsRequest, "length_km", "Segment length, km")
    ] = SegmentsRequest.length_km,
    reach_km: Annotated[
        float, _query(SegmentsRequest, "reach_km", "Communes within this distance count, km")
    ] = SegmentsRequest.reach_km,
) -> SegmentPlanOut:
    """Border segments and crossings ranked by the risk around them and the crossings on them."""
    plan = segments_plan(**run, length_km=length_km, reach_km=reach_km)
    return SegmentPlanOut.model_validate(plan.to_dict())
