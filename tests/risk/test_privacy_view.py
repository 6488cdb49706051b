"""The viewer view of the repatriations: what viewers' scores are computed from."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from risk.privacy import VIEW_PERIOD, PrivacyError, Suppression, viewer_repatriations

RULES = [Suppression("threshold"), Suppression("round"), Suppression("round", round_base=10)]
CODES = ["101", "102", "103"]
CATEGORIES = ["deported", "victim_returned"]

rows_strategy = st.lists(
    st.tuples(
        st.sampled_from(CODES),
        st.sampled_from(["2019", "2020", "2021-03", "2024"]),
        st.sampled_from(CATEGORIES),
        st.integers(0, 12),
    ),
    min_size=1,
    max_size=20,
)


def frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["commune_code", "period", "category", "count"])


def test_a_small_total_is_the_stand_in_and_periods_are_gone():
    rows = frame(
        [
            ("101", "2020", "deported", 1),
            ("101", "2024", "deported", 2),
            ("102", "2023", "victim_returned", 7),
            ("103", "2023", "deported", 0),
        ]
    )
    view = viewer_repatriations(rows, Suppression("threshold"))
    assert view.to_dict("records") == [
        {"commune_code": "101", "period": VIEW_PERIOD, "category": "deported", "count": 2.0},
        {"commune_code": "102", "period": VIEW_PERIOD, "category": "victim_returned", "count": 7.0},
    ]
    rounded = viewer_repatriations(rows, Suppression("round"))
    assert rounded["count"].tolist() == [5.0]  # 3 → 0 (dropped), 7 → 5


@settings(max_examples=60, deadline=None)
@given(rows=rows_strategy, rule=st.sampled_from(RULES), seed=st.integers(0, 2**16))
def test_what_suppression_hides_does_not_change_the_view(rows, rule, seed):
    """Moving people between periods, or changing a total the rule hides, gives the same view."""
    base = frame(rows)
    rng = np.random.default_rng(seed)
    moved = base.assign(period=rng.choice(["2000", "2015", "2022-11"], len(base)))
    assert viewer_repatriations(moved, rule).equals(viewer_repatriations(base, rule))
    totals = base.groupby(["commune_code", "category"])["count"].sum()
    seen = pd.Series(rule.seen(totals.to_numpy()), index=totals.index)
    changed = base.copy()
    for (code, category), total in totals.items():
        other = _same_shown(int(total), rule)
        where = (changed["commune_code"] == code) & (changed["category"] == category)
        changed.loc[where, "count"] = 0
        changed.loc[where.idxmax(), "count"] = other
    view = viewer_repatriations(changed, rule)
    assert view.equals(viewer_repatriations(base, rule))
    assert view["count"].sum() == pytest.approx(seen.sum())


def _same_shown(total: int, rule: Suppression) -> int:
    """Another total the rule shows the same way as ``total``."""
    if rule.mode == "round":
        return total // rule.round_base * rule.round_base + rule.round_base - 1
    return rule.threshold - 1 if 0 < total < rule.threshold else total


def test_a_negative_count_is_refused():
    with pytest.raises(PrivacyError, match=r'column "count", row 1: count was -1'):
        viewer_repatriations(frame([("101", "2020", "deported", -1)]), Suppression())


def test_rows_without_categories_keep_none():
    rows = frame([("101", "2020", "deported", 3)]).drop(columns="category")
    view = viewer_repatriations(rows, Suppression())
    assert list(view.columns) == ["commune_code", "period", "count"]
    assert view["count"].tolist() == [2.0]
