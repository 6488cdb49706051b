"""Differencing audit: no pair of viewer filters reconstructs a small count from two totals.

For every filter a viewer can send (province, district, class, bounding boxes isolating single
communes, rows, columns and blocks of them) the audit fetches what the viewer is shown from
``/scores`` (GET and POST), ``/rankings`` and the OGC score collection, turns every shown count
into the interval of true counts it allows ("<5" → 1-4, a value rounded down to 5 → n..n+4),
intersects what all responses say about each commune, and then, for every pair of responses
whose communes differ by one commune, subtracts their totals (an exact total where an endpoint
returns one, else the sum of the shown intervals). A small count (1-4) must never come out as a
single value. The same audit run on an analyst, or on a viewer with suppression switched off,
must find the small counts, which shows the audit can fail.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.security import Principal
from api.settings import Settings
from tests.api.privacy_world import DISTRICTS, A, B, auth, build_world

pytestmark = pytest.mark.slow
INF = math.inf
#: Top-level fields that would be totals of people over a filter, if an endpoint returned them.
AGGREGATES = ("repatriations_total", "people", "total_people", "totals")
MODES = {"threshold": ("threshold", 5), "round5": ("round", 5), "round10": ("round", 10)}


@dataclass(frozen=True)
class View:
    """What one response shows: the interval of true counts per commune, and any exact total."""

    label: str
    cells: dict[str, tuple[float, float]]
    total: float | None = None


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build_world(tmp_path_factory.mktemp("audit"))


def serve(world, mode: str) -> TestClient:
    kind, base = MODES[mode]
    settings = Settings(
        workspace=world.ws.root, require_keys=True, suppression_mode=kind, round_base=base
    )
    return TestClient(create_app(settings))


def interval(shown, base: int) -> tuple[float, float]:
    """True counts a shown value allows: "<t" → 1..t-1; a multiple of ``base`` → n..n+base-1."""
    if shown is None:
        return (0, INF)
    if isinstance(shown, str) and shown.startswith("<"):
        return (1, int(shown[1:]) - 1)
    n = int(shown)
    return (n, n + base - 1) if n % base == 0 else (n, n)


def bboxes(world) -> dict[str, str]:
    """Boxes around single communes, each row, each column, 2x2 blocks and everything."""
    gdf = world.ws.read_layer("communes").to_crs(4326).set_index("commune_code")
    grid = [world.codes[r * 4 : r * 4 + 4] for r in range(3)]
    groups = {f"one {c}": [c] for c in world.codes}
    groups |= {f"row {r}": grid[r] for r in range(3)}
    groups |= {f"col {c}": [grid[r][c] for r in range(3)] for c in range(4)}
    groups |= {
        f"block {r}{c}": [grid[r + i][c + j] for i in (0, 1) for j in (0, 1)]
        for r in range(2)
        for c in range(3)
    }
    groups["all"] = world.codes
    out = {}
    for label, codes in groups.items():
        west, south, east, north = gdf.loc[codes].total_bounds
        pad = 0.002  # inside the outer communes, so the box touches no neighbour
        out[label] = f"{west + pad},{south + pad},{east - pad},{north - pad}"
    return out


def filters(world) -> dict[str, dict]:
    out = {"none": {}}
    out |= {f"province {p}": {"province": p} for p in (A, B)}
    out |= {f"district {d}": {"district": d} for d in dict.fromkeys(DISTRICTS)}
    out |= {f"class {k}": {"class": k} for k in range(1, 6)}
    out |= {f"bbox {label}": {"bbox": box} for label, box in bboxes(world).items()}
    return out


def views(client, headers, world, base: int) -> list[View]:
    """Every response a viewer gets for every filter, from every read endpoint of scores."""
    out = []
    for label, params in filters(world).items():
        requests = [
            ("GET /scores", lambda p=params: client.get("/scores", params=p, headers=headers)),
            (
                "GET /rankings",
                lambda p=params: client.get(
                    "/rankings", params=p | {"top": 20000}, headers=headers
                ),
            ),
        ]
        if "bbox" not in params or label.endswith(("all", "row 0", "one 90001")):
            requests.append(
                (
                    "POST /scores",
                    lambda p=params: client.post(
                        "/scores", params=p, json={"profile": "patrol"}, headers=headers
                    ),
                )
            )
        if set(params) <= {"bbox"}:
            requests.append(
                (
                    "OGC items",
                    lambda p=params: client.get(
                        "/ogc/collections/scores-patrol/items",
                        params=p | {"limit": 1000},
                        headers=headers,
                    ),
                )
            )
        for endpoint, send in requests:
            response = send()
            if response.status_code in (403, 404):  # another province: nothing is shown
                continue
            assert response.status_code == 200, (endpoint, label, response.text)
            out.append(view_of(f"{endpoint} {label}", response.json(), base))
    return out


def view_of(label: str, body: dict, base: int) -> View:
    """The counts a response body shows per commune, and a top-level total if it has one."""
    rows = [f["properties"] for f in body.get("features", [])] + body.get("communes", [])
    cells = {r["commune_code"]: interval(r.get("repatriations_total"), base) for r in rows}
    totals = [body[k] for k in AGGREGATES if isinstance(body.get(k), int | float)]
    return View(label, cells, float(totals[0]) if totals else None)


def audit(found: list[View], small: set[str]) -> list[str]:
    """Small counts an attacker pins down from these views: per commune, then by differencing."""
    know: dict[str, tuple[float, float]] = {}
    for view in found:
        for code, (lo, hi) in view.cells.items():
            old = know.get(code, (0, INF))
            know[code] = (max(old[0], lo), min(old[1], hi))
    findings = [f"{c} shown as exactly {know[c][0]:g}" for c in small if _pinned(know.get(c))]

    def total(view: View) -> tuple[float, float]:
        if view.total is not None:
            return (view.total, view.total)
        return tuple(sum(know[c][i] for c in view.cells) for i in (0, 1))

    for big, part in itertools.permutations(found, 2):
        extra = set(big.cells) - set(part.cells)
        if len(extra) != 1 or not set(part.cells) < set(big.cells):
            continue
        (code,) = extra
        if code not in small or (big.total is None and part.total is None):
            continue
        (blo, bhi), (plo, phi) = total(big), total(part)
        lo, hi = max(blo - phi, know[code][0]), min(bhi - plo, know[code][1])
        if lo == hi:
            findings.append(f"{code} = {lo:g} from ({big.label}) - ({part.label})")
    return findings


def _pinned(bounds) -> bool:
    return bounds is not None and bounds[0] == bounds[1]


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("who", ["viewer", "viewer_a"])
def test_no_viewer_filter_pair_reconstructs_a_small_count(world, mode, who):
    with serve(world, mode) as client:
        found = views(client, auth(world.keys[who]), world, MODES[mode][1])
    seen = set().union(*(v.cells for v in found))
    assert seen == set(world.codes if who == "viewer" else world.in_province(A))
    assert len(found) > 40  # every filter was tried on every endpoint
    assert audit(found, set(world.small)) == []


def test_the_audit_finds_small_counts_an_analyst_is_shown(world):
    with serve(world, "threshold") as client:
        found = views(client, auth(world.keys["analyst"]), world, 5)
    findings = audit(found, set(world.small))
    assert len(findings) >= len(world.small)


def test_the_audit_fails_when_suppression_is_switched_off(world, monkeypatch):
    monkeypatch.setattr(Principal, "read_rule", lambda self: None)
    with serve(world, "round5") as client:
        found = views(client, auth(world.keys["viewer"]), world, 5)
    assert {f.split()[0] for f in audit(found, set(world.small))} == set(world.small)


def test_the_audit_catches_a_total_computed_from_exact_counts():
    district = View("district", {"a": (1, 4), "b": (7, 7)}, total=9)
    without_a = View("bbox", {"b": (7, 7)})
    assert audit([district, without_a], {"a"}) == ["a = 2 from (district) - (bbox)"]
    rounded = View("district", {"a": (0, 4), "b": (5, 9)})  # no exact total: sums of intervals
    assert audit([rounded, View("bbox", {"b": (5, 9)})], {"a"}) == []
