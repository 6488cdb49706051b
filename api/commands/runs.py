"""``riskmap runs``: list the score runs stored in a workspace."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from api.options import DEFAULT_WS, WorkspaceOpt
from geo.workspace import Workspace


def runs(
    workspace: WorkspaceOpt = DEFAULT_WS,
    as_json: Annotated[bool, typer.Option("--json", help="Print the records as JSON.")] = False,
) -> None:
    """List the stored score runs (oldest first): id, time, profile, weights and versions."""
    from dataclasses import asdict

    from risk.store import list_runs

    records = list_runs(Workspace.open(workspace))
    if as_json:
        typer.echo(json.dumps([asdict(r) for r in records], ensure_ascii=False, indent=2))
        return
    typer.echo(
        "run_id        created_at                 profile   as_of       communes  "
        "weights_hash  code"
    )
    for r in records:
        typer.echo(
            f"{r.run_id:<13} {r.created_at:<26} {r.profile:<9} {r.as_of or '-':<10} "
            f"{r.communes:>9}  {r.weights_hash:<12}  {r.code_version}"
        )
