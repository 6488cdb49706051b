"""The planners' dashboard in Chromium with the network cut: layers, plans, comparison, names.

The workspace has two stored runs of the patrol profile (different weights) and a hostile name
in every layer a user can see, so each test also checks that no name runs as a script.
"""

import json
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

#: Injects an image whose error handler sets a flag, and closes tags around it.
HOSTILE = 'Cửa "><img src=x onerror="window.__xss=1"></b></td> ${window.__xss=2}'
LAYER_NAMES = [
    "Điểm nguy cơ theo xã",
    "Cụm điểm nóng (Gi*)",
    "Đường biên giới",
    "Cửa khẩu, lối mở, đường mòn",
    "Cơ sở kinh doanh có điều kiện",
    "Khu, cụm công nghiệp",
    "Kế hoạch hiện hành",
    "Kế hoạch lập trên trang",
]


@pytest.fixture
def planner_workspace(tmp_path):
    """Seeded layers with hostile names, scored twice with the patrol profile (two runs)."""
    from geo.workspace import Raster, Workspace
    from risk.pipeline import score_workspace
    from risk.profiles import load_profile
    from tests.factories import METRIC, make_communes, make_layers, make_population

    layers = make_layers(make_communes())
    for name, column in (("crossings", "name"), ("venues", "name"), ("industrial_zones", "name")):
        layers[name][column] = layers[name][column].astype(object)
        layers[name].loc[layers[name].index[0], column] = HOSTILE
    communes = layers["communes"]
    communes.loc[communes.index[0], "commune_name"] = HOSTILE
    values, transform = make_population(communes)
    ws = Workspace(tmp_path / "ws")
    ws.write_layers(layers, rasters={"population": Raster(values, transform, METRIC)}, source="t")
    patrol = load_profile("patrol")
    score_workspace(ws, patrol.with_weights({"border_proximity": 0.2, "vulnerability": 0.8}))
    score_workspace(ws, patrol)  # the latest run: the one the page shows
    return ws


@pytest.fixture
def planner_server(planner_workspace):
    from api.settings import Settings
    from tests.browser.conftest import serving

    with serving(Settings(workspace=planner_workspace.root)) as url:
        yield url


def open_page(watched, url):
    page = watched.page
    page.goto(url + "/", wait_until="load")
    page.wait_for_selector("#ranking tbody tr")
    page.wait_for_selector(".crossing-marker")
    page.wait_for_selector(".current-base")  # the current plans come last (queued)
    return page


def no_script_ran(page):
    assert page.evaluate("window.__xss") is None
    assert page.title().startswith("riskmap")


def test_the_layers_appear_with_the_network_cut(watched, planner_server, planner_workspace):
    from maps.style import HOTSPOT_STYLE
    from risk.store import load_run

    hotspots = load_run(planner_workspace, "patrol").table.frame["hotspot"]
    page = open_page(watched, planner_server)
    assert page.locator("path.hotspot").count() == hotspots.isin(list(HOTSPOT_STYLE)).sum()
    labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert [label.strip() for label in labels] == LAYER_NAMES
    assert page.locator(".crossing-marker").count() == 3  # one per crossing, icon by kind
    assert page.locator(".crossing-marker .fa-flag").count() == 1  # the international gate
    page.wait_for_selector("path.border-line")
    page.wait_for_selector("path.zone")
    page.wait_for_selector(".marker-cluster")  # 40 venues, clustered
    page.wait_for_selector("path.segment")  # the current segment plan
    assert page.evaluate("typeof L.markerClusterGroup") == "function"  # from /vendor, not a CDN
    assert not watched.remote
    page.select_option("#lang", "en")
    labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert "Current plans" in [label.strip() for label in labels]
    page.uncheck(".leaflet-control-layers-overlays label:has-text('Crossings') input")
    assert page.locator(".crossing-marker").count() == 0  # the control really hides a layer
    watched.screenshot("dashboard-layers")


