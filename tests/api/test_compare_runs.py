"""Comparing runs of two periods: ``GET /runs/{id}/compare/{other}``, ``riskmap compare``,
exports ``--against`` / ``?against=``; keys' province scope and suppressed counts for viewers.
"""

import io
import json

import pandas as pd
import pyogrio
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from api.settings import Settings
from risk.pipeline import score_workspace
from risk.profiles import load_profile
from risk.results import CHANGE_COLUMNS
from risk.store import load_run
from tests.api.privacy_world import A, auth, build_world
from tests.helpers import one_error_line, riskmap


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The two-province world scored as of 2023 (first half of its records) and 2024 (all) by an
    analyst; then 3 and 6 more people recorded in two large communes and scored over all records
    (``latest``, compared by viewers with ``first``, the world's own run over all records)."""
    world = build_world(tmp_path_factory.mktemp("compare"))
    profile = load_profile("patrol")
    world.first = load_run(world.ws, "patrol").record.run_id
    world.before = score_workspace(world.ws, profile, as_of="2023").record.run_id
    world.now = score_workspace(world.ws, profile, as_of="2024").record.run_id
    rows = world.ws.read_layer("repatriations")
    world.grown = {world.codes[1]: 3, world.codes[4]: 6}  # 7 → 10 and 12 → 18 people
    more = [(code, "2025", "deported", n) for code, n in world.grown.items()]
    rows = pd.concat([rows, pd.DataFrame(more, columns=rows.columns)], ignore_index=True)
    world.ws.write_layers({"repatriations": rows}, source="test: more people recorded")
    world.latest = score_workspace(world.ws, profile).record.run_id
    return world


@pytest.fixture(scope="module")
def api(world):
    with TestClient(create_app(Settings(workspace=world.ws.root, require_keys=True))) as client:
        yield client


def compare(api, world, who, **params):
    url = f"/runs/{world.now}/compare/{world.before}"
    return api.get(url, params=params, headers=auth(world.keys[who]))


def test_runs_list_shows_the_as_of_dates(api, world):
    runs = api.get("/runs", headers=auth(world.keys["analyst"])).json()
    dates = {r["run_id"]: r["as_of"] for r in runs}
    assert dates[world.before] == "2023" and dates[world.now] == "2024"


def test_analyst_comparison_matches_the_two_stored_runs(api, world):
    body = compare(api, world, "analyst", top=3).json()
    now = load_run(world.ws, None, world.now).table.frame.set_index("commune_code")
    before = load_run(world.ws, None, world.before).table.frame.set_index("commune_code")
    assert body["run"]["as_of"] == "2024" and body["against"]["as_of"] == "2023"
    assert body["label"] == f"so với lần tính {world.before} (đến 2023)"
    assert len(body["changes"]) == len(world.codes)
    for row in body["changes"]:
        code = row["commune_code"]
        assert row["score_change"] == pytest.approx(now.score[code] - before.score[code], abs=0.01)
        assert row["rank_change"] == before["rank"][code] - now["rank"][code]
        # exact for analysts: the people recorded in 2024 alone
        change = now.repatriations_total[code] - before.repatriations_total[code]
        assert row["repatriations_change"] == change
    assert sum(r["rank_change"] for r in body["changes"]) == 0
    assert body["top_k"] == 3
    ranks = {r["commune_code"]: r["rank"] for r in body["entering"]}
    assert all(rank <= 3 for rank in ranks.values())


def test_viewers_get_suppressed_counts_and_a_province_key_only_its_communes(api, world):
    url = f"/runs/{world.latest}/compare/{world.first}"
    body = api.get(url, headers=auth(world.keys["viewer_a"])).json()
    codes = {r["commune_code"] for r in body["changes"]}
    assert codes == set(world.in_province(A))
    for row in body["changes"]:
        assert isinstance(row["repatriations_total"], str)  # "<5" or a number as text
        if row["repatriations_total"] == "<5" or row["previous_repatriations_total"] == "<5":
            assert row["repatriations_change"] is None
    shown = {r["commune_code"]: r for r in body["changes"]}
    small = [c for c in world.small if c in codes]
    assert small and all(shown[c]["repatriations_total"] == "<5" for c in small)
    three, six = world.codes[1], world.codes[4]  # 3 more people withheld, 6 more shown
    assert (
        shown[three]["repatriations_total"] == "10"
        and shown[three]["previous_repatriations_total"] == "7"
    )
    assert shown[three]["repatriations_change"] is None
    assert shown[six]["repatriations_change"] == 6


def test_viewers_cannot_compare_as_of_runs(api, world):
    response = compare(api, world, "viewer")
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "as-of runs are for analysts" in response.json()["detail"]


def test_unknown_runs_are_404_problems(api, world):
    for url in (
        f"/runs/{world.now}/compare/abcdef123456",
        f"/runs/abcdef123456/compare/{world.now}",
    ):
        response = api.get(url, headers=auth(world.keys["analyst"]))
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "abcdef123456" in response.json()["detail"]


def test_csv_export_against_a_run_has_the_change_columns(api, world):
    response = api.get(
        "/exports/patrol.csv",
        params={"run": world.latest, "against": world.first},
        headers=auth(world.keys["viewer"]),
    )
    assert response.status_code == 200, response.text
    frame = pd.read_csv(io.StringIO(response.content.decode("utf-8-sig")), dtype=str)
    assert set(CHANGE_COLUMNS) <= set(frame.columns)
    plain = api.get("/exports/patrol.csv", headers=auth(world.keys["viewer"]))
    assert "score_change" not in plain.content.decode("utf-8-sig").splitlines()[0]


def test_cli_compare_json_and_export_against(world, tmp_path):
    runner = CliRunner()
    ws = str(world.ws.root)
    args = ["compare", "-w", ws, "--run", world.now, "--against", world.before, "--json"]
    result = runner.invoke(cli, [*args, "--exact", "--top", "2"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["run"]["run_id"] == world.now and body["top_k"] == 2
    assert len(body["changes"]) == len(world.codes)
    refused = runner.invoke(cli, args[:-1])  # suppressed counts: as-of runs are refused
    assert refused.exit_code == 1 and "as-of runs are for analysts" in str(refused.exception)
    shared = ["compare", "-w", ws, "--run", world.latest, "--against", world.first]
    table = runner.invoke(cli, shared)
    assert table.exit_code == 0 and "Tăng nhiều nhất" in table.stdout
    out = tmp_path / "cmp.gpkg"
    exported = runner.invoke(
        cli,
        [
            "export",
            "-w",
            ws,
            "--run",
            world.latest,
            "--against",
            world.first,
            "-f",
            "gpkg",
            "-o",
            str(out),
        ],
    )
    assert exported.exit_code == 0, exported.output
    scores = pyogrio.read_dataframe(out, layer="scores")
    assert set(CHANGE_COLUMNS) <= set(scores.columns)
    assert scores["rank_change"].sum() == 0


def test_cli_compare_with_an_unknown_run_is_one_line(world):
    result = riskmap(
        "compare", "-w", world.ws.root, "--run", world.latest, "--against", "abcdef1234"
    )
    one_error_line(result, "no run abcdef1234")
    shared = riskmap("compare", "-w", world.ws.root, "--run", world.now, "--against", world.before)
    one_error_line(shared, "as-of runs are for analysts")


def test_cli_score_refuses_a_bad_as_of_date(world):
    result = riskmap("score", "-w", world.ws.root, "--as-of", "2024-13")
    one_error_line(result, 'as-of date was "2024-13", which is not a date on the calendar')


def test_post_runs_scores_as_of_a_date_and_refuses_a_bad_one(api, world):
    key = auth(world.keys["analyst"])
    made = api.post("/runs", json={"profile": "patrol", "as_of": "2023"}, headers=key)
    assert made.status_code == 201, made.text
    assert made.json()["as_of"] == "2023"
    again = api.post("/runs", json={"profile": "patrol", "as_of": "2023"}, headers=key)
    assert again.json()["run_id"] == made.json()["run_id"]  # same records, same run
    latest = api.get("/rankings", params={"profile": "patrol"}, headers=key)
    assert made.json()["run_id"] not in latest.text  # not the run served by default
    bad = api.post("/runs", json={"profile": "patrol", "as_of": "2023-02-30"}, headers=key)
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert 'as-of date was "2023-02-30"' in bad.json()["detail"]


def test_a_run_compared_with_itself_is_refused(api, world):
    response = api.get(
        f"/runs/{world.now}/compare/{world.now}", headers=auth(world.keys["analyst"])
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "cannot be compared with itself" in response.json()["detail"]
    result = riskmap(
        "compare", "-w", world.ws.root, "--run", world.now, "--against", world.now, "--exact"
    )
    one_error_line(result, f"run {world.now[:8]} cannot be compared with itself")


def test_runs_of_different_profiles_are_refused_naming_both(api, world):
    other = score_workspace(world.ws, load_profile("outreach"), as_of="2023").record.run_id
    response = api.get(f"/runs/{world.now}/compare/{other}", headers=auth(world.keys["analyst"]))
    assert response.status_code == 422
    assert 'profile "patrol"' in response.json()["detail"]
    assert 'profile "outreach"' in response.json()["detail"]
    result = riskmap(
        "compare", "-w", world.ws.root, "--run", world.now, "--against", other, "--exact"
    )
    expected = f'(profile "patrol") cannot be compared with run {other[:8]} (profile "outreach")'
    one_error_line(result, expected)
