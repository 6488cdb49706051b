"""A real server under concurrent writes: uploads queue, readers see whole versions, kills."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.keys import create_key
from api.settings import Settings
from benchmarks.load import free_port, serving
from geo.workspace import Workspace
from tests.factories import make_communes

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def auth(key):
    return {"Authorization": f"Bearer {key}"}


def big_communes(path: Path, seed: int) -> Path:
    """1,200 small communes (about 2 s to check and store on a busy machine)."""
    make_communes(40, 30, size_km=0.5, seed=seed).to_file(path)
    return path


def post_file(base: str, key: str, layer: str, path: Path, out: dict) -> None:
    try:
        with open(path, "rb") as fh:
            out["response"] = httpx2.post(
                f"{base}/layers/{layer}",
                files={"file": (path.name, fh.read())},
                headers=auth(key),
                timeout=300,
            )
    except httpx2.HTTPError as err:
        out["error"] = err


def test_two_uploads_of_one_layer_land_as_two_whole_versions(scored_workspace, tmp_path):
    key, _ = create_key(scored_workspace, role="analyst", label="two")
    files = [big_communes(tmp_path / f"xa_{s}.gpkg", seed=s) for s in (1, 2)]
    before = len(scored_workspace.history("communes"))
    with serving(scored_workspace.root) as base:
        results = [{}, {}]
        threads = [
            threading.Thread(target=post_file, args=(base, key, "communes", f, r))
            for f, r in zip(files, results, strict=True)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        assert [r["response"].status_code for r in results] == [201, 201], results
        served = httpx2.get(
            f"{base}/layers/communes", params={"limit": 1}, headers=auth(key)
        ).json()
    versions = {r["response"].json()["version"] for r in results}
    history = scored_workspace.history("communes")
    assert len(versions) == 2 and len(history) == before + 2
    assert {h.version for h in history[-2:]} == versions  # one after the other, both whole
    assert served["version"] == history[-1].version and served["numberMatched"] == 1200


def test_readers_see_only_whole_versions_during_an_upload_and_a_run(scored_workspace, tmp_path):
    key, _ = create_key(scored_workspace, role="analyst", label="writer")
    old = scored_workspace.versions()["communes"].version
    seen: list[tuple[str, int]] = []
    broken: list[str] = []
    with serving(scored_workspace.root) as base:
        upload: dict = {}
        writer = threading.Thread(
            target=post_file,
            args=(base, key, "communes", big_communes(tmp_path / "xa.gpkg", 3), upload),
        )
        writer.start()
        while writer.is_alive():
            body = httpx2.get(
                f"{base}/layers/communes", params={"limit": 1}, headers=auth(key), timeout=60
            ).json()
            seen.append((body["version"], body["numberMatched"]))
        new = upload["response"].json()["version"]
        run = threading.Thread(
            target=lambda: upload.update(
                run=httpx2.post(
                    f"{base}/runs", json={"profile": "outreach"}, headers=auth(key), timeout=300
                )
            )
        )
        run.start()
        while run.is_alive():
            for record in httpx2.get(f"{base}/runs", headers=auth(key), timeout=60).json():
                if (
                    httpx2.get(
                        f"{base}/runs/{record['run_id']}", headers=auth(key), timeout=60
                    ).status_code
                    != 200
                ):
                    broken.append(record["run_id"])
        assert upload["run"].status_code == 201, upload["run"].text
    assert len(seen) >= 3, "the reader never overlapped the upload"
    assert set(seen) <= {(old, 12), (new, 1200)}, set(seen)
    assert not broken, f"runs listed before they were complete: {broken}"


CHILD = textwrap.dedent(
    """
    import sys
    from tests.helpers import pause_before_replace
    pause_before_replace("layers.gpkg", sys.argv[2])
    import uvicorn
    from api.app import create_app
    from api.settings import Settings
    app = create_app(Settings(workspace=sys.argv[1]))
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[3]), log_level="warning")
    """
)


def wait_until(check, proc: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline, "the server never got there"
        time.sleep(0.05)


def answers(base: str) -> bool:
    try:
        return httpx2.get(f"{base}/health", timeout=2).status_code == 200
    except httpx2.TransportError:
        return False


def test_a_server_killed_half_way_through_an_upload_leaves_the_served_data(
    scored_workspace, tmp_path
):
    key, _ = create_key(scored_workspace, role="analyst", label="killed")
    with TestClient(create_app(Settings(workspace=scored_workspace.root))) as client:
        client.headers.update(auth(key))  # the workspace has keys: reads need one
        before = client.get("/layers").json()
        communes_before = client.get("/layers/communes").json()
        assert "features" in communes_before
    marker, port = tmp_path / "paused", free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(scored_workspace.root), str(marker), str(port)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: answers(base), proc)
        upload: dict = {}
        path = big_communes(tmp_path / "xa_moi.gpkg", seed=4)
        writer = threading.Thread(target=post_file, args=(base, key, "communes", path, upload))
        writer.start()
        wait_until(marker.exists, proc)
        half = Path(marker.read_text())
        assert half.exists() and half.stat().st_size > 0  # the new version was half-way in
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        writer.join(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL and "error" in upload  # the client saw no 201
    with TestClient(create_app(Settings(workspace=scored_workspace.root))) as client:
        client.headers.update(auth(key))
        assert client.get("/layers").json() == before
        assert client.get("/layers/communes").json() == communes_before
        again = client.post(
            "/layers/communes",
            files={"file": (path.name, path.read_bytes())},
            headers=auth(key),
        )
    assert again.status_code == 201 and not half.exists()  # the next writer cleans up
    assert Workspace.open(scored_workspace.root).versions()["communes"].rows == 1200
