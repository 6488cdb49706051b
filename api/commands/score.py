"""``riskmap score``: score a workspace with a profile (and custom weights) and store the run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from api.commands.progress import progress_bar
from api.logs import audit_to
from api.options import DEFAULT_WS, ProfileOpt, WorkspaceOpt, say
from geo.workspace import Workspace

WeightsOpt = Annotated[
    Path | None,
    typer.Option("--weights", help="YAML/JSON file of indicator weights (summing to 1)."),
]
SetOpt = Annotated[
    str | None,
    typer.Option(
        "--set",
        help="Change weights or parameters: name=value,... (other weights rescale to sum to 1).",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the run's summary as JSON.")]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Score with only the records known by this date: YYYY, YYYY-MM or YYYY-MM-DD.",
    ),
]


def score(
    workspace: WorkspaceOpt = DEFAULT_WS,
    profile: ProfileOpt = "patrol",
    weights: WeightsOpt = None,
    settings: SetOpt = None,
    as_json: JsonOpt = False,
    as_of: AsOfOpt = None,
) -> None:
    """Score every commune of a workspace with a profile and store the run."""
    from api.deps import executor_scope
    from api.settings import get_settings
    from risk.pipeline import score_workspace
    from risk.profiles import load_profile, load_weights, parse_settings
    from risk.summary import run_summary

    chosen = load_profile(profile)
    if weights is not None:
        chosen = chosen.with_weights(load_weights(weights), source=weights.name)
    if settings:
        chosen = chosen.with_settings(parse_settings(settings))
    ws = Workspace.open(workspace)
    config = get_settings()
    with audit_to(ws.root), executor_scope(config) as executor, progress_bar() as progress:
        engine = config.zonal_engine
        run = score_workspace(
            ws,
            chosen,
            zonal_engine=engine,
            executor=executor,
            progress=progress,
            as_of=as_of or "",
        )
    summary = run_summary(run)
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    top = summary["top"][0]
    dated = f" as of {summary['as_of']}" if summary.get("as_of") else ""
    say(
        f"run {summary['run_id']}: {summary['communes']} communes scored with "
        f"{summary['profile']}{dated}; top: {top['commune_code']} ({top['score']:.1f})"
    )
