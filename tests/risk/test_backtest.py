import numpy as np
import pandas as pd
import pytest

from risk.backtest import (
    Denominators,
    Effort,
    backtest,
    captured,
    evaluate,
    hit_metrics,
    holdout_effort,
)
from risk.rates import effort_note
from tests.factories import make_effort_repatriations

ONES = Denominators(np.ones(10), np.ones(10))
ONES_20 = Denominators(np.ones(20), np.ones(20))


def test_hand_computed_hit_rate_and_pai_with_three_denominators():
    events = np.array([5, 3, 0, 0, 2, 0, 0, 0, 0, 0])
    ranking = np.arange(10, 0, -1)  # commune 0 first, commune 9 last
    area = np.r_[4.0, np.ones(9)]  # commune 0 is large: 4 of 13 km²
    people = np.r_[1000.0, np.full(9, 1000.0)]
    m = hit_metrics(ranking, events, Denominators(area, people), 0.10)
    assert m["hit_rate"] == pytest.approx(0.5)  # 5 of 10 people, in the top 1 commune
    assert m["pai"] == pytest.approx(0.5 / 0.1)
    assert m["pai_area"] == pytest.approx(0.5 / (4 / 13))
    assert m["pai_population"] == pytest.approx(5.0)
    assert evaluate(ranking, events, ONES)["pei_top20"] == pytest.approx(0.8 / 0.8)


def test_ties_at_the_cut_off_count_in_proportion():
    # four communes tied for the top two places: each is half inside
    assert captured([1, 1, 1, 1, 0], [1, 0, 0, 0, 0], 2) == pytest.approx([0.5, 0.5, 0.5, 0.5, 0])


def test_random_rankings_have_a_pai_of_about_one_and_a_perfect_ranking_a_pei_of_one():
    rng = np.random.default_rng(0)
    events = rng.poisson(rng.gamma(0.5, 2.0, 300))
    d = Denominators(np.ones(300), np.ones(300))
    result = backtest(events, {"prior_counts": rng.permutation(events)}, events, d, seed=0)
    assert result["baselines"]["random"]["pai_top10"] == pytest.approx(1.0, abs=0.15)
    assert result["baselines"]["random"]["pai_top20"] == pytest.approx(1.0, abs=0.15)
    assert result["model"]["pei_top10"] == pytest.approx(1.0)
    ratio = result["model_vs_prior_counts_pai_top10"]
    assert ratio["low_90"] <= ratio["ratio"] <= ratio["high_90"] and ratio["low_90"] > 1


def test_json_shape_has_model_and_baselines_with_the_headline_keys():
    events = np.r_[np.ones(5), np.zeros(15)]
    d = Denominators(np.ones(20), np.ones(20))
    out = backtest(np.arange(20, 0, -1), {"prior_counts": events}, events, d)
    keys = {"pai_top10", "pai_top20", "hit_rate_top10", "hit_rate_top20", "pei_top10"}
    assert keys <= set(out["model"]) and all(keys <= set(b) for b in out["baselines"].values())
    assert set(out["baselines"]) == {"prior_counts", "random"}


def test_without_effort_the_backtest_says_effort_was_not_recorded():
    events = np.r_[np.ones(5), np.zeros(15)]
    out = backtest(np.arange(20, 0, -1), {"prior_counts": events}, events, ONES_20)
    assert out["enforcement"]["recorded"] is False
    assert "not recorded" in out["enforcement"]["note"] and "prior_effort" not in out["baselines"]


def test_a_model_that_follows_patrols_does_not_beat_ranking_by_last_years_effort():
    # records appear only where guards look; the "model" is last year's effort plus noise
    rng = np.random.default_rng(1)
    prior = rng.gamma(1.0, 20.0, 300)
    holdout = prior * rng.uniform(0.8, 1.2, 300)
    events = rng.poisson(holdout * 0.05)
    model = prior + rng.normal(0, 1, 300)
    d = Denominators(np.ones(300), np.ones(300))
    out = backtest(model, {"prior_counts": events}, events, d, effort=Effort(prior, holdout))
    view = out["enforcement"]
    assert view["recorded"] is True and view["spearman_effort_events"] > 0.6
    assert view["spearman_model_effort"] > 0.9
    ratio = view["model_vs_prior_effort_pai_top10"]
    assert ratio["low_90"] <= 1 <= ratio["high_90"]  # no better than where guards looked
    assert out["baselines"]["prior_effort"]["pai_top10"] > 2


