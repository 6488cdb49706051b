"""Hot spots and uncertain classes: off at first, drawn from the score layer's shapes when shown."""

import pytest

from maps import offline

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not offline.assets_installed(),
        reason="map assets not installed: run 'npm ci --prefix maps/static' (make install)",
    ),
]

#: Outlines on the map per kind (features built by the overlays, not the score layer's own).
OUTLINES = """() => {
    const map = Object.values(window).find((v) => v instanceof L.Map);
    const out = {};
    map.eachLayer((l) => {
        const kind = l.feature?.properties?.kind;
        if (kind) out[kind] = (out[kind] || 0) + 1;
    });
    return out;
}"""
#: The tooltip its overlay shows on hovering the first outline of ``kind``.
TIP = """(kind) => {
    const map = Object.values(window).find((v) => v instanceof L.Map);
    let text = null;
    map.eachLayer((group) => {
        const first = group.getLayers?.()[0];
        if (text === null && first?.feature?.properties?.kind === kind) {
            const target = group.getLayers().find((l) => l.feature.properties.kind === kind);
            target.fire("mouseover", {latlng: target.getBounds().getCenter()}, true);
            text = document.querySelector(".leaflet-tooltip").innerText;
        }
    });
    return text;
}"""


@pytest.fixture
def overlay_map(scored_workspace, tmp_path):
    from maps.folium_map import MapTitle, build_map, render_html
    from risk.results import ScoreTable
    from risk.store import load_run

    run = load_run(scored_workspace, "patrol")
    frame = run.table.frame.copy()
    last = frame["rank"].max()
    frame["hotspot"] = [
        "hot_99" if r <= 2 else "cold_95" if r == last else "ns" for r in frame["rank"]
    ]
    frame["class_uncertain"] = frame["rank"] <= 3
    table = ScoreTable(frame, run.table.weights, run.table.breaks)
    communes = scored_workspace.read_layer("communes")
    m = build_map(communes, table, {}, title=MapTitle("Bản đồ thử"), offline=True)
    path = tmp_path / "map.html"
    path.write_text(render_html(m, offline=True), encoding="utf-8")
    return path


def test_hotspots_and_uncertain_classes_appear_when_switched_on(overlay_map, watched):
    page = watched.page
    page.goto(overlay_map.as_uri(), wait_until="load")
    control = page.locator(".leaflet-control-layers")
    control.wait_for()
    assert page.evaluate(OUTLINES) == {}  # off at first: the first render draws only scores
    control.get_by_text("Điểm nóng (Getis-Ord Gi*)").click()
    assert page.evaluate(OUTLINES) == {"hot_99": 2, "cold_95": 1}
    assert page.evaluate(TIP, "hot_99") == "Cụm điểm cao (q ≤ 0,01)"
    control.get_by_text("Hạng chưa chắc chắn").click()
    assert page.evaluate(OUTLINES) == {"hot_99": 2, "cold_95": 1, "uncertain": 3}
    control.get_by_text("Điểm nóng (Getis-Ord Gi*)").click()  # off, and on again: drawn once
    control.get_by_text("Điểm nóng (Getis-Ord Gi*)").click()
    assert page.evaluate(OUTLINES) == {"hot_99": 2, "cold_95": 1, "uncertain": 3}
    watched.screenshot("overlays")
