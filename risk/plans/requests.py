"""What each plan asks for: its parameters with their defaults and bounds, written once.

The CLI (``riskmap plan``), the API (``/plans/*``) and the plan functions all take their
defaults from these classes; the API also enforces the bounds (:func:`bounds`), which read like
pydantic's (``ge``, ``gt``, ``le``). Distances in km, costs in the budget's unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from risk.demand import DEFAULTS, RULES

#: Demand rules a plan may be asked for (``--demand``, ``?demand=``): :data:`risk.demand.RULES`.
DEMAND_RULES = RULES


def _bounded(default: Any, **limits: float) -> Any:
    """A field with ``default`` and the ``limits`` (ge, gt, le) the API enforces."""
    return field(default=default, metadata=limits)


@dataclass(frozen=True)
class DrawsRequest:
    """Weight draws that say how often each choice stays (0: skip), and their seed."""

    draws: int = _bounded(200, ge=0, le=1000)
    seed: int = _bounded(0, ge=0)


@dataclass(frozen=True)
class PatrolRequest(DrawsRequest):
    """k patrol bases covering the most risk within ``radius_km`` (straight line)."""

    k: int = _bounded(5, ge=1, le=100)
    radius_km: float = _bounded(15.0, gt=0, le=200)
    method: str = "greedy"
    candidates: str = "crossings+communes"
    demand: str = DEFAULTS["patrol"]
    #: Share of the k bases (0-0.5, rounded to whole bases) placed away from the priority
    #: communes; 0 by default so every base meets the issue-12 bar (0.2 of 5 is one base).
    explore_share: float = _bounded(0.0, ge=0, le=0.5)
    profile: str = "patrol"


@dataclass(frozen=True)
class OutreachRequest(DrawsRequest):
    """Communes a budget reaches; cost = ``fixed_cost`` + ``cost_per_1000`` per 1,000 people."""

    fixed_cost: float = _bounded(20.0, ge=0, le=1e12)
    cost_per_1000: float = _bounded(2.0, ge=0, le=1e12)
    per_district: bool = False
    explore_share: float = _bounded(0.0, ge=0, le=0.5)
    demand: str = DEFAULTS["outreach"]
    profile: str = "outreach"


@dataclass(frozen=True)
class SegmentsRequest:
    """Border segments of ``length_km`` ranked by the communes within ``reach_km`` of them."""

    length_km: float = _bounded(5.0, ge=0.1, le=500)
    reach_km: float = _bounded(10.0, ge=0, le=200)
    crossing_share: float = _bounded(0.5, ge=0, le=1)
    demand: str = DEFAULTS["segments"]
    profile: str = "patrol"


#: Budgets must be above zero (there is no default budget).
BUDGET_BOUNDS = {"gt": 0}


def bounds(request: type, name: str) -> dict[str, float]:
    """The limits (``ge``, ``gt``, ``le``) of parameter ``name`` of ``request``."""
    return dict(next(f for f in fields(request) if f.name == name).metadata)
