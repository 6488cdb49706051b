"""geo.places: provinces and districts matched by their keys, and rows outside a province."""

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo.errors import NotFoundError
from geo.places import (
    describe_rows,
    in_province,
    outside_rows,
    province_communes,
    select_places,
    touching,
)


def communes(*, districts: bool = True) -> gpd.GeoDataFrame:
    """Four unit-square communes, two in each province (2025 layout: no district column)."""
    frame = gpd.GeoDataFrame(
        {
            "commune_code": ["00001", "00002", "00003", "00004"],
            "province_name": ["Biên Hải", "Biên Hải", "Sơn Lâm", "Sơn Lâm"],
            "district_name": ["Huyện Đông", "Thành phố Tây", "Huyện Nam", "Huyện Nam"],
        },
        geometry=[box(i, 0, i + 1, 1) for i in range(4)],
        crs=4326,
    )
    return frame if districts else frame.drop(columns="district_name")


@pytest.mark.parametrize("name", ["Biên Hải", "bien hai", "Tỉnh Biên Hải", "BIEN  HAI"])
def test_a_province_matches_without_accents_case_or_prefix(name):
    assert list(select_places(communes(), province=name)["commune_code"]) == ["00001", "00002"]
    assert list(in_province(communes(), name)["commune_code"]) == ["00001", "00002"]


def test_a_district_matches_without_its_huyen_or_thanh_pho_prefix():
    assert list(select_places(communes(), district="tay")["commune_code"]) == ["00002"]
    picked = select_places(communes(), province="son lam", district="Nam")
    assert list(picked["commune_code"]) == ["00003", "00004"]


def test_an_unknown_name_lists_the_known_names():
    with pytest.raises(NotFoundError, match=r'province "Atlantis" .*known: Biên Hải, Sơn Lâm'):
        select_places(communes(), province="Atlantis")
    with pytest.raises(NotFoundError, match=r'district "Bắc" .*known: Huyện Nam, Huyện Đông'):
        select_places(communes(), district="Bắc")


def test_provinces_and_communes_only_since_2025():
    flat = communes(districts=False)
    assert len(select_places(flat, province="son lam")) == 2
    with pytest.raises(NotFoundError, match=r'has no district_name, so district "Nam" is unknown'):
        select_places(flat, district="Nam")


def test_province_communes_can_stand_for_plan_scope():
    assert len(province_communes(communes(), None)) == 4
    assert len(province_communes(communes(), "bien hai")) == 2
    with pytest.raises(NotFoundError, match=r"known: Biên Hải, Sơn Lâm"):
        province_communes(communes(), "Hà Giang")
    with pytest.raises(NotFoundError, match=r"the communes have no province_name"):
        province_communes(communes().drop(columns="province_name"), "Biên Hải")


def test_rows_outside_a_province_by_name_code_or_place():
    by_name = pd.DataFrame({"province_name": ["bien hai", "Sơn Lâm", "Tỉnh Biên Hải"]})
    assert list(outside_rows(by_name, "Biên Hải", communes())) == [1]
    by_code = pd.DataFrame({"commune_code": ["00001", "00003", None]}, index=[2, 3, 4])
    assert list(outside_rows(by_code, "Biên Hải", communes())) == [3]
    points = gpd.GeoDataFrame(
        {"name": ["in", "out", "nowhere"]},
        geometry=[Point(0.5, 0.5), Point(2.5, 0.5), None],
        crs=4326,
        index=[2, 3, 4],
    )
    assert list(outside_rows(points, "bien hai", communes())) == [3]
    assert describe_rows(pd.Index([3])) == "row 3"
    assert describe_rows(pd.Index(range(2, 15))) == "rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 3 more"


def test_touching_compares_in_one_crs():
    points = gpd.GeoDataFrame(geometry=[Point(0.5, 0.5), Point(3.5, 0.5)], crs=4326).to_crs(3405)
    mine = in_province(communes(), "Biên Hải")
    assert len(touching(points, mine)) == 1
    assert touching(points, mine.iloc[0:0]).empty
