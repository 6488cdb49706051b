import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from geo.crosswalk import area_shares, split_whole
from geo.ingest import IngestOptions, ingest_file
from tests.factories import METRIC, X0, Y0
from tests.geo.conftest import write_csv


@given(
    st.integers(0, 10_000),
    st.lists(st.floats(0.01, 1.0), min_size=1, max_size=6),
)
def test_splits_keep_whole_people_and_the_total(count, weights):
    shares = np.array(weights) / sum(weights)
    parts = split_whole(count, shares)
    assert parts.sum() == count and (parts >= 0).all()
    assert np.all(np.abs(parts - count * shares) < 1)


def test_user_crosswalk_rekeys_and_splits_counts(tmp_path, ws):
    crosswalk = write_csv(
        tmp_path / "cw.csv",
        [
            ["Mã cũ", "Mã mới", "Tỷ lệ"],
            ["00101", "90001", "1"],
            ["00102", "90002", "60%"],
            ["00102", "90003", "40%"],
        ],
    )
    rows = [
        ["Mã xã", "Năm", "Số người"],
        ["101", "2022", 3],
        ["00102", "2023", 5],
        ["90004", "2023", 1],
    ]
    report = ingest_file(
        ws.root,
        write_csv(tmp_path / "r.csv", rows),
        "repatriations",
        options=IngestOptions(crosswalk=crosswalk),
    )
    assert report.clean, report.lines()
    assert "crosswalk: 3 rows re-keyed to 4; 1 rows split over several new communes" in " ".join(
        report.notes
    )
    stored = ws.read_layer("repatriations")
    assert stored[["commune_code", "count"]].values.tolist() == [
        ["90001", 3],
        ["90002", 3],
        ["90003", 2],
        ["90004", 1],
    ]


def test_crosswalk_errors_name_the_row(tmp_path, ws):
    crosswalk = write_csv(
        tmp_path / "cw.csv", [["Mã cũ", "Mã mới"], ["00102", "90002"], ["00102", "90003"]]
    )
    rows = [["Mã xã", "Năm", "Số người"], ["00102", "2023", 5]]
    report = ingest_file(
        ws.root,
        write_csv(tmp_path / "r.csv", rows),
        "repatriations",
        options=IngestOptions(crosswalk=crosswalk),
    )
    assert report.file_errors[0].reason == (
        'cw.csv, row 2, column "old_code": old code maps to several new codes; add a share column'
    )


def test_area_weighted_shares_from_old_polygons():
    new = gpd.GeoDataFrame(
        {"commune_code": ["90001", "90002"]},
        geometry=[
            shapely.box(X0, Y0, X0 + 1000, Y0 + 1000),
            shapely.box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000),
        ],
        crs=METRIC,
    )
    old = gpd.GeoDataFrame(
        {"commune_code": ["00101", "00102"]},
        geometry=[
            shapely.box(X0, Y0, X0 + 500, Y0 + 1000),
            shapely.box(X0 + 500, Y0, X0 + 2000, Y0 + 1000),
        ],
        crs=METRIC,
    )
    table = area_shares(old.to_crs(4326), new.to_crs(4326))
    assert table.values.tolist()[0][:2] == ["00101", "90001"]
    shares = {(r.old_code, r.new_code): r.share for r in table.itertuples()}
    assert shares[("00101", "90001")] == pytest.approx(1.0)
    assert shares[("00102", "90001")] == pytest.approx(1 / 3, abs=1e-3)
    assert shares[("00102", "90002")] == pytest.approx(2 / 3, abs=1e-3)
