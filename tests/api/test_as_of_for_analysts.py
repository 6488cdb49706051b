"""As-of runs are analysts' runs: a viewer never reads one, and none is served by default.

An as-of run counts only the records known by a date, so it differs from another run by exactly
what a few people recorded since (and dates them). The tester's attacks: a viewer comparing two
as-of runs read ``repatriations_change`` 3 and 1; exports ``?run=`` of each gave 8 → 11; two
workspaces differing only by the year of a 2-person commune gave different as-of viewer answers;
and after ``riskmap score --as-of 2022`` the 2022 run was the one served by default.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from api.app import create_app
from api.settings import Settings
from geo.errors import NotFoundError
from risk.compare import compare_tables
from risk.errors import AsOfRunError
from risk.pipeline import score_workspace
from risk.privacy import Suppression, viewing
from risk.profiles import load_profile
from risk.store import list_runs, load_run
from tests.api.privacy_world import auth, build_world, repatriations
from tests.helpers import riskmap

PATROL = load_profile("patrol")


def http(world) -> TestClient:
    return TestClient(create_app(Settings(workspace=world.ws.root, require_keys=True)))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The privacy world (one patrol run over all records), then an analyst's as-of runs."""
    world = build_world(tmp_path_factory.mktemp("asof"))
    world.base = load_run(world.ws, "patrol").record.run_id
    world.before = score_workspace(world.ws, PATROL, as_of="2023").record.run_id
    world.now = score_workspace(world.ws, PATROL, as_of="2024").record.run_id
    return world


