"""Write benchmark figures into ``benchmarks/results.json`` without losing other scripts' keys."""

from __future__ import annotations

import json
import os
import platform
import tempfile
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).with_name("results.json")


def machine() -> dict[str, Any]:
    """What the figures were measured on: CPU count, memory (GB), Python and platform."""
    import psutil

    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def read_results(path: Path = RESULTS) -> dict[str, Any]:
    """The figures recorded so far ({} when there are none)."""
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def update_results(
    figures: dict[str, Any], path: Path = RESULTS, *, drop: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Merge ``figures`` into ``path`` atomically (a killed run leaves the old file); return it.

    Keys in ``drop`` (figures no script writes any more) are left out.
    """
    kept = {k: v for k, v in read_results(path).items() if k not in drop}
    merged = {**kept, **figures, "machine": machine()}
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".results-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(merged, out, indent=2, sort_keys=True, ensure_ascii=False)
        out.write("\n")
    os.replace(tmp, path)
    return merged
