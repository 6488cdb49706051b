import numpy as np
import pytest

from risk.backtest import Denominators, backtest, captured, evaluate, hit_metrics

ONES = Denominators(np.ones(10), np.ones(10))


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
