import json

import numpy as np
import pandas as pd
import pytest

from risk.errors import PlanError
from risk.plans.outreach import outreach_plan
from risk.plans.patrol import patrol_plan
from risk.plans.segments import segments_plan
from risk.store import latest_plans, load_run, save_plan


def test_patrol_plan_reports_bases_shares_and_baseline(scored_workspace):
    plan = patrol_plan(scored_workspace, "patrol", k=2, radius_km=6)
    data = plan.to_dict()
    assert len(data["bases"]) == 2 and 0 < data["covered_share"] <= 1
    # greedy is within 1 - 1/e of the optimum, and the optimum beats the top-k baseline's bases
    assert data["exact_covered_share"] >= data["baseline_covered_share"] - 1e-12
    assert data["covered_share"] >= (1 - 1 / np.e) * data["exact_covered_share"]
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
    with pytest.raises(PlanError, match=r"\+ 1e\+306 per 1,000 people are not finite"):
        outreach_plan(scored_workspace, "outreach", budget=1, cost_per_1000=1e306)


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


def test_every_chosen_site_says_how_often_weight_draws_keep_it(scored_workspace):
    plan = patrol_plan(scored_workspace, "patrol", k=2, radius_km=6, draws=50, seed=3)
    data = plan.to_dict()
    assert all(0 <= b["frequency"] <= 1 for b in data["bases"])
    assert data["parameters"]["draws"] == 50 and any("50 weight draws" in n for n in data["notes"])
    again = patrol_plan(scored_workspace, "patrol", k=2, radius_km=6, draws=50, seed=3)
    assert [s.frequency for s in again.sites] == [s.frequency for s in plan.sites]
    skipped = patrol_plan(scored_workspace, "patrol", k=2, radius_km=6, draws=0)
    assert all(s.frequency is None for s in skipped.sites)
    outreach = outreach_plan(scored_workspace, "outreach", budget=100, draws=50)
    assert all(0 <= s.frequency <= 1 for s in outreach.sites)
    with pytest.raises(PlanError, match="draws is -1, expected 0 \\(skip\\) or more"):
        patrol_plan(scored_workspace, "patrol", k=2, radius_km=6, draws=-1)


def test_weight_draws_rescore_like_the_model(scored_workspace):
    from risk.plans.covering import score_draws
    from risk.results import raw_col
    from risk.store import load_run

    run = load_run(scored_workspace, "patrol")
    frame, weights = run.table.frame, run.record.weights
    raw = pd.DataFrame({n: frame[raw_col(n)] for n in weights})
    params = dict(run.record.parameters) | {"sensitivity_concentration": 1e9}
    near_centre = score_draws(raw, weights, params, draws=2, seed=0)
    assert near_centre == pytest.approx(np.vstack([frame["score"]] * 2), abs=0.01)
    spread = score_draws(raw, weights, run.record.parameters, draws=20, seed=0)
    assert spread.shape == (20, len(frame)) and ((spread >= 0) & (spread <= 100)).all()
    assert not np.allclose(spread[0], spread[1])


def test_covered_share_is_derived_and_the_patrol_plan_lists_covered_communes(scored_workspace):
    plan = patrol_plan(scored_workspace, "patrol", k=1, radius_km=6, draws=0, demand="score")
    data = plan.to_dict()
    assert data["covered_share"] == pytest.approx(plan.covered / plan.total)
    run = load_run(scored_workspace, "patrol")
    scores = run.table.frame.set_index("commune_code")["score"]
    assert scores[data["covered_communes"]].sum() == pytest.approx(plan.covered)
    assert (
        "covered_communes" not in outreach_plan(scored_workspace, "outreach", budget=100).to_dict()
    )


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"k": 0, "radius_km": 10}, "k is 0, expected a whole number from 1 to"),
        ({"k": -2, "radius_km": 10}, "k is -2, expected a whole number from 1 to"),
        ({"k": 2, "radius_km": -5}, "radius is -5 km, expected a number > 0"),
        ({"k": 2, "radius_km": 0}, "radius is 0 km, expected a number > 0"),
    ],
)
def test_impossible_patrol_requests_are_refused(scored_workspace, kwargs, message):
    with pytest.raises(PlanError, match=message):
        patrol_plan(scored_workspace, "patrol", **kwargs)


