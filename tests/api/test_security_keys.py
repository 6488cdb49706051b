"""Keys are enforced by the app itself, however it is started, and audited by key id."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.keys import create_key, keys_required
from api.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, headers: dict | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


@pytest.fixture
def factory_server(scored_workspace):
    """``uvicorn --factory api.app:create_app`` as docs/scaling.md starts it, in its own process."""
    port = _free_port()
    env = {**os.environ, "RISKMAP_WORKSPACE": str(scored_workspace.root)}
    env.pop("RISKMAP_REQUIRE_KEYS", None)
    command = [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app"]
    process = subprocess.Popen(
        [*command, "--host", "0.0.0.0", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if _get(url + "/health")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(f"uvicorn did not start: {process.stderr.read().decode()[-2000:]}")
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_uvicorn_factory_refuses_exports_without_a_key(factory_server, scored_workspace):
    key, _ = create_key(scored_workspace, role="viewer", label="")
    status, body = _get(factory_server + "/exports/patrol.csv")
    assert status == 401, body[:300]
    assert b"Cua" not in body and b"score" not in body
    status, body = _get(factory_server + "/exports/patrol.csv", {"Authorization": f"Bearer {key}"})
    assert status == 200 and b"commune_code" in body
    assert _get(factory_server + "/health")[0] == 200


def test_a_keyless_loopback_demo_still_answers_reads_without_a_key(client):
    assert client.get("/scores").status_code == 200
    assert client.post("/runs", json={"profile": "patrol"}).status_code == 401


def test_keys_exist_so_a_read_without_one_is_refused(scored_workspace):
    create_key(scored_workspace, role="viewer")
    with TestClient(create_app(Settings(workspace=scored_workspace.root))) as client:
        refused = client.get("/scores")
        assert refused.status_code == 401
        assert "API key" in refused.json()["detail"]
        page = client.get("/").text
        assert '"keys": true' in page  # the dashboard asks for a key first


def test_a_request_arriving_off_loopback_needs_a_key(tmp_path):
    settings = Settings(workspace=tmp_path)
    ws = SimpleNamespace(root=tmp_path)

    def request(ip):
        return SimpleNamespace(scope={"server": (ip, 8000)})

    assert keys_required(request("10.1.2.3"), settings, ws)
    assert keys_required(request("2001:db8::1"), settings, ws)
    assert not keys_required(request("127.0.0.1"), settings, ws)
    assert not keys_required(request("::1"), settings, ws)


def test_an_unlabelled_key_is_audited_by_its_id_and_refusals_are_not(scored_workspace):
    key, record = create_key(scored_workspace, role="analyst", label="")
    log = scored_workspace.root / "audit.log"
    with TestClient(create_app(Settings(workspace=scored_workspace.root))) as client:
        before = log.stat().st_size if log.exists() else 0
        for _ in range(5):  # no key, a long query string: nothing reaches the audit log
            assert client.post("/runs?" + "x" * 60_000, json={}).status_code == 401
            assert client.post("/runs", headers={"X-API-Key": "rmk_nope"}).status_code == 401
        assert (log.stat().st_size if log.exists() else 0) == before
        headers = {"X-API-Key": key}
        assert client.post("/scores", json={"profile": "patrol"}, headers=headers).is_success
        assert client.get("/layers/repatriations", headers=headers).status_code == 200
        assert client.get("/layers/repatriations", headers=headers).status_code == 200
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    mine = [e for e in entries if e.get("actor") == f"key {record.key_id}"]
    assert [e["endpoint"] for e in mine] == ["POST /scores"] + ["GET /layers/repatriations"] * 2


def test_the_audit_log_is_rotated_at_its_size_cap(scored_workspace):
    settings = Settings(workspace=scored_workspace.root, audit_max_mb=0.001, audit_backups=2)
    with TestClient(create_app(settings)) as client:
        for _ in range(40):
            client.post("/scores", json={"profile": "patrol"})
    logs = sorted(p.name for p in scored_workspace.root.glob("audit.log*"))
    assert logs == ["audit.log", "audit.log.1", "audit.log.2"]
    assert all(p.stat().st_size < 2048 for p in scored_workspace.root.glob("audit.log*"))
