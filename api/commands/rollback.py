"""``riskmap rollback``: make an earlier version of a layer current again."""

from __future__ import annotations

from typing import Annotated

import typer

from api.logs import audit_to
from api.options import LayerOpt, WorkspaceOpt, say
from geo.workspace import Workspace


def rollback(
    workspace: WorkspaceOpt,
    layer: LayerOpt,
    to: Annotated[str, typer.Option("--to", help="Version to restore (see 'riskmap layers').")],
) -> None:
    """Make version TO of a layer current again (the replaced version stays archived)."""
    ws = Workspace.open(workspace, require=())
    with audit_to(ws.root):
        version = ws.rollback(layer, to)
    say(f"{layer} is now version {version.version} ({version.rows} rows, from {version.source})")
