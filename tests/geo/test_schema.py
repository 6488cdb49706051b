import pandas as pd
import pytest
import shapely

from geo.errors import LayerError
from geo.schema import check_layer, validate_layer


def test_valid_layers_pass(layers):
    for name, frame in layers.items():
        assert validate_layer(name, frame) is frame


CASES = {
    "missing column": (
        "communes",
        lambda f: f.drop(columns="province_name"),
        r'column "province_name": required column is missing',
    ),
    "empty value": (
        "communes",
        lambda f: f.assign(commune_name=[None, *f["commune_name"][1:]]),
        r'row 1, column "commune_name": value is empty',
    ),
    "blank code": (
        "communes",
        lambda f: f.assign(commune_code=["  ", *f["commune_code"][1:]]),
        r'row 1, column "commune_code": value is empty',
    ),
    "duplicate code": (
        "communes",
        lambda f: f.assign(commune_code=["90001"] * len(f)),
        r'row 2, column "commune_code": "90001" appears twice',
    ),
    "no crs": (
        "crossings",
        lambda f: f.set_crs(None, allow_override=True),
        "geometry has no coordinate reference system",
    ),
    "wrong geometry": (
        "crossings",
        lambda f: f.set_geometry([shapely.box(0, 0, 1, 1)] * len(f), crs=4326),
        r'row 1, column "geometry": geometry is Polygon, expected Point',
    ),
    "empty geometry": (
        "venues",
        lambda f: f.set_geometry([shapely.Point(), *f.geometry[1:]], crs=4326),
        r"row 1, .*geometry is empty",
    ),
    "bad kind": (
        "venues",
        lambda f: f.assign(kind=["sauna", *f["kind"][1:]]),
        r'row 1, column "kind": "sauna" is not one of karaoke, massage',
    ),
    "negative count": (
        "repatriations",
        lambda f: f.assign(count=[-1, *f["count"][1:]]),
        r'row 1, column "count": "-1" is not a whole number of people >= 0',
    ),
    "bad period": (
        "repatriations",
        lambda f: f.assign(period=["2023-13", *f["period"][1:]]),
        r'row 1, column "period": "2023-13" is not a year',
    ),
    "negative effort": (
        "repatriations",
        lambda f: f.assign(enforcement_days=[-3, *[10] * (len(f) - 1)]),
        r'row 1, column "enforcement_days": "-3" is not a number of patrol or inspection days',
    ),
    "effort not a number": (
        "repatriations",
        lambda f: f.assign(enforcement_days=["nhiều", *[None] * (len(f) - 1)]),
        r'row 1, column "enforcement_days": "nhiều" is not a number of patrol or inspection',
    ),
    "two efforts for one commune and period": (
        "repatriations",
        lambda f: f.assign(commune_code="90001", period="2024", enforcement_days=range(len(f))),
        r'row 2, column "enforcement_days": "1" differs from row 1 \(0\) for commune 90001, '
        r"period 2024: effort is one value per commune and period",
    ),
    "personal id": (
        "repatriations",
        lambda f: f.assign(ho_ten="Nguyễn Văn A"),
        r'column "ho_ten": personal identifiers are never stored',
    ),
}


@pytest.mark.parametrize("layer, change, message", CASES.values(), ids=CASES.keys())
def test_contract_violations_name_row_column_and_value(layers, layer, change, message):
    with pytest.raises(LayerError, match=message):
        validate_layer(layer, change(layers[layer].copy()))


def test_unknown_layer_name():
    with pytest.raises(LayerError, match='layer "roads" is not one of communes'):
        validate_layer("roads", pd.DataFrame())


@pytest.mark.parametrize(
    ("codes", "scheme"),
    [
        (["4010101", "4010103"], "7-digit census codes (2009)"),
        (["01234X", "0123-Y"], "codes with letters or signs"),
    ],
    ids=["census", "letters"],
)
def test_any_unique_code_is_accepted_and_a_non_gso_scheme_is_one_warning(communes, codes, scheme):
    frame = communes.assign(commune_code=[*codes, *communes["commune_code"][2:]])
    assert validate_layer("communes", frame) is frame
    (warning,) = check_layer("communes", frame)
    assert warning.severity == "warning" and warning.row is None
    assert warning.reason == (
        f'2 commune codes are not 5-digit GSO codes (e.g. "{codes[0]}", "{codes[1]}"; they look '
        f"like {scheme}): stored as given, as text; tables keyed by another scheme need --crosswalk"
    )
