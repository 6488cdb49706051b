"""Plans wired to their demand and reporting their own quality (issue 12 item 5, issue 14 item 7).

A small hand-made province: three large (20 km) high-score communes in the west, 27 small
(1.5 km) low-score communes in the east, far from them.
"""

from __future__ import annotations

from types import SimpleNamespace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from risk.errors import PlanError
from risk.plans.covering import (
    MIN_EXACT_DRAWS,
    cover_frequency,
    gap_to_exact,
    max_cover,
    replan_draws,
    select_under_budget,
)
from risk.plans.outreach import plan_outreach
from risk.plans.patrol import explore_count, plan_patrol

METRIC = "EPSG:32648"
#: Site 0 covers the heavy middle (4), sites 1 and 2 the two halves (3 each): greedy takes 0
#: and reaches 5 of 6; the optimum is 1 and 2.
FOOLED = (
    np.array([1.0, 2.0, 2.0, 1.0]),
    np.array([[0, 1, 1, 0], [1, 1, 0, 0], [0, 0, 1, 1]], dtype=bool),
)
LARGE = (90.0, 85.0, 80.0)


def province() -> tuple[SimpleNamespace, gpd.GeoDataFrame]:
    """A run (duck-typed: record and table) and its commune polygons (metric CRS)."""
    x0, y0 = 400_000.0, 2_400_000.0
    polygons = [shapely.box(x0 + i * 20e3, y0, x0 + (i + 1) * 20e3, y0 + 20e3) for i in range(3)]
    scores = list(LARGE)
    for i in range(27):
        col, row = divmod(i, 3)
        x, y = x0 + 150e3 + col * 2e3, y0 + row * 2e3
        polygons.append(shapely.box(x, y, x + 1.5e3, y + 1.5e3))
        scores.append(20.0 + (i % 10))
    codes = [f"{10001 + i}" for i in range(len(polygons))]
    communes = gpd.GeoDataFrame(
        {
            "commune_code": codes,
            "commune_name": [f"Xã {i}" for i in range(len(codes))],
            "district_name": ["West"] * 3 + ["East"] * 27,
        },
        geometry=polygons,
        crs=METRIC,
    )
    s = np.array(scores)
    frame = pd.DataFrame(
        {
            "commune_code": codes,
            "score": s,
            "rank": pd.Series(-s).rank(method="first").astype(int),
            "population": [3000.0] * 3 + [5000.0] * 27,
            "raw_vulnerability": [0.5] * 30,
            "raw_a": s,
        }
    )
    params = {"normalisation": "minmax", "outliers": "none", "aggregation": "arithmetic"}
    record = SimpleNamespace(
        run_id="r1",
        profile="patrol",
        weights={"a": 1.0},
        parameters=params | {"sensitivity_concentration": 1e9},  # draws ≈ the weights
    )
    return SimpleNamespace(record=record, table=SimpleNamespace(frame=frame)), communes


def bases_west(plan) -> list[bool]:
    return [b.lon < 105.3 for b in plan.sites]  # the large communes lie west of ~105.2 E


def test_default_patrol_plan_goes_to_the_large_high_score_communes():
    run, communes = province()
    plan = plan_patrol(run, communes, None, k=2, radius_km=5, candidates="communes", draws=0)
    assert plan.parameters["demand"] == "top_first"
    assert all(bases_west(plan)), [b.name for b in plan.sites]
    assert plan.bases_near_top_decile == 2 and plan.top_decile_reached >= 2 / 3
    data = plan.to_dict()
    assert data["top_decile_reached"] == plan.top_decile_reached


def test_demand_score_reproduces_the_summed_scores_plan():
    run, communes = province()
    plan = plan_patrol(
        run, communes, None, k=2, radius_km=5, candidates="communes", demand="score", draws=0
    )
    assert not any(bases_west(plan))  # many small communes outweigh the large ones
    assert plan.bases_near_top_decile == 0 and plan.top_decile_reached == 0
    scores = run.table.frame.set_index("commune_code")["score"]
    assert scores[plan.covered_communes].sum() == pytest.approx(plan.covered)
    assert plan.total == pytest.approx(scores.sum())


def test_an_unknown_demand_rule_is_refused():
    run, communes = province()
    with pytest.raises(PlanError, match='demand rule was "area" but is expected to be one of'):
        plan_patrol(run, communes, None, k=1, radius_km=5, candidates="communes", demand="area")
    with pytest.raises(PlanError, match='demand rule "score_area" does not fit outreach'):
        plan_outreach(run, communes, budget=100, demand="score_area", draws=0)


def test_greedy_patrol_reports_the_exact_optimum_and_its_gap():
    run, communes = province()
    for method in ("greedy", "exact"):
        plan = plan_patrol(
            run, communes, None, k=2, radius_km=5, candidates="communes", method=method, draws=0
        )
        assert plan.gap_to_exact >= 0
        assert plan.exact_covered_share >= plan.covered_share - 1e-9
        if method == "exact":
            assert plan.gap_to_exact == 0


