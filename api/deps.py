"""Dependency seams of the HTTP API, as typed aliases tests can override."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from api.settings import Settings
from geo.workspace import Workspace
from risk.profiles import Profile, load_profile


def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]


def get_workspace(settings: SettingsDep) -> Workspace:
    """The configured workspace, opened (503 if it is missing or corrupt)."""
    return Workspace.open(settings.workspace)


WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]


def get_profile(
    settings: SettingsDep,
    profile: Annotated[
        str,
        Query(
            description="Profile name, e.g. patrol or outreach", pattern=r"^[a-z][a-z0-9_-]{0,39}$"
        ),
    ] = "patrol",
) -> Profile:
    """The profile named by ``?profile=`` (404 if unknown; names only, never paths)."""
    return load_profile(profile, settings.profiles_dir)


ProfileDep = Annotated[Profile, Depends(get_profile)]
