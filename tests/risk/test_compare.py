"""Comparing two score tables: hand-computed changes, risers/fallers, top k in and out, counts."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from risk.compare import change_columns, compare_tables, comparison_label
from risk.privacy import Suppression
from risk.results import CHANGE_COLUMNS


def table(codes, scores, classes, counts) -> pd.DataFrame:
    """A score table ranked by score (rank 1 = highest, ties by code)."""
    frame = pd.DataFrame(
        {"commune_code": codes, "score": scores, "class": classes, "repatriations_total": counts}
    )
    order = frame.sort_values(["score", "commune_code"], ascending=[False, True]).index
    frame.loc[order, "rank"] = np.arange(1, len(frame) + 1)
    frame["rank"] = frame["rank"].astype(int)
    frame["commune_name"] = "Xã " + frame["commune_code"]
    return frame


NOW = table(["a", "b", "c", "d"], [80.0, 60.0, 40.0, 20.0], [5, 4, 3, 1], [10, 3, 0, 7])
#: "d" is new (not before); "e" was merged away (not now).
BEFORE = table(["a", "b", "c", "e"], [50.0, 70.0, 45.0, 90.0], [3, 4, 3, 5], [6, 8, 2, 1])


def test_changes_match_hand_computed_values():
    c = compare_tables(NOW, BEFORE, top_k=2).changes.set_index("commune_code")
    # a: 80 now (rank 1, class 5) vs 50 before (rank 3, class 3)
    assert c.loc["a", "previous_score"] == 50.0
    assert c.loc["a", "score_change"] == 30.0
    assert c.loc["a", "previous_rank"] == 3
    assert c.loc["a", "rank_change"] == 2  # moved up two places
    assert c.loc["a", "class_change"] == 2
    # b: 60 (rank 2) vs 70 (rank 2): score -10, same rank and class
    assert (c.loc["b", "score_change"], c.loc["b", "rank_change"]) == (-10.0, 0)
    # c: rank 3 vs 4 → +1 place; counts 0 vs 2 → -2 people (analysts: exact)
    assert c.loc["c", "rank_change"] == 1
    assert c.loc["c", "repatriations_change"] == -2
    assert c.loc["a", "repatriations_change"] == 4


def test_communes_in_one_run_only_are_reported_not_dropped():
    result = compare_tables(NOW, BEFORE, top_k=2)
    assert result.only_current == ("d",)
    assert result.only_previous == ("e",)
    row = result.changes.set_index("commune_code").loc["d"]
    assert pd.isna(row["previous_score"]) and pd.isna(row["rank_change"])
    assert list(result.leaving["commune_code"]) == ["e"]  # top 1 before, gone now
    assert pd.isna(result.leaving["rank"].iloc[0])


def test_risers_fallers_and_the_top_k_in_and_out():
    result = compare_tables(NOW, BEFORE, top_k=2)
    assert list(result.risers["commune_code"]) == ["a"]
    assert list(result.fallers["commune_code"]) == ["b", "c"]  # largest fall first
    assert list(result.entering["commune_code"]) == ["a"]  # rank 3 → 1
    assert set(result.leaving["commune_code"]) == {"e"}  # b stays at rank 2


def test_viewer_counts_are_shown_under_the_rule_and_hidden_changes_are_null():
    c = compare_tables(NOW, BEFORE, top_k=2, rule=Suppression()).changes
    c = c.set_index("commune_code")
    assert c.loc["b", "repatriations_total"] == "<5"
    assert pd.isna(c.loc["b", "repatriations_change"])  # 3 now: a change would give it away
    assert c.loc["c", "previous_repatriations_total"] == "<5"
    assert pd.isna(c.loc["c", "repatriations_change"])
    assert c.loc["a", "repatriations_total"] == "10"  # 10 and 6: both shown ...
    assert c.loc["a", "previous_repatriations_total"] == "6"
    assert pd.isna(c.loc["a", "repatriations_change"])  # ... but 4 people is a small count
    assert c.loc["d", "repatriations_total"] == "7" and pd.isna(c.loc["d", "repatriations_change"])
    wide = compare_tables(NOW.assign(repatriations_total=[16, 3, 0, 7]), BEFORE, rule=Suppression())
    assert wide.changes.set_index("commune_code").loc["a", "repatriations_change"] == 10


def test_round_rule_compares_rounded_counts():
    c = compare_tables(NOW, BEFORE, top_k=2, rule=Suppression("round")).changes
    c = c.set_index("commune_code")
    assert c.loc["a", "repatriations_change"] == 5  # 10 - 5, never 10 - 6
    assert c.loc["b", "repatriations_change"] == -5  # 0 - 5


def test_top_k_below_one_is_refused():
    with pytest.raises(ValueError, match="top_k was 0 but is expected to be 1 or more"):
        compare_tables(NOW, BEFORE, top_k=0)


def test_the_label_names_the_run_and_its_period():
    assert comparison_label("abc123", "2024-06") == "so với lần tính abc123 (đến 06/2024)"
    assert comparison_label("abc123", "", "en") == "compared with run abc123"


scores = st.lists(st.floats(0, 100, allow_nan=False), min_size=2, max_size=30)


@settings(max_examples=60, deadline=None)
@given(scores, st.randoms(use_true_random=False))
def test_rank_changes_sum_to_zero_over_the_same_communes(values, random):
    codes = [f"{90001 + i}" for i in range(len(values))]
    shuffled = values[:]
    random.shuffle(shuffled)
    now = table(codes, values, [3] * len(codes), [0] * len(codes))
    before = table(codes, shuffled, [3] * len(codes), [0] * len(codes))
    changes = change_columns(now, before)
    assert list(changes.columns) == list(CHANGE_COLUMNS)
    assert int(changes["rank_change"].sum()) == 0
    assert np.allclose(changes["score_change"] + changes["previous_score"], now["score"], atol=0.01)


small = st.integers(1, 4)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(small, small, small, small), min_size=1, max_size=8))
def test_viewer_answer_is_the_same_for_counts_differing_inside_suppression(pairs):
    """Counts 1-4 are all '<5' to viewers: swapping one small count for another changes nothing."""
    codes = [f"{90001 + i}" for i in range(len(pairs))]
    scores = [float(10 * i) for i in range(len(pairs))]

    def answer(now_counts, before_counts):
        now = table(codes, scores, [3] * len(codes), now_counts)
        before = table(codes, scores[::-1], [3] * len(codes), before_counts)
        return compare_tables(now, before, top_k=2, rule=Suppression()).changes

    first = answer([p[0] for p in pairs], [p[1] for p in pairs])
    second = answer([p[2] for p in pairs], [p[3] for p in pairs])
    pd.testing.assert_frame_equal(first, second)
