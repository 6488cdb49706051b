"""The ``riskmap`` command line: a thin adapter over geo, risk and maps."""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path
from typing import Annotated

import typer

from api.logs import audit_to, configure_logging
from geo.errors import RiskmapError
from geo.synthetic import DEMO_SEED
from geo.workspace import Workspace

app = typer.Typer(
    help="Commune-level human-trafficking risk maps for Vietnamese provinces.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

WorkspaceOpt = Annotated[Path, typer.Option("--workspace", "-w", help="Workspace folder.")]
ProfileOpt = Annotated[
    str, typer.Option("--profile", "-p", help="Profile name (patrol, outreach) or YAML file.")
]
HostOpt = Annotated[str, typer.Option(help="Address to listen on (loopback only for now).")]
PortOpt = Annotated[int, typer.Option(help="Port to listen on.")]
DEFAULT_WS = Path("var/demo")


def say(message: str) -> None:
    """One progress line on stderr."""
    typer.echo(message, err=True)


@app.callback()
def main_options(
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True)] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Set the log level for every command."""
    configure_logging(-1 if quiet else verbose)


@app.command()
def demo(
    workspace: WorkspaceOpt = DEFAULT_WS,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic province.")] = DEMO_SEED,
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the API and maps afterwards.")
    ] = True,
    overwrite: Annotated[bool, typer.Option(help="Replace a non-demo folder.")] = False,
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
) -> None:
    """Build the synthetic demo province, score it with every profile, draw the maps, serve."""
    from api.demo import build_demo

    result = build_demo(workspace, seed=seed, overwrite=overwrite, say=say)
    runs = ", ".join(f"{p} {r}" for p, r in result.runs.items())
    say(f"demo workspace {result.workspace} ready in {result.seconds:.1f} s (runs: {runs})")
    for path in result.maps:
        say(f"  map: {path}")
    if serve_after:
        serve(workspace=workspace, host=host, port=port)


@app.command("score")
def score_cmd(workspace: WorkspaceOpt = DEFAULT_WS, profile: ProfileOpt = "patrol") -> None:
    """Score every commune of a workspace with a profile and store the run."""
    from risk.pipeline import score_workspace
    from risk.profiles import load_profile

    ws = Workspace.open(workspace)
    with audit_to(ws.root):
        run = score_workspace(ws, load_profile(profile))
    top = run.table.frame.sort_values("rank").iloc[0]
    say(
        f"run {run.record.run_id}: {run.record.communes} communes scored with "
        f"{run.record.profile}; top: {top['commune_code']} ({top['score']:.1f})"
    )


@app.command("map")
def map_cmd(
    workspace: WorkspaceOpt = DEFAULT_WS,
    profile: ProfileOpt = "patrol",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="HTML file.")] = None,
    run: Annotated[str | None, typer.Option(help="Run id (default: latest).")] = None,
    lang: Annotated[str, typer.Option(help="Label language: vi or en.")] = "vi",
    overwrite: Annotated[bool, typer.Option(help="Replace an existing output file.")] = False,
) -> None:
    """Draw the interactive map of a stored run."""
    from api.render import write_map
    from risk.profiles import load_profile

    if output is not None and output.exists() and not overwrite:
        raise typer.BadParameter(f"{output} exists; pass --overwrite to replace it")
    ws = Workspace.open(workspace)
    with audit_to(ws.root):
        path = write_map(ws, load_profile(profile), run_id=run, lang=lang, output=output)
    say(f"map written to {path}")


@app.command()
def serve(
    workspace: WorkspaceOpt = DEFAULT_WS, host: HostOpt = "127.0.0.1", port: PortOpt = 8000
) -> None:
    """Serve the API and maps of an existing workspace (Ctrl-C stops it)."""
    import uvicorn

    from api.app import create_app
    from api.settings import Settings

    if not _is_loopback(host):
        raise typer.BadParameter(
            "API keys are not built yet, so riskmap only listens on a "
            "loopback address such as 127.0.0.1",
            param_hint="--host",
        )
    Workspace.open(workspace)
    say(f"serving {workspace} on http://{host}:{port} (Ctrl-C stops it)")
    uvicorn.run(
        create_app(Settings(workspace=workspace)), host=host, port=port, log_level="warning"
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main() -> None:
    """Console entry point: riskmap errors become one line on stderr and exit code 1."""
    try:
        app()  # usage errors are reported by Typer itself, with exit code 2
    except RiskmapError as err:
        typer.echo(f"riskmap: error: {err}", err=True)
        sys.exit(1)
