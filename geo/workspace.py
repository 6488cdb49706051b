"""The workspace folder (``layers.gpkg`` + GeoTIFFs + runs + maps): the only writer of stored data.

Every write goes to a temporary file that replaces the old one only once complete, so a failed
write leaves the previous version in place; every write is logged on ``riskmap.audit``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import rasterio
from affine import Affine
from pyogrio.errors import DataSourceError

from geo.crs import STORAGE_CRS
from geo.errors import NotFoundError, WorkspaceError
from geo.schema import REQUIRED_LAYERS, validate_layer

logger = logging.getLogger(__name__)
audit = logging.getLogger("riskmap.audit")

GPKG_NAME = "layers.gpkg"
VERSIONS_TABLE = "riskmap_layers"


@dataclass(frozen=True)
class LayerVersion:
    """One stored layer: content hash (its version), rows, when and from what it was written."""

    name: str
    version: str
    rows: int
    written_at: str
    source: str


@dataclass(frozen=True)
class Raster:
    """A single-band raster to store: values, north-up transform and CRS."""

    values: np.ndarray
    transform: Affine
    crs: str
    description: str = ""


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

    @classmethod
    def open(cls, root: str | Path) -> Workspace:
        """Open an existing workspace, checking that its GeoPackage is readable."""
        ws = cls(root)
        if not ws.root.is_dir():
            raise WorkspaceError(
                f"workspace {ws.root} does not exist; build one with "
                f"'riskmap demo --no-serve --workspace {ws.root}'"
            )
        if not ws.gpkg.is_file():
            raise WorkspaceError(
                f"workspace {ws.root} has no {GPKG_NAME}; it is not a riskmap "
                "workspace or was never completed"
            )
        missing = [name for name in REQUIRED_LAYERS if name not in ws.versions()]
        if missing:
            raise WorkspaceError(f"workspace {ws.root} has no {missing[0]} layer")
        return ws

    def versions(self) -> dict[str, LayerVersion]:
        """Stored layers (vector, table and raster) by name, with their versions."""
        try:
            table = pyogrio.read_dataframe(self.gpkg, layer=VERSIONS_TABLE)
        except DataSourceError as err:
            raise WorkspaceError(f"{self.gpkg} is not a readable GeoPackage ({err})") from None
        return {
            row.name: LayerVersion(**row._asdict())
            for row in table[list(LayerVersion.__dataclass_fields__)].itertuples(index=False)
        }

    def has_layer(self, name: str) -> bool:
        """Whether layer ``name`` is stored in this workspace."""
        return name in self.versions()

    def read_layer(self, name: str) -> pd.DataFrame:
        """Stored layer ``name``: a GeoDataFrame in EPSG:4326, or a DataFrame for tables."""
        if not self.has_layer(name):
            raise NotFoundError(f'layer "{name}" is not in workspace {self.root}')
        frame = pyogrio.read_dataframe(self.gpkg, layer=name)
        for column in ("commune_code", "period"):
            if column in frame.columns:
                frame[column] = frame[column].astype(str)
        return frame

    def write_layers(
        self,
        frames: Mapping[str, pd.DataFrame],
        *,
        rasters: Mapping[str, Raster] | None = None,
        source: str,
        actor: str = "cli",
    ) -> dict[str, LayerVersion]:
        """Validate and store all ``frames`` and ``rasters``, or nothing; return the versions."""
        for name, frame in frames.items():
            validate_layer(name, frame)
        self.root.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        new = {
            name: LayerVersion(name, _frame_hash(f), len(f), stamp, source)
            for name, f in frames.items()
        }
        with _replacing(self.raster_path(n) for n in (rasters or {})) as tmp_rasters:
            for (name, raster), tmp in zip((rasters or {}).items(), tmp_rasters, strict=True):
                _write_geotiff(tmp, raster)
                new[name] = LayerVersion(name, _file_hash(tmp), 1, stamp, source)
            self._write_gpkg(frames, {**self._versions_or_empty(), **new})
        for version in new.values():
            audit.info(
                "write layer %s",
                version.name,
                extra={
                    "layer": version.name,
                    "rows": version.rows,
                    "version": version.version,
                    "actor": actor,
                },
            )
        return new

    def _versions_or_empty(self) -> dict[str, LayerVersion]:
        return self.versions() if self.gpkg.exists() else {}

    def _write_gpkg(
        self, frames: Mapping[str, pd.DataFrame], versions: Mapping[str, LayerVersion]
    ) -> None:
        with _replacing([self.gpkg]) as (tmp,):
            if self.gpkg.exists():
                shutil.copy2(self.gpkg, tmp)
            for name, frame in frames.items():
                if isinstance(frame, gpd.GeoDataFrame):
                    frame = frame.to_crs(STORAGE_CRS)
                pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG")
            table = pd.DataFrame([asdict(v) for v in versions.values()])
            pyogrio.write_dataframe(table, tmp, layer=VERSIONS_TABLE, driver="GPKG")

    def write_text(self, relpath: str | Path, text: str, *, actor: str = "cli") -> Path:
        """Write a UTF-8 text file (a map, a record) inside the workspace atomically."""
        path = write_text_atomic(self.root / relpath, text)
        audit.info("write file %s", relpath, extra={"file": str(relpath), "actor": actor})
        return path

    def write_json(self, relpath: str | Path, payload: object, *, actor: str = "cli") -> Path:
        """Write ``payload`` as pretty, key-sorted JSON inside the workspace atomically."""
        text = json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False)
        return self.write_text(relpath, text + "\n", actor=actor)

    def read_json(self, relpath: str | Path) -> object:
        """Parse a JSON file stored inside the workspace."""
        path = self.root / relpath
        if not path.is_file():
            raise NotFoundError(f"{relpath} is not in workspace {self.root}")
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except ValueError as err:
            raise WorkspaceError(f"{path} is corrupt: {err}") from None


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` through a temp file, so readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _replacing([path]) as (tmp,):
        tmp.write_text(text, encoding="utf-8")
    return path


@contextmanager
def _replacing(targets) -> Iterator[list[Path]]:
    """Yield temp paths beside ``targets``; on success move them into place, else delete them."""
    pairs = []
    for target in targets:
        fd, name = tempfile.mkstemp(
            prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}", dir=target.parent
        )
        os.close(fd)
        os.unlink(name)
        pairs.append((Path(name), target))
    try:
        yield [tmp for tmp, _ in pairs]
        for tmp, target in pairs:
            os.replace(tmp, target)
    finally:
        for tmp, _ in pairs:
            tmp.unlink(missing_ok=True)


def _write_geotiff(path: Path, raster: Raster) -> None:
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


def _frame_hash(frame: pd.DataFrame) -> str:
    """Content hash of a frame (attributes and geometry as WKB): the layer's version."""
    digest = hashlib.sha256()
    attrs = (
        frame.drop(columns=[frame.geometry.name]) if isinstance(frame, gpd.GeoDataFrame) else frame
    )
    digest.update(pd.util.hash_pandas_object(attrs, index=False).to_numpy().tobytes())
    digest.update(",".join(map(str, attrs.columns)).encode())
    if isinstance(frame, gpd.GeoDataFrame):
        for wkb in frame.geometry.to_crs(STORAGE_CRS).to_wkb():
            digest.update(wkb)
    return digest.hexdigest()[:12]


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:12]
