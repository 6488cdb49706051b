"""Scan of every viewer-reachable response for exact small counts of people or their rates.

Each GET route of the OpenAPI schema (and ``POST /scores``) is fetched as a viewer; JSON,
GeoJSON, CSV, GeoPackage (read back) and HTML bodies are searched. For communes with 1-4 people
recorded, no record may show the count as a number, no rate column may hold a value, and the
exact rate values (raw, normalised, contribution) may not appear anywhere in the text. The same
scan must find leaks for an analyst and for a viewer with suppression switched off.
"""

from __future__ import annotations

import io
import json
import re
import sys
import tempfile
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pyogrio
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.security import Principal
from api.settings import Settings
from risk.labels import words
from risk.pipeline import score_workspace
from risk.privacy import SENSITIVE_COUNT_COLUMNS
from risk.profiles import load_profile
from risk.store import list_runs, load_run
from tests.api.privacy_world import RATE_COLUMNS, A, auth, build_world, drawn

pytestmark = pytest.mark.slow
COUNT_KEYS = (*SENSITIVE_COUNT_COLUMNS, "count")
#: GET routes that carry no commune data at all.
NO_COMMUNE_DATA = {"/health", "/profiles", "/ogc", "/ogc/conformance", "/layers"}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    world = build_world(tmp_path_factory.mktemp("scan"))
    score_workspace(world.ws, load_profile("patrol"), seed=1)  # a second run to compare with
    return world


def earlier(world) -> str:
    """The first patrol run: the latest (seed 1) is compared with it."""
    return next(r.run_id for r in list_runs(world.ws) if r.profile == "patrol")


def urls(world, who: str) -> dict[str, list[str]]:
    """Concrete requests per route template, for the communes ``who`` may see."""
    mine = world.codes if who != "viewer_a" else world.in_province(A)
    small = [c for c in world.small if c in mine]
    runs = [load_run(world.ws, p).record.run_id for p in ("patrol", "outreach")]
    layers = ["communes", "border", "crossings", "venues", "industrial_zones", "repatriations"]
    ogc = [f"/ogc/collections/{c}" for c in ("scores-patrol", "scores-outreach", "communes")]
    return {
        "/scores": ["/scores?profile=patrol", "/scores?profile=outreach&limit=5&offset=3"],
        "/rankings": ["/rankings?top=100", "/rankings?profile=outreach&top=100"],
        "/communes/{code}": [
            f"/communes/{c}?profile={p}" for c in small for p in ("patrol", "outreach")
        ],
        "/exports/{profile}.{fmt}": [
            f"/exports/patrol.{f}"
            for f in ("csv", "geojson", "gpkg", "pdf", "png", "xlsx", "docx", "kml", "gpx")
        ],
        "/maps/{profile}": ["/maps/patrol", "/maps/outreach?lang=en"],
        "/runs": ["/runs"],
        "/runs/{run_id}": [f"/runs/{r}" for r in runs],
        "/runs/{run_id}/compare/{other}": [f"/runs/{runs[0]}/compare/{earlier(world)}?top=50"],
        "/layers/{name}": [f"/layers/{n}?limit=1000" for n in layers],
        "/ogc/collections": ["/ogc/collections"],
        "/ogc/collections/{collection_id}": ogc,
        "/ogc/collections/{collection_id}/items": [f"{c}/items?limit=1000" for c in ogc],
        "/ogc/collections/{collection_id}/items/{feature_id}": [
            f"/ogc/collections/scores-patrol/items/{c}" for c in small
        ],
        "/plans/patrol": ["/plans/patrol?draws=0"],
        "/plans/outreach": ["/plans/outreach?draws=0&budget=200"],
        "/plans/segments": ["/plans/segments"],
    }


def fetch_all(client, world, who: str) -> dict[str, str | list[dict]]:
    """Every viewer-reachable body, as text (HTML, JSON) or records (CSV, GeoPackage)."""
    headers = auth(world.keys[who])
    schema_paths = {path for path, ops in client.app.openapi()["paths"].items() if "get" in ops}
    plan = urls(world, who)
    assert schema_paths - NO_COMMUNE_DATA <= set(plan), "a new GET route is not scanned"
    bodies = {}
    for template in sorted(schema_paths - NO_COMMUNE_DATA):
        for url in plan[template]:
            response = client.get(url, headers=headers)
            if url.startswith("/layers/repatriations") and response.status_code == 403:
                continue  # rows per commune and period are for analysts (tests/api/test_layers)
            assert response.status_code == 200, (url, response.text[:300])
            bodies[url] = decode(url, response)
    posted = client.post("/scores", json={"profile": "patrol"}, headers=headers)
    bodies["POST /scores"] = posted.text
    return bodies


def decode(url: str, response) -> str | list[dict]:
    if url.endswith(".csv"):
        frame = pd.read_csv(io.StringIO(response.content.decode("utf-8-sig")), dtype=str)
        return frame.to_dict(orient="records")
    if url.endswith(".gpkg"):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "export.gpkg"
            path.write_bytes(response.content)
            frame = pyogrio.read_dataframe(path, layer="scores")
        return pd.DataFrame(frame.drop(columns="geometry")).to_dict(orient="records")
    if url.endswith((".pdf", ".png")):
        assert len(response.content) > 500
        return ""
    if url.endswith((".xlsx", ".docx")):
        return office_records(url, response.content)
    return response.text


