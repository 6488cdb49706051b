"""``riskmap rollback``: make an earlier version of a layer (or of one province's rows) current."""

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
    province: Annotated[
        str | None,
        typer.Option(help="Restore only this province's rows (the others stay as they are)."),
    ] = None,
) -> None:
    """Make version TO of a layer, or of one province's rows, current again (nothing is lost)."""
    ws = Workspace.open(workspace, require=())
    with audit_to(ws.root):
        version = ws.rollback(layer, to, province=province)
    whose = f"{layer} of province {version.province}" if version.province else layer
    say(f"{whose} is now version {version.version} ({version.rows} rows, from {version.source})")
