import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.names import (
    canonical_header,
    commune_exact_key,
    commune_key,
    commune_keys,
    district_key,
    fold,
    kind_value,
    map_headers,
)

HEADERS = {
    "Tên cơ sở": "name",
    "TÊN CƠ SỞ": "name",
    "Ten co so": "name",
    "  Loại   hình ": "kind",
    "Địa chỉ": "address",
    "Kinh độ": "lon",
    "Vĩ độ": "lat",
    "Xã/Phường": "commune_name",
    "Huyện": "district_name",
    "Số người": "count",
    "Năm": "period",
    "MA_XA": "commune_code",
    "TEN_XA": "commune_name",
    "TEN_HUYEN": "district_name",
    "DAN_SO": "population",
    "commune_code": "commune_code",
}


@pytest.mark.parametrize("header, column", HEADERS.items(), ids=HEADERS.keys())
def test_vietnamese_english_and_shapefile_headers(header, column):
    assert canonical_header(header) == column
    nfd = unicodedata.normalize("NFD", header)
    assert canonical_header(nfd) == column


def test_unknown_headers_are_kept_and_explicit_columns_win():
    renames = map_headers(["STT", "Tên cơ sở", "Ghi chú", "Cột lạ"], "venues", {"Cột lạ": "kind"})
    assert renames == {"STT": "STT", "Tên cơ sở": "name", "Ghi chú": "Ghi chú", "Cột lạ": "kind"}


def test_layer_specific_meanings():
    assert map_headers(["Loại"], "repatriations") == {"Loại": "category"}
    assert map_headers(["Tên"], "communes") == {"Tên": "commune_name"}
    assert map_headers(["Tên"], "crossings") == {"Tên": "name"}


KINDS = {
    ("venues", "Karaoke"): "karaoke",
    ("venues", "Mát xa"): "massage",
    ("venues", "NHÀ NGHỈ"): "guesthouse",
    ("venues", "Khách sạn"): "hotel",
    ("venues", "homestay"): "homestay",
    ("venues", "Quán bar"): "bar",
    ("venues", "Cà phê"): "cafe",
    ("venues", "Kinh doanh dịch vụ karaoke"): "karaoke",
    ("venues", "bida"): None,
    ("crossings", "Cửa khẩu quốc tế"): "international",
    ("crossings", "cửa khẩu chính"): "main",
    ("crossings", "Cửa khẩu phụ"): "secondary",
    ("crossings", "Lối mở"): "opening",
    ("crossings", "đường mòn"): "trail",
    ("crossings", "hầm"): None,
}


@pytest.mark.parametrize("layer_value, kind", KINDS.items(), ids=[v for _, v in KINDS])
def test_kinds_written_in_vietnamese(layer_value, kind):
    assert kind_value(*layer_value) == kind


@pytest.mark.parametrize(
    "name",
    ["Xã Nà Lũng", "xã nà lũng", "NA LUNG", "TT. Nà Lũng", "Thị trấn Nà Lũng", "Phường Nà Lũng"],
)
def test_commune_keys_ignore_prefix_accents_and_case(name):
    assert commune_key(name) == "na lung"
    assert commune_key(unicodedata.normalize("NFD", name)) == "na lung"


def test_district_keys_and_d_stroke():
    assert district_key("Huyện Đồng Văn") == district_key("dong van") == "dong van"
    assert fold("Đ đ") == "d d"


@given(st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặÀÁĐƯ /.-", max_size=30))
def test_fold_is_the_same_for_nfc_and_nfd(text):
    assert fold(unicodedata.normalize("NFD", text)) == fold(unicodedata.normalize("NFC", text))


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Xã Thuận Hoà", "THUẬN HÒA"),
        ("Phường Nghi Thuỷ", "nghi thủy"),
        ("Qúy Lộc", "Quý Lộc"),
        ("TT. Kim Sơn", "Thị trấn Kim Sơn"),
        (unicodedata.normalize("NFD", "Xã Châu Bính"), "châu bính"),
    ],
)
def test_exact_keys_ignore_case_prefix_and_tone_placement(one, other):
    assert commune_exact_key(one) == commune_exact_key(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [("Vĩnh Hưng", "Vĩnh Hùng"), ("Xã Châu Bính", "Xã Châu Bình"), ("Xá Lượng", "Lượng")],
)
def test_exact_keys_keep_the_accents_that_tell_communes_apart(one, other):
    assert commune_exact_key(one) != commune_exact_key(other)
    assert set(commune_keys(one)) & set(commune_keys(other))  # the accent-free keys meet


@pytest.mark.parametrize(
    ("header", "column"),
    [("Tên huy", "district_name"), ("Tên tỉn", "province_name"), ("TEN_HUYEN", "district_name")],
)
def test_shapefile_field_names_cut_at_ten_bytes(header, column):
    assert canonical_header(header) == column