def test_viewers_are_refused_every_read_of_an_as_of_run(world):
    client = http(world)
    asked = [
        f"/runs/{world.before}",
        f"/runs/{world.now}/compare/{world.before}",
        f"/runs/{world.base}/compare/{world.before}",
        f"/runs/{world.now}/compare/{world.base}",
        f"/exports/patrol.csv?run={world.now}",
        f"/exports/patrol.csv?against={world.before}",
        f"/exports/patrol.kml?run={world.before}",
        f"/plans/patrol?run_id={world.now}",
    ]
    for who in ("viewer", "viewer_a"):
        for url in asked:
            response = client.get(url, headers=auth(world.keys[who]))
            assert response.status_code == 403, (who, url, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            assert re.search(r"as-of runs are for analysts", response.json()["detail"])
            assert "repatriations" not in response.text


def test_viewers_list_only_runs_over_all_records(world):
    client = http(world)
    seen = {r["run_id"] for r in client.get("/runs", headers=auth(world.keys["viewer"])).json()}
    assert world.base in seen and not seen & {world.before, world.now}
    everything = client.get("/runs", headers=auth(world.keys["analyst"])).json()
    assert {world.before, world.now} <= {r["run_id"] for r in everything}


def test_analysts_keep_as_of_runs_and_a_suppressed_export_of_one_is_refused(world):
    client, key = http(world), auth(world.keys["analyst"])
    compared = client.get(f"/runs/{world.now}/compare/{world.before}", headers=key)
    assert compared.status_code == 200 and compared.json()["against"]["as_of"] == "2023"
    assert client.get(f"/runs/{world.before}", headers=key).status_code == 200
    exact = client.get(
        "/exports/patrol.csv", params={"run": world.now, "exact": "true"}, headers=key
    )
    assert exact.status_code == 200, exact.text
    shared = client.get("/exports/patrol.csv", params={"run": world.now}, headers=key)
    assert shared.status_code == 403 and "exact=true" in shared.json()["detail"]
    with viewing(Suppression()), pytest.raises(AsOfRunError, match=f"run {world.now} is an as-of"):
        load_run(world.ws, None, world.now)


def test_the_default_run_is_the_latest_over_todays_records(world, tmp_path):
    """After ``riskmap score --as-of 2022`` the rankings, CSV and KML still come from today's."""
    result = riskmap("score", "-w", world.ws.root, "--profile", "patrol", "--as-of", "2022")
    assert result.returncode == 0, result.stderr
    backdated = list_runs(world.ws)[-1]
    assert backdated.as_of == "2022" and backdated.profile == "patrol"
    assert load_run(world.ws, "patrol").record.run_id == world.base
    client, key = http(world), auth(world.keys["viewer"])
    ranked = client.get("/rankings", params={"profile": "patrol"}, headers=key)
    assert ranked.status_code == 200 and backdated.run_id not in ranked.text
    csv = client.get("/exports/patrol.csv", headers=key)
    byid = client.get("/exports/patrol.csv", params={"run": world.base}, headers=key)
    assert csv.status_code == 200 and csv.content == byid.content
    kml = client.get("/exports/patrol.kml", headers=key)
    assert kml.status_code == 200 and backdated.run_id[:8] not in kml.text


def test_a_profile_with_only_as_of_runs_has_no_default_run(tmp_path):
    other = build_world(tmp_path)
    for path in other.ws.run_records():
        if other.ws.read_json(path)["profile"] == "patrol":
            other.ws.path(path).unlink()
    dated = score_workspace(other.ws, PATROL, as_of="2023").record.run_id
    with pytest.raises(NotFoundError, match='no run of profile "patrol"'):
        load_run(other.ws, "patrol")
    assert load_run(other.ws, None, dated).record.as_of == "2023"


def moved(codes: list[str]) -> pd.DataFrame:
    """The tester's pair: a 2-person commune's people recorded in 2021 instead of 2024."""
    rows = repatriations(codes)
    two = (rows["commune_code"] == codes[0]) & (rows["period"] == "2024")
    rows.loc[two, "period"] = "2021"
    return rows


def test_workspaces_differing_only_in_a_hidden_year_answer_viewers_alike(tmp_path):
    """Both with as-of-2023 runs made by an analyst: the viewer's answers are the same."""
    one = build_world(tmp_path / "one")
    worlds = [one, build_world(tmp_path / "moved", reps=moved(one.codes))]
    seen = []
    for world in worlds:
        dated = score_workspace(world.ws, PATROL, as_of="2023").record.run_id
        base = [r.run_id for r in list_runs(world.ws) if r.profile == "patrol" and not r.as_of]
        client, key = http(world), auth(world.keys["viewer"])
        answers = [
            client.get(url, headers=key)
            for url in (
                "/rankings?profile=patrol",
                "/scores?profile=patrol",
                "/exports/patrol.csv",
                f"/runs/{dated}",
                f"/runs/{base[-1]}/compare/{dated}",
                f"/exports/patrol.csv?run={dated}",
            )
        ]
        ids = {r.run_id: f"<{r.profile} {r.as_of}>" for r in list_runs(world.ws)}
        seen.append([_masked(a, ids) for a in answers])
    assert seen[0] == seen[1]
    assert [s.split(" ")[0] for s in seen[0]] == ["200"] * 3 + ["403"] * 3


def _masked(response, ids: dict[str, str]) -> str:
    text = response.content.decode("utf-8-sig", errors="replace")
    for value, name in ids.items():
        text = text.replace(value, name).replace(value[:8], name)
    text = re.sub(r"\d{4}-\d{2}-\d{2}[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?", "<time>", text)
    return f"{response.status_code} {text}"


def table(counts: list[int], scores: list[float]) -> pd.DataFrame:
    n = len(counts)
    return pd.DataFrame(
        {
            "commune_code": [f"c{i}" for i in range(n)],
            "score": scores,
            "rank": np.argsort(np.argsort(-np.asarray(scores), kind="stable")) + 1,
            "class": [3] * n,
            "repatriations_total": counts,
        }
    )


counts = st.lists(st.integers(0, 40), min_size=1, max_size=12)


@settings(deadline=None, max_examples=60)
@given(counts, st.data(), st.sampled_from(["threshold", "round"]))
def test_a_suppressed_comparison_never_shows_a_small_change_in_people(now, data, mode):
    then = data.draw(st.lists(st.integers(0, 40), min_size=len(now), max_size=len(now)))
    rule = Suppression(mode, round_base=data.draw(st.sampled_from([2, 5, 10])))
    scores = [float(i) for i in range(len(now))]
    changes = compare_tables(table(now, scores), table(then, scores), rule=rule).changes
    shown = changes.set_index("commune_code")["repatriations_change"]
    for i, (a, b) in enumerate(zip(now, then, strict=True)):
        value = shown[f"c{i}"]
        if pd.isna(value):
            continue
        assert value == 0 or abs(value) >= 5, (a, b, value)
        assert rule.mode == "round" or not (0 < a < 5 or 0 < b < 5)
    exact = compare_tables(table(now, scores), table(then, scores)).changes
    exact = exact.set_index("commune_code")["repatriations_change"]
    assert [exact[f"c{i}"] for i in range(len(now))] == [
        a - b for a, b in zip(now, then, strict=True)
    ]


def test_a_change_of_three_people_between_large_totals_is_withheld():
    """The tester read "3" between totals of 8 and 11: both are shown, the change is not."""
    changes = compare_tables(
        table([11, 30], [2.0, 1.0]), table([8, 24], [2.0, 1.0]), rule=Suppression()
    )
    row = changes.changes.set_index("commune_code")
    assert pd.isna(row.loc["c0", "repatriations_change"])
    assert row.loc["c0", "repatriations_total"] == "11"
    assert row.loc["c1", "repatriations_change"] == 6


def test_the_csv_of_a_suppressed_against_export_has_no_people_change(world):
    client = http(world)
    response = client.get(
        "/exports/patrol.csv", params={"against": world.base}, headers=auth(world.keys["viewer"])
    )
    assert response.status_code == 200, response.text
    frame = pd.read_csv(io.StringIO(response.content.decode("utf-8-sig")), dtype=str)
    assert "repatriations_change" not in frame.columns
