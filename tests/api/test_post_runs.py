"""POST /runs: analysts store a score run; the record comes back with 201 and a Location."""

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.keys import create_key
from api.settings import Settings
from risk.store import list_runs


def auth(key):
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def analyst(scored_workspace):
    return create_key(scored_workspace, role="analyst", label="Phòng PV05")[0]


def test_an_analyst_stores_a_run_with_custom_weights(client, analyst, scored_workspace):
    before = {r.run_id for r in list_runs(scored_workspace)}
    weights = {"border_proximity": 0.6, "vulnerability": 0.4}
    response = client.post(
        "/runs", json={"profile": "patrol", "weights": weights}, headers=auth(analyst)
    )
    assert response.status_code == 201, response.text
    run = response.json()
    assert response.headers["location"] == f"/runs/{run['run_id']}"
    assert run["run_id"] not in before and run["weights"] == weights
    assert run["layer_versions"]["communes"] == scored_workspace.versions()["communes"].version
    key = auth(analyst)  # the workspace has keys: reads need one too
    assert client.get(response.headers["location"], headers=key).json()["run_id"] == run["run_id"]
    assert run["run_id"] in {r["run_id"] for r in client.get("/runs", headers=key).json()}
    served = client.get("/scores", params={"profile": "patrol"}, headers=key).json()
    assert served["run_id"] == run["run_id"] and served["weights"] == weights  # the latest run
    log = (scored_workspace.root / "audit.log").read_text(encoding="utf-8")
    assert '"endpoint": "POST /runs"' in log and '"actor": "api:Phòng PV05"' in log


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"profile": "patrol", "weights": {"border_proximity": 0.2}}, 422, "sum to 0.2"),
        ({"profile": "patrol", "weights": {"moon": 1.0}}, 422, "weights.moon is not an indicator"),
        ({"profile": "nope"}, 404, 'profile "nope" does not exist'),
        ({"profile": "../etc"}, 422, "body.profile: String should match pattern"),
        ({"profile": "patrol", "weights": [0.5, 0.5]}, 422, "body.weights: Input should be"),
    ],
    ids=["sum", "unknown-indicator", "unknown-profile", "path", "wrong-type"],
)
def test_a_bad_run_request_stores_nothing(client, analyst, scored_workspace, body, status, detail):
    before = sorted((scored_workspace.root / "runs").iterdir())
    response = client.post("/runs", json=body, headers=auth(analyst))
    assert response.status_code == status and detail in response.json()["detail"]
    assert response.headers["content-type"].startswith("application/problem+json")
    assert sorted((scored_workspace.root / "runs").iterdir()) == before


def test_viewers_and_anonymous_callers_cannot_store_runs(client, scored_workspace):
    viewer = create_key(scored_workspace, role="viewer")[0]
    assert client.post("/runs", json={"profile": "patrol"}, headers=auth(viewer)).status_code == 403
    anonymous = client.post("/runs", json={"profile": "patrol"})
    assert anonymous.status_code == 401 and "needs an API key" in anonymous.json()["detail"]


def test_a_province_key_stores_a_run_only_when_every_commune_is_its_own(scored_workspace):
    own = create_key(scored_workspace, role="analyst", province="Biên Hải")[0]
    other = create_key(scored_workspace, role="analyst", province="Sơn Lâm")[0]
    with TestClient(create_app(Settings(workspace=scored_workspace.root))) as client:
        mine = client.post("/runs", json={"profile": "patrol"}, headers=auth(own))
        refused = client.post("/runs", json={"profile": "patrol"}, headers=auth(other))
    assert mine.status_code == 201 and refused.status_code == 403
    detail = refused.json()["detail"]
    assert 'including Biên Hải; a key limited to "Sơn Lâm" cannot store one' in detail
