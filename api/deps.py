"""Dependency seams of the HTTP API, as typed aliases tests can override."""

from __future__ import annotations

import atexit
import re
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi import Path as PathParam

from api.settings import Settings
from geo.parallel import Executor, executor_for
from geo.workspace import Workspace
from risk.errors import UnknownProfileError
from risk.profiles import Profile, load_profile


def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]


def get_workspace(settings: SettingsDep) -> Workspace:
    """The configured workspace, opened (503 if it is missing or corrupt)."""
    return Workspace.open(settings.workspace)


WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]


#: A profile name over HTTP: a file ``<name>.yaml`` of the profiles folder, never a path.
PROFILE_NAME = r"^[a-z][a-z0-9_-]{0,39}$"
ProfileName = Annotated[
    str, PathParam(description="Profile name, e.g. patrol or outreach", pattern=PROFILE_NAME)
]


def named_profile(name: str, settings: Settings) -> Profile:
    """The profile called ``name`` in the profiles folder (404 for anything else, paths too)."""
    if not re.fullmatch(PROFILE_NAME, name):
        raise UnknownProfileError(f'"{name[:60]}" is not a profile name (a-z, 0-9, _ and -)')
    return load_profile(name, settings.profiles_dir)


def get_profile(
    settings: SettingsDep,
    profile: Annotated[
        str, Query(description="Profile name, e.g. patrol or outreach", pattern=PROFILE_NAME)
    ] = "patrol",
) -> Profile:
    """The profile named by ``?profile=`` (404 if unknown; names only, never paths)."""
    return named_profile(profile, settings)


ProfileDep = Annotated[Profile, Depends(get_profile)]


_executors: dict[str, Executor] = {}
_executors_lock = threading.Lock()
_executors_exit = ExitStack()
atexit.register(_executors_exit.close)


def executor_from(settings: Settings) -> Executor | None:
    """Where zonal statistics and Monte Carlo draws run for the service.

    None with ``RISKMAP_EXECUTOR=local`` (this process, the fastest at province and national
    scale); with ``dask``, one client per process to ``RISKMAP_SCHEDULER_ADDRESS`` (or a local
    cluster when empty), connected on first use and closed when the process exits.
    """
    if settings.executor == "local":
        return None
    address = settings.scheduler_address
    with _executors_lock:
        if address not in _executors:
            _executors[address] = _executors_exit.enter_context(
                executor_for("dask", address=address)
            )
        return _executors[address]


@contextmanager
def executor_scope(settings: Settings) -> Iterator[Executor | None]:
    """:func:`executor_from` for one command: a cluster started here is closed at the end."""
    if settings.executor == "local":
        yield None
        return
    with executor_for("dask", address=settings.scheduler_address) as ex:
        yield ex
