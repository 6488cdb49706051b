"""Every route of the OpenAPI schema × {no key, viewer, analyst, admin}: who gets an answer.

A route added without a row in ``CASES`` fails ``test_every_route_has_a_case``, so no endpoint
ships without its role checked. Writes need a key with the analyst role; a workspace with keys
(as here) or a server that requires keys refuses all but /health without one. Anonymous reads
on a keyless loopback demo are tested in ``test_security_keys.py``.
"""

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.keys import create_key
from api.settings import Settings
from geo.workspace import Raster, Workspace
from risk.pipeline import score_workspace
from risk.profiles import load_profile
from risk.store import list_runs
from tests.factories import METRIC, make_communes, make_layers, make_population

CSV = b"name,kind,lon,lat\nCua khau A,opening,106.9,21.7\n"
PUBLIC, VIEWER, ANALYST = "public", "viewer", "analyst"

#: (method, route) → (url, request kwargs, least role needed).
CASES = {
    ("get", "/health"): ("/health", {}, PUBLIC),
    ("get", "/profiles"): ("/profiles", {}, VIEWER),
    ("get", "/layers"): ("/layers", {}, VIEWER),
    ("get", "/layers/{name}"): ("/layers/communes", {}, VIEWER),
    ("post", "/layers/{name}"): ("/layers/crossings", {"files": {"file": ("c.csv", CSV)}}, ANALYST),
    ("get", "/scores"): ("/scores", {}, VIEWER),
    ("post", "/scores"): ("/scores", {"json": {"profile": "patrol"}}, VIEWER),
    ("get", "/communes/{code}"): ("/communes/90001", {}, VIEWER),
    ("get", "/rankings"): ("/rankings", {"params": {"top": 3}}, VIEWER),
    ("get", "/runs"): ("/runs", {}, VIEWER),
    ("post", "/runs"): ("/runs", {"json": {"profile": "outreach"}}, ANALYST),
    ("get", "/runs/{run_id}"): ("/runs/{run_id}", {}, VIEWER),
    ("get", "/runs/{run_id}/compare/{other}"): ("/runs/{run_id}/compare/{other}", {}, VIEWER),
    ("get", "/plans/patrol"): ("/plans/patrol", {"params": {"k": 2, "radius_km": 6}}, VIEWER),
    ("get", "/plans/outreach"): (
        "/plans/outreach",
        {"params": {"profile": "outreach", "budget": 100}},
        VIEWER,
    ),
    ("get", "/plans/segments"): ("/plans/segments", {}, VIEWER),
    ("get", "/ogc"): ("/ogc", {}, VIEWER),
    ("get", "/ogc/conformance"): ("/ogc/conformance", {}, VIEWER),
    ("get", "/ogc/collections"): ("/ogc/collections", {}, VIEWER),
    ("get", "/ogc/collections/{collection_id}"): ("/ogc/collections/communes", {}, VIEWER),
    ("get", "/ogc/collections/{collection_id}/items"): (
        "/ogc/collections/communes/items",
        {},
        VIEWER,
    ),
    ("get", "/ogc/collections/{collection_id}/items/{feature_id}"): (
        "/ogc/collections/communes/items/90001",
        {},
        VIEWER,
    ),
    ("get", "/exports/{profile}.{fmt}"): ("/exports/patrol.csv", {}, VIEWER),
    ("get", "/maps/{profile}"): ("/maps/patrol", {}, VIEWER),
}
CALLERS = ["none", "viewer", "analyst", "admin"]


def expected(least: str, caller: str, *, keys_required: bool) -> int | None:
    """The status a caller gets: None for success (2xx), else 401 or 403."""
    if least == PUBLIC:
        return None
    if caller == "none":
        return 401 if keys_required or least == ANALYST else None
    if least == ANALYST and caller == "viewer":
        return 403
    return None


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    communes = make_communes()
    layers = make_layers(communes)
    values, transform = make_population(communes)
    ws = Workspace(tmp_path_factory.mktemp("roles") / "ws")
    ws.write_layers(
        layers, rasters={"population": Raster(values, transform, METRIC)}, source="test fixture"
    )
    for name in ("patrol", "outreach"):
        score_workspace(ws, load_profile(name))
    score_workspace(ws, load_profile("patrol"), seed=1)  # a second patrol run to compare with
    return ws


@pytest.fixture(scope="module")
def keys(workspace):
    return {role: create_key(workspace, role=role, label=role)[0] for role in CALLERS[1:]}


@pytest.fixture(scope="module", params=[False, True], ids=["loopback", "keys-required"])
def server(request, workspace):
    app = create_app(Settings(workspace=workspace.root, require_keys=request.param))
    with TestClient(app) as client:
        yield client, True  # the workspace has keys: required whatever the setting says


def test_every_route_has_a_case(workspace):
    schema = create_app(Settings(workspace=workspace.root)).openapi()
    routes = {(method, path) for path, ops in schema["paths"].items() for method in ops}
    assert routes == set(CASES), f"routes without a role case: {routes - set(CASES)}"


@pytest.mark.parametrize("route", list(CASES), ids=[f"{m.upper()} {p}" for m, p in CASES])
@pytest.mark.parametrize("caller", CALLERS)
def test_role_matrix(server, keys, workspace, route, caller):
    client, keys_required = server
    url, kwargs, least = CASES[route]
    runs = list_runs(workspace)
    other = next(r for r in runs if r.profile == runs[0].profile and r.run_id != runs[0].run_id)
    url = url.format(run_id=runs[0].run_id, other=other.run_id)
    headers = {} if caller == "none" else {"Authorization": f"Bearer {keys[caller]}"}
    response = client.request(route[0].upper(), url, headers=headers, **kwargs)
    status = expected(least, caller, keys_required=keys_required)
    if status is None:
        assert response.is_success, (response.status_code, response.text[:300])
    else:
        assert response.status_code == status, response.text[:300]
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["detail"]


def test_a_revoked_or_unknown_key_is_401_even_for_reads(server):
    client, _ = server
    response = client.get("/scores", headers={"X-API-Key": "rmk_not-a-key"})
    assert response.status_code == 401 and "unknown or revoked" in response.json()["detail"]
