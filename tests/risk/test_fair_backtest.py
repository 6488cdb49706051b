"""Issue 14: same-information baselines, rolling origin, fair comparison, effort."""

import numpy as np
import pandas as pd
import pytest

from geo.errors import LayerError
from risk.backtest import (
    YIELDS_REFUSED,
    Denominators,
    Effort,
    backtest,
    compare,
    holdout_effort,
    random_expectation,
)
from risk.rolling import as_of, holdout_years

N = 40
ONES = Denominators(np.ones(N), np.ones(N))


def test_random_baseline_is_its_exact_expectation():
    events = np.arange(N, dtype=float)
    out = random_expectation(events, ONES)
    assert out["pai_top10"] == 1.0 and out["pai_top20"] == 1.0
    assert out["hit_rate_top10"] == pytest.approx(4 / N)
    best = backtest(events, {}, events, ONES)["model"]["pai_top10"]
    assert out["pei_top10"] == pytest.approx(1 / best, abs=1e-4)


def years_of_events(seed=1):
    rng = np.random.default_rng(seed)
    risk = rng.gamma(0.5, 2.0, N)
    return risk, [rng.poisson(risk * 2).astype(float) for _ in range(3)]


def test_a_model_no_better_than_a_baseline_gets_an_interval_around_one():
    risk, events = years_of_events()
    noisy = [risk + np.random.default_rng(i).normal(0, 0.5, N) for i in range(3)]
    same = compare(noisy, [{"copy": m, "flat": np.zeros(N)} for m in noisy], events, draws=200)
    assert same["best_baseline"] == "copy" and same["ratio"] == 1.0
    assert same["ci90"][0] <= 1 <= same["ci90"][1] and not same["beats_best"]


def test_the_strongest_baseline_is_chosen_and_a_clearly_better_model_beats_it():
    risk, events = years_of_events()
    rng = np.random.default_rng(7)
    weak = {"random_order": rng.permutation(N).astype(float), "inverse": -risk}
    out = compare([risk] * 3, [weak] * 3, events, draws=300, seed=3)
    assert out["best_baseline"] == "random_order"
    assert out["ratio"] > 1 and out["ci90"][0] > 1 and out["beats_best"]
    again = compare([risk] * 3, [weak] * 3, events, draws=300, seed=3)
    assert again == out  # seeded
    only = compare([risk] * 3, [weak] * 3, events, draws=50, candidates=("inverse",))
    assert only["best_baseline"] == "inverse"


def test_rolling_origin_needs_two_earlier_years():
    reps = pd.DataFrame({"period": ["2021", "2022", "2023-04", "2025"], "count": [1, 1, 1, 1]})
    assert holdout_years(reps) == [2023, 2025]


def test_venues_licensed_in_or_after_the_holdout_are_left_out():
    venues = pd.DataFrame({"kind": ["bar"] * 4, "licence_year": [2019, 2024, 2025, None]})
    kept, note = as_of(venues, "venues", 2024)
    assert kept["licence_year"].tolist()[:1] == [2019] and len(kept) == 2 and note is None
    frame, note = as_of(venues.drop(columns="licence_year"), "venues", 2024)
    assert len(frame) == 4 and "can leak the holdout" in note


def test_a_licence_year_that_is_not_a_year_is_an_error_naming_row_and_column():
    venues = pd.DataFrame({"kind": ["bar", "bar"], "licence_year": [2019, "last spring"]})
    with pytest.raises(LayerError, match=r'row 2, column "licence_year": "last spring" is not'):
        as_of(venues, "venues", 2024)


def effort_table(zero_rows: bool) -> pd.DataFrame:
    rows = [
        {"commune_code": f"9{i:04d}", "period": str(y), "count": c, "enforcement_days": 10 + i}
        for y in (2024, 2025)
        for i, c in enumerate([3, 0, 2, 0, 5, 1, 0, 4])
        if zero_rows or c > 0
    ]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("zero_rows", [True, False])
def test_yields_are_refused_when_effort_is_recorded_only_where_people_were_found(zero_rows):
    table = effort_table(zero_rows)
    codes = [f"9{i:04d}" for i in range(8)]
    effort = holdout_effort(table, 2025, codes)
    assert effort.only_where_found is (not zero_rows)
    events = np.array([3, 0, 2, 0, 5, 1, 0, 4], dtype=float)
    d = Denominators(np.ones(8), np.ones(8))
    view = backtest(events, {}, events, d, effort=effort)["enforcement"]
    assert view["yields_reported"] is zero_rows
    if zero_rows:
        assert view["people_per_100_days_outside_top10"] is not None
    else:
        assert view["yields_note"] == YIELDS_REFUSED and "count 0" in view["yields_note"]
        assert "people_per_100_days_outside_top10" not in view
        assert view["people_per_100_days_holdout"] is None


def test_effort_with_zero_rows_is_not_flagged():
    assert not Effort(np.ones(2), np.ones(2)).only_where_found
