"""The workspace folder and every path in it: the only writer of stored data.

A workspace holds ``layers.gpkg`` and GeoTIFFs, ``runs/<run_id>/`` (``record.json``,
``scores.csv``, ``plans/``), ``cache/indicators/``, ``maps/``, ``keys.json`` and
``audit.log``; other modules ask :class:`Workspace` for these paths and never spell them.
Everything it writes is readable by its owner only (files 0600, folders 0700).

Every write goes to a temporary file that replaces the old one only once complete, so a failed
or killed write leaves the previous version in place; writers take an exclusive lock; every
write is logged on ``riskmap.audit``. Each layer version is a content hash. When a version is
replaced, it is first archived under ``versions/<layer>/<version>.gpkg`` (or ``.tif``) so that
:meth:`Workspace.rollback` can bring it back; ``riskmap_history`` in the GeoPackage lists every
version ever written with who, when and the source file's SHA-256.

A layer can also be written province by province (:meth:`Workspace.write_partition`): an upload
replaces that province's rows only, as a new version of the province's rows (current ones in
``riskmap_parts``, archived as ``versions/<layer>/parts-<version>.gpkg``) and a new whole-layer
version merged from every province's; :meth:`Workspace.rollback` takes ``province=`` too.
Workspaces written before have no ``riskmap_parts`` and read as they always did.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import geopandas as gpd
import pandas as pd
import pyogrio
from pyogrio.errors import DataSourceError

from geo.crs import STORAGE_CRS
from geo.errors import LayerError, NotFoundError, WorkspaceError
from geo.names import province_key
from geo.partitions import (
    is_partitioned,
    merge_parts,
    outside_reason,
    overlap_reason,
    row_provinces,
    spelled_as,
    split_provinces,
)
from geo.places import describe_rows
from geo.schema import REQUIRED_LAYERS, validate_layer
from geo.storage import (
    Raster,
    ReadCache,
    file_hash,
    file_lock,
    frame_hash,
    private_dirs,
    replacing,
    secret_key,
    stat_key,
    write_geotiff,
    write_text_atomic,
    writer_lock,
)

__all__ = ["GPKG_NAME", "LayerVersion", "Raster", "Workspace", "write_text_atomic"]

logger = logging.getLogger(__name__)
audit = logging.getLogger("riskmap.audit")

GPKG_NAME = "layers.gpkg"
VERSIONS_TABLE = "riskmap_layers"
HISTORY_TABLE = "riskmap_history"
PARTS_TABLE = "riskmap_parts"
ARCHIVE = "versions"
PARTS = "parts"
RUNS = Path("runs")
PLANS = "plans"
CACHE = Path("cache") / "indicators"
MAPS = Path("maps")
KEYS_FILE = "keys.json"
AUDIT_LOG = "audit.log"
RECORD = "record.json"
#: The workspace's random key for layer versions (0600); never served, never exported.
SECRET_FILE = ".riskmap.secret"
#: Tables and layers read from ``layers.gpkg``, kept while the file is unchanged (every write
#: replaces it whole), so a busy server does not re-read them on every request.
_reads = ReadCache(size=32)
#: Layers up to this many rows are kept in memory between reads (larger ones are re-read).
CACHED_ROWS = 50_000


@dataclass(frozen=True)
class LayerVersion:
    """One stored layer version: content hash, rows, when, from what, by whom, how."""

    name: str
    version: str
    rows: int
    written_at: str
    source: str
    actor: str = ""
    source_sha256: str = ""
    action: str = "write"
    #: The province whose rows this version holds ("": the whole layer).
    province: str = ""
    #: For a whole layer merged from provinces' versions: JSON ``{province: version}``.
    parts: str = ""


_FIELDS = list(LayerVersion.__dataclass_fields__)


class Workspace:
    """A riskmap workspace folder; open an existing one with :meth:`open`."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    @property
    def gpkg(self) -> Path:
        """Path of the GeoPackage holding every vector layer and table."""
        return self.root / GPKG_NAME

    def raster_path(self, name: str) -> Path:
        """Path of raster layer ``name`` (a GeoTIFF beside the GeoPackage)."""
        return self.root / f"{name}.tif"

    # Paths inside the workspace, relative to its root (what write_text and read_json take).
    def run_file(self, run_id: str, name: str) -> Path:
        """Relative path of file ``name`` (``record.json``, ``scores.csv``) of run ``run_id``."""
        return RUNS / run_id / name

    def plan_file(self, run_id: str, name: str) -> Path:
        """Relative path of plan file ``name`` made from run ``run_id``."""
        return RUNS / run_id / PLANS / name

    def map_file(self, profile: str) -> Path:
        """Relative path of the stored interactive map of ``profile``."""
        return MAPS / f"{profile}.html"

    def cache_file(self, key: str) -> Path:
        """Relative path of persisted cache entry ``key`` (Parquet)."""
        return CACHE / f"{key}.parquet"

    @property
    def keys_file(self) -> Path:
        """Relative path of the API key records."""
        return Path(KEYS_FILE)

    @property
    def audit_log(self) -> Path:
        """Path of the audit trail (one JSON object per line)."""
        return self.root / AUDIT_LOG

    def path(self, relpath: str | Path) -> Path:
        """Absolute path of ``relpath`` inside the workspace."""
        return self.root / relpath

    def run_records(self) -> list[Path]:
        """Relative paths of every completed run's ``record.json``, sorted by path."""
        return sorted(p.relative_to(self.root) for p in (self.root / RUNS).glob(f"*/{RECORD}"))

    def plan_files(self, run_id: str) -> list[Path]:
        """Relative paths of the plans stored for run ``run_id``, oldest write first."""
        folder = self.root / RUNS / run_id / PLANS
        files = (
            sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime)
            if folder.is_dir()
            else []
        )
        return [p.relative_to(self.root) for p in files]

    @classmethod
    def open(cls, root: str | Path, *, require: Iterable[str] = REQUIRED_LAYERS) -> Workspace:
        """Open an existing workspace, checking its GeoPackage and the ``require``d layers."""
        ws = cls(root)
        if not ws.root.is_dir():
            raise WorkspaceError(
                f"workspace {ws.root} does not exist; create one with "
                f"'riskmap init --workspace {ws.root}' or build the demo with "
                f"'riskmap demo --no-serve --workspace {ws.root}'"
            )
        if not ws.gpkg.is_file():
            raise WorkspaceError(
                f"workspace {ws.root} has no {GPKG_NAME}; it is not a riskmap "
                "workspace or was never completed"
            )
        stored = ws.versions()
        missing = [name for name in require if name not in stored]
        if missing:
            raise WorkspaceError(
                f"workspace {ws.root} has no {missing[0]} layer; load it with "
                f"'riskmap ingest --workspace {ws.root} --layer {missing[0]} FILE'"
            )
        return ws

    @classmethod
    def init(cls, root: str | Path) -> Workspace:
        """Create an empty workspace in a new or empty folder, or open the existing one."""
        ws = cls(root)
        if ws.gpkg.is_file():
            return cls.open(root, require=())
        if ws.root.exists() and any(not p.name.startswith(".riskmap") for p in ws.root.iterdir()):
            raise WorkspaceError(
                f"{ws.root} is a folder with other files and no {GPKG_NAME}; "
                "choose a new or empty folder for the workspace"
            )
        private_dirs(ws.root)
        with writer_lock(ws.root):
            ws._write_gpkg({}, {}, [])
        audit.info("create workspace %s", ws.root, extra={"file": GPKG_NAME, "actor": "cli"})
        return ws

    def versions(self) -> dict[str, LayerVersion]:
        """Current version of every stored layer (vector, table and raster), by name."""
        return {v.name: v for v in self._table(VERSIONS_TABLE)}

    def history(self, name: str | None = None) -> list[LayerVersion]:
        """Every version written (oldest first), of layer ``name`` or of all layers.

        Whole-layer versions have ``province == ""``; a province's versions name it.
        """
        entries = self._table(HISTORY_TABLE) if self.gpkg.exists() else []
        return [e for e in entries if name is None or e.name == name]

    def parts(self, name: str | None = None) -> dict[str, dict[str, LayerVersion]]:
        """Current version of each province's rows, by layer and province (uploads by province)."""
        found: dict[str, dict[str, LayerVersion]] = {}
        for v in self._table(PARTS_TABLE) if self.gpkg.exists() else []:
            if name is None or v.name == name:
                found.setdefault(v.name, {})[v.province] = v
        return found

    def layer_parts(self, versions: Mapping[str, str]) -> dict[str, dict[str, str]]:
        """The provinces' versions that each whole-layer version of ``versions`` merged."""
        merged = {}
        for e in self.history():
            if not e.province and e.parts and versions.get(e.name) == e.version:
                merged[e.name] = json.loads(e.parts)
        return merged

    def _table(self, table: str) -> list[LayerVersion]:
        return list(_reads.get(self.gpkg, ("table", table), lambda: self._read_table(table)))

    def _read_table(self, table: str) -> list[LayerVersion]:
        try:
            if table not in pyogrio.list_layers(self.gpkg)[:, 0]:
                return []
            frame = pyogrio.read_dataframe(self.gpkg, layer=table)
        except DataSourceError as err:
            raise WorkspaceError(f"{self.gpkg} is not a readable GeoPackage ({err})") from None
        for column in _FIELDS:
            if column not in frame.columns:
                frame[column] = "write" if column == "action" else ""
        frame["rows"] = frame["rows"].astype(int)
        return [LayerVersion(**row._asdict()) for row in frame[_FIELDS].itertuples(index=False)]

    def kind(self, name: str) -> Literal["vector", "table", "raster"]:
        """How layer ``name`` is stored: features with geometry, a plain table, or a GeoTIFF."""
        if name not in self.versions():
            raise NotFoundError(f'layer "{name}" is not in workspace {self.root}')
        stored = dict(pyogrio.list_layers(self.gpkg))
        if name not in stored:
            return "raster"
        return "table" if stored[name] is None else "vector"

    def read_current(self, name: str, *, attempts: int = 5) -> tuple[LayerVersion, pd.DataFrame]:
        """Layer ``name`` and the version it was read at (re-read if replaced meanwhile).

        Each read opens one complete ``layers.gpkg`` (writers swap it in whole), so checking
        the version before and after a read guarantees the frame is that version's.
        """
        for _ in range(attempts):
            before = self.versions().get(name)
            frame = self.read_layer(name)
            if self.versions().get(name) == before:
                return before, frame  # type: ignore[return-value]
        raise WorkspaceError(f'layer "{name}" kept changing while it was read; try again')

    @contextmanager
    def layer_lock(self, name: str) -> Iterator[None]:
        """Hold the lock that serialises whole uploads (check + store) of layer ``name``."""
        with file_lock(self.root / f".riskmap-{name}.lock"):
            yield

    def stamp(self) -> tuple:
        """A token that changes whenever stored layers, runs or keys change (stats only, cheap).

        Built from the identity (inode, mtime, size) of ``layers.gpkg``, ``keys.json`` and
        every run's ``record.json``; each is replaced whole on every write.
        """
        try:
            runs = sorted(e.path for e in os.scandir(self.root / RUNS) if e.is_dir())
        except FileNotFoundError:
            runs = []
        return (
            stat_key(self.gpkg),
            stat_key(self.root / KEYS_FILE),
            tuple((run, stat_key(os.path.join(run, RECORD))) for run in runs),
        )

    def has_layer(self, name: str) -> bool:
        """Whether layer ``name`` is stored in this workspace."""
        return name in self.versions()

    def read_layer(self, name: str, version: str | None = None) -> pd.DataFrame:
        """Stored layer ``name`` (current, or an archived ``version``), in EPSG:4326."""
        current = self.versions().get(name)
        if current is None:
            raise NotFoundError(f'layer "{name}" is not in workspace {self.root}')
        if version not in (None, current.version):
            return _read_frame(self._archived(name, version, raster=False), None)
        if current.rows > CACHED_ROWS:
            return _read_frame(self.gpkg, name)
        return _reads.get(self.gpkg, ("layer", name), lambda: _read_frame(self.gpkg, name)).copy()

    def write_layers(
        self,
        frames: Mapping[str, pd.DataFrame],
        *,
        rasters: Mapping[str, Raster] | None = None,
        source: str,
        actor: str = "cli",
        source_sha256: str = "",
    ) -> dict[str, LayerVersion]:
        """Validate and store all ``frames`` and ``rasters``, or nothing; return the versions."""
        for name, frame in frames.items():
            validate_layer(name, frame)
        rasters = rasters or {}
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        with writer_lock(self.root):
            new = {
                name: LayerVersion(
                    name, self._version(f), len(f), stamp, source, actor, source_sha256
                )
                for name, f in frames.items()
            }
            with replacing(self.raster_path(n) for n in rasters) as tmp_rasters:
                for (name, raster), tmp in zip(rasters.items(), tmp_rasters, strict=True):
                    write_geotiff(tmp, raster)
                    new[name] = LayerVersion(
                        name, self.content_version(tmp), 1, stamp, source, actor, source_sha256
                    )
                current = self._versions_or_empty()
                self._archive_replaced(current, new, rasters=set(rasters))
                self._write_gpkg(frames, {**current, **new}, new.values())
        self._audit(new.values())
        return new

    def content_version(self, content: pd.DataFrame | Path) -> str:
        """Version of a frame or raster file: HMAC-SHA256 under the workspace's secret (12 hex).

        Keyed, so that a version (and a run id made from versions) shown to a viewer cannot be
        tested against guessed contents, such as every count of 1-4 people hidden as "<5".
        The secret is created on the first write; versions written before it stay as they were.
        """
        key = secret_key(self.root / SECRET_FILE)
        if isinstance(content, Path):
            return file_hash(content, key=key)
        return frame_hash(content, STORAGE_CRS, key=key)

    def _version(self, frame: pd.DataFrame) -> str:
        """The version of a layer's (or one province's) rows: their keyed content hash.

        The one place every vector version is computed, whole layers and provinces alike.
        """
        return self.content_version(frame)

    def write_partition(
        self,
        name: str,
        province: str,
        frame: pd.DataFrame,
        *,
        source: str,
        actor: str = "cli",
        source_sha256: str = "",
    ) -> LayerVersion:
        """Replace ``province``'s rows of layer ``name`` with ``frame``; return their version.

        The other provinces' rows stay as stored. The whole layer gets a new version merged
        from every province's current version (listed in its ``parts``); the replaced whole
        version and each province's version are archived, so either can be rolled back.

        Raises
        ------
        LayerError
            For a national layer (border, population), a row of ``frame`` outside ``province``
            (or naming another), a commune code another province already holds, a commune over
            another province's communes, or a dropped commune code other layers still use.
        """
        validate_layer(name, frame)
        if not is_partitioned(name):
            raise LayerError(
                None, f'layer "{name}" is national: it is replaced whole, not by province'
            )
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        entry = LayerVersion(name, "", len(frame), stamp, source, actor, source_sha256, "write")
        with writer_lock(self.root):
            part, written = self._replace_part(replace(entry, province=province), frame)
        self._audit(written)
        return part

    def _replace_part(
        self, entry: LayerVersion, rows: pd.DataFrame
    ) -> tuple[LayerVersion, list[LayerVersion]]:
        """Store ``rows`` as ``entry.province``'s part of layer ``entry.name`` (lock held)."""
        name, current = entry.name, self._versions_or_empty()
        communes = rows if name == "communes" else self._partition_communes(name)
        _check_part(rows, entry, communes)
        province = spelled_as(entry.province, communes)
        part = replace(entry, province=province, version=self._version(rows), rows=len(rows))
        stored = _read_frame(self.gpkg, name) if name in current else rows.iloc[:0]
        kept, split, frames, unowned = self._other_parts(stored, part, communes, current)
        _check_codes(name, rows, frames)
        parts = {**kept, province: part}
        merged = merge_parts(unowned, {**frames, province: rows})
        validate_layer(name, merged)
        if name == "communes":
            self._check_territory(entry.source, rows, frames, stored, merged)
        whole = replace(
            part,
            version=self._version(merged),
            rows=len(merged),
            source=f"{part.source} ({province})",
            province="",
            parts=json.dumps({p: v.version for p, v in sorted(parts.items())}, ensure_ascii=False),
        )
        self._archive_part(part, rows)
        self._archive_replaced(current, {name: whole}, rasters=set())
        all_parts = {**self.parts(), name: parts}
        written = [*split, part, whole]
        self._write_gpkg({name: merged}, {**current, name: whole}, written, parts=all_parts)
        return part, written

    def _other_parts(self, stored, part: LayerVersion, communes, current):
        """The other provinces' current versions and rows, the new ones found, the unowned rows.

        A province keeps its current version (its rows are not touched). A province's rows
        stored before it had a version of its own (a layer written whole) get one now, the
        uploading province's too (so it can roll back to them), recorded and archived as a
        ``split`` of the whole version they came from.
        """
        groups, unowned = split_provinces(stored, row_provinces(stored, part.name, communes))
        before = {province_key(p): v for p, v in self.parts(part.name).get(part.name, {}).items()}
        kept, split, frames = {}, [], {}
        for province, rows in groups.items():
            version = before.get(province_key(province))
            if version is None:
                origin = current[part.name]
                version = replace(
                    origin, version=self._version(rows), rows=len(rows), action="split"
                )
                version = replace(version, province=province, parts="")
                split.append(version)
                self._archive_part(version, rows)
            if province_key(province) != province_key(part.province):
                kept[version.province], frames[version.province] = version, rows
        return kept, split, frames, unowned

    def _check_territory(
        self,
        source: str,
        rows: pd.DataFrame,
        others: dict[str, pd.DataFrame],
        stored: pd.DataFrame,
        merged: pd.DataFrame,
    ) -> None:
        """Refuse new communes over another province's, or dropping codes still referenced."""
        reason = overlap_reason(rows, others)
        if reason:
            raise LayerError(source, reason, column="geometry")
        removed = set(stored["commune_code"].astype(str)) - set(merged["commune_code"].astype(str))
        if not removed:
            return
        used, codes = {}, set()
        for layer in self.versions():
            frame = self._referencing(layer)
            hits = frame["commune_code"].isin(removed) if frame is not None else None
            if hits is not None and hits.any():
                used[layer] = int(hits.sum())
                codes |= set(frame["commune_code"][hits])
        if used:
            shown = sorted(codes)
            counts = ", ".join(f"{n}: {c} rows" for n, c in sorted(used.items()))
            raise LayerError(
                source,
                f"this upload removes commune_code {', '.join(shown[:10])}"
                f"{' …' if len(shown) > 10 else ''} still referenced by rows of other layers "
                f"({counts}); re-key or remove those rows first",
                column="commune_code",
            )

    def _referencing(self, layer: str) -> pd.DataFrame | None:
        """Stored rows of ``layer`` if they name communes by code (not the communes layer)."""
        if layer == "communes" or self.kind(layer) == "raster":
            return None
        frame = _read_frame(self.gpkg, layer)
        return frame if "commune_code" in frame.columns else None

    def _partition_communes(self, name: str) -> pd.DataFrame:
        if not self.has_layer("communes"):
            raise WorkspaceError(
                f'the rows of layer "{name}" belong to provinces through their communes; '
                f"load the communes layer into {self.root} first"
            )
        return _read_frame(self.gpkg, "communes")

    def _part_path(self, name: str, version: str) -> Path:
        return self.root / ARCHIVE / name / f"{PARTS}-{version}.gpkg"

    def _archive_part(self, version: LayerVersion, rows: pd.DataFrame) -> None:
        """Archive one province's rows (once; archives are immutable) for a rollback."""
        target = self._part_path(version.name, version.version)
        if target.exists():
            return
        with replacing([target]) as (tmp,):
            pyogrio.write_dataframe(_storable(rows), tmp, layer=version.name, driver="GPKG")

    def _rollback_part(self, name: str, to: str, province: str, actor: str) -> LayerVersion:
        """Make version ``to`` of ``province``'s rows of layer ``name`` current again."""
        key = province_key(province)
        with writer_lock(self.root):
            if name not in self.versions():
                raise NotFoundError(f'layer "{name}" is not in workspace {self.root}')
            mine = [e for e in self.history(name) if e.province and province_key(e.province) == key]
            now = {province_key(p): v for p, v in self.parts(name).get(name, {}).items()}
            if key in now and now[key].version == to:
                return now[key]
            known = [e for e in mine if e.version == to]
            if not known:
                listed = ", ".join(dict.fromkeys(e.version for e in mine)) or "none"
                raise NotFoundError(
                    f'layer "{name}" has no version {to} for province "{province}" '
                    f"(known: {listed})"
                )
            rows = _read_frame(self._part_path(name, to), None)
            stamp = datetime.now(UTC).isoformat(timespec="seconds")
            entry = replace(known[-1], written_at=stamp, actor=actor, action="rollback")
            part, written = self._replace_part(entry, rows)
        self._audit(written)
        return part

    def rollback(
        self, name: str, to: str, *, actor: str = "cli", province: str | None = None
    ) -> LayerVersion:
        """Make archived version ``to`` of layer ``name`` (or of ``province``'s rows) current.

        A whole-layer rollback forgets the provinces' versions of that layer; a province's
        rollback replaces its rows only and leaves the other provinces' as they are.
        """
        if province is not None:
            return self._rollback_part(name, to, province, actor)
        with writer_lock(self.root):
            current = self.versions()
            if name not in current:
                raise NotFoundError(f'layer "{name}" is not in workspace {self.root}')
            if current[name].version == to:
                return current[name]
            whole = [e for e in self.history(name) if not e.province]
            known = [e for e in whole if e.version == to]
            if not known:
                listed = ", ".join(dict.fromkeys(e.version for e in whole))
                raise NotFoundError(f'layer "{name}" has no version {to} (known: {listed})')
            stamp = datetime.now(UTC).isoformat(timespec="seconds")
            new = replace(known[-1], written_at=stamp, actor=actor, action="rollback")
            raster = self.raster_path(name).exists() and not self._is_vector(name)
            archived = self._archived(name, to, raster=raster)
            self._archive_replaced(current, {name: new}, rasters={name} if raster else set())
            frames = {} if raster else {name: pyogrio.read_dataframe(archived)}
            with replacing([self.raster_path(name)] if raster else []) as tmp_rasters:
                for tmp in tmp_rasters:
                    shutil.copy2(archived, tmp)
                self._write_gpkg(frames, {**current, name: new}, [new])
        self._audit([new])
        return new

    def _is_vector(self, name: str) -> bool:
        return name in pyogrio.list_layers(self.gpkg)[:, 0]

    def _archive_path(self, name: str, version: str, *, raster: bool) -> Path:
        return self.root / ARCHIVE / name / f"{version}.{'tif' if raster else 'gpkg'}"

    def _archived(self, name: str, version: str, *, raster: bool) -> Path:
        path = self._archive_path(name, version, raster=raster)
        if not path.is_file():
            raise NotFoundError(
                f'version {version} of layer "{name}" is not archived in {self.root / ARCHIVE}'
            )
        return path

    def _archive_replaced(
        self, current: Mapping[str, LayerVersion], new: Mapping[str, LayerVersion], *, rasters
    ) -> None:
        """Archive each current version that ``new`` replaces (once; archives are immutable)."""
        for name, version in new.items():
            old = current.get(name)
            if old is None or old.version == version.version:
                continue
            raster = name in rasters
            target = self._archive_path(name, old.version, raster=raster)
            if target.exists():
                continue
            with replacing([target]) as (tmp,):
                if raster:
                    shutil.copy2(self.raster_path(name), tmp)
                else:
                    frame = pyogrio.read_dataframe(self.gpkg, layer=name)
                    pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG")

    def _versions_or_empty(self) -> dict[str, LayerVersion]:
        return self.versions() if self.gpkg.exists() else {}

    def _parts_or_empty(self) -> dict[str, dict[str, LayerVersion]]:
        return self.parts() if self.gpkg.exists() else {}

    def _write_gpkg(
        self,
        frames: Mapping[str, pd.DataFrame],
        versions: Mapping[str, LayerVersion],
        written: Iterable[LayerVersion],
        *,
        parts: Mapping[str, Mapping[str, LayerVersion]] | None = None,
    ) -> None:
        """Swap in a new ``layers.gpkg``: ``frames``, ``versions``, history plus ``written``.

        ``parts`` are the provinces' current versions; by default those of every layer not
        written now (a layer written whole has no provinces' versions any more).
        """
        written = list(written)
        if parts is None:
            whole = {w.name for w in written}
            parts = {n: p for n, p in self._parts_or_empty().items() if n not in whole}
        history = [*self.history(), *written]
        tables = (
            (VERSIONS_TABLE, versions.values()),
            (HISTORY_TABLE, history),
            (PARTS_TABLE, [v for p in parts.values() for v in p.values()]),
        )
        with replacing([self.gpkg]) as (tmp,):
            if self.gpkg.exists():
                shutil.copy2(self.gpkg, tmp)
            for name, frame in frames.items():
                pyogrio.write_dataframe(_storable(frame), tmp, layer=name, driver="GPKG")
            for table, rows in tables:
                pyogrio.write_dataframe(_version_frame(rows), tmp, layer=table, driver="GPKG")

    def _audit(self, versions: Iterable[LayerVersion]) -> None:
        for v in versions:
            extra = {"layer": v.name, "rows": v.rows, "version": v.version, "actor": v.actor}
            if v.province:
                extra["province"] = v.province
            audit.info(
                "%s layer %s%s",
                v.action,
                v.name,
                f" of province {v.province}" if v.province else "",
                extra=extra,
            )

    def write_text(self, relpath: str | Path, text: str, *, actor: str = "cli") -> Path:
        """Write a UTF-8 text file (a map, a record) inside the workspace atomically."""
        path = write_text_atomic(self.root / relpath, text)
        audit.info("write file %s", relpath, extra={"file": str(relpath), "actor": actor})
        return path

    def write_json(self, relpath: str | Path, payload: object, *, actor: str = "cli") -> Path:
        """Write ``payload`` as pretty, key-sorted JSON inside the workspace atomically."""
        text = json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False)
        return self.write_text(relpath, text + "\n", actor=actor)

    def write_file(self, relpath: str | Path, write: Callable[[Path], None]) -> Path:
        """Write a derived file (a cache entry) atomically through ``write(tmp)``; not audited."""
        path = self.root / relpath
        with replacing([path]) as (tmp,):
            write(tmp)
        return path

    def read_text(self, relpath: str | Path) -> str:
        """A UTF-8 text file stored inside the workspace."""
        path = self.root / relpath
        if not path.is_file():
            raise NotFoundError(f"{relpath} is not in workspace {self.root}")
        return path.read_text(encoding="utf-8")

    def read_json(self, relpath: str | Path) -> object:
        """Parse a JSON file stored inside the workspace."""
        path = self.root / relpath
        if not path.is_file():
            raise NotFoundError(f"{relpath} is not in workspace {self.root}")
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except ValueError as err:
            raise WorkspaceError(f"{path} is corrupt: {err}") from None


