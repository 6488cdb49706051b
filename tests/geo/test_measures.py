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
    assert measures.weighted_points_within(SQUARES, pts).tolist() == [1, 1]
    assert measures.weighted_points_within(SQUARES, pts, [1, 2, 4]).tolist() == [1, 2]
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