def test_gap_to_exact_is_zero_when_greedy_is_optimal_and_positive_when_fooled():
    w, fooled = FOOLED
    greedy, exact = max_cover(w, fooled, 2), max_cover(w, fooled, 2, method="exact")
    assert gap_to_exact(exact.covered_share, greedy.covered_share) == pytest.approx(1 / 6)
    easy = np.eye(4, dtype=bool)
    greedy, exact = max_cover(w, easy, 2), max_cover(w, easy, 2, method="exact")
    assert gap_to_exact(exact.covered_share, greedy.covered_share) == 0
    assert gap_to_exact(0.5, 0.5 + 1e-12) == 0  # solver tolerance never reads as a negative gap


def test_exact_plans_count_frequencies_with_exact_re_plans():
    # greedy is fooled here: at the plan's own weights, exact re-plans keep both exact bases
    w, cover = FOOLED
    chosen = max_cover(w, cover, 2, method="exact").chosen
    assert set(chosen) == {1, 2}
    draws = np.vstack([w] * 5)
    assert cover_frequency(draws, cover, 2, chosen, method="exact").tolist() == [1.0, 1.0]
    assert cover_frequency(draws, cover, 2, chosen).tolist() == [1.0, 0.0]  # greedy re-plans


def test_marginal_value_is_measured_for_the_cheapest_communes_cost():
    values, costs = np.array([60.0, 100.0, 120.0]), np.array([10.0, 20.0, 30.0])
    sel = select_under_budget(values, costs, 50)
    assert sel.marginal_unit == 10 and sel.marginal_value == pytest.approx(60.0)
    one_unit = select_under_budget(values, costs, 50, unit=1)
    assert one_unit.marginal_value == 0  # what "unit 1" used to report: almost always 0


def test_outreach_counts_vulnerability_once_when_the_score_weighs_it():
    run, communes = province()
    run.record.weights = {"a": 0.7, "vulnerability": 0.3}
    plan = plan_outreach(run, communes, budget=1e9, demand="score", draws=0)
    frame = run.table.frame
    people_at_risk = (frame["score"] / 100 * frame["population"]).sum()
    assert plan.total == pytest.approx(people_at_risk)  # not × 0.5 a second time
    assert plan.parameters["demand"] == "score" and plan.marginal_unit > 0
    run.record.weights = {"a": 1.0}  # a profile that does not weigh it
    plan = plan_outreach(run, communes, budget=1e9, demand="score", draws=0)
    assert plan.total == pytest.approx(people_at_risk * 0.5)


def test_patrol_exploration_places_a_share_of_bases_away_from_the_top_decile():
    run, communes = province()
    options = {"k": 3, "radius_km": 5, "candidates": "communes", "draws": 0}
    plan = plan_patrol(run, communes, None, explore_share=0.34, seed=2, **options)
    explored = [b for b in plan.sites if b.kind == "exploration"]
    assert len(explored) == 1 and not any(bases_west(SimpleNamespace(sites=explored)))
    assert plan.bases_near_top_decile == 2 and plan.parameters["explore_share"] == 0.34
    assert plan_patrol(run, communes, None, explore_share=0.34, seed=2, **options) == plan
    assert [explore_count(s, 5) for s in (0, 0.1, 0.2, 0.5)] == [0, 1, 1, 3]
    with pytest.raises(PlanError, match=r"exploration share is 0\.9, expected 0 to 0\.5"):
        plan_patrol(run, communes, None, explore_share=0.9, **options)


def test_exact_patrol_plans_re_plan_their_draws_exactly_when_cheap():
    run, communes = province()
    options = {"k": 2, "radius_km": 5, "candidates": "communes", "draws": 30}
    plan = plan_patrol(run, communes, None, method="exact", **options)
    assert [b.frequency for b in plan.sites] == [1.0, 1.0]
    assert any("30 weight draws" in n and "exact re-plans" in n for n in plan.notes)
    greedy = plan_patrol(run, communes, None, **options)
    assert any("greedy re-plans" in n for n in greedy.notes)
    assert replan_draws("greedy", 200, 10**9) == ("greedy", 200)
    method, n = replan_draws("exact", 200, 17_480)  # Hà Giang's eligible sites × communes
    assert method == "exact" and MIN_EXACT_DRAWS <= n < 200
    assert replan_draws("exact", 200, 300_000) == ("greedy", 200)  # too big: greedy, noted
    assert replan_draws("exact", 10, 100) == ("exact", 10)


def test_exploration_with_fewer_free_candidates_than_bases_uses_all_that_are_left():
    # schemathesis found it: k = 5 among a few crossings with half the bases exploring was a 500
    run, communes = province()
    sites = communes.iloc[:4].copy()
    sites["geometry"] = sites.geometry.representative_point()
    options = {"k": 5, "radius_km": 5, "candidates": sites, "draws": 0}
    plan = plan_patrol(run, communes, None, explore_share=0.5, seed=0, **options)
    assert 0 < len(plan.sites) <= 4
