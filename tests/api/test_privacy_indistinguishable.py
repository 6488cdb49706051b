"""Everything a viewer can receive is computed from the data a viewer may see.

Two workspaces whose repatriations differ only inside what suppression hides (a commune total of
2 instead of 3, the same people in other years) must give byte-identical answers to a viewer and
to a province-scoped viewer, in both suppression modes, on every GET route of the OpenAPI
document (so a new route is covered as soon as it exists), every export format and map, OGC
items, plans and ``POST /scores`` with several weights (the repatriation weight alone too), once
times are masked, and the identifiers made from the exact rows: the repatriations layer's
version and the run ids. Every other hexadecimal value (other layers' versions, input hashes) is
compared as it is: both workspaces share one secret key, as if the attacker had it. Versions and
run ids are HMAC-SHA256 under the workspace's secret, so without it they cannot be tested
against guessed counts; ``test_guessed_counts_do_not_match_served_versions`` shows a brute
force over every hidden count fails on what is served.

Binary formats: GeoPackages are compared by their layers' contents (the file holds write
times); PNG and PDF by the data drawn into them (the frames, layers and texts handed to
:func:`maps.export.write_export`), since their pixels show the run id, which differs. Analysts
still see the exact figures, and a control shows the comparison finds the difference when
viewers are served the exact scores as before.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tempfile
import zipfile
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
from geo.crs import STORAGE_CRS
from geo.storage import frame_hash
from geo.workspace import SECRET_FILE, Workspace
from risk.pipeline import score_workspace
from risk.privacy import Suppression, viewing
from risk.profiles import load_profile
from risk.store import load_run
from tests.api.privacy_world import COUNTS, A, B, auth, build_world, repatriations

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
#: Folium's element ids (``map_<uuid4 hex>``): random per drawing, made from nothing in the data.
_FOLIUM_ID = re.compile(r"(?<=[a-z]_)[0-9a-f]{32}(?![0-9a-f])")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ][0-9:.]+)?(?:Z|[+-]\d{2}:?\d{2})?")


#: The one secret key of both workspaces (an attacker who knew it could still not tell them apart).
SECRET = bytes(range(32))


def shifted(codes: list[str]) -> pd.DataFrame:
    """The same rows, changed only where suppression hides it: a total, years, a split."""
    rows = repatriations(codes)
    first = rows["commune_code"] == codes[0]  # 2 people → 3 (1 deported + 2 returned)
    rows.loc[first & (rows["category"] == "victim_returned"), "count"] = 2
    nine = rows["commune_code"] == codes[9]  # 9 people: 4 deported + 5 returned → 3 + 6
    rows.loc[nine & (rows["category"] == "deported"), "count"] = 3
    rows.loc[nine & (rows["category"] == "victim_returned"), "count"] = 6
    rows.loc[rows["commune_code"] == codes[5], "period"] = "2021"  # 4 people, other years
    split = (rows["commune_code"] == codes[5]) & (rows["category"] == "deported")
    rows.loc[split, "count"] = 1  # ... and 2 deported in two rows (the layer has one row more)
    extra = rows[split].assign(period="2022")
    rows = pd.concat([rows, extra], ignore_index=True)
    rows.loc[rows["commune_code"] == codes[4], "period"] = "2020"  # 12 people, other years
    return rows


@pytest.fixture(scope="module")
def worlds(tmp_path_factory):
    one = build_world(keyed(tmp_path_factory.mktemp("one")))
    codes = one.codes
    two = build_world(keyed(tmp_path_factory.mktemp("two")), reps=shifted(codes))
    for world in (one, two):  # an analyst's as-of runs, made last: never a viewer's answer
        for name in PROFILES:
            score_workspace(world.ws, load_profile(name), as_of="2023")
    return one, two


def keyed(root: Path) -> Path:
    """``root``, whose workspace (``root/ws``) will use :data:`SECRET` as its key."""
    (root / "ws").mkdir(mode=0o700)
    (root / "ws" / SECRET_FILE).write_bytes(SECRET)
    return root


def exact_ids(world) -> dict[str, str]:
    """Identifiers made from the exact repatriation rows → placeholders naming their role."""
    ws = world.ws
    history = enumerate(ws.history("repatriations"))
    ids = {v.version: f"<repatriations version {i}>" for i, v in history}
    for relpath in ws.run_records():
        record = ws.read_json(relpath)
        dated = f" as of {record['as_of']}" if record.get("as_of") else ""
        ids[record["run_id"]] = f"<run {record['profile']}{dated}>"
    # stamps on maps may show the first 8 digits; replace whole values first
    return ids | {value[:8]: f"{name[:-1]} (short)>" for value, name in ids.items()}


def mask(text: str, ids: dict[str, str] | None = None) -> str:
    """``text`` with times, folium's random element ids and the ``ids`` made from the exact rows
    replaced by placeholders."""
    for value, placeholder in (ids or {}).items():
        text = text.replace(value, placeholder)
    return _TIME.sub("<time>", _FOLIUM_ID.sub("<folium id>", text))


def mask_all(text: str) -> str:
    """``text`` with every hexadecimal identifier and time masked (the control's comparison)."""
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
        listed = [r["run_id"] for r in http.get("/runs", headers=auth(key)).json()]
        records = [world.ws.read_json(p) for p in world.ws.run_records()]
        return listed + [r["run_id"] for r in records if r.get("as_of")]  # asked for by id
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
    ids = exact_ids(world)
    out: dict[str, str] = {}
    for path, ops in http.app.openapi()["paths"].items():
        if "get" not in ops:
            continue
        for url in expand(path, ops["get"], world, http, key):
            drawn.clear()
            response = http.get(url, headers=auth(key))
            label = mask(url, ids)
            out[label] = f"{response.status_code} {response.headers.get('content-type')}\n"
            text = body_of(response).replace(str(world.ws.root), "<workspace>")
            out[label] += mask(text, ids) + "".join(mask(d, ids) for d in drawn)
    for weights in WEIGHTS:
        for profile in PROFILES:
            body = {"profile": profile} | ({"weights": weights} if weights else {})
            response = http.post("/scores", json=body, headers=auth(key))
            out[f"POST /scores {json.dumps(body)}"] = (
                f"{response.status_code} {mask(response.text, ids)}"
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
    if "kmz" in kind:
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            return archive.read("doc.kml").decode("utf-8")
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
        "GET /scores": mask_all(http.get("/scores", headers=auth(key)).text),
        "POST /scores": mask_all(http.post("/scores", json=body, headers=auth(key)).text),
    }


def test_analysts_still_get_exact_figures(worlds):
    world = worlds[0]
    http, key = client(world, "threshold"), world.keys["analyst"]
    exact = load_run(world.ws, "patrol").table.frame.set_index("commune_code")
    with viewing(Suppression()):
        seen = load_run(world.ws, "patrol").table.frame.set_index("commune_code")
    code = world.codes[5]  # 4 people recorded (2 deported, 2 returned): viewers score 1 + 1
    detail = http.get(f"/communes/{code}", headers=auth(key)).json()
    assert detail["repatriations_total"] == 4
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


def test_guessed_counts_do_not_match_served_versions(worlds):
    """The attack: rebuild the rows with each count a "<5" may hide, hash them, compare.

    Before versions were keyed, the repatriations version served in ``GET /layers`` (and the
    run ids made from it) matched the hash of exactly one guess, giving every hidden count away.
    """
    world = worlds[0]
    http, key = client(world, "threshold"), world.keys["viewer"]
    layers = {la["name"]: la["version"] for la in http.get("/layers", headers=auth(key)).json()}
    runs = {r["run_id"] for r in http.get("/runs", headers=auth(key)).json()}
    served = http.get(f"/runs/{sorted(runs)[0]}", headers=auth(key)).json()["layer_versions"]
    assert served["repatriations"] == layers["repatriations"]
    small = COUNTS.index(2)  # the first commune: "<5" to viewers, 2 people in truth
    guesses, run_guesses = {}, set()
    for n in range(1, 5):
        counts = [*COUNTS[:small], n, *COUNTS[small + 1 :]]
        version = frame_hash(rows_of(world.codes, counts), STORAGE_CRS)
        guesses[n] = version
        for name in PROFILES:
            profile = load_profile(name)
            versions = served | {"repatriations": version}
            blob = json.dumps(
                [name, profile.model_hash(), versions, layers_code(http, key), 0], sort_keys=True
            )
            run_guesses.add(hashlib.sha256(blob.encode()).hexdigest()[:12])
    assert layers["repatriations"] not in guesses.values()
    assert not run_guesses & runs
    # the rebuilt rows are those written: unkeyed, the right guess would have matched
    assert guesses[2] == frame_hash(repatriations(world.codes), STORAGE_CRS)


def rows_of(codes: list[str], counts: list[int]) -> pd.DataFrame:
    """Rows built as :func:`tests.api.privacy_world.repatriations` builds them, from ``counts``."""
    rows = []
    for code, n in zip(codes, counts, strict=True):
        first = n // 2
        rows += [(code, "2023", "deported", first)] if first else []
        rows += [(code, "2024", "victim_returned", n - first)] if n - first else []
    return pd.DataFrame(rows, columns=["commune_code", "period", "category", "count"])


def layers_code(http: TestClient, key: str) -> str:
    """The code version the service reports (part of what a run id is made from)."""
    return http.get("/health").json()["version"]
