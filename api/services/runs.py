"""A stored run's summary for one caller: the variant its rule allows, its province's communes.

The run itself is already the caller's variant (viewers read runs scored from suppressed
counts, see :func:`api.security.get_principal`); here its top communes are limited to the
communes of the key's province today, so a province key learns nothing of other provinces.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from api.security import Principal, in_scope
from risk.runs import ScoreRun
from risk.summary import run_summary


def summary_for(run: ScoreRun, principal: Principal) -> dict[str, Any]:
    """``run``'s record and its top communes among those the caller may see."""
    if principal.province is None:
        return run_summary(run)
    mine = in_scope(run.table.frame, principal).reset_index(drop=True)
    return run_summary(replace(run, table=replace(run.table, frame=mine)))
