"""One commune's score with its explanation, rank interval and hot-spot class."""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi import APIRouter, Path

from api.deps import ProfileDep, WorkspaceDep
from api.schemas import CommuneDetail, IndicatorOut
from geo.errors import NotFoundError
from risk.indicators import INDICATORS
from risk.labels import HOTSPOT_LABELS, indicator_label
from risk.pipeline import ScoreRun, load_run

router = APIRouter(tags=["communes"])


@router.get("/communes/{code}", response_model=CommuneDetail, response_model_by_alias=True)
def get_commune(
    ws: WorkspaceDep, profile: ProfileDep, code: str = Path(description="GSO commune code")
) -> CommuneDetail:
    """Score, class, rank range, hot-spot class and the reasons for commune ``code``."""
    run = load_run(ws, profile.name)
    try:
        row = run.table.row_of(code)
    except KeyError:
        raise NotFoundError(f'commune "{code}" is not in workspace {ws.root}') from None
    place = ws.read_layer("communes").set_index("commune_code").loc[code]
    scores = run.table.frame.iloc[row]
    return CommuneDetail.model_validate(
        {
            "commune_code": code,
            "commune_name": place["commune_name"],
            "district_name": place.get("district_name"),
            "profile": profile.name,
            "run_id": run.record.run_id,
            "score": float(scores["score"]),
            "class": int(scores["class"]),
            "class_label": scores["class_label_vi"],
            "class_label_en": scores["class_label_en"],
            "rank": int(scores["rank"]),
            "communes": len(run.table.frame),
            "drivers": run.table.drivers()[row],
            "reasons": run.table.reasons(code, "vi"),
            "reasons_en": run.table.reasons(code, "en"),
            "indicators": _indicators(run, code),
            "notes": list(run.record.notes),
            "quality": list(run.record.quality),
            **_analyses(scores, run),
        }
    )


def _indicators(run: ScoreRun, code: str) -> list[IndicatorOut]:
    return [
        IndicatorOut(
            indicator=c.indicator,
            label_vi=indicator_label(c.indicator, "vi"),
            label_en=indicator_label(c.indicator, "en"),
            unit=INDICATORS[c.indicator].unit,
            raw=c.raw,
            normalised=c.normalised,
            weight=c.weight,
            contribution=c.contribution,
        )
        for c in run.table.explain(code)
    ]


def _analyses(scores: pd.Series, run: ScoreRun) -> dict[str, Any]:
    """Rank interval, top-k probability and hot-spot class, when the run has them."""
    if "rank_p05" not in scores.index:
        return {}
    hotspot = str(scores["hotspot"])
    return {
        "rank_p05": int(scores["rank_p05"]),
        "rank_p95": int(scores["rank_p95"]),
        "p_top_k": float(scores["p_top_k"]),
        "top_k": run.record.top_k,
        "hotspot": hotspot,
        "hotspot_label": HOTSPOT_LABELS[hotspot]["vi"],
        "hotspot_label_en": HOTSPOT_LABELS[hotspot]["en"],
    }
