"""Conventions every endpoint shares: ETag, gzip, size limit, audit of writes."""

import json

from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from tests.api.test_cli import riskmap


def test_etag_and_if_none_match(client):
    first = client.get("/scores", params={"profile": "patrol"})
    tag = first.headers["etag"]
    again = client.get("/scores", params={"profile": "patrol"}, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    other = client.get("/scores", params={"profile": "outreach"})
    assert other.headers["etag"] != tag
    assert client.get("/maps/patrol").headers["etag"]


def test_large_geojson_is_gzipped(client):
    response = client.get("/scores", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
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
