"""Bad requests get a 4xx problem with a clear detail, never a 500 and never a partial write.

Uploads (oversized, zip bombs, path traversal in file names, rejected rows) are covered in
test_layers.py; weights that do not sum to 1 for POST /runs in test_post_runs.py.
"""

import pytest

from api.keys import create_key


@pytest.fixture
def analyst(scored_workspace):
    return {"Authorization": f"Bearer {create_key(scored_workspace, role='analyst')[0]}"}


def assert_problem(response, status, detail):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and detail in body["detail"], body["detail"]


def state(ws):
    return ws.versions(), sorted(p.name for p in (ws.root / "runs").iterdir())


@pytest.mark.parametrize("path", ["/scores", "/runs"])
@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b'{"profile": "patrol",', "the request body is not valid JSON: Expecting property name"),
        (b"{'profile': 'patrol'}", "the request body is not valid JSON"),
        (b"[]", "body: Input should be a valid dictionary"),
        (b'{"profile": 5}', "body.profile: Input should be a valid string (got 5)"),
        (b'{"weights": "heavy"}', "body.weights: Input should be a valid dictionary (got 'heavy')"),
        (b'{"weights": {"vulnerability": "1"}}', "weights.vulnerability is '1'"),
        (b'{"weights": {"vulnerability": 0.7}}', "weights sum to 0.7, expected 1"),
    ],
    ids=["truncated", "single-quotes", "array", "int-profile", "text-weights", "text", "sum"],
)
def test_bad_json_bodies_are_422(client, analyst, scored_workspace, path, body, detail):
    before = state(scored_workspace)
    response = client.post(
        path, content=body, headers={**analyst, "content-type": "application/json"}
    )
    assert_problem(response, 422, detail)
    assert state(scored_workspace) == before


@pytest.mark.parametrize(
    ("url", "status", "detail"),
    [
        ("/scores?profile=nope", 404, 'profile "nope" does not exist'),
        ("/communes/99999", 404, 'commune "99999" is not in workspace'),
        ("/runs/abcdef123456", 404, "no run abcdef123456"),
        ("/layers/roads", 404, 'layer "roads" is not in this workspace'),
        ("/layers/crossings?bbox=107,22,106,21", 422, "minimum greater than its maximum"),
        ("/layers/crossings?bbox=1,2,3", 422, "is not four numbers"),
        ("/layers/industrial_zones?bbox=0,0,1,1&limit=0", 422, "query.limit"),
        ("/ogc/collections/communes/items?bbox=5,0,1,1", 422, "minimum greater than its maximum"),
        ("/layers/communes?limit=-1", 422, "query.limit: Input should be greater than or equal"),
        ("/ogc/collections/communes/items?limit=-5", 422, "query.limit: Input should be greater"),
        ("/layers/communes?limit=ten", 422, "query.limit: Input should be a valid integer"),
        ("/layers/communes?offset=-3", 422, "query.offset: Input should be greater than or"),
        ("/layers/communes?offset=" + "9" * 30, 422, "query.offset: Input should be less than"),
        ("/ogc/collections/communes/items?offset=" + "9" * 30, 422, "query.offset: Input should"),
        ("/nowhere", 404, "Not Found"),
    ],
)
def test_bad_queries_are_4xx_problems(client, url, status, detail):
    assert_problem(client.get(url), status, detail)


def test_a_bbox_on_a_table_is_422(client, analyst):
    response = client.get("/layers/repatriations?bbox=0,0,1,1", headers=analyst)
    assert_problem(response, 422, "is a table without geometry")


def test_an_offset_past_the_end_is_an_empty_page(client):
    body = client.get("/layers/communes", params={"offset": 500}).json()
    assert body["numberMatched"] == 12 and body["features"] == []


def test_wrong_method_and_missing_file_are_problems(client, analyst, scored_workspace):
    before = state(scored_workspace)
    assert_problem(client.delete("/layers/communes", headers=analyst), 405, "Method Not Allowed")
    assert_problem(client.post("/layers/communes", headers=analyst), 422, "body.file: Field")
    form = client.post("/layers/communes", data={"crs": "EPSG:4326"}, headers=analyst)
    assert_problem(form, 422, "body.file: Field required")
    bad_columns = client.post(
        "/layers/crossings",
        files={"file": ("c.csv", b"a,b\n1,2\n")},
        data={"columns": "Tên"},
        headers=analyst,
    )
    assert_problem(bad_columns, 422, '--columns item "Tên" is not SOURCE=COLUMN')
    assert state(scored_workspace) == before
