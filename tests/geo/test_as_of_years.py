"""Venues and industrial zones may carry an as-of year (licence, opening), checked as a year."""

from datetime import UTC, datetime

import pandas as pd
import pytest

from geo.errors import InputFileError
from geo.names import map_headers
from geo.schema import check_layer, validate_layer

NEXT_YEAR = datetime.now(UTC).year + 1
COLUMN = {"venues": "licence_year", "industrial_zones": "opening_year"}


def three_rows(frame):
    """At least three rows of the fixture layer (zones has one)."""
    return pd.concat([frame] * 3, ignore_index=True).head(max(3, len(frame)))


@pytest.mark.parametrize("layer", COLUMN)
def test_a_past_year_or_a_blank_is_accepted(layers, layer):
    frame = three_rows(layers[layer])
    frame[COLUMN[layer]] = [2015, None, *[2009.0] * (len(frame) - 2)]
    assert validate_layer(layer, frame) is frame
    assert check_layer(layer, frame) == []


@pytest.mark.parametrize("layer", COLUMN)
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("năm ngoái", r'"năm ngoái" is not a year \(a whole number such as 2015, from 1900\)'),
        (2015.5, r'"2015.5" is not a year'),
        (201, r'"201" is not a year'),
        (NEXT_YEAR, rf'"{NEXT_YEAR}" is in the future \(this year is {NEXT_YEAR - 1}\)'),
    ],
    ids=["text", "fraction", "typo", "future"],
)
def test_a_bad_year_is_an_input_file_error_naming_row_and_column(layers, layer, value, message):
    frame = three_rows(layers[layer])
    frame[COLUMN[layer]] = [2010, value, *[2011] * (len(frame) - 2)]
    where = rf'layer {layer}, row 2, column "{COLUMN[layer]}": '
    with pytest.raises(InputFileError, match=where + message):
        validate_layer(layer, frame)


@pytest.mark.parametrize(
    ("layer", "header", "column"),
    [
        ("venues", "Năm cấp phép", "licence_year"),
        ("venues", "NĂM CẤP GIẤY PHÉP", "licence_year"),
        ("industrial_zones", "Năm thành lập", "opening_year"),
        ("industrial_zones", "Năm hoạt động", "opening_year"),
        ("industrial_zones", "Năm đi vào hoạt động", "opening_year"),
    ],
)
def test_vietnamese_headers_name_the_as_of_column(layer, header, column):
    assert map_headers(["Tên", header], layer)[header] == column


def test_the_period_header_year_still_means_period():
    renames = map_headers(["Năm", "Số người"], "repatriations")
    assert renames == {"Năm": "period", "Số người": "count"}


def test_a_venue_register_with_licence_years_is_stored_and_a_future_one_is_reported(tmp_path):
    from geo.ingest import check_file
    from tests.geo.conftest import write_csv

    rows = [
        ["Tên cơ sở", "Loại hình", "Kinh độ", "Vĩ độ", "Năm cấp phép"],
        ["Karaoke Hoa Mai", "Karaoke", 106.3, 21.8, 2019],
        ["Nhà nghỉ Bình An", "nhà nghỉ", 106.31, 21.81, NEXT_YEAR],
    ]
    checked = check_file(write_csv(tmp_path / "co_so.csv", rows), "venues")
    assert "licence_year" in checked.frame.columns
    (error,) = checked.report.errors
    assert (error.row, error.column) == (3, "licence_year")
    assert error.reason == f'"{NEXT_YEAR}" is in the future (this year is {NEXT_YEAR - 1})'
