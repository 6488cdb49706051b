"""``riskmap map``: draw a stored run as an interactive map."""

from __future__ import annotations

from typing import Annotated

import typer

from api.logs import audit_to
from api.options import (
    DEFAULT_WS,
    LangOpt,
    OutputOpt,
    OverwriteOpt,
    ProfileOpt,
    WorkspaceOpt,
    refuse_clobber,
    say,
)
from geo.workspace import Workspace


def map_(
    workspace: WorkspaceOpt = DEFAULT_WS,
    profile: ProfileOpt = "patrol",
    output: OutputOpt = None,
    run: Annotated[str | None, typer.Option(help="Run id (default: latest).")] = None,
    lang: LangOpt = "vi",
    offline: Annotated[
        bool, typer.Option(help="No internet needed: no background tiles, scripts inlined.")
    ] = False,
    overwrite: OverwriteOpt = False,
) -> None:
    """Draw the interactive map of a stored run."""
    from api.render import write_map
    from risk.profiles import load_profile

    refuse_clobber(output, overwrite)
    ws = Workspace.open(workspace)
    with audit_to(ws.root):
        path = write_map(
            ws, load_profile(profile), run_id=run, lang=lang, output=output, offline=offline
        )
    size = path.stat().st_size / 1e6
    say(f"{'offline ' if offline else ''}map written to {path} ({size:.1f} MB)")
