"""A slider's quick answer: ``POST /scores?geometry=false&analyses=false``.

Features without geometry but the same properties, scores equal to the full answer's, and a
viewer's quick answer computed from the suppressed data like every other viewer answer.
"""

from __future__ import annotations

import json
import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from fastapi.testclient import TestClient

from api.app import create_app
from api.responses import GeoJSONResponse, features
from api.settings import Settings
from risk.pipeline import score_workspace
from risk.privacy import Suppression, viewing
from risk.profiles import load_profile
from tests.api.privacy_world import auth, build_world
from tests.api.test_privacy_indistinguishable import mask, shifted

QUICK = "/scores?geometry=false&analyses=false"
WEIGHTS = {"border_proximity": 0.3, "venue_pressure": 0.3, "repatriation_rate": 0.4}


def post(client, url: str, weights=WEIGHTS, **kw) -> dict:
    response = client.post(url, json={"profile": "patrol", "weights": weights}, **kw)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/geo+json")
    return response.json()


def test_geometry_false_answers_null_geometry_and_the_same_properties(client):
    full = post(client, "/scores")
    bare = post(client, "/scores?geometry=false")
    assert all(f["geometry"] is None for f in bare["features"])
    assert all(f["geometry"]["type"] in {"Polygon", "MultiPolygon"} for f in full["features"])
    assert [f["properties"] for f in bare["features"]] == [
        f["properties"] for f in full["features"]
    ]
    same = {k: v for k, v in full.items() if k not in {"features", "links"}}
    assert {k: v for k, v in bare.items() if k not in {"features", "links"}} == same


def test_analyses_false_scores_the_same_without_sensitivity_or_hot_spots(client):
    full = {
        f["properties"]["commune_code"]: f["properties"]
        for f in post(client, "/scores")["features"]
    }
    quick = post(client, QUICK)
    assert quick["numberReturned"] == len(full) and quick["stored"] is False
    for feature in quick["features"]:
        p = feature["properties"]
        assert "hotspot" not in p and "rank_p05" not in p and "p_top_k" not in p
        same = full[p["commune_code"]]
        assert (p["score"], p["class"], p["rank"]) == (same["score"], same["class"], same["rank"])
        assert p["repatriations_total"] == same["repatriations_total"]
    assert "hotspot" in next(iter(full.values()))  # the full answer still has them


def test_quick_answers_follow_the_weights(client):
    one = post(client, QUICK, {"border_proximity": 1.0})["features"]
    two = post(client, QUICK, {"venue_pressure": 1.0})["features"]
    assert [f["properties"]["commune_code"] for f in one] != [
        f["properties"]["commune_code"] for f in two
    ]


def test_a_stored_run_needs_its_analyses(scored_workspace):
    with pytest.raises(ValueError, match="analyses=False only with store=False"):
        score_workspace(scored_workspace, load_profile("patrol"), store=True, analyses=False)


@pytest.fixture(scope="module")
def worlds(tmp_path_factory):
    one = build_world(tmp_path_factory.mktemp("one"))
    two = build_world(tmp_path_factory.mktemp("two"), reps=shifted(one.codes))
    return one, two


def keyed(world) -> TestClient:
    return TestClient(create_app(Settings(workspace=world.ws.root, require_keys=True)))


@pytest.mark.slow
@pytest.mark.parametrize("who", ["viewer", "viewer_a"])
def test_viewers_quick_answers_come_from_the_suppressed_data(worlds, who):
    """Two workspaces differing only where suppression hides: a viewer cannot tell them apart."""
    weights = {"repatriation_rate": 1.0}
    seen = [
        mask(json.dumps(post(keyed(w), QUICK, weights, headers=auth(w.keys[who])))) for w in worlds
    ]
    assert seen[0] == seen[1]
    exact = [
        mask(json.dumps(post(keyed(w), QUICK, weights, headers=auth(w.keys["analyst"]))))
        for w in worlds
    ]
    assert exact[0] != exact[1]  # control: the analysts' answers do differ


@pytest.mark.slow
def test_a_viewers_quick_scores_are_the_viewer_variants(worlds):
    world = worlds[0]
    weights = {"repatriation_rate": 0.5, "border_proximity": 0.5}
    quick = post(keyed(world), QUICK, weights, headers=auth(world.keys["viewer"]))
    shown = {f["properties"]["commune_code"]: f["properties"]["score"] for f in quick["features"]}
    profile = load_profile("patrol").with_weights(weights)
    with viewing(Suppression()):
        variant = score_workspace(world.ws, profile, store=False).table.frame
    exact = score_workspace(world.ws, profile, store=False).table.frame
    for code, score in zip(variant["commune_code"], variant["score"], strict=True):
        assert shown[code] == pytest.approx(score, abs=0.006)
    small = world.small[0]
    assert shown[small] != pytest.approx(exact.set_index("commune_code").loc[small, "score"])
    counts = {
        f["properties"]["commune_code"]: f["properties"]["repatriations_total"]
        for f in quick["features"]
    }
    assert counts[small] == "<5"


def test_features_write_nan_as_null_and_refuse_nan_coordinates():
    frame = gpd.GeoDataFrame(
        {"code": ["a", "b"], "score": [1.5, np.nan], "n": [1, 2]},
        geometry=[shapely.Point(105, 21), shapely.Point(106, 22)],
        crs=4326,
    )
    out = json.loads(GeoJSONResponse({"features": features(frame, ["code", "score", "n"])}).body)
    assert [f["properties"]["score"] for f in out["features"]] == [1.5, None]
    assert out["features"][0]["geometry"] == {"type": "Point", "coordinates": [105.0, 21.0]}
    frame.loc[0, "geometry"] = shapely.Point(105.123456789, 21.987654321)
    rounded = json.loads(GeoJSONResponse(features(frame, ["code"], precision=1e-6)).body)
    assert rounded[0]["geometry"]["coordinates"] == [105.123457, 21.987654]
    frame.loc[1, "geometry"] = shapely.Point(math.nan, 22)
    with pytest.raises(ValueError, match="NaN or infinite coordinates"):
        features(frame, ["code"])


@pytest.mark.parametrize("bad", [math.nan, math.inf, [1.0, -math.inf], np.array([0.0, np.nan])])
def test_geojson_responses_refuse_nan(bad):
    with pytest.raises(ValueError, match=r"NaN|infinity"):
        GeoJSONResponse({"type": "FeatureCollection", "features": [], "x": {"y": bad}})
