"""/maps/{profile} in a real browser with every host but this server cut off, in both languages."""

import re

import pytest

from maps import offline

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not offline.assets_installed(),
        reason="map assets not installed: run 'npm ci --prefix maps/static' (make install)",
    ),
]

#: Features of the Leaflet map on the page that are communes (have a ``commune_code``).
COUNT_COMMUNES = """() => {
    const map = Object.values(window).find((v) => v instanceof L.Map);
    let n = 0;
    map.eachLayer((layer) => { if (layer.feature?.properties?.commune_code) n += 1; });
    return n;
}"""
#: Whether the page has Font Awesome's solid face loaded (marker icons), from our copy.
ICON_FONT = """async () => {
    await document.fonts.ready;
    return [...document.fonts].some(
        (f) => f.family.includes("Font Awesome") && f.status === "loaded");
}"""

CONTROLS = {
    "vi": {
        "layers": ("Điểm nguy cơ theo xã", "Đường biên giới"),
        "measure": ("Đo khoảng cách và diện tích", "Đo mới", "Bấm lên bản đồ để thêm điểm đo"),
        "search": "Tìm xã...",
        "not_found": "Không tìm thấy xã",
        "zoom": "Phóng to",
        "fullscreen": "Toàn màn hình",
    },
    "en": {
        "layers": ("Risk score by commune", "Border"),
        "measure": ("Measure distances and areas", "Create a new measurement"),
        "search": "Find a commune...",
        "not_found": "No commune found",
        "zoom": "Zoom in",
        "fullscreen": "Full screen",
    },
}


def forget_tiles(watched):
    """Drop the cut-off tile requests, and as many failed-load messages, from ``watched``.

    Tiles are the one remote thing a served map loads; with the network cut they fail (one
    console message each) and the map must work all the same. Anything else stays an error.
    """
    tiles = [u for u in watched.remote if u.startswith("https://tile.openstreetmap.org/")]
    assert tiles == watched.remote, [u for u in watched.remote if u not in tiles]
    failed = [e for e in watched.errors if e == "Failed to load resource: net::ERR_FAILED"]
    assert len(failed) <= len(tiles), watched.errors
    watched.errors[:] = [e for e in watched.errors if e not in failed]
    watched.remote.clear()


def open_map(watched, live_server, lang):
    page = watched.page
    page.goto(f"{live_server}/maps/patrol?lang={lang}", wait_until="load")
    page.wait_for_selector(".folium-map .leaflet-control-layers")
    page.wait_for_selector(".leaflet-interactive.awesome-marker")
    return page


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_served_map_draws_its_communes_with_only_this_server(watched, live_server, lang):
    page = open_map(watched, live_server, lang)
    assert page.evaluate(COUNT_COMMUNES) > 0
    assert page.evaluate(ICON_FONT), "Font Awesome did not load from /vendor"
    control = page.inner_text(".leaflet-control-layers")
    for label in CONTROLS[lang]["layers"]:
        assert label in control, label
    watched.screenshot(f"served-map-{lang}")
    forget_tiles(watched)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_measure_search_zoom_and_fullscreen_speak_the_map_language(watched, live_server, lang):
    words = CONTROLS[lang]
    page = open_map(watched, live_server, lang)
    toggle = page.locator(".leaflet-control-measure .leaflet-control-measure-toggle")
    assert toggle.get_attribute("title") == words["measure"][0]
    measuring = page.locator(".leaflet-control-measure").text_content()  # its panels, folded
    for text in words["measure"][1:]:
        assert text in measuring, measuring
    search = page.locator(".leaflet-control-search input")
    assert search.get_attribute("placeholder") == words["search"]
    search.press_sequentially("zzzz", delay=30)
    search.press("Enter")
    page.wait_for_selector(".leaflet-control-search .search-alert", state="visible")
    assert page.inner_text(".leaflet-control-search .search-alert") == words["not_found"]
    assert page.get_attribute(".leaflet-control-zoom-in", "title") == words["zoom"]
    assert page.get_attribute(".leaflet-control-zoom-fullscreen", "title") == words["fullscreen"]
    forget_tiles(watched)


@pytest.mark.parametrize(
    ("lang", "heading", "unit"),
    [("vi", "Đo chiều dài", " km"), ("en", "Linear measurement", " Kilometers")],
)
def test_a_line_is_measured_in_the_map_language(watched, live_server, lang, heading, unit):
    page = open_map(watched, live_server, lang)
    box = page.locator(".leaflet-control-measure-toggle").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # opens on hover
    page.locator(".leaflet-control-measure .js-start").click()
    for x, y in ((600, 450), (900, 450)):
        page.mouse.click(x, y)
    page.locator(".leaflet-control-measure .js-finish").click()
    popup = page.locator(".leaflet-popup-content").inner_text()
    assert heading in popup and unit in popup, popup
    if lang == "vi":  # decimal comma, as Vietnamese writes it
        assert re.search(r"\d,\d+ km", popup), popup
    forget_tiles(watched)


LEAFLET_ENGLISH = ["Zoom in", "Zoom out", "Layers", "JavaScript library for interactive maps"]
#: Every title, aria-label and text of the page's Leaflet controls, the attribution's too.
CONTROL_WORDS = """() => Array
  .from(document.querySelectorAll('.leaflet-control, .leaflet-control *'))
  .flatMap(e => [e.getAttribute('title') || '', e.getAttribute('aria-label') || ''])
  .concat([document.querySelector('.leaflet-control-attribution').innerHTML]).join('\\n')"""


def test_leaflet_s_own_words_are_vietnamese_on_a_vietnamese_map(watched, live_server):
    page = open_map(watched, live_server, "vi")
    page.wait_for_function(
        "() => document.querySelector('.leaflet-control-layers-toggle').title !== 'Layers'"
    )
    shown = page.evaluate(CONTROL_WORDS)
    assert [w for w in LEAFLET_ENGLISH if w in shown] == []
    assert "Thư viện JavaScript cho bản đồ tương tác" in shown and "Lớp bản đồ" in shown
    forget_tiles(watched)
