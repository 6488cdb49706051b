"""Keys scoped to a province, roles, and small-count suppression for viewers."""

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.keys import create_key
from api.settings import Settings
from geo.workspace import Raster, Workspace
from risk.pipeline import score_workspace
from risk.profiles import load_profile
from tests.factories import METRIC, make_communes, make_layers, make_population


@pytest.fixture(scope="module")
def two_provinces(tmp_path_factory):
    """12 communes: the northern six in Biên Hải, the southern six in Sơn Lâm."""
    communes = make_communes()
    communes["province_name"] = ["Biên Hải"] * 6 + ["Sơn Lâm"] * 6
    layers = make_layers(communes)
    values, transform = make_population(communes)
    ws = Workspace(tmp_path_factory.mktemp("two") / "ws")
    ws.write_layers(
        layers, rasters={"population": Raster(values, transform, METRIC)}, source="test fixture"
    )
    for name in ("patrol", "outreach"):
        score_workspace(ws, load_profile(name))
    return ws


@pytest.fixture(scope="module")
def keys(two_provinces):
    return {
        "viewer_bh": create_key(two_provinces, role="viewer", province="Biên Hải")[0],
        "analyst": create_key(two_provinces, role="analyst")[0],
    }


@pytest.fixture(scope="module")
def api(two_provinces):
    app = create_app(Settings(workspace=two_provinces.root, require_keys=True))
    with TestClient(app) as client:
        yield client


def auth(key):
    return {"Authorization": f"Bearer {key}"}


def test_rankings_are_ranked_with_drivers(api, keys):
    body = api.get("/rankings", params={"top": 5}, headers=auth(keys["analyst"])).json()
    ranks = [row["rank"] for row in body["communes"]]
    assert ranks == sorted(ranks) and len(ranks) == 5
    assert all(isinstance(row["drivers"], list) for row in body["communes"])


def test_a_province_key_sees_only_its_province(api, keys):
    mine = api.get("/rankings", params={"top": 100}, headers=auth(keys["viewer_bh"])).json()
    assert {row["province_name"] for row in mine["communes"]} == {"Biên Hải"}
    assert len(mine["communes"]) == 6
    other = api.get("/rankings", params={"province": "Sơn Lâm"}, headers=auth(keys["viewer_bh"]))
    assert other.status_code == 403 and "limited to province" in other.json()["detail"]
    everyone = api.get("/rankings", params={"top": 100}, headers=auth(keys["analyst"])).json()
    assert len(everyone["communes"]) == 12


def test_viewers_never_see_small_exact_counts(api, keys):
    viewer = api.get("/rankings", params={"top": 100}, headers=auth(keys["viewer_bh"])).json()
    analyst = api.get(
        "/rankings", params={"top": 100, "province": "Biên Hải"}, headers=auth(keys["analyst"])
    ).json()
    exact = {r["commune_code"]: r["repatriations_total"] for r in analyst["communes"]}
    shown = {r["commune_code"]: r["repatriations_total"] for r in viewer["communes"]}
    assert any(0 < n < 5 for n in exact.values())  # the fixture has small counts to hide
    for code, n in exact.items():
        assert shown[code] == ("<5" if 0 < n < 5 else str(n))


def test_ogc_collections_are_scoped_to_the_keys_province(api, keys):
    headers = auth(keys["viewer_bh"])
    communes = api.get("/ogc/collections/communes/items", headers=headers).json()
    assert communes["numberMatched"] == 6
    scores = api.get("/ogc/collections/scores-patrol/items", headers=headers).json()
    assert {f["properties"]["province_name"] for f in scores["features"]} == {"Biên Hải"}
    venues_all = api.get("/ogc/collections/venues/items", headers=auth(keys["analyst"])).json()
    venues_bh = api.get("/ogc/collections/venues/items", headers=headers).json()
    assert 0 < venues_bh["numberMatched"] < venues_all["numberMatched"]
    south = next(
        f["id"]
        for f in api.get("/ogc/collections/communes/items", headers=auth(keys["analyst"])).json()[
            "features"
        ]
        if f["properties"]["province_name"] == "Sơn Lâm"
    )
    hidden = api.get(f"/ogc/collections/communes/items/{south}", headers=headers)
    assert hidden.status_code == 404
