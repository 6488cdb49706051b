"""Plain summaries of a run for the command line and the API (pure)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from risk.runs import ScoreRun


def run_summary(run: ScoreRun, top: int = 5) -> dict[str, Any]:
    """The run's record (JSON-ready) plus its ``top`` communes with score, class and reasons."""
    frame = run.table.frame.sort_values("rank").head(top)
    wanted = ("rank_p05", "rank_p95", "p_top_k", "class_uncertain", "hotspot")
    columns = [c for c in wanted if c in frame]
    best = [
        {
            "rank": int(row["rank"]),
            "commune_code": str(row["commune_code"]),
            "score": round(float(row["score"]), 2),
            "class": int(row["class"]),
            "class_label_en": str(row["class_label_en"]),
            **{c: row[c].item() if hasattr(row[c], "item") else row[c] for c in columns},
            "reasons_en": run.table.reasons(str(row["commune_code"]), "en"),
        }
        for _, row in frame.iterrows()
    ]
    record = asdict(run.record)
    uncertainty = dict(run.record.extra or {}).get("uncertainty", {"sources": ["weights"]})
    return {**record, "uncertainty": uncertainty, "top": best}
