import json

from tests.api.test_routes import assert_problem
from tests.helpers import one_error_line, riskmap


def test_segments_over_http_rank_segments_and_crossings(client):
    body = client.get("/plans/segments", params={"length_km": 5, "reach_km": 5}).json()
    assert body["kind"] == "segments" and body["parameters"]["length_km"] == 5
    assert [s["rank"] for s in body["segments"]] == list(range(1, len(body["segments"]) + 1))
    assert all(0 <= s["score"] <= 100 for s in body["segments"])
    assert len(body["crossings"]) == 3 and body["crossings"][0]["rank"] == 1
    assert client.get("/plans/segments", params={"length_km": 0}).status_code == 422


def test_patrol_and_outreach_over_http_report_how_often_choices_stay(client):
    patrol = client.get("/plans/patrol", params={"k": 2, "radius_km": 6, "draws": 30}).json()
    assert all(0 <= b["frequency"] <= 1 for b in patrol["bases"])
    assert patrol["parameters"]["draws"] == 30
    outreach = client.get(
        "/plans/outreach", params={"profile": "outreach", "budget": 100, "draws": 0}
    ).json()
    assert all(c["frequency"] is None for c in outreach["communes"])
    assert_problem(client.get("/plans/patrol", params={"k": 99}), 422, "k is 99")
    assert client.get("/plans/patrol", params={"radius_km": -5}).status_code == 422


def test_plan_segments_command_prints_ranks_and_stores_the_plan(scored_workspace):
    ws = scored_workspace.root
    result = riskmap("plan", "segments", "-w", ws, "--length-km", 5, "--json")
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["segments"] and plan["crossings"]
    assert "1. segment" in result.stderr and "crossing 1." in result.stderr
    assert list((ws / "runs" / plan["run_id"] / "plans").glob("segments-*.json"))
    one_error_line(
        riskmap("plan", "segments", "-w", ws, "--length-km", 0),
        "segment length is 0.0 km, expected a number > 0",
    )
    patrol = riskmap("plan", "patrol", "-w", ws, "--k", 2, "--radius-km", 6, "--draws", 20)
    assert "in the plan in" in patrol.stderr and "% of draws" in patrol.stderr


def test_cli_and_api_plans_take_their_defaults_and_bounds_from_the_requests(
    client, scored_workspace
):
    from risk.plans.requests import OutreachRequest, PatrolRequest, SegmentsRequest

    api = client.get("/plans/patrol", params={"draws": 0}).json()["parameters"]
    assert api["k"] == PatrolRequest.k and api["radius_km"] == PatrolRequest.radius_km
    cli = riskmap("plan", "patrol", "-w", scored_workspace.root, "--draws", 0, "--json")
    assert json.loads(cli.stdout)["parameters"] == api
    outreach = client.get("/plans/outreach", params={"profile": "outreach", "budget": 50})
    assert outreach.json()["parameters"]["draws"] == OutreachRequest.draws
    assert outreach.json()["parameters"]["cost"].startswith(f"{OutreachRequest.fixed_cost:g} + ")
    segments = client.get("/plans/segments").json()["parameters"]
    assert segments["length_km"] == SegmentsRequest.length_km
    assert client.get("/plans/patrol", params={"k": 101}).status_code == 422
    assert client.get("/plans/segments", params={"reach_km": 201}).status_code == 422


def test_plans_and_rankings_declare_their_response_models(client):
    paths = client.get("/openapi.json").json()["paths"]
    declared = {
        "/plans/patrol": "PatrolPlanOut",
        "/plans/outreach": "OutreachPlanOut",
        "/plans/segments": "SegmentPlanOut",
        "/rankings": "RankingsOut",
    }
    for path, model in declared.items():
        schema = paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema == {"$ref": f"#/components/schemas/{model}"}, path


def test_demand_rule_is_chosen_by_cli_and_api_and_recorded(client, scored_workspace):
    from risk.demand import RULES
    from risk.plans.requests import PatrolRequest

    ws = scored_workspace.root
    default = client.get("/plans/patrol", params={"draws": 0}).json()
    assert default["parameters"]["demand"] == PatrolRequest.demand == "top_first"
    assert 0 <= default["top_decile_reached"] <= 1 and default["gap_to_exact"] >= 0
    score = client.get("/plans/patrol", params={"draws": 0, "demand": "score"}).json()
    assert score["parameters"]["demand"] == "score"
    assert client.get("/plans/patrol", params={"demand": "area"}).status_code == 422
    outreach = client.get("/plans/outreach", params={"budget": 100, "demand": "score_area"})
    assert outreach.status_code == 422
    spec = client.get("/openapi.json").json()["paths"]["/plans/patrol"]["get"]["parameters"]
    demand = next(p for p in spec if p["name"] == "demand")["schema"]
    assert demand["enum"] == list(RULES) and demand["default"] == "top_first"
    cli = riskmap("plan", "patrol", "-w", ws, "--demand", "score", "--draws", 0, "--json")
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["parameters"]["demand"] == "score"
    assert "top-decile communes reached" in cli.stderr
    bad = riskmap("plan", "patrol", "-w", ws, "--demand", "area")
    assert bad.returncode == 2 and "'area' is not one of" in bad.stderr
    assert all(f"'{rule}'" in bad.stderr for rule in RULES)
    outreach = riskmap("plan", "outreach", "-w", ws, "--budget", 100, "--draws", 0)
    assert outreach.returncode == 0 and "(the cheapest commune's cost) would add" in outreach.stderr
