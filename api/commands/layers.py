"""``riskmap layers``: list a workspace's layers and every stored version, per province too."""

from __future__ import annotations

from typing import Annotated

import typer

from api.options import WorkspaceOpt
from geo.names import province_key
from geo.workspace import LayerVersion, Workspace


def layers(
    workspace: WorkspaceOpt,
    history: Annotated[bool, typer.Option(help="List every version, not only the current.")] = True,
    province: Annotated[
        str | None, typer.Option(help="Only this province's versions (and the whole layers').")
    ] = None,
) -> None:
    """List each layer's versions, whole and per province: * marks the current ones.

    A province's version ends with "province NAME"; the others are the whole layer's.
    """
    ws = Workspace.open(workspace, require=())
    current = _current(ws)
    entries = ws.history() if history else list(current.values())
    if province is not None:
        entries = [e for e in entries if not e.province or _same(e.province, province)]
    if not entries:
        typer.echo(f"{ws.root}: no layers yet")
    for v in sorted(entries, key=lambda e: (e.name, e.province != "", province_key(e.province))):
        mark = "*" if current.get((v.name, v.province)) == v else " "
        sha = f" sha256 {v.source_sha256[:12]}" if v.source_sha256 else ""
        whose = f"  province {v.province}" if v.province else ""
        typer.echo(
            f"{mark} {v.name:<18} {v.version}  {v.rows:>7} rows  "
            f"{v.written_at}  {v.action:<8} {v.actor:<8} {v.source}{sha}{whose}"
        )


def _current(ws: Workspace) -> dict[tuple[str, str], LayerVersion]:
    """Current versions by (layer, province), ``""`` for the whole layer."""
    found = {(name, ""): v for name, v in ws.versions().items()}
    for name, parts in ws.parts().items():
        found.update({(name, p): v for p, v in parts.items()})
    return found


def _same(a: str, b: str) -> bool:
    return province_key(a) == province_key(b)
