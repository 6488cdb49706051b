import geopandas as gpd
import pytest
import shapely

from risk.errors import PlanError
from risk.plans.border import rank_crossings, score_segments, split_border

CRS = "EPSG:32648"
WEIGHTS = {"international": 1.0, "opening": 1.0, "trail": 1.2}


def border(*lines, kinds=None):
    geoms = [shapely.LineString(c) for c in lines]
    return gpd.GeoDataFrame({"kind": kinds or ["land"] * len(geoms)}, geometry=geoms, crs=CRS)


def communes():
    """A (60) under 0-3 km, M (20) under 6-9 km, C (30) under 11-12 km; all 1 km south."""
    boxes = [(0, -3000, 3000, -1000), (6000, -3000, 9000, -1000), (11000, -3000, 12000, -1000)]
    return gpd.GeoDataFrame(
        {"commune_code": ["A", "M", "C"], "score": [60.0, 20.0, 30.0]},
        geometry=[shapely.box(*b) for b in boxes],
        crs=CRS,
    )


def crossings(*at):
    kinds = ["trail", "international"][: len(at)]
    return gpd.GeoDataFrame(
        {"name": [f"X{i}" for i in range(len(at))], "kind": kinds},
        geometry=[shapely.Point(x, 0) for x in at],
        crs=CRS,
    )


def test_a_12_km_border_gives_segments_of_5_5_and_2_km():
    seg = split_border(border([(0, 0), (12_000, 0)]), 5)
    assert seg["length_km"].tolist() == pytest.approx([5, 5, 2])
    assert seg["start_km"].tolist() == pytest.approx([0, 5, 10])
    assert seg["segment"].tolist() == [1, 2, 3]
    assert seg.geometry.length.sum() == pytest.approx(12_000)


def test_an_exact_multiple_leaves_no_sliver_and_multi_part_borders_are_cut_per_part():
    assert split_border(border([(0, 0), (10_000, 0)]), 5)["length_km"].tolist() == [5, 5]
    # 10.002 km: the 2 m left after two 5 km pieces is reprojection noise, not a segment
    assert split_border(border([(0, 0), (10_002, 0)]), 5)["length_km"].tolist() == [5, 5.002]
    multi = gpd.GeoDataFrame(
        {"kind": ["land"]},
        geometry=[shapely.MultiLineString([[(0, 0), (7000, 0)], [(0, 9000), (3000, 9000)]])],
        crs=CRS,
    )
    seg = split_border(multi, 5)
    assert seg["part"].tolist() == [1, 1, 2]
    assert seg["length_km"].tolist() == pytest.approx([5, 2, 3])


def test_segments_score_from_commune_risk_and_crossings_by_hand():
    seg = split_border(border([(0, 0), (12_000, 0)]), 5)
    # reach 1.2 km: A reaches segment 1, M segment 2, C segment 3 (the others are >= 1.41 km away)
    scored, notes = score_segments(
        seg, communes(), crossings(7000), kind_weights=WEIGHTS, reach_km=1.2
    )
    assert scored["risk"].tolist() == [60, 20, 30] and scored["communes"].tolist() == [1, 1, 1]
    assert scored["crossings"].tolist() == [0, 1.2, 0]
    # 100 × (0.5 × risk / 60 + 0.5 × crossings / 1.2)
    assert scored["score"].tolist() == pytest.approx([50, 100 / 6 + 50, 25])
    assert scored["rank"].tolist() == [2, 1, 3] and notes == []
    assert scored["crossing_names"].tolist() == ["", "X0", ""]


def test_a_crossing_on_segment_2_raises_its_score():
    seg = split_border(border([(0, 0), (12_000, 0)]), 5)
    on_2, _ = score_segments(seg, communes(), crossings(7000), kind_weights=WEIGHTS, reach_km=1.2)
    on_3, _ = score_segments(seg, communes(), crossings(11_500), kind_weights=WEIGHTS, reach_km=1.2)
    assert on_2["score"].iloc[1] > on_3["score"].iloc[1]
    assert on_3["score"].tolist() == pytest.approx([50, 100 / 6, 75])


def test_without_crossings_the_score_is_commune_risk_only_and_says_so():
    seg = split_border(border([(0, 0), (12_000, 0)]), 5)
    scored, notes = score_segments(seg, communes(), None, kind_weights=WEIGHTS, reach_km=1.2)
    assert scored["score"].tolist() == pytest.approx([100, 100 / 3, 50])
    assert notes == ["no crossing on any segment: scores come from commune risk only"]
    far = crossings(7000).set_geometry([shapely.Point(7000, 5000)])
    _, notes = score_segments(seg, communes(), far, kind_weights=WEIGHTS, reach_km=1.2)
    assert "1 crossing(s) lie more than 2 km from the border" in notes


def test_crossings_are_ranked_the_same_way():
    seg = split_border(border([(0, 0), (12_000, 0)]), 5)
    ranked = rank_crossings(
        crossings(7000, 1000), communes(), seg, kind_weights=WEIGHTS, reach_km=1.2
    )
    # trail at 7 km: M (20) in reach, weight 1.2; international at 1 km: A (60), weight 1.0
    assert ranked["risk"].tolist() == [20, 60] and ranked["segment"].tolist() == [2, 1]
    assert ranked["score"].tolist() == pytest.approx([100 / 6 + 50, 50 + 50 / 1.2])
    assert ranked["rank"].tolist() == [2, 1]


@pytest.mark.parametrize("length", [0, -5, float("nan")])
def test_a_segment_length_of_zero_or_less_is_refused(length):
    with pytest.raises(PlanError, match=f"segment length is {length} km, expected a number > 0"):
        split_border(border([(0, 0), (12_000, 0)]), length)


def test_bad_border_geometry_crs_and_kinds_are_refused():
    polygons = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)], crs=CRS)
    with pytest.raises(PlanError, match="border layer, row 1: geometry is a Polygon, expected"):
        split_border(polygons)
    with pytest.raises(PlanError, match="metric"):
        split_border(border([(0, 0), (1, 0)]).to_crs(4326))
    seg = split_border(border([(0, 0), (12_000, 0)]), 5)
    road = crossings(7000).assign(kind="road")
    with pytest.raises(PlanError, match='crossing kind "road" has no weight'):
        score_segments(seg, communes(), road, kind_weights=WEIGHTS)
    with pytest.raises(PlanError, match="reach is -1 km"):
        score_segments(seg, communes(), None, kind_weights=WEIGHTS, reach_km=-1)


def test_a_length_giving_too_many_segments_is_refused():
    with pytest.raises(PlanError, match=r"the border is 12 km long: segments of 0\.0001 km would"):
        split_border(border([(0, 0), (12_000, 0)]), 0.0001)
