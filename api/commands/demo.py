"""``riskmap demo``: build the synthetic province, score it, draw its maps, serve."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from api.commands.serve import serve
from api.options import DEFAULT_WS, HostOpt, PortOpt, WorkspaceOpt, say
from geo.synthetic import DEMO_SEED


class AdminStructure(StrEnum):
    """Viet Nam's administrative structure the demo is built in."""

    old = "2009"
    new = "2025"


def demo(
    workspace: WorkspaceOpt = DEFAULT_WS,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic province.")] = DEMO_SEED,
    admin: Annotated[
        AdminStructure,
        typer.Option(
            help="Administrative structure: 2009 (province, district, commune; the default, as "
            "most history is keyed by old communes) or 2025 (province and merged communes, no "
            "district; history re-keyed through a crosswalk)."
        ),
    ] = AdminStructure.old,
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the API and maps afterwards.")
    ] = True,
    overwrite: Annotated[bool, typer.Option(help="Replace a non-demo folder.")] = False,
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
) -> None:
    """Build the synthetic demo province, score it with every profile, draw the maps, serve."""
    from api.demo import build_demo

    result = build_demo(workspace, seed=seed, admin=admin.value, overwrite=overwrite, say=say)
    runs = ", ".join(f"{p} {r}" for p, r in result.runs.items())
    say(f"demo workspace {result.workspace} ready in {result.seconds:.1f} s (runs: {runs})")
    for path in result.maps:
        say(f"  map: {path}")
    if serve_after:
        serve(workspace=workspace, host=host, port=port)
