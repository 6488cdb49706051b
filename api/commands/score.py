"""``riskmap score``: score a workspace with a profile and store the run."""

from __future__ import annotations

from api.logs import audit_to
from api.options import DEFAULT_WS, ProfileOpt, WorkspaceOpt, say
from geo.workspace import Workspace


def score(workspace: WorkspaceOpt = DEFAULT_WS, profile: ProfileOpt = "patrol") -> None:
    """Score every commune of a workspace with a profile and store the run."""
    from risk.pipeline import score_workspace
    from risk.profiles import load_profile

    ws = Workspace.open(workspace)
    with audit_to(ws.root):
        run = score_workspace(ws, load_profile(profile))
    top = run.table.frame.sort_values("rank").iloc[0]
    say(
        f"run {run.record.run_id}: {run.record.communes} communes scored with "
        f"{run.record.profile}; top: {top['commune_code']} ({top['score']:.1f})"
    )
