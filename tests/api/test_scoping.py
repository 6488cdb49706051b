"""Keys scoped to a province, roles, small-count suppression, filters and paging on reads.

Every read endpoint is tried with a viewer scoped to province A, an unscoped viewer, an analyst,
an admin and no key (on a server that requires keys).
"""

import io
import json

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from risk.labels import indicator_label
from tests.api.privacy_world import A, B, auth, build_world, drawn

WHO = ("viewer_a", "viewer", "analyst", "admin", None)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build_world(tmp_path_factory.mktemp("scoping"))


@pytest.fixture(scope="module")
def api(world):
    with TestClient(create_app(Settings(workspace=world.ws.root, require_keys=True))) as client:
        yield client


def get(api, world, who, url, **params):
    return api.get(url, params=params, headers=auth(world.keys.get(who)))


def expected(world, who) -> tuple[set[str], dict[str, object]]:
    """Communes ``who`` sees and the count each should show."""
    codes = set(world.in_province(A) if who == "viewer_a" else world.codes)
    exact = who in ("analyst", "admin")
    shown = {
        c: n if exact else ("<5" if 0 < n < 5 else str(n))
        for c, n in world.counts.items()
        if c in codes
    }
    return codes, shown


def by_code(rows) -> dict[str, object]:
    return {str(r["commune_code"]): r["repatriations_total"] for r in rows}


@pytest.mark.parametrize("who", WHO, ids=str)
def test_scores_get_and_post_show_only_the_keys_communes_suppressed_for_viewers(api, world, who):
    posted = api.post("/scores", json={"profile": "patrol"}, headers=auth(world.keys.get(who)))
    got = get(api, world, who, "/scores")
    if who is None:
        assert got.status_code == posted.status_code == 401
        return
    _, shown = expected(world, who)
    for response in (got, posted):
        body = response.json()
        assert by_code(f["properties"] for f in body["features"]) == shown
        assert body["numberMatched"] == body["numberReturned"] == len(shown)


@pytest.mark.parametrize("who", WHO, ids=str)
def test_rankings_follow_the_keys_scope_and_role(api, world, who):
    response = get(api, world, who, "/rankings", top=100)
    if who is None:
        assert response.status_code == 401
        return
    _, shown = expected(world, who)
    assert by_code(response.json()["communes"]) == shown


@pytest.mark.parametrize("who", WHO, ids=str)
def test_a_commune_outside_the_keys_province_is_not_found(api, world, who):
    small_a = next(c for c in world.small if world.province[c] == A)
    small_b = next(c for c in world.small if world.province[c] == B)
    mine, other = (
        get(api, world, who, f"/communes/{small_a}"),
        get(api, world, who, f"/communes/{small_b}"),
    )
    if who is None:
        assert mine.status_code == other.status_code == 401
        return
    if who == "viewer_a":
        missing = get(api, world, who, "/communes/99999")
        assert other.status_code == 404 and other.json()["detail"] == missing.json()[
            "detail"
        ].replace("99999", small_b)
    else:
        assert other.status_code == 200
    detail = mine.json()
    rate = next(i for i in detail["indicators"] if i["indicator"] == "deported_rate")
    if who in ("analyst", "admin"):
        assert detail["repatriations_total"] == world.counts[small_a]
        assert rate["raw"] is not None and not rate["withheld"] and not detail["rate_withheld"]
    else:
        assert detail["repatriations_total"] == "<5" and detail["rate_withheld"]
        assert (
            rate["withheld"] and rate["raw"] is rate["normalised"] is rate["contribution"] is None
        )
        label = indicator_label("deported_rate", "vi")  # named among the reasons, no points
        assert all(r == label for r in detail["reasons"] if r.startswith(label))


