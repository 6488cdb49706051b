"""Garbage-collector tuning for a long-running server: long-lived objects frozen after warm-up.

A national workspace keeps hundreds of thousands of Python objects in its caches. Every full
collection walks all of them, and building a 10,600-commune answer triggers one about every
other request: 100-300 ms on top of a 100 ms answer. After a slow request (the one that filled
the caches) the survivors are collected and frozen (:func:`gc.freeze`), so later collections
walk only the objects of the requests since; frozen objects are still freed by reference
counting, and each refreeze first unfreezes, so cyclic garbage among them is collected then.
"""

from __future__ import annotations

import gc
import time
from typing import Any

#: A request taking at least this long (s) may have filled caches: refreeze after it.
SLOW_S = 1.0


def refreeze() -> int:
    """Unfreeze, collect every generation, freeze the survivors; how many are frozen."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


class HeapFreeze:
    """ASGI middleware: :func:`refreeze` once a request slower than :data:`SLOW_S` has answered."""

    def __init__(self, app: Any, *, slow_s: float = SLOW_S) -> None:
        self.app, self.slow_s = app, slow_s

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        """Pass the request on; refreeze after it when it took at least ``slow_s``."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        await self.app(scope, receive, send)
        if time.perf_counter() - start >= self.slow_s:
            refreeze()
