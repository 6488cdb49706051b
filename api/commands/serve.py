"""``riskmap serve``: serve the API and maps of a workspace."""

from __future__ import annotations

import ipaddress

import typer

from api.options import DEFAULT_WS, HostOpt, PortOpt, WorkspaceOpt, say
from geo.workspace import Workspace


def serve(
    workspace: WorkspaceOpt = DEFAULT_WS, host: HostOpt = "127.0.0.1", port: PortOpt = 8000
) -> None:
    """Serve the API and maps of an existing workspace (Ctrl-C stops it)."""
    import uvicorn

    from api.app import create_app
    from api.settings import Settings

    if not is_loopback(host):
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


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback name or address (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
