import json

import pytest

from risk.errors import PlanError
from risk.plans import outreach_plan, patrol_plan, save_plan


def test_patrol_plan_reports_bases_shares_and_baseline(scored_workspace):
    plan = patrol_plan(scored_workspace, "patrol", k=2, radius_km=6)
    data = plan.to_dict()
    assert len(data["bases"]) == 2 and 0 < data["covered_share"] <= 1
    assert data["covered_share"] >= data["baseline_covered_share"]
    assert sum(b["added_share"] for b in data["bases"]) == pytest.approx(data["covered_share"])
    assert all(106 < b["lon"] < 108 and 21 < b["lat"] < 22 for b in data["bases"])
    exact = patrol_plan(scored_workspace, "patrol", k=2, radius_km=6, method="exact")
    assert exact.covered_share >= plan.covered_share - 1e-12


def test_a_big_radius_covers_everything(scored_workspace):
    plan = patrol_plan(scored_workspace, "patrol", k=1, radius_km=500)
    assert plan.covered_share == pytest.approx(1.0)


def test_crossings_only_candidates_and_bad_candidates(scored_workspace):
    plan = patrol_plan(scored_workspace, "patrol", k=2, radius_km=10, candidates="crossings")
    assert {b.kind for b in plan.sites} <= {"international", "opening", "trail"}
    with pytest.raises(PlanError, match='candidates "airports" is not one of'):
        patrol_plan(scored_workspace, "patrol", k=1, radius_km=10, candidates="airports")


def test_outreach_plan_respects_the_budget_and_districts(scored_workspace):
    plan = outreach_plan(scored_workspace, "outreach", budget=100)
    data = plan.to_dict()
    assert data["cost"] <= 100 and data["communes"] and 0 < data["covered_share"] < 1
    assert data["marginal_value"] >= 0
    fair = outreach_plan(scored_workspace, "outreach", budget=100, per_district=True)
    communes = scored_workspace.read_layer("communes").set_index("commune_code")
    chosen = {communes.loc[c.commune_code, "district_name"] for c in fair.sites}
    assert chosen == set(communes["district_name"])


def test_outreach_cost_column_errors_name_the_commune(scored_workspace):
    with pytest.raises(PlanError, match='no cost column "chi_phi"'):
        outreach_plan(scored_workspace, "outreach", budget=100, cost_column="chi_phi")
    with pytest.raises(PlanError, match=r"budget 1 is below the cheapest commune"):
        outreach_plan(scored_workspace, "outreach", budget=1)


def test_plans_are_stored_with_their_run(scored_workspace):
    plan = patrol_plan(scored_workspace, "patrol", k=2, radius_km=6)
    path = save_plan(scored_workspace, plan)
    assert path.startswith(f"runs/{plan.run_id}/plans/patrol-")
    stored = json.loads((scored_workspace.root / path).read_text(encoding="utf-8"))
    assert stored["bases"][0]["name"] == plan.sites[0].name


def test_exploration_spends_a_share_of_the_budget_off_the_score(scored_workspace):
    plan = outreach_plan(scored_workspace, "outreach", budget=150, explore_share=0.3, seed=1)
    explored = [s for s in plan.sites if s.kind == "exploration"]
    scored = [s for s in plan.sites if s.kind != "exploration"]
    assert explored and scored and plan.cost <= 150
    assert not {s.commune_code for s in explored} & {s.commune_code for s in scored}
    again = outreach_plan(scored_workspace, "outreach", budget=150, explore_share=0.3, seed=1)
    assert again.sites == plan.sites
    with pytest.raises(PlanError, match=r"exploration share is 0\.9, expected 0 to 0\.5"):
        outreach_plan(scored_workspace, "outreach", budget=150, explore_share=0.9)
