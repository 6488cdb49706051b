"""Ranked table of the caller's communes from a stored run, filtered like ``/scores``."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ProfileDep, WorkspaceDep
from api.disclosure import MAX_OFFSET, PlaceDep, disclose, narrow, records
from api.schemas_plans import RankingsOut
from api.security import PrincipalDep
from risk.labels import indicator_label
from risk.pipeline import scored_communes
from risk.results import RANKING_COLUMNS
from risk.store import load_run

router = APIRouter(tags=["rankings"])


@router.get("/rankings", response_model=RankingsOut)
def get_rankings(
    ws: WorkspaceDep,
    profile: ProfileDep,
    principal: PrincipalDep,
    place: PlaceDep,
    top: Annotated[int, Query(ge=1, le=20_000, description="Number of communes")] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Communes to skip")] = 0,
) -> RankingsOut:
    """The ``top`` highest-ranked communes with their drivers; small counts hidden for viewers."""
    run = load_run(ws, profile.name)
    drivers = dict(zip(run.table.frame["commune_code"], run.table.drivers(), strict=True))
    page = narrow(scored_communes(ws, run), principal, replace(place, limit=top, offset=offset))
    table = page.frame[[c for c in RANKING_COLUMNS if c in page.frame.columns]]
    rows = records(disclose(table, principal.read_rule()))
    for row in rows:
        row["drivers"] = [indicator_label(d, "vi") for d in drivers[row["commune_code"]]]
    return RankingsOut(
        profile=profile.name,
        run_id=run.record.run_id,
        numberMatched=page.matched,
        numberReturned=len(rows),
        communes=rows,
    )
