"""Conventions every endpoint shares: ETag, gzip, size limit, audit of writes."""

import json

from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from tests.helpers import riskmap


def test_etag_and_if_none_match(client):
    first = client.get("/scores", params={"profile": "patrol"})
    tag = first.headers["etag"]
    again = client.get("/scores", params={"profile": "patrol"}, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    for response in (first, again):  # answers depend on the key: no shared cache may keep them
        assert "Authorization" in response.headers["vary"]
        assert response.headers["cache-control"] == "no-store"
    other = client.get("/scores", params={"profile": "outreach"})
    assert other.headers["etag"] != tag
    assert client.get("/maps/patrol").headers["etag"]


def test_large_geojson_is_gzipped(client):
    response = client.get("/scores", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["vary"] == "Accept-Encoding, Authorization, X-API-Key"
    assert response.json()["type"] == "FeatureCollection"


def test_oversized_bodies_are_refused_before_reading(scored_workspace):
    app = create_app(Settings(workspace=scored_workspace.root, max_upload_mb=0.001))
    with TestClient(app) as small:
        response = small.post(
            "/scores", content=b"x" * 5000, headers={"content-type": "application/json"}
        )
    assert response.status_code == 413 and "the limit is 1,048 bytes" in response.json()["detail"]


def test_writes_through_the_api_are_audited(scored_workspace):
    with TestClient(create_app(Settings(workspace=scored_workspace.root))) as client:
        client.post("/scores", json={"profile": "patrol"})
    log = (scored_workspace.root / "audit.log").read_text(encoding="utf-8").splitlines()
    entry = json.loads(log[-1])
    assert entry["endpoint"] == "POST /scores" and entry["status"] == 200
    shown = riskmap("audit", "-w", scored_workspace.root, "--last", "1")
    assert shown.returncode == 0 and "POST /scores" in shown.stdout


def test_repeated_reads_are_answered_from_the_cache_until_the_workspace_changes(
    scored_workspace, tmp_path
):
    from api.keys import create_key, revoke_key
    from tests.factories import make_communes

    key, record = create_key(scored_workspace, role="analyst", label="cache")
    headers = {"Authorization": f"Bearer {key}"}
    with TestClient(create_app(Settings(workspace=scored_workspace.root))) as client:
        first = client.get("/layers/communes", headers=headers).json()
        assert client.get("/layers/communes", headers=headers).json() == first
        make_communes(seed=7).to_file(tmp_path / "xa.gpkg")
        with open(tmp_path / "xa.gpkg", "rb") as fh:
            posted = client.post(
                "/layers/communes", files={"file": ("xa.gpkg", fh.read())}, headers=headers
            ).json()
        after = client.get("/layers/communes", headers=headers).json()
        assert after["version"] == posted["version"] != first["version"]  # a write shows at once
        run = client.post("/runs", json={"profile": "patrol"}, headers=headers).json()
        assert client.get("/scores", headers=headers).json()["run_id"] == run["run_id"]
        revoke_key(scored_workspace, record.key_id)
        assert client.get("/layers/communes", headers=headers).status_code == 401


def test_each_key_gets_only_answers_computed_for_it(scored_workspace):
    from api.keys import create_key

    viewer = {"X-API-Key": create_key(scored_workspace, role="viewer")[0]}
    analyst = {"X-API-Key": create_key(scored_workspace, role="analyst")[0]}
    with TestClient(create_app(Settings(workspace=scored_workspace.root))) as client:
        exact = client.get("/layers/repatriations", headers=analyst)
        refused = client.get("/layers/repatriations", headers=viewer)
        again = client.get("/layers/repatriations", headers=analyst)
    assert exact.status_code == again.status_code == 200 and again.json() == exact.json()
    assert refused.status_code == 403  # not the analyst's cached rows
    assert all(isinstance(row["count"], int) for row in exact.json()["rows"])


def test_concurrent_reads_of_one_answer_compute_it_once(tmp_path):
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from api.middleware import ETagCache, ResponseCache

    calls = []

    async def slow_app(scope, receive, send):
        calls.append(scope["path"])
        await asyncio.sleep(0.05)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b'{"ok": true}'})

    cache = ETagCache(slow_app, cache=ResponseCache(), root=tmp_path)

    async def get(path):
        sent = []

        async def receive():
            return {"type": "http.request", "body": b""}

        async def send(message):
            sent.append(message)

        scope = {
            "type": "http",
            "method": "GET",
            "path": path,
            "query_string": b"",
            "headers": [],
            "root_path": "",
        }
        await cache(scope, receive, send)
        return next(m["status"] for m in sent if m["type"] == "http.response.start")

    async def main():
        return await asyncio.gather(*(get("/scores") for _ in range(20)), get("/rankings"))

    # in a thread of its own: a browser test earlier in the session may hold this one's loop
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, main()).result() == [200] * 21
    assert calls == ["/scores", "/rankings"]  # twenty readers of /scores, one computation
