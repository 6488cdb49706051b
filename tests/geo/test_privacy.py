"""One personal-identifier vocabulary: refused on every file read and every output written."""

import pandas as pd
import pytest

from geo.privacy import is_personal_header, personal_id_problems
from risk.privacy import PrivacyError, check_no_identifiers

PERSONAL = [
    "Full Name",
    "full_name",
    "Họ tên",
    "họ tên",
    "Họ và tên",
    "ho_ten",
    "Số điện thoại",
    "SĐT",
    "so_dien_thoai",
    "phone",
    "Phone Number",
    "CCCD",
    "CMND",
    "số CMND",
    "Số CMND/CCCD",
    "Căn cước công dân",
    "passport",
    "Passport No",
    "Hộ chiếu",
    "Ngày sinh",
    "ngay_sinh",
    "Date of birth",
    "DOB",
    "Địa chỉ thường trú",
    "email",
]
PLACES_AND_COUNTS = ["commune_code", "commune_name", "Tên cơ sở", "Địa chỉ", "name", "count"]


@pytest.mark.parametrize("header", PERSONAL)
def test_a_personal_identifier_is_refused_on_reading_and_on_writing(header):
    frame = pd.DataFrame({"commune_code": ["01001"], header: ["x"]})
    assert is_personal_header(header)
    problems = personal_id_problems(frame, "venues")
    assert [p.column for p in problems] == [header]
    with pytest.raises(PrivacyError, match=f'column "{header}" would identify a person'):
        check_no_identifiers(frame)


@pytest.mark.parametrize("header", PLACES_AND_COUNTS)
def test_places_and_counts_pass_both_checks(header):
    frame = pd.DataFrame({header: ["x"]})
    assert not is_personal_header(header)
    assert personal_id_problems(frame, "venues") == []
    check_no_identifiers(frame)
