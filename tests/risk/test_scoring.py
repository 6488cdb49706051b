import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from risk.errors import ScoringError
from risk.profiles import load_profile
from risk.results import contrib_col
from risk.scoring import score
from tests.strategies import NAMES, indicator_frames, weights

BASE = load_profile("patrol")


@settings(max_examples=60, deadline=None)
@given(frame=indicator_frames(), w=weights())
def test_scores_bounded_contributions_sum_and_ranks_permute(frame, w):
    table = score(frame, BASE.with_weights(w))
    out = table.frame
    assert ((out["score"] >= 0) & (out["score"] <= 100 + 1e-9)).all()
    contribs = out[[contrib_col(n) for n in table.indicators]].sum(axis=1)
    for total, s in zip(contribs, out["score"], strict=True):
        assert math.isclose(total, s, rel_tol=1e-9, abs_tol=1e-9)
    assert sorted(out["rank"]) == list(range(1, len(out) + 1))
    assert set(out["class"]) <= {1, 2, 3, 4, 5}


@settings(max_examples=60, deadline=None)
@given(
    frame=indicator_frames(min_rows=2),
    w=weights(),
    which=st.sampled_from(NAMES),
    row=st.integers(0, 11),
    bump=st.floats(0.1, 1e3),
)
def test_raising_one_indicator_never_lowers_that_communes_score(frame, w, which, row, bump):
    row %= len(frame)
    before = score(frame, BASE.with_weights(w)).frame["score"].iloc[row]
    raised = frame.copy()
    raised.iloc[row, raised.columns.get_loc(which)] += bump
    after = score(raised, BASE.with_weights(w)).frame["score"].iloc[row]
    assert after >= before - 1e-9


def test_higher_score_gets_better_rank_and_ties_break_by_code():
    frame = pd.DataFrame(
        {"border_proximity": [0.1, 0.9, 0.9]},
        index=pd.Index(["90003", "90002", "90001"], name="commune_code"),
    )
    table = score(frame, BASE.with_weights({"border_proximity": 1.0}))
    ranks = dict(zip(table.frame["commune_code"], table.frame["rank"], strict=True))
    assert ranks == {"90001": 1, "90002": 2, "90003": 3}


def test_missing_indicators_renormalise_the_weights_with_a_note():
    frame = pd.DataFrame(
        {"border_proximity": [0.2, 0.8], "crossing_access": [1.0, 0.0]},
        index=pd.Index(["90001", "90002"], name="commune_code"),
    )
    table = score(frame, BASE)
    assert math.isclose(sum(table.weights.values()), 1.0)
    assert set(table.weights) == {"border_proximity", "crossing_access"}
    assert table.weights["crossing_access"] == pytest.approx(0.30 / 0.50)
    assert any("renormalised" in note and "deported_rate" in note for note in table.notes)


def test_nan_indicator_is_an_error_naming_the_commune():
    frame = pd.DataFrame(
        {"border_proximity": [0.2, np.nan, 0.4]},
        index=pd.Index(["90001", "90002", "90003"], name="commune_code"),
    )
    with pytest.raises(ScoringError, match=r"commune 90002: indicator border_proximity is nan"):
        score(frame, BASE)


def test_indicator_missing_for_most_communes_is_dropped_with_a_note_and_a_flag():
    frame = pd.DataFrame(
        {"border_proximity": [0.2, np.nan, np.nan], "crossing_access": [1.0, 2.0, 3.0]},
        index=pd.Index(["90001", "90002", "90003"], name="commune_code"),
    )
    table = score(frame, BASE)
    assert set(table.weights) == {"crossing_access"}
    assert any("border_proximity dropped: only 33% of communes" in n for n in table.notes)
    assert any(q.startswith("border_proximity: only 33%") for q in table.quality)


def test_no_commune_or_no_weighted_indicator_is_an_error():
    empty = pd.DataFrame({"border_proximity": []}, index=pd.Index([], name="commune_code"))
    with pytest.raises(ScoringError, match="no communes"):
        score(empty, BASE)
    only_zero = pd.DataFrame({"industrial_area": [0.1]}, index=pd.Index(["90001"]))
    with pytest.raises(ScoringError, match="no indicator with a weight"):
        score(only_zero, BASE)


def test_explain_and_drivers_follow_the_contributions():
    frame = pd.DataFrame(
        {"border_proximity": [0.0, 1.0], "crossing_access": [3.0, 0.0]},
        index=pd.Index(["90001", "90002"], name="commune_code"),
    )
    table = score(frame, BASE)
    assert table.drivers() == [["crossing_access"], ["border_proximity"]]
    parts = table.explain("90002")
    assert sum(p.contribution for p in parts) == pytest.approx(table.frame["score"].iloc[1])
    with pytest.raises(KeyError):
        table.explain("99999")
