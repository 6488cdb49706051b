"""Caps on what one read may take: file size, features, vertices, safe zips, and memory."""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np
import shapely

from geo.errors import InputFileError, LayerError
from geo.report import Problem


@dataclass(frozen=True)
class Limits:
    """Configurable caps: bytes per file, features per layer, vertices per geometry, zips."""

    max_file_mb: float = 500.0
    max_features: int = 500_000
    max_vertices: int = 200_000
    max_unzipped_mb: float = 2_000.0
    max_zip_ratio: float = 200.0
    max_zip_members: int = 1_000
    #: Memory one raster band may take once read (width × height × bytes per pixel), MB. A
    #: province at 100 m is about 40 MB, all of Viet Nam at 100 m about 700 MB.
    max_raster_mb: float = 1_000.0

    def check_size(self, path: str, size_bytes: int) -> None:
        """Raise if a file of ``size_bytes`` is over the size cap."""
        if size_bytes > self.max_file_mb * 1e6:
            raise InputFileError(
                path,
                f"file is {size_bytes / 1e6:.1f} MB, over the {self.max_file_mb:g} MB limit "
                "(raise it with --max-file-mb)",
            )

    def check_features(self, path: str, count: int) -> None:
        """Raise if a layer of ``count`` features or rows is over the feature cap."""
        if count > self.max_features:
            raise InputFileError(
                path,
                f"{count} features, over the {self.max_features} limit "
                "(raise it with --max-features)",
            )

    def vertex_problems(self, geoms: np.ndarray, rows: np.ndarray) -> list[Problem]:
        """One problem per geometry with more vertices than the cap."""
        counts = shapely.get_num_coordinates(geoms)
        over = counts > self.max_vertices
        return [
            Problem(
                f"geometry has {n} vertices, over the {self.max_vertices} limit "
                "(simplify it or raise --max-vertices)",
                row=int(row),
                column="geometry",
            )
            for row, n in zip(rows[over], counts[over], strict=True)
        ]

    def check_zip(self, path: str, members: list[tuple[str, int, int]]) -> None:
        """Raise if a zip's ``(name, size, compressed size)`` members are unsafe to open.

        Refuses absolute or ``..`` paths (path traversal), more members than the cap, a total
        unpacked size over the cap, and members packed more tightly than ``max_zip_ratio``
        (decompression bombs).
        """
        if len(members) > self.max_zip_members:
            raise InputFileError(path, f"zip holds {len(members)} files, over the limit")
        for name, size, packed in members:
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
                raise InputFileError(
                    path, f'zip member "{name}" points outside the archive; refusing to open it'
                )
            if size > 1e6 and size > self.max_zip_ratio * max(packed, 1):
                raise InputFileError(
                    path,
                    f'zip member "{name}" unpacks {size / max(packed, 1):.0f}× its packed '
                    "size; refusing a possible decompression bomb",
                )
        total = sum(size for _, size, _ in members)
        if total > self.max_unzipped_mb * 1e6:
            raise InputFileError(
                path,
                f"zip unpacks to {total / 1e6:.0f} MB, over the {self.max_unzipped_mb:g} MB limit",
            )
        self._check_unpacked(path, total, sum(packed for _, _, packed in members))

    def unzip_budget(self, packed: int) -> float:
        """Bytes a zip of ``packed`` compressed bytes may unpack to, all members together.

        ``max_zip_ratio`` × the packed size (at least :data:`ZIP_FLOOR_BYTES`, so small
        archives of padded ``.dbf`` tables pass), never more than ``max_unzipped_mb``.
        """
        return min(self.max_unzipped_mb * 1e6, max(self.max_zip_ratio * packed, ZIP_FLOOR_BYTES))

    def _check_unpacked(self, path: str, unpacked: int, packed: int) -> None:
        if unpacked > self.unzip_budget(packed):
            raise InputFileError(
                path,
                f"zip unpacks to {unpacked / 1e6:.1f} MB, {unpacked / max(packed, 1):.0f}× its "
                f"packed size; refusing a possible decompression bomb (at most "
                f"{self.unzip_budget(packed) / 1e6:.1f} MB for this archive)",
            )

    def check_zip_file(self, path: str | Path) -> None:
        """Raise if the zip at ``path`` is unsafe: declared sizes first, then its real bytes.

        Every member is unpacked once, counting the bytes it really gives, so a member that
        lies about its size, or members that together unpack to more than
        :meth:`unzip_budget`, are refused before any reader sees them. Nothing is written.
        """
        try:
            with zipfile.ZipFile(path) as archive:
                infos = [i for i in archive.infolist() if not i.is_dir()]
                self.check_zip(
                    str(path), [(i.filename, i.file_size, i.compress_size) for i in infos]
                )
                budget = self.unzip_budget(sum(i.compress_size for i in infos))
                total = 0
                for info in infos:
                    total = self._unpack_counting(path, archive, info, total, budget)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as err:
            raise InputFileError(
                path, f"not a readable zip archive (truncated or corrupt: {type(err).__name__})"
            ) from None

    def _unpack_counting(self, path, archive, info: zipfile.ZipInfo, total: int, budget) -> int:
        """Unpack one member, counting its real bytes; the running total is returned."""
        real = 0
        with archive.open(info) as member:
            while block := member.read(ZIP_BLOCK):
                real += len(block)
                if total + real > budget:
                    raise InputFileError(
                        path,
                        f"zip unpacks to more than {budget / 1e6:.1f} MB (reached in "
                        f'"{info.filename}"); refusing a possible decompression bomb',
                    )
                if real > info.file_size:
                    raise InputFileError(
                        path,
                        f'zip member "{info.filename}" unpacks to more than the '
                        f"{info.file_size} bytes it declares; refusing it",
                    )
        return total + real


#: Unpacked bytes any zip may hold whatever its packed size (padded .dbf tables pack tightly).
ZIP_FLOOR_BYTES = 20_000_000
ZIP_BLOCK = 1 << 20

#: Bytes one point feature takes once read, reprojected and indexed (shapely geometry, an
#: attribute row, the reprojected copy and STRtree entries; about 2× what 1 M venues measured).
BYTES_PER_POINT = 1_000
#: Share of the available memory one layer may take on the local path.
MEMORY_SHARE = 0.5


def available_memory() -> int:
    """Bytes of memory available to this process now (psutil's estimate)."""
    import psutil

    return int(psutil.virtual_memory().available)


def check_memory(
    what: str, rows: int, bytes_per_row: float, *, hint: str, share: float = MEMORY_SHARE
) -> None:
    """Raise ``LayerError`` if ``rows`` of ``what`` would need more than ``share`` of free memory.

    The estimate is ``rows × bytes_per_row``; ``hint`` says what to do instead.
    """
    need, free = rows * bytes_per_row, available_memory()
    if need > share * free:
        raise LayerError(
            what,
            f"{rows:,} features need about {_size(need)} of memory to process here, "
            f"but only {_size(free)} is available ({share:.0%} may be used); {hint}",
        )


def _size(nbytes: float) -> str:
    return f"{nbytes / 1e9:.1f} GB" if nbytes >= 1e9 else f"{nbytes / 1e6:.1f} MB"
