"""Helpers shared by test modules: the riskmap command as a real process, a paused
``os.replace`` for kill tests, and Windows-1258 bytes as Windows writes them."""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
RISKMAP = shutil.which("riskmap", path=str(Path(sys.executable).parent))


def riskmap(*args, cwd=None) -> subprocess.CompletedProcess:
    """Run the installed ``riskmap`` command with ``args``; text output, 120 s at most."""
    return subprocess.run(
        [RISKMAP, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def one_error_line(result: subprocess.CompletedProcess, text: str) -> None:
    """Assert ``result`` failed with exit 1 and exactly one ``riskmap: error:`` line holding
    ``text``."""
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("riskmap: error: ") and text in lines[0], lines[0]


def pause_before_replace(suffix: str, marker: str | Path, *, seconds: float = 300) -> None:
    """Make this process's ``os.replace`` stop before a file ending in ``suffix`` goes into
    place: it writes the temp file's name to ``marker`` and waits ``seconds`` for the parent to
    kill it. For child processes of kill tests (``from tests.helpers import ...``)."""
    real_replace = os.replace

    def paused_replace(src, dst, *args, **kwargs):
        if str(dst).endswith(suffix):
            Path(marker).write_text(str(src))
            time.sleep(seconds)
        return real_replace(src, dst, *args, **kwargs)

    os.replace = paused_replace


@functools.cache
def _samples() -> ModuleType:
    path = ROOT / "data" / "samples" / "make_samples.py"
    spec = importlib.util.spec_from_file_location("riskmap_make_samples", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def encode_cp1258(text: str) -> bytes:
    """Windows-1258 bytes of ``text`` as Windows writes them: precomposed where the code page
    has the letter (â, ơ, Đ), else base letter plus combining tone mark (ệ = ê + U+0323).

    The one writer is the sample generator's, ``data/samples/make_samples.py``."""
    return _samples().encode_cp1258(text)
