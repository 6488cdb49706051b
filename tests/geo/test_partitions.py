"""Which province a row belongs to, and province-by-province writes into one workspace."""

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from geo.errors import LayerError, NotFoundError
from geo.partitions import (
    disagreeing_rows,
    foreign_rows,
    outside_reason,
    overlap_reason,
    row_provinces,
    split_provinces,
)
from geo.workspace import SECRET_FILE, Workspace
from tests.factories import METRIC, make_communes, make_layers

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


REALDATA = Path("/work/shared/realdata/vn2009_dev_provinces.gpkg")


def venues_at(communes, codes, **columns):
    """Two venues at the interior point of each commune of ``codes``, with extra ``columns``."""
    points = [inside(communes, c) for c in codes for _ in range(2)]
    frame = {"kind": ["bar"] * len(points), "name": [f"v{i}" for i in range(len(points))]}
    return gpd.GeoDataFrame({**frame, **columns}, geometry=points, crs=4326)


def test_a_row_is_placed_by_its_code_or_point_and_its_province_name_only_as_a_fallback(
    communes,
):
    table = pd.DataFrame(
        {"commune_code": ["90012", "99999", "90001", "99999"], "count": [40, 1, 2, 3]}
    )
    table["province_name"] = [BH, SL, "", " "]
    assert row_provinces(table, "repatriations", communes).tolist() == [SL, SL, BH, None]
    points = venues_at(communes, ["90011"], province_name=[BH, ""])
    assert row_provinces(points, "venues", communes).tolist() == [SL, SL]
    assert disagreeing_rows(table, "repatriations", communes).tolist() == [0]
    assert outside_reason(points, "venues", SL, communes).startswith("row 0: province_name")


def test_a_province_cannot_write_rows_into_another_provinces_communes_by_naming_itself(
    tmp_path, communes
):
    ws = write_two(tmp_path / "ws", communes, [])
    ws.write_layers({"repatriations": make_layers(communes)["repatriations"]}, source="x")
    before = ws.read_layer("repatriations")
    attack = pd.DataFrame(
        {"commune_code": ["90012"], "period": ["2024"], "category": ["deported"], "count": [40]}
    ).assign(province_name=BH)
    with pytest.raises(LayerError, match=r"row 0: province_name disagrees"):
        ws.write_partition("repatriations", BH, attack, source="rep.csv")
    venues = venues_at(communes, ["90012"], province_name=[BH, BH])
    with pytest.raises(LayerError, match=r"rows 0, 1: province_name disagrees"):
        ws.write_partition("venues", BH, venues, source="v.csv")
    pd.testing.assert_frame_equal(ws.read_layer("repatriations"), before)


def test_reuploads_with_and_without_a_province_name_replace_that_provinces_rows_only(
    tmp_path, communes
):
    ws = write_two(tmp_path / "ws", communes, [])  # a national upload: no province_name
    uploads = [
        (BH, venues_at(communes, ["90001"], province_name=[BH, BH])),
        (BH, venues_at(communes, ["90001"])),
        (SL, venues_at(communes, ["90012"], province_name=["", ""])),
        (BH, venues_at(communes, ["90002"], province_name=["", BH])),
        (SL, venues_at(communes, ["90012"], province_name=[SL, ""])),
        (BH, venues_at(communes, ["90002"], province_name=["", ""])),
    ]
    for province, venues in uploads * 2:
        ws.write_partition("venues", province, venues, source="v.csv", actor=province)
    stored = ws.read_layer("venues")
    owners = row_provinces(stored, "venues", ws.read_layer("communes"))
    assert owners.value_counts().to_dict() == {BH: 2, SL: 2}
    assert sorted(ws.parts()["venues"]) == [BH, SL]


def test_a_province_cannot_claim_another_provinces_territory_with_its_communes(tmp_path, communes):
    ws = write_two(tmp_path / "ws", communes, [])
    mine = communes[communes["province_name"] == SL]
    copy = communes.iloc[[0]].assign(commune_code="91000", province_name=SL)
    hull = communes.iloc[[0]].assign(commune_code="91001", province_name=SL)
    hull = hull.set_geometry([communes.iloc[:6].union_all().convex_hull])
    for claim in (copy, hull):
        with pytest.raises(LayerError, match=r'row 6: overlaps communes of province "Biên Hải"'):
            ws.write_partition(
                "communes", SL, pd.concat([mine, claim], ignore_index=True), source="xa.gpkg"
            )
    sliver = mine.copy()  # real boundaries overlap a little where they were thinned
    sliver.geometry = sliver.to_crs(METRIC).buffer(200).to_crs(4326)  # 4 % of a neighbour
    ws.write_partition("communes", SL, sliver, source="xa.gpkg")
    assert len(ws.read_layer("communes")) == 12


def test_a_province_cannot_drop_communes_that_other_layers_still_reference(tmp_path, communes):
    ws = write_two(tmp_path / "ws", communes, [])
    reps = make_layers(communes)["repatriations"].assign(commune_code="90001")
    ws.write_layers({"repatriations": reps}, source="x")
    before = ws.versions()
    kept = communes[communes["province_name"] == BH].iloc[1:]
    with pytest.raises(
        LayerError, match=r"removes commune_code 90001 .*\(repatriations: 10 rows\); re-key"
    ):
        ws.write_partition("communes", BH, kept, source="xa.gpkg")
    assert ws.versions() == before
    ws.write_partition(
        "communes", SL, communes[communes["province_name"] == SL].iloc[1:], source="x"
    )
    assert len(ws.read_layer("communes")) == 11


@pytest.mark.skipif(not REALDATA.exists(), reason=f"real commune geometry absent: {REALDATA}")
def test_each_real_provinces_own_communes_upload_passes_the_territory_check(tmp_path):
    real = gpd.read_file(REALDATA, layer="communes")
    ws = Workspace(tmp_path / "ws")
    ws.root.mkdir()
    provinces = sorted(real["province_name"].unique())
    ws.write_layers({"communes": real}, source="vn2009")
    for province in provinces:
        own = real[real["province_name"] == province]
        ws.write_partition("communes", province, own, source=f"{province}.gpkg")
    assert (
        len(ws.read_layer("communes")) == len(real) and sorted(ws.parts()["communes"]) == provinces
    )


@pytest.mark.skipif(not REALDATA.exists(), reason=f"real commune geometry absent: {REALDATA}")
def test_real_neighbouring_districts_as_two_provinces_do_not_overlap_beyond_the_tolerance():
    real = gpd.read_file(REALDATA, layer="communes")
    district = real["district_code"].astype("category").cat.codes
    even, odd = real[district % 2 == 0], real[district % 2 == 1]
    assert overlap_reason(even.reset_index(drop=True), {"odd": odd}) is None
    copied = pd.concat([odd, even.iloc[[5]].assign(commune_code="9999999")], ignore_index=True)
    reason = overlap_reason(copied, {"even": even})
    assert reason.startswith(f"row {len(odd)}: overlaps communes of province")