def _read_frame(path: Path, layer: str | None) -> pd.DataFrame:
    """A stored layer with its code columns as text."""
    frame = pyogrio.read_dataframe(path, layer=layer)
    for column in ("commune_code", "period"):
        if column in frame.columns:
            frame[column] = frame[column].astype(str)
    return frame


def _storable(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame as it is written: geometry in EPSG:4326, a plain 0..n-1 index."""
    if isinstance(frame, gpd.GeoDataFrame):
        frame = frame.to_crs(STORAGE_CRS)
    return frame.reset_index(drop=True)


def _check_part(rows: pd.DataFrame, entry: LayerVersion, communes: pd.DataFrame | None) -> None:
    """Refuse rows of a province's part that lie outside it (listing their row numbers)."""
    reason = outside_reason(rows, entry.name, entry.province, communes)
    if reason:
        raise LayerError(
            entry.source, f"{reason}; a province's upload holds that province's rows only"
        )


def _check_codes(name: str, rows: pd.DataFrame, others: Mapping[str, pd.DataFrame]) -> None:
    """Refuse communes whose codes another province's communes already hold."""
    if name != "communes":
        return
    codes = rows["commune_code"].astype(str)
    for province, frame in others.items():
        taken = codes.isin(set(frame["commune_code"].astype(str))).to_numpy()
        if taken.any():
            shown = ", ".join(codes[taken].iloc[:10])
            raise LayerError(
                None,
                f"{describe_rows(rows.index[taken])}: commune_code {shown} already belongs "
                f'to province "{province}"; commune codes are unique across provinces',
                column="commune_code",
            )


def _version_frame(rows: Iterable[LayerVersion]) -> pd.DataFrame:
    frame = pd.DataFrame([asdict(v) for v in rows], columns=_FIELDS)
    return frame.astype({"rows": "int64"}).astype({c: str for c in _FIELDS if c != "rows"})
