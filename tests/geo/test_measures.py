import numpy as np
import pytest
import shapely

from geo import measures

SQUARES = np.array([shapely.box(0, 0, 1000, 1000), shapely.box(1000, 0, 2000, 1000)])


def test_distances_are_km_and_zero_when_touching():
    line = [shapely.LineString([(0, 1000), (2000, 1000)])]
    far = [shapely.LineString([(0, 6000), (2000, 6000)])]
    assert measures.distance_to_km(SQUARES, line) == pytest.approx([0, 0])
    assert measures.distance_to_km(SQUARES, far) == pytest.approx([5, 5])
    assert measures.distance_to_km(SQUARES, []) == pytest.approx([np.inf, np.inf])


def test_border_length_counts_lines_along_and_inside_polygons():
    line = [shapely.LineString([(0, 1000), (1500, 1000)])]
    assert measures.length_inside_km(SQUARES, line) == pytest.approx([1.05, 0.55], abs=1e-9)
    assert measures.length_inside_km(SQUARES, []) == pytest.approx([0, 0])


def test_distance_matrix_rows_are_polygons_and_columns_points():
    pts = shapely.points([500, 5000], [500, 500])
    assert measures.distance_matrix_km(SQUARES, pts) == pytest.approx(np.array([[0, 4], [0.5, 3]]))


def test_weighted_points_inside_and_within_a_band():
    pts = shapely.points([500, 1500, 2500], [500, 500, 500])
    # the third point lies 500 m outside the second square: it counts there (within 2 km)
    assert measures.weighted_points_within(SQUARES, pts).tolist() == [1, 2]
    assert measures.weighted_points_within(SQUARES, pts, [1, 2, 4]).tolist() == [1, 6]
    assert measures.weighted_points_within(SQUARES, pts, tolerance_m=100).tolist() == [1, 1]
    assert measures.weighted_points_within(SQUARES, pts, [1, 2, 4], distance_m=600).tolist() == [
        3,
        7,
    ]
    assert measures.weighted_points_within(SQUARES, []).tolist() == [0, 0]


def test_area_share_and_area():
    zone = [shapely.box(0, 0, 500, 1000)]
    assert measures.area_share(SQUARES, zone) == pytest.approx([0.5, 0])
    assert measures.area_share(SQUARES, []) == pytest.approx([0, 0])
    assert measures.area_km2(SQUARES) == pytest.approx([1, 1])


def test_every_point_counts_in_exactly_one_commune_by_a_named_rule():
    west, east = shapely.box(0, 0, 1000, 1000), shapely.box(900, 0, 3000, 1000)  # 100 m overlap
    points = np.array(
        [
            shapely.Point(500, 500),  # inside west only
            shapely.Point(950, 500),  # overlap: west's interior point (500, 500) is nearer
            shapely.Point(990, 500),  # overlap: still nearer west's (500) than east's (1950)
            shapely.Point(1500, 1400),  # 400 m north of east: nearest within 2 km
            shapely.Point(1500, 9000),  # 8 km out: counted nowhere
            None,
        ],
        dtype=object,
    )
    owner, rule, dist = measures.assign_points([west, east], points)
    assert owner.tolist() == [0, 0, 0, 1, -1, -1]
    assert rule.tolist() == ["inside", "overlap", "overlap", "nearest", "unassigned", "unassigned"]
    assert dist[3] == pytest.approx(400) and dist[4] == pytest.approx(8000)
    inside = measures.weighted_points_within([west, east], points[:5])
    assert inside.tolist() == [3.0, 1.0]  # the overlap is not counted twice, the gap not lost
    wider = measures.assign_points([west, east], points[:5], tolerance_m=10_000)[0]
    assert wider.tolist() == [0, 0, 0, 1, 1]


def test_points_within_a_distance_never_fall_below_the_points_inside():
    west = shapely.box(0, 0, 1000, 1000)
    points = np.array([shapely.Point(500, 1800)], dtype=object)  # 800 m out, within 2 km
    inside = measures.weighted_points_within([west], points)
    reach = measures.weighted_points_within([west], points, distance_m=500)
    assert inside.tolist() == [1.0] and reach.tolist() == [1.0]
