"""``riskmap serve``: serve the API and maps of a workspace."""

from __future__ import annotations

import typer

from api.keys import is_loopback
from api.options import DEFAULT_WS, HostOpt, PortOpt, WorkspaceOpt, say
from geo.workspace import Workspace


def serve(
    workspace: WorkspaceOpt = DEFAULT_WS, host: HostOpt = "127.0.0.1", port: PortOpt = 8000
) -> None:
    """Serve the API and maps of an existing workspace (Ctrl-C stops it)."""
    import uvicorn

    from api.app import create_app
    from api.keys import list_keys
    from api.settings import Settings

    ws = Workspace.open(workspace)
    settings = Settings(workspace=workspace)  # RISKMAP_* from the environment, then options
    require_keys = settings.require_keys or not is_loopback(host)
    if require_keys and not any(k.revoked_at is None for k in list_keys(ws)):
        raise typer.BadParameter(
            f"off loopback every request needs an API key and {workspace} has none; create "
            "one with 'riskmap keys create --role admin' first",
            param_hint="--host",
        )
    say(
        f"serving {workspace} on http://{host}:{port} (Ctrl-C stops it)"
        + ("; API keys required" if require_keys else "")
    )
    uvicorn.run(
        create_app(settings.model_copy(update={"require_keys": require_keys})),
        host=host,
        port=port,
        log_level="warning",
    )
