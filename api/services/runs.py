"""A stored run's summary for one caller: the variant its rule allows, its province's communes.

The run itself is already the caller's variant (viewers read runs scored from suppressed
counts, see :func:`api.security.get_principal`); here its top communes are limited to the
communes of the key's province today, so a province key learns nothing of other provinces.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from typing import Any

import pandas as pd

from api.security import Principal, in_scope
from geo.errors import QueryError
from geo.workspace import Workspace
from risk.compare import Comparison, compare_tables, comparison_label
from risk.privacy import Suppression, viewing
from risk.results import PLACE_COLUMNS, RunRecord
from risk.runs import ScoreRun
from risk.store import load_run, run_layer
from risk.summary import run_summary


def summary_for(run: ScoreRun, principal: Principal) -> dict[str, Any]:
    """``run``'s record and its top communes among those the caller may see."""
    if principal.province is None:
        return run_summary(run)
    mine = in_scope(run.table.frame, principal).reset_index(drop=True)
    return run_summary(replace(run, table=replace(run.table, frame=mine)))


@dataclass(frozen=True)
class RunPair:
    """Two runs compared: the records and the comparison (communes the caller may see)."""

    current: RunRecord
    against: RunRecord
    comparison: Comparison


def compare_runs(
    ws: Workspace,
    against: str,
    *,
    run_id: str | None = None,
    profile: str | None = None,
    top_k: int | None = None,
    rule: Suppression | None = None,
    principal: Principal | None = None,
) -> RunPair:
    """Run ``run_id`` (default: ``profile``'s latest) compared with run ``against``.

    Both runs are read inside :func:`risk.privacy.viewing` ``(rule)``: with a rule, the
    viewers' variants (scored from suppressed counts) and counts compared as they see them.
    A province key's comparison holds only its communes. ``top_k`` defaults to the run's.
    """
    with viewing(rule):
        current = load_run(ws, profile if run_id is None else None, run_id)
        other = load_run(ws, None, against)
        _comparable(current.record, other.record)
        frames = [_named(ws, run) for run in (current, other)]
    if principal is not None:
        frames = [in_scope(f, principal) for f in frames]
    k = top_k or current.record.top_k or 10
    result = compare_tables(frames[0], frames[1], top_k=k, rule=rule)
    return RunPair(current.record, other.record, result)


def _comparable(current: RunRecord, other: RunRecord) -> None:
    """Raise :class:`QueryError` for a run compared with itself or with another profile's run."""
    if current.run_id == other.run_id:
        raise QueryError(
            f"run {current.run_id[:8]} cannot be compared with itself; "
            "expected another run of the same profile (see 'riskmap runs')"
        )
    if current.profile != other.profile:
        raise QueryError(
            f'run {current.run_id[:8]} (profile "{current.profile}") cannot be compared with run '
            f'{other.run_id[:8]} (profile "{other.profile}"): their scores weigh different '
            "indicators; expected two runs of the same profile"
        )


def _named(ws: Workspace, run: ScoreRun) -> pd.DataFrame:
    """The run's scores with the names of its communes (as the run scored them)."""
    communes = run_layer(ws, run.record, "communes")
    names = [c for c in PLACE_COLUMNS if c in communes.columns]
    places = pd.DataFrame(communes[names]).assign(commune_code=communes["commune_code"].astype(str))
    return places.merge(run.table.frame, on="commune_code", how="inner", validate="1:1")


def comparison_out(
    ws: Workspace, run_id: str, other: str, principal: Principal, top: int | None, lang: str
) -> dict[str, Any]:
    """:func:`compare_runs` for one caller (its count rule and province), JSON-ready."""
    rule = principal.read_rule()
    pair = compare_runs(ws, other, run_id=run_id, top_k=top, rule=rule, principal=principal)
    c = pair.comparison
    lists = ("risers", "fallers", "entering", "leaving", "changes")
    return {
        "run": asdict(pair.current),
        "against": asdict(pair.against),
        "top_k": c.top_k,
        "label": comparison_label(pair.against.run_id, pair.against.as_of, lang),
        **{name: _rows(getattr(c, name)) for name in lists},
        "only_current": list(c.only_current),
        "only_previous": list(c.only_previous),
    }


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON values: nulls for gaps, plain numbers (no NaN)."""
    return json.loads(frame.to_json(orient="records", force_ascii=False))
