"""First render of a map file in headless Chromium: seconds from navigation to communes drawn."""

from __future__ import annotations

import statistics
from pathlib import Path

#: Chromium flags of the browser tests (tests/browser/conftest.py), plus no GPU process.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
CHROMIUM = Path("/usr/bin/chromium")
#: Resolves when the page has loaded and two frames have been painted after it: the time (ms
#: since navigation start) and how many commune shapes the overlay pane holds.
DRAWN_JS = """() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => {
  const pane = document.querySelector('.leaflet-overlay-pane');
  done({ms: performance.now(), canvas: pane ? pane.querySelectorAll('canvas').length : 0,
        paths: pane ? pane.querySelectorAll('path').length : 0});
})))"""


def first_render_s(html: Path, *, repeat: int = 3) -> float:
    """Median seconds from navigation to the commune layer drawn (load + two frames), Chromium.

    CDN scripts are answered from the installed npm copies (:func:`maps.offline.asset_file`);
    tiles and anything else remote are refused, as on a machine without internet.
    """
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for _ in range(repeat):
                times.append(_one_render(browser, html))
        finally:
            browser.close()
    return statistics.median(times)


def _one_render(browser, html: Path) -> float:
    """Seconds of one cold first render of ``html`` in a fresh page."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.route("**/*", _local_only)
        page.goto(html.resolve().as_uri(), wait_until="load", timeout=120_000)
        drawn = page.evaluate(DRAWN_JS)
        if not (drawn["canvas"] or drawn["paths"]):
            raise RuntimeError(f"{html.name}: no commune layer was drawn")
        return drawn["ms"] / 1000
    finally:
        page.close()


def _local_only(route) -> None:
    """Local files pass; CDN assets come from node_modules; the rest is cut off."""
    from maps.offline import OfflineAssetsError, asset_file

    url = route.request.url
    if url.startswith(("file:", "data:", "blob:", "about:")):
        route.continue_()
        return
    try:
        path = asset_file(url)
    except OfflineAssetsError:
        path = None
    if path is None or not path.is_file():
        route.abort()
    else:
        route.fulfill(path=str(path))
