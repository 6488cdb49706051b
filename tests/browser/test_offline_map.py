"""The offline map opens in a real browser with the network cut."""

import pytest

from maps import offline

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not offline.assets_installed(),
        reason="map assets not installed: run 'npm ci --prefix maps/static' (make install)",
    ),
]

LAYERS = (
    "Điểm nguy cơ theo xã",
    "Đường biên giới",
    "Khu, cụm công nghiệp",
    "Cửa khẩu, lối mở, đường mòn",
    "Cơ sở: Karaoke",
)


def test_offline_map_loads_every_layer_with_no_internet(scored_workspace, watched, tmp_path):
    from api.render import write_map
    from risk.profiles import load_profile

    path = write_map(
        scored_workspace, load_profile("patrol"), output=tmp_path / "map.html", offline=True
    )
    page = watched.page
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_selector(".folium-map .leaflet-control-layers")
    page.wait_for_selector(".leaflet-interactive.awesome-marker")
    control = page.inner_text(".leaflet-control-layers")
    for label in LAYERS:
        assert label in control, label
    assert page.locator(".leaflet-interactive.awesome-marker").count() == 3
    assert page.locator(".leaflet-control-minimap").count() == 1
    assert page.locator(".leaflet-control-scale").count() == 1
    assert "Rất cao" in page.inner_text(".riskmap-legend")
    watched.screenshot("offline-map")


def test_search_finds_a_commune_without_accents(scored_workspace, watched, tmp_path):
    from api.render import write_map
    from risk.profiles import load_profile

    path = write_map(
        scored_workspace, load_profile("patrol"), output=tmp_path / "map.html", offline=True
    )
    page = watched.page
    page.goto(path.as_uri(), wait_until="load")
    page.locator(".leaflet-control-search input").press_sequentially("na lung", delay=40)
    tip = page.locator(".leaflet-control-search .search-tooltip .search-tip").first
    tip.wait_for()
    assert tip.inner_text() == "Xã Nà Lũng"
    tip.click()
    page.wait_for_selector(".leaflet-tooltip")
    assert "Xã Nà Lũng" in page.inner_text(".leaflet-tooltip")
    watched.screenshot("search")


#: Features of the Leaflet map on the page that are communes (have a ``commune_code``).
COUNT_COMMUNES = """() => {
    const map = Object.values(window).find((v) => v instanceof L.Map);
    let n = 0;
    map.eachLayer((layer) => { if (layer.feature?.properties?.commune_code) n += 1; });
    return n;
}"""


@pytest.mark.slow
def test_ten_thousand_communes_open_and_every_one_is_drawn(watched, tmp_path):
    from maps.folium_map import MapTitle, build_map, render_html
    from tests.maps.scale import score_table_for
    from tests.maps.test_offline import voronoi_communes

    communes = voronoi_communes(10_000, side_km=575)
    table = score_table_for(communes)
    m = build_map(communes, table, {}, title=MapTitle("10 000 xã"), offline=True)
    path = tmp_path / "big.html"
    path.write_text(render_html(m, offline=True), encoding="utf-8")
    assert path.stat().st_size < 15e6  # the map-size target
    watched.page.goto(path.as_uri(), wait_until="load")
    watched.page.wait_for_selector(".leaflet-control-layers")
    assert watched.page.evaluate(COUNT_COMMUNES) == 10_000
    watched.screenshot("ten-thousand")
