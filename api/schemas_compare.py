"""Response model of ``GET /runs/{id}/compare/{other}``: a run against another, per commune.

Scores are 0-100 points, ranks places (1 = highest; rank_change positive = moved up), classes
1-5 (class_change positive = a higher-risk class). Counts of people are strings for viewers
("<5") and numbers for analysts; a change a viewer may not see is null.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class RunBrief(BaseModel):
    """One of the two runs compared."""

    run_id: str
    profile: str
    created_at: str
    as_of: str = Field("", description="scored with only records known by this date; '': all")


class CommuneChange(BaseModel):
    """A commune in both runs (or one of them): its figures now, before, and the changes."""

    commune_code: str
    commune_name: str | None = None
    district_name: str | None = None
    province_name: str | None = None
    score: float | None = None
    rank: int | None = None
    class_: int | None = Field(None, alias="class")
    previous_score: float | None = None
    score_change: float | None = None
    previous_rank: int | None = None
    rank_change: int | None = None
    previous_class: int | None = None
    class_change: int | None = None
    repatriations_total: int | str | None = None
    previous_repatriations_total: int | str | None = None
    repatriations_change: int | None = None

    model_config = {"populate_by_name": True, "serialize_by_alias": True}


class ComparisonOut(BaseModel):
    """A run compared with another: every commune's change and what stands out."""

    run: RunBrief
    against: RunBrief
    top_k: int = Field(description="size of the top list whose entries and exits are listed")
    label: str = Field(description="what the run is compared with, in words")
    risers: list[CommuneChange]
    fallers: list[CommuneChange]
    entering: list[CommuneChange] = Field(description="in the top k now, not before")
    leaving: list[CommuneChange] = Field(description="in the top k before, not now")
    only_current: list[str] = Field(description="commune codes only in this run")
    only_previous: list[str] = Field(description="commune codes only in the other run")
    changes: list[CommuneChange] = Field(description="every commune of this run, by rank")
