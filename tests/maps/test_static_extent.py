"""The static map's frame holds the crossings and border near the communes, not the whole line."""

import geopandas as gpd
import shapely
from matplotlib.figure import Figure

from geo.crs import to_metric
from maps.static_map import draw_map

CRS = "EPSG:32648"


def _communes():
    cells = [shapely.box(i * 5e3, 0, (i + 1) * 5e3, 10e3) for i in range(4)]
    frame = gpd.GeoDataFrame(
        {"commune_code": list("abcd"), "commune_name": list("ABCD"), "class": [1, 2, 4, 5],
         "score": [10.0, 30.0, 70.0, 95.0], "rank": [4, 3, 2, 1]},
        geometry=cells, crs=CRS,
    )  # fmt: skip
    return frame.to_crs(4326)


def test_crossings_and_border_just_outside_the_communes_are_in_the_frame_far_ones_are_not():
    communes = _communes()
    crossings = gpd.GeoDataFrame(
        {"name": ["gate", "far gate"], "kind": ["main", "trail"]},
        geometry=[shapely.Point(23e3, 16e3), shapely.Point(200e3, 200e3)],
        crs=CRS,
    ).to_crs(4326)
    # the border line runs 4 km north of the communes, then 300 km away
    border = gpd.GeoDataFrame(
        {"kind": ["land"]},
        geometry=[shapely.LineString([(-3e3, 14e3), (25e3, 14e3), (25e3, 300e3)])],
        crs=CRS,
    ).to_crs(4326)
    fig = Figure()
    ax = fig.add_subplot()
    draw_map(ax, communes, {"crossings": crossings, "border": border}, lang="en")
    (xmin, xmax), (ymin, ymax) = ax.get_xlim(), ax.get_ylim()
    frame = gpd.GeoSeries([shapely.box(xmin, ymin, xmax, ymax)], crs=to_metric(communes).crs)
    inside = gpd.GeoSeries([shapely.Point(23e3, 16e3), shapely.Point(-3e3, 14e3)], crs=CRS)
    far = gpd.GeoSeries([shapely.Point(25e3, 40e3), shapely.Point(200e3, 200e3)], crs=CRS)
    assert frame.to_crs(CRS).iloc[0].contains(shapely.MultiPoint(list(inside))), frame.bounds
    assert not frame.to_crs(CRS).iloc[0].intersects(shapely.MultiPoint(list(far)))
