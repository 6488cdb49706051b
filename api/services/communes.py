"""One commune's score with its explanation, rank interval and hot-spot class, for one caller.

A commune outside the key's province is not found exactly like a code that does not exist, so a
key learns nothing about other provinces. Viewers see small counts of people suppressed and the
rates behind them withheld.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from api.disclosure import disclose
from api.schemas import CommuneDetail, IndicatorOut
from api.security import Principal, in_scope
from geo.errors import NotFoundError
from geo.workspace import Workspace
from risk.indicators import INDICATORS
from risk.labels import HOTSPOT_LABELS, indicator_label
from risk.privacy import COUNT_COLUMN, RATE_INDICATORS, WITHHELD_FLAG
from risk.profiles import Profile
from risk.results import raw_col
from risk.runs import ScoreRun
from risk.store import load_run


def commune_detail(
    ws: Workspace, profile: Profile, principal: Principal, code: str
) -> CommuneDetail:
    """Score, class, rank range, hot-spot class and the reasons for commune ``code``."""
    run = load_run(ws, profile.name)
    place = _visible_place(ws, run, principal, code)
    row = run.table.row_of(code)
    shown = disclose(run.table.frame.iloc[[row]], principal.read_rule()).iloc[0]
    withheld = [i for i in RATE_INDICATORS if i in run.table.weights and _hidden(shown, i)]
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
            "drivers": run.table.drivers(rows=[row])[0],
            "reasons": run.table.reasons(code, "vi", withheld=withheld),
            "reasons_en": run.table.reasons(code, "en", withheld=withheld),
            "indicators": _indicators(run, code, withheld),
            "repatriations_total": _count(shown),
            "rate_withheld": bool(shown.get(WITHHELD_FLAG, False)),
            "notes": list(run.record.notes),
            "quality": list(run.record.quality),
            **_analyses(scores, run),
        }
    )


def _visible_place(ws: Workspace, run: ScoreRun, principal: Principal, code: str) -> pd.Series:
    """Commune ``code``'s row in the caller's scope; not found like a code that does not exist."""
    places = in_scope(ws.read_layer("communes"), principal)
    match = places[places["commune_code"].to_numpy() == code]
    if match.empty or not (run.table.frame["commune_code"].to_numpy() == code).any():
        raise NotFoundError(f'commune "{code}" is not in workspace "{ws.root.name}"')
    return match.iloc[0]


def _hidden(shown: pd.Series, indicator: str) -> bool:
    """Whether the disclosed row withholds ``indicator``'s rate."""
    column = raw_col(indicator)
    return column in shown.index and pd.isna(shown[column])


def _count(shown: pd.Series) -> int | str | None:
    """People recorded, as the caller may see them (exact, "<5" or rounded)."""
    if COUNT_COLUMN not in shown.index:
        return None
    value = shown[COUNT_COLUMN]
    return value if isinstance(value, str) else int(value)


def _indicators(run: ScoreRun, code: str, withheld: list[str]) -> list[IndicatorOut]:
    out = []
    for c in run.table.explain(code):
        hide = c.indicator in withheld
        out.append(
            IndicatorOut(
                indicator=c.indicator,
                label_vi=indicator_label(c.indicator, "vi"),
                label_en=indicator_label(c.indicator, "en"),
                unit=INDICATORS[c.indicator].unit,
                raw=None if hide else c.raw,
                normalised=None if hide else c.normalised,
                weight=c.weight,
                contribution=None if hide else c.contribution,
                withheld=hide,
            )
        )
    return out


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
        "class_uncertain": bool(scores.get("class_uncertain", False)),
        "hotspot": hotspot,
        "hotspot_label": HOTSPOT_LABELS[hotspot]["vi"],
        "hotspot_label_en": HOTSPOT_LABELS[hotspot]["en"],
    }
