"""Issue 14: uncertainty from counts, parameters and weights; normalisation compared apart."""

import numpy as np
import pandas as pd
import pytest

from risk.profiles import load_profile
from risk.rates import eb_posterior_draw, eb_smoothed_rate
from risk.sensitivity import DataSource, normalisation_comparison, sensitivity

PATROL = load_profile("patrol")
CODES = [f"{90000 + i}" for i in range(60)]


def skewed(seed=0):
    rng = np.random.default_rng(seed)
    index = pd.Index(CODES, name="commune_code")
    data = {"crossing_access": rng.lognormal(0, 1.2, 60), "industrial_workers": rng.gamma(2, 1, 60)}
    return pd.DataFrame(data, index=index)


def test_normalisation_is_not_inside_the_rank_interval_but_compared_apart():
    data = skewed()
    w = {"crossing_access": 0.5, "industrial_workers": 0.5}
    fixed = {**PATROL.parameters, "sensitivity_concentration": 1e9, "outliers": "none"}
    result = sensitivity(data, w, fixed)
    assert result.sources == ("weights",)
    assert (result.rank_p95 - result.rank_p05).max() <= 1  # weights fixed: nothing moves
    other = normalisation_comparison(data, w, fixed)
    assert other["minmax"]["max_rank_shift_top_k"] == 0
    assert other["rank"]["max_rank_shift_top_k"] > 0  # the method choice does move ranks


def reps_table(seed=1):
    rng = np.random.default_rng(seed)
    rows = [
        {"commune_code": c, "period": str(y), "category": "deported", "count": int(k)}
        for y in (2022, 2023, 2024, 2025)
        for c, k in zip(CODES, rng.poisson(rng.gamma(0.8, 1.0, 60)), strict=True)
        if k > 0
    ]
    return pd.DataFrame(rows)


def test_counts_and_parameters_are_drawn_and_widen_the_intervals():
    from risk.indicators import compute_indicator

    table = reps_table()
    pop = np.full(60, 3000.0)
    params = dict(PATROL.parameters)
    communes = pd.DataFrame({"commune_code": CODES})
    rate, _ = compute_indicator("deported_rate", communes, {"repatriations": table}, pop, params)
    data = skewed().assign(deported_rate=rate)
    w = {"crossing_access": 0.4, "industrial_workers": 0.2, "deported_rate": 0.4}
    weights_only = sensitivity(data, w, params, breaks=(20.0, 40.0, 60.0, 80.0))
    every = sensitivity(
        data, w, params, source=DataSource(table, pop), breaks=(20.0, 40.0, 60.0, 80.0)
    )
    assert every.sources == ("weights", "counts", "parameters")
    widths = lambda s: (s.rank_p95 - s.rank_p05).sum()  # noqa: E731
    assert widths(every) > widths(weights_only)
    assert every.class_uncertain.dtype == bool and every.class_uncertain.sum() >= (
        weights_only.class_uncertain.sum()
    )
    assert (every.score_p05 <= every.score_p95).all()
    assert every.summary()["sources"] == ["weights", "counts", "parameters"]


def test_posterior_draws_average_to_the_eb_estimate():
    rng = np.random.default_rng(0)
    counts = np.array([0.0, 3.0, 12.0, 1.0, 40.0, 7.0])
    pop = np.array([800.0, 2000.0, 5000.0, 1500.0, 9000.0, 4000.0])
    mean = np.mean([eb_posterior_draw(counts, pop, rng) for _ in range(4000)], axis=0)
    assert mean == pytest.approx(eb_smoothed_rate(counts, pop), rel=0.05)
