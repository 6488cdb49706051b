"""Ranked table of communes from a stored run, filtered by province, district and class."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import ProfileDep, SettingsDep, WorkspaceDep
from api.security import PrincipalDep, check_province, in_scope
from risk.labels import indicator_label
from risk.pipeline import load_run, scored_communes
from risk.privacy import suppress_small_counts

router = APIRouter(tags=["rankings"])

COLUMNS = [
    "rank",
    "commune_code",
    "commune_name",
    "district_name",
    "province_name",
    "score",
    "class",
    "class_label_vi",
    "class_label_en",
    "rank_p05",
    "rank_p95",
    "p_top_k",
    "hotspot",
    "repatriations_total",
]
SENSITIVE = ["repatriations_total"]


@router.get("/rankings")
def get_rankings(
    ws: WorkspaceDep,
    profile: ProfileDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    top: Annotated[int, Query(ge=1, le=20_000, description="Number of communes")] = 20,
    province: str | None = None,
    district: str | None = None,
    class_: Annotated[int | None, Query(alias="class", ge=1, le=5)] = None,
) -> dict[str, Any]:
    """The ``top`` highest-ranked communes with their drivers; small counts hidden for viewers."""
    check_province(principal, province)
    run = load_run(ws, profile.name)
    drivers = dict(zip(run.table.frame["commune_code"], run.table.drivers(), strict=True))
    table = in_scope(scored_communes(ws, run).drop(columns="geometry"), principal)
    for column, value in (
        ("province_name", province),
        ("district_name", district),
        ("class", class_),
    ):
        if value is not None:
            table = table[table[column].astype(str) == str(value)]
    table = table[[c for c in COLUMNS if c in table.columns]].head(top)
    if not principal.exact_counts:
        table = suppress_small_counts(table, SENSITIVE, settings.small_count_threshold)
    rows = table.astype(object).where(table.notna(), None).to_dict(orient="records")
    for row in rows:
        row["drivers"] = [indicator_label(d, "vi") for d in drivers[row["commune_code"]]]
    return {"profile": profile.name, "run_id": run.record.run_id, "communes": rows}
