"""The ``riskmap`` command line: a thin adapter over geo, risk and maps.

Each command lives in ``api/commands/<command>.py``; this module registers them, sets up
logging, and turns riskmap errors into one line on stderr.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from api.commands import (
    audit,
    backtest,
    compare,
    demo,
    export,
    ingest,
    init,
    keys,
    layers,
    plan,
    progress,
    rollback,
    runs,
    score,
    serve,
    validate,
)
from api.commands import map as map_cmd
from api.logs import configure_logging
from geo.errors import RiskmapError
from risk.version import code_version

#: One example per command, shown at the end of its ``--help``.
EXAMPLES = {
    "demo": "riskmap demo --workspace var/demo --no-serve",
    "score": "riskmap score --workspace var/demo --profile outreach",
    "runs": "riskmap runs --workspace var/demo",
    "compare": "riskmap compare --workspace var/demo --profile patrol --against 1a2b3c4d5e6f",
    "backtest": "riskmap backtest --workspace var/demo --profile patrol --holdout-period 2025",
    "map": "riskmap map --workspace var/demo --profile patrol --output patrol.html --offline",
    "export": "riskmap export --workspace var/demo --output patrol.pdf --format pdf",
    "serve": "riskmap serve --workspace var/demo --port 8000",
    "init": "riskmap init --workspace var/lao-cai",
    "ingest": "riskmap ingest venues.csv --workspace var/lao-cai --layer venues",
    "validate": "riskmap validate venues.csv --layer venues",
    "layers": "riskmap layers --workspace var/demo --history",
    "rollback": "riskmap rollback --workspace var/demo --layer venues --to 1a2b3c4d",
    "audit": "riskmap audit --workspace var/demo --last 20",
    "plan patrol": "riskmap plan patrol --workspace var/demo --k 5 --radius-km 10",
    "plan outreach": "riskmap plan outreach --workspace var/demo --profile outreach --budget 500",
    "plan segments": "riskmap plan segments --workspace var/demo --length-km 5",
    "keys create": "riskmap keys create --workspace var/demo --role analyst --label analyst-1",
    "keys list": "riskmap keys list --workspace var/demo",
    "keys revoke": "riskmap keys revoke 1a2b3c4d --workspace var/demo",
}


def _example(name: str) -> str:
    return f"Example: {EXAMPLES[name]}"


app = typer.Typer(
    help="Commune-level human-trafficking risk maps for Vietnamese provinces.",
    epilog="Example: riskmap demo (then open http://127.0.0.1:8000); "
    "'riskmap COMMAND --help' shows each command's example.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
COMMANDS = {
    "demo": demo.demo,
    "score": score.score,
    "runs": runs.runs,
    "compare": compare.compare,
    "backtest": backtest.backtest,
    "map": map_cmd.map_,
    "export": export.export,
    "serve": serve.serve,
    "init": init.init,
    "ingest": ingest.ingest,
    "validate": validate.validate,
    "layers": layers.layers,
    "rollback": rollback.rollback,
}
for _name, _command in COMMANDS.items():
    app.command(_name, epilog=_example(_name))(_command)
for _group, _sub in (("plan", plan.app), ("keys", keys.app)):
    for _info in _sub.registered_commands:
        _info.epilog = _example(f"{_group} {_info.name}")
    app.add_typer(_sub, name=_group)
app.command("audit", epilog=_example("audit"))(audit.audit)


def _version(show: bool) -> None:
    """Print the version (code and git commit) and stop."""
    if show:
        typer.echo(f"riskmap {code_version()}")
        raise typer.Exit()


@app.callback()
def main_options(
    verbose: Annotated[
        int, typer.Option("--verbose", "-v", count=True, help="More log lines (-vv: debug).")
    ] = 0,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only errors: no progress bar, no notes.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Set the log level for every command."""
    configure_logging(-1 if quiet else verbose)
    progress.QUIET["on"] = quiet


#: Errors a person can act on (bad data, a path that is a file, a full disk): one line, exit 1.
USER_ERRORS = (RiskmapError, OSError)


def main() -> None:
    """Console entry point: riskmap errors become one line on stderr and exit code 1."""
    try:
        app()  # usage errors are reported by Typer itself, with exit code 2
    except USER_ERRORS as err:
        typer.echo(f"riskmap: error: {err}", err=True)
        sys.exit(1)
