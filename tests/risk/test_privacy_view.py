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
    assert view.to_dict("records") == [  # 3 people: 2, shared over the layer's categories
        {"commune_code": "101", "period": VIEW_PERIOD, "category": "deported", "count": 1.0},
        {"commune_code": "101", "period": VIEW_PERIOD, "category": "victim_returned", "count": 1.0},
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
    changed = _changed_where_hidden(base, rule)
    view = viewer_repatriations(changed, rule)
    assert view.equals(viewer_repatriations(base, rule))
    totals = base.groupby(["commune_code", "category"])["count"].sum()
    if rule.mode == "round":
        assert view["count"].sum() == pytest.approx(rule.seen(totals.to_numpy()).sum())


def _changed_where_hidden(base: pd.DataFrame, rule: Suppression) -> pd.DataFrame:
    """``base`` with each total the rule hides changed, in the commune's first row only.

    Round: every commune-category total goes to the top of its band. Threshold: a commune
    with a small category has its split hidden (categories are suppressed together), so its
    people are put 1 in its first category and the rest in its last, its total kept if 5 or
    more, else made 4.
    """
    changed = base.assign(count=0)
    for code, rows in base.groupby("commune_code"):
        totals = rows.groupby("category")["count"].sum()
        new = _same_shown(totals, rule)
        for category, total in new.items():
            where = (changed["commune_code"] == code) & (changed["category"] == category)
            changed.loc[where.idxmax(), "count"] = total
    return changed


def _same_shown(totals: pd.Series, rule: Suppression) -> dict[str, int]:
    """Other category totals of one commune that the rule shows the same way as ``totals``."""
    if rule.mode == "round":
        band = totals // rule.round_base * rule.round_base
        return (band + rule.round_base - 1).astype(int).to_dict()
    small = (totals > 0) & (totals < rule.threshold)
    if not small.any():
        return totals.astype(int).to_dict()
    total = int(totals.sum())
    total = total if total >= rule.threshold else rule.threshold - 1
    first, last = totals.index[0], totals.index[-1]
    return {first: 1, last: total - 1} if first != last else {first: total}


def test_categories_of_a_commune_are_suppressed_together():
    """2 deported + 5 returned and 1 + 6 are the same to viewers (the split would tell)."""
    rule = Suppression("threshold")
    two_five = frame([("101", "2020", "deported", 2), ("101", "2021", "victim_returned", 5)])
    one_six = frame([("101", "2022", "deported", 1), ("101", "2020", "victim_returned", 6)])
    view = viewer_repatriations(two_five, rule)
    assert view.equals(viewer_repatriations(one_six, rule))
    assert view["count"].tolist() == [4.0, 3.0]  # the total, 7, shared over both categories
    rounded = Suppression("round")  # each category rounded down: 0 + 5 either way
    assert viewer_repatriations(two_five, rounded).equals(viewer_repatriations(one_six, rounded))
    small = frame([("101", "2020", "deported", 2), ("102", "2020", "victim_returned", 9)])
    swapped = frame([("101", "2020", "victim_returned", 2), ("102", "2020", "victim_returned", 9)])
    assert viewer_repatriations(small, rule).equals(viewer_repatriations(swapped, rule))


def test_a_negative_count_is_refused():
    with pytest.raises(PrivacyError, match=r'column "count", row 1: count was -1'):
        viewer_repatriations(frame([("101", "2020", "deported", -1)]), Suppression())


def test_rows_without_categories_keep_none():
    rows = frame([("101", "2020", "deported", 3)]).drop(columns="category")
    view = viewer_repatriations(rows, Suppression())
    assert list(view.columns) == ["commune_code", "period", "count"]
    assert view["count"].tolist() == [2.0]
