"""Low-level files: atomic replacement, owner-only modes, locks, GeoTIFFs and content hashes.

:mod:`geo.workspace` writes every workspace file through these, and :mod:`maps.export` its
exports through :func:`replacing`. Every file is written beside its target under a temporary
name and moved into place with ``os.replace`` once complete, so a reader (or a process killed
half-way) only ever sees the old file or the new one; files are readable by their owner only.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import os
import secrets
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
from affine import Affine

from geo.errors import WorkspaceError

LOCK_NAME = ".riskmap.lock"
#: Modes of what riskmap writes: files and folders readable by their owner only.
FILE_MODE = 0o600
DIR_MODE = 0o700
T = TypeVar("T")


@dataclass(frozen=True)
class Raster:
    """A single-band raster to store: values, north-up transform and CRS."""

    values: np.ndarray
    transform: Affine
    crs: str
    description: str = ""


def private_dirs(path: Path) -> None:
    """Create folder ``path`` and its missing parents, readable by their owner only (0700)."""
    missing = []
    while not path.exists() and path.parent != path:
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        folder.mkdir(mode=DIR_MODE, exist_ok=True)
        os.chmod(folder, DIR_MODE)  # mkdir's mode is masked by the umask


def private_file(path: Path) -> Path:
    """Create file ``path`` (and its folders) if missing, readable by its owner only (0600)."""
    private_dirs(path.parent)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE))
    return path


@contextmanager
def replacing(targets: Iterable[Path]) -> Iterator[list[Path]]:
    """Yield temp paths beside ``targets``; on success move them into place (0600), else delete."""
    pairs = []
    for target in targets:
        private_dirs(target.parent)
        fd, name = tempfile.mkstemp(
            prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}", dir=target.parent
        )
        os.close(fd)
        os.unlink(name)
        pairs.append((Path(name), target))
    try:
        yield [tmp for tmp, _ in pairs]
        for tmp, target in pairs:
            os.chmod(tmp, FILE_MODE)
            os.replace(tmp, target)
    finally:
        for tmp, _ in pairs:
            tmp.unlink(missing_ok=True)


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` through a temp file, so readers never see half a file."""
    path = Path(path)
    with replacing([path]) as (tmp,):
        tmp.write_text(text, encoding="utf-8")
    return path


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created if missing) while the block runs.

    The lock is per open file, so it serialises threads of one process as well as processes;
    the kernel drops it when a holder dies, even by SIGKILL.
    """
    private_file(path)
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def writer_lock(root: Path) -> Iterator[None]:
    """Hold the workspace's exclusive writer lock; clear temp files a killed writer left."""
    with file_lock(root / LOCK_NAME):
        for stale in (*root.glob(".*.tmp.gpkg"), *root.glob(".*.tmp.tif")):
            stale.unlink(missing_ok=True)
        for stale in root.glob("versions/*/.*.tmp.*"):
            stale.unlink(missing_ok=True)
        yield


def write_geotiff(path: Path, raster: Raster) -> None:
    """Write ``raster`` as a deflate-compressed single-band GeoTIFF."""
    rows, cols = raster.values.shape
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=rows,
        width=cols,
        count=1,
        dtype=raster.values.dtype,
        crs=raster.crs,
        transform=raster.transform,
        compress="deflate",
        nodata=None,
    ) as dst:
        dst.write(raster.values, 1)
        if raster.description:
            dst.update_tags(DESCRIPTION=raster.description)
            dst.set_band_description(1, raster.description)


def _digest(key: bytes | None):
    """SHA-256, or HMAC-SHA256 under ``key`` when one is given."""
    return hashlib.sha256() if key is None else hmac.new(key, digestmod=hashlib.sha256)


def frame_hash(frame: pd.DataFrame, storage_crs: str, *, key: bytes | None = None) -> str:
    """Content hash of a frame (attributes and geometry as WKB): the layer's version.

    With ``key`` it is an HMAC-SHA256 under that key, so that nobody without the key can test
    guessed contents (e.g. every count of 1-4 people) against a version they are shown.
    """
    digest = _digest(key)
    attrs = (
        frame.drop(columns=[frame.geometry.name]) if isinstance(frame, gpd.GeoDataFrame) else frame
    )
    digest.update(pd.util.hash_pandas_object(attrs, index=False).to_numpy().tobytes())
    digest.update(",".join(map(str, attrs.columns)).encode())
    if isinstance(frame, gpd.GeoDataFrame):
        for wkb in frame.geometry.to_crs(storage_crs).to_wkb():
            digest.update(wkb if wkb is not None else b"")
    return digest.hexdigest()[:12]


def file_hash(path: Path, *, key: bytes | None = None) -> str:
    """First 12 hex digits of a file's SHA-256 (HMAC-SHA256 under ``key``): a raster's version."""
    digest = _digest(key)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:12]


#: Bytes of a workspace's secret key (random, see :func:`secret_key`).
SECRET_BYTES = 32


def secret_key(path: Path) -> bytes:
    """The random key stored in ``path`` (0600), created once if missing; never overwritten.

    The new key is written under a temporary name and linked into place, so concurrent
    writers all end up with the one key that was linked first, never a half-written one.
    """
    if not path.exists():
        private_dirs(path.parent)
        fd, name = tempfile.mkstemp(prefix=f"{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                os.fchmod(fh.fileno(), FILE_MODE)
                fh.write(secrets.token_bytes(SECRET_BYTES))
            os.link(name, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(name)
    key = path.read_bytes()
    if len(key) != SECRET_BYTES:
        raise WorkspaceError(
            f"{path.name} holds {len(key)} bytes but is expected to hold {SECRET_BYTES}; "
            "restore it from a backup of the workspace"
        )
    return key


def stat_key(path: str | Path) -> tuple[int, int, int] | None:
    """What identifies a file's contents: inode, mtime (ns) and size; None if it is missing.

    Writers replace files whole (a new inode each time), so the key changes on every write.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


class ReadCache:
    """A small thread-safe LRU of values read from files, valid while the file is unchanged.

    A value is kept only if the file's :func:`stat_key` was the same before and after the
    read, so a value read while a writer swapped the file in is never served later.
    """

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, path: Path, what: Hashable, read: Callable[[], T]) -> T:
        """``read()``'s value for ``what`` in ``path``, cached while ``path`` is unchanged."""
        before = stat_key(path)
        key = (os.path.abspath(path), before, what)
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]  # type: ignore[return-value]
        value = read()
        if before is not None and stat_key(path) == before:
            with self._lock:
                self._values[key] = value
                while len(self._values) > self.size:
                    self._values.popitem(last=False)
        return value