def test_a_patrol_plan_made_on_the_page_is_drawn_with_its_figures(watched, planner_server):
    page = open_page(watched, planner_server)
    page.fill("#patrol-k", "3")
    page.fill("#patrol-radius", "5")
    page.select_option("#patrol-method", "exact")
    with page.expect_response(lambda r: "/plans/patrol?" in r.url and "k=3" in r.url) as answer:
        page.click("#patrol-form button")
    plan = answer.value.json()
    page.wait_for_selector("#plan-figures table")
    assert page.locator(".plan-base").count() == 3 == len(plan["bases"])
    assert page.locator("path.plan-base-coverage").count() == 3  # a coverage circle per base
    figures = page.inner_text("#plan-figures")
    assert f"{plan['covered_share'] * 100:.1f} %" in figures
    assert "Phương án tối ưu" in figures and "Kém tối ưu" in figures  # exact vs greedy figures
    assert any(n.startswith("demand:") for n in plan["notes"])  # the server's English note...
    for english in ("demand:", "reached = outline", "weight draws", "greedy choice"):
        assert english not in figures  # ...said in Vietnamese on the page
    assert "Nhu cầu: quy tắc" in figures
    page.fill("#outreach-budget", "150")
    page.click("#outreach-form button")
    page.wait_for_selector("path.outreach-commune")
    assert page.locator(".plan-base").count() == 0  # the new plan replaces the old one
    assert "Xã được chọn" in page.inner_text("#plan-figures")
    no_script_ran(page)
    watched.screenshot("dashboard-plan")


def test_the_commune_panel_shows_the_rank_interval_and_p_top_k(watched, planner_server):
    page = open_page(watched, planner_server)
    page.locator("#ranking tbody tr").first.click()
    page.wait_for_selector("#uncertainty")
    text = page.inner_text("#uncertainty")
    assert re.search(r"Khoảng hạng \(5-95 %\)\s+\d+ – \d+", text)
    assert re.search(r"Xác suất vào nhóm \d+ xã đầu\s+\d+\.\d %", text)


def choose_other_run(page):
    options = page.locator("#against option").all()
    assert len(options) == 2  # "no comparison" and the other patrol run
    page.select_option("#against", index=1)


def test_choosing_another_run_shows_the_comparison(watched, planner_server):
    page = open_page(watched, planner_server)
    with page.expect_response(lambda r: "/compare/" in r.url) as answer:
        choose_other_run(page)
    assert answer.value.status == 200, answer.value.text()[:300]
    assert_comparison_shown(page)
    watched.screenshot("dashboard-compare")


def assert_comparison_shown(page):
    page.wait_for_selector("#risers li")
    assert "So với kỳ trước" in page.inner_text("#compare")
    assert page.locator("#fallers li").count() >= 1
    assert "Thay đổi điểm" in page.inner_text(".legend")  # the change map's legend
    legend = page.inner_text(".legend")
    assert "đến dưới" in legend and "…" not in legend  # disjoint bins, each end said
    heading = page.inner_text("#compare p.hint")
    other = page.eval_on_selector("#against", "s => s.value")
    assert "[object" not in heading and other[:8] in heading.split("←")[1]
    assert page.is_visible("#change-head")
    changes = page.locator("#ranking td.change").all_inner_texts()
    assert changes and all(re.fullmatch(r"[+-]?\d+\.\d|–", c) for c in changes)
    assert "against=" in page.get_attribute("#downloads a[data-format=pdf]", "href")
    no_script_ran(page)
    page.select_option("#against", "")
    assert page.is_hidden("#compare") and "Mức" in page.inner_text(".legend")


