"""One commune's score with its explanation."""

from __future__ import annotations

from fastapi import APIRouter, Path

from api.deps import ProfileDep, WorkspaceDep
from api.schemas import CommuneDetail, IndicatorOut
from geo.errors import NotFoundError
from risk.indicators import INDICATORS
from risk.labels import indicator_label
from risk.pipeline import load_run

router = APIRouter(tags=["communes"])


@router.get("/communes/{code}", response_model=CommuneDetail, response_model_by_alias=True)
def get_commune(
    ws: WorkspaceDep, profile: ProfileDep, code: str = Path(description="GSO commune code")
) -> CommuneDetail:
    """Indicators, normalised values and contributions of commune ``code`` in a profile's run."""
    run = load_run(ws, profile.name)
    try:
        row = run.table.row_of(code)
    except KeyError:
        raise NotFoundError(f'commune "{code}" is not in workspace {ws.root}') from None
    communes = ws.read_layer("communes").set_index("commune_code")
    place = communes.loc[code]
    scores = run.table.frame.iloc[row]
    indicators = [
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
            "indicators": indicators,
            "notes": list(run.record.notes),
        }
    )
