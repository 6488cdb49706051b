import geopandas as gpd
import numpy as np
import pytest
import shapely

from maps import offline
from maps.offline import OfflineAssetsError, make_offline, remote_loads
from maps.simplify import fit_zoom, simplify_coverage, tolerance_for_zoom

needs_assets = pytest.mark.skipif(
    not offline.assets_installed(),
    reason="map assets not installed: run 'npm ci --prefix maps/static' (make install)",
)

PAGE = (
    '<html><head><script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js">'
    '</script><link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/'
    'leaflet.css"/></head><body><a href="https://leafletjs.com">Leaflet</a></body></html>'
)


@needs_assets
def test_offline_page_inlines_scripts_and_styles_and_loads_nothing_remote():
    html = make_offline(PAGE)
    assert remote_loads(PAGE) and not remote_loads(html)
    assert "L.version" in html or "Leaflet 1.9" in html
    assert "data:image/png;base64," in html  # leaflet.css images became data URIs
    assert 'href="https://leafletjs.com"' in html  # plain links are not loads


def test_missing_assets_give_the_install_command(tmp_path, monkeypatch):
    monkeypatch.setattr(offline, "VENDOR_DIR", tmp_path / "node_modules")
    with pytest.raises(OfflineAssetsError, match=r"npm ci --prefix maps/static"):
        make_offline(PAGE)


@needs_assets
def test_an_unknown_cdn_file_is_refused_not_left_remote():
    page = '<script src="https://cdn.example.org/other.js"></script>'
    with pytest.raises(OfflineAssetsError, match=r"no offline copy of https://cdn.example.org"):
        make_offline(page)


@needs_assets
def test_a_map_with_internet_tiles_cannot_be_made_offline():
    page = '<script>L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {})</script>'
    with pytest.raises(OfflineAssetsError, match=r"would still load https://tile\.openstreetmap"):
        make_offline(page)


def test_vendor_files_are_limited_to_the_packages_riskmap_uses():
    with pytest.raises(OfflineAssetsError, match="no map asset"):
        offline.vendor_file("../package.json")


def voronoi_communes(n: int, *, side_km: float, seed: int = 0) -> gpd.GeoDataFrame:
    """``n`` wiggly edge-matched communes covering a square in UTM 48N."""
    rng = np.random.default_rng(seed)
    side = side_km * 1000
    x0, y0 = 300_000.0, 1_500_000.0
    pts = shapely.points(rng.uniform(x0, x0 + side, n), rng.uniform(y0, y0 + side, n))
    box = shapely.box(x0, y0, x0 + side, y0 + side)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=box))
    cells = shapely.set_precision(shapely.intersection(cells, box), 1.0)
    cells = shapely.set_precision(shapely.segmentize(cells, 150.0), 1.0)
    wiggle = lambda xy: xy + 60 * np.sin(xy[:, ::-1] / 900.0)  # noqa: E731
    cells = shapely.transform(cells, wiggle)
    return gpd.GeoDataFrame(
        {
            "commune_code": [f"{k:05d}" for k in range(len(cells))],
            "commune_name": [f"Xã Thử {k}" for k in range(len(cells))],
        },
        geometry=cells,
        crs="EPSG:32648",
    ).to_crs(4326)


def test_simplified_communes_keep_shared_edges_no_gaps_or_slivers():
    communes = voronoi_communes(200, side_km=60)
    assert shapely.coverage_is_valid(communes.to_crs(32648).geometry.to_numpy())
    simple = simplify_coverage(communes, 200.0)
    before = shapely.get_num_coordinates(communes.geometry.to_numpy()).sum()
    after = shapely.get_num_coordinates(simple.geometry.to_numpy()).sum()
    assert after < before / 3
    metric = simple.to_crs(32648).geometry.to_numpy()
    assert shapely.coverage_is_valid(metric, gap_width=1.0)
    assert all(shapely.is_valid(metric)) and not any(shapely.is_empty(metric))
    area = shapely.union_all(metric).area
    assert area == pytest.approx(shapely.union_all(communes.to_crs(32648).geometry).area, rel=2e-3)


def test_tolerance_follows_the_zoom():
    assert fit_zoom((102.0, 8.0, 110.0, 23.5)) < fit_zoom((106.0, 21.0, 106.5, 21.5))
    assert tolerance_for_zoom(5, 16) == 200.0 and tolerance_for_zoom(16, 16) == 10.0
    assert 10.0 < tolerance_for_zoom(12, 21) < 40.0


@pytest.mark.slow
@needs_assets
def test_ten_thousand_communes_offline_map_stays_under_15_mb(tmp_path):
    from maps.folium_map import MapTitle, build_map, render_html
    from tests.maps.scale import score_table_for

    communes = voronoi_communes(10_000, side_km=575)
    html = render_html(
        build_map(communes, score_table_for(communes), {}, title=MapTitle("10k"), offline=True),
        offline=True,
    )
    size_mb = len(html.encode()) / 1e6
    print(f"10,000 communes offline map: {size_mb:.1f} MB")  # noqa: T201
    assert size_mb < 15
    (tmp_path / "big.html").write_text(html, encoding="utf-8")