def comparison_of(ws):
    """A comparison body of the documented shape, made from the workspace's two real runs."""
    from risk.store import list_runs, load_run

    older, newer = (load_run(ws, None, r.run_id).table.frame for r in list_runs(ws)[:2])
    new = newer.set_index("commune_code")
    old = older.set_index("commune_code").reindex(new.index)
    rows = [
        {
            "commune_code": code,
            "commune_name": HOSTILE,
            "score_change": float(new.at[code, "score"] - old.at[code, "score"]),
            "rank_change": int(old.at[code, "rank"] - new.at[code, "rank"]),
            "class_change": int(new.at[code, "class"] - old.at[code, "class"]),
        }
        for code in new.index
    ]
    rows.sort(key=lambda r: r["score_change"])
    return {
        "communes": rows,
        "risers": rows[::-1][:3],
        "fallers": rows[:3],
        "entering": [],
        "leaving": [rows[0]["commune_code"]],
    }


def test_the_comparison_view_draws_the_change_map_and_lists(
    watched, planner_server, planner_workspace
):
    """The page against the comparison answer's documented shape (route answered by the test)."""
    page = watched.page
    body = json.dumps(comparison_of(planner_workspace))
    page.route(
        re.compile(r".*/runs/[0-9a-f]+/compare/[0-9a-f]+$"),
        lambda route: route.fulfill(status=200, content_type="application/json", body=body),
    )
    open_page(watched, planner_server)
    choose_other_run(page)
    page.wait_for_selector("#risers li")
    watched.screenshot("dashboard-change-map")
    assert_comparison_shown(page)


def test_hostile_names_show_literally_and_run_nothing(watched, planner_server):
    page = open_page(watched, planner_server)
    assert HOSTILE in page.locator("#ranking tbody").inner_text()
    page.uncheck(".leaflet-control-layers-overlays label:has-text('Kế hoạch hiện hành') input")
    for marker in page.locator(".crossing-marker").all():
        marker.hover()
    tips = page.locator(".leaflet-tooltip").all_inner_texts()
    assert any(HOSTILE in tip for tip in tips)
    page.hover("path.zone")
    assert HOSTILE in page.inner_text(".leaflet-tooltip")
    code = page.get_attribute("#ranking tbody tr:has-text('onerror')", "data-code")
    page.click(f"#ranking tbody tr[data-code='{code}']")
    page.wait_for_selector("#detail h3")
    assert page.inner_text("#detail h3") == HOSTILE
    no_script_ran(page)


def test_slider_moves_are_debounced_and_recolour_without_reloading_geometry(
    watched, planner_server
):
    page = watched.page
    sent = []
    page.on("request", lambda r: sent.append((r.method, r.url)))
    open_page(watched, planner_server)
    for value in (0.1, 0.3, 0.5, 0.7, 0.9):  # five quick moves: one computation
        page.eval_on_selector(
            "#w-vulnerability",
            f"el => {{ el.value = {value}; el.dispatchEvent(new Event('input')); }}",
        )
    page.wait_for_selector("#status:has-text('Đã cập nhật')")
    page.wait_for_timeout(600)
    scores = [(m, u.split("/scores", 1)[1]) for m, u in sent if "/scores" in u]
    quick = "?geometry=false&analyses=false&fields=commune_code,score,class,class_label,"
    assert scores == [("GET", "?profile=patrol"), ("POST", quick + "class_label_en,rank")]
    names = page.locator("#ranking tbody tr td:nth-child(2)").all_inner_texts()
    assert len(names) > 0 and all(n.strip() for n in names)  # names kept from the first answer


def test_leaflet_s_own_words_are_vietnamese_on_the_dashboard(watched, planner_server):
    page = open_page(watched, planner_server)
    shown = page.evaluate(
        """() => Array.from(document.querySelectorAll('.leaflet-control, .leaflet-control *'))
        .flatMap(e => [e.getAttribute('title') || '', e.getAttribute('aria-label') || ''])
        .concat([document.querySelector('.leaflet-control-attribution').innerHTML]).join('\\n')"""
    )
    for english in ("Zoom in", "Zoom out", "Layers", "JavaScript library for interactive maps"):
        assert english not in shown
    assert "Phóng to" in shown and "Thư viện JavaScript cho bản đồ tương tác" in shown
