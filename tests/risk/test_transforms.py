import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from risk.profiles import load_profile
from risk.results import contrib_col
from risk.scoring import aggregate, score
from risk.transforms import normalise, skew_kurt, treat_outliers
from tests.strategies import indicator_frames, weights

PATROL = load_profile("patrol")


def test_coinr_example_winsorises_the_one_outlier():
    # COINr's documented example: 1..10 plus 30 and 100; one point winsorised suffices
    x = np.r_[np.arange(1, 11), 30, 100]
    skew, kurt = skew_kurt(x)
    assert skew == pytest.approx(3.063, abs=1e-3) and kurt == pytest.approx(9.741, abs=1e-3)
    treated, how = treat_outliers(x)
    assert how == "winsorised 1" and treated.max() == 30 and treated[:10].tolist() == list(x[:10])


def test_heavy_tail_needing_more_than_five_points_is_log_transformed_instead():
    x = np.random.default_rng(0).lognormal(0, 2, 200)
    treated, how = treat_outliers(x)
    assert how == "log"
    assert treated == pytest.approx(np.log(x - x.min() + 0.01 * np.ptp(x)))
    assert list(np.argsort(treated)) == list(np.argsort(x))  # order kept


def test_well_behaved_and_constant_indicators_are_left_alone():
    x = np.linspace(0, 1, 50)
    assert treat_outliers(x)[1] == "none"
    assert treat_outliers(np.zeros(20))[1] == "none"
    assert all(math.isnan(v) for v in skew_kurt(np.zeros(20)))


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("minmax", [0, 25, 25, 100]),
        ("rank", [0, 50, 50, 100]),
        # mean 1.5, population sd 1.5: z = -1, -1/3, -1/3, 5/3; 50 + z · 50/3
        ("zscore", [50 - 50 / 3, 50 - 50 / 9, 50 - 50 / 9, 50 + 250 / 9]),
    ],
    ids=["minmax", "rank", "zscore"],
)
def test_normalisations_map_to_0_100_by_hand(method, expected):
    assert normalise([0.0, 1.0, 1.0, 4.0], method) == pytest.approx(expected)


def test_constant_indicator_normalises_to_zero_with_a_note():
    frame = pd.DataFrame(
        {"border_proximity": [0.3, 0.3, 0.3], "crossing_access": [0.0, 1.0, 2.0]},
        index=pd.Index(["90001", "90002", "90003"], name="commune_code"),
    )
    table = score(frame, PATROL)
    assert (table.frame["norm_border_proximity"] == 0).all()
    assert any("border_proximity is the same for every commune" in n for n in table.notes)


def test_geometric_contributions_add_up_and_a_zero_cannot_be_fully_offset():
    norm = np.array([[100.0, 0.0], [50.0, 50.0], [100.0, 100.0], [0.0, 0.0]])
    w = np.array([0.5, 0.5])
    total, parts = aggregate(norm, w, "geometric")
    assert parts.sum(axis=1) == pytest.approx(total)
    assert total[2] == pytest.approx(100) and total[3] == pytest.approx(0)
    arith, _ = aggregate(norm, w, "arithmetic")
    assert arith[0] == arith[1] and total[0] < total[1]  # unbalanced profile scores lower


METHODS = st.sampled_from(
    [
        {"normalisation": n, "aggregation": a, "classification": c, "outliers": o}
        for n in ("minmax", "rank", "zscore")
        for a in ("arithmetic", "geometric")
        for c in ("quantile", "natural_breaks")
        for o in ("coinr", "none")
    ]
)


@settings(max_examples=80, deadline=None)
@given(frame=indicator_frames(), w=weights(), method=METHODS)
def test_every_method_gives_bounded_scores_summing_contributions_and_a_rank_permutation(
    frame, w, method
):
    table = score(frame, PATROL.with_weights(w).with_settings(method))
    out = table.frame
    assert np.isfinite(out["score"]).all()
    assert ((out["score"] >= -1e-9) & (out["score"] <= 100 + 1e-9)).all()
    parts = out[[contrib_col(n) for n in table.indicators]].sum(axis=1)
    assert np.allclose(parts, out["score"], rtol=1e-9, atol=1e-9)
    assert sorted(out["rank"]) == list(range(1, len(out) + 1))
    assert set(out["class"]) <= {1, 2, 3, 4, 5}


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(4, 300), shape=st.floats(0.2, 5.0))
def test_skew_and_kurtosis_match_scipys_unbiased_estimates(seed, n, shape):
    from scipy import stats as scipy_stats

    x = np.random.default_rng(seed).gamma(shape, 2.0, n)
    skew, kurt = skew_kurt(x)
    assert skew == pytest.approx(scipy_stats.skew(x, bias=False), rel=1e-9, abs=1e-12)
    assert kurt == pytest.approx(scipy_stats.kurtosis(x, bias=False), rel=1e-9, abs=1e-12)


def test_winsorising_never_flattens_an_indicator_to_one_value():
    # nine zeros, a one and a far outlier: clipping the outlier to 1 still looks outlying, and
    # clipping again would leave only zeros; the log transform keeps the order instead
    x = np.array([0.0] * 20 + [1.0, 1.0, 50.0])
    treated, how = treat_outliers(x)
    assert how == "log"
    assert np.argmax(treated) == 22 and np.ptp(treated) > 0


def test_raising_the_top_value_keeps_it_at_the_top():
    frame = pd.DataFrame(
        {"border_length": [0.0] * 20 + [1.0, 1.0, 1.2]}, index=[f"9{i:04d}" for i in range(23)]
    )
    profile = PATROL.with_weights({"border_length": 1.0})
    for top in (1.2, 60.0):
        frame.iloc[22, 0] = top
        assert score(frame, profile).frame["score"].iloc[22] == 100.0
