"""API keys: created once and shown once, stored only as SHA-256 hashes in the workspace.

Roles, from least to most: ``viewer`` (read scores, maps, plans, exports with small counts
suppressed), ``analyst`` (also upload layers, store runs, see exact counts), ``admin`` (also
manage keys). A key may be scoped to one province.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import ipaddress
import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal

from fastapi import Request

from api.settings import Settings
from geo.errors import NotFoundError, RiskmapError
from geo.storage import private_file
from geo.workspace import KEYS_FILE, Workspace

Role = Literal["viewer", "analyst", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "analyst", "admin")
PREFIX = "rmk_"


class KeyRequestError(RiskmapError, ValueError):
    """A key request is invalid (unknown role, empty label...)."""


@dataclass(frozen=True)
class KeyRecord:
    """What is stored of a key: never the key itself, only its hash."""

    key_id: str
    role: Role
    province: str | None
    label: str
    created_at: str
    key_hash: str
    revoked_at: str | None = None

    def allows(self, needed: Role) -> bool:
        """Whether this key's role is at least ``needed``."""
        return ROLES.index(self.role) >= ROLES.index(needed)


def hash_key(key: str) -> str:
    """SHA-256 of a key (keys are 256-bit random, so no slow hash is needed)."""
    return hashlib.sha256(key.encode()).hexdigest()


def list_keys(ws: Workspace) -> list[KeyRecord]:
    """Every key record, revoked ones included."""
    if not (ws.root / KEYS_FILE).is_file():
        return []
    return [KeyRecord(**record) for record in ws.read_json(KEYS_FILE)]


def create_key(
    ws: Workspace, *, role: str, province: str | None = None, label: str = "", actor: str = "cli"
) -> tuple[str, KeyRecord]:
    """Create a key; return it (the only time it is ever available) and its stored record."""
    if role not in ROLES:
        raise KeyRequestError(f'role "{role}" is not one of {", ".join(ROLES)}')
    key = PREFIX + secrets.token_urlsafe(32)
    record = KeyRecord(
        key_id=secrets.token_hex(4),
        role=role,
        province=province or None,  # type: ignore[arg-type]
        label=label.strip(),
        created_at=_now(),
        key_hash=hash_key(key),
    )
    with _locked(ws):
        _store(ws, [*list_keys(ws), record], actor)
    return key, record


def revoke_key(ws: Workspace, key_id: str, *, actor: str = "cli") -> KeyRecord:
    """Mark key ``key_id`` revoked; it stops working at once."""
    with _locked(ws):
        records = list_keys(ws)
        hits = [r for r in records if r.key_id == key_id]
        if not hits:
            raise NotFoundError(f'key "{key_id}" does not exist (see riskmap keys list)')
        revoked = KeyRecord(**{**asdict(hits[0]), "revoked_at": hits[0].revoked_at or _now()})
        _store(ws, [revoked if r.key_id == key_id else r for r in records], actor)
    return revoked


def has_live_keys(ws: Workspace) -> bool:
    """Whether the workspace has a key that is not revoked (re-read only when the file changes)."""
    path = ws.root / KEYS_FILE
    try:
        stat = path.stat()
    except OSError:
        return False
    return _has_live_keys(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _has_live_keys(path: str, mtime_ns: int, size: int) -> bool:
    records = json.loads(Path(path).read_text(encoding="utf-8"))
    return any(record.get("revoked_at") is None for record in records)


def keys_required(request: Request, settings: Settings, ws: Workspace) -> bool:
    """Whether a request without a key is refused, however the app was started.

    Yes when the settings say so, when the workspace has a live key, or when the request
    arrived on an address that is not loopback (``uvicorn --host 0.0.0.0`` included).
    """
    if settings.require_keys or has_live_keys(ws):
        return True
    server = request.scope.get("server") or ("127.0.0.1", 0)
    try:  # ASGI servers give the local IP the request arrived on; test clients give a name
        return not ipaddress.ip_address(str(server[0]).strip("[]")).is_loopback
    except ValueError:
        return False


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback name or address (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def find_key(ws: Workspace, key: str) -> KeyRecord | None:
    """The live record of ``key``, or None if it is unknown or revoked."""
    digest = hash_key(key)
    for record in list_keys(ws):
        if hmac.compare_digest(record.key_hash, digest) and record.revoked_at is None:
            return record
    return None


def _store(ws: Workspace, records: list[KeyRecord], actor: str) -> None:
    ws.write_json(KEYS_FILE, [asdict(r) for r in records], actor=actor)


@contextmanager
def _locked(ws: Workspace) -> Iterator[None]:
    """Serialise read-modify-write of the key file between processes."""
    with open(private_file(ws.root / ".keys.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
