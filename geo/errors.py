"""The riskmap exception hierarchy: every error a user can trigger names what failed and why."""

from __future__ import annotations

from pathlib import Path


class RiskmapError(Exception):
    """Root of all riskmap errors; ``str(err)`` is one line a user can act on."""


class InputFileError(RiskmapError, ValueError):
    """A user file (or a frame read from one) has a bad value at a known row and column."""

    def __init__(
        self,
        path: str | Path | None,
        reason: str,
        *,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.path = None if path is None else str(path)
        self.row = row
        self.column = column
        self.reason = reason
        where = [part for part in (self._file(), self._row(), self._column()) if part]
        super().__init__(f"{', '.join(where)}: {reason}" if where else reason)

    def _file(self) -> str:
        return Path(self.path).name if self.path else ""

    def _row(self) -> str:
        return f"row {self.row}" if self.row is not None else ""

    def _column(self) -> str:
        return f'column "{self.column}"' if self.column else ""


class LayerError(InputFileError):
    """A layer breaks the layer contract (missing column, bad kind, wrong geometry type)."""


class CRSError(InputFileError):
    """A layer has no coordinate reference system, or one riskmap cannot use."""


class WorkspaceError(RiskmapError, OSError):
    """A workspace folder is missing, corrupt, or cannot be written."""


class NotFoundError(RiskmapError, LookupError):
    """A named thing (profile, commune, run, layer, map) does not exist."""


class QueryError(RiskmapError, ValueError):
    """A request parameter (bbox, limit, offset, filter) is malformed."""
