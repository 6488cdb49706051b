"""Liveness and workspace status."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import SettingsDep
from api.schemas import Health
from geo.errors import RiskmapError
from geo.workspace import Workspace
from risk.version import code_version

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(settings: SettingsDep) -> Health:
    """Service status; ``workspace_ok`` tells whether the workspace opens (never where it is)."""
    try:
        Workspace.open(settings.workspace)
        ok = True
    except RiskmapError:
        ok = False
    return Health(status="ok", version=code_version(), workspace_ok=ok)
