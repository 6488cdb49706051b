"""Where chunked work runs: in this process (sequential or threads) or on a Dask cluster.

Callers split their work into small, self-describing tasks (a raster path and a window, a
block of Monte Carlo draws) and hand a module-level function plus the tasks to
:meth:`Executor.map`; results come back in task order. Tasks carry paths and small arrays,
never large frames: shipping a million geometries to Dask workers measured 4-5× slower than
one thread on this project's machines (``ECOSYSTEM.md`` §6).

>>> with executor_for("dask", workers=2) as ex:  # doctest: +SKIP
...     sums = ex.map(len, [[1, 2], [3]])
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

from geo.errors import RiskmapError

logger = logging.getLogger(__name__)

KINDS = ("local", "dask")
T = TypeVar("T")
R = TypeVar("R")


class ExecutorError(RiskmapError, ConnectionError):
    """A Dask scheduler cannot be reached or a cluster cannot be started."""


class Executor(Protocol):
    """Runs ``fn`` over tasks and returns the results in task order."""

    kind: str

    @property
    def workers(self) -> int:
        """How many tasks may run at once."""
        ...

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """``[fn(item) for item in items]``, possibly in parallel, in order."""
        ...


class LocalExecutor:
    """In this process: one task after another, or on ``workers`` threads."""

    kind = "local"

    def __init__(self, workers: int | None = None) -> None:
        self._workers = max(1, workers or 1)

    @property
    def workers(self) -> int:
        """Threads used (1: sequential)."""
        return self._workers

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """Results of ``fn`` over ``items``, in order."""
        tasks = list(items)
        if self._workers == 1 or len(tasks) <= 1:
            return [fn(task) for task in tasks]
        with ThreadPoolExecutor(self._workers) as pool:
            return list(pool.map(fn, tasks))


class DaskExecutor:
    """On the workers of a ``distributed.Client``; functions must be importable there."""

    kind = "dask"

    def __init__(self, client: Any) -> None:
        self.client = client

    @property
    def workers(self) -> int:
        """Workers currently connected to the scheduler."""
        return len(self.client.scheduler_info().get("workers", {}))

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """Results of ``fn`` over ``items``, in order (``pure=False``: never deduplicated)."""
        tasks = list(items)
        if not tasks:
            return []
        return self.client.gather(self.client.map(fn, tasks, pure=False))


@contextmanager
def executor_for(
    kind: str = "local",
    *,
    address: str = "",
    workers: int | None = None,
    processes: bool = True,
    timeout: float = 10.0,
) -> Iterator[Executor]:
    """An executor of ``kind`` ("local" or "dask"), closed on exit.

    Parameters
    ----------
    kind
        ``"local"``: this process, sequential (``workers`` None or 1) or on threads.
        ``"dask"``: a ``distributed.Client`` to the scheduler at ``address``; without an
        address, a ``LocalCluster`` of ``workers`` (default 2) single-threaded worker processes
        (threads in this process if ``processes`` is False) started here and closed on exit.
    address
        Dask scheduler address, e.g. ``tcp://10.0.0.5:8786``.
    timeout
        Seconds to wait for the scheduler before giving up.

    Raises
    ------
    ExecutorError
        If the scheduler cannot be reached or the local cluster cannot start.
    ValueError
        If ``kind`` is not one of :data:`KINDS`.
    """
    if kind not in KINDS:
        raise ValueError(f'executor was "{kind}" but is expected to be one of {KINDS}')
    if kind == "local":
        yield LocalExecutor(workers)
        return
    with _dask_client(address, workers, processes, timeout) as client:
        yield DaskExecutor(client)


@contextmanager
def _dask_client(address: str, workers: int | None, processes: bool, timeout: float):
    from distributed import Client, LocalCluster

    if address:
        try:
            client = Client(address, timeout=f"{timeout}s")
        except (OSError, TimeoutError, ValueError) as err:
            raise ExecutorError(
                f"cannot reach the Dask scheduler at {address!r} within {timeout:g} s ({err}); "
                "start one with 'dask scheduler' and workers with 'dask worker ADDRESS', "
                "or set RISKMAP_EXECUTOR=local"
            ) from None
        with client:
            yield client
        return
    try:
        cluster = LocalCluster(
            n_workers=workers or 2,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=":0",
        )
    except (OSError, TimeoutError, RuntimeError) as err:
        raise ExecutorError(
            f"cannot start a local Dask cluster of {workers or 2} worker processes ({err}); a "
            "script that starts one must run under 'if __name__ == \"__main__\":'"
        ) from None
    with cluster, Client(cluster) as client:
        logger.info("local Dask cluster with %d workers", workers or 2)
        yield client
