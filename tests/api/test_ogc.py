"""OGC API - Features: checked with TestClient and with OWSLib against a real server process."""

import socket
import subprocess
import time

import httpx2 as httpx
import pytest
from owslib.ogcapi.features import Features

from tests.helpers import RISKMAP


def test_landing_conformance_and_collections(client):
    landing = client.get("/ogc").json()
    assert {"service-desc", "conformance", "data"} <= {link["rel"] for link in landing["links"]}
    conf = client.get("/ogc/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conf
    ids = [c["id"] for c in client.get("/ogc/collections").json()["collections"]]
    assert ids == [
        "communes",
        "border",
        "crossings",
        "venues",
        "industrial_zones",
        "scores-outreach",
        "scores-patrol",
    ]
    assert "repatriations" not in ids  # the sensitive table is never a collection


def test_items_page_with_links_and_counts(client):
    first = client.get("/ogc/collections/communes/items", params={"limit": 5}).json()
    assert first["numberMatched"] == 12 and first["numberReturned"] == 5
    rels = {link["rel"]: link["href"] for link in first["links"]}
    assert "next" in rels and "prev" not in rels
    second = client.get(rels["next"]).json()
    assert second["numberReturned"] == 5 and "prev" in {link["rel"] for link in second["links"]}
    ids = [f["id"] for f in first["features"] + second["features"]]
    assert len(set(ids)) == 10
    last = client.get("/ogc/collections/communes/items", params={"offset": 10}).json()
    assert last["numberReturned"] == 2 and "next" not in {link["rel"] for link in last["links"]}


def test_limit_is_clamped_and_bbox_filters(client):
    body = client.get("/ogc/collections/venues/items", params={"limit": 10**9}).json()
    assert body["numberReturned"] == 40
    empty = client.get("/ogc/collections/venues/items", params={"bbox": "0,0,1,1"}).json()
    assert empty["numberMatched"] == 0 and empty["features"] == []


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"bbox": "1,2,3"}, "is not four numbers"),
        ({"bbox": "5,0,1,1"}, "minimum greater than its maximum"),
        ({"offset": -1}, "offset: Input should be greater than or equal to 0"),
    ],
)
def test_bad_queries_are_422(client, params, detail):
    response = client.get("/ogc/collections/communes/items", params=params)
    assert response.status_code == 422 and detail in response.json()["detail"]


def test_single_features_and_unknown_ids(client):
    code = client.get("/ogc/collections/scores-patrol/items").json()["features"][0]["id"]
    feature = client.get(f"/ogc/collections/scores-patrol/items/{code}").json()
    assert feature["id"] == code and 0 <= feature["properties"]["score"] <= 100
    assert client.get("/ogc/collections/nope/items").status_code == 404
    assert client.get("/ogc/collections/communes/items/00000").status_code == 404


@pytest.fixture
def server(scored_workspace):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [RISKMAP, "serve", "-w", str(scored_workspace.root), "--port", str(port)],
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                httpx.get(f"{base}/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_owslib_reads_riskmap_as_a_live_layer_source(server):
    api = Features(f"{server}/ogc")
    assert "scores-patrol" in [c["id"] for c in api.collections()["collections"]]
    page = api.collection_items("scores-patrol", limit=4)
    assert page["numberMatched"] == 12 and len(page["features"]) == 4
    inside = api.collection_items("communes", bbox=[106.9, 21.6, 107.0, 21.7])
    assert 0 < inside["numberMatched"] < 12
    crossing = api.collection_item("crossings", "1")
    assert crossing["properties"]["kind"] in {"international", "opening", "trail"}
