"""A map with stored plans (bases, circles, segments) opens in a real browser without errors."""

import pytest

from maps import offline

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not offline.assets_installed(),
        reason="map assets not installed: run 'npm ci --prefix maps/static' (make install)",
    ),
]


def test_patrol_map_draws_bases_circles_and_coloured_segments(scored_workspace, watched, tmp_path):
    from api.render import write_map
    from risk.plans.patrol import patrol_plan
    from risk.plans.segments import segments_plan
    from risk.profiles import load_profile
    from risk.store import save_plan

    save_plan(scored_workspace, patrol_plan(scored_workspace, "patrol", k=2, radius_km=5))
    save_plan(scored_workspace, segments_plan(scored_workspace, "patrol", length_km=5))
    path = write_map(
        scored_workspace, load_profile("patrol"), output=tmp_path / "map.html", offline=True
    )
    page = watched.page
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_selector(".folium-map .leaflet-control-layers")
    control = page.inner_text(".leaflet-control-layers")
    assert "Điểm đặt tổ tuần tra" in control and "Đoạn biên giới (màu đậm: điểm cao)" in control
    assert page.locator(".leaflet-interactive.awesome-marker").count() == 3 + 2  # crossings, bases
    watched.screenshot("plan-map")
