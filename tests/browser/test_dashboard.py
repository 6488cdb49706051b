"""The dashboard in a real browser: profile, weight sliders, explanations, downloads."""

import pytest

pytestmark = pytest.mark.browser


def ranking(page) -> list[str]:
    return page.locator("#ranking tbody tr td:nth-child(2)").all_inner_texts()


def open_dashboard(watched, live_server):
    page = watched.page
    page.goto(live_server + "/", wait_until="load")
    page.wait_for_selector("#ranking tbody tr")
    page.wait_for_selector(".leaflet-overlay-pane canvas, .leaflet-overlay-pane path")
    return page


def test_slider_change_rescores_and_updates_the_table(watched, live_server):
    page = open_dashboard(watched, live_server)
    assert page.inner_text("h1") == "Bản đồ nguy cơ mua bán người theo xã"
    assert page.input_value("#profile") == "patrol"
    before = ranking(page)
    with page.expect_response(lambda r: "/scores?" in r.url and r.request.method == "POST"):
        for name in ("border_proximity", "border_length", "crossing_access"):
            page.eval_on_selector(
                f"#w-{name}",
                "el => { el.value = 0; el.dispatchEvent(new Event('input', {bubbles: true})); }",
            )
        page.eval_on_selector(
            "#w-vulnerability",
            "el => { el.value = 1; el.dispatchEvent(new Event('input', {bubbles: true})); }",
        )
    page.wait_for_function("document.getElementById('status').textContent.includes('Đã cập nhật')")
    assert ranking(page) != before
    watched.screenshot("dashboard-custom-weights")


def test_clicking_a_commune_shows_its_drivers(watched, live_server):
    page = open_dashboard(watched, live_server)
    first = page.locator("#ranking tbody tr").first
    name = first.locator("td:nth-child(2)").inner_text()
    first.click()
    page.wait_for_selector("#drivers li")
    assert page.inner_text("#detail h3") == name
    assert page.locator("#drivers li").count() >= 1
    score = float(page.inner_text("#detail p b"))
    points = [
        float(t.split()[0]) for t in page.locator("#detail td:nth-child(2)").all_inner_texts()
    ]
    assert sum(points) == pytest.approx(score, abs=0.5)  # contributions add up to the score
    watched.screenshot("dashboard-commune")


def test_an_export_downloads(watched, live_server, tmp_path):
    page = open_dashboard(watched, live_server)
    with page.expect_download() as info:
        page.click("#downloads a[data-format=pdf]")
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.name == "riskmap-patrol.pdf" and path.read_bytes().startswith(b"%PDF")


def test_english_on_request(watched, live_server):
    page = open_dashboard(watched, live_server)
    page.select_option("#lang", "en")
    assert page.inner_text("h1") == "Human-trafficking risk by commune"
    assert "Very high" in page.inner_text(".legend")


@pytest.fixture
def keyed_server(scored_workspace):
    """A server that requires keys, and a viewer key for it."""
    from api.keys import create_key
    from api.settings import Settings
    from tests.browser.conftest import serving

    key = create_key(scored_workspace, role="viewer", label="browser test")[0]
    with serving(Settings(workspace=scored_workspace.root, require_keys=True)) as url:
        yield url, key


def test_with_keys_required_the_dashboard_asks_for_a_key_and_sends_it(
    watched, keyed_server, tmp_path
):
    url, key = keyed_server
    page = watched.page
    sent = []
    page.on("request", lambda r: sent.append((r.url, r.headers.get("authorization"))))
    page.goto(url + "/", wait_until="load")
    page.wait_for_selector("#keyform:not([hidden])")
    assert "API" in page.inner_text("#status") and page.locator("#ranking tbody tr").count() == 0
    page.fill("#key", key)
    page.click("#keyform button")
    page.wait_for_selector("#ranking tbody tr")
    page.wait_for_selector(".leaflet-overlay-pane canvas, .leaflet-overlay-pane path")
    assert page.evaluate("sessionStorage.getItem('riskmap-key')") == key
    assert page.is_hidden("#keyform") and page.is_visible("#forget")
    page.locator("#ranking tbody tr").first.click()
    page.wait_for_selector("#drivers li")
    with page.expect_download() as info:
        page.click("#downloads a[data-format=csv]")
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.name == "riskmap-patrol.csv" and "commune_code" in path.read_text("utf-8-sig")
    data = [(u, h) for u, h in sent if any(p in u for p in ("/profiles", "/scores", "/communes/"))]
    assert data and all(h == f"Bearer {key}" for _, h in data)
    page.reload(wait_until="load")  # the key stays for the tab's session
    page.wait_for_selector("#ranking tbody tr")
    watched.screenshot("dashboard-with-key")
