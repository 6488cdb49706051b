"""Progress of long work, reported through an optional callback: no output of its own.

The pure core calls ``progress(what, done, total)`` as it goes (rows read, communes done,
draws done); the command line turns the calls into a bar on a terminal, the server into log
lines. The default, :func:`no_progress`, does nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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


def _nothing(what: str, done: int, total: int) -> None:
    """No progress is reported outside :func:`reporting`."""


#: Where work too deep to be handed a callback (a plan's weight draws) reports, per context.
_REPORTING: ContextVar[Progress] = ContextVar("riskmap_progress", default=_nothing)


@contextmanager
def reporting(progress: Progress) -> Iterator[None]:
    """Within the block, counted work deep in the core (plans' weight draws) tells ``progress``."""
    token = _REPORTING.set(progress)
    try:
        yield
    finally:
        _REPORTING.reset(token)


def reported() -> Progress:
    """The progress the work of the current context reports to (nothing by default)."""
    return _REPORTING.get()
