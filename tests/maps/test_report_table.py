"""The PDF's ranked table: columns side by side, no blank gap when there is no district."""

import pytest

from maps.report import COLUMNS, TABLE_RIGHT, table_layout

WITH = ["rank", "commune_name", "district_name", "score", "class_label", "rank_interval", "drivers"]


@pytest.mark.parametrize("keys", [WITH, [k for k in WITH if k != "district_name"]])
def test_each_column_starts_where_the_one_before_ends(keys):
    layout = table_layout(keys)
    xs = [layout[k][2] for k in keys]
    for before, x_before, x in zip(keys, xs, xs[1:], strict=False):
        assert x == pytest.approx(x_before + COLUMNS[before][2]), (before, x_before, x)
    assert xs[-1] < TABLE_RIGHT


def test_without_district_the_score_follows_the_commune_and_drivers_get_the_room():
    with_district = table_layout(WITH)
    without = table_layout([k for k in WITH if k != "district_name"])
    assert without["score"][2] == pytest.approx(
        0.06 + COLUMNS["rank"][2] + COLUMNS["commune_name"][2]
    )
    assert without["drivers"][3] > with_district["drivers"][3] >= COLUMNS["drivers"][3]
