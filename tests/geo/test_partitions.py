"""Which province a row belongs to, and province-by-province writes into one workspace."""

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from geo.errors import LayerError, NotFoundError
from geo.partitions import foreign_rows, row_provinces, split_provinces
from geo.workspace import SECRET_FILE, Workspace
from tests.factories import make_communes, make_layers

BH, SL = "Biên Hải", "Sơn Lâm"


@pytest.fixture
def communes():
    frame = make_communes()
    frame["province_name"] = [BH] * 6 + [SL] * 6
    return frame


def inside(communes, code):
    return communes.set_index("commune_code").loc[[code]].representative_point().iloc[0]


def test_a_row_belongs_by_name_then_code_then_where_its_point_falls(communes):
    assert row_provinces(communes, "communes", None).tolist() == [BH] * 6 + [SL] * 6
    table = pd.DataFrame({"commune_code": ["90001", "90012", "99999"], "count": [1, 2, 3]})
    assert row_provinces(table, "repatriations", communes).tolist() == [BH, SL, None]
    far = Point(0, 0)  # off the Gulf of Guinea: in no commune, whatever the tolerance
    points = gpd.GeoDataFrame(
        {"kind": ["bar"] * 3},
        geometry=[inside(communes, "90002"), inside(communes, "90011"), far],
        crs=4326,
    )
    assert row_provinces(points, "venues", communes).tolist() == [BH, SL, None]
    zone = gpd.GeoDataFrame({"name": ["KCN"]}, geometry=[inside(communes, "90009").buffer(1e-3)])
    assert row_provinces(zone.set_crs(4326), "industrial_zones", communes).tolist() == [SL]
    assert foreign_rows(points, "venues", "tinh bien hai", communes).tolist() == [1, 2]


def test_rows_split_by_province_whatever_the_spelling_and_rows_of_none_apart():
    frame = pd.DataFrame({"n": [1, 2, 3, 4]})
    owners = pd.Series(["Biên Hải", None, "Tỉnh BIEN HAI", "Sơn Lâm"], dtype=object)
    parts, unowned = split_provinces(frame, owners)
    assert {p: f["n"].tolist() for p, f in parts.items()} == {BH: [1, 3], SL: [4]}
    assert unowned["n"].tolist() == [2]


def write_two(root, communes, order):
    """A workspace whose venues the two provinces replace one after the other in ``order``.

    Every such workspace shares one secret key, so that equal contents give equal versions.
    """
    ws = Workspace(root)
    ws.root.mkdir(parents=True, exist_ok=True)
    (ws.root / SECRET_FILE).write_bytes(b"k" * 32)
    ws.write_layers({"communes": communes, "venues": make_layers(communes)["venues"]}, source="x")
    for province, code in order:
        venues = gpd.GeoDataFrame(
            {"kind": ["bar", "hotel"], "name": [f"{code} a", f"{code} b"]},
            geometry=[inside(communes, code)] * 2,
            crs=4326,
        )
        ws.write_partition("venues", province, venues, source=f"{code}.csv", actor=province)
    return ws


def test_the_whole_version_follows_from_the_provinces_not_who_came_first(tmp_path, communes):
    first = write_two(tmp_path / "a", communes, [(BH, "90001"), (SL, "90012")])
    second = write_two(tmp_path / "b", communes, [(SL, "90012"), (BH, "90001")])
    assert first.versions()["venues"].version == second.versions()["venues"].version
    assert {p: v.version for p, v in first.parts()["venues"].items()} == {
        p: v.version for p, v in second.parts()["venues"].items()
    }
    assert len(first.read_layer("venues")) == 4


def test_a_province_write_is_refused_for_rows_elsewhere_national_layers_and_taken_codes(
    tmp_path, communes
):
    ws = write_two(tmp_path / "ws", communes, [])
    before = ws.versions()
    stray = gpd.GeoDataFrame({"kind": ["bar"]}, geometry=[inside(communes, "90010")], crs=4326)
    with pytest.raises(LayerError, match=r'row 0: outside province "Biên Hải"'):
        ws.write_partition("venues", BH, stray, source="stray.csv")
    border = make_layers(communes)["border"]
    with pytest.raises(LayerError, match='layer "border" is national'):
        ws.write_partition("border", BH, border, source="border.geojson")
    taken = communes.iloc[5:7].assign(province_name=BH)
    with pytest.raises(LayerError, match='commune_code 90007 already belongs to province "Sơn'):
        ws.write_partition("communes", BH, taken, source="xa.gpkg")
    with pytest.raises(NotFoundError, match='no version abc for province "Sơn Lâm"'):
        ws.rollback("venues", "abc", province=SL)
    assert ws.versions() == before and ws.parts() == {}
