"""A process killed in the middle of an ingest leaves the previous version intact and readable."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from geo.ingest import ingest_file
from geo.workspace import Workspace
from tests.factories import make_communes

ROOT = Path(__file__).resolve().parents[2]

# The child ingests for real; its os.replace pauses just before the new layers.gpkg goes into
# place (the new file is complete in its temp name), so the parent can kill it right there.
CHILD = textwrap.dedent(
    """
    import sys
    from tests.helpers import pause_before_replace
    pause_before_replace("layers.gpkg", sys.argv[3])
    from geo.ingest import ingest_file
    ingest_file(sys.argv[1], sys.argv[2], "communes")
    """
)


def wait_for(path: Path, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline, "child never reached the replace"
        time.sleep(0.05)


def test_sigkill_during_ingest_keeps_the_previous_version(tmp_path, ws):
    before = ws.versions()
    communes_before = ws.read_layer("communes")
    new_file = tmp_path / "xa_moi.gpkg"
    make_communes(seed=42).to_file(new_file)
    marker = tmp_path / "paused"
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(ws.root), str(new_file), str(marker)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(marker, proc)
    temp = Path(marker.read_text())
    assert temp.exists() and temp.stat().st_size > 0  # the new version was half-way in
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    again = Workspace.open(ws.root)
    assert again.versions() == before
    assert again.read_layer("communes").equals(communes_before)
    report = ingest_file(ws.root, new_file, "communes")  # the next writer cleans up and succeeds
    assert report.rows_stored == 12 and not temp.exists()
    assert again.versions()["communes"].version != before["communes"].version


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.2, 0.6, 1.0, 1.5, 2.2])
def test_sigkill_at_any_moment_of_a_cli_ingest(tmp_path, ws, delay):
    before = ws.versions()["communes"].version
    big = tmp_path / "xa_lon.gpkg"
    make_communes(40, 30, size_km=0.5, seed=1).to_file(big)
    riskmap = Path(sys.executable).parent / "riskmap"
    proc = subprocess.Popen(
        [riskmap, "ingest", "-w", ws.root, "--layer", "communes", big],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    version = Workspace.open(ws.root).versions()["communes"]
    assert version.version == before or version.rows == 1200
    assert len(Workspace.open(ws.root).read_layer("communes")) == version.rows
