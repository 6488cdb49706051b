"""``riskmap init``: create an empty workspace."""

from __future__ import annotations

from api.logs import audit_to
from api.options import WorkspaceOpt, say
from geo.workspace import Workspace


def init(workspace: WorkspaceOpt) -> None:
    """Create an empty workspace folder (layers.gpkg) to ingest layers into."""
    with audit_to(workspace):
        ws = Workspace.init(workspace)
    say(f"workspace {ws.root} ready; add layers with 'riskmap ingest -w {ws.root} --layer ...'")