@pytest.mark.parametrize("who", WHO, ids=str)
def test_exports_hold_the_keys_province_with_counts_suppressed_unless_exact(api, world, who):
    response = get(api, world, who, "/exports/patrol.csv")
    exact = get(api, world, who, "/exports/patrol.csv", exact="true")
    if who is None:
        assert response.status_code == exact.status_code == 401
        return
    codes, _ = expected(world, who)
    table = pd.read_csv(io.StringIO(response.content.decode("utf-8-sig")), dtype=str)
    assert set(table["commune_code"]) == codes
    suppressed = by_code(table.to_dict(orient="records"))
    assert all(suppressed[c] == "<5" for c in world.small if c in codes)
    if who in ("viewer", "viewer_a"):
        assert exact.status_code == 403 and "exact counts" in exact.json()["detail"]
        return
    rows = pd.read_csv(io.StringIO(exact.content.decode("utf-8-sig")))
    assert by_code(rows.to_dict(orient="records")) == {c: world.counts[c] for c in codes}


@pytest.mark.parametrize("who", WHO, ids=str)
def test_maps_draw_only_the_keys_province(api, world, who):
    response = get(api, world, who, "/maps/patrol")
    if who is None:
        assert response.status_code == 401
        return
    codes, _ = expected(world, who)
    for code in world.codes:
        assert drawn(world.names[code], response.text) == (code in codes), code


def test_ogc_collections_are_scoped_and_suppressed(api, world):
    items = get(api, world, "viewer_a", "/ogc/collections/scores-patrol/items").json()
    _, shown = expected(world, "viewer_a")
    assert by_code(f["properties"] for f in items["features"]) == shown
    venues_all = get(api, world, "analyst", "/ogc/collections/venues/items").json()
    venues_a = get(api, world, "viewer_a", "/ogc/collections/venues/items").json()
    assert 0 < venues_a["numberMatched"] < venues_all["numberMatched"]
    other = world.in_province(B)[0]
    hidden = get(api, world, "viewer_a", f"/ogc/collections/communes/items/{other}")
    assert hidden.status_code == 404


def test_naming_another_province_is_refused_whatever_the_name(api, world):
    for name in (B, "Nowhere"):
        response = get(api, world, "viewer_a", "/scores", province=name)
        assert (
            response.status_code == 403
            and f'limited to province "{A}"' in response.json()["detail"]
        )


@pytest.mark.parametrize(
    ("params", "count"),
    [
        ({"province": A}, 6),
        ({"district": "huyện  đông"}, 3),  # case and spacing do not matter, accents do
        ({"class": 5, "province": B}, None),
        ({"bbox": "0,0,1,1"}, 0),  # valid but empty: numberMatched 0
    ],
)
def test_property_filters_and_bbox_narrow_scores_and_rankings(api, world, params, count):
    scores = get(api, world, "analyst", "/scores", **params).json()
    rankings = get(api, world, "analyst", "/rankings", top=100, **params).json()
    codes = {f["properties"]["commune_code"] for f in scores["features"]}
    assert codes == {r["commune_code"] for r in rankings["communes"]}
    assert scores["numberMatched"] == rankings["numberMatched"] == len(codes)
    if count is not None:
        assert len(codes) == count
    for feature in scores["features"]:
        props = feature["properties"]
        assert props.get("class") == params.get("class", props.get("class"))


def test_paging_follows_next_links_through_every_commune(api, world):
    seen, url, pages = [], "/scores?limit=5", 0
    while url:
        body = api.get(url, headers=auth(world.keys["viewer"])).json()
        assert body["numberMatched"] == 12 and body["numberReturned"] == len(body["features"])
        seen += [f["properties"]["commune_code"] for f in body["features"]]
        rels = {link["rel"]: link["href"] for link in body["links"]}
        assert ("prev" in rels) == (pages > 0)
        url, pages = rels.get("next"), pages + 1
    assert pages == 3 and sorted(seen) == sorted(world.codes)


