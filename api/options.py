"""Options shared by several ``riskmap`` commands, defined once."""

from __future__ import annotations

import re
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
HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.:-]{0,252})$")


def check_host(host: str) -> str:
    """Usage error unless ``host`` is an IP address or a host name."""
    if not HOST.match(host):
        raise typer.BadParameter(f"{host!r} is not an IP address or host name, e.g. 127.0.0.1")
    return host


HostOpt = Annotated[
    str,
    typer.Option(
        help="Address to listen on; off loopback every request needs an API key.",
        callback=check_host,
    ),
]
PortOpt = Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on (1-65535).")]
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
