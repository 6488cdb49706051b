"""``riskmap keys create|list|revoke``: manage API keys of a workspace."""

from __future__ import annotations

from typing import Annotated

import typer

from api.logs import audit_to
from api.options import DEFAULT_WS, WorkspaceOpt, say
from geo.workspace import Workspace

app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)


@app.command("create")
def create(
    role: Annotated[str, typer.Option(help="viewer, analyst or admin.")],
    workspace: WorkspaceOpt = DEFAULT_WS,
    province: Annotated[str | None, typer.Option(help="Limit the key to one province.")] = None,
    label: Annotated[str, typer.Option(help="Who holds the key, e.g. a district office.")] = "",
) -> None:
    """Create a key and print it once (only its hash is stored)."""
    from api.keys import create_key

    ws = Workspace.open(workspace)
    with audit_to(ws.root):
        key, record = create_key(ws, role=role, province=province, label=label)
    typer.echo(key)
    scope = f" for province {record.province}" if record.province else ""
    say(f"key {record.key_id} ({record.role}{scope}) created; it is shown only this once")


@app.command("list")
def list_(workspace: WorkspaceOpt = DEFAULT_WS) -> None:
    """List keys: id, role, province, label, created, revoked (never the keys)."""
    from api.keys import list_keys

    for r in list_keys(Workspace.open(workspace)):
        state = f"revoked {r.revoked_at}" if r.revoked_at else "active"
        typer.echo(f"{r.key_id}\t{r.role}\t{r.province or '*'}\t{r.label}\t{r.created_at}\t{state}")


@app.command("revoke")
def revoke(
    key_id: Annotated[str, typer.Argument(help="Key id from 'keys list'.")],
    workspace: WorkspaceOpt = DEFAULT_WS,
) -> None:
    """Revoke a key; requests with it are refused from now on."""
    from api.keys import revoke_key

    ws = Workspace.open(workspace)
    with audit_to(ws.root):
        record = revoke_key(ws, key_id)
    say(f"key {record.key_id} revoked at {record.revoked_at}")
