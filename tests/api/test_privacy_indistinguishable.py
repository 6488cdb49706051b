"""Everything a viewer can receive is computed from the data a viewer may see.

Two workspaces whose repatriations differ only inside what suppression hides (a commune total of
2 instead of 3, the same people in other years) must give byte-identical answers to a viewer and
to a province-scoped viewer, in both suppression modes, on every GET route of the OpenAPI
document (so a new route is covered as soon as it exists), every export format and map, OGC
items, plans and ``POST /scores`` with several weights (the repatriation weight alone too), once
run ids, layer versions, hashes and times are masked.

Binary formats: GeoPackages are compared by their layers' contents (the file holds write
times); PNG and PDF by the data drawn into them (the frames, layers and texts handed to
:func:`maps.export.write_export`), since their pixels show the run id, which differs. Analysts
still see the exact figures, and a control shows the comparison finds the difference when
viewers are served the exact scores as before.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
from pathlib import Path
from urllib.parse import quote

import docx
import openpyxl
import pandas as pd
import pyogrio
import pytest
from fastapi.testclient import TestClient

import api.render
import api.security
from api.app import create_app
from api.keys import create_key
from api.settings import Settings
from geo.workspace import Workspace
from risk.privacy import Suppression, viewing
from risk.store import load_run
from tests.api.privacy_world import A, B, auth, build_world, repatriations

pytestmark = pytest.mark.slow
MODES = {"threshold": ("threshold", 5), "round": ("round", 5)}
PROFILES = ("patrol", "outreach")
WHO = ("viewer", "viewer_a")
#: Query variants of routes beyond their defaults (a new required parameter must be added here).
QUERIES = {
    "/plans/outreach": [{"budget": 50_000}, {"budget": 5_000, "per_district": True}],
    "/plans/patrol": [{}, {"k": 1, "candidates": "communes"}],
    "/maps/{profile}": [{}, {"lang": "en"}],
    "/rankings": [{}, {"top": 12}, {"province": A}],
    "/scores": [{}, {"province": A}, {"class": 5}],
    "/exports/{profile}.{fmt}": [{}, {"lang": "en", "top": 4}],
}
WEIGHTS = [
    None,
    {"repatriation_rate": 1.0},
    {"deported_rate": 0.5, "victim_rate": 0.5},
    {"repatriation_rate": 0.5, "border_proximity": 0.5},
]
_HEX = re.compile(r"(?<![0-9A-Za-z.])(?=[0-9]*[a-f])[0-9a-f]{8,64}(?![0-9A-Za-z])")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ][0-9:.]+)?(?:Z|[+-]\d{2}:?\d{2})?")


def shifted(codes: list[str]) -> pd.DataFrame:
    """The same rows, changed only where suppression hides it: a total, years, a split."""
    rows = repatriations(codes)
    first = rows["commune_code"] == codes[0]  # 2 people → 3 (1 deported + 2 returned)
    rows.loc[first & (rows["category"] == "victim_returned"), "count"] = 2
    rows.loc[rows["commune_code"] == codes[5], "period"] = "2021"  # 4 people, other years
    split = (rows["commune_code"] == codes[5]) & (rows["category"] == "deported")
    rows.loc[split, "count"] = 1  # ... and 2 deported in two rows (the layer has one row more)
    extra = rows[split].assign(period="2022")
    rows = pd.concat([rows, extra], ignore_index=True)
    rows.loc[rows["commune_code"] == codes[4], "period"] = "2020"  # 12 people, other years
    return rows


@pytest.fixture(scope="module")
def worlds(tmp_path_factory):
    one = build_world(tmp_path_factory.mktemp("one"))
    codes = one.codes
    two = build_world(tmp_path_factory.mktemp("two"), reps=shifted(codes))
    return one, two


def mask(text: str) -> str:
    """``text`` with run ids, versions, hashes and times replaced by placeholders."""
    return _TIME.sub("<time>", _HEX.sub("<hex>", text))


def client(world, mode: str) -> TestClient:
    kind, base = MODES[mode]
    settings = Settings(
        workspace=world.ws.root, require_keys=True, suppression_mode=kind, round_base=base
    )
    return TestClient(create_app(settings))


def expand(path: str, op: dict, world, http: TestClient, key: str) -> list[str]:
    """Every concrete URL for route ``path`` in ``world`` (path values and query variants)."""
    urls = [path]
    for param in (p for p in op.get("parameters", []) if p["in"] == "path"):
        values = path_values(param, world, http, key)
        urls = [u.replace("{" + param["name"] + "}", quote(str(v))) for u in urls for v in values]
    queries = list(QUERIES.get(path, [{}]))
    if any(p["name"] == "profile" and p["in"] == "query" for p in op.get("parameters", [])):
        queries += [q | {"profile": "outreach"} for q in queries]
    required = [p["name"] for p in op.get("parameters", []) if p.get("required")]
    for q in queries:
        missing = [n for n in required if n not in q and "{" + n + "}" not in path]
        assert not missing, f"GET {path} needs {missing}: add values to QUERIES"
    return [
        u + ("?" + "&".join(f"{k}={v}" for k, v in q.items()) if q else "")
        for u in urls
        for q in queries
    ]


def path_values(param: dict, world, http: TestClient, key: str) -> list:
    """Values of a path parameter; a new one must be taught here."""
    name, schema = param["name"], param.get("schema", {})
    if "enum" in schema:
        return schema["enum"]
    if name == "profile":
        return list(PROFILES)
    if name == "code" or name == "feature_id":
        return [*world.codes[:6], "1"]
    if name == "name":
        return [layer["name"] for layer in http.get("/layers", headers=auth(key)).json()]
    if name == "collection_id":
        found = http.get("/ogc/collections", headers=auth(key)).json()["collections"]
        return [c["id"] for c in found]
    if name in ("run_id", "other"):  # other: the run a comparison is made against
        return [r["run_id"] for r in http.get("/runs", headers=auth(key)).json()]
    raise AssertionError(f"path parameter {name!r} is new: give the test values for it")


def answers(world, mode: str, who: str, monkeypatch) -> dict[str, str]:
    """What ``who`` receives from every GET route and POST /scores, masked, by request."""
    drawn: list[str] = []
    real = api.render.write_export

    def spy(path, scored, layers, *, request, info):
        shown = {n: f.drop(columns="geometry", errors="ignore").to_csv() for n, f in layers.items()}
        texts = (info.weights, info.profile_title, info.heading, info.stamp.notes)
        drawn.append(scored.to_csv() + json.dumps(shown, sort_keys=True) + repr(texts))
        return real(path, scored, layers, request=request, info=info)

    monkeypatch.setattr(api.render, "write_export", spy)
    http, key = client(world, mode), world.keys[who]
    out: dict[str, str] = {}
    for path, ops in http.app.openapi()["paths"].items():
        if "get" not in ops:
            continue
        for url in expand(path, ops["get"], world, http, key):
            drawn.clear()
            response = http.get(url, headers=auth(key))
            label = _HEX.sub("<hex>", url)
            out[label] = f"{response.status_code} {response.headers.get('content-type')}\n"
            text = body_of(response).replace(str(world.ws.root), "<workspace>")
            out[label] += mask(text) + "".join(map(mask, drawn))
    for weights in WEIGHTS:
        for profile in PROFILES:
            body = {"profile": profile} | ({"weights": weights} if weights else {})
            response = http.post("/scores", json=body, headers=auth(key))
            out[f"POST /scores {json.dumps(body)}"] = (
                f"{response.status_code} {mask(response.text)}"
            )
    return out


def body_of(response) -> str:
    """A response's content as comparable text (GeoPackages by their layers' rows)."""
    kind = response.headers.get("content-type", "")
    if "geopackage" in kind:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "export.gpkg"
            path.write_bytes(response.content)
            names = [n for n, _ in pyogrio.list_layers(path)]
            frames = {n: pyogrio.read_dataframe(path, layer=n).to_json() for n in names}
        return json.dumps(frames, sort_keys=True)
    if kind.startswith(("image/", "application/pdf")):
        return f"<{len(response.content) > 0} binary: compared by the data drawn>"
    if "officedocument" in kind:  # xlsx, docx: zips holding write times, compared by content
        return office_text(response.content, kind)
    return response.text


def office_text(body: bytes, kind: str) -> str:
    """Every cell of a workbook, or every paragraph and table cell of a Word file, as text."""
    if "spreadsheetml" in kind:
        book = openpyxl.load_workbook(io.BytesIO(body))
        rows = [list(r) for s in book.worksheets for r in s.iter_rows(values_only=True)]
        return json.dumps(rows, default=str)
    doc = docx.Document(io.BytesIO(body))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("who", WHO)
def test_viewers_cannot_tell_hidden_differences_apart(worlds, mode, who, monkeypatch):
    one, two = (answers(w, mode, who, monkeypatch) for w in worlds)
    assert one.keys() == two.keys()
    differ = [label for label in one if one[label] != two[label]]
    assert not differ, f"{len(differ)} of {len(one)} answers differ, e.g. {differ[:5]}"
    served = [label for label, text in one.items() if text.startswith("200")]
    assert any("/exports/patrol.png" in s for s in served) and any("/plans/" in s for s in served)
    assert any("/runs/" in s for s in served) and any("/items/" in s for s in served)


def test_the_comparison_finds_exact_scores_served_to_viewers(worlds, monkeypatch):
    """Control: viewers served the exact run (as before viewer variants) are told apart."""
    real = api.security.set_view
    monkeypatch.setattr(api.security, "set_view", lambda rule: real(None))
    one, two = (first_answers(w) for w in worlds)
    assert [k for k in one if one[k] != two[k]] == list(one)


def first_answers(world) -> dict[str, str]:
    http, key = client(world, "threshold"), world.keys["viewer"]
    body = {"profile": "patrol", "weights": {"repatriation_rate": 1.0}}
    return {
        "GET /scores": mask(http.get("/scores", headers=auth(key)).text),
        "POST /scores": mask(http.post("/scores", json=body, headers=auth(key)).text),
    }


def test_analysts_still_get_exact_figures(worlds):
    world = worlds[0]
    http, key = client(world, "threshold"), world.keys["analyst"]
    exact = load_run(world.ws, "patrol").table.frame.set_index("commune_code")
    with viewing(Suppression()):
        seen = load_run(world.ws, "patrol").table.frame.set_index("commune_code")
    code = world.codes[0]  # 2 people recorded
    detail = http.get(f"/communes/{code}", headers=auth(key)).json()
    assert detail["repatriations_total"] == 2
    assert detail["score"] == pytest.approx(exact.loc[code, "score"])
    assert seen.loc[code, "score"] != pytest.approx(exact.loc[code, "score"])
    shown = http.get(f"/communes/{code}", headers=auth(world.keys["viewer"])).json()
    assert shown["repatriations_total"] == "<5"
    assert shown["score"] == pytest.approx(seen.loc[code, "score"])


def test_a_province_key_exports_todays_communes_of_an_old_run(tmp_path):
    world = build_world(tmp_path)
    ws: Workspace = world.ws
    moved = world.codes[5]  # in A when the runs were scored
    communes = ws.read_layer("communes")
    communes.loc[communes["commune_code"] == moved, "province_name"] = B
    ws.write_layers({"communes": communes}, source="test: commune moved to B")
    old = load_run(ws, "patrol").record.run_id
    key_b = create_key(ws, role="viewer", province=B, label="B")[0]
    http = client(world, "threshold")
    for key, present in ((world.keys["viewer_a"], False), (key_b, True)):
        csv = http.get(f"/exports/patrol.csv?run={old}", headers=auth(key))
        assert csv.status_code == 200, csv.text
        assert (moved in csv.text) is present
        gpkg = http.get(f"/exports/patrol.geojson?run={old}", headers=auth(key))
        assert (f'"{moved}"' in gpkg.text) is present
        run = http.get(f"/runs/{old}", headers=auth(key)).json()
        assert all(c["commune_code"] != moved or present for c in run["top"])
    top_a = http.get(f"/runs/{old}", headers=auth(world.keys["viewer_a"])).json()["top"]
    assert {c["commune_code"] for c in top_a} <= set(world.codes[:6]) - {moved}
