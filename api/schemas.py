"""Response models of the HTTP API."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Health(BaseModel):
    """Service status."""

    status: str
    version: str
    workspace: str
    workspace_ok: bool


class ProfileOut(BaseModel):
    """A risk profile as clients see it."""

    name: str
    title: dict[str, str]
    rationale: str
    weights: dict[str, float]


class IndicatorOut(BaseModel):
    """One indicator of a commune: value, normalised value and its part of the score."""

    indicator: str
    label_vi: str
    label_en: str
    unit: str
    raw: float
    normalised: float = Field(description="0-10")
    weight: float = Field(description="share of the score, 0-1")
    contribution: float = Field(description="points of the 0-100 score")


class CommuneDetail(BaseModel):
    """A commune's score with its explanation, from one stored run."""

    commune_code: str
    commune_name: str
    district_name: str | None
    profile: str
    run_id: str
    score: float = Field(description="0-100")
    class_: int = Field(alias="class", description="1 (very low) to 5 (very high)")
    class_label: str
    class_label_en: str
    rank: int
    communes: int
    drivers: list[str]
    indicators: list[IndicatorOut]
    notes: list[str]
