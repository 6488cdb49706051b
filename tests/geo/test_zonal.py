import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin

from geo.errors import CRSError, InputFileError, WorkspaceError
from geo.parallel import executor_for
from geo.zonal import zonal_stats, zonal_sum

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
    polys = gpd.GeoSeries([shapely.box(0, 800, 200, 1000), shapely.box(5000, 5000, 6000, 6000)])
    sums = zonal_sum(raster, polys.set_crs(CRS), engine=engine)
    assert sums[0] == pytest.approx(22) and np.isnan(sums[1])


def test_unknown_engine_is_refused(raster):
    with pytest.raises(ValueError, match=r'engine was "gdal" but is expected to be one of'):
        zonal_sum(raster, gpd.GeoSeries([shapely.box(0, 0, 1, 1)], crs=CRS), engine="gdal")


def test_unreadable_raster_is_a_workspace_error(tmp_path):
    bad = tmp_path / "bad.tif"
    bad.write_text("not a tiff")
    with pytest.raises(WorkspaceError, match=r"cannot read raster .*bad\.tif"):
        zonal_sum(bad, gpd.GeoSeries([shapely.box(0, 0, 1, 1)], crs=CRS))


def write_raster(path, values, *, crs=CRS, nodata=None, transform=None):
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=values.shape[0],
        width=values.shape[1],
        count=1,
        dtype="float32",
        crs=crs,
        nodata=nodata,
        transform=transform or from_origin(0, 1000, 100, 100),
    ) as dst:
        dst.write(values.astype(np.float32), 1)
    return path


def random_cells(n=40, seed=0, size=1000.0):
    """Voronoi cells of seeded random points over the raster: odd shapes, partial pixels."""
    rng = np.random.default_rng(seed)
    points = shapely.multipoints(rng.uniform(0, size, (n, 2)))
    cells = shapely.get_parts(
        shapely.voronoi_polygons(points, extend_to=shapely.box(0, 0, size, size))
    )
    return gpd.GeoSeries(shapely.intersection(cells, shapely.box(0, 0, size, size)), crs=CRS)


@pytest.mark.parametrize("engine", ["exactextract", "rasterstats"])
def test_chunked_windows_give_the_one_pass_sums(tmp_path, engine):
    values = np.random.default_rng(1).gamma(2.0, 10.0, (10, 10))
    raster = write_raster(tmp_path / "pop.tif", values)
    cells = random_cells()
    one_pass = zonal_sum(raster, cells, engine=engine)
    with executor_for("local", workers=2) as ex:
        chunked = zonal_stats(raster, cells, engine=engine, executor=ex, chunk=7).sums
    np.testing.assert_allclose(chunked, one_pass, rtol=1e-9)
    assert one_pass.sum() == pytest.approx(
        values.sum(), rel=1e-6 if engine == "exactextract" else 1
    )


def test_a_raster_in_another_crs_is_met_by_reprojecting_the_polygons(tmp_path):
    """The raster in VN-2000 / UTM 48N, the polygons in WGS 84 UTM 48N and in degrees."""
    values = np.ones((10, 10))
    raster = write_raster(
        tmp_path / "vn2000.tif",
        values,
        crs="EPSG:3405",
        transform=from_origin(500_000, 2_300_000, 100, 100),
    )
    square = gpd.GeoSeries([shapely.box(500_200, 2_299_200, 500_600, 2_299_800)], crs="EPSG:3405")
    for polys in (square.to_crs(CRS), square.to_crs(4326)):
        assert zonal_sum(raster, polys) == pytest.approx([24.0], rel=1e-3)


def test_a_raster_that_overlaps_no_polygon_names_itself_and_both_extents(raster):
    far = gpd.GeoSeries([shapely.box(50_000, 50_000, 51_000, 51_000)], crs=CRS)
    with pytest.raises(
        InputFileError,
        match=r"pop\.tif: the raster covers x 0 to 1000, y 0 to 1000 but the polygons cover "
        r"x 50000 to 51000, y 50000 to 51000 \(both in EPSG:32648\): it does not overlap",
    ):
        zonal_sum(raster, far)


def test_a_raster_without_crs_is_refused(tmp_path):
    path = tmp_path / "nocrs.tif"
    with rasterio.open(
        path, "w", driver="GTiff", height=2, width=2, count=1, dtype="float32"
    ) as dst:
        dst.write(np.ones((1, 2, 2), dtype=np.float32))
    with pytest.raises(CRSError, match=r"nocrs\.tif: the raster has no CRS"):
        zonal_sum(path, gpd.GeoSeries([shapely.box(0, 0, 1, 1)], crs=CRS))


@pytest.mark.parametrize("engine", ["exactextract", "rasterstats"])
@pytest.mark.parametrize("missing", [-9999.0, np.nan], ids=["nodata", "nan"])
def test_a_polygon_over_nodata_only_is_nan_not_zero(tmp_path, engine, missing):
    values = np.arange(100, dtype=float).reshape(10, 10)
    values[:, :5] = missing  # the left half holds no data
    nodata = None if np.isnan(missing) else missing
    raster = write_raster(tmp_path / "pop.tif", values, nodata=nodata)
    polys = gpd.GeoSeries([shapely.box(0, 0, 400, 1000), shapely.box(600, 0, 1000, 1000)], crs=CRS)
    result = zonal_stats(raster, polys, engine=engine)
    assert result.valid[0] == 0 and result.valid[1] > 0
    sums = zonal_sum(raster, polys, engine=engine)
    assert np.isnan(sums[0]) and sums[1] == pytest.approx(
        sum(r * 10 + c for r in range(10) for c in range(6, 10))
    )


@pytest.mark.parametrize("missing", [None, -9999.0, np.nan], ids=["data", "nodata", "nan"])
def test_the_windowed_local_path_gives_the_bare_exactextract_sums(tmp_path, missing):
    """Band by band (7 polygons a window) equals one exactextract call on the file."""
    from exactextract import exact_extract

    values = np.random.default_rng(2).gamma(2.0, 10.0, (10, 10))
    if missing is not None:
        values[:4, :3] = missing  # a corner without data: windows there hold only nodata
    nodata = None if missing is None or np.isnan(missing) else missing
    raster = write_raster(tmp_path / "pop.tif", values, nodata=nodata)
    cells = random_cells(n=60, seed=4)
    bare = exact_extract(str(raster), gpd.GeoDataFrame(geometry=cells), ["sum", "count"])
    windowed = zonal_stats(raster, cells, chunk=7)
    np.testing.assert_allclose(windowed.sums, [f["properties"]["sum"] for f in bare], rtol=1e-9)
    np.testing.assert_allclose(windowed.valid, [f["properties"]["count"] for f in bare], rtol=1e-9)
