"""Response models of the plan and ranking endpoints (``/plans/*``, ``/rankings``).

Field order follows the plan records of :mod:`risk.plans`, so the JSON reads as the CLI's.
Coordinates are lon/lat (EPSG:4326), distances km, shares 0-1, scores 0-100.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class SiteOut(BaseModel):
    """A chosen patrol base or outreach commune."""

    name: str
    kind: str
    lon: float
    lat: float
    added: float = Field(description="risk (patrol) or value (outreach) it adds to the plan")
    added_share: float = Field(description="its part of the total, 0-1")
    commune_code: str | None
    frequency: float | None = Field(description="share of weight draws that keep it, 0-1")


class _PlanOut(BaseModel):
    kind: str
    run_id: str
    profile: str
    parameters: dict[str, Any]
    covered: float
    total: float
    baseline_covered_share: float | None
    cost: float | None
    marginal_value: float | None = Field(
        description="what one more marginal_unit of budget would add (outreach), people"
    )
    marginal_unit: float | None = Field(
        None, description="budget step of marginal_value: the cheapest commune's cost"
    )
    exact_covered_share: float | None = Field(
        None, description="share the optimum covers with the same bases or budget, 0-1"
    )
    gap_to_exact: float | None = Field(
        None, description="share points the plan stays below the optimum, >= 0"
    )
    notes: list[str]


class PatrolPlanOut(_PlanOut):
    """k patrol bases, the risk they cover and the top-k-communes baseline."""

    covered_communes: list[str]
    covered_share: float = Field(description="share of the total demand covered, 0-1")
    top_decile_reached: float | None = Field(
        None, description="share of the top-decile communes whose outline is within reach, 0-1"
    )
    bases_near_top_decile: int | None = Field(
        None, description="bases within the radius of a top-decile commune"
    )
    bases: list[SiteOut]


class OutreachPlanOut(_PlanOut):
    """The communes a budget reaches, and what they cost."""

    covered_share: float = Field(description="share of the total value reached, 0-1")
    communes: list[SiteOut]


class SegmentOut(BaseModel):
    """A border segment ranked by the risk around it and the crossings on it."""

    segment: int
    kind: str
    start_km: float
    end_km: float
    length_km: float
    risk: float = Field(description="sum of the scores of the communes within reach")
    communes: int
    crossings: float = Field(description="sum of the kind weights of the crossings on it")
    crossing_names: str
    score: float
    rank: int
    geometry: dict[str, Any] = Field(description="GeoJSON LineString, lon/lat")


class CrossingOut(BaseModel):
    """A border crossing ranked by the risk around it and its kind's weight."""

    name: str
    kind: str
    weight: float
    risk: float
    communes: int
    segment: int = Field(description="the segment it lies on (0: none)")
    score: float
    rank: int
    geometry: dict[str, Any] = Field(description="GeoJSON Point, lon/lat")


class SegmentPlanOut(BaseModel):
    """Border segments and crossings in rank order."""

    run_id: str
    profile: str
    parameters: dict[str, Any]
    segments: list[SegmentOut]
    crossings: list[CrossingOut]
    notes: list[str]
    kind: str


class RankingsOut(BaseModel):
    """The highest-ranked communes of a run, with their drivers (small counts hidden)."""

    profile: str
    run_id: str
    numberMatched: int
    numberReturned: int
    communes: list[dict[str, Any]] = Field(
        description="ranking columns the caller may see, and ``drivers`` (labels)"
    )