def test_a_model_of_risk_beats_the_effort_baseline_and_finds_more_people_per_patrol_day():
    # effort spread evenly, records follow a risk the model knows
    rng = np.random.default_rng(2)
    risk = rng.gamma(0.6, 1.0, 300)
    prior, holdout = rng.uniform(8, 12, 300), rng.uniform(8, 12, 300)
    events = rng.poisson(risk * 2)
    d = Denominators(np.ones(300), np.ones(300))
    out = backtest(risk, {"prior_counts": events}, events, d, effort=Effort(prior, holdout))
    view = out["enforcement"]
    assert abs(view["spearman_effort_events"]) < 0.2
    assert view["model_vs_prior_effort_pai_top10"]["low_90"] > 1
    assert view["people_per_100_days_model_top10"] > 3 * view["people_per_100_days_outside_top10"]


def test_effort_counts_once_per_commune_and_period_and_unrecorded_is_not_zero():
    table = pd.DataFrame(
        {
            "commune_code": ["90001", "90001", "90002", "90001", "90003"],
            "period": ["2024", "2024", "2024", "2025", "2025"],
            "category": ["deported", "victim_returned", "deported", "deported", "deported"],
            "count": [2, 1, 0, 4, 1],
            "enforcement_days": [10.0, 10.0, 5.0, np.nan, 7.0],
        }
    )
    effort = holdout_effort(table, 2025, ["90001", "90002", "90003"])
    assert effort.prior.tolist()[:2] == [10.0, 5.0] and np.isnan(effort.prior[2])
    assert np.isnan(effort.holdout[0]) and effort.holdout[2] == 7.0
    assert holdout_effort(table.drop(columns="enforcement_days"), 2025, ["90001"]) is None


def test_run_note_says_whether_effort_was_recorded():
    table = pd.DataFrame(
        {
            "commune_code": ["90001", "90002", "90003", "90004"],
            "period": ["2023", "2023", "2024", "2024"],
            "count": [1, 2, 3, 6],
            "enforcement_days": [10, 20, 30, 40],
        }
    )
    note = effort_note(table)
    assert note.startswith("enforcement effort recorded for 4 commune-periods (2023-2024, 100 days")
    assert "12.0 people recorded per 100 days" in note and "ρ between effort and people" in note
    assert "1.00" in note
    assert "not recorded" in effort_note(table.drop(columns="enforcement_days"))


def test_workspace_backtest_and_run_notes_use_a_stored_effort_column(tmp_workspace):
    from risk.pipeline import backtest_workspace, score_workspace
    from risk.profiles import load_profile

    codes = tmp_workspace.read_layer("communes")["commune_code"].tolist()
    reps = make_effort_repatriations(codes)
    tmp_workspace.write_layers({"repatriations": reps}, source="effort fixture")
    patrol = load_profile("patrol")
    result = backtest_workspace(tmp_workspace, patrol, 2025)
    view = result["enforcement"]
    assert view["recorded"] and view["communes_with_effort"] == {"prior": 12, "holdout": 12}
    assert view["spearman_effort_events"] > 0.5  # records here follow the patrols
    assert "prior_effort" in result["baselines"] and "model_vs_prior_effort_pai_top10" in view
    notes = score_workspace(tmp_workspace, patrol, store=False).record.notes
    assert any(n.startswith("enforcement effort recorded for 48 commune-periods") for n in notes)


def test_effort_missing_in_one_year_leaves_out_what_needs_it_and_says_so():
    events = np.r_[np.ones(5), np.zeros(15)]
    effort = Effort(np.full(20, np.nan), np.linspace(1, 20, 20))
    out = backtest(np.arange(20, 0, -1), {"prior_counts": events}, events, ONES_20, effort=effort)
    view = out["enforcement"]
    assert "prior_effort" not in out["baselines"] and "model_vs_prior_effort_pai_top10" not in view
    assert view["note"].startswith("no effort recorded in the prior year")
