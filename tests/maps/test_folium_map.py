import re

import pytest

from maps.folium_map import MapTitle, build_map, render_html
from risk.pipeline import load_run
from risk.results import ScoreTable


def readable(html: str) -> str:
    """Map HTML with the JSON \\uXXXX escapes Folium writes turned back into characters."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), html)


@pytest.fixture
def run(scored_workspace):
    return load_run(scored_workspace, "patrol")


def draw(ws, run, lang="vi", table=None, layers=None, **title):
    communes = ws.read_layer("communes")
    if layers is None:
        names = ("border", "crossings", "venues", "industrial_zones")
        layers = {n: ws.read_layer(n) for n in names}
    m = build_map(
        communes, table or run.table, layers, title=MapTitle("Bản đồ thử", **title), lang=lang
    )
    return readable(render_html(m))


def test_map_has_every_layer_a_legend_and_tooltips_in_vietnamese(scored_workspace, run):
    html = draw(scored_workspace, run, run_id=run.record.run_id, note="DỮ LIỆU MÔ PHỎNG")
    for label in (
        "Điểm nguy cơ theo xã",
        "Đường biên giới",
        "Cửa khẩu, lối mở, đường mòn",
        "Khu, cụm công nghiệp",
    ):
        assert f'"{label}"' in html, label
    for text in ("Rất cao", "Rất thấp", "DỮ LIỆU MÔ PHỎNG", run.record.run_id, "Yếu tố chính"):
        assert text in html, text
    assert "Xã Nà Lũng" in html and "Karaoke 0" in html and "Lối mở" in html
    assert html.count("L.marker(") == 3  # one per crossing, icon by kind
    venue_layers = re.findall(r'"Cơ sở: (\w[^"(]*) \((\d+)\)"', html)
    assert sum(int(n) for _, n in venue_layers) == 40 and len(venue_layers) == 3


def test_map_tools_search_fullscreen_measure_minimap_scale(scored_workspace, run):
    html = draw(scored_workspace, run)
    for tool in (
        "L.Control.Search",
        "riskmap.fold",  # accent-insensitive search keys
        "L.control.fullscreen",
        "L.Control.Measure",
        "L.Control.MiniMap",
        "L.control.scale",
        '"maxZoom": 18',
        "Tìm xã...",
    ):
        assert tool in html, tool


def test_english_labels_on_request(scored_workspace, run):
    html = draw(scored_workspace, run, lang="en")
    assert '"Risk score by commune"' in html and "Very high" in html
    assert "Điểm nguy cơ" not in html


def test_unknown_language_is_refused(scored_workspace, run):
    with pytest.raises(ValueError, match='lang was "fr"'):
        draw(scored_workspace, run, lang="fr")


def test_a_missing_layer_is_left_out_and_named_on_the_map(scored_workspace, run):
    html = draw(scored_workspace, run, layers={})
    assert '"Điểm nguy cơ theo xã"' in html and '"Đường biên giới"' not in html
    assert "Không có dữ liệu: Đường biên giới, Cửa khẩu" in html


def test_hotspots_and_rank_intervals_are_shown_when_the_run_has_them(scored_workspace, run):
    frame = run.table.frame.copy()
    n = len(frame)
    frame["rank_p05"] = (frame["rank"] - 1).clip(lower=1)
    frame["rank_p95"] = (frame["rank"] + 2).clip(upper=n)
    frame["hotspot"] = ["hot_99" if r <= 2 else "ns" for r in frame["rank"]]
    table = ScoreTable(frame, run.table.weights, run.table.breaks)
    html = draw(scored_workspace, run, table=table)
    assert '"Điểm nóng (Getis-Ord Gi*)"' in html
    assert "Điểm nóng, tin cậy 99%" in html and "Khoảng thứ hạng (90%)" in html
    assert html.count('"hotspot": "hot_99"') == 2


def test_a_stored_patrol_plan_is_drawn(scored_workspace, run):
    import geopandas as gpd
    import shapely

    plan = gpd.GeoDataFrame(
        {"name": ["Đồn Biên phòng A"], "radius_km": [5.0]},
        geometry=[shapely.Point(106.95, 21.68)],
        crs=4326,
    )
    html = draw(scored_workspace, run, layers={"plan": plan})
    assert '"Kế hoạch tuần tra / tuyên truyền"' in html and "Đồn Biên phòng A" in html
    assert "L.circle(" in html
