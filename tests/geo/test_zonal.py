import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin

from geo.errors import WorkspaceError
from geo.zonal import zonal_sum

CRS = "EPSG:32648"


@pytest.fixture
def raster(tmp_path):
    """A 10 × 10 raster of 100 m pixels: pixel (row r, col c) holds r * 10 + c people."""
    values = np.arange(100, dtype=np.float32).reshape(10, 10)
    path = tmp_path / "pop.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=10,
        width=10,
        count=1,
        dtype="float32",
        crs=CRS,
        transform=from_origin(0, 1000, 100, 100),
    ) as dst:
        dst.write(values, 1)
    return path


ENGINES = pytest.mark.parametrize("engine", ["exactextract", "rasterstats"])


@ENGINES
def test_sums_of_whole_pixels_agree_and_polygons_are_reprojected_first(raster, engine):
    top_left = shapely.box(0, 800, 200, 1000)  # rows 0-1, cols 0-1: 0 + 1 + 10 + 11
    right_half = shapely.box(500, 0, 1000, 1000)  # cols 5-9 over every row
    polys = gpd.GeoSeries([top_left, right_half], crs=CRS).to_crs(4326)
    expected = [22, sum(r * 10 + c for r in range(10) for c in range(5, 10))]
    assert zonal_sum(raster, polys, engine=engine) == pytest.approx(expected, rel=1e-5)


def test_exactextract_weighs_partial_pixels_by_the_share_covered(raster):
    # a quarter of pixels (0, 0) and (0, 1): 0.25 * 0 + 0.25 * 1; a 20 m square in pixel (0, 5)
    polys = gpd.GeoSeries(
        [shapely.box(50, 950, 150, 1000), shapely.box(510, 910, 530, 930)], crs=CRS
    )
    assert zonal_sum(raster, polys, engine="exactextract") == pytest.approx([0.25, 5 * 0.04])


def test_halves_add_up_to_the_raster_total_with_exactextract(raster):
    halves = gpd.GeoSeries([shapely.box(0, 0, 1000, 550), shapely.box(0, 550, 1000, 1000)], crs=CRS)
    assert zonal_sum(raster, halves).sum() == pytest.approx(sum(range(100)))


def test_rasterstats_gives_a_polygon_smaller_than_a_pixel_the_pixel_it_touches(raster):
    tiny = gpd.GeoSeries([shapely.box(510, 910, 530, 930)], crs=CRS)  # inside pixel row 0, col 5
    assert zonal_sum(raster, tiny, engine="rasterstats") == pytest.approx([5])


@ENGINES
def test_polygon_outside_the_raster_is_nan_not_zero(raster, engine):
    outside = gpd.GeoSeries([shapely.box(5000, 5000, 6000, 6000)], crs=CRS)
    assert np.isnan(zonal_sum(raster, outside, engine=engine)).all()


def test_unknown_engine_is_refused(raster):
    with pytest.raises(ValueError, match=r'engine was "gdal" but is expected to be one of'):
        zonal_sum(raster, gpd.GeoSeries([shapely.box(0, 0, 1, 1)], crs=CRS), engine="gdal")


def test_unreadable_raster_is_a_workspace_error(tmp_path):
    bad = tmp_path / "bad.tif"
    bad.write_text("not a tiff")
    with pytest.raises(WorkspaceError, match=r"cannot read raster .*bad\.tif"):
        zonal_sum(bad, gpd.GeoSeries([shapely.box(0, 0, 1, 1)], crs=CRS))
