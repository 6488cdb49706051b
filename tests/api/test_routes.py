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
    assert all(0 <= i["normalised"] <= 100 for i in detail["indicators"])
    assert {i["indicator"] for i in detail["indicators"]} >= {"vulnerability", "crossing_access"}
    assert detail["indicators"][0]["label_vi"]


def test_commune_detail_gives_rank_range_top_k_chance_hotspot_and_reasons(client):
    top = client.get("/scores", params={"profile": "patrol"}).json()["features"][0]
    detail = client.get(f"/communes/{top['properties']['commune_code']}").json()
    assert detail["rank"] == 1 and detail["top_k"] == 10
    assert 1 <= detail["rank_p05"] <= detail["rank"] <= detail["rank_p95"] <= detail["communes"]
    assert 0 < detail["p_top_k"] <= 1
    assert detail["hotspot"] in {
        "hot_99",
        "hot_95",
        "hot_90",
        "ns",
        "cold_90",
        "cold_95",
        "cold_99",
    }
    assert detail["hotspot_label"] and detail["hotspot_label_en"]
    assert 1 <= len(detail["reasons"]) <= 3 and "điểm" in detail["reasons"][0]
    assert detail["reasons_en"][0].startswith(
        next(i["label_en"] for i in detail["indicators"] if i["indicator"] == detail["drivers"][0])
    )


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
        # HTTP clients are told what is missing, not the operator's command (that is the CLI's)
        assert_problem(unscored.get("/scores"), 404, 'no run of profile "patrol"')
        # with no stored map the map is drawn on request, so what is missing is the run
        assert_problem(unscored.get("/maps/patrol"), 404, 'no run of profile "patrol"')


def test_profiles_list_weights_and_rationale(client):
    profiles = {p["name"]: p for p in client.get("/profiles").json()}
    assert set(profiles) == {"patrol", "outreach"}
    assert math.isclose(sum(profiles["patrol"]["weights"].values()), 1.0)


def test_post_scores_rescores_with_custom_weights_and_stores_nothing(client, scored_workspace):
    runs_before = sorted((scored_workspace.root / "runs").iterdir())
    weights = {"border_proximity": 0.5, "vulnerability": 0.5}
    response = client.post("/scores", json={"profile": "patrol", "weights": weights})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    body = response.json()
    collection = FeatureCollection.model_validate(body)
    assert body["profile"] == "patrol" and body["stored"] is False and body["run_id"] is None
    assert body["weights"] == weights
    stored = client.get("/scores", params={"profile": "patrol"}).json()
    assert set(stored["features"][0]["properties"]) == set(body["features"][0]["properties"])
    props = [f.properties for f in collection.features]
    assert sorted(p["rank"] for p in props) == list(range(1, len(props) + 1))
    order = [f["properties"]["commune_code"] for f in stored["features"]]
    assert [p["commune_code"] for p in props] != order  # other weights, other ranking
    assert sorted((scored_workspace.root / "runs").iterdir()) == runs_before


def test_post_scores_without_weights_matches_the_stored_run(client):
    posted = client.post("/scores", json={"profile": "outreach"}).json()
    stored = client.get("/scores", params={"profile": "outreach"}).json()
    assert posted["weights"] == stored["weights"]
    assert [f["properties"] for f in posted["features"]] == [
        f["properties"] for f in stored["features"]
    ]


@pytest.mark.parametrize(
    ("weights", "detail"),
    [
        ({"moon_phase": 1.0}, "weights.moon_phase is not an indicator"),
        ({"border_proximity": -0.5, "vulnerability": 1.5}, "weights.border_proximity is -0.5"),
        ({"border_proximity": 0.2}, "weights sum to 0.2, expected 1"),
        ({"border_proximity": "lots"}, "weights.border_proximity is 'lots'"),
    ],
    ids=["unknown", "negative", "sum", "text"],
)
def test_post_scores_rejects_bad_weights_naming_the_key(client, weights, detail):
    assert_problem(
        client.post("/scores", json={"profile": "patrol", "weights": weights}), 422, detail
    )


def test_post_scores_unknown_profile_is_404(client):
    assert_problem(client.post("/scores", json={"profile": "nope"}), 404, 'profile "nope"')


def test_post_scores_with_new_weights_redoes_no_geometry(client, monkeypatch):
    import risk.inputs

    client.post("/scores", json={"profile": "patrol"})

    def forbidden(*args, **kwargs):
        raise AssertionError("geometry work on a re-score")

    for name in ("compute_indicator", "zonal_stats", "queen_neighbours", "to_metric"):
        monkeypatch.setattr(risk.inputs, name, forbidden)
    response = client.post("/scores", json={"profile": "patrol", "weights": {"vulnerability": 1}})
    assert response.status_code == 200
    assert {f["properties"]["commune_code"] for f in response.json()["features"]}


def test_patrol_and_outreach_plans_over_http(client):
    patrol = client.get("/plans/patrol", params={"k": 2, "radius_km": 6}).json()
    assert len(patrol["bases"]) == 2 and 0 < patrol["covered_share"] <= 1
    assert "baseline_covered_share" in patrol
    outreach = client.get("/plans/outreach", params={"profile": "outreach", "budget": 100}).json()
    assert outreach["communes"] and outreach["cost"] <= 100
    assert_problem(client.get("/plans/outreach", params={"budget": 1}), 422, "cheapest commune")
    assert client.get("/plans/patrol", params={"k": 0}).status_code == 422


def test_runs_are_listed_and_one_run_shows_its_record_and_top_communes(client):
    runs = client.get("/runs").json()
    assert {r["profile"] for r in runs} == {"patrol", "outreach"}
    first = runs[0]
    assert first["layer_versions"]["communes"] and first["code_version"] and first["input_hash"]
    one = client.get(f"/runs/{first['run_id']}").json()
    assert one["run_id"] == first["run_id"] and one["top"][0]["rank"] == 1
    assert "repatriations_total" not in one["top"][0]  # sensitive counts stay out of the API
    assert_problem(client.get("/runs/abcdef123456"), 404, "no run abcdef123456")
