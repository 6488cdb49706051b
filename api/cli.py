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
    demo,
    export,
    ingest,
    init,
    keys,
    layers,
    plan,
    rollback,
    runs,
    score,
    serve,
    validate,
)
from api.commands import map as map_cmd
from api.logs import configure_logging
from geo.errors import RiskmapError

app = typer.Typer(
    help="Commune-level human-trafficking risk maps for Vietnamese provinces.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("demo")(demo.demo)
app.command("score")(score.score)
app.command("runs")(runs.runs)
app.command("backtest")(backtest.backtest)
app.command("map")(map_cmd.map_)
app.command("export")(export.export)
app.command("serve")(serve.serve)
app.command("init")(init.init)
app.command("ingest")(ingest.ingest)
app.command("validate")(validate.validate)
app.command("layers")(layers.layers)
app.command("rollback")(rollback.rollback)
app.add_typer(plan.app, name="plan")
app.add_typer(keys.app, name="keys")
app.command("audit")(audit.audit)


@app.callback()
def main_options(
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True)] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Set the log level for every command."""
    configure_logging(-1 if quiet else verbose)


def main() -> None:
    """Console entry point: riskmap errors become one line on stderr and exit code 1."""
    try:
        app()  # usage errors are reported by Typer itself, with exit code 2
    except RiskmapError as err:
        typer.echo(f"riskmap: error: {err}", err=True)
        sys.exit(1)
