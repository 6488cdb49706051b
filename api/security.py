"""Who is calling: API key → role and province scope, as FastAPI dependencies.

Keys travel in ``Authorization: Bearer <key>`` or ``X-API-Key``. Without a key, a keyless
workspace answers reads on loopback as an anonymous viewer; once the workspace has a live key,
a request arrives off loopback, or ``RISKMAP_REQUIRE_KEYS=true``, every request but ``/health``
is refused (:func:`api.keys.keys_required`). Writes always need a key.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Annotated, TypeVar

import pandas as pd
from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from api.deps import SettingsDep, WorkspaceDep
from api.keys import ROLES, Role, find_key, keys_required
from api.settings import Settings
from geo.errors import RiskmapError
from geo.names import province_key
from geo.places import in_province
from geo.workspace import Workspace
from risk.privacy import Suppression, set_view

FrameT = TypeVar("FrameT", bound=pd.DataFrame)


class AuthenticationError(RiskmapError, PermissionError):
    """No key where one is needed, or a key that is unknown or revoked (HTTP 401)."""


class PermissionDeniedError(RiskmapError, PermissionError):
    """A valid key whose role or province does not allow this request (HTTP 403)."""


@dataclass(frozen=True)
class Principal:
    """The caller: role, province scope (None = every province), key id, label, count rule."""

    role: Role
    province: str | None = None
    key_id: str | None = None
    label: str = "anonymous"
    suppression: Suppression = field(default_factory=Suppression)
    #: Codes of the communes in ``province`` today (the current communes layer); None: all.
    codes: frozenset[str] | None = None

    def allows(self, needed: Role) -> bool:
        """Whether the caller's role is at least ``needed``."""
        return ROLES.index(self.role) >= ROLES.index(needed)

    @property
    def exact_counts(self) -> bool:
        """Whether the caller may see exact small counts (analysts and admins)."""
        return self.allows("analyst")

    def read_rule(self) -> Suppression | None:
        """How counts reach this caller in API responses: exact (None) for analysts and up."""
        return None if self.exact_counts else self.suppression

    def export_rule(self, *, exact: bool = False) -> Suppression | None:
        """How counts go into an export: suppressed unless an analyst asks for ``exact``."""
        if not exact:
            return self.suppression
        if not self.exact_counts:
            raise PermissionDeniedError(
                f"the {self.role} role cannot export exact counts; leave out exact=true "
                "for an export with small counts suppressed"
            )
        return None


ANONYMOUS = Principal("viewer")


def suppression_of(settings: Settings) -> Suppression:
    """The small-count rule configured by ``RISKMAP_SUPPRESSION_MODE`` and friends."""
    return Suppression(
        mode=settings.suppression_mode,
        threshold=settings.small_count_threshold,
        round_base=settings.round_base,
    )


def presented_key(request: Request) -> str | None:
    """The key in ``Authorization: Bearer`` or ``X-API-Key``, if any."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    return request.headers.get("x-api-key") or None


async def get_principal(request: Request, settings: SettingsDep, ws: WorkspaceDep) -> Principal:
    """The caller behind the request's key; every stored run it reads is read under its rule.

    The one place that chooses what the request may compute from: it sets
    :func:`risk.privacy.set_view` to the caller's :meth:`Principal.read_rule` (None for
    analysts), so every run the request loads or scores (:func:`risk.store.load_run`,
    :func:`risk.pipeline.score_workspace`, plans, maps, exports) is a viewer's variant,
    scored from suppressed counts only, unless the caller may see exact counts. It runs on the
    event loop (async) so the setting reaches the route, which runs in a worker thread.
    """
    principal = await run_in_threadpool(resolve_principal, request, settings, ws)
    set_view(principal.read_rule())
    return principal


def resolve_principal(request: Request, settings: Settings, ws: Workspace) -> Principal:
    """The caller behind the request's key, or the anonymous viewer on a loopback server."""
    key = presented_key(request)
    rule = suppression_of(settings)
    if key is None:
        if keys_required(request, settings, ws):
            raise AuthenticationError(
                "this server needs an API key: send "
                "'Authorization: Bearer <key>' or 'X-API-Key: <key>'"
            )
        return replace(ANONYMOUS, suppression=rule)
    record = find_key(ws, key)
    if record is None:
        raise AuthenticationError("the API key is unknown or revoked")
    label = record.label or f"key {record.key_id}"  # an unlabelled key is named by its id
    request.state.principal_label = label
    codes = None if record.province is None else current_codes(ws, record.province)
    return Principal(record.role, record.province, record.key_id, label, rule, codes)


def current_codes(ws: Workspace, province: str) -> frozenset[str]:
    """Codes of the communes of ``province`` in the workspace's current communes layer."""
    communes = in_province(ws.read_layer("communes"), province)
    return frozenset(communes["commune_code"].astype(str))


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require(role: Role):
    """Dependency that lets through only callers with at least ``role`` and a key."""

    def check(principal: PrincipalDep) -> Principal:
        if principal.key_id is None and role != "viewer":
            raise AuthenticationError(
                f"this request changes data and needs an API key with the {role} role"
            )
        if not principal.allows(role):
            raise PermissionDeniedError(
                f"the {principal.role} role cannot do this; it needs {role} or above"
            )
        return principal

    return check


AnalystDep = Annotated[Principal, Depends(require("analyst"))]
AdminDep = Annotated[Principal, Depends(require("admin"))]


def in_scope(frame: FrameT, principal: Principal) -> FrameT:
    """Rows of ``frame`` the caller may see: all, or those of the key's province today.

    Rows with a ``commune_code`` are the key's when the commune is in its province in the
    current communes layer, whatever province an older run or layer recorded; other rows go by
    their ``province_name``.
    """
    if principal.province is None:
        return frame
    if principal.codes is not None and "commune_code" in frame.columns:
        return frame[frame["commune_code"].astype(str).isin(principal.codes)]
    return in_province(frame, principal.province)


def check_province(principal: Principal, province: str | None) -> None:
    """Refuse a request that names a province outside the caller's scope (spelling aside)."""
    if principal.province is None or province is None:
        return
    if province_key(province) != province_key(principal.province):
        raise PermissionDeniedError(f'this key is limited to province "{principal.province}"')