def office_records(url: str, body: bytes) -> list[dict] | str:
    """Every row of every sheet as a record under the column keys, or a Word file's text."""
    if url.endswith(".docx"):
        doc = docx.Document(io.BytesIO(body))
        cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in doc.paragraphs] + cells)
    headers = words("office", "vi").items()
    keys = {text: key.removeprefix("col_") for key, text in headers if key.startswith("col_")}
    records = []
    for sheet in openpyxl.load_workbook(io.BytesIO(body)).worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        names = [keys.get(h, h) for h in rows[0]]
        records += [dict(zip(names, r, strict=True)) for r in rows[1:]]
    return records


def leaks(bodies: dict, world) -> list[str]:
    """Where an exact small count or its rate shows, per URL."""
    small = set(world.small)
    found = []
    for url, body in bodies.items():
        records = body if isinstance(body, list) else list(_records(_json_or_none(body)))
        for record in records:
            code = str(record.get("commune_code", record.get("id", "")))
            if code in small:
                found += [
                    f"{url}: {code} {k}={record[k]!r}" for k in COUNT_KEYS if _exact(record.get(k))
                ]
                found += [f"{url}: {code} {k} shown" for k in RATE_COLUMNS if _value(record.get(k))]
        text = body if isinstance(body, str) else json.dumps(body)
        found += [f"{url}: rate {r} of {c}" for c, r in _rate_texts(world) if _appears(r, text)]
    return found


def _json_or_none(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return None


def _records(node):
    """Every dict in a JSON document, with GeoJSON properties merged into their feature."""
    if isinstance(node, dict):
        yield (
            node | node.get("properties", {}) if isinstance(node.get("properties"), dict) else node
        )
        for value in node.values():
            yield from _records(value)
    elif isinstance(node, list):
        for value in node:
            yield from _records(value)


def _exact(value) -> bool:
    """Whether a shown count is a number of 1-4 people (an exact small count)."""
    try:
        return 0 < float(value) < 5
    except (TypeError, ValueError):
        return False


def _value(value) -> bool:
    return value is not None and not (isinstance(value, float) and value != value) and value != ""


def _rate_texts(world):
    """Exact rate values of small communes as they would be printed (full precision, 6 digits)."""
    for profile in world.rates.values():
        for code in world.small:
            for value in profile[code].values():
                if value != 0 and len(repr(value)) >= 8:
                    yield code, repr(value)
                    short = f"{value:.6g}"
                    if len(short.replace(".", "").lstrip("-0")) >= 3:  # "5" is on every page
                        yield code, short


def _appears(number: str, text: str) -> bool:
    return re.search(rf"(?<![\d.]){re.escape(number)}(?!\d)", text) is not None


@pytest.mark.parametrize(
    ("who", "mode"), [("viewer", "threshold"), ("viewer_a", "threshold"), ("viewer", "round")]
)
def test_no_viewer_response_shows_a_small_count_or_its_rate(world, who, mode):
    settings = Settings(workspace=world.ws.root, require_keys=True, suppression_mode=mode)
    with TestClient(create_app(settings)) as client:
        bodies = fetch_all(client, world, who)
    assert len(bodies) > 25
    assert leaks(bodies, world) == []
    shown = json.loads(bodies["/scores?profile=patrol"])["features"]
    counts = {
        f["properties"]["commune_code"]: f["properties"]["repatriations_total"] for f in shown
    }
    if mode == "threshold":
        assert {counts[c] for c in world.small if c in counts} == {"<5"}
    else:
        assert {counts[c] for c in world.small if c in counts} == {0}
    if who == "viewer_a":
        html = bodies["/maps/patrol"]
        others = [world.names[c] for c in world.codes if c not in counts]
        assert all(drawn(name, html) == (name not in others) for name in world.names.values())


def test_the_scan_finds_what_an_analyst_is_shown(world):
    with TestClient(create_app(Settings(workspace=world.ws.root, require_keys=True))) as client:
        found = leaks(fetch_all(client, world, "analyst"), world)
    assert any("/scores?profile=patrol" in f and "repatriations_total" in f for f in found)
    assert any("/communes/" in f and "rate" in f for f in found)


def test_the_scan_fails_when_suppression_is_switched_off(world, monkeypatch):
    monkeypatch.setattr(Principal, "read_rule", lambda self: None)
    monkeypatch.setattr(Principal, "export_rule", lambda self, exact=False: None)
    every = urls  # without the field files, which refuse exact counts (tests/maps/test_field.py)

    def exact_urls(w, who):
        return {
            k: [u for u in v if not u.endswith((".kml", ".gpx"))] for k, v in every(w, who).items()
        }

    monkeypatch.setattr(sys.modules[__name__], "urls", exact_urls)
    with TestClient(create_app(Settings(workspace=world.ws.root, require_keys=True))) as client:
        found = leaks(fetch_all(client, world, "viewer"), world)
    for url in ("/scores?profile=patrol", "/rankings?top=100", "/exports/patrol.csv"):
        assert any(f.startswith(url) for f in found), url
    assert any(f.startswith("/exports/patrol.gpkg") for f in found)
