"""Options shared by several ``riskmap`` commands, defined once."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

DEFAULT_WS = Path("var/demo")

WorkspaceOpt = Annotated[Path, typer.Option("--workspace", "-w", help="Workspace folder.")]
ProfileOpt = Annotated[
    str, typer.Option("--profile", "-p", help="Profile name (patrol, outreach) or YAML file.")
]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Output file.")]
OverwriteOpt = Annotated[bool, typer.Option(help="Replace an existing output.")]


class Lang(StrEnum):
    """Label languages the maps and exports have texts for (a ``str``: "vi" or "en")."""

    vi = "vi"
    en = "en"


LangOpt = Annotated[Lang, typer.Option(help="Label language: vi or en.")]
HostOpt = Annotated[
    str, typer.Option(help="Address to listen on; off loopback every request needs an API key.")
]
PortOpt = Annotated[int, typer.Option(help="Port to listen on.")]
LayerOpt = Annotated[
    str, typer.Option("--layer", "-l", help="Layer: communes, border, crossings, venues, ...")
]


def say(message: str) -> None:
    """One progress line on stderr."""
    typer.echo(message, err=True)


def refuse_clobber(output: Path | None, overwrite: bool) -> None:
    """Usage error if ``output`` exists and ``--overwrite`` was not given."""
    if output is not None and output.exists() and not overwrite:
        raise typer.BadParameter(f"{output} exists; pass --overwrite to replace it")
