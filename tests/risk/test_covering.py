import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from risk.errors import PlanError
from risk.plans.covering import (
    GREEDY_BOUND,
    budget_frequency,
    cover_frequency,
    coverage_within,
    max_cover,
    select_under_budget,
    selection_frequency,
)


def brute_force_cover(w, cover, k):
    return max(
        w[cover[list(c)].any(axis=0)].sum() for c in itertools.combinations(range(len(cover)), k)
    )


def test_known_optimum_where_greedy_is_fooled():
    # Site 0 covers the middle (weight 3); sites 1 and 2 cover the two ends (2 each).
    w = np.array([2.0, 1.5, 1.5, 2.0])
    cover = np.array([[0, 1, 1, 0], [1, 1, 0, 0], [0, 0, 1, 1]], dtype=bool)
    greedy = max_cover(w, cover, 2)
    exact = max_cover(w, cover, 2, method="exact")
    assert exact.covered_weight == pytest.approx(7.0) == brute_force_cover(w, cover, 2)
    assert set(exact.chosen) == {1, 2}
    assert greedy.covered_weight <= exact.covered_weight
    assert sum(exact.gains) == pytest.approx(exact.covered_weight)
    assert exact.covered_share == pytest.approx(1.0)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_dem=st.integers(3, 14),
    n_cand=st.integers(2, 7),
    k=st.integers(1, 3),
)
def test_exact_is_optimal_and_greedy_keeps_its_guarantee(seed, n_dem, n_cand, k):
    rng = np.random.default_rng(seed)
    k = min(k, n_cand)
    w = rng.gamma(1.0, 10.0, n_dem)
    cover = rng.random((n_cand, n_dem)) < 0.35
    best = brute_force_cover(w, cover, k)
    assert max_cover(w, cover, k, method="exact").covered_weight == pytest.approx(best)
    greedy = max_cover(w, cover, k)
    assert greedy.covered_weight >= GREEDY_BOUND * best - 1e-9
    assert len(set(greedy.chosen)) == k


def test_greedy_is_within_95_percent_of_exact_on_small_random_spatial_instances():
    ratios = []
    for seed in range(200):
        rng = np.random.default_rng(seed)
        demand, sites = rng.uniform(0, 50, (40, 2)), rng.uniform(0, 50, (12, 2))
        distance = np.hypot(*(sites[:, None, :] - demand[None, :, :]).transpose(2, 0, 1))
        cover, w, k = coverage_within(distance, 12), rng.gamma(1, 10, 40), int(rng.integers(2, 5))
        exact = max_cover(w, cover, k, method="exact").covered_weight
        ratios.append(max_cover(w, cover, k).covered_weight / exact)
    assert np.mean(ratios) >= 0.95  # measured: 0.995 on average, 0.85 at worst
    assert min(ratios) >= GREEDY_BOUND


def test_coverage_within_radius():
    d = np.array([[0.0, 14.9, 15.0, 15.1]])
    assert coverage_within(d, 15).tolist() == [[True, True, True, False]]


@pytest.mark.parametrize("k", [0, 4])
def test_k_outside_the_candidates_is_refused(k):
    cover = np.ones((3, 4), dtype=bool)
    with pytest.raises(PlanError, match=f"k is {k}, expected a whole number from 1 to 3"):
        max_cover(np.ones(4), cover, k)


def test_negative_radius_is_refused():
    with pytest.raises(PlanError, match="radius is -5 km, expected a number > 0"):
        coverage_within(np.ones((1, 1)), -5)


def test_no_candidates():
    with pytest.raises(PlanError, match="no candidate sites"):
        max_cover(np.ones(3), np.zeros((0, 3), dtype=bool), 1)


def test_budget_selection_is_the_exact_knapsack_and_reports_the_next_unit():
    values = np.array([60.0, 100.0, 120.0])
    costs = np.array([10.0, 20.0, 30.0])
    sel = select_under_budget(values, costs, 50, unit=10)
    assert set(sel.chosen) == {1, 2} and sel.value == 220 and sel.cost == 50
    assert sel.marginal_value == pytest.approx(60.0)  # budget 60 buys all three
    assert sel.covered_share == pytest.approx(220 / 280)


def test_one_commune_per_district_when_asked():
    values = np.array([100.0, 90.0, 1.0])
    costs = np.ones(3)
    districts = ["A", "A", "B"]
    assert set(select_under_budget(values, costs, 2).chosen) == {0, 1}
    assert set(select_under_budget(values, costs, 2, groups=districts).chosen) == {0, 2}
    with pytest.raises(PlanError, match="one commune per district"):
        select_under_budget(values, costs, 1, groups=districts)


def test_budget_below_the_cheapest_commune():
    with pytest.raises(PlanError, match="budget 5 is below the cheapest commune \\(10\\)"):
        select_under_budget([1.0, 2.0], [10.0, 20.0], 5)


def test_selection_frequency_counts_draws_that_keep_each_choice():
    draws = np.array([[3.0, 1.0, 2.0], [1.0, 3.0, 2.0], [3.0, 2.0, 1.0], [3.0, 1.0, 0.0]])
    top1 = lambda s: (int(np.argmax(s)),)  # noqa: E731
    assert selection_frequency(draws, top1, (0, 1)).tolist() == [0.75, 0.25]


def test_cover_frequency_replans_each_draw_greedily():
    # site 0 covers demand 0, site 1 demand 1, site 2 demand 2; k = 1 picks the heaviest
    cover = np.eye(3, dtype=bool)
    draws = np.array([[5.0, 1.0, 1.0], [5.0, 6.0, 1.0], [9.0, 1.0, 1.0], [1.0, 1.0, 7.0]])
    assert cover_frequency(draws, cover, 1, (0,)).tolist() == [0.5]
    assert cover_frequency(draws, cover, 2, (0, 1)).tolist() == [1.0, 0.75]


def test_budget_frequency_by_value_per_cost_and_one_per_group():
    costs = np.array([1.0, 1.0, 2.0])
    draws = np.array([[3.0, 1.0, 5.0], [1.0, 3.0, 1.0]])  # value per cost: 3,1,2.5 then 1,3,0.5
    assert budget_frequency(draws, costs, 3, (0, 1, 2)).tolist() == [1.0, 0.5, 0.5]
    # one per group: group B (commune 2) must be in, so commune 0 or 1 only when it fits
    grouped = budget_frequency(draws, costs, 3, (0, 2), groups=["A", "A", "B"])
    assert grouped.tolist() == [0.5, 1.0]
