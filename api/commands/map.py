"""``riskmap map``: draw a stored run as an interactive map."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from api.commands.progress import progress_bar, stage
from api.logs import audit_to
from api.options import (
    DEFAULT_WS,
    LangOpt,
    OutputOpt,
    OverwriteOpt,
    WorkspaceOpt,
    refuse_clobber,
    say,
)
from geo.workspace import Workspace

if TYPE_CHECKING:
    from risk.profiles import Profile

RunOpt = Annotated[
    str | None, typer.Option(help="Run id (default: the profile's latest; see 'riskmap runs').")
]
RunProfileOpt = Annotated[
    str | None,
    typer.Option(
        "--profile",
        "-p",
        help="Profile name or YAML file (default: the run's own with --run, else patrol).",
    ),
]


def profile_for(ws: Workspace, profile: str | None, run: str | None) -> Profile:
    """The profile named; with only ``run``, the stored run's own, so any run re-draws as is."""
    from risk.errors import ProfileError
    from risk.profiles import load_profile, profile_from_dict
    from risk.store import load_run

    if profile is not None or run is None:
        return load_profile(profile or "patrol")
    record = load_run(ws, None, run).record
    try:
        return load_profile(record.profile)
    except ProfileError:  # scored from a YAML file that is not at hand: the record suffices
        data = {"name": record.profile, "weights": record.weights, "parameters": record.parameters}
        return profile_from_dict(data, source=f"run {run}")


def map_(
    workspace: WorkspaceOpt = DEFAULT_WS,
    profile: RunProfileOpt = None,
    output: OutputOpt = None,
    run: RunOpt = None,
    lang: LangOpt = "vi",
    offline: Annotated[
        bool, typer.Option(help="No internet needed: no background tiles, scripts inlined.")
    ] = False,
    overwrite: OverwriteOpt = False,
) -> None:
    """Draw the interactive map of a stored run (its own scores and commune polygons)."""
    from api.render import write_map

    refuse_clobber(output, overwrite)
    ws = Workspace.open(workspace)
    chosen = profile_for(ws, profile, run)
    with audit_to(ws.root), progress_bar() as progress, stage(progress, "map drawn"):
        path = write_map(ws, chosen, run_id=run, lang=lang, output=output, offline=offline)
    size = path.stat().st_size / 1e6
    say(f"{'offline ' if offline else ''}map written to {path} ({size:.1f} MB)")
