"""Demand rules and outline coverage of plans (issue 12, item 5)."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from risk.demand import (
    DEFAULT_RULE,
    RULES,
    TIE_SHARE,
    coverage_matrix,
    demand_weights,
    eligible_sites,
    priority_communes,
    reach,
    top_communes,
)
from risk.errors import PlanError
from risk.plans.covering import max_cover

METRIC = "EPSG:32648"
score_values = st.floats(min_value=0, max_value=100, allow_nan=False, allow_subnormal=False)
positive = st.floats(min_value=0.01, max_value=500, allow_nan=False)


@st.composite
def communes(draw, min_size=1, max_size=30):
    """Scores (0-100), areas (km²), rates per 10,000 and people of a few communes."""
    n = draw(st.integers(min_size, max_size))
    column = lambda values: np.array(draw(st.lists(values, min_size=n, max_size=n)))  # noqa: E731
    return {
        "scores": column(score_values),
        "areas_km2": column(positive),
        "rate_per_10k": column(st.floats(0, 50, allow_nan=False, allow_subnormal=False)),
        "population": column(st.floats(min_value=0, max_value=1e5, allow_nan=False)),
    }


def weights(data, rule, **options):
    return demand_weights(
        data["scores"],
        data["areas_km2"],
        rule=rule,
        rate_per_10k=data["rate_per_10k"],
        population=data["population"],
        **options,
    )


@given(communes(), st.sampled_from(RULES))
def test_every_rule_gives_finite_demand_of_at_least_zero(data, rule):
    w = weights(data, rule)
    assert w.shape == data["scores"].shape
    assert np.isfinite(w).all() and (w >= 0).all()


@given(communes(), st.integers(0, 29))
def test_score_area_is_the_same_when_a_commune_is_split_in_two_halves(data, at):
    i = at % len(data["scores"])
    whole = weights(data, "score_area")
    halves = {
        key: np.append(values, values[i]) for key, values in data.items() if key != "areas_km2"
    }
    areas = np.append(data["areas_km2"], data["areas_km2"][i] / 2)
    areas[i] /= 2
    split = weights(halves | {"areas_km2": areas}, "score_area")
    assert math.isclose(split.sum(), whole.sum(), rel_tol=1e-9)
    assert math.isclose(split[i] + split[-1], whole[i], rel_tol=1e-9)


@given(communes(), score_values)
def test_above_threshold_is_zero_below_the_threshold_and_the_score_above(data, threshold):
    w = weights(data, "above_threshold", threshold=threshold)
    s = data["scores"]
    assert (w[s < threshold] == 0).all()
    assert (w[s >= threshold] == s[s >= threshold]).all()


@given(communes(min_size=2))
def test_top_first_puts_any_top_commune_above_all_the_others_together(data):
    w = weights(data, "top_first")
    top = top_communes(data["scores"])
    if (~top).any():
        assert w[~top].sum() <= TIE_SHARE * w[top].min() + 1e-12
        low = data["scores"][~top]
        order = np.argsort(low, kind="stable")
        assert (np.diff(w[~top][order]) >= 0).all()  # same order as the scores below
    assert (w[top] == data["scores"][top]).all()


@given(communes(), st.floats(min_value=0.1, max_value=10))
def test_expected_events_are_rate_times_people_and_scale_with_them(data, factor):
    w = weights(data, "expected_events")
    np.testing.assert_allclose(w, data["rate_per_10k"] * data["population"] / 10_000)
    more = weights(data | {"population": data["population"] * factor}, "expected_events")
    np.testing.assert_allclose(more, w * factor, rtol=1e-9, atol=1e-12)


def test_the_top_decile_is_the_tenth_of_the_communes_with_the_highest_scores():
    scores = np.arange(1, 101, dtype=float)
    assert top_communes(scores).sum() == 10 and top_communes(scores)[90:].all()
    assert priority_communes(scores, rule="score").all()
    assert priority_communes(scores, rule=DEFAULT_RULE).sum() == 10
    assert priority_communes(scores, rule="above_threshold", threshold=51).sum() == 50


def test_sums_of_scores_let_many_small_communes_outweigh_a_few_large_ones():
    # Ten 3 km² lowland communes of score 20 and two 300 km² border communes of score 90.
    scores = np.array([20.0] * 10 + [90.0] * 2)
    areas = np.array([3.0] * 10 + [300.0] * 2)
    delta, border = np.arange(12) < 10, np.arange(12) >= 10
    cover = np.array([delta, border])  # base 0 reaches the delta, base 1 the border
    assert max_cover(demand_weights(scores, rule="score"), cover, 1).chosen == (0,)
    for rule in ("score_area", "above_threshold", "top_first"):
        assert max_cover(demand_weights(scores, areas, rule=rule), cover, 1).chosen == (1,)


def square(x0_km, y0_km, side_km):
    return shapely.box(
        x0_km * 1000, y0_km * 1000, (x0_km + side_km) * 1000, (y0_km + side_km) * 1000
    )


def test_a_commune_counts_as_reached_when_its_outline_is_within_the_radius():
    # A 30 km square whose centre is 20 km east of the base but whose west edge is 5 km away.
    big = square(5, -15, 30)
    far = square(40, 0, 2)  # 40 km away
    inside = square(-1, -1, 2)  # the base lies in it
    base = gpd.GeoSeries([shapely.Point(0, 0)], crs=METRIC)
    polygons = gpd.GeoSeries([big, far, inside], crs=METRIC)
    assert shapely.distance(base.iloc[0], big.centroid) == pytest.approx(20_000)
    cover = coverage_matrix(base, polygons, 15)
    assert cover.tolist() == [[True, False, True]]
    assert coverage_matrix(base, polygons, 4.9).tolist() == [[False, False, True]]
    assert coverage_matrix(base.iloc[:0], polygons, 15).shape == (0, 3)


def test_coverage_refuses_degrees_crs_mixes_and_bad_radii():
    base = gpd.GeoSeries([shapely.Point(0, 0)], crs=METRIC)
    polygons = gpd.GeoSeries([square(5, -15, 30)], crs=METRIC)
    with pytest.raises(PlanError, match=r"metric CRS \(metres\), not lon/lat degrees"):
        coverage_matrix(base.to_crs(4326), polygons.to_crs(4326), 15)
    with pytest.raises(PlanError, match="different CRSs; reproject one of them"):
        coverage_matrix(base, polygons.to_crs("EPSG:32649"), 15)
    for radius in (0, -1, math.inf, math.nan):
        with pytest.raises(PlanError, match=f"radius is {radius} km, expected a number > 0"):
            coverage_matrix(base, polygons, radius)


def test_demand_errors_name_the_rule_and_what_it_needs():
    scores = np.array([10.0, 50.0])
    with pytest.raises(PlanError, match='demand rule was "people" but is expected to be one of'):
        demand_weights(scores, rule="people")
    with pytest.raises(PlanError, match='demand rule "score_area" needs areas_km2'):
        demand_weights(scores, rule="score_area")
    with pytest.raises(PlanError, match='"expected_events" needs rate_per_10k'):
        demand_weights(scores, rule="expected_events", population=[1, 2])
    with pytest.raises(PlanError, match="areas_km2 must hold 2 finite numbers >= 0"):
        demand_weights(scores, [1.0, math.nan], rule="score_area")
    with pytest.raises(PlanError, match="scores must be finite numbers >= 0"):
        demand_weights([10.0, -1.0], rule="score")
    with pytest.raises(PlanError, match="scores must be a non-empty list"):
        demand_weights([], rule="score")
    with pytest.raises(PlanError, match="threshold is nan, expected a score from 0 to 100"):
        demand_weights(scores, rule="top_first", threshold=math.nan)
    with pytest.raises(PlanError, match="top share is 0, expected a number above 0"):
        top_communes(scores, share=0)


def test_eligible_sites_reach_a_priority_commune_unless_too_few_do():
    cover = np.array([[True, False, False], [False, True, False], [False, False, True]])
    priority = np.array([False, True, True])
    assert eligible_sites(cover, priority, 2).tolist() == [False, True, True]
    assert eligible_sites(cover, priority, 3).tolist() == [True, True, True]
    with pytest.raises(PlanError, match=r"coverage has shape \(3, 3\), expected \(candidates, 2\)"):
        eligible_sites(cover, priority[:2], 1)


def test_reach_counts_top_communes_reached_and_bases_near_them():
    cover = np.array([[True, True, False, False], [False, False, False, True]])
    scores = np.array([90.0, 10.0, 80.0, 20.0])
    found = reach(cover, [0, 1], scores, np.array([True, False, True, False]))
    assert found.top_reached_share == 0.5 and found.bases_near_top == 1 and found.bases == 2
    assert found.score_share == pytest.approx(120 / 200)
    assert not found.meets_bar
    assert reach(cover, [0], scores, np.array([True, False, True, False])).meets_bar


def real_provinces():
    from benchmarks.plan_demand import read_realdata, realdata_path

    path = realdata_path()
    if path is None:
        return None, []
    communes, border = read_realdata(path)
    return (communes, border), sorted(communes["province_name"].unique())


REAL, PROVINCES = real_provinces()


@pytest.mark.slow
@pytest.mark.skipif(
    REAL is None,
    reason="no real geometry at ../shared/realdata/vn2009_dev_provinces.gpkg (a user's clone)",
)
@pytest.mark.parametrize("province", PROVINCES or ["none"])
@pytest.mark.parametrize("method", ["greedy", "exact"])
def test_the_default_patrol_plan_meets_the_bar_on_real_provinces(tmp_path, province, method):
    from benchmarks.plan_demand import province_layers, scored_province
    from risk.plans.patrol import plan_patrol
    from risk.plans.requests import PatrolRequest

    layers = province_layers(*REAL, province, seed=0)
    world = scored_province(tmp_path / "ws", layers, profiles=("patrol",))
    run, communes = world["runs"]["patrol"], world["communes"]
    # the plan a user gets: default demand, k, radius and candidates, through the wired plan
    plan = plan_patrol(
        run, communes, layers["crossings"], k=5, radius_km=15.0, method=method, draws=0
    )
    assert plan.parameters["demand"] == PatrolRequest.demand == DEFAULT_RULE
    assert plan.bases_near_top_decile == 5, plan.notes
    assert plan.top_decile_reached >= 0.5, plan.top_decile_reached