@pytest.mark.parametrize(
    ("url", "params", "status", "detail"),
    [
        (
            "/scores",
            {"province": "Atlantis"},
            404,
            'province "Atlantis" has no commune you can see; known: Biên Hải, Sơn Lâm',
        ),
        (
            "/rankings",
            {"district": "Huyện Xa"},
            404,
            'district "Huyện Xa" has no commune you can see',
        ),
        ("/scores", {"class": 7}, 422, "class: Input should be less than or equal to 5"),
        ("/scores", {"bbox": "107,22,106,21"}, 422, "has a minimum greater than its maximum"),
        ("/scores", {"bbox": "a,b"}, 422, "is not four numbers"),
        ("/scores", {"limit": -1}, 422, "limit: Input should be greater than or equal to 1"),
        ("/rankings", {"top": 0}, 422, "top: Input should be greater than or equal to 1"),
        ("/scores", {"offset": 10**12}, 422, "offset: Input should be less than or equal to"),
        ("/scores", {"offset": 50}, 422, "offset was 50 but only 12 communes match"),
        ("/rankings", {"offset": -3}, 422, "offset: Input should be greater than or equal to 0"),
        ("/exports/patrol.csv", {"exact": "maybe"}, 422, "exact"),
    ],
)
def test_bad_read_parameters_are_4xx_with_a_clear_detail(api, world, url, params, status, detail):
    response = get(api, world, "analyst", url, **params)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert detail in response.json()["detail"]


def test_a_scoped_viewer_is_told_only_its_own_districts(api, world):
    response = get(api, world, "viewer_a", "/scores", district="Huyện Nam")  # in province B
    assert response.status_code == 404
    assert "Huyện Nam" not in response.json()["detail"].split("known:")[1]
    assert "Huyện Đông" in response.json()["detail"]


def test_round_mode_reaches_viewers_and_exports_record_the_rule(world):
    settings = Settings(
        workspace=world.ws.root, require_keys=True, suppression_mode="round", round_base=10
    )
    with TestClient(create_app(settings)) as client:
        body = client.get("/scores", headers=auth(world.keys["viewer"])).json()
        export = client.get("/exports/patrol.geojson", headers=auth(world.keys["analyst"]))
        exact = client.get(
            "/exports/patrol.geojson", params={"exact": "true"}, headers=auth(world.keys["admin"])
        )
    shown = by_code(f["properties"] for f in body["features"])
    assert shown == {c: n // 10 * 10 for c, n in world.counts.items()}
    assert json.loads(export.content)["riskmap"]["counts"] == "round down to 10"
    assert json.loads(exact.content)["riskmap"]["counts"] == "exact"
    audit = [json.loads(line) for line in (world.ws.root / "audit.log").read_text().splitlines()]
    exports = [e for e in audit if e.get("endpoint") == "export geojson"]
    rules = [e["parameters"].split("counts=")[1] for e in exports]
    assert "round down to 10" in rules and rules[-1] == "exact"
    assert exports[-1]["actor"] == "admin"


def test_the_dashboard_page_and_assets_load_without_a_key_but_no_data_does(api):
    page = api.get("/")
    assert page.status_code == 200 and '"keys": true' in page.text
    assert api.get("/dashboard/dashboard.js").status_code == 200
    assert api.get("/dashboard/dashboard.css").status_code == 200
    for url in ("/profiles", "/scores", "/maps/patrol", "/exports/patrol.csv", "/rankings"):
        assert api.get(url).status_code == 401, url


@pytest.mark.parametrize("plan", ["patrol", "outreach"])
def test_plans_for_a_province_key_use_only_its_communes(api, world, plan):
    # 400 buys more communes than province A has (6, about 40 each): the unscoped plan leaves A
    params = {"k": 2, "radius_km": 5} if plan == "patrol" else {"budget": 400}
    scoped = get(api, world, "viewer_a", f"/plans/{plan}", draws=0, **params)
    everyone = get(api, world, "viewer", f"/plans/{plan}", draws=0, **params)
    assert scoped.status_code == everyone.status_code == 200
    mine = set(world.in_province(A))
    seen = json.dumps(scoped.json())
    assert not any(f'"{c}"' in seen for c in set(world.codes) - mine)
    assert any(f'"{c}"' in json.dumps(everyone.json()) for c in set(world.codes) - mine)
