"""Progress of long work, reported through an optional callback: no output of its own.

The pure core calls ``progress(what, done, total)`` as it goes (rows read, communes done,
draws done); the command line turns the calls into a bar on a terminal, the server into log
lines. The default, :func:`no_progress`, does nothing.
"""

from __future__ import annotations

import logging
import time
from typing import Protocol


class Progress(Protocol):
    """Told that ``done`` of ``total`` units of ``what`` are finished (``done`` grows)."""

    def __call__(self, what: str, done: int, total: int) -> None:
        """``done`` of ``total`` rows, communes or draws of ``what`` are finished."""


def no_progress(what: str, done: int, total: int) -> None:
    """The default: progress is not shown."""


def logged(logger: logging.Logger, prefix: str, every_s: float = 2.0) -> Progress:
    """Progress as INFO lines of ``logger``: start, end, and at most one line each ``every_s``."""
    last: dict[str, float] = {}

    def log(what: str, done: int, total: int) -> None:
        now = time.monotonic()
        if 0 < done < total and now - last.get(what, 0.0) < every_s:
            return
        last[what] = now
        logger.info("%s: %s %d/%d", prefix, what, done, total)

    return log
