"""Logging set-up for the CLI and server: console level, and the workspace audit file."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from logging.handlers import RotatingFileHandler
from pathlib import Path

from geo.storage import private_file
from geo.workspace import AUDIT_LOG

AUDIT_FIELDS = (
    "layer",
    "province",
    "rows",
    "version",
    "file",
    "actor",
    "endpoint",
    "parameters",
    "status",
)


class AuditFormatter(logging.Formatter):
    """One JSON object per line: time, message and the audit fields present."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line (never personal data: only layer names, counts, versions)."""
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "event": record.getMessage(),
        }
        entry.update({k: getattr(record, k) for k in AUDIT_FIELDS if hasattr(record, k)})
        return json.dumps(entry, ensure_ascii=False)


class _PrivateRotatingHandler(RotatingFileHandler):
    """A rotating log file readable by its owner only (0600), created at the first record."""

    def _open(self):
        private_file(Path(self.baseFilename))
        return super()._open()


def configure_logging(verbosity: int = 0) -> None:
    """Console logging: warnings by default, info with -v, debug with -vv, errors only with -q."""
    level = {-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", force=True)
    for handler in logging.getLogger().handlers:
        handler.setLevel(level)  # audit records (INFO) reach the console only with -v


@contextmanager
def audit_to(folder: Path, *, max_mb: float = 10.0, backups: int = 5) -> Iterator[None]:
    """Append ``riskmap.audit`` records to ``folder/audit.log`` while the block runs.

    The log is rotated at ``max_mb`` MB to ``audit.log.1`` ... ``audit.log.<backups>``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    handler = _PrivateRotatingHandler(
        folder / AUDIT_LOG,
        maxBytes=int(max_mb * 1024 * 1024),
        backupCount=backups,
        encoding="utf-8",
        delay=True,
    )
    handler.setFormatter(AuditFormatter())
    audit = logging.getLogger("riskmap.audit")
    audit.addHandler(handler)
    audit.setLevel(logging.INFO)
    try:
        yield
    finally:
        audit.removeHandler(handler)
        handler.close()
