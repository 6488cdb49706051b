"""Names to codes: exact spelling wins over accent-free; advice fits the columns the file has."""

import pandas as pd
import pytest

from geo.matching import CommuneIndex, attach_codes

COMMUNES = pd.DataFrame(
    {
        "commune_code": ["00101", "00102", "00103", "00104", "00105"],
        "commune_name": [
            "Xã Vĩnh Hưng",
            "Xã Vĩnh Hùng",
            "Xã Nà Lũng",
            "Xã Nà Lũng",
            "Xã Thuận Hoà",
        ],
        "district_name": ["Huyện A", "Huyện A", "Huyện A", "Huyện B", "Huyện B"],
        "province_name": ["Tỉnh X"] * 5,
    }
)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Xã Vĩnh Hưng", "00101"),
        ("vĩnh hùng", "00102"),
        ("VĨNH HƯNG", "00101"),
        ("Thuận Hòa", "00105"),  # other tone placement
        ("Thuan Hoa", "00105"),  # accent-free, unique
    ],
)
def test_exact_spelling_wins_and_accent_free_is_a_unique_fallback(name, code):
    assert CommuneIndex(COMMUNES).match(name, None, None) == (code, "")


@pytest.mark.parametrize(
    ("columns", "district", "advice"),
    [
        (frozenset(), None, "add the district (Huyện) column"),
        (frozenset({"district_name"}), None, "fill in the district (Huyện) of this row"),
        (frozenset({"district_name"}), "Huyện A", "give the commune code (commune_code column)"),
    ],
    ids=["no column", "blank cell", "same district"],
)
def test_ambiguous_names_ask_only_for_what_is_missing(columns, district, advice):
    name = "Vinh Hung" if district else "Nà Lũng"
    code, why = CommuneIndex(COMMUNES).match(name, district, None, columns=columns)
    assert code is None and why.endswith(advice), why
    assert "add the district" not in why or "district_name" not in columns


def test_without_a_district_level_the_province_decides():
    communes = COMMUNES.drop(columns="district_name").assign(
        province_name=["Tỉnh X", "Tỉnh X", "Tỉnh X", "Tỉnh Y", "Tỉnh Y"]
    )
    index = CommuneIndex(communes)
    assert index.match("Nà Lũng", None, "Tỉnh Y", columns=frozenset({"province_name"})) == (
        "00104",
        "",
    )
    _, why = index.match("Nà Lũng", None, None, columns=frozenset())
    assert (
        why == "matches several communes (Xã Nà Lũng; Xã Nà Lũng); add the province (Tỉnh) column"
    )


def test_a_row_with_a_point_is_placed_by_it_and_its_name_only_cross_checks():
    rows = pd.DataFrame(
        {"commune_name": ["Vĩnh Hưng", "Không Có", "Nà Lũng"], "district_name": [None] * 3},
        index=pd.Index([2, 3, 4], name="row"),
    )
    placed = pd.Series(["00102", "00103", None], index=rows.index, dtype=object)
    frame, problems = attach_codes(rows, COMMUNES, placed=placed)
    assert frame["commune_code"].tolist() == ["00102", "00103", None]
    reasons = [(p.row, p.severity, p.reason) for p in problems]
    assert reasons == [
        (3, "warning", "is not a commune of the workspace; placed by its point"),
        (4, "error", "matches several communes (Xã Nà Lũng (Huyện A); Xã Nà Lũng (Huyện B)); "
         "fill in the district (Huyện) of this row"),
        (2, "warning", "the point lies in commune 00102, not in commune 00101 as this row says; "
         "placed by its point"),
    ]  # fmt: skip


def test_a_mistyped_code_of_the_same_scheme_is_a_row_error_without_scheme_advice():
    rows = pd.DataFrame({"commune_code": ["00101", "00199"]}, index=pd.Index([2, 3], name="row"))
    _, problems = attach_codes(rows, COMMUNES)
    assert [(p.row, p.severity, p.reason, p.value) for p in problems] == [
        (3, "error", "is not a commune code of the workspace", "00199")
    ]
