import math

import pytest
from fastapi.testclient import TestClient
from geojson_pydantic import FeatureCollection

from api.app import create_app
from api.settings import Settings


def assert_problem(response, status, detail):
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert detail in body["detail"]


def test_health_reports_the_workspace(client, tmp_path):
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["workspace_ok"] is True
    with TestClient(create_app(Settings(workspace=tmp_path / "none"))) as other:
        assert other.get("/health").json()["workspace_ok"] is False


@pytest.mark.parametrize("name", ["patrol", "outreach"])
def test_scores_are_valid_geojson_with_scores_classes_and_ranks(client, name, layers):
    response = client.get("/scores", params={"profile": name})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    collection = FeatureCollection.model_validate(response.json())
    props = [f.properties for f in collection.features]
    assert len(props) == len(layers["communes"])
    assert {"commune_code", "commune_name", "score", "class", "class_label", "rank"} <= set(
        props[0]
    )
    assert all(0 <= p["score"] <= 100 for p in props)
    assert sorted(p["rank"] for p in props) == list(range(1, len(props) + 1))
    assert {p["class_label"] for p in props} <= {"Rất cao", "Cao", "Trung bình", "Thấp", "Rất thấp"}
    assert response.json()["profile"] == name and response.json()["run_id"]


def test_commune_detail_explains_the_score(client):
    code = client.get("/scores").json()["features"][0]["properties"]["commune_code"]
    detail = client.get(f"/communes/{code}", params={"profile": "outreach"}).json()
    assert detail["commune_code"] == code and detail["profile"] == "outreach"
    total = sum(i["contribution"] for i in detail["indicators"])
    assert math.isclose(total, detail["score"], rel_tol=1e-9)
    assert all(0 <= i["normalised"] <= 10 for i in detail["indicators"])
    assert {i["indicator"] for i in detail["indicators"]} >= {"vulnerability", "crossing_access"}
    assert detail["indicators"][0]["label_vi"]


def test_unknown_profile_commune_and_map_are_404_problems(client):
    assert_problem(
        client.get("/scores", params={"profile": "nope"}), 404, 'profile "nope" does not exist'
    )
    assert_problem(client.get("/communes/99999"), 404, 'commune "99999" is not in workspace')
    assert_problem(client.get("/maps/nope"), 404, 'profile "nope" does not exist')
    assert_problem(client.get("/scores", params={"profile": "../../etc/passwd"}), 422, "profile")


def test_maps_are_served_as_html(client):
    response = client.get("/maps/patrol")
    assert response.status_code == 200 and "text/html" in response.headers["content-type"]
    assert "Rất cao" in response.text and "L.geoJson(" in response.text
    assert "riskmap" in client.get("/").text


def test_missing_workspace_is_503_and_missing_run_is_404(tmp_path, tmp_workspace):
    with TestClient(create_app(Settings(workspace=tmp_path / "none"))) as other:
        assert_problem(other.get("/scores"), 503, "does not exist")
    with TestClient(create_app(Settings(workspace=tmp_workspace.root))) as unscored:
        assert_problem(unscored.get("/scores"), 404, "riskmap score --profile patrol")
        assert_problem(unscored.get("/maps/patrol"), 404, "riskmap map --profile patrol")


def test_profiles_list_weights_and_rationale(client):
    profiles = {p["name"]: p for p in client.get("/profiles").json()}
    assert set(profiles) == {"patrol", "outreach"}
    assert math.isclose(sum(profiles["patrol"]["weights"].values()), 1.0)


def test_patrol_and_outreach_plans_over_http(client):
    patrol = client.get("/plans/patrol", params={"k": 2, "radius_km": 6}).json()
    assert len(patrol["bases"]) == 2 and 0 < patrol["covered_share"] <= 1
    assert "baseline_covered_share" in patrol
    outreach = client.get("/plans/outreach", params={"profile": "outreach", "budget": 100}).json()
    assert outreach["communes"] and outreach["cost"] <= 100
    assert_problem(client.get("/plans/outreach", params={"budget": 1}), 422, "cheapest commune")
    assert client.get("/plans/patrol", params={"k": 0}).status_code == 422
