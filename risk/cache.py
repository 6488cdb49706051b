"""Cache of per-commune values (indicators, population, neighbours), in memory and on disk.

An entry is keyed by what its values depend on: the versions (content hashes) of exactly the
layers it reads, the profile parameters it reads, the zonal engine and the code version. A new
version of one layer therefore misses only the entries that read it, and new weights or
method parameters miss nothing. Entries persist in the workspace, which names their files and
writes them atomically (:meth:`geo.workspace.Workspace.write_file`; a reader never sees half a
file; shared by every process on the workspace), and in a per-process LRU.

A persisted entry is trusted only if it parses, its page checksums verify, it names the key
it was asked for and the digest of its values matches; anything else is recomputed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from risk.version import code_version

if TYPE_CHECKING:
    from geo.workspace import Workspace

logger = logging.getLogger(__name__)

#: Bump when the meaning of a cached value changes without a code version change.
SCHEMA = 1
#: Entries kept in memory per process (an indicator of 10,000 communes is about 0.3 MB).
MEMORY_SIZE = 256
_META = b"riskmap"

_memory: OrderedDict[tuple[str, str], Entry] = OrderedDict()
_lock = threading.Lock()


@dataclass(frozen=True)
class Entry:
    """Cached values: a frame indexed like the communes, and notes made computing it."""

    frame: pd.DataFrame
    notes: tuple[str, ...] = ()


def cache_key(
    name: str,
    versions: Mapping[str, str],
    parameters: Mapping[str, Any] | None = None,
    *,
    engine: str = "",
) -> str:
    """File-safe key of entry ``name`` for these layer ``versions``, ``parameters`` and engine."""
    payload = json.dumps(
        [SCHEMA, code_version(), name, dict(versions), dict(parameters or {}), engine],
        sort_keys=True,
        default=str,
    )
    return f"{name}-{hashlib.sha256(payload.encode()).hexdigest()[:24]}"


class IndicatorCache:
    """Per-process LRU in front of the entries persisted in workspace ``ws``.

    ``ws=None`` keeps entries in memory only (a workspace that must not be written to).
    """

    def __init__(self, ws: Workspace | None) -> None:
        self.ws = ws
        self.root = None if ws is None else ws.root

    def path(self, key: str) -> Path:
        """Where entry ``key`` is persisted."""
        if self.ws is None:
            raise ValueError("this cache keeps entries in memory only")
        return self.ws.path(self.ws.cache_file(key))

    def get(self, key: str) -> Entry | None:
        """The entry stored under ``key``, or None when absent or not to be trusted."""
        slot = (str(self.root), key)
        with _lock:
            if slot in _memory:
                _memory.move_to_end(slot)
                return _memory[slot]
        entry = None if self.ws is None else _read(self.path(key), key)
        if entry is not None:
            self._remember(slot, entry)
        return entry

    def put(self, key: str, entry: Entry) -> None:
        """Store ``entry`` under ``key`` in memory and, atomically, in the workspace."""
        self._remember((str(self.root), key), entry)
        if self.ws is None:
            return
        try:
            self.ws.write_file(self.ws.cache_file(key), lambda tmp: _write(tmp, key, entry))
            logger.debug("cached %s", key)
        except OSError as err:  # a read-only workspace still scores, just without the cache
            logger.warning("could not persist cache entry %s: %s", key, err)

    def _remember(self, slot: tuple[str, str], entry: Entry) -> None:
        with _lock:
            _memory[slot] = entry
            _memory.move_to_end(slot)
            while len(_memory) > MEMORY_SIZE:
                _memory.popitem(last=False)


def clear_memory() -> None:
    """Forget every entry held in this process (persisted entries stay)."""
    with _lock:
        _memory.clear()


def _digest(frame: pd.DataFrame) -> str:
    values = pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes()
    return hashlib.sha256(values + ",".join(map(str, frame.columns)).encode()).hexdigest()


def _write(path: Path, key: str, entry: Entry) -> None:
    """Write ``entry`` to ``path`` as Parquet with its key, notes and digest, page-checksummed."""
    table = pa.Table.from_pandas(entry.frame, preserve_index=True)
    meta = {"key": key, "notes": list(entry.notes), "digest": _digest(entry.frame)}
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), _META: json.dumps(meta).encode()}
    )
    pq.write_table(table, path, write_page_checksum=True)


def _read(path: Path, key: str) -> Entry | None:
    if not path.is_file():
        return None
    try:
        table = pq.read_table(path, page_checksum_verification=True)
        meta = json.loads(table.schema.metadata[_META])
        frame = table.to_pandas()
        trusted = meta["key"] == key and meta["digest"] == _digest(frame)
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException) as err:
        logger.warning("cache entry %s is unreadable (%s); recomputing it", path.name, err)
        return None
    if not trusted:
        logger.warning("cache entry %s does not match its key or digest; recomputing", path.name)
        return None
    return Entry(frame, tuple(meta["notes"]))
