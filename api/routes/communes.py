"""One commune's score with its explanation, rank interval and hot-spot class.

A commune outside the key's province answers 404 exactly like a code that does not exist, so a
key learns nothing about other provinces. Viewers see small counts of people suppressed and the
rates behind them withheld.
"""

from __future__ import annotations

from fastapi import APIRouter, Path

from api.deps import ProfileDep, WorkspaceDep
from api.schemas import CommuneDetail
from api.security import PrincipalDep
from api.services.communes import commune_detail

router = APIRouter(tags=["communes"])


@router.get("/communes/{code}", response_model=CommuneDetail, response_model_by_alias=True)
def get_commune(
    ws: WorkspaceDep,
    profile: ProfileDep,
    principal: PrincipalDep,
    code: str = Path(description="GSO commune code", max_length=20),
) -> CommuneDetail:
    """Score, class, rank range, hot-spot class and the reasons for commune ``code``."""
    return commune_detail(ws, profile, principal, code)
