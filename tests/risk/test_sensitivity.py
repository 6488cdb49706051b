import numpy as np
import pandas as pd
import pytest

from risk.profiles import load_profile
from risk.sensitivity import sensitivity, weight_draws

PATROL = load_profile("patrol")


def frame(n, seed=0, names=("border_proximity", "crossing_access")):
    rng = np.random.default_rng(seed)
    index = pd.Index([f"{10000 + i}" for i in range(n)], name="commune_code")
    return pd.DataFrame(rng.gamma(1.0, 1.0, (n, len(names))), columns=list(names), index=index)


def test_dirichlet_draws_centre_on_the_profile_weights():
    w = np.array([0.2, 0.3, 0.5])
    draws = weight_draws(w, 5000, 100.0, np.random.default_rng(0))
    assert draws.sum(axis=1) == pytest.approx(np.ones(5000))
    assert draws.mean(axis=0) == pytest.approx(w, abs=0.005)
    assert draws.std(axis=0)[0] == pytest.approx(np.sqrt(0.2 * 0.8 / 101), rel=0.1)


def test_a_dominant_commune_is_always_first_and_top_k_probabilities_sum_to_k():
    data = frame(50)
    data.iloc[7] = [50.0, 50.0]  # far above every other commune on both indicators
    result = sensitivity(data, {"border_proximity": 0.5, "crossing_access": 0.5}, PATROL.parameters)
    assert result.rank_p05[7] == result.rank_p95[7] == 1 and result.p_top_k[7] == 1.0
    assert result.p_top_k.sum() == pytest.approx(PATROL.parameters["top_k"])
    assert (result.rank_p05 <= result.rank_p95).all()
    assert result.draws >= 1000


def test_same_seed_same_intervals_other_seed_may_differ():
    data, w = frame(80, seed=3), {"border_proximity": 0.4, "crossing_access": 0.6}
    a = sensitivity(data, w, PATROL.parameters, seed=1)
    b = sensitivity(data, w, PATROL.parameters, seed=1)
    assert (a.rank_p05 == b.rank_p05).all() and (a.p_top_k == b.p_top_k).all()


def test_weights_that_matter_widen_the_rank_interval():
    # two indicators that disagree: the ranking depends on the weights, so intervals are wide
    data = frame(40)
    data["crossing_access"] = -data["border_proximity"] + 5
    result = sensitivity(data, {"border_proximity": 0.5, "crossing_access": 0.5}, PATROL.parameters)
    assert (result.rank_p95 - result.rank_p05).max() > 10


def test_thousand_draws_over_ten_thousand_communes_give_an_interval_for_each():
    # the time this takes is measured by `make bench` (montecarlo_1000_s), not asserted here
    data = frame(10_000, names=("border_proximity", "crossing_access", "vulnerability"))
    w = {"border_proximity": 0.3, "crossing_access": 0.5, "vulnerability": 0.2}
    result = sensitivity(data, w, {**PATROL.parameters, "sensitivity_draws": 1000})
    assert result.draws == 1000 and len(result.rank_p05) == 10_000
    assert (result.rank_p05 <= result.rank_p95).all()
    assert abs(result.p_top_k.sum() - result.k) < 1e-6  # k communes are in the top k each draw


def test_threads_give_the_same_intervals_as_one_pass():
    from geo.parallel import executor_for

    data, w = frame(120, seed=5), {"border_proximity": 0.4, "crossing_access": 0.6}
    params = {**PATROL.parameters, "sensitivity_draws": 777}  # blocks of 250 and one of 27
    one = sensitivity(data, w, params, seed=9)
    with executor_for("local", workers=2) as ex:
        threaded = sensitivity(data, w, params, seed=9, executor=ex)
    assert (threaded.rank_p05 == one.rank_p05).all() and (threaded.rank_p95 == one.rank_p95).all()
    assert (threaded.p_top_k == one.p_top_k).all() and threaded.draws == 777