def test_segments_plan_ranks_the_border_and_crossings_and_is_stored(scored_workspace):
    plan = segments_plan(scored_workspace, "patrol", length_km=5, reach_km=5)
    segments = plan.segments
    assert [s["length_km"] for s in sorted(segments, key=lambda s: s["segment"])] == (
        pytest.approx([5, 5, 5, 5], abs=1e-3)
    )  # the fixture's border runs 20 km along the top of 4 communes of 5 km
    assert [s["rank"] for s in segments] == [1, 2, 3, 4]
    assert sorted(s["segment"] for s in segments) == [1, 2, 3, 4]
    assert all(s["geometry"]["type"] == "LineString" for s in segments)
    assert {c["name"] for c in plan.crossings} == {"Cửa khẩu 0", "Cửa khẩu 1", "Cửa khẩu 2"}
    assert sum(s["crossings"] for s in segments) == pytest.approx(1.0 + 1.0 + 1.2)
    path = save_plan(scored_workspace, plan)
    assert path.startswith(f"runs/{plan.run_id}/plans/segments-")
    assert set(latest_plans(scored_workspace, plan.run_id)) == {"segments"}


def test_segment_errors_name_what_is_wrong(scored_workspace, tmp_path):
    with pytest.raises(PlanError, match="segment length is 0 km, expected a number > 0"):
        segments_plan(scored_workspace, "patrol", length_km=0)
    bare = bare_workspace(tmp_path, drop=("border", "crossings"))
    with pytest.raises(PlanError, match="the workspace has no border layer"):
        segments_plan(bare, "patrol")
    with pytest.raises(PlanError, match="no candidate sites: the workspace has no crossings"):
        patrol_plan(bare, "patrol", k=1, radius_km=5, candidates="crossings")


def test_latest_plans_keeps_the_newest_of_each_kind(scored_workspace):
    import os

    first = patrol_plan(scored_workspace, "patrol", k=1, radius_km=6, draws=0)
    second = patrol_plan(scored_workspace, "patrol", k=2, radius_km=6, draws=0)
    old, new = save_plan(scored_workspace, first), save_plan(scored_workspace, second)
    os.utime(scored_workspace.root / old, (1, 1))
    latest = latest_plans(scored_workspace, first.run_id)
    assert latest["patrol"]["parameters"]["k"] == 2 and new.endswith(".json")


def bare_workspace(tmp_path, drop):
    from geo.workspace import Raster, Workspace
    from risk.pipeline import score_workspace
    from risk.profiles import load_profile
    from tests.factories import METRIC, make_communes, make_layers, make_population

    layers = {k: v for k, v in make_layers(make_communes()).items() if k not in drop}
    values, transform = make_population(layers["communes"])
    ws = Workspace(tmp_path / "bare")
    ws.write_layers(layers, rasters={"population": Raster(values, transform, METRIC)}, source="t")
    score_workspace(ws, load_profile("patrol"))
    return ws


@pytest.mark.slow
def test_a_600_commune_province_gets_every_plan(tmp_path):
    from benchmarks.plans import national_workspace, typical_budget

    ws = national_workspace(tmp_path, communes=600)
    assert len(ws.read_layer("communes")) == 600
    patrol = patrol_plan(ws, "patrol", k=5, radius_km=15)
    assert len(patrol.sites) == 5 and patrol.covered_share >= patrol.baseline_covered_share
    assert all(0 <= s.frequency <= 1 for s in patrol.sites)
    exact = patrol_plan(ws, "patrol", k=5, radius_km=15, method="exact", draws=0)
    assert exact.covered_share >= patrol.covered_share - 1e-9
    budget = typical_budget(ws)
    outreach = outreach_plan(ws, "outreach", budget=budget, per_district=False)
    assert outreach.sites and outreach.cost <= budget
    assert all(0 <= s.frequency <= 1 for s in outreach.sites)
    assert segments_plan(ws, "patrol", length_km=5).segments
