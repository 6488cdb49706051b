import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from risk.privacy import (
    PrivacyError,
    check_no_identifiers,
    check_suppressed,
    suppress_small_counts,
)


def test_small_counts_read_less_than_five_and_others_stay():
    frame = pd.DataFrame({"code": list("abcdef"), "repatriations_total": [0, 1, 4, 5, 12, 4.0]})
    out = suppress_small_counts(frame, ["repatriations_total", "absent"])
    assert out["repatriations_total"].tolist() == ["0", "<5", "<5", "5", "12", "<5"]
    assert frame["repatriations_total"].tolist()[1] == 1  # the input is not changed
    check_suppressed(out, ["repatriations_total"])


def test_a_missing_count_is_an_error_not_a_hidden_zero():
    frame = pd.DataFrame({"repatriations_total": [3, None]})
    with pytest.raises(PrivacyError, match=r'column "repatriations_total", row 2: count was'):
        suppress_small_counts(frame, ["repatriations_total"])


def test_unsuppressed_counts_are_caught_before_writing():
    frame = pd.DataFrame({"repatriations_total": [10, 2]})
    with pytest.raises(PrivacyError, match=r"row 2 shows a count below 5"):
        check_suppressed(frame, ["repatriations_total"])


def test_personal_identifiers_are_refused():
    with pytest.raises(PrivacyError, match=r'column "Họ tên" would identify a person'):
        check_no_identifiers(pd.DataFrame({"Họ tên": ["x"], "count": [1]}))


@given(
    st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=30), st.integers(2, 20)
)
def test_no_count_between_one_and_threshold_survives(counts, threshold):
    out = suppress_small_counts(pd.DataFrame({"n": counts}), ["n"], threshold=threshold)
    for before, after in zip(counts, out["n"], strict=True):
        assert after == (f"<{threshold}" if 0 < before < threshold else str(before))
