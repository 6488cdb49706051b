"""Hostile names in every map layer run no script in a real browser and are shown literally."""

import pytest

from maps import offline

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not offline.assets_installed(),
        reason="map assets not installed: run 'npm ci --prefix maps/static' (make install)",
    ),
]

#: Breaks out of folium's backtick tooltip string, injects HTML, and a ${...} and a backslash.
HOSTILE = "Cửa `+(document.title='X')+` <img src=x onerror=\"window.__xss=1\"> ${window.__xss=2} \\"
#: Every tooltip's content rendered as Leaflet renders it, into one visible box; returns count.
RENDER_TOOLTIPS = """() => {
  const seen = new Set(), box = document.createElement("div");
  box.id = "tooltips"; document.body.appendChild(box);
  let n = 0;
  function show(tip, source) {
    let c = tip._content;
    if (typeof c === "function") { c = c(source); }
    const div = document.createElement("div");
    if (typeof c === "string") { div.innerHTML = c; } else if (c) { div.appendChild(c); }
    box.appendChild(div); n++;
  }
  function visit(layer) {
    if (!layer || seen.has(layer)) { return; }
    seen.add(layer);
    const tip = layer.getTooltip && layer.getTooltip();
    if (tip && layer.eachLayer) { layer.eachLayer(s => show(tip, s)); }
    else if (tip) { show(tip, layer); }
    if (layer.eachLayer) { layer.eachLayer(visit); }
    if (layer.getLayers) { layer.getLayers().forEach(visit); }
  }
  Object.keys(window).forEach(k => { if (window[k] instanceof L.Layer) { visit(window[k]); } });
  return n;
}"""


def hostile_layers(ws):
    """Every layer of ``ws`` and its stored plans with one name made hostile in each."""
    from maps.plan_layers import plan_frames
    from risk.plans.outreach import outreach_plan
    from risk.plans.patrol import patrol_plan
    from risk.plans.segments import segments_plan

    layers = {n: ws.read_layer(n) for n in ("border", "crossings", "venues", "industrial_zones")}
    records = {
        "patrol": patrol_plan(ws, "patrol", k=2, radius_km=5, draws=0).to_dict(),
        "outreach": outreach_plan(ws, "patrol", budget=100, draws=0).to_dict(),
        "segments": segments_plan(ws, "patrol", length_km=5).to_dict(),
    }
    communes = ws.read_layer("communes")
    layers |= plan_frames(records, communes)
    for name in ("crossings", "venues", "industrial_zones", "patrol_bases", "outreach_communes"):
        frame = layers[name].copy()
        frame["name"] = frame["name"].astype(object)
        frame.loc[frame.index[0], "name"] = HOSTILE
        layers[name] = frame
    segments = layers["border_segments"].copy()
    segments["crossing_names"] = HOSTILE
    layers["border_segments"] = segments
    communes.loc[communes.index[0], "commune_name"] = HOSTILE
    communes.loc[communes.index[0], "district_name"] = HOSTILE
    return communes, layers


def test_hostile_names_in_every_layer_run_no_script_and_show_literally(
    scored_workspace, watched, tmp_path
):
    from maps.folium_map import MapTitle, build_map, render_html
    from risk.store import load_run

    communes, layers = hostile_layers(scored_workspace)
    table = load_run(scored_workspace, "patrol").table
    m = build_map(communes, table, layers, title=MapTitle(HOSTILE, note=HOSTILE), offline=True)
    path = tmp_path / "hostile.html"
    path.write_text(render_html(m, offline=True), encoding="utf-8")
    page = watched.page
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_selector(".folium-map .leaflet-control-layers")
    title = page.title()
    assert page.locator(".leaflet-interactive").count() > 10  # the map still renders
    assert page.evaluate(RENDER_TOOLTIPS) > 40
    search = page.locator(".leaflet-control-search input")  # the commune search suggestions
    search.press_sequentially("img src", delay=40)
    page.locator(".leaflet-control-search .search-tip").first.wait_for()
    page.wait_for_timeout(300)  # let any injected <img> fail and fire its handler
    assert page.evaluate("window.__xss") is None
    assert page.title() == title and "X" not in title
    shown = page.inner_text("#tooltips")
    # crossings, venues, zones, bases, outreach communes, segments, communes (name and district)
    assert shown.count(HOSTILE) >= 8, shown[:2000]
    assert page.inner_text(".leaflet-control-search .search-tip") == HOSTILE
    assert page.inner_text(".riskmap-title").count(HOSTILE) == 2  # heading and note
    watched.screenshot("hostile-names")


#: Counts Content-Security-Policy violations from the first script on.
CSP_WATCH = """window.__csp = [];
document.addEventListener("securitypolicyviolation", e => window.__csp.push(
  e.violatedDirective + " " + e.blockedURI));"""


def test_dashboard_and_maps_load_under_the_csp_with_no_violation(watched, live_server):
    import urllib.request

    page = watched.page
    page.add_init_script(CSP_WATCH)
    with urllib.request.urlopen(live_server + "/") as response:
        assert "script-src 'self' 'unsafe-inline'" in response.headers["content-security-policy"]
    page.goto(live_server + "/", wait_until="load")
    page.wait_for_selector("#ranking tbody tr")
    page.wait_for_selector(".leaflet-overlay-pane canvas, .leaflet-overlay-pane path")
    assert page.evaluate("window.__csp") == []
    page.goto(live_server + "/maps/patrol?offline=true", wait_until="load")
    page.wait_for_selector(".folium-map .leaflet-control-layers")
    assert page.locator(".leaflet-interactive").count() > 3
    page.wait_for_timeout(300)
    assert page.evaluate("window.__csp") == []
    watched.screenshot("map-under-csp")


@pytest.fixture
def hostile_workspace(tmp_path):
    """A scored workspace whose communes carry hostile names (every one of them)."""
    from geo.workspace import Raster, Workspace
    from risk.pipeline import score_workspace
    from risk.profiles import load_profile
    from tests.factories import METRIC, make_communes, make_layers, make_population

    communes = make_communes()
    layers = make_layers(communes)
    names = [f"{HOSTILE} {i}" for i in range(len(communes))]
    layers["communes"] = layers["communes"].assign(commune_name=names, district_name=HOSTILE)
    values, transform = make_population(layers["communes"])
    ws = Workspace(tmp_path / "ws")
    raster = Raster(values, transform, METRIC)
    ws.write_layers(layers, rasters={"population": raster}, source="hostile names")
    score_workspace(ws, load_profile("patrol"))
    return ws


def test_the_dashboard_shows_hostile_names_literally_and_runs_none(watched, hostile_workspace):
    from api.settings import Settings
    from tests.browser.conftest import serving

    with serving(Settings(workspace=hostile_workspace.root)) as url:
        page = watched.page
        page.add_init_script(CSP_WATCH)
        page.goto(url + "/", wait_until="load")
        page.wait_for_selector("#ranking tbody tr")
        title = page.title()
        first = page.locator("#ranking tbody tr").first
        assert first.locator("td:nth-child(2)").inner_text().startswith(HOSTILE)
        first.click()
        page.wait_for_selector("#drivers li")
        assert page.inner_text("#detail h3").startswith(HOSTILE)
        box = page.locator(".leaflet-container").first.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.move(box["x"] + box["width"] / 2 + 5, box["y"] + box["height"] / 2 + 5)
        page.wait_for_selector(".leaflet-tooltip")  # a commune's tooltip, name and score
        assert HOSTILE in page.inner_text(".leaflet-tooltip")
        assert page.evaluate("window.__xss") is None and page.title() == title
        assert page.evaluate("window.__csp") == []
