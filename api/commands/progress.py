"""A progress bar on stderr while a command works, only on a terminal and never with --quiet.

Each ``what`` the core reports (rows read, communes scored, sensitivity draws) gets its own line
with a bar, the count done, the time taken and an estimate of the time left. Piped or redirected
output, CI logs and ``riskmap --quiet`` get nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as Bars

from geo.progress import Progress, no_progress

#: Set by ``riskmap --quiet``: no bars at all.
QUIET = {"on": False}


@contextmanager
def progress_bar() -> Iterator[Progress]:
    """A :class:`geo.progress.Progress` drawing bars on a terminal's stderr, else doing nothing."""
    console = Console(stderr=True)
    if QUIET["on"] or not console.is_terminal:
        yield no_progress
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    )
    with Bars(*columns, console=console, refresh_per_second=10) as bars:
        tasks: dict[str, int] = {}

        def update(what: str, done: int, total: int) -> None:
            if what not in tasks:
                tasks[what] = bars.add_task(what, total=total)
            bars.update(tasks[what], completed=done, total=total)
            bars.refresh()

        yield update


@contextmanager
def stage(progress: Progress, what: str) -> Iterator[None]:
    """One step of work the core does not count in parts: shown as started, then done."""
    progress(what, 0, 1)
    yield
    progress(what, 1, 1)
