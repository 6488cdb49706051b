"""``riskmap audit``: show the workspace's audit trail (every write, key change and export)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from api.options import DEFAULT_WS, WorkspaceOpt
from geo.workspace import Workspace

COLUMNS = ("time", "actor", "event", "layer", "version", "rows", "status")


def audit(
    workspace: WorkspaceOpt = DEFAULT_WS,
    last: Annotated[int | None, typer.Option(help="Only the last N entries.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Print the audit trail, oldest first."""
    ws = Workspace.open(workspace)
    path = ws.audit_log
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    for line in lines[-last:] if last else lines:
        if as_json:
            typer.echo(line)
            continue
        entry = json.loads(line)
        typer.echo("\t".join(str(entry.get(c, "")) for c in COLUMNS))
