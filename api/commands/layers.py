"""``riskmap layers``: list a workspace's layers and every stored version."""

from __future__ import annotations

from typing import Annotated

import typer

from api.options import WorkspaceOpt
from geo.workspace import Workspace


def layers(
    workspace: WorkspaceOpt,
    history: Annotated[bool, typer.Option(help="List every version, not only the current.")] = True,
) -> None:
    """List each layer's versions: * marks the current one; who, when, from which file."""
    ws = Workspace.open(workspace, require=())
    current = ws.versions()
    entries = ws.history() if history else list(current.values())
    if not entries:
        typer.echo(f"{ws.root}: no layers yet")
    for v in sorted(entries, key=lambda e: e.name):
        mark = "*" if current.get(v.name) and current[v.name].version == v.version else " "
        sha = f" sha256 {v.source_sha256[:12]}" if v.source_sha256 else ""
        typer.echo(
            f"{mark} {v.name:<18} {v.version}  {v.rows:>7} rows  {v.written_at}  "
            f"{v.action:<8} {v.actor:<8} {v.source}{sha}"
        )
