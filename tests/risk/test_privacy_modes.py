"""Suppression modes: threshold ("<5", rates withheld) and round-down (base 5 or 10)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from risk.privacy import (
    WITHHELD_FLAG,
    PrivacyError,
    Suppression,
    apply_suppression,
    check_rule,
)


def frame(counts):
    n = len(counts)
    return pd.DataFrame(
        {
            "commune_code": [str(90001 + i) for i in range(n)],
            "repatriations_total": counts,
            "raw_repatriation_rate": np.linspace(0.5, 9.5, n),
            "norm_repatriation_rate": np.linspace(1, 99, n),
            "contrib_repatriation_rate": np.linspace(0.1, 9.9, n),
            "raw_vulnerability": np.linspace(0.2, 0.8, n),
        }
    )


def test_threshold_mode_labels_small_counts_and_withholds_their_rates():
    out = apply_suppression(frame([0, 1, 4, 5, 12]), Suppression("threshold", threshold=5))
    assert out["repatriations_total"].tolist() == ["0", "<5", "<5", "5", "12"]
    assert out[WITHHELD_FLAG].tolist() == [False, True, True, False, False]
    assert out["raw_repatriation_rate"].isna().tolist() == [False, True, True, False, False]
    assert out["contrib_repatriation_rate"].isna().sum() == 2
    assert out["raw_vulnerability"].notna().all()  # other indicators are not rates of people
    check_rule(out, Suppression())


def test_round_mode_rounds_every_count_down_and_withholds_every_rate():
    out = apply_suppression(frame([0, 3, 9, 10, 27]), Suppression("round", round_base=10))
    assert out["repatriations_total"].tolist() == [0, 0, 0, 10, 20]
    assert out["raw_repatriation_rate"].isna().all() and out[WITHHELD_FLAG].all()
    check_rule(out, Suppression("round", round_base=10))


def test_a_rate_without_its_count_is_withheld():
    rates = frame([1, 2]).drop(columns="repatriations_total")
    out = apply_suppression(rates, Suppression())
    assert out["raw_repatriation_rate"].isna().all()


def test_check_rule_catches_unrounded_counts_and_shown_rates():
    with pytest.raises(PrivacyError, match=r'"repatriations_total", row 2 is not rounded to 5'):
        check_rule(pd.DataFrame({"repatriations_total": [5, 7]}), Suppression("round"))
    leaked = apply_suppression(frame([1, 6]), Suppression())
    leaked.loc[0, "raw_repatriation_rate"] = 0.5
    with pytest.raises(PrivacyError, match=r'"raw_repatriation_rate", row 1 shows a withheld rate'):
        check_rule(leaked, Suppression())


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"mode": "blur"}, 'suppression mode was "blur"'),
        ({"threshold": 0}, "threshold was 0"),
        ({"round_base": 1}, "round_base was 1"),
    ],
)
def test_bad_rules_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Suppression(**kwargs)


def test_a_missing_count_is_an_error():
    with pytest.raises(PrivacyError, match=r'column "repatriations_total", row 2: count was'):
        apply_suppression(frame([3, None]), Suppression("round"))


@given(
    st.lists(st.integers(0, 300), min_size=1, max_size=25),
    st.sampled_from([5, 10]),
)
def test_round_mode_never_shows_more_than_the_truth_nor_a_small_count(counts, base):
    out = apply_suppression(frame(counts), Suppression("round", round_base=base))
    for true, shown in zip(counts, out["repatriations_total"], strict=True):
        assert shown % base == 0 and true - base < shown <= true
        assert not 0 < shown < base


@given(st.lists(st.integers(0, 300), min_size=1, max_size=25), st.integers(2, 11))
def test_threshold_mode_withholds_exactly_the_small_counts(counts, threshold):
    out = apply_suppression(frame(counts), Suppression(threshold=threshold))
    small = [0 < n < threshold for n in counts]
    assert out[WITHHELD_FLAG].tolist() == small
    assert out["norm_repatriation_rate"].isna().tolist() == small


def test_reasons_name_a_withheld_rate_without_its_points():
    from risk.results import ScoreTable

    table = ScoreTable(
        pd.DataFrame(
            {
                "commune_code": ["90001"],
                "score": [60.0],
                "contrib_repatriation_rate": [40.0],
                "contrib_vulnerability": [20.0],
            }
        ),
        {"repatriation_rate": 0.5, "vulnerability": 0.5},
        (),
    )
    shown = table.reasons("90001", "en", withheld=["repatriation_rate"])
    assert shown[0] == "Returnees rate" and shown[1].startswith("Poverty")
    assert table.reasons("90001", "en")[0] == "Returnees rate: 40.0 points (67% of the score)"
